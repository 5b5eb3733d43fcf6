/* search.c: front extraction, history printing, results (see search.h). */
#include "search.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
