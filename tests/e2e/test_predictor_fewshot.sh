#!/bin/bash
# e2e: hwnas predictor fewshot (HELP protocol) on a device column the
# project has never seen, with the shipped meta-model, with on-the-fly
# meta-training when --meta-train names other devices, a missing reference
# arch, and its error cases.
. "$(dirname "$0")/lib.sh" "$@"
LAT=$DATA/help_latency/nb201_latency.csv
MT=lat_ms_1080ti_1,lat_ms_1080ti_32,lat_ms_1080ti_256,lat_ms_silver_4114,lat_ms_silver_4210r,lat_ms_samsung_a50,lat_ms_pixel3,lat_ms_essential_ph_1,lat_ms_samsung_s7

# A new device "mydev": 1.7 x titanx_32 + 0.3 x silver_4114 (ms), under a
# name never seen; keep arch 0..1899 plus the 10 reference archs; drop
# reference arch 9's latency (empty cell) like TX2.
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i;
                   print "arch_index,arch_str,op_1_0,op_2_0,op_2_1,op_3_0,op_3_1,op_3_2,lat_ms_mydev"; next }
  { a = $1 + 0; keep = a < 1900 || a == 11982 || a == 14451 || a == 8636 || a == 9881 || a == 13479 || a == 6196 || a == 1462
    if (!keep) next
    v = (a == 9) ? "" : sprintf("%.6f", 1.7 * $col["lat_ms_titanx_32"] + 0.3 * $col["lat_ms_silver_4114"])
    print $1 "," $2 "," $3 "," $4 "," $5 "," $6 "," $7 "," $8 "," v }' "$LAT" > "$T/new.csv"

"$HW" predictor fewshot --table "$T/new.csv" --space nb201 --meta-train "$MT" --target lat_ms_mydev \
    --shots 10 --seeds 4 --allow-missing --json "$T/f.json" > "$T/out" || fail "fewshot exit $?"
cat "$T/out"
grep -q 'meta-model loaded, 1/10 reference latencies missing' "$T/out" || fail "header"
grep -q 'pool 720 query 800' "$T/out" || fail "pool/query sizes (899 measured: positions 89..808 -> 720; 1000 -> 800)"
[ "$(grep -c '^seed' "$T/out")" -eq 4 ] || fail "per-seed lines"
mean=$(awk '$2 == "mean" { print $3 }' "$T/out")
awk -v r="$mean" 'BEGIN { exit !(r > 0.85) }' || fail "mean rho $mean, want > 0.85"
/usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert len(d['rho'])==4 and d['shots']==10" \
    "$T/f.json" || fail "json"
# same draw -> same numbers
"$HW" predictor fewshot --table "$T/new.csv" --space nb201 --meta-train "$MT" --target lat_ms_mydev \
    --seeds 4 --allow-missing > "$T/out2" || fail "rerun"
cmp -s <(grep '^seed' "$T/out") <(grep '^seed' "$T/out2") || fail "not deterministic"

# other meta-train devices -> meta-trains on the table's columns (tiny run)
cut -d, -f1-8,9,10,19 "$LAT" > "$T/two.csv" # + 1080ti_1, 1080ti_256, titanx_1
head -1 "$T/two.csv" | grep -q 'lat_ms_titanx_1' || fail "column layout of $LAT changed"
"$HW" predictor fewshot --table "$T/two.csv" --space nb201 --meta-train lat_ms_1080ti_1,lat_ms_1080ti_256 \
    --target lat_ms_titanx_1 --seeds 2 --steps 50 --members 1 > "$T/out3" 2> "$T/err3" || fail "meta-train path $?"
grep -q 'meta-trained now' "$T/out3" || fail "did not meta-train"

# tree methods run the same protocol
"$HW" predictor fewshot --table "$T/new.csv" --space nb201 --meta-train "$MT" --target lat_ms_mydev \
    --seeds 2 --allow-missing --method rf > /dev/null || fail "rf fewshot"

expect_bad() {
    local what=$1; shift
    "$HW" "$@" > /dev/null 2> "$T/err"
    local rc=$?
    [ $rc -eq 2 ] || fail "$what: exit $rc, want 2 ($(cat "$T/err"))"
    [ "$(wc -l < "$T/err")" -eq 1 ] || fail "$what: stderr has $(wc -l < "$T/err") lines"
    grep -q '^hwnas: ' "$T/err" || fail "$what: message format"
    echo "ok   $what: $(cat "$T/err")"
}
head -c 500 "$DATA/help/help_nb201.bin" > "$T/trunc.bin"
expect_bad "empty cell without --allow-missing" predictor fewshot --table "$T/new.csv" --space nb201 --meta-train "$MT" --target lat_ms_mydev
expect_bad "unknown target" predictor fewshot --table "$T/new.csv" --space nb201 --meta-train "$MT" --target lat_ms_x --allow-missing
expect_bad "target is meta-train" predictor fewshot --table "$T/two.csv" --space nb201 --meta-train lat_ms_1080ti_1 --target lat_ms_1080ti_1
expect_bad "unknown meta-train column" predictor fewshot --table "$T/new.csv" --space nb201 --meta-train lat_ms_nope --target lat_ms_mydev --allow-missing
expect_bad "truncated meta-model" predictor fewshot --table "$T/new.csv" --space nb201 --meta-train "$MT" --target lat_ms_mydev --allow-missing --model "$T/trunc.bin"
expect_bad "no space" predictor fewshot --table "$T/new.csv" --meta-train "$MT" --target lat_ms_mydev
head -300 "$T/new.csv" > "$T/short.csv"
head -1200 "$T/new.csv" > "$T/norefs.csv" # no reference arch except 9 (empty) and 55, 431
grep -v '^431,' "$T/norefs.csv" > "$T/norefs1.csv"
expect_bad "fewer than 2 reference latencies" predictor fewshot --table "$T/norefs1.csv" --space nb201 --meta-train "$MT" --target lat_ms_mydev --allow-missing
expect_bad "help eval without references" predictor eval --table "$T/norefs1.csv" --space nb201 --target lat_ms_mydev --allow-missing --method help --train-size 10 --test-size 100
expect_bad "too few query rows" predictor fewshot --table "$T/short.csv" --space nb201 --meta-train "$MT" --target lat_ms_mydev --allow-missing
echo "PASS test_predictor_fewshot"
