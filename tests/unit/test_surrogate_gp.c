/* test_surrogate_gp: the search surrogate's Gaussian process against a
 * numpy reference (same grid, winsorisation, standardisation; values in
 * the test were computed with numpy 1.24 from the same formulas), its
 * blob round trip, malformed blobs and bad input; and the surrogate's
 * per-objective GP method end to end on NB201 (fit, predict, save, load:
 * identical predictions). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <stdio.h>
#include <unistd.h>

#include "hw_err.h"
#include "rng.h"
#include "search_config.h"
#include "surrogate.h"
#include "surrogate_gp.h"

/* 12 rows, 3 features: (i % 3, 7i % 5, i^2 % 4); y = sin(a) + b/2 - c^2/5,
 * with row 5 replaced by an outlier (40) that the fence clips. */
static void data(float *X, double *y) {
    for (int i = 0; i < 12; i++) {
        double a = i % 3, b = (i * 7) % 5, c = (i * i) % 4;
        X[i * 3] = (float)a;
        X[i * 3 + 1] = (float)b;
        X[i * 3 + 2] = (float)c;
        y[i] = sin(a) + 0.5 * b - 0.2 * c * c;
    }
    y[5] = 40.0;
}

static const float Q[9] = {0.5f, 1, 2, 2, 4, 3, 1, 1, 1};

static void test_numpy_reference(void **st) {
    (void)st;
    float X[36];
    double y[12], mean[3], sd[3];
    data(X, y);
    sgp *g;
    assert_int_equal(sgp_fit(X, y, 12, 3, 0, &g), 0);
    double l, nz;
    sgp_hyper(g, &l, &nz);
    assert_true(l == 1 && nz == 0.01);
    sgp_predict(g, Q, 3, mean, sd);
    const double wm[3] = {1.7346030918843145, 1.9638408027458099, 1.913545234031915};
    const double ws[3] = {1.4792426450551914, 1.6933979639371934, 1.1958985041586427};
    for (int i = 0; i < 3; i++) {
        assert_true(fabs(mean[i] - wm[i]) < 1e-9);
        assert_true(fabs(sd[i] - ws[i]) < 1e-7);
    }
    sgp_free(g);
    /* log target: y' = exp(y / 10) */
    for (int i = 0; i < 12; i++) y[i] = exp(y[i] / 10);
    assert_int_equal(sgp_fit(X, y, 12, 3, 1, &g), 0);
    sgp_predict(g, Q, 3, mean, sd);
    const double lm[3] = {1.1894134770465239, 1.2169942390632407, 1.2108886643640808};
    const double ls[3] = {0.17594311471991997, 0.20608555775031895, 0.14480999501100328};
    for (int i = 0; i < 3; i++) {
        assert_true(fabs(mean[i] - lm[i]) < 1e-9);
        assert_true(fabs(sd[i] - ls[i]) < 1e-7); /* 1 - |L^-1 k|^2 cancels digits */
    }
    sgp_free(g);
}

static void test_blob_roundtrip_and_corruption(void **st) {
    (void)st;
    float X[36];
    double y[12], m1[3], s1[3], m2[3], s2[3];
    data(X, y);
    sgp *g, *h;
    assert_int_equal(sgp_fit(X, y, 12, 3, 0, &g), 0);
    uint8_t *b;
    size_t n;
    assert_int_equal(sgp_save(g, &b, &n), 0);
    assert_int_equal(sgp_load(b, n, &h), 0);
    sgp_predict(g, Q, 3, m1, s1);
    sgp_predict(h, Q, 3, m2, s2);
    assert_memory_equal(m1, m2, sizeof m1);
    assert_memory_equal(s1, s2, sizeof s1);
    sgp_free(h);
    assert_int_equal(sgp_load(b, n - 1, &h), -1); /* truncated */
    assert_null(h);
    b[0] = 'X';
    assert_int_equal(sgp_load(b, n, &h), -1); /* magic */
    b[0] = 'H';
    uint32_t big = 0xffffffffu;
    memcpy(b + 8, &big, 4); /* n */
    assert_int_equal(sgp_load(b, n, &h), -1);
    free(b);
    sgp_free(g);
}

static void test_bad_input(void **st) {
    (void)st;
    float X[36];
    double y[12];
    data(X, y);
    sgp *g;
    assert_int_equal(sgp_fit(X, y, 1, 3, 0, &g), -1);
    y[3] = NAN;
    assert_int_equal(sgp_fit(X, y, 12, 3, 0, &g), -1);
    y[3] = -1;
    assert_int_equal(sgp_fit(X, y, 12, 3, 1, &g), -1); /* log of a negative */
    assert_non_null(strstr(hw_errmsg(), "gp: target 0 is 0")); /* y[0] = 0 */
}

