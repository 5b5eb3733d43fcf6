/* board: the board agent's network loop and worker thread (see board.h). */
#include "board.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "hw_clock.h"
#include "hw_err.h"
#include "rng.h"

#define ZMQ_MSG_LIMIT 65536

typedef struct agent {
    const board_config *cfg;
    runner *run;
    void *ctx, *sock, *mon, *done_rx, *done_tx;
    char rid[PROTO_ID_MAX + 40];
    char caps[PROTO_CAPS_MAX + 1];
    int sock_gen; /* counts sockets, for monitor endpoint names */

    /* worker hand-off (mu protects job_*, has_job, quit, result) */
    pthread_t worker;
    int worker_started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int has_job, quit;
    uint64_t job_id;
    uint32_t job_attempt;
    char job_arch[PROTO_ARCH_MAX + 1];
    proto_msg result;
    atomic_int abort;

    /* main-thread state */
    int busy;          /* the worker is measuring job (last_job, last_attempt) */
    int have_unsent;   /* `unsent` is an answer not yet handed to ZeroMQ */
    proto_msg unsent;
    uint64_t last_job; /* last JOB accepted */
    uint32_t last_attempt;
    int need_hello, welcomed;
    uint64_t n_done, hs_fail, n_dropped;
} agent;

/* Logs the first 20 dropped frames, then every power of 2. */
static int drop_worthy(agent *a) {
    uint64_t c = ++a->n_dropped;
    return c <= 20 || (c & (c - 1)) == 0;
}

static void alog(const agent *a, const char *fmt, ...) HW_PRINTF(2, 3);
static void alog(const agent *a, const char *fmt, ...) {
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "hwnas: board %s: %s\n", a->cfg->id, line);
}

static void *worker_main(void *arg) {
    agent *a = arg;
    for (;;) {
        pthread_mutex_lock(&a->mu);
        while (!a->has_job && !a->quit) pthread_cond_wait(&a->cv, &a->mu);
        if (a->quit) {
            pthread_mutex_unlock(&a->mu);
            break;
        }
        uint64_t id = a->job_id;
        char arch[PROTO_ARCH_MAX + 1];
        memcpy(arch, a->job_arch, sizeof arch);
        pthread_mutex_unlock(&a->mu);

        proto_msg res;
        proto_init(&res, PROTO_RESULT);
        runner_run(a->run, id, arch, &a->abort, &res);

        pthread_mutex_lock(&a->mu);
        res.job_id = id;
        res.attempt = a->job_attempt;
        a->result = res;
        a->has_job = 0;
        pthread_mutex_unlock(&a->mu);
        zmq_send(a->done_tx, "d", 1, 0);
    }
    return NULL;
}

/* ---- socket ------------------------------------------------------------- */

static void close_sock(agent *a) {
    if (a->sock) zmq_close(a->sock);
    if (a->mon) zmq_close(a->mon);
    a->sock = a->mon = NULL;
}

/* (Re)creates the DEALER socket and its monitor and connects. */
static int open_sock(agent *a) {
    const board_config *c = a->cfg;
    close_sock(a);
    a->sock = zmq_socket(a->ctx, ZMQ_DEALER);
    if (!a->sock) return hw_fail("zmq_socket: %s", zmq_strerror(errno));
    int zero = 0, one = 1, ivl = 250, ivl_max = 5000;
    int64_t maxsz = ZMQ_MSG_LIMIT;
    if (zmq_setsockopt(a->sock, ZMQ_LINGER, &zero, sizeof zero) != 0 ||
        zmq_setsockopt(a->sock, ZMQ_IMMEDIATE, &one, sizeof one) != 0 ||
        zmq_setsockopt(a->sock, ZMQ_ROUTING_ID, a->rid, strlen(a->rid)) != 0 ||
        zmq_setsockopt(a->sock, ZMQ_CURVE_SERVERKEY, c->dispatcher_key.z85, JKEY_LEN) != 0 ||
        zmq_setsockopt(a->sock, ZMQ_CURVE_PUBLICKEY, c->pub.z85, JKEY_LEN) != 0 ||
        zmq_setsockopt(a->sock, ZMQ_CURVE_SECRETKEY, c->sec.z85, JKEY_LEN) != 0 ||
        zmq_setsockopt(a->sock, ZMQ_MAXMSGSIZE, &maxsz, sizeof maxsz) != 0 ||
        zmq_setsockopt(a->sock, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl) != 0 ||
        zmq_setsockopt(a->sock, ZMQ_RECONNECT_IVL_MAX, &ivl_max, sizeof ivl_max) != 0)
        return hw_fail("setting socket options: %s", zmq_strerror(errno));
    char mep[64];
    snprintf(mep, sizeof mep, "inproc://board-mon-%d", ++a->sock_gen);
    if (zmq_socket_monitor(a->sock, mep,
                           ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                               ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_SUCCEEDED) == 0) {
        a->mon = zmq_socket(a->ctx, ZMQ_PAIR);
        if (a->mon) {
            zmq_setsockopt(a->mon, ZMQ_LINGER, &zero, sizeof zero);
            if (zmq_connect(a->mon, mep) != 0) {
                zmq_close(a->mon);
                a->mon = NULL;
            }
        }
    }
    if (zmq_connect(a->sock, c->dispatcher) != 0)
        return hw_fail("cannot connect to '%s': %s", c->dispatcher, zmq_strerror(errno));
    a->need_hello = 1;
    a->welcomed = 0;
    return 0;
}

