/* pred_table: see pred_table.h. */
#include "pred_table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw_data.h"
#include "hw_err.h"
#include "pred.h"

/* Splits a comma list into at most PRED_TABLE_MAX_COLS fresh strings. */
int pred_table_names(const char *s, char ***out, int *n) {
    char **v = hw_calloc(PRED_TABLE_MAX_COLS, sizeof *v);
    int k = 0;
    const char *p = s;
    while (*p) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        if (len == 0 || k == PRED_TABLE_MAX_COLS) {
            for (int i = 0; i < k; i++) free(v[i]);
            free(v);
            return hw_fail("'%s' is not a comma-separated list of names", s);
        }
        v[k] = hw_calloc(len + 1, 1);
        memcpy(v[k++], p, len);
        p += len + (c ? 1 : 0);
        if (c && !*p) {
            for (int i = 0; i < k; i++) free(v[i]);
            free(v);
            return hw_fail("trailing comma in '%s'", s);
        }
    }
    if (!k) {
        free(v);
        return hw_fail("empty list");
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
        if (pred_table_names(features, &cols, &ncols)) {
            hw_fail_prefix("features");
            goto fail;
        }
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

/* Reads the nasbench201 rows of help_latency's split/embedding files. */
int pred_table_help_defaults(char ***devs, int *ndev, int64_t *refs, int *nref) {
    char path[4096];
    csv_table *t = NULL;
    snprintf(path, sizeof path, "%s/help_latency/device_splits.csv", hw_data_dir());
    if (csv_read(path, &t)) return -1;
    int cs = csv_col_required(t, "search_space"), cr = csv_col_required(t, "role"), cd = csv_col_required(t, "device");
    if (cs < 0 || cr < 0 || cd < 0) {
        csv_free(t);
        return -1;
    }
    char **v = hw_calloc(PRED_TABLE_MAX_COLS, sizeof *v);
    int k = 0;
    for (int i = 0; i < csv_nrows(t) && k < PRED_TABLE_MAX_COLS; i++)
        if (!strcmp(csv_str(t, i, cs), "nasbench201") && !strcmp(csv_str(t, i, cr), "meta_train")) {
            char name[256];
            snprintf(name, sizeof name, "lat_ms_%s", csv_str(t, i, cd));
            v[k++] = hw_strdup(name);
        }
    csv_free(t);
    snprintf(path, sizeof path, "%s/help_latency/hw_embedding_index.csv", hw_data_dir());
    if (csv_read(path, &t)) {
        pred_table_names_free(v, k);
        return -1;
    }
    cs = csv_col_required(t, "search_space");
    int ci = csv_col_required(t, "arch_index");
    *nref = 0;
    for (int i = 0; cs >= 0 && ci >= 0 && i < csv_nrows(t); i++)
        if (!strcmp(csv_str(t, i, cs), "nasbench201") && *nref < PRED_HELP_MAX_REF) {
            double x;
            if (csv_num_strict(t, i, ci, &x)) break;
            refs[(*nref)++] = (int64_t)x;
        }
    csv_free(t);
    if (*nref < 2 || k < 1) {
        pred_table_names_free(v, k);
        return hw_fail("%s: no nasbench201 reference archs / meta-train devices", path);
    }
    *devs = v;
    *ndev = k;
    return 0;
}

/* The device name of a latency column: without its "lat_ms_" prefix. */
const char *pred_table_dev_name(const char *col) { return strncmp(col, "lat_ms_", 7) ? col : col + 7; }

/* Meta-trains (pred_help_meta_train with c) on the device columns of table
 * (space nb201 rows). */
int pred_table_meta_train(const pred_help_cfg *c, const char *table, char **devs, int ndev, const int64_t *refs,
                          int nref, pred_help_meta **out) {
    csv_table *t = NULL;
    space *sp = NULL;
    float *X = NULL;
    int64_t *idx = NULL;
    double *lat = NULL;
    int d, rc = -1;
    const char *names[PRED_TABLE_MAX_COLS];
    int ref_rows[PRED_HELP_MAX_REF];
    if (csv_read(table, &t) || space_create_nb201(&sp) || pred_table_features(t, sp, NULL, &X, &d, &idx)) goto out;
    int n = csv_nrows(t);
    lat = hw_malloc((size_t)ndev * n * sizeof *lat);
    for (int v = 0; v < ndev; v++) {
        double *col;
        if (pred_table_target(t, devs[v], 0, &col)) goto out;
        memcpy(lat + (size_t)v * n, col, (size_t)n * sizeof *col);
        free(col);
        names[v] = pred_table_dev_name(devs[v]);
    }
    for (int j = 0; j < nref; j++) {
        ref_rows[j] = -1;
        for (int i = 0; i < n; i++)
            if (idx[i] == refs[j]) ref_rows[j] = i;
        if (ref_rows[j] < 0) {
            hw_fail("%s: reference arch %lld not in the table", table, (long long)refs[j]);
            goto out;
        }
    }
    rc = pred_help_meta_train(c, X, n, d, lat, ndev, names, ref_rows, refs, nref, out);
out:
    csv_free(t);
    space_free(sp);
    free(X), free(idx), free(lat);
    return rc;
}
