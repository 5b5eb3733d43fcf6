#!/usr/bin/env bash
# e2e: a BERT search whose space lies outside its supernet's, whose device
# no listed board config serves, or whose builtin board cannot measure the
# search space is refused at start-up: one line naming the key and the
# value, exit 2, before any board or MPI work (no output directory made).
# And the shipped configs agree: every search config's device is the device
# of a shipped board config, and the shipped BERT search's space lies inside
# the tiny supernet's and the builtin board's.
. "$(dirname "$0")/lib.sh" "$@"
cat > sn.yaml <<YAML
task: sms_spam
output: $T/sn.h5
space: {layers: [1, 2], hidden: [16, 32], heads: [2, 4], ffn: [32, 64]}
model: {max_seq: 16, dropout: 0.1}
train: {batch: 4, steps: 1, n_random: 0, lr: 1.0e-3, warmup: 0, eval_every: 0, eval_max: 8, checkpoint_every: 0, seed: 1}
YAML
"$HW" supernet train sn.yaml --quiet > sn.log 2>&1 || fail "supernet train"
sed -e 's/^id: .*/id: b1/' "$DATA/configs/board-builtin-cpu.yaml" > board.yaml
sed -e 's/^  space: .*/  space: {layers: [2], hidden: [16, 32], heads: [2, 4], ffn: [32, 64]}/' board.yaml > board-l2.yaml
write_cfg() { # $1 file, $2 space.bert, $3 device, $4 board config, [$5 supernet]
    cat > "$1" <<YAML
space: {name: bert, bert: $2}
objectives:
  - {name: accuracy, direction: maximize, source: finetune}
  - {name: latency_ms, direction: minimize, device: $3}
algorithm: {population: 8, generations: 2, max_measurements: 4}
evaluator: {kind: predictor}
finetune: {supernet: ${5:-sn.h5}, task: sms_spam, steps: 1}
boards: {bind: 'tcp://127.0.0.1:1', key: none.key, allow: none.txt, configs: [$4], wait_s: 1}
output: {dir: out-$1}
YAML
}
IN="{layers: [1, 2], hidden: [16, 32], heads: [2], ffn: [32, 64]}"
write_cfg layers.yaml "{layers: [1, 2, 8], hidden: [16, 32], heads: [2], ffn: [32]}" cpu-bert board.yaml
expect_exit 2 "layers.yaml:1: key 'space.bert.layers': 8 is outside the supernet's space .*sn.h5 has layers \[1 2\]" \
    "$HW" search layers.yaml
write_cfg hidden.yaml "{layers: [1], hidden: [16, 48], heads: [2], ffn: [32]}" cpu-bert board.yaml
expect_exit 2 "key 'space.bert.hidden': 48 is outside" "$HW" search hidden.yaml
write_cfg ffn.yaml "{layers: [1], hidden: [16], heads: [2], ffn: [32, 128]}" cpu-bert board.yaml
expect_exit 2 "key 'space.bert.ffn': 128 is outside" "$HW" search ffn.yaml
write_cfg device.yaml "$IN" jetson-tx2 board.yaml
expect_exit 2 "device.yaml:4: key 'objectives\[1\].device': no board config in boards.configs serves device 'jetson-tx2' \(they serve: cpu-bert\)" \
    "$HW" search device.yaml
write_cfg narrow.yaml "$IN" cpu-bert board-l2.yaml
expect_exit 2 "board config .*board-l2.yaml \(device 'cpu-bert'\) cannot measure the search space: space.bert.layers 1 is not in its builtin.space \[2\]" \
    "$HW" search narrow.yaml
write_cfg nosn.yaml "$IN" cpu-bert board.yaml missing.h5
expect_exit 2 "key 'finetune.supernet': .*missing.h5: cannot read supernet file" "$HW" search nosn.yaml
echo junk > junk.h5
write_cfg junksn.yaml "$IN" cpu-bert board.yaml junk.h5
expect_exit 2 "junk.h5: not a \(complete\) HDF5 file" "$HW" search junksn.yaml
write_cfg badboard.yaml "$IN" cpu-bert nothere.yaml
expect_exit 2 "nothere.yaml" "$HW" search badboard.yaml
for f in layers hidden ffn device narrow nosn junksn badboard; do
    [ ! -e "out-$f.yaml" ] || fail "$f.yaml: refused, yet the output directory was created"
done
$PY - "$DATA/configs" <<'PY' || fail "shipped configs disagree"
import glob, os, sys, yaml
d = sys.argv[1]
load = lambda f: yaml.safe_load(open(os.path.join(d, f)))
served = {load(os.path.basename(f))["device"] for f in glob.glob(os.path.join(d, "board-*.yaml"))}
for f in sorted(glob.glob(os.path.join(d, "*.yaml"))):
    for o in (yaml.safe_load(open(f)) or {}).get("objectives", []):
        if "device" in o:
            assert o["device"] in served, (os.path.basename(f), o["device"], "served:", sorted(served))
search, sn, board = load("bert-sst2-boards.yaml"), load("supernet-sst2-tiny.yaml"), load("board-builtin-cpu.yaml")
assert board["device"] == [o for o in search["objectives"] if "device" in o][0]["device"]
assert search["boards"]["configs"] == ["board-builtin-cpu.yaml"]
for k, v in search["space"]["bert"].items():
    assert set(v) <= set(sn["space"][k]), ("search vs supernet", k, v, sn["space"][k])
    assert set(v) <= set(board["builtin"]["space"][k]), ("search vs board", k, v, board["builtin"]["space"][k])
print("shipped configs agree; devices served:", sorted(served))
PY
echo PASS
