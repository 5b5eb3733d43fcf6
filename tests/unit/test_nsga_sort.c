/* test_nsga_sort: nd_sort against an O(M N^2) front-peeling brute force
 * built on nsga_dominates (itself checked by hand), on random sets with 1
 * to 5 objectives, continuous and small-integer coordinates (many ties),
 * duplicated rows, constraint violations and NaN objectives; crowding
 * distance against a direct per-front implementation. */
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

/* Textbook peeling: front k = points not dominated by any point still left. */
static void brute_rank(const double *obj, const double *cv, int n, int m, int *rank) {
    int *left = malloc((size_t)n * sizeof *left), nl = n;
    for (int i = 0; i < n; i++) {
        left[i] = i;
        rank[i] = -1;
    }
    int *cur = malloc((size_t)n * sizeof *cur);
    for (int f = 0; nl > 0; f++) {
        int nc = 0;
        for (int a = 0; a < nl; a++) {
            int i = left[a], dom = 0;
            for (int b = 0; b < nl && !dom; b++) {
                int j = left[b];
                if (j != i && nsga_dominates(obj + (size_t)j * m, cv ? cv[j] : 0, obj + (size_t)i * m, cv ? cv[i] : 0, m))
                    dom = 1;
            }
            if (!dom) cur[nc++] = i;
        }
        assert_true(nc > 0);
        for (int c = 0; c < nc; c++) rank[cur[c]] = f;
        int k = 0;
        for (int a = 0; a < nl; a++)
            if (rank[left[a]] < 0) left[k++] = left[a];
        nl = k;
    }
    free(left);
    free(cur);
}

typedef enum { GEN_REAL, GEN_INT, GEN_DUP } gen_kind;

/* Random set: GEN_REAL uniform, GEN_INT integers 0..range-1, GEN_DUP reals
 * with about half the rows copies of earlier rows. Optionally constraints
 * (about a third infeasible, cv from {0.5, 1, 2}) and a few NaN rows. */
static void make_set(hw_rng *r, gen_kind kind, int range, int n, int m, double *obj, double *cv, int with_nan) {
    for (int i = 0; i < n; i++) {
        if (kind == GEN_DUP && i > 0 && rng_uniform(r) < 0.5) {
            int src = (int)rng_below(r, (uint64_t)i);
            memcpy(obj + (size_t)i * m, obj + (size_t)src * m, (size_t)m * sizeof *obj);
        } else {
            for (int j = 0; j < m; j++)
                obj[(size_t)i * m + j] = kind == GEN_INT ? (double)rng_below(r, (uint64_t)range) : rng_uniform(r);
        }
        if (cv) {
            static const double lv[3] = {0.5, 1.0, 2.0};
            cv[i] = rng_uniform(r) < 0.33 ? lv[rng_below(r, 3)] : 0.0;
        }
        if (with_nan && rng_uniform(r) < 0.03) obj[(size_t)i * m + rng_below(r, (uint64_t)m)] = NAN;
    }
}

static void check_against_brute(hw_rng *r, gen_kind kind, int range, int n, int m, int cons, int with_nan) {
    double *obj = calloc((size_t)n * m, sizeof *obj), *cv = cons ? malloc((size_t)n * sizeof *cv) : NULL;
    int *got = malloc((size_t)n * sizeof *got), *want = malloc((size_t)n * sizeof *want);
    make_set(r, kind, range, n, m, obj, cv, with_nan);
    int nf = nd_sort(obj, cv, n, m, got);
    brute_rank(obj, cv, n, m, want);
    int maxr = -1;
    for (int i = 0; i < n; i++) {
        if (got[i] != want[i])
            fail_msg("n=%d m=%d kind=%d cons=%d: point %d rank %d, brute force %d", n, m, (int)kind, cons, i, got[i],
                     want[i]);
        if (want[i] > maxr) maxr = want[i];
    }
    assert_int_equal(nf, maxr + 1);
    free(obj);
    free(cv);
    free(got);
    free(want);
}

