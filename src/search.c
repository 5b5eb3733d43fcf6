/* search.c: the single-process search loop (see search.h). */
#include "search.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hw_err.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

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

static void progress_bar(FILE *f, int gen, int total, long meas, long budget) {
    double frac = total > 0 ? (double)gen / total : 0;
    if (budget > 0 && (double)meas / (double)budget > frac) frac = (double)meas / (double)budget;
    if (frac > 1) frac = 1;
    int w = 30, k = (int)(frac * w);
    fprintf(f, "\r[");
    for (int i = 0; i < w; i++) fputc(i < k ? '#' : '.', f);
    fprintf(f, "] %3.0f%%", 100 * frac);
    fflush(f);
}

/* Counts true-front ids present in the archive. */
static int front_found(const search_problem *p, const pareto_archive *a) {
    int found = 0;
    for (int i = 0; i < p->true_front_n; i++)
        for (int j = 0; j < pareto_archive_size(a); j++)
            if (pareto_archive_id(a, j) == p->true_front_ids[i]) {
                found++;
                break;
            }
    return found;
}

int search_run(const search_problem *p, search_result *res, pareto_archive **out_archive) {
    const search_config *c = p->cfg;
    const int m = c->n_obj;
    nsga *e = NULL;
    pareto_archive *arch = NULL;
    double *obj = NULL, *cv = NULL;
    uint8_t *meas = NULL;
    double ref[HW_MAX_OBJ];
    int tty = p->progress && isatty(fileno(p->progress));
    memset(res, 0, sizeof *res);
    res->hv = res->hv_ratio = res->true_hv = NAN;

    nsga_params np;
    nsga_params_default(&np);
    np.pop_size = c->population;
    np.n_offspring = c->offspring;
    np.n_obj = m;
    np.p_crossover = c->p_crossover;
    if (c->p_mutation > 0) np.p_mutation = c->p_mutation;
    np.novelty_tries = c->novelty_tries;
    np.seed = c->seed;
    if (nsga_create(p->sp, &np, &e) || pareto_archive_create(m, &arch)) goto fail;
    for (int k = 0; k < m; k++) ref[k] = objective_to_min(&c->obj[k], c->ref[k]);
    if (c->has_ref && p->true_front_n > 0 && hv_exact(p->true_front, p->true_front_n, m, ref, &res->true_hv))
        goto fail;
    res->true_front_size = p->true_front_n;

    int cap_hist = 64;
    res->history = hw_malloc((size_t)cap_hist * sizeof *res->history);
    double t0 = now_s();
    for (int gen = 0;; gen++) {
        const hw_genome *batch;
        int n;
        if (nsga_ask(e, &batch, &n)) goto fail;
        obj = hw_realloc(obj, (size_t)n * m * sizeof *obj);
        cv = hw_realloc(cv, (size_t)n * sizeof *cv);
        meas = hw_realloc(meas, (size_t)n);
        if (p->eval(p->ctx, batch, n, obj, cv, meas)) goto fail;
        res->evaluations += n;
        for (int i = 0; i < n; i++)
            if (meas[i] && cv[i] == 0) {
                int finite = 1;
                for (int k = 0; k < m; k++) finite &= isfinite(obj[(size_t)i * m + k]);
                if (finite) pareto_archive_insert(arch, obj + (size_t)i * m, space_hash(p->sp, &batch[i]), &batch[i]);
            }
        if (nsga_tell(e, obj, cv)) goto fail;

        search_history_row h = {.generation = gen, .evaluations = res->evaluations,
                                .measurements = p->count(p->ctx), .front_size = pareto_archive_size(arch),
                                .hv = NAN, .hv_ratio = NAN, .wall_s = now_s() - t0};
        if (c->has_ref && pareto_archive_hv(arch, ref, &h.hv)) goto fail;
        if (isfinite(res->true_hv) && res->true_hv > 0) h.hv_ratio = h.hv / res->true_hv;
        if (res->n_history == cap_hist)
            res->history = hw_realloc(res->history, (size_t)(cap_hist *= 2) * sizeof *res->history);
        res->history[res->n_history++] = h;
        if (p->progress) {
            if (tty) fputs("\r\033[K", p->progress);
            search_print_row(p->progress, &h, isfinite(h.hv_ratio));
            if (tty) progress_bar(p->progress, gen, c->generations, h.measurements, c->max_measurements);
            fflush(p->progress);
        }
        int done = gen >= c->generations;
        if (c->max_measurements > 0 && h.measurements >= c->max_measurements) done = 1;
        if (c->stop_hv_ratio > 0 && isfinite(h.hv_ratio) && h.hv_ratio >= c->stop_hv_ratio - 1e-12) done = 1;
        if (p->true_front_n > 0 && c->stop_hv_ratio >= 1.0 && front_found(p, arch) == p->true_front_n) done = 1;
        if (done) break;
    }
    if (tty) fputs("\r\033[K", p->progress);
    search_history_row *last = &res->history[res->n_history - 1];
    res->generations = last->generation;
    res->measurements = last->measurements;
    res->front_size = last->front_size;
    res->hv = last->hv;
    res->hv_ratio = last->hv_ratio;
    res->wall_s = now_s() - t0;
    if (p->true_front_n > 0) res->true_front_found = front_found(p, arch);
    free(obj);
    free(cv);
    free(meas);
    nsga_free(e);
    *out_archive = arch;
    return 0;
fail:
    free(obj);
    free(cv);
    free(meas);
    nsga_free(e);
    pareto_archive_free(arch);
    search_result_free(res);
    return -1;
}

void search_result_free(search_result *r) {
    free(r->history);
    r->history = NULL;
    r->n_history = 0;
}
