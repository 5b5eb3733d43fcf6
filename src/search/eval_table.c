/* eval_table.c: CSV tables -> per-genome ground truth. */
#include "eval_table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "hw_err.h"
#include "u64map.h"

typedef struct metric_ref {
    int table, col; /* where the value lives */
} metric_ref;

struct eval_table {
    const search_config *cfg;
    const space *sp;
    int ntab;
    csv_table *tab[HW_MAX_TABLES];
    u64map rows[HW_MAX_TABLES];        /* genome hash -> row of each table */
    metric_ref obj[HW_MAX_OBJ];        /* per objective */
    metric_ref con[HW_MAX_CONSTRAINTS];/* per constraint */
    int con_obj[HW_MAX_CONSTRAINTS];   /* objective index, or -1 for a column */
    u64map seen;                       /* measured genome hashes */
};

static int find_metric(const eval_table *t, const char *col, metric_ref *out) {
    for (int i = 0; i < t->ntab; i++) {
        int j = csv_col(t->tab[i], col);
        if (j >= 0) {
            out->table = i;
            out->col = j;
            return 0;
        }
    }
    return -1;
}

/* Maps each row of table i to a genome through the key column. */
static int index_rows(eval_table *t, int i) {
    const csv_table *tb = t->tab[i];
    const char *key = t->cfg->key;
    int kc = csv_col_required(tb, key);
    if (kc < 0) return -1;
    int by_index = !strcmp(key, "arch_index");
    u64map_init(&t->rows[i]);
    for (int r = 0; r < csv_nrows(tb); r++) {
        hw_genome g;
        if (by_index) {
            double v;
            if (csv_num_strict(tb, r, kc, &v)) return -1;
            if (v != floor(v) || space_from_index(t->sp, (int64_t)v, &g))
                return hw_fail("%s:%d: column '%s': %s", csv_path(tb), csv_line(tb, r), key,
                               v != floor(v) ? "not an integer index" : hw_errmsg());
        } else if (space_from_string(t->sp, csv_str(tb, r, kc), &g)) {
            return hw_fail_prefix("%s:%d: column '%s'", csv_path(tb), csv_line(tb, r), key);
        }
        if (!u64map_put(&t->rows[i], space_hash(t->sp, &g), r))
            return hw_fail("%s:%d: duplicate architecture '%s'", csv_path(tb), csv_line(tb, r), csv_str(tb, r, kc));
    }
    return 0;
}

int eval_table_create(const search_config *c, const space *s, eval_table **out) {
    eval_table *t = hw_calloc(1, sizeof *t);
    t->cfg = c;
    t->sp = s;
    u64map_init(&t->seen);
    for (int i = 0; i < c->n_tables; i++) {
        if (csv_read(c->tables[i], &t->tab[i])) goto fail;
        t->ntab++;
        if (csv_nrows(t->tab[i]) == 0) {
            hw_fail("%s: the table has a header but no rows", c->tables[i]);
            goto fail;
        }
        if (index_rows(t, i)) goto fail;
    }
    for (int k = 0; k < c->n_obj; k++) {
        if (find_metric(t, c->obj[k].source, &t->obj[k])) {
            hw_fail("objective '%s': no table has a column '%s' (tables: %s%s)", c->obj[k].name, c->obj[k].source,
                    c->tables[0], c->n_tables > 1 ? ", ..." : "");
            goto fail;
        }
        if (csv_check_numeric(t->tab[t->obj[k].table], t->obj[k].col)) goto fail; /* "5.8ms", NaN, inf */
    }
    for (int k = 0; k < c->n_con; k++) {
        t->con_obj[k] = -1;
        for (int j = 0; j < c->n_obj; j++)
            if (!strcmp(c->con[k].name, c->obj[j].name)) t->con_obj[k] = j;
        if (t->con_obj[k] < 0 && find_metric(t, c->con[k].name, &t->con[k])) {
            hw_fail("constraint '%s': '%s' is neither an objective nor a table column", c->con[k].text,
                    c->con[k].name);
            goto fail;
        }
        if (t->con_obj[k] < 0 && csv_check_numeric(t->tab[t->con[k].table], t->con[k].col)) goto fail;
    }
    *out = t;
    return 0;
fail:
    eval_table_free(t);
    return -1;
}

void eval_table_free(eval_table *t) {
    if (!t) return;
    for (int i = 0; i < t->ntab; i++) {
        csv_free(t->tab[i]);
        u64map_free(&t->rows[i]);
    }
    u64map_free(&t->seen);
    free(t);
}

static double metric_value(const eval_table *t, const metric_ref *m, uint64_t h) {
    int64_t row;
    if (!u64map_get(&t->rows[m->table], h, &row)) return NAN;
    return csv_num(t->tab[m->table], (int)row, m->col);
}

void eval_table_peek(const eval_table *t, const hw_genome *g, double *raw_obj, double *cv) {
    const search_config *c = t->cfg;
    uint64_t h = space_hash(t->sp, g);
    int missing = 0;
    for (int k = 0; k < c->n_obj; k++) {
        raw_obj[k] = metric_value(t, &t->obj[k], h);
        if (objective_missing_value(&c->obj[k], raw_obj[k])) raw_obj[k] = NAN; /* a failed measurement */
        missing |= isnan(raw_obj[k]);
    }
    double v = 0;
    for (int k = 0; k < c->n_con; k++) {
        double x = t->con_obj[k] >= 0 ? raw_obj[t->con_obj[k]] : metric_value(t, &t->con[k], h);
        v += constraint_violation(&c->con[k], x);
    }
    *cv = missing ? INFINITY : v;
}

int eval_table_lookup(eval_table *t, const hw_genome *g, double *raw_obj, double *cv) {
    eval_table_peek(t, g, raw_obj, cv);
    return u64map_put(&t->seen, space_hash(t->sp, g), 1);
}

long eval_table_measurements(const eval_table *t) { return (long)u64map_size(&t->seen); }

void eval_table_mark(eval_table *t, const hw_genome *g) { u64map_put(&t->seen, space_hash(t->sp, g), 1); }

int eval_table_seen(const eval_table *t, const hw_genome *g) { return u64map_get(&t->seen, space_hash(t->sp, g), NULL); }

int eval_table_all_feasible(const eval_table *t, double **out, hw_genome **out_g, int *out_n) {
    const search_config *c = t->cfg;
    const csv_table *t0 = t->tab[0];
    int kc = csv_col(t0, c->key), n = 0, m = c->n_obj;
    double *pts = hw_malloc((size_t)(csv_nrows(t0) + 1) * m * sizeof *pts);
    hw_genome *gs = out_g ? hw_malloc((size_t)(csv_nrows(t0) + 1) * sizeof *gs) : NULL;
    double raw[HW_MAX_OBJ], cv;
    for (int r = 0; r < csv_nrows(t0); r++) {
        hw_genome g;
        int rc = !strcmp(c->key, "arch_index") ? space_from_index(t->sp, (int64_t)csv_num(t0, r, kc), &g)
                                               : space_from_string(t->sp, csv_str(t0, r, kc), &g);
        HW_ASSERT(rc == 0); /* every row was indexed at create */
        eval_table_peek(t, &g, raw, &cv);
        if (cv != 0) continue;
        for (int k = 0; k < m; k++) pts[(size_t)n * m + k] = objective_to_min(&c->obj[k], raw[k]);
        if (gs) gs[n] = g;
        n++;
    }
    *out = pts;
    if (out_g) *out_g = gs;
    *out_n = n;
    return 0;
}
