#!/usr/bin/python3
"""Peers for tests/bench/run_predictors.sh (Debian python3-sklearn /
python3-xgboost, single thread). Features: the standard NB201 one-hot op
encoding (6 edges x 5 ops). Prints whitespace-separated result lines.

  peer_pred.py manyshot TABLE TARGET N SEEDS   -> xgb / rf rho, mape, w10
  peer_pred.py fewshot  DATA_DIR SEEDS          -> HELP-style tree transfer
  peer_pred.py speed    TABLE TARGET REPS       -> rows per CPU-second of sklearn RF, xgboost
"""
import csv, sys, time, os
import numpy as np

os.environ.setdefault("OMP_NUM_THREADS", "1")
from scipy.stats import spearmanr
import xgboost as xgb
from sklearn.ensemble import RandomForestRegressor

EDGES = ["op_1_0", "op_2_0", "op_2_1", "op_3_0", "op_3_1", "op_3_2"]


def load(path):
    rows = list(csv.DictReader(open(path)))
    ops = np.array([[int(r[e]) for e in EDGES] for r in rows])
    X = np.zeros((len(rows), 30), dtype=np.float32)
    for e in range(6):
        X[np.arange(len(rows)), e * 5 + ops[:, e]] = 1
    idx = np.array([int(r["arch_index"]) for r in rows])
    return rows, X, idx


def col(rows, name):
    return np.array([float(r[name]) if r[name] != "" else np.nan for r in rows])


def metrics(p, y):
    rel = np.abs(p - y) / np.abs(y)
    return spearmanr(p, y)[0], 100 * rel.mean(), 100 * (rel <= 0.10).mean()


def xgb_model(seed):
    # "tuned" settings, log target
    return xgb.XGBRegressor(n_estimators=500, max_depth=6, learning_rate=0.05, subsample=0.8,
                            colsample_bynode=0.8, tree_method="hist", n_jobs=1, random_state=seed)


def manyshot(table, target, n, seeds):
    rows, X, _ = load(table)
    y = col(rows, target)
    ok = np.where(~np.isnan(y))[0]
    rng = np.random.default_rng(20260101)
    perm = rng.permutation(ok)
    test, rest = perm[:2000], perm[2000:]
    for name in ["xgb", "rf"]:
        res = []
        for s in range(seeds):
            tr = np.random.default_rng(s + 1).permutation(rest)[:n]
            m = xgb_model(s + 1) if name == "xgb" else RandomForestRegressor(
                n_estimators=100, max_features=0.6, n_jobs=1, random_state=s + 1)
            t0 = time.process_time()
            m.fit(X[tr], np.log(y[tr]))
            fit = time.process_time() - t0
            p = np.exp(m.predict(X[test]))
            res.append(metrics(p, y[test]) + (fit,))
        r = np.array(res).mean(axis=0)
        print(f"peer-{name} {n} {r[0]:.4f} {r[1]:.3f} {r[2]:.2f} {r[3]:.4f}")


def trim(lat, lo, hi):
    idx = np.arange(lo, hi)
    idx = idx[~np.isnan(lat[idx])]
    o = idx[np.argsort(lat[idx], kind="stable")]
    m = len(o)
    return o[int(m * 0.1):int(m * 0.9)]


