# tests/e2e/lib.sh: what every e2e script shares. Source it first:
#
#   . "$(dirname "$0")/lib.sh" "$@"     # $1 is the hwnas binary
#
# It sets
#   HW      absolute path of the hwnas binary (also HWNAS, the older name)
#   DATA    the data directory ($HWNAS_DATA, else the source tree's data/)
#   SRC     the source tree;  BUILD  the build tree ($HWNAS_BUILD, else $HW's dir)
#   T       a fresh scratch directory, removed on exit (KEEP=1 keeps it);
#           the script runs inside it
#   PIDS    an array: append background pids to it; on exit they get SIGTERM,
#           then (0.2 s later) SIGCONT + SIGKILL
#   LOG_GLOBS  file patterns under $T whose tails fail prints (default *.log);
#   LOG_TAIL   how many lines of each (default 15)
#   SLOW    $HWNAS_SLOW, else 1: how much slower than a plain build the
#           binary runs (CMake sets 4 for -DHWNAS_ASAN=ON trees); wait_for
#           scales its limit by it, and tests scale their time bounds
# and defines
#   fail MSG...               print FAIL: MSG and the tail of every log, exit 1
#   at_exit CMD...            run CMD on exit, before the pids are killed and
#                             $T is removed (e.g. stopping a private Slurm)
#   wait_for SECS CMD...      poll CMD every 0.1 s until it succeeds; 1 on timeout
#                             (SECS x SLOW: see below)
#   wait_gen LOG N [SECS]     wait until LOG shows generation N ("gen  N ...")
#   expect_exit RC PAT CMD... run CMD; fail unless it exits RC and stderr matches
#                             the extended regex PAT (and is one line if RC is 2)
#   assert_close A B RTOL ATOL WHAT   fail unless |A-B| <= ATOL + RTOL*|B|;
#                             prints both values either way
#   json_get FILE EXPR        print the Python expression EXPR over the JSON in
#                             FILE (bound to `j`), e.g. json_get s.json 'j["measurements"]'
set -u
HW=$(cd "$(dirname "${1:?usage: $(basename "$0") path/to/hwnas}")" && pwd)/$(basename "$1")
HWNAS=$HW
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DATA=${HWNAS_DATA:-$SRC/data}
BUILD=${HWNAS_BUILD:-$(dirname "$HW")}
PY=/usr/bin/python3
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
T=$(mktemp -d "/tmp/hwnas-e2e-$(basename "$0" .sh)-XXXXXX")
PIDS=()
LOG_TAIL=${LOG_TAIL:-15}
SLOW=${HWNAS_SLOW:-1}
LOG_GLOBS=("*.log")
_E2E_AT_EXIT=()
at_exit() { _E2E_AT_EXIT+=("$(printf '%q ' "$@")"); }
_e2e_cleanup() {
    local p c
    for c in "${_E2E_AT_EXIT[@]}"; do eval "$c"; done
    if [ ${#PIDS[@]} -gt 0 ]; then
        for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
        sleep 0.2
    fi
    for p in "${PIDS[@]}"; do kill -CONT "$p" 2>/dev/null; kill -KILL "$p" 2>/dev/null; done
    wait 2>/dev/null
    if [ -n "${KEEP:-}" ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap _e2e_cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    local f g
    for g in "${LOG_GLOBS[@]}"; do
        # shellcheck disable=SC2086 # $g is a glob on purpose
        for f in "$T"/$g; do [ -f "$f" ] && { echo "== $f" >&2; tail -n "$LOG_TAIL" "$f" >&2; }; done
    done
    exit 1
}
wait_for() {
    local n=$(( $1 * 10 * SLOW )); shift
    until "$@" 2>/dev/null; do n=$((n - 1)); [ $n -le 0 ] && return 1; sleep 0.1; done
}
wait_gen() { wait_for "${3:-30}" grep -qE "^gen +$2 " "$1"; }
expect_exit() {
    local want=$1 pat=$2; shift 2
    "$@" > "$T/expect.out" 2> "$T/expect.err"
    local rc=$?
    [ $rc -eq "$want" ] || fail "$* -> exit $rc, want $want; stderr: $(head -3 "$T/expect.err")"
    grep -qE -- "$pat" "$T/expect.err" || fail "$* -> stderr lacks /$pat/: $(head -3 "$T/expect.err")"
    if [ "$want" -eq 2 ] && [ "$(wc -l < "$T/expect.err")" -ne 1 ]; then
        fail "$* -> $(wc -l < "$T/expect.err") lines on stderr, want 1: $(head -5 "$T/expect.err")"
    fi
}
assert_close() {
    $PY - "$@" <<'PY' || fail "${5:-value}: got $1, want $2 (rtol $3, atol $4)"
import math, sys
a, b, rtol, atol = (float(x) for x in sys.argv[1:5])
sys.exit(0 if math.isfinite(a) and abs(a - b) <= atol + rtol * abs(b) else 1)
PY
    echo "ok ${5:-value}: got $1, want $2 (rtol $3, atol $4)"
}
json_get() { $PY -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
cd "$T" || exit 1
