/* pred_xgb: fits random forests and (bagged) gradient-boosted trees with
 * libxgboost, then exports every tree from xgboost's JSON model into the
 * flat perfect-binary-tree arrays of pred_impl.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xgboost/c_api.h>

#include "hw_err.h"
#include "pred.h"
#include "pred_impl.h"

#define XGB_CHECK(call)                                                        \
    do {                                                                       \
        if ((call) != 0) {                                                     \
            hw_fail("xgboost: %s", XGBGetLastError());                         \
            goto fail;                                                         \
        }                                                                      \
    } while (0)

static int check_params(const pred_params *p, int n, int d) {
    if (p->kind != PRED_RF && p->kind != PRED_XGB) return hw_fail("pred_fit: kind must be rf or xgb");
    if (n < 2) return hw_fail("too few training rows (%d; need at least 2)", n);
    if (d < 1) return hw_fail("no features");
    if (p->n_trees < 1 || p->n_trees > 100000) return hw_fail("tree count %d out of range 1..100000", p->n_trees);
    if (p->n_bags < 1 || p->n_bags > 1000) return hw_fail("bag count %d out of range 1..1000", p->n_bags);
    if (p->max_depth < 1 || p->max_depth > PRED_MAX_DEPTH)
        return hw_fail("max depth %d out of range 1..%d", p->max_depth, PRED_MAX_DEPTH);
    if (!(p->subsample > 0 && p->subsample <= 1)) return hw_fail("subsample %g not in (0, 1]", p->subsample);
    if (!(p->colsample_bynode > 0 && p->colsample_bynode <= 1))
        return hw_fail("colsample_bynode %g not in (0, 1]", p->colsample_bynode);
    if (!(p->eta > 0 && p->eta <= 1)) return hw_fail("learning rate %g not in (0, 1]", p->eta);
    if (!(p->lambda >= 0) || !(p->min_child_weight >= 0)) return hw_fail("lambda/min_child_weight must be >= 0");
    if (p->nthread < 1 || p->nthread > 1024) return hw_fail("nthread %d out of range 1..1024", p->nthread);
    return 0;
}

/* Float labels (log-transformed if asked); -1 on non-finite or non-positive
 * values under log_target. */
static int make_labels(const pred_params *p, const double *y, int n, float *out, double *out_mean) {
    double s = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(y[i])) return hw_fail("training target %d is not finite", i);
        if (p->log_target && y[i] <= 0) return hw_fail("training target %d is %g; log target needs > 0", i, y[i]);
        out[i] = (float)(p->log_target ? log(y[i]) : y[i]);
        s += out[i];
    }
    *out_mean = s / n;
    return 0;
}

/* Trains one booster (bag index `bag` shifts the seed). */
static int train_booster(const pred_params *p, DMatrixHandle dm, int bag, double base, BoosterHandle *out) {
    BoosterHandle b = NULL;
    char v[64];
    int rf = p->kind == PRED_RF;
    *out = NULL;
    XGB_CHECK(XGBoosterCreate(&dm, 1, &b));
#define SETP(k, fmt, val)                                  \
    snprintf(v, sizeof v, fmt, val);                       \
    XGB_CHECK(XGBoosterSetParam(b, k, v));
    SETP("verbosity", "%d", 0);
    SETP("booster", "%s", "gbtree");
    SETP("objective", "%s", "reg:squarederror");
    SETP("tree_method", "%s", "hist");
    SETP("nthread", "%d", p->nthread);
    SETP("seed", "%llu", (unsigned long long)((p->seed + 7919ull * (uint64_t)bag) & 0x7fffffff));
    SETP("max_depth", "%d", p->max_depth);
    SETP("eta", "%.17g", rf ? 1.0 : p->eta);
    SETP("subsample", "%.17g", p->subsample);
    SETP("colsample_bynode", "%.17g", p->colsample_bynode);
    SETP("min_child_weight", "%.17g", p->min_child_weight);
    SETP("lambda", "%.17g", p->lambda);
    SETP("base_score", "%.9g", base);
    SETP("num_parallel_tree", "%d", rf ? p->n_trees : 1);
#undef SETP
    int rounds = rf ? 1 : p->n_trees;
    for (int it = 0; it < rounds; it++) XGB_CHECK(XGBoosterUpdateOneIter(b, it, dm));
    *out = b;
    return 0;
fail:
    if (b) XGBoosterFree(b);
    return -1;
}

