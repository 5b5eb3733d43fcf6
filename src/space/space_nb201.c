/* space_nb201: the NAS-Bench-201 cell, 6 edges x 5 ops.
 *
 * Genome: gene e (0..5) is the op on edge e, in the order op_1_0, op_2_0,
 * op_2_1, op_3_0, op_3_1, op_3_2 (node j <- node i). String: NB201's own,
 * "|op~0|+|op~0|op~1|+|op~0|op~1|op~2|". Index: NB201's arch index, through
 * the generated table space_nb201_index.c (NB201's order is not base 5).
 *
 * Features (41): one-hot op per edge (30), op counts (5), counts of "live"
 * ops (5: ops on some input->output path of non-none edges; they shape the
 * accuracy, while every op costs latency), and whether the cell connects
 * input to output (1). */
#include <stdio.h>
#include <string.h>

#include "hw_err.h"
#include "space_impl.h"

extern const uint16_t nb201_code_to_index[15625];

const char *const nb201_op_names[NB201_OPS] = {"none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3",
                                                 "avg_pool_3x3"};
/* Edge e connects node edge_from[e] -> node edge_to[e]. */
static const int edge_to[NB201_EDGES] = {1, 2, 2, 3, 3, 3};
static const int edge_from[NB201_EDGES] = {0, 0, 1, 0, 1, 2};

#define NB201_NFEAT 41

static int index_to_code[15625]; /* built once from the generated table */
static int index_ready;

static void build_inverse(void) {
    if (index_ready) return;
    for (int c = 0; c < 15625; c++) index_to_code[nb201_code_to_index[c]] = c;
    index_ready = 1;
}

static int genome_code(const hw_genome *g) {
    int c = 0, m = 1;
    for (int e = 0; e < NB201_EDGES; e++, m *= 5) c += g->g[e] * m;
    return c;
}

static void nb_sample(const space *s, hw_rng *r, hw_genome *out) {
    (void)s;
    for (int e = 0; e < NB201_EDGES; e++) out->g[e] = (int16_t)rng_below(r, NB201_OPS);
}

static void nb_mutate(const space *s, hw_rng *r, double pm, hw_genome *g) {
    (void)s;
    int changed = 0;
    for (int e = 0; e < NB201_EDGES; e++)
        if (rng_uniform(r) < pm) {
            g->g[e] = (int16_t)((g->g[e] + 1 + rng_below(r, NB201_OPS - 1)) % NB201_OPS);
            changed = 1;
        }
    if (!changed) {
        int e = (int)rng_below(r, NB201_EDGES);
        g->g[e] = (int16_t)((g->g[e] + 1 + rng_below(r, NB201_OPS - 1)) % NB201_OPS);
    }
}

static void nb_crossover(const space *s, hw_rng *r, const hw_genome *a, const hw_genome *b, hw_genome *c1,
                         hw_genome *c2) {
    (void)s;
    hw_genome x = *a, y = *b;
    for (int e = 0; e < NB201_EDGES; e++)
        if (rng_next(r) & 1) {
            x.g[e] = b->g[e];
            y.g[e] = a->g[e];
        }
    *c1 = x;
    *c2 = y;
}

static int nb_valid(const space *s, const hw_genome *g) {
    (void)s;
    (void)g;
    return 1;
}

static int nb_to_string(const space *s, const hw_genome *g, char *buf, size_t n) {
    (void)s;
    size_t k = 0;
    for (int node = 1; node <= 3; node++) {
        int w = snprintf(buf + k, k < n ? n - k : 0, "%s", node == 1 ? "|" : "+|");
        k += (size_t)w;
        for (int e = 0; e < NB201_EDGES; e++) {
            if (edge_to[e] != node) continue;
            w = snprintf(buf + k, k < n ? n - k : 0, "%s~%d|", nb201_op_names[g->g[e]], edge_from[e]);
            k += (size_t)w;
        }
    }
    return k < n ? 0 : -1;
}

