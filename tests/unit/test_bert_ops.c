/* test_bert_ops: every BERT kernel's backward against central finite
 * differences of L = sum(out * R) (R random, L accumulated in double),
 * for every input and parameter element, on small shapes with strided
 * weights (ldw > C, as sub-networks of a supernet use). */
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
#include "bert_ops.h"

#define EPS 1e-3f

static hw_rng R;

static float *rnd(int n, float scale) {
    float *p = malloc((size_t)n * sizeof *p);
    for (int i = 0; i < n; i++) p[i] = (float)(scale * rng_normal(&R));
    return p;
}

static float *zeros(int n) { return calloc((size_t)n, sizeof(float)); }

static double dot(const float *a, const float *b, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) s += (double)a[i] * b[i];
    return s;
}

/* The op under test as a closure: computes out from the current inputs. */
typedef void (*fwd_fn)(void *ctx);

/* Checks grad[i] == dL/dx[i] for all i in x(n), L = <out, Rw>. */
static void check(const char *what, fwd_fn f, void *ctx, float *x, const float *grad, int n, const float *out,
                  const float *Rw, int nout) {
    double worst = 0;
    for (int i = 0; i < n; i++) {
        float keep = x[i];
        x[i] = keep + EPS;
        f(ctx);
        double lp = dot(out, Rw, nout);
        x[i] = keep - EPS;
        f(ctx);
        double lm = dot(out, Rw, nout);
        x[i] = keep;
        double num = (lp - lm) / (2.0 * EPS), err = fabs(num - grad[i]) / (1e-2 + fabs(num));
        worst = err > worst ? err : worst;
        if (err > 2e-2) fprintf(stderr, "%s[%d]: analytic %g numeric %g\n", what, i, grad[i], num);
        assert_true(err <= 2e-2);
    }
    f(ctx);
}

/* ---- layernorm */
typedef struct { float *out, *mean, *rstd, *inp, *w, *b; int N, H; } ln_ctx;
static void ln_f(void *c) {
    ln_ctx *x = c;
    bert_layernorm_forward(x->out, x->mean, x->rstd, x->inp, x->w, x->b, x->N, x->H, 1e-5f);
}
static void test_layernorm(void **st) {
    (void)st;
    int N = 3, H = 7;
    ln_ctx c = {zeros(N * H), zeros(N), zeros(N), rnd(N * H, 1), rnd(H, 1), rnd(H, 1), N, H};
    float *Rw = rnd(N * H, 1), *di = zeros(N * H), *dw = zeros(H), *db = zeros(H);
    ln_f(&c);
    bert_layernorm_backward(di, dw, db, Rw, c.inp, c.w, c.mean, c.rstd, N, H);
    check("ln.inp", ln_f, &c, c.inp, di, N * H, c.out, Rw, N * H);
    check("ln.w", ln_f, &c, c.w, dw, H, c.out, Rw, N * H);
    check("ln.b", ln_f, &c, c.b, db, H, c.out, Rw, N * H);
    free(c.out), free(c.mean), free(c.rstd), free(c.inp), free(c.w), free(c.b), free(Rw), free(di), free(dw), free(db);
}

/* ---- matmul with a strided weight (OC x C block of an OCs x ldw matrix) */
typedef struct { float *out, *inp, *w, *b; int N, C, OC, ldw; } mm_ctx;
static void mm_f(void *c) {
    mm_ctx *x = c;
    bert_matmul_forward(x->out, x->inp, x->w, x->b, x->N, x->C, x->OC, x->ldw);
}
static void test_matmul(void **st) {
    (void)st;
    int N = 4, C = 5, OC = 3, ldw = 8, OCs = 6;
    mm_ctx c = {zeros(N * OC), rnd(N * C, 1), rnd(OCs * ldw, 1), rnd(OC, 1), N, C, OC, ldw};
    float *Rw = rnd(N * OC, 1), *di = zeros(N * C), *dw = zeros(OCs * ldw), *db = zeros(OC);
    mm_f(&c);
    bert_matmul_backward(di, dw, db, Rw, c.inp, c.w, N, C, OC, ldw);
    check("mm.inp", mm_f, &c, c.inp, di, N * C, c.out, Rw, N * OC);
    check("mm.w", mm_f, &c, c.w, dw, OCs * ldw, c.out, Rw, N * OC); /* outside the block: 0 */
    check("mm.b", mm_f, &c, c.b, db, OC, c.out, Rw, N * OC);
    free(c.out), free(c.inp), free(c.w), free(c.b), free(Rw), free(di), free(dw), free(db);
}

