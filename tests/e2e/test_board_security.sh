#!/usr/bin/env bash
# e2e: CURVE security and robustness of `hwnas measure` + `hwnas board`:
#  - a board whose key is not in the allow-list is refused (ZAP), and says so;
#  - a board configured with the wrong dispatcher key never connects;
#  - raw garbage and an oversized blob thrown at the dispatcher's TCP port
#    do not crash it; afterwards an allowed board measures everything.
. "$(dirname "$0")/lib.sh" "$@"
rows() { echo $(( $(wc -l < out.csv) - 1 )); }

for k in disp other good intruder; do "$HW" keygen --out $k >/dev/null || fail keygen; done
cp good.pub allow.txt
TABLE=$DATA/hw_nas_bench/hwnasbench_nb201_cifar10.csv
awk -F, 'NR>1 && $10!="" {print $2}' "$TABLE" | sed -n '200,209p' > archs.txt

"$HW" measure --dispatcher 'tcp://127.0.0.1:*' --endpoint-file ep --device tx2 --archs archs.txt --out out.csv \
    --key disp.key --allow allow.txt --heartbeat-ms 100 --dead-ms 800 --timeout-s 60 2> measure.log &
MPID=$!; PIDS+=($MPID)
wait_for 10 test -s ep || fail "measure did not write its endpoint"
EP=$(cat ep); PORT=${EP##*:}
board() { # ID KEY DISPATCHER_PUB
    "$HW" board --config "$DATA/configs/board-replay-tx2.yaml" --id "$1" --device tx2 --dispatcher "$EP" \
        --key "$2" --dispatcher-key "$3" 2> "$1.log" &
    PIDS+=($!)
}
board intruder intruder.key disp.pub      # unknown key
board confused good.key other.pub         # right key, wrong dispatcher key

wait_for 15 grep -qF "refused a board with public key $(cat intruder.pub)" measure.log \
    || fail "the dispatcher did not log refusing the unknown key"
wait_for 15 grep -q "dispatcher refused this board" intruder.log || fail "the intruder did not learn it was refused"
# garbage on the raw TCP port: not ZMTP, not CURVE; then an oversized blob
for i in 1 2 3; do head -c 3000 /dev/urandom > /dev/tcp/127.0.0.1/$PORT 2>/dev/null; done
head -c 3000000 /dev/zero > /dev/tcp/127.0.0.1/$PORT 2>/dev/null
printf '\xff\x00\x00\x00\x00\x00\x00\x00\x01\x7fgarbage' > /dev/tcp/127.0.0.1/$PORT 2>/dev/null
sleep 2
kill -0 $MPID 2>/dev/null || fail "the dispatcher died"
[ "$(rows)" = 0 ] || fail "a refused board delivered results"
grep -q "joined" measure.log && fail "a bad board joined"

board good good.key disp.pub
wait $MPID; RC=$?
[ $RC = 0 ] || fail "measure exit status $RC"
[ "$(rows)" = 10 ] || fail "expected 10 rows, got $(rows)"
[ "$(tail -n +2 out.csv | cut -d, -f10 | sort -u)" = good ] || fail "rows from a board other than 'good'"
grep -q "joined" confused.log intruder.log && fail "a bad board thinks it joined"
grep -q "connected to dispatcher" confused.log && fail "the wrong-key board connected"
grep -q "CURVE handshake with .* failed" confused.log || fail "the wrong-key board did not log its failed handshake"
echo "ok: unknown key refused, wrong dispatcher key never connected, garbage survived, 10/10 by the good board"
