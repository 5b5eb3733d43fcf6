#include "u64map.h"

#include <stdlib.h>

#include "hw_err.h"

static size_t slot(uint64_t k, size_t cap) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return (size_t)k & (cap - 1);
}

void u64map_init(u64map *m) {
    m->cap = 64;
    m->n = 0;
    m->keys = hw_calloc(m->cap, sizeof *m->keys);
    m->vals = hw_calloc(m->cap, sizeof *m->vals);
    m->used = hw_calloc(m->cap, 1);
}

void u64map_free(u64map *m) {
    free(m->keys);
    free(m->vals);
    free(m->used);
    m->keys = NULL;
    m->vals = NULL;
    m->used = NULL;
    m->cap = m->n = 0;
}

static void grow(u64map *m) {
    u64map g = {.cap = m->cap * 2};
    g.keys = hw_calloc(g.cap, sizeof *g.keys);
    g.vals = hw_calloc(g.cap, sizeof *g.vals);
    g.used = hw_calloc(g.cap, 1);
    for (size_t i = 0; i < m->cap; i++)
        if (m->used[i]) u64map_put(&g, m->keys[i], m->vals[i]);
    u64map_free(m);
    *m = g;
}

int u64map_put(u64map *m, uint64_t key, int64_t val) {
    if (2 * (m->n + 1) > m->cap) grow(m);
    size_t i = slot(key, m->cap);
    while (m->used[i]) {
        if (m->keys[i] == key) {
            m->vals[i] = val;
            return 0;
        }
        i = (i + 1) & (m->cap - 1);
    }
    m->used[i] = 1;
    m->keys[i] = key;
    m->vals[i] = val;
    m->n++;
    return 1;
}

int u64map_get(const u64map *m, uint64_t key, int64_t *val) {
    size_t i = slot(key, m->cap);
    while (m->used[i]) {
        if (m->keys[i] == key) {
            if (val) *val = m->vals[i];
            return 1;
        }
        i = (i + 1) & (m->cap - 1);
    }
    return 0;
}
