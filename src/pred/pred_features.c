/* pred_features: the predictors' feature vector (pred.h): the search
 * space's own features plus derived NB201 cell-structure features. */
#include <string.h>

#include "pred.h"
#include "space.h"

#define NB201_EXTRA (NB201_EDGES * NB201_OPS + 4)

/* Edge e goes from node nb_from[e] to node nb_to[e] (order of space.h). */
static const int nb_from[NB201_EDGES] = {0, 0, 1, 0, 1, 2};
static const int nb_to[NB201_EDGES] = {1, 2, 2, 3, 3, 3};

static int is_nb201(const struct space *s) { return !strcmp(space_name(s), "nb201"); }

int pred_space_nfeatures(const struct space *s) { return space_nfeatures(s) + (is_nb201(s) ? NB201_EXTRA : 0); }

/* Live edges: op != none, reachable from node 0 and reaching node 3 through
 * non-none edges (edges are listed in topological order). */
static void nb201_extra(const hw_genome *g, float *out) {
    int on[NB201_EDGES], live[NB201_EDGES], from0[4] = {1, 0, 0, 0}, to3[4] = {0, 0, 0, 1};
    for (int e = 0; e < NB201_EDGES; e++) on[e] = g->g[e] != 0;
    for (int e = 0; e < NB201_EDGES; e++)
        if (on[e] && from0[nb_from[e]]) from0[nb_to[e]] = 1;
    for (int e = NB201_EDGES - 1; e >= 0; e--)
        if (on[e] && to3[nb_to[e]]) to3[nb_from[e]] = 1;
    for (int e = 0; e < NB201_EDGES; e++) live[e] = on[e] && from0[nb_from[e]] && to3[nb_to[e]];
    memset(out, 0, NB201_EXTRA * sizeof *out);
    for (int e = 0; e < NB201_EDGES; e++)
        if (live[e]) out[e * NB201_OPS + g->g[e]] = 1;
    /* longest live paths from node 0 (-1: unreachable) */
    int len[4] = {0, -1, -1, -1}, conv[4] = {0, -1, -1, -1}, c3[4] = {0, -1, -1, -1};
    for (int e = 0; e < NB201_EDGES; e++) {
        int a = nb_from[e], b = nb_to[e];
        if (!live[e] || len[a] < 0) continue;
        int isc = g->g[e] == 2 || g->g[e] == 3, is3 = g->g[e] == 3;
        if (len[a] + 1 > len[b]) len[b] = len[a] + 1;
        if (conv[a] + isc > conv[b]) conv[b] = conv[a] + isc;
        if (c3[a] + is3 > c3[b]) c3[b] = c3[a] + is3;
    }
    float *p = out + NB201_EDGES * NB201_OPS;
    p[0] = len[3] > 0 ? (float)len[3] : 0;
    p[1] = conv[3] > 0 ? (float)conv[3] : 0;
    p[2] = c3[3] > 0 ? (float)c3[3] : 0;
    int nodes = 0;
    for (int v = 0; v < 4; v++) nodes += from0[v] && to3[v];
    p[3] = (float)nodes;
}

void pred_space_features(const struct space *s, const struct hw_genome *g, float *out) {
    space_features(s, g, out);
    if (is_nb201(s)) nb201_extra(g, out + space_nfeatures(s));
}
