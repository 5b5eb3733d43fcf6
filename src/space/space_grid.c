/* space_grid: a box [0,1]^nvars discretised into `levels` points per axis,
 * for benchmarks (ZDT) and tests of the NSGA-II engine.
 *
 * Gene i in 0..levels-1 decodes to x_i = gene / (levels - 1). The operators
 * are the usual real-coded ones of NSGA-II (as in DEAP's nsga2 example),
 * applied to x and rounded to the nearest grid level:
 *   mutation  Deb's bounded polynomial mutation, eta = 20; a gene picked for
 *             mutation whose rounded value did not move is stepped by one
 *             level, and if no gene was picked one random gene is mutated
 *             (the space contract: at least one gene changes);
 *   crossover bounded SBX, eta = 20, each gene with probability 0.5 (the
 *             two coin flips per gene come from the bits of one PRNG word).
 * Every genome is valid and canonical. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw_err.h"
#include "space_impl.h"

#define GRID_ETA_M 20.0
#define GRID_ETA_C 20.0

typedef struct grid_impl {
    int levels;
    double inv;        /* 1 / (levels - 1) */
    char (*names)[16]; /* [nvars] feature names "x0".. */
} grid_impl;

/* x^(eta+1) for eta = 20 by multiplication (pow() dominated the profile). */
static inline double pow21(double x) {
    double x2 = x * x, x4 = x2 * x2, x8 = x4 * x4, x16 = x8 * x8;
    return x16 * x4 * x;
}
_Static_assert(GRID_ETA_M == 20.0 && GRID_ETA_C == 20.0, "pow21 assumes eta = 20");

static int levels_of(const space *s) { return ((const grid_impl *)s->impl)->levels; }

static inline double to_x(const space *s, int gene) { return (double)gene * ((const grid_impl *)s->impl)->inv; }
/* x^(1/(eta+1)) for x > 0 (exp/log: cheaper than pow here). */
static inline double root21(double x) { return exp(log(x) * (1.0 / 21.0)); }
/* The same in single precision where that is exact enough for a grid of at
 * most 32767 levels (relative error ~1e-7 << one level); tiny arguments,
 * which would underflow a float, go through root21. */
static inline double root21f(double x) {
    if (x < 1e-30) return root21(x);
    return (double)expf(logf((float)x) * (1.0f / 21.0f));
}
static inline int16_t to_gene(const space *s, double x) {
    int L = levels_of(s);
    if (!(x > 0)) return 0; /* also NaN */
    if (x >= 1) return (int16_t)(L - 1);
    int v = (int)(x * (L - 1) + 0.5);
    return (int16_t)(v > L - 1 ? L - 1 : v);
}

static void gr_sample(const space *s, hw_rng *r, hw_genome *out) {
    for (int i = 0; i < s->ngenes; i++) out->g[i] = (int16_t)rng_below(r, (uint64_t)levels_of(s));
}

/* Polynomial mutation of one gene (always changes it). */
static void mutate_gene(const space *s, hw_rng *r, hw_genome *g, int i) {
    int L = levels_of(s);
    double x = to_x(s, g->g[i]);
    double u = rng_uniform(r), dq;
    if (u < 0.5) {
        double xy = 1.0 - x;
        double val = 2.0 * u + (1.0 - 2.0 * u) * pow21(xy);
        dq = root21(val) - 1.0;
    } else {
        double xy = x; /* 1 - (1 - x) */
        double val = 2.0 * (1.0 - u) + 2.0 * (u - 0.5) * pow21(xy);
        dq = 1.0 - root21(val);
    }
    int16_t ng = to_gene(s, x + dq);
    if (ng == g->g[i]) { /* step one level in the drawn direction, if possible */
        if (dq < 0)
            ng = (int16_t)(g->g[i] > 0 ? g->g[i] - 1 : 1);
        else
            ng = (int16_t)(g->g[i] < L - 1 ? g->g[i] + 1 : L - 2);
    }
    g->g[i] = ng;
}

/* Each gene mutates independently with probability pm; the mutated genes
 * are found by geometric skips (one uniform per mutated gene instead of one
 * per gene), the same distribution. */
static void gr_mutate(const space *s, hw_rng *r, double pm, hw_genome *g) {
    int changed = 0, n = s->ngenes;
    if (pm >= 1.0) {
        for (int i = 0; i < n; i++) mutate_gene(s, r, g, i);
        changed = n > 0;
    } else if (pm > 0.0) {
        double lq = log1p(-pm); /* < 0 */
        for (int i = -1;;) {
            double skip = floor(log(rng_uniform(r)) / lq); /* failures before the next success */
            if (!(skip < (double)(n - 1 - i))) break;      /* also u = 0: -inf / lq = +inf */
            i += 1 + (int)skip;
            mutate_gene(s, r, g, i);
            changed = 1;
        }
    }
    if (!changed) mutate_gene(s, r, g, (int)rng_below(r, (uint64_t)n));
}

/* Spread factor of one side of bounded SBX (Deb & Agrawal; the form of
 * DEAP's cxSimulatedBinaryBounded): gap = parent distance, dist = distance
 * of the nearer parent to its bound; beta^-(eta+1) by multiplication. */
