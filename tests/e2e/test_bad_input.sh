#!/usr/bin/env bash
# e2e: bad input across the commands, one table row per case. Each row is
# EXIT | STDERR PATTERN (extended regex) | COMMAND (run by bash in the
# scratch directory, $HW is hwnas). A row with exit 2 must also print exactly
# one line on stderr (lib.sh's expect_exit). Rows with exit 0 (pattern `-`)
# are the good spellings next to the bad ones (a maximise objective, a 0600
# key) and must succeed.
. "$(dirname "$0")/lib.sh" "$@"
export HW

# --- inputs the rows refer to --------------------------------------------------
sed -e "s#\.\./hw_nas_bench/#$DATA/hw_nas_bench/#" -e "s#\.\./nb201_accuracy/#$DATA/nb201_accuracy/#" \
    -e '/stop_hv_ratio/d' "$DATA/configs/nb201-tx2.yaml" > cfg.yaml
edit() { sed "$1" cfg.yaml > "$2"; }
edit 's/^  seed: 1/  sed: 1/' typo.yaml
edit 's/direction: maximize/direction: maximise/' maximise.yaml
edit 's/direction: maximize/direction: sideways/' sideways.yaml
edit 's/^  generations: 3000/  generations: -5/' gens.yaml
edit 's/^  generations: 3000/  generations: lots/' gens2.yaml
edit 's#hwnasbench_nb201_cifar10.csv#missing.csv#' notable.yaml
edit 's/source: edgegpu_latency_ms/source: no_such_column/' nocol.yaml
edit 's/  name: nb201/  name: nb999/' space.yaml
edit 's/^objectives:/objectives: []\nx:/' objs.yaml
edit 's/name: latency_ms/name: accuracy/' dup.yaml
edit 's/^  reference: \[85, 12.861970\]/  reference: [85]/' ref.yaml
edit 's/source: test_acc_200ep_cifar10}/source: test_acc_200ep_cifar10, cost: cheap}/' cost.yaml
edit 's/source: edgegpu_latency_ms}/source: edgegpu_latency_ms, device: tx2, cost: free}/' costdev.yaml
edit 's/source: edgegpu_latency_ms}/source: edgegpu_latency_ms, missing_values: [minus one]}/' missing.yaml
edit 's/source: edgegpu_latency_ms}/source: edgegpu_latency_ms, missing_values: -1}/' missing2.yaml
edit 's/^  seed: 1/  seed: 1\n  max_board_hours: -2/' hours.yaml
edit 's/source: test_acc_200ep_cifar10}/source: test_acc_200ep_cifar10, cost: free}/' free.yaml
printf 'space: {name: nb201\n' > syntax.yaml
printf 'a: &x 1\nb: *x\n' > alias.yaml
: > empty.yaml
printf 'not an hdf5 file\n' > text.h5
"$HW" keygen --out d > /dev/null 2>&1 || fail "keygen d"
"$HW" keygen --out b > /dev/null 2>&1 || fail "keygen b"
"$HW" keygen --out w > /dev/null 2>&1 || fail "keygen w"
chmod 644 w.key
printf 'arch_str,lat\n|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|,1.0\n' > t.csv
board() { printf 'id: b\ndevice: tx2\ndispatcher: tcp://127.0.0.1:9\ndispatcher_key: d.pub\nkey: %s\nrunner: replay\nreplay: {table: t.csv, value_column: lat}\n' "$1"; }
board b.key > board-ok.yaml
board w.key > board-0644.yaml
board junk.key > board-junk.yaml
printf 'public: abc\nsecret: def\n' > junk.key && chmod 600 junk.key
board nope.key > board-nokey.yaml
board b.key | sed 's/runner: replay/runner: teleport/' > board-runner.yaml
# search configs whose boards section names bad files
cat d.pub > allow.txt
bcfg() {
    sed 's/source: edgegpu_latency_ms}/source: edgegpu_latency_ms, device: tx2}/' cfg.yaml > "$1"
    printf "boards: {bind: 'tcp://127.0.0.1:9', key: %s, allow: %s, wait_s: 1}\n" "$2" "$3" >> "$1"
}
bcfg bk-junk.yaml junk.key allow.txt
bcfg bk-nokey.yaml nope.key allow.txt
bcfg bk-0644.yaml w.key allow.txt
bcfg bk-noallow.yaml d.key nope.txt
# a fine-tuning search whose supernet file is missing
cat > ft-nosn.yaml <<'YAML'
space: {name: bert}
objectives:
  - {name: accuracy, direction: maximize, source: finetune}
  - {name: latency_ms, direction: minimize, device: cpu-bert}
