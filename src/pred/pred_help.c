/* pred_help: meta-learned latency predictor (see pred_help.h for the model). Layout:
 * parameters of one ensemble member live in ONE float array:
 *   W1 (h1, d) | b1 (h1) | W2 (h2, h1) | b2 (h2) | A (P1, E) | c (P1) | loglam (1)
 * with P1 = h2 + 1 (basis functions incl. the constant) and E = n_ref. */
#include "pred_help.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chol.h"
#include "fsutil.h"
#include "hw_clock.h"
#include "hw_err.h"
#include "pred_impl.h"
#include "rng.h"
#include "space.h"

#define HELP_MAGIC "HWNASHLP"

/* OpenBLAS's thread control (declared in its cblas.h; repeated for safety). */
void openblas_set_num_threads(int num_threads);

typedef struct hoff {
    size_t W1, b1, W2, b2, A, c, loglam, total;
} hoff;

static hoff offsets(int d, int h1, int h2, int E) {
    hoff o;
    size_t p = 0;
    o.W1 = p, p += (size_t)h1 * d;
    o.b1 = p, p += (size_t)h1;
    o.W2 = p, p += (size_t)h2 * h1;
    o.b2 = p, p += (size_t)h2;
    o.A = p, p += (size_t)(h2 + 1) * E;
    o.c = p, p += (size_t)(h2 + 1);
    o.loglam = p, p += 1;
    o.total = p;
    return o;
}

struct pred_help_meta {
    int d, h1, h2, E, M;
    hoff o;
    float *xmean, *xstd;   /* (d) feature standardisation */
    float *ref_X;          /* (E, d) raw features of the reference archs */
    int64_t *ref_ids;      /* (E) their space indices */
    float *e_mean;         /* (E) mean normalised reference latency over meta-train devices */
    float *params;         /* (M, o.total) */
    int *group;            /* (M) 0: trained on real devices only; 1: with synthetic devices */
    char *devices;         /* comma-separated meta-train device names */
    double train_seconds;
};

struct pred_help_dev {
    int d, h1, h2, M;
    hoff o;
    float *xmean, *xstd; /* (d) */
    float *params;       /* (M, o.total) bodies (heads' prior parts unused) */
    double *w;           /* (M, h2 + 1) adapted heads */
    double mu, sd;       /* log-latency normalisation of the device */
};

void pred_help_cfg_default(pred_help_cfg *c) {
    c->hidden1 = 64;
    c->hidden2 = 32;
    c->members = 5;
    c->steps = 3000;
    c->tasks_per_step = 4;
    c->support = 10;
    c->query = 100;
    c->lr = 2e-3;
    c->lambda0 = 1;
    c->drop_ref = 0.2;
    c->synth = 0;
    c->nthread = 1;
    c->seed = 1;
}

/* ---- body forward / backward (llm.c style) ------------------------------ */

/* phi (n, h2+1) = [relu(W2 relu(W1 xn + b1) + b2), 1]; a1 (n, h1) keeps the
 * first layer's activations for the backward pass. */
static void body_forward(float *phi, float *a1, const float *xn, const float *par, const hoff *o, int n, int d,
                         int h1, int h2) {
    const int P1 = h2 + 1;
    for (int i = 0; i < n; i++) memcpy(a1 + (size_t)i * h1, par + o->b1, (size_t)h1 * sizeof(float));
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, h1, d, 1.0f, xn, d, par + o->W1, d, 1.0f, a1, h1);
    for (size_t i = 0; i < (size_t)n * h1; i++) a1[i] = a1[i] > 0 ? a1[i] : 0;
    for (int i = 0; i < n; i++) memcpy(phi + (size_t)i * P1, par + o->b2, (size_t)h2 * sizeof(float));
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, h2, h1, 1.0f, a1, h1, par + o->W2, h1, 1.0f, phi, P1);
    for (int i = 0; i < n; i++) {
        float *r = phi + (size_t)i * P1;
        for (int j = 0; j < h2; j++) r[j] = r[j] > 0 ? r[j] : 0;
        r[h2] = 1.0f;
    }
}

/* Accumulates parameter gradients into g for upstream dphi (n, h2+1; the
 * constant column is ignored). dphi is overwritten; scratch da1 (n, h1). */
static void body_backward(float *g, float *dphi, float *da1, const float *phi, const float *a1, const float *xn,
                          const float *par, const hoff *o, int n, int d, int h1, int h2) {
    const int P1 = h2 + 1;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < h2; j++) {
            size_t k = (size_t)i * P1 + j;
            if (phi[k] <= 0) dphi[k] = 0;
            g[o->b2 + j] += dphi[k];
        }
    /* dW2 (h2, h1) += dZ2^T a1 */
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, h2, h1, n, 1.0f, dphi, P1, a1, h1, 1.0f, g + o->W2, h1);
    /* da1 (n, h1) = dZ2 W2 */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, h1, h2, 1.0f, dphi, P1, par + o->W2, h1, 0.0f, da1,
                h1);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < h1; j++) {
            size_t k = (size_t)i * h1 + j;
            if (a1[k] <= 0) da1[k] = 0;
            g[o->b1 + j] += da1[k];
        }
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, h1, d, n, 1.0f, da1, h1, xn, d, 1.0f, g + o->W1, d);
}

