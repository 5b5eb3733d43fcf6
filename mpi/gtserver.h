/* gtserver: the ground-truth side of a search, run by the dispatcher rank
 * (or in-process when P = 1).
 *
 * Data flow: islands propose genomes -> gts_submit deduplicates them
 * against everything measured or queued, applies the measurement budget,
 * and queues them in submission order -> gts_collect measures them (table
 * lookups now; board jobs through jobs/ for objectives with a device) ->
 * each new record enters the training set, the global Pareto archive of
 * measured feasible points and the record log -> gts_retrain refits the
 * surrogate and returns the model blob to broadcast. */
#ifndef HW_GTSERVER_H
#define HW_GTSERVER_H

#include <stddef.h>
#include <stdint.h>

#include "eval_table.h"
#include "nsga.h"
#include "search_config.h"
#include "surrogate.h"

#define GTS_WARM_RUNNER "warm-start" /* meas_record.runner of warm-start records */

typedef struct meas_record {
    hw_genome g;
    double obj[HW_MAX_OBJ]; /* minimised form; NaN if missing */
    double cv;              /* total violation; +INF when a value is missing */
    double board_s;         /* board seconds this measurement cost */
    int64_t seq;            /* 0, 1, 2, ... in measurement order */
    char board[32];         /* provenance: board id ("table" for in-process lookups) */
    char runner[16];        /* runner name ("table", "replay", "builtin", ...) */
    double t_start, t_end;  /* Unix time of the (first board) measurement */
    int replayed;           /* 1 if the value came from the journal on resume */
    char ft_where[16];      /* provenance of fine-tuned objectives: "rankN" ("" if none) */
    /* Rank 0 only (not in meas_record_put's bytes, so not sent to islands;
     * the dispatcher-state blob adds them). */
    int32_t gen, island;    /* generation and island that proposed it; -1: initial design / resume */
    double pred_mean[HW_MAX_OBJ], pred_std[HW_MAX_OBJ]; /* surrogate's prediction when proposed (minimised
                                                           form); NaN where nothing was predicted */
} meas_record;

/* The device a value of objective o is recorded under (journal, training
 * sets): its device, "finetune" for a fine-tuned objective, else "table". */
const char *objective_value_device(const objective_cfg *o);
/* Provenance of objective o's value in record r: a fine-tuned objective
 * names the rank that fine-tuned it (runner "finetune"); a device
 * objective the record's board and runner; any other objective came from
 * the tables ("table", "table"). Strings point into r or are literals. */
void meas_record_provenance(const meas_record *r, const objective_cfg *o, const char **board, const char **runner);

/* One record as bytes (hw_codec, little-endian, fixed size: the genes as
 * u16, the objectives, cv, board seconds, seq, the provenance strings in
 * their fixed widths, times, the replay flag): MPI messages and the
 * dispatcher-state blob. A short read sets the reader's bad flag. */
struct hw_wbuf;
struct hw_rbuf;
void meas_record_put(struct hw_wbuf *w, const meas_record *m);
void meas_record_get(struct hw_rbuf *r, meas_record *m);

typedef struct gts gts;

/* ---- proxy fine-tuning jobs (objectives with source finetune / finetune_f1) ----
 * gts_collect gathers the queued candidates that need fine-tuning and hands
 * them, all at once, to an executor: by default this process runs them one
 * after another; the MPI engine installs one that spreads them over the
 * ranks with free cores (mpi/engine_ft.h). A candidate's result does not
 * depend on where it ran (supernet_finetune is deterministic). */
struct supernet_ft;
typedef struct gts_ft_result {
    double accuracy, f1; /* on the eval set, fractions in [0, 1] */
    double seconds;      /* wall time of the job */
    char where[16];      /* "rankN": who ran it */
} gts_ft_result;
/* Runs jobs arch[0..n) and fills out[0..n); 0 or -1 with hw_errmsg. */
typedef int (*gts_ft_exec_fn)(void *ctx, const char (*arch)[HW_ARCH_STR_MAX], int n, gts_ft_result *out);
void gts_set_ft_exec(gts *s, gts_ft_exec_fn fn, void *ctx);
/* One job in this process with the config's finetune options (the default
 * executor's body; island ranks call it for the jobs they are handed). */
int gts_ft_run(struct supernet_ft *ft, const search_config *cfg, const char *arch, int rank, gts_ft_result *out);
/* The supernet this gts opened (NULL without fine-tuned objectives). */
struct supernet_ft *gts_ft(gts *s);

int gts_create(const search_config *cfg, const space *sp, gts **out);
/* The same over tables the caller already loaded (borrowed: they must
 * outlive the gts; NULL loads them), so start-up reads them once. */
