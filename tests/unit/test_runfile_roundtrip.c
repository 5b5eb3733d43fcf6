/* test_runfile_roundtrip: a realistic snapshot (runfile_synth: NSGA-II on
 * the NB201 tables) written and read back is identical field for field and
 * bit for bit; so is an empty one (no islands, no rows) and one with NaN
 * history values and long UTF-8 strings. Snapshots violating the schema are
 * refused by the writer with a message naming the field. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hw_err.h"
#include "test_runfile_util.h"

static void roundtrip(run_snapshot *s) {
    char dir[256], path[300];
    tu_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/run.h5", dir);
    if (runfile_write(path, s) < 0) fail_msg("write: %s", hw_errmsg());
    run_snapshot *r = NULL;
    if (runfile_read(path, &r) < 0) fail_msg("read: %s", hw_errmsg());
    const char *d = tu_snapshot_diff(s, r);
    if (d) fail_msg("roundtrip differs in %s", d);
    /* writing what was read gives the same snapshot again */
    if (runfile_write(path, r) < 0) fail_msg("rewrite: %s", hw_errmsg());
    run_snapshot *r2 = NULL;
    if (runfile_read(path, &r2) < 0) fail_msg("reread: %s", hw_errmsg());
    d = tu_snapshot_diff(r, r2);
    if (d) fail_msg("second roundtrip differs in %s", d);
    run_snapshot_free(r);
    run_snapshot_free(r2);
    tu_rmdir(dir);
}

static void test_synth(void **st) {
    (void)st;
    run_snapshot *s = tu_synth(3, 16, 6, 500, 7);
    assert_int_equal(s->nislands, 3);
    assert_true(s->evaluated.n >= 3 * 16 * 6);
    assert_true(s->archive.n > 0);
    assert_true(s->history[5].hv >= s->history[0].hv);
    roundtrip(s);
    run_snapshot_free(s);
}

static void test_empty(void **st) {
    (void)st;
    run_snapshot *s = run_snapshot_new();
    s->config_text = hw_strdup("");
    s->space_name = hw_strdup("nb201");
    s->ngenes = 6;
    s->nobj = 1;
    s->obj_names = hw_malloc(sizeof(char *));
    s->obj_names[0] = hw_strdup("latency_ms");
    s->obj_maximise = hw_calloc(1, 1);
    roundtrip(s);
    run_snapshot_free(s);
}

static void test_nan_utf8(void **st) {
    (void)st;
    run_snapshot *s = tu_synth(1, 8, 2, 10, 3);
    s->history[0].hv_ratio = NAN;
    s->history[1].hv = -INFINITY;
    free(s->trainsets[0].board[3]);
    s->trainsets[0].board[3] = hw_strdup("carte-d\xc3\xa9veloppement-\xe6\x9d\xbf-42"); /* UTF-8 */
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    free(s->config_text);
    s->config_text = hw_strdup(big);
    roundtrip(s);
    run_snapshot_free(s);
}

static void test_writer_refuses(void **st) {
    (void)st;
    char dir[256], path[300];
    tu_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/bad.h5", dir);
    run_snapshot *s = tu_synth(1, 8, 1, 5, 3);
    s->jobs[0].state = 7;
    assert_int_equal(runfile_write(path, s), -1);
    assert_non_null(strstr(hw_errmsg(), "job 0"));
    assert_non_null(strstr(hw_errmsg(), path));
    s->jobs[0].state = RUN_JOB_PENDING;
    free(s->obj_names[1]);
    s->obj_names[1] = NULL;
    assert_int_equal(runfile_write(path, s), -1);
    assert_non_null(strstr(hw_errmsg(), "objective 1"));
    run_snapshot_free(s);
    tu_rmdir(dir);
}

static void test_check_config(void **st) {
    (void)st;
    run_snapshot *s = run_snapshot_new();
    s->config_text = hw_strdup("space:\n  name: nb201\nalgorithm:\n  seed: 1\n");
    assert_int_equal(runfile_check_config("r.h5", s, "space:\n  name: nb201\nalgorithm:\n  seed: 1\n"), 0);
    assert_int_equal(runfile_check_config("r.h5", s, "space:\n  name: nb201\nalgorithm:\n  seed: 2\n"), -1);
    assert_string_equal(hw_errmsg(), "r.h5: written by another config (line 4 differs: '  seed: 1' in the run file, "
                                     "'  seed: 2' now)");
    assert_int_equal(runfile_check_config("r.h5", s, "space:\n"), -1);
    assert_non_null(strstr(hw_errmsg(), "line 2"));
    run_snapshot_free(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_synth),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_nan_utf8),
        cmocka_unit_test(test_writer_refuses),
        cmocka_unit_test(test_check_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
