#!/bin/bash
# run_nsga_speed.sh: NSGA-II machinery speed on ZDT1 (30 variables), one
# thread, hwnas (bench_zdt1: ask/tell engine on the grid space) beside DEAP
# (deap_zdt1.py, Debian python3-deap) in the same run, at population 1e3,
# 1e4, 1e5. Prints a table of median seconds per generation (process CPU
# time, and wall time) of the machinery (evaluation of ZDT1 excluded and
# reported separately), peak RSS, and the DEAP/hwnas ratio.
#
# usage: tests/bench/run_nsga_speed.sh        (HWNAS_BUILD=build dir, default build/)
#        POPS="1000 10000" tests/bench/run_nsga_speed.sh   (subset)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${HWNAS_BUILD:-$root/build}
bench=$build/bench_zdt1
if [ ! -x "$bench" ]; then
    echo "run_nsga_speed: $bench not found; build first: cmake --build $build --target bench_zdt1" >&2
    exit 2
fi
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
pops=${POPS:-"1000 10000 100000"}
declare -A HG=([1000]=30 [10000]=15 [100000]=8) DG=([1000]=5 [10000]=3 [100000]=2) DW=([1000]=1 [10000]=1 [100000]=0)

kv() { # kv LINE KEY
    tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"
}

echo "# NSGA-II machinery on ZDT1 (30 vars), 1 thread; $(lscpu | sed -n 's/^Model name: *//p'), $(nproc --all) cores, load $(cut -d' ' -f1 /proc/loadavg)"
printf '%-8s | %-12s %-12s %-9s %-9s | %-12s %-12s %-9s | %-9s %-9s\n' \
    pop hwnas_cpu_s hwnas_wall_s eval_s rss_MB deap_cpu_s deap_wall_s rss_MB cpu_ratio wall_ratio
for p in $pops; do
    h=$("$bench" --pop "$p" --gens "${HG[$p]:-8}" --warmup 3)
    d=$(/usr/bin/python3 "$here/deap_zdt1.py" --pop "$p" --gens "${DG[$p]:-2}" --warmup "${DW[$p]:-0}")
    hc=$(kv "$h" machinery_cpu_s) hw=$(kv "$h" machinery_s) he=$(kv "$h" eval_s) hr=$(kv "$h" rss_mb)
    dc=$(kv "$d" machinery_cpu_s) dw=$(kv "$d" machinery_s) dr=$(kv "$d" rss_mb)
    printf '%-8s | %-12.4f %-12.4f %-9.4f %-9s | %-12.3f %-12.3f %-9s | %-9.0f %-9.0f\n' \
        "$p" "$hc" "$hw" "$he" "$hr" "$dc" "$dw" "$dr" \
        "$(awk -v a="$dc" -v b="$hc" 'BEGIN{print a/b}')" "$(awk -v a="$dw" -v b="$hw" 'BEGIN{print a/b}')"
done
