#!/usr/bin/env bash
# e2e: the signal rule of `hwnas search` (docs/cluster.md), at 1 rank and
# under mpirun -n 3. Checks:
# - SIGINT, SIGTERM, SIGUSR1 without a run file: exit 3, and the front CSV
#   and JSON summary so far are written;
# - SIGINT with a run file: exit 3, and the run resumes from the checkpoint
#   it wrote;
# - a second SIGINT while the first waits for a generation boundary (a
#   search waiting for a board that never comes): the process dies at once
#   (status 130), well before the board wait would end;
# - mpirun -n 3: SIGUSR1 to mpirun (forwarded), and SIGINT to every rank,
#   exit 3 with the front (and the checkpoint) written;
# - mpirun -n 2, the signal to mpirun's process group (what Ctrl-C in a
#   terminal does): SIGINT and SIGTERM end mpirun with status 1 (Open MPI's
#   own), and a checkpoint the ranks wrote names SIGTERM (what mpirun sends
#   them) and resumes; SIGUSR1 ends it with 3, a checkpoint, /@stopped_by
#   SIGUSR1. At 1 rank /@stopped_by is SIGINT.
# - hwnas mpirun -n 2, SIGINT or SIGTERM to its process group: exit 3, the
#   ranks' checkpoint has /@stopped_by SIGUSR1 and resumes; a second SIGINT
#   (board wait) ends it within 10 s with a status other than 0 and 3; no
#   launcher: one line, exit 2.
. "$(dirname "$0")/lib.sh" "$@"
LOG_TAIL=8
cd "$T"
sed -e "s#\.\./hw_nas_bench/#$DATA/hw_nas_bench/#" -e "s#\.\./nb201_accuracy/#$DATA/nb201_accuracy/#" \
    -e '/stop_hv_ratio/d' "$DATA/configs/nb201-tx2.yaml" > cfg.yaml
LONG=(--generations 100000000 --summary s.json --out-dir o)

# started CMD...: runs CMD in the background (stderr to run.log), waits until
# it has logged generation 3; sets P
started() {
    rm -rf o s.json run.log
    "$@" > run.out 2> run.log &
    P=$!
    PIDS+=("$P")
    wait_gen run.log 3 60 || fail "$* did not reach generation 3"
}
# stopped_ok RC WHAT: the run exited 3 and wrote a front with rows and a summary
stopped_ok() {
    [ "$1" -eq 3 ] || fail "$2: exit $1, want 3"
    grep -q "stopped by a signal" run.log || fail "$2: no 'stopped by a signal' line"
    [ "$(wc -l < o/front.csv)" -ge 2 ] || fail "$2: o/front.csv has no rows"
    json_get s.json 'j["front_size"]' > /dev/null || fail "$2: no summary"
}

for sig in INT TERM USR1; do
    started "$HW" search cfg.yaml "${LONG[@]}"
    kill -"$sig" "$P"
    wait "$P"
    stopped_ok $? "P=1 SIG$sig, no run file"
done

started "$HW" search cfg.yaml "${LONG[@]}" --run r.h5
kill -INT "$P"
wait "$P"
stopped_ok $? "P=1 SIGINT, run file"
[ -f r.h5 ] || fail "SIGINT with a run file: no checkpoint"
stopped_by() { $PY -c 'import h5py, sys; print(h5py.File(sys.argv[1], "r").attrs.get("stopped_by", b"-").decode())' "$1"; }
[ "$(stopped_by r.h5)" = SIGINT ] || fail "P=1 SIGINT: /@stopped_by is '$(stopped_by r.h5)', want SIGINT"
"$HW" search cfg.yaml --resume r.h5 --generations 100 --quiet --out-dir o2 > resume.out 2> resume.log \
    || fail "resume after SIGINT: exit $?"
grep -q "resuming from r.h5 after generation" resume.log || fail "resume after SIGINT did not resume: $(cat resume.log)"

# a search whose board never comes: the first SIGINT waits, the second ends it
"$HW" keygen --out d > /dev/null || fail keygen
cp d.pub allow.txt
sed 's/source: edgegpu_latency_ms}/source: edgegpu_latency_ms, device: tx2}/' cfg.yaml > wait.yaml
PORT=$((20000 + RANDOM % 20000))
printf "boards: {bind: 'tcp://127.0.0.1:%d', key: d.key, allow: allow.txt, wait_s: 60}\n" "$PORT" >> wait.yaml
# listening: the dispatcher is up (past MPI_Init, signal handlers installed)
listening() { ss -ltnH "sport = :$PORT" | grep -q .; }
"$HW" search wait.yaml --quiet --out-dir ow > wait.out 2> wait.log &
P=$!
PIDS+=("$P")
wait_for 30 listening || fail "the board-waiting search never listened on $PORT: $(cat wait.log)"
kill -INT "$P"
sleep 0.5
kill -0 "$P" 2>/dev/null || fail "the first SIGINT ended the search at once: $(cat wait.log)"
t0=$(date +%s)
kill -INT "$P"
wait "$P"
rc=$?
[ $rc -eq 130 ] || fail "second SIGINT: exit $rc, want 130"
[ $(( $(date +%s) - t0 )) -le 5 ] || fail "second SIGINT took $(( $(date +%s) - t0 )) s"

# mpirun -n 3
MPI=(mpirun --oversubscribe -n 3)
started "${MPI[@]}" "$HW" search cfg.yaml "${LONG[@]}"
kill -USR1 "$P"
wait "$P"
stopped_ok $? "P=3 SIGUSR1 to mpirun, no run file"

