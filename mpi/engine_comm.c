/* engine_comm.c: the engine's messages between roles (MPI at P > 1, an
 * in-process mailbox at P = 1) with every call timed; see engine_impl.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine_impl.h"
#include "hw_clock.h"
#include "hw_codec.h"
#include "hw_err.h"

/* A failing rank aborts the whole job with a clear message (never a hang). */
void engine_comm_die(eng *E, const char *what) {
    fprintf(stderr, "hwnas: rank %d: %s: %s\n", E->rank, what, hw_errmsg());
    fflush(stderr);
    MPI_Abort(E->comm, 1);
}

/* ---- time accounting --------------------------------------------------- */

/* Seconds of compute on this rank so far (wall minus every other category). */
double engine_comm_computed(const eng *E) { return hw_now_s() - E->t0 - E->tm.comm - E->tm.meas - E->tm.idle; }

/* The message kind of a tag (engine_call_time). */
static int tag_kind(int tag) {
    switch (tag) {
    case ENGINE_TAG_PROPOSE: return ENGINE_KIND_PROPOSE;
    case ENGINE_TAG_UPDATE: return ENGINE_KIND_UPDATE;
    case ENGINE_TAG_MIGRANTS: return ENGINE_KIND_MIGRANTS;
    case ENGINE_TAG_CKPT: return ENGINE_KIND_CHECKPOINT;
    case ENGINE_TAG_FTJOB:
    case ENGINE_TAG_FTRESULT: return ENGINE_KIND_FINETUNE;
    default: return ENGINE_KIND_OTHER;
    }
}

void engine_comm_charge(eng *E, int kind, double s) {
    E->tm.comm += s;
    E->tm.k[kind].comm_s += s;
}

/* Files a wait of w seconds for a message its sender had not sent yet,
 * while the sender spent meas_s measuring: that much is measurement, the
 * rest idle. */
void engine_comm_attribute(eng *E, int kind, double w, double meas_s) {
    double m = fmin(w, fmax(meas_s, 0));
    E->tm.meas += m;
    E->tm.idle += w - m;
    E->tm.k[kind].wait_s += w;
}

/* One message of `kind` and `bytes` counted (sent or received). */
static void count_msg(eng *E, int kind, int sent, double bytes, double s) {
    E->tm.k[kind].msgs++;
    E->tm.k[kind].bytes += bytes;
    if (sent) E->tm.nsend++, E->tm.bsend += bytes, E->tm.send_s += s;
    else E->tm.nrecv++, E->tm.brecv += bytes, E->tm.recv_s += s;
}

/* ---- transport: MPI at P > 1, the mailbox at P = 1 ---------------------- */

/* A polling wait: the first 64 polls spin (short waits, as MPI's own
 * blocking calls would), then sleeps of 20 us doubling to 0.5 ms. It
 * keeps, for its last NRING polls, the wall time and the seconds so far
 * that the rank was neither running nor in a requested sleep (not run: the
 * node had no core for it), from wall - CPU time - requested sleeps. */
enum { NRING = 8 };
typedef struct pollst {
    int spins, n;
    long ns;
    double w0, c0, slept;
    double w[NRING], d[NRING];
} pollst;

static void poll_mark(pollst *p) {
    double w = hw_now_s(), c = hw_cpu_s();
    if (!p->n) p->w0 = w, p->c0 = c;
    p->w[p->n % NRING] = w;
    p->d[p->n % NRING] = fmax(0, (w - p->w0) - (c - p->c0) - p->slept);
    p->n++;
}

static void poll_step(pollst *p) {
    if (p->spins++ >= 64) {
        p->ns = p->ns ? (p->ns * 2 > 500000 ? 500000 : p->ns * 2) : 20000;
        struct timespec ts = {0, p->ns};
        nanosleep(&ts, NULL);
        p->slept += (double)p->ns * 1e-9;
    }
    poll_mark(p);
}

/* The seconds this rank was not run since the awaited message was posted
 * (posted = -INFINITY: unknown, since the wait began): the node had no
 * core for it then. Not communication (docs/engine.md). */
