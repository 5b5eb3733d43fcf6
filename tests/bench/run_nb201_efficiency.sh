#!/bin/bash
# run_nb201_efficiency.sh: sample efficiency on NB201 x Jetson TX2 (2
# objectives: error = 100 - CIFAR-10 200-epoch test accuracy, TX2 edgegpu
# latency; HV reference (15, 12.861970)). hwnas's NSGA-II engine with its
# default parameters (nsga_params_default = what `hwnas search` uses) beside
# DEAP's NSGA-II (population 50, measure everything) in the same run, both
# over the same 10 seeds. Prints the median number of distinct measurements
# to reach HV ratio 0.99, 0.999 and the whole exact 25-point front, and the
# DEAP/hwnas ratios.
#
# usage: tests/bench/run_nb201_efficiency.sh   (HWNAS_BUILD=build dir, default build/;
#        SEEDS=10 FIRST_SEED=1; extra args go to bench_nb201_efficiency)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${HWNAS_BUILD:-$root/build}
bench=$build/bench_nb201_efficiency
if [ ! -x "$bench" ]; then
    echo "run_nb201_efficiency: $bench not found; build first: cmake --build $build --target bench_nb201_efficiency" >&2
    exit 2
fi
export HWNAS_DATA=${HWNAS_DATA:-$root/data}
seeds=${SEEDS:-10}
first=${FIRST_SEED:-1}

kv() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }

h_all=$("$bench" --seeds "$seeds" --first-seed "$first" "$@")
d_all=$(/usr/bin/python3 "$here/deap_nb201.py" --seeds "$seeds" --first-seed "$first")
echo "$h_all" | grep -v '^impl=hwnas seeds='
echo "$d_all" | grep -v '^impl=deap seeds='
h=$(echo "$h_all" | grep '^impl=hwnas seeds=')
d=$(echo "$d_all" | grep '^impl=deap seeds=')
echo
echo "# NB201 x TX2, median over $seeds seeds ($first..$((first + seeds - 1))): distinct measurements to reach the target (-1: not reached)"
printf '%-16s %-10s %-10s %-10s\n' target hwnas deap deap/hwnas
for k in 0.99 0.999 front; do
    hv=$(kv "$h" "median_$k") dv=$(kv "$d" "median_$k")
    name="HV ratio $k"
    [ "$k" = front ] && name="whole front"
    printf '%-16s %-10s %-10s %-10s\n' "$name" "$hv" "$dv" "$(awk -v a="$dv" -v b="$hv" 'BEGIN{ if (a < 0 || b <= 0) print "n/a"; else printf "%.2f", a/b }')"
done
