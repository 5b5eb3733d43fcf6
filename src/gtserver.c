/* HWNAS_FULL_ONLY
 * gtserver.c: measurement queue, dedup, budget, records (see gtserver.h). */
#include "gtserver.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hw_err.h"
#include "u64map.h"

struct gts {
    const search_config *cfg;
    const space *sp;
    eval_table *tab;
    surrogate *sur;
    pareto_archive *arch;
    u64map known;           /* hash -> record index (measured) or -1 (queued) */
    hw_genome *queue;
    int nq, capq;
    meas_record *rec;
    int nrec, caprec;
    double board_s;
};

/* HELP's 10 hardware-embedding reference architectures (NB201 indices),
 * data/help_latency/hw_embedding_index.csv. */
static const int help_ref_archs[10] = {11982, 431, 55, 9, 14451, 8636, 9881, 13479, 6196, 1462};

int gts_create(const search_config *cfg, const space *sp, gts **out) {
    gts *s = hw_calloc(1, sizeof *s);
    s->cfg = cfg;
    s->sp = sp;
    u64map_init(&s->known);
    if (eval_table_create(cfg, sp, &s->tab) || pareto_archive_create(cfg->n_obj, &s->arch)) goto fail;
    surrogate_params sp_ = {.n_obj = cfg->n_obj, .n_trees = cfg->pred_trees, .min_train = cfg->pred_min_train,
                            .seed = cfg->seed};
    for (int k = 0; k < cfg->n_obj; k++) sp_.method[k] = cfg->pred_method[k];
    if (surrogate_create(sp, &sp_, &s->sur)) goto fail;
    *out = s;
    return 0;
fail:
    gts_free(s);
    return -1;
}

void gts_free(gts *s) {
    if (!s) return;
    eval_table_free(s->tab);
    surrogate_free(s->sur);
    pareto_archive_free(s->arch);
    u64map_free(&s->known);
    free(s->queue);
    free(s->rec);
    free(s);
}

int gts_budget_exhausted(const gts *s) {
    return s->cfg->max_measurements > 0 && s->nrec + s->nq >= s->cfg->max_measurements;
}

int gts_submit(gts *s, const hw_genome *g, int n, int *n_accepted) {
    int acc = 0;
    for (int i = 0; i < n; i++) {
        if (gts_budget_exhausted(s)) break;
        uint64_t h = space_hash(s->sp, &g[i]);
        if (u64map_get(&s->known, h, NULL)) continue;
        u64map_put(&s->known, h, -1);
        if (s->nq == s->capq) s->queue = hw_realloc(s->queue, (size_t)(s->capq = s->capq ? 2 * s->capq : 64) * sizeof *s->queue);
        s->queue[s->nq++] = g[i];
        acc++;
    }
    if (n_accepted) *n_accepted = acc;
    return 0;
}

int gts_collect(gts *s, int *first, int *n_new) {
    const int m = s->cfg->n_obj;
    *first = s->nrec;
    for (int q = 0; q < s->nq; q++) {
        if (s->nrec == s->caprec) s->rec = hw_realloc(s->rec, (size_t)(s->caprec = s->caprec ? 2 * s->caprec : 256) * sizeof *s->rec);
        meas_record *r = &s->rec[s->nrec];
        memset(r, 0, sizeof *r);
        r->g = s->queue[q];
        double raw[HW_MAX_OBJ];
        eval_table_lookup(s->tab, &r->g, raw, &r->cv);
        for (int k = 0; k < m; k++) r->obj[k] = objective_to_min(&s->cfg->obj[k], raw[k]);
        r->board_s = s->cfg->measure_cost_s;
        r->seq = s->nrec;
        s->board_s += r->board_s;
        uint64_t h = space_hash(s->sp, &r->g);
        u64map_put(&s->known, h, s->nrec);
        if (isfinite(r->cv)) surrogate_add(s->sur, &r->g, r->obj);
        if (r->cv == 0) pareto_archive_insert(s->arch, r->obj, h, &r->g);
        s->nrec++;
    }
    *n_new = s->nq;
    s->nq = 0;
    return 0;
}

const meas_record *gts_records(const gts *s, int *n) {
    *n = s->nrec;
    return s->rec;
}

int gts_lookup(const gts *s, const hw_genome *g, meas_record *out) {
    int64_t i;
    if (!u64map_get(&s->known, space_hash(s->sp, g), &i) || i < 0) return 0;
    if (out) *out = s->rec[i];
    return 1;
}

long gts_measurements(const gts *s) { return s->nrec; }
double gts_board_seconds(const gts *s) { return s->board_s; }
const pareto_archive *gts_archive(const gts *s) { return s->arch; }
surrogate *gts_surrogate(gts *s) { return s->sur; }

int gts_retrain(gts *s, uint8_t **blob, size_t *len) {
    if (surrogate_fit(s->sur)) return -1;
    return surrogate_save(s->sur, blob, len);
}

int gts_initial_design(const gts *s, hw_rng *r, int n, hw_genome *out, int *n_out) {
    int k = 0;
    if (!strcmp(space_name(s->sp), "nb201"))
        for (int i = 0; i < 10 && k < n; i++)
            if (space_from_index(s->sp, help_ref_archs[i], &out[k]) == 0) k++;
    u64map tmp;
    u64map_init(&tmp);
    for (int i = 0; i < k; i++) u64map_put(&tmp, space_hash(s->sp, &out[i]), 1);
    for (int tries = 0; k < n && tries < 100 * n; tries++) {
        space_sample(s->sp, r, &out[k]);
        if (u64map_put(&tmp, space_hash(s->sp, &out[k]), 1)) k++;
    }
    u64map_free(&tmp);
    *n_out = k;
    return 0;
}
