/* nsga_sort: fast non-dominated sorting with Deb's constrained domination.
 *
 * Feasible points (cv == 0, no NaN objective) are ranked by Pareto
 * dominance; infeasible points follow, one front per distinct cv value in
 * increasing order (a smaller violation dominates a larger one, equal
 * violations are mutually non-dominated). A NaN cv or a NaN objective counts
 * as cv = +INF.
 *
 * Feasible part:
 *   m = 1  sort, dense rank of the value.
 *   m = 2  sort lexicographically, then sweep: each point goes to the first
 *          front whose last member (its "tail") does not dominate it; tails
 *          are ordered so a binary search finds that front. O(n log n).
 *   m >= 3 the generalised Jensen divide and conquer of Fortin, Grenier and
 *          Parizeau (GECCO 2013) with Buzdalov's tie handling: duplicates
 *          are merged first (they share a rank), points are renamed
 *          0..u-1 in lexicographic order so every subset is a sorted int
 *          array, and sweeps on the last two objectives use a Fenwick tree
 *          of prefix maxima. O(n log^(m-1) n). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hw_err.h"
#include "nsga.h"
#include "nsga_util.h"

/* ---- small sorts ---------------------------------------------------------- */

typedef struct dpair {
    double v;
    int i;
} dpair;
#define DPAIR_LESS(ctx, x, y) ((x).v < (y).v || ((x).v == (y).v && (x).i < (y).i))
HW_DEFINE_MSORT(sort_dpair, dpair, DPAIR_LESS)

typedef struct d2pt {
    double a, b;
    int i;
} d2pt;
#define D2PT_LESS(ctx, x, y) \
    ((x).a < (y).a || ((x).a == (y).a && ((x).b < (y).b || ((x).b == (y).b && (x).i < (y).i))))
HW_DEFINE_MSORT(sort_d2pt, d2pt, D2PT_LESS)

/* lexicographic order of rows of an n x m array, index as tie-break */
typedef struct lexctx {
    const double *obj;
    int m;
} lexctx;
static inline int lex_less(const void *ctx, int x, int y) {
    const lexctx *c = ctx;
    const double *a = c->obj + (size_t)x * c->m, *b = c->obj + (size_t)y * c->m;
    for (int j = 0; j < c->m; j++) {
        if (a[j] < b[j]) return 1;
        if (a[j] > b[j]) return 0;
    }
    return x < y;
}
#define LEX_LESS(ctx, x, y) lex_less(ctx, x, y)
HW_DEFINE_MSORT(sort_lex, int, LEX_LESS)

/* ---- m = 1 and m = 2 ------------------------------------------------------ */

/* Dense ranks of values v[0..n) (ascending) into rank[idx[t]]; returns count. */
static int dense_rank(hw_ws *w, dpair *p, int n, const int *idx, int *out_rank, int base) {
    if (n == 0) return 0;
    dpair *tmp = hw_ws_get(w, WS_DPTMP, ((size_t)n / 2 + 1) * sizeof *tmp);
    sort_dpair(p, tmp, (size_t)n, NULL);
    int r = 0;
    for (int t = 0; t < n; t++) {
        if (t > 0 && p[t].v != p[t - 1].v) r++;
        out_rank[idx[p[t].i]] = base + r;
    }
    return r + 1;
}

