/* u64map: open-addressing hash map from 64-bit keys (e.g. genome hashes)
 * to 64-bit values. Used for deduplication sets and table joins. */
#ifndef HW_U64MAP_H
#define HW_U64MAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct u64map {
    uint64_t *keys;   /* [cap] */
    int64_t *vals;    /* [cap] */
    uint8_t *used;    /* [cap] */
    size_t cap, n;
} u64map;

void u64map_init(u64map *m);
void u64map_free(u64map *m);
/* Inserts or overwrites. Returns 1 if the key was new. */
int u64map_put(u64map *m, uint64_t key, int64_t val);
/* 1 and *val if present (val may be NULL), else 0. */
int u64map_get(const u64map *m, uint64_t key, int64_t *val);
static inline size_t u64map_size(const u64map *m) { return m->n; }

#endif
