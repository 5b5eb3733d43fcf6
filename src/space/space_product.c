/* space_product: the product of two spaces (e.g. an architecture space and
 * the accel space, for co-design). The genome is A's genes followed by B's
 * genes; it is valid and canonical when both parts are. String:
 * "<A string>@<B string>". Features: A's then B's. No table index.
 *
 * Variation acts per part: mutation picks the parts to change (each with
 * the probability that a per-gene rate pm would touch at least one of its
 * genes; at least one part) and applies that part's own mutation, so each
 * part keeps its repair/canonicalisation rules; crossover crosses each
 * part with its own operator. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw_err.h"
#include "space_impl.h"

typedef struct product_impl {
    space *a, *b; /* owned */
} product_impl;

static const product_impl *impl_of(const space *s) { return s->impl; }

static void split(const product_impl *p, const hw_genome *g, hw_genome *ga, hw_genome *gb) {
    int na = p->a->ngenes, nb = p->b->ngenes;
    memset(ga, 0, sizeof *ga);
    memset(gb, 0, sizeof *gb);
    memcpy(ga->g, g->g, (size_t)na * sizeof g->g[0]);
    memcpy(gb->g, g->g + na, (size_t)nb * sizeof g->g[0]);
}

static void join(const product_impl *p, const hw_genome *ga, const hw_genome *gb, hw_genome *g) {
    int na = p->a->ngenes, nb = p->b->ngenes;
    memset(g, 0, sizeof *g);
    memcpy(g->g, ga->g, (size_t)na * sizeof g->g[0]);
    memcpy(g->g + na, gb->g, (size_t)nb * sizeof g->g[0]);
}

static void pr_sample(const space *s, hw_rng *r, hw_genome *out) {
    const product_impl *p = impl_of(s);
    hw_genome ga, gb;
    space_sample(p->a, r, &ga);
    space_sample(p->b, r, &gb);
    join(p, &ga, &gb, out);
}

static void pr_mutate(const space *s, hw_rng *r, double pm, hw_genome *g) {
    const product_impl *p = impl_of(s);
    hw_genome ga, gb;
    split(p, g, &ga, &gb);
    double q = pm < 0 ? 0 : pm > 1 ? 1 : pm;
    double pa = 1 - pow(1 - q, p->a->ngenes), pb = 1 - pow(1 - q, p->b->ngenes);
    int ma = rng_uniform(r) < pa, mb = rng_uniform(r) < pb;
    if (!ma && !mb) { /* at least one part changes, chosen by gene count */
        if (rng_below(r, (uint64_t)s->ngenes) < (uint64_t)p->a->ngenes) ma = 1;
        else mb = 1;
    }
    if (ma) space_mutate(p->a, r, pm, &ga);
    if (mb) space_mutate(p->b, r, pm, &gb);
    join(p, &ga, &gb, g);
}

static void pr_crossover(const space *s, hw_rng *r, const hw_genome *x, const hw_genome *y, hw_genome *c1,
                         hw_genome *c2) {
    const product_impl *p = impl_of(s);
    hw_genome xa, xb, ya, yb, c1a, c1b, c2a, c2b;
    split(p, x, &xa, &xb);
    split(p, y, &ya, &yb);
    space_crossover(p->a, r, &xa, &ya, &c1a, &c2a);
    space_crossover(p->b, r, &xb, &yb, &c1b, &c2b);
    join(p, &c1a, &c1b, c1);
    join(p, &c2a, &c2b, c2);
}

static int pr_valid(const space *s, const hw_genome *g) {
    const product_impl *p = impl_of(s);
    hw_genome ga, gb;
    split(p, g, &ga, &gb);
    return space_valid(p->a, &ga) && space_valid(p->b, &gb);
}

