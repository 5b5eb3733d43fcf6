/* test_stats: rank correlations and order statistics against values computed
 * with scipy 1.10 / numpy (reference numbers in the comments), plus a brute
 * force O(n^2) tau-b on random data with ties. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "rng.h"
#include "stats.h"

static const double X[10] = {1, 2, 2, 3, 5, 5, 5, 8, 9, 10};
static const double Y[10] = {2, 1, 4, 4, 6, 5, 7, 7, 9, 3};

static void test_ranks(void **st) {
    (void)st;
    double r[10];
    stats_ranks(X, 10, r);
    const double want[10] = {1, 2.5, 2.5, 4, 6, 6, 6, 8, 9, 10};
    for (int i = 0; i < 10; i++) assert_true(r[i] == want[i]);
}

static void test_spearman_kendall_scipy(void **st) {
    (void)st;
    /* scipy.stats.spearmanr(X, Y)[0], kendalltau(X, Y)[0] */
    assert_true(fabs(stats_spearman(X, Y, 10) - 0.5975489943205469) < 1e-12);
    assert_true(fabs(stats_kendall(X, Y, 10) - 0.5477743344639721) < 1e-12);
    assert_true(fabs(stats_spearman(X, X, 10) - 1.0) < 1e-12);
    double neg[10];
    for (int i = 0; i < 10; i++) neg[i] = -X[i];
    assert_true(fabs(stats_kendall(X, neg, 10) + 1.0) < 1e-12);
    const double c[3] = {1, 1, 1};
    assert_true(isnan(stats_spearman(c, X, 3)));
    assert_true(isnan(stats_kendall(X, X, 1)));
}

/* O(n^2) tau-b by definition. */
static double kendall_brute(const double *x, const double *y, int n) {
    double con = 0, dis = 0, tx = 0, ty = 0;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            double a = x[i] - x[j], b = y[i] - y[j];
            if (a == 0 && b == 0) continue;
            if (a == 0) tx++;
            else if (b == 0) ty++;
            else if (a * b > 0) con++;
            else dis++;
        }
    return (con - dis) / sqrt((con + dis + tx) * (con + dis + ty));
}

static void test_kendall_brute(void **st) {
    (void)st;
    hw_rng r;
    rng_seed(&r, 7);
    enum { N = 300 };
    double x[N], y[N];
    for (int rep = 0; rep < 5; rep++) {
        for (int i = 0; i < N; i++) {
            x[i] = (double)rng_below(&r, 20);
            y[i] = x[i] + (double)rng_below(&r, 15);
        }
        assert_true(fabs(stats_kendall(x, y, N) - kendall_brute(x, y, N)) < 1e-12);
    }
}

static void test_errors_and_order(void **st) {
    (void)st;
    const double t[4] = {10, 20, 40, 50};
    const double p[4] = {11, 18, 40, 60};
    /* |1/10| + |2/20| + 0 + |10/50| = 0.4 -> 10 % */
    assert_true(fabs(stats_mape(p, t, 4) - 10.0) < 1e-12);
    assert_true(stats_within(p, t, 4, 10) == 0.75);
    assert_true(stats_within(p, t, 4, 5) == 0.25);
    const double z[2] = {0, 1};
    assert_true(isnan(stats_mape(p, z, 2)));
    /* numpy.percentile(X, 37) = 3.66, median(Y) = 4.5 */
    assert_true(fabs(stats_percentile(X, 10, 37) - 3.66) < 1e-12);
    assert_true(fabs(stats_median(Y, 10) - 4.5) < 1e-12);
    assert_true(stats_percentile(X, 10, 0) == 1 && stats_percentile(X, 10, 100) == 10);
    assert_true(fabs(stats_mean(t, 4) - 30) < 1e-12);
    assert_true(fabs(stats_std(t, 4, 0) - sqrt(250.0)) < 1e-12);
    assert_true(fabs(stats_std(t, 4, 1) - sqrt(1000.0 / 3)) < 1e-12);
    assert_true(isnan(stats_std(t, 1, 1)));
    assert_true(stats_min(p, 4) == 11 && stats_max(p, 4) == 60);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ranks),
        cmocka_unit_test(test_spearman_kendall_scipy),
        cmocka_unit_test(test_kendall_brute),
        cmocka_unit_test(test_errors_and_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
