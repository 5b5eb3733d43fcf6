/* engine_ft.c: fine-tuning jobs over MPI ranks (see engine_ft.h). */
#include "engine_ft.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_comm.h"
#include "hw_clock.h"
#include "hw_codec.h"
#include "hw_err.h"

/* Wire formats (hw_codec, engine_tags.h):
 *   FTJOB     u32 version, i32 index, str arch
 *   FTRESULT  u32 version, i32 index, i32 rc, f64 accuracy, f1, seconds,
 *             16 bytes where, str err (rc != 0: the island's message) */
#define FT_ERR_MAX 256
#define FT_JOB_MAX (4 + 4 + 4 + HW_ARCH_STR_MAX)
#define FT_RESULT_MAX (4 + 4 + 4 + 3 * 8 + 16 + 4 + FT_ERR_MAX)
_Static_assert(sizeof(((gts_ft_result *)0)->where) == 16, "FTRESULT layout: update the codec");

typedef struct ft_result_msg {
    int32_t index, rc;
    gts_ft_result res;
    char err[FT_ERR_MAX];
} ft_result_msg;

/* Receives one message of at most cap bytes into buf (timed into *comm_s);
 * returns its length. */
static int recv_msg(MPI_Comm comm, int src, int tag, uint8_t *buf, int cap, MPI_Status *st, double *comm_s) {
    double t = hw_now_s();
    int len;
    engine_comm_probe(comm, src, tag, st);
    MPI_Get_count(st, MPI_BYTE, &len);
    HW_ASSERT(len >= 0 && len <= cap);
    MPI_Recv(buf, len, MPI_BYTE, st->MPI_SOURCE, tag, comm, MPI_STATUS_IGNORE);
    *comm_s += hw_now_s() - t;
    return len;
}

static void send_job(engine_ft_ctx *c, int rank, int index, const char *arch) {
    uint8_t b[FT_JOB_MAX];
    hw_wbuf w;
    hw_wbuf_fixed(&w, b, sizeof b);
    hw_put_u32(&w, ENGINE_WIRE_VERSION);
    hw_put_i32(&w, index);
    hw_put_str(&w, arch);
    HW_ASSERT(!w.bad);
    double t = hw_now_s();
    MPI_Send(b, (int)w.n, MPI_BYTE, rank, ENGINE_TAG_FTJOB, c->comm);
    c->comm_s += hw_now_s() - t;
}

/* Decodes FTRESULT; -1 with a message when malformed. */
static int unpack_result(const uint8_t *b, int len, ft_result_msg *m) {
    hw_rbuf r;
    hw_rbuf_init(&r, b, (size_t)len);
    uint32_t v = hw_get_u32(&r);
    if (hw_rbuf_ok(&r) && v != ENGINE_WIRE_VERSION)
        return hw_fail("FTRESULT message: wire version %u, expected %u", v, ENGINE_WIRE_VERSION);
    m->index = hw_get_i32(&r);
    m->rc = hw_get_i32(&r);
    m->res.accuracy = hw_get_f64(&r);
    m->res.f1 = hw_get_f64(&r);
    m->res.seconds = hw_get_f64(&r);
    hw_get_bytes(&r, m->res.where, sizeof m->res.where);
    m->res.where[sizeof m->res.where - 1] = 0;
    hw_get_str(&r, m->err, sizeof m->err);
    if (!hw_rbuf_done(&r)) return hw_fail("FTRESULT message: %d bytes do not match its fields", len);
    return 0;
}

/* Receives one FTRESULT (from any island), files it; returns its source
 * rank, or -1 with the island's message when the job failed there. */
static int take_result(engine_ft_ctx *c, int n, gts_ft_result *out, int block) {
    ft_result_msg m;
    MPI_Status st;
    uint8_t b[FT_RESULT_MAX];
    if (!block) {
        int flag;
        double t = hw_now_s();
        MPI_Iprobe(MPI_ANY_SOURCE, ENGINE_TAG_FTRESULT, c->comm, &flag, &st);
        c->comm_s += hw_now_s() - t;
        if (!flag) return 0;
    }
    int len = recv_msg(c->comm, MPI_ANY_SOURCE, ENGINE_TAG_FTRESULT, b, sizeof b, &st, &c->comm_s);
    if (unpack_result(b, len, &m)) return -1;
    HW_ASSERT(m.index >= 0 && m.index < n);
    if (m.rc) return hw_fail("rank %d: %s", st.MPI_SOURCE, m.err);
    out[m.index] = m.res;
    return st.MPI_SOURCE;
}

/* Dynamic schedule: one job in flight per island; rank 0 runs the next
 * unassigned job itself whenever no result is waiting, so P ranks work on
 * P jobs at once. */
int engine_ft_exec(void *ctx, const char (*arch)[HW_ARCH_STR_MAX], int n, gts_ft_result *out) {
    engine_ft_ctx *c = ctx;
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
        uint8_t b[FT_RESULT_MAX];
        MPI_Status st;
        recv_msg(c->comm, MPI_ANY_SOURCE, ENGINE_TAG_FTRESULT, b, sizeof b, &st, &c->comm_s);
    }
    return -1;
}

void engine_ft_serve(MPI_Comm comm, int rank, struct supernet_ft *ft, const search_config *cfg, double *comm_s) {
    uint8_t jb[FT_JOB_MAX], rb[FT_RESULT_MAX];
    char arch[HW_ARCH_STR_MAX], err[FT_ERR_MAX] = "";
    MPI_Status st;
    int len = recv_msg(comm, 0, ENGINE_TAG_FTJOB, jb, sizeof jb, &st, comm_s);
    hw_rbuf r;
    hw_rbuf_init(&r, jb, (size_t)len);
    uint32_t v = hw_get_u32(&r);
    int32_t index = hw_get_i32(&r);
    hw_get_str(&r, arch, sizeof arch);
    HW_ASSERT(v == ENGINE_WIRE_VERSION && hw_rbuf_done(&r)); /* same build on every rank */
    gts_ft_result res;
    memset(&res, 0, sizeof res);
    int32_t rc = 0;
    if (!ft)
        rc = -1, snprintf(err, sizeof err, "no supernet open on this rank");
    else if (gts_ft_run(ft, cfg, arch, rank, &res))
        rc = -1, snprintf(err, sizeof err, "%s", hw_errmsg());
    hw_wbuf w;
    hw_wbuf_fixed(&w, rb, sizeof rb);
    hw_put_u32(&w, ENGINE_WIRE_VERSION);
    hw_put_i32(&w, index);
    hw_put_i32(&w, rc);
    hw_put_f64(&w, res.accuracy);
    hw_put_f64(&w, res.f1);
    hw_put_f64(&w, res.seconds);
    hw_put_bytes(&w, res.where, sizeof res.where);
    hw_put_str(&w, err);
    HW_ASSERT(!w.bad);
    double t = hw_now_s();
    MPI_Send(rb, (int)w.n, MPI_BYTE, 0, ENGINE_TAG_FTRESULT, comm);
    *comm_s += hw_now_s() - t;
}
