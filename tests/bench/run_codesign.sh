#!/usr/bin/env bash
# Issue 8 / 18 figures in one command: cost-model speed, joint vs two-stage
# vs fixed-accelerator co-design on NB201 and on the BERT space (accuracy:
# data/bert_sst2_cpu, proxy fine-tuned), the two side by side with the
# exhaustive optimum for BERT, and the TX2 roofline as a latency predictor
# feature. Build dir: $HWNAS_BUILD (default build/); configures
# and builds the needed targets if missing. Single-threaded throughout.
#   tests/bench/run_codesign.sh [EVALUATIONS]
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
B=${HWNAS_BUILD:-$SRC/build}
export HWNAS_DATA=${HWNAS_DATA:-$SRC/data}
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
EVALS=${1:-}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
if [ ! -f "$B/CMakeCache.txt" ]; then cmake -S "$SRC" -B "$B" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null; fi
nice cmake --build "$B" -j2 --target hwnas bench_accel_speed bench_accel_tx2 bench_accel_bert bench_codesign_bert_opt >"$T/build.log" 2>&1 || { cat "$T/build.log"; exit 1; }
H=$B/hwnas

echo "## machine: $(lscpu | sed -n "s/^Model name: *//p" | head -1), $(lscpu | sed -n "s/^CPU(s): *//p" | head -1) cores (shared with other jobs: a loaded machine)"
echo "## date: $(date -u '+%Y-%m-%d %H:%M UTC'), load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "### 1. cost-model speed (goal >= 1e6 layer evaluations/s per core)"
nice "$B/bench_accel_speed" 5
echo
echo "### 2. co-design on NB201: hypervolume and energy at equal accuracy (medians over seeds)"
nice "$H" codesign --config "$HWNAS_DATA/configs/codesign-nb201.yaml" ${EVALS:+--evaluations "$EVALS"} --front "$T/front.csv" \
    | tee "$T/cd.txt"
# energy saving at equal accuracy: fixed (and two-stage) over joint, per target (goal >= 1.5x vs fixed)
savings() {
    awk -v sp="$1" '$1 == "strategy" { for (i = 5; i <= NF; i++) h[i] = $i; n = NF; next }
         $1 == "joint" || $1 == "two_stage" || $1 == "fixed" { for (i = 5; i <= n; i++) e[$1, i] = $i; hv[$1] = $2 }
         END { for (i = 5; i <= n; i++) printf "%-6s %-12s %8.4f %8.4f %8.4f  fixed/joint %5.2fx  two_stage/joint %5.2fx  HV %.4f %.4f %.4f\n",
                   sp, h[i], e["joint", i], e["two_stage", i], e["fixed", i], e["fixed", i] / e["joint", i],
                   e["two_stage", i] / e["joint", i], hv["joint"], hv["two_stage"], hv["fixed"] }' "$2"
}
savings nb201 "$T/cd.txt"
echo
echo "### 2a. co-design on BERT (data/bert_sst2_cpu: proxy fine-tuned SST-2 accuracy; seq 64, attention + FFN matmuls as layers)"
echo "## load: $(cut -d' ' -f1-3 /proc/loadavg)"
nice "$H" codesign --config "$HWNAS_DATA/configs/codesign-bert.yaml" ${EVALS:+--evaluations "$EVALS"} --front "$T/bfront.csv" \
    | tee "$T/bcd.txt"
echo
echo "### 2a'. exhaustive optimum of the BERT co-design (least energy at each target over all archs x accelerators)"
nice "$B/bench_codesign_bert_opt" | tee "$T/bopt.txt"
echo
echo "### NB201 and BERT side by side: median energy (mJ) at equal accuracy over seeds, joint / two-stage / fixed"
printf '%-6s %-12s %8s %8s %8s\n' space target joint two_st fixed
savings nb201 "$T/cd.txt"
savings bert "$T/bcd.txt"
awk '$1 ~ /^[0-9.]+$/ && NF >= 6 { printf "bert   E@%s%%_mJ exhaustive optimum %.4f (fixed optimum %.4f)\n", $1, $3, $2 }' "$T/bopt.txt"
echo
echo "### 2b. BERT (seq 128): tuned vs default accelerator on fixed encoders (equal accuracy by construction)"
nice "$B/bench_accel_bert"
echo
echo "### 3. Eyeriss (data/configs/eyeriss.yaml) on the largest and the smallest-but-connected NB201 cells"
for a in '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|' \
         '|skip_connect~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|'; do
    "$H" accel report --accel "$HWNAS_DATA/configs/eyeriss.yaml" --arch "$a" --merged | tail -1
done
echo
echo "### 4. TX2 GPU roofline vs measured TX2 latency"
nice "$B/bench_accel_tx2"
# 10-shot predictors with and without the roofline column (predictor eval,
# generic --features mode: 10 training rows, fixed 2000-row test set, 20 draws)
"$H" accel table --accel "$HWNAS_DATA/configs/eyeriss.yaml" --features --out "$T/feat.csv"
awk -F, 'NR == FNR { if (FNR == 1) { for (i = 1; i <= NF; i++) if ($i == "edgegpu_latency_ms") c = i; next }
                     lat[$1] = $c; next }
         FNR == 1 { print $0 ",edgegpu_latency_ms"; next } { print $0 "," lat[$1] }' \
    "$HWNAS_DATA/hw_nas_bench/hwnasbench_nb201_cifar10.csv" "$T/feat.csv" >"$T/joined.csv"
SPACEF=$(head -1 "$T/feat.csv" | cut -d, -f7-)
printf '%-8s %-34s %8s %8s\n' method features rho_mean rho_std
for m in rf xgb; do
    for set in space space+roofline space+roofline+kernels roofline+kernels; do
        case $set in
        space) F=$SPACEF ;;
        space+roofline) F=$SPACEF,tx2_roofline_ms ;;
        space+roofline+kernels) F=$SPACEF,tx2_roofline_ms,n_kernels ;;
        roofline+kernels) F=tx2_roofline_ms,n_kernels ;;
        esac
        nice "$H" predictor eval --table "$T/joined.csv" --features "$F" --target edgegpu_latency_ms --allow-missing \
            --train-size 10 --test-size 2000 --seeds 20 --method $m --threads 1 >"$T/ev.txt" 2>&1
        awk -v m=$m -v s=$set '$1 == "mean" { mu = $2 } $1 == "std" { sd = $2 } END { printf "%-8s %-34s %8s %8s\n", m, s, mu, sd }' "$T/ev.txt"
    done
done
echo "# reference: the predictor issue's HELP 10-shot figure on the same device (hwnas predictor fewshot)"
nice "$H" predictor fewshot --space nb201 --table "$HWNAS_DATA/hw_nas_bench/hwnasbench_nb201_cifar10.csv" \
    --target edgegpu_latency_ms --allow-missing \
    --meta-train lat_ms_1080ti_1,lat_ms_1080ti_32,lat_ms_1080ti_256,lat_ms_silver_4114,lat_ms_silver_4210r,lat_ms_samsung_a50,lat_ms_pixel3,lat_ms_essential_ph_1,lat_ms_samsung_s7 \
    --meta-table "$HWNAS_DATA/help_latency/nb201_latency.csv" 2>/dev/null | tail -1
