#!/bin/bash
# run_bert_proxy.sh: the accuracy figures of issue #7 in one command.
#   1. trains the default supernet (data/configs/supernet-sst2.yaml) unless
#      SUPERNET=FILE.h5 names an existing one (resumes an unfinished one);
#   2. dev accuracy of the largest and smallest sub-networks (no fine-tuning);
#   3. bench_bert_proxy: proxy validity (Spearman of K-step vs L-step
#      fine-tuning over N_LONG candidates) and the random-forest predictor
#      (Spearman vs number of fine-tuned candidates).
#
#   tests/bench/run_bert_proxy.sh      (build dir: $HWNAS_BUILD or build/)
#   N=40 N_LONG=20 K=20 LONG=150 LONG_SEEDS=3 SUPERNET=build/supernet-sst2.h5 tests/bench/run_bert_proxy.sh
#   CONFIG=data/configs/supernet-sst2-narrow.yaml SUPERNET=build/sn-narrow.h5 tests/bench/run_bert_proxy.sh
#   CONFIG=data/configs/supernet-sst2-tiny.yaml SUPERNET=build/sn-tiny.h5 N=30 N_LONG=30 LONG=100 LONG_SEEDS=2 \
#     tests/bench/run_bert_proxy.sh
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
BUILD=${HWNAS_BUILD:-$SRC/build}
SUPERNET=${SUPERNET:-$BUILD/supernet-sst2.h5}
N=${N:-40}
N_LONG=${N_LONG:-20}
K=${K:-20}
LONG=${LONG:-150}
LONG_SEEDS=${LONG_SEEDS:-3}
K_EXTRA=${K_EXTRA:-0,50}
export OPENBLAS_NUM_THREADS=${THREADS:-1}
if [ ! -x "$BUILD/hwnas" ] || [ ! -x "$BUILD/bench_bert_proxy" ]; then
    cmake -S "$SRC" -B "$BUILD" > /dev/null && cmake --build "$BUILD" --target hwnas bench_bert_proxy -j2 > /dev/null
fi
CFG=${CONFIG:-$SRC/data/configs/supernet-sst2.yaml}
# largest and smallest sub-networks of the config's space (inherited accuracy)
ARCHS=${ARCHS:-$(python3 - "$CFG" <<'PY'
import sys, yaml
s = yaml.safe_load(open(sys.argv[1]))["space"]
for i in (-1, 0):
    L, H, A, F = s["layers"][i], s["hidden"][i], s["heads"][i], s["ffn"][i]
    print(f"L{L}:H{H}:A{'.'.join([str(A)] * L)}:F{'.'.join([str(F)] * L)}", end=" ")
PY
)}
echo "== supernet: $SUPERNET"
nice "$BUILD/hwnas" supernet train "$CFG" --out "$SUPERNET" --resume | grep -E "resuming|dev accuracy|saved" || true
for arch in $ARCHS; do
    nice "$BUILD/hwnas" finetune --supernet "$SUPERNET" --arch "$arch" --steps 0 | sed 's/^/inherited (0 steps): /'
done
echo "== proxy validity and predictor"
nice "$BUILD/bench_bert_proxy" "$SUPERNET" --n "$N" --n-long "$N_LONG" --k "$K" --long "$LONG" --long-seeds "$LONG_SEEDS" --k-extra "$K_EXTRA" --csv "$BUILD/bert_proxy.csv"
