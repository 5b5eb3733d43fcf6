#!/bin/bash
# test_board_onnxruntime: the shipped ONNX Runtime recipe end to end on
# loopback. `hwnas measure` (the dispatcher) sends NB201 and BERT candidates
# to a board running data/configs/board-onnxruntime.yaml (only the script
# path, run counts and keys changed): its command runner exports each with
# `hwnas export` and times it with onnxruntime-node. Every arch comes back
# once with status ok from runner `command`, finite positive latencies over
# the configured runs, and the all-conv3x3 NB201 network (220 MFLOPs) is
# slower than the convolution-free one (7.8 MFLOPs).
. "$(dirname "$0")/lib.sh" "$@"
[ -d "$SRC/tests/peers/node_modules/onnxruntime-node" ] || fail "onnxruntime-node missing: run tools/setup.sh"
"$HW" keygen --out disp > /dev/null && "$HW" keygen --out b1 > /dev/null || fail keygen
cp b1.pub allow.txt
ALL3='|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|'
NONE='|none~0|+|none~0|none~1|+|none~0|none~1|none~2|'
printf '%s\n' "$ALL3" "$NONE" '|nor_conv_1x1~0|+|skip_connect~0|avg_pool_3x3~1|+|none~0|nor_conv_3x3~1|skip_connect~2|' \
    L2:H128:A2.4:F512.1024 L4:H256:A4.8.4.8:F1024.512.2048.512 > archs.txt
sed -e "s|/usr/local/share/hwnas/board/measure-onnx.sh|$SRC/data/board/measure-onnx.sh|" \
    -e 's/"seq_len=128", "warmup=10", "runs=30"/"seq_len=32", "warmup=2", "runs=7"/' \
    -e "s|work_dir: /tmp/hwnas-board|work_dir: $T/work|" \
    "$DATA/configs/board-onnxruntime.yaml" > board.yaml
grep -q '"runs=7"' board.yaml && grep -q "$SRC/data/board" board.yaml || fail "could not adapt the shipped config"
"$HW" measure --dispatcher 'tcp://127.0.0.1:*' --endpoint-file ep --device cpu-onnxruntime --archs archs.txt \
    --out out.csv --key disp.key --allow allow.txt --timeout-s 300 2> measure.log &
M=$!; PIDS+=($M)
wait_for 10 test -s ep || fail "measure did not write its endpoint"
HWNAS=$HW HWNAS_ORT_NODE_PATH=$SRC/tests/peers/node_modules \
    "$HW" board --config board.yaml --dispatcher "$(cat ep)" --key b1.key --dispatcher-key disp.pub 2> board.log &
PIDS+=($!)
n=0
while kill -0 $M 2>/dev/null; do
    n=$((n + 1)); [ $n -le 3000 ] || fail "measure did not finish in 300 s"
    sleep 0.1
done
wait $M || fail "measure exit status $?"
cat out.csv
$PY - out.csv archs.txt "$ALL3" "$NONE" <<'PY' || fail "results"
import csv, math, sys
rows = list(csv.DictReader(open(sys.argv[1])))
archs = [a.strip() for a in open(sys.argv[2]) if a.strip()]
assert sorted(r["arch"] for r in rows) == sorted(archs), "each arch exactly once"
for r in rows:
    med, mn = float(r["median_ms"]), float(r["min_ms"])
    assert r["status"] == "ok" and r["runner"] == "command", r
    assert math.isfinite(med) and 0 < mn <= med, r
    assert int(r["repetitions"]) == 7, r
by = {r["arch"]: float(r["median_ms"]) for r in rows}
print(f"all-conv3x3 {by[sys.argv[3]]:.3f} ms, conv-free {by[sys.argv[4]]:.3f} ms")
assert by[sys.argv[3]] > by[sys.argv[4]], "the 220-MFLOP network is not slower than the 7.8-MFLOP one"
PY
echo "test_board_onnxruntime: ok"
