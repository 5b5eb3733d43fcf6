/* pred_table: predictor inputs from a CSV table. Features come from the
 * architecture column through a search space (arch_str, else arch_index)
 * or from named numeric columns; the target is one numeric column.
 * Errors name the file, line and column (hw_fail). */
#ifndef HW_PRED_TABLE_H
#define HW_PRED_TABLE_H

#include <stdint.h>

#include "csv.h"
#include "space.h"

/* Most names a list (and so a feature matrix) may have. */
#define PRED_TABLE_MAX_COLS 256

/* Splits the comma list s into 1..PRED_TABLE_MAX_COLS fresh strings
 * (*out, *n; free with pred_table_names_free). An empty name, a trailing
 * comma or too many names fail with "option <what>: ..." naming s. */
int pred_table_names(const char *what, const char *s, char ***out, int *n);
void pred_table_names_free(char **v, int n);

/* Feature matrix X (n rows x *out_d, row-major; n = csv_nrows(t)) of a
 * table: with sp, pred_space_features of each row's genome (arch_str,
 * else arch_index); without, the comma list `features` of numeric columns
 * (list errors are reported as option --features). out_idx (may be NULL)
 * gets each row's space index (-1 in column mode). Returns 0/-1. */
int pred_table_features(const csv_table *t, space *sp, const char *features, float **out_X, int *out_d,
                        int64_t **out_idx);

/* Target column col as strict numbers (*out_y, n values); with
 * allow_missing, empty cells become NaN (callers drop those rows).
 * Returns 0/-1. */
int pred_table_target(const csv_table *t, const char *col, int allow_missing, double **out_y);

#endif