/* Prior head w0 (P1) = A e + c. */
static void head_prior(double *w0, const float *par, const hoff *o, const double *e, int E, int P1) {
    for (int j = 0; j < P1; j++) {
        double s = par[o->c + j];
        for (int k = 0; k < E; k++) s += (double)par[o->A + (size_t)j * E + k] * e[k];
        w0[j] = s;
    }
}

/* Ridge head: chol (P1, P1) <- Cholesky of phi^T phi + lam I, w <- solution
 * of (phi^T phi + lam I) w = phi^T t + lam w0 over the ns support rows. */
static int ridge_head(double *w, double *chol, const float *phi, const double *t, int ns, const double *w0, double lam,
                      int P1) {
    for (int a = 0; a < P1; a++) {
        for (int b = 0; b <= a; b++) {
            double s = 0;
            for (int i = 0; i < ns; i++) s += (double)phi[(size_t)i * P1 + a] * phi[(size_t)i * P1 + b];
            chol[a * P1 + b] = chol[b * P1 + a] = s + (a == b ? lam : 0);
        }
        double r = lam * w0[a];
        for (int i = 0; i < ns; i++) r += (double)phi[(size_t)i * P1 + a] * t[i];
        w[a] = r;
    }
    if (chol_factor(chol, P1, NULL)) return hw_fail("help: ridge system not positive definite");
    chol_solve(chol, P1, w);
    return 0;
}

static void standardise(float *xn, const float *x, int n, int d, const float *mean, const float *std) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < d; j++) xn[(size_t)i * d + j] = (x[(size_t)i * d + j] - mean[j]) / std[j];
}

/* Device normalisation from available reference log latencies (NaN =
 * missing): mu, sd and the embedding e (missing entries get e_mean). */
static int device_norm(const double *ref_lat, int E, const float *e_mean, double *mu, double *sd, double *e) {
    double s = 0, ss = 0;
    int k = 0;
    for (int j = 0; j < E; j++)
        if (!isnan(ref_lat[j])) {
            double l = log(ref_lat[j]);
            s += l;
            ss += l * l;
            k++;
        }
    if (k < 2) return hw_fail("help: need at least 2 reference-arch latencies, got %d", k);
    *mu = s / k;
    double var = ss / k - *mu * *mu;
    *sd = var > 1e-8 ? sqrt(var) : 1e-4;
    for (int j = 0; j < E; j++) e[j] = isnan(ref_lat[j]) ? e_mean[j] : (log(ref_lat[j]) - *mu) / *sd;
    return 0;
}

/* ---- meta-training ------------------------------------------------------ */

typedef struct episode_buf {
    int *rows;         /* (ns + nq) */
    float *xn;         /* (ns + nq, d) standardised features */
    float *phi, *dphi; /* (ns + nq, P1) */
    float *a1, *da1;   /* (ns + nq, h1) */
    double *t;         /* (ns + nq) normalised targets */
    double *w, *w0, *v, *chol, *gw, *pv, *e; /* heads, solve scratch, embedding */
} episode_buf;

/* One episode on device dv: accumulates gradients into g, returns the query
 * loss (or NaN when the ridge system failed, which the caller skips). */
/* A synthetic device (task augmentation): latency = b + sum_f w_f x_f over
 * the raw (non-negative) features, i.e. an additive cost model with random
 * per-feature costs. NULL lat_dev selects it. */
typedef struct synth_dev {
    const float *X; /* (n, d) raw features */
    int d;
    double *w;      /* (d) */
    double b;
} synth_dev;

static double lat_at(const double *lat_dev, const synth_dev *sy, int row) {
    if (lat_dev) return lat_dev[row];
    double v = sy->b;
    for (int f = 0; f < sy->d; f++) v += sy->w[f] * sy->X[(size_t)row * sy->d + f];
    return v;
}

static void synth_draw(synth_dev *sy, hw_rng *r) {
    double s = 0;
    for (int f = 0; f < sy->d; f++) {
        sy->w[f] = rng_uniform(r) < 0.5 ? exp(1.5 * rng_normal(r)) : 0;
        s += sy->w[f];
    }
    if (s <= 0) sy->w[0] = s = 1;
    for (int f = 0; f < sy->d; f++) sy->w[f] /= s;
    sy->b = 0.05 + 0.5 * rng_uniform(r);
}

