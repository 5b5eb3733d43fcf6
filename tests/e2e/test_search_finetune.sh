#!/usr/bin/env bash
# e2e: a BERT-space search whose accuracy ground truth is proxy fine-tuning
# (a tiny supernet trained here on sms_spam, K steps per candidate) and whose
# latency ground truth is a board agent running the builtin C forward pass
# on 127.0.0.1. At P = 1, 2 and 3: the budget is used, fine-tuned accuracies
# and measured latencies reach the front, and the measured values are
# recorded in the run file's training sets. At P > 1 the fine-tuning jobs
# are spread over the ranks (island ranks run some: provenance rankN, N > 0),
# and a candidate's fine-tuned accuracy is the same whichever rank ran it.
. "$(dirname "$0")/lib.sh" "$@"
LOG_TAIL=8
SPACE="{layers: [1, 2], hidden: [16, 32], heads: [2, 4], ffn: [32, 64]}"
cat > sn.yaml <<YAML
task: sms_spam
output: $T/sn.h5
space: $SPACE
model: {max_seq: 32, dropout: 0.1}
train: {batch: 16, steps: 150, n_random: 1, lr: 2.0e-3, warmup: 5, eval_every: 50, eval_max: 200, checkpoint_every: 50, seed: 3}
YAML
"$HW" supernet train sn.yaml > sn.log 2>&1 || fail "supernet train"
"$HW" keygen --out disp > /dev/null && "$HW" keygen --out b1 > /dev/null || fail keygen
cp b1.pub allow.txt
PORT=$(( 20000 + (RANDOM % 20000) ))
cat > board.yaml <<YAML
id: cpu-01
device: cpu-bert
dispatcher: tcp://127.0.0.1:$PORT
dispatcher_key: $T/disp.pub
key: $T/b1.key
runner: builtin
builtin: {batch: 1, seq_len: 32, warmup: 1, runs: 3, threads: 1, vocab: 30522, seed: 1, space: $SPACE}
YAML
"$HW" board --config board.yaml --quiet 2> board.log &
PIDS+=($!)
cat > s.yaml <<YAML
space:
  name: bert
  bert: $SPACE
objectives:
  - {name: accuracy, direction: maximize, source: finetune}
  - {name: latency_ms, direction: minimize, device: cpu-bert}
algorithm: {population: 12, generations: 100, seed: 5, max_measurements: 10}
evaluator: {kind: predictor}
predictor: {initial: 4, per_generation: 1, method: rf, trees: 20}
finetune: {supernet: sn.h5, task: sms_spam, steps: 10, eval_max: 300, batch: 8}
boards: {bind: 'tcp://127.0.0.1:$PORT', key: disp.key, allow: allow.txt, wait_s: 60}
YAML
timeout $((300 * SLOW)) "$HW" search s.yaml --quiet --summary s1.json --out-dir o1 --run o1/run.h5 > s1.log 2>&1 || fail "P=1 search"
for P in 2 3; do
    timeout $((300 * SLOW)) mpirun --oversubscribe -n $P "$HW" search s.yaml --quiet --summary s$P.json --out-dir o$P \
        --run o$P/run.h5 > s$P.log 2>&1 || fail "P=$P search"
done
python3 - <<'PY' || fail "results"
import csv, json
for f, front in (("s1.json", "o1/front.csv"), ("s2.json", "o2/front.csv"), ("s3.json", "o3/front.csv")):
    s = json.load(open(f))
    assert s["measurements"] == 10, (f, s["measurements"])
    rows = list(csv.DictReader(open(front)))
    assert rows, front
    for r in rows:
        acc, lat = float(r["accuracy"]), float(r["latency_ms"])
        assert 0 <= acc <= 100 and lat > 0, r
        assert r["arch"].startswith("L"), r
print("ok")
PY
grep -q "board time" s1.log || fail "no board time"
/usr/bin/python3 - <<'PY' || fail "fine-tuning provenance (device 'finetune', runner 'finetune', rank; latency from the board)"
import h5py
acc = {}  # arch -> accuracy, over every run: must agree
for P in (1, 2, 3):
    f = h5py.File(f"o{P}/run.h5", "r")
    ts = f["predictor/trainsets"]
    k = [k for k in ts if ts[k].attrs["target"] in ("accuracy", b"accuracy")][0]
    arch = [a.decode() for a in ts[k]["arch"][:]]
    board = [b.decode() for b in ts[k]["board"][:]]
    runner = [r.decode() for r in ts[k]["runner"][:]]
    vals = ts[k]["values"][:]
    assert len(arch) == 10, (P, len(arch))
    assert set(runner) == {"finetune"}, (P, set(runner))
    dev = ts[k].attrs["device"]
    assert dev in ("finetune", b"finetune"), ("fine-tuned accuracy's device", P, dev)
    kl = [k for k in ts if ts[k].attrs["target"] in ("latency_ms", b"latency_ms")][0]
    lrun = {r.decode() for r in ts[kl]["runner"][:]}
    assert lrun == {"builtin"}, ("latency measured by the builtin board", P, lrun)
    assert all(b.startswith("rank") for b in board), (P, board)
    ranks = {int(b[4:]) for b in board}
    assert ranks <= set(range(P)), (P, ranks)
    if P > 1:
        assert ranks & set(range(1, P)), ("no island rank fine-tuned", P, board)
    for a, v in zip(arch, vals):
        assert acc.setdefault(a, v) == v, ("rank-dependent fine-tuning", a, acc[a], v)
    print(P, sorted(ranks))
assert len(set(acc.values())) >= 3, ("fine-tuning does not tell candidates apart", acc)
print("ok", len(acc), "distinct candidates")
PY
"$HW" front o1/run.h5 --csv > front_h5.csv 2> front_h5.err || fail "front of the run file: $(cat front_h5.err)"
echo PASS