/* Sorts the feasible points idx[0..n) with 2 objectives; returns #fronts. */
static int sort2(hw_ws *w, const double *obj, const int *idx, int n, int *out_rank) {
    /* lexicographic (f0, f1, index) order: stable radix sort on f0, then
     * each run of equal f0 sorted by (f1, index) */
    hw_kv *kv = hw_ws_get(w, WS_KV, (size_t)n * sizeof *kv), *kt = hw_ws_get(w, WS_KT, (size_t)n * sizeof *kt);
    for (int t = 0; t < n; t++) {
        kv[t].k = hw_dkey(obj[(size_t)idx[t] * 2]);
        kv[t].v = idx[t];
    }
    hw_radix_kv(kv, kt, (size_t)n);
    d2pt *p = hw_ws_get(w, WS_P2, (size_t)n * sizeof *p);
    d2pt *tmp = hw_ws_get(w, WS_P2TMP, ((size_t)n / 2 + 1) * sizeof *tmp);
    for (int t = 0; t < n; t++) {
        p[t].a = obj[(size_t)kv[t].v * 2];
        p[t].b = obj[(size_t)kv[t].v * 2 + 1];
        p[t].i = kv[t].v;
    }
    for (int t = 0; t < n;) {
        int u = t + 1;
        while (u < n && kv[u].k == kv[t].k) u++;
        if (u - t > 1) sort_d2pt(p + t, tmp, (size_t)(u - t), NULL);
        t = u;
    }
    /* tails: key (f1, f0) of each front's last member, non-decreasing in k */
    double *t1 = hw_ws_get(w, WS_T1, (size_t)n * sizeof *t1), *t0 = hw_ws_get(w, WS_T0, (size_t)n * sizeof *t0);
    int nf = 0;
    for (int t = 0; t < n; t++) {
        double q0 = p[t].a, q1 = p[t].b;
        int lo = 0, hi = nf; /* first k with (t1, t0)[k] >= (q1, q0) */
        while (lo < hi) {
            int mid = (lo + hi) >> 1;
            if (t1[mid] < q1 || (t1[mid] == q1 && t0[mid] < q0))
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == nf) nf++;
        t1[lo] = q1;
        t0[lo] = q0;
        out_rank[p[t].i] = lo;
    }
    return nf;
}

/* ---- m >= 3: divide and conquer ------------------------------------------ */

typedef struct dc {
    const double *P; /* u x m unique points in lexicographic order */
    int m;
    int *r;          /* [u] rank of each unique point */
    int *ibuf;       /* [u] scratch for partition / merge */
    double *dbuf;    /* [u] scratch for median selection / sweeps */
    dpair *pbuf;     /* [u] scratch pairs for coordinate compression */
    dpair *ptmp;     /* [u/2+1] merge-sort scratch */
    int *fen;        /* [u+1] Fenwick tree of prefix maxima */
    int *coord;      /* [u] compressed coordinate of each unique point */
} dc;

#define DC_SMALL_A 24
#define DC_SMALL_B 512

static inline double F(const dc *d, int p, int k) { return d->P[(size_t)p * d->m + k]; }

/* 1 if p is weakly below q on objectives 0..k. */
static inline int leq_upto(const dc *d, int p, int q, int k) {
    const double *a = d->P + (size_t)p * d->m, *b = d->P + (size_t)q * d->m;
    for (int j = 0; j <= k; j++)
        if (a[j] > b[j]) return 0;
    return 1;
}

/* k-th smallest of a[0..n) (Wirth's selection; reorders a). */
static double select_kth(double *a, int n, int k) {
    int l = 0, r = n - 1;
    while (l < r) {
        double x = a[k];
        int i = l, j = r;
        do {
            while (a[i] < x) i++;
            while (x < a[j]) j--;
            if (i <= j) {
                double t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                j--;
            }
        } while (i <= j);
        if (j < k) l = i;
        if (k < i) r = j;
    }
    return a[k];
}

/* Stable partition of S[0..n) into (pred true | pred false) using ibuf;
 * pred: side1 = f_k < p, or f_k <= p when ties1. Returns the first size. */
static int partition_k(dc *d, int *S, int n, int k, double p, int ties1) {
    int n1 = 0, n2 = 0;
    for (int t = 0; t < n; t++) {
        double v = F(d, S[t], k);
        int one = ties1 ? (v <= p) : (v < p);
        if (one)
            S[n1++] = S[t];
        else
            d->ibuf[n2++] = S[t];
    }
    memcpy(S + n1, d->ibuf, (size_t)n2 * sizeof *S);
    return n1;
}

/* Restores ascending order of S = [S[0..n1) | S[n1..n)], both sorted. */
static void merge_back(dc *d, int *S, int n1, int n) {
    if (n1 == 0 || n1 == n || S[n1 - 1] < S[n1]) return;
    memcpy(d->ibuf, S, (size_t)n1 * sizeof *S);
    int i = 0, j = n1, k = 0;
    while (i < n1 && j < n) S[k++] = (S[j] < d->ibuf[i]) ? S[j++] : d->ibuf[i++];
    while (i < n1) S[k++] = d->ibuf[i++];
}

