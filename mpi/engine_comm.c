/* engine_comm.c: the engine's messages between roles (MPI at P > 1, an
 * in-process mailbox at P = 1) with every call timed; see engine_impl.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine_impl.h"
#include "hw_clock.h"
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

/* Files a blocking wait of w seconds for a message whose sender spent
 * meas_s measuring and comp_s computing before it sent it: that much of the
 * wait is measurement wait and idle time, the rest communication. */
void engine_comm_attribute(eng *E, double w, double meas_s, double comp_s) {
    double m = fmin(w, fmax(meas_s, 0)), i = fmin(w - m, fmax(comp_s, 0));
    E->tm.meas += m;
    E->tm.idle += i;
    E->tm.comm += w - m - i;
}

/* ---- transport: MPI at P > 1, the mailbox at P = 1 ---------------------- */

void engine_comm_probe(MPI_Comm comm, int src, int tag, MPI_Status *st) {
    int flag = 0;
    long ns = 0;
    for (int spins = 0;; spins++) {
        MPI_Iprobe(src, tag, comm, &flag, st);
        if (flag) return;
        if (spins < 64) continue; /* short waits: spin as MPI_Probe would */
        ns = ns ? (ns * 2 > 500000 ? 500000 : ns * 2) : 20000;
        struct timespec ts = {0, ns};
        nanosleep(&ts, NULL);
    }
}


/* The rank of island i. */
int engine_comm_isl_rank(const eng *E, int i) { return E->size > 1 ? i + 1 : 0; }

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
    MPI_Send(buf, len, MPI_BYTE, to, tag, E->comm);
    t = hw_now_s() - t;
    E->tm.comm += t, E->tm.send_s += t, E->tm.nsend++, E->tm.bsend += len;
}

/* Receives the next `tag` message from src (MPI_ANY_SOURCE allowed) into
 * *buf (malloc'd); returns its source. *wait: seconds blocked until it was
 * there, for the caller to attribute; the transfer is communication. */
int engine_comm_recv(eng *E, int src, int tag, uint8_t **buf, int *len, double *wait) {
    *wait = 0;
    if (E->size == 1) {
        int k = tag - ENGINE_TAG_FIRST;
        HW_ASSERT(k >= 0 && k < NTAGS && E->box[k]);
        *buf = E->box[k], *len = E->boxlen[k];
        E->box[k] = NULL;
        return 0;
    }
    MPI_Status st;
    double t = hw_now_s();
    engine_comm_probe(E->comm, src, tag, &st);
    double t1 = hw_now_s();
    *wait = t1 - t;
    MPI_Get_count(&st, MPI_BYTE, len);
    *buf = hw_malloc((size_t)(*len > 0 ? *len : 1));
    MPI_Recv(*buf, *len, MPI_BYTE, st.MPI_SOURCE, tag, E->comm, MPI_STATUS_IGNORE);
    t = hw_now_s() - t1;
    E->tm.comm += t, E->tm.recv_s += t, E->tm.nrecv++, E->tm.brecv += *len;
    return st.MPI_SOURCE;
}

void engine_comm_bcast(eng *E, uint8_t *buf, int len) {
    double t = hw_now_s();
    MPI_Bcast(buf, len, MPI_BYTE, 0, E->comm);
    t = hw_now_s() - t;
    E->tm.comm += t;
    if (E->disp) E->tm.send_s += t, E->tm.nsend++, E->tm.bsend += len;
    else E->tm.recv_s += t, E->tm.nrecv++, E->tm.brecv += len;
}

/* Waits for an MPI_Isend (timed). */
void engine_comm_wait(eng *E, MPI_Request *r) {
    double t = hw_now_s();
    MPI_Wait(r, MPI_STATUS_IGNORE);
    E->tm.comm += hw_now_s() - t;
}

/* Every rank's time split, gathered to rank 0 and summed per role. */
enum { T_WALL, T_COMM, T_MEAS, T_IDLE, T_NSEND, T_NRECV, T_SEND, T_RECV, T_BSEND, T_BRECV, T_N };
void engine_comm_gather(eng *E) {
    double mine[T_N] = {hw_now_s() - E->t0, E->tm.comm, E->tm.meas, E->tm.idle, (double)E->tm.nsend,
                        (double)E->tm.nrecv, E->tm.send_s, E->tm.recv_s, E->tm.bsend, E->tm.brecv};
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
