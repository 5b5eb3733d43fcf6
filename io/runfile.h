/* runfile: the HDF5 run file of a search (schema in docs/hdf5-schema.md).
 *
 * A run_snapshot is a plain in-memory picture of everything a search needs
 * to continue exactly: config text, objectives, every island's population
 * and serialized NSGA engine, the global Pareto archive, every evaluated
 * point, predictor training sets and models, the per-generation history,
 * the dispatcher's queue, every rank's PRNG state and the measurements
 * journaled since the last checkpoint. The engine fills one (on rank 0,
 * after gathering the islands) and hands it to ckpt_write (ckpt.h);
 * runfile_read / ckpt_resume give one back.
 *
 * Memory: everything reachable from a snapshot returned by runfile_read is
 * heap memory freed by run_snapshot_free. A caller that fills a snapshot
 * itself may point into its own memory and never call run_snapshot_free,
 * or hw_malloc everything and call it. Arrays are row-major; a count of 0
 * allows a NULL pointer. */
#ifndef HW_RUNFILE_H
#define HW_RUNFILE_H

#include <stddef.h>
#include <stdint.h>

/* Bumped on any incompatible schema change; readers refuse other values. */
#define RUNFILE_FORMAT_VERSION 1

/* A set of architectures with their objective values. Used for island
 * populations, the Pareto archive and the table of all evaluated points.
 * Optional arrays (NULL allowed) are marked; the writer omits them and the
 * reader returns NULL when the file has none. */
typedef struct run_points {
    int n;
    int16_t *genomes;    /* n x ngenes */
    char **strings;      /* n canonical strings (space_to_string) */
    double *obj;         /* n x nobj, in the objectives' own direction */
    uint8_t *measured;   /* n x nobj: 1 measured on a board, 0 predicted; optional (NULL = all measured) */
    double *cv;          /* n constraint violations (0 = feasible); optional */
    int32_t *generation; /* n: generation the point was evaluated in; optional */
    int32_t *island;     /* n: island that evaluated it; optional */
    double *pred_mean;   /* n x nobj: surrogate mean when proposed, objectives' own direction; NaN where
                            nothing was predicted; optional */
    double *pred_std;    /* n x nobj: its standard deviation; optional */
} run_points;

typedef struct run_island {
    int64_t generation;            /* nsga_generation(): 0-based index of the current population */
    run_points pop;                /* the population (measured and cv present) */
    unsigned char *engine_state;   /* nsga_serialize() bytes */
    size_t engine_state_len;
    uint64_t rng[4];               /* the island's PRNG (hw_rng.s) */
} run_island;

/* One training set of a predictor: rows of (features, measured value) for
 * one target on one device, with where each value came from. */
typedef struct run_trainset {
    char *target;        /* e.g. "latency_ms" */
    char *device;        /* e.g. "tx2" */
    int n, d;            /* rows, feature dimension */
    float *features;     /* n x d */
    double *values;      /* n */
    char **arch;         /* n canonical strings */
    char **board;        /* n board ids */
    char **runner;       /* n runner names */
    double *t_start;     /* n, Unix time (s) the measurement started */
    double *t_end;       /* n */
} run_trainset;

/* A trained predictor: opaque serialized bytes (e.g. XGBoost UBJSON). */
typedef struct run_model {
    char *target;
    char *device;
    int64_t version;     /* increases each time the model is retrained */
    unsigned char *bytes;
    size_t len;
} run_model;

typedef struct run_history_row {
    int64_t generation;
    int64_t measurements; /* board measurements completed so far (cumulative) */
    double hv;            /* hypervolume of the measured front */
    double hv_ratio;      /* hv / hv of the true front; NaN if unknown */
    int64_t front_size;
    double wall_s;        /* wall time since the run started (s), across resumes */
} run_history_row;

enum { RUN_JOB_PENDING = 0, RUN_JOB_INFLIGHT = 1 };

/* A dispatcher job that was queued or running on a board at checkpoint time:
 * on resume the engine re-queues them (results of in-flight jobs that
 * arrived meanwhile are in the journal). */
typedef struct run_job {
    uint64_t id;
    char *device;
    char *arch;           /* canonical string */
    int32_t priority;
    int32_t state;        /* RUN_JOB_PENDING or RUN_JOB_INFLIGHT */
} run_job;

