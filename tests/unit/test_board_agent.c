/* test_board_agent: the real board agent (board_run on a thread, replay
 * runner) against a scripted fake dispatcher (a CURVE ROUTER socket in the
 * test): HELLO/WELCOME, garbage and oversized frames are dropped while the
 * agent keeps serving, a JOB while busy is refused, WHO triggers a new
 * HELLO, heartbeats report the held job, a silent dispatcher makes the
 * agent reconnect, and stop hands the running job back and says BYE. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <zmq.h>

#include "board.h"
#include "hw_err.h"
#include "jkeys.h"
#include "proto.h"

typedef struct fake {
    void *ctx, *router;
    char endpoint[256];
    uint8_t rid[256];
    size_t rid_len;
    board_config cfg;
    runner *run;
    atomic_int stop;
    pthread_t th;
    int rc;
} fake;

static char tmpdir[256];

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

static void *board_thread(void *arg) {
    fake *f = arg;
    f->rc = board_run(&f->cfg, f->run, &f->stop);
    return NULL;
}

static void start(fake *f, int dispatcher_timeout_ms) {
    memset(f, 0, sizeof *f);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/hwnas-test-agent-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    jkey dpub, dsec, bpub, bsec;
    assert_int_equal(jkeys_generate(&dpub, &dsec), 0);
    assert_int_equal(jkeys_generate(&bpub, &bsec), 0);
    char path[512];
    snprintf(path, sizeof path, "%s/b", tmpdir);
    assert_int_equal(jkeys_write_pair(path, &bpub, &bsec, 0), 0);
    f->ctx = zmq_ctx_new();
    f->router = zmq_socket(f->ctx, ZMQ_ROUTER);
    int one = 1, zero = 0;
    zmq_setsockopt(f->router, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(f->router, ZMQ_CURVE_SERVER, &one, sizeof one);
    zmq_setsockopt(f->router, ZMQ_CURVE_SECRETKEY, dsec.z85, 40);
    assert_int_equal(zmq_bind(f->router, "tcp://127.0.0.1:*"), 0);
    size_t el = sizeof f->endpoint;
    zmq_getsockopt(f->router, ZMQ_LAST_ENDPOINT, f->endpoint, &el);

    snprintf(path, sizeof path, "%s/t.csv", tmpdir);
    FILE *t = fopen(path, "w");
    fputs("arch_str,lat\nfast,1.25\nslow,2.5\n", t);
    fclose(t);
    board_config_default(&f->cfg);
    snprintf(f->cfg.id, sizeof f->cfg.id, "agent-1");
    snprintf(f->cfg.device, sizeof f->cfg.device, "tx2");
    board_config_set(&f->cfg.dispatcher, f->endpoint);
    board_config_set(&f->cfg.dispatcher_key_spec, dpub.z85);
    snprintf(path, sizeof path, "%s/b.key", tmpdir);
    board_config_set(&f->cfg.key_path, path);
    f->cfg.heartbeat_ms = 50;
    f->cfg.dispatcher_timeout_ms = dispatcher_timeout_ms;
    f->cfg.quiet = 1;
    f->cfg.runner.kind = RUNNER_REPLAY;
    snprintf(path, sizeof path, "%s/t.csv", tmpdir);
    f->cfg.runner.table = hw_strdup(path);
    f->cfg.runner.value_column = hw_strdup("lat");
    f->cfg.runner.key_column = hw_strdup("arch_str");
    f->cfg.runner.delay_ms = 300;
    assert_int_equal(board_config_finish(&f->cfg), 0);
    assert_int_equal(runner_create(&f->cfg.runner, &f->run), 0);
    atomic_init(&f->stop, 0);
    assert_int_equal(pthread_create(&f->th, NULL, board_thread, f), 0);
}

static void finish(fake *f, int joined) {
    atomic_store(&f->stop, 1);
    if (!joined) pthread_join(f->th, NULL);
    runner_free(f->run);
    board_config_clear(&f->cfg);
    zmq_close(f->router);
    zmq_ctx_term(f->ctx);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    assert_int_equal(system(cmd), 0);
}

/* Next message of type want from the board (others skipped). */
static int expect(fake *f, int want, proto_msg *m, double ms) {
    double t0 = now_ms();
    while (now_ms() - t0 < ms) {
        zmq_pollitem_t it = {f->router, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&it, 1, 10) <= 0) continue;
        uint8_t buf[PROTO_MAX_MSG];
        int r = zmq_recv(f->router, f->rid, sizeof f->rid, 0);
        assert_true(r > 0);
        f->rid_len = (size_t)r;
        int n = zmq_recv(f->router, buf, sizeof buf, 0);
        assert_true(n >= 0);
        assert_int_equal(proto_decode(buf, (size_t)n, 1, m), 0);
        if (m->type == want) return 1;
    }
    return 0;
}

