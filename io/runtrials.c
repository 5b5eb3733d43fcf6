/* runtrials: see runtrials.h. */
#include "runtrials.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hw_err.h"
#include "runfront.h"
#include "u64map.h"

/* FNV-1a of a string. */
static uint64_t str_hash(const char *s) {
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* Where one objective's values came from: its training set and an index
 * arch -> row (first row of that architecture). */
typedef struct prov_index {
    const run_trainset *t; /* NULL: no training set for the objective */
    u64map rows;
} prov_index;

static void prov_index_init(prov_index *p, const run_snapshot *s, const char *target) {
    p->t = NULL;
    u64map_init(&p->rows);
    for (int i = 0; i < s->ntrainsets && !p->t; i++)
        if (!strcmp(s->trainsets[i].target, target)) p->t = &s->trainsets[i];
    if (!p->t) return;
    for (int r = p->t->n - 1; r >= 0; r--) u64map_put(&p->rows, str_hash(p->t->arch[r]), r); /* first row wins */
}

/* Row of ARCH in the training set, or -1. */
static int prov_index_row(const prov_index *p, const char *arch) {
    int64_t r;
    if (!p->t || !u64map_get(&p->rows, str_hash(arch), &r)) return -1;
    if (!strcmp(p->t->arch[r], arch)) return (int)r;
    for (int i = 0; i < p->t->n; i++) /* a hash collision: look it up the slow way */
        if (!strcmp(p->t->arch[i], arch)) return i;
    return -1;
}

/* CSV field: quoted when it contains a comma, quote or newline. */
static void csv_field(hw_buf *b, const char *s) {
    if (!strpbrk(s, ",\"\n")) {
        hw_buf_printf(b, "%s", s);
        return;
    }
    hw_buf_printf(b, "\"");
    for (; *s; s++) hw_buf_printf(b, *s == '"' ? "\"\"" : "%c", *s);
    hw_buf_printf(b, "\"");
}

/* JSON number with all 17 digits (a reader gets the stored double back),
 * null when not finite. */
static void json_num(hw_buf *b, double v) {
    if (isfinite(v)) hw_buf_printf(b, "%.17g", v);
    else hw_buf_printf(b, "null");
}

/* CSV number: empty when not finite (pandas reads it as NaN). */
static void csv_num(hw_buf *b, double v) {
    if (isfinite(v)) hw_buf_printf(b, ",%.17g", v);
    else hw_buf_printf(b, ",");
}

void runtrials_format(const run_snapshot *s, int fmt, hw_buf *out) {
    const int m = s->nobj;
    run_points all;
    const run_points *p = &s->evaluated;
    if (s->evaluated.n == 0) { /* an older or synthetic file: populations + archive */
        runfront_all_points(s, &all);
        p = &all;
    }
    prov_index *pi = hw_calloc((size_t)(m ? m : 1), sizeof *pi);
    for (int k = 0; k < m; k++) prov_index_init(&pi[k], s, s->obj_names[k]);
    if (fmt == RUNTRIALS_CSV) {
        hw_buf_printf(out, "trial,arch,generation,island,cv");
        for (int k = 0; k < m; k++) {
            const char *n = s->obj_names[k];
            hw_buf_printf(out, ",%s,%s_measured,%s_pred_mean,%s_pred_std,%s_board,%s_runner,%s_t_start,%s_t_end", n, n,
                          n, n, n, n, n, n);
        }
        hw_buf_printf(out, "\n");
    } else {
        hw_buf_printf(out, "{\"space\": ");
        hw_buf_json_str(out, s->space_name);
        hw_buf_printf(out, ", \"objectives\": [");
        for (int k = 0; k < m; k++) {
            hw_buf_printf(out, "%s{\"name\": ", k ? ", " : "");
            hw_buf_json_str(out, s->obj_names[k]);
            hw_buf_printf(out, ", \"direction\": \"%s\"}", s->obj_maximise[k] ? "maximise" : "minimise");
        }
        hw_buf_printf(out, "],\n \"trials\": [");
    }
    for (int i = 0; i < p->n; i++) {
        const char *arch = p->strings[i];
        int gen = p->generation ? p->generation[i] : -1, isl = p->island ? p->island[i] : -1;
        double cv = p->cv ? p->cv[i] : 0;
        if (fmt == RUNTRIALS_CSV) {
            hw_buf_printf(out, "%d,", i);
            csv_field(out, arch);
            hw_buf_printf(out, ",%d,%d", gen, isl);
            csv_num(out, cv);
        } else {
            hw_buf_printf(out, "%s\n  {\"trial\": %d, \"arch\": ", i ? "," : "", i);
            hw_buf_json_str(out, arch);
            hw_buf_printf(out, ", \"generation\": %d, \"island\": %d, \"cv\": ", gen, isl);
            json_num(out, cv);
            hw_buf_printf(out, ", \"objectives\": {");
        }
        for (int k = 0; k < m; k++) {
            size_t ik = (size_t)i * m + k;
            double v = p->obj[ik];
            int meas = p->measured ? p->measured[ik] : 1;
            double mu = p->pred_mean ? p->pred_mean[ik] : NAN, sd = p->pred_std ? p->pred_std[ik] : NAN;
            int r = meas ? prov_index_row(&pi[k], arch) : -1;
            const char *board = r >= 0 ? pi[k].t->board[r] : "", *runner = r >= 0 ? pi[k].t->runner[r] : "";
            double t0 = r >= 0 ? pi[k].t->t_start[r] : NAN, t1 = r >= 0 ? pi[k].t->t_end[r] : NAN;
            if (!(t0 > 0)) t0 = t1 = NAN; /* table lookups are not timed */
            if (fmt == RUNTRIALS_CSV) {
                csv_num(out, v);
                hw_buf_printf(out, ",%d", meas);
                csv_num(out, mu);
                csv_num(out, sd);
                hw_buf_printf(out, ",");
                csv_field(out, board);
                hw_buf_printf(out, ",");
                csv_field(out, runner);
                csv_num(out, t0);
                csv_num(out, t1);
            } else {
                hw_buf_printf(out, "%s", k ? ", " : "");
                hw_buf_json_str(out, s->obj_names[k]);
                hw_buf_printf(out, ": {\"value\": ");
                json_num(out, v);
                hw_buf_printf(out, ", \"measured\": %s, \"pred_mean\": ", meas ? "true" : "false");
                json_num(out, mu);
                hw_buf_printf(out, ", \"pred_std\": ");
                json_num(out, sd);
                hw_buf_printf(out, ", \"board\": ");
                hw_buf_json_str(out, board);
                hw_buf_printf(out, ", \"runner\": ");
                hw_buf_json_str(out, runner);
                hw_buf_printf(out, ", \"t_start\": ");
                json_num(out, t0);
                hw_buf_printf(out, ", \"t_end\": ");
                json_num(out, t1);
                hw_buf_printf(out, "}");
            }
        }
        hw_buf_printf(out, fmt == RUNTRIALS_CSV ? "\n" : "}}");
    }
    if (fmt == RUNTRIALS_JSON) hw_buf_printf(out, "\n ]}\n");
    for (int k = 0; k < m; k++) u64map_free(&pi[k].rows);
    free(pi);
    if (p == &all) run_points_clear(&all);
}