/* One board measurement, as journaled (journal.h) and stored under
 * /journal until the engine folds it into a training set. */
typedef struct run_measurement {
    uint64_t seq;         /* 1, 2, ... in arrival order over the whole run */
    char *arch;
    char *device;
    char *target;
    double value;
    char *board;
    char *runner;
    double t_start, t_end;
} run_measurement;

typedef struct run_snapshot {
    /* identity */
    char *config_text;    /* the YAML config the run was started with */
    char *space_name;     /* space_name() */
    int ngenes;
    int nobj;
    char **obj_names;     /* nobj */
    uint8_t *obj_maximise;/* nobj: 1 maximise, 0 minimise */
    uint64_t seed;
    double wall_s;        /* total wall time consumed so far (s) */
    int finished;         /* 1: the run met its stop criteria (/@finished); never extended */

    int nislands;
    run_island *islands;  /* nislands */

    run_points archive;   /* global Pareto archive: measured points only */
    run_points evaluated; /* every point evaluated so far (measured or predicted) */

    int ntrainsets;
    run_trainset *trainsets;
    int nmodels;
    run_model *models;

    int nhistory;
    run_history_row *history;

    int njobs;
    run_job *jobs;

    int nranks;
    uint64_t *rank_rng;   /* nranks x 4 */

    /* Measurements not yet folded into training sets, in seq order, and
     * the highest seq the snapshot contains (journal records with a
     * seq <= meas_seq are already in it and are skipped on replay). */
    uint64_t meas_seq;
    int nmeas;
    run_measurement *meas;

    /* What the run ran on, as of this checkpoint (written; not read back):
     * NULL / 0 leaves the attribute out. Hashes are "fnv1a64:%016x"
     * strings (docs/hdf5-schema.md). */
    char *config_path;    /* absolute path of the config file the run was started from (resolves its relative paths) */
    char *host;           /* rank 0's host name */
    char *stopped_by;     /* "SIGTERM", ...: the signal this checkpoint was written for (NULL: none) */
    char *cli_overrides;  /* budget/reference flags the run was started with ("" or NULL: none), /@cli_overrides */
    int threads;          /* BLAS threads per rank */
    char *config_hash;    /* of config_text */
    int ntables;
    char **table_paths;   /* ntables: the evaluator's data tables */
    char **table_hashes;  /* ntables: of each table's bytes when the run (or resume) started */

    /* Engine-global state not covered above (dispatcher counters,
     * scheduler state...): opaque bytes, may be empty. */
    unsigned char *engine_global;
    size_t engine_global_len;
} run_snapshot;

/* Checks internal consistency (counts, required arrays present, strings
 * non-NULL, enums in range); -1 with a message naming the field. */
int run_snapshot_check(const run_snapshot *s);

/* Writes S to PATH (created or truncated) in one pass with batched writes.
 * Not atomic by itself: use ckpt_write for checkpoints. Does not fsync.
 * -1 with "PATH: ..." on failure (disk full included); a partial file may
 * be left behind. */
int runfile_write(const char *path, const run_snapshot *s);

/* Reads PATH into a new snapshot. Validates the format version, presence,
 * types and shapes of every dataset and the per-chunk checksums: any
 * problem is -1 with one line "PATH: /object: what is wrong". */
int runfile_read(const char *path, run_snapshot **out);

/* A zeroed snapshot (hw_calloc) to fill in; free with run_snapshot_free. */
run_snapshot *run_snapshot_new(void);
/* Frees S and everything it points to (assumes heap memory). NULL is ok. */
void run_snapshot_free(run_snapshot *s);
/* Frees the arrays of a run_points / run_measurement (not the struct). */
void run_points_clear(run_points *p);
void run_measurement_clear(run_measurement *m);

/* 0 if the snapshot read from PATH was written by a run of CONFIG_TEXT,
 * else -1 with "PATH: written by another config (line N differs: 'a' vs
 * 'b')". For `search --resume` (exit 2 on mismatch). */
int runfile_check_config(const char *path, const run_snapshot *s, const char *config_text);

/* Index of the objective named NAME, or -1. */
int run_snapshot_obj_index(const run_snapshot *s, const char *name);

#endif
