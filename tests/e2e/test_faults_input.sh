#!/usr/bin/env bash
# e2e fault test: inputs that crashed or were silently accepted.
# - YAML nested 40,000 levels deep (search config and board config
#   --check): exit 2, one line naming the file and the depth bound;
#   64 levels is the bound, 63 nested lists inside a key are no crash;
# - table cells NaN, inf, "5.8ms" and text in an objective's column: exit 2,
#   one line FILE:LINE: column N 'NAME': 'CELL';
# - a table with a header and no rows: exit 2, one line;
# - an empty cell stays "missing": the search runs, and that arch is never
#   on the front.
. "$(dirname "$0")/lib.sh" "$@"

# ---- deep YAML
$PY -c "print('foo: ' + '[' * 40000 + ']' * 40000)" > deep.yaml
expect_exit 2 "deep.yaml:1: key 'foo.*': nested deeper than 64 levels" "$HW" search deep.yaml
expect_exit 2 "deep.yaml:1: key 'foo.*': nested deeper than 64 levels" "$HW" board --config deep.yaml --check
$PY -c "print('objectives: ' + '[' * 63 + ']' * 63)" > ok63.yaml
"$HW" search ok63.yaml > ok63.out 2> ok63.err; RC=$?
[ $RC = 2 ] && ! grep -q "nested deeper" ok63.err || fail "63 levels: exit $RC: $(cat ok63.err)"
echo "ok: deep YAML refused with one line"

# ---- table cells: a copy of the shipped TX2 table, one cell changed
$PY - "$DATA/hw_nas_bench/hwnasbench_nb201_cifar10.csv" <<'PY' > base.csv
import csv, sys
r = csv.DictReader(open(sys.argv[1]))
print("arch_index,lat")
for row in r: print(f"{row['arch_index']},{row['edgegpu_latency_ms']}")
PY
mk_table() { # $1 file, $2 the latency cell of arch 2 (file line 4)
    awk -v c="$2" -F, 'NR == 4 { print $1 "," c; next } { print }' base.csv > "$1"
}
mk_cfg() { # $1 cfg, $2 table
    cat > "$1" <<YAML
objectives:
  - {name: accuracy, direction: maximize, source: test_acc_200ep_cifar10}
  - {name: latency_ms, direction: minimize, source: lat}
algorithm: {population: 8, generations: 6, seed: 1}
evaluator: {tables: [$DATA/nb201_accuracy/nb201_accuracy.csv, $T/$2]}
output: {dir: out-$1}
YAML
}
for cell in NaN nan inf -inf 5.8ms fast; do
    f=t_${cell//[^a-z0-9]/_}.csv
    mk_table "$f" "$cell"
    mk_cfg "c_$f.yaml" "$f"
    expect_exit 2 "$f:4: column 2 'lat': '$cell' is not a number" "$HW" search "c_$f.yaml" --quiet
done
head -1 base.csv > empty.csv
mk_cfg c_empty.yaml empty.csv
expect_exit 2 "empty.csv: the table has a header but no rows" "$HW" search c_empty.yaml --quiet
echo "ok: bad cells and an empty table refused with FILE:LINE: column"

# every odd arch's latency missing: the run works, no odd arch on the front
awk -F, 'NR > 1 && $1 % 2 == 1 { print $1 ","; next } { print }' base.csv > blank.csv
mk_cfg c_blank.yaml blank.csv
"$HW" search c_blank.yaml --quiet --summary blank.json > blank.log 2>&1 || fail "a table with empty cells: $(tail -3 blank.log)"
n=$(tail -n +2 out-c_blank.yaml/front.csv | wc -l)
[ "$n" -gt 0 ] || fail "empty front"
odd=$($PY -c '
import csv, sys
idx = {r["arch_str"]: int(r["arch_index"]) for r in csv.DictReader(open(sys.argv[1]))}
print(sum(idx[r["arch"]] % 2 for r in csv.DictReader(open("out-c_blank.yaml/front.csv"))))' "$DATA/hw_nas_bench/hwnasbench_nb201_cifar10.csv")
[ "$odd" = 0 ] || fail "$odd archs with a missing latency on the front"
echo "ok: an empty cell is a missing value ($n front points, all with a latency)"
echo PASS