static double episode(const pred_help_meta *m, const float *par, float *g, const float *xall_n, const double *lat_dev,
                      const synth_dev *sy, int n, const int *ref_rows, const pred_help_cfg *c, hw_rng *r,
                      episode_buf *b) {
    const int d = m->d, h1 = m->h1, h2 = m->h2, P1 = h2 + 1, E = m->E;
    double refl[PRED_HELP_MAX_REF];
    int drop = rng_uniform(r) < c->drop_ref ? (int)rng_below(r, (uint64_t)E) : -1;
    for (int j = 0; j < E; j++) refl[j] = j == drop ? NAN : lat_at(lat_dev, sy, ref_rows[j]);
    double mu, sd;
    if (device_norm(refl, E, m->e_mean, &mu, &sd, b->e)) return NAN;
    int ns = 0;
    for (int j = 0; j < E; j++)
        if (j != drop) b->rows[ns++] = ref_rows[j];
    for (int i = 0; i < c->support; i++) b->rows[ns++] = (int)rng_below(r, (uint64_t)n);
    int nq = c->query, nt = ns + nq;
    for (int i = 0; i < nq; i++) b->rows[ns + i] = (int)rng_below(r, (uint64_t)n);
    for (int i = 0; i < nt; i++) {
        memcpy(b->xn + (size_t)i * d, xall_n + (size_t)b->rows[i] * d, (size_t)d * sizeof(float));
        b->t[i] = (log(lat_at(lat_dev, sy, b->rows[i])) - mu) / sd;
    }
    body_forward(b->phi, b->a1, b->xn, par, &m->o, nt, d, h1, h2);
    double lam = exp(par[m->o.loglam]);
    head_prior(b->w0, par, &m->o, b->e, E, P1);
    if (ridge_head(b->w, b->chol, b->phi, b->t, ns, b->w0, lam, P1)) return NAN;
    /* query loss and dL/dw, dL/dphi_Q */
    const float *phq = b->phi + (size_t)ns * P1;
    double loss = 0;
    memset(b->gw, 0, (size_t)P1 * sizeof *b->gw);
    memset(b->dphi, 0, (size_t)nt * P1 * sizeof *b->dphi);
    for (int i = 0; i < nq; i++) {
        double y = 0;
        for (int a = 0; a < P1; a++) y += phq[(size_t)i * P1 + a] * b->w[a];
        double res = y - b->t[ns + i];
        loss += res * res / nq;
        double gr = 2 * res / nq;
        for (int a = 0; a < P1; a++) {
            b->gw[a] += gr * phq[(size_t)i * P1 + a];
            b->dphi[(size_t)(ns + i) * P1 + a] = (float)(gr * b->w[a]);
        }
    }
    /* v = M^-1 gw; dL/dphi_S = e_S v^T - (phi_S v) w^T */
    memcpy(b->v, b->gw, (size_t)P1 * sizeof *b->v);
    chol_solve(b->chol, P1, b->v);
    for (int i = 0; i < ns; i++) {
        const float *ph = b->phi + (size_t)i * P1;
        double y = 0, pv = 0;
        for (int a = 0; a < P1; a++) {
            y += ph[a] * b->w[a];
            pv += ph[a] * b->v[a];
        }
        double es = b->t[i] - y;
        for (int a = 0; a < P1; a++) b->dphi[(size_t)i * P1 + a] = (float)(es * b->v[a] - pv * b->w[a]);
    }
    /* prior and lambda */
    double glam = 0;
    for (int a = 0; a < P1; a++) {
        double gw0 = lam * b->v[a];
        g[m->o.c + a] += (float)gw0;
        for (int k = 0; k < E; k++) g[m->o.A + (size_t)a * E + k] += (float)(gw0 * b->e[k]);
        glam += b->v[a] * (b->w0[a] - b->w[a]);
    }
    g[m->o.loglam] += (float)(lam * glam);
    body_backward(g, b->dphi, b->da1, b->phi, b->a1, b->xn, par, &m->o, nt, d, h1, h2);
    return loss;
}

static void meta_alloc(pred_help_meta *m) {
    m->o = offsets(m->d, m->h1, m->h2, m->E);
    m->xmean = hw_calloc((size_t)m->d, sizeof(float));
    m->xstd = hw_calloc((size_t)m->d, sizeof(float));
    m->ref_X = hw_calloc((size_t)m->E * m->d, sizeof(float));
    m->ref_ids = hw_calloc((size_t)m->E, sizeof(int64_t));
    m->e_mean = hw_calloc((size_t)m->E, sizeof(float));
    m->params = hw_calloc((size_t)m->M * m->o.total, sizeof(float));
    m->group = hw_calloc((size_t)m->M, sizeof(int));
}

void pred_help_meta_free(pred_help_meta *m) {
    if (!m) return;
    free(m->xmean);
    free(m->xstd);
    free(m->ref_X);
    free(m->ref_ids);
    free(m->e_mean);
    free(m->params);
    free(m->group);
    free(m->devices);
    free(m);
}

