/* test_bert_gemm: the packed-weight GEMM (gemm_packed.h) and the inference
 * forward that uses it (bert_store_pack).
 *  - every micro-kernel this CPU runs (avx2, neon, portable) against a
 *    float64 product, over row counts that leave every partial row block,
 *    depths past the 256 chunk, column counts that leave partial panels,
 *    and a top-left sub-block of a larger packed matrix (weight sharing);
 *  - the packed forward against the OpenBLAS forward on the same store
 *    (relative 1e-5 on the logits), for the full shape and a sub-shape set
 *    with bert_model_set_shape (the builtin runner's use), T = 1..64,
 *    batch 1 and 4;
 *  - the packed forward against the float64 PyTorch reference
 *    (tests/fixtures/bert/tiny.txt, padded rows, two segments);
 *  - an AdamW step and bert_store_copy_sub drop the now stale packing. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bert_model.h"
#include "gemm_packed.h"
#include "hw_err.h"

static const char *const ISAS[] = {"avx2", "neon", "portable"};

/* |got - want| <= rel * scale, printing both values when it fails. */
static void check_close(const char *what, int i, double got, double want, double rel, double scale) {
    if (fabs(got - want) > rel * scale) {
        printf("%s[%d]: got %.9g want %.9g (|diff| %.3g > %.3g)\n", what, i, got, want, fabs(got - want),
               rel * scale);
        fail();
    }
}

static void fill(float *p, size_t n, hw_rng *r) {
    for (size_t i = 0; i < n; i++) p[i] = (float)rng_normal(r);
}

/* One product out(N,OC) = inp(N,C) @ w(OC,C;ldw)^T + b with the weights
 * packed at (OCs, Cs) >= (OC, C), checked in float64. */
static void check_product(int N, int C, int OC, int Cs, int OCs, int with_bias, hw_rng *r) {
    float *inp = malloc((size_t)N * C * sizeof *inp), *w = malloc((size_t)OCs * Cs * sizeof *w);
    float *b = malloc((size_t)OCs * sizeof *b), *out = malloc((size_t)N * OC * sizeof *out);
    float *wp = malloc(gemm_packed_size(OCs, Cs) * sizeof *wp);
    fill(inp, (size_t)N * C, r);
    fill(w, (size_t)OCs * Cs, r);
    fill(b, (size_t)OCs, r);
    gemm_packed_pack(wp, w, OCs, Cs, Cs);
    gemm_packed_forward(out, inp, wp, with_bias ? b : NULL, N, C, OC, Cs);
    char what[96];
    snprintf(what, sizeof what, "%s N%d C%d OC%d (packed %dx%d)", gemm_packed_isa(), N, C, OC, OCs, Cs);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < OC; j++) {
            double ref = with_bias ? b[j] : 0.0, mag = fabs(ref);
            for (int k = 0; k < C; k++) {
                ref += (double)inp[(size_t)i * C + k] * w[(size_t)j * Cs + k];
                mag += fabs((double)inp[(size_t)i * C + k] * w[(size_t)j * Cs + k]);
            }
            /* float accumulation over C terms: error <= C * 2^-24 * sum|terms| */
            check_close(what, i * OC + j, out[(size_t)i * OC + j], ref, 1e-6 * (C + 1), mag);
        }
    free(inp), free(w), free(b), free(out), free(wp);
}