static inline void fen_reset(dc *d, int nc) { memset(d->fen, 0, (size_t)(nc + 1) * sizeof *d->fen); }
static inline void fen_update(dc *d, int nc, int pos, int v) { /* pos 1-based */
    for (; pos <= nc; pos += pos & -pos)
        if (d->fen[pos] < v) d->fen[pos] = v;
}
static inline int fen_query(const dc *d, int pos) {
    int v = 0;
    for (; pos > 0; pos -= pos & -pos)
        if (d->fen[pos] > v) v = d->fen[pos];
    return v;
}

/* Sorted distinct values of objective 1 over S into dbuf; returns count. */
static int compress1(dc *d, const int *S, int n) {
    for (int t = 0; t < n; t++) {
        d->pbuf[t].v = F(d, S[t], 1);
        d->pbuf[t].i = t;
    }
    sort_dpair(d->pbuf, d->ptmp, (size_t)n, NULL);
    int nc = 0;
    for (int t = 0; t < n; t++) {
        if (t == 0 || d->pbuf[t].v != d->pbuf[t - 1].v) d->dbuf[nc++] = d->pbuf[t].v;
        d->coord[d->pbuf[t].i] = nc; /* 1-based, indexed by position in S */
    }
    return nc;
}

/* Objectives 0 and 1 only (all others equal within S). */
static void sweep_a(dc *d, const int *S, int n) {
    int nc = compress1(d, S, n);
    fen_reset(d, nc);
    for (int t = 0; t < n; t++) {
        int p = S[t];
        int q = fen_query(d, d->coord[t]);
        if (d->r[p] < q) d->r[p] = q;
        fen_update(d, nc, d->coord[t], d->r[p] + 1);
    }
}

/* L dominates into H on objectives 0 and 1 (strictness comes from above). */
static void sweep_b(dc *d, const int *L, int nl, const int *H, int nh) {
    int nc = compress1(d, L, nl);
    fen_reset(d, nc);
    int i = 0;
    for (int t = 0; t < nh; t++) {
        int h = H[t];
        double h0 = F(d, h, 0), h1 = F(d, h, 1);
        while (i < nl && F(d, L[i], 0) <= h0) {
            fen_update(d, nc, d->coord[i], d->r[L[i]] + 1);
            i++;
        }
        /* number of distinct L values <= h1 */
        int lo = 0, hi = nc;
        while (lo < hi) {
            int mid = (lo + hi) >> 1;
            if (d->dbuf[mid] <= h1)
                lo = mid + 1;
            else
                hi = mid;
        }
        int q = fen_query(d, lo);
        if (d->r[h] < q) d->r[h] = q;
    }
}

static void helper_b(dc *d, int *L, int nl, int *H, int nh, int k);

/* Ranks within S (sorted ids; all points of S equal on objectives > k). */
static void helper_a(dc *d, int *S, int n, int k) {
    if (n < 2) return;
    if (n <= DC_SMALL_A) {
        for (int j = 1; j < n; j++)
            for (int i = 0; i < j; i++)
                if (d->r[S[i]] + 1 > d->r[S[j]] && leq_upto(d, S[i], S[j], k)) d->r[S[j]] = d->r[S[i]] + 1;
        return;
    }
    if (k == 1) {
        sweep_a(d, S, n);
        return;
    }
    double lo = F(d, S[0], k), hi = lo;
    for (int t = 1; t < n; t++) {
        double v = F(d, S[t], k);
        if (v < lo) lo = v;
        if (v > hi) hi = v;
    }
    if (lo == hi) {
        helper_a(d, S, n, k - 1);
        return;
    }
    for (int t = 0; t < n; t++) d->dbuf[t] = F(d, S[t], k);
    double p = select_kth(d->dbuf, n, n / 2);
    int nlt = 0, neq = 0;
    for (int t = 0; t < n; t++) {
        double v = F(d, S[t], k);
        nlt += v < p;
        neq += v == p;
    }
    int ngt = n - nlt - neq;
    int ties1; /* ties go to L (the low side)? */
    if (nlt == 0)
        ties1 = 1;
    else if (ngt == 0)
        ties1 = 0;
    else
        ties1 = abs(nlt + neq - ngt) <= abs(nlt - neq - ngt);
    int nl = partition_k(d, S, n, k, p, ties1);
    helper_a(d, S, nl, k);
    helper_b(d, S, nl, S + nl, n - nl, k - 1);
    helper_a(d, S + nl, n - nl, k);
    merge_back(d, S, nl, n);
}