/* ---- attention with padding */
typedef struct { float *out, *att, *q, *k, *v; int *mask, B, T, H, A; } at_ctx;
static void at_f(void *c) {
    at_ctx *x = c;
    bert_attention_forward(x->out, x->att, x->q, x->k, x->v, x->mask, x->B, x->T, x->H, x->A);
}
static void test_attention(void **st) {
    (void)st;
    int B = 2, T = 5, H = 6, A = 3, n = B * T * H;
    int mask[10] = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0};
    at_ctx c = {zeros(n), zeros(B * A * T * T), rnd(n, 1), rnd(n, 1), rnd(n, 1), mask, B, T, H, A};
    float *Rw = rnd(n, 1), *dq = zeros(n), *dk = zeros(n), *dv = zeros(n), *scr = zeros(T * T);
    at_f(&c);
    /* masked keys get exactly zero probability */
    for (int a = 0; a < A; a++)
        for (int i = 0; i < T; i++) assert_true(c.att[((1 * A + a) * T + i) * T + 4] == 0.0f);
    bert_attention_backward(dq, dk, dv, scr, Rw, c.q, c.k, c.v, c.att, B, T, H, A);
    check("att.q", at_f, &c, c.q, dq, n, c.out, Rw, n);
    check("att.k", at_f, &c, c.k, dk, n, c.out, Rw, n);
    check("att.v", at_f, &c, c.v, dv, n, c.out, Rw, n);
    free(c.out), free(c.att), free(c.q), free(c.k), free(c.v), free(Rw), free(dq), free(dk), free(dv), free(scr);
}

/* ---- elementwise: gelu, tanh, dropout */
typedef struct { float *out, *inp, *mask; int n, kind; } ew_ctx;
static void ew_f(void *c) {
    ew_ctx *x = c;
    if (x->kind == 0) bert_gelu_forward(x->out, x->inp, x->n);
    else if (x->kind == 1) bert_tanh_forward(x->out, x->inp, x->n);
    else for (int i = 0; i < x->n; i++) x->out[i] = x->inp[i] * x->mask[i]; /* fixed mask */
}
static void test_elementwise(void **st) {
    (void)st;
    int n = 40;
    for (int kind = 0; kind < 3; kind++) {
        ew_ctx c = {zeros(n), rnd(n, 2), zeros(n), n, kind};
        float *Rw = rnd(n, 1), *di = zeros(n);
        if (kind == 2) {
            hw_rng r;
            rng_seed(&r, 9);
            bert_dropout_forward(c.out, c.mask, c.inp, 0.3f, &r, n);
            int dropped = 0;
            for (int i = 0; i < n; i++) {
                assert_true(c.mask[i] == 0.0f || fabsf(c.mask[i] - 1.0f / 0.7f) < 1e-6f);
                dropped += c.mask[i] == 0.0f;
            }
            assert_true(dropped > 2 && dropped < 25);
        }
        ew_f(&c);
        if (kind == 0) bert_gelu_backward(di, c.inp, Rw, n);
        else if (kind == 1) bert_tanh_backward(di, c.out, Rw, n);
        else bert_dropout_backward(di, c.mask, Rw, n);
        check(kind == 0 ? "gelu" : kind == 1 ? "tanh" : "dropout", ew_f, &c, c.inp, di, n, c.out, Rw, n);
        free(c.out), free(c.inp), free(c.mask), free(Rw), free(di);
    }
    /* GELU reference values: x * Phi(x) */
    float x[3] = {-1.0f, 0.5f, 2.0f}, y[3];
    bert_gelu_forward(y, x, 3);
    assert_true(fabsf(y[0] - -0.15865525f) < 1e-6f);
    assert_true(fabsf(y[1] - 0.34573123f) < 1e-6f);
    assert_true(fabsf(y[2] - 1.95449974f) < 1e-6f);
}

