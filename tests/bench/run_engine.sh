#!/usr/bin/env bash
# Issue 5 figures: predictor-driven search (evaluator.kind: predictor) vs the
# measure-everything NSGA-II (evaluator.kind: table), same seeds, same run.
#
#   tests/bench/run_engine.sh            # build dir $HWNAS_BUILD (default build/)
#   SEEDS=3 SCALING=0 BOARDS=0 tests/bench/run_engine.sh   # quicker
#   SCALING_ONLY=1 SCALE_REPS=3 tests/bench/run_engine.sh  # table 4 only (medians of 3)
#
# Prints four tables:
#  1. NB201 x TX2, 2 objectives: measurements to HV ratio 0.99 / 0.999 and to
#     the whole 25-point front (median over SEEDS seeds), the engine's
#     end-of-run speedup (distinct candidates evaluated x mean measurement
#     cost / (measurement + own compute seconds)); plus one run with replay boards.
#  2. 3 objectives (accuracy, latency, energy), same columns.
#  3. latency <= 5 ms: best feasible accuracy vs measurements.
#  4. scaling at 1..4 ranks (mpirun --oversubscribe): generations per second
#     per island, per role the share of wall time in compute / measurement /
#     communication (every MPI call, waits included) / idle.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${HWNAS_BUILD:-$ROOT/build}
HW=$BUILD/hwnas
export HWNAS_DATA=${HWNAS_DATA:-$ROOT/data}
export OPENBLAS_NUM_THREADS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
SEEDS=${SEEDS:-10}
SEEDS3=${SEEDS3:-$SEEDS}       # 3-objective seeds
BUDGET=${BUDGET:-100}
SCALING=${SCALING:-1}
BOARDS=${BOARDS:-1}
PY=${PYTHON:-python3}
[ -x "$HW" ] || { echo "run_engine.sh: $HW not found (set HWNAS_BUILD)" >&2; exit 2; }
T=$(mktemp -d /tmp/hwnas-bench-engine-XXXXXX)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
    wait 2>/dev/null
    [ -n "${KEEP:-}" ] && echo "kept $T" || rm -rf "$T"
}
trap cleanup EXIT
C=$HWNAS_DATA/configs

# cfg SRC DST [sed expressions...]: copy of a shipped config with absolute
# table paths and edits.
cfg() {
    local src=$1 dst=$2
    shift 2
    sed "s#\.\./#$HWNAS_DATA/#g" "$src" > "$dst"
    for e in "$@"; do sed -i "$e" "$dst"; done
}

# run NAME CONFIG SEED [extra args]: one search; summary NAME.json, stdout NAME.out
run() {
    local name=$1 conf=$2 seed=$3
    shift 3
    "$HW" search "$conf" --seed "$seed" --quiet --summary "$T/$name.json" --out-dir "$T/out-$name" "$@" \
        > "$T/$name.out" 2> "$T/$name.err" || { echo "run $name failed:" >&2; tail -5 "$T/$name.err" >&2; }
    cp "$T/out-$name/front.csv" "$T/$name.front.csv" 2>/dev/null
}

echo "# hwnas issue 5 engine benchmark  $(date -u +%FT%TZ)"
echo "# machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# seeds 1..$SEEDS, predictor budget $BUDGET measurements, measure_cost_s 13 (TX2)"

if [ "${SCALING_ONLY:-0}" != 1 ]; then
# ---- 1 and 2: 2 and 3 objectives -------------------------------------------------
cfg "$C/nb201-tx2-predictor.yaml" "$T/p2.yaml" "s/max_measurements: .*/max_measurements: $BUDGET/"
cfg "$C/nb201-tx2.yaml" "$T/t2.yaml"
cfg "$C/nb201-tx2-3obj-predictor.yaml" "$T/p3.yaml" "s/max_measurements: .*/max_measurements: $BUDGET/"
cfg "$C/nb201-tx2-3obj.yaml" "$T/t3.yaml"
for s in $(seq 1 "$SEEDS"); do
    run p2-$s "$T/p2.yaml" "$s"
    run t2-$s "$T/t2.yaml" "$s" --generations 5000
done
for s in $(seq 1 "$SEEDS3"); do
    run p3-$s "$T/p3.yaml" "$s"
    run t3-$s "$T/t3.yaml" "$s" --generations 5000
done

