#!/usr/bin/python3
"""Device sweep of hwnas predictor mode on NB201, in one of two framings
(--framing joint: accuracy and latency both measured; --framing free:
accuracy known from the table at no cost (`cost: free`), latency measured,
HELP's latency-constrained framing), beside hwnas's measure-everything NSGA-II and the
peers of nb201_peers.py, per device, same seeds, same reference rule (error
15 %, 1.1 x the device's largest latency).

Devices: hw_nas_bench pixel3 and edgegpu (TX2, the device the policy was
first tuned on), the 13 Eagle devices, HELP's NB201 meta-train and
meta-valid devices (pixel3 once). HELP's meta-test columns and HW-NAS-Bench's
withheld columns are not in the data and are never used. HELD_OUT devices
were kept out of every tuning decision of the policy.

For every device and seed: hwnas search with evaluator.kind predictor
(data/configs/nb201-tx2-predictor.yaml with the device's column, reference
and --budget) and with kind table (measure everything, up to --table-gens
generations); the peers with --max-meas. Per-run YAML in a temp dir, or the
`--max-measurements`/`--reference` flags of `hwnas search` when it has them.
Prints one row per device: medians of measurements to HV ratio 0.99 and
0.999 (">B": not within the budget; medians count misses as infinite), the
predictor's HV ratio at 40 and 60 measurements and at the budget, per seed
the failed measurements and the whole (de-duplicated, in-box) exact front
found (true_front_found / true_front_size), the best peer at 0.99 and the
ratio, and the seeds on which the predictor needed more measurements than
measure-everything for the HV ratio it ended with. In the free framing
"measurements" are latency measurements (accuracy lookups are free) for
hwnas; the peers always count joint measurements.

usage: nb201_devices.py [--devices all|tuning|held-out|NAME,...] [--seeds N]
        [--first-seed S] [--budget B] [--policy ehvi|hv_contribution] [--framing joint|free]
        [--peers deap20,deap36,nsga2,random,tpe] [--peer-max M] [--table-gens G]
        [--feasible-min P] [--no-table] [--hwnas BIN] [--keep DIR] [--list]
HWNAS_DATA: data dir holding hw_nas_bench/, nb201_accuracy/, eagle_brpnas/,
help_latency/ (e.g. the shared data dir).
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nb201_peers as P  # noqa: E402

HWNB = "hw_nas_bench/hwnasbench_nb201_cifar10.csv"
EAGLE = "eagle_brpnas/eagle_nb201_latency.csv"
HELP = "help_latency/nb201_latency.csv"
EAGLE_DEV = ["desktop_cpu_core_i7_7820x_fp32", "desktop_gpu_gtx_1080ti_fp32", "embedded_gpu_jetson_nano_fp16",
             "embedded_gpu_jetson_nano_fp32", "embedded_tpu_edgetpu_int8", "mobile_cpu_snapdragon_450_cortex_a53_int8",
             "mobile_cpu_snapdragon_675_kryo_460_int8", "mobile_cpu_snapdragon_855_kryo_485_int8",
             "mobile_dsp_snapdragon_675_hexagon_685_int8", "mobile_dsp_snapdragon_855_hexagon_690_int8",
             "mobile_gpu_snapdragon_450_adreno_506_int8", "mobile_gpu_snapdragon_675_adreno_612_int8",
             "mobile_gpu_snapdragon_855_adreno_640_int8"]
HELP_DEV = ["1080ti_1", "1080ti_32", "1080ti_256", "silver_4114", "silver_4210r", "samsung_a50", "essential_ph_1",
            "samsung_s7", "titanx_1", "titanx_32", "titanx_256", "gold_6240"]  # meta-train + meta-valid, pixel3 once
DEVICES = {"tx2": (HWNB, "edgegpu_latency_ms"), "pixel3": (HWNB, "pixel3_latency_ms")}
DEVICES.update({"eagle_" + d: (EAGLE, "lat_ms_" + d) for d in EAGLE_DEV})
DEVICES.update({"help_" + d: (HELP, "lat_ms_" + d) for d in HELP_DEV})
# Kept out of all tuning: one of each kind (desktop CPU, GPU, TPU, mobile CPU, DSP, phone GPU, server CPU).
HELD_OUT = ["eagle_desktop_cpu_core_i7_7820x_fp32", "eagle_embedded_tpu_edgetpu_int8",
            "eagle_mobile_cpu_snapdragon_675_kryo_460_int8", "eagle_mobile_dsp_snapdragon_855_hexagon_690_int8",
            "eagle_mobile_gpu_snapdragon_450_adreno_506_int8", "help_titanx_256", "help_gold_6240",
            "help_samsung_s7"]
PEERS = {"deap20": dict(peer="deap", pop=20, indpb=1.0 / 6), "deap36": dict(peer="deap", pop=36, indpb=0.05),
         "nsga2": dict(peer="nsga2"), "tpe": dict(peer="tpe"), "random": dict(peer="random")}

YAML = """space: {{name: nb201}}
objectives:
  - {{name: accuracy, direction: maximize, source: test_acc_200ep_cifar10{acc_cost}}}
  - {{name: latency_ms, direction: minimize, source: {col}, device: {dev}}}
