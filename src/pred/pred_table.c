/* pred_table: see pred_table.h. */
#include "pred_table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hw_err.h"
#include "pred.h"

/* Splits a comma list into at most PRED_TABLE_MAX_COLS fresh strings. */
int pred_table_names(const char *what, const char *s, char ***out, int *n) {
    char **v = hw_calloc(PRED_TABLE_MAX_COLS, sizeof *v);
    int k = 0;
    const char *p = s;
    while (*p) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        if (len == 0 || k == PRED_TABLE_MAX_COLS) {
            for (int i = 0; i < k; i++) free(v[i]);
            free(v);
            return hw_fail("option %s: '%s' is not a comma-separated list of names", what, s);
        }
        v[k] = hw_calloc(len + 1, 1);
        memcpy(v[k++], p, len);
        p += len + (c ? 1 : 0);
        if (c && !*p) {
            for (int i = 0; i < k; i++) free(v[i]);
            free(v);
            return hw_fail("option %s: trailing comma in '%s'", what, s);
        }
    }
    if (!k) {
        free(v);
        return hw_fail("option %s: empty list", what);
    }
    *out = v;
    *n = k;
    return 0;
}

void pred_table_names_free(char **v, int n) {
    if (!v) return;
    for (int i = 0; i < n; i++) free(v[i]);
    free(v);
}

/* Feature matrix of a table: space mode (genome from arch_str, else
 * arch_index) or named numeric columns. out_idx (may be NULL) gets each
 * row's space index (-1 in column mode). */
int pred_table_features(const csv_table *t, space *sp, const char *features, float **out_X, int *out_d,
                        int64_t **out_idx) {
    int n = csv_nrows(t), d = 0;
    float *X = NULL;
    int64_t *idx = hw_malloc((size_t)(n > 0 ? n : 1) * sizeof *idx);
    char **cols = NULL;
    int ncols = 0;
    if (sp) {
        int cs = csv_col(t, "arch_str"), ci = csv_col(t, "arch_index");
        if (cs < 0 && ci < 0) {
            hw_fail("%s: needs an 'arch_str' or 'arch_index' column for --space %s", csv_path(t), space_name(sp));
            goto fail;
        }
        d = pred_space_nfeatures(sp);
        X = hw_malloc((size_t)n * d * sizeof *X);
        for (int i = 0; i < n; i++) {
            hw_genome g;
            if (cs >= 0) {
                if (space_from_string(sp, csv_str(t, i, cs), &g)) {
                    hw_fail_prefix("%s:%d: column 'arch_str'", csv_path(t), csv_line(t, i));
                    goto fail;
                }
            } else {
                double v;
                if (csv_num_strict(t, i, ci, &v)) goto fail;
                if (v != floor(v) || space_from_index(sp, (int64_t)v, &g)) {
                    hw_fail("%s:%d: column 'arch_index': '%s' is not an index of space %s", csv_path(t),
                            csv_line(t, i), csv_str(t, i, ci), space_name(sp));
                    goto fail;
                }
            }
            pred_space_features(sp, &g, X + (size_t)i * d);
            idx[i] = space_index(sp, &g);
        }
    } else {
        if (pred_table_names("--features", features, &cols, &ncols)) goto fail;
        int cidx[PRED_TABLE_MAX_COLS];
        for (int j = 0; j < ncols; j++)
            if ((cidx[j] = csv_col_required(t, cols[j])) < 0) goto fail;
        d = ncols;
        X = hw_malloc((size_t)(n > 0 ? n : 1) * d * sizeof *X);
        for (int i = 0; i < n; i++) {
            idx[i] = -1;
            for (int j = 0; j < d; j++) {
                double v;
                if (csv_num_strict(t, i, cidx[j], &v)) goto fail;
                X[(size_t)i * d + j] = (float)v;
            }
        }
    }
    pred_table_names_free(cols, ncols);
    *out_X = X;
    *out_d = d;
    if (out_idx) *out_idx = idx;
    else free(idx);
    return 0;
fail:
    pred_table_names_free(cols, ncols);
    free(X);
    free(idx);
    return -1;
}

/* Target column: strict numbers; with allow_missing, empty cells become NaN
 * (callers drop those rows). */
int pred_table_target(const csv_table *t, const char *col, int allow_missing, double **out_y) {
    int c = csv_col_required(t, col);
    if (c < 0) return -1;
    int n = csv_nrows(t);
    double *y = hw_malloc((size_t)(n > 0 ? n : 1) * sizeof *y);
    for (int i = 0; i < n; i++) {
        if (allow_missing && csv_str(t, i, c)[0] == 0) {
            y[i] = NAN;
            continue;
        }
        if (csv_num_strict(t, i, c, &y[i])) {
            free(y);
            return -1;
        }
    }
    *out_y = y;
    return 0;
}
