#!/bin/bash
# test_bert_finetune: `hwnas supernet train` on a tiny bert space (sms_spam,
# seconds), `hwnas finetune` with JSON output, determinism, exact resume
# (20 + 20 steps == 40 steps, with in-place distillation), distillation
# changing the trained weights, and bad input -> one line on stderr, exit 2:
# bad arch strings, an arch outside the supernet's space, missing and
# malformed TSV files, a truncated .h5, bad config keys. Batch mode
# (--archs/--csv): each arch's row equals its single-arch result, a rerun
# skips the archs already in the CSV, a bad arch line refuses the batch.
. "$(dirname "$0")/lib.sh" "$@"
W=$T

# expect_usage DESC PATTERN CMD...: exit 2, exactly one stderr line matching PATTERN
expect_usage() {
    local desc=$1 pat=$2; shift 2
    "$@" > "$W/out" 2> "$W/err"; local rc=$?
    [ $rc -eq 2 ] || { cat "$W/err" >&2; fail "$desc: exit $rc, want 2"; }
    [ "$(wc -l < "$W/err")" -eq 1 ] || { cat "$W/err" >&2; fail "$desc: stderr is not one line"; }
    grep -q "^hwnas: .*$pat" "$W/err" || { cat "$W/err" >&2; fail "$desc: message lacks '$pat'"; }
}

cat > "$W/tiny.yaml" <<YAML
task: sms_spam
output: $W/tiny.h5
space: {layers: [1, 2], hidden: [16, 32], heads: [2, 4], ffn: [32, 64]}
model: {max_seq: 32, dropout: 0.1}
train: {batch: 16, steps: 40, n_random: 1, distill: 0.5, lr: 2.0e-3, warmup: 5, eval_every: 20, eval_max: 200, checkpoint_every: 20, seed: 3}
YAML

"$HWNAS" supernet train "$W/tiny.yaml" > "$W/train.log" 2>&1 || { cat "$W/train.log"; fail "supernet train"; }
grep -q "^step 40/40  dev accuracy largest" "$W/train.log" || fail "no final dev accuracy line"
grep -q "ETA" "$W/train.log" || fail "no progress/ETA lines"
grep -q "random candidates/step, distill 0.5" "$W/train.log" || fail "distill not reported: $(head -1 "$W/train.log")"
[ -s "$W/tiny.h5" ] || fail "no supernet file"

FT=("$HWNAS" finetune --supernet "$W/tiny.h5" --task sms_spam --eval-max 300)
"${FT[@]}" --arch L2:H32:A4.2:F64.32 --steps 15 --json "$W/a.json" > "$W/a.txt" || fail "finetune"
grep -q '^arch L2:H32:A4.2:F64.32 steps 15 accuracy 0\.[0-9]* f1 ' "$W/a.txt" || fail "finetune output: $(cat "$W/a.txt")"
grep -q '"accuracy": 0\.' "$W/a.json" && grep -q '"f1": ' "$W/a.json" || fail "json: $(cat "$W/a.json")"
"${FT[@]}" --arch L2:H32:A4.2:F64.32 --steps 15 --json "$W/b.json" > /dev/null || fail "finetune again"
a=$(grep -o '"eval_loss": [^,]*' "$W/a.json"); b=$(grep -o '"eval_loss": [^,]*' "$W/b.json")
[ "$a" = "$b" ] || fail "not deterministic: $a vs $b"
"${FT[@]}" --arch L2:H32:A4.2:F64.32 --steps 15 --seed 2 --json "$W/c.json" > /dev/null || fail "finetune seed 2"
c=$(grep -o '"eval_loss": [^,]*' "$W/c.json")
[ "$a" != "$c" ] || fail "seed has no effect"
# batch mode: same numbers as one job at a time, resumable
printf '# two archs\nL2:H32:A4.2:F64.32\n\nL1:H16:A2:F32\n' > "$W/archs.txt"
"${FT[@]}" --archs "$W/archs.txt" --csv "$W/batch.csv" --steps 15 2> "$W/batch.err" || fail "batch: $(cat "$W/batch.err")"
grep -q "2 archs fine-tuned" "$W/batch.err" || fail "batch count: $(cat "$W/batch.err")"
[ "$(wc -l < "$W/batch.csv")" -eq 3 ] || fail "batch rows: $(cat "$W/batch.csv")"
ja=$(grep -o '"accuracy": [^,]*' "$W/a.json" | cut -d' ' -f2)
ba=$(grep '^L2:H32:A4.2:F64.32,15,1,' "$W/batch.csv" | cut -d, -f4)
python3 -c "import sys; sys.exit(abs(float('$ja') - float('$ba')) > 1e-6)" || fail "batch accuracy $ba != single-arch $ja"
printf 'L2:H32:A2.2:F32.32\n' >> "$W/archs.txt"
"${FT[@]}" --archs "$W/archs.txt" --csv "$W/batch.csv" --steps 15 2> "$W/batch.err" || fail "batch resume"
grep -q "1 archs fine-tuned" "$W/batch.err" || fail "batch resume redid archs: $(cat "$W/batch.err")"
printf 'L1:H16:A2:F32\nL1:H64:A2:F32\n' > "$W/bad.txt"
expect_usage "batch arch outside space" "bad.txt:2: .*hidden 64 is not in the space" "${FT[@]}" --archs "$W/bad.txt" --csv "$W/bad.csv" --steps 1
[ ! -e "$W/bad.csv" ] || fail "refused batch wrote a CSV"
expect_usage "batch without --csv" "--archs and --csv go together" "${FT[@]}" --archs "$W/bad.txt" --steps 1
# custom TSV files
printf 'sentence\tlabel\nfree prize call now\t1\nsee you at lunch\t0\nwin cash now\t1\nok thanks\t0\n' > "$W/t.tsv"
"$HWNAS" finetune --supernet "$W/tiny.h5" --arch L1:H16:A2:F32 --steps 3 --batch 2 --train "$W/t.tsv" --eval "$W/t.tsv" \
    | grep -q 'eval_rows 4 ' || fail "custom TSV"

