/* pred_feas.c: the feasibility classifier (see pred_feas.h). */
#include "pred_feas.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hw_err.h"

struct pred_feas {
    int d, n, cap, nfail;
    float *X;     /* [cap x d] */
    uint8_t *ok;  /* [cap] */
    pred *m;      /* NULL until fitted */
    int flip;     /* the model's target was 1 - ok (failures were the majority) */
};

pred_feas *pred_feas_create(int d) {
    pred_feas *f = hw_calloc(1, sizeof *f);
    f->d = d;
    return f;
}

void pred_feas_free(pred_feas *f) {
    if (!f) return;
    free(f->X);
    free(f->ok);
    pred_free(f->m);
    free(f);
}

void pred_feas_add(pred_feas *f, const float *x, int ok) {
    if (f->n == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 64;
        f->X = hw_realloc(f->X, (size_t)f->cap * f->d * sizeof *f->X);
        f->ok = hw_realloc(f->ok, (size_t)f->cap);
    }
    memcpy(f->X + (size_t)f->n * f->d, x, (size_t)f->d * sizeof *x);
    f->ok[f->n++] = ok != 0;
    f->nfail += !ok;
}

int pred_feas_count(const pred_feas *f, int *n_failed) {
    if (n_failed) *n_failed = f->nfail;
    return f->n;
}

int pred_feas_fit(pred_feas *f, int min_train) {
    if (f->n < min_train || f->nfail == 0 || f->nfail == f->n) return 0;
    int flip = 2 * f->nfail > f->n; /* the majority outcome is coded 1 */
    double *y = hw_malloc((size_t)f->n * sizeof *y);
    for (int i = 0; i < f->n; i++) y[i] = flip ? !f->ok[i] : f->ok[i];
    pred_params pp;
    pred_params_default(PRED_GP, &pp);
    pp.log_target = 0;
    pred *m;
    int rc = pred_fit(&pp, f->X, y, f->n, f->d, &m);
    free(y);
    if (rc) return hw_fail_prefix("feasibility model");
    pred_free(f->m);
    f->m = m;
    f->flip = flip;
    return 0;
}

int pred_feas_has_model(const pred_feas *f) { return f->m != NULL; }

void pred_feas_predict(const pred_feas *f, const float *X, int n, double *p) {
    if (!f->m) {
        for (int i = 0; i < n; i++) p[i] = 1;
        return;
    }
    pred_predict(f->m, X, n, p, NULL);
    for (int i = 0; i < n; i++) {
        double q = fmin(1, fmax(0, p[i]));
        p[i] = f->flip ? 1 - q : q;
    }
}

void pred_feas_take_model(pred_feas *dst, pred_feas *src) {
    pred_free(dst->m);
    dst->m = src->m;
    dst->flip = src->flip;
    src->m = NULL;
}

int pred_feas_put(hw_wbuf *w, const pred_feas *f) {
    uint8_t *mb = NULL;
    size_t ml = 0;
    if (f->m && pred_save(f->m, &mb, &ml)) return -1;
    hw_put_u8(w, f->m != NULL);
    hw_put_u8(w, (uint8_t)f->flip);
    hw_put_u64(w, ml);
    hw_put_bytes(w, mb, ml);
    free(mb);
    return 0;
}

int pred_feas_get(hw_rbuf *r, pred_feas *f) {
    uint8_t has = hw_get_u8(r), flip = hw_get_u8(r);
    uint64_t l = hw_get_u64(r);
    const uint8_t *mb = hw_get_span(r, l <= hw_rbuf_left(r) ? (size_t)l : SIZE_MAX);
    if (!hw_rbuf_ok(r) || has > 1 || flip > 1 || (has && !mb)) return hw_fail("feasibility model: truncated or corrupt");
    pred *m = NULL;
    if (has && pred_load(mb, (size_t)l, &m)) return hw_fail_prefix("feasibility model");
    pred_free(f->m);
    f->m = m;
    f->flip = flip;
    return 0;
}
