/* pareto_archive: the unbounded external archive of mutually non-dominated
 * points (see nsga.h).
 *
 * Storage: entries i = 0..size-1 hold the objectives (obj, size x m,
 * contiguous so hv_exact can read them directly) and a slot number; the
 * slot owns the id and the genome (128 bytes), so moving entries moves 8m+4
 * bytes, never genomes. Ids of archived points live in a hash set.
 *
 * m = 2: entries are kept sorted by (f0, f1), i.e. a staircase with f1
 *   non-increasing. An insert binary-searches its place; it is dominated iff
 *   its predecessor is; the points it dominates are the run of successors
 *   with f1 >= its f1. pareto_archive_insert_batch merges a sorted batch in
 *   one linear pass, for large fronts.
 * m != 2: entries in insertion order; an insert scans them all (O(n m)). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hw_err.h"
#include "nsga.h"
#include "nsga_util.h"

struct pareto_archive {
    int m;
    int n, cap;        /* entries */
    double *obj;       /* [cap x m] objectives of entry i */
    int *slot;         /* [cap] slot of entry i */
    int nslot, slotcap;
    uint64_t *sid;     /* [slotcap] id per slot */
    hw_genome *sgen;   /* [slotcap] genome per slot */
    int *freeslot;     /* [slotcap] stack of free slots */
    int nfree;
    u64set ids;        /* ids currently archived */
};

int pareto_archive_create(int m, pareto_archive **out) {
    if (m < 1) return hw_fail("pareto archive: %d objectives (need >= 1)", m);
    pareto_archive *a = hw_calloc(1, sizeof *a);
    a->m = m;
    *out = a;
    return 0;
}

void pareto_archive_free(pareto_archive *a) {
    if (!a) return;
    free(a->obj);
    free(a->slot);
    free(a->sid);
    free(a->sgen);
    free(a->freeslot);
    u64set_free(&a->ids);
    free(a);
}

static void reserve_entries(pareto_archive *a, int want) {
    if (want <= a->cap) return;
    int cap = a->cap ? a->cap : 16;
    while (cap < want) cap *= 2;
    a->obj = hw_realloc(a->obj, (size_t)cap * a->m * sizeof *a->obj);
    a->slot = hw_realloc(a->slot, (size_t)cap * sizeof *a->slot);
    a->cap = cap;
}

static int take_slot(pareto_archive *a, uint64_t id, const hw_genome *g) {
    int s;
    if (a->nfree > 0) {
        s = a->freeslot[--a->nfree];
    } else {
        if (a->nslot == a->slotcap) {
            int cap = a->slotcap ? a->slotcap * 2 : 16;
            a->sid = hw_realloc(a->sid, (size_t)cap * sizeof *a->sid);
            a->sgen = hw_realloc(a->sgen, (size_t)cap * sizeof *a->sgen);
            a->freeslot = hw_realloc(a->freeslot, (size_t)cap * sizeof *a->freeslot);
            a->slotcap = cap;
        }
        s = a->nslot++;
    }
    a->sid[s] = id;
    if (g)
        a->sgen[s] = *g;
    else
        memset(&a->sgen[s], 0, sizeof a->sgen[s]);
    u64set_add(&a->ids, id);
    return s;
}

static void drop_slot(pareto_archive *a, int s) {
    u64set_del(&a->ids, a->sid[s]);
    a->freeslot[a->nfree++] = s;
}

static int has_nan(const double *x, int m) {
    for (int j = 0; j < m; j++)
        if (isnan(x[j])) return 1;
    return 0;
}

/* 1 if x weakly dominates y and differs from it. */
static int dom(const double *x, const double *y, int m) {
    int strict = 0;
    for (int j = 0; j < m; j++) {
        if (x[j] > y[j]) return 0;
        if (x[j] < y[j]) strict = 1;
    }
    return strict;
}

