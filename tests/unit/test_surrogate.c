/* Checks the search surrogate (src/pred/surrogate.c) for every predictor
 * kind (gp, rf, xgb, help) on NB201 with a known latency function of the
 * cell: the fallback prediction (std 1e6 without data, then the data's
 * mean and standard deviation) before min_train points; after fitting, the Spearman rank correlation of the
 * predicted means with the truth on held-out cells, the mean error on the
 * training cells (gp), the std (positive for the ensemble kinds and the
 * gp, larger away from the data for the gp); the blob round trip (fresh
 * surrogate, bit-identical predictions, same model version); reading the
 * previous release's blob format (a gp in its own "HWGP" blob); and the
 * refusal of malformed, older- and newer-format blobs. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hw_codec.h"
#include "hw_data.h"
#include "hw_err.h"
#include "pred_help.h"
#include "rng.h"
#include "space.h"
#include "stats.h"
#include "surrogate.h"

enum { NTRAIN = 60, NTEST = 200 };

/* The known function: latency in ms of a cell from its live structure
 * (convolutions cost, 3x3 more than 1x1, pooling a little). */
static double truth(const hw_genome *g) {
    double v = 1.0;
    for (int e = 0; e < 6; e++) v += g->g[e] == 3 ? 0.9 : g->g[e] == 2 ? 0.4 : g->g[e] == 4 ? 0.1 : 0;
    return v;
}

typedef struct fixture {
    space *sp;
    hw_genome train[NTRAIN + PRED_HELP_MAX_REF], test[NTEST];
    int ntrain;
} fixture;

/* Training cells: NTRAIN random ones plus (with_refs) the HELP reference
 * cells; test cells: NTEST others drawn from another stream. */
static void make_data(fixture *f, int with_refs) {
    hw_rng r;
    rng_seed(&r, 5);
    f->ntrain = 0;
    for (int i = 0; i < NTRAIN; i++) space_sample(f->sp, &r, &f->train[f->ntrain++]);
    if (with_refs) {
        char path[4096];
        pred_help_meta *hm;
        snprintf(path, sizeof path, "%s/help/help_nb201.bin", hw_data_dir());
        assert_int_equal(pred_help_meta_load_file(path, &hm), 0);
        for (int j = 0; j < pred_help_meta_nref(hm); j++)
            assert_int_equal(space_from_index(f->sp, pred_help_meta_ref_id(hm, j), &f->train[f->ntrain++]), 0);
        pred_help_meta_free(hm);
    }
    rng_seed(&r, 6);
    for (int i = 0; i < NTEST; i++) space_sample(f->sp, &r, &f->test[i]);
}

static surrogate *make(const fixture *f, pred_kind kind) {
    surrogate_params p = {.n_obj = 1, .method = {kind}, .min_train = 5, .seed = 3, .n_trees = 50};
    surrogate *s;
    assert_int_equal(surrogate_create(f->sp, &p, &s), 0);
    return s;
}

/* Fits a surrogate of KIND and checks its behaviour (header comment). */
static void check_kind(pred_kind kind) {
    fixture f;
    assert_int_equal(space_create_nb201(&f.sp), 0);
    make_data(&f, kind == PRED_HELP);
    surrogate *s = make(&f, kind), *t = make(&f, kind);
    double y, mu[NTEST], sd[NTEST], mu2[NTEST], sd2[NTEST], yt[NTEST];
    /* fallback before min_train points: std 1e6 without data, then the
     * data's mean and (population) standard deviation */
    surrogate_predict(s, f.test, 2, mu, sd);
    if (sd[0] != 1e6) fail_msg("fallback without data: std %g (want 1e6)", sd[0]);
    double v3[3];
    for (int i = 0; i < 3; i++) {
        y = v3[i] = truth(&f.train[i]);
        surrogate_add(s, &f.train[i], &y);
    }
    assert_int_equal(surrogate_fit(s), 0);
    surrogate_predict(s, f.test, 2, mu, sd);
    double m3 = stats_mean(v3, 3), s3 = stats_std(v3, 3, 0);
    if (fabs(mu[0] - m3) > 1e-12 || fabs(sd[0] - s3) > 1e-6)
        fail_msg("fallback: mean %.17g (want %.17g) std %.17g (want %.17g)", mu[0], m3, sd[0], s3);
    for (int i = 3; i < f.ntrain; i++) {
        y = truth(&f.train[i]);
        surrogate_add(s, &f.train[i], &y);
    }
    assert_int_equal(surrogate_ntrain(s), f.ntrain);
    assert_int_equal(surrogate_fit(s), 0);
    assert_int_equal(surrogate_version(s), 2);
    surrogate_predict(s, f.test, NTEST, mu, sd);
    for (int i = 0; i < NTEST; i++) yt[i] = truth(&f.test[i]);
    double rho = stats_spearman(mu, yt, NTEST), sdmean = stats_mean(sd, NTEST);
    printf("%s: held-out Spearman rho %.4f (want >= 0.8), mean std %.4g\n", pred_kind_name(kind), rho, sdmean);
    assert_true(rho >= 0.8);
    for (int i = 0; i < NTEST; i++) assert_true(isfinite(mu[i]) && mu[i] > 0 && sd[i] >= 0);
    if (kind != PRED_XGB) assert_true(sdmean > 0); /* one booster: std 0 by design */
    if (kind == PRED_GP) { /* near the data: accurate and more certain than away from it */
        double mt[NTRAIN], st[NTRAIN], err = 0, sdt = 0;
        surrogate_predict(s, f.train, NTRAIN, mt, st);
        for (int i = 0; i < NTRAIN; i++) err += fabs(mt[i] - truth(&f.train[i])) / NTRAIN, sdt += st[i] / NTRAIN;
        printf("gp: training-cell mean abs error %.4g ms (want < 0.2), mean std %.4g there vs %.4g held out\n", err,
               sdt, sdmean);
        assert_true(err < 0.2 && sdt < sdmean);
    }
    /* round trip into a fresh surrogate: identical predictions */
    uint8_t *b;
    size_t n;
    assert_int_equal(surrogate_save(s, &b, &n), 0);
    assert_int_equal(surrogate_load(t, b, n), 0);
    assert_int_equal(surrogate_version(t), surrogate_version(s));
    surrogate_predict(t, f.test, NTEST, mu2, sd2);
    assert_memory_equal(mu, mu2, sizeof mu);
    assert_memory_equal(sd, sd2, sizeof sd);
    /* malformed blobs leave the models alone */
    assert_int_equal(surrogate_load(t, b, n - 1), -1);
    b[20] = 9; /* the model kind byte of objective 0 */
    assert_int_equal(surrogate_load(t, b, n), -1);
    assert_non_null(strstr(hw_errmsg(), "unknown model kind 9"));
    b[20] = 1;
    b[8] = 1; /* format version 1 under the new magic */
    assert_int_equal(surrogate_load(t, b, n), -1);
    assert_non_null(strstr(hw_errmsg(), "written by an older hwnas"));
    b[8] = 4;
    assert_int_equal(surrogate_load(t, b, n), -1);
    assert_non_null(strstr(hw_errmsg(), "written by a newer hwnas"));
    b[8] = 2; /* format 2: the same without the feasibility section (10 bytes: no model) */
    assert_int_equal(surrogate_load(t, b, n - 10), 0);
    surrogate_predict(t, f.test, NTEST, mu2, sd2);
    assert_memory_equal(mu, mu2, sizeof mu);
    free(b);
    surrogate_free(s);
    surrogate_free(t);
    space_free(f.sp);
}

