#!/usr/bin/env bash
# e2e: checkpoints and exact resume of `hwnas search` (predictor mode, the
# mode where board time matters).
# - P=1 and P=3: SIGUSR1 mid-run -> checkpoint, exit 3; --resume (--quiet)
#   says it resumes after the generation of that checkpoint -> the same
#   front and per-generation history as an uninterrupted run;
# - kill -9 mid-run (checkpoint every 2 generations) -> automatic resume from
#   the run file after the last checkpoint's generation -> the same front
#   and history;
# - a truncated run file, a run file of another config -> one line, exit 2;
# - resuming with another rank count works (re-partitioned, not identical).
. "$(dirname "$0")/lib.sh" "$@"
LOG_TAIL=8
cat > c.yaml <<YAML
objectives:
  - {name: accuracy, direction: maximize, source: test_acc_200ep_cifar10}
  - {name: latency_ms, direction: minimize, source: edgegpu_latency_ms}
algorithm: {population: 16, generations: 200, seed: 11, max_measurements: 40}
evaluator:
  kind: predictor
  tables: [$DATA/hw_nas_bench/hwnasbench_nb201_cifar10.csv, $DATA/nb201_accuracy/nb201_accuracy.csv]
predictor: {initial: 10, per_generation: 1, trees: 20}
islands: {migration_interval: 2, migrants: 2}
hypervolume: {reference: [85, 12.861970]}
YAML
sed 's/seed: 11/seed: 12/' c.yaml > other.yaml

same() { # $1 $2: summaries; $3 $4: fronts
    cmp -s "$3" "$4" || { diff "$3" "$4" | head; return 1; }
    python3 - "$1" "$2" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
key = lambda s: [(h["generation"], h["measurements"], h["front_size"], h["hv"]) for h in s["history"]]
if key(a) != key(b):
    print("history differs", len(key(a)), len(key(b)))
    sys.exit(1)
PY
}
# wait until LOG shows generation N
wait_gen() { local n=300; while ! grep -qE "^gen +$2 " "$1"; do n=$((n-1)); [ $n -le 0 ] && return 1; sleep 0.1; done; }

for NP in 1 3; do
    L="mpirun --oversubscribe -n $NP"; [ $NP = 1 ] && L=""
    $L "$HW" search c.yaml --quiet --run ref$NP.h5 --summary ref$NP.json --out-dir ref$NP > ref$NP.log 2>&1 \
        || fail "P=$NP reference run"
    $L "$HW" search c.yaml --run int$NP.h5 --checkpoint-every 1000 --summary int$NP.json --out-dir int$NP \
        > int$NP.log 2>&1 &
    PID=$!
    wait_gen int$NP.log 6 || fail "P=$NP run never reached generation 6"
    kill -USR1 $PID
    wait $PID; RC=$?
    [ $RC = 3 ] || fail "P=$NP: exit status after SIGUSR1 is $RC, want 3"
    grep -q "stopped by a signal after a checkpoint" int$NP.log || fail "P=$NP: no stop message"
    cp int$NP.h5 mid$NP.h5 # an unfinished run, for the rank-count change below
    $L "$HW" search c.yaml --quiet --resume int$NP.h5 --summary int$NP.json --out-dir int$NP > res$NP.log 2>&1 \
        || fail "P=$NP resume"
    G=$(sed -n 's/^hwnas: checkpoint at generation \([0-9]*\) .*(signal: stopping)$/\1/p' int$NP.log | tail -1)
    [ -n "$G" ] || fail "P=$NP: no checkpoint line for the signal"
    [ "$(grep -c "^hwnas: resuming from int$NP.h5 after generation $G " res$NP.log)" = 1 ] \
        || fail "P=$NP: want one 'resuming from int$NP.h5 after generation $G' line: $(grep hwnas: res$NP.log | head -3)"
    same ref$NP.json int$NP.json ref$NP/front.csv int$NP/front.csv || fail "P=$NP: resumed run differs"
    echo "ok: P=$NP signal + resume is bit-identical"
done

# kill -9 at an arbitrary moment; the previous checkpoint must be intact
"$HW" search c.yaml --run k.h5 --checkpoint-every 2 --summary k.json --out-dir k > k.log 2>&1 &
PID=$!
wait_gen k.log 9 || fail "kill run never reached generation 9"
kill -KILL $PID; wait $PID 2>/dev/null
[ -f k.h5 ] || fail "no checkpoint before kill -9"
h5dump -H k.h5 > /dev/null || fail "checkpoint unreadable after kill -9"
G=$("$HW" history k.h5 | awk 'END { print $1 }')   # the last generation the checkpoint holds
[ -n "$G" ] && [ "$G" -ge 1 ] || fail "no checkpointed generation before kill -9"
"$HW" search c.yaml --quiet --run k.h5 --summary k.json --out-dir k > k2.log 2>&1 || fail "automatic resume"
grep -q "^hwnas: resuming from k.h5 after generation $G " k2.log \
    || fail "kill -9: did not resume after generation $G: $(grep hwnas: k2.log | head -3)"
same ref1.json k.json ref1/front.csv k/front.csv || fail "kill -9 + resume differs"
echo "ok: kill -9 + automatic resume is bit-identical"

# bad run files: exit 2, one line naming the file
head -c 3000 ref1.h5 > trunc.h5
"$HW" search c.yaml --quiet --resume trunc.h5 > t.out 2> t.err; RC=$?
[ $RC = 2 ] || fail "truncated run file: exit $RC, want 2"
[ "$(wc -l < t.err)" = 1 ] && grep -q "trunc.h5" t.err || fail "truncated run file message: $(cat t.err)"
"$HW" search other.yaml --quiet --resume ref1.h5 > o.out 2> o.err; RC=$?
[ $RC = 2 ] || fail "other config: exit $RC, want 2"
grep -q "another config" o.err || fail "other config message: $(cat o.err)"
echo "ok: bad run files rejected with exit 2"

# another rank count: re-partitioned
cp mid3.h5 rp.h5
mpirun --oversubscribe -n 2 "$HW" search c.yaml --resume rp.h5 --summary rp.json --out-dir rp > rp.log 2>&1 \
    || fail "resume 2 islands from a 3-rank file"
grep -q "re-partitioned" rp.log || fail "no re-partition notice"
echo "ok: resume with another rank count"
echo PASS