static int insert2(pareto_archive *a, const double *p, uint64_t id, const hw_genome *g) {
    double p0 = p[0], p1 = p[1];
    int lo = 0, hi = a->n; /* first entry lexicographically > p */
    while (lo < hi) {
        int mid = (lo + hi) >> 1;
        const double *e = a->obj + 2 * (size_t)mid;
        if (e[0] < p0 || (e[0] == p0 && e[1] <= p1))
            lo = mid + 1;
        else
            hi = mid;
    }
    int pos = lo;
    if (pos > 0) {
        const double *q = a->obj + 2 * (size_t)(pos - 1);
        if (q[1] < p1 || (q[1] == p1 && q[0] < p0)) return 0;
    }
    int end = pos;
    while (end < a->n && a->obj[2 * (size_t)end + 1] >= p1) drop_slot(a, a->slot[end++]);
    int removed = end - pos;
    if (removed == 0) {
        reserve_entries(a, a->n + 1);
        memmove(a->obj + 2 * (size_t)(pos + 1), a->obj + 2 * (size_t)pos, 2 * (size_t)(a->n - pos) * sizeof *a->obj);
        memmove(a->slot + pos + 1, a->slot + pos, (size_t)(a->n - pos) * sizeof *a->slot);
        a->n++;
    } else if (removed > 1) {
        memmove(a->obj + 2 * (size_t)(pos + 1), a->obj + 2 * (size_t)end, 2 * (size_t)(a->n - end) * sizeof *a->obj);
        memmove(a->slot + pos + 1, a->slot + end, (size_t)(a->n - end) * sizeof *a->slot);
        a->n -= removed - 1;
    }
    a->obj[2 * (size_t)pos] = p0;
    a->obj[2 * (size_t)pos + 1] = p1;
    a->slot[pos] = take_slot(a, id, g);
    return 1;
}

static int insert_m(pareto_archive *a, const double *p, uint64_t id, const hw_genome *g) {
    int m = a->m;
    for (int i = 0; i < a->n; i++)
        if (dom(a->obj + (size_t)i * m, p, m)) return 0;
    int k = 0;
    for (int i = 0; i < a->n; i++) {
        if (dom(p, a->obj + (size_t)i * m, m)) {
            drop_slot(a, a->slot[i]);
            continue;
        }
        if (k != i) {
            memcpy(a->obj + (size_t)k * m, a->obj + (size_t)i * m, (size_t)m * sizeof *a->obj);
            a->slot[k] = a->slot[i];
        }
        k++;
    }
    a->n = k;
    reserve_entries(a, a->n + 1);
    memcpy(a->obj + (size_t)a->n * m, p, (size_t)m * sizeof *p);
    a->slot[a->n] = take_slot(a, id, g);
    a->n++;
    return 1;
}

int pareto_archive_insert(pareto_archive *a, const double *obj, uint64_t id, const hw_genome *g) {
    if (has_nan(obj, a->m) || u64set_has(&a->ids, id)) return 0;
    return a->m == 2 ? insert2(a, obj, id, g) : insert_m(a, obj, id, g);
}

/* ---- batch insert (2-D merge) ----------------------------------------------- */

typedef struct bpt {
    double a, b;
    int i; /* < 0: existing entry -1-i; >= 0: batch index */
} bpt;
/* (f0, f1), then existing entries before batch points, then index */
static inline int bpt_less(bpt x, bpt y) {
    if (x.a != y.a) return x.a < y.a;
    if (x.b != y.b) return x.b < y.b;
    if ((x.i < 0) != (y.i < 0)) return x.i < 0;
    return x.i < y.i;
}
#define BPT_LESS(ctx, x, y) bpt_less(x, y)
HW_DEFINE_MSORT(sort_bpt, bpt, BPT_LESS)

