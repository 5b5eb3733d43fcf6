#!/usr/bin/env bash
# e2e: a predictor-driven search whose latency ground truth comes from two
# replay board agents (real TX2 measurements replayed over ZeroMQ + CURVE on
# 127.0.0.1), run at P = 1 and P = 3. Checks: the runs finish within the
# budget, board time is accounted, the run file's training sets name the
# true source of each value (accuracy: the table; latency: board b1/b2,
# runner replay), and the fronts are identical to a run
# whose latency comes from the same table in-process (the boards answered
# every job, exactly, in a deterministic order).
. "$(dirname "$0")/lib.sh" "$@"
LOG_TAIL=20
"$HW" keygen --out disp >/dev/null || fail keygen
for b in b1 b2; do "$HW" keygen --out $b >/dev/null || fail keygen; cat $b.pub >> allow.txt; done
PORT=$(( 20000 + (RANDOM % 20000) ))

write_cfg() { # $1 = file, $2 = "boards" or "table"
    local dev="" boards=""
    if [ "$2" = boards ]; then
        dev=", device: tx2"
        boards="boards: {bind: 'tcp://127.0.0.1:$PORT', key: disp.key, allow: allow.txt, wait_s: 30}"
    fi
    cat > "$1" <<YAML
objectives:
  - {name: accuracy, direction: maximize, source: test_acc_200ep_cifar10}
  - {name: latency_ms, direction: minimize, source: edgegpu_latency_ms$dev}
algorithm: {population: 16, generations: 100, seed: 3, max_measurements: 24}
evaluator:
  kind: predictor
  tables: [$DATA/hw_nas_bench/hwnasbench_nb201_cifar10.csv, $DATA/nb201_accuracy/nb201_accuracy.csv]
predictor: {initial: 10, per_generation: 1, trees: 20}
hypervolume: {reference: [85, 12.861970]}
output: {dir: out-$2}
$boards
YAML
}
write_cfg boards.yaml boards
write_cfg table.yaml table

# boards first: they connect out and retry until the dispatcher binds
sed 's/delay_ms: 200/delay_ms: 5/' "$DATA/configs/board-replay-tx2.yaml" > board.yaml
sed -i "s#table: ../hw_nas_bench#table: $DATA/hw_nas_bench#" board.yaml
for b in b1 b2; do
    "$HW" board --config board.yaml --id $b --device tx2 --dispatcher "tcp://127.0.0.1:$PORT" \
        --key $b.key --dispatcher-key disp.pub --quiet 2> $b.log &
    PIDS+=($!)
done

timeout $((120 * SLOW)) "$HW" search table.yaml --quiet --summary table.json > table.log 2>&1 || fail "table run failed"
cp out-table/front.csv front_table.csv
timeout $((120 * SLOW)) "$HW" search boards.yaml --quiet --summary b1.json --run b1.h5 > run1.log 2>&1 \
    || fail "board run (P=1) failed"
cp out-boards/front.csv front1.csv
timeout $((180 * SLOW)) mpirun --oversubscribe -n 3 "$HW" search boards.yaml --quiet --summary b3.json > run3.log 2>&1 \
    || fail "board run (P=3) failed"
cp out-boards/front.csv front3.csv
timeout $((180 * SLOW)) mpirun --oversubscribe -n 3 "$HW" search table.yaml --quiet --summary t3.json > t3.log 2>&1 \
    || fail "table run (P=3) failed"

python3 - <<'PY' || fail "summary checks"
import json, sys
t, b1, b3, t3 = (json.load(open(f)) for f in ("table.json", "b1.json", "b3.json", "t3.json"))
assert b1["measurements"] == 24, b1["measurements"]
assert b3["measurements"] == 24, b3["measurements"]
# boards return the table's values: same measurements, same HV, as in-process
assert b1["hv"] == t["hv"], (b1["hv"], t["hv"])
assert b3["hv"] == t3["hv"], (b3["hv"], t3["hv"])
assert [h["measurements"] for h in b1["history"]] == [h["measurements"] for h in t["history"]]
print("ok: hv", b1["hv"], b3["hv"])
PY
# provenance: accuracy comes from the table, latency from the replay boards
/usr/bin/python3 - <<'PY' || fail "training-set provenance"
import h5py
ts = h5py.File("b1.h5", "r")["predictor/trainsets"]
by = {ts[k].attrs["target"].decode(): ts[k] for k in ts}
acc, lat = by["accuracy"], by["latency_ms"]
s = lambda d, c: {x.decode() for x in d[c][:]}
print("accuracy", acc.attrs["device"], s(acc, "board"), s(acc, "runner"))
print("latency", lat.attrs["device"], s(lat, "board"), s(lat, "runner"))
assert acc.attrs["device"].decode() == "table" and s(acc, "board") == {"table"} and s(acc, "runner") == {"table"}
assert lat.attrs["device"].decode() == "tx2" and s(lat, "board") <= {"b1", "b2"} and s(lat, "runner") == {"replay"}
PY
cmp -s front1.csv front_table.csv || { diff front1.csv front_table.csv; fail "P=1 board front differs from the table front"; }
grep -q "board time" run1.log || fail "no board time in the report"
echo "PASS"
