/* surrogate.c: per-objective predictors (see surrogate.h). */
#include "surrogate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw_data.h"
#include "pred_help.h"
#include "hw_err.h"
#include "surrogate_gp.h"

/* OpenBLAS's thread control (the GP predicts through OpenBLAS). */
void openblas_set_num_threads(int num_threads);

typedef struct obj_model {
    pred *m;            /* tree / HELP model, NULL until fitted */
    sgp *gp;            /* Gaussian process, NULL until fitted */
    double mean, std;   /* fallback prediction */
} obj_model;

struct surrogate {
    const space *sp;
    surrogate_params p;
    int d;              /* features per row */
    int n, cap;
    float *X;           /* [cap x d] training features */
    double *Y;          /* [cap x n_obj] minimised targets */
    int64_t *idx;       /* [cap] space index of each row (-1 if none) */
    obj_model om[8];
    pred_help_meta *help;    /* loaded on the first PRED_HELP fit */
    int version;
};

int surrogate_create(const space *sp, const surrogate_params *p, surrogate **out) {
    if (p->n_obj < 1 || p->n_obj > 8) return hw_fail("surrogate: 1..8 objectives supported");
    surrogate *s = hw_calloc(1, sizeof *s);
    openblas_set_num_threads(1); /* one thread per rank: ranks x threads <= cores */
    s->sp = sp;
    s->p = *p;
    if (s->p.min_train < 2) s->p.min_train = 2;
    s->d = pred_space_nfeatures(sp);
    for (int k = 0; k < p->n_obj; k++)
        if (p->method[k] == PRED_HELP && strcmp(space_name(sp), "nb201")) {
            free(s);
            return hw_fail("surrogate: method help needs the nb201 space (HELP reference archs)");
        }
    for (int k = 0; k < p->n_obj; k++) {
        s->om[k].mean = 0;
        s->om[k].std = 1e6;
    }
    *out = s;
    return 0;
}

void surrogate_free(surrogate *s) {
    if (!s) return;
    for (int k = 0; k < s->p.n_obj; k++) {
        pred_free(s->om[k].m);
        sgp_free(s->om[k].gp);
    }
    pred_help_meta_free(s->help);
    free(s->X);
    free(s->Y);
    free(s->idx);
    free(s);
}

void surrogate_add(surrogate *s, const hw_genome *g, const double *obj_min) {
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->X = hw_realloc(s->X, (size_t)s->cap * s->d * sizeof *s->X);
        s->Y = hw_realloc(s->Y, (size_t)s->cap * s->p.n_obj * sizeof *s->Y);
        s->idx = hw_realloc(s->idx, (size_t)s->cap * sizeof *s->idx);
    }
    pred_space_features(s->sp, g, s->X + (size_t)s->n * s->d);
    s->idx[s->n] = space_index(s->sp, g);
    memcpy(s->Y + (size_t)s->n * s->p.n_obj, obj_min, (size_t)s->p.n_obj * sizeof *obj_min);
    s->n++;
}

int surrogate_ntrain(const surrogate *s) { return s->n; }
int surrogate_version(const surrogate *s) { return s->version; }

/* HELP adaptation (PRED_HELP): the measured latencies of the meta-model's
 * reference archs form the hardware embedding, every other measured row is
 * a support sample. *out = NULL (no error) while fewer than 2 reference
 * latencies are known. y: the objective's minimised targets (latencies). */
