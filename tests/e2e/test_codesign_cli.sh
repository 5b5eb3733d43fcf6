#!/usr/bin/env bash
# e2e: `hwnas accel report|table` and `hwnas codesign` on the shipped
# configs (NB201 and BERT: a BERT front design's latency and energy equal
# `accel report`'s for its strings, its accuracy the table's; the same
# through `hwnas search` with space codesign), and one-line errors with
# exit status 2 on bad input.
. "$(dirname "$0")/lib.sh" "$@"

ARCH='|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|'

# per-layer report on Eyeriss
"$HWNAS" accel report --accel "$DATA/configs/eyeriss.yaml" --arch "$ARCH" >"$T/rep.txt" 2>"$T/err" || fail "report: $(cat "$T/err")"
grep -q '^stem ' "$T/rep.txt" || fail "report lacks the stem row"
grep -q '^TOTAL ' "$T/rep.txt" || fail "report lacks totals"
grep -q 'area 12\.2' "$T/rep.txt" || fail "Eyeriss area not ~12.2 mm^2"
nrows=$(grep -c '^s[123]c[0-4]\.' "$T/rep.txt")
[ "$nrows" -eq 90 ] || fail "expected 90 cell rows (4 ops + 2 sums x 15 cells), got $nrows"
"$HWNAS" accel report --accel "$DATA/configs/eyeriss.yaml" --space bert --arch 'L2:H256:A4.8:F1024.512' --seq 32 --merged >"$T/bert.txt" || fail "bert report"
grep -q 'L1.score' "$T/bert.txt" || fail "bert report lacks attention rows"

# table for all NB201 archs
"$HWNAS" accel table --accel "$DATA/configs/eyeriss.yaml" --out "$T/tab.csv" || fail "table"
[ "$(wc -l <"$T/tab.csv")" -eq 15626 ] || fail "table should have 15625 rows"
head -1 "$T/tab.csv" | grep -q "^arch_index,arch_str,latency_ms,energy_mj,tx2_roofline_ms,n_kernels$" || fail "table header"

# a small codesign run: three strategies, summary table, CSVs
"$HWNAS" codesign --config "$DATA/configs/codesign-nb201.yaml" --seeds 2 --evaluations 200 \
    --points "$T/pts.csv" --front "$T/front.csv" >"$T/cd.txt" 2>"$T/err" || fail "codesign: $(cat "$T/err")"
for s in joint two_stage fixed; do grep -q "^$s " "$T/cd.txt" || fail "summary lacks $s"; done
[ "$(wc -l <"$T/pts.csv")" -eq $((3 * 2 * 200 + 1)) ] || fail "points CSV should hold 1200 evaluations"
awk -F, 'NR > 1 && $9 != 0 { bad = 1 } END { exit bad }' "$T/front.csv" || fail "front holds infeasible points"
# same seed, same result
"$HWNAS" codesign --config "$DATA/configs/codesign-nb201.yaml" --seeds 2 --evaluations 200 --quiet >"$T/cd2.txt" || fail "rerun"
diff <(tail -3 "$T/cd.txt") <(tail -3 "$T/cd2.txt") >/dev/null || fail "codesign is not deterministic"

# BERT co-design: a small run, then the first front design recomputed by
# `accel report` from the CSV's strings (the config's space, 64 tokens)
"$HWNAS" codesign --config "$DATA/configs/codesign-bert.yaml" --seeds 1 --evaluations 200 --front "$T/bfront.csv" \
    >"$T/bcd.txt" 2>"$T/err" || fail "bert codesign: $(cat "$T/err")"
for s in joint two_stage fixed; do grep -q "^$s " "$T/bcd.txt" || fail "bert summary lacks $s"; done
IFS=, read -r _ _ BARCH BACC BA BL BE _ _ < <(sed -n 2p "$T/bfront.csv")
"$HWNAS" accel report --config "$DATA/configs/codesign-bert.yaml" --accel "$BACC" --arch "$BARCH" >"$T/brep.txt" 2>"$T/err" \
    || fail "accel report of $BARCH@$BACC: $(cat "$T/err")"
read -r RL RE < <(sed -n 's/^# latency \([0-9.e+-]*\) ms  energy \([0-9.e+-]*\) mJ.*/\1 \2/p' "$T/brep.txt")
awk -v a="$BL" -v b="$RL" -v c="$BE" -v d="$RE" 'BEGIN { exit !(a - b < 1e-4 * a && b - a < 1e-4 * a && c - d < 1e-4 * c && d - c < 1e-4 * c) }' \
    || fail "front $BARCH@$BACC: codesign $BL ms $BE mJ, accel report $RL ms $RE mJ"
TA=$(awk -F, -v a="$BARCH" '$1 == a { print $5 }' "$DATA/bert_sst2_cpu/bert_sst2_cpu.csv")
awk -v a="$BA" -v b="$TA" 'BEGIN { exit !(b != "" && a - b < 1e-6 && b - a < 1e-6) }' || fail "front $BARCH: accuracy $BA, table $TA"

