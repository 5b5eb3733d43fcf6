/* pred_gp: the PRED_GP kind of the predictor handle: exact GP regression
 * with a Matern-5/2 kernel and grid-searched hyperparameters (model in
 * pred.h, hooks in pred_impl.h). Layout: the training inputs X, their
 * squared norms, the standardised targets z, the Cholesky factor L of
 * K + noise I and alpha = (K + noise I)^-1 z. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chol.h"
#include "hw_err.h"
#include "pred_impl.h"

static const double gp_lengths[] = {1, 2, 3, 4, 6, 8};
static const double gp_noises[] = {1e-3, 1e-2, 1e-1, 0.3};

struct pred_gp {
    int n, d, log_target;
    double length, noise;  /* chosen hyperparameters */
    double mu, sd;         /* target standardisation */
    float *X;              /* (n, d) training inputs */
    double *xx;            /* (n) squared norms of the rows of X */
    double *z;             /* (n) standardised transformed targets */
    double *L;             /* (n, n) Cholesky factor of K + noise I (lower) */
    double *alpha;         /* (n) (K + noise I)^-1 z */
};

static double m52(double d2, double length) {
    double r = sqrt(5.0 * (d2 > 0 ? d2 : 0)) / length;
    return (1.0 + r + r * r / 3.0) * exp(-r);
}

static double sqdist(const float *a, double aa, const float *b, double bb, int d) {
    double dot = 0;
    for (int j = 0; j < d; j++) dot += (double)a[j] * (double)b[j];
    double v = aa + bb - 2 * dot;
    return v > 0 ? v : 0;
}

/* Factorises K + noise I for g's length/noise into g->L, g->alpha; writes
 * the log marginal likelihood (up to a constant) to *ll. D2 holds the
 * pairwise squared distances (n x n). */
static int factor(struct pred_gp *g, const double *D2, double *ll) {
    const int n = g->n;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            g->L[(size_t)i * n + j] = m52(D2[(size_t)i * n + j], g->length) + (i == j ? g->noise : 0);
    if (chol_factor(g->L, n, NULL)) return -1;
    memcpy(g->alpha, g->z, (size_t)n * sizeof *g->alpha);
    chol_solve_lower(g->L, n, g->alpha);
    double quad = 0, logdet = 0;
    for (int i = 0; i < n; i++) {
        quad += g->alpha[i] * g->alpha[i];
        logdet += log(g->L[(size_t)i * n + i]);
    }
    chol_solve_upper(g->L, n, g->alpha);
    *ll = -0.5 * quad - logdet;
    return 0;
}

static double *pair_d2(const struct pred_gp *g) {
    const int n = g->n;
    double *D2 = hw_malloc((size_t)n * n * sizeof *D2);
    for (int i = 0; i < n; i++)
        for (int j = 0; j <= i; j++)
            D2[(size_t)i * n + j] = D2[(size_t)j * n + i] =
                sqdist(g->X + (size_t)i * g->d, g->xx[i], g->X + (size_t)j * g->d, g->xx[j], g->d);
    return D2;
}

static struct pred_gp *alloc_gp(int n, int d) {
    struct pred_gp *g = hw_calloc(1, sizeof *g);
    g->n = n;
    g->d = d;
    g->X = hw_malloc((size_t)n * d * sizeof *g->X);
    g->xx = hw_malloc((size_t)n * sizeof *g->xx);
    g->z = hw_malloc((size_t)n * sizeof *g->z);
    g->L = hw_malloc((size_t)n * n * sizeof *g->L);
    g->alpha = hw_malloc((size_t)n * sizeof *g->alpha);
    return g;
}

static void norms(struct pred_gp *g) {
    for (int i = 0; i < g->n; i++) {
        double s = 0;
        for (int j = 0; j < g->d; j++) s += (double)g->X[(size_t)i * g->d + j] * g->X[(size_t)i * g->d + j];
        g->xx[i] = s;
    }
}