int pareto_archive_insert_batch(pareto_archive *a, const double *obj, const uint64_t *ids, const hw_genome *g,
                                int n, int *out_entered) {
    int entered = 0;
    if (a->m != 2 || n < 32) {
        unsigned char *fresh = hw_malloc((size_t)n + 1); /* id not archived before */
        for (int t = 0; t < n; t++) fresh[t] = !u64set_has(&a->ids, ids[t]);
        for (int t = 0; t < n; t++) pareto_archive_insert(a, obj + (size_t)t * a->m, ids[t], g ? &g[t] : NULL);
        u64set counted = {0};
        for (int t = 0; t < n; t++)
            if (fresh[t] && u64set_has(&a->ids, ids[t]) && u64set_add(&counted, ids[t])) entered++;
        u64set_free(&counted);
        free(fresh);
        if (out_entered) *out_entered = entered;
        return 0;
    }
    /* candidates: batch points with a new id (first occurrence) and no NaN */
    bpt *c = hw_malloc((size_t)n * sizeof *c);
    int nc = 0;
    u64set seen = {0};
    for (int t = 0; t < n; t++) {
        const double *p = obj + 2 * (size_t)t;
        if (has_nan(p, 2) || u64set_has(&a->ids, ids[t]) || !u64set_add(&seen, ids[t])) continue;
        c[nc].a = p[0];
        c[nc].b = p[1];
        c[nc].i = t;
        nc++;
    }
    u64set_free(&seen);
    bpt *tmp = hw_malloc(((size_t)nc / 2 + 1) * sizeof *tmp);
    sort_bpt(c, tmp, (size_t)nc, NULL);
    free(tmp);
    /* merge the sorted existing entries with the sorted candidates, keeping
     * only points not dominated by the last kept point */
    int tot = a->n + nc;
    double *nobj = hw_malloc(((size_t)tot + 1) * 2 * sizeof *nobj);
    int *nslot = hw_malloc(((size_t)tot + 1) * sizeof *nslot);
    int ne = 0, x = 0, y = 0;
    while (x < a->n || y < nc) {
        bpt cur;
        int from_existing;
        if (y >= nc) {
            from_existing = 1;
        } else if (x >= a->n) {
            from_existing = 0;
        } else {
            bpt ex = {a->obj[2 * (size_t)x], a->obj[2 * (size_t)x + 1], -1 - x};
            from_existing = !bpt_less(c[y], ex);
        }
        if (from_existing) {
            cur.a = a->obj[2 * (size_t)x];
            cur.b = a->obj[2 * (size_t)x + 1];
            cur.i = -1 - x;
            x++;
        } else {
            cur = c[y++];
        }
        int dominated = 0;
        if (ne > 0) {
            double l0 = nobj[2 * (size_t)(ne - 1)], l1 = nobj[2 * (size_t)(ne - 1) + 1];
            dominated = l1 < cur.b || (l1 == cur.b && l0 < cur.a);
        }
        if (dominated) {
            if (cur.i < 0) drop_slot(a, a->slot[-1 - cur.i]);
            continue;
        }
        nobj[2 * (size_t)ne] = cur.a;
        nobj[2 * (size_t)ne + 1] = cur.b;
        /* existing: its slot; batch point t: -2 - t until slots are taken */
        nslot[ne++] = cur.i < 0 ? a->slot[-1 - cur.i] : -2 - cur.i;
    }
    for (int e = 0; e < ne; e++)
        if (nslot[e] <= -2) {
            int t = -2 - nslot[e];
            nslot[e] = take_slot(a, ids[t], g ? &g[t] : NULL);
            entered++;
        }
    free(a->obj);
    free(a->slot);
    a->obj = nobj;
    a->slot = nslot;
    a->cap = tot + 1;
    a->n = ne;
    free(c);
    if (out_entered) *out_entered = entered;
    return 0;
}

int pareto_archive_size(const pareto_archive *a) { return a->n; }
int pareto_archive_nobj(const pareto_archive *a) { return a->m; }
const double *pareto_archive_obj(const pareto_archive *a, int i) {
    HW_ASSERT(i >= 0 && i < a->n);
    return a->obj + (size_t)i * a->m;
}
uint64_t pareto_archive_id(const pareto_archive *a, int i) {
    HW_ASSERT(i >= 0 && i < a->n);
    return a->sid[a->slot[i]];
}
const hw_genome *pareto_archive_genome(const pareto_archive *a, int i) {
    HW_ASSERT(i >= 0 && i < a->n);
    return &a->sgen[a->slot[i]];
}

int pareto_archive_hv(const pareto_archive *a, const double *ref, double *out_hv) {
    return hv_exact(a->obj, a->n, a->m, ref, out_hv);
}

void pareto_archive_clear(pareto_archive *a) {
    a->n = 0;
    a->nslot = 0;
    a->nfree = 0;
    u64set_clear(&a->ids);
}
