/* pred_fewshot: HELP's few-shot protocol (see pred_fewshot.h). */
#include "pred_fewshot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hw_clock.h"
#include "hw_err.h"
#include "rng.h"
#include "stats.h"

struct pred_fewshot {
    int64_t n_index;
    const double *lat; /* (n_index) borrowed */
    int *pool, npool;  /* sample pool indices */
    int *query, nquery;
};

typedef struct lat_idx {
    double lat;
    int idx;
} lat_idx;

static int cmp_lat_idx(const void *a, const void *b) {
    const lat_idx *x = a, *y = b;
    if (x->lat != y->lat) return x->lat < y->lat ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

/* The measured indices of [begin, end), sorted by latency (ties by index),
 * trimmed to sorted positions [floor(0.1 m), floor(0.9 m)) -> out (*nout). */
static int trimmed_set(const double *lat, int begin, int end, int *out, int *nout) {
    lat_idx *v = hw_malloc((size_t)(end - begin) * sizeof *v); /* (end - begin) */
    int m = 0;
    for (int i = begin; i < end; i++)
        if (!isnan(lat[i])) v[m].lat = lat[i], v[m++].idx = i;
    qsort(v, (size_t)m, sizeof *v, cmp_lat_idx);
    int lo = (int)(m * 0.1), hi = (int)(m * 0.9);
    for (int i = lo; i < hi; i++) out[i - lo] = v[i].idx;
    free(v);
    *nout = hi - lo;
    if (*nout < 1)
        return hw_fail("index range %d..%d has %d measured latencies: too few for the protocol", begin, end - 1, m);
    return 0;
}

int pred_fewshot_sets(const double *lat, int64_t n_index, int pool_begin, int pool_end, int query_begin,
                      int query_end, int *pool, int *out_npool, int *query, int *out_nquery) {
    if (pool_begin < 0 || query_begin < 0 || pool_end > n_index || query_end > n_index || pool_end <= pool_begin ||
        query_end <= query_begin)
        return hw_fail("protocol index ranges %d..%d / %d..%d do not fit %lld indices", pool_begin, pool_end - 1,
                       query_begin, query_end - 1, (long long)n_index);
    if (trimmed_set(lat, pool_begin, pool_end, pool, out_npool)) return -1;
    return trimmed_set(lat, query_begin, query_end, query, out_nquery);
}

int pred_fewshot_create(const double *lat, int64_t n_index, pred_fewshot **out) {
    *out = NULL;
    pred_fewshot *fs = hw_calloc(1, sizeof *fs);
    fs->n_index = n_index;
    fs->lat = lat;
    fs->pool = hw_malloc((PRED_FEWSHOT_POOL_END - PRED_FEWSHOT_POOL_BEGIN) * sizeof *fs->pool);
    fs->query = hw_malloc((PRED_FEWSHOT_QUERY_END - PRED_FEWSHOT_QUERY_BEGIN) * sizeof *fs->query);
    if (pred_fewshot_sets(lat, n_index, PRED_FEWSHOT_POOL_BEGIN, PRED_FEWSHOT_POOL_END, PRED_FEWSHOT_QUERY_BEGIN,
                          PRED_FEWSHOT_QUERY_END, fs->pool, &fs->npool, fs->query, &fs->nquery)) {
        pred_fewshot_free(fs);
        return -1;
    }
    *out = fs;
    return 0;
}

void pred_fewshot_free(pred_fewshot *fs) {
    if (!fs) return;
    free(fs->pool);
    free(fs->query);
    free(fs);
}

int pred_fewshot_npool(const pred_fewshot *fs) { return fs->npool; }
int pred_fewshot_nquery(const pred_fewshot *fs) { return fs->nquery; }

/* Copies the features and latencies of indices idx (n) into Xo (n, d), yo (n). */
static void gather(const pred_fewshot *fs, const float *X, const int *row_of, int d, const int *idx, int n, float *Xo,
                   double *yo) {
    for (int i = 0; i < n; i++) {
        HW_ASSERT(row_of[idx[i]] >= 0);
        memcpy(Xo + (size_t)i * d, X + (size_t)row_of[idx[i]] * d, (size_t)d * sizeof *X);
        yo[i] = fs->lat[idx[i]];
    }
}

int pred_fewshot_run(const pred_fewshot *fs, const pred_fewshot_cfg *c, const float *X, const int *row_of, int d,
                     double *rho, double *seconds) {
    if (c->shots < 1 || c->shots > fs->npool)
        return hw_fail("fewshot: %d shots, the sample pool has %d archs", c->shots, fs->npool);
    if (c->seeds < 1) return hw_fail("fewshot: %d draws", c->seeds);
    if (c->kind == PRED_HELP && (!c->meta || !c->ref_lat)) return hw_fail("fewshot: help needs a meta-model and reference latencies");
    const int K = c->shots, nq = fs->nquery;
    float *Xq = hw_malloc((size_t)nq * d * sizeof *Xq); /* (nq, d) query features */
    double *yq = hw_malloc((size_t)nq * sizeof *yq);    /* (nq) query latencies */
    double *pq = hw_malloc((size_t)nq * sizeof *pq);    /* (nq) predicted means */
    float *Xs = hw_malloc((size_t)K * d * sizeof *Xs);  /* (K, d) the draw's shots */
    double *ys = hw_malloc((size_t)K * sizeof *ys);     /* (K) */
    int *perm = hw_malloc((size_t)fs->npool * sizeof *perm);
    int rc = -1;
    gather(fs, X, row_of, d, fs->query, nq, Xq, yq);
    double t0 = hw_now_s();
    for (int s = 0; s < c->seeds; s++) {
        hw_rng r;
        rng_seed(&r, (uint64_t)s + 1);
        memcpy(perm, fs->pool, (size_t)fs->npool * sizeof *perm);
        rng_shuffle_int(&r, perm, fs->npool);
        gather(fs, X, row_of, d, perm, K, Xs, ys);
        pred *model = NULL;
        if (c->kind == PRED_HELP) {
            if (pred_help_adapt(c->meta, c->ref_lat, Xs, ys, K, &model)) goto fail;
        } else {
            pred_params p = c->params;
            p.kind = c->kind;
            p.seed = (uint64_t)s + 1;
            if (pred_fit(&p, Xs, ys, K, d, &model)) goto fail;
        }
        pred_predict(model, Xq, nq, pq, NULL);
        pred_free(model);
        rho[s] = stats_spearman(pq, yq, nq);
    }
    if (seconds) *seconds = hw_now_s() - t0;
    rc = 0;
fail:
    free(Xq), free(yq), free(pq), free(Xs), free(ys), free(perm);
    return rc;
}
