/* test_pred_help: the meta-learned latency predictor (pred_help.h) on a synthetic
 * family of devices with known structure, its determinism, save/load
 * round trips, missing reference archs, HELP's pool/query construction (pred_fewshot_sets) on
 * a hand-made table, and the shipped NB201 meta-model. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pred_fewshot.h"
#include "pred_help.h"
#include "hw_err.h"
#include "pred.h"
#include "rng.h"
#include "space.h"
#include "stats.h"

enum { N = 1500, D = 8, NDEV = 8, NREF = 10, NQ = 500 };

static float X[N * D];
static double lat[(NDEV + 1) * N];

/* log latency of device w at x: a nonlinear 4-term family */
static double dev_log_lat(const double *w, const float *x) {
    return w[0] * x[0] + w[1] * x[1] * x[2] + w[2] * (x[3] > 0.5f ? x[3] - 0.5f : 0) + w[3] * x[4] + 1.0;
}

static void make_family(void) {
    hw_rng r;
    rng_seed(&r, 11);
    for (int i = 0; i < N * D; i++) X[i] = (float)rng_uniform(&r);
    for (int v = 0; v <= NDEV; v++) { /* device NDEV is held out */
        double w[4];
        for (int k = 0; k < 4; k++) w[k] = 1.0 + 0.6 * rng_normal(&r);
        for (int i = 0; i < N; i++) lat[(size_t)v * N + i] = exp(dev_log_lat(w, X + i * D));
    }
}

static pred_help_meta *train(int steps, uint64_t seed) {
    pred_help_cfg c;
    pred_help_cfg_default(&c);
    c.hidden1 = 32, c.hidden2 = 16, c.members = 2, c.steps = steps, c.query = 50, c.seed = seed;
    const char *names[NDEV] = {"a", "b", "c", "d", "e", "f", "g", "h"};
    int refs[NREF];
    for (int j = 0; j < NREF; j++) refs[j] = j * 7;
    pred_help_meta *m = NULL;
    assert_int_equal(pred_help_meta_train(&c, X, N, D, lat, NDEV, names, refs, NULL, NREF, &m), 0);
    return m;
}

/* rho of the held-out device's query rows (N-NQ..N) after adapting with
 * 10 shots (rows 100..109) and the reference latencies. */
static double heldout_rho(const pred_help_meta *m, pred **out_model) {
    const double *lt = lat + (size_t)NDEV * N;
    double ref[NREF], ys[10], pm[NQ], ps[NQ];
    for (int j = 0; j < NREF; j++) ref[j] = lt[j * 7];
    for (int i = 0; i < 10; i++) ys[i] = lt[100 + i];
    pred *p;
    assert_int_equal(pred_help_adapt(m, ref, X + 100 * D, ys, 10, &p), 0);
    pred_predict(p, X + (size_t)(N - NQ) * D, NQ, pm, ps);
    for (int i = 0; i < NQ; i++) assert_true(pm[i] > 0 && ps[i] >= 0);
    double rho = stats_spearman(pm, lt + N - NQ, NQ);
    if (out_model) *out_model = p;
    else pred_free(p);
    return rho;
}

static void test_meta_learning_helps(void **st) {
    (void)st;
    make_family();
    pred_help_meta *untrained = train(0, 1), *m = train(400, 1);
    double r0 = heldout_rho(untrained, NULL), r1 = heldout_rho(m, NULL);
    printf("held-out device rho: untrained body %.4f, meta-trained %.4f (%.2f s)\n", r0, r1,
           pred_help_meta_train_seconds(m));
    assert_true(r1 > 0.9);
    assert_true(r1 > r0 + 0.02);
    pred_help_meta_free(untrained);
    pred_help_meta_free(m);
}

