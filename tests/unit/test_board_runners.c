/* test_board_runners: the three runners (replay, command, builtin) and the
 * board config loader, without any network. */
#include <math.h>
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

#include "board.h"
#include "csv.h"
#include "hw_err.h"
#include "runner.h"
#include "space.h"

static char tmpdir[256];

static int setup(void **st) {
    (void)st;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/hwnas-test-runners-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **st) {
    (void)st;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

static char *write_tmp(const char *name, const char *text) {
    static char path[8][512];
    static int k;
    char *p = path[k++ % 8];
    snprintf(p, 512, "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return p;
}

static void run(runner *r, const char *arch, atomic_int *abort, proto_msg *res) {
    proto_init(res, PROTO_RESULT);
    runner_run(r, 7, arch, abort, res);
}

static void test_replay(void **st) {
    (void)st;
    runner_config c;
    runner_config_default(&c);
    c.kind = RUNNER_REPLAY;
    c.table = hw_strdup(write_tmp("t.csv", "arch_str,lat\nA,1.5\nB,\nC,2.25\n"));
    c.key_column = hw_strdup("arch_str");
    c.value_column = hw_strdup("lat");
    c.delay_ms = 60;
    runner *r;
    assert_int_equal(runner_create(&c, &r), 0);
    assert_string_equal(runner_name(r), "replay");
    atomic_int ab = 0;
    proto_msg res;
    double t0 = now_ms();
    run(r, "C", &ab, &res);
    double dt = now_ms() - t0;
    assert_true(dt >= 58 && dt < 1000);
    assert_int_equal(res.status, PROTO_ST_OK);
    assert_true(res.median_ms == 2.25 && res.min_ms == 2.25 && res.std_ms == 0);
    assert_int_equal(res.repetitions, 1);
    assert_true(res.t_end - res.t_start >= 0.058);
    run(r, "B", &ab, &res); /* empty cell */
    assert_int_equal(res.status, PROTO_ST_FAILED);
    assert_non_null(strstr(res.error, "no 'lat' value"));
    run(r, "Z", &ab, &res);
    assert_int_equal(res.status, PROTO_ST_FAILED);
    assert_non_null(strstr(res.error, "not in the table"));
    atomic_store(&ab, 1);
    t0 = now_ms();
    run(r, "A", &ab, &res);
    assert_int_equal(res.status, PROTO_ST_RETURNED);
    assert_true(now_ms() - t0 < 30);
    runner_free(r);
    /* duplicate keys and missing columns are config errors */
    free(c.table);
    c.table = hw_strdup(write_tmp("dup.csv", "arch_str,lat\nA,1\nA,2\n"));
    assert_int_equal(runner_create(&c, &r), -1);
    assert_non_null(strstr(hw_errmsg(), "repeats line 2"));
    free(c.value_column);
    c.value_column = hw_strdup("nope");
    assert_int_equal(runner_create(&c, &r), -1);
    assert_non_null(strstr(hw_errmsg(), "nope"));
    runner_config_clear(&c);
}

static void test_replay_nb201_index(void **st) {
    (void)st;
    const char *data = getenv("HWNAS_DATA");
    char table[1024];
    snprintf(table, sizeof table, "%s/hw_nas_bench/hwnasbench_nb201_cifar10.csv", data ? data : "data");
    runner_config c;
    runner_config_default(&c);
    c.kind = RUNNER_REPLAY;
    c.table = hw_strdup(table);
    c.key_nb201_index = 1;
    c.value_column = hw_strdup("edgegpu_latency_ms");
    runner *r;
    assert_int_equal(runner_create(&c, &r), 0);
    csv_table *t;
    assert_int_equal(csv_read(table, &t), 0);
    atomic_int ab = 0;
    proto_msg res;
    int col = csv_col(t, "edgegpu_latency_ms"), checked = 0;
    for (int row = 0; row < csv_nrows(t); row += 997) {
        run(r, csv_str(t, row, csv_col(t, "arch_str")), &ab, &res);
        double want = csv_num(t, row, col);
        if (isnan(want)) {
            assert_int_equal(res.status, PROTO_ST_FAILED);
        } else {
            assert_int_equal(res.status, PROTO_ST_OK);
            assert_true(res.median_ms == want);
            checked++;
        }
    }
    assert_true(checked > 5);
    run(r, "|bogus~0|", &ab, &res);
    assert_int_equal(res.status, PROTO_ST_FAILED);
    csv_free(t);
    runner_free(r);
    runner_config_clear(&c);
}

static runner *make_command(const char *const *argv, int argc, const char *regex, double timeout, double scale) {
    runner_config c;
    runner_config_default(&c);
    c.kind = RUNNER_COMMAND;
    c.argc = argc;
    c.argv = hw_calloc((size_t)argc, sizeof *c.argv);
    for (int i = 0; i < argc; i++) c.argv[i] = hw_strdup(argv[i]);
    c.latency_regex = hw_strdup(regex);
    c.timeout_s = timeout;
    c.scale = scale;
    c.report_warmup = 4;
    char wd[512];
    snprintf(wd, sizeof wd, "%s/work", tmpdir);
    c.work_dir = hw_strdup(wd);
    runner *r = NULL;
    int rc = runner_create(&c, &r);
    runner_config_clear(&c);
    return rc == 0 ? r : NULL;
}

static void test_command(void **st) {
    (void)st;
    atomic_int ab = 0;
    proto_msg res;
    /* the arch string arrives as ONE argument and in {arch_file}; shell
     * metacharacters in it are data, not code */
    const char *echo[] = {"/bin/sh", "-c",
                          "printf 'got <%s>\\n' \"$1\"; cat \"$2\"; test -d \"$3\" || exit 9; "
                          "echo 'run: 1500 us'; echo 'run: 2500 us'; echo 'run: 2000 us'",
                          "sh", "{arch}", "{arch_file}", "{work}"};
    runner *r = make_command(echo, 7, "run: ([0-9.]+) us", 10, 0.001);
    assert_non_null(r);
    run(r, "L2:H128; touch /tmp/hwnas-pwned", &ab, &res);
    assert_int_equal(res.status, PROTO_ST_OK);
    assert_int_equal(res.repetitions, 3);
    assert_int_equal(res.warmup, 4);
    assert_true(fabs(res.median_ms - 2.0) < 1e-9 && fabs(res.min_ms - 1.5) < 1e-9);
    assert_true(fabs(res.mean_ms - 2.0) < 1e-9 && fabs(res.std_ms - 0.5) < 1e-9);
    assert_int_equal(access("/tmp/hwnas-pwned", F_OK), -1);
    runner_free(r);

    const char *fail[] = {"/bin/sh", "-c", "echo oops; exit 3"};
    r = make_command(fail, 3, "([0-9]+)", 10, 1);
    run(r, "x", &ab, &res);
    assert_int_equal(res.status, PROTO_ST_ERROR);
    assert_non_null(strstr(res.error, "exit status 3: oops"));
    runner_free(r);

    const char *nomatch[] = {"/bin/echo", "nothing here"};
    r = make_command(nomatch, 2, "latency ([0-9.]+)", 10, 1);
    run(r, "x", &ab, &res);
    assert_int_equal(res.status, PROTO_ST_ERROR);
    assert_non_null(strstr(res.error, "no latency"));
    runner_free(r);

    const char *missing[] = {"/nonexistent/trtexec"};
    r = make_command(missing, 1, "([0-9]+)", 10, 1);
    run(r, "x", &ab, &res);
    assert_int_equal(res.status, PROTO_ST_ERROR);
    assert_non_null(strstr(res.error, "cannot run"));
    runner_free(r);

    const char *slow[] = {"/bin/sh", "-c", "sleep 5; echo 1 ms"};
    r = make_command(slow, 3, "([0-9]+) ms", 0.3, 1);
    double t0 = now_ms();
    run(r, "x", &ab, &res);
    assert_true(now_ms() - t0 < 2000);
    assert_int_equal(res.status, PROTO_ST_ERROR);
    assert_non_null(strstr(res.error, "timed out"));
    atomic_store(&ab, 1); /* shutdown while running: handed back */
    t0 = now_ms();
    run(r, "x", &ab, &res);
    assert_int_equal(res.status, PROTO_ST_RETURNED);
    assert_true(now_ms() - t0 < 1000);
    runner_free(r);

    /* config errors */
    const char *bad[] = {"/bin/echo", "{model}"};
    assert_null(make_command(bad, 2, "([0-9]+)", 10, 1));
    assert_non_null(strstr(hw_errmsg(), "unknown placeholder"));
    assert_null(make_command(nomatch, 2, "no group", 10, 1));
    assert_non_null(strstr(hw_errmsg(), "capture group"));
    assert_null(make_command(nomatch, 2, "([0-9]", 10, 1));
}

static void test_builtin(void **st) {
    (void)st;
    runner_config c;
    runner_config_default(&c);
    c.kind = RUNNER_BUILTIN;
    bert_space_cfg *s = &c.space;
    s->n_layers = 2, s->layers[0] = 1, s->layers[1] = 4;
    s->n_hidden = 2, s->hidden[0] = 64, s->hidden[1] = 256;
    s->n_heads = 2, s->heads[0] = 2, s->heads[1] = 4;
    s->n_ffn = 2, s->ffn[0] = 128, s->ffn[1] = 1024;
    c.batch = 1;
    c.seq_len = 32;
    c.vocab = 200;
    c.warmup = 1;
    c.runs = 5;
    runner *r;
    assert_int_equal(runner_create(&c, &r), 0);
    assert_non_null(strstr(runner_caps(r), "seq=32"));
    atomic_int ab = 0;
    proto_msg small, big;
    run(r, "L1:H64:A2:F128", &ab, &small);
    assert_int_equal(small.status, PROTO_ST_OK);
    assert_int_equal(small.repetitions, 5);
    assert_int_equal(small.warmup, 1);
    assert_true(small.min_ms > 0 && small.min_ms <= small.median_ms && small.median_ms <= small.mean_ms * 5);
    run(r, "L4:H256:A4.4.2.2:F1024.1024.1024.1024", &ab, &big);
    assert_int_equal(big.status, PROTO_ST_OK);
    /* ~60x the FLOPs: must be measurably slower even on a loaded machine */
    assert_true(big.min_ms > 2 * small.min_ms);
    run(r, "L2:H512:A4.4:F128.128", &ab, &small); /* not in this board's space */
    assert_int_equal(small.status, PROTO_ST_FAILED);
    run(r, "garbage", &ab, &small);
    assert_int_equal(small.status, PROTO_ST_FAILED);
    atomic_store(&ab, 1);
    run(r, "L1:H64:A2:F128", &ab, &small);
    assert_int_equal(small.status, PROTO_ST_RETURNED);
    runner_free(r);
    runner_config_clear(&c);
}

static int load(const char *yaml, board_config *c) {
    board_config_default(c);
    return board_config_load(write_tmp("board.yaml", yaml), c);
}

static void test_board_config(void **st) {
    (void)st;
    board_config c;
    write_tmp("t.csv", "arch_str,lat\nA,1\n");
    write_tmp("disp.pub", "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\n");
    assert_int_equal(load("id: b7\ndevice: tx2\ndispatcher: tcp://127.0.0.1:1\ndispatcher_key: disp.pub\n"
                          "key: b7.key\nheartbeat_ms: 100\nrunner: replay\n"
                          "replay: {table: t.csv, value_column: lat, delay_ms: 5}\n",
                          &c),
                     0);
    assert_string_equal(c.id, "b7");
    assert_int_equal(c.heartbeat_ms, 100);
    assert_int_equal(c.runner.kind, RUNNER_REPLAY);
    assert_non_null(strstr(c.runner.table, tmpdir)); /* resolved relative to the file */
    assert_int_equal(board_config_finish(&c), -1);   /* b7.key does not exist */
    assert_non_null(strstr(hw_errmsg(), "b7.key"));
    board_config_clear(&c);

    static const struct {
        const char *yaml, *want;
    } bad[] = {
        {"device: tx2\nrunner: replay\nreplay: {table: t.csv, value_column: lat}\nbogus: 1\n", "unknown key"},
        {"device: tx2\nrunner: quantum\n", "not one of"},
        {"device: tx2\n", "missing required key 'runner'"},
        {"device: tx2\nrunner: replay\n", "needs a 'replay' section"},
        {"device: tx2\nrunner: replay\nreplay: {table: t.csv}\n", "value_column"},
        {"device: tx2\nrunner: builtin\nbuiltin: {batch: 0}\n", "batch"},
        {"device: tx2\nrunner: builtin\nbuiltin: {space: {hidden: [256, 128]}}\n", "increasing"},
        {"device: tx2\nrunner: command\ncommand: {argv: [], latency_regex: '(x)'}\n", "at least the program"},
        {"device: tx2\nrunner: command\ncommand: {argv: [a]}\n", "latency_regex"},
        {"device: \"tx2\\n\"\nrunner: builtin\n", "printable"},
        {"device: tx2\nrunner: builtin\nheartbeat_ms: 1000\ndispatcher_timeout_ms: 1500\n", "twice"},
        {"device: [tx2]\nrunner: builtin\n", "device"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int rc = load(bad[i].yaml, &c);
        if (rc != -1 || !strstr(hw_errmsg(), bad[i].want) || !strstr(hw_errmsg(), "board.yaml:"))
            fail_msg("case %zu: rc %d, message '%s' lacks '%s'", i, rc, hw_errmsg(), bad[i].want);
        board_config_clear(&c);
    }
    /* finish: required fields */
    assert_int_equal(load("runner: builtin\n", &c), 0);
    assert_int_equal(board_config_finish(&c), -1);
    assert_non_null(strstr(hw_errmsg(), "device"));
    board_config_clear(&c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replay),         cmocka_unit_test(test_replay_nb201_index),
        cmocka_unit_test(test_command),        cmocka_unit_test(test_builtin),
        cmocka_unit_test(test_board_config),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