static double late(const pollst *p, double posted) {
    if (p->n < 2) return 0;
    int k = p->n - 1; /* the first poll after the post, as far back as the ring goes */
    while (k > 0 && k > p->n - NRING && p->w[(k - 1) % NRING] > posted) k--;
    double d = p->d[(p->n - 1) % NRING] - p->d[k % NRING];
    if (k > 0 && k > p->n - NRING) /* the poll interval the post fell in: its part after the post */
        d += fmin(p->d[k % NRING] - p->d[(k - 1) % NRING], fmax(0, p->w[k % NRING] - posted));
    return fmax(0, d);
}

void engine_comm_probe(MPI_Comm comm, int src, int tag, MPI_Status *st) {
    int flag = 0;
    pollst p = {0};
    poll_mark(&p);
    for (;;) {
        MPI_Iprobe(src, tag, comm, &flag, st);
        if (flag) return;
        poll_step(&p);
    }
}

/* Waits for r by polling, never spinning for long; returns the wake-up
 * delay of its last sleep (late). */
static double wait_req(MPI_Request *r) {
    int done = 0;
    pollst p = {0};
    poll_mark(&p);
    for (;;) {
        MPI_Test(r, &done, MPI_STATUS_IGNORE);
        if (done) return late(&p, -INFINITY);
        poll_step(&p);
    }
}

/* The rank of island i. */
int engine_comm_isl_rank(const eng *E, int i) { return E->size > 1 ? i + 1 : 0; }

/* Appends the time stamp: when the sender posted the message, on rank 0's
 * clock (a little-endian f64). */
uint8_t *engine_comm_stamp(const eng *E, uint8_t *buf, int *len) {
    hw_wbuf w;
    hw_wbuf_init(&w);
    hw_put_f64(&w, hw_now_s() - E->clk_off);
    buf = hw_realloc(buf, (size_t)*len + ENGINE_STAMP_BYTES);
    memcpy(buf + *len, w.p, ENGINE_STAMP_BYTES);
    hw_wbuf_free(&w);
    *len += ENGINE_STAMP_BYTES;
    return buf;
}

/* The stamp after the len bytes of a message, on this rank's clock. */
static double read_stamp(const eng *E, const uint8_t *buf, int len) {
    hw_rbuf r;
    hw_rbuf_init(&r, buf + len, ENGINE_STAMP_BYTES);
    return hw_get_f64(&r) + E->clk_off;
}

/* Files this rank's wake-up delay lt (at most the rest of the wait, w) as
 * idle (by_kind sched_s); returns what it filed. */
static double file_late(eng *E, int kind, double lt, double w) {
    lt = fmin(lt, fmax(w, 0));
    E->tm.idle += lt;
    E->tm.k[kind].sched_s += lt;
    return lt;
}

/* Time in a receive that began at t_start, the message there at t_got
 * (after a last sleep p) and complete at t_done, posted at `posted` (this
 * rank's clock): returns the part before the sender posted (the caller
 * attributes it); this rank's wake-up delay after the post is idle; the
 * rest is communication. */
static double split_wait(eng *E, int kind, double t_start, double posted, double t_got, double t_done, const pollst *p) {
    double a = fmin(fmax(posted - t_start, 0), fmax(t_got - t_start, 0));
    double lt = file_late(E, kind, late(p, posted), t_got - t_start - a);
    engine_comm_charge(E, kind, t_done - t_start - a - lt);
    return a;
}

/* Sends len bytes to rank `to` (P = 1: a copy into the mailbox). */
void engine_comm_send(eng *E, int to, int tag, const uint8_t *buf, int len) {
    if (E->size == 1) {
        int k = tag - ENGINE_TAG_FIRST;
        HW_ASSERT(to == 0 && k >= 0 && k < NTAGS && !E->box[k]);
        E->box[k] = hw_malloc((size_t)(len ? len : 1));
        memcpy(E->box[k], buf, (size_t)len);
        E->boxlen[k] = len;
        return;
    }
    double t = hw_now_s();
    int n = len;
    uint8_t *m = hw_malloc((size_t)len + ENGINE_STAMP_BYTES);
    memcpy(m, buf, (size_t)len);
    m = engine_comm_stamp(E, m, &n);
    MPI_Send(m, n, MPI_BYTE, to, tag, E->comm);
    free(m);
    t = hw_now_s() - t;
    engine_comm_charge(E, tag_kind(tag), t);
    count_msg(E, tag_kind(tag), 1, len, t);
}

