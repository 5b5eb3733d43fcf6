#!/bin/bash
# test_slurm_search: the shipped slurm/hwnas-search.sbatch on a real
# single-node Slurm (tests/slurm/slurm_up.sh). An uninterrupted reference
# search and a search interrupted mid-run by the pre-timeout signal
# (SIGUSR1 to the batch shell, exactly what --signal=B:USR1@120 delivers):
# the interrupted job must checkpoint (exit 3), requeue itself, resume from
# its run file and end with the same front and history (wall times aside) as
# the reference. Both use 3 MPI ranks (srun --mpi=pmix, --overcommit on a
# 2-core machine). Before them, the README's plain `sbatch
# slurm/hwnas-search.sbatch CFG RUN` (no -n, no HWNAS, hwnas not on PATH)
# must finish with 2 tasks and a log without the front table. Fails, never
# skips, when Slurm is missing.
. "$(dirname "$0")/lib.sh" "$@"
W=$T
LOG_GLOBS=("*.out") LOG_TAIL=25
at_exit bash "$SRC/tests/slurm/slurm_down.sh" "$W/s"

"$HWNAS" search --help 2>&1 | grep -q -- "--resume" ||
    fail "hwnas search has no --resume option yet (needed: search CONFIG --run RUN.h5 [--resume RUN.h5])"

bash "$SRC/tests/slurm/slurm_up.sh" "$W/s" || fail "slurm_up"
. "$W/s/env.sh"
export HWNAS OPENBLAS_NUM_THREADS=1

# the NB201 x TX2 table search, no early stop, absolute table paths
sed -e '/stop_hv_ratio/d' \
    -e "s#\.\./hw_nas_bench/#$DATA/hw_nas_bench/#" -e "s#\.\./nb201_accuracy/#$DATA/nb201_accuracy/#" \
    "$DATA/configs/nb201-tx2.yaml" > "$W/cfg.yaml"

# wait_done JOB TIMEOUT_S
wait_done() {
    for _ in $(seq $(($2 * 2))); do
        [ -z "$(squeue -h -j "$1" -o %T 2>/dev/null)" ] && return 0
        sleep 0.5
    done
    return 1
}
job_field() { scontrol show job "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1; }

# 0. the README's plain form on this 2-core node: no -n, no HWNAS in the
#    environment and no hwnas on PATH (the script finds the binary next to
#    itself); the job must run with the default 2 tasks, end 0:0, and keep
#    the front table out of its log
j=$(cd "$SRC" && env -u HWNAS PATH=/usr/bin:/bin:/usr/sbin:/sbin SLURM_CONF="$SLURM_CONF" \
    sbatch --parsable -D "$W" slurm/hwnas-search.sbatch "$W/cfg.yaml" "$W/plain.h5" --generations 5) ||
    fail "plain sbatch"
sleep 2
[ "$(squeue -h -j "$j" -o %R 2>/dev/null)" = PartitionConfig ] && fail "plain job can never start on this node (PartitionConfig)"
wait_done "$j" 300 || fail "plain job did not finish (pending: $(squeue -h -j "$j" -o %R))"
[ "$(job_field "$j" ExitCode)" = "0:0" ] || fail "plain job exit $(job_field "$j" ExitCode)"
[ "$(job_field "$j" NumTasks)" = 2 ] || fail "plain job tasks: $(job_field "$j" NumTasks), want 2"
plog="$W/hwnas-search-$j.out"
grep -q "search finished" "$plog" || fail "plain job log has no 'search finished'"
grep -q "Pareto front" "$plog" && fail "front table in the job log: $(grep -A2 'Pareto front' "$plog")"
grep -qi "failed\|not found" "$plog" && fail "plain job log reports a failure: $(grep -i 'failed\|not found' "$plog")"
grep -q "Pareto front" "$W/plain.h5.front.txt" || fail "no front table in plain.h5.front.txt"

submit() { # submit NAME GENERATIONS -> job id
    sbatch --parsable -n 3 --overcommit --time=10 -o "$W/$1-%j.out" -D "$W" \
        "$SRC/slurm/hwnas-search.sbatch" "$W/cfg.yaml" "$W/$1.h5" \
        --generations "$2" --out-dir "$W/$1-out" --summary "$W/$1.json"
}

# 1. reference run; grow the generation count until it lasts >= 8 s so that
#    the interruption below lands mid-run
G=60
while :; do
    rm -f "$W/ref.h5" "$W"/ref-*.out
    t0=$(date +%s.%N)
    j=$(submit ref $G) || fail "sbatch ref"
    wait_done "$j" 600 || fail "reference job did not finish"
    t=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    [ "$(job_field "$j" ExitCode)" = "0:0" ] || fail "reference job exit $(job_field "$j" ExitCode)"
    [ -s "$W/ref.h5" ] || fail "reference run wrote no run file"
    if awk -v t="$t" 'BEGIN { exit !(t >= 8) }' || [ $G -ge 100000 ]; then break; fi
    G=$((G * 3))
done
echo "reference: $G generations in ${t}s"

# 2. the same search, interrupted by the pre-timeout signal about a third in
j=$(submit int $G) || fail "sbatch int"
out="$W/int-$j.out"
target=$((G / 3))
for _ in $(seq 1200); do
    last=$(grep -o '^gen *[0-9]*' "$out" 2>/dev/null | tail -n 1 | tr -dc 0-9)
    [ -n "$last" ] && [ "$last" -ge "$target" ] && break
    [ -z "$(squeue -h -j "$j" -o %T)" ] && fail "job ended before the interruption point"
    sleep 0.1
done
scancel --signal=USR1 --batch "$j" || fail "scancel --signal"
wait_done "$j" 600 || fail "interrupted job did not finish"
grep -q "got SIGUSR1" "$out" || fail "the batch script did not receive SIGUSR1"
grep -q "checkpointed to" "$out" || fail "the search did not exit 3 after the signal"
grep -q "restart 1: resuming from $W/int.h5" "$out" || fail "the requeued job did not resume from its run file"
grep -q "could not requeue" "$out" && fail "the requeue was reported as failed: $(grep 'could not requeue' "$out")"
[ "$(job_field "$j" Restarts)" = 1 ] || fail "restarts: $(job_field "$j" Restarts)"
[ "$(job_field "$j" ExitCode)" = "0:0" ] || fail "interrupted job exit $(job_field "$j" ExitCode)"

# 3. same front and history as the uninterrupted run
"$HWNAS" front "$W/ref.h5" --csv > "$W/ref.csv" || fail "front ref"
"$HWNAS" front "$W/int.h5" --csv > "$W/int.csv" || fail "front int"
[ "$(wc -l < "$W/ref.csv")" -gt 2 ] || fail "reference front is empty"
cmp -s "$W/ref.csv" "$W/int.csv" || fail "fronts differ: $(diff "$W/ref.csv" "$W/int.csv" | head -n 6)"
"$HWNAS" history "$W/ref.h5" --csv | cut -d, -f1-5 > "$W/ref.hist"
"$HWNAS" history "$W/int.h5" --csv | cut -d, -f1-5 > "$W/int.hist"
cmp -s "$W/ref.hist" "$W/int.hist" || fail "histories differ: $(diff "$W/ref.hist" "$W/int.hist" | head -n 6)"
grep '^hwnas-search.sbatch' "$out"
echo "PASS test_slurm_search ($G generations, interrupted at generation >= $target)"
