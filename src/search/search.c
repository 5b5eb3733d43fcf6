/* search.c: front extraction, history printing, results (see search.h). */
#include "search.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "eval_table.h"
#include "fsutil.h"
#include "hw_err.h"

int search_front_of(const double *pts, int n, int m, int *out_idx) {
    int *rank = hw_malloc((size_t)(n ? n : 1) * sizeof *rank);
    if (nd_sort(pts, NULL, n, m, rank) < 0) {
        free(rank);
        return -1;
    }
    int k = 0;
    for (int i = 0; i < n; i++)
        if (rank[i] == 0) out_idx[k++] = i;
    free(rank);
    return k;
}

int search_front_classes(const double *front, int n, int m, const double *ref, int *cls, int *outside) {
    double tol[HW_MAX_OBJ];
    for (int k = 0; k < m; k++) {
        double lo = INFINITY, hi = -INFINITY;
        for (int i = 0; i < n; i++) {
            lo = fmin(lo, front[(size_t)i * m + k]);
            hi = fmax(hi, front[(size_t)i * m + k]);
        }
        tol[k] = 1e-9 * (hi > lo ? hi - lo : fmax(fabs(hi), 1));
    }
    int ncls = 0, nout = 0;
    for (int i = 0; i < n; i++) {
        const double *p = front + (size_t)i * m;
        int in = 1;
        for (int k = 0; ref && k < m; k++) in &= p[k] < ref[k];
        cls[i] = -1;
        if (!in) {
            nout++;
            continue;
        }
        for (int j = 0; j < i && cls[i] < 0; j++) { /* the first earlier point it equals */
            if (cls[j] < 0) continue;
            int same = 1;
            for (int k = 0; k < m; k++) same &= fabs(p[k] - front[(size_t)j * m + k]) <= tol[k];
            if (same) cls[i] = cls[j];
        }
        if (cls[i] < 0) cls[i] = ncls++;
    }
    if (outside) *outside = nout;
    return ncls;
}

int search_true_front(const struct eval_table *t, int m, double **out_front, hw_genome **out_g, int *out_n,
                      int *out_feasible) {
    double *all = NULL, *front = NULL;
    hw_genome *all_g = NULL, *g = NULL;
    int n, *idx = NULL;
    if (eval_table_all_feasible(t, &all, &all_g, &n)) goto fail;
    idx = hw_malloc((size_t)(n ? n : 1) * sizeof *idx);
    int k = search_front_of(all, n, m, idx);
    if (k < 0) goto fail;
    front = hw_malloc((size_t)(k ? k : 1) * m * sizeof *front);
    if (out_g) g = hw_malloc((size_t)(k ? k : 1) * sizeof *g);
    for (int i = 0; i < k; i++) {
        memcpy(front + (size_t)i * m, all + (size_t)idx[i] * m, (size_t)m * sizeof *front);
        if (g) g[i] = all_g[idx[i]];
    }
    free(all), free(all_g), free(idx);
    *out_front = front;
    if (out_g) *out_g = g;
    *out_n = k;
    if (out_feasible) *out_feasible = n;
    return 0;
fail:
    free(all), free(all_g), free(idx), free(front), free(g);
    return -1;
}

void search_print_row(FILE *f, const search_history_row *h, int has_ratio) {
    fprintf(f, "gen %5d  meas %7ld  front %4d  hv %12.6f", h->generation, h->measurements, h->front_size, h->hv);
    if (has_ratio) fprintf(f, "  ratio %.6f", h->hv_ratio);
    fprintf(f, "  %8.2fs\n", h->wall_s);
}

void search_result_free(search_result *r) {
    free(r->history);
    r->history = NULL;
    r->n_history = 0;
}
