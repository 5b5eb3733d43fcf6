/* engine: the MPI search engine (`mpirun -n P hwnas search CONFIG`).
 *
 * Roles: rank 0 is the dispatcher (ground truth: gtserver, retraining,
 * the global archive, history); ranks 1..P-1 are islands (island.h).
 * P = 1 runs one island and the dispatcher in one process, through the
 * same loop (its messages go through an in-process mailbox instead of
 * MPI). The communicator is duplicated into the engine context; tags and
 * the wire version are in engine_tags.h; no rank calls exit().
 *
 * Rounds (deterministic, `islands.sync: true`): in generation g every
 * island sends PROPOSE(g) (measure-everything: its whole batch; predictor
 * mode: its active-learning picks) to rank 0; rank 0 takes them in rank
 * order, measures, retrains, and sends UPDATE(g) (all new records, the
 * model blob if retrained, a stop flag) to every island. Every
 * migration_interval generations islands send their best members to their
 * neighbours (ring / full / random topology) with MPI_Isend and insert the
 * migrants of the same generation. With replay ground truth and a fixed
 * seed and rank count, runs are bit-identical. Asynchronous rounds
 * (`islands.sync: false`, predictor mode, P > 1): rank 0 answers each
 * proposal as it arrives; islands never wait for it. */
#ifndef HW_ENGINE_H
#define HW_ENGINE_H

#include <mpi.h>
#include <stdio.h>

#include "engine_tags.h"
#include "fsutil.h"
#include "gtserver.h"
#include "runfile.h"
#include "search.h"

/* Start-up inputs and run-file options (all optional). The caller installs
 * the SIGUSR1/SIGTERM handlers (ckpt_signals_install), loads the tables and
 * reads the run file to resume from (ckpt_resume) once, before engine_run. */
typedef struct engine_options {
    eval_table *tab;            /* the ground-truth tables (borrowed; NULL: rank 0 loads them) */
    const char *run_path;       /* HDF5 run file: checkpoints + journal; NULL = none */
    int resume;                 /* continue from run_path (every rank) */
    const run_snapshot *snap;   /* resume: the snapshot ckpt_resume read (rank 0 needs it) */
    int replayed;               /* resume: measurements ckpt_resume recovered from the journal */
    int ckpt_every_gens;        /* 0 = off */
    double ckpt_every_s;        /* 0 = off */
    const struct run_measurement *warm; /* --warm-start measurements (gts_warm_start), rank 0; NULL = none */
    int n_warm;
    const char *warm_path;      /* their file, for the log line */
    int progress_bar;           /* --progress: a one-line bar on stderr when it is a terminal */
} engine_options;

/* Message kinds of the per-call breakdown (engine_role_time.kind). */
enum {
    ENGINE_KIND_PROPOSE,    /* PROPOSE: island -> rank 0 */
    ENGINE_KIND_UPDATE,     /* UPDATE header and body broadcasts: rank 0 -> islands */
    ENGINE_KIND_MIGRANTS,   /* island -> island */
    ENGINE_KIND_CHECKPOINT, /* island states to rank 0 at a checkpoint */
    ENGINE_KIND_FINETUNE,   /* fine-tuning jobs and results */
    ENGINE_KIND_OTHER,      /* start (clock calibration, resume states), FINAL, the time split's gather */
    ENGINE_NKINDS
};
/* One kind of message on one role's ranks: messages sent and received,
 * their bytes, communication seconds (calls once the peer had sent,
 * encoding, decoding), seconds blocked before the peer had sent (wait_s:
 * measurement or idle) and seconds the rank was not run after its polling
 * sleep was due to end with the message there (sched_s: idle). */
typedef struct engine_call_time {
    long msgs;
    double bytes, comm_s, wait_s, sched_s;
} engine_call_time;

/* Where one role's ranks spent their wall time, each share of the summed
 * wall time, the four adding up to 1 (docs/engine.md, "Where the time
 * goes"): measurement = measuring, or blocked for a message its sender had
 * not sent yet while the sender measured; idle = blocked for a message its
 * sender had not sent yet otherwise, or not run by the OS while polling
 * for one that had been sent; communication = time in MPI calls once the
 * peer had sent (or in a send), and message encoding and decoding;
 * compute = the rest. */
enum { ENGINE_ROLE_DISPATCHER, ENGINE_ROLE_ISLANDS, ENGINE_NROLES };
typedef struct engine_role_time {
    int ranks;                  /* 0: no rank has this role (P = 1: islands) */
    double wall_s;              /* summed over its ranks */
    double compute, measurement, communication, idle;
    long msgs_sent, msgs_recv;  /* MPI messages, summed over its ranks */
    double send_s, recv_s;      /* seconds in sends / in receives once the message was there */
    double bytes_sent, bytes_recv;
    engine_call_time kind[ENGINE_NKINDS]; /* the communication and waits by message kind */
} engine_role_time;

typedef struct engine_report {
    search_result res;          /* history, HV, ratio (rank 0 only) */
    double board_s;             /* device seconds (board + fine-tuning) the measurements cost */
    double ft_s;                /* of which fine-tuning (board hours: board_s - ft_s) */
    double compute_s;           /* own compute: wall time minus rank 0's measurement time */
    long distinct_evaluated;    /* distinct architectures evaluated (predicted or measured) */
    double mean_meas_cost_s;    /* board_s / measurements */
    /* distinct_evaluated x mean_meas_cost_s / (board_s + compute_s): what
     * measuring every evaluated candidate would cost over what this run
     * cost (NAN without measurements) */
    double speedup;
    engine_role_time role[ENGINE_NROLES];
    /* ping-pong between ranks 0 and 1 at start (0: P = 1): one-way time of
     * an 8-byte message and of a 64 KiB one, minimum over repetitions */
    double pingpong_small_s, pingpong_64k_s;
    int model_version;
    int n_islands;
    int checkpointed_stop;      /* 1: stopped by SIGUSR1/SIGTERM/SIGINT after a checkpoint */
    int signal_stop;            /* > 0: a signal stopped the run after generation signal_stop - 1 (checkpointed or not) */
    int resumed_from;           /* generation resumed after (-1: fresh run) */
    int replayed;               /* measurements recovered from the journal */
    run_points evaluated;       /* rank 0: every measured point, as the run file's /evaluated */
    /* 1 on every rank: the measurements failed (boards gone for
     * boards.wait_s) and every rank stopped together, after a checkpoint of
     * the last whole generation when there is a run file; engine_run
     * returned -1, rank 0's hw_errmsg says why: exit without MPI_Abort */
    int failed_together;
} engine_report;

/* Runs the search on `comm` (every rank calls it). On rank 0, *out_archive
 * receives the merged global archive of measured points and *rep the
 * report; on other ranks they are left empty. Problem data: true front
 * (table mode) for HV ratios, as in search_problem. */
int engine_run(const search_config *cfg, const space *sp, MPI_Comm comm, const search_problem *truth,
               const engine_options *opt, engine_report *rep, pareto_archive **out_archive);
void engine_report_free(engine_report *r);

/* The end-of-run report: printed (rank 0, predictor mode adds the model,
 * the speedup and where the time went) and as JSON members appended to a
 * summary object (",\n  \"engine\": {...}"). */
void engine_report_print(FILE *f, const search_config *cfg, const engine_report *rep);
void engine_report_json(hw_buf *b, const engine_report *rep);

#endif
