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
    s->keys = hw_calloc(cap, sizeof *s->keys);
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
