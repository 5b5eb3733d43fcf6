/* test_pred_features: the predictors' derived NB201 features (pred.h,
 * pred_space_features) on hand-checked cells; the bert features: the
 * space's features rescaled to [0, 1] (1 for the largest shape) and the
 * inference cost features against hand-computed FLOPs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "pred.h"
#include "space.h"

static void features_of(const char *arch, float *out, int *nbase) {
    space *sp;
    hw_genome g;
    assert_int_equal(space_create_nb201(&sp), 0);
    assert_int_equal(space_from_string(sp, arch, &g), 0);
    assert_int_equal(pred_space_nfeatures(sp), space_nfeatures(sp) + 34);
    pred_space_features(sp, &g, out);
    float base[HW_MAX_GENES * 8];
    space_features(sp, &g, base);
    assert_memory_equal(out, base, (size_t)space_nfeatures(sp) * sizeof(float)); /* prefix = space features */
    *nbase = space_nfeatures(sp);
    space_free(sp);
}

static void test_disconnected(void **st) {
    (void)st;
    float f[256];
    int nb;
    /* convs on 1<-0 and 3<-2, but node 2 is unreachable and node 1 has no way out */
    features_of("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|nor_conv_3x3~2|", f, &nb);
    for (int j = 0; j < 34; j++) assert_true(f[nb + j] == 0);
}

static void test_full_cell(void **st) {
    (void)st;
    float f[256];
    int nb;
    /* edges: 1<-0 conv3, 2<-0 skip, 2<-1 conv1, 3<-0 none, 3<-1 pool, 3<-2 conv3 */
    features_of("|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|none~0|avg_pool_3x3~1|nor_conv_3x3~2|", f, &nb);
    float want[34] = {0};
    want[0 * 5 + 3] = 1; /* edge 0 live conv3 */
    want[1 * 5 + 1] = 1; /* edge 1 live skip */
    want[2 * 5 + 2] = 1; /* edge 2 live conv1 */
    want[4 * 5 + 4] = 1; /* edge 4 live pool */
    want[5 * 5 + 3] = 1; /* edge 5 live conv3 */
    want[30] = 3;        /* longest live path 0-1-2-3 */
    want[31] = 3;        /* convs on it: conv3, conv1, conv3 */
    want[32] = 2;        /* 3x3 convs */
    want[33] = 4;        /* live nodes */
    assert_memory_equal(f + nb, want, sizeof want);
}

static void bert_features(const char *arch, float *out, int *nbase) {
    bert_space_cfg c = {3, {1, 2, 3}, 2, {32, 64}, 2, {2, 4}, 2, {64, 256}};
    space *sp;
    hw_genome g;
    assert_int_equal(space_create_bert(&c, &sp), 0);
    assert_int_equal(space_from_string(sp, arch, &g), 0);
    assert_int_equal(pred_space_nfeatures(sp), space_nfeatures(sp) + 4);
    pred_space_features(sp, &g, out);
    *nbase = space_nfeatures(sp);
    space_free(sp);
}

static void test_bert(void **st) {
    (void)st;
    float big[64], f[64];
    int nb;
    bert_features("L3:H64:A4.4.4:F256.256.256", big, &nb);
    for (int j = 0; j < nb; j++) assert_true(fabsf(big[j] - 1) < 1e-6f); /* the largest shape: every feature 1 */
    assert_true(fabsf(big[nb] - 1) < 1e-6f && fabsf(big[nb + 1] - 1) < 1e-6f);
    bert_features("L1:H32:A2:F64", f, &nb);
    for (int j = 0; j < nb + 4; j++) assert_true(f[j] >= 0 && f[j] <= 1);
    assert_true(fabsf(f[0] - 1.0f / 3) < 1e-6f && fabsf(f[1] - 0.5f) < 1e-6f);
    /* one layer = the last: K, V for 64 rows; Q, out, FFN for [CLS]; scores
     * + mix over 64 keys; pooler */
    double fl = 2.0 * 64 * 2 * 32 * 32 + 2 * (2.0 * 32 * 32 + 2.0 * 32 * 64) + 4.0 * 64 * 32 + 2.0 * 32 * 32;
    double flb = 0;
    for (int l = 0; l < 2; l++) flb += 2.0 * 64 * (4.0 * 64 * 64 + 2.0 * 64 * 256) + 4.0 * 64 * 64 * 64;
    flb += 2.0 * 64 * 2 * 64 * 64 + 2 * (2.0 * 64 * 64 + 2.0 * 64 * 256) + 4.0 * 64 * 64 + 2.0 * 64 * 64;
    assert_true(fabs(f[nb] - fl / flb) < 1e-6 * (fl / flb));
    assert_true(fabs(f[nb + 1] - (1 + log(fl / flb) / log(flb))) < 1e-5);
    assert_true(fabs(f[nb + 2] - 4.0 * 64 * 32 / fl) < 1e-6);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_disconnected),
        cmocka_unit_test(test_full_cell),
        cmocka_unit_test(test_bert),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