static int nb_from_string(const space *s, const char *str, hw_genome *out) {
    (void)s;
    /* Expect exactly the canonical layout; parse op names and inputs. */
    const char *p = str;
    int e = 0;
    for (int node = 1; node <= 3; node++) {
        if (node > 1) {
            if (*p != '+') goto bad;
            p++;
        }
        if (*p != '|') goto bad;
        p++;
        for (int in = 0; in < node; in++, e++) {
            int op = -1;
            for (int k = 0; k < NB201_OPS; k++) {
                size_t L = strlen(nb201_op_names[k]);
                if (!strncmp(p, nb201_op_names[k], L) && p[L] == '~') {
                    op = k;
                    p += L + 1;
                    break;
                }
            }
            if (op < 0 || *p != '0' + in || p[1] != '|') goto bad;
            p += 2;
            out->g[e] = (int16_t)op;
        }
    }
    if (*p) goto bad;
    return 0;
bad:
    return hw_fail("'%s' is not an NB201 arch string (expected |op~0|+|op~0|op~1|+|op~0|op~1|op~2|)", str);
}

/* Marks edges lying on an input(0) -> output(3) path of non-none edges. */
static void live_edges(const hw_genome *g, int live[NB201_EDGES]) {
    int from_in[4] = {1, 0, 0, 0}, to_out[4] = {0, 0, 0, 1};
    for (int e = 0; e < NB201_EDGES; e++) /* edges are in topological order */
        if (g->g[e] && from_in[edge_from[e]]) from_in[edge_to[e]] = 1;
    for (int e = NB201_EDGES - 1; e >= 0; e--)
        if (g->g[e] && to_out[edge_to[e]]) to_out[edge_from[e]] = 1;
    for (int e = 0; e < NB201_EDGES; e++)
        live[e] = g->g[e] && from_in[edge_from[e]] && to_out[edge_to[e]];
}

static void nb_features(const space *s, const hw_genome *g, float *out) {
    (void)s;
    int live[NB201_EDGES];
    live_edges(g, live);
    memset(out, 0, NB201_NFEAT * sizeof *out);
    int connected = 0;
    for (int e = 0; e < NB201_EDGES; e++) {
        out[e * NB201_OPS + g->g[e]] = 1.0f;
        out[30 + g->g[e]] += 1.0f;
        if (live[e]) {
            out[35 + g->g[e]] += 1.0f;
            if (edge_to[e] == 3) connected = 1;
        }
    }
    out[40] = (float)connected;
}

static const char *nb_feature_name(const space *s, int j) {
    (void)s;
    static char names[NB201_NFEAT][40];
    static int ready;
    if (!ready) {
        for (int e = 0; e < NB201_EDGES; e++)
            for (int k = 0; k < NB201_OPS; k++)
                snprintf(names[e * NB201_OPS + k], 40, "op_%d_%d=%s", edge_to[e], edge_from[e], nb201_op_names[k]);
        for (int k = 0; k < NB201_OPS; k++) {
            snprintf(names[30 + k], 40, "count_%s", nb201_op_names[k]);
            snprintf(names[35 + k], 40, "live_%s", nb201_op_names[k]);
        }
        snprintf(names[40], 40, "connected");
        ready = 1;
    }
    return names[j];
}

static int64_t nb_index(const space *s, const hw_genome *g) {
    (void)s;
    return nb201_code_to_index[genome_code(g)];
}

static int nb_from_index(const space *s, int64_t i, hw_genome *out) {
    (void)s;
    if (i < 0 || i >= 15625) return hw_fail("NB201 arch index %lld out of range 0..15624", (long long)i);
    build_inverse();
    int c = index_to_code[i];
    for (int e = 0; e < NB201_EDGES; e++, c /= 5) out->g[e] = (int16_t)(c % 5);
    return 0;
}

static const space_vt nb201_vt = {
    .name = "nb201",
    .sample = nb_sample,
    .mutate = nb_mutate,
    .crossover = nb_crossover,
    .valid = nb_valid,
    .to_string = nb_to_string,
    .from_string = nb_from_string,
    .features = nb_features,
    .feature_name = nb_feature_name,
    .index = nb_index,
    .from_index = nb_from_index,
    .destroy = NULL,
};

int space_create_nb201(space **out) {
    build_inverse();
    space *s = space_alloc(&nb201_vt);
    s->ngenes = NB201_EDGES;
    for (int e = 0; e < NB201_EDGES; e++) s->card[e] = NB201_OPS;
    s->nfeatures = NB201_NFEAT;
    s->size = 15625;
    *out = s;
    return 0;
}