int pred_help_meta_train(const pred_help_cfg *c, const float *X, int n, int d, const double *lat, int n_dev,
                    const char *const *dev_names, const int *ref_rows, const int64_t *ref_ids, int n_ref,
                    pred_help_meta **out) {
    *out = NULL;
    if (n < 2 || d < 1) return hw_fail("help: meta-training needs rows and features");
    if (n_dev < 1) return hw_fail("help: no meta-train devices");
    if (n_ref < 2 || n_ref > PRED_HELP_MAX_REF) return hw_fail("help: %d reference archs (need 2..%d)", n_ref, PRED_HELP_MAX_REF);
    if (c->hidden1 < 1 || c->hidden2 < 1 || c->members < 1 || c->steps < 0 || c->tasks_per_step < 1 ||
        c->support < 0 || c->query < 1 || !(c->lr > 0) || !(c->lambda0 > 0) || c->nthread < 1)
        return hw_fail("help: bad meta-training configuration");
    for (size_t i = 0; i < (size_t)n_dev * n; i++)
        if (!(lat[i] > 0) || !isfinite(lat[i]))
            return hw_fail("help: latency of device %s at row %zu is %g (need finite > 0)", dev_names[i / n], i % n,
                           lat[i]);
    for (int j = 0; j < n_ref; j++)
        if (ref_rows[j] < 0 || ref_rows[j] >= n) return hw_fail("help: reference row %d out of range", ref_rows[j]);
    double t0 = hw_now_s();
    openblas_set_num_threads(c->nthread);
    pred_help_meta *m = hw_calloc(1, sizeof *m);
    m->d = d, m->h1 = c->hidden1, m->h2 = c->hidden2, m->E = n_ref, m->M = c->members;
    meta_alloc(m);
    size_t dl = 1;
    for (int i = 0; i < n_dev; i++) dl += strlen(dev_names[i]) + 1;
    m->devices = hw_calloc(dl, 1);
    for (int i = 0; i < n_dev; i++) {
        if (i) strcat(m->devices, ",");
        strcat(m->devices, dev_names[i]);
    }
    for (int j = 0; j < d; j++) {
        double s = 0, ss = 0;
        for (int i = 0; i < n; i++) s += X[(size_t)i * d + j];
        double mu = s / n;
        for (int i = 0; i < n; i++) ss += (X[(size_t)i * d + j] - mu) * (X[(size_t)i * d + j] - mu);
        double sd = sqrt(ss / n);
        m->xmean[j] = (float)mu;
        m->xstd[j] = sd > 1e-6 ? (float)sd : 1.0f;
    }
    for (int j = 0; j < n_ref; j++) {
        memcpy(m->ref_X + (size_t)j * d, X + (size_t)ref_rows[j] * d, (size_t)d * sizeof(float));
        m->ref_ids[j] = ref_ids ? ref_ids[j] : ref_rows[j];
    }
    for (int v = 0; v < n_dev; v++) {
        double refl[PRED_HELP_MAX_REF], e[PRED_HELP_MAX_REF], mu, sd;
        for (int j = 0; j < n_ref; j++) refl[j] = lat[(size_t)v * n + ref_rows[j]];
        HW_ASSERT(device_norm(refl, n_ref, m->e_mean, &mu, &sd, e) == 0);
        for (int j = 0; j < n_ref; j++) m->e_mean[j] += (float)(e[j] / n_dev);
    }
    float *xall = hw_malloc((size_t)n * d * sizeof(float)); /* (n, d) standardised features */
    standardise(xall, X, n, d, m->xmean, m->xstd);
    const int P1 = m->h2 + 1, ntmax = n_ref + c->support + c->query;
    episode_buf b;
    b.rows = hw_malloc((size_t)ntmax * sizeof(int));
    b.xn = hw_malloc((size_t)ntmax * d * sizeof(float));
    b.phi = hw_malloc((size_t)ntmax * P1 * sizeof(float));
    b.dphi = hw_malloc((size_t)ntmax * P1 * sizeof(float));
    b.a1 = hw_malloc((size_t)ntmax * m->h1 * sizeof(float));
    b.da1 = hw_malloc((size_t)ntmax * m->h1 * sizeof(float));
    b.t = hw_malloc((size_t)ntmax * sizeof(double));
    b.w = hw_malloc((size_t)P1 * sizeof(double));
    b.w0 = hw_malloc((size_t)P1 * sizeof(double));
    b.v = hw_malloc((size_t)P1 * sizeof(double));
    b.gw = hw_malloc((size_t)P1 * sizeof(double));
    b.pv = hw_malloc((size_t)P1 * sizeof(double));
    b.chol = hw_malloc((size_t)P1 * P1 * sizeof(double));
    b.e = hw_malloc((size_t)PRED_HELP_MAX_REF * sizeof(double));
    const size_t P = m->o.total;
    /* synthetic devices need non-negative raw features */
    int use_synth = c->synth > 0;
    for (size_t i = 0; use_synth && i < (size_t)n * d; i++)
        if (X[i] < 0) use_synth = 0;
    synth_dev sy = {X, d, hw_calloc((size_t)d, sizeof(double)), 1};
    float *g = hw_malloc(P * sizeof(float));      /* (P) gradient */
    float *am = hw_calloc(P, sizeof(float));      /* (P) Adam first moment */
    float *av = hw_calloc(P, sizeof(float));      /* (P) Adam second moment */
    for (int mem = 0; mem < m->M; mem++) {
        float *par = m->params + (size_t)mem * P;
        int aug = use_synth && (mem % 2 == 1); /* odd members see synthetic devices */
        m->group[mem] = aug;
        hw_rng r;
        rng_seed_stream(&r, c->seed, (uint64_t)mem);
        double s1 = sqrt(2.0 / d), s2 = sqrt(2.0 / m->h1);
        for (size_t i = 0; i < (size_t)m->h1 * d; i++) par[m->o.W1 + i] = (float)(s1 * rng_normal(&r));
        for (size_t i = 0; i < (size_t)m->h2 * m->h1; i++) par[m->o.W2 + i] = (float)(s2 * rng_normal(&r));
        for (int i = 0; i < m->h2; i++) par[m->o.b2 + i] = 0.1f;
        par[m->o.loglam] = (float)log(c->lambda0);
        memset(am, 0, P * sizeof(float));
        memset(av, 0, P * sizeof(float));
        for (int step = 1; step <= c->steps; step++) {
            memset(g, 0, P * sizeof(float));
            int used = 0;
            for (int k = 0; k < c->tasks_per_step; k++) {
                const double *ld = NULL;
                if (aug && rng_uniform(&r) < c->synth) synth_draw(&sy, &r);
                else ld = lat + (size_t)rng_below(&r, (uint64_t)n_dev) * n;
                double l = episode(m, par, g, xall, ld, &sy, n, ref_rows, c, &r, &b);
                if (!isnan(l)) used++;
            }
            if (!used) continue;
            const float b1 = 0.9f, b2 = 0.999f;
            float lr = (float)(c->lr * (step > c->steps / 2 ? 0.5 * (1 + cos(M_PI * (step - c->steps / 2) /
                                                                                  (c->steps - c->steps / 2)))
                                                              : 1.0));
            float bc1 = 1 - powf(b1, (float)step), bc2 = 1 - powf(b2, (float)step);
            for (size_t i = 0; i < P; i++) {
                float gi = g[i] / used;
                am[i] = b1 * am[i] + (1 - b1) * gi;
                av[i] = b2 * av[i] + (1 - b2) * gi * gi;
                par[i] -= lr * (am[i] / bc1) / (sqrtf(av[i] / bc2) + 1e-8f);
            }
            if (par[m->o.loglam] < -6) par[m->o.loglam] = -6;
            if (par[m->o.loglam] > 6) par[m->o.loglam] = 6;
        }
    }
    free(g);
    free(am);
    free(av);
    free(sy.w);
    free(b.rows), free(b.xn), free(b.phi), free(b.dphi), free(b.a1), free(b.da1), free(b.t);
    free(b.w), free(b.w0), free(b.v), free(b.gw), free(b.pv), free(b.chol), free(b.e);
    free(xall);
    m->train_seconds = hw_now_s() - t0;
    *out = m;
    return 0;
}

