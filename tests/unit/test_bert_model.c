/* test_bert_model: the whole BERT classifier against a float64 PyTorch
 * reference (tests/fixtures/bert/tiny.txt, made once by
 * tools/gen_bert_fixture.py): logits, loss and every parameter gradient of
 * a 2-layer model with heads {2,4} and FFN {16,12} and padded rows. Then
 * weight sharing: a sub-network running in place on a larger store gives
 * the same logits and gradients as a compact copy of it; inference does not
 * allocate; bad inputs are rejected; AdamW training lowers the loss; two
 * AdamW steps, the first clipped, match a float64 AdamW on clipped
 * gradients. Soft-target (distillation) training: its loss and gradients
 * against the hard-label path, the entropy case and central differences. */
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
#include "hw_err.h"

typedef struct fixture {
    bert_config cfg;
    int B, T;
    int tok[64], seg[64], mask[64], labels[8];
    int np, nl, ng;
    double *params, *logits, *grads, loss;
} fixture;

static void expect_word(FILE *f, const char *w) {
    char buf[64];
    assert_int_equal(fscanf(f, "%63s", buf), 1);
    assert_string_equal(buf, w);
}

static void read_ints(FILE *f, const char *w, int *v, int n) {
    expect_word(f, w);
    for (int i = 0; i < n; i++) assert_int_equal(fscanf(f, "%d", &v[i]), 1);
}

static double *read_doubles(FILE *f, const char *w, int *n) {
    expect_word(f, w);
    assert_int_equal(fscanf(f, "%d", n), 1);
    double *v = malloc((size_t)*n * sizeof *v);
    for (int i = 0; i < *n; i++) assert_int_equal(fscanf(f, "%lf", &v[i]), 1);
    return v;
}

static void load_fixture(fixture *fx) {
    char path[1024];
    const char *t = getenv("HWNAS_TESTS");
    snprintf(path, sizeof path, "%s/fixtures/bert/tiny.txt", t ? t : "tests");
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[256];
    assert_non_null(fgets(line, sizeof line, f)); /* comment */
    bert_shape s;
    memset(&s, 0, sizeof s);
    int V, maxT, NT, NC;
    double eps;
    expect_word(f, "config");
    assert_int_equal(fscanf(f, "%d %d %d %d %d %d", &V, &maxT, &NT, &NC, &s.layers, &s.hidden), 6);
    for (int l = 0; l < s.layers; l++) assert_int_equal(fscanf(f, "%d", &s.heads[l]), 1);
    for (int l = 0; l < s.layers; l++) assert_int_equal(fscanf(f, "%d", &s.ffn[l]), 1);
    assert_int_equal(fscanf(f, "%lf", &eps), 1);
    bert_config_init(&fx->cfg, &s, V, maxT, NC);
    fx->cfg.n_types = NT;
    fx->cfg.ln_eps = (float)eps;
    expect_word(f, "batch");
    assert_int_equal(fscanf(f, "%d %d", &fx->B, &fx->T), 2);
    read_ints(f, "tokens", fx->tok, fx->B * fx->T);
    read_ints(f, "segments", fx->seg, fx->B * fx->T);
    read_ints(f, "mask", fx->mask, fx->B * fx->T);
    read_ints(f, "labels", fx->labels, fx->B);
    fx->params = read_doubles(f, "params", &fx->np);
    fx->logits = read_doubles(f, "logits", &fx->nl);
    expect_word(f, "loss");
    assert_int_equal(fscanf(f, "%lf", &fx->loss), 1);
    fx->grads = read_doubles(f, "grads", &fx->ng);
    fclose(f);
}

static void free_fixture(fixture *fx) {
    free(fx->params);
    free(fx->logits);
    free(fx->grads);
}

