/* runfront: fronts and hypervolumes of run files, shared by the offline
 * commands `hwnas front / history / compare / plot` (src/cli/cmd_*.c).
 *
 * "All evaluated points" are the snapshot's /evaluated table, or when a run
 * file has none, the union of the island populations and the archive. The
 * front is the set of feasible points with finite objectives that no other
 * such point dominates (maximised objectives negated), one entry per
 * architecture (a measured evaluation preferred over a predicted one);
 * with MEASURED_ONLY only points whose every objective was measured on a
 * board take part. */
#ifndef HW_RUNFRONT_H
#define HW_RUNFRONT_H

#include <stdio.h>

#include "fsutil.h"
#include "runfile.h"
#include "search_config.h"

/* All evaluated points of S as a new run_points (deep copy, measured and cv
 * always present); free with run_points_clear. */
void runfront_all_points(const run_snapshot *s, run_points *out);

/* Front indices into ALL (sorted by the first objective in its natural
 * direction, best first). *out_idx is malloc'd. */
int runfront_front(const run_snapshot *s, const run_points *all, int measured_only, int **out_idx, int *out_n);

/* Minimised copy of rows IDX[0..n) of P (n x m, maximised negated). */
double *runfront_minimised(const run_snapshot *s, const run_points *p, const int *idx, int n);

/* Loads the run file PATH: 0, or -1 with the reader's message in
 * hw_errmsg() (callers report it as bad input). */
int runfront_load(const char *path, run_snapshot **out);

/* Reference point (minimised, m values) for comparing the minimised
 * fronts va (na x m) and vb (nb x m): per objective the worst value on
 * either front moved outward by 10 % of the joint range (1e-9 when the
 * range is 0; 0 when both fronts are empty). */
void runfront_default_ref(const double *va, int na, const double *vb, int nb, int m, double *ref);

/* Parses TEXT = "V1,V2,...": one number per objective of S in its own
 * units and order, into the minimised reference point ref (maximised
 * objectives negated). -1 with a message naming TEXT otherwise. */
int runfront_parse_ref(const run_snapshot *s, const char *text, double *ref);

/* The config stored in S (read from PATH) parsed, relative paths resolved
 * against the data directory's configs/ folder (where the shipped configs
 * live); NULL when there is none or it does not parse. */
search_config *runfront_config(const char *path, const run_snapshot *s);
/* 1 and the minimised reference point in ref (nobj values) when the
 * stored config has hypervolume.reference; 0 otherwise. */
int runfront_config_ref(const char *path, const run_snapshot *s, double *ref);

/* The front layout, one for `hwnas search` (front.csv and the printed
 * table) and `hwnas front` (--csv and the table): columns
 *   <objective names>, <name>_measured (1/0) per objective, island,
 *   generation, [knee,] arch
 * one row per idx[0..n) of P, in that order; objectives in natural units
 * (%.17g in CSV, %.6g in the table); island and generation -1 where P
 * has none. knee >= -1 adds the knee column (1 on row `knee`, -1: no
 * row); knee < -1 leaves it out. CSV fields are quoted when they hold a
 * comma, quote or newline; the table has the same header names, aligned. */
void runfront_csv(hw_buf *b, const run_snapshot *s, const run_points *p, const int *idx, int n, int knee);
void runfront_table(FILE *f, const run_snapshot *s, const run_points *p, const int *idx, int n, int knee);
#define RUNFRONT_NO_KNEE (-2)

/* "max" / "min" */
const char *runfront_dir(const run_snapshot *s, int k);

#endif
