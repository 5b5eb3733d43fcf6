/* accel_codesign: joint search of a network and its accelerator.
 *
 * A codesign object joins an architecture space with the accel space
 * through the product space: nb201 (accuracy from a table keyed by
 * arch_index) or bert (a config's choice lists; accuracy from a table keyed
 * by the canonical arch string, e.g. data/bert_sst2_cpu, its layers from
 * layers_bert at the config's sequence length); each
 * candidate (arch, accelerator) is evaluated with the analytic cost model:
 *   objectives (minimised): -accuracy [%], latency [ms], energy [mJ]
 *   constraints: area <= area budget, latency <= latency budget
 *   (cv = sum of relative excesses, 0 when feasible).
 * Three strategies, each given the same number of evaluations:
 *   joint      NSGA-II over the product space;
 *   two_stage  NSGA-II over architectures on the default accelerator
 *              (stage1_fraction of the budget), then NSGA-II over the accel
 *              space for `networks` networks picked along the stage-1 front
 *              (the rest of the budget, split evenly);
 *   fixed      NSGA-II over architectures on the default accelerator.
 * Every evaluated candidate is recorded; fronts, hypervolume and "energy at
 * equal accuracy" are computed from these records.
 *
 * The search loop (codesign_run) takes the engine parameters so that a
 * caller (e.g. the MPI island engine) can reuse it. */
#ifndef HW_ACCEL_CODESIGN_H
#define HW_ACCEL_CODESIGN_H

#include <stdint.h>

#include "accel.h"
#include "nsga.h"
#include "space.h"

typedef enum { CODESIGN_JOINT = 0, CODESIGN_TWO_STAGE, CODESIGN_FIXED, CODESIGN_NSTRATEGIES } codesign_strategy;
extern const char *const codesign_strategy_names[CODESIGN_NSTRATEGIES]; /* "joint", "two_stage", "fixed" */

#define CODESIGN_MAX_SEEDS 32
#define CODESIGN_MAX_TARGETS 16

typedef enum { CODESIGN_NB201 = 0, CODESIGN_BERT } codesign_arch_space;

typedef struct codesign_cfg {
    codesign_arch_space arch_space; /* nb201 (default) or bert */
    bert_space_cfg bert;           /* bert: the choice lists (the table's space) */
    int seq_len;                   /* bert: tokens per sequence in the layer list (default 128) */
    char acc_table[1024];          /* CSV: arch_index (nb201) or arch (bert) and the accuracy column */
    char acc_column[64];
    int batch;                     /* inference batch (default 1) */
    accel_space_cfg accel_space;
    accel_cfg default_accel;       /* fixed / two-stage hardware; must be in accel_space */
    double area_budget_mm2;        /* <= 0: no area constraint */
    double latency_budget_ms;      /* <= 0: no latency constraint */
    int evaluations;               /* per strategy and seed */
    nsga_params engine;            /* pop_size, p_crossover, p_mutation, novelty_tries (seed per run) */
    int n_seeds;
    uint64_t seeds[CODESIGN_MAX_SEEDS];
    double stage1_fraction;        /* two-stage: share of the budget for the network search */
    int stage2_networks;           /* two-stage: networks whose accelerator is tuned */
    double hv_ref_acc, hv_ref_latency_ms, hv_ref_energy_mj; /* hypervolume reference point */
    int n_targets;
    double acc_targets[CODESIGN_MAX_TARGETS]; /* "energy at equal accuracy" levels, % */
} codesign_cfg;

/* Defaults for every field except the table path (empty). */
void codesign_cfg_default(codesign_cfg *c);
/* Loads a codesign YAML config (data/configs/codesign-nb201.yaml documents
 * the keys); relative paths resolve against the file's directory. Unknown
 * keys, wrong types and a default accelerator outside the space are errors
 * "FILE:LINE: key 'x': ...". */
int codesign_cfg_load(const char *path, codesign_cfg *out);

/* Builds the config's product space (arch x accel), the genome space of
 * codesign_eval, for callers that run their own engine. */
int codesign_cfg_space(const codesign_cfg *c, space **out);

typedef struct codesign_point {
    hw_genome g;          /* product genome: arch genes, then accel genes */
    double acc;           /* % */
    double latency_ms, energy_mj, area_mm2;
    double cv;            /* 0 = feasible */
} codesign_point;

typedef struct codesign_result {
    codesign_point *pts;  /* [n] every evaluation, in order (malloc'd) */
    int n, cap;
} codesign_result;
void codesign_result_free(codesign_result *r);

typedef struct codesign codesign;

/* Builds the arch x accel product space and loads the accuracy table
 * (bert: every row's arch must parse in the config's space, no duplicates). */
int codesign_create(const codesign_cfg *cfg, codesign **out);
void codesign_free(codesign *cd);
const space *codesign_space(const codesign *cd);    /* the product space */
const codesign_cfg *codesign_config(const codesign *cd);

/* Evaluates one product genome (no allocation once warmed up). */
int codesign_eval(codesign *cd, const hw_genome *g, codesign_point *out);
/* Minimised objective vector (-acc, latency, energy) of a point. */
void codesign_objectives(const codesign_point *p, double out[3]);

/* Runs one strategy with the engine parameters *engine (engine->seed is the
 * run's seed) for `evaluations` evaluations; appends every evaluation to
 * *out (which may already hold points). */
int codesign_run(codesign *cd, codesign_strategy st, const nsga_params *engine, int evaluations,
                 codesign_result *out);

/* Hypervolume of the feasible points, objectives normalised as
 * ((100 - acc) / (100 - ref_acc), latency / ref_latency, energy / ref_energy)
 * with reference point (1, 1, 1): the dominated fraction of the unit cube. */
int codesign_hv(const codesign *cd, const codesign_result *r, double *out_hv);
/* Lowest energy (mJ) of a feasible point with accuracy >= target; +INF if none. */
double codesign_energy_at_acc(const codesign_result *r, double target);
/* Indices (into r->pts) of the feasible non-dominated points; *out malloc'd. */
int codesign_front(const codesign_result *r, int **out_idx, int *out_n);

#endif
