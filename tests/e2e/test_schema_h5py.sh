#!/usr/bin/env bash
# e2e: docs/hdf5-schema.md's layout table against real search run files
# (check_schema.py parses the table): every object it lists exists with the
# documented type and shape, and its stated counts agree with the run's
# summary JSON (evaluated rows = measurements, archive rows = front size,
# history rows = generations + 1, one training set per objective with
# 75 nb201 features, one surrogate model blob with the summary's version),
# no measured=1 row has a NaN value, island/generation are filled. Runs: a
# predictor-mode search at 1 rank, a table search under mpirun -n 2.
. "$(dirname "$0")/lib.sh" "$@"
$PY -c 'import h5py' || fail "python3-h5py is not installed (apt-get install python3-h5py)"
fix() { sed -e "s#\.\./hw_nas_bench/#$DATA/hw_nas_bench/#" -e "s#\.\./nb201_accuracy/#$DATA/nb201_accuracy/#" "$1"; }
fix "$DATA/configs/nb201-tx2-predictor.yaml" > pred.yaml
fix "$DATA/configs/nb201-tx2.yaml" | sed '/stop_hv_ratio/d' > table.yaml

"$HW" search pred.yaml --quiet --generations 15 --run p.h5 --summary p.json --out-dir op > p.log 2>&1 \
    || fail "predictor search: $(tail -3 p.log)"
$PY "$SRC/tests/e2e/check_schema.py" "$SRC/docs/hdf5-schema.md" p.h5 p.json || fail "schema: predictor run, 1 rank"
mpirun --oversubscribe -np 2 "$HW" search table.yaml --quiet --generations 40 --run t.h5 --summary t.json \
    --out-dir ot > t.log 2>&1 || fail "table search, 2 ranks: $(tail -3 t.log)"
$PY "$SRC/tests/e2e/check_schema.py" "$SRC/docs/hdf5-schema.md" t.h5 t.json || fail "schema: table run, 2 ranks"
echo "PASS test_schema_h5py"
