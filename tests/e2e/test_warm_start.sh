#!/usr/bin/env bash
# e2e: `hwnas search --warm-start FILE`. A replay board measures the 10
# HELP reference archs (the search's initial design submits them first)
# with `hwnas measure`: 9 ok, 1 failed (no latency in the table). A
# predictor search with a fresh board warm-started from that CSV: none of
# the 9 is sent to the board again (board log and run file), they are in
# the run file with runner warm-start and the CSV's board id, values and
# times, and the budget of 16 measurements is spent on 16 other archs.
# A run file's training sets and a table with objective columns warm-start
# a table-only search (the table's values are taken as given). Bad warm-start files: one line,
# exit 2.
. "$(dirname "$0")/lib.sh" "$@"
LOG_TAIL=20
"$HW" keygen --out disp >/dev/null || fail keygen
"$HW" keygen --out b1 >/dev/null || fail keygen
cat b1.pub > allow.txt
TABLE=$DATA/hw_nas_bench/hwnasbench_nb201_cifar10.csv
# HELP's reference archs (mpi/gtserver.c help_ref_archs), the initial design's first 10
awk -F, 'NR>1 && index(",11982,431,55,9,14451,8636,9881,13479,6196,1462,", ","$1",") {print $2}' "$TABLE" > archs.txt
[ "$(wc -l < archs.txt)" = 10 ] || fail "expected 10 reference archs, got $(wc -l < archs.txt)"
sed 's/delay_ms: 200/delay_ms: 5/' "$DATA/configs/board-replay-tx2.yaml" > board.yaml
sed -i "s#table: ../hw_nas_bench#table: $DATA/hw_nas_bench#" board.yaml
PORT=$(( 20000 + (RANDOM % 20000) ))

# 1. the measurements made before: hwnas measure on one replay board
"$HW" board --config board.yaml --id b1 --device tx2 --dispatcher "tcp://127.0.0.1:$PORT" \
    --key b1.key --dispatcher-key disp.pub 2> board1.log &
B1=$!; PIDS+=($B1)
timeout $((60 * SLOW)) "$HW" measure --device tx2 --archs archs.txt --out m.csv --key disp.key --allow allow.txt \
    --dispatcher "tcp://127.0.0.1:$PORT" 2> measure.log || fail "measure"
[ "$(grep -c ',ok,' m.csv)" = 9 ] || fail "expected 9 ok rows: $(cut -d, -f3 m.csv | sort | uniq -c)"
grep ',ok,' m.csv | cut -d, -f2 > ok.txt
kill -TERM $B1; wait $B1 2>/dev/null

# 2. the search, warm-started, with a fresh board whose log counts its jobs
PORT=$(( 20000 + (RANDOM % 20000) ))
cat > boards.yaml <<YAML
objectives:
  - {name: accuracy, direction: maximize, source: test_acc_200ep_cifar10}
  - {name: latency_ms, direction: minimize, source: edgegpu_latency_ms, device: tx2}
algorithm: {population: 16, generations: 100, seed: 3, max_measurements: 16}
evaluator:
  kind: predictor
  tables: [$TABLE, $DATA/nb201_accuracy/nb201_accuracy.csv]
predictor: {initial: 12, per_generation: 1, trees: 20}
hypervolume: {reference: [85, 12.861970]}
output: {dir: out}
boards: {bind: 'tcp://127.0.0.1:$PORT', key: disp.key, allow: allow.txt, wait_s: 30}
YAML
"$HW" board --config board.yaml --id b2 --device tx2 --dispatcher "tcp://127.0.0.1:$PORT" \
    --key b1.key --dispatcher-key disp.pub 2> board2.log &
PIDS+=($!)
timeout $((120 * SLOW)) "$HW" search boards.yaml --warm-start m.csv --run r.h5 --summary s.json > search.log 2>&1 \
    || fail "warm-started search"
grep -q "warm start: 9 architectures from m.csv taken as measured" search.log || fail "no warm-start line"
"$HW" trials r.h5 > t.csv || fail "trials"

