#!/bin/bash
# slurm_down.sh DIR: stop the daemons slurm_up.sh DIR started, by the PIDs it
# recorded (never by name), and wait for them to exit.
DIR=${1:?usage: slurm_down.sh DIR}
for d in slurmd slurmctld munged; do
    f="$DIR/run/$d.fgpid"
    [ -s "$f" ] || continue
    pid=$(cat "$f")
    kill -TERM "$pid" 2>/dev/null || { rm -f "$f"; continue; }
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    rm -f "$f"
done
exit 0
