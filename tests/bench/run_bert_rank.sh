#!/usr/bin/env bash
# run_bert_rank.sh: does a supernet recipe rank sub-networks? (issue 19)
#   1. trains the supernet of CONFIG (default: the tiny one) and reports its
#      CPU time (/usr/bin/time user+sys: the 2-minute one-core budget; wall
#      time is distorted when other jobs share the cores);
#   2. draws N_TEST + N_POOL distinct random archs of the config's space
#      (layers uniform, then hidden, then per-layer heads / FFN; seed ARCH_SEED);
#   3. proxy: every arch fine-tuned K steps (seed 1: the job a search runs);
#   4. reference: the N_TEST archs fine-tuned LONG steps with seeds
#      FIRST_SEED..FIRST_SEED+LONG_SEEDS-1 (JOBS processes side by side;
#      FIRST_SEED=2 leaves out seed 1, which replays the batch order of a
#      supernet trained with seed 1);
#   5. bench_bert_pred --metric acc and --metric ce: the reference's
#      seed-to-seed agreement, proxy vs seed-mean reference, and the
#      accuracy predictors (rf / xgb / gp) trained on 10 / 25 / 50 proxy
#      results of the pool.
#   tests/bench/run_bert_rank.sh          (build dir: $HWNAS_BUILD or build/)
#   CONFIG=data/configs/supernet-sst2-tiny.yaml SUPERNET=sn.h5 N_TEST=30 N_POOL=60 LONG=100 LONG_SEEDS=3 \
#     tests/bench/run_bert_rank.sh
#   W=DIR keeps the work files (rerunning resumes the fine-tuning CSVs).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
BUILD=${HWNAS_BUILD:-$SRC/build}
HW=$BUILD/hwnas
CONFIG=${CONFIG:-$SRC/data/configs/supernet-sst2-tiny.yaml}
N_TEST=${N_TEST:-30}
N_POOL=${N_POOL:-60}
K=${K:-20}
LONG=${LONG:-100}
LONG_SEEDS=${LONG_SEEDS:-3}
FIRST_SEED=${FIRST_SEED:-1}
ARCH_SEED=${ARCH_SEED:-7}
JOBS=${JOBS:-2}
W=${W:-$(mktemp -d /tmp/hwnas-bert-rank-XXXXXX)}
SUPERNET=${SUPERNET:-$W/supernet.h5}
export OPENBLAS_NUM_THREADS=1
if [ ! -x "$HW" ] || [ ! -x "$BUILD/bench_bert_pred" ]; then
    cmake -S "$SRC" -B "$BUILD" > /dev/null && cmake --build "$BUILD" --target hwnas bench_bert_pred -j2 > /dev/null
fi
mkdir -p "$W"
echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(uptime | sed 's/.*load average: //'); config $CONFIG; work dir $W"
if [ ! -f "$SUPERNET" ]; then # (an existing SUPERNET is used as it is)
    /usr/bin/time -f "supernet training: user %U s, sys %S s, wall %e s" -o "$W/train.time" \
        nice "$HW" supernet train "$CONFIG" --out "$SUPERNET" > "$W/train.log"
    grep -E "^supernet:|dev accuracy" "$W/train.log" | tail -3
    cat "$W/train.time"
fi
python3 - "$CONFIG" "$N_TEST" "$N_POOL" "$ARCH_SEED" "$W" <<'PY'
import random, sys, yaml
cfg, nt, npool, seed, w = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
s = yaml.safe_load(open(cfg))["space"]
r, seen, out = random.Random(seed), set(), []
while len(out) < nt + npool:
    L, H = r.choice(s["layers"]), r.choice(s["hidden"])
    A = [r.choice([a for a in s["heads"] if H % a == 0]) for _ in range(L)]
    F = [r.choice(s["ffn"]) for _ in range(L)]
    a = f"L{L}:H{H}:A{'.'.join(map(str, A))}:F{'.'.join(map(str, F))}"
    if a not in seen:
        seen.add(a)
        out.append(a)
open(f"{w}/test.txt", "w").write("\n".join(out[:nt]) + "\n")
open(f"{w}/all.txt", "w").write("\n".join(out) + "\n")
PY
# proxy of every arch (seed 1) and the reference seeds, JOBS at a time
run() { nice "$HW" finetune --supernet "$SUPERNET" --archs "$1" --steps "$2" --seed "$3" --csv "$4" 2>> "$W/finetune.err"; }
pids=()
run "$W/all.txt" "$K" 1 "$W/proxy.csv" & pids+=($!)
for s in $(seq "$FIRST_SEED" $((FIRST_SEED + LONG_SEEDS - 1))); do
    while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do sleep 1; done
    run "$W/test.txt" "$LONG" "$s" "$W/long-$s.csv" & pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
LONGS=$(seq -s, -f "$W/long-%g.csv" "$FIRST_SEED" $((FIRST_SEED + LONG_SEEDS - 1)))
python3 - "$W" <<'PY'
import csv, statistics, sys
w = sys.argv[1]
p = list(csv.DictReader(open(f"{w}/proxy.csv")))
print(f"proxy K-step jobs: {len(p)}, median {statistics.median(float(r['seconds']) for r in p):.2f} s wall; "
      f"accuracy {min(float(r['accuracy']) for r in p):.4f}..{max(float(r['accuracy']) for r in p):.4f}, "
      f"dev loss {min(float(r['eval_loss']) for r in p):.4f}..{max(float(r['eval_loss']) for r in p):.4f}")
PY
for metric in acc ce; do
    echo "== metric $metric"
    "$BUILD/bench_bert_pred" "$W/proxy.csv" --long "$LONGS" --seeds 10 --metric $metric | grep -v 'methods rf\|^$\|^# '
done
