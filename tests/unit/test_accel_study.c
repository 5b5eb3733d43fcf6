/* The whole-network costing and the co-design study of src/accel:
 * the NB201 CSV has one row per arch and accel_eval_arch gives the same
 * latency and energy as its row; an unknown space and a bad arch string
 * fail with a message naming them; accel_study runs every (strategy, seed) pair,
 * its medians are those of the per-run values, a target no run reached
 * gives +INF, the points CSV holds one row per evaluation and the study is
 * deterministic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel_eval.h"
#include "accel_study.h"
#include "hw_err.h"
#include "space.h"

static void load_eyeriss(accel_cfg *c) {
    char path[4096];
    const char *d = getenv("HWNAS_DATA");
    snprintf(path, sizeof path, "%s/configs/eyeriss.yaml", d ? d : "data");
    if (accel_cfg_load(path, c)) fail_msg("%s", hw_errmsg());
}

static int count_lines(const hw_buf *b) {
    int n = 0;
    for (size_t i = 0; i < b->len; i++) n += b->p[i] == '\n';
    return n;
}

static void test_eval_arch_matches_table(void **st) {
    (void)st;
    accel_cfg hw;
    load_eyeriss(&hw);
    hw_buf csv = {0};
    if (accel_eval_nb201_csv(&hw, 1, 0, &csv)) fail_msg("%s", hw_errmsg());
    assert_int_equal(count_lines(&csv), 15626);
    /* row of arch index 1234 */
    const char *row = csv.p;
    for (int i = 0; i < 1235; i++) row = strchr(row, '\n') + 1;
    long long idx;
    char arch[256];
    double lat, energy;
    assert_int_equal(sscanf(row, "%lld,%255[^,],%lf,%lf", &idx, arch, &lat, &energy), 4);
    assert_int_equal(idx, 1234);
    layer_list l;
    accel_cost *per, tot;
    if (accel_eval_arch(&hw, "nb201", NULL, arch, 128, 1, 1, &l, &per, &tot)) fail_msg("%s", hw_errmsg());
    if (fabs(tot.latency_s * 1e3 - lat) > 1e-7 * lat || fabs(tot.energy_pj * 1e-9 - energy) > 1e-7 * energy)
        fail_msg("arch %s: eval %.9g ms %.9g mJ, table %.9g ms %.9g mJ", arch, tot.latency_s * 1e3,
                 tot.energy_pj * 1e-9, lat, energy);
    assert_true(l.n > 0 && accel_eval_kernels(&l) >= l.n);
    free(per);
    layer_list_free(&l);
    hw_buf_free(&csv);

    assert_int_equal(accel_eval_arch(&hw, "resnet", NULL, arch, 128, 1, 0, &l, &per, &tot), -1);
    assert_non_null(strstr(hw_errmsg(), "unknown space 'resnet'"));
    layer_list_free(&l);
    assert_int_equal(accel_eval_arch(&hw, "nb201", NULL, "garbage", 128, 1, 0, &l, &per, &tot), -1);
    assert_non_null(strstr(hw_errmsg(), "garbage"));
    layer_list_free(&l);
}

static void test_study(void **st) {
    (void)st;
    codesign_cfg c;
    codesign_cfg_default(&c);
    const char *d = getenv("HWNAS_DATA");
    snprintf(c.acc_table, sizeof c.acc_table, "%s/nb201_accuracy/nb201_accuracy.csv", d ? d : "data");
    c.evaluations = 60;
    c.engine.pop_size = 12;
    c.stage2_networks = 2;
    c.n_seeds = 3;
    c.n_targets = 2;
    c.acc_targets[0] = 50;
    c.acc_targets[1] = 100; /* unreachable: +INF */
    codesign *cd;
    if (codesign_create(&c, &cd)) fail_msg("%s", hw_errmsg());
    codesign_strategy strat[CODESIGN_NSTRATEGIES];
    int nst;
    assert_int_equal(accel_study_strategies("best", strat, &nst), -1);
    assert_non_null(strstr(hw_errmsg(), "'best'"));
    assert_int_equal(accel_study_strategies("all", strat, &nst), 0);
    assert_int_equal(nst, 3);
    accel_study s, t;
    if (accel_study_run(cd, strat, nst, 1, NULL, &s) || accel_study_run(cd, strat, nst, 0, NULL, &t))
        fail_msg("%s", hw_errmsg());
    assert_int_equal(count_lines(&s.points), 1 + 3 * 3 * 60);
    assert_int_equal(count_lines(&t.points), 1); /* header only when not asked for */
    assert_memory_equal(s.hv, t.hv, sizeof(double) * 9);
    for (int a = 0; a < nst; a++) {
        double hv, fm, eat[2], v[3];
        accel_study_summary(&s, a, &hv, &fm, eat);
        memcpy(v, &s.hv[a * 3], sizeof v);
        int below = (v[0] < hv) + (v[1] < hv) + (v[2] < hv), above = (v[0] > hv) + (v[1] > hv) + (v[2] > hv);
        if (below > 1 || above > 1 || (hv != v[0] && hv != v[1] && hv != v[2]))
            fail_msg("strategy %d: median %.17g of %.17g %.17g %.17g", a, hv, v[0], v[1], v[2]);
        assert_true(isinf(eat[1]));
        assert_true(isfinite(eat[0]) && eat[0] > 0);
        assert_true(fm >= 1);
    }
    accel_study_clear(&s);
    accel_study_clear(&t);
    codesign_free(cd);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eval_arch_matches_table),
        cmocka_unit_test(test_study),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
