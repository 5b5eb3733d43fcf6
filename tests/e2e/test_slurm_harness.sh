#!/bin/bash
# test_slurm_harness: the private single-node Slurm of tests/slurm works:
# a trivial batch job runs, `srun --mpi=pmix --overcommit` starts more tasks
# than cores with a PMIx rank each, `scontrol requeue` from inside a job
# restarts it (SLURM_RESTART_COUNT=1), and the pre-timeout signal
# (--signal=B:USR1@N) reaches the batch shell.
# Fails (never skips) when Slurm or munge are not installed.
. "$(dirname "$0")/lib.sh" "$@"
W=$T
LOG_GLOBS=("*.out" "s/log/slurmctld.log") LOG_TAIL=20
at_exit bash "$SRC/tests/slurm/slurm_down.sh" "$W/s"

bash "$SRC/tests/slurm/slurm_up.sh" "$W/s" || fail "slurm_up"
. "$W/s/env.sh"

# wait_done JOBID TIMEOUT_S: until the job has left the queue
wait_done() {
    local j=$1 t=$2 s
    for _ in $(seq $((t * 2))); do
        s=$(squeue -h -j "$j" -o %T 2>/dev/null)
        [ -z "$s" ] && return 0
        sleep 0.5
    done
    return 1
}

# 1. trivial job
j=$(sbatch --parsable -o "$W/host-%j.out" --wrap hostname) || fail "sbatch hostname"
wait_done "$j" 60 || fail "hostname job did not finish"
grep -qx "$(hostname)" "$W/host-$j.out" || fail "hostname job output: $(cat "$W/host-$j.out")"

# 2. srun with PMIx, more tasks than cores
ncores=$(nproc)
ntasks=$((ncores + 2))
j=$(sbatch --parsable -n "$ntasks" --overcommit -o "$W/srun-%j.out" \
    --wrap "srun --mpi=pmix bash -c 'echo rank=\$PMIX_RANK'") || fail "sbatch srun"
wait_done "$j" 60 || fail "srun job did not finish"
n=$(grep -c '^rank=[0-9]' "$W/srun-$j.out")
[ "$n" = "$ntasks" ] || fail "srun --mpi=pmix: $n of $ntasks tasks reported a PMIx rank"

# 3. requeue from inside the job
cat > "$W/requeue.sh" <<'JOB'
#!/bin/bash
#SBATCH --requeue
#SBATCH --open-mode=append
echo "start restart=${SLURM_RESTART_COUNT:-0}"
if [ "${SLURM_RESTART_COUNT:-0}" = 0 ]; then
    scontrol requeue "$SLURM_JOB_ID"
    sleep 30
    exit 3
fi
echo finished
JOB
j=$(sbatch --parsable -o "$W/rq-%j.out" "$W/requeue.sh") || fail "sbatch requeue"
wait_done "$j" 90 || fail "requeued job did not finish"
grep -q "start restart=0" "$W/rq-$j.out" || fail "first run missing"
grep -q "start restart=1" "$W/rq-$j.out" || fail "job was not restarted after requeue"
grep -q "finished" "$W/rq-$j.out" || fail "restarted job did not finish"
st=$(scontrol show job "$j" | sed -n 's/.*JobState=\([A-Z]*\).*/\1/p')
[ "$st" = COMPLETED ] || fail "requeued job state $st"

# 4. pre-timeout signal to the batch shell
cat > "$W/sig.sh" <<'JOB'
#!/bin/bash
#SBATCH --time=1
#SBATCH --signal=B:USR1@55
got=0
trap 'got=1' USR1
for _ in $(seq 600); do [ $got = 1 ] && break; sleep 0.1; done
[ $got = 1 ] && echo "got USR1" && exit 3
echo "no signal"
JOB
j=$(sbatch --parsable -o "$W/sig-%j.out" "$W/sig.sh") || fail "sbatch signal"
wait_done "$j" 90 || fail "signal job did not finish"
grep -q "got USR1" "$W/sig-$j.out" || fail "USR1 did not reach the batch script"
ec=$(scontrol show job "$j" | sed -n 's/.*ExitCode=\([0-9]*\):.*/\1/p')
[ "$ec" = 3 ] || fail "signal job exit code $ec, expected 3"

echo "PASS test_slurm_harness"
