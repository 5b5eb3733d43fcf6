/* hv: exact hypervolume (minimisation) for 1 to 8 objectives.
 *
 * Only points strictly better than the reference in every objective count
 * (NaN coordinates never do).
 *   m = 1  ref - min.
 *   m = 2  sort by (f0, f1), sweep keeping the lowest f1 seen: each new step
 *          adds (r0 - f0) * (prev_f1 - f1). O(n log n).
 *   m = 3  Beume et al.'s sweep along f2: the points seen so far form a 2-D
 *          staircase in (f0, f1) whose area is kept incrementally; between
 *          two consecutive f2 levels the volume grows by area * dz. The
 *          staircase is a presence set over the points' (f0, f1)-sorted
 *          positions with a Fenwick tree giving predecessor / successor in
 *          O(log n), so the whole sweep is O(n log n).
 *   m >= 4 slicing along the last objective (HSO, While et al., IEEE TEC
 *          2006): with the points sorted by f_{m-1}, the volume is the sum
 *          over i of HV_{m-1}(first i points projected) * (z_{i+1} - z_i),
 *          recursing down to the m = 3 sweep. O(n^{m-2} log n): 3 ms for
 *          200 points in 4 objectives, 0.7 s for 200 in 5, 1.7 s for 100
 *          in 6 (2-core machine at load 18); more objectives are for
 *          small fronts only. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hw_err.h"
#include "nsga.h"
#include "nsga_util.h"

typedef struct hpt {
    double a, b;
    int i;
} hpt;
#define HPT_LESS(ctx, x, y) \
    ((x).a < (y).a || ((x).a == (y).a && ((x).b < (y).b || ((x).b == (y).b && (x).i < (y).i))))
HW_DEFINE_MSORT(sort_hpt, hpt, HPT_LESS)

static double hv2(hpt *p, int n, const double *ref) {
    hpt *tmp = hw_malloc(((size_t)n / 2 + 1) * sizeof *tmp);
    sort_hpt(p, tmp, (size_t)n, NULL);
    free(tmp);
    double v = 0.0, cur = ref[1];
    for (int t = 0; t < n; t++)
        if (p[t].b < cur) {
            v += (ref[0] - p[t].a) * (cur - p[t].b);
            cur = p[t].b;
        }
    return v;
}

/* Fenwick tree of counts over positions 1..n. */
typedef struct fen {
    int *t;
    int n, logn;
} fen;
static void fen_add(fen *f, int pos, int d) {
    for (; pos <= f->n; pos += pos & -pos) f->t[pos] += d;
}
static int fen_sum(const fen *f, int pos) {
    int s = 0;
    for (; pos > 0; pos -= pos & -pos) s += f->t[pos];
    return s;
}
/* Smallest position whose prefix count is >= k (k >= 1), or n+1. */
static int fen_kth(const fen *f, int k) {
    int pos = 0;
    for (int step = 1 << f->logn; step; step >>= 1)
        if (pos + step <= f->n && f->t[pos + step] < k) {
            pos += step;
            k -= f->t[pos];
        }
    return pos + 1;
}

static double hv3(const double *pts, const int *keep, int n, const double *ref) {
    /* positions: rank of each point in (f0, f1, index) order, 1-based */
    hpt *p = hw_malloc((size_t)n * sizeof *p);
    hpt *tmp = hw_malloc(((size_t)n / 2 + 1) * sizeof *tmp);
    for (int t = 0; t < n; t++) {
        p[t].a = pts[(size_t)keep[t] * 3];
        p[t].b = pts[(size_t)keep[t] * 3 + 1];
        p[t].i = t;
    }
    sort_hpt(p, tmp, (size_t)n, NULL);
    int *pos = hw_malloc((size_t)n * sizeof *pos);   /* [n] point -> position */
    hpt *at = hw_malloc(((size_t)n + 2) * sizeof *at); /* [n+2] position -> (f0, f1) */
    for (int t = 0; t < n; t++) {
        pos[p[t].i] = t + 1;
        at[t + 1] = p[t];
    }
    /* sweep order: by f2 (reuse p as (f2, 0, t)) */
    for (int t = 0; t < n; t++) {
        p[t].a = pts[(size_t)keep[t] * 3 + 2];
        p[t].b = 0;
        p[t].i = t;
    }
    sort_hpt(p, tmp, (size_t)n, NULL);
    fen f = {hw_calloc((size_t)n + 1, sizeof(int)), n, 0};
    while ((1 << (f.logn + 1)) <= n) f.logn++;
    double area = 0.0, vol = 0.0;
    int count = 0;
    for (int t = 0; t < n; t++) {
        int q = pos[p[t].i];
        double x = at[q].a, y = at[q].b;
        int before = fen_sum(&f, q - 1);
        double top = ref[1];
        if (before > 0) {
            int pr = fen_kth(&f, before);
            if (at[pr].b <= y) goto next; /* weakly dominated in (f0, f1) */
            top = at[pr].b;
        }
        /* remove successors dominated by the new point, adding the area */
        double curx = x, curh = top, add = 0.0;
        for (;;) {
            int sc = before < count ? fen_kth(&f, before + 1) : n + 1;
            if (sc > n || at[sc].b < y) {
                double end = sc > n ? ref[0] : at[sc].a;
                add += (end - curx) * (curh - y);
                break;
            }
            add += (at[sc].a - curx) * (curh - y);
            curx = at[sc].a;
            curh = at[sc].b;
            fen_add(&f, sc, -1);
            count--;
        }
        fen_add(&f, q, 1);
        count++;
        area += add;
    next:
        if (t + 1 < n)
            vol += area * (p[t + 1].a - p[t].a);
        else
            vol += area * (ref[2] - p[t].a);
    }
    free(f.t);
    free(p);
    free(tmp);
    free(pos);
    free(at);
    return vol;
}

