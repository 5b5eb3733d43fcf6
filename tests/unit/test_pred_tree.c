/* tests the xgboost-backed tree predictors. */
/* test_pred_tree: random forest / boosted trees (pred.h): known synthetic
 * functions, own flat-tree traversal == xgboost's predictor, bit-identical
 * save/load, rejection of truncated / corrupted / other-version buffers,
 * and bad-input errors. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "hw_err.h"
#include "pred.h"
#include "rng.h"
#include "stats.h"

enum { N = 1500, NQ = 500, D = 6 };

/* y = 3 x0 + 2 [x1 > 0.5] + x2 * x3 + 5 (x in [0,1)^D, x4 x5 irrelevant) */
static double fn(const float *x) { return 3 * x[0] + (x[1] > 0.5f ? 2 : 0) + x[2] * x[3] + 5; }

static void make_data(uint64_t seed, float *X, double *y, int n) {
    hw_rng r;
    rng_seed(&r, seed);
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < D; j++) X[i * D + j] = (float)rng_uniform(&r);
        y[i] = fn(X + i * D);
    }
}

static float X[N * D], Xq[NQ * D];
static double y[N], yq[NQ], m1[NQ], s1[NQ], m2[NQ], s2[NQ], ref[NQ];

static void test_known_function(void **st) {
    (void)st;
    make_data(1, X, y, N);
    make_data(2, Xq, yq, NQ);
    pred_params p;
    pred_params_default(PRED_XGB, &p);
    pred *m;
    assert_int_equal(pred_fit(&p, X, y, N, D, &m), 0);
    pred_predict(m, Xq, NQ, m1, s1);
    double mae = 0;
    for (int i = 0; i < NQ; i++) mae += fabs(m1[i] - yq[i]) / NQ;
    assert_true(mae < 0.1); /* the function spans 5..11 */
    assert_true(stats_spearman(m1, yq, NQ) > 0.99);
    for (int i = 0; i < NQ; i++) assert_true(s1[i] == 0); /* one bag: no spread */
    pred_free(m);

    pred_params_default(PRED_RF, &p);
    assert_int_equal(pred_fit(&p, X, y, N, D, &m), 0);
    assert_int_equal(pred_ntrees(m), 100);
    assert_int_equal(pred_nmembers(m), 100);
    pred_predict(m, Xq, NQ, m1, s1);
    assert_true(stats_spearman(m1, yq, NQ) > 0.97);
    double mean_sd = 0;
    for (int i = 0; i < NQ; i++) {
        assert_true(s1[i] >= 0);
        mean_sd += s1[i] / NQ;
    }
    assert_true(mean_sd > 0.01 && mean_sd < 1.0);
    pred_free(m);
}

/* Own traversal must reproduce xgboost's predictions (float sums in a
 * different order: tolerance 1e-5 relative). */
static void check_vs_xgb(const pred_params *p) {
    pred *m;
    assert_int_equal(pred_fit(p, X, y, N, D, &m), 0);
    pred_predict(m, Xq, NQ, m1, NULL);
    assert_int_equal(pred_fit_xgb_reference(p, X, y, N, D, Xq, NQ, ref), 0);
    for (int i = 0; i < NQ; i++) assert_true(fabs(m1[i] - ref[i]) <= 1e-5 * fabs(ref[i]) + 1e-6);
    pred_free(m);
}

static void test_traversal_matches_xgboost(void **st) {
    (void)st;
    make_data(3, X, y, N);
    make_data(4, Xq, yq, NQ);
    pred_params p;
    pred_params_default(PRED_RF, &p);
    check_vs_xgb(&p);
    p.max_depth = 3; /* shallow: padding of early leaves */
    check_vs_xgb(&p);
    pred_params_default(PRED_XGB, &p);
    p.n_trees = 50;
    p.n_bags = 3;
    check_vs_xgb(&p);
    p.log_target = 1;
    check_vs_xgb(&p);
    /* integer features (like NB201's): split thresholds coincide with data
     * values, so the x >= thr convention matters */
    for (int i = 0; i < N * D; i++) X[i] = floorf(X[i] * 5);
    for (int i = 0; i < NQ * D; i++) Xq[i] = floorf(Xq[i] * 5);
    for (int i = 0; i < N; i++) y[i] = fn(X + i * D);
    pred_params_default(PRED_RF, &p);
    check_vs_xgb(&p);
    pred_params_default(PRED_XGB, &p);
    p.n_trees = 50;
    check_vs_xgb(&p);
}

