/* surrogate.c: per-objective predictors (see surrogate.h). */
#include "surrogate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw_codec.h"
#include "hw_data.h"
#include "hw_err.h"
#include "pred_help.h"
#include "pred_feas.h"
#include "pred_impl.h"

#define SUR_MAGIC "HWNASSUR"
#define SUR_FORMAT_VERSION 3u /* 1: the "HWSG" blob of the previous release; 2: no feasibility model */

/* OpenBLAS's thread control (the GP predicts through OpenBLAS). */
void openblas_set_num_threads(int num_threads);

typedef struct obj_model {
    pred *m;            /* the objective's model, NULL until fitted */
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
    pred_feas *feas;         /* P(a measurement yields a value), pred_feas.h */
    int version;
};

int surrogate_create(const space *sp, const surrogate_params *p, surrogate **out) {
    if (p->n_obj < 1 || p->n_obj > 8) return hw_fail("surrogate: 1..8 objectives supported");
    for (int k = 0; k < p->n_obj; k++) {
        if (p->method[k] < PRED_RF || p->method[k] > PRED_GP)
            return hw_fail("surrogate: objective %d: unknown method %d", k, (int)p->method[k]);
        if (p->method[k] == PRED_HELP && strcmp(space_name(sp), "nb201"))
            return hw_fail("surrogate: method help needs the nb201 space (HELP reference archs)");
    }
    surrogate *s = hw_calloc(1, sizeof *s);
    openblas_set_num_threads(1); /* one thread per rank: ranks x threads <= cores */
    s->sp = sp;
    s->p = *p;
    if (s->p.min_train < 2) s->p.min_train = 2;
    s->d = pred_space_nfeatures(sp);
    s->feas = pred_feas_create(s->d);
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
    }
    pred_help_meta_free(s->help);
    pred_feas_free(s->feas);
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

void surrogate_add_outcome(surrogate *s, const hw_genome *g, int ok) {
    float *x = hw_malloc((size_t)s->d * sizeof *x);
    pred_space_features(s->sp, g, x);
    pred_feas_add(s->feas, x, ok);
    free(x);
}

