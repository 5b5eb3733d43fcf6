/* test_hv: exact hypervolume in 1 to 5 objectives against brute force
 * (the box [min, ref] cut by every point coordinate into a grid of cells;
 * a cell counts if some point weakly dominates its lower corner), on random
 * sets with ties, duplicates, points beyond the reference and NaN; a 5-D
 * set lifted from a 3-D one by constant objectives; hand values and the
 * error for 9 objectives. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nsga.h"
#include "rng.h"

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorted distinct coordinates of axis j below ref, plus ref. */
static int axis(const double *pts, int n, int m, int j, double ref, double *out) {
    int k = 0;
    for (int i = 0; i < n; i++) {
        double v = pts[(size_t)i * m + j];
        if (v < ref) out[k++] = v;
    }
    out[k++] = ref;
    qsort(out, (size_t)k, sizeof *out, cmp_d);
    int u = 0;
    for (int i = 0; i < k; i++)
        if (u == 0 || out[i] != out[u - 1]) out[u++] = out[i];
    return u;
}

static int dominates_corner(const double *pts, int n, int m, const double *ref, const double *c) {
    for (int i = 0; i < n; i++) {
        const double *p = pts + (size_t)i * m;
        int ok = 1;
        for (int j = 0; j < m && ok; j++)
            if (!(p[j] < ref[j]) || !(p[j] <= c[j])) ok = 0;
        if (ok) return 1;
    }
    return 0;
}

static double brute_hv(const double *pts, int n, int m, const double *ref) {
    double *ax[6];
    int na[6], cells[6];
    size_t total = 1;
    for (int j = 0; j < m; j++) {
        ax[j] = malloc(((size_t)n + 1) * sizeof(double));
        na[j] = axis(pts, n, m, j, ref[j], ax[j]);
        cells[j] = na[j] - 1;
        total *= (size_t)cells[j];
    }
    double v = 0, corner[6];
    for (size_t c = 0; c < total; c++) { /* mixed-radix cell index */
        size_t r = c;
        double vol = 1;
        for (int j = 0; j < m; j++) {
            int k = (int)(r % (size_t)cells[j]);
            r /= (size_t)cells[j];
            corner[j] = ax[j][k];
            vol *= ax[j][k + 1] - ax[j][k];
        }
        if (dominates_corner(pts, n, m, ref, corner)) v += vol;
    }
    for (int j = 0; j < m; j++) free(ax[j]);
    return v;
}

static void random_set(hw_rng *r, int kind, int n, int m, double *pts) {
    for (int i = 0; i < n; i++) {
        if (kind == 2 && i > 0 && rng_uniform(r) < 0.4) {
            memcpy(pts + (size_t)i * m, pts + (size_t)rng_below(r, (uint64_t)i) * m, (size_t)m * sizeof *pts);
            continue;
        }
        for (int j = 0; j < m; j++) {
            double v = kind == 1 ? (double)rng_below(r, 6) : rng_uniform(r) * 1.2;
            if (kind == 3) v = 1.0 - rng_uniform(r) * 0.3;
            pts[(size_t)i * m + j] = v;
        }
        if (kind == 3) { /* concave-ish front: many mutually non-dominated points */
            double s = 0;
            for (int j = 0; j < m - 1; j++) s += pts[(size_t)i * m + j];
            pts[(size_t)i * m + m - 1] = (double)(m - 1) - s;
        }
        if (rng_uniform(r) < 0.02) pts[(size_t)i * m + rng_below(r, (uint64_t)m)] = NAN;
    }
}

static void check_random(int m, int reps, int nmax, uint64_t seed) {
    hw_rng r;
    rng_seed(&r, seed);
    double ref[6] = {1.0, 1.0, 1.0, 1.0, 1.0, 1.0};
    if (m == 3) ref[2] = 1.1;
    for (int rep = 0; rep < reps; rep++) {
        int kind = rep % 4, n = (int)rng_below(&r, (uint64_t)nmax + 1);
        double ref_i[6] = {5, 5, 5, 5, 5, 5}; /* integer sets: ties with the reference too */
        double *rp = kind == 1 ? ref_i : ref;
        double *pts = malloc(((size_t)n + 1) * m * sizeof *pts);
        random_set(&r, kind, n, m, pts);
        if (kind == 3) { /* reference beyond the front */
            rp = ref_i;
        }
        double got = -1, want = brute_hv(pts, n, m, rp);
        assert_int_equal(hv_exact(pts, n, m, rp, &got), 0);
        if (fabs(got - want) > 1e-9 * (1 + want))
            fail_msg("m=%d kind=%d n=%d: hv %.15g, brute force %.15g", m, kind, n, got, want);
        free(pts);
    }
}

