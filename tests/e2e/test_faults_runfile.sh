#!/usr/bin/env bash
# e2e fault test: what `hwnas search` does with the run file around it.
# - a finished run: the same command again, `--resume`, and again after
#   that, each say "finished", exit 0 and leave RUN.h5 byte-identical
#   (no generation or measurement added);
# - the run-file lock: a second search on a run file in use exits 2 with
#   one line naming the first one's host and pid, and leaves the first one
#   running; after a kill -9 of the holder the stale lock does not block;
# - a journal with no run file (a kill -9 before the first checkpoint):
#   the next run keeps it (it is never deleted) and says it re-uses it;
#   --fresh discards it;
# - a FIFO as the run file: `search --resume`, `search --run`, `history`,
#   `front` each exit 2 with one line, within 10 s (never block);
# - 40 run files with 3 flipped bytes each: `front` and `history` exit 0
#   or 2, and on 2 print exactly one line (no HDF5 error stack, no
#   "infinite loop closing library");
# - the sentences of docs/jobs.md and docs/cluster.md that promise the
#   first two.
. "$(dirname "$0")/lib.sh" "$@"

for s in "A run that finished stays finished" "Two searches cannot share a run file"; do
    grep -q "$s" "$SRC/docs/jobs.md" || fail "docs/jobs.md lacks '$s'"
done
tr '\n' ' ' < "$SRC/docs/cluster.md" | tr -s ' ' > cluster.txt
for s in "finds \`/@finished\` in the run file, says so and exits 0" \
         "the second exits 2 with one line naming the host and pid of the first"; do
    grep -qF "$s" cluster.txt || fail "docs/cluster.md lacks: $s"
done

cat > c.yaml <<YAML
objectives:
  - {name: accuracy, direction: maximize, source: test_acc_200ep_cifar10}
  - {name: latency_ms, direction: minimize, source: edgegpu_latency_ms}
algorithm: {population: 8, generations: 4, seed: 7}
evaluator:
  tables: [$DATA/hw_nas_bench/hwnasbench_nb201_cifar10.csv, $DATA/nb201_accuracy/nb201_accuracy.csv]
hypervolume: {reference: [85, 12.861970]}
output: {dir: out}
YAML

# ---- a finished run is finished
"$HW" search c.yaml --quiet --run f.h5 --summary f.json > f.log 2>&1 || fail "first run"
G=$(json_get f.json 'j["generations"]'); M=$(json_get f.json 'j["measurements"]')
SUM=$(md5sum < f.h5)
for args in "--run f.h5" "--resume f.h5" "--run f.h5"; do
    "$HW" search c.yaml --quiet $args > again.out 2> again.err; RC=$?
    [ $RC = 0 ] || fail "re-run ($args) of a finished run: exit $RC: $(cat again.err)"
    grep -q "f.h5: this run finished at generation $G with $M measurements" again.err \
        || fail "re-run ($args): no 'finished' line: $(cat again.err)"
    [ "$(md5sum < f.h5)" = "$SUM" ] || fail "re-run ($args) changed the finished run file"
done
h5dump -a /finished f.h5 > /dev/null 2>&1 || fail "no /@finished attribute"
"$HW" history f.h5 > hist.txt 2>&1 || fail "history of the finished run"
echo "ok: a finished run (generation $G, $M measurements) is not extended"

# ---- the lock
sed "s/generations: 4/generations: 100000000/" c.yaml > slow.yaml
"$HW" search slow.yaml --run l.h5 --checkpoint-every 1000000 > l1.log 2>&1 &
P1=$!; PIDS+=($P1)
wait_gen l1.log 3 60 || fail "the first search never started"
expect_exit 2 "l.h5: in use by another search \(host $(hostname), pid $P1;" "$HW" search slow.yaml --quiet --run l.h5
kill -0 $P1 2>/dev/null || fail "the first search died when a second one tried its run file"
kill -KILL $P1; wait $P1 2>/dev/null
[ -f l.h5.lock ] || fail "no lock file"
[ ! -f l.h5 ] || fail "a checkpoint was written before the kill"
[ -s l.h5.journal ] || fail "the killed run left no journal"
timeout $((60 * SLOW)) "$HW" search slow.yaml --run l.h5 --generations 2 > l2.log 2>&1 || fail "a stale lock blocked the next run"
grep -qE "l.h5.journal: a run that stopped before its first checkpoint journaled [0-9]+ measurements" l2.log || fail "the journal of the killed run was not re-used: $(grep hwnas: l2.log)"
echo "ok: the lock refuses a second search; a stale lock does not block; the journal is kept"
"$HW" search slow.yaml --run l.h5 --fresh --generations 1 > l3.log 2>&1 || fail "--fresh"
grep -q "journaled" l3.log && fail "--fresh re-used the journal"
echo "ok: --fresh discards the journal"

# ---- a FIFO is not a run file
mkfifo p.h5
expect_exit 2 "p.h5: not a regular file" timeout $((10 * SLOW)) "$HW" search c.yaml --resume p.h5
expect_exit 2 "p.h5: not a regular file" timeout $((10 * SLOW)) "$HW" search c.yaml --run p.h5
expect_exit 2 "p.h5: not a regular file" timeout $((10 * SLOW)) "$HW" history p.h5
expect_exit 2 "p.h5: not a regular file" timeout $((10 * SLOW)) "$HW" front p.h5
echo "ok: a FIFO is refused"

# ---- corrupt run files: one line
$PY - f.h5 "$HW" <<'PY' || fail "corrupt run files"
import random, subprocess, sys
data = open(sys.argv[1], "rb").read()
random.seed(12)
refused = 0
for t in range(40):
    b = bytearray(data)
    for _ in range(3):
        b[random.randrange(len(b))] ^= 0x5A
    open("flip.h5", "wb").write(b)
    for cmd in ("front", "history"):
        p = subprocess.run([sys.argv[2], cmd, "flip.h5"], capture_output=True, text=True, timeout=30)
        lines = p.stderr.strip().splitlines()
        assert p.returncode in (0, 2), f"{cmd}, flip {t}: exit {p.returncode}: {lines[:3]}"
        if p.returncode == 2:
            refused += 1
            assert len(lines) == 1, f"{cmd}, flip {t}: {len(lines)} lines: {lines[:3]}"
print(f"ok: {refused} of 80 reads of flipped run files refused, each with one line")
PY
echo PASS
