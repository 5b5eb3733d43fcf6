#!/usr/bin/env bash
# e2e: one front layout. For a search run with --run (table evaluator at 1
# rank, predictor under mpirun -n 2): its front.csv and `hwnas front RUN.h5
# --csv` are byte-identical; the front table the search prints and the
# table of `hwnas front RUN.h5` have the CSV's header names in its order,
# and as many rows as the CSV.
. "$(dirname "$0")/lib.sh" "$@"
fix() { sed -e "s#\.\./hw_nas_bench/#$DATA/hw_nas_bench/#" -e "s#\.\./nb201_accuracy/#$DATA/nb201_accuracy/#" "$1"; }
fix "$DATA/configs/nb201-tx2.yaml" > table.yaml
fix "$DATA/configs/nb201-tx2-predictor.yaml" > pred.yaml

# check NAME: o-NAME/front.csv vs NAME.h5, and the tables in NAME.out
check() {
    "$HW" front "$1.h5" --csv > "$1.front.csv" || fail "$1: front --csv"
    cmp "o-$1/front.csv" "$1.front.csv" || fail "$1: search's front.csv differs from 'hwnas front --csv': $(diff "o-$1/front.csv" "$1.front.csv" | head -4)"
    local hdr rows
    hdr=$(head -1 "$1.front.csv" | tr ',' ' ')
    rows=$(($(wc -l < "$1.front.csv") - 1))
    [ "$rows" -ge 3 ] || fail "$1: front has $rows rows"
    # the search's table: the line after "Pareto front (N points, measured):"
    [ "$(grep -A1 '^Pareto front (' "$1.out" | tail -1 | tr -s ' ' | sed 's/^ //')" = "$hdr" ] ||
        fail "$1: search table header '$(grep -A1 '^Pareto front (' "$1.out" | tail -1)' is not '$hdr'"
    grep -q "^Pareto front ($rows points, measured):" "$1.out" || fail "$1: search table does not say $rows points"
    "$HW" front "$1.h5" > "$1.table" || fail "$1: front"
    [ "$(sed -n 2p "$1.table" | tr -s ' ' | sed 's/^ //')" = "$hdr" ] || fail "$1: front table header '$(sed -n 2p "$1.table")'"
    [ $(($(wc -l < "$1.table") - 2)) = "$rows" ] || fail "$1: front table rows differ from the CSV's"
    echo "ok: $1: front.csv = front --csv ($rows rows), both tables: $hdr"
}
"$HW" search table.yaml --run table.h5 --out-dir o-table > table.out 2> table.log || fail "table search"
check table
mpirun --oversubscribe -np 2 "$HW" search pred.yaml --generations 12 --run pred.h5 --out-dir o-pred > pred.out 2> pred.log \
    || fail "predictor search, 2 ranks"
check pred
echo "PASS test_front_layout"
