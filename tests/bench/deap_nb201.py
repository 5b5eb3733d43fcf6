#!/usr/bin/python3
"""DEAP's NSGA-II on NB201 x Jetson TX2, the peer of bench_nb201_efficiency.

Same joined table (HW-NAS-Bench edgegpu latency, error = 100 - NB201
200-epoch CIFAR-10 test accuracy, both minimised, reference (15, 12.861970)).
A measure-everything NSGA-II built from DEAP's parts: population 50, genomes
of 6 ints in 0..4 (the op per edge), algorithms.varAnd on the shuffled
population (cxUniform, indpb 0.5, with probability 0.9 per pair, then
mutUniformInt, indpb 1/6, on every child), selNSGA2 (nd='log') for the
(mu + lambda) selection. (DEAP's nsga2 example picks parents with
selTournamentDCD, which requires a population that is a multiple of 4; with
--parents dcd and e.g. --pop 52 that variant runs instead.) Archs without TX2
data get a dominated penalty fitness (error 100, latency 1e6) and count as a
measurement, like in the hwnas bench. Every distinct arch DEAP evaluates is
one measurement; after each new one the HV ratio of all measured feasible
points is checked. Prints, per seed, the measurements to reach HV ratio 0.99,
0.999 and the whole exact front, and the medians.

usage: deap_nb201.py [--seeds N] [--first-seed S] [--max-gens G] [--pop N]
                     [--parents random|dcd]
Run with Debian's /usr/bin/python3 (python3-deap). HWNAS_DATA = data dir.
"""
import argparse
import csv
import os
import random
import statistics

from deap import algorithms, base, creator, tools

REF = (15.0, 12.861970)


def load(datadir):
    acc = {}
    with open(os.path.join(datadir, "nb201_accuracy", "nb201_accuracy.csv")) as f:
        for r in csv.DictReader(f):
            acc[int(r["arch_index"])] = float(r["test_acc_200ep_cifar10"])
    table = {}  # genome tuple (op_1_0, op_2_0, op_2_1, op_3_0, op_3_1, op_3_2) -> (index, err, lat or None)
    with open(os.path.join(datadir, "hw_nas_bench", "hwnasbench_nb201_cifar10.csv")) as f:
        for r in csv.DictReader(f):
            idx = int(r["arch_index"])
            g = tuple(int(r[c]) for c in ("op_1_0", "op_2_0", "op_2_1", "op_3_0", "op_3_1", "op_3_2"))
            lat = float(r["edgegpu_latency_ms"]) if r["edgegpu_latency_ms"] != "" else None
            table[g] = (idx, 100.0 - acc[idx], lat)
    return table


def front_of(points):
    """Non-dominated subset of (err, lat, idx) points (minimisation)."""
    pts = sorted(points)
    out, best = [], float("inf")
    for p in pts:
        if p[1] < best:
            out.append(p)
            best = p[1]
    return out


def hv2(front):
    v, cur = 0.0, REF[1]
    for e, l, _ in sorted(front):
        if e < REF[0] and l < cur:
            v += (REF[0] - e) * (cur - l)
            cur = l
    return v


def run(table, seed, pop_size, max_gens, hv_true, front_ids, parents):
    random.seed(seed)
    tb = base.Toolbox()
    tb.register("attr", random.randint, 0, 4)
    tb.register("individual", tools.initRepeat, creator.Individual, tb.attr, 6)
    tb.register("population", tools.initRepeat, list, tb.individual)
    tb.register("mate", tools.cxUniform, indpb=0.5)
    tb.register("mutate", tools.mutUniformInt, low=0, up=4, indpb=1.0 / 6)
    tb.register("select", tools.selNSGA2, nd="log")
    measured, archive, res = set(), [], {"0.99": None, "0.999": None, "front": None}
    found = set()

    def evaluate(ind):
        idx, err, lat = table[tuple(ind)]
        if idx not in measured:
            measured.add(idx)
            n = len(measured)
            if lat is not None:
                archive.append((err, lat, idx))
                archive[:] = front_of(archive)
                hv = hv2(archive)
                if res["0.99"] is None and hv >= 0.99 * hv_true:
                    res["0.99"] = n
                if res["0.999"] is None and hv >= 0.999 * hv_true:
                    res["0.999"] = n
                if idx in front_ids:
                    found.add(idx)
                    if res["front"] is None and len(found) == len(front_ids):
                        res["front"] = n
        return (err, lat) if lat is not None else (100.0, 1e6)

    pop = tb.population(n=pop_size)
    for ind in pop:
        ind.fitness.values = evaluate(ind)
    pop = tb.select(pop, len(pop))
    for _ in range(max_gens):
        if res["front"] is not None:
            break
        if parents == "dcd":
            par = tools.selTournamentDCD(pop, len(pop))
        else:
            par = random.sample(pop, len(pop))
        off = algorithms.varAnd(par, tb, cxpb=0.9, mutpb=1.0)
        for ind in off:
            if not ind.fitness.valid:
                ind.fitness.values = evaluate(ind)
        pop = tb.select(pop + off, pop_size)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--max-gens", type=int, default=2000)
    ap.add_argument("--pop", type=int, default=50)
    ap.add_argument("--parents", choices=("random", "dcd"), default="random")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args()
    table = load(os.environ.get("HWNAS_DATA", "data"))
    feas = [(e, l, i) for (i, e, l) in table.values() if l is not None]
    fr = front_of(feas)
    hv_true, front_ids = hv2(fr), {p[2] for p in fr}
    creator.create("FitnessMin", base.Fitness, weights=(-1.0, -1.0))
    creator.create("Individual", list, fitness=creator.FitnessMin)
    if not a.quiet:
        print("# exact front: %d archs, HV %.6f; DEAP NSGA-II pop %d, parents %s"
              % (len(fr), hv_true, a.pop, a.parents))
    cols = {"0.99": [], "0.999": [], "front": []}
    inf = float("inf")
    for s in range(a.first_seed, a.first_seed + a.seeds):
        r = run(table, s, a.pop, a.max_gens, hv_true, front_ids, a.parents)
        for k in cols:
            cols[k].append(r[k] if r[k] is not None else inf)
        if not a.quiet:
            print("impl=deap seed=%d meas_0.99=%s meas_0.999=%s meas_front=%s"
                  % (s, r["0.99"] or -1, r["0.999"] or -1, r["front"] or -1))
    med = {k: statistics.median(v) for k, v in cols.items()}
    print("impl=deap seeds=%d median_0.99=%.1f median_0.999=%.1f median_front=%.1f"
          % (a.seeds, *(m if m != inf else -1 for m in (med["0.99"], med["0.999"], med["front"]))))


if __name__ == "__main__":
    main()
