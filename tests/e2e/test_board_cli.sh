#!/usr/bin/env bash
# e2e: bad flags, bad configs, bad key/arch files for `hwnas board`,
# `hwnas keygen` and `hwnas measure` give ONE line "hwnas: ..." on stderr
# and exit status 2; the shipped board configs pass --check.
. "$(dirname "$0")/lib.sh" "$@"
FAILS=0
# expect2 PATTERN CMD...: exit 2, exactly one stderr line, starting "hwnas: " and matching PATTERN
expect2() {
    local pat=$1; shift
    "$@" > out.txt 2> err.txt; local rc=$?
    local lines; lines=$(wc -l < err.txt)
    if [ $rc != 2 ] || [ "$lines" != 1 ] || ! grep -q '^hwnas: ' err.txt || ! grep -qE -- "$pat" err.txt; then
        echo "FAIL: $* -> rc $rc, $lines lines: $(head -3 err.txt)" >&2; FAILS=$((FAILS+1))
    fi
}
"$HW" keygen --out d >/dev/null && "$HW" keygen --out b >/dev/null || { echo "FAIL: keygen" >&2; exit 1; }
[ "$(stat -c %a d.key)" = 600 ] || { echo "FAIL: key file mode" >&2; FAILS=$((FAILS+1)); }
cp b.pub allow.txt
printf 'A\n' > archs.txt
printf 'arch_str,lat\nA,1\n' > t.csv
good() { printf 'id: b\ndevice: tx2\ndispatcher: tcp://127.0.0.1:9\ndispatcher_key: d.pub\nkey: b.key\nrunner: replay\nreplay: {table: t.csv, value_column: lat}\n'; }
good > good.yaml

# --- board
expect2 "--config FILE is required" "$HW" board
expect2 "unknown option '--frobnicate'" "$HW" board --config good.yaml --frobnicate
expect2 "needs a value" "$HW" board --config
expect2 "unexpected argument" "$HW" board --config good.yaml extra
expect2 "nonexistent.yaml" "$HW" board --config nonexistent.yaml
{ good; echo "colour: blue"; } > c1.yaml;        expect2 "c1.yaml:8: key 'colour': unknown key" "$HW" board --config c1.yaml
good | sed 's/runner: replay/runner: magic/' > c2.yaml; expect2 "c2.yaml:6: .*runner.*magic" "$HW" board --config c2.yaml
good | sed 's/lat}/nope}/' > c3.yaml;            expect2 "t.csv: no column 'nope'" "$HW" board --config c3.yaml
good | sed '/^key:/d' > c4.yaml;                 expect2 "no key pair" "$HW" board --config c4.yaml
good | sed 's/^dispatcher:.*/dispatcher: http:\/\/x/' > c5.yaml; expect2 "must start with tcp://" "$HW" board --config c5.yaml
printf 'device: [\n' > c6.yaml;                  expect2 "c6.yaml" "$HW" board --config c6.yaml
good | sed 's/^heartbeat_ms.*//; s/^runner: replay/runner: replay\nheartbeat_ms: -5/' > c7.yaml; expect2 "heartbeat_ms" "$HW" board --config c7.yaml
expect2 "missing.key" "$HW" board --config good.yaml --key missing.key
printf 'public: abc\nsecret: def\n' > bad.key
expect2 "bad.key:1: not a 40-character Z85" "$HW" board --config good.yaml --key bad.key
expect2 "dispatcher_key" "$HW" board --config good.yaml --dispatcher-key garbage-key
{ sed -n 1p b.key; sed -n 2p d.key; } > mixed.key
expect2 "public key does not belong" "$HW" board --config good.yaml --key mixed.key
expect2 "--device" "$HW" board --config good.yaml --device "$(printf 'bad\tname')"
"$HW" board --config good.yaml --check > out.txt 2> err.txt || { echo "FAIL: good config --check: $(cat err.txt)" >&2; FAILS=$((FAILS+1)); }

# --- shipped configs (keys overridden: real boards keep theirs in /etc/hwnas)
for c in board-replay-tx2 board-trtexec board-builtin-cpu board-onnxruntime; do
    "$HW" board --config "$DATA/configs/$c.yaml" --key b.key --dispatcher-key d.pub --check > out.txt 2> err.txt \
        || { echo "FAIL: shipped $c.yaml: $(cat err.txt)" >&2; FAILS=$((FAILS+1)); }
done

# --- keygen
expect2 "--out BASE is required" "$HW" keygen
expect2 "exists" "$HW" keygen --out d
expect2 "unknown option" "$HW" keygen --out x --bits 4096

# --- measure
M=("$HW" measure --dispatcher 'tcp://127.0.0.1:*' --device tx2 --out o.csv --key d.key --allow allow.txt)
expect2 "are required" "$HW" measure --device tx2
expect2 "are required" "${M[@]}"
expect2 "--repeats" "${M[@]}" --archs archs.txt --repeats 0
expect2 "--dead-ms" "${M[@]}" --archs archs.txt --heartbeat-ms 500 --dead-ms 600
expect2 "--timeout-s" "${M[@]}" --archs archs.txt --timeout-s abc
printf 'A\nbad\001arch\n' > badarchs.txt
expect2 "badarchs.txt:2: arch string" "${M[@]}" --archs badarchs.txt
printf '# nothing\n\n' > empty.txt
expect2 "no arch strings" "${M[@]}" --archs empty.txt
printf 'not-a-key\n' > badallow.txt
expect2 "badallow.txt:1: not a 40-character" "$HW" measure --allow badallow.txt
printf 'x,y\n1,2\n' > foreign.csv
expect2 "not an hwnas measure output" "$HW" measure --dispatcher 'tcp://127.0.0.1:*' --device tx2 --out foreign.csv \
    --key d.key --allow allow.txt --archs archs.txt
expect2 "--device" "${M[@]}" --archs archs.txt --device ''
if [ $FAILS != 0 ]; then echo "$FAILS checks failed" >&2; exit 1; fi
echo "ok: every bad input gave one line and exit 2"
