/* csv: a small strict reader for the comma-separated tables hwnas ships and
 * imports (HW-NAS-Bench, NB201, HELP, user tables).
 *
 * Format: first line is the header; fields separated by ','; a field may be
 * double-quoted ("" inside quotes is a quote). Every row must have as many
 * fields as the header. Cells are kept as strings; numeric cells are also
 * parsed once at load (NaN where empty or not a number). */
#ifndef HW_CSV_H
#define HW_CSV_H

#include <stddef.h>

typedef struct csv_table csv_table;

/* Reads PATH. On failure: -1, message "PATH:LINE: what is wrong". */
int csv_read(const char *path, csv_table **out);
/* Same, from a NUL-terminated buffer; NAME is used in messages. */
int csv_parse(const char *name, const char *text, size_t len, csv_table **out);
void csv_free(csv_table *t);

int csv_nrows(const csv_table *t);
int csv_ncols(const csv_table *t);
const char *csv_path(const csv_table *t);
const char *csv_colname(const csv_table *t, int col);
/* Column index by exact name, or -1. */
int csv_col(const csv_table *t, const char *name);
/* Column index by name, or -1 with message "PATH: no column 'NAME'". */
int csv_col_required(const csv_table *t, const char *name);
/* Raw cell text (never NULL; "" for empty). */
const char *csv_str(const csv_table *t, int row, int col);
/* Parsed cell: NaN if empty or not a number. */
double csv_num(const csv_table *t, int row, int col);
/* Strict numeric cell: -1 with "PATH:LINE: column 'C': empty cell" or
 * "... 'abc' is not a number" (also for NaN/inf text). */
int csv_num_strict(const csv_table *t, int row, int col, double *out);
/* Checks that every cell of column COL is a finite number or empty (empty
 * means "missing"): -1 with "PATH:LINE: column N 'C': 'abc' is not a
 * number" at the first other cell (NaN, inf and "5.8ms" included). */
int csv_check_numeric(const csv_table *t, int col);
/* File line number (1-based) of data row ROW, for messages. */
int csv_line(const csv_table *t, int row);

#endif