# the MPI engine's codesign space takes the BERT config too (P = 1): its
# front designs are bert@accelerator genomes with the cost model's values
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
sed "s#codesign: codesign-nb201.yaml#codesign: $DATA/configs/codesign-bert.yaml#; s/generations: 60/generations: 20/; s#dir: hwnas-run/codesign#dir: $T/srun#; s/reference: \[85, 5.0, 1.0\]/reference: [78, 2.0, 1.0]/" \
    "$DATA/configs/codesign-search.yaml" >"$T/search.yaml"
"$HWNAS" search "$T/search.yaml" --quiet --out-dir "$T/srun" >"$T/search.log" 2>&1 || fail "bert codesign search: $(tail -3 "$T/search.log")"
# the front layout (docs/analysis.md): objectives first, `arch` last
IFS=@ read -r SARCH SACC < <(awk -F, 'NR == 2 { print $NF }' "$T/srun/front.csv")
SE=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "energy_mJ") c = i } NR == 2 { print $c }' "$T/srun/front.csv")
"$HWNAS" accel report --config "$DATA/configs/codesign-bert.yaml" --accel "$SACC" --arch "$SARCH" >"$T/srep.txt" 2>"$T/err" \
    || fail "accel report of search front $SARCH@$SACC: $(cat "$T/err")"
RE=$(sed -n 's/^# latency [0-9.e+-]* ms  energy \([0-9.e+-]*\) mJ.*/\1/p' "$T/srep.txt")
awk -v a="$SE" -v b="$RE" 'BEGIN { exit !(a - b < 1e-4 * a && b - a < 1e-4 * a) }' \
    || fail "search front $SARCH@$SACC: energy $SE mJ, accel report $RE mJ"

# bad input: one line on stderr, exit 2
expect_usage() {
    local what=$1; shift
    "$@" >/dev/null 2>"$T/err"; local rc=$?
    [ $rc -eq 2 ] || fail "$what: exit $rc, want 2"
    [ "$(wc -l <"$T/err")" -eq 1 ] || fail "$what: want one stderr line, got: $(cat "$T/err")"
    grep -q '^hwnas: ' "$T/err" || fail "$what: message lacks the hwnas: prefix"
}
printf 'pe_rows: 12\npe_cols: 14\nrf_bytes: 512\ngbuf_kb: 108\ndram_gbps: 1\nclock_mhz: 200\ndataflow: zz\nprecision: int16\n' >"$T/bad.yaml"
expect_usage "bad dataflow" "$HWNAS" accel report --accel "$T/bad.yaml" --arch "$ARCH"
grep -q 'bad.yaml:7' "$T/err" || fail "bad dataflow: message lacks file:line ($(cat "$T/err"))"
expect_usage "missing accel file" "$HWNAS" accel report --accel "$T/none.yaml" --arch "$ARCH"
expect_usage "bad arch" "$HWNAS" accel report --accel "$DATA/configs/eyeriss.yaml" --arch 'nope'
expect_usage "no verb" "$HWNAS" accel frobnicate
expect_usage "no config" "$HWNAS" codesign
expect_usage "bad strategy" "$HWNAS" codesign --config "$DATA/configs/codesign-nb201.yaml" --strategy best
expect_usage "bad seeds" "$HWNAS" codesign --config "$DATA/configs/codesign-nb201.yaml" --seeds x
printf 'accuracy: {table: %s/nb201_accuracy/nb201_accuracy.csv}\nconstraints: {area_mm2: -1}\n' "$DATA" >"$T/cd_bad.yaml"
expect_usage "negative area" "$HWNAS" codesign --config "$T/cd_bad.yaml"
printf 'accuracy: {table: %s/none.csv}\n' "$T" >"$T/cd_bad2.yaml"
expect_usage "missing table" "$HWNAS" codesign --config "$T/cd_bad2.yaml"
expect_usage "accel string not in the space" "$HWNAS" accel report --accel 12x14:rf999:gb108k:bw4:clk400:rs:fp16 --arch "$ARCH"
expect_usage "bert arch outside the config's space" "$HWNAS" accel report --config "$DATA/configs/codesign-bert.yaml" \
    --accel "$DATA/configs/eyeriss.yaml" --arch 'L2:H256:A4.8:F1024.512'
expect_usage "space differs from the config" "$HWNAS" accel report --config "$DATA/configs/codesign-bert.yaml" --space nb201 \
    --accel "$DATA/configs/eyeriss.yaml" --arch "$ARCH"
printf 'arch_space: bert\naccuracy: {table: %s/bert_sst2_cpu/bert_sst2_cpu.csv}\n' "$DATA" >"$T/cd_bad3.yaml"
expect_usage "bert table outside the default bert space" "$HWNAS" codesign --config "$T/cd_bad3.yaml"
grep -q 'bert_sst2_cpu.csv:2:' "$T/err" || fail "bert table error lacks file:line ($(cat "$T/err"))"
"$HWNAS" codesign --help | grep -q -- '--evaluations' || fail "codesign --help"
"$HWNAS" accel --help | grep -q -- '--merged' || fail "accel --help"
echo "ok"