static int fit_help(surrogate *s, const double *y, int allpos, pred **out) {
    *out = NULL;
    if (!allpos) return hw_fail("method help needs positive targets (a latency objective)");
    if (!s->help) {
        char path[4096];
        snprintf(path, sizeof path, "%s/help/help_nb201.bin", hw_data_dir());
        if (pred_help_meta_load_file(path, &s->help)) return -1;
        if (pred_help_meta_nfeatures(s->help) != s->d)
            return hw_fail("%s: meta-model expects %d features, the space gives %d", path,
                           pred_help_meta_nfeatures(s->help), s->d);
    }
    const int nref = pred_help_meta_nref(s->help);
    double ref[PRED_HELP_MAX_REF];
    int have = 0;
    uint8_t *is_ref = hw_calloc((size_t)s->n, 1);
    for (int j = 0; j < nref; j++) {
        ref[j] = NAN;
        for (int i = 0; i < s->n; i++)
            if (s->idx[i] == pred_help_meta_ref_id(s->help, j)) {
                ref[j] = y[i];
                is_ref[i] = 1;
            }
        have += !isnan(ref[j]);
    }
    int rc = 0;
    if (have >= 2) {
        float *Xs = hw_malloc((size_t)s->n * s->d * sizeof *Xs);
        double *ys = hw_malloc((size_t)s->n * sizeof *ys);
        int k = 0;
        for (int i = 0; i < s->n; i++) {
            if (is_ref[i]) continue;
            memcpy(Xs + (size_t)k * s->d, s->X + (size_t)i * s->d, (size_t)s->d * sizeof *Xs);
            ys[k++] = y[i];
        }
        rc = pred_help_adapt(s->help, ref, Xs, ys, k, out);
        free(Xs);
        free(ys);
    }
    free(is_ref);
    return rc;
}

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
        int meth = s->p.method[k];
        if (meth == SURR_GP) {
            sgp *ng;
            if (sgp_fit(s->X, y, s->n, s->d, allpos, &ng)) {
                free(y);
                return hw_fail_prefix("surrogate: objective %d", k);
            }
            sgp_free(s->om[k].gp);
            s->om[k].gp = ng;
            continue;
        }
        pred *nm;
        int rc;
        if (meth == PRED_HELP) {
            rc = fit_help(s, y, allpos, &nm);
        } else {
            pred_params pp;
            pred_params_default((pred_kind)meth, &pp);
            if (s->p.n_trees > 0) pp.n_trees = s->p.n_trees;
            pp.log_target = allpos; /* latency/energy: relative errors matter */
            pp.seed = s->p.seed + (uint64_t)k * 7919 + (uint64_t)s->version;
            pp.nthread = 1;
            rc = pred_fit(&pp, s->X, y, s->n, s->d, &nm);
        }
        if (rc) {
            free(y);
            return hw_fail_prefix("surrogate: objective %d", k);
        }
        if (!nm) continue; /* HELP: not enough reference latencies yet */
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
    for (int i = 0; i < n; i++) pred_space_features(s->sp, &g[i], X + (size_t)i * d);
    for (int k = 0; k < m; k++) {
        if (s->om[k].gp) {
            sgp_predict(s->om[k].gp, X, n, mu, sd);
        } else if (s->om[k].m) {
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
        uint8_t has = s->om[k].gp ? 2 : s->om[k].m != NULL;
        uint8_t *mb = NULL;
        size_t ml = 0;
        if ((has == 1 && pred_save(s->om[k].m, &mb, &ml)) || (has == 2 && sgp_save(s->om[k].gp, &mb, &ml))) {
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
        if (has > 2) {
            hw_fail("surrogate blob: objective %d: unknown model kind %u", k, has);
            goto fail;
        }
        if (has == 1 && pred_load(buf + off, (size_t)l, &nm[k].m)) goto fail;
        if (has == 2 && sgp_load(buf + off, (size_t)l, &nm[k].gp)) goto fail;
        off += (size_t)l;
    }
    for (int k = 0; k < s->p.n_obj; k++) {
        pred_free(s->om[k].m);
        sgp_free(s->om[k].gp);
        s->om[k] = nm[k];
    }
    s->version = (int)ver;
    return 0;
trunc:
    hw_fail("surrogate blob: truncated");
fail:
    for (int k = 0; k < s->p.n_obj; k++) {
        pred_free(nm[k].m);
        sgp_free(nm[k].gp);
    }
    return -1;
}