static void test_hand(void **st) {
    (void)st;
    const double p2[] = {1, 3, 2, 2, 3, 1, 2, 2, 4, 4};
    const double r2[2] = {4, 4};
    double v;
    assert_int_equal(hv_exact(p2, 5, 2, r2, &v), 0);
    assert_true(fabs(v - 6.0) < 1e-12); /* 3 + 2 + 1 */
    const double p3[] = {0, 0, 0};
    const double r3[3] = {2, 3, 4};
    assert_int_equal(hv_exact(p3, 1, 3, r3, &v), 0);
    assert_true(fabs(v - 24.0) < 1e-12);
    const double q3[] = {0, 1, 1, 1, 0, 1, 1, 1, 0}; /* 3 unit-cube corners in a 2-cube */
    const double s3[3] = {2, 2, 2};
    assert_int_equal(hv_exact(q3, 3, 3, s3, &v), 0);
    assert_true(fabs(v - 4.0) < 1e-12); /* 3 boxes of 2, pairwise overlaps 1, triple 1 */
    assert_true(fabs(brute_hv(q3, 3, 3, s3) - 4.0) < 1e-12);
    const double p1[] = {3, 1, 7};
    const double r1[1] = {5};
    assert_int_equal(hv_exact(p1, 3, 1, r1, &v), 0);
    assert_true(fabs(v - 4.0) < 1e-12);
    /* nothing strictly inside the reference box */
    const double out[] = {4, 0, 0, 4};
    assert_int_equal(hv_exact(out, 2, 2, r2, &v), 0);
    assert_true(v == 0.0);
    assert_int_equal(hv_exact(NULL, 0, 3, r3, &v), 0);
    assert_true(v == 0.0);
}

static void test_errors(void **st) {
    (void)st;
    const double p[9] = {0}, r[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    double v;
    assert_int_equal(hv_exact(p, 1, 9, r, &v), -1);
    const double rn[2] = {NAN, 1};
    assert_int_equal(hv_exact(p, 1, 2, rn, &v), -1);
}

static void test_random_1d(void **st) {
    (void)st;
    check_random(1, 40, 30, 21);
}
static void test_random_2d(void **st) {
    (void)st;
    check_random(2, 300, 60, 22);
}
static void test_random_3d(void **st) {
    (void)st;
    check_random(3, 300, 40, 23);
}

static void test_random_4d(void **st) {
    (void)st;
    check_random(4, 120, 12, 25);
}
static void test_random_5d(void **st) {
    (void)st;
    check_random(5, 40, 7, 26);
}

/* A 4- and 5-objective set whose extra objectives are one constant c: the
 * volume is the 3-D volume times (ref - c) per extra objective. */
static void test_lifted(void **st) {
    (void)st;
    hw_rng r;
    rng_seed(&r, 27);
    int n = 150;
    double *p3 = malloc((size_t)n * 3 * sizeof *p3), *p5 = malloc((size_t)n * 5 * sizeof *p5);
    random_set(&r, 3, n, 3, p3);
    const double ref[5] = {1.5, 1.5, 2.5, 2.0, 3.0};
    for (int i = 0; i < n; i++) {
        memcpy(p5 + (size_t)i * 5, p3 + (size_t)i * 3, 3 * sizeof *p5);
        p5[(size_t)i * 5 + 3] = 0.5;
        p5[(size_t)i * 5 + 4] = 1.0;
    }
    double v3, v5;
    assert_int_equal(hv_exact(p3, n, 3, ref, &v3), 0);
    assert_int_equal(hv_exact(p5, n, 5, ref, &v5), 0);
    double want = v3 * 1.5 * 2.0;
    if (fabs(v5 - want) > 1e-9 * (1 + want)) fail_msg("lifted 5-D hv %.15g, 3-D x slabs %.15g", v5, want);
    free(p3);
    free(p5);
}

/* Larger 3-D front against brute force (grid of (n+1)^3 cells). */
static void test_larger_3d(void **st) {
    (void)st;
    hw_rng r;
    rng_seed(&r, 24);
    int n = 120;
    double *pts = malloc((size_t)n * 3 * sizeof *pts);
    random_set(&r, 3, n, 3, pts);
    const double ref[3] = {1.5, 1.5, 2.5};
    double v;
    assert_int_equal(hv_exact(pts, n, 3, ref, &v), 0);
    double w = brute_hv(pts, n, 3, ref);
    assert_true(fabs(v - w) < 1e-9 * (1 + w));
    free(pts);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand),      cmocka_unit_test(test_errors),    cmocka_unit_test(test_random_1d),
        cmocka_unit_test(test_random_2d), cmocka_unit_test(test_random_3d), cmocka_unit_test(test_larger_3d),
        cmocka_unit_test(test_random_4d), cmocka_unit_test(test_random_5d), cmocka_unit_test(test_lifted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