void surrogate_feasible(const surrogate *s, const hw_genome *g, int n, double *p) {
    if (!pred_feas_has_model(s->feas)) {
        for (int i = 0; i < n; i++) p[i] = 1;
        return;
    }
    float *X = hw_malloc((size_t)(n ? n : 1) * s->d * sizeof *X);
    for (int i = 0; i < n; i++) pred_space_features(s->sp, &g[i], X + (size_t)i * s->d);
    pred_feas_predict(s->feas, X, n, p);
    free(X);
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
        if (s->n < s->p.min_train || s->p.known[k]) continue;
        pred_kind meth = s->p.method[k];
        pred *nm;
        int rc;
        if (meth == PRED_HELP) {
            rc = fit_help(s, y, allpos, &nm);
        } else {
            pred_params pp;
            pred_params_default(meth, &pp);
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
    if (pred_feas_fit(s->feas, s->p.min_train)) return hw_fail_prefix("surrogate");
    s->version++;
    return 0;
}

void surrogate_predict(const surrogate *s, const hw_genome *g, int n, double *mean, double *std) {
    const int m = s->p.n_obj, d = s->d;
    float *X = hw_malloc((size_t)(n ? n : 1) * d * sizeof *X);
    double *mu = hw_malloc((size_t)(n ? n : 1) * sizeof *mu), *sd = hw_malloc((size_t)(n ? n : 1) * sizeof *sd);
    for (int i = 0; i < n; i++) pred_space_features(s->sp, &g[i], X + (size_t)i * d);
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

int surrogate_save(const surrogate *s, uint8_t **out, size_t *len) {
    hw_wbuf w;
    hw_wbuf_init(&w);
    hw_put_header(&w, SUR_MAGIC, 8, SUR_FORMAT_VERSION);
    hw_put_u32(&w, (uint32_t)s->version);
    hw_put_u32(&w, (uint32_t)s->p.n_obj);
    for (int k = 0; k < s->p.n_obj; k++) {
        uint8_t *mb = NULL;
        size_t ml = 0;
        if (s->om[k].m && pred_save(s->om[k].m, &mb, &ml)) {
            hw_wbuf_free(&w);
            return -1;
        }
        hw_put_u8(&w, s->om[k].m != NULL);
        hw_put_f64(&w, s->om[k].mean);
        hw_put_f64(&w, s->om[k].std);
        hw_put_u64(&w, ml);
        hw_put_bytes(&w, mb, ml);
        free(mb);
    }
    if (pred_feas_put(&w, s->feas)) {
        hw_wbuf_free(&w);
        return -1;
    }
    *out = hw_wbuf_take(&w, len);
    return *out ? 0 : hw_fail("surrogate blob: out of memory");
}

/* A GP of the format-1 blob: "HWGP", u32 version 1, then the PRED_GP
 * payload of pred_save (the same fields in the same order). */
static int load_v1_gp(const uint8_t *buf, size_t len, int k, pred **out) {
    hw_rbuf r;
    struct pred_gp *g;
    hw_rbuf_init(&r, buf, len);
    if (hw_get_header(&r, "HWGP", 4, 1, "hwnas gp model") || pred_gp_load(&r, &g))
        return hw_fail_prefix("surrogate blob: objective %d", k);
    if (!hw_rbuf_done(&r)) {
        pred_gp_free(g);
        return hw_fail("surrogate blob: objective %d: %zu trailing bytes after the gp model", k, hw_rbuf_left(&r));
    }
    *out = pred_wrap_gp(g);
    return 0;
}

/* Parsing and checking of both formats: format 1 starts "HWSG" with the
 * model version right after the magic; its kinds are 0 none, 1 pred_save
 * bytes, 2 a "HWGP" GP. */
int surrogate_load(surrogate *s, const uint8_t *buf, size_t len) {
    obj_model nm[8];
    memset(nm, 0, sizeof nm);
    hw_rbuf r;
    hw_rbuf_init(&r, buf, len);
    int v1 = len >= 4 && !memcmp(buf, "HWSG", 4);
    uint32_t fmt = 1;
    if (v1) hw_get_span(&r, 4);
    else if (hw_get_header_range(&r, SUR_MAGIC, 8, 2, SUR_FORMAT_VERSION, "hwnas surrogate blob", &fmt)) return -1;
    uint32_t ver = hw_get_u32(&r), nobj = hw_get_u32(&r);
    if (!hw_rbuf_ok(&r)) return hw_fail("surrogate blob: truncated");
    if ((int)nobj != s->p.n_obj) return hw_fail("surrogate blob: %u objectives, expected %d", nobj, s->p.n_obj);
    for (int k = 0; k < s->p.n_obj; k++) {
        uint8_t has = hw_get_u8(&r);
        nm[k].mean = hw_get_f64(&r);
        nm[k].std = hw_get_f64(&r);
        uint64_t l = hw_get_u64(&r);
        const uint8_t *mb = hw_get_span(&r, l <= hw_rbuf_left(&r) ? (size_t)l : SIZE_MAX);
        if (!hw_rbuf_ok(&r)) {
            hw_fail("surrogate blob: truncated");
            goto fail;
        }
        if (has > (v1 ? 2 : 1)) {
            hw_fail("surrogate blob: objective %d: unknown model kind %u", k, has);
            goto fail;
        }
        if (has == 1 && pred_load(mb, (size_t)l, &nm[k].m)) goto fail;
        if (has == 2 && load_v1_gp(mb, (size_t)l, k, &nm[k].m)) goto fail;
    }
    pred_feas *nf = pred_feas_create(s->d); /* format 3: the feasibility model */
    if (fmt >= 3 && pred_feas_get(&r, nf)) {
        pred_feas_free(nf);
        hw_fail_prefix("surrogate blob");
        goto fail;
    }
    if (!hw_rbuf_done(&r)) {
        pred_feas_free(nf);
        hw_fail("surrogate blob: %zu trailing bytes", hw_rbuf_left(&r));
        goto fail;
    }
    pred_feas_take_model(s->feas, nf); /* the outcomes (rank 0's training data) stay */
    pred_feas_free(nf);
    for (int k = 0; k < s->p.n_obj; k++) {
        pred_free(s->om[k].m);
        s->om[k] = nm[k];
    }
    s->version = (int)ver;
    return 0;
fail:
    for (int k = 0; k < s->p.n_obj; k++) pred_free(nm[k].m);
    return -1;
}