algorithm: {{population: 48, generations: {gens}, seed: 1, {budget}stop_hv_ratio: 1.0}}
evaluator:
  kind: {kind}
  key: arch_index
  measure_cost_s: 13.0
  tables: [{data}/{table}, {data}/nb201_accuracy/nb201_accuracy.csv]
{pred}islands: {{migration_interval: 5, migrants: 4, topology: ring}}
hypervolume: {{reference: [85, {ref:.6f}]}}
output: {{dir: {out}}}
"""
PRED = "predictor: {{method: gp, initial: 12, per_generation: 1, policy: {policy}, beta: 0.5{feas}}}\n"


def has_flags(hw):
    h = subprocess.run([hw, "search", "--help"], capture_output=True, text=True).stdout
    return "--max-measurements" in h and "--reference" in h


def hwnas_run(a, tmp, dev, kind, seed, ref, flags):
    table, col = DEVICES[dev]
    name = "%s-%s-%d%s%s" % (dev, kind, seed, "-free" if a.framing == "free" else "",
                             "" if a.feasible_min is None or kind != "predictor" else "-feas%g" % a.feasible_min)
    pred = kind == "predictor"
    cfg = os.path.join(tmp, name + ".yaml")
    with open(cfg, "w") as f:
        f.write(YAML.format(col=col, dev=dev, gens=400 if pred else a.table_gens, kind=kind, data=a.data,
                            acc_cost=", cost: free" if a.framing == "free" else "", table=table, pred=PRED.format(policy=a.policy, feas="" if a.feasible_min is None else ", feasible_min: %g" % a.feasible_min) if pred else "", ref=ref[1], out=os.path.join(tmp, "out-" + name),
                            budget="max_measurements: %d, " % a.budget if pred and not flags else ""))
    js = os.path.join(tmp, name + ".json")
    if a.keep and os.path.exists(js):  # a kept run is not repeated
        with open(js) as f:
            return json.load(f)
    cmd = [a.hwnas, "search", cfg, "--seed", str(seed), "--quiet", "--summary", os.path.join(tmp, name + ".json")]
    if pred and flags:
        cmd += ["--max-measurements", str(a.budget), "--reference", "85,%.6f" % ref[1]]
    r = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
    if r.returncode != 0:
        sys.exit("nb201_devices: %s failed: %s" % (name, r.stderr.strip().splitlines()[-1:]))
    with open(os.path.join(tmp, name + ".json")) as f:
        return json.load(f)


def first_meas(j, thr):
    for h in j["history"]:
        if h["hv_ratio"] is not None and h["hv_ratio"] >= thr - 1e-12:
            return h["measurements"]
    return math.inf


def hv_at(j, m):
    v = None
    for h in j["history"]:
        if h["measurements"] <= m and h["hv_ratio"] is not None:
            v = h["hv_ratio"]
    return v if v is not None else float("nan")


def fmt(x, cap):
    return ">%d" % cap if x == math.inf else ("%g" % x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--devices", default="all")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--budget", type=int, default=300)
    ap.add_argument("--peers", default="deap20,deap36,nsga2,random")
    ap.add_argument("--peer-max", type=int, default=3000)
    ap.add_argument("--table-gens", type=int, default=3000)
    ap.add_argument("--policy", default="hv_contribution", help="predictor.policy of the predictor runs")
    ap.add_argument("--framing", choices=["joint", "free"], default="joint",
                    help="joint: accuracy and latency measured; free: accuracy cost: free, latency measured")
    ap.add_argument("--feasible-min", type=float, default=None,
                    help="predictor.feasible_min of the predictor runs (default: the engine's, 0.5; 0: no feasibility model)")
    ap.add_argument("--no-table", action="store_true", help="skip the measure-everything hwnas runs")
    ap.add_argument("--hwnas", default=os.path.join(os.environ.get("HWNAS_BUILD", "build"), "hwnas"))
    ap.add_argument("--keep", default=None, help="keep the runs' YAML and JSON in this dir")
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args()
    a.data = os.path.abspath(os.environ.get("HWNAS_DATA", "data"))
    if a.devices == "all":
        devs = list(DEVICES)
    elif a.devices == "held-out":
        devs = HELD_OUT
    elif a.devices == "tuning":
        devs = [d for d in DEVICES if d not in HELD_OUT]
    else:
        devs = a.devices.split(",")
    for d in devs:
        if d not in DEVICES:
            sys.exit("nb201_devices: --devices: unknown device %s (--list)" % d)
    if a.list:
        for d in DEVICES:
            print(d, *DEVICES[d], "held-out" if d in HELD_OUT else "tuning")
        return
    tmp = a.keep or tempfile.mkdtemp(prefix="hwnas-devices-")
    os.makedirs(tmp, exist_ok=True)
    flags = has_flags(a.hwnas)
    seeds = range(a.first_seed, a.first_seed + a.seeds)
    peers = [p for p in a.peers.split(",") if p]
    B = a.budget
    print("# NB201 device sweep, %s framing, seeds %d..%d, predictor policy %s, budget %d, peers capped at %d; "
          "hwnas flags %s" % (a.framing, seeds[0], seeds[-1], a.policy, B, a.peer_max,
                              "--max-measurements/--reference" if flags else "via YAML"))
    print("| device | set | pred HV0.99 | pred HV0.999 | pred HV@40 | pred HV@60 | pred HV@%d | failed per seed | "
          "front found per seed | meas-all HV0.99 | meas-all HV0.999 | "
          "best peer HV0.99 | best-peer/pred | %sseeds pred worse than meas-all |" % (B, "".join(p + " | " for p in peers)))
    print("|" + "---|" * (14 + len(peers)))
    for d in devs:
        table, col = DEVICES[d]
        tab, ref = P.load(a.data, table, col)
        fr = P.front_of([(e, l, i) for (i, e, l) in tab.values() if l is not None])
        hv_true, fids = P.hv2(fr, ref), {p[2] for p in fr if p[0] < ref[0]}
        pr = [hwnas_run(a, tmp, d, "predictor", s, ref, flags) for s in seeds]
        ta = [] if a.no_table else [hwnas_run(a, tmp, d, "table", s, ref, flags) for s in seeds]
        p99 = [first_meas(j, 0.99) for j in pr]
        p999 = [first_meas(j, 0.999) for j in pr]
        t99 = [first_meas(j, 0.99) for j in ta] or [math.nan]
        t999 = [first_meas(j, 0.999) for j in ta] or [math.nan]
        worse = sum(1 for j, t in zip(pr, ta) if first_meas(t, j["hv_ratio"]) < j["measurements"]
                    and first_meas(j, j["hv_ratio"]) > first_meas(t, j["hv_ratio"]))
        pm = {}
        for p in peers:
            ns = argparse.Namespace(**dict(dict(pop=50, indpb=1.0 / 6, parents="random"), **PEERS[p]))
            v = []
            for s in seeds:
                tr = P.Tracker(tab, ref, hv_true, fids, a.peer_max)
                {"deap": P.run_deap, "tpe": P.run_optuna, "nsga2": P.run_optuna, "random": P.run_random}[ns.peer](tr, s, ns)
                v.append(tr.res["0.99"] or math.inf)
            pm[p] = statistics.median(v)
        best = min(pm.values()) if pm else math.inf
        m99 = statistics.median(p99)
        ratio = "%.1f" % (best / m99) if m99 != math.inf and best != math.inf else "n/a"
        print("| %s | %s | %s | %s | %.4f | %.4f | %.4f | %s | %s | %s | %s | %s | %s | %s%d/%d |" % (
            d, "held-out" if d in HELD_OUT else "tuning", fmt(m99, B), fmt(statistics.median(p999), B),
            statistics.median(hv_at(j, 40) for j in pr), statistics.median(hv_at(j, 60) for j in pr),
            statistics.median(j["hv_ratio"] for j in pr), " / ".join(str(j["failed_measurements"]) for j in pr),
            " / ".join("%d/%d" % (j["true_front_found"], j["true_front_size"]) for j in pr),
            fmt(statistics.median(t99), 0), fmt(statistics.median(t999), 0), fmt(best, a.peer_max), ratio,
            "".join(fmt(pm[p], a.peer_max) + " | " for p in peers), worse, len(ta)), flush=True)
        print("<!-- %s per seed: pred 0.99 %s; pred 0.999 %s; HV@40 %s; HV@%d %s; meas-all 0.99 %s -->" % (
            d, [fmt(x, B) for x in p99], [fmt(x, B) for x in p999], ["%.4f" % hv_at(j, 40) for j in pr], B,
            ["%.4f" % j["hv_ratio"] for j in pr], [fmt(x, 0) for x in t99]), flush=True)


if __name__ == "__main__":
    main()