rm -f r3.h5*
started "${MPI[@]}" "$HW" search cfg.yaml "${LONG[@]}" --run r3.h5
ranks=$(pgrep -P "$P" -x hwnas | tr '\n' ' ')
[ "$(echo $ranks | wc -w)" -eq 3 ] || fail "mpirun's children: '$ranks', want 3 hwnas ranks"
# shellcheck disable=SC2086 # one pid per word
kill -INT $ranks
wait "$P"
stopped_ok $? "P=3 SIGINT to the ranks, run file"
[ -f r3.h5 ] || fail "P=3 SIGINT: no checkpoint"

# mpirun -n 2 and the signal to its process group, as a terminal's Ctrl-C.
# SIGUSR1: forwarded, exit 3 and a checkpoint. SIGINT/SIGTERM: mpirun exits
# 1; the ranks get SIGTERM and usually checkpoint, but mpirun may end them
# first (seen under load; docs/cluster.md promises no checkpoint there):
# when a checkpoint was written it names SIGTERM and resumes.
for sig in INT TERM USR1; do
    rm -f g.h5*
    started setsid mpirun --oversubscribe -n 2 "$HW" search cfg.yaml "${LONG[@]}" --run g.h5
    [ "$(ps -o pgid= -p "$P" | tr -d ' ')" = "$P" ] || fail "mpirun is not its own process group leader"
    kill -"$sig" -- -"$P"
    wait "$P"
    rc=$?
    want=3 by=SIG$sig
    [ "$sig" = USR1 ] || want=1 by=SIGTERM
    [ $rc -eq $want ] || fail "P=2 SIG$sig to mpirun's group: mpirun exit $rc, want $want"
    if ! grep -q "stopped by a signal after a checkpoint to g.h5" run.log; then
        [ "$sig" = USR1 ] && fail "P=2 SIGUSR1: the ranks did not checkpoint"
        echo "note: P=2 SIG$sig to mpirun's group: mpirun ended the ranks before a checkpoint"
        continue
    fi
    [ "$(stopped_by g.h5)" = "$by" ] || fail "P=2 SIG$sig: /@stopped_by is '$(stopped_by g.h5)', want $by"
    [ "$(wc -l < o/front.csv)" -ge 2 ] || fail "P=2 SIG$sig: no front"
    "$HW" search cfg.yaml --resume g.h5 --generations 5 --quiet --out-dir og > gres.out 2> gres.log ||
        fail "P=2 SIG$sig: resume exit $?" # past generation 5 already: it stops at once
    grep -q "resuming from g.h5 after generation" gres.log || fail "P=2 SIG$sig: no resume: $(head -2 gres.log)"
    echo "ok: P=2 SIG$sig to mpirun's group: mpirun $rc, checkpoint stopped_by $by, resumes"
done
# hwnas mpirun -n 2: SIGINT (Ctrl-C) and SIGTERM to the wrapper's process
# group reach the ranks as SIGUSR1: exit 3, a checkpoint, resumable; a
# second SIGINT ends the run at once (not 3)
for sig in INT TERM; do
    rm -f w.h5*
    started setsid "$HW" mpirun --oversubscribe -n 2 "$HW" search cfg.yaml "${LONG[@]}" --run w.h5
    kill -"$sig" -- -"$P"
    wait "$P"
    rc=$?
    [ $rc -eq 3 ] || fail "hwnas mpirun, SIG$sig to its group: exit $rc, want 3"
    grep -q "stopped by a signal after a checkpoint to w.h5" run.log || fail "hwnas mpirun SIG$sig: no checkpoint"
    [ "$(stopped_by w.h5)" = SIGUSR1 ] || fail "hwnas mpirun SIG$sig: /@stopped_by is '$(stopped_by w.h5)', want SIGUSR1"
    "$HW" search cfg.yaml --resume w.h5 --generations 5 --quiet --out-dir ow2 > wres.out 2> wres.log ||
        fail "hwnas mpirun SIG$sig: resume exit $?"
    grep -q "resuming from w.h5 after generation" wres.log || fail "hwnas mpirun SIG$sig: no resume"
    echo "ok: hwnas mpirun -n 2, SIG$sig to its group: exit 3, checkpoint stopped_by SIGUSR1, resumes"
done
setsid "$HW" mpirun --oversubscribe -n 2 "$HW" search wait.yaml --quiet --out-dir ow3 > wait3.out 2> wait3.log &
P=$!
PIDS+=("$P")
wait_for 30 listening || fail "hwnas mpirun: the board-waiting search never listened on $PORT: $(cat wait3.log)"
kill -INT -- -"$P"
sleep 0.5
kill -0 "$P" 2>/dev/null || fail "hwnas mpirun: the first SIGINT ended the run at once"
t0=$(date +%s)
kill -INT -- -"$P"
wait "$P"
rc=$?
[ $rc -ne 3 ] && [ $rc -ne 0 ] || fail "hwnas mpirun, second SIGINT: exit $rc, want neither 0 nor 3"
[ $(( $(date +%s) - t0 )) -le 10 ] || fail "hwnas mpirun, second SIGINT took $(( $(date +%s) - t0 )) s"
HWNAS_MPIRUN=/nonexistent/mpirun "$HW" mpirun -n 1 true 2> nompi.err
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l < nompi.err)" -eq 1 ] && grep -q "cannot run '/nonexistent/mpirun'" nompi.err ||
    fail "hwnas mpirun without a launcher: exit $rc, $(cat nompi.err)"
echo "PASS test_search_signals"
