/* test_runfile_journal: the measurement journal.
 * - batches appended and replayed in order with their sequence numbers;
 * - a torn last record (cut at every byte of it) or a bad CRC is ignored,
 *   everything before it is kept; journal_open cuts the torn tail and new
 *   records follow the valid ones;
 * - replay skips records already in the snapshot (seq <= meas_seq), also
 *   after a crash between checkpoint rename and journal compaction;
 * - compaction keeps only later records;
 * - a writer SIGKILLed while appending loses at most its unfinished batch;
 * - the full flow: checkpoint, measurements arrive, crash, ckpt_resume
 *   recovers them; a file that is not a journal is an error. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "ckpt.h"
#include "hw_err.h"
#include "journal.h"
#include "test_runfile_util.h"

static char dir[256], jp[320];

static int setup_one(void **st) {
    (void)st;
    tu_tmpdir(dir, sizeof dir);
    snprintf(jp, sizeof jp, "%s/run.h5.journal", dir);
    return 0;
}

static int teardown_one(void **st) {
    (void)st;
    tu_rmdir(dir);
    return 0;
}

static char strs[64][5][32];

/* Measurement number K (strings kept in a static table). */
static run_measurement meas(int k) {
    run_measurement m;
    memset(&m, 0, sizeof m);
    snprintf(strs[k % 64][0], 32, "|nor_conv_3x3~0|+|skip~%d|", k);
    snprintf(strs[k % 64][1], 32, "tx2");
    snprintf(strs[k % 64][2], 32, k % 2 ? "latency_ms" : "energy_mJ");
    snprintf(strs[k % 64][3], 32, "board-%d", k % 3);
    snprintf(strs[k % 64][4], 32, "%s", k % 5 ? "trt" : "");
    m.arch = strs[k % 64][0], m.device = strs[k % 64][1], m.target = strs[k % 64][2];
    m.board = strs[k % 64][3], m.runner = strs[k % 64][4];
    m.value = 1.5 + k;
    m.t_start = 1e9 + k;
    m.t_end = 1e9 + k + 0.25;
    return m;
}

static void append_n(journal *j, int first, int n) {
    run_measurement m[16];
    for (int i = 0; i < n; i++) m[i] = meas(first + i);
    if (journal_append(j, m, n) < 0) fail_msg("%s", hw_errmsg());
    for (int i = 0; i < n; i++) assert_int_equal(m[i].seq, (uint64_t)(first + i + 1));
}

/* Replays JP into an empty snapshot with the given meas_seq; checks the
 * records are K0+1 .. K0+N with the right contents. */
static void check_replay(uint64_t meas_seq, int expect_first, int expect_n) {
    run_snapshot *s = run_snapshot_new();
    s->meas_seq = meas_seq;
    long torn = -1;
    int k = journal_replay(jp, s, &torn);
    if (k < 0) fail_msg("%s", hw_errmsg());
    assert_int_equal(k, expect_n);
    assert_int_equal(s->nmeas, expect_n);
    for (int i = 0; i < expect_n; i++) {
        run_measurement want = meas(expect_first + i);
        want.seq = (uint64_t)(expect_first + i + 1);
        const char *d = tu_meas_diff(&want, &s->meas[i]);
        if (d) fail_msg("record %d: %s", i, d);
    }
    uint64_t top = expect_n ? (uint64_t)(expect_first + expect_n) : meas_seq;
    assert_int_equal(s->meas_seq, top > meas_seq ? top : meas_seq);
    run_snapshot_free(s);
}

static long fsize(const char *p) {
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    return st.st_size;
}

static void test_append_replay(void **st) {
    (void)st;
    check_replay(0, 0, 0); /* missing file: nothing */
    journal *j;
    assert_int_equal(journal_open(jp, 0, &j), 0);
    append_n(j, 0, 3);
    append_n(j, 3, 1);
    append_n(j, 4, 7);
    assert_int_equal(journal_last_seq(j), 11);
    journal_close(j);
    check_replay(0, 0, 11);
    check_replay(4, 4, 7);
    check_replay(11, 0, 0);
    /* reopen continues the numbering */
    assert_int_equal(journal_open(jp, 0, &j), 0);
    assert_int_equal(journal_last_seq(j), 11);
    append_n(j, 11, 2);
    journal_close(j);
    check_replay(0, 0, 13);
}

/* cp FROM TO, then cut TO at CUT bytes (CUT < 0: keep all). */
static void copy_cut(const char *from, const char *to, long cut) {
    FILE *f = fopen(from, "rb"), *g = fopen(to, "wb");
    assert_non_null(f);
    assert_non_null(g);
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) assert_int_equal(fwrite(buf, 1, n, g), n);
    fclose(f);
    fclose(g);
    if (cut >= 0) assert_int_equal(truncate(to, cut), 0);
}

static void test_torn(void **st) {
    (void)st;
    journal *j;
    assert_int_equal(journal_open(jp, 0, &j), 0);
    append_n(j, 0, 5);
    long before_last = fsize(jp);
    append_n(j, 5, 1);
    journal_close(j);
    long full = fsize(jp);
    char full_path[400];
    snprintf(full_path, sizeof full_path, "%s.full", jp);
    copy_cut(jp, full_path, -1);
    for (long cut = before_last; cut < full; cut++) {
        copy_cut(full_path, jp, cut);
        check_replay(0, 0, 5);
    }
    /* bad CRC in the last record */
    copy_cut(full_path, jp, -1);
    FILE *f = fopen(jp, "r+b");
    fseek(f, full - 3, SEEK_SET);
    fputc('#', f);
    fclose(f);
    check_replay(0, 0, 5);
    /* reopening cuts the torn record; appends follow the valid ones */
    assert_int_equal(journal_open(jp, 0, &j), 0);
    assert_int_equal(fsize(jp), before_last);
    assert_int_equal(journal_last_seq(j), 5);
    append_n(j, 5, 2);
    journal_close(j);
    check_replay(0, 0, 7);
    /* a torn header counts as empty */
    assert_int_equal(truncate(jp, 5), 0);
    check_replay(0, 0, 0);
    assert_int_equal(journal_open(jp, 40, &j), 0);
    assert_int_equal(journal_last_seq(j), 40);
    journal_close(j);
}

