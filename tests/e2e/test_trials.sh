#!/bin/bash
# test_trials: `hwnas trials` on a predictor-mode search with 2 islands.
# Read back with /usr/bin/python3's csv module and h5py (no hwnas): one row
# per /evaluated row with the same arch, generation, island and values;
# the run file records generation and island (initial design -1, then both
# islands, generations increasing) and the surrogate's mean/std for every
# proposed candidate and none for the initial design; --json holds the same
# rows; bad input is one line and exit 2.
. "$(dirname "$0")/lib.sh" "$@"
$PY -c 'import h5py' || fail "python3-h5py is not installed"

mpirun --oversubscribe -n 3 "$HW" search "$SRC/data/configs/nb201-tx2-predictor.yaml" --quiet --generations 12 \
    --out-dir o --run r.h5 > search.log 2>&1 || fail "search"
"$HW" trials r.h5 > t.csv 2> t.err || fail "trials: $(cat t.err)"
"$HW" trials r.h5 --json > t.json 2> t.err || fail "trials --json: $(cat t.err)"

$PY - <<'PY' || fail "trials table does not match the run file"
import csv, json, math
import h5py
f = h5py.File("r.h5", "r")
ev = f["evaluated"]
names = [s.decode() for s in f["objectives/names"][:]]
arch = [s.decode() for s in ev["strings"][:]]
gen, isl = list(ev["generation"][:]), list(ev["island"][:])
obj, mu, sd = ev["objectives"][:], ev["pred_mean"][:], ev["pred_std"][:]
rows = list(csv.DictReader(open("t.csv", newline="")))
print("rows", len(rows), "evaluated", len(arch))
assert len(rows) == len(arch) > 12
init = 12  # predictor.initial
assert gen[:init] == [-1] * init and isl[:init] == [-1] * init, (gen[:init], isl[:init])
assert all(g >= 0 for g in gen[init:]), gen
assert sorted(set(isl[init:])) == [0, 1], set(isl[init:])
assert gen[init:] == sorted(gen[init:]), gen
for i, r in enumerate(rows):
    assert r["arch"] == arch[i] and int(r["generation"]) == gen[i] and int(r["island"]) == isl[i], (i, r)
    for k, n in enumerate(names):
        v = obj[i][k]
        got = float(r[n]) if r[n] else float("nan")
        assert (math.isnan(v) and math.isnan(got)) or got == v, (i, n, got, v)
        if i < init:
            assert r[n + "_pred_mean"] == "" and r[n + "_pred_std"] == "", (i, r)
            assert math.isnan(mu[i][k]), (i, mu[i][k])
        else:
            m, s = float(r[n + "_pred_mean"]), float(r[n + "_pred_std"])
            assert m == mu[i][k] and s == sd[i][k] and s > 0, (i, n, m, mu[i][k], s)
        if not math.isnan(v):
            assert r[n + "_runner"] == "table" and r[n + "_board"] == "table", (i, r)
# predictions are near the measured values they predicted (a sanity check
# that pred_mean is in the objectives' own units, not negated)
acc = [(mu[i][0], obj[i][0]) for i in range(init, len(arch)) if not math.isnan(obj[i][0])]
err = sorted(abs(a - b) for a, b in acc)[len(acc) // 2]
print("median |predicted - measured| accuracy:", err)
assert err < 10, err
j = json.load(open("t.json"))
assert [o["name"] for o in j["objectives"]] == names
assert len(j["trials"]) == len(rows)
for r, t in zip(rows, j["trials"]):
    assert t["arch"] == r["arch"] and t["generation"] == int(r["generation"]) and t["island"] == int(r["island"])
    for n in names:
        pm = t["objectives"][n]["pred_mean"]
        assert (pm is None and r[n + "_pred_mean"] == "") or pm == float(r[n + "_pred_mean"]), (pm, r)
PY
echo "ok: trials table round-trips through csv, json and h5py"

expect_exit 2 "no-such.h5" "$HW" trials no-such.h5
expect_exit 2 "exclusive" "$HW" trials r.h5 --csv --json
printf 'not hdf5\n' > bad.h5
expect_exit 2 "bad.h5" "$HW" trials bad.h5
echo "ok: bad input"