static void test_against_torch(void **st) {
    (void)st;
    fixture fx;
    load_fixture(&fx);
    bert_store *s;
    assert_int_equal(bert_store_create(&fx.cfg, 1, 1, &s), 0);
    assert_int_equal((int)bert_store_nparams(s), fx.np);
    float *p = bert_store_params(s);
    for (int i = 0; i < fx.np; i++) p[i] = (float)fx.params[i];
    bert_model *m;
    assert_int_equal(bert_model_create_on(s, &fx.cfg.shape, 4, &m), 0);
    float loss;
    assert_int_equal(bert_model_forward_train(m, fx.tok, fx.seg, fx.mask, fx.labels, fx.B, fx.T, NULL, &loss), 0);
    const float *lg = bert_model_logits(m);
    for (int i = 0; i < fx.nl; i++) assert_true(fabs(lg[i] - fx.logits[i]) < 1e-4);
    assert_true(fabs(loss - fx.loss) < 1e-5);
    assert_int_equal(bert_model_backward(m), 0);
    const float *g = bert_store_grads(s);
    double maxerr = 0, maxg = 0;
    for (int i = 0; i < fx.ng; i++) {
        double e = fabs(g[i] - fx.grads[i]);
        maxerr = e > maxerr ? e : maxerr;
        maxg = fabs(fx.grads[i]) > maxg ? fabs(fx.grads[i]) : maxg;
        assert_true(e < 1e-4 + 1e-3 * fabs(fx.grads[i]));
    }
    assert_true(maxg > 1e-2); /* the reference is not trivially zero */
    /* inference forward agrees with the training forward without dropout */
    float out[8 * 3];
    assert_int_equal(bert_model_forward(m, fx.tok, fx.seg, fx.mask, fx.B, fx.T, out), 0);
    for (int i = 0; i < fx.nl; i++) assert_true(fabs(out[i] - fx.logits[i]) < 1e-4);
    bert_model_free(m);
    bert_store_free(s);
    free_fixture(&fx);
}

static bert_shape shape_of(int layers, int hidden, const int *heads, const int *ffn) {
    bert_shape s;
    memset(&s, 0, sizeof s);
    s.layers = layers;
    s.hidden = hidden;
    for (int l = 0; l < layers; l++) {
        s.heads[l] = heads[l];
        s.ffn[l] = ffn[l];
    }
    return s;
}

/* A sub-network on a supernet store == its compact copy (logits, grads). */
static void test_subnetwork_views(void **st) {
    (void)st;
    int bh[3] = {4, 4, 4}, bf[3] = {32, 32, 32}, sh[2] = {2, 4}, sf[2] = {16, 24};
    bert_shape big = shape_of(3, 16, bh, bf), sub = shape_of(2, 8, sh, sf);
    bert_config cb, cs;
    bert_config_init(&cb, &big, 50, 10, 2);
    bert_config_init(&cs, &sub, 50, 10, 2);
    bert_store *S, *C;
    assert_int_equal(bert_store_create(&cb, 1, 7, &S), 0);
    assert_int_equal(bert_store_create(&cs, 1, 99, &C), 0);
    assert_int_equal(bert_store_copy_sub(C, S), 0);
    bert_model *ms, *mc;
    assert_int_equal(bert_model_create_on(S, &big, 3, &ms), 0);
    assert_int_equal(bert_model_set_shape(ms, &sub), 0);
    assert_int_equal(bert_model_create_on(C, &sub, 3, &mc), 0);
    int tok[3 * 6], mask[3 * 6], lab[3] = {1, 0, 1};
    for (int i = 0; i < 18; i++) {
        tok[i] = (i * 7 + 3) % 50;
        mask[i] = (i % 6) < 6 - (i / 6);
    }
    float l1, l2;
    hw_rng r1, r2;
    rng_seed(&r1, 5);
    rng_seed(&r2, 5);
    assert_int_equal(bert_model_forward_train(ms, tok, NULL, mask, lab, 3, 6, &r1, &l1), 0);
    assert_int_equal(bert_model_forward_train(mc, tok, NULL, mask, lab, 3, 6, &r2, &l2), 0);
    assert_true(fabs(l1 - l2) < 1e-5);
    assert_int_equal(bert_model_backward(ms), 0);
    assert_int_equal(bert_model_backward(mc), 0);
    /* copy the supernet's gradients out through a compact store of grads */
    bert_store *G;
    assert_int_equal(bert_store_create(&cs, 0, 1, &G), 0);
    float *sp = bert_store_params(S);
    size_t nS = bert_store_nparams(S);
    float *save = malloc(nS * sizeof *save);
    memcpy(save, sp, nS * sizeof *save);
    memcpy(sp, bert_store_grads(S), nS * sizeof *save);
    assert_int_equal(bert_store_copy_sub(G, S), 0);
    memcpy(sp, save, nS * sizeof *save);
    const float *gc = bert_store_grads(C), *gs = bert_store_params(G);
    size_t nc = bert_store_nparams(C);
    double sum = 0;
    for (size_t i = 0; i < nc; i++) {
        assert_true(fabs(gc[i] - gs[i]) < 1e-5 + 1e-4 * fabs(gc[i]));
        sum += fabs(gc[i]);
    }
    assert_true(sum > 0);
    /* gradients outside the sub-network are exactly zero */
    double outside = 0, total = 0;
    for (size_t i = 0; i < nS; i++) total += fabs(bert_store_grads(S)[i]);
    outside = total - sum;
    assert_true(outside < 1e-3 * total);
    free(save);
    bert_store_free(G);
    bert_model_free(ms);
    bert_model_free(mc);
    bert_store_free(S);
    bert_store_free(C);
}