static void test_deterministic_and_roundtrip(void **st) {
    (void)st;
    make_family();
    pred_help_meta *a = train(100, 5), *b = train(100, 5), *c2 = NULL;
    uint8_t *ba, *bb;
    size_t la, lb;
    assert_int_equal(pred_help_meta_save(a, &ba, &la), 0);
    assert_int_equal(pred_help_meta_save(b, &bb, &lb), 0);
    assert_int_equal(la, lb);
    assert_memory_equal(ba, bb, la);
    assert_int_equal(pred_help_meta_load(ba, la, &c2), 0);
    /* truncations and another version are rejected */
    for (size_t k = 0; k < la; k += (k < 40 ? 1 : 131)) {
        pred_help_meta *x = NULL;
        assert_int_equal(pred_help_meta_load(ba, k, &x), -1);
        assert_null(x);
    }
    ba[8]++;
    pred_help_meta *x = NULL;
    assert_int_equal(pred_help_meta_load(ba, la, &x), -1);
    assert_non_null(strstr(hw_errmsg(), "version"));
    /* adapted models: loaded meta-model adapts identically; pred_save /
     * pred_load of the PRED_HELP model predict bit-identically */
    pred *pa, *pc, *pl;
    heldout_rho(a, &pa);
    heldout_rho(c2, &pc);
    static double m1[N], s1[N], m2[N], s2[N];
    pred_predict(pa, X, N, m1, s1);
    pred_predict(pc, X, N, m2, s2);
    assert_memory_equal(m1, m2, sizeof m1);
    uint8_t *pb;
    size_t pln;
    assert_int_equal(pred_save(pa, &pb, &pln), 0);
    assert_int_equal(pred_load(pb, pln, &pl), 0);
    assert_int_equal(pred_get_kind(pl), PRED_HELP);
    pred_predict(pl, X, N, m2, s2);
    assert_memory_equal(m1, m2, sizeof m1);
    assert_memory_equal(s1, s2, sizeof s1);
    for (size_t k = 0; k < pln; k += 53) {
        pred *q = NULL;
        assert_int_equal(pred_load(pb, k, &q), -1);
    }
    free(pb), free(ba), free(bb);
    pred_free(pa), pred_free(pc), pred_free(pl);
    pred_help_meta_free(a), pred_help_meta_free(b), pred_help_meta_free(c2);
}

static void test_missing_reference(void **st) {
    (void)st;
    make_family();
    pred_help_meta *m = train(200, 2);
    const double *lt = lat + (size_t)NDEV * N;
    double ref[NREF], ys[10];
    for (int j = 0; j < NREF; j++) ref[j] = lt[j * 7];
    for (int i = 0; i < 10; i++) ys[i] = lt[100 + i];
    ref[3] = NAN; /* like TX2's arch 9 */
    pred *p;
    assert_int_equal(pred_help_adapt(m, ref, X + 100 * D, ys, 10, &p), 0);
    static double pm[NQ];
    pred_predict(p, X + (size_t)(N - NQ) * D, NQ, pm, NULL);
    assert_true(stats_spearman(pm, lt + N - NQ, NQ) > 0.85);
    pred_free(p);
    for (int j = 0; j < NREF - 1; j++) ref[j] = NAN; /* one left */
    p = (pred *)1;
    assert_int_equal(pred_help_adapt(m, ref, X + 100 * D, ys, 10, &p), -1);
    assert_null(p);
    assert_non_null(strstr(hw_errmsg(), "reference"));
    ref[NREF - 2] = -1; /* negative latency */
    assert_int_equal(pred_help_adapt(m, ref, X, ys, 10, &p), -1);
    pred_help_meta_free(m);
}

/* pred_help_meta_trained_on: the same device set in any order, before and
 * after a save/load round trip; not a subset, a superset, a prefix of a
 * name or another name. */
static void test_trained_on(void **st) {
    (void)st;
    make_family();
    pred_help_meta *m = train(10, 1), *l = NULL;
    const char *same[NDEV] = {"h", "g", "f", "e", "d", "c", "b", "a"};
    const char *other[NDEV] = {"a", "b", "c", "d", "e", "f", "g", "z"};
    const char *longer[NDEV] = {"a", "b", "c", "d", "e", "f", "g", "hh"};
    const char *more[NDEV + 1] = {"a", "b", "c", "d", "e", "f", "g", "h", "i"};
    assert_int_equal(pred_help_meta_trained_on(m, same, NDEV), 1);
    assert_int_equal(pred_help_meta_trained_on(m, same, NDEV - 1), 0);
    assert_int_equal(pred_help_meta_trained_on(m, more, NDEV + 1), 0);
    assert_int_equal(pred_help_meta_trained_on(m, other, NDEV), 0);
    assert_int_equal(pred_help_meta_trained_on(m, longer, NDEV), 0);
    uint8_t *b = NULL;
    size_t bn = 0;
    assert_int_equal(pred_help_meta_save(m, &b, &bn), 0);
    assert_int_equal(pred_help_meta_load(b, bn, &l), 0);
    assert_int_equal(pred_help_meta_trained_on(l, same, NDEV), 1);
    assert_int_equal(pred_help_meta_trained_on(l, other, NDEV), 0);
    free(b);
    pred_help_meta_free(m);
    pred_help_meta_free(l);
}

