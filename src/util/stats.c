/* stats: rank correlations, relative errors and order statistics.
 * See stats.h for the contracts. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hw_err.h"

typedef struct {
    double v;
    int i;
} val_idx;

static int cmp_val_idx(const void *a, const void *b) {
    const val_idx *p = a, *q = b;
    if (p->v < q->v) return -1;
    if (p->v > q->v) return 1;
    return (p->i > q->i) - (p->i < q->i);
}

static int cmp_double(const void *a, const void *b) {
    double p = *(const double *)a, q = *(const double *)b;
    return (p > q) - (p < q);
}

void stats_ranks(const double *x, int n, double *out) {
    if (n <= 0) return;
    val_idx *t = hw_malloc((size_t)n * sizeof *t); /* (n) value, original index */
    for (int i = 0; i < n; i++) t[i] = (val_idx){x[i], i};
    qsort(t, (size_t)n, sizeof *t, cmp_val_idx);
    int i = 0;
    while (i < n) {
        int j = i + 1;
        while (j < n && t[j].v == t[i].v) j++;
        double r = 0.5 * ((double)(i + 1) + (double)j); /* mean of ranks i+1..j */
        for (int k = i; k < j; k++) out[t[k].i] = r;
        i = j;
    }
    free(t);
}

double stats_pearson(const double *x, const double *y, int n) {
    if (n < 2) return NAN;
    double mx = stats_mean(x, n), my = stats_mean(y, n);
    double sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < n; i++) {
        double dx = x[i] - mx, dy = y[i] - my;
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if (sxx <= 0 || syy <= 0) return NAN;
    double r = sxy / sqrt(sxx * syy);
    if (r > 1) r = 1;
    if (r < -1) r = -1;
    return r;
}

double stats_spearman(const double *x, const double *y, int n) {
    if (n < 2) return NAN;
    double *rx = hw_malloc((size_t)n * sizeof *rx); /* (n) ranks of x */
    double *ry = hw_malloc((size_t)n * sizeof *ry); /* (n) ranks of y */
    stats_ranks(x, n, rx);
    stats_ranks(y, n, ry);
    double r = stats_pearson(rx, ry, n);
    free(rx);
    free(ry);
    return r;
}

typedef struct {
    double x, y;
} xy_pair;

static int cmp_xy(const void *a, const void *b) {
    const xy_pair *p = a, *q = b;
    if (p->x != q->x) return (p->x > q->x) - (p->x < q->x);
    return (p->y > q->y) - (p->y < q->y);
}

/* Sorts a[0..n) by y (stable merge sort via tmp) and returns the number of
 * strictly discordant exchanges (pairs i<j with a[i].y > a[j].y). */
static double merge_count(xy_pair *a, xy_pair *tmp, int n) {
    if (n < 2) return 0;
    int h = n / 2;
    double s = merge_count(a, tmp, h) + merge_count(a + h, tmp, n - h);
    int i = 0, j = h, k = 0;
    while (i < h && j < n) {
        if (a[j].y < a[i].y) {
            s += h - i;
            tmp[k++] = a[j++];
        } else {
            tmp[k++] = a[i++];
        }
    }
    while (i < h) tmp[k++] = a[i++];
    while (j < n) tmp[k++] = a[j++];
    memcpy(a, tmp, (size_t)n * sizeof *a);
    return s;
}

/* Sum over tie groups of t(t-1)/2 in a sorted sequence (by the key). */
static double tie_pairs_x(const xy_pair *a, int n, int joint) {
    double s = 0;
    int i = 0;
    while (i < n) {
        int j = i + 1;
        while (j < n && a[j].x == a[i].x && (!joint || a[j].y == a[i].y)) j++;
        double t = j - i;
        s += t * (t - 1) / 2;
        i = j;
    }
    return s;
}

static double tie_pairs_y(const xy_pair *a, int n) {
    double s = 0;
    int i = 0;
    while (i < n) {
        int j = i + 1;
        while (j < n && a[j].y == a[i].y) j++;
        double t = j - i;
        s += t * (t - 1) / 2;
        i = j;
    }
    return s;
}

double stats_kendall(const double *x, const double *y, int n) {
    if (n < 2) return NAN;
    xy_pair *a = hw_malloc((size_t)n * sizeof *a);   /* (n) pairs sorted by (x, y) */
    xy_pair *tmp = hw_malloc((size_t)n * sizeof *a); /* (n) merge scratch */
    for (int i = 0; i < n; i++) a[i] = (xy_pair){x[i], y[i]};
    qsort(a, (size_t)n, sizeof *a, cmp_xy);
    double n0 = (double)n * (n - 1) / 2;
    double n1 = tie_pairs_x(a, n, 0); /* ties in x */
    double n3 = tie_pairs_x(a, n, 1); /* joint ties */
    double swaps = merge_count(a, tmp, n);
    double n2 = tie_pairs_y(a, n); /* a is now sorted by y */
    free(a);
    free(tmp);
    double den = (n0 - n1) * (n0 - n2);
    if (den <= 0) return NAN;
    double tau = (n0 - n1 - n2 + n3 - 2 * swaps) / sqrt(den);
    if (tau > 1) tau = 1;
    if (tau < -1) tau = -1;
    return tau;
}

double stats_mape(const double *pred, const double *truth, int n) {
    if (n < 1) return NAN;
    double s = 0;
    for (int i = 0; i < n; i++) {
        if (truth[i] == 0) return NAN;
        s += fabs(pred[i] - truth[i]) / fabs(truth[i]);
    }
    return 100.0 * s / n;
}

double stats_within(const double *pred, const double *truth, int n, double pct) {
    if (n < 1) return NAN;
    int k = 0;
    for (int i = 0; i < n; i++)
        if (fabs(pred[i] - truth[i]) <= pct / 100.0 * fabs(truth[i])) k++;
    return (double)k / n;
}

double stats_mean(const double *x, int n) {
    if (n < 1) return NAN;
    double s = 0;
    for (int i = 0; i < n; i++) s += x[i];
    return s / n;
}

double stats_std(const double *x, int n, int ddof) {
    if (n - ddof < 1) return NAN;
    double m = stats_mean(x, n), s = 0;
    for (int i = 0; i < n; i++) s += (x[i] - m) * (x[i] - m);
    return sqrt(s / (n - ddof));
}

double stats_min(const double *x, int n) {
    if (n < 1) return NAN;
    double m = x[0];
    for (int i = 1; i < n; i++)
        if (x[i] < m) m = x[i];
    return m;
}

double stats_max(const double *x, int n) {
    if (n < 1) return NAN;
    double m = x[0];
    for (int i = 1; i < n; i++)
        if (x[i] > m) m = x[i];
    return m;
}

double stats_percentile(const double *x, int n, double q) {
    if (n < 1 || !(q >= 0 && q <= 100)) return NAN;
    double *s = hw_malloc((size_t)n * sizeof *s); /* (n) sorted copy */
    memcpy(s, x, (size_t)n * sizeof *s);
    qsort(s, (size_t)n, sizeof *s, cmp_double);
    double pos = q / 100.0 * (n - 1);
    int lo = (int)floor(pos);
    if (lo >= n - 1) lo = n - 1;
    int hi = lo + 1 < n ? lo + 1 : lo;
    double f = pos - lo;
    double r = s[lo] + (s[hi] - s[lo]) * f;
    free(s);
    return r;
}

double stats_median(const double *x, int n) { return stats_percentile(x, n, 50); }