/* Sends m without blocking; 0 if ZeroMQ took it (-1: not connected). */
static int send_msg(agent *a, const proto_msg *m) {
    uint8_t buf[PROTO_MAX_MSG];
    size_t n;
    if (proto_encode(m, buf, sizeof buf, &n) != 0) {
        alog(a, "cannot encode %s: %s", proto_type_name(m->type), hw_errmsg());
        return 0; /* a bug-free runner never gets here; do not retry forever */
    }
    return zmq_send(a->sock, buf, n, ZMQ_DONTWAIT) == (int)n ? 0 : -1;
}

static void try_hello(agent *a) {
    proto_msg m;
    proto_init(&m, PROTO_HELLO);
    snprintf(m.board_id, sizeof m.board_id, "%s", a->cfg->id);
    snprintf(m.device, sizeof m.device, "%s", a->cfg->device);
    snprintf(m.runner, sizeof m.runner, "%s", runner_name(a->run));
    snprintf(m.caps, sizeof m.caps, "%s", a->caps);
    if (a->busy || a->have_unsent) {
        m.job_id = a->last_job;
        m.attempt = a->last_attempt;
    }
    if (send_msg(a, &m) == 0) a->need_hello = 0;
}

static void send_heartbeat(agent *a) {
    proto_msg m;
    proto_init(&m, PROTO_HEARTBEAT);
    m.from_board = 1;
    m.job_id = a->last_job;
    m.attempt = a->last_attempt;
    m.holding = a->busy || a->have_unsent;
    send_msg(a, &m);
}

static void try_send_result(agent *a) {
    if (!a->have_unsent || a->need_hello) return;
    if (send_msg(a, &a->unsent) == 0) a->have_unsent = 0;
}

/* Answers a JOB the board cannot take now. */
static void refuse_job(agent *a, const proto_msg *job, int status, const char *why) {
    proto_msg r;
    proto_init(&r, PROTO_RESULT);
    r.job_id = job->job_id;
    r.attempt = job->attempt;
    r.status = status;
    snprintf(r.runner, sizeof r.runner, "%s", runner_name(a->run));
    snprintf(r.error, sizeof r.error, "%s", why);
    double t = runner_wall_time();
    r.t_start = r.t_end = t;
    send_msg(a, &r);
}

static void on_job(agent *a, const proto_msg *m, int stopping) {
    if (a->busy || a->have_unsent) {
        refuse_job(a, m, PROTO_ST_ERROR, "board busy with another job");
        return;
    }
    if (stopping) {
        refuse_job(a, m, PROTO_ST_RETURNED, "board shutting down");
        return;
    }
    a->last_job = m->job_id;
    a->last_attempt = m->attempt;
    if (runner_instant(a->run)) { /* no time to speak of: answer inline */
        proto_init(&a->unsent, PROTO_RESULT);
        runner_run(a->run, m->job_id, m->arch, &a->abort, &a->unsent);
        a->unsent.job_id = m->job_id;
        a->unsent.attempt = m->attempt;
        a->have_unsent = 1;
        a->n_done++;
        try_send_result(a);
        return;
    }
    pthread_mutex_lock(&a->mu);
    a->job_id = m->job_id;
    a->job_attempt = m->attempt;
    memcpy(a->job_arch, m->arch, sizeof a->job_arch);
    a->has_job = 1;
    pthread_cond_signal(&a->cv);
    pthread_mutex_unlock(&a->mu);
    a->busy = 1;
    a->last_job = m->job_id;
    a->last_attempt = m->attempt;
    if (!a->cfg->quiet) alog(a, "job %llu: %s", (unsigned long long)m->job_id, m->arch);
}

