/* search_config: the `hwnas search` configuration (YAML; every key is
 * documented in docs/config.md). Parsing is strict: unknown keys, wrong
 * types and out-of-range values fail with "FILE:LINE: key 'x': ...". */
#ifndef HW_SEARCH_CONFIG_H
#define HW_SEARCH_CONFIG_H

#include <stdint.h>

#include "accel_codesign.h"
#include "space.h"
#include "yconf.h"

#define HW_MAX_OBJ 8
#define HW_MAX_CONSTRAINTS 8
#define HW_MAX_TABLES 8
#define HW_NAME_MAX 64
#define HW_MAX_MISSING 8

typedef enum { OBJ_MINIMIZE = 0, OBJ_MAXIMIZE = 1 } obj_direction;

typedef struct objective_cfg {
    char name[HW_NAME_MAX];   /* e.g. "accuracy", "latency_ms" */
    obj_direction direction;
    char source[HW_NAME_MAX]; /* table column holding the ground truth */
    char device[HW_NAME_MAX]; /* device whose boards measure it ("" = none) */
    int free_cost;            /* cost: free: a table value known at no cost (looked up for every
                                 candidate, never a measurement, never predicted) */
    int n_missing;            /* missing_values: table cells that mark a failed measurement */
    double missing[HW_MAX_MISSING];
} objective_cfg;

typedef enum { CON_LE = 0, CON_GE = 1, CON_LT = 2, CON_GT = 3 } constraint_op;

typedef struct constraint_cfg {
    char text[128];           /* as written, e.g. "latency_ms <= 5" */
    char name[HW_NAME_MAX];   /* an objective name or a table column */
    constraint_op op;
    double bound;
} constraint_cfg;

/* table: every candidate measured (ground truth from the tables);
 * predictor: candidates scored by the shared surrogate, ground truth only
 * for the candidates active learning picks. */
typedef enum { EVAL_TABLE = 0, EVAL_PREDICTOR = 1 } evaluator_kind;

typedef enum { POLICY_HV = 0, POLICY_UNCERTAINTY = 1, POLICY_BOUNDARY = 2, POLICY_EHVI = 3 } al_policy;
typedef enum { TOPO_RING = 0, TOPO_FULL = 1, TOPO_RANDOM = 2 } mig_topology;

typedef struct search_config {
    ycfg *doc;                  /* owns the parsed text (kept for run files) */
    /* space */
    char space_name[HW_NAME_MAX];
    bert_space_cfg bert;        /* when space_name is "bert" */
    int bert_given;             /* space.bert was written (else: the supernet's space with finetune, the default without) */
    int codesign;               /* space "codesign": (nb201 network, accelerator) */
    codesign_cfg cd;            /* its co-design config (docs/codesign.md) */
    /* objectives and constraints */
    int n_obj;
    objective_cfg obj[HW_MAX_OBJ];
    int n_con;
    constraint_cfg con[HW_MAX_CONSTRAINTS];
    /* algorithm */
    int population, offspring, generations;
    long max_measurements;      /* 0 = unlimited: measurements that cost (objective_costs) */
    double max_board_hours;     /* 0 = unlimited: charged board seconds / 3600 (fine-tuning aside) */
    double p_crossover, p_mutation;
    int novelty_tries;
    uint64_t seed;
    double stop_hv_ratio;       /* stop once reached (table mode); 0 = off */
    /* evaluator */
    evaluator_kind evaluator;
    int n_tables;
    char *tables[HW_MAX_TABLES]; /* resolved paths */
    char key[HW_NAME_MAX];       /* join column: arch_index or arch_str */
    double measure_cost_s;       /* board seconds one measurement costs */
    double measure_delay_s;      /* benchmark aid: wall seconds one table measurement takes */
    int measure_delay_boards;    /* ... on this many boards in parallel (default 1) */
    /* predictor mode (evaluator.kind: predictor) */
    int pred_method[HW_MAX_OBJ]; /* pred_kind (pred.h) per objective */
    int pred_trees, pred_min_train;
    int initial;                 /* initial design size (HELP ref archs first) */
    int per_generation;          /* measurements proposed per island per generation */
    al_policy policy;
    double beta;                 /* optimism: mean - beta * std */
    long pool_enumerate;         /* spaces up to this size: all archs are candidates */
    double feasible_min;         /* candidates with P(feasible) below this are not proposed */
    /* proxy fine-tuning: objectives with source finetune / finetune_f1 */
    int use_finetune;
    char *ft_supernet, *ft_train, *ft_eval, *ft_vocab; /* resolved paths */
    long ft_steps, ft_eval_max;
    int ft_batch;
    double ft_lr;
    uint64_t ft_seed;
    /* boards: objectives with a device are measured by board agents */
    int use_boards;
    char *board_bind, *board_key, *board_allow; /* endpoint, key pair file, allow-list file */
    int board_dead_ms, board_timeout_ms, board_attempts;
    double board_wait_s;         /* how long to wait for a board of a device */
    int n_board_cfgs;            /* boards.configs: the board configs that will serve the search */
    char *board_cfgs[HW_MAX_TABLES]; /* resolved paths */
    /* islands (MPI) */
    int mig_interval, mig_count;
    mig_topology topology;
    int mig_replace;             /* nsga_replace_policy */
    int sync;                    /* deterministic lock-step rounds */
    /* hypervolume */
    int has_ref;
    double ref[HW_MAX_OBJ];      /* in objective units (e.g. accuracy 85) */
    int true_front;              /* compute the exact front from the table */
    /* output */
    char *out_dir;
    char *front_csv;             /* resolved path */
    char *run_file;              /* HDF5 run file (checkpoints), "" = none */
    char cli_overrides[256];     /* hwnas search flags that changed the budget or reference point, as
                                    "--max-measurements N --reference A,B" ("" = none): kept in run files */
    char *progress_file;         /* output.progress: JSON-lines progress log (resolved), "" = none */
    int ckpt_every_gens;         /* 0 = off */
    double ckpt_every_minutes;   /* 0 = off */
} search_config;

/* Parses PATH into *out (allocated). */
int search_config_load(const char *path, search_config **out);
/* Same from TEXT (e.g. the config stored in a run file); NAME stands for
 * the file in messages and its directory resolves relative paths. */
int search_config_parse(const char *name, const char *text, search_config **out);
void search_config_free(search_config *c);
/* Index of a co-design source (accuracy, latency_ms, energy_mJ,
 * area_mm2), or -1. */
int codesign_source(const char *src);
/* Creates the space the config names. */
int search_config_space(const search_config *c, space **out);

/* Objective value in minimised form (maximised objectives are negated). */
static inline double objective_to_min(const objective_cfg *o, double v) {
    return o->direction == OBJ_MAXIMIZE ? -v : v;
}
/* 1 if a value of objective o costs (not `cost: free`). */
static inline int objective_costs(const objective_cfg *o) { return !o->free_cost; }
/* 1 if a measurement of the config's candidates costs anything (some
 * objective is not free); candidates whose objectives are all free are
 * lookups, not measurements. */
int search_config_costs(const search_config *c);
/* 1 if v is one of o's missing_values (a failed measurement). */
int objective_missing_value(const objective_cfg *o, double v);
/* Violation amount of one constraint for value v (0 when satisfied). */
double constraint_violation(const constraint_cfg *c, double v);
/* Total violation of the constraints on objectives for raw objective values
 * (natural units, n_obj of them): +INF if any value is missing (NaN). */
double objectives_violation(const search_config *c, const double *raw);

#endif