int pred_help_meta_nfeatures(const pred_help_meta *m) { return m->d; }
int pred_help_meta_nref(const pred_help_meta *m) { return m->E; }
int64_t pred_help_meta_ref_id(const pred_help_meta *m, int j) { return m->ref_ids[j]; }
double pred_help_meta_train_seconds(const pred_help_meta *m) { return m->train_seconds; }

void pred_help_meta_describe(const pred_help_meta *m, char *buf, size_t n) {
    double lam = 0;
    for (int k = 0; k < m->M; k++) lam += exp(m->params[(size_t)k * m->o.total + m->o.loglam]) / m->M;
    int aug = 0;
    for (int k = 0; k < m->M; k++) aug += m->group[k];
    snprintf(buf, n, "help meta-model: %d features, body %d-%d-%d, %d members (%d with synthetic devices), %d reference archs, mean lambda %.4g, meta-train devices %s",
             m->d, m->d, m->h1, m->h2, m->M, aug, m->E, lam, m->devices);
}

/* m->devices is the comma-joined list of the meta-train device names. */
int pred_help_meta_trained_on(const pred_help_meta *m, const char *const *names, int n) {
    int cnt = 1;
    for (const char *q = m->devices; *q; q++) cnt += *q == ',';
    if (cnt != n) return 0;
    for (int v = 0; v < n; v++) {
        size_t L = strlen(names[v]);
        int found = 0;
        for (const char *q = m->devices; !found;) {
            const char *c = strchr(q, ',');
            size_t len = c ? (size_t)(c - q) : strlen(q);
            found = len == L && !strncmp(q, names[v], L);
            if (!c) break;
            q = c + 1;
        }
        if (!found) return 0;
    }
    return 1;
}

/* ---- adaptation --------------------------------------------------------- */