/* Receives the next `tag` message from src (MPI_ANY_SOURCE allowed) into
 * *buf (malloc'd, without its stamp); returns its source. t_start: when
 * this rank began waiting for it (<= 0: now). *absent: the seconds of that
 * wait before the sender posted it, for the caller to attribute
 * (engine_comm_attribute); the rest of the wait and the transfer are
 * communication. */
int engine_comm_recv(eng *E, int src, int tag, uint8_t **buf, int *len, double t_start, double *absent) {
    *absent = 0;
    if (E->size == 1) {
        int k = tag - ENGINE_TAG_FIRST;
        HW_ASSERT(k >= 0 && k < NTAGS && E->box[k]);
        *buf = E->box[k], *len = E->boxlen[k];
        E->box[k] = NULL;
        return 0;
    }
    MPI_Status st;
    if (t_start <= 0) t_start = hw_now_s();
    pollst p = {0};
    poll_mark(&p);
    for (int flag = 0;;) {
        MPI_Iprobe(src, tag, E->comm, &flag, &st);
        if (flag) break;
        poll_step(&p);
    }
    double t1 = hw_now_s();
    MPI_Get_count(&st, MPI_BYTE, len);
    *buf = hw_malloc((size_t)(*len > 0 ? *len : 1));
    MPI_Recv(*buf, *len, MPI_BYTE, st.MPI_SOURCE, tag, E->comm, MPI_STATUS_IGNORE);
    double t2 = hw_now_s();
    if (*len < ENGINE_STAMP_BYTES) {
        hw_fail("message with tag %d from rank %d: %d bytes, shorter than its time stamp", tag, st.MPI_SOURCE, *len);
        engine_comm_die(E, "receive");
    }
    *len -= ENGINE_STAMP_BYTES;
    *absent = split_wait(E, tag_kind(tag), t_start, read_stamp(E, *buf, *len), t1, t2, &p);
    count_msg(E, tag_kind(tag), 0, *len, t2 - t1);
    return st.MPI_SOURCE;
}

/* Rank 0: waits for the UPDATE broadcasts still in flight and frees their
 * buffers. */
void engine_comm_bcast_done(eng *E) {
    for (int i = 0; i < 2; i++) {
        if (!E->bbuf[i]) continue;
        double t = hw_now_s();
        double lt = wait_req(&E->breq[i]);
        t = hw_now_s() - t;
        engine_comm_charge(E, ENGINE_KIND_UPDATE, t - file_late(E, ENGINE_KIND_UPDATE, lt, t));
        free(E->bbuf[i]);
        E->bbuf[i] = NULL;
    }
}

/* Rank 0: starts broadcast i (0: UPDATE header, stamped here; 1: body) of
 * buf, which it owns until engine_comm_bcast_done. */
void engine_comm_ibcast(eng *E, int i, uint8_t *buf, int len) {
    double t = hw_now_s();
    if (i == 0) buf = engine_comm_stamp(E, buf, &len);
    HW_ASSERT(!E->bbuf[i]);
    E->bbuf[i] = buf;
    MPI_Ibcast(buf, len, MPI_BYTE, 0, E->comm, &E->breq[i]);
    t = hw_now_s() - t;
    engine_comm_charge(E, ENGINE_KIND_UPDATE, t);
    count_msg(E, ENGINE_KIND_UPDATE, 1, len, t);
}

/* Island: takes the UPDATE header broadcast (len bytes of buf: the header
 * without its stamp), running the fine-tuning jobs rank 0 hands out while
 * it waits (serve(E) for each). Returns the seconds of the wait before
 * rank 0 started the broadcast, to attribute. */
