/* chol: the one dense Cholesky factorisation of the predictors (the
 * ridge heads of pred_help.c, the kernel matrix of pred_gp.c).
 *
 * Matrices are row-major double (n, n). chol_factor reads the lower
 * triangle of the symmetric A and overwrites A with the lower factor L
 * (A = L L^T), the strict upper triangle zeroed.
 *
 * Pivot test: a pivot is accepted when it exceeds
 *   tol = n * DBL_EPSILON * max_i A[i][i]
 * (a relative threshold: rounding in the pivot's sum of n products is of
 * that size, so anything smaller is noise; NaN never passes).
 *
 * Jitter policy: when a pivot fails, the factorisation restarts from the
 * original A with jitter * I added, jitter = 1e-10 * mean diag(A), then
 * x100 per retry up to 1e-6 * mean diag(A) (3 tries). A matrix that fails
 * even then (indefinite, not just rank deficient) is refused. Callers that
 * regularise already (ridge lambda > 0, GP noise >= 1e-3 of the unit signal
 * variance) never reach the jitter: their pivots are bounded below by the
 * regulariser. */
#ifndef HW_CHOL_H
#define HW_CHOL_H

/* Factorises A (n, n) in place. Returns 0, or -1 (no message: callers say
 * what was not positive definite) when A is not numerically positive
 * definite even with the largest jitter. *jitter (may be NULL) gets the
 * diagonal jitter used, 0 when none. */
int chol_factor(double *A, int n, double *jitter);
/* Solves L v = b in place (b -> v), L from chol_factor. */
void chol_solve_lower(const double *L, int n, double *b);
/* Solves L^T v = b in place. */
void chol_solve_upper(const double *L, int n, double *b);
/* Solves L L^T x = b in place (both of the above). */
void chol_solve(const double *L, int n, double *b);

#endif
