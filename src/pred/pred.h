/* pred: the shared performance predictors (latency, energy, accuracy).
 *
 * One opaque handle type for every model, with one life cycle:
 * pred_fit (or pred_help_adapt for PRED_HELP) -> pred_predict (mean and
 * std per row) -> pred_save / pred_load (one versioned little-endian byte
 * format for every kind) -> pred_free. The kinds:
 *   PRED_RF   random forest trained by libxgboost (num_parallel_tree trees,
 *             one round, learning rate 1, row/column subsampling);
 *   PRED_XGB  gradient-boosted trees trained by libxgboost, optionally
 *             bagged (n_bags independently seeded boosters);
 *   PRED_GP   exact Gaussian process (Matern-5/2, hyperparameters by
 *             marginal likelihood over a fixed grid): calibrated
 *             uncertainty at 10..a few hundred training points;
 *   PRED_HELP the meta-learned latency predictor adapted to one device
 *             (built by pred_help_adapt() in pred_help.h, never by
 *             pred_fit()).
 * After training, xgboost's trees are exported (JSON model) into flat,
 * perfect-binary-tree arrays that this module traverses itself (branch-free,
 * several rows at a time), so prediction does not call xgboost and a model
 * loaded from its byte buffer predicts bit-identically.
 *
 * Uncertainty: a tree or HELP model is a set of M "members" (RF: each tree;
 * bagged GBT: each booster; HELP: the ensemble of adapted heads). mean =
 * average of the member predictions, std = their population standard
 * deviation (0 when M == 1). With log_target the members are averaged in
 * log space and mean = exp(mu), std = mean * sigma (delta method). The GP
 * (one member) gives its predictive mean and the standard deviation of a
 * new measurement (latent variance plus the fitted noise), with the same
 * log_target convention.
 *
 * GP details. Targets t (log y with log_target) are winsorised on the bad
 * side at Tukey's "far out" fence (t <= q3 + 3 IQR in minimised form: a
 * few catastrophic points, e.g. untrainable NB201 cells, would otherwise
 * inflate the signal variance and flatten every prediction), standardised,
 * and modelled as f(x) + noise, f ~ GP(0, Matern-5/2(|x - x'| / l)); l and
 * the noise variance maximise the marginal likelihood over a fixed grid
 * (deterministic, no optimiser). Fit O(G n^3) for G grid points; predict
 * O(n d + n^2) per row through OpenBLAS (reproducible at a fixed thread
 * count). A saved GP carries its training inputs.
 *
 * Threads: nthread is passed to xgboost explicitly; prediction is
 * single-threaded per call (callers parallelise over ranks). */
#ifndef HW_PRED_H
#define HW_PRED_H

#include <stddef.h>
#include <stdint.h>

typedef struct pred pred;

typedef enum pred_kind { PRED_RF = 1, PRED_XGB = 2, PRED_HELP = 3, PRED_GP = 4 } pred_kind;

/* Trees are stored as perfect binary trees of depth <= PRED_MAX_DEPTH. */
#define PRED_MAX_DEPTH 12
/* Serialized format version (pred_save / pred_load). Adding a kind does
 * not change the bytes of the others, so version 1 files still load. */
#define PRED_FORMAT_VERSION 1

typedef struct pred_params {
    pred_kind kind;          /* PRED_RF, PRED_XGB or PRED_GP (the GP uses only log_target) */
    int n_trees;             /* RF: num_parallel_tree; XGB: boosting rounds */
    int n_bags;              /* XGB only: independently seeded boosters (>= 1) */
    int max_depth;           /* 1..PRED_MAX_DEPTH */
    double eta;              /* XGB learning rate (RF uses 1) */
    double subsample;        /* row subsample per tree (0, 1] */
    double colsample_bynode; /* column subsample per split (0, 1] */
    double min_child_weight;
    double lambda;           /* L2 on leaf weights */
    int log_target;          /* 1: fit log(y) (y must be > 0) */
    int nthread;             /* xgboost threads (>= 1) */
    uint64_t seed;
} pred_params;

/* Defaults: RF 100 trees depth 10 subsample 0.8 colsample 0.6;
 * XGB (and the unused tree fields of GP) 500 rounds eta 0.05 depth 6
 * subsample 0.8 colsample 0.8 1 bag; log_target 0, nthread 1, seed 1. */
void pred_params_default(pred_kind kind, pred_params *p);
/* Parses "rf" / "xgb" / "gp" / "help"; -1 with a message otherwise. */
int pred_kind_parse(const char *s, pred_kind *out);
const char *pred_kind_name(pred_kind k);

/* Trains a tree model or a GP (p->kind) on X (n x d, row-major floats,
 * finite) and y (n, finite; > 0 with log_target). Fails (-1, message) on
 * bad parameters, PRED_HELP (use pred_help_adapt), too few rows (n < 2),
 * non-finite values, an xgboost error or a GP kernel matrix that is not
 * positive definite. */
int pred_fit(const pred_params *p, const float *X, const double *y, int n, int d, pred **out);

/* mean[i], std[i] for each of the n rows of X (n x d, d = pred_nfeatures).
 * std may be NULL. Never fails for a valid model. */
void pred_predict(const pred *m, const float *X, int n, double *mean, double *std);

void pred_free(pred *m);
pred_kind pred_get_kind(const pred *m);
int pred_nfeatures(const pred *m);
/* Number of members (trees for RF, 1 for GP) and of trees in total (0 for
 * GP and HELP). */
int pred_nmembers(const pred *m);
int pred_ntrees(const pred *m);

/* Serializes to a fresh malloc'd buffer (little-endian, versioned, with a
 * checksum); caller frees *out_buf. */
int pred_save(const pred *m, uint8_t **out_buf, size_t *out_len);
/* Inverse of pred_save. Rejects (-1, message) buffers that are truncated,
 * corrupted, not a model, or of another format version. */
int pred_load(const uint8_t *buf, size_t len, pred **out);
/* File wrappers: temp file + fsync + rename; messages name the path. */
int pred_save_file(const pred *m, const char *path);
int pred_load_file(const char *path, pred **out);

/* Test hook: predictions of xgboost itself for the model just trained by
 * pred_fit with the same arguments (averaged like pred_predict's mean).
 * Used to check the exported trees against xgboost. */
int pred_fit_xgb_reference(const pred_params *p, const float *X, const double *y, int n, int d,
                           const float *Xq, int nq, double *out_mean);

/* --- features ---------------------------------------------------------- */
struct space;
struct hw_genome;
/* The predictors' feature vector of a genome: space_features() followed,
 * for nb201, by 30 derived "live op" indicators (edge e carries op k and
 * lies on an input->output path of non-none edges), 4 critical-path
 * features (longest live path counted in edges, in convolutions, in 3x3
 * convolutions, and live node count). Other spaces: space_features() only.
 * Every caller (CLI, MPI engine) must use this function so models see the
 * same features they were trained on. */
int pred_space_nfeatures(const struct space *s);
void pred_space_features(const struct space *s, const struct hw_genome *g, float *out);

/* --- PRED_HELP plumbing (implemented in pred_help.c) ---------------------- */
struct pred_help_dev;
/* Wraps an adapted help device model (ownership moves to the pred). */
pred *pred_wrap_help(struct pred_help_dev *dev);

#endif
