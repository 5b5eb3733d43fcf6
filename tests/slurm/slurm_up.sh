#!/bin/bash
# slurm_up.sh DIR: start a private single-node Slurm (munged, slurmctld,
# slurmd) on localhost, as root, without systemd.
#
# Everything lives under DIR: slurm.conf, state and spool directories, logs,
# PID files, the munge key and socket. Ports are picked free at start so two
# instances (or a system Slurm) cannot clash. Writes DIR/env.sh, which sets
# SLURM_CONF for the client commands (sbatch, squeue, scontrol...).
# Stop with slurm_down.sh DIR (kills exactly the PIDs recorded here).
#
# Exit status: 0 when the node is up and idle, 1 otherwise (with the daemon
# logs on stderr). Missing Slurm or munge binaries are a failure, not a skip.
set -u
DIR=${1:?usage: slurm_up.sh DIR}
mkdir -p "$DIR" && DIR=$(cd "$DIR" && pwd)

die() { echo "slurm_up: $*" >&2; for l in "$DIR"/log/*.log; do [ -f "$l" ] && { echo "== $l" >&2; tail -n 30 "$l" >&2; }; done; exit 1; }

for b in munged mungekey slurmctld slurmd sbatch scontrol sinfo; do
    command -v "$b" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin command -v "$b" >/dev/null 2>&1 ||
        die "$b not found: apt-get install -y slurm-wlm munge"
done
export PATH=$PATH:/usr/sbin
[ "$(id -u)" = 0 ] || die "must run as root (slurmd launches jobs as their owner)"

mkdir -p "$DIR"/{etc,state,spool,log,run,munge}
chmod 700 "$DIR/munge"

# --- munge: own key, own socket ------------------------------------------
if [ ! -s "$DIR/munge/munge.key" ]; then
    mungekey --create --keyfile="$DIR/munge/munge.key" --bits=1024 >/dev/null 2>&1 ||
        die "mungekey failed"
fi
chmod 600 "$DIR/munge/munge.key"
MSOCK="$DIR/munge/munge.sock"
munged -F --force --socket="$MSOCK" --key-file="$DIR/munge/munge.key" \
    --pid-file="$DIR/run/munged.pid" --log-file="$DIR/log/munged.log" \
    --seed-file="$DIR/munge/munged.seed" >/dev/null 2>&1 &
echo $! > "$DIR/run/munged.fgpid"
for _ in $(seq 50); do [ -S "$MSOCK" ] && break; sleep 0.1; done
[ -S "$MSOCK" ] || die "munged did not create $MSOCK"

# --- free ports ------------------------------------------------------------
port_free() { ! ss -Htan "sport = :$1" 2>/dev/null | grep -q . ; }
pick_port() {
    local p
    for _ in $(seq 200); do
        p=$(( 20000 + (RANDOM % 20000) ))
        port_free "$p" && port_free $((p + 1)) && { echo "$p"; return 0; }
    done
    return 1
}
CTLD_PORT=$(pick_port) || die "no free port"
SLURMD_PORT=$(pick_port) || die "no free port"
[ "$SLURMD_PORT" != "$CTLD_PORT" ] || SLURMD_PORT=$((CTLD_PORT + 7))
SRUN_LO=$(( (CTLD_PORT % 1000) * 10 + 41000 ))

# --- slurm.conf -------------------------------------------------------------
NODE_LINE=$(slurmd -C | head -n 1)           # NodeName=vm CPUs=2 ... RealMemory=N
NODE=$(echo "$NODE_LINE" | sed -n 's/^NodeName=\([^ ]*\).*/\1/p')
[ -n "$NODE" ] || die "cannot parse 'slurmd -C': $NODE_LINE"
MPI_DEFAULT=none
if srun --help >/dev/null 2>&1 && ls /usr/lib/x86_64-linux-gnu/slurm-wlm/mpi_pmix.so >/dev/null 2>&1 ||
   ls /usr/lib/*/slurm-wlm/mpi_pmix.so >/dev/null 2>&1; then
    MPI_DEFAULT=pmix
fi
cat > "$DIR/etc/slurm.conf" <<CONF
# private single-node Slurm written by tests/slurm/slurm_up.sh
ClusterName=hwnastest
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SrunPortRange=$SRUN_LO-$((SRUN_LO + 99))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MSOCK,cred_expire=10
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool/slurmd-%n
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=$MPI_DEFAULT
SwitchType=switch/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
JobRequeue=1
# run the scheduler every 2 s so a requeued job restarts as soon as its
# credential expired (cred_expire=10 + 1 s)
SchedulerParameters=sched_interval=2,bf_interval=2
MinJobAge=600
KillWait=5
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=60
MessageTimeout=10
$NODE_LINE NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=test Nodes=$NODE Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
echo "export SLURM_CONF=$DIR/etc/slurm.conf" > "$DIR/env.sh"
echo "export PATH=\$PATH:/usr/sbin" >> "$DIR/env.sh"
export SLURM_CONF=$DIR/etc/slurm.conf

# --- daemons (foreground mode, so $! is the daemon's own PID) --------------
slurmctld -D -c -i -f "$SLURM_CONF" >"$DIR/log/slurmctld.out" 2>&1 &
echo $! > "$DIR/run/slurmctld.fgpid"
for _ in $(seq 100); do scontrol ping 2>/dev/null | grep -q UP && break; sleep 0.2; done
scontrol ping 2>/dev/null | grep -q UP || die "slurmctld did not come up"
slurmd -D -f "$SLURM_CONF" >"$DIR/log/slurmd.out" 2>&1 &
echo $! > "$DIR/run/slurmd.fgpid"
for _ in $(seq 150); do
    st=$(sinfo -h -N -o %T 2>/dev/null | head -n 1)
    case "$st" in idle*|mixed*|alloc*) break ;; esac
    sleep 0.2
done
case "$st" in idle*|mixed*|alloc*) ;; *) die "node not idle (state '$st')" ;; esac
echo "slurm_up: $NODE up (slurmctld :$CTLD_PORT, slurmd :$SLURMD_PORT, MpiDefault=$MPI_DEFAULT) in $DIR"
