/* space.c: dispatch through the space vtable, and shared helpers. */
#include <stdlib.h>
#include <string.h>

#include "hw_err.h"
#include "space_impl.h"

space *space_alloc(const space_vt *vt) {
    space *s = hw_calloc(1, sizeof *s);
    s->vt = vt;
    return s;
}

void space_free(space *s) {
    if (!s) return;
    if (s->vt->destroy) s->vt->destroy(s);
    free(s);
}

const char *space_name(const space *s) { return s->vt->name; }
int space_ngenes(const space *s) { return s->ngenes; }
int space_cardinality(const space *s, int gene) {
    HW_ASSERT(gene >= 0 && gene < s->ngenes);
    return s->card[gene];
}
void space_sample(const space *s, hw_rng *r, hw_genome *out) {
    memset(out, 0, sizeof *out);
    s->vt->sample(s, r, out);
}
void space_mutate(const space *s, hw_rng *r, double pm, hw_genome *g) { s->vt->mutate(s, r, pm, g); }
void space_crossover(const space *s, hw_rng *r, const hw_genome *a, const hw_genome *b, hw_genome *c1,
                     hw_genome *c2) {
    s->vt->crossover(s, r, a, b, c1, c2);
}
int space_valid(const space *s, const hw_genome *g) {
    for (int i = s->ngenes; i < HW_MAX_GENES; i++)
        if (g->g[i]) return 0;
    for (int i = 0; i < s->ngenes; i++)
        if (g->g[i] < 0 || g->g[i] >= s->card[i]) return 0;
    return s->vt->valid(s, g);
}
int space_to_string(const space *s, const hw_genome *g, char *buf, size_t n) {
    return s->vt->to_string(s, g, buf, n);
}
int space_from_string(const space *s, const char *str, hw_genome *out) {
    memset(out, 0, sizeof *out);
    return s->vt->from_string(s, str, out);
}
uint64_t space_hash(const space *s, const hw_genome *g) {
    return hw_hash_bytes(g->g, (size_t)s->ngenes * sizeof g->g[0], 0x68776e617321ULL);
}
int space_nfeatures(const space *s) { return s->nfeatures; }
void space_features(const space *s, const hw_genome *g, float *out) { s->vt->features(s, g, out); }
const char *space_feature_name(const space *s, int j) {
    HW_ASSERT(j >= 0 && j < s->nfeatures);
    return s->vt->feature_name(s, j);
}
int64_t space_index(const space *s, const hw_genome *g) { return s->vt->index ? s->vt->index(s, g) : -1; }
int space_from_index(const space *s, int64_t index, hw_genome *out) {
    memset(out, 0, sizeof *out);
    if (!s->vt->from_index) return hw_fail("space '%s' has no table index", s->vt->name);
    return s->vt->from_index(s, index, out);
}
int64_t space_size(const space *s) { return s->size; }

/* FNV-1a over bytes, finished with a 64-bit mixer (murmur3 fmix64). */
uint64_t hw_hash_bytes(const void *p, size_t n, uint64_t seed) {
    const unsigned char *b = p;
    uint64_t h = 0xcbf29ce484222325ULL ^ seed;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

int hw_genome_equal(const hw_genome *a, const hw_genome *b, int ngenes) {
    return memcmp(a->g, b->g, (size_t)ngenes * sizeof a->g[0]) == 0;
}

int space_create_default(const char *name, space **out) {
    if (!strcmp(name, "nb201")) return space_create_nb201(out);
    if (!strcmp(name, "bert")) {
        bert_space_cfg bc;
        bert_space_cfg_default(&bc);
        return space_create_bert(&bc, out);
    }
    return hw_fail("unknown space '%s' (nb201 or bert)", name);
}
