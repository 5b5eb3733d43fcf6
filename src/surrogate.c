/* HWNAS_FULL_ONLY
 * surrogate.c: per-objective predictors (see surrogate.h). */
#include "surrogate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hw_err.h"

typedef struct obj_model {
    pred *m;            /* NULL until fitted */
    double mean, std;   /* fallback prediction */
} obj_model;

struct surrogate {
    const space *sp;
    surrogate_params p;
    int d;              /* features per row */
    int n, cap;
    float *X;           /* [cap x d] training features */
    double *Y;          /* [cap x n_obj] minimised targets */
    obj_model om[8];
    int version;
};

int surrogate_create(const space *sp, const surrogate_params *p, surrogate **out) {
    if (p->n_obj < 1 || p->n_obj > 8) return hw_fail("surrogate: 1..8 objectives supported");
    surrogate *s = hw_calloc(1, sizeof *s);
    s->sp = sp;
    s->p = *p;
    if (s->p.min_train < 2) s->p.min_train = 2;
    s->d = space_nfeatures(sp);
    for (int k = 0; k < p->n_obj; k++) {
        s->om[k].mean = 0;
        s->om[k].std = 1e6;
    }
    *out = s;
    return 0;
}

void surrogate_free(surrogate *s) {
    if (!s) return;
    for (int k = 0; k < s->p.n_obj; k++) pred_free(s->om[k].m);
    free(s->X);
    free(s->Y);
    free(s);
}

void surrogate_add(surrogate *s, const hw_genome *g, const double *obj_min) {
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->X = hw_realloc(s->X, (size_t)s->cap * s->d * sizeof *s->X);
        s->Y = hw_realloc(s->Y, (size_t)s->cap * s->p.n_obj * sizeof *s->Y);
    }
    space_features(s->sp, g, s->X + (size_t)s->n * s->d);
    memcpy(s->Y + (size_t)s->n * s->p.n_obj, obj_min, (size_t)s->p.n_obj * sizeof *obj_min);
    s->n++;
}

int surrogate_ntrain(const surrogate *s) { return s->n; }
int surrogate_version(const surrogate *s) { return s->version; }

int surrogate_fit(surrogate *s) {
    const int m = s->p.n_obj;
    double *y = hw_malloc((size_t)(s->n ? s->n : 1) * sizeof *y);
    for (int k = 0; k < m; k++) {
        double sum = 0, sq = 0;
        int allpos = 1;
        for (int i = 0; i < s->n; i++) {
            y[i] = s->Y[(size_t)i * m + k];
            sum += y[i];
            sq += y[i] * y[i];
            allpos &= y[i] > 0;
        }
        if (s->n > 0) {
            s->om[k].mean = sum / s->n;
            double var = sq / s->n - s->om[k].mean * s->om[k].mean;
            s->om[k].std = s->n > 1 ? sqrt(var > 0 ? var : 0) + 1e-9 : 1e6;
        }
        if (s->n < s->p.min_train) continue;
        pred_params pp;
        pred_params_default(s->p.method[k], &pp);
        if (s->p.n_trees > 0) pp.n_trees = s->p.n_trees;
        pp.log_target = allpos; /* latency/energy: relative errors matter */
        pp.seed = s->p.seed + (uint64_t)k * 7919 + (uint64_t)s->version;
        pp.nthread = 1;
        pred *nm;
        if (pred_fit(&pp, s->X, y, s->n, s->d, &nm)) {
            free(y);
            return hw_fail_prefix("surrogate: objective %d", k);
        }
        pred_free(s->om[k].m);
        s->om[k].m = nm;
    }
    free(y);
    s->version++;
    return 0;
}

void surrogate_predict(const surrogate *s, const hw_genome *g, int n, double *mean, double *std) {
    const int m = s->p.n_obj, d = s->d;
    float *X = hw_malloc((size_t)(n ? n : 1) * d * sizeof *X);
    double *mu = hw_malloc((size_t)(n ? n : 1) * sizeof *mu), *sd = hw_malloc((size_t)(n ? n : 1) * sizeof *sd);
    for (int i = 0; i < n; i++) space_features(s->sp, &g[i], X + (size_t)i * d);
    for (int k = 0; k < m; k++) {
        if (s->om[k].m) {
            pred_predict(s->om[k].m, X, n, mu, sd);
        } else {
            for (int i = 0; i < n; i++) {
                mu[i] = s->om[k].mean;
                sd[i] = s->om[k].std;
            }
        }
        for (int i = 0; i < n; i++) {
            mean[(size_t)i * m + k] = mu[i];
            if (std) std[(size_t)i * m + k] = sd[i];
        }
    }
    free(X);
    free(mu);
    free(sd);
}

/* Blob: "HWSG" u32 version, u32 n_obj, per objective: u8 has_model,
 * f64 mean, f64 std, u64 len, bytes. */
int surrogate_save(const surrogate *s, uint8_t **out, size_t *len) {
    size_t cap = 16, n = 0;
    uint8_t *b = hw_malloc(cap);
#define PUT(p, sz)                                          \
    do {                                                    \
        while (n + (sz) > cap) b = hw_realloc(b, cap *= 2); \
        memcpy(b + n, (p), (sz));                           \
        n += (sz);                                          \
    } while (0)
    uint32_t ver = (uint32_t)s->version, nobj = (uint32_t)s->p.n_obj;
    PUT("HWSG", 4);
    PUT(&ver, 4);
    PUT(&nobj, 4);
    for (int k = 0; k < s->p.n_obj; k++) {
        uint8_t has = s->om[k].m != NULL;
        uint8_t *mb = NULL;
        size_t ml = 0;
        if (has && pred_save(s->om[k].m, &mb, &ml)) {
            free(b);
            return -1;
        }
        uint64_t l = ml;
        PUT(&has, 1);
        PUT(&s->om[k].mean, 8);
        PUT(&s->om[k].std, 8);
        PUT(&l, 8);
        if (ml) PUT(mb, ml);
        free(mb);
    }
#undef PUT
    *out = b;
    *len = n;
    return 0;
}

int surrogate_load(surrogate *s, const uint8_t *buf, size_t len) {
    size_t off = 0;
    obj_model nm[8];
    memset(nm, 0, sizeof nm);
    uint32_t ver, nobj;
    if (len < 12 || memcmp(buf, "HWSG", 4)) return hw_fail("surrogate blob: bad magic");
    memcpy(&ver, buf + 4, 4);
    memcpy(&nobj, buf + 8, 4);
    off = 12;
    if ((int)nobj != s->p.n_obj) return hw_fail("surrogate blob: %u objectives, expected %d", nobj, s->p.n_obj);
    for (int k = 0; k < s->p.n_obj; k++) {
        uint8_t has;
        uint64_t l;
        if (off + 25 > len) goto trunc;
        memcpy(&has, buf + off, 1);
        memcpy(&nm[k].mean, buf + off + 1, 8);
        memcpy(&nm[k].std, buf + off + 9, 8);
        memcpy(&l, buf + off + 17, 8);
        off += 25;
        if (l > len - off) goto trunc;
        if (has && pred_load(buf + off, (size_t)l, &nm[k].m)) goto fail;
        off += (size_t)l;
    }
    for (int k = 0; k < s->p.n_obj; k++) {
        pred_free(s->om[k].m);
        s->om[k] = nm[k];
    }
    s->version = (int)ver;
    return 0;
trunc:
    hw_fail("surrogate blob: truncated");
fail:
    for (int k = 0; k < s->p.n_obj; k++) pred_free(nm[k].m);
    return -1;
}
