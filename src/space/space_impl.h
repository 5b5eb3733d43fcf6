/* space_impl: the vtable behind space.h, for space implementations only
 * (space_nb201.c, space_bert.c, product spaces). */
#ifndef HW_SPACE_IMPL_H
#define HW_SPACE_IMPL_H

#include "space.h"

typedef struct space_vt {
    const char *name;
    void (*sample)(const space *s, hw_rng *r, hw_genome *out);
    void (*mutate)(const space *s, hw_rng *r, double pm, hw_genome *g);
    void (*crossover)(const space *s, hw_rng *r, const hw_genome *a, const hw_genome *b,
                      hw_genome *c1, hw_genome *c2);
    int (*valid)(const space *s, const hw_genome *g);
    int (*to_string)(const space *s, const hw_genome *g, char *buf, size_t n);
    int (*from_string)(const space *s, const char *str, hw_genome *out);
    void (*features)(const space *s, const hw_genome *g, float *out);
    const char *(*feature_name)(const space *s, int j);
    int64_t (*index)(const space *s, const hw_genome *g);          /* may be NULL */
    int (*from_index)(const space *s, int64_t i, hw_genome *out);  /* may be NULL */
    void (*destroy)(space *s);                                     /* frees impl */
} space_vt;

struct space {
    const space_vt *vt;
    int ngenes;
    int card[HW_MAX_GENES]; /* cardinality of each gene */
    int nfeatures;
    int64_t size;           /* number of genomes, -1 if huge */
    void *impl;             /* implementation state */
};

/* Allocates a space with the given vtable; the caller fills the rest. */
space *space_alloc(const space_vt *vt);

#endif