int pred_help_adapt(const pred_help_meta *m, const double *ref_lat, const float *Xs, const double *ys, int k, pred **out) {
    *out = NULL;
    const int d = m->d, E = m->E, P1 = m->h2 + 1;
    for (int j = 0; j < E; j++)
        if (!isnan(ref_lat[j]) && !(ref_lat[j] > 0 && isfinite(ref_lat[j])))
            return hw_fail("help: reference latency %d is %g (need > 0, or NaN for missing)", j, ref_lat[j]);
    for (int i = 0; i < k; i++)
        if (!(ys[i] > 0 && isfinite(ys[i]))) return hw_fail("help: sample latency %d is %g (need > 0)", i, ys[i]);
    double e[PRED_HELP_MAX_REF], mu, sd;
    if (device_norm(ref_lat, E, m->e_mean, &mu, &sd, e)) return -1;
    int nmiss = 0, ns = 0;
    for (int j = 0; j < E; j++) nmiss += isnan(ref_lat[j]) != 0;
    int nt = E + k;
    float *xr = hw_malloc((size_t)nt * d * sizeof(float));            /* (E + k, d) raw support features */
    float *xn = hw_malloc((size_t)nt * d * sizeof(float));            /* (E + k, d) standardised */
    float *phi = hw_malloc((size_t)nt * P1 * sizeof(float));          /* (E + k, P1) */
    float *a1 = hw_malloc((size_t)nt * m->h1 * sizeof(float));        /* (E + k, h1) */
    double *t = hw_malloc((size_t)nt * sizeof(double));               /* (E + k) support targets */
    double *chol = hw_malloc((size_t)P1 * P1 * sizeof(double));
    double w0[1024]; /* (P1) head prior */
    double *loo = hw_calloc((size_t)m->M, sizeof(double)); /* (M) leave-one-out MSE per member */
    int rc = -1;
    struct pred_help_dev *h = hw_calloc(1, sizeof *h);
    h->d = d, h->h1 = m->h1, h->h2 = m->h2, h->M = m->M, h->o = m->o, h->mu = mu, h->sd = sd;
    h->xmean = hw_malloc((size_t)d * sizeof(float));
    h->xstd = hw_malloc((size_t)d * sizeof(float));
    memcpy(h->xmean, m->xmean, (size_t)d * sizeof(float));
    memcpy(h->xstd, m->xstd, (size_t)d * sizeof(float));
    h->params = hw_malloc((size_t)m->M * m->o.total * sizeof(float));
    memcpy(h->params, m->params, (size_t)m->M * m->o.total * sizeof(float));
    h->w = hw_calloc((size_t)m->M * P1, sizeof(double));
    HW_ASSERT(P1 <= 1024);
    /* support rows: the measured reference archs (first), then the samples;
     * the unmeasured reference archs go last (rows ns..E+k) for imputation */
    for (int j = 0; j < E; j++)
        if (!isnan(ref_lat[j])) {
            memcpy(xr + (size_t)ns * d, m->ref_X + (size_t)j * d, (size_t)d * sizeof(float));
            t[ns++] = (log(ref_lat[j]) - mu) / sd;
        }
    for (int i = 0; i < k; i++) {
        for (int j = 0; j < d; j++) {
            if (!isfinite(Xs[(size_t)i * d + j])) {
                hw_fail("help: sample %d feature %d is not finite", i, j);
                goto fail;
            }
        }
        memcpy(xr + (size_t)ns * d, Xs + (size_t)i * d, (size_t)d * sizeof(float));
        t[ns++] = (log(ys[i]) - mu) / sd;
    }
    int nmissrow = 0;
    int missj[PRED_HELP_MAX_REF];
    for (int j = 0; j < E; j++)
        if (isnan(ref_lat[j])) {
            memcpy(xr + (size_t)(ns + nmissrow) * d, m->ref_X + (size_t)j * d, (size_t)d * sizeof(float));
            missj[nmissrow++] = j;
        }
    HW_ASSERT(nmissrow == nmiss && ns + nmiss == nt);
    standardise(xn, xr, nt, d, m->xmean, m->xstd);
    for (int mem = 0; mem < m->M; mem++) {
        const float *par = m->params + (size_t)mem * m->o.total;
        double *w = h->w + (size_t)mem * P1, em[PRED_HELP_MAX_REF];
        memcpy(em, e, sizeof em);
        body_forward(phi, a1, xn, par, &m->o, nt, d, m->h1, m->h2);
        double lam = exp(par[m->o.loglam]);
        for (int pass = 0; pass < (nmiss ? 2 : 1); pass++) {
            head_prior(w0, par, &m->o, em, E, P1);
            if (ridge_head(w, chol, phi, t, ns, w0, lam, P1)) goto fail;
            /* impute missing embedding entries from this adapted head */
            for (int q = 0; q < nmiss; q++) {
                double y = 0;
                for (int a = 0; a < P1; a++) y += phi[(size_t)(ns + q) * P1 + a] * w[a];
                em[missj[q]] = y;
            }
        }
        /* leave-one-out error of this head on the measured support rows
         * (closed form for ridge: e_i / (1 - h_ii), h_ii = phi_i' M^-1 phi_i) */
        double sse = 0, tmp[1024];
        for (int i = 0; i < ns; i++) {
            const float *ph = phi + (size_t)i * P1;
            double y = 0, hii = 0;
            for (int a = 0; a < P1; a++) y += ph[a] * w[a], tmp[a] = ph[a];
            chol_solve(chol, P1, tmp);
            for (int a = 0; a < P1; a++) hii += ph[a] * tmp[a];
            double ei = (t[i] - y) / (1 - hii > 1e-6 ? 1 - hii : 1e-6);
            sse += ei * ei;
        }
        loo[mem] = ns ? sse / ns : 0;
    }
    /* device-adaptive choice between the member groups (real-devices-only vs
     * augmented): keep the group with the lower mean leave-one-out error */
    {
        double gs[2] = {0, 0};
        int gn[2] = {0, 0};
        for (int q = 0; q < m->M; q++) gs[m->group[q]] += loo[q], gn[m->group[q]]++;
        if (gn[0] && gn[1]) {
            int keep = gs[1] / gn[1] < gs[0] / gn[0];
            int j = 0;
            for (int q = 0; q < m->M; q++)
                if (m->group[q] == keep) {
                    memmove(h->params + (size_t)j * m->o.total, h->params + (size_t)q * m->o.total,
                            m->o.total * sizeof(float));
                    memmove(h->w + (size_t)j * P1, h->w + (size_t)q * P1, (size_t)P1 * sizeof(double));
                    j++;
                }
            h->M = j;
        }
    }
    *out = pred_wrap_help(h);
    h = NULL;
    rc = 0;
fail:
    pred_help_dev_free(h);
    free(xr), free(xn), free(phi), free(a1), free(t), free(chol), free(loo);
    return rc;
}