/* Finds the next `"key":[` at or after *pos and returns the position just
 * past '[', or NULL. */
static const char *find_array(const char *from, const char *key) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":[", key);
    const char *q = strstr(from, pat);
    return q ? q + strlen(pat) : NULL;
}

/* Parses a JSON number array starting after '[' into a fresh array; the
 * count goes to *cnt and *next points past ']'. */
static double *parse_numbers(const char *p, int *cnt, const char **next) {
    int cap = 64, k = 0;
    double *a = hw_malloc((size_t)cap * sizeof *a);
    for (;;) {
        while (*p == ' ' || *p == ',' || *p == '\n') p++;
        if (*p == ']') break;
        char *end;
        double v = strtod(p, &end);
        if (end == p) {
            free(a);
            return NULL;
        }
        if (k == cap) a = hw_realloc(a, (size_t)(cap *= 2) * sizeof *a);
        a[k++] = v;
        p = end;
    }
    *cnt = k;
    *next = p + 1;
    return a;
}

typedef struct xtree {
    int n;          /* node count */
    double *left;   /* (n) left child or -1 */
    double *right;  /* (n) */
    double *cond;   /* (n) split threshold, or leaf value at leaves */
    double *index;  /* (n) split feature */
} xtree;

static int tree_depth(const xtree *t, int node) {
    if (t->left[node] < 0) return 0;
    int a = tree_depth(t, (int)t->left[node]), b = tree_depth(t, (int)t->right[node]);
    return 1 + (a > b ? a : b);
}

/* Writes xgboost node `node` at BFS position `pos` (level `lev`) of a perfect
 * tree of depth D. A leaf above the bottom becomes a chain of always-left
 * nodes (threshold +inf); every bottom leaf under it carries its value. */
static void place(const xtree *t, int node, size_t pos, int lev, int D, pred_node *nd, float *leaf) {
    size_t ni = ((size_t)1 << D) - 1;
    if (lev == D) {
        HW_ASSERT(t->left[node] < 0);
        leaf[pos - ni] = (float)t->cond[node];
        return;
    }
    if (t->left[node] < 0) {
        nd[pos].feat = 0;
        nd[pos].key = pred_fkey(INFINITY);
        place(t, node, 2 * pos + 1, lev + 1, D, nd, leaf);
        place(t, node, 2 * pos + 2, lev + 1, D, nd, leaf);
        return;
    }
    nd[pos].feat = (int32_t)t->index[node];
    nd[pos].key = pred_fkey((float)t->cond[node]);
    place(t, (int)t->left[node], 2 * pos + 1, lev + 1, D, nd, leaf);
    place(t, (int)t->right[node], 2 * pos + 2, lev + 1, D, nd, leaf);
}

static void xtree_free(xtree *t) {
    free(t->left);
    free(t->right);
    free(t->cond);
    free(t->index);
}

/* Parses the trees of one booster's JSON model into ts[0..*nt) and its base
 * score. */
