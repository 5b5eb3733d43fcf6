/* pred: model-independent parts of the predictor handle: parameters,
 * batch prediction by flat tree traversal, versioned serialization.
 * Training through xgboost lives in pred_xgb.c, the meta-learned latency
 * model in pred_help.c. */
#include "pred.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
    else if (!strcmp(s, "help")) *out = PRED_HELP;
    else return hw_fail("method '%s' is not one of rf, xgb, help", s);
    return 0;
}

const char *pred_kind_name(pred_kind k) {
    switch (k) {
    case PRED_RF: return "rf";
    case PRED_XGB: return "xgb";
    case PRED_HELP: return "help";
    }
    return "?";
}

pred_kind pred_get_kind(const pred *m) { return m->kind; }
int pred_nfeatures(const pred *m) { return m->d; }
int pred_nmembers(const pred *m) { return m->kind == PRED_HELP ? pred_help_dev_nmembers(m->help) : m->n_members; }
int pred_ntrees(const pred *m) { return m->kind == PRED_HELP ? 0 : m->n_trees; }

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
    free(m);
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

/* ---- byte buffers --------------------------------------------------------- */

void wbuf_bytes(hw_wbuf *b, const void *p, size_t n) {
    if (b->len + n > b->cap) {
        size_t c = b->cap ? b->cap : 256;
        while (c < b->len + n) c *= 2;
        b->p = hw_realloc(b->p, c);
        b->cap = c;
    }
    if (n) memcpy(b->p + b->len, p, n);
    b->len += n;
}

void wbuf_u32(hw_wbuf *b, uint32_t v) {
    uint8_t q[4] = {0};
    for (int i = 0; i < 4; i++) q[i] = (uint8_t)(v >> (8 * i));
    wbuf_bytes(b, q, 4);
}

void wbuf_u64(hw_wbuf *b, uint64_t v) {
    uint8_t q[8] = {0};
    for (int i = 0; i < 8; i++) q[i] = (uint8_t)(v >> (8 * i));
    wbuf_bytes(b, q, 8);
}

void wbuf_f32(hw_wbuf *b, float v) {
    uint32_t u;
    memcpy(&u, &v, 4);
    wbuf_u32(b, u);
}

void wbuf_f32s(hw_wbuf *b, const float *v, size_t n) {
    for (size_t i = 0; i < n; i++) wbuf_f32(b, v[i]);
}

int rbuf_bytes(hw_rbuf *b, void *out, size_t n) {
    if (n > b->len - b->pos) return hw_fail("truncated (needs %zu more bytes at offset %zu)", n, b->pos);
    memcpy(out, b->p + b->pos, n);
    b->pos += n;
    return 0;
}

int rbuf_u32(hw_rbuf *b, uint32_t *v) {
    uint8_t q[4] = {0};
    if (rbuf_bytes(b, q, 4)) return -1;
    *v = 0;
    for (int i = 0; i < 4; i++) *v |= (uint32_t)q[i] << (8 * i);
    return 0;
}

int rbuf_u64(hw_rbuf *b, uint64_t *v) {
    uint8_t q[8] = {0};
    if (rbuf_bytes(b, q, 8)) return -1;
    *v = 0;
    for (int i = 0; i < 8; i++) *v |= (uint64_t)q[i] << (8 * i);
    return 0;
}

int rbuf_f32(hw_rbuf *b, float *v) {
    uint32_t u;
    if (rbuf_u32(b, &u)) return -1;
    memcpy(v, &u, 4);
    return 0;
}

int rbuf_f32s(hw_rbuf *b, float *v, size_t n) {
    if (n > (b->len - b->pos) / 4) return hw_fail("truncated (needs %zu floats at offset %zu)", n, b->pos);
    for (size_t i = 0; i < n; i++)
        if (rbuf_f32(b, v + i)) return -1;
    return 0;
}

int rbuf_int(hw_rbuf *b, const char *what, uint32_t lo, uint32_t hi, int *out) {
    uint32_t v;
    if (rbuf_u32(b, &v)) return -1;
    if (v < lo || v > hi) return hw_fail("%s %u out of range %u..%u", what, v, lo, hi);
    *out = (int)v;
    return 0;
}

/* ---- save / load -------------------------------------------------------- */

/* Layout: "HWNASPRD" | u32 version | u32 kind | u64 payload length |
 * payload | u64 hash of payload. */
int pred_save(const pred *m, uint8_t **out_buf, size_t *out_len) {
    hw_wbuf pl = {0};
    if (m->kind == PRED_HELP) {
        pred_help_dev_save(m->help, &pl);
    } else {
        size_t ni = ((size_t)1 << m->depth) - 1, nl = (size_t)1 << m->depth;
        wbuf_u32(&pl, (uint32_t)m->d);
        wbuf_u32(&pl, (uint32_t)m->log_target);
        wbuf_u32(&pl, (uint32_t)m->depth);
        wbuf_u32(&pl, (uint32_t)m->n_members);
        wbuf_u32(&pl, (uint32_t)m->trees_per_member);
        wbuf_f32(&pl, m->scale);
        wbuf_f32s(&pl, m->base, (size_t)m->n_members);
        for (size_t i = 0; i < (size_t)m->n_trees * ni; i++) wbuf_u32(&pl, (uint32_t)m->node[i].feat);
        for (size_t i = 0; i < (size_t)m->n_trees * ni; i++) wbuf_f32(&pl, pred_keyf(m->node[i].key));
        wbuf_f32s(&pl, m->leaf, (size_t)m->n_trees * nl);
    }
    hw_wbuf b = {0};
    wbuf_bytes(&b, PRED_MAGIC, 8);
    wbuf_u32(&b, PRED_FORMAT_VERSION);
    wbuf_u32(&b, (uint32_t)m->kind);
    wbuf_u64(&b, pl.len);
    wbuf_bytes(&b, pl.p, pl.len);
    wbuf_u64(&b, hw_hash_bytes(pl.p, pl.len, 0x70726564));
    free(pl.p);
    *out_buf = b.p;
    *out_len = b.len;
    return 0;
}

