#!/bin/bash
# test_slurm_search: the shipped slurm/hwnas-search.sbatch on a real
# single-node Slurm (tests/slurm/slurm_up.sh). An uninterrupted reference
# search and a search interrupted mid-run by the pre-timeout signal
# (SIGUSR1 to the batch shell, exactly what --signal=B:USR1@120 delivers):
# the interrupted job must checkpoint (exit 3), requeue itself, resume from
# its run file and end with the same front and history (wall times aside) as
# the reference. Both use 3 MPI ranks (srun --mpi=pmix, --overcommit on a
# 2-core machine). Fails, never skips, when Slurm is missing.
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