static int cmp_dbl(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Quantile q of sorted v (n), linear interpolation. */
static double quantile(const double *v, int n, double q) {
    double p = q * (n - 1);
    int i = (int)floor(p);
    if (i >= n - 1) return v[n - 1];
    return v[i] + (p - i) * (v[i + 1] - v[i]);
}

int pred_gp_fit(const float *X, const double *y, int n, int d, int log_target, struct pred_gp **out) {
    *out = NULL;
    if (n < 2 || d < 1) return hw_fail("gp: need at least 2 rows and 1 feature (got %d x %d)", n, d);
    for (int i = 0; i < n; i++)
        if (!isfinite(y[i]) || (log_target && !(y[i] > 0))) return hw_fail("gp: target %d is %g", i, y[i]);
    for (size_t i = 0; i < (size_t)n * d; i++)
        if (!isfinite(X[i])) return hw_fail("gp: feature value %zu is not finite", i);
    struct pred_gp *g = alloc_gp(n, d);
    g->log_target = log_target;
    memcpy(g->X, X, (size_t)n * d * sizeof *X);
    norms(g);
    /* transform, winsorise the bad (high) side, standardise */
    double *s = hw_malloc((size_t)n * sizeof *s);
    for (int i = 0; i < n; i++) g->z[i] = s[i] = log_target ? log(y[i]) : y[i];
    qsort(s, (size_t)n, sizeof *s, cmp_dbl);
    double q1 = quantile(s, n, 0.25), q3 = quantile(s, n, 0.75), cap = q3 + 3.0 * (q3 - q1);
    free(s);
    double sum = 0, sq = 0;
    for (int i = 0; i < n; i++) {
        if (g->z[i] > cap) g->z[i] = cap;
        sum += g->z[i];
    }
    g->mu = sum / n;
    for (int i = 0; i < n; i++) sq += (g->z[i] - g->mu) * (g->z[i] - g->mu);
    g->sd = sqrt(sq / n);
    if (!(g->sd > 1e-12)) g->sd = 1;
    for (int i = 0; i < n; i++) g->z[i] = (g->z[i] - g->mu) / g->sd;
    /* hyperparameters by marginal likelihood over the grid */
    double *D2 = pair_d2(g), best = -INFINITY, bl = 0, bn = 0;
    for (size_t a = 0; a < sizeof gp_lengths / sizeof *gp_lengths; a++)
        for (size_t b = 0; b < sizeof gp_noises / sizeof *gp_noises; b++) {
            double ll;
            g->length = gp_lengths[a];
            g->noise = gp_noises[b];
            if (factor(g, D2, &ll) == 0 && ll > best) {
                best = ll;
                bl = g->length;
                bn = g->noise;
            }
        }
    double ll;
    g->length = bl;
    g->noise = bn;
    if (!isfinite(best) || factor(g, D2, &ll)) {
        free(D2);
        pred_gp_free(g);
        return hw_fail("gp: kernel matrix not positive definite for any grid point");
    }
    free(D2);
    *out = g;
    return 0;
}

void pred_gp_predict(const struct pred_gp *g, const float *X, int n, double *mean, double *std) {
    enum { BLK = 512 };
    const int m = g->n, d = g->d;
    double *Xq = hw_malloc((size_t)BLK * d * sizeof *Xq);     /* (BLK, d) query block */
    double *Xt = hw_malloc((size_t)m * d * sizeof *Xt);       /* (m, d) training inputs */
    double *K = hw_malloc((size_t)BLK * m * sizeof *K);       /* (BLK, m) cross kernel */
    double *V = hw_malloc((size_t)m * BLK * sizeof *V);       /* (m, BLK) L^-1 K^T */
    double *qq = hw_malloc((size_t)BLK * sizeof *qq);
    for (size_t i = 0; i < (size_t)m * d; i++) Xt[i] = g->X[i];
    for (int b0 = 0; b0 < n; b0 += BLK) {
        int nb = n - b0 < BLK ? n - b0 : BLK;
        for (int i = 0; i < nb; i++) {
            double s = 0;
            for (int j = 0; j < d; j++) {
                double v = X[(size_t)(b0 + i) * d + j];
                Xq[(size_t)i * d + j] = v;
                s += v * v;
            }
            qq[i] = s;
        }
        /* K = Xq Xt^T, then squared distances -> Matern-5/2 */
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, nb, m, d, 1.0, Xq, d, Xt, d, 0.0, K, m);
        for (int i = 0; i < nb; i++) {
            double mu = 0;
            for (int j = 0; j < m; j++) {
                double d2 = qq[i] + g->xx[j] - 2 * K[(size_t)i * m + j];
                K[(size_t)i * m + j] = m52(d2, g->length);
                mu += K[(size_t)i * m + j] * g->alpha[j];
            }
            mu = g->mu + g->sd * mu;
            mean[b0 + i] = g->log_target ? exp(mu) : mu;
        }
        if (!std) continue;
        for (int i = 0; i < nb; i++)
            for (int j = 0; j < m; j++) V[(size_t)j * nb + i] = K[(size_t)i * m + j];
        cblas_dtrsm(CblasRowMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, m, nb, 1.0, g->L, m, V, nb);
        for (int i = 0; i < nb; i++) {
            double vv = 0;
            for (int j = 0; j < m; j++) vv += V[(size_t)j * nb + i] * V[(size_t)j * nb + i];
            double sig = g->sd * sqrt((vv < 1 ? 1 - vv : 0) + g->noise);
            std[b0 + i] = g->log_target ? mean[b0 + i] * sig : sig;
        }
    }
    free(Xq);
    free(Xt);
    free(K);
    free(V);
    free(qq);
}