algorithm: {population: 12, generations: 100, seed: 5, max_measurements: 10}
evaluator: {kind: predictor}
finetune: {supernet: nosn.h5, task: sms_spam, steps: 10, eval_max: 300, batch: 8}
boards: {bind: 'tcp://127.0.0.1:9', key: d.key, allow: allow.txt, wait_s: 60}
YAML
# a finished run to resume
"$HW" search cfg.yaml --generations 2 --quiet --run r.h5 --out-dir r > /dev/null 2>&1 || fail "setup run r.h5"
# mp CMD...: CMD under mpirun -n 3, keeping only hwnas's own stderr lines (not mpirun's banner)
mp() {
    mpirun --oversubscribe -n 3 "$@" 2> mp.err
    local rc=$?
    grep '^hwnas' mp.err >&2
    return $rc
}
export -f mp

# --- the table -----------------------------------------------------------------
n=0
while IFS='|' read -r rc pat cmd; do
    case "$rc" in '' | \#*) continue ;; esac
    rc=${rc// /}
    pat=${pat# }; pat=${pat% }
    if [ "$rc" = 0 ]; then
        bash -c "$cmd" > good.out 2> good.err || fail "$cmd -> exit $?, want 0: $(head -3 good.err)"
    else
        expect_exit "$rc" "$pat" bash -c "$cmd"
    fi
    n=$((n + 1))
done <<'CASES'
# command line
2 | unknown command 'frobnicate' | "$HW" frobnicate
2 | expected exactly one CONFIG | "$HW" search
2 | --generations: 'abc' is not an integer | "$HW" search cfg.yaml --generations abc
2 | unknown option '--bogus' | "$HW" search cfg.yaml --bogus
2 | --checkpoint-every: -3 is out of range | "$HW" search cfg.yaml --checkpoint-every -3
2 | unknown verb 'bogus' | "$HW" space bogus
2 | --out BASE is required | "$HW" keygen
2 | --config FILE is required | "$HW" board
2 | --supernet is required | "$HW" finetune
2 | expected two or more run files | "$HW" compare
2 | option --features: 'a,,b' is not a comma-separated list of names | "$HW" predictor eval --table t.csv --features a,,b --target lat
2 | option --meta-train: trailing comma in 'x,' | "$HW" predictor fewshot --table t.csv --space nb201 --target lat --meta-train x,
2 | option --accel: 'nope:x' is no file and not an accelerator | "$HW" accel report --accel nope:x --arch a
2 | export: --first 15000 --count 1000: past index 15624 | "$HW" export --space nb201 --all d --first 15000 --count 1000
# config files
2 | nope.yaml: cannot open: No such file | "$HW" search nope.yaml
2 | /tmp: read error \(is it a directory\?\) | "$HW" search /tmp
2 | syntax.yaml:[0-9]+: malformed YAML | "$HW" search syntax.yaml
2 | alias.yaml:2: .*aliases are not supported | "$HW" search alias.yaml
2 | empty.yaml | "$HW" search empty.yaml
2 | typo.yaml:[0-9]+: key 'algorithm.sed': unknown key \(did you mean 'seed'\?\) | "$HW" search typo.yaml
2 | sideways.yaml:[0-9]+: .*'sideways' is not one of: minimize, maximize | "$HW" search sideways.yaml
0 | - | "$HW" search maximise.yaml --generations 1 --quiet --out-dir m
2 | gens.yaml:[0-9]+: key 'algorithm.generations' | "$HW" search gens.yaml
2 | gens2.yaml:[0-9]+: key 'algorithm.generations' | "$HW" search gens2.yaml
2 | missing.csv | "$HW" search notable.yaml
2 | no_such_column | "$HW" search nocol.yaml
2 | space.yaml:[0-9]+: .*nb999 | "$HW" search space.yaml
2 | objs.yaml:[0-9]+: | "$HW" search objs.yaml
2 | duplicate objective 'accuracy' | "$HW" search dup.yaml
2 | ref.yaml:[0-9]+: | "$HW" search ref.yaml
2 | cost.yaml:[0-9]+: key 'objectives\[0\].cost': 'cheap' is not one of | "$HW" search cost.yaml
2 | costdev.yaml:[0-9]+: key 'objectives\[1\].cost': cost: free is for a value known from a table | "$HW" search costdev.yaml
2 | missing.yaml:[0-9]+: key 'objectives\[1\].missing_values\[0\]': expected a finite number, got 'minus one' | "$HW" search missing.yaml
2 | missing2.yaml:[0-9]+: key 'objectives\[1\].missing_values': expected a list | "$HW" search missing2.yaml
2 | hours.yaml:[0-9]+: key 'algorithm.max_board_hours' | "$HW" search hours.yaml
0 | - | "$HW" search free.yaml --generations 1 --quiet --out-dir fr --max-measurements 10 --reference 85,12.5
2 | --max-measurements: -1 is out of range | "$HW" search cfg.yaml --max-measurements -1
2 | --max-measurements: 'ten' is not an integer | "$HW" search cfg.yaml --max-measurements ten
2 | --reference '85': 1 values for 2 objectives | "$HW" search cfg.yaml --reference 85
2 | --reference '85,fast': 'fast' is not a number | "$HW" search cfg.yaml --reference 85,fast
2 | --reference '85,,3': '' is not a number | "$HW" search cfg.yaml --reference 85,,3
# run files
2 | nope.h5: cannot open: No such file or directory | "$HW" front nope.h5
2 | nope.h5: cannot open: No such file or directory | "$HW" history nope.h5
2 | text.h5: not an HDF5 file | "$HW" front text.h5
2 | nope.h5: cannot open: No such file or directory | "$HW" search cfg.yaml --resume nope.h5
2 | r.h5: seed 5 differs from the run's seed 1; --seed cannot change a resumed run | "$HW" search cfg.yaml --resume r.h5 --seed 5
2 | r.h5: --max-measurements 30 differs from the run's budget 0; a resumed run keeps its budget | "$HW" search cfg.yaml --resume r.h5 --max-measurements 30
2 | r.h5: --reference differs from the run's reference point \(objective 'latency_ms': 12, the run has 12.862\) | "$HW" search cfg.yaml --resume r.h5 --reference 85,12
0 | - | "$HW" search cfg.yaml --resume r.h5 --reference 85,12.861970 --max-measurements 0 --quiet
2 | r.h5: seed 5 differs | mp "$HW" search cfg.yaml --resume r.h5 --seed 5
0 | - | "$HW" search cfg.yaml --resume r.h5 --seed 1 --quiet
# board configs and key files
0 | - | "$HW" board --config board-ok.yaml --check
2 | w.key: secret key file is accessible by others \(mode 0644\) | "$HW" board --config board-0644.yaml --check
2 | junk.key:1: not a 40-character Z85 CURVE key | "$HW" board --config board-junk.yaml --check
2 | nope.key: No such file | "$HW" board --config board-nokey.yaml --check
2 | nope.yaml: cannot open: No such file | "$HW" board --config nope.yaml --check
2 | teleport | "$HW" board --config board-runner.yaml --check
# files a search config's boards section names: one line, exit 2, before MPI (once under mpirun)
2 | bk-junk.yaml:[0-9]+: key 'boards.key': junk.key:1: | "$HW" search bk-junk.yaml
2 | bk-nokey.yaml:[0-9]+: key 'boards.key': nope.key: No such file | "$HW" search bk-nokey.yaml
2 | bk-0644.yaml:[0-9]+: key 'boards.key': w.key: secret key file is accessible by others | "$HW" search bk-0644.yaml
2 | bk-noallow.yaml:[0-9]+: key 'boards.allow': nope.txt: No such file | "$HW" search bk-noallow.yaml
2 | bk-junk.yaml:[0-9]+: key 'boards.key': junk.key:1: | mp "$HW" search bk-junk.yaml
2 | bk-noallow.yaml:[0-9]+: key 'boards.allow' | mp "$HW" search bk-noallow.yaml
2 | typo.yaml:[0-9]+: key 'algorithm.sed' | mp "$HW" search typo.yaml
2 | ft-nosn.yaml:[0-9]+: key 'finetune.supernet': nosn.h5: cannot read supernet file | "$HW" search ft-nosn.yaml
2 | ft-nosn.yaml:[0-9]+: key 'finetune.supernet': nosn.h5 | mp "$HW" search ft-nosn.yaml
CASES
[ "$n" -ge 30 ] || fail "only $n cases ran"
echo "PASS test_bad_input ($n cases)"