static inline double sbx_betaq(double u, double gap, double dist) {
    double ib = gap / (gap + 2.0 * dist); /* 1 / beta */
    double alpha = 2.0 - pow21(ib);
    double ua = u * alpha;
    return ua <= 1.0 ? root21f(ua) : 1.0 / root21f(2.0 - ua);
}

static void gr_crossover(const space *s, hw_rng *r, const hw_genome *a, const hw_genome *b, hw_genome *c1,
                         hw_genome *c2) {
    hw_genome x = *a, y = *b;
    uint64_t bits = 0; /* two coin flips per gene: apply SBX?, swap sides? */
    for (int i = 0; i < s->ngenes; i++) {
        if (i % 32 == 0) bits = rng_next(r);
        int apply = bits & 1, swap = (bits >> 1) & 1;
        bits >>= 2;
        if (!apply || a->g[i] == b->g[i]) continue;
        double x1 = to_x(s, a->g[i]), x2 = to_x(s, b->g[i]);
        if (x1 > x2) {
            double t = x1;
            x1 = x2;
            x2 = t;
        }
        double gap = x2 - x1, u = rng_uniform(r);
        double v1 = 0.5 * (x1 + x2 - sbx_betaq(u, gap, x1) * gap);
        double v2 = 0.5 * (x1 + x2 + sbx_betaq(u, gap, 1.0 - x2) * gap);
        if (swap) {
            x.g[i] = to_gene(s, v2);
            y.g[i] = to_gene(s, v1);
        } else {
            x.g[i] = to_gene(s, v1);
            y.g[i] = to_gene(s, v2);
        }
    }
    *c1 = x;
    *c2 = y;
}

static int gr_valid(const space *s, const hw_genome *g) {
    (void)s;
    (void)g;
    return 1; /* range checks are done by space_valid */
}

static int gr_to_string(const space *s, const hw_genome *g, char *buf, size_t n) {
    size_t k = 0;
    for (int i = 0; i < s->ngenes; i++) {
        int w = snprintf(buf + k, k < n ? n - k : 0, "%s%d", i ? "," : "", g->g[i]);
        k += (size_t)w;
    }
    return k < n ? 0 : -1;
}

static int gr_from_string(const space *s, const char *str, hw_genome *out) {
    const char *p = str;
    for (int i = 0; i < s->ngenes; i++) {
        if (i > 0) {
            if (*p != ',') goto bad;
            p++;
        }
        if (*p < '0' || *p > '9') goto bad;
        long v = 0;
        while (*p >= '0' && *p <= '9' && v < 100000) v = v * 10 + (*p++ - '0');
        if (v >= levels_of(s)) goto bad;
        out->g[i] = (int16_t)v;
    }
    if (*p) goto bad;
    return 0;
bad:
    return hw_fail("'%s' is not a grid genome (expected %d comma-separated integers in 0..%d)", str, s->ngenes,
                   levels_of(s) - 1);
}

static void gr_features(const space *s, const hw_genome *g, float *out) {
    for (int i = 0; i < s->ngenes; i++) out[i] = (float)to_x(s, g->g[i]);
}

static const char *gr_feature_name(const space *s, int j) { return ((const grid_impl *)s->impl)->names[j]; }

static void gr_destroy(space *s) {
    grid_impl *im = s->impl;
    if (im) free(im->names);
    free(im);
}

static const space_vt grid_vt = {
    .name = "grid",
    .sample = gr_sample,
    .mutate = gr_mutate,
    .crossover = gr_crossover,
    .valid = gr_valid,
    .to_string = gr_to_string,
    .from_string = gr_from_string,
    .features = gr_features,
    .feature_name = gr_feature_name,
    .index = NULL,
    .from_index = NULL,
    .destroy = gr_destroy,
};

int space_create_grid(int nvars, int levels, space **out) {
    if (nvars < 1 || nvars > HW_MAX_GENES) return hw_fail("grid space: nvars %d out of range 1..%d", nvars, HW_MAX_GENES);
    if (levels < 2 || levels > 32767) return hw_fail("grid space: levels %d out of range 2..32767", levels);
    space *s = space_alloc(&grid_vt);
    grid_impl *im = hw_calloc(1, sizeof *im);
    im->levels = levels;
    im->inv = 1.0 / (double)(levels - 1);
    im->names = hw_calloc((size_t)nvars, sizeof *im->names);
    for (int i = 0; i < nvars; i++) snprintf(im->names[i], sizeof im->names[i], "x%d", i);
    s->impl = im;
    s->ngenes = nvars;
    for (int i = 0; i < nvars; i++) s->card[i] = levels;
    s->nfeatures = nvars;
    s->size = 1;
    for (int i = 0; i < nvars && s->size > 0; i++)
        s->size = s->size > INT64_MAX / levels ? -1 : s->size * levels;
    *out = s;
    return 0;
}

int space_grid_decode(const space *s, const hw_genome *g, double *x) {
    if (s->vt != &grid_vt) return hw_fail("space '%s' is not a grid space", s->vt->name);
    for (int i = 0; i < s->ngenes; i++) x[i] = to_x(s, g->g[i]);
    return 0;
}
