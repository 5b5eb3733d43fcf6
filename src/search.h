/* search: the single-process search loop over the NSGA-II ask/tell engine,
 * with measured ground truth from an evaluator callback; keeps the global
 * Pareto archive, the hypervolume history and the stopping rules.
 *
 * Data flow per generation: nsga_ask -> evaluate (callback: objectives in
 * minimised form, violation, measured flags) -> nsga_tell -> feasible
 * measured points enter the archive -> HV / HV ratio -> history row and
 * progress line. The MPI engine (mpi/) runs one of these per island. */
#ifndef HW_SEARCH_H
#define HW_SEARCH_H

#include <stdint.h>
#include <stdio.h>

#include "nsga.h"
#include "search_config.h"

typedef struct search_history_row {
    int generation;
    long evaluations;   /* candidates evaluated so far (incl. repeats) */
    long measurements;  /* distinct architectures measured so far */
    int front_size;
    double hv;          /* NaN without a reference point */
    double hv_ratio;    /* NaN when the true front is unknown */
    double wall_s;
} search_history_row;

typedef struct search_result {
    int generations;
    long evaluations, measurements;
    int front_size;
    double hv, hv_ratio, true_hv;
    int true_front_size, true_front_found; /* 0 when unknown */
    double wall_s;
    int n_history;
    search_history_row *history; /* [n_history], malloc'd */
} search_result;

/* Evaluates n genomes: obj_min (n x m) in minimised form, cv (n), and
 * measured[i] = 1 for ground truth. Returns 0 or -1 (error set). */
typedef int (*search_eval_fn)(void *ctx, const hw_genome *g, int n, double *obj_min, double *cv, uint8_t *measured);
/* Current distinct-measurement count of the evaluator. */
typedef long (*search_count_fn)(void *ctx);

typedef struct search_problem {
    const search_config *cfg;
    const space *sp;
    search_eval_fn eval;
    search_count_fn count;
    void *ctx;
    /* Optional exact front (minimised, n x m) for HV ratio and coverage. */
    const double *true_front;
    const uint64_t *true_front_ids; /* genome hashes of the true front */
    int true_front_n;
    FILE *progress;                 /* NULL = silent */
} search_problem;

/* Runs the search to its stopping rule. *out_archive receives the final
 * archive (caller frees with pareto_archive_free); result->history is
 * malloc'd (free with search_result_free). */
int search_run(const search_problem *p, search_result *result, pareto_archive **out_archive);
void search_result_free(search_result *r);

/* Exact front of n points (minimised): writes indices of non-dominated
 * points into out_idx (caller allocates n), returns their count, or -1. */
int search_front_of(const double *pts, int n, int m, int *out_idx);

/* Prints one progress line for a history row. */
void search_print_row(FILE *f, const search_history_row *h, int has_ratio);

#endif
