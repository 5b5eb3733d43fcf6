#!/usr/bin/env bash
# build.release_install: a fresh Release configure with -Werror builds, and
# the installed tree works on its own: `hwnas search` on the installed
# nb201-tx2 config run from / finds the 25-point front; the installed
# binary finds its data as <prefix>/share/hwnas (an error names that path
# once a data file is removed) and HWNAS_DATA overrides it; `--version`
# prints the project version and the checkout's commit.
#   usage: test_release_install.sh path/to/hwnas path/to/cmake
. "$(dirname "$0")/../e2e/lib.sh" "$@"
CMAKE=${2:?usage: $(basename "$0") path/to/hwnas path/to/cmake}
J=${HWNAS_BUILD_JOBS:-2}

nice "$CMAKE" -S "$SRC" -B b -DCMAKE_BUILD_TYPE=Release -DHWNAS_WERROR=ON > configure.log 2>&1 || fail "configure"
nice "$CMAKE" --build b --target hwnas -j "$J" > build.log 2>&1 || fail "Release build with -Werror"
"$CMAKE" --install b --prefix "$T/x" > install.log 2>&1 || fail "install"
X=$T/x
[ -x "$X/bin/hwnas" ] && [ -f "$X/share/hwnas/configs/nb201-tx2.yaml" ] || fail "install tree lacks bin/hwnas or configs"

# --version: project version and the commit of this checkout
want_v=$(sed -n 's/^project(hwnas VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
got=$("$X/bin/hwnas" --version) || fail "--version"
case "$got" in "hwnas $want_v ("*")") ;; *) fail "--version printed '$got', want 'hwnas $want_v (COMMIT)'" ;; esac
if git -C "$SRC" rev-parse HEAD > /dev/null 2>&1; then
    c=$(git -C "$SRC" rev-parse --short=12 HEAD)
    case "$got" in *"($c"*) ;; *) fail "--version printed '$got', want commit $c" ;; esac
fi

# the main job from the installed tree, from /, without HWNAS_DATA
(cd / && env -u HWNAS_DATA "$X/bin/hwnas" search "$X/share/hwnas/configs/nb201-tx2.yaml" --out-dir "$T/o") \
    > search.log 2>&1 || fail "installed search"
grep -q "Pareto front (25 points" search.log || fail "installed search did not print the 25-point front"

# the data directory is <prefix>/share/hwnas ...
TAB=$X/share/hwnas/help_latency/nb201_latency.csv
# probe ENV...: the help predictor's default meta-model comes from the data dir
probe() { (cd / && env "$@" "$X/bin/hwnas" predictor eval --method help --table "$TAB" --space nb201 \
    --target lat_ms_titanx_1 --seeds 1 --train-size 20 --test-size 50); }
probe -u HWNAS_DATA > probe.log 2>&1 || fail "installed help predictor"
mv "$X/share/hwnas/help/help_nb201.bin" "$T/meta.bin"
real=$(cd "$X/share/hwnas" && pwd -P)
probe -u HWNAS_DATA > probe2.log 2>&1 && fail "meta-model removed, yet the predictor ran"
grep -q "$real/help/help_nb201.bin" probe2.log || fail "data dir is not <prefix>/share/hwnas: $(cat probe2.log)"
# ... and HWNAS_DATA overrides it
mkdir -p alt/help && mv "$T/meta.bin" alt/help/help_nb201.bin
probe HWNAS_DATA="$T/alt" > probe3.log 2>&1 || fail "HWNAS_DATA not honoured"
echo "ok: Release -Werror build, install, search from /, data dir, --version '$got'"