/* Pushes ranks from L into H: every l is weakly below every h on objectives
 * > k and strictly below on one of them, so l dominates h iff l <= h on
 * objectives 0..k. L's ranks are final. Both sorted; order restored. */
static void helper_b(dc *d, int *L, int nl, int *H, int nh, int k) {
    if (nl == 0 || nh == 0) return;
    if (nl == 1 || nh == 1 || (long)nl * nh <= DC_SMALL_B) {
        for (int t = 0; t < nh; t++) {
            int h = H[t], best = d->r[h];
            for (int s = 0; s < nl; s++)
                if (d->r[L[s]] + 1 > best && leq_upto(d, L[s], h, k)) best = d->r[L[s]] + 1;
            d->r[h] = best;
        }
        return;
    }
    if (k == 1) {
        sweep_b(d, L, nl, H, nh);
        return;
    }
    double lmin = F(d, L[0], k), lmax = lmin, hmin = F(d, H[0], k), hmax = hmin;
    for (int t = 1; t < nl; t++) {
        double v = F(d, L[t], k);
        if (v < lmin) lmin = v;
        if (v > lmax) lmax = v;
    }
    for (int t = 1; t < nh; t++) {
        double v = F(d, H[t], k);
        if (v < hmin) hmin = v;
        if (v > hmax) hmax = v;
    }
    if (lmax <= hmin) {
        helper_b(d, L, nl, H, nh, k - 1);
        return;
    }
    if (lmin > hmax) return;
    int n = nl + nh;
    for (int t = 0; t < nl; t++) d->dbuf[t] = F(d, L[t], k);
    for (int t = 0; t < nh; t++) d->dbuf[nl + t] = F(d, H[t], k);
    double p = select_kth(d->dbuf, n, n / 2);
    int nlt = 0, neq = 0;
    for (int t = 0; t < n; t++) {
        double v = t < nl ? F(d, L[t], k) : F(d, H[t - nl], k);
        nlt += v < p;
        neq += v == p;
    }
    int ngt = n - nlt - neq, ties1;
    if (nlt == 0)
        ties1 = 1;
    else if (ngt == 0)
        ties1 = 0;
    else
        ties1 = abs(nlt + neq - ngt) <= abs(nlt - neq - ngt);
    int nl1 = partition_k(d, L, nl, k, p, ties1);
    int nh1 = partition_k(d, H, nh, k, p, ties1);
    helper_b(d, L, nl1, H, nh1, k);
    helper_b(d, L, nl1, H + nh1, nh - nh1, k - 1);
    helper_b(d, L + nl1, nl - nl1, H + nh1, nh - nh1, k);
    merge_back(d, L, nl1, nl);
    merge_back(d, H, nh1, nh);
}

/* Sorts feasible idx[0..n) with m >= 3 objectives; returns #fronts. */
static int sort_dc(const double *obj, const int *idx, int n, int m, int *out_rank) {
    int *ord = hw_malloc((size_t)n * sizeof *ord), *otmp = hw_malloc(((size_t)n / 2 + 1) * sizeof *otmp);
    for (int t = 0; t < n; t++) ord[t] = idx[t];
    lexctx lc = {obj, m};
    sort_lex(ord, otmp, (size_t)n, &lc);
    free(otmp);
    /* merge duplicates: uid[t] = unique id of ord[t] */
    double *P = hw_malloc((size_t)n * m * sizeof *P);
    int *uid = hw_malloc((size_t)n * sizeof *uid);
    int u = 0;
    for (int t = 0; t < n; t++) {
        const double *x = obj + (size_t)ord[t] * m;
        if (u == 0 || memcmp(P + (size_t)(u - 1) * m, x, (size_t)m * sizeof *x) != 0) {
            int same = 0;
            if (u > 0) { /* memcmp differs on -0.0 vs 0.0: compare by value */
                same = 1;
                for (int j = 0; j < m; j++)
                    if (P[(size_t)(u - 1) * m + j] != x[j]) same = 0;
            }
            if (!same) {
                memcpy(P + (size_t)u * m, x, (size_t)m * sizeof *x);
                u++;
            }
        }
        uid[t] = u - 1;
    }
    dc d = {0};
    d.P = P;
    d.m = m;
    d.r = hw_calloc((size_t)u, sizeof *d.r);
    d.ibuf = hw_malloc((size_t)u * sizeof *d.ibuf);
    d.dbuf = hw_malloc((size_t)u * sizeof *d.dbuf);
    d.pbuf = hw_malloc((size_t)u * sizeof *d.pbuf);
    d.ptmp = hw_malloc(((size_t)u / 2 + 1) * sizeof *d.ptmp);
    d.fen = hw_malloc(((size_t)u + 1) * sizeof *d.fen);
    d.coord = hw_malloc((size_t)u * sizeof *d.coord);
    int *S = hw_malloc((size_t)u * sizeof *S);
    for (int t = 0; t < u; t++) S[t] = t;
    helper_a(&d, S, u, m - 1);
    int nf = 0;
    for (int t = 0; t < n; t++) {
        int r = d.r[uid[t]];
        out_rank[ord[t]] = r;
        if (r + 1 > nf) nf = r + 1;
    }
    free(S);
    free(d.r);
    free(d.ibuf);
    free(d.dbuf);
    free(d.pbuf);
    free(d.ptmp);
    free(d.fen);
    free(d.coord);
    free(P);
    free(uid);
    free(ord);
    return nf;
}

