#!/bin/bash
# test_export_nb201: `hwnas export --space nb201` against implementations
# hwnas did not write. All 15,625 cells' graphs (structural exports) pass
# python3-onnx's checker and strict shape inference, and their conv/linear
# MACs and weights equal hwnas's layer model (src/space/layers_nb201.c);
# full exports of the cells NAS-Bench-201 publishes figures for match its
# parameter counts and FLOPs; full exports run in ONNX Runtime
# (onnxruntime-node) with finite logits of shape (B,10); bad input exits 2.
. "$(dirname "$0")/lib.sh" "$@"
CHECK=$SRC/tests/e2e/check_onnx_nb201.py
ORT=$SRC/tests/peers/ort_run.js
[ -d "$SRC/tests/peers/node_modules/onnxruntime-node" ] || fail "onnxruntime-node missing: run tools/setup.sh"
# structural exports are small but many: write them to tmpfs when there is one
SHM=$T
[ -d /dev/shm ] && [ -w /dev/shm ] && SHM=$(mktemp -d /dev/shm/hwnas-export-XXXXXX)
trap 'rm -rf "$SHM"; _e2e_cleanup' EXIT

first=0
while [ $first -lt 15625 ]; do
    n=$(( 15625 - first < 2500 ? 15625 - first : 2500 ))
    rm -rf "$SHM/all"
    "$HW" export --space nb201 --all "$SHM/all" --first $first --count $n > "$T/all.log" 2>&1 || fail "export --all $first"
    [ "$(ls "$SHM/all" | grep -c '\.onnx$')" -eq $n ] || fail "export --all $first: $(ls "$SHM/all" | wc -l) files"
    $PY "$CHECK" "$SHM/all" > "$T/check.log" 2>&1 || fail "python3-onnx check of cells $first..$((first + n - 1))"
    tail -1 "$T/check.log"
    grep -q "^checked $n structural models .*: 0 problems$" "$T/check.log" || fail "check summary"
    first=$((first + n))
done
# the 4 published cells (at least one structural chunk matched them too)
ALL3='|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|'
NONE='|none~0|+|none~0|none~1|+|none~0|none~1|none~2|'
SKIP='|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|'
POOL='|avg_pool_3x3~0|+|avg_pool_3x3~0|avg_pool_3x3~1|+|avg_pool_3x3~0|avg_pool_3x3~1|avg_pool_3x3~2|'
MIX='|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|'
DEAD='|none~0|+|none~0|none~1|+|nor_conv_1x1~0|none~1|avg_pool_3x3~2|'
i=0
for a in "$ALL3" "$NONE" "$SKIP" "$POOL"; do
    "$HW" export "$a" --space nb201 --onnx "$T/pub$i.onnx" > /dev/null || fail "export $a"
    i=$((i + 1))
done
$PY "$CHECK" "$T/empty" "$T"/pub*.onnx > "$T/pub.log" 2>&1; cat "$T/pub.log"
[ "$(grep -c ' ok$' "$T/pub.log")" -eq 4 ] || fail "published figures"
# ONNX Runtime runs full exports (batch 1 and 4)
for a in "$ALL3" "$NONE" "$POOL" "$MIX" "$DEAD"; do
    for b in 1 4; do
        "$HW" export "$a" --space nb201 --batch $b --seed 7 --onnx "$T/run.onnx" > /dev/null || fail "export $a"
        node "$ORT" nb201 "$T/run.onnx" $b > "$T/ort.json" 2> "$T/ort.log" || fail "ORT run of $a: $(cat "$T/ort.log")"
        [ "$(json_get "$T/ort.json" 'j["dims"] == ['$b', 10] and j["finite"]')" = True ] \
            || fail "ORT $a batch $b: $(cat "$T/ort.json")"
    done
done
echo "ORT ran 5 cells at batch 1 and 4"
# bad input: one line, exit 2
expect_exit 2 "ARCH: .*not an NB201 arch string" "$HW" export '|bogus~0|' --space nb201 --onnx "$T/x.onnx"
expect_exit 2 "--space 'cnn'" "$HW" export "$ALL3" --space cnn --onnx "$T/x.onnx"
expect_exit 2 "--onnx OUT is required" "$HW" export "$ALL3" --space nb201
expect_exit 2 "--batch" "$HW" export "$ALL3" --space nb201 --batch 0 --onnx "$T/x.onnx"
expect_exit 2 "--supernet is for --space bert" "$HW" export "$ALL3" --space nb201 --supernet x.h5 --onnx "$T/x.onnx"
expect_exit 2 "past index 15624" "$HW" export --space nb201 --all "$T/d" --first 15000 --count 1000
expect_exit 1 "cannot create" "$HW" export "$ALL3" --space nb201 --onnx "$T/no/such/dir/x.onnx"
[ ! -e "$T/x.onnx" ] || fail "a failed export left a file"
echo "test_export_nb201: ok"