static int parse_model(const char *json, int d, xtree **out_ts, int *out_nt, double *out_base) {
    const char *bs = strstr(json, "\"base_score\":\"");
    if (!bs) return hw_fail("xgboost JSON model: no base_score");
    *out_base = strtod(bs + strlen("\"base_score\":\""), NULL);
    const char *p = strstr(json, "\"trees\":[");
    if (!p) return hw_fail("xgboost JSON model: no trees");
    int cap = 16, nt = 0;
    xtree *ts = hw_calloc((size_t)cap, sizeof *ts);
    const char *keys[4] = {"left_children", "right_children", "split_conditions", "split_indices"};
    for (;;) {
        const char *q = find_array(p, "left_children");
        if (!q) break;
        if (nt == cap) {
            ts = hw_realloc(ts, (size_t)(cap *= 2) * sizeof *ts);
            memset(ts + nt, 0, (size_t)(cap - nt) * sizeof *ts);
        }
        xtree *t = &ts[nt++];
        double **dst[4] = {&t->left, &t->right, &t->cond, &t->index};
        const char *end = p;
        /* keys appear in this (alphabetical) order inside each tree object */
        for (int k = 0; k < 4; k++) {
            const char *a = find_array(end, keys[k]);
            int cnt = 0;
            if (!a || !(*dst[k] = parse_numbers(a, &cnt, &end))) {
                hw_fail("xgboost JSON model: bad array %s", keys[k]);
                goto fail;
            }
            if (k == 0) t->n = cnt;
            else if (cnt != t->n) {
                hw_fail("xgboost JSON model: array %s has %d entries, expected %d", keys[k], cnt, t->n);
                goto fail;
            }
        }
        for (int i = 0; i < t->n; i++) {
            int l = (int)t->left[i], r = (int)t->right[i];
            if (l >= t->n || r >= t->n || (l >= 0 && (r < 0 || t->index[i] < 0 || t->index[i] >= d))) {
                hw_fail("xgboost JSON model: inconsistent node %d", i);
                goto fail;
            }
        }
        p = end;
    }
    *out_ts = ts;
    *out_nt = nt;
    return 0;
fail:
    for (int i = 0; i < nt; i++) xtree_free(&ts[i]);
    free(ts);
    return -1;
}

int pred_xgb_fit(const pred_params *p, const float *X, const double *y, int n, int d, pred **out) {
    *out = NULL;
    if (check_params(p, n, d)) return -1;
    for (size_t i = 0; i < (size_t)n * d; i++)
        if (!isfinite(X[i])) return hw_fail("feature value at row %zu column %zu is not finite", i / d, i % d);
    float *lab = hw_malloc((size_t)n * sizeof *lab); /* (n) labels */
    DMatrixHandle dm = NULL;
    BoosterHandle b = NULL;
    pred *m = NULL;
    int bags = p->kind == PRED_RF ? 1 : p->n_bags;
    xtree **bag_trees = hw_calloc((size_t)bags, sizeof *bag_trees); /* (bags) parsed trees */
    int *bag_nt = hw_calloc((size_t)bags, sizeof *bag_nt);
    double *bag_base = hw_calloc((size_t)bags, sizeof *bag_base);
    double mean = 0;
    if (make_labels(p, y, n, lab, &mean)) goto fail;
    XGB_CHECK(XGDMatrixCreateFromMat(X, (bst_ulong)n, (bst_ulong)d, NAN, &dm));
    XGB_CHECK(XGDMatrixSetFloatInfo(dm, "label", lab, (bst_ulong)n));
    for (int g = 0; g < bags; g++) {
        if (train_booster(p, dm, g, mean, &b)) goto fail;
        bst_ulong jl = 0;
        const char *jb = NULL;
        XGB_CHECK(XGBoosterSaveModelToBuffer(b, "{\"format\": \"json\"}", &jl, &jb));
        char *json = hw_malloc((size_t)jl + 1);
        memcpy(json, jb, (size_t)jl);
        json[jl] = 0;
        int rc = parse_model(json, d, &bag_trees[g], &bag_nt[g], &bag_base[g]);
        free(json);
        XGBoosterFree(b);
        b = NULL;
        if (rc) goto fail;
        int want = p->kind == PRED_RF ? p->n_trees : p->n_trees;
        if (bag_nt[g] != want) {
            hw_fail("xgboost produced %d trees, expected %d", bag_nt[g], want);
            goto fail;
        }
    }
    m = hw_calloc(1, sizeof *m);
    m->kind = p->kind;
    m->d = d;
    m->log_target = p->log_target;
    m->depth = 1;
    for (int g = 0; g < bags; g++)
        for (int t = 0; t < bag_nt[g]; t++) {
            int dd = tree_depth(&bag_trees[g][t], 0);
            if (dd > m->depth) m->depth = dd;
        }
    if (p->kind == PRED_RF) {
        m->n_members = p->n_trees;
        m->trees_per_member = 1;
        m->scale = (float)p->n_trees; /* xgboost scales each parallel tree's leaves by 1/K */
    } else {
        m->n_members = bags;
        m->trees_per_member = p->n_trees;
        m->scale = 1;
    }
    m->n_trees = m->n_members * m->trees_per_member;
    pred_alloc_trees(m);
    size_t ni = ((size_t)1 << m->depth) - 1, nl = (size_t)1 << m->depth;
    for (int g = 0, t = 0; g < bags; g++)
        for (int k = 0; k < bag_nt[g]; k++, t++)
            place(&bag_trees[g][k], 0, 0, 0, m->depth, m->node + (size_t)t * ni, m->leaf + (size_t)t * nl);
    for (int mem = 0; mem < m->n_members; mem++)
        m->base[mem] = (float)bag_base[p->kind == PRED_RF ? 0 : mem];
    *out = m;
    m = NULL;
fail:
    if (b) XGBoosterFree(b);
    if (dm) XGDMatrixFree(dm);
    for (int g = 0; g < bags; g++) {
        for (int t = 0; t < bag_nt[g]; t++) xtree_free(&bag_trees[g][t]);
        free(bag_trees[g]);
    }
    free(bag_trees);
    free(bag_nt);
    free(bag_base);
    free(lab);
    pred_free(m);
    return *out ? 0 : -1;
}

