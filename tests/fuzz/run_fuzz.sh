#!/usr/bin/env bash
# Fuzzes the wire-format parser (jobs/proto.c) with libFuzzer (Debian's
# clang + libclang-rt-14-dev) under ASan/UBSan, then merges new coverage
# into tests/fuzz/corpus (which tests/unit/test_proto_corpus.c replays in
# ctest). Usage: tests/fuzz/run_fuzz.sh [SECONDS=60] [BUILD_DIR]
set -euo pipefail
SECS=${1:-60}
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
OUT=${2:-${HWNAS_BUILD:-$SRC/build}}/fuzz
mkdir -p "$OUT/new"
command -v clang >/dev/null || { echo "hwnas: run_fuzz.sh: clang not installed (apt-get install clang libclang-rt-14-dev)" >&2; exit 2; }
clang -g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$SRC/src/util" -I"$SRC/jobs" "$HERE/fuzz_proto.c" "$SRC/jobs/proto.c" "$SRC/src/util/hw_err.c" -lm -o "$OUT/fuzz_proto"
# explore from the corpus into a scratch dir, then keep only inputs that add coverage
nice "$OUT/fuzz_proto" -max_total_time="$SECS" -max_len=4096 -print_final_stats=1 "$OUT/new" "$HERE/corpus" 2>"$OUT/fuzz.log" || {
    echo "hwnas: fuzzer found a failure; see $OUT/fuzz.log and the crash-* file" >&2; tail -30 "$OUT/fuzz.log" >&2; exit 1; }
grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$OUT/fuzz.log" || true
before=$(ls "$HERE/corpus" | wc -l)
"$OUT/fuzz_proto" -merge=1 -max_len=4096 "$HERE/corpus" "$OUT/new" 2>>"$OUT/fuzz.log"
after=$(ls "$HERE/corpus" | wc -l)
echo "corpus: $before -> $after files"