/* HELP's trimming on a hand-made table: pool indices 0..9, query 10..19. */
static void test_protocol_sets(void **st) {
    (void)st;
    /* pool latencies: index i has latency pl[i] */
    double l[20] = {5, 1, 9, 3, 7, 2, 8, 4, 6, 10, /* query: */ 20, 11, 19, 12, 18, 13, 17, 14, 16, NAN};
    int pool[10], query[10], np, nq;
    assert_int_equal(pred_fewshot_sets(l, 20, 0, 10, 10, 20, pool, &np, query, &nq), 0);
    /* 10 pool values: sorted positions 1..8 kept (min 1 at idx 1, max 10 at idx 9 dropped) */
    assert_int_equal(np, 8);
    const int want_pool[8] = {5, 3, 7, 0, 8, 4, 6, 2}; /* latencies 2,3,4,5,6,7,8,9 */
    assert_memory_equal(pool, want_pool, sizeof want_pool);
    /* 9 measured query values: int(0.9)=0 .. int(8.1)=8 -> drop only the max (20 at idx 10) */
    assert_int_equal(nq, 8);
    const int want_q[8] = {11, 13, 15, 17, 18, 16, 14, 12};
    assert_memory_equal(query, want_q, sizeof want_q);
    /* ties broken by index */
    double t[4] = {1, 1, 1, 1};
    int p4[4], q4[4];
    assert_int_equal(pred_fewshot_sets(t, 4, 0, 4, 0, 4, p4, &np, q4, &nq), 0);
    assert_int_equal(np, 3); /* positions int(0.4)=0 .. int(3.6)=3 */
    assert_true(p4[0] == 0 && p4[1] == 1 && p4[2] == 2);
    assert_int_equal(pred_fewshot_sets(t, 4, 0, 1, 1, 4, p4, &np, q4, &nq), -1); /* 1 value -> empty */
    assert_int_equal(pred_fewshot_sets(l, 20, 0, 10, 10, 21, pool, &np, query, &nq), -1);
}

/* The shipped meta-model loads and matches HELP's reference archs. */
static void test_shipped_model(void **st) {
    (void)st;
    const char *dir = getenv("HWNAS_DATA");
    char path[4096];
    snprintf(path, sizeof path, "%s/help/help_nb201.bin", dir ? dir : "data");
    pred_help_meta *m;
    assert_int_equal(pred_help_meta_load_file(path, &m), 0);
    space *sp;
    assert_int_equal(space_create_nb201(&sp), 0);
    assert_int_equal(pred_help_meta_nfeatures(m), pred_space_nfeatures(sp));
    const int64_t refs[10] = {11982, 431, 55, 9, 14451, 8636, 9881, 13479, 6196, 1462};
    assert_int_equal(pred_help_meta_nref(m), 10);
    for (int j = 0; j < 10; j++) assert_int_equal(pred_help_meta_ref_id(m, j), refs[j]);
    char desc[4096];
    pred_help_meta_describe(m, desc, sizeof desc);
    assert_null(strstr(desc, "titanx")); /* never trained on meta-valid devices */
    assert_null(strstr(desc, "gold_6240"));
    space_free(sp);
    pred_help_meta_free(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_meta_learning_helps),  cmocka_unit_test(test_deterministic_and_roundtrip),
        cmocka_unit_test(test_missing_reference),    cmocka_unit_test(test_protocol_sets),
        cmocka_unit_test(test_shipped_model),        cmocka_unit_test(test_trained_on),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
