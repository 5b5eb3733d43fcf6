#!/bin/bash
# test_export_bert: `hwnas export --space bert` against implementations
# hwnas did not write. A tiny supernet is trained on SST-2; candidates are
# exported with its weights and ONNX Runtime's logits on SST-2 dev sentences
# match hwnas's own C forward (bert_model_forward) within 1e-4 relative
# (max over classes of |ort - hwnas| / max |hwnas|, per sentence); the
# exported models (and random-weight ones of the default space) pass
# python3-onnx's full checker and strict shape inference with logits
# (B,2); bad input exits 2 with one line.
. "$(dirname "$0")/lib.sh" "$@"
ORT=$SRC/tests/peers/ort_run.js
[ -d "$SRC/tests/peers/node_modules/onnxruntime-node" ] || fail "onnxruntime-node missing: run tools/setup.sh"

cat > "$T/tiny.yaml" <<YAML
task: sst2
output: $T/tiny.h5
space: {layers: [1, 2, 3], hidden: [16, 32], heads: [2, 4], ffn: [32, 64]}
model: {max_seq: 32, dropout: 0.1}
train: {batch: 16, steps: 30, n_random: 1, lr: 2.0e-3, warmup: 5, eval_every: 30, eval_max: 100, checkpoint_every: 30, seed: 3}
YAML
"$HW" supernet train "$T/tiny.yaml" > "$T/train.log" 2>&1 || fail "supernet train"

fullcheck() { # MODEL B NC: full checker + strict shape inference, logits (B,NC)
    $PY - "$@" <<'PY'
import sys, onnx
from onnx import shape_inference
m = onnx.load(sys.argv[1])
onnx.checker.check_model(m, full_check=True)
g = shape_inference.infer_shapes(m, strict_mode=True).graph
dims = [d.dim_value for d in g.output[0].type.tensor_type.shape.dim]
want = [int(sys.argv[2]), int(sys.argv[3])]
assert m.opset_import[0].version >= 13, m.opset_import
assert dims == want, (dims, want)
print(f"{sys.argv[1]}: checker + shape inference ok, logits {dims}, opset {m.opset_import[0].version}")
PY
}

DEV=$DATA/sst2/dev.tsv
worst=0
for a in L3:H32:A4.2.4:F64.32.64 L2:H32:A2.4:F32.64 L1:H16:A2:F32; do
    for b in 1 8; do
        "$HW" export "$a" --space bert --supernet "$T/tiny.h5" --batch $b --onnx "$T/m.onnx" \
            --reference "$DEV" --reference-rows 40 --reference-out "$T/ref.csv" > "$T/export.log" 2>&1 \
            || fail "export $a"
        fullcheck "$T/m.onnx" $b 2 || fail "python3-onnx rejected $a"
        node "$ORT" bert "$T/m.onnx" $b 32 "$T/ref.csv" > "$T/ort.json" 2> "$T/ort.log" || fail "ORT $a: $(cat "$T/ort.log")"
        echo "$a batch $b: $(cat "$T/ort.json")"
        [ "$(json_get "$T/ort.json" 'j["rows"] == 40 and j["finite"]')" = True ] || fail "ORT rows/finite"
        rel=$(json_get "$T/ort.json" 'j["max_rel"]')
        assert_close "$rel" 0 0 1e-4 "$a batch $b: max relative logit difference ORT vs hwnas"
    done
done
# the logits are not all alike (the comparison is not between constants)
$PY - "$T/ref.csv" <<'PY' || fail "hwnas logits do not vary across sentences"
import csv, sys
v = {r["logits"] for r in csv.DictReader(open(sys.argv[1]))}
sys.exit(0 if len(v) > 20 else 1)
PY
# a sample of the default space with random weights (no supernet), checked fully
for a in L2:H128:A2.4:F512.1024 L4:H256:A4.8.4.8:F1024.512.2048.512 L3:H192:A12.4.2:F3072.512.1024; do
    "$HW" export "$a" --space bert --seq-len 64 --batch 2 --onnx "$T/r.onnx" > /dev/null || fail "export $a"
    fullcheck "$T/r.onnx" 2 2 || fail "python3-onnx rejected $a"
done
# bad input
expect_exit 2 "ARCH" "$HW" export L2:H100:A2.2:F64.64 --space bert --onnx "$T/x.onnx"
expect_exit 2 "ARCH" "$HW" export L4:H32:A2.2.2.2:F64.64.64.64 --space bert --supernet "$T/tiny.h5" --onnx "$T/x.onnx"
expect_exit 2 "max_seq is 32" "$HW" export L1:H16:A2:F32 --space bert --supernet "$T/tiny.h5" --seq-len 64 --onnx "$T/x.onnx"
expect_exit 2 "reference needs --supernet" "$HW" export L1:H16:A2:F32 --space bert --reference "$DEV" --reference-out r.csv --onnx "$T/x.onnx"
printf 'sentence\tlabel\nno label here\n' > "$T/bad.tsv"
expect_exit 2 "bad.tsv:2" "$HW" export L1:H16:A2:F32 --space bert --supernet "$T/tiny.h5" --reference "$T/bad.tsv" --reference-out r.csv --onnx "$T/x.onnx"
head -c 1000 "$T/tiny.h5" > "$T/trunc.h5"
expect_exit 2 "trunc.h5" "$HW" export L1:H16:A2:F32 --space bert --supernet "$T/trunc.h5" --onnx "$T/x.onnx"
[ ! -e "$T/x.onnx" ] || fail "a failed export left a file"
echo "test_export_bert: ok"