int gts_create_with_table(const search_config *cfg, const space *sp, eval_table *tab, gts **out);
void gts_free(gts *s);

/* Queues genomes not yet measured or queued, in order, while the budget
 * allows. *n_accepted (may be NULL) counts those queued. */
int gts_submit(gts *s, const hw_genome *g, int n, int *n_accepted);
/* The same, noting who proposed them (generation gen of island isl, kept
 * in their records) and, with predicted set, the current surrogate's
 * mean/std for each (the model the islands proposed with). */
int gts_submit_from(gts *s, const hw_genome *g, int n, int gen, int isl, int predicted, int *n_accepted);
/* Completes every queued measurement; the new records are appended to the
 * log and returned as a pointer into it (*first = index of the first new
 * record, *n_new their count). */
int gts_collect(gts *s, int *first, int *n_new);
/* All records so far (valid until the next collect). */
const meas_record *gts_records(const gts *s, int *n);
/* 1 and the record if g was measured. */
int gts_lookup(const gts *s, const hw_genome *g, meas_record *out);

/* Records of this run that cost (docs/config.md, `cost`): every one when
 * some objective is not `cost: free`, none otherwise (then they are free
 * lookups, gts_free_lookups). Warm-start records are neither. */
long gts_measurements(const gts *s);
long gts_free_lookups(const gts *s);
/* Records of this run with a costed objective that has no value (a board
 * that failed, an empty cell, one of missing_values): they cost and count
 * as measurements; their architectures are never measured again. */
long gts_failed(const gts *s);
/* 1 if record r is a failed measurement (as gts_failed counts). */
int gts_record_failed(const search_config *c, const meas_record *r);
/* Seconds charged: every one (board, table measure_cost_s, fine-tuning),
 * and the fine-tuning part of them. Board hours = the difference. */
double gts_board_seconds(const gts *s);
double gts_ft_seconds(const gts *s);
/* measure_cost_s when some costed objective is read from the tables (what
 * a table measurement of one candidate is charged), else 0. */
double gts_table_cost_s(const search_config *c);
/* 1 when no more measurements may be made: algorithm.max_measurements
 * measurements that cost, or algorithm.max_board_hours of board time
 * (charged plus the queue's table price), whichever comes first. */
int gts_budget_exhausted(const gts *s);
const pareto_archive *gts_archive(const gts *s);

/* Refits the surrogate on every feasible record; writes the model blob
 * (malloc'd) to broadcast. */
int gts_retrain(gts *s, uint8_t **blob, size_t *len);
surrogate *gts_surrogate(gts *s);

/* The initial design: the HELP reference architectures (nb201) followed by
 * random genomes drawn from `r`, `n` in all. */
int gts_initial_design(const gts *s, hw_rng *r, int n, hw_genome *out, int *n_out);

/* ---- checkpoints (engine.c) ------------------------------------------- */

struct journal;
struct run_measurement;
/* Journals every new measurement (one run_measurement per objective) as it
 * arrives: a board's answer the moment it arrives, the other objectives
 * when the batch completes; NULL stops journaling. The journal is not
 * owned. Every measurement already in the journal's file (a run that
 * crashed before or after its last checkpoint) is re-used as by
 * gts_add_replay. 0, or -1 with hw_errmsg when the file cannot be read. */
int gts_set_journal(gts *s, struct journal *j);
/* Warm start: measurements made before this run (io/warmstart.h) become
 * records at once, in file order, one per architecture whose every
 * objective has a value (from the file, or from the config's tables for
 * objectives without a device). They are not measured again, not charged
 * to the budget or to board time, and their runner is "warm-start" (board:
 * the file's board id, else "warm-start"); architectures already measured
 * or incomplete are skipped. The next gts_collect reports them with its
 * own records. *taken / *skipped (may be NULL) count architectures. -1 with
 * hw_errmsg for an architecture string that is not one of the space. */
int gts_warm_start(gts *s, const struct run_measurement *m, int n, int *taken, int *skipped);
/* Records that came from a warm start (part of gts_records, not of
 * gts_measurements). */
long gts_warm_count(const gts *s);
/* Measurements recovered from a journal on resume: a later gts_collect of
 * the same architecture takes these values (per objective, when the
 * objective's name and device match) instead of measuring again. */
void gts_add_replay(gts *s, const struct run_measurement *m, int n);
/* Exact dispatcher state (records in order, board seconds, surrogate
 * models) as one blob, and its inverse on a fresh gts. */
int gts_export(const gts *s, uint8_t **out, size_t *len);
int gts_import(gts *s, const uint8_t *buf, size_t len);

#endif