static void send_raw(fake *f, const void *p, size_t n, int more) {
    assert_true(zmq_send(f->router, f->rid, f->rid_len, ZMQ_SNDMORE) >= 0);
    assert_true(zmq_send(f->router, p, n, more ? ZMQ_SNDMORE : 0) >= 0);
}

static void send_msg(fake *f, const proto_msg *m) {
    uint8_t buf[PROTO_MAX_MSG];
    size_t n;
    assert_int_equal(proto_encode(m, buf, sizeof buf, &n), 0);
    send_raw(f, buf, n, 0);
}

static void send_job(fake *f, uint64_t id, const char *arch) {
    proto_msg j;
    proto_init(&j, PROTO_JOB);
    j.job_id = id;
    j.attempt = 1;
    snprintf(j.arch, sizeof j.arch, "%s", arch);
    send_msg(f, &j);
}

static void test_agent_protocol(void **st) {
    (void)st;
    fake f;
    start(&f, 5000);
    proto_msg m;
    assert_true(expect(&f, PROTO_HELLO, &m, 5000));
    assert_string_equal(m.board_id, "agent-1");
    assert_string_equal(m.device, "tx2");
    assert_string_equal(m.runner, "replay");
    assert_true(m.job_id == 0);
    proto_init(&m, PROTO_WELCOME);
    send_msg(&f, &m);
    /* garbage the agent must drop without dying */
    uint8_t big[PROTO_MAX_MSG + 50];
    memset(big, 0x41, sizeof big);
    send_raw(&f, "zz", 2, 0);
    send_raw(&f, "HJ\x01\x03\x00", 5, 0);
    send_raw(&f, big, sizeof big, 0);
    send_raw(&f, "HJ\x01\x02", 4, 1);
    send_raw(&f, "HJ\x01\x02", 4, 0);
    send_raw(&f, "HJ\x01\x01", 4, 0); /* HELLO from a dispatcher: wrong direction/truncated */
    /* a real job still works */
    send_job(&f, 11, "fast");
    /* while busy, a second job is refused with an error answer */
    send_job(&f, 12, "slow");
    assert_true(expect(&f, PROTO_RESULT, &m, 3000));
    assert_true(m.job_id == 12);
    assert_int_equal(m.status, PROTO_ST_ERROR);
    assert_non_null(strstr(m.error, "busy"));
    /* the busy board's heartbeat names job 11 as held */
    assert_true(expect(&f, PROTO_HEARTBEAT, &m, 3000));
    assert_true(m.job_id == 11 && m.holding == 1);
    assert_true(expect(&f, PROTO_RESULT, &m, 3000));
    assert_true(m.job_id == 11);
    assert_int_equal(m.status, PROTO_ST_OK);
    assert_true(m.median_ms == 1.25);
    assert_string_equal(m.runner, "replay");
    assert_true(m.t_end - m.t_start >= 0.29);
    assert_true(expect(&f, PROTO_HEARTBEAT, &m, 3000));
    assert_true(m.job_id == 11 && m.holding == 0);
    /* WHO -> a new HELLO */
    proto_init(&m, PROTO_WHO);
    send_msg(&f, &m);
    assert_true(expect(&f, PROTO_HELLO, &m, 3000));
    /* stop during a job: the job comes back as RETURNED, then BYE */
    send_job(&f, 13, "slow");
    usleep(50000);
    atomic_store(&f.stop, 1);
    assert_true(expect(&f, PROTO_RESULT, &m, 3000));
    assert_true(m.job_id == 13);
    assert_int_equal(m.status, PROTO_ST_RETURNED);
    assert_true(expect(&f, PROTO_BYE, &m, 3000));
    pthread_join(f.th, NULL);
    assert_int_equal(f.rc, 0);
    finish(&f, 1);
}

static void test_agent_reconnects_when_dispatcher_silent(void **st) {
    (void)st;
    fake f;
    start(&f, 400);
    proto_msg m;
    assert_true(expect(&f, PROTO_HELLO, &m, 5000));
    double t0 = now_ms();
    /* never answer: after ~400 ms the agent opens a new socket and says HELLO again */
    assert_true(expect(&f, PROTO_HELLO, &m, 3000));
    double dt = now_ms() - t0;
    assert_true(dt > 300 && dt < 2000);
    proto_init(&m, PROTO_WELCOME);
    send_msg(&f, &m);
    send_job(&f, 5, "fast");
    assert_true(expect(&f, PROTO_RESULT, &m, 3000));
    assert_int_equal(m.status, PROTO_ST_OK);
    finish(&f, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agent_protocol),
        cmocka_unit_test(test_agent_reconnects_when_dispatcher_silent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
