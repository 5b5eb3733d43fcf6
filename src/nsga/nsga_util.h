/* nsga_util: internal helpers shared by the NSGA-II files (nsga_sort.c,
 * nsga_crowding.c, hv.c, pareto_archive.c, nsga.c). Not a public API.
 *
 *  - HW_DEFINE_MSORT: a type-specialised merge sort (inlined comparisons,
 *    several times faster than qsort on 1e5 elements). Keys are made total
 *    by the callers (index as the last tie-break), so the result does not
 *    depend on stability.
 *  - u64set: an open-addressing set of 64-bit keys (linear probing,
 *    backward-shift deletion, no tombstones). */
#ifndef HW_NSGA_UTIL_H
#define HW_NSGA_UTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "hw_err.h"

/* Defines `static void NAME(T *a, T *tmp, size_t n, const void *ctx)`
 * sorting a[0..n) ascending by LESS(ctx, x, y) (x, y are values of T);
 * tmp holds at least n/2 + 1 elements. */
#define HW_DEFINE_MSORT(NAME, T, LESS)                                              \
    static void NAME##_rec(T *a, T *tmp, size_t n, const void *ctx) {              \
        (void)ctx;                                                                 \
        if (n <= 16) {                                                             \
            for (size_t i_ = 1; i_ < n; i_++) {                                    \
                T x_ = a[i_];                                                      \
                size_t j_ = i_;                                                    \
                while (j_ > 0 && LESS(ctx, x_, a[j_ - 1])) {                       \
                    a[j_] = a[j_ - 1];                                             \
                    j_--;                                                          \
                }                                                                  \
                a[j_] = x_;                                                        \
            }                                                                      \
            return;                                                                \
        }                                                                          \
        size_t h_ = n / 2;                                                         \
        NAME##_rec(a, tmp, h_, ctx);                                               \
        NAME##_rec(a + h_, tmp, n - h_, ctx);                                      \
        if (!LESS(ctx, a[h_], a[h_ - 1])) return;                                  \
        memcpy(tmp, a, h_ * sizeof(T));                                            \
        size_t i_ = 0, j_ = h_, k_ = 0;                                            \
        while (i_ < h_ && j_ < n) {                                                \
            if (LESS(ctx, a[j_], tmp[i_]))                                         \
                a[k_++] = a[j_++];                                                 \
            else                                                                   \
                a[k_++] = tmp[i_++];                                               \
        }                                                                          \
        while (i_ < h_) a[k_++] = tmp[i_++];                                       \
    }                                                                              \
    static void NAME(T *a, T *tmp, size_t n, const void *ctx) { NAME##_rec(a, tmp, n, ctx); }

/* ---- radix sort ------------------------------------------------------- */

/* Order-preserving map of a double to a uint64 key (-0.0 maps like +0.0;
 * NaN must be excluded or mapped by the caller). */
static inline uint64_t hw_dkey(double d) {
    if (d == 0) d = 0.0;
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return (u >> 63) ? ~u : (u ^ 0x8000000000000000ULL);
}

typedef struct hw_kv {
    uint64_t k;
    int v;
} hw_kv;

/* Stable LSD radix sort of a[0..n) by k (11-bit digits, passes whose digit
 * is the same for every key are skipped); tmp holds n elements. Equal keys
 * keep their input order. */
static inline void hw_radix_kv(hw_kv *a, hw_kv *tmp, size_t n) {
    enum { BITS = 11, NB = 1 << BITS };
    static const int npass = (64 + BITS - 1) / BITS;
    size_t *cnt = calloc((size_t)npass * NB, sizeof *cnt);
    HW_ASSERT(cnt != NULL);
    for (size_t i = 0; i < n; i++) {
        uint64_t k = a[i].k;
        for (int p = 0; p < npass; p++) cnt[(size_t)p * NB + ((k >> (p * BITS)) & (NB - 1))]++;
    }
    hw_kv *src = a, *dst = tmp;
    for (int p = 0; p < npass; p++) {
        size_t *c = cnt + (size_t)p * NB;
        int trivial = 0;
        for (int d = 0; d < NB; d++)
            if (c[d]) {
                trivial = c[d] == n;
                break;
            }
        if (trivial) continue;
        size_t sum = 0;
        for (int d = 0; d < NB; d++) {
            size_t t = c[d];
            c[d] = sum;
            sum += t;
        }
        for (size_t i = 0; i < n; i++) dst[c[(src[i].k >> (p * BITS)) & (NB - 1)]++] = src[i];
        hw_kv *t = src;
        src = dst;
        dst = t;
    }
    if (src != a) memcpy(a, src, n * sizeof *a);
    free(cnt);
}

/* ---- workspace --------------------------------------------------------- */

/* Reusable scratch buffers, one per slot, grown on demand and kept: the
 * engine owns one so that a generation at mu = 1e5 does not mmap and
 * page-fault ~30 MB of fresh temporaries. A NULL workspace means "allocate
 * a temporary one" (the public nd_sort / crowding_distance). */
enum {
    WS_FEAS, WS_INF, WS_KV, WS_KT, WS_P2, WS_P2TMP, WS_T0, WS_T1, WS_DP, WS_DPTMP,
    WS_CSTART, WS_CFILL, WS_CBYF,
    WS_SEL_CNT, WS_SEL_MEM, WS_SEL_FO, WS_SEL_FR, WS_SEL_FC, WS_SEL_CD, WS_SEL_CDTMP, WS_SEL_PICK,
    WS_SEL_NH, WS_EL_OBJ, WS_EL_IDX, WS_EL_ID, WS_EL_G,
    WS_NSLOTS
};
typedef struct hw_ws {
    void *p[WS_NSLOTS];
    size_t n[WS_NSLOTS];
} hw_ws;

static inline void *hw_ws_get(hw_ws *w, int slot, size_t bytes) {
    if (bytes == 0) bytes = 1;
    if (bytes > w->n[slot]) {
        free(w->p[slot]);
        size_t grow = bytes + bytes / 4;
        w->p[slot] = hw_malloc(grow);
        w->n[slot] = grow;
    }
    return w->p[slot];
}

static inline void hw_ws_free(hw_ws *w) {
    for (int i = 0; i < WS_NSLOTS; i++) free(w->p[i]);
    memset(w, 0, sizeof *w);
}

/* Workspace versions of nd_sort and crowding_distance (nsga.h). */
int nd_sort_ws(hw_ws *w, const double *obj, const double *cv, int n, int m, int *out_rank);
void crowding_distance_ws(hw_ws *w, const double *obj, const int *rank, int n, int m, double *out);

/* ---- u64set ------------------------------------------------------------ */

typedef struct u64set {
    uint64_t *keys; /* [cap]; 0 marks an empty slot (key 0 kept in has_zero) */
    size_t cap;     /* power of two, or 0 */
    size_t n;       /* number of keys, including the zero key */
    int has_zero;
} u64set;

static inline uint64_t u64set_mix(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

static inline int u64set_has(const u64set *s, uint64_t k) {
    if (k == 0) return s->has_zero;
    if (!s->cap) return 0;
    size_t mask = s->cap - 1, i = (size_t)u64set_mix(k) & mask;
    while (s->keys[i]) {
        if (s->keys[i] == k) return 1;
        i = (i + 1) & mask;
    }
    return 0;
}

static inline void u64set_reserve(u64set *s, size_t want);

/* Zeroed table of cap keys. Tables of 4 MB and more are 2 MB aligned and
 * advised as transparent huge pages: lookups are random accesses, and with
 * 4 KB pages nearly every one is also a TLB miss. */
static inline uint64_t *u64set_alloc_table(size_t cap) {
    size_t bytes = cap * sizeof(uint64_t);
#ifdef MADV_HUGEPAGE
    if (bytes >= ((size_t)4 << 20)) {
        void *p = NULL;
        if (posix_memalign(&p, (size_t)2 << 20, bytes) == 0) {
            madvise(p, bytes, MADV_HUGEPAGE); /* advisory: failure is harmless */
            memset(p, 0, bytes);
            return p;
        }
    }
#endif
    return hw_calloc(cap, sizeof(uint64_t));
}

/* Hints the cache about the probe start of k (a no-op for correctness). */
static inline void u64set_prefetch(const u64set *s, uint64_t k) {
    if (s->cap) __builtin_prefetch(&s->keys[(size_t)u64set_mix(k) & (s->cap - 1)]);
}

/* Returns 1 if k was added, 0 if already present. */
static inline int u64set_add(u64set *s, uint64_t k) {
    if (k == 0) {
        if (s->has_zero) return 0;
        s->has_zero = 1;
        s->n++;
        return 1;
    }
    if ((s->n + 1) * 2 > s->cap) u64set_reserve(s, s->n + 1);
    size_t mask = s->cap - 1, i = (size_t)u64set_mix(k) & mask;
    while (s->keys[i]) {
        if (s->keys[i] == k) return 0;
        i = (i + 1) & mask;
    }
    s->keys[i] = k;
    s->n++;
    return 1;
}

/* Grows so that `want` keys fit at load <= 1/2. */
static inline void u64set_reserve(u64set *s, size_t want) {
    size_t cap = s->cap ? s->cap : 16;
    while (want * 2 > cap) cap *= 2;
    if (cap == s->cap) return;
    uint64_t *old = s->keys;
    size_t oldcap = s->cap;
    s->keys = u64set_alloc_table(cap);
    s->cap = cap;
    for (size_t i = 0; i < oldcap; i++) {
        uint64_t k = old[i];
        if (!k) continue;
        size_t j = (size_t)u64set_mix(k) & (cap - 1);
        while (s->keys[j]) j = (j + 1) & (cap - 1);
        s->keys[j] = k;
    }
    free(old);
}

/* Returns 1 if k was removed. */
static inline int u64set_del(u64set *s, uint64_t k) {
    if (k == 0) {
        if (!s->has_zero) return 0;
        s->has_zero = 0;
        s->n--;
        return 1;
    }
    if (!s->cap) return 0;
    size_t mask = s->cap - 1, i = (size_t)u64set_mix(k) & mask;
    while (s->keys[i] != k) {
        if (!s->keys[i]) return 0;
        i = (i + 1) & mask;
    }
    /* backward-shift deletion */
    size_t j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (!s->keys[j]) break;
        size_t home = (size_t)u64set_mix(s->keys[j]) & mask;
        /* move keys[j] into the hole at i unless its home lies in (i, j] */
        int in_range = (i <= j) ? (home > i && home <= j) : (home > i || home <= j);
        if (!in_range) {
            s->keys[i] = s->keys[j];
            i = j;
        }
    }
    s->keys[i] = 0;
    s->n--;
    return 1;
}

static inline void u64set_clear(u64set *s) {
    if (s->cap) memset(s->keys, 0, s->cap * sizeof *s->keys);
    s->n = 0;
    s->has_zero = 0;
}

static inline void u64set_free(u64set *s) {
    free(s->keys);
    memset(s, 0, sizeof *s);
}

#endif
