/* pred_help: a HELP-style meta-learned latency predictor (Lee et al., NeurIPS
 * 2021), on OpenBLAS.
 *
 * Model. An MLP body phi(x) = [relu(W2 relu(W1 xn + b1) + b2), 1] maps the
 * standardised architecture features xn to H+1 basis functions. A device is
 * a linear head w over them, predicting the device-normalised log latency
 *   t = (log lat - mu_dev) / sd_dev,
 * where mu_dev, sd_dev are the mean / std of the log latencies of the
 * device's reference architectures (HELP's 10 reference archs). The
 * hardware embedding e (the 10 reference latencies normalised the same
 * way) sets the head's prior w0(e) = A e + c.
 *
 * Adaptation to a device (the inner loop) is closed form: the head is the
 * proximal ridge solution
 *   w = argmin sum_i (phi(x_i).w - t_i)^2 + lambda |w - w0(e)|^2
 * over the support set = the k measured samples PLUS the reference archs
 * (their latencies are known: they are the embedding).
 *
 * Meta-training (outer loop) is MAML with this closed-form inner solver
 * (as in R2-D2 / iMAML-proximal): episodes draw a meta-train device, a
 * support set and a query set; the query loss is backpropagated exactly
 * through the ridge solution into the body, the prior (A, c) and
 * log lambda; Adam. An ensemble of M independently seeded meta-models
 * gives the uncertainty (spread of the members).
 *
 * Missing reference latencies (NaN, e.g. TX2 lacks NB201 arch 9): the
 * embedding entry is first set to its meta-train mean, the head adapted,
 * then the entry is replaced by the adapted model's own prediction for that
 * reference arch and the head re-adapted; the missing arch is never a
 * support sample. Meta-training drops a random reference with probability
 * 0.2 to make the model robust to this. At least 2 reference latencies are
 * required.
 *
 * Deterministic for a seed (single-threaded OpenBLAS by default; the thread
 * count is set with openblas_set_num_threads from the config). */
#ifndef HW_PRED_HELP_H
#define HW_PRED_HELP_H

#include <stddef.h>
#include <stdint.h>

#include "pred.h"

#define PRED_HELP_FORMAT_VERSION 1
#define PRED_HELP_MAX_REF 32

typedef struct pred_help_meta pred_help_meta;

typedef struct pred_help_cfg {
    int hidden1, hidden2; /* body widths (H = hidden2) */
    int members;          /* ensemble size */
    int steps;            /* outer Adam steps per member */
    int tasks_per_step;   /* devices (episodes) per outer step */
    int support;          /* random support samples per episode (plus refs) */
    int query;            /* query samples per episode */
    double lr;            /* Adam learning rate */
    double lambda0;       /* initial ridge strength (meta-learned) */
    double drop_ref;      /* probability of masking one reference per episode */
    double synth;         /* probability that an episode's device is synthetic:
                             an additive cost model with random non-negative
                             per-feature costs (task augmentation; off when
                             some feature is negative) */
    int nthread;          /* OpenBLAS threads */
    uint64_t seed;
} pred_help_cfg;

/* hidden 64/32, 5 members, 3000 steps x 4 tasks, support 10, query 100,
 * lr 2e-3, lambda0 1, drop_ref 0.2, synth 0 (see docs/predictors.md), nthread 1,
 * seed 1. */
void pred_help_cfg_default(pred_help_cfg *c);

/* Meta-trains on X (n, d) architecture features, lat (n_dev, n) latencies
 * in ms (> 0, finite), ref_rows (n_ref) the rows of X that are the
 * reference archs (their indices ref_ids are stored for users), dev_names
 * (n_dev) recorded in the model. */
int pred_help_meta_train(const pred_help_cfg *c, const float *X, int n, int d, const double *lat, int n_dev,
                    const char *const *dev_names, const int *ref_rows, const int64_t *ref_ids, int n_ref,
                    pred_help_meta **out);
void pred_help_meta_free(pred_help_meta *m);
int pred_help_meta_nfeatures(const pred_help_meta *m);
int pred_help_meta_nref(const pred_help_meta *m);
/* Space index (e.g. NB201 arch index) of reference arch j. */
int64_t pred_help_meta_ref_id(const pred_help_meta *m, int j);
/* Seconds spent in pred_help_meta_train (0 for a loaded model). */
double pred_help_meta_train_seconds(const pred_help_meta *m);
/* Human-readable summary (devices, sizes, lambda) into buf. */
void pred_help_meta_describe(const pred_help_meta *m, char *buf, size_t n);
/* 1 if m was meta-trained on exactly the devices names[0..n) (the names
 * given to pred_help_meta_train, in any order), else 0. */
int pred_help_meta_trained_on(const pred_help_meta *m, const char *const *names, int n);

/* Versioned, checksummed byte buffer / file (temp + fsync + rename). */
int pred_help_meta_save(const pred_help_meta *m, uint8_t **out_buf, size_t *out_len);
int pred_help_meta_load(const uint8_t *buf, size_t len, pred_help_meta **out);
int pred_help_meta_save_file(const pred_help_meta *m, const char *path);
int pred_help_meta_load_file(const char *path, pred_help_meta **out);

/* Adapts to one device: ref_lat (n_ref) its latencies (ms) on the reference
 * archs, NaN where not measured; Xs (k, d) / ys (k) its other measured
 * samples (k may be 0). Returns a PRED_HELP predictor (pred_predict gives
 * latency in ms and the ensemble spread; pred_save / pred_load work).
 * Fails if fewer than 2 reference latencies are given or values are not
 * finite and > 0. */
int pred_help_adapt(const pred_help_meta *m, const double *ref_lat, const float *Xs, const double *ys, int k, pred **out);

#endif
