/* test_pareto_archive: the archive keeps exactly the non-dominated points of
 * everything inserted (compared with a brute-force front of all inserts,
 * as (objectives, id) multisets), for 2 to 4 objectives with integer
 * coordinates (ties and equal points under distinct ids); single and batch
 * inserts agree; repeated ids are refused; genomes travel with their ids;
 * the archive's HV equals hv_exact of the brute-force front. */
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

typedef struct rec {
    double o[4];
    uint64_t id;
} rec;

static int m_cmp; /* objectives compared by cmp_rec */
static int cmp_rec(const void *a, const void *b) {
    const rec *x = a, *y = b;
    for (int j = 0; j < m_cmp; j++)
        if (x->o[j] != y->o[j]) return x->o[j] < y->o[j] ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* 1 if x weakly dominates y and differs. */
static int dom(const double *x, const double *y, int m) {
    int s = 0;
    for (int j = 0; j < m; j++) {
        if (x[j] > y[j]) return 0;
        if (x[j] < y[j]) s = 1;
    }
    return s;
}

static int brute_front(const rec *all, int n, int m, rec *out) {
    int k = 0;
    for (int i = 0; i < n; i++) {
        int d = 0;
        for (int j = 0; j < n && !d; j++) d = dom(all[j].o, all[i].o, m);
        if (!d) out[k++] = all[i];
    }
    return k;
}

static void check_same(const pareto_archive *a, const rec *all, int n, int m) {
    rec *want = malloc(((size_t)n + 1) * sizeof *want), *got = malloc(((size_t)n + 1) * sizeof *got);
    int nw = brute_front(all, n, m, want), ng = pareto_archive_size(a);
    assert_int_equal(ng, nw);
    for (int i = 0; i < ng; i++) {
        memset(&got[i], 0, sizeof got[i]);
        memcpy(got[i].o, pareto_archive_obj(a, i), (size_t)m * sizeof(double));
        got[i].id = pareto_archive_id(a, i);
        /* the genome travels with the id: gene 0 holds id % 1000 */
        assert_int_equal(pareto_archive_genome(a, i)->g[0], (int)(got[i].id % 1000));
    }
    m_cmp = m;
    qsort(got, (size_t)ng, sizeof *got, cmp_rec);
    qsort(want, (size_t)nw, sizeof *want, cmp_rec);
    for (int i = 0; i < ng; i++) {
        assert_true(got[i].id == want[i].id);
        for (int j = 0; j < m; j++) assert_true(got[i].o[j] == want[i].o[j]);
    }
    if (m <= 3) {
        double ref[3] = {100, 100, 100}, h1, h2;
        double *wo = malloc(((size_t)nw + 1) * m * sizeof *wo);
        for (int i = 0; i < nw; i++) memcpy(wo + (size_t)i * m, want[i].o, (size_t)m * sizeof(double));
        assert_int_equal(pareto_archive_hv(a, ref, &h1), 0);
        assert_int_equal(hv_exact(wo, nw, m, ref, &h2), 0);
        assert_true(fabs(h1 - h2) <= 1e-9 * (1 + h2));
        free(wo);
    }
    free(want);
    free(got);
}

static void fill_rec(hw_rng *r, rec *x, int m, int range, uint64_t id) {
    memset(x, 0, sizeof *x);
    for (int j = 0; j < m; j++) x->o[j] = (double)rng_below(r, (uint64_t)range);
    x->id = id;
}

static void run_single(int m, int range, int n, uint64_t seed) {
    hw_rng r;
    rng_seed(&r, seed);
    pareto_archive *a;
    assert_int_equal(pareto_archive_create(m, &a), 0);
    assert_int_equal(pareto_archive_nobj(a), m);
    rec *all = malloc((size_t)n * sizeof *all);
    int nall = 0;
    for (int t = 0; t < n; t++) {
        rec x;
        fill_rec(&r, &x, m, range, 1000003ULL * (uint64_t)t + 7);
        hw_genome g;
        memset(&g, 0, sizeof g);
        g.g[0] = (int16_t)(x.id % 1000);
        int in = pareto_archive_insert(a, x.o, x.id, &g);
        /* entered iff no inserted point so far dominates it */
        int d = 0;
        for (int i = 0; i < nall && !d; i++) d = dom(all[i].o, x.o, m);
        assert_int_equal(in, !d);
        all[nall++] = x;
        if (t % 97 == 0 || t == n - 1) check_same(a, all, nall, m);
    }
    pareto_archive_free(a);
    free(all);
}

static void test_single_2d(void **st) {
    (void)st;
    run_single(2, 30, 2000, 31);
    run_single(2, 4, 500, 32);   /* heavy ties, many equal points */
    run_single(2, 1000, 3000, 33);
}

static void test_single_many(void **st) {
    (void)st;
    run_single(3, 12, 1500, 34);
    run_single(3, 3, 400, 35);
    run_single(4, 8, 1500, 36);
}

static void test_batch(void **st) {
    (void)st;
    hw_rng r;
    rng_seed(&r, 37);
    for (int m = 2; m <= 3; m++) {
        pareto_archive *a, *b;
        pareto_archive_create(m, &a);
        pareto_archive_create(m, &b);
        int n = 0, cap = 20000;
        rec *all = malloc((size_t)cap * sizeof *all);
        for (int round = 0; round < 12; round++) {
            int k = 1 + (int)rng_below(&r, 1500);
            double *o = malloc((size_t)k * m * sizeof *o);
            uint64_t *id = malloc((size_t)k * sizeof *id);
            hw_genome *g = calloc((size_t)k, sizeof *g);
            int fresh = 0;
            for (int t = 0; t < k; t++) {
                rec x;
                /* some ids repeat earlier ones (refused when still archived) */
                uint64_t nid = (n > 0 && rng_uniform(&r) < 0.05) ? all[rng_below(&r, (uint64_t)n)].id
                                                                : 1000003ULL * (uint64_t)(n + 1) + 11;
                fill_rec(&r, &x, m, 200, nid);
                memcpy(o + (size_t)t * m, x.o, (size_t)m * sizeof(double));
                id[t] = nid;
                g[t].g[0] = (int16_t)(nid % 1000);
                if (nid == 1000003ULL * (uint64_t)(n + 1) + 11) {
                    all[n++] = x;
                    fresh++;
                }
            }
            (void)fresh;
            int ent = -1;
            assert_int_equal(pareto_archive_insert_batch(a, o, id, g, k, &ent), 0);
            for (int t = 0; t < k; t++) pareto_archive_insert(b, o + (size_t)t * m, id[t], &g[t]);
            assert_int_equal(pareto_archive_size(a), pareto_archive_size(b));
            assert_true(ent >= 0 && ent <= k);
            free(o);
            free(id);
            free(g);
        }
        /* repeated ids were refused or superseded: the front of the fresh
         * ids is what both archives hold, as long as no repeat entered; a
         * repeat can only enter when its first copy had been removed, which
         * we check through equality of the two archives instead */
        m_cmp = m;
        int na = pareto_archive_size(a);
        rec *ra = malloc(((size_t)na + 1) * sizeof *ra), *rb = malloc(((size_t)na + 1) * sizeof *rb);
        for (int i = 0; i < na; i++) {
            memset(&ra[i], 0, sizeof ra[i]);
            memset(&rb[i], 0, sizeof rb[i]);
            memcpy(ra[i].o, pareto_archive_obj(a, i), (size_t)m * sizeof(double));
            memcpy(rb[i].o, pareto_archive_obj(b, i), (size_t)m * sizeof(double));
            ra[i].id = pareto_archive_id(a, i);
            rb[i].id = pareto_archive_id(b, i);
            assert_int_equal(pareto_archive_genome(a, i)->g[0], (int)(ra[i].id % 1000));
        }
        qsort(ra, (size_t)na, sizeof *ra, cmp_rec);
        qsort(rb, (size_t)na, sizeof *rb, cmp_rec);
        assert_memory_equal(ra, rb, (size_t)na * sizeof *ra);
        /* no archived point is dominated by any fresh insert */
        for (int i = 0; i < na; i++)
            for (int t = 0; t < n; t++) assert_false(dom(all[t].o, ra[i].o, m));
        free(ra);
        free(rb);
        free(all);
        pareto_archive_free(a);
        pareto_archive_free(b);
    }
}

static void test_ids_and_equal_points(void **st) {
    (void)st;
    pareto_archive *a;
    pareto_archive_create(2, &a);
    const double p[2] = {1, 1}, q[2] = {0, 2}, dn[2] = {2, 2}, nanp[2] = {NAN, 0};
    assert_int_equal(pareto_archive_insert(a, p, 1, NULL), 1);
    assert_int_equal(pareto_archive_insert(a, p, 1, NULL), 0); /* same id */
    assert_int_equal(pareto_archive_insert(a, q, 1, NULL), 0); /* same id, other objectives */
    assert_int_equal(pareto_archive_insert(a, p, 2, NULL), 1); /* equal point, new id: kept */
    assert_int_equal(pareto_archive_insert(a, dn, 3, NULL), 0); /* dominated */
    assert_int_equal(pareto_archive_insert(a, nanp, 4, NULL), 0);
    assert_int_equal(pareto_archive_insert(a, q, 5, NULL), 1);
    assert_int_equal(pareto_archive_size(a), 3);
    const double best[2] = {0, 0};
    assert_int_equal(pareto_archive_insert(a, best, 6, NULL), 1);
    assert_int_equal(pareto_archive_size(a), 1);
    assert_true(pareto_archive_id(a, 0) == 6);
    assert_int_equal(pareto_archive_insert(a, p, 1, NULL), 0); /* id 1 was removed, point dominated */
    pareto_archive_clear(a);
    assert_int_equal(pareto_archive_size(a), 0);
    assert_int_equal(pareto_archive_insert(a, p, 1, NULL), 1);
    pareto_archive_free(a);
    assert_int_equal(pareto_archive_create(0, &a), -1);
}

/* 1e5-point front in 2-D through batches stays fast (sorted merge). */
static void test_large_front_2d(void **st) {
    (void)st;
    pareto_archive *a;
    pareto_archive_create(2, &a);
    int n = 100000;
    double *o = malloc((size_t)n * 2 * sizeof *o);
    uint64_t *id = malloc((size_t)n * sizeof *id);
    for (int round = 0; round < 5; round++) {
        for (int t = 0; t < n; t++) {
            double x = (double)(t * 5 + round) / (5.0 * n);
            o[2 * t] = x;
            o[2 * t + 1] = 1 - sqrt(x);
            id[t] = (uint64_t)round * n + t + 1;
        }
        pareto_archive_insert_batch(a, o, id, NULL, n, NULL);
    }
    assert_int_equal(pareto_archive_size(a), 5 * n);
    for (int i = 1; i < pareto_archive_size(a); i++)
        assert_true(pareto_archive_obj(a, i)[0] > pareto_archive_obj(a, i - 1)[0]);
    free(o);
    free(id);
    pareto_archive_free(a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids_and_equal_points), cmocka_unit_test(test_single_2d),
        cmocka_unit_test(test_single_many),          cmocka_unit_test(test_batch),
        cmocka_unit_test(test_large_front_2d),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
