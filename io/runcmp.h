/* runcmp: many runs compared at once (`hwnas compare RUN...`).
 *
 * Runs are loaded, checked to share the space and the objectives, given
 * one reference point (the runs' common `hypervolume.reference` from the
 * config each run file stores, or an explicit one) and grouped (by stored
 * config text or by label). Per run it computes the HV after each
 * measurement: the rows of /evaluated are the measurements in arrival
 * order, so the HV after b measurements is the HV of the feasible points
 * among the first b rows whose every objective was measured. Per run it
 * also computes the final front and its IGD+ against a reference front:
 * the true front of the tables the stored config names (like `hwnas
 * search`) when they can be read, else the non-dominated union of all the
 * runs' final fronts.
 *
 * Relative table paths in a stored config are resolved against the data
 * directory's configs/ folder (where the shipped configs live). */
#ifndef HW_RUNCMP_H
#define HW_RUNCMP_H

#include "runfront.h"
#include "search_config.h"

typedef enum { RUNCMP_BY_CONFIG = 0, RUNCMP_BY_LABEL = 1 } runcmp_group_by;

typedef struct runcmp_run {
    const char *path;
    run_snapshot *s;
    search_config *cfg; /* the stored config parsed; NULL when it does not parse */
    int group;          /* index into runcmp.groups */
    int nmeas;          /* rows of /evaluated = measurements */
    double *curve;      /* nmeas: HV after b+1 measurements (common reference) */
    double *front;      /* nfront x m: final front, minimised */
    int nfront;
    double hv;          /* HV of the final front */
    double igd_plus;    /* IGD+ of the final front against ref_front */
} runcmp_run;

typedef struct runcmp_group {
    char *name;         /* label, or "config XXXXXXXX" (checksum of the stored text) */
    int nruns;
    int *runs;          /* indices into runcmp.runs */
} runcmp_group;

typedef struct runcmp {
    int nruns, m;
    runcmp_run *runs;
    int ngroups;
    runcmp_group *groups;
    double ref[HW_MAX_OBJ];  /* minimised reference point */
    const char *ref_from;    /* "--ref", "hypervolume.reference", "the fronts (no reference in the configs)" */
    double *ref_front;       /* nref x m, minimised: what IGD+ and HV ratios are measured against */
    int nref;
    int ref_front_true;      /* 1: the tables' true front; 0: union of the runs' fronts */
    double ref_front_hv;     /* HV of ref_front (the HV ratio denominator) */
    double scale[HW_MAX_OBJ];/* IGD+ scale: ref_front's range per objective (1 when 0) */
} runcmp;

typedef struct runcmp_opts {
    runcmp_group_by group_by;
    int measured_only;       /* final fronts of measured points only */
    const char *ref_text;    /* --ref "V1,V2,..." in objective units, or NULL */
    int data_ref_ok;         /* without --ref and configs without a reference:
                                1 use runfront_default_ref over the fronts, 0 refuse */
} runcmp_opts;

/* Loads and analyses PATHS[0..n). Bad input (unreadable run file, other
 * space or objectives, references that differ, no reference, bad --ref)
 * is -1 with one line in hw_errmsg() and *bad_input = 1; a computation
 * failure is -1 with *bad_input = 0. */
int runcmp_create(const char *const *paths, int n, const runcmp_opts *o, runcmp **out, int *bad_input);
void runcmp_free(runcmp *c);

/* The file-name stem of PATH without a trailing seed suffix: the base name
 * without ".h5", then a trailing "[-_.](seed|s)?DIGITS" removed
 * ("runs/pop24-s3.h5" -> "pop24"). Writes at most cap bytes to out. */
void runcmp_label(const char *path, char *out, size_t cap);

/* HV of run R after B measurements (b >= 1; beyond nmeas: the final HV). */
double runcmp_hv_at(const runcmp_run *r, long b);
/* Smallest number of measurements after which run R's HV reaches
 * ratio * hv_target; -1 if it never does. */
long runcmp_meas_to(const runcmp_run *r, double hv_target, double ratio);
/* Median and quartiles over group G's runs of runcmp_hv_at(r, b). */
void runcmp_hv_stats(const runcmp *c, int g, long b, double *med, double *q1, double *q3);
/* Smallest run length (measurements) over all runs. */
long runcmp_min_meas(const runcmp *c);

#endif
