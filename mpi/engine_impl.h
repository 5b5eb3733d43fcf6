/* engine_impl: the engine's context, shared by engine.c (the loop and the
 * roles), engine_comm.c (messages between roles, every call timed) and
 * engine_disp.c (rank 0's set-up, history, merge and report). Private to
 * the engine: include only from those files. */
#ifndef HW_ENGINE_IMPL_H
#define HW_ENGINE_IMPL_H

#include "ckpt.h"
#include "engine.h"
#include "progress.h"
#include "engine_comm.h"
#include "engine_ft.h"
#include "island.h"
#include "journal.h"
#include "supernet_h5.h"

#define NTAGS (ENGINE_TAG_LAST - ENGINE_TAG_FIRST + 1)
/* UPDATE's stop value when rank 0's measurements failed (boards gone for
 * boards.wait_s): every rank stops, checkpoints and returns -1 together. */
#define ENGINE_STOP_FAILED 2

/* This rank's seconds by category (engine_role_time); compute is the rest
 * of its wall time. k[]: the communication and peer waits by message kind
 * (engine_comm_kind). */
typedef struct etimes {
    double comm, meas, idle;
    long nsend, nrecv;
    double send_s, recv_s;
    double bsend, brecv;      /* bytes */
    engine_call_time k[ENGINE_NKINDS];
} etimes;

struct eng {
    const search_config *cfg;
    const space *sp;
    const search_problem *truth;
    MPI_Comm comm;            /* duplicated */
    int rank, size, n_islands;
    int predictor, async;
    int failed;               /* a round's measurements failed (rank 0's hw_errmsg says why): every rank stops */
    int disp;                 /* this process dispatches (rank 0) */
    uint8_t *box[NTAGS];      /* P = 1: the in-process mailbox, one slot per tag */
    int boxlen[NTAGS];
    double t0;
    double clk_off;           /* this rank's clock minus rank 0's (0 on rank 0's node) */
    etimes tm;
    /* dispatcher (rank 0) */
    gts *gt;
    search_result *res;
    int cap_hist;
    long evaluations;
    int gen_max;              /* async: the highest island generation proposed */
    double round_meas;        /* measurement seconds of the current round */
    double round_wait;        /* seconds of the current round spent waiting for proposals */
    int bflags;               /* lock-step: this generation's boundary (EMSG_BOUNDARY_* bits),
                                 decided by rank 0 and carried to the islands by UPDATE */
    int isl_signal;           /* rank 0: an island reported a signal in its PROPOSE */
    MPI_Request breq[2];      /* rank 0: the UPDATE header and body broadcasts in flight */
    uint8_t *bbuf[2];         /* their buffers */
    uint64_t round_seq;       /* journal seq and evaluations before the current round: what a */
    long round_evals;         /* checkpoint after a failed round covers */
    /* island */
    island *is;
    int stop, outstanding;    /* async: a proposal in flight */
    MPI_Request preq;
    uint8_t *pmsg;            /* its buffer */
    double busy_mark;         /* compute clock at the last PROPOSE */
    /* checkpoints */
    const engine_options *opt;
    journal *jnl;             /* rank 0 */
    progress *prog;           /* rank 0: output.progress log and --progress bar, or NULL */
    ckpt_schedule sched;
    char **table_hashes;    /* rank 0 with a run file: the data tables' hashes at start */
    double wall0;             /* wall time used before this process (resume) */
    int start_gen;            /* first generation this process runs */
    const run_snapshot *snap; /* rank 0 on resume */
    engine_report *rep;
    /* proxy fine-tuning spread over the ranks (engine_ft.h) */
    engine_ft_ctx ftc;        /* rank 0: the executor's context */
    supernet_ft *ft;          /* islands: their own copy of the supernet */
};

/* ---- engine_disp.c ------------------------------------------------------ */

/* Rank 0: gtserver, resume state, journal, checkpoint schedule, the true
 * front's HV. */
int engine_disp_setup(eng *E);
/* Records one history row; returns 1 to stop, 0 to go on, -1 on error. */
int engine_disp_history(eng *E, int gen);
/* Merges the islands' FINAL archives into the global one; *distinct = the
 * distinct architectures evaluated (islands' sets + every measurement). */
pareto_archive *engine_disp_merge(eng *E, long *distinct);
/* The result and report from the last history row and the merged archive. */
void engine_disp_report(eng *E, const pareto_archive *merged, long distinct);

#endif