/* The inference API: seeded, deterministic, rejects bad ids and sizes. */
static void test_inference_api(void **st) {
    (void)st;
    int hd[2] = {2, 4}, ff[2] = {32, 64};
    bert_shape s = shape_of(2, 16, hd, ff);
    bert_config c;
    bert_config_init(&c, &s, 100, 12, 2);
    bert_model *a, *b;
    assert_int_equal(bert_model_create(&c, 4, 42, &a), 0);
    assert_int_equal(bert_model_create(&c, 4, 42, &b), 0);
    int tok[2 * 12], mask[2 * 12];
    for (int i = 0; i < 24; i++) {
        tok[i] = (i * 13) % 100;
        mask[i] = (i % 12) < 9;
    }
    float la[4], lb[4];
    assert_int_equal(bert_model_forward(a, tok, NULL, mask, 2, 12, la), 0);
    assert_int_equal(bert_model_forward(b, tok, NULL, mask, 2, 12, lb), 0);
    assert_memory_equal(la, lb, sizeof la);
    /* padding tokens do not change the result */
    for (int i = 0; i < 24; i++)
        if (!mask[i]) tok[i] = 5;
    assert_int_equal(bert_model_forward(b, tok, NULL, mask, 2, 12, lb), 0);
    for (int i = 0; i < 4; i++) assert_true(fabs(la[i] - lb[i]) < 1e-5);
    /* shorter T gives the same result when the cut part is padding */
    int tok9[2 * 9], mask9[2 * 9];
    for (int r = 0; r < 2; r++)
        for (int t = 0; t < 9; t++) {
            tok9[r * 9 + t] = tok[r * 12 + t];
            mask9[r * 9 + t] = 1;
        }
    assert_int_equal(bert_model_forward(b, tok9, NULL, mask9, 2, 9, lb), 0);
    for (int i = 0; i < 4; i++) assert_true(fabs(la[i] - lb[i]) < 1e-5);
    tok[3] = 100;
    assert_int_equal(bert_model_forward(a, tok, NULL, mask, 2, 12, la), -1);
    assert_non_null(strstr(hw_errmsg(), "token id"));
    tok[3] = 1;
    assert_int_equal(bert_model_forward(a, tok, NULL, mask, 5, 12, la), -1);
    assert_int_equal(bert_model_forward(a, tok, NULL, mask, 2, 13, la), -1);
    assert_int_equal(bert_model_backward(a), -1); /* inference-only store */
    bert_model_free(a);
    bert_model_free(b);
    /* bad configs */
    s.heads[1] = 3;
    bert_config_init(&c, &s, 100, 12, 2);
    assert_int_equal(bert_model_create(&c, 4, 42, &a), -1);
}

/* Overfitting a few examples with AdamW drives the loss down. */
static void test_training_lowers_loss(void **st) {
    (void)st;
    int hd[2] = {2, 2}, ff[2] = {32, 32};
    bert_shape s = shape_of(2, 16, hd, ff);
    bert_config c;
    bert_config_init(&c, &s, 30, 8, 2);
    bert_store *S;
    assert_int_equal(bert_store_create(&c, 1, 3, &S), 0);
    bert_model *m;
    assert_int_equal(bert_model_create_on(S, &s, 8, &m), 0);
    int tok[8 * 8], lab[8];
    hw_rng r;
    rng_seed(&r, 11);
    for (int i = 0; i < 64; i++) tok[i] = 1 + (int)rng_below(&r, 29);
    for (int b = 0; b < 8; b++) lab[b] = tok[b * 8 + 1] % 2;
    adamw_cfg oc;
    adamw_cfg_default(&oc);
    oc.lr = 3e-3f;
    oc.warmup = 5;
    oc.total = 80;
    float first = 0, last = 0, norm;
    for (int step = 0; step < 80; step++) {
        assert_int_equal(bert_model_forward_train(m, tok, NULL, NULL, lab, 8, 8, &r, &last), 0);
        if (!step) first = last;
        assert_int_equal(bert_model_backward(m), 0);
        assert_int_equal(bert_store_adamw_step(S, &oc, &norm), 0);
    }
    assert_int_equal((int)bert_store_step(S), 80);
    assert_true(last < 0.5f * first);
    bert_model_free(m);
    bert_store_free(S);
}

