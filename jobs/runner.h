/* runner: how a board measures one candidate. Three kinds, chosen in the
 * board's own config (board_config.c); the dispatcher only ever sends an
 * arch string.
 *
 *  builtin  the candidate's BERT encoder (bert space) forward pass in C on
 *           OpenBLAS (src/bert/bert_model.h) at a configured batch and sequence
 *           length: `warmup` untimed runs, then `runs` timed runs; reports
 *           median/mean/std/min of the per-run wall times. The weights are a
 *           supernet store of the space's largest shape, created once; each
 *           candidate runs on its top-left sub-block (same FLOPs and memory
 *           traffic as a standalone network of its shape).
 *  command  runs the owner's command template (argv list, no shell) with
 *           placeholders {arch} {arch_file} {work} {job}, under a timeout;
 *           the latency is every match of a POSIX extended regex's first
 *           capture group in the command's output (stdout + stderr),
 *           multiplied by `scale`; statistics over the matches.
 *  replay   looks the arch up in a measured table (CSV, key column matched
 *           by string or by NB201 arch index, value column) and answers
 *           after a configurable delay; no value -> PROTO_ST_FAILED.
 *
 * A runner is used by one thread at a time. runner_run never fails as a
 * function: every problem becomes a result status with a message. */
#ifndef HW_RUNNER_H
#define HW_RUNNER_H

#include <stdatomic.h>
#include <stdint.h>

#include "proto.h"
#include "space.h"

typedef enum runner_kind { RUNNER_BUILTIN = 0, RUNNER_COMMAND = 1, RUNNER_REPLAY = 2 } runner_kind;
extern const char *const runner_kind_names[]; /* "builtin", "command", "replay", NULL */

typedef struct runner_config {
    int kind; /* runner_kind */
    /* builtin */
    bert_space_cfg space; /* candidates must belong to this space */
    int batch, seq_len, warmup, runs, threads, vocab;
    uint64_t seed;
    /* command */
    char **argv; /* argc strings, owned */
    int argc;
    double timeout_s;
    char *work_dir;      /* parent of the per-job work directories, owned */
    char *latency_regex; /* owned */
    double scale;        /* multiplies parsed values into ms */
    int report_warmup;   /* warm-up count the command does, for provenance */
    int keep_work;       /* 1: keep per-job work directories */
    /* replay */
    char *table;         /* CSV path, owned */
    char *key_column, *value_column; /* owned */
    int key_nb201_index; /* 1: key column holds NB201 arch indices */
    double delay_ms;
} runner_config;

/* Defaults: builtin batch 1, seq_len 128, warmup 3, runs 10, threads 1,
 * vocab 30522, the default bert space with 1 layer added; command timeout 600 s, scale 1,
 * work_dir /tmp/hwnas-board; replay key arch_str, delay 0. */
void runner_config_default(runner_config *c);
void runner_config_clear(runner_config *c); /* frees owned strings */

typedef struct runner runner;

/* Builds the runner (loads the replay table, compiles the regex, allocates
 * the builtin supernet); -1 with a message on bad settings. */
int runner_create(const runner_config *cfg, runner **out);
void runner_free(runner *r);
/* "builtin", "command" or "replay". */
const char *runner_name(const runner *r);
/* Short capability string announced to the dispatcher, e.g.
 * "space=bert batch=1 seq=128 runs=10". */
const char *runner_caps(const runner *r);
/* Measures ARCH for job JOB_ID and fills the RESULT fields of res (type,
 * job id and attempt are the caller's). If *abort becomes nonzero the
 * runner stops early and answers PROTO_ST_RETURNED. */
void runner_run(runner *r, uint64_t job_id, const char *arch, const atomic_int *abort, proto_msg *res);

/* 1 if a measurement takes no time to speak of (replay with delay 0): the
 * agent then runs it inline instead of handing it to its worker thread. */
int runner_instant(const runner *r);

/* Fills median/mean/std (sample, 0 for n == 1)/min of v[0..n-1] into res
 * and sets repetitions = n. Shared by the runners. */
void runner_fill_stats(proto_msg *res, const double *v, int n);
/* Wall clock in unix seconds. */
double runner_wall_time(void);

#endif