void pred_gp_free(struct pred_gp *g) {
    if (!g) return;
    free(g->X);
    free(g->xx);
    free(g->z);
    free(g->L);
    free(g->alpha);
    free(g);
}

int pred_gp_nfeatures(const struct pred_gp *g) { return g->d; }
int pred_gp_log_target(const struct pred_gp *g) { return g->log_target; }

void pred_gp_hyper(const struct pred_gp *g, double *length, double *noise) {
    *length = g->length;
    *noise = g->noise;
}

/* Payload: u32 n, u32 d, u32 log_target, f64 length, noise, mu, sd,
 * f32 X[n*d], f64 z[n]. */
void pred_gp_save(const struct pred_gp *g, hw_wbuf *w) {
    hw_put_u32(w, (uint32_t)g->n);
    hw_put_u32(w, (uint32_t)g->d);
    hw_put_u32(w, (uint32_t)g->log_target);
    hw_put_f64(w, g->length);
    hw_put_f64(w, g->noise);
    hw_put_f64(w, g->mu);
    hw_put_f64(w, g->sd);
    hw_put_f32s(w, g->X, (size_t)g->n * g->d);
    hw_put_f64s(w, g->z, (size_t)g->n);
}

int pred_gp_load(hw_rbuf *r, struct pred_gp **out) {
    *out = NULL;
    int n, d, lt;
    if (pred_get_int(r, "gp row count", 2, 1000000, &n) || pred_get_int(r, "gp feature count", 1, 100000, &d) ||
        pred_get_int(r, "gp log_target", 0, 1, &lt))
        return -1;
    double length = hw_get_f64(r), noise = hw_get_f64(r), mu = hw_get_f64(r), sd = hw_get_f64(r);
    if (!hw_rbuf_ok(r)) return hw_fail("truncated gp model");
    if (!(length > 0) || !(noise > 0) || !isfinite(mu) || !(sd > 0)) return hw_fail("gp model: bad hyperparameters");
    if ((size_t)n * d > hw_rbuf_left(r) / 4 || (size_t)n > (hw_rbuf_left(r) - (size_t)n * d * 4) / 8)
        return hw_fail("truncated gp model (%d rows x %d features)", n, d);
    struct pred_gp *g = alloc_gp(n, d);
    g->log_target = lt;
    g->length = length;
    g->noise = noise;
    g->mu = mu;
    g->sd = sd;
    hw_get_f32s(r, g->X, (size_t)n * d);
    hw_get_f64s(r, g->z, (size_t)n);
    for (size_t i = 0; i < (size_t)n * d; i++)
        if (!isfinite(g->X[i])) goto bad;
    for (int i = 0; i < n; i++)
        if (!isfinite(g->z[i])) goto bad;
    norms(g);
    double *D2 = pair_d2(g), ll;
    int rc = factor(g, D2, &ll);
    free(D2);
    if (rc) {
        pred_gp_free(g);
        return hw_fail("gp model: kernel matrix not positive definite");
    }
    *out = g;
    return 0;
bad:
    pred_gp_free(g);
    return hw_fail("gp model: non-finite values");
}
