/* surrogate_gp: a small exact Gaussian-process regressor for the search's
 * surrogate at tiny training sizes (10..a few hundred measured points),
 * where forests give poor uncertainties.
 *
 * Model. Targets t (log y with log_target) are winsorised on the bad side
 * at Tukey's "far out" fence (in minimised form t <= q3 + 3 IQR): a few
 * catastrophic points (untrainable NB201 cells at 10 % accuracy) would
 * otherwise inflate the fitted signal variance and flatten every
 * prediction. (A log compression beyond the fence, keeping such cells
 * clearly bad, measured no better: docs/engine.md.) Then targets are
 * standardised and modelled as f(x) + noise with
 * f ~ GP(0, Matern-5/2(|x - x'| / l)). The length scale l and the noise
 * variance are chosen by maximum marginal likelihood over a fixed grid
 * (deterministic; no optimiser).
 *
 * Prediction: mean and standard deviation of a new measurement (latent
 * variance plus the fitted noise: what a measurement may return, so two
 * isomorphic cells with equal features still differ by the training
 * noise), back in target units; with log_target, mean = exp(mu) and
 * std = mean * sigma (delta method, the pred.h convention).
 *
 * Cost: fit O(G n^3) for G grid points (plain C); predict O(n d + n^2)
 * per row, in blocks of rows through OpenBLAS (dgemm for the cross
 * kernel, dtrsm for the variances; reproducible at a fixed thread count,
 * the engine runs OpenBLAS single-threaded). */
#ifndef HW_SURROGATE_GP_H
#define HW_SURROGATE_GP_H

#include <stddef.h>
#include <stdint.h>

typedef struct sgp sgp;

/* Fits on X (n x d, row-major, finite) and y (n, finite; > 0 with
 * log_target). n >= 2. */
int sgp_fit(const float *X, const double *y, int n, int d, int log_target, sgp **out);
/* mean[i], std[i] (std may be NULL) for the n rows of X (n x d). */
void sgp_predict(const sgp *g, const float *X, int n, double *mean, double *std);
void sgp_free(sgp *g);
int sgp_nfeatures(const sgp *g);
/* Chosen hyperparameters (length scale, noise variance in standardised
 * units). */
void sgp_hyper(const sgp *g, double *length, double *noise);

/* Serialization: the training inputs, transformed targets and the chosen
 * hyperparameters; loading refactorises, so predictions are identical. */
int sgp_save(const sgp *g, uint8_t **out, size_t *len);
int sgp_load(const uint8_t *buf, size_t len, sgp **out);

#endif
