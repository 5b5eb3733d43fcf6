/* pred: the one predictor handle: parameters, fitting and prediction
 * dispatched by kind, batch prediction by flat tree traversal, versioned
 * little-endian serialization (hw_codec.h) of every kind. Training through
 * xgboost lives in pred_xgb.c, the Gaussian process in pred_gp.c, the
 * meta-learned latency model in pred_help.c. */
#include "pred.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "hw_err.h"
#include "pred_impl.h"
#include "space.h"

#define PRED_MAGIC "HWNASPRD"

void pred_params_default(pred_kind kind, pred_params *p) {
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->nthread = 1;
    p->seed = 1;
    p->min_child_weight = 1;
    p->lambda = 1;
    if (kind == PRED_RF) {
        p->n_trees = 100;
        p->n_bags = 1;
        p->max_depth = 10;
        p->eta = 1;
        p->subsample = 0.8;
        p->colsample_bynode = 0.6;
        p->lambda = 0; /* no leaf shrinkage: plain averages, as a forest should */
    } else {
        p->n_trees = 500;
        p->n_bags = 1;
        p->max_depth = 6;
        p->eta = 0.05;
        p->subsample = 0.8;
        p->colsample_bynode = 0.8;
    }
}

int pred_kind_parse(const char *s, pred_kind *out) {
    if (!strcmp(s, "rf")) *out = PRED_RF;
    else if (!strcmp(s, "xgb")) *out = PRED_XGB;
    else if (!strcmp(s, "gp")) *out = PRED_GP;
    else if (!strcmp(s, "help")) *out = PRED_HELP;
    else return hw_fail("method '%s' is not one of rf, xgb, gp, help", s);
    return 0;
}

const char *pred_kind_name(pred_kind k) {
    switch (k) {
    case PRED_RF: return "rf";
    case PRED_XGB: return "xgb";
    case PRED_HELP: return "help";
    case PRED_GP: return "gp";
    }
    return "?";
}

pred_kind pred_get_kind(const pred *m) { return m->kind; }
int pred_nfeatures(const pred *m) { return m->d; }
int pred_nmembers(const pred *m) {
    return m->kind == PRED_HELP ? pred_help_dev_nmembers(m->help) : m->kind == PRED_GP ? 1 : m->n_members;
}
int pred_ntrees(const pred *m) { return m->kind == PRED_HELP || m->kind == PRED_GP ? 0 : m->n_trees; }

void pred_alloc_trees(pred *m) {
    size_t ni = ((size_t)1 << m->depth) - 1, nl = (size_t)1 << m->depth;
    m->base = hw_calloc((size_t)m->n_members, sizeof *m->base);
    m->node = hw_calloc((size_t)m->n_trees * ni, sizeof *m->node);
    m->leaf = hw_calloc((size_t)m->n_trees * nl, sizeof *m->leaf);
}

void pred_free(pred *m) {
    if (!m) return;
    free(m->base);
    free(m->node);
    free(m->leaf);
    if (m->help) pred_help_dev_free(m->help);
    pred_gp_free(m->gp);
    free(m);
}

int pred_fit(const pred_params *p, const float *X, const double *y, int n, int d, pred **out) {
    *out = NULL;
    if (p->kind == PRED_HELP) return hw_fail("pred_fit: a help model is adapted (pred_help_adapt), not fitted");
    if (p->kind != PRED_GP) return pred_xgb_fit(p, X, y, n, d, out);
    struct pred_gp *g;
    if (pred_gp_fit(X, y, n, d, p->log_target, &g)) return -1;
    *out = pred_wrap_gp(g);
    return 0;
}

pred *pred_wrap_gp(struct pred_gp *g) {
    pred *m = hw_calloc(1, sizeof *m);
    m->kind = PRED_GP;
    m->gp = g;
    m->d = pred_gp_nfeatures(g);
    m->log_target = pred_gp_log_target(g);
    return m;
}

pred *pred_wrap_help(struct pred_help_dev *dev) {
    pred *m = hw_calloc(1, sizeof *m);
    m->kind = PRED_HELP;
    m->help = dev;
    m->d = pred_help_dev_nfeatures(dev);
    m->log_target = 1;
    return m;
}

/* ---- prediction ---------------------------------------------------------- */

/* Rows per block: each tree's nodes are reused by all rows of a block while
 * they sit in L1 (a 100-tree depth-10 forest is ~1.2 MB, more than L2). */
