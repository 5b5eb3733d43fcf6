/* nsga_crowding: Deb's crowding distance, per front.
 *
 * For each objective the points are sorted once globally by (value, index)
 * (a stable radix sort on order-preserving keys) and then distributed stably into their fronts (counting sort on rank), so
 * every front is visited in value order without a sort per front. Boundary
 * points of a front get +INF; an interior point adds (next - prev) /
 * (max - min) of its front. Fronts of 1 or 2 points are all boundary. An
 * objective with max == min (or a non-finite span) in a front adds nothing.
 * NaN values are ordered as +INF. O(m n log n). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hw_err.h"
#include "nsga.h"
#include "nsga_util.h"

typedef struct cpair {
    double v;
    int i;
} cpair;

void crowding_distance(const double *obj, const int *rank, int n, int m, double *out) {
    hw_ws w = {0};
    crowding_distance_ws(&w, obj, rank, n, m, out);
    hw_ws_free(&w);
}

void crowding_distance_ws(hw_ws *w, const double *obj, const int *rank, int n, int m, double *out) {
    if (n <= 0) return;
    int nr = 0;
    for (int i = 0; i < n; i++) {
        HW_ASSERT(rank[i] >= 0);
        if (rank[i] + 1 > nr) nr = rank[i] + 1;
        out[i] = 0.0;
    }
    int *start = hw_ws_get(w, WS_CSTART, ((size_t)nr + 1) * sizeof *start); /* [nr+1] front offsets */
    int *fill = hw_ws_get(w, WS_CFILL, (size_t)nr * sizeof *fill);            /* [nr] write cursor */
    memset(start, 0, ((size_t)nr + 1) * sizeof *start);
    for (int i = 0; i < n; i++) start[rank[i] + 1]++;
    for (int r = 0; r < nr; r++) start[r + 1] += start[r];
    hw_kv *kv = hw_ws_get(w, WS_KV, (size_t)n * sizeof *kv);    /* [n] (key of value, index) */
    hw_kv *tmp = hw_ws_get(w, WS_KT, (size_t)n * sizeof *tmp);   /* radix scratch */
    cpair *byf = hw_ws_get(w, WS_CBYF, (size_t)n * sizeof *byf); /* [n] grouped by front */
    for (int j = 0; j < m; j++) {
        for (int i = 0; i < n; i++) {
            double v = obj[(size_t)i * m + j];
            kv[i].k = hw_dkey(isnan(v) ? INFINITY : v);
            kv[i].v = i;
        }
        hw_radix_kv(kv, tmp, (size_t)n); /* stable: (value, index) order */
        memcpy(fill, start, (size_t)nr * sizeof *fill);
        for (int t = 0; t < n; t++) {
            int i = kv[t].v;
            double v = obj[(size_t)i * m + j];
            cpair c = {isnan(v) ? INFINITY : v, i};
            byf[fill[rank[i]]++] = c;
        }
        for (int r = 0; r < nr; r++) {
            int a = start[r], b = start[r + 1], s = b - a;
            if (s == 0) continue;
            out[byf[a].i] = INFINITY;
            out[byf[b - 1].i] = INFINITY;
            if (s <= 2) continue;
            double span = byf[b - 1].v - byf[a].v;
            if (!(span > 0) || !isfinite(span)) continue;
            for (int t = a + 1; t < b - 1; t++) out[byf[t].i] += (byf[t + 1].v - byf[t - 1].v) / span;
        }
    }
}
