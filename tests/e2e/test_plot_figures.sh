#!/bin/bash
# test_plot_figures: `hwnas plot` on real NB201 x TX2 table runs: the
# counts it reports (evaluated = drawn + without a value + outside) match
# the run file read with h5py, every point without a value is listed,
# --zoom ignores the points outside the hypervolume.reference box (the 10 %
# accuracy cell), the legend names the tables as provenance, 3 objectives
# give the pairwise figure, HV history against measurements; refusals
# (exit 2, one line): --size below 800x480, board-hours on a table run,
# bad --hv-x; a replay-board run: its legend names the board and
# --hv-x board-hours draws. PNGs are kept in $T/*.png (KEEP=1) for a look by eye.
. "$(dirname "$0")/lib.sh" "$@"
# ASan builds: LSan reads one suppressions file (the last one named wins):
# the suite's (Open MPI, search) and PLplot's font caches, merged
cat "$SRC/tests/lsan.supp" "$SRC/tests/e2e/test_front_lsan.supp" > lsan.supp
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$T/lsan.supp:print_suppressions=0"
"$HW" search "$DATA/configs/nb201-tx2.yaml" --run two.h5 --seed 1 --generations 30 --quiet > two.log 2>&1 || fail "search 2 obj"
"$HW" search "$DATA/configs/nb201-tx2-3obj.yaml" --run three.h5 --seed 1 --generations 20 --quiet > three.log 2>&1 ||
    fail "search 3 obj"
ispng() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "$1 is not a PNG"; }

"$HW" plot two.h5 -o two.png > two.txt || fail "plot"
ispng two.png
"$HW" plot two.h5 -o zoom.png --zoom > zoom.txt || fail "plot --zoom"
ispng zoom.png
cat two.txt zoom.txt | grep -v "^not drawn"
grep -q "measured: looked up in the tables$" two.txt || fail "legend provenance: $(grep measured: two.txt)"
$PY - two.h5 two.txt zoom.txt <<'PYEOF' || fail "counts"
import h5py, math, re, sys
f = h5py.File(sys.argv[1], "r")
o = f["evaluated/objectives"][:]
n = len(o)
nan = [i for i in range(n) if not (math.isfinite(o[i][0]) and math.isfinite(o[i][1]))]
for path in sys.argv[2:]:
    lines = open(path).read().splitlines()
    listed = [l for l in lines if l.startswith("not drawn (no ")]
    head = [l for l in lines if not l.startswith("not drawn")][0]
    m = re.search(r"(\d+) evaluated: (\d+) drawn \((\d+) measured, (\d+) predicted\)(?:, (\d+) without a value)?(?:, (\d+) outside the view)?", head)
    ev, drawn, meas, pred, without, outside = (int(x or 0) for x in m.groups())
    print(path, "evaluated", ev, "h5py", n, "without a value", without, "h5py", len(nan), "listed", len(listed), "outside", outside)
    assert ev == n and without == len(nan) == len(listed), head
    assert drawn + without + outside == n, head
    if path.endswith("zoom.txt"):
        # reference (85, 12.86): points far outside the box must be counted outside
        far = sum(1 for a, l in o if math.isfinite(a) and math.isfinite(l) and (a < 84 or l > 14))
        near = sum(1 for a, l in o if math.isfinite(a) and math.isfinite(l) and (a < 85.5 or l > 13.5))
        print("outside", outside, "far", far, "near", near)
        assert far >= 1 and far <= outside <= near, (far, outside, near)
    else:
        assert outside == 0, head
PYEOF

"$HW" plot three.h5 -o three.png > three.txt || fail "plot 3 objectives"
ispng three.png
[ "$(grep -c '^three.h5: .* vs .*: [0-9]* of [0-9]* drawn' three.txt)" = 3 ] || fail "3 projections: $(grep -v '^not' three.txt)"
"$HW" plot three.h5 -o three-xy.png --x latency_ms --y accuracy > /dev/null || fail "3 objectives, one pair"
ispng three-xy.png
"$HW" plot two.h5 -o gen.png --hv-x generation > /dev/null || fail "--hv-x generation"
"$HW" plot two.h5 -o small.png --size 800x480 > /dev/null || fail "800x480"
ispng small.png

# a run measured by a replay board agent (real TX2 latencies over ZeroMQ on
# 127.0.0.1): legend names the board, --hv-x board-hours draws
"$HW" keygen --out disp > /dev/null && "$HW" keygen --out b1 > /dev/null && cp b1.pub allow.txt || fail keygen
PORT=$(( 20000 + (RANDOM % 20000) ))
cat > boards.yaml <<YAML
objectives:
  - {name: accuracy, direction: maximize, source: test_acc_200ep_cifar10}
  - {name: latency_ms, direction: minimize, source: edgegpu_latency_ms, device: tx2}
algorithm: {population: 16, generations: 100, seed: 3, max_measurements: 16}
evaluator:
  kind: predictor
  tables: [$DATA/hw_nas_bench/hwnasbench_nb201_cifar10.csv, $DATA/nb201_accuracy/nb201_accuracy.csv]
predictor: {initial: 10, per_generation: 1, trees: 20}
hypervolume: {reference: [85, 12.861970]}
output: {dir: out-boards}
boards: {bind: 'tcp://127.0.0.1:$PORT', key: disp.key, allow: allow.txt, wait_s: 30}
YAML
sed -e 's/delay_ms: 200/delay_ms: 20/' -e "s#table: ../hw_nas_bench#table: $DATA/hw_nas_bench#" \
    "$DATA/configs/board-replay-tx2.yaml" > board.yaml
"$HW" board --config board.yaml --id b1 --device tx2 --dispatcher "tcp://127.0.0.1:$PORT" --key b1.key \
    --dispatcher-key disp.pub --quiet 2> b1.log &
PIDS+=($!)
timeout $((120 * SLOW)) "$HW" search boards.yaml --run boards.h5 --quiet > boards.log 2>&1 || fail "board run"
"$HW" plot boards.h5 -o boards.png --hv-x board-hours > boards.txt || fail "plot --hv-x board-hours"
ispng boards.png
grep "measured:" boards.txt
grep -q "measured: latency_ms: board tx2 (replay), accuracy: table$" boards.txt ||
    fail "board provenance: $(grep measured: boards.txt)"

expect_exit 2 "size '799x480'.*800x480" "$HW" plot two.h5 -o x.png --size 799x480
expect_exit 2 "two.h5 records no board time" "$HW" plot two.h5 -o x.png --hv-x board-hours
expect_exit 2 "hv-x 'wall'" "$HW" plot two.h5 -o x.png --hv-x wall
echo "PASS test_plot_figures"
