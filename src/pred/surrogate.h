/* surrogate: one predictor per objective over the space's features, trained
 * on measured points and shared across ranks as one versioned byte blob.
 *
 * Features are pred_space_features() (space features plus, for nb201, the
 * live-op and critical-path features). Every objective's model is one
 * pred handle (pred.h) of the objective's kind: PRED_GP (exact Gaussian
 * process, the default of predictor mode: calibrated uncertainty at
 * 10..300 points), PRED_RF, PRED_XGB, or PRED_HELP (latency only: the HELP
 * meta-model help/help_nb201.bin of the data directory (hw_data.h) adapted
 * to the device from the measured reference archs plus every other
 * measured point; nb201 only).
 *
 * Targets are stored in minimised form (maximised objectives negated), so
 * predictions plug straight into NSGA-II. Until an objective has enough
 * data for a model (min_train rows), its prediction is the mean of what was
 * measured with a large standard deviation (so uncertainty-driven
 * policies measure it first). */
#ifndef HW_SURROGATE_H
#define HW_SURROGATE_H

#include <stddef.h>
#include <stdint.h>

#include "pred.h"
#include "space.h"

typedef struct surrogate surrogate;

typedef struct surrogate_params {
    int n_obj;
    pred_kind method[8];  /* per objective: PRED_GP, PRED_RF, PRED_XGB or PRED_HELP */
    int n_trees;          /* trees (RF) / rounds (XGB); 0 = pred default */
    int min_train;        /* rows before a model is fitted (>= 2) */
    uint8_t known[8];     /* 1: the objective's values are known without cost (never fitted: its
                             prediction stays the fallback mean; callers use the true value) */
    uint64_t seed;
} surrogate_params;

int surrogate_create(const space *sp, const surrogate_params *p, surrogate **out);
void surrogate_free(surrogate *s);

/* Adds the outcome of a measurement (ok 1: it yielded its values; 0: it
 * failed) to the feasibility model (pred_feas.h), fitted by surrogate_fit
 * and shipped in the blob. */
void surrogate_add_outcome(surrogate *s, const hw_genome *g, int ok);
/* p[i] = P(measuring g[i] yields a value); 1 everywhere without a model. */
void surrogate_feasible(const surrogate *s, const hw_genome *g, int n, double *p);
/* Adds a measured point (obj_min: n_obj minimised values, finite). */
void surrogate_add(surrogate *s, const hw_genome *g, const double *obj_min);
int surrogate_ntrain(const surrogate *s);
/* Refits every objective on all data; increments the version. */
int surrogate_fit(surrogate *s);
int surrogate_version(const surrogate *s);
/* mean/std are n x n_obj. */
void surrogate_predict(const surrogate *s, const hw_genome *g, int n, double *mean, double *std);

/* Models as one little-endian blob (hw_codec.h): "HWNASSUR", u32 format
 * version (3), u32 model version, u32 n_obj, then per objective u8 has
 * (0: fallback mean/std only, 1: a model), f64 mean, f64 std, u64 length,
 * pred_save bytes; then the feasibility model (pred_feas_put; format 2
 * blobs end before it and load without one). */
int surrogate_save(const surrogate *s, uint8_t **out, size_t *len);
/* Replaces the models with those of a blob; -1 on a malformed blob. Also
 * reads format 1 (the previous release's "HWSG" blob, whose GP models were
 * stored in their own "HWGP" format). */
int surrogate_load(surrogate *s, const uint8_t *buf, size_t len);

#endif