# exact resume: stop after 20 of 40 steps, then --resume == the uninterrupted run
"$HWNAS" supernet train "$W/tiny.yaml" --out "$W/res.h5" --stop-at 20 > "$W/half.log" || fail "half run"
grep -q "stopped at step 20" "$W/half.log" || fail "no stop message"
"$HWNAS" supernet train "$W/tiny.yaml" --out "$W/res.h5" --resume > "$W/resume.log" || fail "resume"
grep -q "resuming .* at step 20 of 40" "$W/resume.log" || fail "resume did not resume: $(head -2 "$W/resume.log")"
for f in tiny res; do
    "$HWNAS" finetune --supernet "$W/$f.h5" --task sms_spam --arch L2:H32:A4.4:F64.64 --steps 0 --json "$W/$f.json" > /dev/null \
        || fail "eval $f"
done
x=$(grep -o '"eval_loss": [^,]*' "$W/tiny.json"); y=$(grep -o '"eval_loss": [^,]*' "$W/res.json")
[ "$x" = "$y" ] || fail "resumed run differs: $x vs $y"
# distillation is used: the same recipe without it trains other weights
sed 's/distill: 0.5/distill: 0/' "$W/tiny.yaml" > "$W/nokd.yaml"
"$HWNAS" supernet train "$W/nokd.yaml" --out "$W/nokd.h5" --quiet || fail "train without distillation"
"$HWNAS" finetune --supernet "$W/nokd.h5" --task sms_spam --arch L2:H32:A4.4:F64.64 --steps 0 --json "$W/nokd.json" > /dev/null \
    || fail "eval nokd"
z=$(grep -o '"eval_loss": [^,]*' "$W/nokd.json")
[ "$x" != "$z" ] || fail "distill 0.5 and 0 trained the same weights ($x)"

# bad input: one line, exit 2
expect_usage "garbage arch" "not a bert arch string" "${FT[@]}" --arch bogus --steps 1
expect_usage "arch outside space" "hidden 64 is not in the space" "${FT[@]}" --arch L1:H64:A2:F32 --steps 1
expect_usage "layer count mismatch" "need 2 head counts" "${FT[@]}" --arch L2:H16:A2:F32 --steps 1
expect_usage "missing --steps" "--steps is required" "$HWNAS" finetune --supernet "$W/tiny.h5" --arch L1:H16:A2:F32
expect_usage "missing TSV" "nope.tsv: cannot open" "$HWNAS" finetune --supernet "$W/tiny.h5" --arch L1:H16:A2:F32 --steps 1 \
    --train "$W/nope.tsv" --eval "$W/t.tsv"
printf 'text\tlabel\nhello\t1\n' > "$W/h.tsv"
expect_usage "bad header" "h.tsv:1: header" "$HWNAS" finetune --supernet "$W/tiny.h5" --arch L1:H16:A2:F32 --steps 1 \
    --train "$W/h.tsv" --eval "$W/t.tsv"
printf 'sentence\tlabel\nhello\tpositive\n' > "$W/l.tsv"
expect_usage "bad label" "l.tsv:2: label 'positive'" "$HWNAS" finetune --supernet "$W/tiny.h5" --arch L1:H16:A2:F32 \
    --steps 1 --train "$W/t.tsv" --eval "$W/l.tsv"
printf 'sentence\tlabel\nno tab here\n' > "$W/n.tsv"
expect_usage "no tab" "n.tsv:2: expected" "$HWNAS" finetune --supernet "$W/tiny.h5" --arch L1:H16:A2:F32 --steps 1 \
    --train "$W/n.tsv" --eval "$W/t.tsv"
head -c 100000 "$W/tiny.h5" > "$W/trunc.h5"
expect_usage "truncated h5" "trunc.h5" "$HWNAS" finetune --supernet "$W/trunc.h5" --arch L1:H16:A2:F32 --steps 1
echo "not hdf5" > "$W/text.h5"
expect_usage "not hdf5" "text.h5" "$HWNAS" finetune --supernet "$W/text.h5" --arch L1:H16:A2:F32 --steps 1
expect_usage "missing h5" "none.h5" "$HWNAS" finetune --supernet "$W/none.h5" --arch L1:H16:A2:F32 --steps 1
expect_usage "unknown task" "task 'imdb'" "$HWNAS" finetune --supernet "$W/tiny.h5" --arch L1:H16:A2:F32 --steps 1 --task imdb
sed 's/n_random: 1/n_randum: 1/' "$W/tiny.yaml" > "$W/typo.yaml"
expect_usage "config typo" "n_randum.*unknown key" "$HWNAS" supernet train "$W/typo.yaml"
sed 's/distill: 0.5/distill: 1.5/' "$W/tiny.yaml" > "$W/kd.yaml"
expect_usage "distill out of range" "distill" "$HWNAS" supernet train "$W/kd.yaml"
sed 's/hidden: \[16, 32\]/hidden: [32, 16]/' "$W/tiny.yaml" > "$W/uns.yaml"
expect_usage "unsorted space" "increasing" "$HWNAS" supernet train "$W/uns.yaml"
expect_usage "missing config" "nope.yaml" "$HWNAS" supernet train "$W/nope.yaml"
"$HWNAS" finetune --help | grep -q -- "--eval-max" || fail "finetune --help"
"$HWNAS" supernet --help | grep -q -- "--resume" || fail "supernet --help"
echo "ok"