static void test_save_load_bit_identical(void **st) {
    (void)st;
    make_data(5, X, y, N);
    make_data(6, Xq, yq, NQ);
    pred_params p;
    pred_params_default(PRED_XGB, &p);
    p.n_trees = 40;
    p.n_bags = 2;
    p.log_target = 1;
    for (int kind = 0; kind < 2; kind++) {
        if (kind) pred_params_default(PRED_RF, &p);
        pred *a, *b;
        assert_int_equal(pred_fit(&p, X, y, N, D, &a), 0);
        uint8_t *buf, *buf2;
        size_t len, len2;
        assert_int_equal(pred_save(a, &buf, &len), 0);
        assert_int_equal(pred_load(buf, len, &b), 0);
        pred_predict(a, Xq, NQ, m1, s1);
        pred_predict(b, Xq, NQ, m2, s2);
        assert_memory_equal(m1, m2, sizeof m1);
        assert_memory_equal(s1, s2, sizeof s1);
        assert_int_equal(pred_save(b, &buf2, &len2), 0);
        assert_int_equal(len, len2);
        assert_memory_equal(buf, buf2, len);
        assert_int_equal(pred_get_kind(b), kind ? PRED_RF : PRED_XGB);
        assert_int_equal(pred_nfeatures(b), D);
        pred_free(b);
        /* every truncation is rejected */
        for (size_t k = 0; k < len; k += (k < 64 ? 1 : 97)) {
            pred *c = (pred *)1;
            assert_int_equal(pred_load(buf, k, &c), -1);
            assert_null(c);
        }
        /* another format version */
        buf[8] = (uint8_t)(PRED_FORMAT_VERSION + 1);
        assert_int_equal(pred_load(buf, len, &b), -1);
        assert_non_null(strstr(hw_errmsg(), "version"));
        buf[8] = PRED_FORMAT_VERSION;
        /* a flipped payload byte fails the checksum */
        buf[len / 2] ^= 0x40;
        assert_int_equal(pred_load(buf, len, &b), -1);
        buf[len / 2] ^= 0x40;
        assert_int_equal(pred_load(buf, len, &b), 0);
        pred_free(b);
        /* file round trip */
        char path[] = "/tmp/test_pred_tree_XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        close(fd);
        assert_int_equal(pred_save_file(a, path), 0);
        assert_int_equal(pred_load_file(path, &b), 0);
        pred_predict(b, Xq, NQ, m2, s2);
        assert_memory_equal(m1, m2, sizeof m1);
        pred_free(b);
        unlink(path);
        free(buf);
        free(buf2);
        pred_free(a);
    }
}

static void test_bad_input(void **st) {
    (void)st;
    make_data(7, X, y, N);
    pred_params p;
    pred_params_default(PRED_RF, &p);
    pred *m = (pred *)1;
    assert_int_equal(pred_fit(&p, X, y, 1, D, &m), -1);
    assert_null(m);
    assert_non_null(strstr(hw_errmsg(), "too few"));
    float keep = X[3];
    X[3] = NAN;
    assert_int_equal(pred_fit(&p, X, y, 100, D, &m), -1);
    X[3] = keep;
    double ky = y[5];
    y[5] = INFINITY;
    assert_int_equal(pred_fit(&p, X, y, 100, D, &m), -1);
    y[5] = -1;
    p.log_target = 1;
    assert_int_equal(pred_fit(&p, X, y, 100, D, &m), -1);
    y[5] = ky;
    p.log_target = 0;
    p.max_depth = PRED_MAX_DEPTH + 1;
    assert_int_equal(pred_fit(&p, X, y, 100, D, &m), -1);
    p.max_depth = 4;
    p.subsample = 0;
    assert_int_equal(pred_fit(&p, X, y, 100, D, &m), -1);
    pred_params_default(PRED_HELP, &p);
    p.kind = PRED_HELP;
    assert_int_equal(pred_fit(&p, X, y, 100, D, &m), -1);
    const uint8_t junk[16] = "not a model....";
    assert_int_equal(pred_load(junk, sizeof junk, &m), -1);
    pred_kind k;
    assert_int_equal(pred_kind_parse("xgb", &k), 0);
    assert_int_equal(k, PRED_XGB);
    assert_int_equal(pred_kind_parse("svm", &k), -1);
}

/* Fitting is deterministic for a seed. */
static void test_deterministic(void **st) {
    (void)st;
    make_data(8, X, y, N);
    make_data(9, Xq, yq, NQ);
    pred_params p;
    pred_params_default(PRED_RF, &p);
    pred *a, *b;
    assert_int_equal(pred_fit(&p, X, y, N, D, &a), 0);
    assert_int_equal(pred_fit(&p, X, y, N, D, &b), 0);
    pred_predict(a, Xq, NQ, m1, s1);
    pred_predict(b, Xq, NQ, m2, s2);
    assert_memory_equal(m1, m2, sizeof m1);
    pred_free(a);
    pred_free(b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_function),
        cmocka_unit_test(test_traversal_matches_xgboost),
        cmocka_unit_test(test_save_load_bit_identical),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