/* ---- pred_help_dev (the PRED_HELP side) -------------------------------------- */

int pred_help_dev_nfeatures(const struct pred_help_dev *h) { return h->d; }
int pred_help_dev_nmembers(const struct pred_help_dev *h) { return h->M; }

void pred_help_dev_free(struct pred_help_dev *h) {
    if (!h) return;
    free(h->xmean);
    free(h->xstd);
    free(h->params);
    free(h->w);
    free(h);
}

void pred_help_dev_predict_members(const struct pred_help_dev *h, const float *X, int n, double *out) {
    const int P1 = h->h2 + 1;
    float *xn = hw_malloc((size_t)n * h->d * sizeof(float)); /* (n, d) */
    float *phi = hw_malloc((size_t)n * P1 * sizeof(float));  /* (n, P1) */
    float *a1 = hw_malloc((size_t)n * h->h1 * sizeof(float)); /* (n, h1) */
    standardise(xn, X, n, h->d, h->xmean, h->xstd);
    for (int mem = 0; mem < h->M; mem++) {
        body_forward(phi, a1, xn, h->params + (size_t)mem * h->o.total, &h->o, n, h->d, h->h1, h->h2);
        const double *w = h->w + (size_t)mem * P1;
        for (int i = 0; i < n; i++) {
            double y = 0;
            for (int a = 0; a < P1; a++) y += phi[(size_t)i * P1 + a] * w[a];
            out[(size_t)i * h->M + mem] = y * h->sd + h->mu;
        }
    }
    free(xn);
    free(phi);
    free(a1);
}

void pred_help_dev_save(const struct pred_help_dev *h, hw_wbuf *b) {
    hw_put_u32(b, (uint32_t)h->d);
    hw_put_u32(b, (uint32_t)h->h1);
    hw_put_u32(b, (uint32_t)h->h2);
    hw_put_u32(b, (uint32_t)h->M);
    hw_put_f64(b, h->mu);
    hw_put_f64(b, h->sd);
    hw_put_f32s(b, h->xmean, (size_t)h->d);
    hw_put_f32s(b, h->xstd, (size_t)h->d);
    /* only the body part of each member is needed */
    for (int k = 0; k < h->M; k++) hw_put_f32s(b, h->params + (size_t)k * h->o.total, h->o.A);
    hw_put_f64s(b, h->w, (size_t)h->M * (h->h2 + 1));
}

int pred_help_dev_load(hw_rbuf *b, struct pred_help_dev **out) {
    *out = NULL;
    struct pred_help_dev *h = hw_calloc(1, sizeof *h);
    if (pred_get_int(b, "help feature count", 1, 1 << 16, &h->d) || pred_get_int(b, "help hidden1", 1, 4096, &h->h1) ||
        pred_get_int(b, "help hidden2", 1, 1023, &h->h2) || pred_get_int(b, "help members", 1, 1024, &h->M))
        goto fail;
    h->mu = hw_get_f64(b);
    h->sd = hw_get_f64(b);
    h->o = offsets(h->d, h->h1, h->h2, 0);
    size_t need = 2 * (size_t)h->d + (size_t)h->M * h->o.A + 2 * (size_t)h->M * (h->h2 + 1);
    if (need > hw_rbuf_left(b) / 4) {
        hw_fail("truncated help model");
        goto fail;
    }
    h->xmean = hw_malloc((size_t)h->d * sizeof(float));
    h->xstd = hw_malloc((size_t)h->d * sizeof(float));
    h->params = hw_calloc((size_t)h->M * h->o.total, sizeof(float));
    h->w = hw_malloc((size_t)h->M * (h->h2 + 1) * sizeof(double));
    hw_get_f32s(b, h->xmean, (size_t)h->d);
    hw_get_f32s(b, h->xstd, (size_t)h->d);
    for (int k = 0; k < h->M; k++) hw_get_f32s(b, h->params + (size_t)k * h->o.total, h->o.A);
    hw_get_f64s(b, h->w, (size_t)h->M * (h->h2 + 1));
    if (!hw_rbuf_ok(b)) {
        hw_fail("truncated help model");
        goto fail;
    }
    if (!isfinite(h->mu) || !(h->sd > 0)) {
        hw_fail("help model: bad normalisation");
        goto fail;
    }
    *out = h;
    return 0;
fail:
    pred_help_dev_free(h);
    return -1;
}

/* ---- meta-model serialization ------------------------------------------ */

/* Layout: "HWNASHLP" | u32 version | u64 payload length | payload | u64
 * hash of the payload. */