static void test_kernels(void **st) {
    (void)st;
    static const int Ns[] = {1, 2, 5, 6, 7, 13, 24, 31, 64};
    static const int Cs[] = {1, 7, 64, 256, 300, 1024};
    static const int OCs[] = {1, 5, 16, 33, 64};
    int ran = 0;
    hw_rng r;
    rng_seed(&r, 17);
    for (size_t s = 0; s < sizeof ISAS / sizeof ISAS[0]; s++) {
        if (gemm_packed_select(ISAS[s])) continue; /* not this build / CPU */
        ran++;
        for (size_t a = 0; a < sizeof Ns / sizeof Ns[0]; a++)
            for (size_t c = 0; c < sizeof Cs / sizeof Cs[0]; c++)
                for (size_t o = 0; o < sizeof OCs / sizeof OCs[0]; o++)
                    check_product(Ns[a], Cs[c], OCs[o], Cs[c], OCs[o], (int)(a + c + o) % 2, &r);
        /* sub-blocks of a larger packed matrix, as sub-networks use */
        check_product(24, 29, 21, 40, 37, 1, &r);
        check_product(7, 200, 48, 300, 64, 1, &r);
        check_product(1, 128, 8, 256, 33, 0, &r);
    }
    assert_int_equal(gemm_packed_select("portable"), 0);
    assert_true(ran >= 1);
    assert_int_equal(gemm_packed_select("no-such-isa"), -1);
    assert_int_equal(gemm_packed_select(NULL), 0);
    printf("micro-kernels checked: %d, default %s\n", ran, gemm_packed_isa());
}

static bert_shape shape_of(int layers, int hidden, int heads, int ffn) {
    bert_shape s;
    memset(&s, 0, sizeof s);
    s.layers = layers;
    s.hidden = hidden;
    for (int l = 0; l < layers; l++) {
        s.heads[l] = heads;
        s.ffn[l] = ffn;
    }
    return s;
}

/* Logits of the packed forward vs the OpenBLAS forward of model m. */
static void check_packed_vs_blas(bert_model *m, const int *tok, int B, int T) {
    bert_store *s = bert_model_store(m);
    float packed[4 * 2], blas[4 * 2];
    assert_int_equal(bert_store_pack(s), 0);
    assert_int_equal(bert_model_forward(m, tok, NULL, NULL, B, T, packed), 0);
    bert_store_unpack(s);
    assert_false(bert_store_is_packed(s));
    assert_int_equal(bert_model_forward(m, tok, NULL, NULL, B, T, blas), 0);
    double scale = 0;
    for (int i = 0; i < B * 2; i++) scale = fabs(blas[i]) > scale ? fabs(blas[i]) : scale;
    char what[64];
    const bert_shape *sh = bert_model_shape(m);
    snprintf(what, sizeof what, "logits L%d:H%d T%d B%d", sh->layers, sh->hidden, T, B);
    for (int i = 0; i < B * 2; i++) check_close(what, i, packed[i], blas[i], 1e-5, fmax(fabs(blas[i]), 0.1 * scale));
}

static void test_forward_packed_vs_blas(void **st) {
    (void)st;
    bert_shape full = shape_of(3, 96, 4, 200), sub = shape_of(2, 64, 2, 136);
    bert_config c;
    bert_config_init(&c, &full, 500, 64, 2);
    bert_store *s;
    assert_int_equal(bert_store_create(&c, 0, 5, &s), 0);
    bert_model *m;
    assert_int_equal(bert_model_create_on(s, &full, 4, &m), 0);
    int tok[4 * 64];
    hw_rng r;
    rng_seed(&r, 3);
    for (int i = 0; i < 4 * 64; i++) tok[i] = (int)rng_below(&r, 500);
    /* 64 (and 4 x 32 = 128 rows): every product packed without AVX-512, the
     * [CLS]/head products only with it (bert_model.c, packed_max_rows) */
    static const int Ts[] = {1, 7, 16, 24, 48, 64};
    for (size_t t = 0; t < sizeof Ts / sizeof Ts[0]; t++) check_packed_vs_blas(m, tok, 1, Ts[t]);
    check_packed_vs_blas(m, tok, 4, 12);
    check_packed_vs_blas(m, tok, 4, 32);
    assert_int_equal(bert_model_set_shape(m, &sub), 0); /* weight-shared sub-network */
    for (size_t t = 0; t < sizeof Ts / sizeof Ts[0]; t++) check_packed_vs_blas(m, tok, 1, Ts[t]);
    bert_model_free(m);
    bert_store_free(s);
}

