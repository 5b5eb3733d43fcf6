#!/bin/bash
# test_front_cli: the offline commands on run files written by the
# checkpoint code (bench_ckpt demo = an NSGA-II run replayed on the NB201
# tables): front (table, CSV, JSON, --measured-only), history, compare
# (a run with itself: ratio 1, nothing on one front only; two seeds), plot
# (PNG and SVG), and bad input: one line on stderr, exit 2, no crash.
. "$(dirname "$0")/lib.sh" "$@"
DEMO="$BUILD/bench_ckpt"
HERE=$SRC/tests/e2e
# ASan builds: PLplot's driver loader and fontconfig keep caches for the
# life of the process; suppress those (and only those) leak reports. LSan
# reads one suppressions file (the last named wins over CTest's): merge.
cat "$SRC/tests/lsan.supp" "$HERE/test_front_lsan.supp" > lsan.supp
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$T/lsan.supp:print_suppressions=0"
W=$T
[ -x "$DEMO" ] || fail "$DEMO not built"

"$DEMO" demo "$W/a.h5" --islands 2 --pop 24 --gens 10 --seed 1 || fail "demo a"
"$DEMO" demo "$W/b.h5" --islands 2 --pop 24 --gens 10 --seed 2 || fail "demo b"

# --- front -------------------------------------------------------------------
"$HWNAS" front "$W/a.h5" > "$W/front.txt" || fail "front"
head -1 "$W/front.txt" | grep -q "points on the front of 480 points" || fail "front header: $(head -1 "$W/front.txt")"
"$HWNAS" front "$W/a.h5" --csv > "$W/front.csv" || fail "front --csv"
head -1 "$W/front.csv" | grep -qx "top1_acc,latency_ms,top1_acc_measured,latency_ms_measured,island,generation,arch" ||
    fail "csv header: $(head -1 "$W/front.csv")"
n=$(($(wc -l < "$W/front.csv") - 1))
[ "$n" -ge 3 ] || fail "front has only $n points"
[ "$(($(wc -l < "$W/front.txt") - 2))" = "$n" ] || fail "table and CSV disagree"
# one layout: the table's header names are the CSV's, in the same order
[ "$(sed -n 2p "$W/front.txt" | tr -s ' ' | sed 's/^ //')" = "$(head -1 "$W/front.csv" | tr ',' ' ')" ] ||
    fail "table header '$(sed -n 2p "$W/front.txt")' is not the CSV header '$(head -1 "$W/front.csv")'"
"$HWNAS" front "$W/a.h5" --json > "$W/front.json" || fail "front --json"
$PY - "$W/front.json" "$n" <<'PYEOF' || fail "json"
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["front"]) == int(sys.argv[2]), len(d["front"])
assert [o["direction"] for o in d["objectives"]] == ["maximise", "minimise"]
pts = [p["values"] for p in d["front"]]
# mutually non-dominated (acc max, lat min)
for a in pts:
    for b in pts:
        assert not (b[0] >= a[0] and b[1] <= a[1] and (b[0] > a[0] or b[1] < a[1])), (a, b)
PYEOF
"$HWNAS" front "$W/a.h5" --csv --measured-only > "$W/mfront.csv" || fail "front --measured-only"
awk -F, 'NR > 1 && ($3 != 1 || $4 != 1) { bad = 1 } END { exit bad }' "$W/mfront.csv" ||
    fail "--measured-only printed predicted points"
grep -q ',0,' "$W/front.csv" || echo "note: no predicted point on the default front"

# --knee: one knee row; python recomputes the documented rule (smallest sum
# of the objectives scaled to [0,1] over the front, maximised negated)
"$HWNAS" front "$W/a.h5" --csv --knee > "$W/knee.csv" || fail "front --knee"
$PY - "$W/knee.csv" <<'PYEOF' || fail "knee rule"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
v = [(-float(r["top1_acc"]), float(r["latency_ms"])) for r in rows]
lo = [min(p[k] for p in v) for k in (0, 1)]; hi = [max(p[k] for p in v) for k in (0, 1)]
s = [sum((p[k] - lo[k]) / (hi[k] - lo[k]) if hi[k] > lo[k] else 0 for k in (0, 1)) for p in v]
want = min(range(len(v)), key=lambda i: (s[i], i))
got = [i for i, r in enumerate(rows) if r["knee"] == "1"]
print("knee row: hwnas", got, "python", want)
assert got == [want], (got, want)
PYEOF
"$HWNAS" front "$W/a.h5" --knee | grep -qx "# knee: $($PY -c 'import csv,sys; print([r["arch"] for r in csv.DictReader(open(sys.argv[1])) if r["knee"] == "1"][0])' "$W/knee.csv")" ||
    fail "table knee line"
[ "$(json_get <("$HWNAS" front "$W/a.h5" --json --knee) 'j["knee"]')" = "$($PY -c 'import csv,sys; print([r["knee"] for r in csv.DictReader(open(sys.argv[1]))].index("1"))' "$W/knee.csv")" ] ||
    fail "JSON knee index differs from the CSV row"

