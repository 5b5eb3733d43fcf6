#!/usr/bin/env bash
# e2e: the dispatcher (`hwnas measure`) is SIGKILLed in the middle of a
# batch and restarted on the same port with the same output file: the two
# boards reconnect by themselves, only the unanswered archs are submitted
# again, and every arch ends up in the CSV exactly once.
. "$(dirname "$0")/lib.sh" "$@"
rows() { echo $(( $(wc -l < out.csv) - 1 )); }

"$HW" keygen --out disp >/dev/null || fail keygen
for b in b1 b2; do "$HW" keygen --out $b >/dev/null || fail keygen; cat $b.pub >> allow.txt; done
TABLE=$DATA/hw_nas_bench/hwnasbench_nb201_cifar10.csv
awk -F, 'NR>1 && $10!="" {print $2}' "$TABLE" | sed -n '100,139p' > archs.txt
N=$(wc -l < archs.txt)
MEASURE=("$HW" measure --device tx2 --archs archs.txt --out out.csv --key disp.key --allow allow.txt
         --heartbeat-ms 100 --dead-ms 800 --timeout-s 60)

"${MEASURE[@]}" --dispatcher 'tcp://127.0.0.1:*' --endpoint-file ep 2> measure1.log &
M1=$!; PIDS+=($M1)
wait_for 10 test -s ep || fail "measure did not write its endpoint"
EP=$(cat ep)
for b in b1 b2; do
    "$HW" board --config "$DATA/configs/board-replay-tx2.yaml" --id $b --device tx2 --dispatcher "$EP" \
        --key $b.key --dispatcher-key disp.pub 2> $b.log &
    PIDS+=($!)
done
progress() { [ "$(rows)" -ge 8 ]; }
wait_for 30 progress || fail "no progress before the kill"
kill -KILL $M1; wait $M1 2>/dev/null
DONE1=$(rows)
[ "$DONE1" -lt "$N" ] || fail "the batch finished before the kill; make it longer"
sleep 1.5   # boards notice the silence (dispatcher_timeout 5 s is longer: they rely on WHO)

# restart on the same port (the endpoint file has the real one)
"${MEASURE[@]}" --dispatcher "$EP" 2> measure2.log &
M2=$!; PIDS+=($M2)
wait $M2; RC=$?
[ $RC = 0 ] || fail "restarted measure exit status $RC"
grep -q "$DONE1 archs already measured" measure2.log || fail "the restart did not resume ($DONE1 rows before)"
[ "$(rows)" = "$N" ] || fail "expected $N rows, got $(rows)"
tail -n +2 out.csv | cut -d, -f2 | sort > got.txt
sort archs.txt > want.txt
cmp -s got.txt want.txt || fail "archs lost or duplicated across the restart"
[ "$(tail -n +2 out.csv | cut -d, -f3 | sort -u)" = ok ] || fail "not every row is ok"
for b in b1 b2; do
    grep -q "board '$b' joined" measure2.log || fail "$b did not reconnect to the restarted dispatcher"
done
# the second run measured only what the first had not answered
[ "$(grep -o 'measure: [0-9]*/[0-9]* done' measure2.log | tail -1)" = "measure: $((N - DONE1))/$((N - DONE1)) done" ] \
    || fail "second run did not submit exactly the $((N - DONE1)) unanswered archs"
echo "ok: killed after $DONE1/$N, restarted, boards rejoined, $N rows exactly once"
