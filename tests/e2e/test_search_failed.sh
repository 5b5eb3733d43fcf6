#!/usr/bin/env bash
# e2e: a latency table with failed cells (HW-NAS-Bench's -1.0, declared by
# missing_values: [-1]) and empty ones, accuracy `cost: free`, predictor
# mode. Checks: every failed measurement is charged and counted
# (failed_measurements and each history row agree with the trial list of
# the run file, one null latency per failed trial); no architecture is
# measured twice (trial list and progress log); no -1 reaches the front;
# the feasibility model keeps failures among the proposals well below
# what the same run makes without it (structured failures: nor_conv_3x3
# on edge 3<-0, 20 % of the space and much of the front); and a resumed run keeps its --max-measurements.
. "$(dirname "$0")/lib.sh" "$@"

# latency: TX2's, -1 where edge 3<-0 is nor_conv_3x3 (op code 3); TX2's own
# empty cells stay empty
"$PY" - "$DATA/hw_nas_bench/hwnasbench_nb201_cifar10.csv" > lat.csv <<'PY' || fail "fixture"
import csv, sys
r = csv.DictReader(open(sys.argv[1]))
print("arch_index,lat")
for row in r:
    v = "-1.0" if row["op_3_0"] == "3" else row["edgegpu_latency_ms"]
    print(f'{row["arch_index"]},{v}')
PY
cat > cfg.yaml <<YAML
space: {name: nb201}
objectives:
  - {name: accuracy, direction: maximize, source: test_acc_200ep_cifar10, cost: free}
  - {name: latency_ms, direction: minimize, source: lat, missing_values: [-1]}
algorithm: {population: 48, generations: 400, seed: 3, max_measurements: 200}
evaluator:
  kind: predictor
  measure_cost_s: 13.0
  tables: [lat.csv, $DATA/nb201_accuracy/nb201_accuracy.csv]
predictor: {initial: 12}
hypervolume: {reference: [85, 12.861970]}
output: {dir: out, run_file: run.h5, progress: progress.jsonl}
YAML
"$HW" search cfg.yaml --max-measurements 50 --summary s.json --quiet > run.log 2>&1 || fail "search: $(tail -3 run.log)"
"$HW" trials out/run.h5 --json > trials.json 2> trials.err || fail "trials: $(cat trials.err)"
"$PY" - <<'PY' || fail "accounting"
import json
s = json.load(open("s.json"))
t = json.load(open("trials.json"))["trials"]
ev = [json.loads(l) for l in open("out/progress.jsonl") if '"measurement"' in l]
meas = t
archs = [tr["arch"] for tr in meas]
assert len(archs) == len(set(archs)), "an architecture was measured twice"
assert len([e["arch"] for e in ev]) == len(set(e["arch"] for e in ev)) == len(meas), (len(ev), len(meas))
assert s["measurements"] == 50 == len(meas), (s["measurements"], len(meas))
failed = [e for e in ev if e["values"]["latency_ms"] is None]
assert s["failed_measurements"] == len(failed) > 0, (s["failed_measurements"], len(failed))
assert s["history"][-1]["failed"] == len(failed)
tf = [tr for tr in t if tr["objectives"]["latency_ms"]["value"] is None]
assert sorted(tr["arch"] for tr in tf) == sorted(e["arch"] for e in failed), "trial list and progress log disagree"
assert all(tr["cv"] != 0 for tr in tf), "a failed trial counted as feasible"
assert abs(s["board_hours"] - 50 * 13.0 / 3600) < 1e-9, s["board_hours"]
assert s["free_lookups"] >= s["measurements"], s["free_lookups"]
for e in ev:
    v = e["values"]["latency_ms"]
    assert v is None or v > 0, e
# failures among the surrogate's proposals (after the initial design):
# without the feasibility model (feasible_min: 0) 30 of 38 fail at seed 3
later = [e for e in ev if e["island"] >= 0]
lf = [e for e in later if e["values"]["latency_ms"] is None]
print(f"failed {len(failed)}/{len(ev)}; after the initial design {len(lf)}/{len(later)}")
assert len(lf) <= 0.45 * len(later), (len(lf), len(later))
PY
grep -q -- "-1" <(cut -d, -f4 out/front.csv | tail -n +2) && fail "a -1 latency on the front"
grep -q "measurements that cost (.* failed), .* free lookups" run.log || fail "report line: $(grep ground run.log)"
# resume keeps the budget the run was started with (50 from the flag, kept in
# the run file; the config says 200): another is refused, the same accepted
expect_exit 2 "run.h5: --max-measurements 60 differs from the run's budget 50" \
    "$HW" search cfg.yaml --resume out/run.h5 --max-measurements 60 --quiet
expect_exit 2 "run.h5: --max-measurements 200 differs from the run's budget 50" \
    "$HW" search cfg.yaml --resume out/run.h5 --max-measurements 200 --quiet
"$HW" search cfg.yaml --resume out/run.h5 --max-measurements 50 --quiet > resume.log 2>&1 \
    || fail "resume with the run's own budget: $(tail -2 resume.log)"
grep -q "this run finished" resume.log || fail "resume: $(cat resume.log)"
echo "PASS"
