#!/usr/bin/env bash
# e2e: resume compares the parsed configuration, not the YAML bytes.
# A run started from a config with relative table paths and stopped by
# SIGUSR1 after a checkpoint:
# - resumes from a copy in another directory written in flow style with
#   absolute table paths and a comment ("resuming from" it, exit 0);
# - refuses a copy with another population: exit 2, one line naming
#   algorithm.population;
# - resumes with `--resume RUN.h5` and no CONFIG (the config stored in the
#   run file, its relative paths resolved from where the run started).
. "$(dirname "$0")/lib.sh" "$@"
LOG_TAIL=8
cd "$T"
mkdir -p a/cfg b
ln -s "$DATA/hw_nas_bench" a/hw_nas_bench
ln -s "$DATA/nb201_accuracy" a/nb201_accuracy
sed '/stop_hv_ratio/d' "$DATA/configs/nb201-tx2.yaml" > a/cfg/rel.yaml
grep -q '\.\./hw_nas_bench/' a/cfg/rel.yaml || fail "nb201-tx2.yaml no longer has relative table paths"

start() { # a run of a/cfg/rel.yaml stopped by SIGUSR1 after its checkpoint to r.h5
    rm -rf r.h5* o
    "$HW" search a/cfg/rel.yaml --generations 100000000 --run r.h5 --out-dir o > run.out 2> run.log &
    local p=$!
    PIDS+=("$p")
    wait_gen run.log 3 60 || fail "the run did not reach generation 3"
    kill -USR1 "$p"
    wait "$p"
    local rc=$?
    [ $rc -eq 3 ] || fail "SIGUSR1: exit $rc, want 3"
}

cat > b/flow.yaml <<YAML
# the same search, another layout
space: {name: nb201}
objectives: [{name: accuracy, direction: maximize, source: test_acc_200ep_cifar10},
             {name: latency_ms, source: edgegpu_latency_ms, direction: minimize}]
algorithm: {seed: 1, generations: 3000}
evaluator: {kind: table, key: arch_index, tables: [$T/a/hw_nas_bench/hwnasbench_nb201_cifar10.csv,
            $DATA/nb201_accuracy/nb201_accuracy.csv]}
hypervolume: {reference: [85, 12.861970]}
output: {dir: hwnas-run/nb201-tx2, front_csv: front.csv}
YAML
sed 's/seed: 1,/seed: 1, population: 30,/' b/flow.yaml > b/pop.yaml

start
"$HW" search b/flow.yaml --resume r.h5 --generations 5 --quiet --out-dir o > flow.out 2> flow.log \
    || fail "resume from the reformatted copy: exit $?: $(cat flow.log)"
grep -q "resuming from r.h5" flow.log || fail "the reformatted copy did not resume: $(cat flow.log)"

start
expect_exit 2 "r.h5: the run was started with another config than b/pop.yaml: config has 'algorithm.population = 30'" \
    "$HW" search b/pop.yaml --resume r.h5
"$HW" search --resume r.h5 --generations 5 --quiet --out-dir o > alone.out 2> alone.log \
    || fail "--resume without CONFIG: exit $?: $(cat alone.log)"
grep -q "resuming from r.h5" alone.log || fail "--resume without CONFIG did not resume: $(cat alone.log)"
echo "PASS test_resume_config"
