#!/usr/bin/env bash
# e2e fault test: board events in the search's log, and a device whose
# boards all die in the middle of a batch (replay boards, 0.5 s a job).
# - only a board of another device connected: a "waiting" line names the
#   device needed and the devices connected;
# - a board joining, dying (SIGSTOP past boards.dead_ms) and rejoining:
#   one line each with its id and device;
# - every tx2 board killed mid-batch: "waiting" lines, then after
#   boards.wait_s (8 s) exit 1 with one last line naming the device, no
#   MPI banner, well before the wait would be unbounded;
# - the same command with a board back: the journaled answers are re-used
#   and the run finishes;
# - docs/jobs.md states this behaviour.
. "$(dirname "$0")/lib.sh" "$@"

grep -q "When every board of a device is gone in the middle of a batch, the search" "$SRC/docs/jobs.md" \
    || fail "docs/jobs.md lacks the sentence this test checks"
"$HW" keygen --out disp > /dev/null || fail keygen
for b in b1 b2 n1; do "$HW" keygen --out $b > /dev/null || fail keygen; cat $b.pub >> allow.txt; done
PORT=$(( 20000 + (RANDOM % 30000) ))
cat > c.yaml <<YAML
objectives:
  - {name: accuracy, direction: maximize, source: test_acc_200ep_cifar10}
  - {name: latency_ms, direction: minimize, source: edgegpu_latency_ms, device: tx2}
algorithm: {population: 6, offspring: 6, generations: 400, seed: 9} # outlasts the steps below, however slow
evaluator:
  tables: [$DATA/hw_nas_bench/hwnasbench_nb201_cifar10.csv, $DATA/nb201_accuracy/nb201_accuracy.csv]
boards: {bind: 'tcp://127.0.0.1:$PORT', key: disp.key, allow: allow.txt, wait_s: 8, dead_ms: 1000}
YAML
sed 's/delay_ms: 200/delay_ms: 500/' "$DATA/configs/board-replay-tx2.yaml" > board.yaml
sed -i "s#table: ../hw_nas_bench#table: $DATA/hw_nas_bench#" board.yaml
board() { # $1 id, $2 device
    "$HW" board --config board.yaml --id "$1" --device "$2" --dispatcher "tcp://127.0.0.1:$PORT" \
        --key "$1.key" --dispatcher-key disp.pub --quiet 2>> "$1.log" &
    PIDS+=($!)
}

board n1 nano
"$HW" search c.yaml --quiet --run r.h5 > s.out 2> s.log &
SP=$!; PIDS+=($SP)
wait_for 15 grep -q "waiting [0-9]* s for a board of device 'tx2'.*connected: 'nano' (1 board)" s.log \
    || fail "no line naming the device needed and the devices connected"
board b1 tx2; B1=$!
board b2 tx2; B2=$!
for b in b1 b2; do
    wait_for 10 grep -q "board '$b' joined (device 'tx2'" s.log || fail "no join line for $b"
done
wait_for 20 grep -q "board 'b2'" b2.log 2>/dev/null
sleep 1
kill -STOP $B2
wait_for 10 grep -q "board 'b2' declared dead (device 'tx2')" s.log || fail "no death line for b2"
kill -CONT $B2
wait_for 10 grep -q "board 'b2' joined again (device 'tx2'" s.log || fail "no rejoin line for b2"
echo "ok: join, death, rejoin and a missing device are logged with id and device"

sleep 1
kill -0 $SP 2>/dev/null || fail "the search ended before the boards were killed"
kill -KILL $B1 $B2
T0=$(date +%s)
wait $SP; RC=$?
DT=$(( $(date +%s) - T0 ))
[ $RC = 1 ] || fail "exit $RC after every tx2 board died, want 1"
[ $DT -le 20 ] || fail "the search took $DT s to give up, want <= 20 (wait_s 8 + dead_ms 1)"
grep -q "waiting [0-9]* s for a board of device 'tx2'" s.log || fail "no waiting line after the boards died"
tail -1 s.log | grep -q "^hwnas: boards: no board of device 'tx2' live for 8 s (boards.wait_s)" \
    || fail "last line: $(tail -1 s.log)"
grep -q "MPI_ABORT" s.log && fail "an MPI banner"
echo "ok: every board dead mid-batch: exit 1 after $DT s with one line"

board b1 tx2
"$HW" search c.yaml --quiet --run r.h5 --generations 3 > s2.out 2> s2.log || fail "re-run: $(tail -3 s2.log)"
grep -qE "resuming from r.h5|r.h5.journal: a run that stopped" s2.log || fail "the re-run did not resume: $(head -3 s2.log)"
echo "ok: the re-run resumes and finishes"
echo PASS
