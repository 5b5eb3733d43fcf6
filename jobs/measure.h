/* measure: measure a batch of architectures on whatever boards connect to
 * a dispatcher, one CSV row per finished job (`hwnas measure`).
 *
 * The output CSV doubles as the checkpoint: an existing file (with this
 * module's header) is resumed, archs that already have their ok/failed
 * rows for the device are not submitted again, and a torn last row (killed
 * mid-write) is cut off. Rows are appended as results arrive and fsync'd
 * at least once a second and at the end. */
#ifndef HW_MEASURE_H
#define HW_MEASURE_H

#include <stdatomic.h>
#include <stdio.h>

#include "disp.h"

typedef struct measure_opts {
    disp_options disp;        /* endpoint, key pair, allow-list, timing (disp_options_default) */
    const char *device;       /* device name the boards announce */
    const char *archs_path;   /* arch strings, one per line, '#' comments */
    const char *out_path;     /* output CSV, created or resumed */
    const char *ep_file;      /* NULL, or a file that receives the bound endpoint */
    int repeats;              /* rows wanted per arch (>= 1) */
    int priority;             /* job priority */
    double timeout_s;         /* stop after this long with jobs left (0: never) */
    atomic_int *stop;         /* set (by a signal handler) to stop early; may be NULL */
    FILE *log;                /* progress lines "hwnas: measure: ..." */
} measure_opts;

typedef struct measure_result {
    long long todo, done, ok, failed, error; /* jobs submitted / finished, by status */
    int complete;   /* 1: every submitted job finished and none gave up */
    int bad_input;  /* on -1: the inputs (arch list, output file, keys) are at fault */
} measure_result;

/* Fills o with the defaults (1 repeat, priority 0, no timeout, stderr). */
void measure_opts_default(measure_opts *o);

/* Runs the batch until every job finished, *o->stop is set or timeout_s
 * passes (then res->complete = 0 and a line on o->log says why; rerun to
 * resume). Returns 0, or -1 with hw_errmsg() naming the file/field and
 * res->bad_input telling bad input from a runtime failure. */
int measure_run(const measure_opts *o, measure_result *res);

#endif
