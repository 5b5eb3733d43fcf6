#!/bin/bash
# run_bert.sh: speed of the C BERT (bench_bert) beside PyTorch (Debian's
# python3-torch, tests/bench/bert_torch.py) on the same model and work with
# the same threads, plus OpenBLAS's sgemm peak, in ONE run. Prints a table.
#
#   tests/bench/run_bert.sh            (build dir: $HWNAS_BUILD or build/)
#   ROUNDS=5 THREADS=1 tests/bench/run_bert.sh
#
# Model: L4:H256:A8:F1024 (the largest shape of supernet-sst2-narrow.yaml), vocab 30522.
# Training: B=32 x T=64 rows, forward + backward + clip + AdamW.
# Latency: batch 1, T=64 and T=24 (a typical SST-2 dev sentence).
# Each figure is the median over ROUNDS rounds (C and PyTorch interleaved)
# of per-run medians. Both wall and process-CPU time are measured; on a
# shared machine CPU time is the robust one and ratios use it (with one
# thread, CPU time == wall time on an idle machine).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
BUILD=${HWNAS_BUILD:-$SRC/build}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-1}
PY=/usr/bin/python3
export OPENBLAS_NUM_THREADS=$THREADS OMP_NUM_THREADS=$THREADS OMP_WAIT_POLICY=PASSIVE MKL_NUM_THREADS=$THREADS
if [ ! -x "$BUILD/bench_bert" ]; then
    cmake -S "$SRC" -B "$BUILD" > /dev/null && cmake --build "$BUILD" --target bench_bert -j2 > /dev/null
fi
$PY -c "import torch" || { echo "run_bert.sh: python3-torch is missing (apt-get install python3-torch)" >&2; exit 1; }
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
for r in $(seq "$ROUNDS"); do
    echo "round $r/$ROUNDS ..." >&2
    "$BUILD/bench_bert" sgemm 1024 7 | sed 's/^/C /' >> "$OUT"
    "$BUILD/bench_bert" train 32 64 5 | sed 's/^/C /' >> "$OUT"
    $PY "$HERE/bert_torch.py" train 32 64 5 | sed 's/^/P /' >> "$OUT"
    for T in 64 24; do
        "$BUILD/bench_bert" fwd1 $T 31 | sed 's/^/C /' >> "$OUT"
        $PY "$HERE/bert_torch.py" fwd1 $T 31 | sed 's/^/P /' >> "$OUT"
    done
done
$PY - "$OUT" "$THREADS" <<'PY'
import statistics as st, sys, subprocess
rows = [l.split() for l in open(sys.argv[1])]
def get(who, kind, key, T=None):
    vals = []
    for r in rows:
        if r[0] != who or r[1] != kind:
            continue
        kv = dict(zip(r[2::2], r[3::2]))
        if T is not None and kv.get("T") != str(T):
            continue
        vals.append(float(kv[key]))
    return st.median(vals)
model = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
name = [l.split(":", 1)[1].strip() for l in model.splitlines() if l.startswith("Model name")][0]
load = open("/proc/loadavg").read().split()[0]
peak_c, peak_w = get("C", "sgemm", "gflops_cpu"), get("C", "sgemm", "gflops")
ct, pt = get("C", "train", "tokens_per_cpu_s"), get("P", "train", "tokens_per_cpu_s")
cw, pw = get("C", "train", "tokens_per_s"), get("P", "train", "tokens_per_s")
gf = get("C", "train", "gflops_cpu")
print(f"machine: {name}, threads {sys.argv[2]}, load average at end {load}")
print(f"| metric | C (hwnas) | PyTorch | C / PyTorch | goal |")
print(f"|---|---:|---:|---:|---|")
print(f"| training tokens/s (CPU time), B=32 T=64 | {ct:.0f} | {pt:.0f} | {ct/pt:.2f}x | >= 1.5x |")
print(f"| training tokens/s (wall time) | {cw:.0f} | {pw:.0f} | {cw/pw:.2f}x | (load-dependent) |")
bound = []
for T in (64, 24):
    c, p = get("C", "fwd1", "cpu_ms", T), get("P", "fwd1", "cpu_ms", T)
    cwl, pwl = get("C", "fwd1", "ms", T), get("P", "fwd1", "ms", T)
    print(f"| batch-1 forward latency T={T}, ms (CPU time) | {c:.2f} | {p:.2f} | {p/c:.2f}x faster | >= 2x faster |")
    print(f"| batch-1 forward latency T={T}, ms (wall) | {cwl:.2f} | {pwl:.2f} | {pwl/cwl:.2f}x faster | |")
    ideal = get("C", "fwd1", "flops", T) / (peak_c * 1e9) * 1e3  # its matmuls at the sgemm peak
    bound.append((T, ideal, c, p))
print(f"| OpenBLAS sgemm 1024^3 GFLOP/s (CPU time / wall) | {peak_c:.1f} / {peak_w:.1f} | | | |")
print(f"| training GFLOP/s (CPU time, matmul FLOPs x3) | {gf:.1f} | | {100*gf/peak_c:.0f}% of sgemm peak | |")
for T, ideal, c, p in bound:
    print(f"| batch-1 forward T={T}: its matmuls at sgemm peak, ms | {ideal:.2f} | | C at {100*ideal/c:.0f}% of peak; "
          f"2x PyTorch needs {100*ideal/(p/2):.0f}% | |")
PY