/* Surrogate with a GP per objective on NB201: predictions at measured
 * points are close to the measured values, far from them uncertain, and a
 * blob round trip predicts identically. */
static void test_surrogate_gp_nb201(void **st) {
    (void)st;
    space *sp;
    assert_int_equal(space_create_nb201(&sp), 0);
    surrogate_params p = {.n_obj = 2, .method = {SURR_GP, SURR_GP}, .min_train = 2, .seed = 1};
    surrogate *s, *t;
    assert_int_equal(surrogate_create(sp, &p, &s), 0);
    assert_int_equal(surrogate_create(sp, &p, &t), 0);
    hw_rng r;
    rng_seed(&r, 7);
    hw_genome g[40];
    double obj[2];
    for (int i = 0; i < 40; i++) {
        space_sample(sp, &r, &g[i]);
        int convs = 0;
        for (int e = 0; e < 6; e++) convs += g[i].g[e] == 2 || g[i].g[e] == 3;
        obj[0] = -(80 + 2.0 * convs);   /* accuracy, minimised */
        obj[1] = 1.0 + 0.7 * convs;     /* latency */
        if (i < 30) surrogate_add(s, &g[i], obj);
    }
    assert_int_equal(surrogate_fit(s), 0);
    double mu[80], sd[80], mu2[80], sd2[80];
    surrogate_predict(s, g, 40, mu, sd);
    for (int i = 0; i < 30; i++) {
        int convs = 0;
        for (int e = 0; e < 6; e++) convs += g[i].g[e] == 2 || g[i].g[e] == 3;
        assert_true(fabs(mu[2 * i] + 80 + 2.0 * convs) < 0.5);
        assert_true(fabs(mu[2 * i + 1] - (1.0 + 0.7 * convs)) < 0.25);
        assert_true(sd[2 * i] > 0 && sd[2 * i + 1] > 0);
    }
    uint8_t *b;
    size_t n;
    assert_int_equal(surrogate_save(s, &b, &n), 0);
    assert_int_equal(surrogate_load(t, b, n), 0);
    surrogate_predict(t, g, 40, mu2, sd2);
    assert_memory_equal(mu, mu2, sizeof mu);
    assert_memory_equal(sd, sd2, sizeof sd);
    assert_int_equal(surrogate_version(t), surrogate_version(s));
    b[12] = 9; /* unknown model kind of objective 0 */
    assert_int_equal(surrogate_load(t, b, n), -1);
    free(b);
    surrogate_free(s);
    surrogate_free(t);
    space_free(sp);
}

/* predictor.method / methods: gp is the default, help only on a minimised
 * objective, errors name the line. */
static void test_config_methods(void **st) {
    (void)st;
    char path[128];
    snprintf(path, sizeof path, "/tmp/hwnas_test_sgp_%d.yaml", (int)getpid());
    static const char *const head =
        "objectives:\n"
        "  - {name: accuracy, direction: maximize, source: test_acc_200ep_cifar10}\n"
        "  - {name: latency_ms, direction: minimize, source: edgegpu_latency_ms}\n"
        "evaluator: {kind: predictor, tables: [a.csv, b.csv]}\n"
        "predictor:\n";
    static const struct {
        const char *tail;
        int ok, m0, m1;
        const char *err;
    } cases[] = {
        {"  initial: 10\n", 1, SURR_GP, SURR_GP, NULL},
        {"  method: rf\n  methods: {latency_ms: help}\n", 1, PRED_RF, PRED_HELP, NULL},
        {"  methods: {accuracy: xgb}\n", 1, PRED_XGB, SURR_GP, NULL},
        {"  methods: {accuracy: help}\n", 0, 0, 0, ":6: key 'predictor.methods.accuracy': help needs a minimised"},
        {"  method: help\n", 0, 0, 0, ":6: key 'predictor.method': help predicts latency only"},
        {"  method: svm\n", 0, 0, 0, "'svm' is not one of"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(head, f);
        fputs(cases[i].tail, f);
        fclose(f);
        search_config *c = NULL;
        int rc = search_config_load(path, &c);
        if (cases[i].ok) {
            assert_int_equal(rc, 0);
            assert_int_equal(c->pred_method[0], cases[i].m0);
            assert_int_equal(c->pred_method[1], cases[i].m1);
            assert_true(c->beta == 0.5);
            search_config_free(c);
        } else {
            assert_int_equal(rc, -1);
            if (!strstr(hw_errmsg(), cases[i].err)) fail_msg("case %zu: got '%s'", i, hw_errmsg());
        }
    }
    unlink(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numpy_reference),
        cmocka_unit_test(test_blob_roundtrip_and_corruption),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_surrogate_gp_nb201),
        cmocka_unit_test(test_config_methods),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
