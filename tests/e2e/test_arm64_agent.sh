#!/bin/bash
# test_arm64_agent: the board agent cross-built for aarch64
# (-DHWNAS_AGENT_ONLY=ON, cmake/aarch64-linux-gnu.cmake, Debian's arm64
# cross toolchain and multiarch libraries) runs under qemu-aarch64 as a board
# of an x86 `hwnas measure` on loopback, over CURVE:
#   replay   its results equal the x86 agent's for the same 20 archs
#   builtin  (C BERT forward, arm64 OpenBLAS) finite timings, larger
#            candidates slower
#   command  the ONNX Runtime recipe with the arm64 `hwnas export`
# and each arch arrives exactly once per run.
. "$(dirname "$0")/lib.sh" "$@"
command -v qemu-aarch64 > /dev/null || fail "qemu-aarch64 missing: run tools/setup.sh"
command -v aarch64-linux-gnu-gcc > /dev/null || fail "aarch64 cross compiler missing: run tools/setup.sh"
ARMB=$BUILD/arm64-agent
if [ ! -f "$ARMB/CMakeCache.txt" ]; then
    cmake -S "$SRC" -B "$ARMB" -DHWNAS_AGENT_ONLY=ON -DHWNAS_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_TOOLCHAIN_FILE="$SRC/cmake/aarch64-linux-gnu.cmake" > cross-configure.log 2>&1 || fail "cross configure"
fi
nice cmake --build "$ARMB" -j2 > cross-build.log 2>&1 || fail "cross build"
file -L "$ARMB/hwnas" | grep -q 'ARM aarch64' || fail "not an aarch64 binary: $(file -L "$ARMB/hwnas")"
# the multiarch libc6:arm64 provides /lib/ld-linux-aarch64.so.1, so no -L:
# the cross package's loader with the multiarch libc.so.6 hangs in
# pthread_create when their versions differ
[ -e /lib/ld-linux-aarch64.so.1 ] || fail "libc6:arm64 missing: run tools/setup.sh"
printf '#!/bin/sh\nexec qemu-aarch64 %s "$@"\n' "$ARMB/hwnas" > hwnas-arm64
chmod +x hwnas-arm64
ARM=$T/hwnas-arm64
"$ARM" --version | grep -q '^hwnas ' || fail "the arm64 binary does not run under qemu"

"$HW" keygen --out disp > /dev/null || fail keygen
for b in arm x86; do "$ARM" keygen --out $b > /dev/null || fail "arm64 keygen"; cat $b.pub >> allow.txt; done

# run_batch NAME DEVICE ARCHS AGENT KEY CONFIG: one measure run (x86) with
# one board NAME; NAME.csv must get every arch exactly once, status ok
run_batch() {
    local name=$1 dev=$2 archs=$3 agent=$4 key=$5 cfg=$6 m
    rm -f ep
    "$HW" measure --dispatcher 'tcp://127.0.0.1:*' --endpoint-file ep --device "$dev" --archs "$archs" \
        --out "$name.csv" --key disp.key --allow allow.txt --timeout-s 600 --dead-ms 20000 2> "$name-measure.log" &
    m=$!; PIDS+=($m)
    wait_for 10 test -s ep || fail "$name: measure did not write its endpoint"
    HWNAS=$ARM HWNAS_ORT_NODE_PATH=$SRC/tests/peers/node_modules \
        "$agent" board --config "$cfg" --id "$name" --dispatcher "$(cat ep)" --key "$key" \
        --dispatcher-key disp.pub 2> "$name-board.log" &
    local bpid=$!; PIDS+=($bpid)
    wait $m || fail "$name: measure exit status $?"
    kill -TERM $bpid 2>/dev/null; wait $bpid 2>/dev/null
    grep -q "board '$name' joined" "$name-measure.log" || fail "$name: the board never joined"
    $PY - "$name.csv" "$archs" <<'PY' || fail "$name: rows"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
archs = [a.strip() for a in open(sys.argv[2]) if a.strip()]
assert sorted(r["arch"] for r in rows) == sorted(archs), f"{len(rows)} rows for {len(archs)} archs: each exactly once"
assert all(r["status"] == "ok" for r in rows), [r for r in rows if r["status"] != "ok"]
PY
}

