#!/usr/bin/python3
"""Measure-everything peers of hwnas on NB201 x one latency device.

Objectives: error = 100 - NB201 200-epoch CIFAR-10 test accuracy and the
device's latency column, both minimised. Reference rule (docs/config.md):
error 15, latency 1.1 x the largest latency in the table. The exact front is
taken over every arch with a latency (empty or non-positive cells are failed
measurements: counted, infeasible, never on the front).

Peers (--peer):
  deap    DEAP's NSGA-II: genomes of 6 ints in 0..4, algorithms.varAnd on the
          shuffled population (cxUniform indpb 0.5 with probability 0.9 per
          pair, then mutUniformInt with --indpb, default 1/6, on every child),
          selNSGA2 (nd='log') (mu + lambda) survival; --parents dcd picks
          parents with selTournamentDCD (population a multiple of 4).
  tpe     Optuna's TPESampler(multivariate=True, seed), 2-objective study.
  nsga2   Optuna's NSGAIISampler(seed) with its defaults (population 50).
  random  uniformly random archs without repetition.
Every distinct arch looked up is one measurement (a sampler proposing an arch
already measured gets the stored values at no charge). After each new one the
HV ratio of the measured front is checked. Prints per seed the measurements
to reach HV ratio 0.99, 0.999 and the whole exact front (-1: not within
--max-meas), and the medians (not reached counts as infinite).

usage: nb201_peers.py [--peer P] [--table CSV --column COL] [--seeds N]
          [--first-seed S] [--max-meas M] [--pop N] [--indpb P] [--parents random|dcd]
Run with Debian's /usr/bin/python3 (python3-deap, python3-optuna).
HWNAS_DATA = data dir (default data); --table is relative to it.
"""
import argparse
import csv
import math
import os
import random
import statistics

OPS = ("op_1_0", "op_2_0", "op_2_1", "op_3_0", "op_3_1", "op_3_2")


def load(datadir, table, column):
    """genome tuple -> (arch index, error, latency or None); and the reference."""
    acc, gen = {}, {}
    with open(os.path.join(datadir, "nb201_accuracy", "nb201_accuracy.csv")) as f:
        for r in csv.DictReader(f):
            i = int(r["arch_index"])
            acc[i] = float(r["test_acc_200ep_cifar10"])
            gen[i] = tuple(int(r[c]) for c in OPS)
    lat = {}
    with open(os.path.join(datadir, table)) as f:
        rd = csv.DictReader(f)
        if column not in rd.fieldnames:
            raise SystemExit("nb201_peers: %s: no column %s" % (table, column))
        for r in rd:
            v = r[column]
            lat[int(r["arch_index"])] = float(v) if v != "" and float(v) > 0 else None
    t = {gen[i]: (i, 100.0 - acc[i], lat.get(i)) for i in gen}
    ref = (15.0, 1.1 * max(l for (_, _, l) in t.values() if l is not None))
    return t, ref


def front_of(points):
    """Non-dominated subset of (err, lat, idx) points (minimisation)."""
    out, best = [], float("inf")
    for p in sorted(points):
        if p[1] < best:
            out.append(p)
            best = p[1]
    return out


def hv2(front, ref):
    v, cur = 0.0, ref[1]
    for e, l, _ in sorted(front):
        if e < ref[0] and l < cur:
            v += (ref[0] - e) * (cur - l)
            cur = l
    return v


class Tracker:
    """Counts distinct measurements and records when the targets are met."""

    def __init__(self, table, ref, hv_true, front_ids, cap):
        self.table, self.ref, self.hv_true, self.front_ids, self.cap = table, ref, hv_true, front_ids, cap
        self.seen, self.archive, self.found = {}, [], set()
        self.res = {"0.99": None, "0.999": None, "front": None}

    def done(self):
        return self.res["front"] is not None or len(self.seen) >= self.cap

    def measure(self, g):
        """(error, latency) of genome g; failed cells get a dominated value."""
        g = tuple(g)
        if g not in self.seen:
            idx, err, lat = self.table[g]
            n = len(self.seen) + 1
            if lat is not None:
                self.archive = front_of(self.archive + [(err, lat, idx)])
                hv = hv2(self.archive, self.ref)
                for k in ("0.99", "0.999"):
                    if self.res[k] is None and hv >= float(k) * self.hv_true:
                        self.res[k] = n
                if idx in self.front_ids:
                    self.found.add(idx)
                    if len(self.found) == len(self.front_ids):
                        self.res["front"] = n
            self.seen[g] = (err, lat) if lat is not None else (100.0, 1e6)
        return self.seen[g]


