#!/usr/bin/env bash
# e2e fault test: the only board of a device killed in the middle of a
# batch (replay board, 0.4 s a job), boards.wait_s 3, no scheduled
# checkpoint; at P = 1 and P = 3:
# - gives up within wait_s + dead_ms + slack, exits 1; the last stderr line names the
#   device and the wait and says which generation the run file holds; no
#   other hwnas line but the dispatcher's board events and "waiting" lines
#   (no "rank N:" line, no MPI_ABORT / "mpirun has exited" banner; under
#   mpirun, mpirun's own notice of the exit status is not hwnas's; no
#   sanitizer report in an ASan tree, whose exit status would hide behind 1);
# - the run file holds a checkpoint of the last generation the search
#   finished (its progress log) and the journal is there;
# - with a new board, --resume says it continues after that generation with
#   some measurements from the journal; no arch a board answered before the
#   kill is issued to a board again, the new board measures no arch twice,
#   and the run's measurements = the checkpoint's + the journal's + the new
#   board's jobs;
# - docs/jobs.md and docs/cluster.md state this.
. "$(dirname "$0")/lib.sh" "$@"

tr '\n' ' ' < "$SRC/docs/jobs.md" | tr -s ' ' > jobs.txt
tr '\n' ' ' < "$SRC/docs/cluster.md" | tr -s ' ' > cluster.txt
S1="then writes a checkpoint of the last generation it finished and exits 1 with one line, at any number of ranks"
S2="every answer received is in the journal and \`--resume\` continues from that generation without measuring them again"
for s in "$S1" "$S2"; do
    grep -qF "$s" jobs.txt || fail "docs/jobs.md lacks: $s"
    grep -qF "$s" cluster.txt || fail "docs/cluster.md lacks: $s"
done

"$HW" keygen --out disp > /dev/null || fail keygen
for b in b1 b3; do "$HW" keygen --out $b > /dev/null || fail keygen; cat $b.pub >> allow.txt; done
PORT=$(( 20000 + (RANDOM % 30000) ))
sed 's/delay_ms: 200/delay_ms: 400/' "$DATA/configs/board-replay-tx2.yaml" > board.yaml
sed -i "s#table: ../hw_nas_bench#table: $DATA/hw_nas_bench#" board.yaml
board() { # $1 id, $2 log
    "$HW" board --config board.yaml --id "$1" --device tx2 --dispatcher "tcp://127.0.0.1:$PORT" \
        --key "$1.key" --dispatcher-key disp.pub 2>> "$2" &
    PIDS+=($!)
}
oks() { grep -cE "job [0-9]+: (ok|failed)" "$1"; }
oks_at_least() { [ "$(oks "$1")" -ge "$2" ]; }
last_gen() { grep -o '"generation": [0-9]*' "$1" | tail -1 | grep -o '[0-9]*$'; }

for NP in 1 3; do
    L=""; [ $NP = 3 ] && L="mpirun --oversubscribe -n 3"
    cat > c$NP.yaml <<YAML
objectives:
  - {name: accuracy, direction: maximize, source: test_acc_200ep_cifar10}
  - {name: latency_ms, direction: minimize, source: edgegpu_latency_ms, device: tx2}
algorithm: {population: 8, offspring: 8, generations: 4, seed: 4}
evaluator:
  tables: [$DATA/hw_nas_bench/hwnasbench_nb201_cifar10.csv, $DATA/nb201_accuracy/nb201_accuracy.csv]
