/* chol: dense Cholesky with a relative pivot test and diagonal jitter (see
 * chol.h for the policy). */
#include "chol.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hw_err.h"

/* Plain in-place lower Cholesky of A (n, n) with the pivot test `> tol`;
 * -1 at the first pivot that fails (A then partly overwritten). */
static int factor_once(double *A, int n, double tol) {
    for (int j = 0; j < n; j++) {
        double s = A[(size_t)j * n + j];
        for (int k = 0; k < j; k++) s -= A[(size_t)j * n + k] * A[(size_t)j * n + k];
        if (!(s > tol)) return -1;
        double ljj = sqrt(s);
        A[(size_t)j * n + j] = ljj;
        for (int i = j + 1; i < n; i++) {
            double t = A[(size_t)i * n + j];
            for (int k = 0; k < j; k++) t -= A[(size_t)i * n + k] * A[(size_t)j * n + k];
            A[(size_t)i * n + j] = t / ljj;
        }
        for (int i = 0; i < j; i++) A[(size_t)i * n + j] = 0;
    }
    return 0;
}

int chol_factor(double *A, int n, double *jitter) {
    HW_ASSERT(n >= 1);
    if (jitter) *jitter = 0;
    double dmax = 0, dsum = 0;
    for (int i = 0; i < n; i++) {
        double v = A[(size_t)i * n + i];
        if (!(v > 0)) return -1; /* a non-positive (or NaN) diagonal entry: not positive definite */
        if (v > dmax) dmax = v;
        dsum += v;
    }
    const double tol = n * DBL_EPSILON * dmax;
    double *A0 = hw_malloc((size_t)n * n * sizeof *A0); /* (n, n) the input, for the retries */
    memcpy(A0, A, (size_t)n * n * sizeof *A0);
    int rc = factor_once(A, n, tol);
    for (double jit = 1e-10 * dsum / n; rc && jit <= 1e-6 * dsum / n * (1 + 1e-9); jit *= 100) {
        memcpy(A, A0, (size_t)n * n * sizeof *A0);
        for (int i = 0; i < n; i++) A[(size_t)i * n + i] += jit;
        rc = factor_once(A, n, tol);
        if (!rc && jitter) *jitter = jit;
    }
    free(A0);
    return rc;
}

void chol_solve_lower(const double *L, int n, double *b) {
    for (int i = 0; i < n; i++) {
        double s = b[i];
        for (int k = 0; k < i; k++) s -= L[(size_t)i * n + k] * b[k];
        b[i] = s / L[(size_t)i * n + i];
    }
}

void chol_solve_upper(const double *L, int n, double *b) {
    for (int i = n - 1; i >= 0; i--) {
        double s = b[i];
        for (int k = i + 1; k < n; k++) s -= L[(size_t)k * n + i] * b[k];
        b[i] = s / L[(size_t)i * n + i];
    }
}

void chol_solve(const double *L, int n, double *b) {
    chol_solve_lower(L, n, b);
    chol_solve_upper(L, n, b);
}
