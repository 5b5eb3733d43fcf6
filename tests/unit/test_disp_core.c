/* test_disp_core: the dispatcher against scripted fake boards (raw CURVE
 * DEALER sockets in this process, speaking proto.h) on 127.0.0.1 with a
 * random port: priorities, routing by device, deduplication, retries on
 * another board, dead-board detection with late answers dropped, give-up
 * after max attempts, cancel, listing unfinished jobs, garbage frames,
 * and CURVE/ZAP refusal of unknown keys and wrong server keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <zmq.h>

#include "disp.h"
#include "hw_err.h"
#include "jkeys.h"
#include "proto.h"

typedef struct env {
    void *ctx;
    jkey dpub, dsec;        /* dispatcher */
    jkey bpub[4], bsec[4];  /* allowed boards */
    jkey xpub, xsec;        /* not allowed */
    disp *d;
    disp_result res[512];
    int nres;
} env;

typedef struct fboard {
    void *s;
} fboard;

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

static void quiet_log(void *ud, const char *line) {
    (void)ud;
    (void)line;
}

static void env_start(env *e, int dead_ms, int max_attempts, int job_timeout_ms) {
    memset(e, 0, sizeof *e);
    e->ctx = zmq_ctx_new();
    assert_int_equal(jkeys_generate(&e->dpub, &e->dsec), 0);
    for (int i = 0; i < 4; i++) assert_int_equal(jkeys_generate(&e->bpub[i], &e->bsec[i]), 0);
    assert_int_equal(jkeys_generate(&e->xpub, &e->xsec), 0);
    disp_options o;
    disp_options_default(&o);
    o.endpoint = "tcp://127.0.0.1:*";
    o.public_key = e->dpub;
    o.secret_key = e->dsec;
    o.allow = e->bpub;
    o.n_allow = 4;
    o.heartbeat_ms = 50;
    o.dead_ms = dead_ms;
    o.max_attempts = max_attempts;
    o.backoff_ms = 10;
    o.job_timeout_ms = job_timeout_ms;
    o.log = quiet_log;
    assert_int_equal(disp_create(&o, &e->d), 0);
    assert_true(strncmp(disp_endpoint(e->d), "tcp://127.0.0.1:", 16) == 0);
}

static void env_stop(env *e) {
    disp_free(e->d);
    zmq_ctx_term(e->ctx);
}

