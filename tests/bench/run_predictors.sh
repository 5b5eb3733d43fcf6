#!/bin/bash
# Benchmarks of issue #3 (predictors), each beside its Python peer measured in
# the same run (Debian python3-xgboost / python3-sklearn, 1 thread).
#
# usage: tests/bench/run_predictors.sh [quick]
#   HWNAS_BUILD  build dir holding hwnas and bench_pred_speed (default build/)
#   HWNAS_DATA   data dir (default <repo>/data)
# "quick" uses 2 seeds / 5 draws instead of 5 / 20 (for a smoke run).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${HWNAS_BUILD:-$ROOT/build}
DATA=${HWNAS_DATA:-$ROOT/data}
export HWNAS_DATA=$DATA OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
HW=$BUILD/hwnas
PEER="/usr/bin/python3 $ROOT/tests/bench/peer_pred.py"
SEEDS=5 DRAWS=20
[ "${1:-}" = quick ] && SEEDS=2 DRAWS=5
[ -x "$HW" ] || { echo "run_predictors: $HW not found (build first or set HWNAS_BUILD)" >&2; exit 2; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
TX2=$DATA/hw_nas_bench/hwnasbench_nb201_cifar10.csv
HELPT=$DATA/help_latency/nb201_latency.csv
MT=lat_ms_1080ti_1,lat_ms_1080ti_32,lat_ms_1080ti_256,lat_ms_silver_4114,lat_ms_silver_4210r,lat_ms_samsung_a50,lat_ms_pixel3,lat_ms_essential_ph_1,lat_ms_samsung_s7

echo "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "threads: 1 (hwnas --threads 1, OPENBLAS_NUM_THREADS=1, peers n_jobs=1)"
echo
echo "## many-shot, TX2 (edgegpu_latency_ms), fixed 2000-row test set, mean of $SEEDS seeds"
printf "| %5s | %-22s | %7s | %7s | %8s | %8s |\n" N model rho "MAPE %" "+-10 %" "fit cpu s"
printf "|------:|------------------------|--------:|--------:|---------:|---------:|\n"
for N in 10 50 200 1000; do
    for m in xgb rf; do
        "$HW" predictor eval --table "$TX2" --space nb201 --target edgegpu_latency_ms --method $m \
            --train-size $N --seeds $SEEDS --allow-missing > "$T/e"
        awk -v n=$N -v m="hwnas $m" '$1 == "mean" { printf "| %5d | %-22s | %7.4f | %7.3f | %8.2f | %8.4f |\n", n, m, $2, $4, $5, $7 }' "$T/e"
    done
    $PEER manyshot "$TX2" edgegpu_latency_ms $N $SEEDS | awk '{ printf "| %5d | %-22s | %7.4f | %7.3f | %8.2f | %8.4f |\n", $2, "python " substr($1, 6) " (one-hot)", $3, $4, $5, $6 }'
done
echo
echo "## few-shot (HELP protocol: 10 shots, $DRAWS draws), Spearman rho on the query set"
printf "| %-12s | %-16s | %-16s | %-22s |\n" device "hwnas help" "hwnas xgb (no transfer)" "python tree transfer"
printf "|--------------|------------------|------------------|------------------------|\n"
$PEER fewshot "$DATA" $DRAWS > "$T/peer_fs"
sum_h=0; sum_p=0
for dev in titanx_1 titanx_32 titanx_256 gold_6240 tx2; do
    if [ $dev = tx2 ]; then tab=$TX2 col=edgegpu_latency_ms extra=--allow-missing; else tab=$HELPT col=lat_ms_$dev extra=; fi
    "$HW" predictor fewshot --table "$tab" --space nb201 --meta-train "$MT" --target $col --shots 10 --seeds $DRAWS $extra > "$T/h"
    "$HW" predictor fewshot --table "$tab" --space nb201 --meta-train "$MT" --target $col --shots 10 --seeds $DRAWS $extra --method xgb > "$T/x"
    h=$(awk '$2 == "mean" { printf "%.4f +- %.4f", $3, $5 }' "$T/h")
    x=$(awk '$2 == "mean" { printf "%.4f +- %.4f", $3, $5 }' "$T/x")
    p=$(awk -v d=$dev '$2 == d { printf "%.4f +- %.4f", $3, $4 }' "$T/peer_fs")
    printf "| %-12s | %-16s | %-16s | %-22s |\n" $dev "$h" "$x" "$p"
    if [ $dev != tx2 ]; then
        sum_h=$(awk -v s=$sum_h -v v="${h%% *}" 'BEGIN { print s + v }')
        sum_p=$(awk -v s=$sum_p -v v="${p%% *}" 'BEGIN { print s + v }')
    fi
done
printf "| %-12s | %-16s | %-16s | %-22s |\n" "meta-valid mean" "$(awk -v s=$sum_h 'BEGIN { printf "%.4f", s / 4 }')" "" "$(awk -v s=$sum_p 'BEGIN { printf "%.4f", s / 4 }')"
echo
echo "## speed: 1 thread, predict all 15625 NB201 archs (fit on 1000 TX2 rows), 7 repetitions"
echo "(thread CPU time, so a time-sliced shared machine does not distort per-core rates; wall rate in the last column)"
printf "| %-30s | %9s | %14s | %14s | %14s |\n" model "fit cpu s" "rows/cpu-s med" "best" "rows/wall-s"
printf "|--------------------------------|----------:|---------------:|---------------:|---------------:|\n"
if [ -x "$BUILD/bench_pred_speed" ]; then
    "$BUILD/bench_pred_speed" "$TX2" edgegpu_latency_ms 7 | awk 'NR > 1 { n = NF; printf "| hwnas %-24s | %9.4f | %14.4g | %14.4g | %14.4g |\n", $1 " " $2 " " $3 " " $4 " " $5, $(n-3), $(n-2), $(n-1), $n }'
else
    echo "(bench_pred_speed not built in $BUILD)"
fi
$PEER speed "$TX2" edgegpu_latency_ms 7 | awk '{ printf "| python %-23s | %9.4f | %14.4g | %14.4g | %14.4g |\n", $2, $3, $4, $5, $6 }'
echo
echo "## meta-training (default config: 5 members x 3000 steps x 4 tasks, 1 thread)"
/usr/bin/time -f "wall %e s, max RSS %M kB" "$HW" predictor meta-train --out "$T/meta.bin" 2>&1 | tail -2
if cmp -s "$T/meta.bin" "$DATA/help/help_nb201.bin"; then echo "re-trained model is byte-identical to the shipped data/help/help_nb201.bin"
else echo "NOTE: re-trained model differs from the shipped one"; fi
