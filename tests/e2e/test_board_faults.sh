#!/usr/bin/env bash
# e2e: 3 replay boards, 60 jobs through `hwnas measure` on 127.0.0.1; one
# board is SIGKILLed in the middle of a job, another is SIGSTOPped (hung)
# long enough to be declared dead and then SIGCONTed. Every job must be
# reported exactly once, with the table's value, none lost or duplicated.
. "$(dirname "$0")/lib.sh" "$@"

"$HW" keygen --out disp >/dev/null || fail keygen
for b in b1 b2 b3; do "$HW" keygen --out $b >/dev/null || fail keygen; cat $b.pub >> allow.txt; done
TABLE=$DATA/hw_nas_bench/hwnasbench_nb201_cifar10.csv
# 60 archs that have a TX2 value (column 10 = edgegpu_latency_ms)
awk -F, 'NR>1 && $10!="" {print $2}' "$TABLE" | head -60 > archs.txt
[ "$(wc -l < archs.txt)" = 60 ] || fail "could not pick 60 archs"

"$HW" measure --dispatcher 'tcp://127.0.0.1:*' --endpoint-file ep --device tx2 --archs archs.txt --out out.csv \
    --key disp.key --allow allow.txt --heartbeat-ms 100 --dead-ms 800 --backoff-ms 20 --timeout-s 90 \
    2> measure.log &
MPID=$!; PIDS+=($MPID)
wait_for 10 test -s ep || fail "measure did not write its endpoint"
EP=$(cat ep)
for b in b1 b2 b3; do
    "$HW" board --config "$DATA/configs/board-replay-tx2.yaml" --id $b --device tx2 --dispatcher "$EP" \
        --key $b.key --dispatcher-key disp.pub 2> $b.log &
    PIDS+=($!); eval "P_$b=$!"
done
# the replay config waits 200 ms per job: 60 jobs on 3 boards take ~4 s
wait_for 20 grep -q "joined" measure.log || fail "no board joined"
# SIGKILL b1 while it holds a job: its last log line is a job start
mid_job() { tail -1 b1.log | grep -Eq '^hwnas: board b1: job [0-9]+: \|'; }
wait_for 20 mid_job || fail "b1 never started a job"
kill -KILL "$P_b1"; wait "$P_b1" 2>/dev/null
KILLED_JOB=$(tail -1 b1.log | sed -E 's/.*job ([0-9]+):.*/\1/')
# hang b2 longer than --dead-ms, then let it go on
sleep 0.3
kill -STOP "$P_b2"
wait_for 10 grep -q "board 'b2' declared dead" measure.log || fail "hung b2 was not declared dead"
grep -q "board 'b1' declared dead" measure.log || wait_for 5 grep -q "board 'b1' declared dead" measure.log || fail "killed b1 was not declared dead"
sleep 0.5
kill -CONT "$P_b2"
wait "$MPID"; RC=$?
[ $RC = 0 ] || fail "measure exit status $RC"

# exactly once: 60 data rows, 60 distinct archs, the same set as the input
[ "$(tail -n +2 out.csv | wc -l)" = 60 ] || fail "expected 60 rows, got $(tail -n +2 out.csv | wc -l)"
tail -n +2 out.csv | cut -d, -f2 | sort > got.txt
sort archs.txt > want.txt
cmp -s got.txt want.txt || fail "the measured archs differ from the submitted ones (lost or duplicated)"
[ "$(tail -n +2 out.csv | cut -d, -f3 | sort -u)" = ok ] || fail "not every row has status ok"
# the values are the table's
bad=$(awk -F, 'NR==FNR { if (FNR>1 && $10!="") v[$2]=$10; next }
         FNR>1 { if (!($2 in v) || ($4 - v[$2])^2 > 1e-6) { print $2 ": median " $4 ", table " (($2 in v) ? v[$2] : "none"); exit } }' \
      "$TABLE" out.csv)
[ -z "$bad" ] || fail "a median differs from the table value (|diff| > 1e-3): $bad"
# the job b1 was measuring when it was killed was finished by another board
awk -F, -v j="$KILLED_JOB" 'FNR>1 && $15==j { if ($10=="b1" || $14<2) exit 1; found=1 } END { exit found ? 0 : 1 }' out.csv \
    || fail "job $KILLED_JOB (killed on b1) was not retried on another board"
# b2 came back and rejoined
[ "$(grep -c "board 'b2' joined" measure.log)" -ge 2 ] || fail "b2 did not rejoin after SIGCONT"
echo "ok: 60/60 jobs exactly once; b1 killed mid-job $KILLED_JOB, b2 hung and rejoined"