def fewshot(data, seeds):
    """HELP-style transfer baseline on trees: one XGBoost regressor over
    [arch one-hot, hardware embedding] -> device-normalised log latency,
    trained on the 9 meta-train devices; for a new device its 10 shots are
    added to the training set (weight 5) and the model refitted; Spearman rho
    on HELP's query set."""
    rows, X, idx = load(f"{data}/help_latency/nb201_latency.csv")
    hw = list(csv.DictReader(open(f"{data}/help_latency/hw_embedding_index.csv")))
    refs = [int(r["arch_index"]) for r in hw if r["search_space"] == "nasbench201"]
    sp = list(csv.DictReader(open(f"{data}/help_latency/device_splits.csv")))
    mtrain = [r["device"] for r in sp if r["search_space"] == "nasbench201" and r["role"] == "meta_train"]
    pos = {a: i for i, a in enumerate(idx)}

    def emb_norm(lat):
        lr = np.log(lat[[pos[a] for a in refs]])
        ok = ~np.isnan(lr)
        mu, sd = lr[ok].mean(), lr[ok].std()
        e = (lr - mu) / sd
        e[~ok] = 0.0
        return e, mu, sd

    base_X, base_y = [], []
    rng = np.random.default_rng(0)
    for d in mtrain:
        lat = col(rows, "lat_ms_" + d)
        e, mu, sd = emb_norm(lat)
        sel = rng.choice(len(rows), 1500, replace=False)
        base_X.append(np.hstack([X[sel], np.tile(e, (len(sel), 1))]))
        base_y.append((np.log(lat[sel]) - mu) / sd)
    base_X, base_y = np.vstack(base_X), np.concatenate(base_y)
    tx_rows, tx_X, tx_idx = load(f"{data}/hw_nas_bench/hwnasbench_nb201_cifar10.csv")
    targets = [("titanx_1", col(rows, "lat_ms_titanx_1")), ("titanx_32", col(rows, "lat_ms_titanx_32")),
               ("titanx_256", col(rows, "lat_ms_titanx_256")), ("gold_6240", col(rows, "lat_ms_gold_6240")),
               ("tx2", col(tx_rows, "edgegpu_latency_ms"))]
    for name, lat in targets:
        byidx = np.full(15625, np.nan)
        byidx[idx if name != "tx2" else tx_idx] = lat
        lat = byidx[idx]
        e, mu, sd = emb_norm(lat)
        pool, query = trim(byidx, 0, 900), trim(byidx, 900, 1900)
        qpos = [pos[a] for a in query]
        rhos = []
        t0 = time.perf_counter()
        for s in range(seeds):
            shots = np.random.default_rng(s + 1).permutation(pool)[:10]
            sp_ = [pos[a] for a in shots]
            Xs = np.hstack([X[sp_], np.tile(e, (10, 1))])
            ys = (np.log(lat[sp_]) - mu) / sd
            m = xgb.XGBRegressor(n_estimators=150, max_depth=6, learning_rate=0.1, subsample=0.8,
                                 tree_method="hist", n_jobs=1, random_state=s + 1)
            m.fit(np.vstack([base_X, Xs]), np.concatenate([base_y, ys]),
                  sample_weight=np.concatenate([np.ones(len(base_y)), 5 * np.ones(10)]))
            p = m.predict(np.hstack([X[qpos], np.tile(e, (len(qpos), 1))]))
            rhos.append(spearmanr(p, lat[qpos])[0])
        print(f"peer-fewshot {name} {np.mean(rhos):.4f} {np.std(rhos):.4f} {(time.perf_counter() - t0) / seeds:.3f}")


def speed(table, target, reps):
    rows, X, _ = load(table)
    y = col(rows, target)
    ok = np.where(~np.isnan(y))[0][:1000]
    Xall = X
    for name, m in [("sklearn-rf-depth10", RandomForestRegressor(100, max_depth=10, max_features=0.6, n_jobs=1, random_state=1)),
                    ("sklearn-rf-depth8", RandomForestRegressor(100, max_depth=8, max_features=0.6, n_jobs=1, random_state=1)),
                    ("sklearn-rf-default", RandomForestRegressor(100, n_jobs=1, random_state=1)),
                    ("xgboost-500x6", xgb_model(1))]:
        t0 = time.thread_time()
        m.fit(X[ok], np.log(y[ok]))
        fit = time.thread_time() - t0
        rates, wrates = [], []
        for _ in range(reps):
            t0, w0 = time.thread_time(), time.perf_counter()
            m.predict(Xall)
            rates.append(len(Xall) / (time.thread_time() - t0))
            wrates.append(len(Xall) / (time.perf_counter() - w0))
        print(f"peer-speed {name} {fit:.4f} {np.median(rates):.4g} {np.max(rates):.4g} {np.median(wrates):.4g}")


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "manyshot":
        manyshot(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    elif cmd == "fewshot":
        fewshot(sys.argv[2], int(sys.argv[3]))
    elif cmd == "speed":
        speed(sys.argv[2], sys.argv[3], int(sys.argv[4]))
