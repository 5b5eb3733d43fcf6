/* engine_ft.c: fine-tuning jobs over MPI ranks (see engine_ft.h). */
#include "engine_ft.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw_err.h"

/* Wire formats (same build on every rank: raw structs). */
typedef struct ft_job_msg {
    int32_t index, pad;
    char arch[HW_ARCH_STR_MAX];
} ft_job_msg;

typedef struct ft_result_msg {
    int32_t index, rc;
    gts_ft_result res;
    char err[256]; /* rc != 0: the island's message */
} ft_result_msg;

static void send_job(const engine_ft_ctx *c, int rank, int index, const char *arch) {
    ft_job_msg m = {.index = index};
    snprintf(m.arch, sizeof m.arch, "%s", arch);
    MPI_Send(&m, (int)sizeof m, MPI_BYTE, rank, ENGINE_TAG_FTJOB, c->comm);
}

/* Receives one FTRESULT (from any island), files it; returns its source
 * rank, or -1 with the island's message when the job failed there. */
static int take_result(const engine_ft_ctx *c, int n, gts_ft_result *out, int block) {
    ft_result_msg m;
    MPI_Status st;
    if (!block) {
        int flag;
        MPI_Iprobe(MPI_ANY_SOURCE, ENGINE_TAG_FTRESULT, c->comm, &flag, &st);
        if (!flag) return 0;
    }
    MPI_Recv(&m, (int)sizeof m, MPI_BYTE, MPI_ANY_SOURCE, ENGINE_TAG_FTRESULT, c->comm, &st);
    HW_ASSERT(m.index >= 0 && m.index < n);
    if (m.rc) return hw_fail("rank %d: %s", st.MPI_SOURCE, m.err);
    out[m.index] = m.res;
    return st.MPI_SOURCE;
}

/* Dynamic schedule: one job in flight per island; rank 0 runs the next
 * unassigned job itself whenever no result is waiting, so P ranks work on
 * P jobs at once. */
int engine_ft_exec(void *ctx, const char (*arch)[HW_ARCH_STR_MAX], int n, gts_ft_result *out) {
    const engine_ft_ctx *c = ctx;
    int next = 0, done = 0, inflight = 0;
    for (int r = 1; r < c->size && next < n; r++, next++, inflight++) send_job(c, r, next, arch[next]);
    while (done < n) {
        int src;
        while ((src = take_result(c, n, out, 0)) != 0) { /* whatever has finished */
            inflight--;
            if (src < 0) goto fail;
            done++;
            if (next < n) send_job(c, src, next, arch[next]), next++, inflight++;
        }
        if (next < n) { /* a job for rank 0 */
            if (gts_ft_run(c->ft, c->cfg, arch[next], 0, &out[next])) goto fail;
            next++, done++;
        } else if (done < n) { /* everything handed out: wait */
            src = take_result(c, n, out, 1);
            inflight--;
            if (src < 0) goto fail;
            done++;
        }
    }
    return 0;
fail:
    /* collect what is still running so no result is left in flight */
    while (inflight-- > 0) {
        ft_result_msg m;
        MPI_Recv(&m, (int)sizeof m, MPI_BYTE, MPI_ANY_SOURCE, ENGINE_TAG_FTRESULT, c->comm, MPI_STATUS_IGNORE);
    }
    return -1;
}

void engine_ft_serve(MPI_Comm comm, int rank, struct supernet_ft *ft, const search_config *cfg) {
    ft_job_msg job;
    ft_result_msg m;
    memset(&m, 0, sizeof m);
    MPI_Recv(&job, (int)sizeof job, MPI_BYTE, 0, ENGINE_TAG_FTJOB, comm, MPI_STATUS_IGNORE);
    job.arch[sizeof job.arch - 1] = 0;
    m.index = job.index;
    if (!ft)
        m.rc = -1, snprintf(m.err, sizeof m.err, "no supernet open on this rank");
    else if (gts_ft_run(ft, cfg, job.arch, rank, &m.res))
        m.rc = -1, snprintf(m.err, sizeof m.err, "%s", hw_errmsg());
    MPI_Send(&m, (int)sizeof m, MPI_BYTE, 0, ENGINE_TAG_FTRESULT, comm);
}