static void test_gp(void **st) { (void)st, check_kind(PRED_GP); }
static void test_rf(void **st) { (void)st, check_kind(PRED_RF); }
static void test_xgb(void **st) { (void)st, check_kind(PRED_XGB); }
static void test_help(void **st) { (void)st, check_kind(PRED_HELP); }

/* The previous release's blob: "HWSG", u32 model version, u32 n_obj, per
 * objective u8 kind (2 = gp), f64 mean, f64 std, u64 length, then the gp
 * as "HWGP", u32 1 and the fields that pred_save now writes as the PRED_GP
 * payload (offset 24 of its buffer, before the 8-byte checksum). */
static void test_reads_previous_format(void **st) {
    (void)st;
    fixture f;
    assert_int_equal(space_create_nb201(&f.sp), 0);
    make_data(&f, 0);
    surrogate *s = make(&f, PRED_GP), *t = make(&f, PRED_GP);
    for (int i = 0; i < f.ntrain; i++) {
        double y = truth(&f.train[i]);
        surrogate_add(s, &f.train[i], &y);
    }
    assert_int_equal(surrogate_fit(s), 0);
    uint8_t *nb;
    size_t nn;
    assert_int_equal(surrogate_save(s, &nb, &nn), 0);
    /* new blob: header 20 bytes, u8, f64, f64, u64 len, pred_save bytes, feasibility */
    hw_rbuf r;
    hw_rbuf_init(&r, nb, nn);
    hw_get_span(&r, 20);
    uint8_t has = hw_get_u8(&r);
    double mean = hw_get_f64(&r), sdv = hw_get_f64(&r);
    uint64_t ml = hw_get_u64(&r);
    const uint8_t *mb = hw_get_span(&r, (size_t)ml);
    uint8_t fhas = hw_get_u8(&r); /* format 3: the feasibility model (none: no failures) */
    hw_get_u8(&r);
    uint64_t fl = hw_get_u64(&r);
    assert_true(hw_rbuf_done(&r) && has == 1 && ml > 32 && fhas == 0 && fl == 0);
    hw_wbuf w;
    hw_wbuf_init(&w);
    hw_put_bytes(&w, "HWSG", 4);
    hw_put_u32(&w, 1);
    hw_put_u32(&w, 1);
    hw_put_u8(&w, 2);
    hw_put_f64(&w, mean);
    hw_put_f64(&w, sdv);
    hw_put_u64(&w, 8 + (ml - 32));
    hw_put_bytes(&w, "HWGP", 4);
    hw_put_u32(&w, 1);
    hw_put_bytes(&w, mb + 24, (size_t)ml - 32);
    size_t on;
    uint8_t *ob = hw_wbuf_take(&w, &on);
    assert_int_equal(surrogate_load(t, ob, on), 0);
    double mu[NTEST], sd[NTEST], mu2[NTEST], sd2[NTEST];
    surrogate_predict(s, f.test, NTEST, mu, sd);
    surrogate_predict(t, f.test, NTEST, mu2, sd2);
    assert_memory_equal(mu, mu2, sizeof mu);
    assert_memory_equal(sd, sd2, sizeof sd);
    assert_int_equal(surrogate_version(t), 1);
    ob[12] = 3; /* kinds above 2 are unknown in format 1 too */
    assert_int_equal(surrogate_load(t, ob, on), -1);
    free(ob);
    free(nb);
    surrogate_free(s);
    surrogate_free(t);
    space_free(f.sp);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gp),   cmocka_unit_test(test_rf),   cmocka_unit_test(test_xgb),
        cmocka_unit_test(test_help), cmocka_unit_test(test_reads_previous_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