boards: {bind: 'tcp://127.0.0.1:$PORT', key: disp.key, allow: allow.txt, wait_s: 3, dead_ms: 1000}
output: {dir: out$NP, progress: prog$NP.jsonl}
YAML
    board b1 b1-$NP.log; B1=$!
    $L "$HW" search c$NP.yaml --quiet --run r$NP.h5 --checkpoint-every 1000 > s$NP.out 2> s$NP.log &
    SP=$!; PIDS+=($SP)
    # in the middle of the batch after generation 1: two answers of it in
    wait_for 90 grep -q '"generation": 1,' out$NP/prog$NP.jsonl || fail "P=$NP: no generation 1"
    c0=$(oks b1-$NP.log)
    wait_for 30 oks_at_least b1-$NP.log $((c0 + 2)) || fail "P=$NP: the board answered nothing after generation 1"
    wc -l < b1-$NP.log > b1-$NP.cut
    sleep 0.5                        # every answer logged before the cut has reached the search
    kill -KILL $B1
    T0=$(date +%s)
    wait_for 30 grep -q "no board of device 'tx2' live" s$NP.log
    TL=$(( $(date +%s) - T0 ))
    wait $SP; RC=$?
    DT=$(( $(date +%s) - T0 ))
    [ $RC = 1 ] || fail "P=$NP: exit $RC after the only tx2 board died, want 1"
    [ $TL -le $((10 * SLOW)) ] || fail "P=$NP: $TL s to give up, want <= $((10 * SLOW)) (wait_s 3 + dead_ms 1)"
    [ $DT -le $((20 * SLOW)) ] || fail "P=$NP: exit $DT s after the kill, want <= $((20 * SLOW))"
    G=$(last_gen out$NP/prog$NP.jsonl)
    [ -n "$G" ] && [ "$G" -ge 1 ] || fail "P=$NP: no generation in the progress log"
    grep -qE "MPI_ABORT|mpirun has exited|rank [0-9]+:" s$NP.log && fail "P=$NP: an abort: $(grep -E 'MPI_ABORT|mpirun has|rank' s$NP.log | head -2)"
    grep -qE "Sanitizer|runtime error" s$NP.log && fail "P=$NP: a sanitizer report (ASan tree): $(grep -E 'Sanitizer|runtime error' s$NP.log | head -3)"
    grep '^hwnas' s$NP.log > h$NP.log # without mpirun's notice of the exit status (its own, not an abort)
    tail -1 h$NP.log | grep -qE "^hwnas: boards: no board of device 'tx2' live for 3 s \(boards.wait_s\).*; r$NP.h5 holds generation $G \(checkpoint written now\): --resume r$NP.h5 continues from it$" \
        || fail "P=$NP: last line: $(tail -1 h$NP.log)"
    other=$(grep -vE "^hwnas: dispatcher: |^hwnas: boards: waiting " h$NP.log | grep -c .)
    [ "$other" = 1 ] || fail "P=$NP: $other hwnas lines besides board events, want 1: $(grep -vE '^hwnas: dispatcher: ' h$NP.log | head -5)"
    [ -s r$NP.h5.journal ] || fail "P=$NP: no journal"
    H=$("$HW" history r$NP.h5 --csv | tail -1 | cut -d, -f1)
    [ "$H" = "$G" ] || fail "P=$NP: the run file's last generation is $H, the search had finished $G"
    echo "ok: P=$NP: board gone in generation $((G + 1)): gave up after $TL s, exit 1 after $DT s, one line, checkpoint of generation $G"

    board b3 b3-$NP.log; B3=$!
    $L "$HW" search c$NP.yaml --quiet --resume r$NP.h5 --summary s$NP.json > s$NP.2.out 2> s$NP.2.log \
        || fail "P=$NP: resume: $(tail -3 s$NP.2.log)"
    line=$(grep -E "^hwnas: resuming from r$NP.h5 after generation " s$NP.2.log) \
        || fail "P=$NP: no resume line: $(head -3 s$NP.2.log)"
    [[ $line =~ after\ generation\ ([0-9]+)\ \(([0-9]+)\ measurements,\ ([0-9]+)\ more\ from\ the\ journal\) ]] \
        || fail "P=$NP: resume line: $line"
    [ "${BASH_REMATCH[1]}" = "$G" ] || fail "P=$NP: resumed after generation ${BASH_REMATCH[1]}, want $G"
    MCK=${BASH_REMATCH[2]} R=${BASH_REMATCH[3]}
    [ "$R" -ge 1 ] || fail "P=$NP: nothing taken from the journal"
    kill $B3; wait $B3 2>/dev/null
    $PY - b1-$NP.log b1-$NP.cut b3-$NP.log s$NP.json "$MCK" "$R" <<'PY' || fail "P=$NP: board jobs vs measurements"
import json, re, sys
b1, cut, b3, summ, mck, r = sys.argv[1:7]
mck, r = int(mck), int(r)
lines = open(b1).read().splitlines()[:int(open(cut).read())]
issued, before = {}, set()
for l in lines:
    m = re.search(r"job (\d+): (\|\S+\|)$", l)
    if m: issued[m.group(1)] = m.group(2)
    m = re.search(r"job (\d+): (ok|failed)", l)
    if m and m.group(1) in issued: before.add(issued[m.group(1)])
again = [m.group(1) for m in (re.search(r"job \d+: (\|\S+\|)$", l) for l in open(b3)) if m]
s = json.load(open(summ))
print(f"answered before the kill {len(before)}, checkpoint {mck} + journal {r} + new board jobs {len(again)}, "
      f"measurements {s['measurements']}")
assert not set(again) & before, f"measured again: {sorted(set(again) & before)[:3]}"
assert len(again) == len(set(again)), "the new board measured an arch twice"
assert s["measurements"] == mck + r + len(again), "measurements != checkpoint + journal + new jobs"
PY
    echo "ok: P=$NP: --resume after generation $G, $R answers from the journal, nothing measured twice"
done
echo PASS
