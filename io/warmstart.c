/* warmstart: see warmstart.h. */
#include "warmstart.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "fsutil.h"
#include "hw_err.h"

/* A growing list of measurements. */
typedef struct mlist {
    run_measurement *m;
    int n, cap;
} mlist;

static void mlist_add(mlist *l, const char *arch, const objective_cfg *o, double value, const char *board,
                      const char *runner, double t0, double t1) {
    if (l->n == l->cap) l->m = hw_realloc(l->m, (size_t)(l->cap = l->cap ? 2 * l->cap : 64) * sizeof *l->m);
    l->m[l->n++] = (run_measurement){.arch = hw_strdup(arch), .device = hw_strdup(o->device[0] ? o->device : "table"),
                                     .target = hw_strdup(o->name), .value = value, .board = hw_strdup(board),
                                     .runner = hw_strdup(runner), .t_start = t0, .t_end = t1};
}

static void mlist_free(mlist *l) {
    for (int i = 0; i < l->n; i++) run_measurement_clear(&l->m[i]);
    free(l->m);
}

/* 1 if PATH starts with the HDF5 signature. */
static int is_hdf5(const char *path) {
    unsigned char sig[8] = {0};
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t got = fread(sig, 1, sizeof sig, f);
    fclose(f);
    return got == 8 && !memcmp(sig, "\x89HDF\r\n\x1a\n", 8);
}

/* Training sets of a run file: those whose target and device are one of
 * the config's objectives. */
static int load_runfile(const char *path, const search_config *cfg, mlist *l) {
    run_snapshot *s;
    if (runfile_read(path, &s)) return -1;
    int used = 0;
    for (int t = 0; t < s->ntrainsets; t++) {
        const run_trainset *ts = &s->trainsets[t];
        for (int k = 0; k < cfg->n_obj; k++) {
            const objective_cfg *o = &cfg->obj[k];
            if (strcmp(o->name, ts->target) || strcmp(o->device[0] ? o->device : "table", ts->device)) continue;
            used++;
            for (int i = 0; i < ts->n; i++)
                if (isfinite(ts->values[i]))
                    mlist_add(l, ts->arch[i], o, ts->values[i], ts->board[i], ts->runner[i], ts->t_start[i],
                              ts->t_end[i]);
        }
    }
    run_snapshot_free(s);
    if (!used) return hw_fail("%s: no training set of this config's objectives (name and device)", path);
    return 0;
}

/* A `hwnas measure` CSV: ok rows, by device. */
static int load_measure_csv(csv_table *t, const search_config *cfg, mlist *l) {
    const char *path = csv_path(t);
    int cd = csv_col(t, "device"), ca = csv_col(t, "arch"), cs = csv_col(t, "status"), cv = csv_col(t, "median_ms");
    int cb = csv_col(t, "board"), cr = csv_col(t, "runner"), c0 = csv_col(t, "t_start"), c1 = csv_col(t, "t_end");
    for (int r = 0; r < csv_nrows(t); r++) {
        if (strcmp(csv_str(t, r, cs), "ok")) continue; /* failed / gave up: nothing measured */
        const char *dev = csv_str(t, r, cd);
        const objective_cfg *o = NULL;
        for (int k = 0; k < cfg->n_obj && !o; k++)
            if (!strcmp(cfg->obj[k].device, dev)) o = &cfg->obj[k];
        if (!o) return hw_fail("%s:%d: device '%s' is not the device of any objective", path, csv_line(t, r), dev);
        double v;
        if (csv_num_strict(t, r, cv, &v)) return -1;
        mlist_add(l, csv_str(t, r, ca), o, v, cb >= 0 ? csv_str(t, r, cb) : "", cr >= 0 ? csv_str(t, r, cr) : "",
                  c0 >= 0 ? csv_num(t, r, c0) : 0, c1 >= 0 ? csv_num(t, r, c1) : 0);
    }
    return 0;
}

/* A table: column arch and one column per objective present. */
static int load_table_csv(csv_table *t, const search_config *cfg, mlist *l) {
    const char *path = csv_path(t);
    int ca = csv_col(t, "arch"), col[HW_MAX_OBJ], any = 0;
    for (int k = 0; k < cfg->n_obj; k++) {
        col[k] = csv_col(t, cfg->obj[k].name);
        any |= col[k] >= 0;
        if (col[k] >= 0 && csv_check_numeric(t, col[k])) return -1;
    }
    if (ca < 0 || !any) {
        hw_buf names = {0};
        for (int k = 0; k < cfg->n_obj; k++) hw_buf_printf(&names, "%s%s", k ? ", " : "", cfg->obj[k].name);
        hw_fail("%s: neither a hwnas measure CSV (device, arch, status, median_ms) nor a table with a column "
                "'arch' and objective columns (%s)",
                path, names.p);
        hw_buf_free(&names);
        return -1;
    }
    for (int r = 0; r < csv_nrows(t); r++)
        for (int k = 0; k < cfg->n_obj; k++)
            if (col[k] >= 0 && isfinite(csv_num(t, r, col[k])))
                mlist_add(l, csv_str(t, r, ca), &cfg->obj[k], csv_num(t, r, col[k]), "", "", 0, 0);
    return 0;
}

int warmstart_load(const char *path, const search_config *cfg, const space *sp, run_measurement **out, int *n) {
    mlist l = {0};
    csv_table *t = NULL;
    int rc;
    *out = NULL;
    *n = 0;
    if (is_hdf5(path)) {
        rc = load_runfile(path, cfg, &l);
    } else {
        if (csv_read(path, &t)) return -1;
        int measure = csv_col(t, "device") >= 0 && csv_col(t, "arch") >= 0 && csv_col(t, "status") >= 0 &&
                      csv_col(t, "median_ms") >= 0;
        rc = measure ? load_measure_csv(t, cfg, &l) : load_table_csv(t, cfg, &l);
        csv_free(t);
    }
    for (int i = 0; i < l.n && !rc; i++) {
        hw_genome g;
        if (space_from_string(sp, l.m[i].arch, &g)) rc = hw_fail_prefix("%s: arch '%s'", path, l.m[i].arch);
    }
    if (rc) {
        mlist_free(&l);
        return hw_fail_prefix("--warm-start");
    }
    *out = l.m;
    *n = l.n;
    return 0;
}