static void fb_open(env *e, fboard *b, const char *rid, const jkey *srv, const jkey *pub, const jkey *sec) {
    b->s = zmq_socket(e->ctx, ZMQ_DEALER);
    int zero = 0, one = 1;
    zmq_setsockopt(b->s, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(b->s, ZMQ_IMMEDIATE, &one, sizeof one);
    zmq_setsockopt(b->s, ZMQ_ROUTING_ID, rid, strlen(rid));
    zmq_setsockopt(b->s, ZMQ_CURVE_SERVERKEY, srv->z85, 40);
    zmq_setsockopt(b->s, ZMQ_CURVE_PUBLICKEY, pub->z85, 40);
    zmq_setsockopt(b->s, ZMQ_CURVE_SECRETKEY, sec->z85, 40);
    assert_int_equal(zmq_connect(b->s, disp_endpoint(e->d)), 0);
}

static void fb_close(fboard *b) {
    zmq_close(b->s);
    b->s = NULL;
}

/* Runs the dispatcher for ms milliseconds, collecting results. */
static void pump(env *e, double ms) {
    double t0 = now_ms();
    do {
        int n;
        assert_int_equal(disp_poll(e->d, 5, e->res + e->nres, 512 - e->nres, &n), 0);
        e->nres += n;
    } while (now_ms() - t0 < ms);
}

/* Sends raw bytes, retrying while the connection is not up yet. */
static int fb_send_raw(env *e, fboard *b, const void *p, size_t n, int flags) {
    double t0 = now_ms();
    while (now_ms() - t0 < 3000) {
        if (zmq_send(b->s, p, n, ZMQ_DONTWAIT | flags) >= 0) return 0;
        pump(e, 5);
    }
    return -1;
}

static void fb_send(env *e, fboard *b, const proto_msg *m) {
    uint8_t buf[PROTO_MAX_MSG];
    size_t n;
    assert_int_equal(proto_encode(m, buf, sizeof buf, &n), 0);
    assert_int_equal(fb_send_raw(e, b, buf, n, 0), 0);
}

/* Waits (pumping the dispatcher) for the next message of type want
 * (others, e.g. heartbeats, are skipped); 0 if none within ms. */
static int fb_wait(env *e, fboard *b, int want, proto_msg *out, double ms) {
    double t0 = now_ms();
    while (now_ms() - t0 < ms) {
        uint8_t buf[PROTO_MAX_MSG];
        int n;
        while ((n = zmq_recv(b->s, buf, sizeof buf, ZMQ_DONTWAIT)) >= 0) {
            assert_int_equal(proto_decode(buf, (size_t)n, 0, out), 0);
            if (out->type == want) return 1;
        }
        pump(e, 2);
    }
    return 0;
}

static void hello(env *e, fboard *b, const char *id, const char *device) {
    proto_msg m;
    proto_init(&m, PROTO_HELLO);
    snprintf(m.board_id, sizeof m.board_id, "%s", id);
    snprintf(m.device, sizeof m.device, "%s", device);
    snprintf(m.runner, sizeof m.runner, "fake");
    fb_send(e, b, &m);
    assert_true(fb_wait(e, b, PROTO_WELCOME, &m, 3000));
}

static void answer(env *e, fboard *b, const proto_msg *job, int status, double ms) {
    proto_msg r;
    proto_init(&r, PROTO_RESULT);
    r.job_id = job->job_id;
    r.attempt = job->attempt;
    r.status = status;
    snprintf(r.runner, sizeof r.runner, "fake");
    r.repetitions = 3;
    r.warmup = 1;
    r.t_start = 100;
    r.t_end = 101;
    r.median_ms = r.mean_ms = r.min_ms = ms;
    if (status != PROTO_ST_OK) snprintf(r.error, sizeof r.error, "scripted %s", proto_status_name(status));
    fb_send(e, b, &r);
}

static void beat(env *e, fboard *b, const proto_msg *job, int holding) {
    proto_msg m;
    proto_init(&m, PROTO_HEARTBEAT);
    m.from_board = 1;
    if (job) {
        m.job_id = job->job_id;
        m.attempt = job->attempt;
    }
    m.holding = holding;
    fb_send(e, b, &m);
}

static const disp_result *find_result(const env *e, uint64_t id, int *count) {
    const disp_result *r = NULL;
    *count = 0;
    for (int i = 0; i < e->nres; i++)
        if (e->res[i].job_id == id) {
            r = &e->res[i];
            (*count)++;
        }
    return r;
}

static void test_priority_routing_dedup(void **st) {
    (void)st;
    env e;
    env_start(&e, 2000, 3, 0);
    uint64_t a, b, c, a2, a3;
    assert_int_equal(disp_submit(e.d, "tx2", "arch-A", 0, 0, &a), 0);
    assert_int_equal(disp_submit(e.d, "tx2", "arch-B", 5, 0, &b), 0);
    assert_int_equal(disp_submit(e.d, "cpu", "arch-A", 0, 0, &c), 0); /* other device: not a dup */
    assert_int_equal(disp_submit(e.d, "tx2", "arch-A", 9, 0, &a2), 1);
    assert_true(a2 == a);
    assert_int_equal(disp_submit(e.d, "tx2", "arch-A", 0, 1, &a3), 0); /* repeat asked for */
    assert_true(a3 != a);
    assert_int_equal(disp_submit(e.d, "tx2", "", 0, 0, &a3), -1);
    assert_int_equal(disp_cancel(e.d, a3), 0); /* a3 still the repeat job */

    fboard t, u;
    fb_open(&e, &t, "tx2-1", &e.dpub, &e.bpub[0], &e.bsec[0]);
    fb_open(&e, &u, "cpu-1", &e.dpub, &e.bpub[1], &e.bsec[1]);
    hello(&e, &t, "tx2-1", "tx2");
    hello(&e, &u, "cpu-1", "cpu");
    proto_msg j1, j2, jc;
    assert_true(fb_wait(&e, &t, PROTO_JOB, &j1, 3000));
    assert_true(j1.job_id == b); /* priority 5 first */
    assert_string_equal(j1.arch, "arch-B");
    assert_true(fb_wait(&e, &u, PROTO_JOB, &jc, 3000));
    assert_true(jc.job_id == c);
    /* one job per board: no second JOB before the answer */
    assert_false(fb_wait(&e, &t, PROTO_JOB, &j2, 200));
    answer(&e, &t, &j1, PROTO_ST_OK, 2.5);
    answer(&e, &u, &jc, PROTO_ST_FAILED, 0);
    assert_true(fb_wait(&e, &t, PROTO_JOB, &j2, 3000));
    assert_true(j2.job_id == a);
    answer(&e, &t, &j2, PROTO_ST_OK, 1.5);
    /* the cancelled repeat job is never sent */
    assert_false(fb_wait(&e, &t, PROTO_JOB, &j2, 300));
    int n;
    const disp_result *rb = find_result(&e, b, &n);
    assert_int_equal(n, 1);
    assert_int_equal(rb->status, DISP_OK);
    assert_true(rb->median_ms == 2.5);
    assert_string_equal(rb->board_id, "tx2-1");
    assert_string_equal(rb->device, "tx2");
    assert_int_equal(rb->repetitions, 3);
    assert_int_equal(rb->warmup, 1);
    const disp_result *rc = find_result(&e, c, &n);
    assert_int_equal(n, 1);
    assert_int_equal(rc->status, DISP_FAILED);
    assert_int_equal(rc->attempts, 1);
    find_result(&e, a, &n);
    assert_int_equal(n, 1);
    assert_int_equal(e.nres, 3);
    /* answered (ok) and answered (failed) archs stay deduplicated */
    assert_int_equal(disp_submit(e.d, "tx2", "arch-B", 0, 0, &a2), 1);
    assert_int_equal(disp_submit(e.d, "cpu", "arch-A", 0, 0, &a2), 1);
    assert_int_equal(disp_cancel(e.d, b), 1);
    disp_stats s;
    disp_stats_get(e.d, &s);
    assert_int_equal(s.done_ok, 2);
    assert_int_equal(s.done_failed, 1);
    assert_int_equal(s.cancelled, 1);
    assert_int_equal(s.pending + s.in_flight, 0);
    assert_int_equal(s.boards_live, 2);
    assert_int_equal(disp_boards_live(e.d, "tx2"), 1);
    fb_close(&t);
    fb_close(&u);
    env_stop(&e);
}

static void test_retry_on_other_board_and_give_up(void **st) {
    (void)st;
    env e;
    env_start(&e, 2000, 2, 0);
    fboard b1, b2;
    fb_open(&e, &b1, "b1", &e.dpub, &e.bpub[0], &e.bsec[0]);
    hello(&e, &b1, "b1", "tx2");
    fb_open(&e, &b2, "b2", &e.dpub, &e.bpub[1], &e.bsec[1]);
    hello(&e, &b2, "b2", "tx2");
    uint64_t id, id2;
    assert_int_equal(disp_submit(e.d, "tx2", "x", 0, 0, &id), 0);
    proto_msg j, k;
    /* whichever board got it errors; the retry must go to the other one */
    fboard *first = NULL, *other = NULL;
    double t0 = now_ms();
    while (!first && now_ms() - t0 < 3000) {
        if (fb_wait(&e, &b1, PROTO_JOB, &j, 20)) first = &b1, other = &b2;
        else if (fb_wait(&e, &b2, PROTO_JOB, &j, 20)) first = &b2, other = &b1;
    }
    assert_non_null(first);
    answer(&e, first, &j, PROTO_ST_ERROR, 0);
    assert_true(fb_wait(&e, other, PROTO_JOB, &k, 3000));
    assert_true(k.job_id == id && k.attempt == j.attempt + 1);
    answer(&e, other, &k, PROTO_ST_ERROR, 0); /* 2nd error: max_attempts 2 -> give up */
    pump(&e, 100);
    int n;
    const disp_result *r = find_result(&e, id, &n);
    assert_int_equal(n, 1);
    assert_int_equal(r->status, DISP_ERROR);
    assert_int_equal(r->attempts, 2);
    assert_non_null(strstr(r->error, "gave up after 2 attempts"));
    /* a job that gave up does not block a new submission */
    assert_int_equal(disp_submit(e.d, "tx2", "x", 0, 0, &id2), 0);
    assert_true(id2 != id);
    disp_stats s;
    disp_stats_get(e.d, &s);
    assert_int_equal(s.retries, 1);
    assert_int_equal(s.done_error, 1);
    fb_close(&b1);
    fb_close(&b2);
    env_stop(&e);
}

static void test_dead_board_requeue_and_late_answer(void **st) {
    (void)st;
    env e;
    env_start(&e, 300, 3, 0);
    fboard b1, b2;
    fb_open(&e, &b1, "b1", &e.dpub, &e.bpub[0], &e.bsec[0]);
    hello(&e, &b1, "b1", "tx2");
    uint64_t id;
    assert_int_equal(disp_submit(e.d, "tx2", "slow-arch", 0, 0, &id), 0);
    proto_msg j, k, m;
    assert_true(fb_wait(&e, &b1, PROTO_JOB, &j, 3000));
    fb_open(&e, &b2, "b2", &e.dpub, &e.bpub[1], &e.bsec[1]);
    hello(&e, &b2, "b2", "tx2");
    /* b1 now stays silent; b2 keeps beating. Measure detection time. */
    double t0 = now_ms(), detected = -1;
    while (now_ms() - t0 < 3000) {
        beat(&e, &b2, NULL, 0);
        if (fb_wait(&e, &b2, PROTO_JOB, &k, 40)) {
            detected = now_ms() - t0;
            break;
        }
    }
    assert_true(detected > 0);
    assert_true(detected < 300 + 400); /* dead_ms + heartbeat slack + backoff */
    assert_true(k.job_id == id);
    /* the "dead" board wakes up and answers: dropped, told to say hello */
    answer(&e, &b1, &j, PROTO_ST_OK, 9.0);
    assert_true(fb_wait(&e, &b1, PROTO_WHO, &m, 3000));
    answer(&e, &b2, &k, PROTO_ST_OK, 4.0);
    pump(&e, 100);
    int n;
    const disp_result *r = find_result(&e, id, &n);
    assert_int_equal(n, 1);
    assert_true(r->median_ms == 4.0);
    assert_string_equal(r->board_id, "b2");
    assert_int_equal(r->attempts, 2);
    /* b1 rejoins */
    hello(&e, &b1, "b1", "tx2");
    disp_stats s;
    disp_stats_get(e.d, &s);
    assert_int_equal(s.boards_dead, 1);
    assert_int_equal(s.boards_live, 2);
    assert_true(s.late_results >= 1);
    fb_close(&b1);
    fb_close(&b2);
    env_stop(&e);
}

static void test_lost_answer_and_timeout(void **st) {
    (void)st;
    env e;
    env_start(&e, 2000, 3, 400);
    fboard b1;
    fb_open(&e, &b1, "b1", &e.dpub, &e.bpub[0], &e.bsec[0]);
    hello(&e, &b1, "b1", "tx2");
    uint64_t id, id2;
    assert_int_equal(disp_submit(e.d, "tx2", "a1", 0, 0, &id), 0);
    proto_msg j, k;
    assert_true(fb_wait(&e, &b1, PROTO_JOB, &j, 3000));
    /* heartbeat says: got that job, no longer holding it, yet no answer came */
    beat(&e, &b1, &j, 0);
    assert_true(fb_wait(&e, &b1, PROTO_JOB, &k, 3000));
    assert_true(k.job_id == id && k.attempt == j.attempt + 1);
    /* now hold it past the 400 ms job timeout while heartbeating */
    double t0 = now_ms();
    while (now_ms() - t0 < 700) {
        beat(&e, &b1, &k, 1);
        pump(&e, 50);
    }
    assert_int_equal(disp_submit(e.d, "tx2", "a2", 0, 0, &id2), 0);
    /* the timed-out board stays busy (no JOB) until it answers */
    proto_msg x;
    assert_false(fb_wait(&e, &b1, PROTO_JOB, &x, 200));
    answer(&e, &b1, &k, PROTO_ST_OK, 1.0); /* late: dropped */
    assert_true(fb_wait(&e, &b1, PROTO_JOB, &x, 3000));
    int n;
    find_result(&e, id, &n);
    assert_int_equal(n, 0); /* neither late answer was accepted */
    disp_stats s;
    disp_stats_get(e.d, &s);
    assert_int_equal(s.retries, 2);
    assert_true(s.late_results >= 1);
    fb_close(&b1);
    env_stop(&e);
}

static void test_cancel_list_and_poll_timeout(void **st) {
    (void)st;
    env e;
    env_start(&e, 2000, 3, 0);
    uint64_t ids[5];
    char arch[16];
    for (int i = 0; i < 5; i++) {
        snprintf(arch, sizeof arch, "c%d", i);
        assert_int_equal(disp_submit(e.d, "tx2", arch, i, 0, &ids[i]), 0);
    }
    assert_int_equal(disp_cancel(e.d, ids[1]), 0);
    assert_int_equal(disp_cancel(e.d, 999), -1);
    /* timeout 0 must not block */
    double t0 = now_ms();
    int n;
    for (int i = 0; i < 100; i++) assert_int_equal(disp_poll(e.d, 0, e.res, 512, &n), 0);
    assert_true(now_ms() - t0 < 200);
    fboard b1;
    fb_open(&e, &b1, "b1", &e.dpub, &e.bpub[0], &e.bsec[0]);
    hello(&e, &b1, "b1", "tx2");
    proto_msg j;
    assert_true(fb_wait(&e, &b1, PROTO_JOB, &j, 3000));
    assert_true(j.job_id == ids[4]);
    disp_job_info *v;
    assert_int_equal(disp_list_unfinished(e.d, &v, &n), 0);
    assert_int_equal(n, 4); /* 0, 2, 3 pending + 4 in flight */
    int inflight = 0;
    for (int i = 0; i < n; i++) inflight += v[i].in_flight;
    assert_int_equal(inflight, 1);
    assert_string_equal(v[0].arch, "c0");
    assert_string_equal(v[0].device, "tx2");
    free(v);
    /* cancel the in-flight job: its answer is dropped, the board goes on */
    assert_int_equal(disp_cancel(e.d, ids[4]), 0);
    answer(&e, &b1, &j, PROTO_ST_OK, 1.0);
    assert_true(fb_wait(&e, &b1, PROTO_JOB, &j, 3000));
    assert_true(j.job_id == ids[3]);
    find_result(&e, ids[4], &n);
    assert_int_equal(n, 0);
    fb_close(&b1);
    env_stop(&e);
}

static void test_garbage_frames(void **st) {
    (void)st;
    env e;
    env_start(&e, 2000, 3, 0);
    fboard b1;
    fb_open(&e, &b1, "b1", &e.dpub, &e.bpub[0], &e.bsec[0]);
    uint8_t big[PROTO_MAX_MSG + 100];
    memset(big, 'H', sizeof big);
    assert_int_equal(fb_send_raw(&e, &b1, "xx", 2, 0), 0);
    assert_int_equal(fb_send_raw(&e, &b1, "HJ\x01\x63garbage", 11, 0), 0);
    assert_int_equal(fb_send_raw(&e, &b1, "HJ\x02\x05", 4, 0), 0);
    assert_int_equal(fb_send_raw(&e, &b1, big, sizeof big, 0), 0);
    assert_int_equal(fb_send_raw(&e, &b1, "HJ\x01\x05", 4, ZMQ_SNDMORE), 0); /* two frames */
    assert_int_equal(fb_send_raw(&e, &b1, "more", 4, 0), 0);
    assert_int_equal(fb_send_raw(&e, &b1, "HJ\x01\x03", 4, 0), 0); /* JOB from a board */
    assert_int_equal(fb_send_raw(&e, &b1, "", 0, 0), 0);
    pump(&e, 200);
    disp_stats s;
    disp_stats_get(e.d, &s);
    assert_int_equal(s.msgs_dropped, 7);
    /* the dispatcher still serves the same peer */
    hello(&e, &b1, "b1", "tx2");
    uint64_t id;
    assert_int_equal(disp_submit(e.d, "tx2", "ok-arch", 0, 0, &id), 0);
    proto_msg j;
    assert_true(fb_wait(&e, &b1, PROTO_JOB, &j, 3000));
    answer(&e, &b1, &j, PROTO_ST_OK, 3.0);
    pump(&e, 100);
    int n;
    find_result(&e, id, &n);
    assert_int_equal(n, 1);
    fb_close(&b1);
    env_stop(&e);
}

static void test_curve_refusals(void **st) {
    (void)st;
    env e;
    env_start(&e, 2000, 3, 0);
    fboard x, w, ok;
    /* unknown board key: ZAP refuses it */
    fb_open(&e, &x, "intruder", &e.dpub, &e.xpub, &e.xsec);
    /* right board key, wrong dispatcher key: the handshake cannot complete */
    fb_open(&e, &w, "confused", &e.xpub, &e.bpub[2], &e.bsec[2]);
    proto_msg m;
    proto_init(&m, PROTO_HELLO);
    snprintf(m.board_id, sizeof m.board_id, "bad");
    snprintf(m.device, sizeof m.device, "tx2");
    snprintf(m.runner, sizeof m.runner, "fake");
    uint8_t buf[PROTO_MAX_MSG];
    size_t n;
    assert_int_equal(proto_encode(&m, buf, sizeof buf, &n), 0);
    /* with ZMQ_IMMEDIATE a send only succeeds once a connection completed
     * its handshake: neither socket ever gets one */
    double t0 = now_ms();
    int sent_x = 0, sent_w = 0;
    while (now_ms() - t0 < 1500) {
        sent_x += zmq_send(x.s, buf, n, ZMQ_DONTWAIT) >= 0;
        sent_w += zmq_send(w.s, buf, n, ZMQ_DONTWAIT) >= 0;
        pump(&e, 20);
    }
    assert_int_equal(sent_x, 0);
    assert_int_equal(sent_w, 0);
    assert_int_equal(disp_boards_live(e.d, NULL), 0);
    disp_stats s;
    disp_stats_get(e.d, &s);
    assert_true(s.keys_refused >= 1);
    assert_int_equal(s.msgs_in, 0);
    /* an allowed board still gets in */
    fb_open(&e, &ok, "good", &e.dpub, &e.bpub[3], &e.bsec[3]);
    hello(&e, &ok, "good", "tx2");
    assert_int_equal(disp_boards_live(e.d, "tx2"), 1);
    fb_close(&x);
    fb_close(&w);
    fb_close(&ok);
    env_stop(&e);
}

static void test_create_errors(void **st) {
    (void)st;
    disp_options o;
    disp_options_default(&o);
    disp *d;
    o.endpoint = "tcp://127.0.0.1:*";
    assert_int_equal(disp_create(&o, &d), -1); /* no keys */
    jkey pub, sec;
    assert_int_equal(jkeys_generate(&pub, &sec), 0);
    o.public_key = pub;
    o.secret_key = sec;
    assert_int_equal(disp_create(&o, &d), -1); /* empty allow-list */
    o.allow = &pub;
    o.n_allow = 1;
    o.endpoint = "bogus://x";
    assert_int_equal(disp_create(&o, &d), -1);
    assert_non_null(strstr(hw_errmsg(), "cannot bind"));
    o.endpoint = "tcp://127.0.0.1:*";
    o.dead_ms = o.heartbeat_ms;
    assert_int_equal(disp_create(&o, &d), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_priority_routing_dedup),
        cmocka_unit_test(test_retry_on_other_board_and_give_up),
        cmocka_unit_test(test_dead_board_requeue_and_late_answer),
        cmocka_unit_test(test_lost_answer_and_timeout),
        cmocka_unit_test(test_cancel_list_and_poll_timeout),
        cmocka_unit_test(test_garbage_frames),
        cmocka_unit_test(test_curve_refusals),
        cmocka_unit_test(test_create_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
