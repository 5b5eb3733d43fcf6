#!/usr/bin/python3
"""DEAP's NSGA-II on ZDT1 (30 variables), the peer of bench_zdt1.

Set up as in DEAP's own examples/ga/nsga2.py: real-valued individuals in
[0, 1]^30, selTournamentDCD, cxSimulatedBinaryBounded (eta 20) with
probability 0.9 per pair, mutPolynomialBounded (eta 20, indpb 1/30), and
selNSGA2 with nd='log' (which assigns crowding via tools.emo.assignCrowdingDist)
for the (mu + lambda) selection. Run with Debian's /usr/bin/python3 (python3-deap).

Per generation the time is split like bench_zdt1's: machinery = tournament,
cloning, variation and selNSGA2; eval = ZDT1 (benchmarks.zdt1). Times are
process CPU seconds (time.process_time) and wall seconds; prints one line of
key=value pairs with the medians over the timed generations and the peak RSS.

usage: deap_zdt1.py --pop N [--gens G] [--warmup W] [--seed S]
"""
import argparse
import array
import random
import resource
import statistics
import time

from deap import base, benchmarks, creator, tools

NDIM = 30
LOW, UP = 0.0, 1.0
CXPB = 0.9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pop", type=int, required=True)
    ap.add_argument("--gens", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if a.pop % 4:
        ap.error("--pop must be a multiple of 4 (selTournamentDCD)")
    random.seed(a.seed)

    creator.create("FitnessMin", base.Fitness, weights=(-1.0, -1.0))
    creator.create("Individual", array.array, typecode="d", fitness=creator.FitnessMin)
    tb = base.Toolbox()
    tb.register("attr_float", lambda: [random.uniform(LOW, UP) for _ in range(NDIM)])
    tb.register("individual", tools.initIterate, creator.Individual, tb.attr_float)
    tb.register("population", tools.initRepeat, list, tb.individual)
    tb.register("evaluate", benchmarks.zdt1)
    tb.register("mate", tools.cxSimulatedBinaryBounded, low=LOW, up=UP, eta=20.0)
    tb.register("mutate", tools.mutPolynomialBounded, low=LOW, up=UP, eta=20.0, indpb=1.0 / NDIM)
    tb.register("select", tools.selNSGA2, nd="log")

    pop = tb.population(n=a.pop)
    for ind, fit in zip(pop, map(tb.evaluate, pop)):
        ind.fitness.values = fit
    pop = tb.select(pop, len(pop))  # assigns crowding distances

    mach, mach_wall, ev = [], [], []
    for g in range(a.warmup + a.gens):
        c0, w0 = time.process_time(), time.perf_counter()
        off = tools.selTournamentDCD(pop, len(pop))
        off = [tb.clone(ind) for ind in off]
        for i1, i2 in zip(off[::2], off[1::2]):
            if random.random() <= CXPB:
                tb.mate(i1, i2)
            tb.mutate(i1)
            tb.mutate(i2)
            del i1.fitness.values, i2.fitness.values
        c1, w1 = time.process_time(), time.perf_counter()
        inv = [ind for ind in off if not ind.fitness.valid]
        for ind, fit in zip(inv, map(tb.evaluate, inv)):
            ind.fitness.values = fit
        c2, w2 = time.process_time(), time.perf_counter()
        pop = tb.select(pop + off, a.pop)
        c3, w3 = time.process_time(), time.perf_counter()
        if g >= a.warmup:
            mach.append((c1 - c0) + (c3 - c2))
            mach_wall.append((w1 - w0) + (w3 - w2))
            ev.append(c2 - c1)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print("impl=deap pop=%d gens=%d machinery_s=%.6f machinery_cpu_s=%.6f eval_s=%.6f rss_mb=%.1f"
          % (a.pop, a.gens, statistics.median(mach_wall), statistics.median(mach), statistics.median(ev), rss_mb))


if __name__ == "__main__":
    main()
