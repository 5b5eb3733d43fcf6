#!/bin/bash
# test_slurm_sweep: the shipped array-job example slurm/hwnas-sweep.sbatch
# on a real single-node Slurm: three array tasks (index 0, 4 and 11: seeds
# 1, 1, 4 and latency budgets 4, 5, 6 ms) each run a search through
# hwnas-search.sbatch into OUTDIR/lat<L>-seed<S>.h5; every run file is
# readable, respects its latency budget on the measured front, and
# `hwnas compare` works across them. Fails, never skips, without Slurm.
. "$(dirname "$0")/lib.sh" "$@"
W=$T
LOG_GLOBS=("*.out") LOG_TAIL=15
at_exit bash "$SRC/tests/slurm/slurm_down.sh" "$W/s"

bash "$SRC/tests/slurm/slurm_up.sh" "$W/s" || fail "slurm_up"
. "$W/s/env.sh"
export HWNAS OPENBLAS_NUM_THREADS=1

sed -e 's/seed: 1/seed: @SEED@/' -e 's/"latency_ms <= 5"/"latency_ms <= @LATENCY@"/' \
    -e 's/generations: [0-9]*/generations: 8/' -e '/stop_hv_ratio/d' \
    -e "s#\.\./hw_nas_bench/#$DATA/hw_nas_bench/#" -e "s#\.\./nb201_accuracy/#$DATA/nb201_accuracy/#" \
    "$DATA/configs/nb201-tx2-lat5.yaml" > "$W/tmpl.yaml"
grep -q '@SEED@' "$W/tmpl.yaml" && grep -q '@LATENCY@' "$W/tmpl.yaml" || fail "template placeholders"

j=$(sbatch --parsable --array=0,4,11 -n 2 --overcommit --time=10 -D "$W" \
    "$SRC/slurm/hwnas-sweep.sbatch" "$W/tmpl.yaml" "$W/out") || fail "sbatch"
for _ in $(seq 600); do
    [ -z "$(squeue -h -j "$j" 2>/dev/null)" ] && break
    sleep 0.5
done
[ -z "$(squeue -h -j "$j" 2>/dev/null)" ] || fail "array job did not finish"

for run in lat4-seed1 lat5-seed1 lat6-seed4; do
    [ -s "$W/out/$run.h5" ] || fail "missing $run.h5"
    [ -s "$W/out/$run.json" ] || fail "missing $run.json summary"
    lat=${run#lat}
    lat=${lat%%-*}
    "$HWNAS" front "$W/out/$run.h5" --csv --measured-only > "$W/$run.csv" || fail "front $run"
    [ "$(wc -l < "$W/$run.csv")" -gt 1 ] || fail "$run: empty front"
    awk -F, -v L="$lat" 'NR > 1 && $3 > L + 1e-9 { bad = 1 } END { exit bad }' "$W/$run.csv" ||
        fail "$run: a front point exceeds the $lat ms budget"
done
grep -q "seed: 4" "$W/.sweep-${j}-lat6-seed4.yaml" || fail "task 11 did not get seed 4"
"$HWNAS" compare "$W/out/lat4-seed1.h5" "$W/out/lat6-seed4.h5" > "$W/cmp.txt" || fail "compare"
grep -q "hv B / A" "$W/cmp.txt" || fail "compare output"
echo "PASS test_slurm_sweep"