$PY - <<'PY' || fail "warm-start checks"
import csv, json
warm = {r["arch"]: r for r in csv.DictReader(open("m.csv")) if r["status"] == "ok"}
rows = list(csv.DictReader(open("t.csv")))
s = json.load(open("s.json"))
by_runner = {}
for r in rows:
    by_runner.setdefault(r["latency_ms_runner"], []).append(r["arch"])
print("rows by latency runner:", {k: len(v) for k, v in by_runner.items()}, "summary measurements", s["measurements"])
assert sorted(by_runner.get("warm-start", [])) == sorted(warm), "warm rows are not the CSV's archs"
measured = [r["arch"] for r in rows if r["latency_ms_runner"] != "warm-start"]  # replay, or failed (no value)
assert set(by_runner) <= {"warm-start", "replay", ""}, by_runner.keys()
assert not set(measured) & set(warm), ("re-measured", set(measured) & set(warm))
assert len(measured) == 16 == s["measurements"], (len(measured), s["measurements"])
for r in rows:
    if r["arch"] in warm:
        w = warm[r["arch"]]
        assert float(r["latency_ms"]) == float(w["median_ms"]), (r["latency_ms"], w["median_ms"])
        assert r["latency_ms_board"] == w["board"] == "b1", (r["latency_ms_board"], w["board"])
        assert r["latency_ms_t_start"] and float(r["latency_ms_t_start"]) == float(w["t_start"])
PY
# the board got 16 jobs, none of them a warm arch
JOBS=$(grep -c ": ok, median\|: failed" board2.log)
[ "$JOBS" = 16 ] || fail "board answered $JOBS jobs, want 16"
while read -r a; do grep -qF -- "$a" board2.log && fail "board measured warm arch $a again"; done < ok.txt
echo "ok: warm start from a measure CSV: 9 archs not re-measured, 16 board jobs for new archs"

# 3. the other two kinds, into a table-only search (no boards): the run
# file's training sets (its 9 + 16 archs less those without a latency) and
# a table with the objectives' columns
sed -e '/^boards:/d' -e 's/, device: tx2//' -e 's/dir: out/dir: out-t/' boards.yaml > table.yaml
"$HW" search table.yaml --quiet --warm-start r.h5 --summary ts.json > tw.log 2>&1 || fail "warm start from a run file"
NW=$(grep -c ',warm-start,' t.csv; true)
NV=$($PY -c 'import csv; print(sum(1 for r in csv.DictReader(open("t.csv")) if r["latency_ms"]))')
grep -q "warm start: $NV architectures from r.h5" tw.log || fail "run-file warm start: want $NV archs: $(grep 'warm start' tw.log)"
[ "$(json_get ts.json 'j["measurements"]')" = 16 ] || fail "run-file warm start spent $(json_get ts.json 'j["measurements"]') of 16"
{ echo "arch,accuracy,latency_ms"; head -3 ok.txt | sed 's/$/,50,1/'; } > tab.csv
"$HW" search table.yaml --quiet --warm-start tab.csv --out-dir out-tab --run tab.h5 > tt.log 2>&1 || fail "table warm start"
grep -q "warm start: 3 architectures from tab.csv" tt.log || fail "table warm start: $(grep 'warm start' tt.log)"
"$HW" trials tab.h5 | grep -c ',50,1,,,warm-start,warm-start,' | grep -qx 3 || fail "table values not taken as given"
echo "ok: warm start from a run file ($NV archs, $NW of them warm before) and from a table"

# 4. bad warm-start files: one line, exit 2, before any search
expect_exit 2 "nope.csv" "$HW" search boards.yaml --warm-start nope.csv --out-dir bad
printf 'device,arch,status,median_ms\njetson,%s,ok,3.5\n' "$(head -1 archs.txt)" > dev.csv
expect_exit 2 "dev.csv:2: device 'jetson' is not the device of any objective" "$HW" search boards.yaml --warm-start dev.csv
printf 'arch,latency_ms\nnot-an-arch,3.5\n' > arch.csv
expect_exit 2 "arch.csv: arch 'not-an-arch'" "$HW" search boards.yaml --warm-start arch.csv
printf 'a,b\n1,2\n' > cols.csv
expect_exit 2 "cols.csv: neither a hwnas measure CSV" "$HW" search boards.yaml --warm-start cols.csv
echo "ok: bad warm-start files"
