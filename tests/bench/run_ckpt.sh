#!/bin/bash
# run_ckpt.sh: checkpoint benchmark (issue 6). Builds bench_ckpt in
# $HWNAS_BUILD (default <repo>/build) and prints, for 4 islands x population
# {32, 256, 2048} x 10 generations and a latency training set of 1e3..1e6
# rows: file size, checkpoint time (ckpt_write: temp file, fsync, rename,
# dir fsync), resume time (ckpt_resume: read + validate + journal replay),
# each the median of REPS runs, and the same for a raw dump of the same
# arrays (fwrite + fsync + rename / one fread): the I/O floor, measured in
# the same run. Usage: tests/bench/run_ckpt.sh [REPS] [DIR]
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
BUILD=${HWNAS_BUILD:-$SRC/build}
REPS=${1:-5}
DIR=${2:-${TMPDIR:-/tmp}}
if [ ! -x "$BUILD/bench_ckpt" ]; then
    cmake -S "$SRC" -B "$BUILD" > /dev/null
    cmake --build "$BUILD" --target bench_ckpt -j2 > /dev/null
fi
echo "# $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(date -u +%FT%TZ)"
echo "# file system of $DIR: $(df -T "$DIR" | awk 'NR == 2 { print $2 }'); reps $REPS (medians)"
echo "# columns: evaluated = rows of /evaluated; size/raw = HDF5 run file / raw dump;"
echo "# write/raw = checkpoint / raw dump time; read = resume time; ratios HDF5 / raw"
export HWNAS_DATA=${HWNAS_DATA:-$SRC/data}
exec nice -n 5 "$BUILD/bench_ckpt" bench --reps "$REPS" --dir "$DIR"