/* Step 1 with gradient norm 10 (clipped to 1: gradients x 0.1), step 2
 * with norm 0.5 (not clipped); Adam is scale-invariant within one step,
 * so step 2's moments are what show the clipping factor. */
static void test_adamw_clip_two_steps(void **st) {
    (void)st;
    int hd[1] = {2}, ff[1] = {8};
    bert_shape s = shape_of(1, 4, hd, ff);
    bert_config c;
    bert_config_init(&c, &s, 5, 3, 2);
    bert_store *S;
    assert_int_equal(bert_store_create(&c, 1, 9, &S), 0);
    size_t n = bert_store_nparams(S);
    float *p = bert_store_params(S), *g = bert_store_grads(S);
    double *rp = malloc(n * sizeof *rp), *rm = calloc(n, sizeof *rm), *rv = calloc(n, sizeof *rv);
    double *g1 = malloc(n * sizeof *g1), *g2 = malloc(n * sizeof *g2), n1 = 0, n2 = 0;
    hw_rng r;
    rng_seed(&r, 4);
    for (size_t i = 0; i < n; i++) {
        rp[i] = p[i];
        g1[i] = rng_normal(&r);
        g2[i] = rng_normal(&r);
        n1 += g1[i] * g1[i];
        n2 += g2[i] * g2[i];
    }
    for (size_t i = 0; i < n; i++) {
        g1[i] *= 10.0 / sqrt(n1);
        g2[i] *= 0.5 / sqrt(n2);
    }
    adamw_cfg o;
    adamw_cfg_default(&o);
    o.weight_decay = 0.0f; /* no matrix / bias distinction needed here */
    o.eps = 1e-3f;
    float norm;
    for (int t = 1; t <= 2; t++) {
        const double *gt = t == 1 ? g1 : g2;
        double sc = t == 1 ? 0.1 : 1.0;
        for (size_t i = 0; i < n; i++) g[i] = (float)gt[i];
        assert_int_equal(bert_store_adamw_step(S, &o, &norm), 0);
        assert_true(fabs(norm - (t == 1 ? 10.0 : 0.5)) < 1e-4);
        for (size_t i = 0; i < n; i++) {
            double gi = gt[i] * sc;
            rm[i] = 0.9 * rm[i] + 0.1 * gi;
            rv[i] = 0.999 * rv[i] + 0.001 * gi * gi;
            double mh = rm[i] / (1 - pow(0.9, t)), vh = rv[i] / (1 - pow(0.999, t));
            rp[i] -= 1e-3 * (mh / (sqrt(vh) + 1e-3));
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (fabs(p[i] - rp[i]) > 1e-6 + 1e-5 * fabs(rp[i])) {
            printf("param %zu after 2 steps: got %.9g want %.9g\n", i, p[i], rp[i]);
            fail();
        }
        assert_true(g[i] == 0.0f); /* consumed */
    }
    free(rp), free(rm), free(rv), free(g1), free(g2);
    bert_store_free(S);
}

/* Soft targets (in-place distillation): alpha 0 is the hard-label loss and
 * gradient; a teacher equal to the model's own probabilities at alpha 1
 * gives zero gradients and the entropy as loss; at alpha 0.6 the analytic
 * gradient matches central differences of the soft loss; alpha outside
 * [0, 1] is refused. No dropout (rng NULL), so forwards are repeatable. */
static double soft_loss(bert_model *m, const int *tok, const int *lab, const float *teach, float alpha) {
    float l;
    assert_int_equal(bert_model_forward_train_soft(m, tok, NULL, NULL, lab, teach, alpha, 4, 6, NULL, &l), 0);
    return l;
}

static void test_soft_targets(void **st) {
    (void)st;
    int hd[2] = {2, 4}, ff[2] = {16, 24};
    bert_shape s = shape_of(2, 8, hd, ff);
    bert_config c;
    bert_config_init(&c, &s, 40, 6, 2);
    bert_store *S;
    assert_int_equal(bert_store_create(&c, 1, 21, &S), 0);
    bert_model *m;
    assert_int_equal(bert_model_create_on(S, &s, 4, &m), 0);
    int tok[24], lab[4] = {0, 1, 1, 0};
    for (int i = 0; i < 24; i++) tok[i] = (i * 11 + 5) % 40;
    size_t n = bert_store_nparams(S);
    float *g0 = malloc(n * sizeof *g0), *P = bert_store_params(S), *G = bert_store_grads(S);
    float teach[8] = {0.3f, 0.7f, 0.9f, 0.1f, 0.5f, 0.5f, 0.2f, 0.8f};
    /* alpha 0 == hard labels */
    float lh, ls;
    bert_store_zero_grad(S);
    assert_int_equal(bert_model_forward_train(m, tok, NULL, NULL, lab, 4, 6, NULL, &lh), 0);
    assert_int_equal(bert_model_backward(m), 0);
    memcpy(g0, G, n * sizeof *g0);
    bert_store_zero_grad(S);
    assert_int_equal(bert_model_forward_train_soft(m, tok, NULL, NULL, lab, teach, 0.0f, 4, 6, NULL, &ls), 0);
    assert_int_equal(bert_model_backward(m), 0);
    assert_true(fabsf(lh - ls) < 1e-6f);
    double gsum = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(fabsf(G[i] - g0[i]) <= 1e-6f + 1e-5f * fabsf(g0[i]));
        gsum += fabsf(g0[i]);
    }
    assert_true(gsum > 0);
    /* teacher = own probabilities, alpha 1: loss = entropy, no gradient */
    float own[8], l1;
    memcpy(own, bert_model_probs(m), sizeof own);
    double ent = 0;
    for (int i = 0; i < 8; i++) ent -= own[i] * log(own[i]);
    bert_store_zero_grad(S);
    assert_int_equal(bert_model_forward_train_soft(m, tok, NULL, NULL, lab, own, 1.0f, 4, 6, NULL, &l1), 0);
    assert_true(fabs(l1 - ent / 4) < 1e-5);
    assert_int_equal(bert_model_backward(m), 0);
    for (size_t i = 0; i < n; i++) assert_true(fabsf(G[i]) < 1e-6f);
    /* alpha 0.6: analytic vs central differences on the classifier and on
     * the first layer's query weights */
    bert_store_zero_grad(S);
    soft_loss(m, tok, lab, teach, 0.6f);
    assert_int_equal(bert_model_backward(m), 0);
    memcpy(g0, G, n * sizeof *g0);
    int rows, cols, checked = 0;
    const char *names[2] = {"cls_w", "q_w"};
    int layers[2] = {-1, 0};
    for (int t = 0; t < 2; t++) {
        const float *w = bert_store_tensor(S, layers[t], names[t], &rows, &cols);
        assert_non_null(w);
        size_t off = (size_t)(w - P);
        for (int k = 0; k < 6; k++) {
            size_t i = off + (size_t)((k * 5) % (rows * cols));
            float keep = P[i];
            double eps = 1e-2;
            P[i] = keep + (float)eps;
            double up = soft_loss(m, tok, lab, teach, 0.6f);
            P[i] = keep - (float)eps;
            double dn = soft_loss(m, tok, lab, teach, 0.6f);
            P[i] = keep;
            double num = (up - dn) / (2 * eps);
            assert_true(fabs(num - g0[i]) < 2e-4 + 3e-2 * fabs(g0[i]));
            checked += fabs(g0[i]) > 1e-4;
        }
    }
    assert_true(checked >= 4);
    float bad;
    assert_int_equal(bert_model_forward_train_soft(m, tok, NULL, NULL, lab, teach, 1.5f, 4, 6, NULL, &bad), -1);
    assert_int_equal(bert_model_forward_train_soft(m, tok, NULL, NULL, lab, teach, -0.1f, 4, 6, NULL, &bad), -1);
    free(g0);
    bert_model_free(m);
    bert_store_free(S);
}

int main(void) {
    bert_set_threads(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_torch),
        cmocka_unit_test(test_subnetwork_views),
        cmocka_unit_test(test_inference_api),
        cmocka_unit_test(test_training_lowers_loss),
        cmocka_unit_test(test_adamw_clip_two_steps),
        cmocka_unit_test(test_soft_targets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
