/* engine: the MPI search engine (`mpirun -n P hwnas search CONFIG`).
 *
 * Roles: rank 0 is the dispatcher (ground truth: gtserver, retraining,
 * the global archive, history); ranks 1..P-1 are islands (island.h).
 * P = 1 runs one island and the ground truth in one process, no launcher
 * needed. The communicator is duplicated into the engine context; tags
 * are the ENGINE_TAG_* constants; no rank calls exit().
 *
 * Rounds (deterministic, `islands.sync: true`): in generation g every
 * island sends PROPOSE(g) (measure-everything: its whole batch; predictor
 * mode: its active-learning picks) to rank 0; rank 0 takes them in rank
 * order, measures, retrains, and sends UPDATE(g) (all new records, the
 * model blob if retrained, a stop flag) to every island. Every
 * migration_interval generations islands send their best members to their
 * neighbours (ring / full / random topology) with MPI_Isend and insert the
 * migrants of the same generation. With replay ground truth and a fixed
 * seed and rank count, runs are bit-identical. */
#ifndef HW_ENGINE_H
#define HW_ENGINE_H

#include <mpi.h>

#include "gtserver.h"
#include "search.h"

enum {
    ENGINE_TAG_PROPOSE = 101,
    ENGINE_TAG_UPDATE = 102,
    ENGINE_TAG_MIGRANTS = 103,
    ENGINE_TAG_FINAL = 104,
    ENGINE_TAG_CKPT = 105,   /* island state -> rank 0 at a checkpoint */
    ENGINE_TAG_RESUME = 106, /* rank 0 -> island state on resume */
};

/* Run-file options (all optional). */
typedef struct engine_options {
    const char *run_path;   /* HDF5 run file: checkpoints + journal; NULL = none */
    int resume;             /* continue from run_path */
    int ckpt_every_gens;    /* 0 = off */
    double ckpt_every_s;    /* 0 = off */
} engine_options;

typedef struct engine_report {
    search_result res;          /* history, HV, ratio (rank 0 only) */
    double board_s;             /* board seconds used */
    double compute_s;           /* wall time of the run */
    long baseline_measurements; /* measure-everything NSGA-II to reach the same HV (-1 unknown) */
    double baseline_board_s;
    double speedup;             /* baseline board time / (board time + compute) */
    double time_fraction_comm;  /* migration + model broadcast share of wall time */
    int model_version;
    int n_islands;
    int checkpointed_stop;      /* 1: stopped by SIGUSR1/SIGTERM after a checkpoint */
    int resumed_from;           /* generation resumed after (-1: fresh run) */
    int replayed;               /* measurements recovered from the journal */
} engine_report;

/* Runs the search on `comm` (every rank calls it). On rank 0, *out_archive
 * receives the merged global archive of measured points and *rep the
 * report; on other ranks they are left empty. Problem data: true front
 * (table mode) for HV ratios, as in search_problem. */
int engine_run(const search_config *cfg, const space *sp, MPI_Comm comm, const search_problem *truth,
               const engine_options *opt, engine_report *rep, pareto_archive **out_archive);
void engine_report_free(engine_report *r);

#endif