typedef struct zpt {
    double z;
    int i;
} zpt;
#define ZPT_LESS(ctx, x, y) ((x).z < (y).z || ((x).z == (y).z && (x).i < (y).i))
HW_DEFINE_MSORT(sort_zpt, zpt, ZPT_LESS)

/* Volume of n points (n x m, m >= 3, every one strictly inside ref) by
 * slicing along the last objective down to the m = 3 sweep. */
static double hv_slice(const double *pts, int n, int m, const double *ref) {
    int *idx = hw_malloc(((size_t)n + 1) * sizeof *idx);
    if (m == 3) {
        for (int t = 0; t < n; t++) idx[t] = t;
        double v = hv3(pts, idx, n, ref);
        free(idx);
        return v;
    }
    zpt *z = hw_malloc(((size_t)n + 1) * sizeof *z), *tmp = hw_malloc(((size_t)n + 1) * sizeof *tmp);
    for (int t = 0; t < n; t++) z[t].z = pts[(size_t)t * m + m - 1], z[t].i = t;
    sort_zpt(z, tmp, (size_t)n, NULL);
    double *proj = hw_malloc(((size_t)n + 1) * (size_t)(m - 1) * sizeof *proj);
    double vol = 0;
    for (int t = 0; t < n; t++) {
        memcpy(proj + (size_t)t * (m - 1), pts + (size_t)z[t].i * m, (size_t)(m - 1) * sizeof *proj);
        double dz = (t + 1 < n ? z[t + 1].z : ref[m - 1]) - z[t].z;
        if (dz > 0) vol += hv_slice(proj, t + 1, m - 1, ref) * dz;
    }
    free(proj);
    free(tmp);
    free(z);
    free(idx);
    return vol;
}

int hv_exact(const double *pts, int n, int m, const double *ref, double *out_hv) {
    if (m < 1 || m > HV_MAX_OBJ)
        return hw_fail("hypervolume: exact computation supports 1 to %d objectives, not %d", HV_MAX_OBJ, m);
    for (int j = 0; j < m; j++)
        if (!isfinite(ref[j])) return hw_fail("hypervolume: reference point coordinate %d is not finite", j);
    *out_hv = 0.0;
    int *keep = hw_malloc(((size_t)n + 1) * sizeof *keep);
    int nk = 0;
    for (int i = 0; i < n; i++) {
        int ok = 1;
        for (int j = 0; j < m; j++)
            if (!(pts[(size_t)i * m + j] < ref[j])) ok = 0;
        if (ok) keep[nk++] = i;
    }
    if (nk == 0) {
        free(keep);
        return 0;
    }
    if (m == 1) {
        double lo = ref[0];
        for (int t = 0; t < nk; t++)
            if (pts[keep[t]] < lo) lo = pts[keep[t]];
        *out_hv = ref[0] - lo;
    } else if (m == 2) {
        hpt *p = hw_malloc((size_t)nk * sizeof *p);
        for (int t = 0; t < nk; t++) {
            p[t].a = pts[(size_t)keep[t] * 2];
            p[t].b = pts[(size_t)keep[t] * 2 + 1];
            p[t].i = t;
        }
        *out_hv = hv2(p, nk, ref);
        free(p);
    } else if (m == 3) {
        *out_hv = hv3(pts, keep, nk, ref);
    } else {
        double *in = hw_malloc((size_t)nk * (size_t)m * sizeof *in);
        for (int t = 0; t < nk; t++) memcpy(in + (size_t)t * m, pts + (size_t)keep[t] * m, (size_t)m * sizeof *in);
        *out_hv = hv_slice(in, nk, m, ref);
        free(in);
    }
    free(keep);
    return 0;
}
