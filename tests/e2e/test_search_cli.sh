#!/usr/bin/env bash
# e2e: `hwnas search` on the shipped configs and its error handling.
# - nb201-tx2.yaml finds the exact 25-point front (HV ratio 1, HV
#   100.543057 = an independent computation over the table), writes the
#   front CSV and a JSON summary with the documented keys;
# - the 3-objective and the latency <= 5 ms configs run; every front point of
#   the constrained one is feasible;
# - bad flags / configs: one line "hwnas: ..." on stderr, exit 2.
. "$(dirname "$0")/lib.sh" "$@"

"$HW" search "$SRC/data/configs/nb201-tx2.yaml" --summary s.json --out-dir out > stdout.txt 2> stderr.txt \
    || fail "default search failed: $(tail -3 stderr.txt)"
grep -q "^gen " stderr.txt || fail "no per-generation lines"
grep -q "Pareto front (25 points" stdout.txt || fail "front table missing"
[ "$(tail -n +2 out/front.csv | wc -l)" = 25 ] || fail "front.csv should have 25 rows"
python3 - <<'PY' || fail "summary"
import json
s = json.load(open("s.json"))
for k in ("generations", "evaluations", "measurements", "front_size", "hv", "hv_ratio", "wall_s"):
    assert k in s, k
# 25 front points; one (accuracy below 85 %) lies outside the reference box
assert s["front_size"] == 25 and s["true_front_found"] == 24 and s["true_front_size"] == 24, s
assert s["true_front_outside_ref"] == 1, s
assert s["measurements"] <= s["evaluations"]
PY
assert_close "$(json_get s.json 'j["hv"]')" 100.543057 0 1e-5 "summary hv"
assert_close "$(json_get s.json 'j["hv_ratio"]')" 1 0 1e-12 "summary hv_ratio"
# the front CSV agrees with a brute-force front of the joined tables
python3 - "$SRC/data" <<'PY' || fail "front differs from brute force"
import csv, sys
d = sys.argv[1]
acc = {r["arch_index"]: float(r["test_acc_200ep_cifar10"]) for r in csv.DictReader(open(d + "/nb201_accuracy/nb201_accuracy.csv"))}
pts = sorted((float(r["edgegpu_latency_ms"]), -acc[r["arch_index"]], r["arch_index"])
             for r in csv.DictReader(open(d + "/hw_nas_bench/hwnasbench_nb201_cifar10.csv")) if r["edgegpu_latency_ms"])
arch = {r["arch_index"]: r["arch_str"] for r in csv.DictReader(open(d + "/hw_nas_bench/hwnasbench_nb201_cifar10.csv"))}
front, best = set(), float("inf")
for lat, nacc, idx in pts:
    if nacc < best:
        front.add(arch[idx]); best = nacc
got = {r["arch"] for r in csv.DictReader(open("out/front.csv"))}
assert got == front, (sorted(got ^ front))
PY
echo "ok: default search finds the exact front"

"$HW" search "$SRC/data/configs/nb201-tx2-3obj.yaml" --quiet --generations 30 --out-dir o3 > /dev/null 2>&1 \
    || fail "3-objective search"
head -1 o3/front.csv | grep -q "energy_mJ" || fail "3-objective front lacks energy"
"$HW" search "$SRC/data/configs/nb201-tx2-lat5.yaml" --quiet --generations 30 --out-dir oc > /dev/null 2>&1 \
    || fail "constrained search"
python3 -c "
import csv
rows = list(csv.DictReader(open('oc/front.csv')))
assert rows and all(float(r['latency_ms']) <= 5 for r in rows), rows
" || fail "constrained front has infeasible points"
echo "ok: 3-objective and constrained configs"

# errors: exit 2 and exactly one line on stderr
err() { # expect exit 2 with a one-line message containing $1; rest = command
    local want=$1; shift
    "$@" > e.out 2> e.err; local rc=$?
    [ $rc = 2 ] || fail "'$*': exit $rc, want 2"
    [ "$(wc -l < e.err)" = 1 ] || fail "'$*': stderr is not one line: $(cat e.err)"
    grep -q -- "$want" e.err || fail "'$*': message '$(cat e.err)' lacks '$want'"
}
err "unknown option" "$HW" search --bogus x.yaml
err "expected exactly one CONFIG" "$HW" search
err "cannot open" "$HW" search /nonexistent.yaml
printf 'objectives: [\n' > bad.yaml
err "bad.yaml:2: malformed YAML" "$HW" search bad.yaml
sed 's/  seed: 1/  sede: 1/' "$SRC/data/configs/nb201-tx2.yaml" > typo.yaml
err "key 'algorithm.sede': unknown key" "$HW" search typo.yaml
sed 's/generations: 3000/generations: many/' "$SRC/data/configs/nb201-tx2.yaml" > type.yaml
err "expected an integer, got 'many'" "$HW" search type.yaml
sed 's/generations: 3000/generations: -1/' "$SRC/data/configs/nb201-tx2.yaml" > range.yaml
err "-1 is out of range" "$HW" search range.yaml
sed "s#- ../hw_nas_bench/hwnasbench_nb201_cifar10.csv#- $T/missing.csv#" "$SRC/data/configs/nb201-tx2.yaml" > miss.yaml
err "missing.csv: cannot open" "$HW" search miss.yaml
err "option --seed: 'x' is not an integer" "$HW" search "$SRC/data/configs/nb201-tx2.yaml" --seed x
err "unknown command" "$HW" frobnicate
echo "ok: errors"
"$HW" search --help | grep -q -- "--summary" || fail "--help lacks --summary"
"$HW" --help | grep -q "search" || fail "hwnas --help lacks search"
echo PASS
