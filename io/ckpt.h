/* ckpt: atomic checkpoints of a run_snapshot, resume, and the signal flag
 * that turns SIGUSR1 / SIGTERM (Slurm's pre-timeout and preemption signals)
 * and SIGINT into "checkpoint at the next generation boundary, then exit 3".
 *
 * Engine protocol (docs/hdf5-schema.md, "Checkpoint protocol"):
 *   ckpt_signals_install();                         at start, every rank
 *   each generation (mpi/engine.c):
 *     islands: ckpt_signal_pending() in PROPOSE; rank 0: stop = its own or
 *     any island's, due = ckpt_due() (rank 0's clock), both sent in UPDATE
 *   at the generation boundary, every rank with rank 0's decision:
 *     if (stop || due) { gather to rank 0; rank 0: ckpt_write(RUN, snap);
 *                        the journal owner: journal_compact(j, snap->meas_seq); }
 *     if (stop) exit with HW_EXIT_CHECKPOINTED (3)
 *   resume: ckpt_resume(RUN, &snap) = runfile_read + journal replay. */
#ifndef HW_CKPT_H
#define HW_CKPT_H

#include <signal.h>

#include "runfile.h"

/* Writes S to PATH atomically: PATH.tmp is written, flushed and fsync'ed,
 * renamed over PATH, and the directory is fsync'ed. On any failure
 * (including disk full / file size limit) PATH.tmp is removed, PATH is left
 * exactly as it was, and -1 is returned with "PATH: ...". */
int ckpt_write(const char *path, const run_snapshot *s);

/* Reads PATH (runfile_read) and replays the journal PATH.journal into it:
 * complete records with seq > meas_seq are appended to s->meas; a torn
 * last record is ignored. *out_replayed (may be NULL) gets the number of
 * measurements recovered from the journal. */
int ckpt_resume(const char *path, run_snapshot **out, int *out_replayed);

/* Marks the run in PATH finished (/@finished = 1) by rewriting it with
 * ckpt_write (atomic): call after the final checkpoint of a run that met
 * its stop criteria. A resume of a finished run must not extend it. */
int ckpt_mark_finished(const char *path);

/* The run-file lock: PATH.lock, held with flock(LOCK_EX) for the life of
 * the process that owns the run (released by the kernel when it exits,
 * however it exits, so a stale lock file never blocks). The file holds
 * "HOST PID" of the holder. -1 with "PATH: in use by ... (host H, pid P)"
 * when another process holds it. */
typedef struct ckpt_lock ckpt_lock;
int ckpt_lock_acquire(const char *path, ckpt_lock **out);
void ckpt_lock_release(ckpt_lock *l);

/* Checkpoint schedule: every EVERY_GENS generations (0 = off) and/or every
 * EVERY_S seconds of wall time (0 = off). */
typedef struct ckpt_schedule {
    int every_gens;
    double every_s;
    int last_gen;   /* generation of the last checkpoint */
    double last_t;  /* time (s, any monotonic clock) of the last checkpoint */
} ckpt_schedule;

void ckpt_schedule_init(ckpt_schedule *c, int every_gens, double every_s, int gen0, double now_s);
/* 1 if a checkpoint is due at GENERATION / NOW_S. */
int ckpt_due(const ckpt_schedule *c, int generation, double now_s);
/* Records that a checkpoint was written. */
void ckpt_done(ckpt_schedule *c, int generation, double now_s);

/* Installs async-signal-safe handlers for SIGUSR1, SIGTERM and SIGINT
 * (SA_RESTART): the handler only stores the signal number in a volatile
 * sig_atomic_t, except that a second SIGINT takes the default action (the
 * process dies at once). Returns -1 if sigaction fails. */
int ckpt_signals_install(void);
/* The signal received since the last clear (SIGUSR1, SIGTERM, SIGINT), or 0.
 * Poll it at generation boundaries. */
int ckpt_signal_pending(void);
void ckpt_signal_clear(void);
/* Restores the default dispositions of SIGUSR1, SIGTERM and SIGINT. */
void ckpt_signals_uninstall(void);

/* fsync helpers used by ckpt and journal: fsync the file at PATH / the
 * directory containing PATH. */
int ckpt_fsync_path(const char *path);
int ckpt_fsync_dir_of(const char *path);

#endif
