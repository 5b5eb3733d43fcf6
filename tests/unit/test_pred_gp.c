/* test_pred_gp: the PRED_GP kind of the predictor handle against a numpy
 * reference (same grid, winsorisation, standardisation; values in the
 * test were computed with numpy 1.24 from the same formulas), its
 * pred_save / pred_load round trip, malformed buffers and bad input; and
 * the config's predictor.method(s) mapping to pred kinds. */
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
#include "pred.h"
#include "pred_impl.h"

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

/* A PRED_GP fitted through the handle. */
static int gp_fit(const float *X, const double *y, int n, int log_target, pred **out) {
    pred_params p;
    pred_params_default(PRED_GP, &p);
    p.log_target = log_target;
    return pred_fit(&p, X, y, n, 3, out);
}

/* |got - want| <= tol, printing both values when not. */
static int near(double got, double want, double tol, const char *what, int i) {
    if (fabs(got - want) <= tol) return 1;
    printf("%s[%d]: got %.17g, want %.17g (tol %g)\n", what, i, got, want, tol);
    return 0;
}

static void test_numpy_reference(void **st) {
    (void)st;
    float X[36];
    double y[12], mean[3], sd[3];
    data(X, y);
    pred *g;
    assert_int_equal(gp_fit(X, y, 12, 0, &g), 0);
    assert_int_equal(pred_get_kind(g), PRED_GP);
    assert_int_equal(pred_nmembers(g), 1);
    double l, nz;
    pred_gp_hyper(g->gp, &l, &nz);
    assert_true(l == 1 && nz == 0.01);
    pred_predict(g, Q, 3, mean, sd);
    const double wm[3] = {1.7346030918843145, 1.9638408027458099, 1.913545234031915};
    const double ws[3] = {1.4792426450551914, 1.6933979639371934, 1.1958985041586427};
    int ok = 1;
    for (int i = 0; i < 3; i++) {
        ok &= near(mean[i], wm[i], 1e-9, "mean", i);
        ok &= near(sd[i], ws[i], 1e-7, "std", i);
    }
    assert_true(ok);
    pred_free(g);
    /* log target: y' = exp(y / 10) */
    for (int i = 0; i < 12; i++) y[i] = exp(y[i] / 10);
    assert_int_equal(gp_fit(X, y, 12, 1, &g), 0);
    pred_predict(g, Q, 3, mean, sd);
    const double lm[3] = {1.1894134770465239, 1.2169942390632407, 1.2108886643640808};
    const double ls[3] = {0.17594311471991997, 0.20608555775031895, 0.14480999501100328};
    for (int i = 0; i < 3; i++) {
        ok &= near(mean[i], lm[i], 1e-9, "log mean", i);
        ok &= near(sd[i], ls[i], 1e-7, "log std", i); /* 1 - |L^-1 k|^2 cancels digits */
    }
    assert_true(ok);
    pred_free(g);
}

static void test_blob_roundtrip_and_corruption(void **st) {
    (void)st;
    float X[36];
    double y[12], m1[3], s1[3], m2[3], s2[3];
    data(X, y);
    pred *g, *h;
    assert_int_equal(gp_fit(X, y, 12, 0, &g), 0);
    uint8_t *b;
    size_t n;
    assert_int_equal(pred_save(g, &b, &n), 0);
    assert_int_equal(pred_load(b, n, &h), 0);
    assert_int_equal(pred_get_kind(h), PRED_GP);
    assert_int_equal(pred_nfeatures(h), 3);
    pred_predict(g, Q, 3, m1, s1);
    pred_predict(h, Q, 3, m2, s2);
    assert_memory_equal(m1, m2, sizeof m1);
    assert_memory_equal(s1, s2, sizeof s1);
    pred_free(h);
    assert_int_equal(pred_load(b, n - 1, &h), -1); /* truncated */
    assert_null(h);
    b[0] = 'X';
    assert_int_equal(pred_load(b, n, &h), -1); /* magic */
    b[0] = 'H';
    b[24] ^= 0xff; /* the row count, first payload field: the checksum fails */
    assert_int_equal(pred_load(b, n, &h), -1);
    assert_non_null(strstr(hw_errmsg(), "checksum"));
    free(b);
    pred_free(g);
}

static void test_bad_input(void **st) {
    (void)st;
    float X[36];
    double y[12];
    data(X, y);
    pred *g;
    assert_int_equal(gp_fit(X, y, 1, 0, &g), -1);
    y[3] = NAN;
    assert_int_equal(gp_fit(X, y, 12, 0, &g), -1);
    y[3] = -1;
    assert_int_equal(gp_fit(X, y, 12, 1, &g), -1); /* log of a negative */
    assert_non_null(strstr(hw_errmsg(), "gp: target 0 is 0")); /* y[0] = 0 */
}

/* predictor.method / methods: gp is the default, help only on a minimised
 * objective, errors name the line. */
static void test_config_methods(void **st) {
    (void)st;
    char path[128];
    snprintf(path, sizeof path, "/tmp/hwnas_test_gp_%d.yaml", (int)getpid());
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
        {"  initial: 10\n", 1, PRED_GP, PRED_GP, NULL},
        {"  method: rf\n  methods: {latency_ms: help}\n", 1, PRED_RF, PRED_HELP, NULL},
        {"  methods: {accuracy: xgb}\n", 1, PRED_XGB, PRED_GP, NULL},
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
        cmocka_unit_test(test_config_methods),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