static void test_dominates(void **st) {
    (void)st;
    const double a[2] = {1, 2}, b[2] = {1, 3}, c[2] = {0, 5};
    assert_true(nsga_dominates(a, 0, b, 0, 2));
    assert_false(nsga_dominates(b, 0, a, 0, 2));
    assert_false(nsga_dominates(a, 0, a, 0, 2)); /* equal: no */
    assert_false(nsga_dominates(a, 0, c, 0, 2)); /* incomparable */
    assert_false(nsga_dominates(c, 0, a, 0, 2));
    assert_true(nsga_dominates(b, 0, a, 0.1, 2)); /* feasible beats infeasible */
    assert_false(nsga_dominates(a, 0.1, b, 0, 2));
    assert_true(nsga_dominates(b, 0.1, a, 0.2, 2)); /* smaller violation */
    assert_false(nsga_dominates(a, 0.2, b, 0.2, 2)); /* equal violation: no */
    const double nanp[2] = {NAN, 0};
    assert_true(nsga_dominates(b, 5.0, nanp, 0, 2)); /* NaN counts as cv = INF */
    assert_false(nsga_dominates(nanp, 0, b, 5.0, 2));
}

static void test_small_known(void **st) {
    (void)st;
    /* 2-D: (1,1) front 0; (1,2),(2,1) front 1; (2,2) twice front 2; (3,0) front 0 */
    const double o[] = {2, 2, 1, 1, 1, 2, 2, 1, 2, 2, 3, 0};
    int r[6];
    assert_int_equal(nd_sort(o, NULL, 6, 2, r), 3);
    const int want[6] = {2, 0, 1, 1, 2, 0};
    for (int i = 0; i < 6; i++) assert_int_equal(r[i], want[i]);
    assert_int_equal(nd_sort(o, NULL, 0, 2, r), 0);
}

static void test_random_2d(void **st) {
    (void)st;
    hw_rng r;
    rng_seed(&r, 11);
    for (int rep = 0; rep < 40; rep++) {
        int n = 1 + (int)rng_below(&r, 300);
        check_against_brute(&r, GEN_REAL, 0, n, 2, rep & 1, rep % 5 == 0);
        check_against_brute(&r, GEN_INT, 2 + rep % 6, n, 2, rep & 1, 0);
        check_against_brute(&r, GEN_DUP, 0, n, 2, (rep >> 1) & 1, 0);
    }
}

static void test_random_1d(void **st) {
    (void)st;
    hw_rng r;
    rng_seed(&r, 12);
    for (int rep = 0; rep < 20; rep++) {
        int n = 1 + (int)rng_below(&r, 200);
        check_against_brute(&r, GEN_INT, 5, n, 1, rep & 1, rep % 3 == 0);
        check_against_brute(&r, GEN_REAL, 0, n, 1, 0, 0);
    }
}

static void test_random_many_obj(void **st) {
    (void)st;
    hw_rng r;
    rng_seed(&r, 13);
    for (int m = 3; m <= 5; m++)
        for (int rep = 0; rep < 25; rep++) {
            int n = 1 + (int)rng_below(&r, 400);
            check_against_brute(&r, GEN_REAL, 0, n, m, rep & 1, rep % 5 == 0);
            check_against_brute(&r, GEN_INT, 2 + rep % 5, n, m, rep & 1, 0);
            check_against_brute(&r, GEN_DUP, 0, n, m, (rep >> 1) & 1, 0);
        }
}

/* Larger sets, so the divide and conquer recurses deeply (sweeps, splits with
 * ties on every level). */
static void test_large_many_obj(void **st) {
    (void)st;
    hw_rng r;
    rng_seed(&r, 14);
    for (int m = 3; m <= 5; m++) {
        check_against_brute(&r, GEN_REAL, 0, 2500, m, 0, 0);
        check_against_brute(&r, GEN_INT, 7, 2500, m, 0, 0);
        check_against_brute(&r, GEN_INT, 40, 2500, m, 1, 0);
        check_against_brute(&r, GEN_DUP, 0, 2000, m, 0, 0);
    }
    /* a 3-D set that is one single front (points on a plane) */
    int n = 3000, m = 3;
    double *obj = malloc((size_t)n * m * sizeof *obj);
    int *rk = malloc((size_t)n * sizeof *rk);
    for (int i = 0; i < n; i++) {
        double a = rng_uniform(&r), b = rng_uniform(&r) * (1 - a);
        obj[i * 3] = a;
        obj[i * 3 + 1] = b;
        obj[i * 3 + 2] = 1 - a - b;
    }
    assert_int_equal(nd_sort(obj, NULL, n, m, rk), 1);
    for (int i = 0; i < n; i++) assert_int_equal(rk[i], 0);
    free(obj);
    free(rk);
}

