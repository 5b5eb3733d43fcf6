/* runcmp.c: see runcmp.h. */
#include "runcmp.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval_table.h"
#include "hw_err.h"
#include "nsga.h"
#include "search.h"
#include "stats.h"

static const char *base_name(const char *p) {
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

void runcmp_label(const char *path, char *out, size_t cap) {
    snprintf(out, cap, "%s", base_name(path));
    size_t n = strlen(out);
    if (n > 3 && !strcmp(out + n - 3, ".h5")) out[n -= 3] = 0;
    size_t d = n;
    while (d > 0 && isdigit((unsigned char)out[d - 1])) d--;
    if (d == n || d == 0) return; /* no digits, or only digits */
    size_t e = d;
    if (e >= 4 && !strncmp(out + e - 4, "seed", 4)) e -= 4;
    else if (e >= 1 && out[e - 1] == 's') e -= 1;
    if (e > 0 && strchr("-_.", out[e - 1])) out[e - 1] = 0;
    else if (e == d && e > 0) return; /* "r1": digits glued to the name, keep */
}

/* One line naming both runs when B's space or objectives differ from A's. */
static int check_same(const runcmp_run *a, const runcmp_run *b) {
    const run_snapshot *x = a->s, *y = b->s;
    if (strcmp(x->space_name, y->space_name))
        return hw_fail("%s and %s: different spaces ('%s' vs '%s')", a->path, b->path, x->space_name, y->space_name);
    if (x->nobj != y->nobj)
        return hw_fail("%s and %s: different objectives (%d vs %d)", a->path, b->path, x->nobj, y->nobj);
    for (int k = 0; k < x->nobj; k++)
        if (strcmp(x->obj_names[k], y->obj_names[k]) || x->obj_maximise[k] != y->obj_maximise[k])
            return hw_fail("%s and %s: objective %d differs ('%s' %s vs '%s' %s)", a->path, b->path, k + 1,
                           x->obj_names[k], runfront_dir(x, k), y->obj_names[k], runfront_dir(y, k));
    return 0;
}

/* Sets c->ref and c->ref_from: --ref, else the configs' common reference,
 * else (o->data_ref_ok) the fronts' default; -1 (bad input) otherwise. */
static int pick_reference(runcmp *c, const runcmp_opts *o) {
    const int m = c->m;
    if (o->ref_text) {
        c->ref_from = "--ref";
        return runfront_parse_ref(c->runs[0].s, o->ref_text, c->ref);
    }
    int first = -1;
    for (int i = 0; i < c->nruns; i++) {
        const search_config *f = c->runs[i].cfg;
        if (!f || !f->has_ref) {
            if (o->data_ref_ok) continue;
            return hw_fail("%s: %s; give --ref V1,V2,...", c->runs[i].path,
                           f ? "its stored config has no hypervolume.reference"
                             : "its stored config (/config) is missing or does not parse");
        }
        if (first < 0) {
            first = i;
            continue;
        }
        const search_config *a = c->runs[first].cfg;
        for (int k = 0; k < m; k++)
            if (a->ref[k] != f->ref[k])
                return hw_fail("%s and %s: hypervolume.reference differs (%s %.9g vs %.9g); give --ref V1,V2,...",
                               c->runs[first].path, c->runs[i].path, c->runs[0].s->obj_names[k], a->ref[k], f->ref[k]);
    }
    if (first >= 0 && o->data_ref_ok) /* every config must agree: one without a reference is a mismatch */
        for (int i = 0; i < c->nruns; i++)
            if (!c->runs[i].cfg || !c->runs[i].cfg->has_ref)
                return hw_fail("%s has a hypervolume.reference in its config and %s none; give --ref V1,V2,...",
                               c->runs[first].path, c->runs[i].path);
    if (first >= 0) {
        for (int k = 0; k < m; k++) c->ref[k] = c->runs[0].s->obj_maximise[k] ? -c->runs[first].cfg->ref[k] : c->runs[first].cfg->ref[k];
        c->ref_from = "hypervolume.reference of the runs' configs";
        return 0;
    }
    /* data-derived: worst value over all fronts + 10 % of the range */
    int tot = 0;
    for (int i = 0; i < c->nruns; i++) tot += c->runs[i].nfront;
    double *all = hw_malloc(sizeof(double) * m * (tot ? tot : 1));
    int at = 0;
    for (int i = 0; i < c->nruns; i++) {
        memcpy(all + (size_t)at * m, c->runs[i].front, sizeof(double) * m * c->runs[i].nfront);
        at += c->runs[i].nfront;
    }
    runfront_default_ref(all, tot, NULL, 0, m, c->ref);
    free(all);
    c->ref_from = "the fronts (the configs give no hypervolume.reference)";
    return 0;
}

/* Groups the runs by stored config text (FNV-style checksum) or label. */
static void make_groups(runcmp *c, runcmp_group_by by) {
    c->groups = hw_calloc((size_t)c->nruns, sizeof *c->groups);
    for (int i = 0; i < c->nruns; i++) {
        runcmp_run *r = &c->runs[i];
        char key[256];
        if (by == RUNCMP_BY_LABEL) runcmp_label(r->path, key, sizeof key);
        else {
            const char *t = r->s->config_text ? r->s->config_text : "";
            snprintf(key, sizeof key, "config %08x", (unsigned)(hw_hash_bytes(t, strlen(t), 0) >> 32));
        }
        int g = 0;
        while (g < c->ngroups && strcmp(c->groups[g].name, key)) g++;
        if (g == c->ngroups) {
            c->groups[g].name = hw_strdup(key);
            c->groups[g].runs = hw_malloc(sizeof(int) * c->nruns);
            c->ngroups++;
        }
        c->groups[g].runs[c->groups[g].nruns++] = i;
        r->group = g;
    }
}

/* HV after every measurement of run R (rows of /evaluated in order),
 * keeping the non-dominated set of the feasible measured rows so far. */
static int hv_curve(runcmp_run *r, const double *ref, int m) {
    const run_points *p = &r->s->evaluated;
    r->nmeas = p->n;
    r->curve = hw_malloc(sizeof(double) * (p->n ? p->n : 1));
    double *nd = hw_malloc(sizeof(double) * m * (p->n ? p->n : 1)); /* current non-dominated set */
    int nn = 0;
    double hv = 0, x[HW_MAX_OBJ];
    for (int i = 0; i < p->n; i++) {
        int ok = !(p->cv && !(p->cv[i] == 0));
        for (int k = 0; k < m && ok; k++) {
            x[k] = r->s->obj_maximise[k] ? -p->obj[(size_t)i * m + k] : p->obj[(size_t)i * m + k];
            ok = isfinite(x[k]) && (!p->measured || p->measured[(size_t)i * m + k]);
        }
        int dominated = 0;
        for (int j = 0; j < nn && ok && !dominated; j++) {
            int le = 1;
            for (int k = 0; k < m && le; k++) le = nd[(size_t)j * m + k] <= x[k];
            dominated = le;
        }
        if (ok && !dominated) {
            int a = 0;
            for (int j = 0; j < nn; j++) { /* drop the points x dominates */
                int ge = 1;
                for (int k = 0; k < m && ge; k++) ge = nd[(size_t)j * m + k] >= x[k];
                if (!ge) memmove(nd + (size_t)a++ * m, nd + (size_t)j * m, sizeof(double) * m);
            }
            nn = a;
            memcpy(nd + (size_t)nn++ * m, x, sizeof(double) * m);
            if (hv_exact(nd, nn, m, ref, &hv) < 0) {
                free(nd);
                return -1;
            }
        }
        r->curve[i] = hv;
    }
    free(nd);
    return 0;
}

/* The true front from the first run whose stored config names readable
 * tables; 0 with c->ref_front set, -1 when none could be read. */
static int true_front(runcmp *c) {
    for (int i = 0; i < c->nruns; i++) {
        const search_config *f = c->runs[i].cfg;
        if (!f || f->evaluator != EVAL_TABLE || f->n_tables == 0) continue;
        space *sp = NULL;
        eval_table *t = NULL;
        int rc = search_config_space(f, &sp) || eval_table_create(f, sp, &t) ||
                 search_true_front(t, c->m, &c->ref_front, NULL, &c->nref, NULL);
        eval_table_free(t);
        space_free(sp);
        if (!rc && c->nref > 0) return 0;
        free(c->ref_front);
        c->ref_front = NULL;
    }
    return -1;
}

/* The non-dominated union of the runs' final fronts into c->ref_front. */
static int union_front(runcmp *c) {
    const int m = c->m;
    int tot = 0;
    for (int i = 0; i < c->nruns; i++) tot += c->runs[i].nfront;
    double *all = hw_malloc(sizeof(double) * m * (tot ? tot : 1));
    int *idx = hw_malloc(sizeof(int) * (tot ? tot : 1)), at = 0;
    for (int i = 0; i < c->nruns; i++) {
        memcpy(all + (size_t)at * m, c->runs[i].front, sizeof(double) * m * c->runs[i].nfront);
        at += c->runs[i].nfront;
    }
    int k = search_front_of(all, tot, m, idx);
    if (k < 0) {
        free(all), free(idx);
        return -1;
    }
    c->ref_front = hw_malloc(sizeof(double) * m * (k ? k : 1));
    for (int i = 0; i < k; i++) memcpy(c->ref_front + (size_t)i * m, all + (size_t)idx[i] * m, sizeof(double) * m);
    c->nref = k;
    free(all), free(idx);
    return 0;
}

int runcmp_create(const char *const *paths, int n, const runcmp_opts *o, runcmp **out, int *bad_input) {
    HW_ASSERT(n >= 1);
    runcmp *c = hw_calloc(1, sizeof *c);
    c->nruns = n;
    c->runs = hw_calloc((size_t)n, sizeof *c->runs);
    *bad_input = 1;
    for (int i = 0; i < n; i++) {
        runcmp_run *r = &c->runs[i];
        r->path = paths[i];
        if (runfront_load(r->path, &r->s) < 0) goto fail;
        if (i && check_same(&c->runs[0], r)) goto fail;
        r->cfg = runfront_config(r->path, r->s);
    }
    c->m = c->runs[0].s->nobj;
    if (c->m > HW_MAX_OBJ) {
        hw_fail("%s: %d objectives, at most %d supported", c->runs[0].path, c->m, HW_MAX_OBJ);
        goto fail;
    }
    for (int i = 0; i < n; i++) { /* final fronts (also needed for a data-derived reference) */
        runcmp_run *r = &c->runs[i];
        run_points all;
        int *idx;
        runfront_all_points(r->s, &all);
        int rc = runfront_front(r->s, &all, o->measured_only, &idx, &r->nfront);
        if (!rc) r->front = runfront_minimised(r->s, &all, idx, r->nfront);
        if (!rc) free(idx);
        run_points_clear(&all);
        if (rc) {
            *bad_input = 0;
            goto fail;
        }
    }
    if (pick_reference(c, o)) goto fail;
    *bad_input = 0;
    make_groups(c, o->group_by);
    for (int i = 0; i < n; i++)
        if (hv_curve(&c->runs[i], c->ref, c->m) || hv_exact(c->runs[i].front, c->runs[i].nfront, c->m, c->ref, &c->runs[i].hv))
            goto fail;
    c->ref_front_true = true_front(c) == 0;
    if (!c->ref_front_true && union_front(c)) goto fail;
    if (hv_exact(c->ref_front, c->nref, c->m, c->ref, &c->ref_front_hv)) goto fail;
    for (int k = 0; k < c->m; k++) {
        double lo = INFINITY, hi = -INFINITY;
        for (int i = 0; i < c->nref; i++) {
            double v = c->ref_front[(size_t)i * c->m + k];
            lo = v < lo ? v : lo, hi = v > hi ? v : hi;
        }
        c->scale[k] = hi > lo ? hi - lo : 1;
    }
    for (int i = 0; i < n; i++)
        if (front_igd_plus(c->runs[i].front, c->runs[i].nfront, c->ref_front, c->nref, c->m, c->scale,
                           &c->runs[i].igd_plus) < 0)
            goto fail;
    *out = c;
    return 0;
fail:
    runcmp_free(c);
    return -1;
}

void runcmp_free(runcmp *c) {
    if (!c) return;
    for (int i = 0; i < c->nruns; i++) {
        run_snapshot_free(c->runs[i].s);
        search_config_free(c->runs[i].cfg);
        free(c->runs[i].curve);
        free(c->runs[i].front);
    }
    for (int g = 0; g < c->ngroups; g++) free(c->groups[g].name), free(c->groups[g].runs);
    free(c->groups);
    free(c->runs);
    free(c->ref_front);
    free(c);
}

double runcmp_hv_at(const runcmp_run *r, long b) {
    if (r->nmeas == 0 || b < 1) return 0;
    return r->curve[(b > r->nmeas ? r->nmeas : b) - 1];
}

long runcmp_meas_to(const runcmp_run *r, double hv_target, double ratio) {
    for (int i = 0; i < r->nmeas; i++)
        if (r->curve[i] >= ratio * hv_target) return i + 1;
    return -1;
}

void runcmp_hv_stats(const runcmp *c, int g, long b, double *med, double *q1, double *q3) {
    const runcmp_group *gr = &c->groups[g];
    double *v = hw_malloc(sizeof(double) * gr->nruns);
    for (int i = 0; i < gr->nruns; i++) v[i] = runcmp_hv_at(&c->runs[gr->runs[i]], b);
    *med = stats_median(v, gr->nruns);
    *q1 = stats_percentile(v, gr->nruns, 25);
    *q3 = stats_percentile(v, gr->nruns, 75);
    free(v);
}

long runcmp_min_meas(const runcmp *c) {
    long b = -1;
    for (int i = 0; i < c->nruns; i++)
        if (b < 0 || c->runs[i].nmeas < b) b = c->runs[i].nmeas;
    return b < 0 ? 0 : b;
}
