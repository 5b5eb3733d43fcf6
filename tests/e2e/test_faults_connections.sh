#!/usr/bin/env bash
# e2e fault test: half-open connections against the dispatcher (`hwnas
# measure`) on 127.0.0.1. 400 TCP connections are opened and held idle (no
# handshake) for 25 s, then an allowed replay board starts; its one job
# must be answered within 8 s:
# - soft descriptor limit 256, hard limit higher: the dispatcher raises its
#   soft limit to the hard one, so the connections never exhaust it;
# - soft and hard limit 300: the connections do exhaust it, and the
#   handshake timeout (2 s) frees them while they are still held open.
# Also checks the residual risk is documented in docs/jobs.md.
. "$(dirname "$0")/lib.sh" "$@"

grep -q "Residual risk" "$SRC/docs/jobs.md" || fail "docs/jobs.md does not document the residual risk"
"$HW" keygen --out disp > /dev/null && "$HW" keygen --out good > /dev/null || fail keygen
cp good.pub allow.txt
echo '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|none~1|none~2|' > archs.txt
sed 's/delay_ms: 200/delay_ms: 10/' "$DATA/configs/board-replay-tx2.yaml" > board.yaml
sed -i "s#table: ../hw_nas_bench#table: $DATA/hw_nas_bench#" board.yaml

run_case() { # $1 name, $2 soft limit, $3 hard limit
    local name=$1
    rm -f ep out_$name.csv
    ( ulimit -Sn "$2" && ulimit -Hn "$3" && exec "$HW" measure --dispatcher 'tcp://127.0.0.1:*' --endpoint-file ep \
        --device tx2 --archs archs.txt --out out_$name.csv --key disp.key --allow allow.txt --timeout-s 90 ) \
        2> measure_$name.log &
    local mp=$!
    PIDS+=($mp)
    wait_for 10 test -s ep || fail "$name: measure did not write its endpoint"
    local port
    port=$(sed 's/.*://' ep)
    # 400 idle connections, held 25 s
    $PY - "$port" > flood_$name.log 2>&1 <<'PY' &
import socket, sys, time
port = int(sys.argv[1])
held = []
for _ in range(400):
    try:
        held.append(socket.create_connection(("127.0.0.1", port), timeout=2))
    except OSError as e:
        print("connect failed:", e)
        break
print("held", len(held), flush=True)
time.sleep(25)
PY
    local fp=$!
    PIDS+=($fp)
    wait_for 20 grep -q "^held" flood_$name.log || fail "$name: the flood never connected"
    local t0
    t0=$(date +%s.%N)
    "$HW" board --config board.yaml --id good --device tx2 --dispatcher "$(cat ep)" --key good.key \
        --dispatcher-key disp.pub --quiet 2> board_$name.log &
    local bp=$!
    PIDS+=($bp)
    wait_for 20 grep -q ",ok," out_$name.csv || fail "$name: the allowed board never got its job done"
    local dt
    dt=$($PY -c "import time; print(round(time.time() - $t0, 2))")
    kill $bp $fp 2>/dev/null
    wait $mp 2>/dev/null
    $PY -c "import sys; sys.exit(0 if $dt < 8 else 1)" \
        || fail "$name: the board got its answer in after $dt s, want < 8 s ($(cat flood_$name.log))"
    echo "ok: $name: $(cat flood_$name.log) idle connections; the allowed board's job done in $dt s"
}
HARD=$(ulimit -Hn)
if [ "$HARD" = unlimited ] || [ "$HARD" -gt 1024 ]; then
    run_case soft256 256 1024
else
    echo "hard descriptor limit $HARD: case soft256 needs more" >&2
    run_case soft256 256 "$HARD"
fi
run_case hard300 300 300
echo PASS