#define PRED_BLOCK 256

/* Rows traversed together; keys are stored feature-major per group
 * (xg[f * PRED_GROUP + r]) so one pointer addresses every row's feature. */
#define PRED_GROUP 16

/* One level step of row r: right iff x[feat] >= thr. */
#define STEP(r) i##r = 2 * i##r + 1 + (xg[nd[i##r].feat * PRED_GROUP + r] >= nd[i##r].key)

/* Sum and sum of squares over members of the member outputs for rows
 * Xf[0..nb): sum, sumsq (nb). Rows go through each tree PRED_GROUP at a
 * time with their node indices in registers, branch-free: idx = 2*idx + 1 +
 * (x[feat] >= thr), so independent chains of loads overlap. Scratch: X
 * (ceil(nb / PRED_GROUP), d, PRED_GROUP) integer keys (short groups repeat
 * their last row), acc (nb). */
static void tree_block(const pred *m, const float *Xf, int nb, double *sum, double *sumsq, int32_t *X, float *acc) {
    const int D = m->depth, d = m->d;
    const size_t ni = ((size_t)1 << D) - 1, nl = (size_t)1 << D;
    const int ng = (nb + PRED_GROUP - 1) / PRED_GROUP;
    for (int g = 0; g < ng; g++)
        for (int r = 0; r < PRED_GROUP; r++) {
            int row = g * PRED_GROUP + r < nb ? g * PRED_GROUP + r : nb - 1;
            for (int f = 0; f < d; f++)
                X[((size_t)g * d + f) * PRED_GROUP + r] = pred_fkey(Xf[(size_t)row * d + f]);
        }
    for (int r = 0; r < nb; r++) sum[r] = sumsq[r] = 0;
    for (int mem = 0; mem < m->n_members; mem++) {
        for (int r = 0; r < nb; r++) acc[r] = 0;
        for (int k = 0; k < m->trees_per_member; k++) {
            size_t t = (size_t)mem * m->trees_per_member + k;
            const pred_node *nd = m->node + t * ni;
            const float *lf = m->leaf + t * nl - ni;
            for (int g = 0; g < ng; g++) {
                const int32_t *xg = X + (size_t)g * d * PRED_GROUP;
                uint32_t i0 = 0, i1 = 0, i2 = 0, i3 = 0, i4 = 0, i5 = 0, i6 = 0, i7 = 0;
#if PRED_GROUP == 16
                uint32_t i8 = 0, i9 = 0, i10 = 0, i11 = 0, i12 = 0, i13 = 0, i14 = 0, i15 = 0;
#endif
                for (int lev = 0; lev < D; lev++) {
                    STEP(0), STEP(1), STEP(2), STEP(3), STEP(4), STEP(5), STEP(6), STEP(7);
#if PRED_GROUP == 16
                    STEP(8), STEP(9), STEP(10), STEP(11), STEP(12), STEP(13), STEP(14), STEP(15);
#endif
                }
                float v[PRED_GROUP] = {lf[i0], lf[i1], lf[i2], lf[i3], lf[i4], lf[i5], lf[i6], lf[i7],
#if PRED_GROUP == 16
                                       lf[i8], lf[i9], lf[i10], lf[i11], lf[i12], lf[i13], lf[i14], lf[i15]
#endif
                };
                int base = g * PRED_GROUP;
                for (int r = 0; r < PRED_GROUP && base + r < nb; r++) acc[base + r] += v[r];
            }
        }
        for (int r = 0; r < nb; r++) {
            double y = (double)m->base[mem] + (double)m->scale * acc[r];
            sum[r] += y;
            sumsq[r] += y * y;
        }
    }
}
#undef STEP

