/* pred_impl: the private layout of a pred handle and the little-endian byte
 * buffer helpers shared by pred.c, pred_xgb.c and pred_help.c. Not a public
 * interface. */
#ifndef HW_PRED_IMPL_H
#define HW_PRED_IMPL_H

#include <stddef.h>
#include <stdint.h>

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
};

/* Growing output buffer. */
typedef struct hw_wbuf {
    uint8_t *p;
    size_t len, cap;
} hw_wbuf;
void wbuf_bytes(hw_wbuf *b, const void *p, size_t n);
void wbuf_u32(hw_wbuf *b, uint32_t v);
void wbuf_u64(hw_wbuf *b, uint64_t v);
void wbuf_f32(hw_wbuf *b, float v);
void wbuf_f32s(hw_wbuf *b, const float *v, size_t n);

/* Bounds-checked reader: every get returns -1 (message "truncated") past
 * the end. */
typedef struct hw_rbuf {
    const uint8_t *p;
    size_t len, pos;
} hw_rbuf;
int rbuf_bytes(hw_rbuf *b, void *out, size_t n);
int rbuf_u32(hw_rbuf *b, uint32_t *v);
int rbuf_u64(hw_rbuf *b, uint64_t *v);
int rbuf_f32(hw_rbuf *b, float *v);
int rbuf_f32s(hw_rbuf *b, float *v, size_t n);
/* u32 that must lie in lo..hi (message names what). */
int rbuf_int(hw_rbuf *b, const char *what, uint32_t lo, uint32_t hi, int *out);

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

#endif
