/* surrogate: one predictor per objective over the space's features, trained
 * on measured points and shared across ranks as one versioned byte blob.
 *
 * Features are pred_space_features() (space features plus, for nb201, the
 * live-op and critical-path features). Methods per objective: PRED_RF,
 * PRED_XGB (pred.h), SURR_GP (surrogate_gp.h: exact Gaussian process, the
 * default of predictor mode: calibrated uncertainty at 10..300 points) and
 * PRED_HELP (latency only: the HELP meta-model of $HWNAS_DATA/help/
 * help_nb201.bin adapted to the device from the measured reference archs
 * plus every other measured point; nb201 only).
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

/* Method code of the Gaussian process (beside pred_kind's 1..3). */
#define SURR_GP 16

typedef struct surrogate_params {
    int n_obj;
    int method[8];        /* per objective: PRED_RF, PRED_XGB, PRED_HELP or SURR_GP */
    int n_trees;          /* trees (RF) / rounds (XGB); 0 = pred default */
    int min_train;        /* rows before a model is fitted (>= 2) */
    uint64_t seed;
} surrogate_params;

int surrogate_create(const space *sp, const surrogate_params *p, surrogate **out);
void surrogate_free(surrogate *s);

/* Adds a measured point (obj_min: n_obj minimised values, finite). */
void surrogate_add(surrogate *s, const hw_genome *g, const double *obj_min);
int surrogate_ntrain(const surrogate *s);
/* Refits every objective on all data; increments the version. */
int surrogate_fit(surrogate *s);
int surrogate_version(const surrogate *s);
/* mean/std are n x n_obj. */
void surrogate_predict(const surrogate *s, const hw_genome *g, int n, double *mean, double *std);

/* Models as one blob: version, then per objective a kind byte (0 fallback
 * mean/std only, 1 pred_save bytes, 2 sgp_save bytes: a GP carries its
 * training inputs). */
int surrogate_save(const surrogate *s, uint8_t **out, size_t *len);
/* Replaces the models with those of a blob; -1 on a malformed blob. */
int surrogate_load(surrogate *s, const uint8_t *buf, size_t len);

#endif