double engine_comm_bcast_header(eng *E, uint8_t *buf, int len, void (*serve)(eng *)) {
    uint8_t *m = hw_malloc((size_t)len + ENGINE_STAMP_BYTES);
    MPI_Request r;
    double t0 = hw_now_s();
    MPI_Ibcast(m, len + ENGINE_STAMP_BYTES, MPI_BYTE, 0, E->comm, &r);
    int done = 0;
    pollst p = {0};
    poll_mark(&p);
    for (;;) {
        MPI_Test(&r, &done, MPI_STATUS_IGNORE);
        if (done) break;
        int flag;
        MPI_Status st;
        MPI_Iprobe(0, ENGINE_TAG_FTJOB, E->comm, &flag, &st);
        if (flag) { /* rank 0 hands out jobs from inside its measurement: this wait was measurement */
            E->tm.meas += hw_now_s() - t0;
            serve(E);
            t0 = hw_now_s(), p = (pollst){0};
            poll_mark(&p);
            continue;
        }
        poll_step(&p);
    }
    double t1 = hw_now_s();
    memcpy(buf, m, (size_t)len);
    double a = split_wait(E, ENGINE_KIND_UPDATE, t0, read_stamp(E, m, len), t1, t1, &p);
    count_msg(E, ENGINE_KIND_UPDATE, 0, len, 0);
    free(m);
    return a;
}

/* Island: takes the UPDATE body broadcast of len bytes (communication). */
void engine_comm_bcast_body(eng *E, uint8_t *buf, int len) {
    MPI_Request r;
    double t = hw_now_s();
    MPI_Ibcast(buf, len, MPI_BYTE, 0, E->comm, &r);
    double lt = wait_req(&r);
    t = hw_now_s() - t;
    engine_comm_charge(E, ENGINE_KIND_UPDATE, t - file_late(E, ENGINE_KIND_UPDATE, lt, t));
    count_msg(E, ENGINE_KIND_UPDATE, 0, len, t);
}

/* Waits for an MPI_Isend of `kind` (timed). */
void engine_comm_wait(eng *E, int kind, MPI_Request *r) {
    double t = hw_now_s();
    MPI_Wait(r, MPI_STATUS_IGNORE);
    engine_comm_charge(E, kind, hw_now_s() - t);
}

/* ---- calibration ------------------------------------------------------- */

/* Minimum one-way time of len-byte messages between ranks 0 and 1 (reps
 * round trips; both ranks call it). */
static double pingpong(eng *E, int len, int reps) {
    uint8_t *b = hw_calloc((size_t)len, 1);
    double best = INFINITY;
    for (int i = 0; i < reps; i++) {
        double t = hw_now_s();
        if (E->rank == 0) {
            MPI_Send(b, len, MPI_BYTE, 1, ENGINE_TAG_CALIB, E->comm);
            MPI_Recv(b, len, MPI_BYTE, 1, ENGINE_TAG_CALIB, E->comm, MPI_STATUS_IGNORE);
        } else {
            MPI_Recv(b, len, MPI_BYTE, 0, ENGINE_TAG_CALIB, E->comm, MPI_STATUS_IGNORE);
            MPI_Send(b, len, MPI_BYTE, 0, ENGINE_TAG_CALIB, E->comm);
        }
        best = fmin(best, (hw_now_s() - t) / 2);
    }
    free(b);
    return best;
}

/* Clock offsets: 0 for ranks on rank 0's node (one CLOCK_MONOTONIC); for
 * the others the offset of the fastest of 8 round trips with rank 0
 * (NTP's estimate: the remote stamp against the round trip's midpoint).
 * Then a ping-pong between ranks 0 and 1 (8 bytes x 10, 64 KiB x 3) for
 * the report: the pure transfer cost. Collective; its time is
 * communication. */