int pred_fit_xgb_reference(const pred_params *p, const float *X, const double *y, int n, int d,
                           const float *Xq, int nq, double *out_mean) {
    if (check_params(p, n, d)) return -1;
    float *lab = hw_malloc((size_t)n * sizeof *lab);
    DMatrixHandle dm = NULL, dq = NULL;
    BoosterHandle b = NULL;
    int bags = p->kind == PRED_RF ? 1 : p->n_bags, rc = -1;
    double mean = 0;
    for (int i = 0; i < nq; i++) out_mean[i] = 0;
    if (make_labels(p, y, n, lab, &mean)) goto fail;
    XGB_CHECK(XGDMatrixCreateFromMat(X, (bst_ulong)n, (bst_ulong)d, NAN, &dm));
    XGB_CHECK(XGDMatrixSetFloatInfo(dm, "label", lab, (bst_ulong)n));
    XGB_CHECK(XGDMatrixCreateFromMat(Xq, (bst_ulong)nq, (bst_ulong)d, NAN, &dq));
    for (int g = 0; g < bags; g++) {
        if (train_booster(p, dm, g, mean, &b)) goto fail;
        bst_ulong len = 0;
        const float *res = NULL;
        XGB_CHECK(XGBoosterPredict(b, dq, 1, 0, 0, &len, &res));
        if (len != (bst_ulong)nq) {
            hw_fail("xgboost returned %llu predictions for %d rows", (unsigned long long)len, nq);
            goto fail;
        }
        for (int i = 0; i < nq; i++) out_mean[i] += res[i] / (double)bags;
        XGBoosterFree(b);
        b = NULL;
    }
    if (p->log_target)
        for (int i = 0; i < nq; i++) out_mean[i] = exp(out_mean[i]);
    rc = 0;
fail:
    if (b) XGBoosterFree(b);
    if (dm) XGDMatrixFree(dm);
    if (dq) XGDMatrixFree(dq);
    free(lab);
    return rc;
}