static void test_compact(void **st) {
    (void)st;
    journal *j;
    assert_int_equal(journal_open(jp, 0, &j), 0);
    append_n(j, 0, 8);
    assert_int_equal(journal_compact(j, 5), 0);
    check_replay(0, 5, 3);
    append_n(j, 8, 2);
    check_replay(0, 5, 5);
    assert_int_equal(journal_compact(j, 10), 0);
    assert_int_equal(fsize(jp), 16);
    append_n(j, 10, 1);
    journal_close(j);
    check_replay(0, 10, 1);
}

static void test_bad_header(void **st) {
    (void)st;
    FILE *f = fopen(jp, "w");
    fputs("this is not a journal file at all\n", f);
    fclose(f);
    run_snapshot *s = run_snapshot_new();
    assert_int_equal(journal_replay(jp, s, NULL), -1);
    assert_non_null(strstr(hw_errmsg(), jp));
    assert_non_null(strstr(hw_errmsg(), "not an hwnas journal"));
    journal *j;
    assert_int_equal(journal_open(jp, 0, &j), -1);
    run_snapshot_free(s);
}

static void test_kill9_append(void **st) {
    (void)st;
    for (int round = 0; round < 4; round++) {
        unlink(jp);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            journal *j;
            if (journal_open(jp, 0, &j) < 0) _exit(1);
            for (int b = 0;; b++) {
                run_measurement m[16];
                for (int i = 0; i < 16; i++) m[i] = meas((int)((journal_last_seq(j) + i) % 100000));
                if (journal_append(j, m, 16) < 0) _exit(2);
            }
        }
        /* let a few batches land (the machine may be loaded), then kill at
         * a different moment each round */
        struct stat jst;
        for (int w = 0; w < 2000; w++) {
            if (stat(jp, &jst) == 0 && jst.st_size > 16 + 4000) break;
            struct timespec ms = {0, 5 * 1000 * 1000};
            nanosleep(&ms, NULL);
        }
        struct timespec ts = {0, (long)(1 + 7 * round) * 1000 * 1000};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        run_measurement *v;
        int n;
        long torn;
        assert_int_equal(journal_read_all(jp, &v, &n, &torn), 0);
        print_message("round %d: %d records survived, %ld torn bytes\n", round, n, torn);
        assert_true(n > 0);
        for (int i = 0; i < n; i++) {
            assert_int_equal(v[i].seq, (uint64_t)i + 1);
            run_measurement want = meas(i % 100000);
            want.seq = (uint64_t)i + 1;
            assert_null(tu_meas_diff(&want, &v[i]));
            run_measurement_clear(&v[i]);
        }
        free(v);
    }
}

static void test_resume_flow(void **st) {
    (void)st;
    char run[300];
    snprintf(run, sizeof run, "%s/run.h5", dir);
    run_snapshot *s = tu_synth(1, 8, 2, 20, 9);
    uint64_t seq0 = s->meas_seq;
    int nmeas0 = s->nmeas;
    if (ckpt_write(run, s) < 0) fail_msg("%s", hw_errmsg());
    journal *j;
    assert_int_equal(journal_open(jp, s->meas_seq, &j), 0);
    run_measurement m[3] = {meas(0), meas(1), meas(2)};
    assert_int_equal(journal_append(j, m, 3), 0);
    assert_int_equal(m[0].seq, seq0 + 1);
    journal_close(j); /* crash: no checkpoint after these */
    run_snapshot *r;
    int rep;
    if (ckpt_resume(run, &r, &rep) < 0) fail_msg("%s", hw_errmsg());
    assert_int_equal(rep, 3);
    assert_int_equal(r->nmeas, nmeas0 + 3);
    assert_int_equal(r->meas_seq, seq0 + 3);
    for (int i = 0; i < 3; i++) assert_null(tu_meas_diff(&m[i], &r->meas[nmeas0 + i]));
    /* checkpoint the resumed snapshot, crash before compaction: replay must
     * not duplicate the records */
    if (ckpt_write(run, r) < 0) fail_msg("%s", hw_errmsg());
    run_snapshot *r2;
    if (ckpt_resume(run, &r2, &rep) < 0) fail_msg("%s", hw_errmsg());
    assert_int_equal(rep, 0);
    assert_null(tu_snapshot_diff(r, r2));
    run_snapshot_free(s);
    run_snapshot_free(r);
    run_snapshot_free(r2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_append_replay, setup_one, teardown_one),
        cmocka_unit_test_setup_teardown(test_torn, setup_one, teardown_one),
        cmocka_unit_test_setup_teardown(test_compact, setup_one, teardown_one),
        cmocka_unit_test_setup_teardown(test_bad_header, setup_one, teardown_one),
        cmocka_unit_test_setup_teardown(test_kill9_append, setup_one, teardown_one),
        cmocka_unit_test_setup_teardown(test_resume_flow, setup_one, teardown_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
