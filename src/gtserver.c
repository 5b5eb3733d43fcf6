/* HWNAS_FULL_ONLY
 * gtserver.c: measurement queue, dedup, budget, records (see gtserver.h). */
#include "gtserver.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disp.h"
#include "hw_err.h"
#include "jkeys.h"
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
    disp *boards;           /* NULL unless objectives are measured by boards */
};

/* Binds the board dispatcher (jobs/disp.h) with the config's keys. */
static int boards_create(gts *s) {
    const search_config *c = s->cfg;
    disp_options o;
    jkey *allow = NULL;
    int n_allow = 0;
    disp_options_default(&o);
    o.endpoint = c->board_bind;
    if (jkeys_load_pair(c->board_key, &o.public_key, &o.secret_key) ||
        jkeys_load_allow(c->board_allow, &allow, &n_allow))
        return hw_fail_prefix("boards");
    o.allow = allow;
    o.n_allow = n_allow;
    o.dead_ms = c->board_dead_ms;
    o.job_timeout_ms = c->board_timeout_ms;
    o.max_attempts = c->board_attempts;
    o.quiet = 1;
    int rc = disp_create(&o, &s->boards);
    free(allow);
    return rc;
}

/* Measures the board objectives of queue[0..nq) through the dispatcher and
 * writes the median latencies into vals (nq x n_obj; NaN when the board
 * answered FAILED or the job gave up). Results are placed by job, so the
 * record order is the submission order whatever order boards answer in. */
static int boards_measure(gts *s, double *vals, double *board_s) {
    const search_config *c = s->cfg;
    const int m = c->n_obj;
    int njobs = 0, done = 0;
    uint64_t *ids = hw_malloc((size_t)(s->nq * m + 1) * sizeof *ids);
    int *slot = hw_malloc((size_t)(s->nq * m + 1) * sizeof *slot);
    for (int q = 0; q < s->nq; q++)
        for (int k = 0; k < m; k++) {
            if (!c->obj[k].device[0]) continue;
            char arch[HW_ARCH_STR_MAX];
            if (space_to_string(s->sp, &s->queue[q], arch, sizeof arch)) HW_ASSERT(0);
            double t_wait = 0;
            while (!disp_boards_live(s->boards, c->obj[k].device)) { /* a device with no board yet */
                disp_result tmp[4];
                int nt;
                if (disp_poll(s->boards, 100, tmp, 0, &nt)) goto fail;
                if ((t_wait += 0.1) > c->board_wait_s) {
                    hw_fail("boards: no board for device '%s' connected to %s within %.0f s", c->obj[k].device,
                            disp_endpoint(s->boards), c->board_wait_s);
                    goto fail;
                }
            }
            if (disp_submit(s->boards, c->obj[k].device, arch, 0, 0, &ids[njobs]) < 0) goto fail;
            slot[njobs++] = q * m + k;
        }
    while (done < njobs) {
        disp_result r[16];
        int n;
        if (disp_poll(s->boards, 50, r, 16, &n)) goto fail;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < njobs; j++) {
                if (ids[j] != r[i].job_id) continue;
                vals[slot[j]] = r[i].status == DISP_OK ? r[i].median_ms : NAN;
                if (r[i].status == DISP_ERROR)
                    fprintf(stderr, "hwnas: boards: %s on %s gave up: %s\n", r[i].arch, r[i].device, r[i].error);
                board_s[slot[j] / m] += r[i].t_end > r[i].t_start ? r[i].t_end - r[i].t_start : 0;
                ids[j] = UINT64_MAX; /* reported once */
                done++;
            }
    }
    free(ids);
    free(slot);
    return 0;
fail:
    free(ids);
    free(slot);
    return -1;
}

/* HELP's 10 hardware-embedding reference architectures (NB201 indices),
 * data/help_latency/hw_embedding_index.csv. */
static const int help_ref_archs[10] = {11982, 431, 55, 9, 14451, 8636, 9881, 13479, 6196, 1462};

int gts_create(const search_config *cfg, const space *sp, gts **out) {
    gts *s = hw_calloc(1, sizeof *s);
    s->cfg = cfg;
    s->sp = sp;
    u64map_init(&s->known);
    if (eval_table_create(cfg, sp, &s->tab) || pareto_archive_create(cfg->n_obj, &s->arch)) goto fail;
    if (cfg->use_boards && boards_create(s)) goto fail;
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
    disp_free(s->boards);
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
    double *bvals = NULL, *bsec = NULL;
    if (s->boards && s->nq) {
        bvals = hw_malloc((size_t)s->nq * m * sizeof *bvals);
        bsec = hw_calloc((size_t)s->nq, sizeof *bsec);
        if (boards_measure(s, bvals, bsec)) {
            free(bvals);
            free(bsec);
            return -1;
        }
    }
    for (int q = 0; q < s->nq; q++) {
        if (s->nrec == s->caprec) s->rec = hw_realloc(s->rec, (size_t)(s->caprec = s->caprec ? 2 * s->caprec : 256) * sizeof *s->rec);
        meas_record *r = &s->rec[s->nrec];
        memset(r, 0, sizeof *r);
        r->g = s->queue[q];
        double raw[HW_MAX_OBJ];
        eval_table_lookup(s->tab, &r->g, raw, &r->cv);
        r->board_s = s->cfg->measure_cost_s;
        if (bvals) { /* board objectives replace the table's values */
            int missing = 0;
            for (int k = 0; k < m; k++) {
                if (s->cfg->obj[k].device[0]) raw[k] = bvals[(size_t)q * m + k];
                missing |= isnan(raw[k]);
            }
            r->cv = missing ? INFINITY : 0;
            for (int j = 0; j < s->cfg->n_con && !missing; j++)
                for (int k = 0; k < m; k++)
                    if (!strcmp(s->cfg->con[j].name, s->cfg->obj[k].name))
                        r->cv += constraint_violation(&s->cfg->con[j], raw[k]);
            r->board_s = bsec[q];
        }
        for (int k = 0; k < m; k++) r->obj[k] = objective_to_min(&s->cfg->obj[k], raw[k]);
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
    free(bvals);
    free(bsec);
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
