#!/usr/bin/env bash
# e2e: output.progress and --progress.
# - the JSON-lines log grows while the search runs (lines are readable
#   before it ends, as `tail -f` needs), every line is one JSON object, one
#   "generation" object per history row of the summary (same measurements,
#   HV ratio) and one "measurement" object per run-file record, in the same
#   order as `hwnas trials` with the same values;
# - --progress draws a bar (measurements/budget, HV ratio) when stderr is a
#   terminal (script(1) gives it one), and nothing when it is a file;
# - an output.progress that cannot be opened: one line, exit 2.
. "$(dirname "$0")/lib.sh" "$@"
LOG_GLOBS+=("*.err") # the searches' stderr: why one failed
command -v script > /dev/null || fail "script (util-linux) missing"
cat > p.yaml <<YAML
objectives:
  - {name: accuracy, direction: maximize, source: test_acc_200ep_cifar10}
  - {name: latency_ms, direction: minimize, source: edgegpu_latency_ms}
algorithm: {population: 16, generations: 10, seed: 3, max_measurements: 30}
evaluator:
  kind: predictor
  measure_delay_s: 0.15
  tables: [$DATA/hw_nas_bench/hwnasbench_nb201_cifar10.csv, $DATA/nb201_accuracy/nb201_accuracy.csv]
predictor: {initial: 10, per_generation: 1, trees: 20}
hypervolume: {reference: [85, 12.861970]}
output: {dir: out, progress: p.jsonl}
YAML
"$HW" search p.yaml --quiet --run r.h5 --summary s.json > search.log 2>&1 &
S=$!; PIDS+=($S)
gens() { grep -c '"event": "generation"' out/p.jsonl 2>/dev/null; }
two_gens() { [ "$(gens)" -ge 2 ]; }
wait_for 30 two_gens || fail "no generation lines in out/p.jsonl while the search runs"
kill -0 $S 2>/dev/null || fail "the search ended before the check (make it longer)"
echo "ok: $(gens) generation lines while the search was running"
wait $S || fail "search"
"$HW" trials r.h5 > t.csv || fail "trials"
$PY - <<'PY' || fail "progress log checks"
import csv, json
lines = open("out/p.jsonl").read().split("\n")
assert lines[-1] == "", "last line not terminated"
ev = [json.loads(l) for l in lines[:-1]]
gens = [e for e in ev if e["event"] == "generation"]
meas = [e for e in ev if e["event"] == "measurement"]
assert len(gens) + len(meas) == len(ev), set(e["event"] for e in ev)
s = json.load(open("s.json"))
hist = s["history"]
print("generation lines", len(gens), "history rows", len(hist), "measurement lines", len(meas), "summary measurements", s["measurements"])
assert [g["generation"] for g in gens] == [h["generation"] for h in hist]
assert [g["measurements"] for g in gens] == [h["measurements"] for h in hist]
for g, h in zip(gens, hist):
    assert abs(g["hv_ratio"] - h["hv_ratio"]) < 1e-9, (g["hv_ratio"], h["hv_ratio"])
    assert g["budget"] == 30
rows = list(csv.DictReader(open("t.csv")))
assert len(meas) == len(rows) == s["measurements"], (len(meas), len(rows), s["measurements"])
for i, (m, r) in enumerate(zip(meas, rows)):
    assert m["index"] == i and m["arch"] == r["arch"] and m["measurements"] == i + 1, (i, m, r)
    assert m["generation"] == int(r["generation"]) and m["island"] == int(r["island"])
    for k in ("accuracy", "latency_ms"):
        v = m["values"][k]
        assert (v is None and r[k] == "") or v == float(r[k]), (k, v, r[k])
# times are Unix times, in order
t = [e["time"] for e in ev]
assert t == sorted(t) and t[0] > 1.6e9, t[:3]
PY
echo "ok: progress log matches the summary and the run file"

# --progress: a bar on a terminal, none on a file
script -qc "$HW search p.yaml --quiet --progress --out-dir tty" /dev/null > tty.txt 2>&1 || fail "search under script"
grep -aq $'\r\[[#.]*\] [0-9]*/30 meas  board [0-9]* s  HV ratio 0\.[0-9]*  gen 10' tty.txt \
    || fail "no progress bar on the terminal: $(tail -c 300 tty.txt | cat -v)"
"$HW" search p.yaml --quiet --progress --out-dir file > file.out 2> file.err || fail "search --progress to a file"
grep -q 'meas  board' file.err && fail "a bar was drawn into a file"
echo "ok: --progress bar on a terminal only"

touch afile
sed 's#progress: p.jsonl#progress: afile/p.jsonl#; s#dir: out#dir: .#' p.yaml > bad.yaml
expect_exit 2 "output.progress: ./afile" "$HW" search bad.yaml --quiet
echo "ok: bad output.progress"
