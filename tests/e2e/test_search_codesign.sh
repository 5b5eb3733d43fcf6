#!/usr/bin/env bash
# e2e: joint network + accelerator search through the MPI engine
# (space codesign): P = 1 and P = 3 finish with a feasible 3-objective front
# whose values equal the co-design models'; a P = 3 run is deterministic and
# survives a SIGUSR1 checkpoint + resume bit-identically.
. "$(dirname "$0")/lib.sh" "$@"
LOG_TAIL=5
sed "s#codesign: codesign-nb201.yaml#codesign: $SRC/data/configs/codesign-nb201.yaml#; s/generations: 60/generations: 1500/" \
    "$SRC/data/configs/codesign-search.yaml" > c.yaml

"$HW" search c.yaml --quiet --out-dir p1 --summary p1.json > p1.log 2>&1 || fail "P=1 codesign search"
head -1 p1/front.csv | grep -q "accuracy,latency_ms,energy_mJ" || fail "front header: $(head -1 p1/front.csv)"
[ "$(tail -n +2 p1/front.csv | wc -l)" -ge 5 ] || fail "front too small"
# every front arch string is "<nb201 cell>@<accelerator>", and every front
# value equals the co-design models': latency and energy those of `hwnas
# accel report` for the same cell and accelerator, accuracy the NB201 table's
$PY - "$HW" "$SRC/data" <<'PY' || fail "front values differ from the co-design models"
import csv, re, subprocess, sys
hw, data = sys.argv[1], sys.argv[2]
acc = {r["arch_str"]: float(r["test_acc_200ep_cifar10"]) for r in csv.DictReader(open(data + "/nb201_accuracy/nb201_accuracy.csv"))}
rows = list(csv.DictReader(open("p1/front.csv")))
for r in rows:
    cell, _, accel = r["arch"].partition("@")
    assert accel, f"not a product genome: {r['arch']}"
    out = subprocess.run([hw, "accel", "report", "--config", data + "/configs/codesign-nb201.yaml", "--accel", accel,
                          "--arch", cell], capture_output=True, text=True, check=True).stdout
    lat, en = map(float, re.search(r"^# latency (\S+) ms  energy (\S+) mJ", out, re.M).groups())
    for name, got, want in (("latency_ms", float(r["latency_ms"]), lat), ("energy_mJ", float(r["energy_mJ"]), en),
                            ("accuracy", float(r["accuracy"]), acc[cell])):
        assert abs(got - want) <= 1e-5 * abs(want), f"{r['arch']}: {name} {got} in the front, model {want}"
print(f"ok: {len(rows)} front points equal the cost model and the table")
PY
timeout $((120 * SLOW)) mpirun --oversubscribe -n 3 "$HW" search c.yaml --quiet --out-dir a --summary a.json > a.log 2>&1 || fail "P=3"
timeout $((120 * SLOW)) mpirun --oversubscribe -n 3 "$HW" search c.yaml --quiet --out-dir b --summary b.json > b.log 2>&1 || fail "P=3 again"
cmp -s a/front.csv b/front.csv || fail "P=3 not deterministic"
mpirun --oversubscribe -n 3 "$HW" search c.yaml --out-dir r --run r.h5 --checkpoint-every 1000 > r.log 2>&1 &
PID=$!
n=300; while ! grep -qE "^gen +10 " r.log; do n=$((n-1)); [ $n -le 0 ] && fail "never reached generation 10"; sleep 0.1; done
kill -USR1 $PID; wait $PID; RC=$?
[ $RC = 3 ] || fail "exit status after SIGUSR1: $RC"
timeout $((120 * SLOW)) mpirun --oversubscribe -n 3 "$HW" search c.yaml --quiet --resume r.h5 --out-dir r > r2.log 2>&1 || fail "resume"
cmp -s a/front.csv r/front.csv || fail "resumed codesign run differs"
echo PASS