if [ "$BOARDS" = 1 ]; then
    # replay boards: two agents replaying the TX2 table over ZeroMQ + CURVE on
    # loopback; the latency of every proposal is measured by a board
    ( cd "$T" && "$HW" keygen --out disp > /dev/null && for b in b1 b2; do
        "$HW" keygen --out $b > /dev/null && cat $b.pub >> allow.txt; done )
    PORT=$((20000 + (RANDOM % 20000)))
    cfg "$C/board-replay-tx2.yaml" "$T/board.yaml" 's/delay_ms: 200/delay_ms: 5/'
    for b in b1 b2; do
        "$HW" board --config "$T/board.yaml" --id $b --device tx2 --dispatcher "tcp://127.0.0.1:$PORT" \
            --key "$T/$b.key" --dispatcher-key "$T/disp.pub" --quiet 2> "$T/$b.log" &
        PIDS+=($!)
    done
    cp "$T/p2.yaml" "$T/pb.yaml"
    printf "boards: {bind: 'tcp://127.0.0.1:%s', key: %s/disp.key, allow: %s/allow.txt, wait_s: 60}\n" \
        "$PORT" "$T" "$T" >> "$T/pb.yaml"
    run pb-1 "$T/pb.yaml" 1
fi

$PY - "$T" "$SEEDS" "$BUDGET" "$BOARDS" "$SEEDS3" <<'PY'
import json, re, statistics, sys, os
T, S2, B, boards, S3 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1", int(sys.argv[5])
def load(n):
    p = f"{T}/{n}.json"
    return json.load(open(p)) if os.path.exists(p) else None
def first(j, thr):
    for h in j["history"]:
        if h["hv_ratio"] is not None and h["hv_ratio"] >= thr - 1e-12: return h["measurements"]
    return None
def whole(j):
    return j["measurements"] if j["true_front_found"] == j["true_front_size"] else None
def speed(n):
    j = load(n)
    return (None, j["engine"]["speedup"]) if j and j["engine"]["speedup"] is not None else (None, None)
def med(v, cap):
    # unreached runs count as "more than cap": the median is reported as ">cap" if it falls there
    x = sorted(float("inf") if a is None else a for a in v)
    m = statistics.median(x)
    return f">{cap}" if m == float("inf") else f"{m:g}"
def table(k, title):
    S = S2 if k == 2 else S3
    print(f"\n## {title} (median over {S} seeds)")
    print("| search | meas. to HV 0.99 | meas. to HV 0.999 | meas. to whole front | HV ratio at end | front found |")
    print("|---|---|---|---|---|---|")
    P = [load(f"p{k}-{s}") for s in range(1, S + 1)]
    Q = [load(f"t{k}-{s}") for s in range(1, S + 1)]
    P = [p for p in P if p]; Q = [q for q in Q if q]
    nf = P[0]["true_front_size"] if P else 0
    print(f"| hwnas predictor (budget {B}) | {med([first(p,.99) for p in P],B)} | {med([first(p,.999) for p in P],B)} | "
          f"{med([whole(p) for p in P],B)} | {statistics.median(p['hv_ratio'] for p in P):.4f} | "
          f"{statistics.median(p['true_front_found'] for p in P):g}/{nf} |")
    print(f"| hwnas measure-everything NSGA-II | {med([first(q,.99) for q in Q],'cap')} | {med([first(q,.999) for q in Q],'cap')} | "
          f"{med([whole(q) for q in Q],'cap')} | {statistics.median(q['hv_ratio'] for q in Q):.4f} | "
          f"{statistics.median(q['true_front_found'] for q in Q):g}/{nf} |")
    r99 = [ (first(q,.99) / first(p,.99)) for p, q in zip(P, Q) if first(p,.99) and first(q,.99)]
    r999 = [ (first(q,.999) / first(p,.999)) for p, q in zip(P, Q) if first(p,.999) and first(q,.999)]
    sp = [speed(f"p{k}-{s}") for s in range(1, S + 1)]
    spv = [b for a, b in sp if b is not None]
    print(f"\nfewer measurements than measure-everything: HV 0.99 x{statistics.median(r99):.1f} ({len(r99)}/{S} seeds reached)" if r99 else "\nHV 0.99 not reached by the predictor runs")
    print(f"fewer measurements than measure-everything: HV 0.999 x{statistics.median(r999):.1f} ({len(r999)}/{S} seeds reached)" if r999 else "HV 0.999 not reached within the budget")
    if spv:
        print(f"engine end-of-run speedup (distinct candidates evaluated x mean measurement cost / (measurement + own compute seconds)): "
              f"median {statistics.median(spv):.1f}x, range {min(spv):.1f}-{max(spv):.1f}x")
    return P
P2 = table(2, "NB201 x TX2, 2 objectives (accuracy, latency); reference (85, 12.861970)")
if boards:
    b = load("pb-1"); p = load("p2-1")
    if b and p:
        same = [h["measurements"] for h in b["history"]] == [h["measurements"] for h in p["history"]] and b["hv"] == p["hv"]
        print(f"\nreplay boards (2 agents on loopback, seed 1): {b['measurements']} measurements, HV ratio {b['hv_ratio']:.6f}, "
              f"front {b['true_front_found']}/{b['true_front_size']}; in-process run: {p['measurements']} measurements, "
              f"HV ratio {p['hv_ratio']:.6f} -> {'identical history and HV' if same else 'DIFFERENT'}")
    else:
        print("\nreplay boards: run failed (see the kept directory with KEEP=1)")
