#!/usr/bin/env bash
# Issue 17 item 3: the engine at 2..64 ranks, oversubscribed on this machine,
# board-bound: table ground truth with evaluator.measure_delay_s per
# measurement on one board per island (measure_delay_boards = P - 1), so a
# round of P - 1 proposals takes DELAY seconds of "board" time like a real
# one. Predictor mode, lock-step rounds, one proposal per island per
# generation, GENS generations after the initial design.
#
#   tests/bench/run_engine_scale.sh                 # build dir $HWNAS_BUILD (default build/)
#   RANKS="2 4 8" GENS=4 DELAY=0.5 REPS=1 tests/bench/run_engine_scale.sh
#
# Prints one row per rank count (median of REPS runs): measurements/s, wall
# time, per role the share of wall time in compute / measurement /
# communication / idle (every MPI call timed, waits included), rank 0's
# messages and its seconds per send and per receive (the per-message costs
# docs/engine.md models 1,000 ranks from), and rank 0's busy share outside
# measurements (compute + communication): near 100 % it is the bottleneck.
# A second table splits rank 0's communication and peer waits by message
# kind and gives the start-up ping-pong (the pure transfer cost).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${HWNAS_BUILD:-$ROOT/build}
HW=$BUILD/hwnas
export HWNAS_DATA=${HWNAS_DATA:-$ROOT/data}
export OPENBLAS_NUM_THREADS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
RANKS=${RANKS:-"2 4 8 16 32 64"}
GENS=${GENS:-6}
DELAY=${DELAY:-0.5}
REPS=${REPS:-1}
PY=${PYTHON:-python3}
[ -x "$HW" ] || { echo "run_engine_scale.sh: $HW not found (set HWNAS_BUILD)" >&2; exit 2; }
T=$(mktemp -d /tmp/hwnas-bench-scale-XXXXXX)
trap '[ -n "${KEEP:-}" ] && echo "kept $T" || rm -rf "$T"' EXIT
D=$HWNAS_DATA
echo "# hwnas engine scale benchmark  $(date -u +%FT%TZ)"
echo "# machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; delay ${DELAY} s per measurement, one board per island, $GENS generations"
for P in $RANKS; do
    B=$((P > 1 ? P - 1 : 1))
    cat > "$T/c$P.yaml" <<YAML
objectives:
  - {name: accuracy, direction: maximize, source: test_acc_200ep_cifar10}
  - {name: latency_ms, direction: minimize, source: edgegpu_latency_ms}
algorithm: {population: 16, generations: $GENS, seed: 1}
evaluator:
  kind: predictor
  measure_cost_s: $DELAY
  measure_delay_s: $DELAY
  measure_delay_boards: $B
  tables: [$D/hw_nas_bench/hwnasbench_nb201_cifar10.csv, $D/nb201_accuracy/nb201_accuracy.csv]
predictor: {initial: 10, per_generation: 1, trees: 20, method: rf, enumerate: 0}
islands: {migration_interval: 2, migrants: 2, topology: ${TOPOLOGY:-ring}}
hypervolume: {reference: [85, 12.861970]}
YAML
    for r in $(seq 1 "$REPS"); do
        load=$(cut -d' ' -f1 /proc/loadavg)
        mpirun --oversubscribe -n "$P" "$HW" search "$T/c$P.yaml" --quiet --summary "$T/s$P-$r.json" \
            --out-dir "$T/o$P-$r" > "$T/s$P-$r.out" 2> "$T/s$P-$r.err" || { echo "P=$P failed:" >&2; tail -3 "$T/s$P-$r.err" >&2; }
        echo "$load" > "$T/s$P-$r.load"
    done
done
$PY - "$T" "$REPS" "$RANKS" <<'PY'
import json, os, statistics, sys
T, R, ranks = sys.argv[1], int(sys.argv[2]), [int(x) for x in sys.argv[3].split()]
print("\n| ranks | islands | meas. | wall s | meas./s | dispatcher comp/meas/comm/idle % | islands comp/meas/comm/idle % | rank 0 msgs sent/recv | rank 0 KB per send | rank 0 s per send / per recv | rank 0 busy % | load |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
med = {}
def sh(r): return f"{100*r['compute']:.1f} / {100*r['measurement']:.1f} / {100*r['communication']:.2f} / {100*r['idle']:.1f}"
for P in ranks:
    runs = []
    for r in range(1, R + 1):
        f = f"{T}/s{P}-{r}.json"
        if os.path.exists(f): runs.append((json.load(open(f)), open(f"{T}/s{P}-{r}.load").read().strip()))
    if not runs: print(f"| {P} | failed |"); continue
    runs.sort(key=lambda x: x[0]["wall_s"]); j, load = runs[len(runs) // 2]
    e = j["engine"]; d = e["roles"]["dispatcher"]; isl = e["roles"].get("islands")
    ps = d["send_s"] / d["msgs_sent"] if d["msgs_sent"] else float("nan")
    pr = d["recv_s"] / d["msgs_recv"] if d["msgs_recv"] else float("nan")
    busy = 100 * (d["compute"] + d["communication"])  # rank 0 busy outside measurements
    print(f"| {P} | {e['islands']} | {j['measurements']} | {j['wall_s']:.1f} | {j['measurements'] / j['wall_s']:.2f} | {sh(d)} | "
          f"{sh(isl) if isl else '-'} | {d['msgs_sent']}/{d['msgs_recv']} | {d['bytes_sent'] / max(d['msgs_sent'], 1) / 1e3:.1f} | {1e3*ps:.3f} ms / {1e3*pr:.3f} ms | {busy:.1f} | {load} |")
    med[P] = (j, load)
print("\nRank 0's communication and peer waits by message kind (same runs): messages, KB, communication ms / wait ms "
      "(wait: blocked before the peer had sent); ping-pong ranks 0-1 at start: one-way 8 B / 64 KiB")
kinds = ["propose", "update", "migrants", "checkpoint", "finetune", "other"]
print("| ranks | " + " | ".join(kinds) + " | ping-pong 8 B / 64 KiB |")
print("|---|" + "---|" * (len(kinds) + 1))
for P, (j, load) in med.items():
    d = j["engine"]["roles"]["dispatcher"]; bk = d.get("by_kind", {}); pp = j["engine"].get("pingpong", {})
    cells = []
    for k in kinds:
        c = bk.get(k, {"msgs": 0, "bytes": 0, "comm_s": 0, "wait_s": 0})
        cells.append(f"{c['msgs']}, {c['bytes'] / 1e3:.0f}, {1e3 * c['comm_s']:.1f} / {1e3 * c['wait_s']:.0f}" if c["msgs"] or c["comm_s"] else "-")
    print(f"| {P} | " + " | ".join(cells) + f" | {1e6 * pp.get('small_s', 0):.1f} us / {1e6 * pp.get('b64k_s', 0):.1f} us |")
PY
