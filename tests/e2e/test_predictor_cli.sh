#!/bin/bash
# e2e: hwnas predictor eval / fit / predict in generic (--features) and
# space (--space nb201) modes, and every bad-input case -> one line, exit 2.
. "$(dirname "$0")/lib.sh" "$@"

# a synthetic table: y = 2a + b^2 + [c > 0.5], 3000 rows
awk 'BEGIN { srand(7); print "a,b,c,y";
  for (i = 0; i < 3000; i++) { a = rand(); b = rand(); c = rand();
    printf "%.6f,%.6f,%.6f,%.6f\n", a, b, c, 2*a + b*b + (c > 0.5) + 1 } }' > "$T/syn.csv"

# eval, generic mode
"$HW" predictor eval --table "$T/syn.csv" --features a,b,c --target y --method xgb --train-size 500 --seeds 2 \
    --json "$T/e.json" > "$T/eval.out" || fail "eval exit $?"
grep -q '^mean' "$T/eval.out" || fail "eval: no mean line"
rho=$(awk '$1 == "mean" { print $2 }' "$T/eval.out")
awk -v r="$rho" 'BEGIN { exit !(r > 0.97) }' || fail "eval rho $rho, want > 0.97"
grep -q '"per_seed"' "$T/e.json" || fail "eval json"
/usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert len(d['per_seed'])==2" "$T/e.json" \
    || fail "eval json not parseable"

# fit + predict round trip (and determinism of predict)
"$HW" predictor fit --table "$T/syn.csv" --features a,b,c --target y --method rf --out "$T/m.bin" > /dev/null \
    || fail "fit exit $?"
"$HW" predictor predict --model "$T/m.bin" --table "$T/syn.csv" --features a,b,c --out "$T/p1.csv" --target y \
    > "$T/pred.out" || fail "predict exit $?"
"$HW" predictor predict --model "$T/m.bin" --table "$T/syn.csv" --features a,b,c --out "$T/p2.csv" > /dev/null \
    || fail "predict 2"
cmp -s "$T/p1.csv" "$T/p2.csv" || fail "predict not deterministic"
[ "$(wc -l < "$T/p1.csv")" -eq 3001 ] || fail "predict row count"
grep -q 'rho' "$T/pred.out" || fail "predict metrics"

# space mode on real data: nb201 features from arch_str, TX2 target with empty cells
"$HW" predictor eval --table "$DATA/hw_nas_bench/hwnasbench_nb201_cifar10.csv" --space nb201 \
    --target edgegpu_latency_ms --method xgb --train-size 300 --seeds 1 --allow-missing > "$T/tx2.out" \
    || fail "tx2 eval exit $?"
rho=$(awk '$1 == "mean" { print $2 }' "$T/tx2.out")
awk -v r="$rho" 'BEGIN { exit !(r > 0.9) }' || fail "tx2 rho $rho, want > 0.9"

# bad input: exit 2 and exactly one line on stderr starting with "hwnas: "
expect_bad() {
    local what=$1; shift
    "$HW" "$@" > /dev/null 2> "$T/err"
    local rc=$?
    [ $rc -eq 2 ] || fail "$what: exit $rc, want 2 ($(cat "$T/err"))"
    [ "$(wc -l < "$T/err")" -eq 1 ] || fail "$what: stderr has $(wc -l < "$T/err") lines"
    grep -q '^hwnas: ' "$T/err" || fail "$what: message format: $(cat "$T/err")"
    echo "ok   $what: $(cat "$T/err")"
}
head -100 "$T/syn.csv" > "$T/small.csv"
sed '50s/^\([^,]*\),[^,]*,/\1,,/' "$T/syn.csv" > "$T/empty.csv"
sed '60s/^\([^,]*\),[^,]*,/\1,nan,/' "$T/syn.csv" > "$T/nan.csv"
head -c 100 "$T/m.bin" > "$T/trunc.bin"
cp "$T/m.bin" "$T/ver.bin"
printf '\x09' | dd of="$T/ver.bin" bs=1 seek=8 conv=notrunc status=none
expect_bad "unknown column" predictor eval --table "$T/syn.csv" --features a,zz --target y --train-size 100
expect_bad "unknown target" predictor eval --table "$T/syn.csv" --features a,b --target nope --train-size 100
expect_bad "empty cell" predictor eval --table "$T/empty.csv" --features a,b,c --target y --train-size 100 --test-size 100
expect_bad "nan cell" predictor fit --table "$T/nan.csv" --features a,b,c --target y --out "$T/x.bin"
expect_bad "too few rows" predictor eval --table "$T/small.csv" --features a,b,c --target y --train-size 100
expect_bad "truncated model" predictor predict --model "$T/trunc.bin" --table "$T/syn.csv" --features a,b,c
expect_bad "other version" predictor predict --model "$T/ver.bin" --table "$T/syn.csv" --features a,b,c
expect_bad "missing model" predictor predict --model "$T/none.bin" --table "$T/syn.csv" --features a,b,c
expect_bad "feature count" predictor predict --model "$T/m.bin" --table "$T/syn.csv" --features a,b
expect_bad "bad method" predictor eval --table "$T/syn.csv" --features a,b --target y --method svm
expect_bad "no table" predictor eval --features a,b --target y
expect_bad "both modes" predictor eval --table "$T/syn.csv" --space nb201 --features a --target y
expect_bad "bad space" predictor eval --table "$T/syn.csv" --space bert --target y
expect_bad "no arch column" predictor eval --table "$T/syn.csv" --space nb201 --target y
expect_bad "bad option" predictor eval --table "$T/syn.csv" --frobnicate
expect_bad "bad number" predictor eval --table "$T/syn.csv" --features a --target y --train-size ten
expect_bad "bad subcommand" predictor frob
"$HW" predictor --help | grep -q -- '--allow-missing' || fail "--help"
echo "PASS test_predictor_cli"
