/* pred_feas: the feasibility model of predictor mode: P(a measurement of
 * this candidate yields a value) over the predictors' features, learned
 * from the measurements made so far (failed ones: a board that gave up, a
 * table cell that is empty or one of missing_values).
 *
 * The classifier is an exact GP (pred.h, PRED_GP) regressed on a 0/1
 * target; P(feasible) is its mean clamped to [0, 1]. The majority outcome
 * is coded 1 (so the GP's winsorisation of the high side never clips a
 * class). No model (P = 1 everywhere) until there are min_train outcomes
 * of which at least one failed and one succeeded. */
#ifndef HW_PRED_FEAS_H
#define HW_PRED_FEAS_H

#include <stdint.h>

#include "hw_codec.h"
#include "pred.h"

typedef struct pred_feas pred_feas;

/* d features per row. */
pred_feas *pred_feas_create(int d);
void pred_feas_free(pred_feas *f);
/* One outcome: x (d features), ok 1 = a value, 0 = failed. */
void pred_feas_add(pred_feas *f, const float *x, int ok);
int pred_feas_count(const pred_feas *f, int *n_failed);
/* Refits on every outcome when there are min_train of them, both kinds. */
int pred_feas_fit(pred_feas *f, int min_train);
int pred_feas_has_model(const pred_feas *f);
/* p[i] = P(feasible) of row i of X (n x d); 1 without a model. */
void pred_feas_predict(const pred_feas *f, const float *X, int n, double *p);
/* The model as bytes: u8 has, u8 flip (1: the target was 1 - ok), u64
 * length, pred_save bytes; and its inverse (-1 with a message). */
int pred_feas_put(hw_wbuf *w, const pred_feas *f);
int pred_feas_get(hw_rbuf *r, pred_feas *f);
/* Moves src's model (or its absence) into dst; dst keeps its outcomes. */
void pred_feas_take_model(pred_feas *dst, pred_feas *src);

#endif