# --- history -------------------------------------------------------------------
"$HWNAS" history "$W/a.h5" --csv > "$W/hist.csv" || fail "history"
[ "$(wc -l < "$W/hist.csv")" = 11 ] || fail "history rows: $(wc -l < "$W/hist.csv")"
awk -F, 'NR > 2 && $3 + 1e-9 < prev { bad = 1 } NR > 1 { prev = $3 } END { exit bad }' "$W/hist.csv" ||
    fail "HV of the measured archive decreased"
"$HWNAS" history "$W/a.h5" | grep -q "hv_ratio" || fail "history table"

# --- compare ---------------------------------------------------------------------
"$HWNAS" compare "$W/a.h5" "$W/a.h5" > "$W/cmp1.txt" || fail "compare self"
grep -q "hv B / A: 1.000000" "$W/cmp1.txt" || fail "self compare ratio: $(cat "$W/cmp1.txt")"
grep -q "only in A (0)" "$W/cmp1.txt" && grep -q "only in B (0)" "$W/cmp1.txt" || fail "self compare lists"
"$HWNAS" compare "$W/a.h5" "$W/b.h5" --measured-only > "$W/cmp2.txt" || fail "compare a b"
grep -q "reference point: top1_acc=" "$W/cmp2.txt" || fail "compare ref"
"$HWNAS" compare "$W/a.h5" "$W/b.h5" --ref 0,100 > "$W/cmp3.txt" || fail "compare --ref"
grep -q "top1_acc=0 latency_ms=100" "$W/cmp3.txt" || fail "compare --ref not used"
# the HVs printed with --ref must match an independent computation (python)
$PY - "$W/a.h5" "$W/cmp3.txt" <<'PYEOF' || fail "hv check"
import h5py, sys, re
f = h5py.File(sys.argv[1], "r")
ev = f["evaluated"]
o, cv = ev["objectives"][:], ev["cv"][:]
pts = sorted({(-a, l) for (a, l), c in zip(o, cv) if c == 0 and a == a and l == l})
front, best = [], float("inf")
for x, y in pts:                      # minimised, sorted by x
    if y < best: front.append((x, y)); best = y
ref = (0.0, 100.0)
hv, prev_y = 0.0, ref[1]
for x, y in front:
    if x < ref[0] and y < ref[1]:
        hv += (ref[0] - x) * (prev_y - y); prev_y = y
line = [l for l in open(sys.argv[2]) if l.strip().startswith("A ")][0]
got = float(re.search(r"hv ([0-9.e+-]+)", line).group(1))
assert abs(got - hv) <= 1e-6 * max(1, hv), (got, hv)
PYEOF

# --- plot ------------------------------------------------------------------------
"$HWNAS" plot "$W/a.h5" -o "$W/a.png" || fail "plot png"
[ "$(head -c 8 "$W/a.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "not a PNG"
[ "$(stat -c %s "$W/a.png")" -gt 20000 ] || fail "PNG suspiciously small"
"$HWNAS" plot "$W/a.h5" -o "$W/a.svg" --zoom || fail "plot svg"
grep -q "<svg" "$W/a.svg" || fail "not an SVG"

# --- bad input: exit 2, one line --------------------------------------------------------
expect2() {
    local what=$1; shift
    "$@" > /dev/null 2> "$W/err"
    local rc=$?
    [ $rc = 2 ] || fail "$what: exit $rc, expected 2 ($(cat "$W/err"))"
    [ "$(wc -l < "$W/err")" = 1 ] || fail "$what: stderr is not one line: $(cat "$W/err")"
    grep -q '^hwnas: ' "$W/err" || fail "$what: message format: $(cat "$W/err")"
}
expect2 "missing file" "$HWNAS" front "$W/nope.h5"
grep -q "nope.h5" "$W/err" || fail "message does not name the file"
echo "space: nb201" > "$W/text.h5"
expect2 "text file" "$HWNAS" history "$W/text.h5"
head -c 300000 "$W/a.h5" > "$W/trunc.h5"
expect2 "truncated" "$HWNAS" front "$W/trunc.h5" --csv
expect2 "truncated compare" "$HWNAS" compare "$W/a.h5" "$W/trunc.h5"
expect2 "bad option" "$HWNAS" front "$W/a.h5" --bogus
expect2 "csv+json" "$HWNAS" front "$W/a.h5" --csv --json
expect2 "no file" "$HWNAS" history
expect2 "plot ext" "$HWNAS" plot "$W/a.h5" -o "$W/a.jpg"
expect2 "plot no -o" "$HWNAS" plot "$W/a.h5"
expect2 "plot axis" "$HWNAS" plot "$W/a.h5" -o "$W/x.png" --x energy
expect2 "compare ref" "$HWNAS" compare "$W/a.h5" "$W/b.h5" --ref 1
cp "$W/b.h5" "$W/c.h5"
$PY - "$W/c.h5" <<'PYEOF' || fail "h5py edit"
import h5py, numpy as np, sys
f = h5py.File(sys.argv[1], "r+")
d = f["objectives/maximise"]; d[...] = np.array([1, 1], dtype=np.uint8)
PYEOF
expect2 "compare objectives" "$HWNAS" compare "$W/a.h5" "$W/c.h5"
grep -q "objective 2" "$W/err" || fail "compare mismatch message: $(cat "$W/err")"
for c in front history compare plot; do
    "$HWNAS" $c --help | grep -q "usage: hwnas $c" || fail "$c --help"
done
echo "PASS test_front_cli"