static int load_trees(hw_rbuf *r, pred *m) {
    if (rbuf_int(r, "feature count", 1, 1 << 20, &m->d) || rbuf_int(r, "log_target", 0, 1, &m->log_target) ||
        rbuf_int(r, "depth", 1, PRED_MAX_DEPTH, &m->depth) ||
        rbuf_int(r, "member count", 1, 1 << 20, &m->n_members) ||
        rbuf_int(r, "trees per member", 1, 1 << 20, &m->trees_per_member) || rbuf_f32(r, &m->scale))
        return -1;
    size_t nt = (size_t)m->n_members * m->trees_per_member;
    size_t ni = ((size_t)1 << m->depth) - 1, nl = (size_t)1 << m->depth;
    /* size check before allocating: feat + thr + leaf + base */
    if ((nt * (2 * ni + nl) + m->n_members) > (r->len - r->pos) / 4) return hw_fail("truncated tree arrays");
    m->n_trees = (int)nt;
    pred_alloc_trees(m);
    if (rbuf_f32s(r, m->base, (size_t)m->n_members)) return -1;
    for (size_t i = 0; i < nt * ni; i++) {
        uint32_t f;
        if (rbuf_u32(r, &f)) return -1;
        if (f >= (uint32_t)m->d) return hw_fail("split feature %u out of range (%d features)", f, m->d);
        m->node[i].feat = (int32_t)f;
    }
    for (size_t i = 0; i < nt * ni; i++) {
        float th;
        if (rbuf_f32(r, &th)) return -1;
        if (isnan(th)) return hw_fail("NaN split threshold");
        m->node[i].key = pred_fkey(th);
    }
    if (rbuf_f32s(r, m->leaf, nt * nl)) return -1;
    return 0;
}

int pred_load(const uint8_t *buf, size_t len, pred **out) {
    *out = NULL;
    hw_rbuf r = {buf, len, 0};
    char magic[8];
    uint32_t version, kind;
    uint64_t plen, hash;
    if (len < 8 || memcmp(buf, PRED_MAGIC, 8)) return hw_fail("not an hwnas predictor model (bad magic)");
    r.pos = 8;
    (void)magic;
    if (rbuf_u32(&r, &version) || rbuf_u32(&r, &kind) || rbuf_u64(&r, &plen)) return hw_fail("truncated model header");
    if (version != PRED_FORMAT_VERSION)
        return hw_fail("model format version %u, this build reads version %d", version, PRED_FORMAT_VERSION);
    if (kind < PRED_RF || kind > PRED_HELP) return hw_fail("unknown model kind %u", kind);
    if (plen > len - r.pos || len - r.pos - plen < 8)
        return hw_fail("truncated model (%zu bytes, header says %llu payload bytes)", len,
                       (unsigned long long)plen);
    if (len - r.pos - plen > 8) return hw_fail("trailing bytes after model");
    hw_rbuf pl = {buf + r.pos, (size_t)plen, 0};
    r.pos += plen;
    if (rbuf_u64(&r, &hash)) return -1;
    if (hash != hw_hash_bytes(pl.p, pl.len, 0x70726564)) return hw_fail("model checksum mismatch (corrupted)");
    pred *m = hw_calloc(1, sizeof *m);
    m->kind = (pred_kind)kind;
    if (m->kind == PRED_HELP) {
        if (pred_help_dev_load(&pl, &m->help)) goto fail;
        m->d = pred_help_dev_nfeatures(m->help);
        m->log_target = 1;
    } else if (load_trees(&pl, m)) {
        goto fail;
    }
    if (pl.pos != pl.len) {
        hw_fail("model payload has %zu unread bytes", pl.len - pl.pos);
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
    char tmp[4096];
    int fd = -1;
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return hw_fail("%s: path too long", path);
    if (pred_save(m, &buf, &len)) return -1;
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        hw_fail("%s: %s", tmp, strerror(errno));
        goto fail;
    }
    for (size_t off = 0; off < len;) {
        ssize_t w = write(fd, buf + off, len - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            hw_fail("%s: write: %s", tmp, strerror(errno));
            goto fail;
        }
        off += (size_t)w;
    }
    if (fsync(fd) || close(fd)) {
        fd = -1;
        hw_fail("%s: fsync: %s", tmp, strerror(errno));
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path)) {
        hw_fail("%s: rename: %s", path, strerror(errno));
        goto fail;
    }
    {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", path);
        char *sl = strrchr(dir, '/');
        if (sl) *sl = 0;
        else snprintf(dir, sizeof dir, ".");
        int dfd = open(sl && sl == dir ? "/" : dir, O_RDONLY);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
    }
    free(buf);
    return 0;
fail:
    if (fd >= 0) close(fd);
    unlink(tmp);
    free(buf);
    return -1;
}

int pred_load_file(const char *path, pred **out) {
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return hw_fail("%s: %s", path, strerror(errno));
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? 2 * cap : 65536;
            buf = hw_realloc(buf, cap);
        }
        size_t k = fread(buf + len, 1, cap - len, f);
        len += k;
        if (k == 0) break;
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        return hw_fail("%s: read error", path);
    }
    int rc = pred_load(buf, len, out);
    free(buf);
    if (rc) return hw_fail_prefix("%s", path);
    return 0;
}
