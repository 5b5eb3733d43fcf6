/* runfront: front extraction shared by the offline analysis commands. */
#include "runfront.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw_data.h"
#include "hw_err.h"
#include "nsga.h"

static void append_points(const run_points *src, int ng, int m, run_points *dst, int island) {
    int n0 = dst->n, n = src->n;
    size_t t = (size_t)(n0 + n);
    dst->genomes = hw_realloc(dst->genomes, sizeof(int16_t) * ng * (t ? t : 1));
    dst->strings = hw_realloc(dst->strings, sizeof(char *) * (t ? t : 1));
    dst->obj = hw_realloc(dst->obj, sizeof(double) * m * (t ? t : 1));
    dst->measured = hw_realloc(dst->measured, (size_t)m * (t ? t : 1));
    dst->cv = hw_realloc(dst->cv, sizeof(double) * (t ? t : 1));
    dst->generation = hw_realloc(dst->generation, sizeof(int32_t) * (t ? t : 1));
    dst->island = hw_realloc(dst->island, sizeof(int32_t) * (t ? t : 1));
    if (n) {
        memcpy(dst->genomes + (size_t)n0 * ng, src->genomes, sizeof(int16_t) * ng * n);
        memcpy(dst->obj + (size_t)n0 * m, src->obj, sizeof(double) * m * n);
    }
    for (int i = 0; i < n; i++) {
        dst->strings[n0 + i] = hw_strdup(src->strings[i]);
        for (int k = 0; k < m; k++) dst->measured[(size_t)(n0 + i) * m + k] = src->measured ? src->measured[(size_t)i * m + k] : 1;
        dst->cv[n0 + i] = src->cv ? src->cv[i] : 0.0;
        dst->generation[n0 + i] = src->generation ? src->generation[i] : -1;
        dst->island[n0 + i] = src->island ? src->island[i] : island;
    }
    dst->n = n0 + n;
}

void runfront_all_points(const run_snapshot *s, run_points *out) {
    memset(out, 0, sizeof *out);
    if (s->evaluated.n > 0) {
        append_points(&s->evaluated, s->ngenes, s->nobj, out, -1);
        return;
    }
    for (int i = 0; i < s->nislands; i++) append_points(&s->islands[i].pop, s->ngenes, s->nobj, out, i);
    append_points(&s->archive, s->ngenes, s->nobj, out, -1);
}

double *runfront_minimised(const run_snapshot *s, const run_points *p, const int *idx, int n) {
    const int m = s->nobj;
    double *v = hw_malloc(sizeof(double) * m * (n ? n : 1)); /* n x m */
    for (int i = 0; i < n; i++)
        for (int k = 0; k < m; k++) {
            double x = p->obj[(size_t)idx[i] * m + k];
            v[(size_t)i * m + k] = s->obj_maximise[k] ? -x : x;
        }
    return v;
}

static const run_snapshot *sort_s;
static const run_points *sort_p;

static int by_first(const void *a, const void *b) {
    int i = *(const int *)a, j = *(const int *)b;
    const int m = sort_s->nobj;
    double x = sort_p->obj[(size_t)i * m], y = sort_p->obj[(size_t)j * m];
    if (sort_s->obj_maximise[0]) x = -x, y = -y;
    if (x != y) return x < y ? -1 : 1;
    return strcmp(sort_p->strings[i], sort_p->strings[j]);
}

static int nmeasured(const run_points *p, int i, int m) {
    int c = 0;
    for (int k = 0; k < m; k++) c += p->measured[(size_t)i * m + k];
    return c;
}

int runfront_front(const run_snapshot *s, const run_points *all, int measured_only, int **out_idx, int *out_n) {
    const int m = s->nobj;
    int n = all->n, k = 0;
    int *cand = hw_malloc(sizeof(int) * (n ? n : 1));
    for (int i = 0; i < n; i++) {
        if (all->cv[i] > 0 || !(all->cv[i] == all->cv[i])) continue;
        int ok = 1;
        for (int j = 0; j < m && ok; j++) ok = isfinite(all->obj[(size_t)i * m + j]);
        if (ok && measured_only) ok = nmeasured(all, i, m) == m;
        if (ok) cand[k++] = i;
    }
    double *v = runfront_minimised(s, all, cand, k);
    int *rank = hw_malloc(sizeof(int) * (k ? k : 1));
    if (k && nd_sort(v, NULL, k, m, rank) < 0) {
        free(v), free(rank), free(cand);
        return -1;
    }
    int f = 0;
    for (int i = 0; i < k; i++)
        if (rank[i] == 0) cand[f++] = cand[i];
    free(v);
    free(rank);
    /* one entry per architecture: prefer the most measured evaluation */
    sort_s = s, sort_p = all;
    int u = 0;
    for (int i = 0; i < f; i++) {
        int dup = -1;
        for (int j = 0; j < u && dup < 0; j++)
            if (!strcmp(all->strings[cand[i]], all->strings[cand[j]])) dup = j;
        if (dup < 0) cand[u++] = cand[i];
        else if (nmeasured(all, cand[i], m) > nmeasured(all, cand[dup], m)) cand[dup] = cand[i];
    }
    qsort(cand, (size_t)u, sizeof(int), by_first);
    *out_idx = cand;
    *out_n = u;
    return 0;
}

int runfront_load(const char *path, run_snapshot **out) {
    return runfile_read(path, out) < 0 ? -1 : 0;
}

const char *runfront_dir(const run_snapshot *s, int k) {
    return s->obj_maximise[k] ? "max" : "min";
}

