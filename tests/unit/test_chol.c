/* Checks chol (src/pred/chol.h): the factor of a random SPD matrix against
 * LAPACK's dpotrf and a solve against a known solution, element by element
 * within a tolerance; the jitter policy on a rank-deficient PSD matrix
 * (factor found, jitter within the documented range, L L^T = A + jitter I);
 * an indefinite matrix and a NaN diagonal refused. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "chol.h"
#include "rng.h"

/* LAPACK (OpenBLAS) Cholesky, the reference. */
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);

/* |got - want| <= atol + rtol |want|, printing both values when not. */
static int close_to(double got, double want, double rtol, double atol, const char *what, int i, int j) {
    if (fabs(got - want) <= atol + rtol * fabs(want)) return 1;
    printf("%s[%d][%d]: got %.17g, want %.17g (rtol %g, atol %g)\n", what, i, j, got, want, rtol, atol);
    return 0;
}

/* A (n, n) = B B^T / n + I with B standard normal. */
static void random_spd(double *A, int n, uint64_t seed) {
    hw_rng r;
    rng_seed(&r, seed);
    double *B = malloc((size_t)n * n * sizeof *B);
    for (int i = 0; i < n * n; i++) B[i] = rng_normal(&r);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int k = 0; k < n; k++) s += B[i * n + k] * B[j * n + k];
            A[i * n + j] = s / n + (i == j);
        }
    free(B);
}

static void test_factor_matches_lapack(void **st) {
    (void)st;
    enum { N = 40 };
    static double A[N * N], R[N * N];
    random_spd(A, N, 7);
    memcpy(R, A, sizeof A);
    int n = N, info = 0;
    dpotrf_("L", &n, R, &n, &info); /* column-major lower == our row-major upper: R[j*N+i] is L[i][j] */
    assert_int_equal(info, 0);
    double jit = -1;
    assert_int_equal(chol_factor(A, N, &jit), 0);
    assert_true(jit == 0);
    int ok = 1;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            ok &= close_to(A[i * N + j], j <= i ? R[j * N + i] : 0.0, 1e-12, 1e-13, "L", i, j);
    assert_true(ok);
}

static void test_solve_known_solution(void **st) {
    (void)st;
    enum { N = 25 };
    static double A[N * N], L[N * N];
    double x[N], b[N];
    random_spd(A, N, 11);
    for (int i = 0; i < N; i++) x[i] = sin(i + 1.0);
    for (int i = 0; i < N; i++) {
        b[i] = 0;
        for (int j = 0; j < N; j++) b[i] += A[i * N + j] * x[j];
    }
    memcpy(L, A, sizeof A);
    assert_int_equal(chol_factor(L, N, NULL), 0);
    chol_solve(L, N, b);
    int ok = 1;
    for (int i = 0; i < N; i++) ok &= close_to(b[i], x[i], 1e-10, 1e-12, "x", i, 0);
    assert_true(ok);
}

static void test_jitter_on_rank_deficient(void **st) {
    (void)st;
    enum { N = 6 };
    double A[N * N], L[N * N], u[N], v[N], mean = 0;
    for (int i = 0; i < N; i++) u[i] = 1.0 + i, v[i] = cos(i);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) A[i * N + j] = u[i] * u[j] + v[i] * v[j]; /* rank 2 */
    for (int i = 0; i < N; i++) mean += A[i * N + i] / N;
    memcpy(L, A, sizeof A);
    double jit = 0;
    assert_int_equal(chol_factor(L, N, &jit), 0);
    printf("rank-2 6x6: jitter %.3g (mean diagonal %.3g)\n", jit, mean);
    assert_true(jit >= 1e-10 * mean * (1 - 1e-9) && jit <= 1e-6 * mean * (1 + 1e-9));
    int ok = 1;
    for (int i = 0; i < N; i++)
        for (int j = 0; j <= i; j++) {
            double s = 0;
            for (int k = 0; k <= j; k++) s += L[i * N + k] * L[j * N + k];
            ok &= close_to(s, A[i * N + j] + (i == j ? jit : 0), 1e-10, 1e-12, "LLt", i, j);
        }
    assert_true(ok);
}

static void test_refuses_indefinite(void **st) {
    (void)st;
    double A[4] = {1, 2, 2, 1}; /* eigenvalues 3, -1 */
    double jit = 5;
    assert_int_equal(chol_factor(A, 2, &jit), -1);
    double B[4] = {NAN, 0, 0, 1};
    assert_int_equal(chol_factor(B, 2, NULL), -1);
    double C[1] = {4};
    assert_int_equal(chol_factor(C, 1, NULL), 0);
    assert_true(C[0] == 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_factor_matches_lapack),
        cmocka_unit_test(test_solve_known_solution),
        cmocka_unit_test(test_jitter_on_rank_deficient),
        cmocka_unit_test(test_refuses_indefinite),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