static void drain_sock(agent *a, int stopping, double *last_rx) {
    uint8_t buf[PROTO_MAX_MSG + 1];
    for (;;) {
        int n = zmq_recv(a->sock, buf, sizeof buf, ZMQ_DONTWAIT);
        if (n < 0) return;
        int more = 0;
        size_t ml = sizeof more;
        zmq_getsockopt(a->sock, ZMQ_RCVMORE, &more, &ml);
        if (more) { /* multi-frame: swallow the rest, drop */
            while (more && zmq_recv(a->sock, buf, sizeof buf, 0) >= 0)
                zmq_getsockopt(a->sock, ZMQ_RCVMORE, &more, &ml);
            if (drop_worthy(a)) alog(a, "dropped a multi-frame message from the dispatcher");
            continue;
        }
        proto_msg m;
        if ((size_t)n > PROTO_MAX_MSG) {
            if (drop_worthy(a))
                alog(a, "dropped a message from the dispatcher: %d bytes exceed the %d-byte limit", n, PROTO_MAX_MSG);
            continue;
        }
        if (proto_decode(buf, (size_t)n, 0, &m) != 0) {
            if (drop_worthy(a)) alog(a, "dropped a message from the dispatcher: %s", hw_errmsg());
            continue;
        }
        *last_rx = 1e3 * hw_now_s();
        switch (m.type) {
        case PROTO_WELCOME:
            if (!a->welcomed) alog(a, "connected to dispatcher %s as device '%s'", a->cfg->dispatcher, a->cfg->device);
            a->welcomed = 1;
            break;
        case PROTO_WHO:
            a->need_hello = 1;
            break;
        case PROTO_HEARTBEAT:
            break;
        case PROTO_JOB:
            on_job(a, &m, stopping);
            break;
        default:
            if (drop_worthy(a)) alog(a, "dropped a %s message: a dispatcher must not send it", proto_type_name(m.type));
            break;
        }
    }
}

/* Logs handshake failures reported by the socket monitor. */
static void drain_monitor(agent *a) {
    if (!a->mon) return;
    for (;;) {
        uint8_t ev[16];
        int n = zmq_recv(a->mon, ev, sizeof ev, ZMQ_DONTWAIT);
        if (n < 0) return;
        char addr[256];
        int more = 0;
        size_t ml = sizeof more;
        zmq_getsockopt(a->mon, ZMQ_RCVMORE, &more, &ml);
        if (more) zmq_recv(a->mon, addr, sizeof addr, 0);
        if (n < 6) continue;
        uint16_t event = (uint16_t)(ev[0] | ev[1] << 8);
        uint32_t value = (uint32_t)ev[2] | (uint32_t)ev[3] << 8 | (uint32_t)ev[4] << 16 | (uint32_t)ev[5] << 24;
        if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) continue;
        a->hs_fail++;
        if (a->hs_fail > 20 && (a->hs_fail & (a->hs_fail - 1))) continue;
        if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
            alog(a, "dispatcher refused this board (status %u): its public key %s is not in the allow-list", value,
                 a->cfg->pub.z85);
        else
            alog(a, "CURVE handshake with %s failed (event 0x%x, value %u): wrong dispatcher_key?", a->cfg->dispatcher,
                 event, value);
    }
}

/* ---- the loop ---------------------------------------------------------- */

