/* engine_ft: proxy fine-tuning jobs spread over the ranks with free cores.
 *
 * Data flow: gts_collect (rank 0) hands its batch of candidates to
 * engine_ft_exec -> one FTJOB (job index + arch string) to every island
 * rank, which is otherwise waiting for the dispatcher (sync rounds) or
 * polls between generations (async rounds) -> the island runs the job with
 * its own copy of the supernet (engine_ft_serve) and sends FTRESULT back
 * -> rank 0 hands it the next job; rank 0 runs jobs itself between
 * receipts. Results are filed by job index, so the outcome does not depend
 * on which rank ran what. */
#ifndef HW_ENGINE_FT_H
#define HW_ENGINE_FT_H

#include <mpi.h>

#include "engine_tags.h"
#include "gtserver.h"

/* Context of the rank-0 executor (gts_set_ft_exec(gt, engine_ft_exec, ctx)). */
typedef struct engine_ft_ctx {
    MPI_Comm comm;            /* the engine's communicator */
    int size;                 /* ranks; 1..size-1 take jobs */
    struct supernet_ft *ft;   /* rank 0's own supernet */
    const search_config *cfg; /* finetune options */
    double comm_s;            /* seconds in MPI calls so far (waits included) */
} engine_ft_ctx;

/* gts_ft_exec_fn over the ranks of ctx (an engine_ft_ctx). */
int engine_ft_exec(void *ctx, const char (*arch)[HW_ARCH_STR_MAX], int n, gts_ft_result *out);

/* Island side: receives the FTJOB from rank 0 that the caller probed, runs
 * it on ft and sends the result (a failure travels back as a message; rank
 * 0 reports it). Adds its seconds in MPI calls to *comm_s. A malformed job
 * message is a bug (another build on a rank): HW_ASSERT. */
void engine_ft_serve(MPI_Comm comm, int rank, struct supernet_ft *ft, const search_config *cfg, double *comm_s);

#endif