/* ---- entry point ---------------------------------------------------------- */

int nd_sort(const double *obj, const double *cv, int n, int m, int *out_rank) {
    hw_ws w = {0};
    int nf = nd_sort_ws(&w, obj, cv, n, m, out_rank);
    hw_ws_free(&w);
    return nf;
}

int nd_sort_ws(hw_ws *w, const double *obj, const double *cv, int n, int m, int *out_rank) {
    HW_ASSERT(n >= 0 && m >= 1);
    if (n == 0) return 0;
    int *feas = hw_ws_get(w, WS_FEAS, (size_t)n * sizeof *feas);
    int *inf = hw_ws_get(w, WS_INF, (size_t)n * sizeof *inf);
    int nfeas = 0, ninf = 0;
    for (int i = 0; i < n; i++) {
        int bad = cv && !(cv[i] <= 0);
        for (int j = 0; j < m && !bad; j++)
            if (isnan(obj[(size_t)i * m + j])) bad = 1;
        if (bad)
            inf[ninf++] = i;
        else
            feas[nfeas++] = i;
    }
    int nf = 0;
    if (nfeas > 0) {
        if (m == 1) {
            dpair *p = hw_ws_get(w, WS_DP, (size_t)nfeas * sizeof *p);
            for (int t = 0; t < nfeas; t++) {
                p[t].v = obj[feas[t]];
                p[t].i = t;
            }
            nf = dense_rank(w, p, nfeas, feas, out_rank, 0);
        } else if (m == 2) {
            nf = sort2(w, obj, feas, nfeas, out_rank);
        } else {
            nf = sort_dc(obj, feas, nfeas, m, out_rank);
        }
    }
    if (ninf > 0) {
        dpair *p = hw_ws_get(w, WS_DP, (size_t)ninf * sizeof *p);
        for (int t = 0; t < ninf; t++) {
            double c = cv ? cv[inf[t]] : 0.0;
            int nanobj = 0;
            for (int j = 0; j < m; j++)
                if (isnan(obj[(size_t)inf[t] * m + j])) nanobj = 1;
            if (isnan(c) || nanobj) c = INFINITY;
            p[t].v = c;
            p[t].i = t;
        }
        nf += dense_rank(w, p, ninf, inf, out_rank, nf);
    }
    return nf;
}

/* Constrained domination (see nsga.h). */
int nsga_dominates(const double *a, double cva, const double *b, double cvb, int m) {
    for (int j = 0; j < m; j++) {
        if (isnan(a[j])) cva = INFINITY;
        if (isnan(b[j])) cvb = INFINITY;
    }
    if (isnan(cva)) cva = INFINITY;
    if (isnan(cvb)) cvb = INFINITY;
    int fa = cva <= 0, fb = cvb <= 0;
    if (fa != fb) return fa;
    if (!fa) return cva < cvb;
    int strict = 0;
    for (int j = 0; j < m; j++) {
        if (a[j] > b[j]) return 0;
        if (a[j] < b[j]) strict = 1;
    }
    return strict;
}