void pred_predict(const pred *m, const float *X, int n, double *mean, double *std) {
    if (m->kind == PRED_GP) {
        pred_gp_predict(m->gp, X, n, mean, std);
        return;
    }
    int M = pred_nmembers(m), help = m->kind == PRED_HELP;
    double *mo = help ? hw_malloc((size_t)PRED_BLOCK * M * sizeof *mo) : NULL; /* (PRED_BLOCK, M) member outputs */
    double *sum = hw_malloc(PRED_BLOCK * sizeof *sum);                         /* (PRED_BLOCK) */
    double *sumsq = hw_malloc(PRED_BLOCK * sizeof *sumsq);                     /* (PRED_BLOCK) */
    int32_t *xk = help ? NULL : hw_malloc((size_t)PRED_BLOCK * m->d * sizeof *xk); /* (PRED_BLOCK, d) keys, grouped */
    float *acc = hw_malloc(PRED_BLOCK * sizeof *acc);                           /* (PRED_BLOCK) */
    for (int r0 = 0; r0 < n; r0 += PRED_BLOCK) {
        int nb = n - r0 < PRED_BLOCK ? n - r0 : PRED_BLOCK;
        const float *xb = X + (size_t)r0 * m->d;
        if (help) {
            pred_help_dev_predict_members(m->help, xb, nb, mo);
            for (int r = 0; r < nb; r++) {
                sum[r] = sumsq[r] = 0;
                for (int k = 0; k < M; k++) {
                    double y = mo[(size_t)r * M + k];
                    sum[r] += y;
                    sumsq[r] += y * y;
                }
            }
        } else {
            tree_block(m, xb, nb, sum, sumsq, xk, acc);
        }
        for (int r = 0; r < nb; r++) {
            double mu = sum[r] / M, var = sumsq[r] / M - mu * mu;
            double sd = var > 0 && M > 1 ? sqrt(var) : 0;
            if (m->log_target) {
                mu = exp(mu);
                sd = mu * sd;
            }
            mean[r0 + r] = mu;
            if (std) std[r0 + r] = sd;
        }
    }
    free(mo), free(sum), free(sumsq), free(xk), free(acc);
}

/* ---- byte codec helpers -------------------------------------------------- */

int pred_get_int(hw_rbuf *r, const char *what, uint32_t lo, uint32_t hi, int *out) {
    uint32_t v = hw_get_u32(r);
    if (!hw_rbuf_ok(r)) return hw_fail("truncated (%s at offset %zu)", what, r->off);
    if (v < lo || v > hi) return hw_fail("%s %u out of range %u..%u", what, v, lo, hi);
    *out = (int)v;
    return 0;
}

/* ---- save / load -------------------------------------------------------- */

/* Layout: "HWNASPRD" | u32 version | u32 kind | u64 payload length |
 * payload | u64 hash of payload. */
int pred_save(const pred *m, uint8_t **out_buf, size_t *out_len) {
    hw_wbuf pl, b;
    hw_wbuf_init(&pl);
    hw_wbuf_init(&b);
    if (m->kind == PRED_HELP) {
        pred_help_dev_save(m->help, &pl);
    } else if (m->kind == PRED_GP) {
        pred_gp_save(m->gp, &pl);
    } else {
        size_t ni = ((size_t)1 << m->depth) - 1, nl = (size_t)1 << m->depth;
        hw_put_u32(&pl, (uint32_t)m->d);
        hw_put_u32(&pl, (uint32_t)m->log_target);
        hw_put_u32(&pl, (uint32_t)m->depth);
        hw_put_u32(&pl, (uint32_t)m->n_members);
        hw_put_u32(&pl, (uint32_t)m->trees_per_member);
        hw_put_f32(&pl, m->scale);
        hw_put_f32s(&pl, m->base, (size_t)m->n_members);
        for (size_t i = 0; i < (size_t)m->n_trees * ni; i++) hw_put_u32(&pl, (uint32_t)m->node[i].feat);
        for (size_t i = 0; i < (size_t)m->n_trees * ni; i++) hw_put_f32(&pl, pred_keyf(m->node[i].key));
        hw_put_f32s(&pl, m->leaf, (size_t)m->n_trees * nl);
    }
    hw_put_header(&b, PRED_MAGIC, 8, PRED_FORMAT_VERSION);
    hw_put_u32(&b, (uint32_t)m->kind);
    hw_put_u64(&b, pl.n);
    hw_put_bytes(&b, pl.p, pl.n);
    hw_put_u64(&b, hw_hash_bytes(pl.p, pl.n, 0x70726564));
    int bad = pl.bad;
    hw_wbuf_free(&pl);
    *out_buf = hw_wbuf_take(&b, out_len);
    if (bad || !*out_buf) return hw_fail("pred_save: out of memory");
    return 0;
}

