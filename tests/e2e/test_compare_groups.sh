#!/bin/bash
# test_compare_groups: `hwnas compare` over 3 seeds x 2 configs (two
# population sizes of nb201-tx2.yaml): groups by config and by label, the
# reference point is the configs' hypervolume.reference (final HV equals the
# run's own history), IGD+ equals a python recomputation against the true
# front of the tables, the figure is a PNG; refusals (exit 2, one line):
# other objectives, other references (accepted with --ref), bad --group-by.
. "$(dirname "$0")/lib.sh" "$@"
# ASan builds: LSan reads one suppressions file (the last one named wins):
# the suite's (Open MPI, search) and PLplot's font caches, merged
cat "$SRC/tests/lsan.supp" "$SRC/tests/e2e/test_front_lsan.supp" > lsan.supp
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$T/lsan.supp:print_suppressions=0"
mkcfg() { # NAME POPULATION REFERENCE BASE
    sed -e "s#\.\./#$DATA/#" -e "s#^  generations: .*#  generations: 3000\n  population: $2#" \
        -e "s#^  reference: .*#  reference: $3#" "$DATA/configs/$4" > "$1.yaml"
}
mkcfg small 16 "[85, 12.861970]" nb201-tx2.yaml
mkcfg large 48 "[85, 12.861970]" nb201-tx2.yaml
mkcfg otherref 16 "[80, 12.861970]" nb201-tx2.yaml
mkcfg three 16 "[85, 12.861970, 60]" nb201-tx2-3obj.yaml
for c in small large; do
    for s in 1 2 3; do
        "$HW" search $c.yaml --run $c-s$s.h5 --seed $s --generations 12 --quiet > $c-s$s.log 2>&1 || fail "search $c seed $s"
    done
done
"$HW" search otherref.yaml --run otherref-s1.h5 --seed 1 --generations 3 --quiet > o.log 2>&1 || fail "search otherref"
"$HW" search three.yaml --run three-s1.h5 --seed 1 --generations 3 --quiet > t.log 2>&1 || fail "search three"

"$HW" compare small-s*.h5 large-s*.h5 -o cmp.png > cmp.txt || fail "compare: $(cat cmp.txt)"
cat cmp.txt
grep -q "reference point: accuracy=85 latency_ms=12.862 (from hypervolume.reference" cmp.txt || fail "reference line"
grep -q "reference front: the true front of the config's tables, 25 points" cmp.txt || fail "true front not used"
[ "$(grep -c '^  G[12]  config [0-9a-f]\{8\}  (3 runs)$' cmp.txt)" = 2 ] || fail "expected 2 groups of 3 runs"
[ "$(head -c 8 cmp.png | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "cmp.png is not a PNG"
grep -A3 "^measurements to reach" cmp.txt | grep -q "^    0.95 " || fail "ratio table"
"$HW" compare small-s*.h5 large-s*.h5 --group-by label > lab.txt || fail "compare --group-by label"
grep -q "^  G1  small  (3 runs)$" lab.txt && grep -q "^  G2  large  (3 runs)$" lab.txt || fail "label groups: $(grep '^  G' lab.txt)"

# the final HV of each run with the configs' reference = the search's own last history HV
for r in small-s1 large-s2; do
    got=$(awk -v f="$r.h5" '$2 == f { print $5 }' cmp.txt)
    want=$("$HW" history $r.h5 --csv | tail -1 | cut -d, -f3)
    assert_close "$got" "$want" 1e-7 0 "final HV of $r"
done

# IGD+ against the tables' true front, recomputed in python from the CSV fronts
for r in small-s1 small-s2 small-s3 large-s1 large-s2 large-s3; do "$HW" front $r.h5 --csv > $r.csv || fail "front $r"; done
$PY - "$DATA" cmp.txt <<'PYEOF' || fail "IGD+ check"
import csv, math, sys
data, cmp_txt = sys.argv[1], sys.argv[2]
acc = {r["arch_index"]: r["test_acc_200ep_cifar10"] for r in csv.DictReader(open(data + "/nb201_accuracy/nb201_accuracy.csv"))}
pts = []
for r in csv.DictReader(open(data + "/hw_nas_bench/hwnasbench_nb201_cifar10.csv")):
    a, l = acc.get(r["arch_index"], ""), r["edgegpu_latency_ms"]
    if a and l and math.isfinite(float(a)) and math.isfinite(float(l)):
        pts.append((-float(a), float(l)))
front, best = set(), float("inf")
for x, y in sorted(set(pts)):                    # sweep: minimised, sorted by x then y
    if y < best: front.add((x, y)); best = y
ref = [p for p in pts if p in front]             # equal points all kept, as hwnas does
assert len(set(ref)) <= 25, len(ref)
scale = [max(p[k] for p in ref) - min(p[k] for p in ref) or 1 for k in (0, 1)]
rows = {l.split()[1]: float(l.split()[6]) for l in open(cmp_txt) if l.startswith("  G") and ".h5" in l}
for name, got in sorted(rows.items()):
    front = [(-float(r["accuracy"]), float(r["latency_ms"])) for r in csv.DictReader(open(name[:-3] + ".csv"))]
    igd = sum(min(math.sqrt(sum(max((a[k] - z[k]) / scale[k], 0) ** 2 for k in (0, 1))) for a in front) for z in ref) / len(ref)
    print(f"IGD+ {name}: hwnas {got:.6g} python {igd:.6g}")
    assert abs(got - igd) <= 1e-5 * max(igd, 1e-3), (name, got, igd)
PYEOF

# refusals: one line naming both runs, exit 2
expect_exit 2 "small-s1.h5 and three-s1.h5: different objectives" "$HW" compare small-s1.h5 small-s2.h5 three-s1.h5
expect_exit 2 "small-s1.h5 and otherref-s1.h5: hypervolume.reference differs" "$HW" compare small-s1.h5 small-s2.h5 otherref-s1.h5
"$HW" compare small-s1.h5 small-s2.h5 otherref-s1.h5 --ref 80,13 > ref.txt || fail "--ref did not override"
grep -q "accuracy=80 latency_ms=13 (from --ref)" ref.txt || fail "--ref line: $(grep reference ref.txt)"
expect_exit 2 "group-by 'seed'" "$HW" compare small-s1.h5 small-s2.h5 --group-by seed
expect_exit 2 "at least|two or more|run files" "$HW" compare small-s1.h5
echo "PASS test_compare_groups"
