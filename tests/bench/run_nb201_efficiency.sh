#!/bin/bash
# run_nb201_efficiency.sh: sample efficiency on NB201 x Jetson TX2 (2
# objectives: error = 100 - CIFAR-10 200-epoch test accuracy, TX2 edgegpu
# latency; HV reference (15, 1.1 x max latency = 12.861970)). hwnas's
# NSGA-II engine with its default parameters (nsga_params_default = what
# `hwnas search` uses) beside the measure-everything peers of
# nb201_peers.py in the same run, over the same seeds: DEAP's NSGA-II at
# population 50 (DEAP's defaults), 20, and 36 with mutation indpb 0.05 (the
# variants tuned as hard as hwnas's own), Optuna's NSGA-II (defaults) and
# TPE (multi-objective, multivariate=True), and random search. Every peer is
# counted by distinct measurements. Prints the median number of distinct
# measurements to reach HV ratio 0.99, 0.999 and the whole exact front, and
# best peer / hwnas.
#
# usage: tests/bench/run_nb201_efficiency.sh   (HWNAS_BUILD=build dir, default build/;
#        SEEDS=10 FIRST_SEED=1; PEER_MAX (default 15625: a peer stopped there
#        counts as not reached); OPTUNA_MAX (default 2000) caps both Optuna
#        samplers, TPE_SEEDS (default SEEDS) and TPE_MAX (default 1000) TPE,
#        because Optuna's samplers slow down with the trial count; PEERS="deap50 deap20 deap36 nsga2 tpe random";
#        extra args go to bench_nb201_efficiency)
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
tpe_seeds=${TPE_SEEDS:-$seeds}
peer_max=${PEER_MAX:-15625}
tpe_max=${TPE_MAX:-1000}
optuna_max=${OPTUNA_MAX:-2000}
peers=${PEERS:-deap50 deap20 deap36 nsga2 tpe random}

kv() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }

declare -A med
h_all=$("$bench" --seeds "$seeds" --first-seed "$first" "$@")
echo "$h_all" | grep -v '^impl=hwnas seeds='
med[hwnas]=$(echo "$h_all" | grep '^impl=hwnas seeds=')
for p in $peers; do
    n=$seeds max=$peer_max
    case $p in
        deap50) args=(--peer deap --pop 50) ;;
        deap20) args=(--peer deap --pop 20) ;;
        deap36) args=(--peer deap --pop 36 --indpb 0.05) ;;
        nsga2) args=(--peer nsga2); max=$optuna_max ;;
        tpe) args=(--peer tpe); n=$tpe_seeds max=$tpe_max ;;
        random) args=(--peer random) ;;
        *) echo "run_nb201_efficiency: PEERS: unknown peer $p" >&2; exit 2 ;;
    esac
    out=$(/usr/bin/python3 -W ignore "$here/nb201_peers.py" "${args[@]}" --name "$p" --seeds "$n" \
        --first-seed "$first" --max-meas "$max" --quiet)
    med[$p]=$(echo "$out" | grep "^impl=$p seeds=")
done
echo
echo "# NB201 x TX2, median over seeds $first..$((first + seeds - 1)) (tpe: $tpe_seeds seeds, stops at $tpe_max; nsga2 stops at $optuna_max; other peers at $peer_max):"
echo "# distinct measurements to reach the target (-1: not reached); load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-16s %-8s' target hwnas
for p in $peers; do printf ' %-8s' "$p"; done
printf ' %s\n' "best-peer/hwnas"
for k in 0.99 0.999 front; do
    name="HV ratio $k"
    [ "$k" = front ] && name="whole front"
    hv=$(kv "${med[hwnas]}" "median_$k")
    printf '%-16s %-8s' "$name" "$hv"
    best=-1
    for p in $peers; do
        v=$(kv "${med[$p]}" "median_$k")
        printf ' %-8s' "$v"
        best=$(awk -v a="$v" -v b="$best" 'BEGIN{ if (a >= 0 && (b < 0 || a < b)) print a; else print b }')
    done
    printf ' %s\n' "$(awk -v a="$best" -v b="$hv" 'BEGIN{ if (a < 0 || b <= 0) print "n/a"; else printf "%.2f", a/b }')"
done