static int load_trees(hw_rbuf *r, pred *m) {
    if (pred_get_int(r, "feature count", 1, 1 << 20, &m->d) || pred_get_int(r, "log_target", 0, 1, &m->log_target) ||
        pred_get_int(r, "depth", 1, PRED_MAX_DEPTH, &m->depth) ||
        pred_get_int(r, "member count", 1, 1 << 20, &m->n_members) ||
        pred_get_int(r, "trees per member", 1, 1 << 20, &m->trees_per_member))
        return -1;
    m->scale = hw_get_f32(r);
    size_t nt = (size_t)m->n_members * m->trees_per_member;
    size_t ni = ((size_t)1 << m->depth) - 1, nl = (size_t)1 << m->depth;
    /* size check before allocating: feat + thr + leaf + base */
    if ((nt * (2 * ni + nl) + m->n_members) > hw_rbuf_left(r) / 4) return hw_fail("truncated tree arrays");
    m->n_trees = (int)nt;
    pred_alloc_trees(m);
    hw_get_f32s(r, m->base, (size_t)m->n_members);
    for (size_t i = 0; i < nt * ni; i++) {
        uint32_t f = hw_get_u32(r);
        if (f >= (uint32_t)m->d) return hw_fail("split feature %u out of range (%d features)", f, m->d);
        m->node[i].feat = (int32_t)f;
    }
    for (size_t i = 0; i < nt * ni; i++) {
        float th = hw_get_f32(r);
        if (isnan(th)) return hw_fail("NaN split threshold");
        m->node[i].key = pred_fkey(th);
    }
    hw_get_f32s(r, m->leaf, nt * nl);
    return hw_rbuf_ok(r) ? 0 : hw_fail("truncated tree arrays");
}

int pred_load(const uint8_t *buf, size_t len, pred **out) {
    *out = NULL;
    hw_rbuf r;
    hw_rbuf_init(&r, buf, len);
    if (hw_get_header(&r, PRED_MAGIC, 8, PRED_FORMAT_VERSION, "hwnas predictor model")) return -1;
    uint32_t kind = hw_get_u32(&r);
    uint64_t plen = hw_get_u64(&r);
    if (!hw_rbuf_ok(&r)) return hw_fail("truncated model header");
    if (kind < PRED_RF || kind > PRED_GP) return hw_fail("unknown model kind %u", kind);
    if (plen > hw_rbuf_left(&r) || hw_rbuf_left(&r) - plen < 8)
        return hw_fail("truncated model (%zu bytes, header says %llu payload bytes)", len, (unsigned long long)plen);
    if (hw_rbuf_left(&r) - plen > 8) return hw_fail("trailing bytes after model");
    hw_rbuf pl;
    hw_rbuf_init(&pl, hw_get_span(&r, (size_t)plen), (size_t)plen);
    uint64_t hash = hw_get_u64(&r);
    if (hash != hw_hash_bytes(pl.p, pl.n, 0x70726564)) return hw_fail("model checksum mismatch (corrupted)");
    pred *m = hw_calloc(1, sizeof *m);
    m->kind = (pred_kind)kind;
    if (m->kind == PRED_HELP) {
        if (pred_help_dev_load(&pl, &m->help)) goto fail;
        m->d = pred_help_dev_nfeatures(m->help);
        m->log_target = 1;
    } else if (m->kind == PRED_GP) {
        if (pred_gp_load(&pl, &m->gp)) goto fail;
        m->d = pred_gp_nfeatures(m->gp);
        m->log_target = pred_gp_log_target(m->gp);
    } else if (load_trees(&pl, m)) {
        goto fail;
    }
    if (!hw_rbuf_done(&pl)) {
        hw_fail("model payload has %zu unread bytes", hw_rbuf_left(&pl));
        goto fail;
    }
    *out = m;
    return 0;
fail:
    pred_free(m);
    return -1;
}

int pred_save_file(const pred *m, const char *path) {
    uint8_t *buf = NULL;
    size_t len = 0;
    if (pred_save(m, &buf, &len)) return -1;
    int rc = hw_write_file_atomic(path, buf, len);
    free(buf);
    return rc;
}

int pred_load_file(const char *path, pred **out) {
    *out = NULL;
    char *buf = NULL;
    size_t len = 0;
    if (hw_read_file(path, &buf, &len)) return -1;
    int rc = pred_load((const uint8_t *)buf, len, out);
    free(buf);
    return rc ? hw_fail_prefix("%s", path) : 0;
}
