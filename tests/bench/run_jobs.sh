#!/usr/bin/env bash
# Issue 4 (ground-truth jobs) benchmarks in one command:
#   tests/bench/run_jobs.sh [--quick]
# Builds bench_disp in $HWNAS_BUILD (default: build/) and prints markdown
# tables: dispatcher throughput with a zero-time runner (real board agents,
# light fake boards, and the bare ZeroMQ CURVE request/reply peer measured
# in the same run), dead-board detection time, builtin-runner noise.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${HWNAS_BUILD:-$SRC/build}
[ -f "$BUILD/CMakeCache.txt" ] || cmake -S "$SRC" -B "$BUILD" >/dev/null
if ! cmake --build "$BUILD" --target bench_disp -j2 > "$BUILD/bench_disp.build.log" 2>&1; then
    [ -x "$BUILD/bench_disp" ] || { echo "hwnas: run_jobs.sh: building bench_disp failed, see $BUILD/bench_disp.build.log" >&2; exit 1; }
    echo "hwnas: run_jobs.sh: rebuild failed (see $BUILD/bench_disp.build.log); using the existing bench_disp" >&2
fi
export OPENBLAS_NUM_THREADS=1 HWNAS_DATA=${HWNAS_DATA:-$SRC/data}
echo "## machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "## command: tests/bench/run_jobs.sh $*    ($(date -u +%Y-%m-%dT%H:%MZ))"
echo
# board agents log to stderr; keep it out of the tables
"$BUILD/bench_disp" "$@" 2> "$BUILD/bench_disp.log"
echo
echo "## load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
