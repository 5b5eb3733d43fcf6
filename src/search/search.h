/* search: what a search reports (per-generation history, final result)
 * and the problem data the engine (mpi/engine.h) is given: the config, the
 * space, and the exact front when the tables allow computing it. */
#ifndef HW_SEARCH_H
#define HW_SEARCH_H

#include <stdint.h>
#include <stdio.h>

#include "nsga.h"
#include "search_config.h"

typedef struct search_history_row {
    int generation;
    long evaluations;   /* candidates evaluated so far (incl. repeats) */
    long measurements;  /* distinct architectures measured so far (that cost) */
    long failed;        /* of which failed: a costed value missing */
    double board_s;     /* seconds charged so far (boards, tables, fine-tuning) */
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
    int true_front_size, true_front_found; /* 0 when unknown; distinct points inside the reference box */
    int true_front_outside;                /* true-front points outside the reference box (not counted above) */
    long failed, free_lookups;             /* failed measurements; free lookups (cost: free values read) */
    double wall_s;
    int n_history;
    search_history_row *history; /* [n_history], malloc'd */
} search_result;

typedef struct search_problem {
    const search_config *cfg;
    const space *sp;
    /* Optional exact front (minimised, n x m) for HV ratio and coverage. */
    const double *true_front;
    const uint64_t *true_front_ids; /* genome hashes of the true front */
    int true_front_n;
    /* search_front_classes of the true front: class of each point (-1:
     * outside the reference box), number of classes, points outside */
    const int *true_front_class;
    int true_front_classes, true_front_outside;
    FILE *progress;                 /* NULL = silent */
} search_problem;

void search_result_free(search_result *r);

/* Exact front of n points (minimised): writes indices of non-dominated
 * points into out_idx (caller allocates n), returns their count, or -1. */
int search_front_of(const double *pts, int n, int m, int *out_idx);

/* Groups the points of a front (n x m, minimised) that are one point: the
 * same in every objective up to a relative tolerance of 1e-9 of the
 * objective's range over the front (floating-point noise such as 94.09 vs
 * 94.08999999999999, and exact duplicates). cls[i] gets the class of point
 * i (0..classes-1), or -1 when ref (minimised; NULL: no box) does not
 * strictly dominate it (outside the reference box: it adds nothing to the
 * hypervolume). Returns the number of classes; *outside (may be NULL) the
 * points outside the box. */
int search_front_classes(const double *front, int n, int m, const double *ref, int *cls, int *outside);

/* The exact front of a table-evaluated problem: the non-dominated set of
 * the feasible rows of T's joined table (eval_table_all_feasible), m
 * objectives, minimised. *out_front (k x m) and *out_g (k genomes, NULL
 * not wanted) are malloc'd; *out_n = k; *out_feasible (NULL not wanted)
 * gets how many feasible rows the front was taken from; -1 with a message
 * on failure. */
struct eval_table;
int search_true_front(const struct eval_table *t, int m, double **out_front, hw_genome **out_g, int *out_n,
                      int *out_feasible);

/* Prints one progress line for a history row. */
void search_print_row(FILE *f, const search_history_row *h, int has_ratio);

#endif