/* ---- embeddings (strided tables) */
typedef struct { float *out, *wte, *wpe, *wtt; int *tok, *seg, ld, B, T, H; } em_ctx;
static void em_f(void *c) {
    em_ctx *x = c;
    bert_embed_forward(x->out, x->tok, x->seg, x->wte, x->wpe, x->wtt, x->ld, x->B, x->T, x->H);
}
static void test_embed(void **st) {
    (void)st;
    int V = 6, maxT = 4, B = 2, T = 3, H = 3, ld = 5, n = B * T * H;
    int tok[6] = {1, 4, 1, 0, 5, 4}, seg[6] = {0, 1, 1, 0, 0, 1};
    em_ctx c = {zeros(n), rnd(V * ld, 1), rnd(maxT * ld, 1), rnd(2 * ld, 1), tok, seg, ld, B, T, H};
    float *Rw = rnd(n, 1), *dte = zeros(V * ld), *dpe = zeros(maxT * ld), *dtt = zeros(2 * ld);
    em_f(&c);
    bert_embed_backward(dte, dpe, dtt, Rw, tok, seg, ld, B, T, H);
    check("wte", em_f, &c, c.wte, dte, V * ld, c.out, Rw, n);
    check("wpe", em_f, &c, c.wpe, dpe, maxT * ld, c.out, Rw, n);
    check("wtt", em_f, &c, c.wtt, dtt, 2 * ld, c.out, Rw, n);
    free(c.out), free(c.wte), free(c.wpe), free(c.wtt), free(Rw), free(dte), free(dpe), free(dtt);
}

/* ---- cross-entropy (L = mean loss; "out" is the loss itself) */
typedef struct { float *probs, *logits, loss; int *labels, B, NC; } ce_ctx;
static void ce_f(void *c) {
    ce_ctx *x = c;
    x->loss = bert_crossentropy_forward(x->probs, x->logits, x->labels, x->B, x->NC);
}
static void test_crossentropy(void **st) {
    (void)st;
    int B = 3, NC = 4, labels[3] = {0, 3, 2};
    ce_ctx c = {zeros(B * NC), rnd(B * NC, 2), 0, labels, B, NC};
    float one = 1.0f, *dl = zeros(B * NC);
    ce_f(&c);
    bert_crossentropy_backward(dl, c.probs, labels, B, NC);
    check("ce.logits", ce_f, &c, c.logits, dl, B * NC, &c.loss, &one, 1);
    free(c.probs), free(c.logits), free(dl);
}

/* ---- the whole model: d(loss)/d(param) for sampled parameters, with a
 * heterogeneous 2-layer sub-network on a larger store and padding */
typedef struct { bert_model *m; int *tok, *mask, *lab; float loss; } md_ctx;
static void md_f(void *c) {
    md_ctx *x = c;
    assert_int_equal(bert_model_forward_train(x->m, x->tok, NULL, x->mask, x->lab, 2, 5, NULL, &x->loss), 0);
}
static void test_model_gradient(void **st) {
    (void)st;
    bert_shape big = {0}, sub = {0};
    big.layers = 3, big.hidden = 12;
    for (int l = 0; l < 3; l++) big.heads[l] = 2, big.ffn[l] = 16;
    sub.layers = 2, sub.hidden = 8, sub.heads[0] = 2, sub.heads[1] = 4, sub.ffn[0] = 8, sub.ffn[1] = 12;
    bert_config c;
    bert_config_init(&c, &big, 20, 6, 3);
    c.ln_eps = 1e-5f;
    bert_store *s;
    assert_int_equal(bert_store_create(&c, 1, 4, &s), 0);
    float *p = bert_store_params(s);
    size_t np = bert_store_nparams(s);
    for (size_t i = 0; i < np; i++) p[i] += (float)(0.2 * rng_normal(&R)); /* away from init symmetry */
    bert_model *m;
    assert_int_equal(bert_model_create_on(s, &sub, 2, &m), 0);
    int tok[10] = {1, 5, 7, 9, 3, 1, 2, 19, 0, 0}, mask[10] = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, lab[2] = {2, 0};
    md_ctx x = {m, tok, mask, lab, 0};
    md_f(&x);
    assert_int_equal(bert_model_backward(m), 0);
    float *g = bert_store_grads(s), one = 1.0f;
    /* check a deterministic sample of ~400 parameters, including all of
     * those outside the sub-network (gradient 0) that fall in the sample */
    float *gs = malloc(np * sizeof *gs);
    memcpy(gs, g, np * sizeof *gs);
    for (size_t i = 0; i < np; i += 1 + np / 400) check("model", md_f, &x, p + i, gs + i, 1, &x.loss, &one, 1);
    free(gs);
    bert_model_free(m);
    bert_store_free(s);
}

int main(void) {
    rng_seed(&R, 2024);
    bert_set_threads(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layernorm),  cmocka_unit_test(test_matmul),       cmocka_unit_test(test_attention),
        cmocka_unit_test(test_elementwise), cmocka_unit_test(test_embed),       cmocka_unit_test(test_crossentropy),
        cmocka_unit_test(test_model_gradient),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