def run_deap(tr, seed, a):
    from deap import algorithms, base, creator, tools
    if not hasattr(creator, "Individual"):
        creator.create("FitnessMin", base.Fitness, weights=(-1.0, -1.0))
        creator.create("Individual", list, fitness=creator.FitnessMin)
    random.seed(seed)
    tb = base.Toolbox()
    tb.register("attr", random.randint, 0, 4)
    tb.register("individual", tools.initRepeat, creator.Individual, tb.attr, 6)
    tb.register("population", tools.initRepeat, list, tb.individual)
    tb.register("mate", tools.cxUniform, indpb=0.5)
    tb.register("mutate", tools.mutUniformInt, low=0, up=4, indpb=a.indpb)
    tb.register("select", tools.selNSGA2, nd="log")
    pop = tb.population(n=a.pop)
    for ind in pop:
        ind.fitness.values = tr.measure(ind)
    pop = tb.select(pop, len(pop))
    stale = 0
    while not tr.done() and stale < 200:
        before = len(tr.seen)
        par = tools.selTournamentDCD(pop, len(pop)) if a.parents == "dcd" else random.sample(pop, len(pop))
        off = algorithms.varAnd(par, tb, cxpb=0.9, mutpb=1.0)
        for ind in off:
            if not ind.fitness.valid:
                ind.fitness.values = tr.measure(ind)
        pop = tb.select(pop + off, a.pop)
        stale = stale + 1 if len(tr.seen) == before else 0


def run_optuna(tr, seed, a):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if a.peer == "tpe":
        sampler = optuna.samplers.TPESampler(multivariate=True, seed=seed)
    else:
        sampler = optuna.samplers.NSGAIISampler(seed=seed)
    st = optuna.create_study(directions=["minimize", "minimize"], sampler=sampler)
    stale = 0
    while not tr.done() and stale < 2000:
        t = st.ask()
        g = tuple(t.suggest_int(c, 0, 4) for c in OPS)
        before = len(tr.seen)
        st.tell(t, list(tr.measure(g)))
        stale = stale + 1 if len(tr.seen) == before else 0


def run_random(tr, seed, a):
    rng = random.Random(seed)
    gs = sorted(tr.table)
    rng.shuffle(gs)
    for g in gs:
        if tr.done():
            break
        tr.measure(g)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--peer", choices=("deap", "tpe", "nsga2", "random"), default="deap")
    ap.add_argument("--table", default="hw_nas_bench/hwnasbench_nb201_cifar10.csv")
    ap.add_argument("--column", default="edgegpu_latency_ms")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--max-meas", type=int, default=15625)
    ap.add_argument("--pop", type=int, default=50)
    ap.add_argument("--indpb", type=float, default=1.0 / 6)
    ap.add_argument("--parents", choices=("random", "dcd"), default="random")
    ap.add_argument("--name", default=None, help="impl= label (default: the peer)")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args()
    table, ref = load(os.environ.get("HWNAS_DATA", "data"), a.table, a.column)
    fr = front_of([(e, l, i) for (i, e, l) in table.values() if l is not None])
    hv_true, front_ids = hv2(fr, ref), {p[2] for p in fr if p[0] < ref[0]}
    name = a.name or a.peer
    if not a.quiet:
        print("# %s: exact front %d archs (%d in the box), HV %.6f, reference (15, %.6f); peer %s"
              % (a.column, len(fr), len(front_ids), hv_true, ref[1], name))
    runner = {"deap": run_deap, "tpe": run_optuna, "nsga2": run_optuna, "random": run_random}[a.peer]
    cols = {"0.99": [], "0.999": [], "front": []}
    for s in range(a.first_seed, a.first_seed + a.seeds):
        tr = Tracker(table, ref, hv_true, front_ids, a.max_meas)
        runner(tr, s, a)
        for k in cols:
            cols[k].append(tr.res[k] if tr.res[k] is not None else math.inf)
        if not a.quiet:
            print("impl=%s seed=%d meas_0.99=%s meas_0.999=%s meas_front=%s"
                  % (name, s, *(tr.res[k] or -1 for k in ("0.99", "0.999", "front"))))
    med = {k: statistics.median(v) for k, v in cols.items()}
    print("impl=%s seeds=%d median_0.99=%.1f median_0.999=%.1f median_front=%.1f"
          % (name, a.seeds, *(m if m != math.inf else -1 for m in (med["0.99"], med["0.999"], med["front"]))))


if __name__ == "__main__":
    main()