/* tiny.txt: config, batch, tokens, segments, mask, labels, params, logits. */
static void test_packed_against_torch(void **st) {
    (void)st;
    char path[1024];
    const char *t = getenv("HWNAS_TESTS");
    snprintf(path, sizeof path, "%s/fixtures/bert/tiny.txt", t ? t : "tests");
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[256], w[64];
    assert_non_null(fgets(line, sizeof line, f));
    bert_shape s;
    memset(&s, 0, sizeof s);
    int V, maxT, NT, NC, B, T, n;
    double eps;
    assert_int_equal(fscanf(f, "%63s %d %d %d %d %d %d", w, &V, &maxT, &NT, &NC, &s.layers, &s.hidden), 7);
    for (int l = 0; l < s.layers; l++) assert_int_equal(fscanf(f, "%d", &s.heads[l]), 1);
    for (int l = 0; l < s.layers; l++) assert_int_equal(fscanf(f, "%d", &s.ffn[l]), 1);
    assert_int_equal(fscanf(f, "%lf %63s %d %d", &eps, w, &B, &T), 4);
    assert_true(B * T <= 64 && B <= 8);
    int tok[64], seg[64], mask[64], lab[8];
    int *rows[3] = {tok, seg, mask};
    for (int k = 0; k < 3; k++) {
        assert_int_equal(fscanf(f, "%63s", w), 1);
        for (int i = 0; i < B * T; i++) assert_int_equal(fscanf(f, "%d", &rows[k][i]), 1);
    }
    assert_int_equal(fscanf(f, "%63s", w), 1);
    for (int i = 0; i < B; i++) assert_int_equal(fscanf(f, "%d", &lab[i]), 1);
    bert_config c;
    bert_config_init(&c, &s, V, maxT, NC);
    c.n_types = NT;
    c.ln_eps = (float)eps;
    bert_store *st_;
    assert_int_equal(bert_store_create(&c, 0, 1, &st_), 0);
    assert_int_equal(fscanf(f, "%63s %d", w, &n), 2);
    assert_string_equal(w, "params");
    assert_int_equal(n, (int)bert_store_nparams(st_));
    float *p = bert_store_params(st_);
    for (int i = 0; i < n; i++) {
        double v;
        assert_int_equal(fscanf(f, "%lf", &v), 1);
        p[i] = (float)v;
    }
    assert_int_equal(fscanf(f, "%63s %d", w, &n), 2);
    assert_string_equal(w, "logits");
    assert_int_equal(n, B * NC);
    double ref[64];
    for (int i = 0; i < n; i++) assert_int_equal(fscanf(f, "%lf", &ref[i]), 1);
    fclose(f);
    assert_int_equal(bert_store_pack(st_), 0); /* after the parameters are in */
    bert_model *m;
    assert_int_equal(bert_model_create_on(st_, &s, B, &m), 0);
    float out[64];
    assert_int_equal(bert_model_forward(m, tok, seg, mask, B, T, out), 0);
    for (int i = 0; i < n; i++) check_close("tiny.txt logits (packed)", i, out[i], ref[i], 1e-4, 1.0);
    bert_model_free(m);
    bert_store_free(st_);
}

static void test_stale_packing_dropped(void **st) {
    (void)st;
    bert_shape s = shape_of(1, 16, 2, 32);
    bert_config c;
    bert_config_init(&c, &s, 20, 8, 2);
    bert_store *a, *b;
    assert_int_equal(bert_store_create(&c, 1, 1, &a), 0);
    assert_int_equal(bert_store_create(&c, 0, 2, &b), 0);
    assert_int_equal(bert_store_pack(a), 0);
    assert_int_equal(bert_store_pack(b), 0);
    adamw_cfg o;
    adamw_cfg_default(&o);
    assert_int_equal(bert_store_adamw_step(a, &o, NULL), 0);
    assert_false(bert_store_is_packed(a));
    assert_int_equal(bert_store_copy_sub(b, a), 0);
    assert_false(bert_store_is_packed(b));
    bert_store_free(a);
    bert_store_free(b);
}

int main(void) {
    bert_set_threads(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernels),
        cmocka_unit_test(test_forward_packed_vs_blas),
        cmocka_unit_test(test_packed_against_torch),
        cmocka_unit_test(test_stale_packing_dropped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
