/* pred_eval: the many-shot evaluation protocol of `hwnas predictor eval`.
 *
 * Of the usable rows, a permutation with the fixed seed 20260101 puts the
 * first `test` rows in the test set (the same for every seed). Seed
 * s = 1..S shuffles the rest with xoshiro seeded s and trains on its first
 * `train` rows (the fit callback, given seed s), then predicts the test set
 * and scores it: Spearman rho, Kendall tau, MAPE (%), fraction within 10 %
 * and 5 %, the fit's CPU seconds and predicted rows per CPU second
 * (predictions repeated for at least 0.2 CPU s). */
#ifndef HW_PRED_EVAL_H
#define HW_PRED_EVAL_H

#include <stdint.h>

#include "pred.h"

typedef struct pred_eval_metrics {
    double rho, tau, mape, w10, w5; /* w10, w5: fractions */
    double fit_s, rows_per_s;       /* CPU time: a shared machine does not inflate it */
} pred_eval_metrics;

/* Fits a model on n rows (X n x d, y) with the given seed; 0/-1. */
typedef int (*pred_eval_fit_fn)(void *ctx, uint64_t seed, const float *X, const double *y, int n, int d, pred **out);
/* Called after each seed s (1..S) with its metrics. */
typedef void (*pred_eval_seed_fn)(void *ctx, int seed, const pred_eval_metrics *m);

/* The accuracy metrics (rho, tau, mape, w10, w5; not the times) of
 * predictions pred_v against truth (n values). */
void pred_eval_metrics_compute(const double *pred_v, const double *truth, int n, pred_eval_metrics *m);

/* Runs the protocol on X (rows x d) and y over the usable row numbers
 * rows[0..m) (permuted in place; m >= ntest + ntrain asserted) for `seeds`
 * seeds; out[0..seeds) gets each seed's metrics, on_seed (may be NULL)
 * sees them as they come. Returns 0, or -1 when a fit fails. */
int pred_eval_run(const float *X, const double *y, int *rows, int m, int d, int ntrain, int ntest, int seeds,
                  pred_eval_fit_fn fit, pred_eval_seed_fn on_seed, void *ctx, pred_eval_metrics *out);

#endif
