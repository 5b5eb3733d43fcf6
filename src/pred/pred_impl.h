/* pred_impl: the private layout of a pred handle and the hooks through
 * which pred.c reaches each kind's implementation (pred_xgb.c trains the
 * trees, pred_gp.c is the Gaussian process, pred_help.c the meta-learned
 * latency model). Serialisers use hw_codec.h. Not a public interface. */
#ifndef HW_PRED_IMPL_H
#define HW_PRED_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "hw_codec.h"
#include "pred.h"

/* An internal node: go right iff x[feat] >= thr, evaluated on order-
 * preserving integer keys (pred_fkey) of the floats. */
typedef struct pred_node {
    int32_t feat;
    int32_t key; /* pred_fkey(thr) */
} pred_node;

/* Order-preserving map float -> int32 (a >= b iff key(a) >= key(b) for
 * non-NaN floats; -0 maps like +0). */
static inline int32_t pred_fkey(float f) {
    union {
        float f;
        int32_t i;
    } u;
    u.f = f + 0.0f;
    return u.i >= 0 ? u.i : u.i ^ 0x7fffffff;
}
static inline float pred_keyf(int32_t k) {
    union {
        float f;
        int32_t i;
    } u;
    u.i = k >= 0 ? k : k ^ 0x7fffffff;
    return u.f;
}

struct pred {
    pred_kind kind;
    int d;          /* number of input features */
    int log_target; /* members predict log(y) */
    /* trees (PRED_RF, PRED_XGB): perfect binary trees of depth `depth` */
    int depth;
    int n_trees, n_members, trees_per_member; /* n_trees = n_members * trees_per_member */
    float scale;    /* member = base[m] + scale * sum of its trees' leaves */
    float *base;    /* (n_members) */
    pred_node *node; /* (n_trees, 2^depth - 1) internal nodes in BFS order */
    float *leaf;    /* (n_trees, 2^depth) leaf values */
    /* PRED_HELP */
    struct pred_help_dev *help;
    /* PRED_GP */
    struct pred_gp *gp;
};

/* A u32 that must lie in lo..hi: 0, or -1 with a message naming WHAT
 * (out of range, or truncated). */
int pred_get_int(hw_rbuf *r, const char *what, uint32_t lo, uint32_t hi, int *out);

/* pred_xgb.c: pred_fit for PRED_RF / PRED_XGB. */
int pred_xgb_fit(const pred_params *p, const float *X, const double *y, int n, int d, pred **out);

/* Allocates the tree arrays of m for its depth/n_trees/n_members. */
void pred_alloc_trees(pred *m);

/* pred_help.c side of PRED_HELP models. */
int pred_help_dev_nfeatures(const struct pred_help_dev *h);
int pred_help_dev_nmembers(const struct pred_help_dev *h);
/* out: (n, n_members) member predictions in log space. */
void pred_help_dev_predict_members(const struct pred_help_dev *h, const float *X, int n, double *out);
void pred_help_dev_save(const struct pred_help_dev *h, hw_wbuf *b);
int pred_help_dev_load(hw_rbuf *b, struct pred_help_dev **out);
void pred_help_dev_free(struct pred_help_dev *h);

/* pred_gp.c: the Gaussian process behind PRED_GP (model and policy in
 * pred.h). pred_gp_fit fits on X (n, d) finite and y (n) finite, > 0 with
 * log_target; n >= 2. */
int pred_gp_fit(const float *X, const double *y, int n, int d, int log_target, struct pred_gp **out);
/* mean[i], std[i] (std may be NULL) for the n rows of X (n, d). */
void pred_gp_predict(const struct pred_gp *g, const float *X, int n, double *mean, double *std);
void pred_gp_free(struct pred_gp *g);
int pred_gp_nfeatures(const struct pred_gp *g);
int pred_gp_log_target(const struct pred_gp *g);
/* A PRED_GP handle owning g. */
pred *pred_wrap_gp(struct pred_gp *g);
/* The chosen hyperparameters (length scale, noise variance in
 * standardised units); test hook. */
void pred_gp_hyper(const struct pred_gp *g, double *length, double *noise);
/* Payload: the training inputs, the transformed targets and the chosen
 * hyperparameters; loading refactorises, so predictions are identical. */
void pred_gp_save(const struct pred_gp *g, hw_wbuf *w);
int pred_gp_load(hw_rbuf *r, struct pred_gp **out);

#endif