/* Direct crowding: per front, per objective, qsort by (value, index). */
typedef struct vi {
    double v;
    int i;
} vi;
static int cmp_vi(const void *a, const void *b) {
    const vi *x = a, *y = b;
    if (x->v != y->v) return x->v < y->v ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}
static void direct_crowding(const double *obj, const int *rank, int n, int m, double *out) {
    int nr = 0;
    for (int i = 0; i < n; i++) {
        out[i] = 0;
        if (rank[i] + 1 > nr) nr = rank[i] + 1;
    }
    vi *f = malloc((size_t)n * sizeof *f);
    for (int r = 0; r < nr; r++)
        for (int j = 0; j < m; j++) {
            int s = 0;
            for (int i = 0; i < n; i++)
                if (rank[i] == r) {
                    f[s].v = obj[(size_t)i * m + j];
                    f[s].i = i;
                    s++;
                }
            if (!s) continue;
            qsort(f, (size_t)s, sizeof *f, cmp_vi);
            out[f[0].i] = out[f[s - 1].i] = INFINITY;
            double span = f[s - 1].v - f[0].v;
            if (s <= 2 || span <= 0) continue;
            for (int t = 1; t < s - 1; t++) out[f[t].i] += (f[t + 1].v - f[t - 1].v) / span;
        }
    free(f);
}

static void test_crowding(void **st) {
    (void)st;
    hw_rng r;
    rng_seed(&r, 15);
    for (int rep = 0; rep < 60; rep++) {
        int m = 1 + rep % 4, n = 1 + (int)rng_below(&r, 300);
        double *obj = malloc((size_t)n * m * sizeof *obj);
        int *rk = malloc((size_t)n * sizeof *rk);
        double *got = malloc((size_t)n * sizeof *got), *want = malloc((size_t)n * sizeof *want);
        make_set(&r, (gen_kind)(rep % 3), 4, n, m, obj, NULL, 0);
        nd_sort(obj, NULL, n, m, rk);
        crowding_distance(obj, rk, n, m, got);
        direct_crowding(obj, rk, n, m, want);
        for (int i = 0; i < n; i++) {
            if (isinf(want[i]))
                assert_true(isinf(got[i]));
            else
                assert_true(fabs(got[i] - want[i]) <= 1e-12 * (1 + fabs(want[i])));
        }
        free(obj);
        free(rk);
        free(got);
        free(want);
    }
    /* hand example: front of 4 points on a line */
    const double o[] = {0, 3, 1, 2, 2, 1, 3, 0};
    const int rk[4] = {0, 0, 0, 0};
    double c[4];
    crowding_distance(o, rk, 4, 2, c);
    assert_true(isinf(c[0]) && isinf(c[3]));
    assert_true(fabs(c[1] - 4.0 / 3.0) < 1e-15 && fabs(c[2] - 4.0 / 3.0) < 1e-15);
}

/* The 1e5 sizes of the benchmark finish quickly and agree with a cheap
 * invariant: every rank-k point (k > 0) of a 2-D sort has a rank-(k-1)
 * dominator among the k-1 front's members (checked on a sample). */
static void test_scale_smoke(void **st) {
    (void)st;
    hw_rng r;
    rng_seed(&r, 16);
    int n = 100000;
    for (int m = 2; m <= 3; m++) {
        double *obj = malloc((size_t)n * m * sizeof *obj);
        int *rk = malloc((size_t)n * sizeof *rk);
        make_set(&r, GEN_REAL, 0, n, m, obj, NULL, 0);
        int nf = nd_sort(obj, NULL, n, m, rk);
        assert_true(nf > 1);
        for (int s = 0; s < 200; s++) {
            int i = (int)rng_below(&r, (uint64_t)n);
            int found = rk[i] == 0;
            for (int j = 0; j < n && !found; j++)
                if (rk[j] == rk[i] - 1 && nsga_dominates(obj + (size_t)j * m, 0, obj + (size_t)i * m, 0, m)) found = 1;
            assert_true(found);
            for (int j = 0; j < n; j++)
                if (rk[j] >= rk[i]) assert_false(nsga_dominates(obj + (size_t)j * m, 0, obj + (size_t)i * m, 0, m));
        }
        free(obj);
        free(rk);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dominates),      cmocka_unit_test(test_small_known),
        cmocka_unit_test(test_random_1d),      cmocka_unit_test(test_random_2d),
        cmocka_unit_test(test_random_many_obj), cmocka_unit_test(test_large_many_obj),
        cmocka_unit_test(test_crowding),       cmocka_unit_test(test_scale_smoke),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
