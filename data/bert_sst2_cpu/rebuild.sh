#!/usr/bin/env bash
# rebuild.sh: builds the measured BERT table data/bert_sst2_cpu/ with hwnas
# itself, on this machine as the device.
#   1. trains the supernet of data/configs/supernet-sst2-tiny.yaml (or uses
#      SUPERNET=FILE.h5);
#   2. lists every architecture of the table's space: the supernet's with
#      1..3 layers (252 archs: hidden {32,64,128} x per-layer heads {2,4} and
#      FFN {64,256}; the 768 4-layer archs would take hours on the shared
#      2-core machine);
#   3. latency: `hwnas measure` with one builtin board agent
#      (data/configs/board-builtin-cpu.yaml: batch 1, seq_len 64, 3 warm-up +
#      10 timed forward passes, 1 OpenBLAS thread) on 127.0.0.1, every arch
#      in PASSES (4) passes (the first before fine-tuning, the others after);
#      latency_ms is the median of the passes' medians (one pass alone is at
#      the mercy of the load);
#   4. repeat noise: 101 archs (lines 1 and 3 mod 5) measured 5 more times in a row;
#   5. accuracy: `hwnas finetune --archs` proxy fine-tuning (K steps from the
#      supernet, SST-2 dev accuracy; the same job a search runs);
#   6. joins everything into bert_sst2_cpu.csv and repeat_noise.csv.
# Every step resumes from its output (rerun after an interruption).
#   data/bert_sst2_cpu/rebuild.sh [WORKDIR]     (build dir: $HWNAS_BUILD or build/)
#   K=20 LR=1e-4 JOBS=2 data/bert_sst2_cpu/rebuild.sh   (JOBS fine-tuning processes)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
BUILD=${HWNAS_BUILD:-$SRC/build}
HW=$BUILD/hwnas
W=${1:-$BUILD/bert_sst2_cpu}
K=${K:-20}
JOBS=${JOBS:-1}
PASSES=${PASSES:-4}
LR=${LR:-1e-4}
PORT=${PORT:-$(( 20000 + (RANDOM % 20000) ))}
export OPENBLAS_NUM_THREADS=1
mkdir -p "$W"
cd "$W"
SUPERNET=${SUPERNET:-$W/supernet-sst2-tiny.h5}
echo "== $(date -u +%FT%TZ) load: $(uptime | sed 's/.*load average: //')"
[ -f "$SUPERNET" ] || nice "$HW" supernet train "$SRC/data/configs/supernet-sst2-tiny.yaml" --out "$SUPERNET" --quiet

# every architecture of the space (canonical strings)
python3 - > archs.txt <<'PY'
import itertools
for L in (1, 2, 3):
    for H in (32, 64, 128):
        for A in itertools.product((2, 4), repeat=L):
            for F in itertools.product((64, 256), repeat=L):
                print(f"L{L}:H{H}:A{'.'.join(map(str, A))}:F{'.'.join(map(str, F))}")
PY
awk 'NR % 5 == 1 || NR % 5 == 3' archs.txt > repeat_archs.txt   # 101 archs
echo "== $(wc -l < archs.txt) architectures"

# latency on one builtin board (the board is the only job running)
[ -f disp.key ] || "$HW" keygen --out disp > /dev/null
[ -f board.key ] || "$HW" keygen --out board > /dev/null
cp board.pub allow.txt
"$HW" board --config "$SRC/data/configs/board-builtin-cpu.yaml" --id cpu-table-01 \
    --dispatcher "tcp://127.0.0.1:$PORT" --key board.key --dispatcher-key disp.pub --quiet 2> board.log &
BOARD=$!
trap 'kill $BOARD 2>/dev/null; wait $BOARD 2>/dev/null' EXIT
M=("$HW" measure --dispatcher "tcp://127.0.0.1:$PORT" --device cpu-bert --key disp.key --allow allow.txt --quiet)
"${M[@]}" --archs archs.txt --out latency.csv 2> measure.log
echo "== latency done $(date -u +%T) load: $(uptime | sed 's/.*load average: //')"
"${M[@]}" --archs repeat_archs.txt --repeats 5 --out repeat.csv 2> repeat.log
echo "== repeats done $(date -u +%T) load: $(uptime | sed 's/.*load average: //')"