static int pr_to_string(const space *s, const hw_genome *g, char *buf, size_t n) {
    const product_impl *p = impl_of(s);
    hw_genome ga, gb;
    split(p, g, &ga, &gb);
    if (space_to_string(p->a, &ga, buf, n) != 0) return -1;
    size_t k = strlen(buf);
    if (k + 2 > n) return -1;
    buf[k] = '@';
    buf[k + 1] = 0;
    return space_to_string(p->b, &gb, buf + k + 1, n - k - 1);
}

static int pr_from_string(const space *s, const char *str, hw_genome *out) {
    const product_impl *p = impl_of(s);
    const char *at = strrchr(str, '@');
    if (!at) return hw_fail("'%s' is not a %s genome string (expected A@B)", str, s->vt->name);
    size_t la = (size_t)(at - str);
    char *sa = hw_malloc(la + 1);
    memcpy(sa, str, la);
    sa[la] = 0;
    hw_genome ga, gb;
    int rc = space_from_string(p->a, sa, &ga);
    free(sa);
    if (rc == 0) rc = space_from_string(p->b, at + 1, &gb);
    if (rc != 0) return -1;
    join(p, &ga, &gb, out);
    return 0;
}

static void pr_features(const space *s, const hw_genome *g, float *out) {
    const product_impl *p = impl_of(s);
    hw_genome ga, gb;
    split(p, g, &ga, &gb);
    space_features(p->a, &ga, out);
    space_features(p->b, &gb, out + p->a->nfeatures);
}

static const char *pr_feature_name(const space *s, int j) {
    const product_impl *p = impl_of(s);
    return j < p->a->nfeatures ? space_feature_name(p->a, j) : space_feature_name(p->b, j - p->a->nfeatures);
}

static void pr_destroy(space *s) {
    product_impl *p = s->impl;
    space_free(p->a);
    space_free(p->b);
    free(p);
}

static const space_vt product_vt = {
    .name = "product",
    .sample = pr_sample,
    .mutate = pr_mutate,
    .crossover = pr_crossover,
    .valid = pr_valid,
    .to_string = pr_to_string,
    .from_string = pr_from_string,
    .features = pr_features,
    .feature_name = pr_feature_name,
    .index = NULL,
    .from_index = NULL,
    .destroy = pr_destroy,
};

int space_create_product(space *a, space *b, space **out) {
    if (a->ngenes + b->ngenes > HW_MAX_GENES)
        return hw_fail("product space: %s (%d genes) x %s (%d genes) exceeds %d genes", space_name(a), a->ngenes,
                       space_name(b), b->ngenes, HW_MAX_GENES);
    product_impl *p = hw_calloc(1, sizeof *p);
    p->a = a;
    p->b = b;
    space *s = space_alloc(&product_vt);
    s->impl = p;
    s->ngenes = a->ngenes + b->ngenes;
    for (int i = 0; i < a->ngenes; i++) s->card[i] = a->card[i];
    for (int i = 0; i < b->ngenes; i++) s->card[a->ngenes + i] = b->card[i];
    s->nfeatures = a->nfeatures + b->nfeatures;
    s->size = (a->size > 0 && b->size > 0 && a->size <= INT64_MAX / b->size) ? a->size * b->size : -1;
    *out = s;
    return 0;
}

int space_is_product(const space *s) { return s->vt == &product_vt; }

const space *space_product_part(const space *s, int i) {
    if (s->vt != &product_vt || i < 0 || i > 1) return NULL;
    return i == 0 ? impl_of(s)->a : impl_of(s)->b;
}

int space_product_split(const space *s, const hw_genome *g, hw_genome *ga, hw_genome *gb) {
    if (s->vt != &product_vt) return hw_fail("space '%s' is not a product space", s->vt->name);
    split(impl_of(s), g, ga, gb);
    return 0;
}

int space_product_join(const space *s, const hw_genome *ga, const hw_genome *gb, hw_genome *g) {
    if (s->vt != &product_vt) return hw_fail("space '%s' is not a product space", s->vt->name);
    join(impl_of(s), ga, gb, g);
    return 0;
}