# replay: arm64 vs x86 agent on the same archs
awk -F, 'NR>1 && $10!="" {print $2}' "$DATA/hw_nas_bench/hwnasbench_nb201_cifar10.csv" | sed -n '200,219p' > replay.txt
sed 's/delay_ms: 200/delay_ms: 0/' "$DATA/configs/board-replay-tx2.yaml" > replay.yaml
sed -i "s|table: ../hw_nas_bench|table: $DATA/hw_nas_bench|" replay.yaml
run_batch arm-replay jetson-tx2 replay.txt "$ARM" arm.key replay.yaml
run_batch x86-replay jetson-tx2 replay.txt "$HW" x86.key replay.yaml
$PY - arm-replay.csv x86-replay.csv <<'PY' || fail "replay results differ between the arm64 and x86 agents"
import csv, sys
a = {r["arch"]: r for r in csv.DictReader(open(sys.argv[1]))}
b = {r["arch"]: r for r in csv.DictReader(open(sys.argv[2]))}
cols = ["status", "median_ms", "mean_ms", "std_ms", "min_ms", "repetitions", "runner"]
bad = [(k, c, a[k][c], b[k][c]) for k in a for c in cols if a[k][c] != b[k][c]]
print(f"replay: {len(a)} archs, arm64 vs x86 differing cells: {bad[:3]}")
sys.exit(1 if bad else 0)
PY

# builtin: the C forward pass on arm64 OpenBLAS under qemu
cat > builtin.yaml <<YAML
device: cpu-bert-arm64
dispatcher: tcp://127.0.0.1:9
dispatcher_key: disp.pub
key: arm.key
dispatcher_timeout_ms: 20000
runner: builtin
builtin: {batch: 1, seq_len: 32, warmup: 1, runs: 3, threads: 1, vocab: 2000, seed: 1,
          space: {layers: [2, 3, 4], hidden: [64, 128, 256], heads: [2, 4], ffn: [256, 512]}}
YAML
printf '%s\n' L2:H64:A2.2:F256.256 L3:H128:A4.4.4:F512.512.512 L4:H256:A4.4.4.4:F512.512.512.512 > builtin.txt
run_batch arm-builtin cpu-bert-arm64 builtin.txt "$ARM" arm.key builtin.yaml
$PY - arm-builtin.csv builtin.txt <<'PY' || fail "builtin timings"
import csv, math, sys
rows = {r["arch"]: r for r in csv.DictReader(open(sys.argv[1]))}
order = [a.strip() for a in open(sys.argv[2]) if a.strip()]  # ascending size
med = [float(rows[a]["median_ms"]) for a in order]
print("builtin on arm64 (qemu): " + ", ".join(f"{a} {m:.2f} ms" for a, m in zip(order, med)))
assert all(math.isfinite(m) and m > 0 for m in med), med
assert all(rows[a]["runner"] == "builtin" and rows[a]["repetitions"] == "3" for a in order)
assert med[0] < med[1] < med[2], "larger candidates must be slower"
PY

# command: the ONNX Runtime recipe, exporting with the arm64 hwnas
sed -e "s|/usr/local/share/hwnas/board/measure-onnx.sh|$SRC/data/board/measure-onnx.sh|" \
    -e 's/"seq_len=128", "warmup=10", "runs=30"/"seq_len=32", "warmup=1", "runs=3"/' \
    -e "s|work_dir: /tmp/hwnas-board|work_dir: $T/work|" \
    "$DATA/configs/board-onnxruntime.yaml" > ort.yaml
printf '%s\n' '|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|' \
    L2:H128:A2.2:F512.512 > command.txt
run_batch arm-command cpu-onnxruntime command.txt "$ARM" arm.key ort.yaml
$PY - arm-command.csv <<'PY' || fail "command runner results"
import csv, math
rows = list(csv.DictReader(open("arm-command.csv")))
for r in rows:
    assert r["runner"] == "command" and r["repetitions"] == "3" and math.isfinite(float(r["median_ms"])), r
print("command on arm64 (qemu): " + ", ".join(f"{r['arch']} {float(r['median_ms']):.2f} ms" for r in rows))
PY
echo "test_arm64_agent: ok"