table(3, "NB201 x TX2, 3 objectives (accuracy, latency, energy); reference (85, 12.861970, 60)")
PY

# ---- 3: latency <= 5 ms: best feasible accuracy vs measurements ---------------
cfg "$C/nb201-tx2-lat5-predictor.yaml" "$T/pl.yaml"
cfg "$C/nb201-tx2-lat5.yaml" "$T/tl.yaml"
LS=${LAT_SEEDS:-$SEEDS}
for s in $(seq 1 "$LS"); do
    for b in 20 50 100; do
        sed "s/max_measurements: .*/max_measurements: $b/" "$T/pl.yaml" > "$T/pl$b.yaml"
        run pl$b-$s "$T/pl$b.yaml" "$s"
    done
    for g in 0 1 3 7 15; do run tl$g-$s "$T/tl.yaml" "$s" --generations $g; done
done
$PY - "$T" "$LS" <<'PY'
import csv, json, statistics, sys
T, S = sys.argv[1], int(sys.argv[2])
def best(n):
    try: rows = list(csv.DictReader(open(f"{T}/{n}.front.csv")))
    except OSError: return None, None
    j = json.load(open(f"{T}/{n}.json"))
    return (max(float(r["accuracy"]) for r in rows) if rows else float("nan")), j["measurements"]
print(f"\n## NB201 x TX2, latency <= 5 ms: best feasible accuracy found (median over {S} seeds; best in the table: 94.045 %)")
print("| search | measurements | best feasible test accuracy (%) |")
print("|---|---|---|")
for b in (20, 50, 100):
    v = [best(f"pl{b}-{s}") for s in range(1, S + 1)]
    v = [a for a in v if a[0] is not None]
    print(f"| hwnas predictor | {statistics.median(m for _, m in v):g} | {statistics.median(a for a, _ in v):.3f} |")
for g in (0, 1, 3, 7, 15):
    v = [best(f"tl{g}-{s}") for s in range(1, S + 1)]
    v = [a for a in v if a[0] is not None]
    print(f"| measure-everything NSGA-II ({g + 1} generations) | {statistics.median(m for _, m in v):g} | {statistics.median(a for a, _ in v):.3f} |")
PY

fi # SCALING_ONLY

# ---- 4: scaling ----------------------------------------------------------------
if [ "$SCALING" = 1 ]; then
    cfg "$C/nb201-tx2-predictor.yaml" "$T/ps.yaml" "s/max_measurements: .*/max_measurements: ${SCALE_BUDGET:-40}/" \
        "s/stop_hv_ratio: .*/stop_hv_ratio: 0/"
    for r in $(seq 1 "${SCALE_REPS:-1}"); do
        for P in 1 2 3 4; do
            mpirun --oversubscribe -n $P "$HW" search "$T/ps.yaml" --seed 1 --quiet --summary "$T/sc$P-$r.json" \
                --out-dir "$T/out-sc$P" > "$T/sc$P-$r.out" 2> "$T/sc$P-$r.err" || echo "mpirun -n $P failed" >&2
        done
    done
    $PY - "$T" "${SCALE_BUDGET:-40}" <<'PY'
import json, re, sys, os
T = sys.argv[1]
print(f"\n## Scaling on this machine (predictor mode, {sys.argv[2]} measurements, mpirun --oversubscribe, load {os.getloadavg()[0]:.1f})")
print("| ranks P | islands | generations | wall s | generations/s per island | dispatcher comp/meas/comm/idle % | islands comp/meas/comm/idle % | HV ratio |")
print("|---|---|---|---|---|---|---|---|")
def shares(r):
    return "-" if r is None else f"{100*r['compute']:.1f} / {100*r['measurement']:.1f} / {100*r['communication']:.2f} / {100*r['idle']:.1f}"
import glob, statistics
for P in (1, 2, 3, 4):
    runs = [json.load(open(f)) for f in sorted(glob.glob(f"{T}/sc{P}-*.json"))]
    if not runs: print(f"| {P} | failed |"); continue
    runs.sort(key=lambda j: j["engine"]["roles"][("islands" if P > 1 else "dispatcher")]["communication"])
    j = runs[len(runs) // 2]; e = j["engine"]; ro = e["roles"]  # the run with the median island communication share
    print(f"| {P} | {e['islands']} | {j['generations']} | {j['wall_s']:.1f} | {j['generations'] / j['wall_s']:.2f} | "
          f"{shares(ro.get('dispatcher'))} | {shares(ro.get('islands'))} | {j['hv_ratio']:.4f} |")
PY
fi
