/* pred_fewshot: HELP's few-shot evaluation protocol for latency predictors
 * on NAS-Bench-201 (Lee et al., NeurIPS 2021; HELP's loader.py with
 * remove_outlier), for every predictor kind.
 *
 * Sets. lat[i] is the device's latency of NB201 index i (NaN = not
 * measured, skipped). Of the indices 0..899 with a latency, sorted by
 * latency (ties by index), the sorted positions [floor(0.1 m),
 * floor(0.9 m)) form the sample pool (m = their count; 720 archs for a full
 * column); the same construction on 900..1899 gives the query (800).
 *
 * Draws. Draw s = 1..S shuffles the pool with xoshiro seeded s and takes
 * the first `shots` archs; a model is fitted on them (pred_fit with the
 * given parameters and seed s, or pred_help_adapt with the meta-model and
 * the device's reference latencies, which are extra support points), and
 * scored by the Spearman rank correlation of its predicted means with the
 * query latencies.
 *
 * Use: pred_fewshot_create (the sets) -> pred_fewshot_run (the draws) ->
 * pred_fewshot_free. */
#ifndef HW_PRED_FEWSHOT_H
#define HW_PRED_FEWSHOT_H

#include <stdint.h>

#include "pred.h"
#include "pred_help.h"

/* The pool and query index ranges of HELP's NB201 split. */
#define PRED_FEWSHOT_POOL_BEGIN 0
#define PRED_FEWSHOT_POOL_END 900
#define PRED_FEWSHOT_QUERY_BEGIN 900
#define PRED_FEWSHOT_QUERY_END 1900

typedef struct pred_fewshot pred_fewshot;

typedef struct pred_fewshot_cfg {
    pred_kind kind;              /* the model fitted per draw */
    int shots;                   /* pool archs per draw (1..npool) */
    int seeds;                   /* draws S (>= 1) */
    pred_params params;          /* rf / xgb / gp: fit parameters (the seed is the draw's) */
    const pred_help_meta *meta;  /* help: the meta-model */
    const double *ref_lat;       /* help: (nref) the device's reference latencies, NaN = missing */
} pred_fewshot_cfg;

/* HELP's sets (above) over lat (n_index, n_index >= 1900): -1 with a
 * message when a set comes out empty. */
int pred_fewshot_create(const double *lat, int64_t n_index, pred_fewshot **out);
void pred_fewshot_free(pred_fewshot *fs);
int pred_fewshot_npool(const pred_fewshot *fs);
int pred_fewshot_nquery(const pred_fewshot *fs);

/* Runs the draws of c: X (rows, d) the architectures' features, row_of
 * (n_index) the row of X of each index (every pool and query index must
 * have one). rho (c->seeds) gets each draw's Spearman rho; *seconds (may
 * be NULL) the wall time of all draws. -1 with a message on bad
 * parameters (shots above the pool size) or a failed fit. */
int pred_fewshot_run(const pred_fewshot *fs, const pred_fewshot_cfg *c, const float *X, const int *row_of, int d,
                     double *rho, double *seconds);

/* The construction of one set pair, exposed for tests: of the indices in
 * [pool_begin, pool_end) with a latency, sorted by latency (ties by index),
 * the positions [floor(0.1 m), floor(0.9 m)) form the pool; the query is
 * built the same way from [query_begin, query_end). pool / query need room
 * for the range sizes. Fails if a set comes out empty or a range exceeds
 * n_index. */
int pred_fewshot_sets(const double *lat, int64_t n_index, int pool_begin, int pool_end, int query_begin,
                      int query_end, int *pool, int *out_npool, int *query, int *out_nquery);

#endif