static int agent_loop(agent *a, const atomic_int *stop) {
    const board_config *c = a->cfg;
    if (open_sock(a) != 0) return -1;
    double now = 1e3 * hw_now_s(), last_rx = now, next_hb = now, stop_at = 0;
    int stopping = 0;
    for (;;) {
        now = 1e3 * hw_now_s();
        if (!stopping && atomic_load(stop)) {
            stopping = 1;
            stop_at = now;
            if (a->busy) {
                alog(a, "stopping: asking the runner to hand back job %llu", (unsigned long long)a->last_job);
                atomic_store(&a->abort, 1);
            } else {
                alog(a, "stopping");
            }
        }
        if (stopping && !a->busy && !a->have_unsent) break;
        /* a dispatcher that is away must not keep a stopping board forever */
        if (stopping && !a->busy && now - stop_at > (double)c->dispatcher_timeout_ms) {
            alog(a, "stopping without delivering the answer to job %llu: dispatcher unreachable",
                 (unsigned long long)a->unsent.job_id);
            break;
        }
        if (a->need_hello) try_hello(a);
        try_send_result(a);
        if (now >= next_hb) {
            send_heartbeat(a);
            next_hb = now + c->heartbeat_ms;
        }
        if (now - last_rx > (double)c->dispatcher_timeout_ms) {
            alog(a, "no word from the dispatcher for %.1f s; reconnecting", (now - last_rx) / 1e3);
            if (open_sock(a) != 0) return -1;
            last_rx = now;
        }
        zmq_pollitem_t it[3] = {{a->sock, 0, ZMQ_POLLIN, 0}, {a->done_rx, 0, ZMQ_POLLIN, 0}, {a->mon, 0, ZMQ_POLLIN, 0}};
        double wait = next_hb - now;
        if (a->need_hello || a->have_unsent) wait = wait < 20 ? wait : 20;
        if (wait > 100) wait = 100;
        if (wait < 0) wait = 0;
        if (zmq_poll(it, a->mon ? 3 : 2, (long)wait + 1) < 0) {
            if (errno == EINTR) continue;
            return hw_fail("zmq_poll: %s", zmq_strerror(errno));
        }
        if (it[1].revents & ZMQ_POLLIN) {
            char x;
            zmq_recv(a->done_rx, &x, 1, 0);
            pthread_mutex_lock(&a->mu);
            a->unsent = a->result;
            pthread_mutex_unlock(&a->mu);
            a->busy = 0;
            a->have_unsent = 1;
            a->n_done++;
            if (!c->quiet || a->unsent.status != PROTO_ST_OK)
            {
                if (a->unsent.status == PROTO_ST_OK)
                    alog(a, "job %llu: ok, median %.4f ms over %u runs", (unsigned long long)a->unsent.job_id,
                         a->unsent.median_ms, a->unsent.repetitions);
                else
                    alog(a, "job %llu: %s: %s", (unsigned long long)a->unsent.job_id,
                         proto_status_name(a->unsent.status), a->unsent.error);
            }
            try_send_result(a);
        }
        if (it[0].revents & ZMQ_POLLIN) drain_sock(a, stopping, &last_rx);
        if (a->mon && (it[2].revents & ZMQ_POLLIN)) drain_monitor(a);
    }
    if (!a->have_unsent) {
        proto_msg bye;
        proto_init(&bye, PROTO_BYE);
        send_msg(a, &bye);
        /* give ZeroMQ a moment to flush BYE */
        int linger = 500;
        zmq_setsockopt(a->sock, ZMQ_LINGER, &linger, sizeof linger);
    }
    alog(a, "stopped after %llu jobs", (unsigned long long)a->n_done);
    return 0;
}

int board_run(const board_config *c, runner *run, const atomic_int *stop) {
    agent *a = hw_calloc(1, sizeof *a);
    int rc = -1;
    a->cfg = c;
    atomic_init(&a->abort, 0);
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->cv, NULL);
    a->run = run;
    /* capabilities go on the wire: printable ASCII only */
    snprintf(a->caps, sizeof a->caps, "%s", runner_caps(a->run));
    for (char *p = a->caps; *p; p++)
        if (*p < 0x20 || *p > 0x7e) *p = '?';
    hw_rng r;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    rng_seed(&r, (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32) ^ (uint64_t)ts.tv_sec);
    snprintf(a->rid, sizeof a->rid, "%s/%08llx", c->id, (unsigned long long)(rng_next(&r) & 0xffffffffu));
    a->ctx = zmq_ctx_new();
    if (!a->ctx) {
        hw_fail("zmq_ctx_new: %s", zmq_strerror(errno));
        goto done;
    }
    a->done_rx = zmq_socket(a->ctx, ZMQ_PAIR);
    a->done_tx = zmq_socket(a->ctx, ZMQ_PAIR);
    char ep[64];
    snprintf(ep, sizeof ep, "inproc://board-done-%p", (void *)a);
    if (!a->done_rx || !a->done_tx || zmq_bind(a->done_rx, ep) != 0 || zmq_connect(a->done_tx, ep) != 0) {
        hw_fail("inproc socket: %s", zmq_strerror(errno));
        goto done;
    }
    if (pthread_create(&a->worker, NULL, worker_main, a) != 0) {
        hw_fail("cannot start the worker thread");
        goto done;
    }
    a->worker_started = 1;
    alog(a, "device '%s', runner %s (%s); dispatcher %s", c->device, runner_name(a->run), a->caps, c->dispatcher);
    rc = agent_loop(a, stop);
done:
    if (a->worker_started) {
        pthread_mutex_lock(&a->mu);
        a->quit = 1;
        atomic_store(&a->abort, 1);
        pthread_cond_signal(&a->cv);
        pthread_mutex_unlock(&a->mu);
        pthread_join(a->worker, NULL);
    }
    close_sock(a);
    int zero = 0;
    if (a->done_rx) zmq_setsockopt(a->done_rx, ZMQ_LINGER, &zero, sizeof zero), zmq_close(a->done_rx);
    if (a->done_tx) zmq_setsockopt(a->done_tx, ZMQ_LINGER, &zero, sizeof zero), zmq_close(a->done_tx);
    if (a->ctx) zmq_ctx_term(a->ctx);
    pthread_mutex_destroy(&a->mu);
    pthread_cond_destroy(&a->cv);
    free(a);
    return rc;
}
