/* The multi-run statistics of `hwnas compare` (io/runcmp.c): the label
 * rule (file stem without a trailing seed suffix), the HV after b
 * measurements (clamped to the run's length), the measurements needed to
 * reach an HV ratio, and the per-group median and quartiles (numpy's
 * linear percentiles) across the runs of a group. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "runcmp.h"

static void test_label(void **st) {
    (void)st;
    const char *cases[][2] = {{"runs/pop16-s3.h5", "pop16"}, {"a_seed12.h5", "a"}, {"x.7.h5", "x"},
                              {"r1.h5", "r1"},               {"runs3.h5", "runs3"}, {"plain.h5", "plain"},
                              {"2024.h5", "2024"},           {"cfg-b-s10", "cfg-b"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[64];
        runcmp_label(cases[i][0], out, sizeof out);
        if (strcmp(out, cases[i][1])) fail_msg("%s: got '%s', want '%s'", cases[i][0], out, cases[i][1]);
    }
}

static void test_curve(void **st) {
    (void)st;
    double curve[] = {1, 1, 4, 9, 10};
    runcmp_run r = {.nmeas = 5, .curve = curve};
    assert_float_equal(runcmp_hv_at(&r, 0), 0, 0);
    assert_float_equal(runcmp_hv_at(&r, 3), 4, 0);
    assert_float_equal(runcmp_hv_at(&r, 99), 10, 0); /* beyond the run: its final HV */
    assert_int_equal(runcmp_meas_to(&r, 10, 0.9), 4);  /* 9 >= 9 */
    assert_int_equal(runcmp_meas_to(&r, 10, 0.95), 5);
    assert_int_equal(runcmp_meas_to(&r, 10, 1.01), -1);
}

static void test_group_stats(void **st) {
    (void)st;
    double c1[] = {1, 2}, c2[] = {3, 4}, c3[] = {5, 6}, c4[] = {10, 20};
    runcmp_run runs[4] = {{.nmeas = 2, .curve = c1}, {.nmeas = 2, .curve = c2}, {.nmeas = 2, .curve = c3},
                          {.nmeas = 2, .curve = c4}};
    int g0[] = {0, 1, 2, 3};
    runcmp_group groups[1] = {{.name = "g", .nruns = 4, .runs = g0}};
    runcmp c = {.nruns = 4, .m = 2, .runs = runs, .ngroups = 1, .groups = groups};
    double med, q1, q3;
    runcmp_hv_stats(&c, 0, 2, &med, &q1, &q3); /* values 2 4 6 20: numpy gives 5, 3.5, 9.5 */
    printf("median %g (want 5) q1 %g (want 3.5) q3 %g (want 9.5)\n", med, q1, q3);
    assert_float_equal(med, 5, 1e-12);
    assert_float_equal(q1, 3.5, 1e-12);
    assert_float_equal(q3, 9.5, 1e-12);
    assert_int_equal(runcmp_min_meas(&c), 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_label),
        cmocka_unit_test(test_curve),
        cmocka_unit_test(test_group_stats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
