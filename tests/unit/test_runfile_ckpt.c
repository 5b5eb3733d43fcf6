/* test_runfile_ckpt: checkpoint atomicity and the signal flag.
 * - ckpt_write replaces the file and leaves no PATH.tmp;
 * - a writer of a large snapshot SIGKILLed at many moments (several of them
 *   provably mid-write: PATH.tmp exists) leaves a file that reads back as
 *   exactly the old or the new snapshot, never anything else;
 * - disk full (RLIMIT_FSIZE with SIGXFSZ ignored) fails with an error, the
 *   previous checkpoint stays intact and PATH.tmp is removed;
 * - SIGUSR1 / SIGTERM set the flag, polled and cleared; the schedule. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "ckpt.h"
#include "hw_clock.h"
#include "hw_err.h"
#include "test_runfile_util.h"

static char dir[256], path[300], tmp[300];
static run_snapshot *small, *big;

static int setup(void **st) {
    (void)st;
    tu_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/run.h5", dir);
    snprintf(tmp, sizeof tmp, "%s/run.h5.tmp", dir);
    small = tu_synth(2, 8, 2, 50, 1);
    big = tu_synth(4, 32, 8, 120000, 2); /* ~15 MB file */
    return 0;
}

static int teardown(void **st) {
    (void)st;
    run_snapshot_free(small);
    run_snapshot_free(big);
    tu_rmdir(dir);
    return 0;
}

static int exists(const char *p) {
    struct stat st;
    return stat(p, &st) == 0;
}

/* Reads PATH and returns 0 if it equals SMALL, 1 if BIG; fails otherwise. */
static int which(void) {
    run_snapshot *s = NULL;
    if (runfile_read(path, &s) < 0) fail_msg("checkpoint unreadable: %s", hw_errmsg());
    int r = -1;
    if (!tu_snapshot_diff(s, small)) r = 0;
    else if (!tu_snapshot_diff(s, big)) r = 1;
    run_snapshot_free(s);
    if (r < 0) fail_msg("checkpoint is neither the old nor the new snapshot");
    return r;
}

static void test_replace(void **st) {
    (void)st;
    if (ckpt_write(path, small) < 0) fail_msg("%s", hw_errmsg());
    assert_int_equal(which(), 0);
    assert_false(exists(tmp));
    if (ckpt_write(path, big) < 0) fail_msg("%s", hw_errmsg());
    assert_int_equal(which(), 1);
    assert_false(exists(tmp));
    run_snapshot *r;
    int replayed;
    assert_int_equal(ckpt_resume(path, &r, &replayed), 0);
    assert_int_equal(replayed, 0);
    assert_null(tu_snapshot_diff(r, big));
    run_snapshot_free(r);
}

static void test_kill9(void **st) {
    (void)st;
    /* how long does one big checkpoint take? */
    if (ckpt_write(path, small) < 0) fail_msg("%s", hw_errmsg());
    double t0 = hw_now_s();
    if (ckpt_write(tmp, big) < 0) fail_msg("%s", hw_errmsg());
    double dt = hw_now_s() - t0;
    unlink(tmp); /* ckpt_write(tmp) wrote tmp.tmp, renamed to tmp */
    int midwrite = 0, newer = 0;
    const int kills = 12;
    for (int k = 0; k < kills; k++) {
        if (ckpt_write(path, small) < 0) fail_msg("%s", hw_errmsg());
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            int rc = ckpt_write(path, big);
            _exit(rc < 0 ? 1 : 0);
        }
        /* once the writer has created PATH.tmp, kill it at evenly spread
         * moments from 0 to 1.2 x the write time; the last writer is left
         * to finish */
        int status;
        if (k < kills - 1) {
            for (int w = 0; w < 4000 && !exists(tmp); w++) {
                struct timespec ms = {0, 500 * 1000};
                nanosleep(&ms, NULL);
            }
            double at = dt * 1.2 * k / (kills - 2);
            struct timespec ts = {(time_t)at, (long)((at - (time_t)at) * 1e9)};
            nanosleep(&ts, NULL);
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
        } else {
            waitpid(pid, &status, 0);
            assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        }
        if (exists(tmp)) midwrite++;
        newer += which();
        unlink(tmp);
    }
    print_message("kill -9: %d kills, %d mid-write, %d after the rename (write %.0f ms)\n", kills, midwrite, newer,
                  dt * 1e3);
    assert_true(midwrite >= 5);
    assert_true(newer >= 1);
}

static void test_disk_full(void **st) {
    (void)st;
    if (ckpt_write(path, small) < 0) fail_msg("%s", hw_errmsg());
    struct stat st0;
    assert_int_equal(stat(path, &st0), 0);
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {1 << 20, 1 << 20}; /* 1 MiB: the big snapshot needs ~15 */
        setrlimit(RLIMIT_FSIZE, &rl);
        int rc = ckpt_write(path, big);
        const char *m = hw_errmsg();
        if (write(p[1], m, strlen(m)) < 0) _exit(3);
        _exit(rc < 0 ? 0 : 2);
    }
    close(p[1]);
    char msg[512] = {0};
    ssize_t n = read(p[0], msg, sizeof msg - 1);
    (void)n;
    close(p[0]);
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) != 0) fail_msg("checkpoint on a full disk did not fail (status %d)", WEXITSTATUS(status));
    print_message("disk full: %s\n", msg);
    assert_non_null(strstr(msg, tmp));
    assert_false(exists(tmp));
    assert_int_equal(which(), 0);
}

static void test_signals(void **st) {
    (void)st;
    assert_int_equal(ckpt_signals_install(), 0);
    assert_int_equal(ckpt_signal_pending(), 0);
    raise(SIGUSR1);
    assert_int_equal(ckpt_signal_pending(), SIGUSR1);
    ckpt_signal_clear();
    assert_int_equal(ckpt_signal_pending(), 0);
    kill(getpid(), SIGTERM);
    assert_int_equal(ckpt_signal_pending(), SIGTERM);
    ckpt_signal_clear();
    /* a signal during a blocking call does not break it (SA_RESTART) */
    pid_t me = getpid(), pid = fork();
    if (pid == 0) {
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
        kill(me, SIGUSR1);
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(ckpt_signal_pending(), SIGUSR1);
    ckpt_signals_uninstall();
    ckpt_signal_clear();
}

static void test_schedule(void **st) {
    (void)st;
    ckpt_schedule c;
    ckpt_schedule_init(&c, 5, 0, 0, 100.0);
    assert_false(ckpt_due(&c, 4, 1e9));
    assert_true(ckpt_due(&c, 5, 100.0));
    ckpt_done(&c, 5, 100.0);
    assert_false(ckpt_due(&c, 9, 200.0));
    ckpt_schedule_init(&c, 0, 60.0, 3, 100.0);
    assert_false(ckpt_due(&c, 1000, 159.0));
    assert_true(ckpt_due(&c, 4, 160.0));
    ckpt_schedule_init(&c, 0, 0, 0, 0);
    assert_false(ckpt_due(&c, 1000000, 1e12));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replace), cmocka_unit_test(test_kill9),    cmocka_unit_test(test_disk_full),
        cmocka_unit_test(test_signals), cmocka_unit_test(test_schedule),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