int pred_help_meta_save(const pred_help_meta *m, uint8_t **out_buf, size_t *out_len) {
    hw_wbuf pl, b;
    hw_wbuf_init(&pl);
    hw_wbuf_init(&b);
    hw_put_u32(&pl, (uint32_t)m->d);
    hw_put_u32(&pl, (uint32_t)m->h1);
    hw_put_u32(&pl, (uint32_t)m->h2);
    hw_put_u32(&pl, (uint32_t)m->E);
    hw_put_u32(&pl, (uint32_t)m->M);
    hw_put_f32s(&pl, m->xmean, (size_t)m->d);
    hw_put_f32s(&pl, m->xstd, (size_t)m->d);
    hw_put_f32s(&pl, m->ref_X, (size_t)m->E * m->d);
    for (int j = 0; j < m->E; j++) hw_put_i64(&pl, m->ref_ids[j]);
    hw_put_f32s(&pl, m->e_mean, (size_t)m->E);
    hw_put_f32s(&pl, m->params, (size_t)m->M * m->o.total);
    for (int k = 0; k < m->M; k++) hw_put_u32(&pl, (uint32_t)m->group[k]);
    hw_put_str(&pl, m->devices);
    hw_put_header(&b, HELP_MAGIC, 8, PRED_HELP_FORMAT_VERSION);
    hw_put_u64(&b, pl.n);
    hw_put_bytes(&b, pl.p, pl.n);
    hw_put_u64(&b, hw_hash_bytes(pl.p, pl.n, 0x68656c70));
    int bad = pl.bad;
    hw_wbuf_free(&pl);
    *out_buf = hw_wbuf_take(&b, out_len);
    if (bad || !*out_buf) return hw_fail("help meta-model: out of memory");
    return 0;
}

int pred_help_meta_load(const uint8_t *buf, size_t len, pred_help_meta **out) {
    *out = NULL;
    hw_rbuf r, p;
    hw_rbuf_init(&r, buf, len);
    if (hw_get_header(&r, HELP_MAGIC, 8, PRED_HELP_FORMAT_VERSION, "hwnas help meta-model")) return -1;
    uint64_t plen = hw_get_u64(&r);
    if (!hw_rbuf_ok(&r)) return hw_fail("truncated help meta-model header");
    if (plen > hw_rbuf_left(&r) || hw_rbuf_left(&r) - plen != 8)
        return hw_fail("truncated or oversized help meta-model (%zu bytes)", len);
    hw_rbuf_init(&p, hw_get_span(&r, (size_t)plen), (size_t)plen);
    uint64_t hash = hw_get_u64(&r);
    if (hash != hw_hash_bytes(p.p, p.n, 0x68656c70)) return hw_fail("help meta-model checksum mismatch (corrupted)");
    pred_help_meta *m = hw_calloc(1, sizeof *m);
    if (pred_get_int(&p, "feature count", 1, 1 << 16, &m->d) || pred_get_int(&p, "hidden1", 1, 4096, &m->h1) ||
        pred_get_int(&p, "hidden2", 1, 1023, &m->h2) ||
        pred_get_int(&p, "reference count", 2, PRED_HELP_MAX_REF, &m->E) || pred_get_int(&p, "members", 1, 1024, &m->M))
        goto fail;
    {
        hoff o = offsets(m->d, m->h1, m->h2, m->E);
        size_t need = (2 + (size_t)m->E) * m->d + 3 * (size_t)m->E + (size_t)m->M * (o.total + 1);
        if (need > hw_rbuf_left(&p) / 4) {
            hw_fail("truncated help meta-model");
            goto fail;
        }
    }
    meta_alloc(m);
    hw_get_f32s(&p, m->xmean, (size_t)m->d);
    hw_get_f32s(&p, m->xstd, (size_t)m->d);
    hw_get_f32s(&p, m->ref_X, (size_t)m->E * m->d);
    for (int j = 0; j < m->E; j++) m->ref_ids[j] = hw_get_i64(&p);
    hw_get_f32s(&p, m->e_mean, (size_t)m->E);
    hw_get_f32s(&p, m->params, (size_t)m->M * m->o.total);
    if (!hw_rbuf_ok(&p)) {
        hw_fail("truncated help meta-model");
        goto fail;
    }
    for (int k = 0; k < m->M; k++)
        if (pred_get_int(&p, "member group", 0, 1, &m->group[k])) goto fail;
    m->devices = hw_get_strdup(&p);
    if (!m->devices) {
        hw_fail("truncated help meta-model (device names)");
        goto fail;
    }
    if (!hw_rbuf_done(&p)) {
        hw_fail("help meta-model has trailing bytes");
        goto fail;
    }
    *out = m;
    return 0;
fail:
    pred_help_meta_free(m);
    return -1;
}

int pred_help_meta_save_file(const pred_help_meta *m, const char *path) {
    uint8_t *buf = NULL;
    size_t len = 0;
    if (pred_help_meta_save(m, &buf, &len)) return -1;
    int rc = hw_write_file_atomic(path, buf, len);
    free(buf);
    return rc;
}

int pred_help_meta_load_file(const char *path, pred_help_meta **out) {
    *out = NULL;
    char *buf = NULL;
    size_t len = 0;
    if (hw_read_file(path, &buf, &len)) return -1;
    int rc = pred_help_meta_load((const uint8_t *)buf, len, out);
    free(buf);
    return rc ? hw_fail_prefix("%s", path) : 0;
}
