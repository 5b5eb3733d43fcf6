/* adamw: AdamW (Loshchilov & Hutter) with linear warm-up and linear decay
 * to zero, and global-norm gradient clipping, on flat float buffers. */
#ifndef HW_ADAMW_H
#define HW_ADAMW_H

#include <stddef.h>

typedef struct adamw_cfg {
    float lr;           /* peak learning rate */
    float beta1, beta2; /* 0.9, 0.999 */
    float eps;          /* 1e-8 (BERT: 1e-6) */
    float weight_decay; /* decoupled decay on matrices, e.g. 0.01 */
    float clip;         /* max global gradient norm, <= 0 disables */
    long warmup;        /* steps of linear warm-up from 0 */
    long total;         /* step at which the rate reaches 0 (<= 0: constant after warm-up) */
} adamw_cfg;

/* lr 1e-3, betas 0.9/0.999, eps 1e-8, decay 0.01, clip 1, no schedule. */
void adamw_cfg_default(adamw_cfg *c);
/* Learning rate for 0-based step t. */
float adamw_lr_at(const adamw_cfg *c, long t);
/* L2 norm of g(n) (accumulated in double, in 8 interleaved partial sums). */
double adamw_norm(const float *g, size_t n);
/* One AdamW update of p(n) with gradient gscale * g(n) (gscale: the
 * clipping factor, 1 if none) and moments m(n), v(n) at learning rate lr,
 * for the 1-based step t (bias correction); decay != 0 applies weight
 * decay. Zeroes g (consumed) in the same pass. */
void adamw_update(float *p, float *g, float *m, float *v, size_t n, const adamw_cfg *c, float lr, long t,
                  int decay, float gscale);

#endif
