/* eval_table: ground truth from measured tables (CSV), joined by a key
 * column (arch_index through space_index, or canonical arch strings).
 *
 * Each objective's `source` and each constraint's name (if not an
 * objective) must be a column of one of the tables. A missing cell makes
 * the candidate infeasible, never an error; so does a cell holding one of
 * the objective's missing_values (a failed measurement, e.g. -1). Each distinct architecture
 * looked up counts as one measurement (repeat lookups are free). */
#ifndef HW_EVAL_TABLE_H
#define HW_EVAL_TABLE_H

#include "search_config.h"
#include "space.h"

typedef struct eval_table eval_table;

/* Loads and joins the config's tables; errors name the file and column. */
int eval_table_create(const search_config *c, const space *s, eval_table **out);
void eval_table_free(eval_table *t);

/* Looks g up. raw_obj[n_obj] gets each objective in its natural units
 * (NaN if missing); *cv the total constraint violation (0 feasible,
 * +INF if any value is missing). Returns 1 if this was a new measurement. */
int eval_table_lookup(eval_table *t, const hw_genome *g, double *raw_obj, double *cv);
/* Same without counting a measurement (for reporting). */
void eval_table_peek(const eval_table *t, const hw_genome *g, double *raw_obj, double *cv);
long eval_table_measurements(const eval_table *t);
/* Counts g as measured (state restored from a checkpoint). */
void eval_table_mark(eval_table *t, const hw_genome *g);
/* 1 if g has been measured already. */
int eval_table_seen(const eval_table *t, const hw_genome *g);

/* All feasible rows of the joined table in minimised form: *out is n x m
 * (malloc'd), *out_g the genomes (malloc'd, may be NULL if not wanted). */
int eval_table_all_feasible(const eval_table *t, double **out, hw_genome **out_g, int *out_n);

#endif
