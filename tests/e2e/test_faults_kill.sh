#!/usr/bin/env bash
# e2e fault test: kill -9 of a search in the middle of a batch of slow
# replay-board jobs (3 boards, 1 s a job), then the same command again.
# At P = 1 and P = 3, with no checkpoint before the kill and with one:
# - the re-run says what it resumes from (the generation of the checkpoint,
#   or the journal of a run that had none);
# - no board result that reached the search before the kill is measured
#   again (board logs: archs answered 0.5 s before the kill vs archs issued
#   after that), and at most one job per board (the ones in flight at the
#   kill) is measured twice;
# - every measurement of the finished run came from a board, and its front
#   equals a run whose latency comes from the same table in-process;
# - the sentences of docs/jobs.md and docs/cluster.md that promise this
#   are there.
. "$(dirname "$0")/lib.sh" "$@"

grep -q "A board result that reached the search is never measured again" "$SRC/docs/jobs.md" \
    || fail "docs/jobs.md lacks the promise this test checks"
tr '\n' ' ' < "$SRC/docs/cluster.md" | tr -s ' ' > cluster.txt
for s in "every board answer that reached it since then is taken from \`RUN.h5.journal\`, not measured again" \
         "the requeued job starts the run again and re-uses every board answer in it"; do
    grep -qF "$s" cluster.txt || fail "docs/cluster.md lacks: $s"
done

"$HW" keygen --out disp > /dev/null || fail keygen
for b in b1 b2 b3; do "$HW" keygen --out $b > /dev/null || fail keygen; cat $b.pub >> allow.txt; done
PORT=$(( 20000 + (RANDOM % 30000) ))

write_cfg() { # $1 file, $2 "boards" or "table"
    local dev="" boards=""
    if [ "$2" = boards ]; then
        dev=", device: tx2"
        boards="boards: {bind: 'tcp://127.0.0.1:$PORT', key: disp.key, allow: allow.txt, wait_s: 60}"
    fi
    cat > "$1" <<YAML
objectives:
  - {name: accuracy, direction: maximize, source: test_acc_200ep_cifar10}
  - {name: latency_ms, direction: minimize, source: edgegpu_latency_ms$dev}
algorithm: {population: 9, offspring: 9, generations: 3, seed: 5}
evaluator:
  kind: table
  tables: [$DATA/hw_nas_bench/hwnasbench_nb201_cifar10.csv, $DATA/nb201_accuracy/nb201_accuracy.csv]
hypervolume: {reference: [85, 12.861970]}
output: {dir: out-$2}
$boards
YAML
}
write_cfg boards.yaml boards
write_cfg table.yaml table
"$HW" search table.yaml --quiet --summary table.json > table.log 2>&1 || fail "table run"
cp out-table/front.csv front_table.csv
mpirun --oversubscribe -n 3 "$HW" search table.yaml --quiet --summary table3.json > table3.log 2>&1 || fail "table run P=3"
cp out-table/front.csv front_table3.csv

sed 's/delay_ms: 200/delay_ms: 1000/' "$DATA/configs/board-replay-tx2.yaml" > board.yaml
sed -i "s#table: ../hw_nas_bench#table: $DATA/hw_nas_bench#" board.yaml
BPIDS=()
for b in b1 b2 b3; do
    "$HW" board --config board.yaml --id $b --device tx2 --dispatcher "tcp://127.0.0.1:$PORT" \
        --key $b.key --dispatcher-key disp.pub 2>> $b.log &
    BPIDS+=($!)
    PIDS+=($!)
done

# answered LOGS...: how many jobs the boards have answered (ok lines)
answered() { cat "$@" | grep -cE "job [0-9]+: (ok|failed)" ; }
at_least() { [ "$(answered b?.log)" -ge "$1" ]; }

# kill9 PID: SIGKILL the search: mpirun's ranks and mpirun, or the process
kill9() {
    local c
    for c in $(ps -o pid= --ppid "$1"); do kill -KILL "$c" 2>/dev/null; done
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}