# proxy fine-tuning, the search's accuracy ground truth: the archs not yet
# in any finetune*.csv, dealt round-robin to JOBS processes (deterministic:
# a candidate's result does not depend on the process)
python3 - "$JOBS" <<'PY'
import csv, glob, sys
n = int(sys.argv[1])
done = {r["arch"] for f in glob.glob("finetune*.csv") for r in csv.DictReader(open(f))}
todo = [a.strip() for a in open("archs.txt") if a.strip() and a.strip() not in done]
for i in range(n):
    open(f"todo.{i}.txt", "w").write("".join(a + "\n" for a in todo[i::n]))
PY
FT=()
for i in $(seq 0 $((JOBS - 1))); do
    nice "$HW" finetune --supernet "$SUPERNET" --archs todo.$i.txt --csv finetune.$i.csv --steps "$K" --lr "$LR" 2> finetune.$i.log &
    FT+=($!)
done
for p in "${FT[@]}"; do wait "$p"; done
echo "== fine-tuning done $(date -u +%T) load: $(uptime | sed 's/.*load average: //')"
for pass in $(seq 2 "$PASSES"); do
    "${M[@]}" --archs archs.txt --out latency.$pass.csv 2> measure.$pass.log
    echo "== latency pass $pass done $(date -u +%T) load: $(uptime | sed 's/.*load average: //')"
done
kill $BOARD; wait $BOARD 2>/dev/null || true
trap - EXIT

python3 - "$HERE" <<'PY'
import csv, glob, statistics, sys, os
out = sys.argv[1]
lat = {r["arch"]: r for r in csv.DictReader(open("latency.csv")) if r["status"] == "ok"}
passes = {}  # arch -> [(median, board seconds)] over every pass
for f in ["latency.csv"] + sorted(glob.glob("latency.[0-9]*.csv")):
    for r in csv.DictReader(open(f)):
        if r["status"] == "ok":
            passes.setdefault(r["arch"], []).append((float(r["median_ms"]), float(r["t_end"]) - float(r["t_start"])))
ft = {r["arch"]: r for f in sorted(glob.glob("finetune*.csv")) for r in csv.DictReader(open(f))}
archs = [a.strip() for a in open("archs.txt") if a.strip()]
def params(a):
    L, H, A, F = a.split(":")
    H = int(H[1:]); F = [int(f) for f in F[1:].split(".")]
    return sum(4 * H * H + 4 * H + 2 * H * f + f + H + 4 * H for f in F)
rows = []
for a in archs:
    l, f = lat[a], ft[a]
    L, H = a.split(":")[:2]
    p = passes[a]
    med = statistics.median(m for m, _ in p)
    rows.append([a, L[1:], H[1:], f"{params(a) / 1e6:.6f}", f"{100 * float(f['accuracy']):.2f}", f"{100 * float(f['f1']):.2f}",
                 f"{float(f['seconds']):.3f}", f"{med:.6g}", " ".join(f"{m:.6g}" for m, _ in p),
                 f"{statistics.mean(s for _, s in p):.4f}"])
tmp = os.path.join(out, "bert_sst2_cpu.csv.tmp")
with open(tmp, "w", newline="") as fh:
    w = csv.writer(fh)
    w.writerow(["arch", "layers", "hidden", "encoder_params_M", "accuracy", "f1", "finetune_s",
                "latency_ms", "latency_passes_ms", "board_s"])
    w.writerows(rows)
    fh.flush(); os.fsync(fh.fileno())
os.rename(tmp, os.path.join(out, "bert_sst2_cpu.csv"))
# repeat noise: 5 more medians per arch, CV over the 6 (table + repeats)
rep = {}
for r in csv.DictReader(open("repeat.csv")):
    if r["status"] == "ok": rep.setdefault(r["arch"], []).append(float(r["median_ms"]))
cvs = []
with open(os.path.join(out, "repeat_noise.csv"), "w", newline="") as fh:
    w = csv.writer(fh)
    w.writerow(["arch", "table_ms", "repeat_ms", "cv"])
    for a, v in rep.items():
        allv = [float(lat[a]["median_ms"])] + v
        cv = statistics.stdev(allv) / statistics.mean(allv)
        cvs.append(cv)
        w.writerow([a, lat[a]["median_ms"], " ".join(f"{x:.4f}" for x in v), f"{cv:.4f}"])
cvs.sort()
print(f"rows {len(rows)}; repeat CV over {len(cvs)} archs: median {statistics.median(cvs):.3f}, "
      f"p90 {cvs[int(0.9 * len(cvs))]:.3f}, max {cvs[-1]:.3f}")
PY