void runfront_default_ref(const double *va, int na, const double *vb, int nb, int m, double *ref) {
    for (int k = 0; k < m; k++) {
        double lo = INFINITY, hi = -INFINITY;
        for (int i = 0; i < na + nb; i++) {
            double v = i < na ? va[(size_t)i * m + k] : vb[(size_t)(i - na) * m + k];
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
        if (!isfinite(lo)) lo = hi = 0;
        double r = hi - lo;
        ref[k] = hi + (r > 0 ? 0.1 * r : 1e-9);
    }
}

int runfront_parse_ref(const run_snapshot *s, const char *text, double *ref) {
    const int m = s->nobj;
    const char *p = text;
    for (int k = 0; k < m; k++) {
        char *end;
        double v = strtod(p, &end);
        if (end == p || !isfinite(v) || (k < m - 1 ? *end != ',' : *end != 0))
            return hw_fail("--ref '%s': expected %d comma-separated numbers", text, m);
        ref[k] = s->obj_maximise[k] ? -v : v;
        p = end + 1;
    }
    return 0;
}

search_config *runfront_config(const char *path, const run_snapshot *s) {
    if (!s->config_text || !*s->config_text) return NULL;
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    char name[4096];
    snprintf(name, sizeof name, "%s/configs/(config of %s)", hw_data_dir(), base);
    search_config *c;
    return search_config_parse(name, s->config_text, &c) ? NULL : c;
}

int runfront_config_ref(const char *path, const run_snapshot *s, double *ref) {
    search_config *c = runfront_config(path, s);
    int has = c && c->has_ref && c->n_obj == s->nobj;
    for (int k = 0; has && k < s->nobj; k++) ref[k] = s->obj_maximise[k] ? -c->ref[k] : c->ref[k];
    search_config_free(c);
    return has;
}

/* ---- the front layout ----------------------------------------------------- */

/* Cells of the front layout: row 0 the header, then one row per idx[];
 * objectives with `digits` significant digits. *ncol columns. */
static char **front_cells(const run_snapshot *s, const run_points *p, const int *idx, int n, int knee, int digits,
                          int *ncol) {
    const int m = s->nobj, nc = 2 * m + 3 + (knee >= -1 ? 1 : 0);
    char **c = hw_calloc((size_t)(n + 1) * nc, sizeof *c), b[512];
    for (int r = 0; r <= n; r++) {
        char **row = c + (size_t)r * nc;
        int i = r ? idx[r - 1] : -1, j = 0;
        for (int k = 0; k < m; k++) {
            if (r) snprintf(b, sizeof b, "%.*g", digits, p->obj[(size_t)i * m + k]);
            row[j++] = hw_strdup(r ? b : s->obj_names[k]);
        }
        for (int k = 0; k < m; k++) {
            if (r) snprintf(b, sizeof b, "%d", p->measured[(size_t)i * m + k]);
            else snprintf(b, sizeof b, "%s_measured", s->obj_names[k]);
            row[j++] = hw_strdup(b);
        }
        snprintf(b, sizeof b, "%d", r ? (p->island ? p->island[i] : -1) : 0);
        row[j++] = hw_strdup(r ? b : "island");
        snprintf(b, sizeof b, "%d", r ? (p->generation ? p->generation[i] : -1) : 0);
        row[j++] = hw_strdup(r ? b : "generation");
        if (knee >= -1) row[j++] = hw_strdup(r ? (r - 1 == knee ? "1" : "0") : "knee");
        row[j++] = hw_strdup(r ? p->strings[i] : "arch");
    }
    *ncol = nc;
    return c;
}

static void free_cells(char **c, size_t n) {
    for (size_t i = 0; i < n; i++) free(c[i]);
    free(c);
}

void runfront_csv(hw_buf *b, const run_snapshot *s, const run_points *p, const int *idx, int n, int knee) {
    int nc;
    char **c = front_cells(s, p, idx, n, knee, 17, &nc);
    for (int r = 0; r <= n; r++)
        for (int j = 0; j < nc; j++) {
            const char *v = c[(size_t)r * nc + j];
            if (j) hw_buf_printf(b, ",");
            if (!strpbrk(v, ",\"\n")) {
                hw_buf_printf(b, "%s", v);
            } else { /* quoted, quotes doubled */
                hw_buf_printf(b, "\"");
                for (; *v; v++) hw_buf_printf(b, "%s%c", *v == '"' ? "\"" : "", *v);
                hw_buf_printf(b, "\"");
            }
            if (j == nc - 1) hw_buf_printf(b, "\n");
        }
    free_cells(c, (size_t)(n + 1) * nc);
}

void runfront_table(FILE *f, const run_snapshot *s, const run_points *p, const int *idx, int n, int knee) {
    int nc;
    char **c = front_cells(s, p, idx, n, knee, 6, &nc);
    int *w = hw_calloc((size_t)nc, sizeof *w);
    for (int r = 0; r <= n; r++)
        for (int j = 0; j < nc; j++) {
            int l = (int)strlen(c[(size_t)r * nc + j]);
            if (l > w[j]) w[j] = l;
        }
    for (int r = 0; r <= n; r++)
        for (int j = 0; j < nc; j++) /* numbers right-aligned; arch last, unpadded */
            if (j < nc - 1) fprintf(f, "%*s  ", w[j], c[(size_t)r * nc + j]);
            else fprintf(f, "%s\n", c[(size_t)r * nc + j]);
    free(w);
    free_cells(c, (size_t)(n + 1) * nc);
}
