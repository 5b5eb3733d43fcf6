/* pred_table: predictor inputs from a CSV table. Features come from the
 * architecture column through a search space (arch_str, else arch_index)
 * or from named numeric columns; the target is one numeric column.
 * Errors name the file, line and column (hw_fail). */
#ifndef HW_PRED_TABLE_H
#define HW_PRED_TABLE_H

#include <stdint.h>

#include "csv.h"
#include "pred_help.h"
#include "space.h"

/* Most names a list (and so a feature matrix) may have. */
#define PRED_TABLE_MAX_COLS 256

/* Splits the comma list s into 1..PRED_TABLE_MAX_COLS fresh strings
 * (*out, *n; free with pred_table_names_free). An empty name, a trailing
 * comma or too many names fail with a message naming s. */
int pred_table_names(const char *s, char ***out, int *n);
void pred_table_names_free(char **v, int n);

/* Feature matrix X (n rows x *out_d, row-major; n = csv_nrows(t)) of a
 * table: with sp, pred_space_features of each row's genome (arch_str,
 * else arch_index); without, the comma list `features` of numeric columns
 * (list errors are reported as "features: ..."). out_idx (may be NULL)
 * gets each row's space index (-1 in column mode). Returns 0/-1. */
int pred_table_features(const csv_table *t, space *sp, const char *features, float **out_X, int *out_d,
                        int64_t **out_idx);

/* Target column col as strict numbers (*out_y, n values); with
 * allow_missing, empty cells become NaN (callers drop those rows).
 * Returns 0/-1. */
int pred_table_target(const csv_table *t, const char *col, int allow_missing, double **out_y);

/* HELP's NB201 defaults from the data directory (help_latency/
 * device_splits.csv, hw_embedding_index.csv): the meta-train devices as
 * "lat_ms_<device>" column names (*devs, *ndev; free with
 * pred_table_names_free) and the reference arch indices (refs[0..*nref),
 * room for PRED_HELP_MAX_REF). Fails when either is missing. Returns 0/-1. */
int pred_table_help_defaults(char ***devs, int *ndev, int64_t *refs, int *nref);

/* The device name of a latency column: col without its "lat_ms_" prefix. */
const char *pred_table_dev_name(const char *col);

/* Meta-trains a HELP model (pred_help_meta_train with c) on the latency
 * columns devs[0..ndev) of the table at path `table` (NB201 rows, arch_str
 * or arch_index), with the reference archs refs[0..nref), each of which
 * must be a row. The model records the device names (pred_table_dev_name).
 * Returns 0/-1 (*out set on success). */
int pred_table_meta_train(const pred_help_cfg *c, const char *table, char **devs, int ndev, const int64_t *refs,
                          int nref, pred_help_meta **out);

#endif