for NP in 1 3; do
    for CK in 0 1; do
        tag=p${NP}c$CK
        L=""; [ $NP = 3 ] && L="mpirun --oversubscribe -n 3"
        OPT=(--run $tag.h5 --summary $tag.json --out-dir out-$tag)
        [ $CK = 1 ] && OPT+=(--checkpoint-every 1)
        base=$(answered b?.log)
        $L "$HW" search boards.yaml "${OPT[@]}" > $tag.log 2>&1 &
        PID=$!
        if [ $CK = 1 ]; then # the first checkpoint, then 3 answers of the next batch
            wait_for 90 grep -q "checkpoint at generation 0" $tag.log || fail "$tag: no checkpoint"
            base=$(answered b?.log)
        fi
        wait_for 90 at_least $((base + 3)) || fail "$tag: boards never answered"
        for b in b1 b2 b3; do wc -l < $b.log > $b.cut; done
        sleep 0.5                      # every answer logged before the cut has reached the search
        kill -STOP "${BPIDS[@]}"
        kill9 $PID
        kill -CONT "${BPIDS[@]}"
        if [ $CK = 0 ]; then
            [ ! -f $tag.h5 ] || fail "$tag: a checkpoint was written before the kill"
        fi
        $L "$HW" search boards.yaml --quiet "${OPT[@]}" > $tag.2.log 2>&1 || fail "$tag: re-run after kill -9"
        if [ $CK = 1 ]; then
            grep -q "resuming from $tag.h5 after generation 0 " $tag.2.log \
                || fail "$tag: the re-run did not resume after generation 0: $(grep hwnas: $tag.2.log | head -3)"
        else
            grep -qE "$tag.h5.journal: a run that stopped before its first checkpoint journaled [0-9]+ measurements" $tag.2.log \
                || fail "$tag: the re-run did not re-use the journal: $(grep hwnas: $tag.2.log | head -3)"
        fi
        $PY - $tag b1 b2 b3 <<'PY' || fail "$tag: board jobs vs measurements"
import json, re, sys
tag, boards = sys.argv[1], sys.argv[2:]
before, after = [], []   # archs answered before the kill; archs issued after it
late = []                # issued before the cut, answered after it: the answer
inflight = 0             # may have reached the search before the kill, or not
for b in boards:
    lines = open(b + ".log").read().splitlines()
    cut = int(open(b + ".cut").read())
    issued = {}
    for i, l in enumerate(lines):
        m = re.search(r"job (\d+): (\|\S+\|)$", l)
        if m:
            if i < cut: issued[m.group(1)] = m.group(2)
            else: after.append(m.group(2))
        m = re.search(r"job (\d+): (ok|failed)", l)
        if m and m.group(1) in issued:
            if i < cut: before.append(issued.pop(m.group(1)))
            else: late.append(issued[m.group(1)])
    inflight += len(issued)
s = json.load(open(tag + ".json"))
print(f"{tag}: answered before the cut {len(before)}, in flight {inflight}, issued after {len(after)}, "
      f"measurements {s['measurements']}")
again = sorted(set(before) & set(after))
assert not again, f"{len(again)} answered before the kill and measured again: {again[:3]}"
# jobs issued after the cut may have been in flight at the kill and run
# again: at most one per board
dup = len(after) - len(set(after))
assert dup <= len(boards), f"{dup} archs measured twice after the cut, more than one per board"
n = len(set(before) | set(after))
extra = len(set(late) - set(before) - set(after))
assert n <= s["measurements"] <= n + extra, \
    f"boards measured {n} archs (+{extra} answered between the cut and the kill), the run has {s['measurements']} measurements"
PY
        cmp -s out-$tag/front.csv $([ $NP = 1 ] && echo front_table.csv || echo front_table3.csv) \
            || fail "$tag: front differs from the in-process table run"
        echo "ok: $tag"
        # this run's log lines are done with: the next run reads only new lines
        for b in b1 b2 b3; do : > $b.log; done
    done
done
echo PASS