void engine_comm_calibrate(eng *E) {
    if (E->size == 1) return;
    double t = hw_now_s();
    char name[MPI_MAX_PROCESSOR_NAME] = {0}, name0[MPI_MAX_PROCESSOR_NAME] = {0};
    int nl;
    MPI_Get_processor_name(name, &nl);
    memcpy(name0, name, sizeof name);
    MPI_Bcast(name0, sizeof name0, MPI_CHAR, 0, E->comm);
    int remote = strcmp(name, name0) != 0, *rem = E->disp ? hw_calloc((size_t)E->size, sizeof *rem) : NULL;
    MPI_Gather(&remote, 1, MPI_INT, rem, 1, MPI_INT, 0, E->comm);
    for (int r = 1; r < E->size; r++) {
        if (E->disp && !rem[r]) continue;
        if (!E->disp && (E->rank != r || !remote)) continue;
        double best = INFINITY, off = 0, x;
        for (int i = 0; i < 8; i++) {
            if (E->disp) {
                double t0 = hw_now_s();
                MPI_Send(&t0, 1, MPI_DOUBLE, r, ENGINE_TAG_CALIB, E->comm);
                MPI_Recv(&x, 1, MPI_DOUBLE, r, ENGINE_TAG_CALIB, E->comm, MPI_STATUS_IGNORE);
                double t1 = hw_now_s();
                if (t1 - t0 < best) best = t1 - t0, off = x - (t0 + t1) / 2;
            } else {
                MPI_Recv(&x, 1, MPI_DOUBLE, 0, ENGINE_TAG_CALIB, E->comm, MPI_STATUS_IGNORE);
                x = hw_now_s();
                MPI_Send(&x, 1, MPI_DOUBLE, 0, ENGINE_TAG_CALIB, E->comm);
            }
        }
        if (E->disp) MPI_Send(&off, 1, MPI_DOUBLE, r, ENGINE_TAG_CALIB, E->comm);
        else MPI_Recv(&E->clk_off, 1, MPI_DOUBLE, 0, ENGINE_TAG_CALIB, E->comm, MPI_STATUS_IGNORE);
    }
    free(rem);
    if (E->rank <= 1) {
        double s = pingpong(E, 8, 10), l = pingpong(E, 65536, 3);
        if (E->disp) E->rep->pingpong_small_s = s, E->rep->pingpong_64k_s = l;
    }
    engine_comm_charge(E, ENGINE_KIND_OTHER, hw_now_s() - t);
}

/* Every rank's time split, gathered to rank 0 and summed per role. */
enum { T_WALL, T_COMM, T_MEAS, T_IDLE, T_NSEND, T_NRECV, T_SEND, T_RECV, T_BSEND, T_BRECV, T_KIND,
       T_N = T_KIND + 5 * ENGINE_NKINDS };
void engine_comm_gather(eng *E) {
    double mine[T_N] = {hw_now_s() - E->t0, E->tm.comm, E->tm.meas, E->tm.idle, (double)E->tm.nsend,
                        (double)E->tm.nrecv, E->tm.send_s, E->tm.recv_s, E->tm.bsend, E->tm.brecv};
    for (int k = 0; k < ENGINE_NKINDS; k++) {
        const engine_call_time *c = &E->tm.k[k];
        double *x = mine + T_KIND + 5 * k;
        x[0] = (double)c->msgs, x[1] = c->bytes, x[2] = c->comm_s, x[3] = c->wait_s, x[4] = c->sched_s;
    }
    double *all = E->disp ? hw_malloc((size_t)E->size * T_N * sizeof *all) : NULL;
    MPI_Gather(mine, T_N, MPI_DOUBLE, all, T_N, MPI_DOUBLE, 0, E->comm);
    if (!E->disp) return;
    for (int r = 0; r < E->size; r++) {
        const double *x = all + (size_t)r * T_N;
        engine_role_time *t = &E->rep->role[r == 0 ? ENGINE_ROLE_DISPATCHER : ENGINE_ROLE_ISLANDS];
        t->ranks++;
        t->wall_s += x[T_WALL];
        t->communication += x[T_COMM];
        t->measurement += x[T_MEAS];
        t->idle += x[T_IDLE];
        t->msgs_sent += (long)x[T_NSEND];
        t->msgs_recv += (long)x[T_NRECV];
        t->send_s += x[T_SEND];
        t->recv_s += x[T_RECV];
        t->bytes_sent += x[T_BSEND];
        t->bytes_recv += x[T_BRECV];
        for (int k = 0; k < ENGINE_NKINDS; k++) {
            const double *y = x + T_KIND + 5 * k;
            engine_call_time *c = &t->kind[k];
            c->msgs += (long)y[0], c->bytes += y[1], c->comm_s += y[2], c->wait_s += y[3], c->sched_s += y[4];
        }
    }
    for (int k = 0; k < ENGINE_NROLES; k++) {
        engine_role_time *t = &E->rep->role[k];
        if (!t->ranks || t->wall_s <= 0) continue;
        t->communication /= t->wall_s;
        t->measurement /= t->wall_s;
        t->idle /= t->wall_s;
        t->compute = fmax(0, 1 - t->communication - t->measurement - t->idle);
    }
    free(all);
}
