/* accel_yaml: accelerator configurations and accelerator-space choice lists
 * from YAML (through yconf.h; errors are "FILE:LINE: key 'x': ..."). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel.h"
#include "hw_err.h"
#include "yconf.h"

static const char *const df_names[] = {"ws", "os", "rs", "flex", NULL};
static const char *const prec_names[] = {"int8", "int16", "fp16", NULL};

/* Fails with "missing required key" when key is absent. */
static int need(const ycfg *y, const ynode *map, const char *key) {
    const ynode *n;
    return ycfg_node(y, map, key, YNODE_SCALAR, 1, &n);
}

int accel_cfg_from_yaml(const ycfg *y, const ynode *map, accel_cfg *out) {
    static const char *const req[] = {"pe_rows", "pe_cols", "rf_bytes", "gbuf_kb",
                                      "dram_gbps", "clock_mhz", "dataflow", "precision"};
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < sizeof req / sizeof *req; i++)
        if (need(y, map, req[i])) return -1;
    long rows, cols, rf, gb;
    int df, pr;
    const char *name;
    if (ycfg_string(y, map, "name", "", &name) || ycfg_int(y, map, "pe_rows", 1, 4096, 0, &rows) ||
        ycfg_int(y, map, "pe_cols", 1, 4096, 0, &cols) || ycfg_int(y, map, "rf_bytes", 4, 1 << 20, 0, &rf) ||
        ycfg_int(y, map, "gbuf_kb", 1, 1 << 20, 0, &gb) ||
        ycfg_double(y, map, "dram_gbps", 1e-6, 1e6, 0, &out->dram_gbps) ||
        ycfg_double(y, map, "clock_mhz", 1e-3, 1e5, 0, &out->clock_mhz) ||
        ycfg_enum(y, map, "dataflow", df_names, 0, &df) || ycfg_enum(y, map, "precision", prec_names, 0, &pr))
        return -1;
    out->rows = (int)rows;
    out->cols = (int)cols;
    out->rf_bytes = (int)rf;
    out->gbuf_kb = (int)gb;
    out->dataflow = (accel_dataflow)df;
    out->precision = (accel_precision)pr;
    if (accel_cfg_derive(out) != 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", hw_errmsg());
        return ycfg_fail(y, map, "%s", msg);
    }
    return 0;
}

int accel_cfg_load(const char *path, accel_cfg *out) {
    ycfg *y = NULL;
    if (ycfg_load(path, &y) != 0) return -1;
    int rc = accel_cfg_from_yaml(y, ycfg_root(y), out);
    if (rc == 0) rc = ycfg_check_unknown(y);
    ycfg_free(y);
    return rc;
}

/* A list of names from NAMES (NULL-terminated) under key; absent keeps *n. */
static int name_list(const ycfg *y, const ynode *map, const char *key, const char *const *names, int *vals, int max,
                     int *n) {
    const ynode *l;
    if (ycfg_node(y, map, key, YNODE_SEQ, 0, &l)) return -1;
    if (!l) return 0;
    if (ynode_len(l) == 0) return ycfg_fail(y, l, "the list is empty");
    if (ynode_len(l) > max) return ycfg_fail(y, l, "at most %d values allowed", max);
    for (int i = 0; i < ynode_len(l); i++) {
        const ynode *it = ynode_at(l, i);
        const char *s = ynode_scalar(it);
        int found = -1;
        for (int k = 0; s && names[k]; k++)
            if (!strcmp(s, names[k])) found = k;
        if (found < 0) return ycfg_fail(y, it, "'%s' is not one of the allowed names", s ? s : "(not a scalar)");
        vals[i] = found;
    }
    *n = ynode_len(l);
    return 0;
}

int accel_space_cfg_from_yaml(const ycfg *y, const ynode *map, accel_space_cfg *out) {
    accel_space_cfg_default(out);
    if (ycfg_int_list(y, map, "pe_rows", 1, 4096, out->rows, ACCEL_MAX_CHOICES, &out->n_rows) ||
        ycfg_int_list(y, map, "pe_cols", 1, 4096, out->cols, ACCEL_MAX_CHOICES, &out->n_cols) ||
        ycfg_int_list(y, map, "rf_bytes", 4, 1 << 20, out->rf_bytes, ACCEL_MAX_CHOICES, &out->n_rf) ||
        ycfg_int_list(y, map, "gbuf_kb", 1, 1 << 20, out->gbuf_kb, ACCEL_MAX_CHOICES, &out->n_gbuf) ||
        ycfg_double_list(y, map, "dram_gbps", out->bw_gbps, ACCEL_MAX_CHOICES, &out->n_bw) ||
        ycfg_double_list(y, map, "clock_mhz", out->clock_mhz, ACCEL_MAX_CHOICES, &out->n_clock) ||
        name_list(y, map, "dataflow", df_names, out->dataflow, ACCEL_NDATAFLOWS, &out->n_df) ||
        name_list(y, map, "precision", prec_names, out->precision, ACCEL_NPRECISIONS, &out->n_prec))
        return -1;
    if (accel_space_cfg_validate(out) != 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", hw_errmsg());
        return ycfg_fail(y, map, "%s", msg);
    }
    return 0;
}
