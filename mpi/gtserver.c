/* gtserver.c: measurement queue, dedup, budget, records (see gtserver.h). */
#include "gtserver.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disp.h"
#include "hw_clock.h"
#include "hw_codec.h"
#include "hw_err.h"
#include "jkeys.h"
#include "journal.h"
#include "supernet_h5.h"
#include "u64map.h"

/* Provenance of one board answer, kept per queued genome. */
typedef struct prov {
    char board[32], runner[16];
    double t_start, t_end;
} prov;

struct gts {
    const search_config *cfg;
    const space *sp;
    eval_table *tab;
    int tab_borrowed;       /* tab belongs to the caller (gts_create_with_table) */
    surrogate *sur;
    pareto_archive *arch;
    u64map known;           /* hash -> record index (measured) or -1 (queued) */
    hw_genome *queue;
    meas_record *qtag;      /* [capq] gen, island, pred_mean/std of each queued genome */
    int nq, capq;
    meas_record *rec;
    int nrec, caprec;
    int nreported;          /* records gts_collect has reported; later ones are in the next report */
    long nwarm;             /* records from gts_warm_start (not measurements of this run) */
    double board_s;         /* every charged second (boards, table measurements, fine-tuning) */
    double ft_s;            /* of which fine-tuning (not board time: max_board_hours) */
    long nfailed;           /* records of this run with a costed objective without a value */
    disp *boards;           /* NULL unless objectives are measured by boards */
    codesign *cd;           /* space codesign: the analytic models */
    supernet_ft *ft;        /* proxy fine-tuning (objectives with source finetune) */
    gts_ft_exec_fn ft_exec; /* where fine-tuning jobs run (NULL: here, in order) */
    void *ft_ctx;
    journal *jnl;           /* measurement journal (not owned), or NULL */
    u64map replay;          /* arch hash -> index into rep */
    double *rep;            /* [nrep x n_obj] natural units */
    uint8_t *rep_have;      /* [nrep x n_obj] 1 where the journal holds the value */
    double *rep_t;          /* [nrep x 2] t_start, t_end */
    prov *rep_pv;           /* [nrep] board and runner of the journaled board value */
    int nrep, caprep;
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
    o.quiet = 0; /* board joins, deaths and rejoins go to the search's log */
    int rc = disp_create(&o, &s->boards);
    free(allow);
    return rc;
}

/* Journals one board answer the moment it arrives (one fsync'd append), so
 * a crash in the middle of a batch loses none of the answers received. */
static int journal_board_answer(gts *s, int k, const disp_result *r) {
    run_measurement jm = {.arch = (char *)r->arch, .device = (char *)r->device,
                          .target = (char *)s->cfg->obj[k].name,
                          .value = r->status == DISP_OK ? r->median_ms : NAN,
                          .board = (char *)r->board_id, .runner = (char *)r->runner,
                          .t_start = r->t_start, .t_end = r->t_end};
    return journal_append(s->jnl, &jm, 1);
}

/* The wait for a board of DEVICE: *since is when the wait began (0: not
 * waiting), *said when it last said so. A line every 5 s naming the
 * devices that are connected; past boards.wait_s, -1 with one line. */
static int board_wait(gts *s, const char *device, int unanswered, double *since, double *said) {
    double now = hw_now_s();
    if (*since == 0) *since = *said = now;
    char live[256];
    disp_devices_live(s->boards, live, sizeof live);
    if (now - *since > s->cfg->board_wait_s) {
        hw_fail("boards: no board of device '%s' live for %.0f s (boards.wait_s) with %d job%s unanswered; "
                "connected: %s",
                device, s->cfg->board_wait_s, unanswered, unanswered == 1 ? "" : "s", live);
        return -1;
    }
    if (now - *said >= 5) {
        *said = now;
        fprintf(stderr, "hwnas: boards: waiting %.0f s for a board of device '%s' at %s (%d job%s unanswered; "
                        "connected: %s)\n",
                now - *since, device, disp_endpoint(s->boards), unanswered, unanswered == 1 ? "" : "s", live);
    }
    return 0;
}

/* Measures the board objectives of queue[0..nq) through the dispatcher and
 * writes the median latencies into vals (nq x n_obj; NaN when the board
 * answered FAILED or the job gave up). Results are placed by job, so the
 * record order is the submission order whatever order boards answer in.
 * (q, k) with have[q*m+k] set come from the journal and are not measured;
 * each answer is journaled as it arrives and marked in injnl. While no
 * board of a device with unanswered jobs is live (none connected yet, or
 * all died mid-batch), boards.wait_s bounds the wait. */
static int boards_measure(gts *s, double *vals, double *board_s, prov *pv, const uint8_t *have, uint8_t *injnl) {
    const search_config *c = s->cfg;
    const int m = c->n_obj;
    int njobs = 0, done = 0;
    uint64_t *ids = hw_malloc((size_t)(s->nq * m + 1) * sizeof *ids);
    int *slot = hw_malloc((size_t)(s->nq * m + 1) * sizeof *slot);
    double since = 0, said = 0;
    for (int q = 0; q < s->nq; q++)
        for (int k = 0; k < m; k++) {
            if (!c->obj[k].device[0] || have[q * m + k]) continue;
            char arch[HW_ARCH_STR_MAX];
            if (space_to_string(s->sp, &s->queue[q], arch, sizeof arch)) HW_ASSERT(0);
            while (!disp_boards_live(s->boards, c->obj[k].device)) { /* a device with no board yet */
                disp_result tmp[4];
                int nt;
                if (disp_poll(s->boards, 100, tmp, 0, &nt) ||
                    board_wait(s, c->obj[k].device, s->nq - q, &since, &said))
                    goto fail;
            }
            since = 0;
            if (disp_submit(s->boards, c->obj[k].device, arch, 0, 1 /* gts deduplicates */, &ids[njobs]) < 0) goto fail;
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
                if (s->jnl) {
                    if (journal_board_answer(s, slot[j] % m, &r[i])) goto fail;
                    injnl[slot[j]] = 1;
                }
                board_s[slot[j] / m] += r[i].t_end > r[i].t_start ? r[i].t_end - r[i].t_start : 0;
                prov *p = &pv[slot[j] / m];
                if (!p->board[0]) {
                    snprintf(p->board, sizeof p->board, "%s", r[i].board_id);
                    snprintf(p->runner, sizeof p->runner, "%s", r[i].runner);
                    p->t_start = r[i].t_start;
                    p->t_end = r[i].t_end;
                }
                ids[j] = UINT64_MAX; /* reported once */
                done++;
            }
        const char *starved = NULL; /* a device with unanswered jobs and no live board */
        for (int j = 0; j < njobs && !starved; j++)
            if (ids[j] != UINT64_MAX && !disp_boards_live(s->boards, c->obj[slot[j] % m].device))
                starved = c->obj[slot[j] % m].device;
        if (!starved) since = 0;
        else if (board_wait(s, starved, njobs - done, &since, &said)) goto fail;
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

int gts_create(const search_config *cfg, const space *sp, gts **out) { return gts_create_with_table(cfg, sp, NULL, out); }

int gts_create_with_table(const search_config *cfg, const space *sp, eval_table *tab, gts **out) {
    gts *s = hw_calloc(1, sizeof *s);
    s->cfg = cfg;
    s->sp = sp;
    s->tab = tab;
    s->tab_borrowed = tab != NULL;
    u64map_init(&s->known);
    u64map_init(&s->replay);
    if ((!tab && cfg->n_tables && eval_table_create(cfg, sp, &s->tab)) || pareto_archive_create(cfg->n_obj, &s->arch))
        goto fail;
    if (cfg->codesign && codesign_create(&cfg->cd, &s->cd)) goto fail;
    if (cfg->use_finetune &&
        supernet_ft_open(cfg->ft_supernet, cfg->ft_train, cfg->ft_eval, cfg->ft_vocab, &s->ft))
        goto fail;
    if (cfg->use_boards && boards_create(s)) goto fail;
    surrogate_params sp_ = {.n_obj = cfg->n_obj, .n_trees = cfg->pred_trees, .min_train = cfg->pred_min_train,
                            .seed = cfg->seed};
    for (int k = 0; k < cfg->n_obj; k++) {
        sp_.method[k] = cfg->pred_method[k];
        sp_.known[k] = (uint8_t)cfg->obj[k].free_cost; /* cost: free: read from the table, never predicted */
    }
    if (surrogate_create(sp, &sp_, &s->sur)) goto fail;
    *out = s;
    return 0;
fail:
    gts_free(s);
    return -1;
}

void gts_free(gts *s) {
    if (!s) return;
    if (!s->tab_borrowed) eval_table_free(s->tab);
    codesign_free(s->cd);
    supernet_ft_close(s->ft);
    disp_free(s->boards);
    surrogate_free(s->sur);
    pareto_archive_free(s->arch);
    u64map_free(&s->known);
    u64map_free(&s->replay);
    free(s->rep);
    free(s->rep_have);
    free(s->rep_t);
    free(s->rep_pv);
    free(s->queue);
    free(s->qtag);
    free(s->rec);
    free(s);
}

/* 1 if a value of objective o of a queued candidate comes from the tables
 * (or, with space codesign, the co-design models) and costs measure_cost_s:
 * not free, not fine-tuned, not a board's. */
static int table_costed(const search_config *c, const objective_cfg *o) {
    return objective_costs(o) && strncmp(o->source, "finetune", 8) && !(o->device[0] && c->use_boards);
}

double gts_table_cost_s(const search_config *c) {
    for (int k = 0; k < c->n_obj; k++)
        if (table_costed(c, &c->obj[k])) return c->measure_cost_s;
    return 0;
}

int gts_record_failed(const search_config *c, const meas_record *r) {
    for (int k = 0; k < c->n_obj; k++)
        if (objective_costs(&c->obj[k]) && isnan(r->obj[k])) return 1;
    return 0;
}

int gts_budget_exhausted(const gts *s) {
    const search_config *c = s->cfg;
    if (c->max_measurements > 0 && search_config_costs(c) && s->nrec - s->nwarm + s->nq >= c->max_measurements)
        return 1;
    /* board hours: what was charged, plus what the queue will cost at least
     * (a table measurement's price; a board's duration is known after) */
    return c->max_board_hours > 0 &&
           s->board_s - s->ft_s + s->nq * gts_table_cost_s(c) >= c->max_board_hours * 3600 - 1e-9;
}

int gts_submit(gts *s, const hw_genome *g, int n, int *n_accepted) {
    return gts_submit_from(s, g, n, -1, -1, 0, n_accepted);
}

int gts_submit_from(gts *s, const hw_genome *g, int n, int gen, int isl, int predicted, int *n_accepted) {
    const int m = s->cfg->n_obj;
    double *mu = NULL, *sd = NULL;
    if (predicted && n > 0 && surrogate_version(s->sur) > 0) { /* a fitted model */
        mu = hw_malloc((size_t)n * m * sizeof *mu);
        sd = hw_malloc((size_t)n * m * sizeof *sd);
        surrogate_predict(s->sur, g, n, mu, sd);
    }
    int acc = 0;
    for (int i = 0; i < n; i++) {
        if (gts_budget_exhausted(s)) break;
        uint64_t h = space_hash(s->sp, &g[i]);
        if (u64map_get(&s->known, h, NULL)) continue;
        u64map_put(&s->known, h, -1);
        if (s->nq == s->capq) {
            s->capq = s->capq ? 2 * s->capq : 64;
            s->queue = hw_realloc(s->queue, (size_t)s->capq * sizeof *s->queue);
            s->qtag = hw_realloc(s->qtag, (size_t)s->capq * sizeof *s->qtag);
        }
        meas_record *t = &s->qtag[s->nq];
        t->gen = gen;
        t->island = isl;
        for (int k = 0; k < HW_MAX_OBJ; k++) {
            t->pred_mean[k] = mu && k < m ? mu[(size_t)i * m + k] : NAN;
            t->pred_std[k] = sd && k < m ? sd[(size_t)i * m + k] : NAN;
        }
        s->queue[s->nq++] = g[i];
        acc++;
    }
    free(mu);
    free(sd);
    if (n_accepted) *n_accepted = acc;
    return 0;
}

const char *objective_value_device(const objective_cfg *o) {
    return o->device[0] ? o->device : !strncmp(o->source, "finetune", 8) ? "finetune" : "table";
}

void meas_record_provenance(const meas_record *r, const objective_cfg *o, const char **board, const char **runner) {
    if (r->ft_where[0] && !strncmp(o->source, "finetune", 8)) { /* fine-tuned on that rank */
        *board = r->ft_where;
        *runner = "finetune";
    } else if (o->device[0] || !strcmp(r->runner, GTS_WARM_RUNNER)) { /* a board's answer (or the table standing in
                                                                          for the device), or a warm-start value */
        *board = r->board;
        *runner = r->runner;
    } else { /* looked up in the evaluator's tables, whoever measured the other objectives */
        *board = "table";
        *runner = "table";
    }
}

/* Appends records [first, first+n) to the journal: one run_measurement
 * per objective not already there (injnl[i*m+o]: journaled as it arrived,
 * or replayed from the journal), values in natural units, one batch (one
 * fdatasync). */
static int journal_records(gts *s, int first, int n, const uint8_t *injnl) {
    const int m = s->cfg->n_obj;
    run_measurement *jm = hw_calloc((size_t)n * m, sizeof *jm);
    char (*arch)[HW_ARCH_STR_MAX] = hw_malloc((size_t)n * sizeof *arch);
    int k = 0;
    for (int i = 0; i < n; i++) {
        const meas_record *r = &s->rec[first + i];
        space_to_string(s->sp, &r->g, arch[i], sizeof arch[i]);
        for (int o = 0; o < m; o++) {
            if (injnl[i * m + o]) continue;
            jm[k].arch = arch[i];
            jm[k].device = (char *)objective_value_device(&s->cfg->obj[o]);
            jm[k].target = (char *)s->cfg->obj[o].name;
            jm[k].value = objective_to_min(&s->cfg->obj[o], r->obj[o]);
            const char *board, *runner;
            meas_record_provenance(r, &s->cfg->obj[o], &board, &runner);
            jm[k].board = (char *)board;
            jm[k].runner = (char *)runner;
            jm[k].t_start = r->t_start;
            jm[k].t_end = r->t_end;
            k++;
        }
    }
    int rc = journal_append(s->jnl, jm, k);
    free(jm);
    free(arch);
    return rc;
}

void gts_set_ft_exec(gts *s, gts_ft_exec_fn fn, void *ctx) {
    s->ft_exec = fn;
    s->ft_ctx = ctx;
}

supernet_ft *gts_ft(gts *s) { return s->ft; }

int gts_ft_run(supernet_ft *ft, const search_config *cfg, const char *arch, int rank, gts_ft_result *out) {
    finetune_opts fo;
    finetune_result fr;
    finetune_opts_default(&fo);
    fo.steps = cfg->ft_steps;
    fo.batch = cfg->ft_batch;
    fo.lr = (float)cfg->ft_lr;
    fo.eval_max = (int)cfg->ft_eval_max;
    fo.seed = cfg->ft_seed;
    memset(out, 0, sizeof *out);
    if (supernet_ft_run(ft, arch, &fo, &fr)) return hw_fail_prefix("fine-tuning %s", arch);
    out->accuracy = fr.eval.accuracy;
    out->f1 = fr.eval.f1;
    out->seconds = fr.seconds;
    snprintf(out->where, sizeof out->where, "rank%d", rank);
    return 0;
}

/* The default executor: every job here, in order. */
static int ft_exec_local(void *ctx, const char (*arch)[HW_ARCH_STR_MAX], int n, gts_ft_result *out) {
    gts *s = ctx;
    for (int i = 0; i < n; i++)
        if (gts_ft_run(s->ft, s->cfg, arch[i], 0, &out[i])) return -1;
    return 0;
}

/* Fine-tunes the queued candidates whose results the journal does not
 * already hold (from_journal[q] = 0), through the executor: results indexed
 * like the queue (malloc'd), or NULL with hw_errmsg. */
static gts_ft_result *ft_jobs(gts *s, const uint8_t *from_journal) {
    char (*arch)[HW_ARCH_STR_MAX] = hw_malloc((size_t)s->nq * sizeof *arch);
    int *at = hw_malloc((size_t)s->nq * sizeof *at), n = 0;
    gts_ft_result *res = hw_calloc((size_t)s->nq, sizeof *res), *tmp = hw_calloc((size_t)s->nq, sizeof *tmp);
    for (int q = 0; q < s->nq; q++)
        if (!from_journal[q]) {
            space_to_string(s->sp, &s->queue[q], arch[n], sizeof arch[n]);
            at[n++] = q;
        }
    int rc = n ? (s->ft_exec ? s->ft_exec(s->ft_ctx, (const char (*)[HW_ARCH_STR_MAX])arch, n, tmp)
                             : ft_exec_local(s, (const char (*)[HW_ARCH_STR_MAX])arch, n, tmp))
               : 0;
    for (int i = 0; i < n && rc == 0; i++) res[at[i]] = tmp[i];
    free(arch);
    free(at);
    free(tmp);
    if (rc) {
        free(res);
        return NULL;
    }
    return res;
}

/* 1 if every objective of q with source finetune/finetune_f1 is in the
 * journal (so no fine-tuning job is needed). */
static int ft_in_journal(const gts *s, const uint8_t *have_q) {
    for (int k = 0; k < s->cfg->n_obj; k++)
        if (!strncmp(s->cfg->obj[k].source, "finetune", 8) && !have_q[k]) return 0;
    return 1;
}

int gts_collect(gts *s, int *first, int *n_new) {
    const int m = s->cfg->n_obj;
    const size_t nq1 = (size_t)(s->nq ? s->nq : 1);
    const int qfirst = s->nrec; /* the queue's records start here */
    *first = s->nreported;
    double *bvals = NULL, *bsec = NULL;
    gts_ft_result *ftr = NULL; /* [nq] fine-tuning results, or NULL */
    prov *pv = hw_calloc(nq1, sizeof *pv);
    int64_t *rix = hw_malloc(nq1 * sizeof *rix);       /* replay entry of q, or -1 */
    uint8_t *have = hw_calloc(nq1 * (size_t)m, 1);     /* (q, k) value from the journal */
    uint8_t *injnl = hw_calloc(nq1 * (size_t)m, 1);    /* (q, k) already in the journal file */
    uint8_t *ft_skip = hw_calloc(nq1, 1);               /* q needs no fine-tuning job */
    for (int q = 0; q < s->nq; q++) {
        rix[q] = -1;
        if (s->nrep > 0 && u64map_get(&s->replay, space_hash(s->sp, &s->queue[q]), &rix[q]))
            for (int k = 0; k < m; k++) have[(size_t)q * m + k] = injnl[(size_t)q * m + k] = s->rep_have[rix[q] * m + k];
        ft_skip[q] = ft_in_journal(s, &have[(size_t)q * m]);
    }
    if (s->boards && s->nq) {
        bvals = hw_malloc((size_t)s->nq * m * sizeof *bvals);
        bsec = hw_calloc((size_t)s->nq, sizeof *bsec);
        if (boards_measure(s, bvals, bsec, pv, have, injnl)) goto fail;
    }
    if (s->ft && s->nq && !(ftr = ft_jobs(s, ft_skip))) goto fail;
    for (int q = 0; q < s->nq; q++) {
        if (s->nrec == s->caprec) s->rec = hw_realloc(s->rec, (size_t)(s->caprec = s->caprec ? 2 * s->caprec : 256) * sizeof *s->rec);
        meas_record *r = &s->rec[s->nrec];
        const uint8_t *hq = &have[(size_t)q * m];
        memset(r, 0, sizeof *r);
        r->g = s->queue[q];
        r->gen = s->qtag[q].gen;
        r->island = s->qtag[q].island;
        memcpy(r->pred_mean, s->qtag[q].pred_mean, sizeof r->pred_mean);
        memcpy(r->pred_std, s->qtag[q].pred_std, sizeof r->pred_std);
        double raw[HW_MAX_OBJ];
        if (s->cd) { /* co-design: accuracy table + accelerator cost model */
            codesign_point pt;
            if (codesign_eval(s->cd, &r->g, &pt)) goto fail;
            const double v[4] = {pt.acc, pt.latency_ms, pt.energy_mj, pt.area_mm2};
            for (int k = 0; k < m; k++) {
                raw[k] = v[codesign_source(s->cfg->obj[k].source)];
                if (!isfinite(raw[k])) raw[k] = NAN;
            }
            r->cv = objectives_violation(s->cfg, raw) + pt.cv; /* + the co-design budgets */
        } else if (s->tab) {
            eval_table_lookup(s->tab, &r->g, raw, &r->cv);
        } else { /* no table: every value comes from fine-tuning or boards */
            for (int k = 0; k < m; k++) raw[k] = NAN;
            r->cv = INFINITY;
        }
        r->board_s = gts_table_cost_s(s->cfg);
        double ft_s = 0;
        snprintf(r->board, sizeof r->board, "table");
        snprintf(r->runner, sizeof r->runner, "table");
        if (ftr && !ft_skip[q]) { /* proxy fine-tuning (run above) */
            const gts_ft_result *fr = &ftr[q];
            for (int k = 0; k < m; k++) {
                if (!strcmp(s->cfg->obj[k].source, "finetune")) raw[k] = 100 * fr->accuracy;
                if (!strcmp(s->cfg->obj[k].source, "finetune_f1")) raw[k] = 100 * fr->f1;
            }
            snprintf(r->board, sizeof r->board, "%s", fr->where);
            snprintf(r->runner, sizeof r->runner, "finetune");
            snprintf(r->ft_where, sizeof r->ft_where, "%s", fr->where);
            r->board_s += fr->seconds;
            ft_s = fr->seconds;
            if (!s->tab && !bvals) r->cv = objectives_violation(s->cfg, raw); /* values complete */
        }
        int measured_now = 0; /* board objectives measured in this batch */
        if (bvals)
            for (int k = 0; k < m; k++)
                if (s->cfg->obj[k].device[0] && !hq[k]) {
                    raw[k] = bvals[(size_t)q * m + k];
                    measured_now = 1;
                }
        if (rix[q] >= 0) { /* measured before a crash: the journal has these values */
            const int64_t ri = rix[q];
            for (int k = 0; k < m; k++)
                if (hq[k]) raw[k] = s->rep[(size_t)ri * m + k];
            r->replayed = 1;
            r->cv = objectives_violation(s->cfg, raw);
            if (!measured_now) {
                r->t_start = s->rep_t[2 * ri];
                r->t_end = s->rep_t[2 * ri + 1];
                if (s->boards) {
                    r->board_s = r->t_end > r->t_start ? r->t_end - r->t_start : 0;
                    if (s->rep_pv[ri].board[0]) {
                        snprintf(r->board, sizeof r->board, "%s", s->rep_pv[ri].board);
                        snprintf(r->runner, sizeof r->runner, "%s", s->rep_pv[ri].runner);
                    }
                }
            }
        }
        if (measured_now) { /* board objectives replace the table's values */
            r->cv = objectives_violation(s->cfg, raw);
            r->board_s = (s->ft ? ft_s : 0) + bsec[q];
            snprintf(r->board, sizeof r->board, "%s", pv[q].board);
            snprintf(r->runner, sizeof r->runner, "%s", pv[q].runner);
            r->t_start = pv[q].t_start;
            r->t_end = pv[q].t_end;
        }
        for (int k = 0; k < m; k++) r->obj[k] = objective_to_min(&s->cfg->obj[k], raw[k]);
        r->seq = s->nrec;
        s->board_s += r->board_s;
        s->ft_s += ft_s;
        s->nfailed += gts_record_failed(s->cfg, r);
        uint64_t h = space_hash(s->sp, &r->g);
        u64map_put(&s->known, h, s->nrec);
        if (isfinite(r->cv)) surrogate_add(s->sur, &r->g, r->obj);
        surrogate_add_outcome(s->sur, &r->g, !gts_record_failed(s->cfg, r));
        if (r->cv == 0) pareto_archive_insert(s->arch, r->obj, h, &r->g);
        s->nrec++;
    }
    const int nq = s->nq;
    *n_new = s->nrec - *first;
    s->nreported = s->nrec;
    s->nq = 0;
    int rc = s->jnl && nq > 0 ? journal_records(s, qfirst, nq, injnl) : 0;
    free(bvals);
    free(bsec);
    free(pv);
    free(rix);
    free(have);
    free(injnl);
    free(ft_skip);
    free(ftr);
    return rc;
fail:
    free(bvals);
    free(bsec);
    free(pv);
    free(rix);
    free(have);
    free(injnl);
    free(ft_skip);
    free(ftr);
    return -1;
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

long gts_measurements(const gts *s) { return search_config_costs(s->cfg) ? s->nrec - s->nwarm : 0; }
long gts_free_lookups(const gts *s) { return search_config_costs(s->cfg) ? 0 : s->nrec - s->nwarm; }
long gts_failed(const gts *s) { return s->nfailed; }
double gts_ft_seconds(const gts *s) { return s->ft_s; }
long gts_warm_count(const gts *s) { return s->nwarm; }
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

int gts_set_journal(gts *s, journal *j) {
    s->jnl = j;
    if (!j) return 0;
    run_measurement *mm;
    int n;
    if (journal_read_all(journal_file(j), &mm, &n, NULL)) return -1;
    gts_add_replay(s, mm, n);
    for (int i = 0; i < n; i++) run_measurement_clear(&mm[i]);
    free(mm);
    return 0;
}

/* Appends record r (obj, cv and provenance filled) to the log: dedup
 * map, surrogate training set, archive, the table's measured marks. */
static void add_record(gts *s, meas_record *r) {
    if (s->nrec == s->caprec) s->rec = hw_realloc(s->rec, (size_t)(s->caprec = s->caprec ? 2 * s->caprec : 256) * sizeof *s->rec);
    r->seq = s->nrec;
    uint64_t h = space_hash(s->sp, &r->g);
    u64map_put(&s->known, h, s->nrec);
    if (isfinite(r->cv)) surrogate_add(s->sur, &r->g, r->obj);
    surrogate_add_outcome(s->sur, &r->g, !gts_record_failed(s->cfg, r));
    if (r->cv == 0) pareto_archive_insert(s->arch, r->obj, h, &r->g);
    if (s->tab) eval_table_mark(s->tab, &r->g);
    s->rec[s->nrec++] = *r;
}

int gts_warm_start(gts *s, const run_measurement *mm, int n, int *taken, int *skipped) {
    const int m = s->cfg->n_obj;
    u64map at; /* arch hash -> index into the per-arch arrays */
    u64map_init(&at);
    hw_genome *g = hw_malloc((size_t)(n ? n : 1) * sizeof *g);
    meas_record *r = hw_calloc((size_t)(n ? n : 1), sizeof *r);
    uint8_t *have = hw_calloc((size_t)(n ? n : 1) * m, 1);
    double *raw = hw_malloc((size_t)(n ? n : 1) * m * sizeof *raw);
    int na = 0, nt = 0, ns = 0, rc = -1;
    for (int i = 0; i < n; i++) { /* group by architecture, file order */
        int k = -1;
        for (int o = 0; o < m && k < 0; o++)
            if (!strcmp(s->cfg->obj[o].name, mm[i].target)) k = o;
        if (k < 0) continue;
        hw_genome gi;
        if (space_from_string(s->sp, mm[i].arch, &gi)) {
            hw_fail_prefix("warm start: '%s'", mm[i].arch);
            goto out;
        }
        int64_t a;
        if (!u64map_get(&at, space_hash(s->sp, &gi), &a)) {
            a = na++;
            u64map_put(&at, space_hash(s->sp, &gi), a);
            g[a] = gi;
            for (int o = 0; o < m; o++) raw[a * m + o] = NAN;
        }
        meas_record *ra = &r[a];
        raw[a * m + k] = mm[i].value;
        have[a * m + k] = 1;
        if (mm[i].board && mm[i].board[0] && s->cfg->obj[k].device[0]) { /* a board's answer: keep where and when */
            snprintf(ra->board, sizeof ra->board, "%s", mm[i].board);
            ra->t_start = mm[i].t_start;
            ra->t_end = mm[i].t_end;
        }
    }
    for (int a = 0; a < na; a++) {
        meas_record *ra = &r[a];
        double *va = raw + (size_t)a * m, tv[HW_MAX_OBJ], tcv;
        int ok = !u64map_get(&s->known, space_hash(s->sp, &g[a]), NULL);
        if (ok && s->tab) eval_table_lookup(s->tab, &g[a], tv, &tcv);
        for (int o = 0; o < m && ok; o++) {
            const objective_cfg *oc = &s->cfg->obj[o];
            if (!have[(size_t)a * m + o] && s->tab && !oc->device[0] && strncmp(oc->source, "finetune", 8)) va[o] = tv[o];
            ok = isfinite(va[o]);
        }
        if (!ok) {
            ns++;
            continue;
        }
        ra->g = g[a];
        for (int o = 0; o < m; o++) ra->obj[o] = objective_to_min(&s->cfg->obj[o], va[o]);
        ra->cv = objectives_violation(s->cfg, va);
        if (!ra->board[0]) snprintf(ra->board, sizeof ra->board, "%s", GTS_WARM_RUNNER);
        snprintf(ra->runner, sizeof ra->runner, "%s", GTS_WARM_RUNNER);
        ra->gen = ra->island = -1;
        for (int o = 0; o < HW_MAX_OBJ; o++) ra->pred_mean[o] = ra->pred_std[o] = NAN;
        add_record(s, ra);
        s->nwarm++;
        nt++;
    }
    rc = 0;
out:
    if (taken) *taken = nt;
    if (skipped) *skipped = ns;
    u64map_free(&at);
    free(g);
    free(r);
    free(have);
    free(raw);
    return rc;
}

void gts_add_replay(gts *s, const run_measurement *mm, int n) {
    const int m = s->cfg->n_obj;
    for (int i = 0; i < n; i++) {
        hw_genome g;
        if (space_from_string(s->sp, mm[i].arch, &g)) continue; /* another space: ignore */
        int k = -1;
        for (int o = 0; o < m; o++) { /* board and fine-tuned values; tables are looked up again */
            const objective_cfg *oc = &s->cfg->obj[o];
            if (!oc->device[0] && strncmp(oc->source, "finetune", 8)) continue;
            if (!strcmp(oc->name, mm[i].target) && !strcmp(objective_value_device(oc), mm[i].device)) k = o;
        }
        if (k < 0) continue; /* a table objective, or another objective or device */
        uint64_t h = space_hash(s->sp, &g);
        int64_t ri;
        if (!u64map_get(&s->replay, h, &ri)) {
            if (s->nrep == s->caprep) {
                s->caprep = s->caprep ? 2 * s->caprep : 64;
                s->rep = hw_realloc(s->rep, (size_t)s->caprep * m * sizeof *s->rep);
                s->rep_have = hw_realloc(s->rep_have, (size_t)s->caprep * m);
                s->rep_t = hw_realloc(s->rep_t, (size_t)s->caprep * 2 * sizeof *s->rep_t);
                s->rep_pv = hw_realloc(s->rep_pv, (size_t)s->caprep * sizeof *s->rep_pv);
            }
            ri = s->nrep++;
            for (int o = 0; o < m; o++) {
                s->rep[(size_t)ri * m + o] = NAN;
                s->rep_have[(size_t)ri * m + o] = 0;
            }
            s->rep_t[2 * ri] = mm[i].t_start;
            s->rep_t[2 * ri + 1] = mm[i].t_end;
            memset(&s->rep_pv[ri], 0, sizeof s->rep_pv[ri]);
            u64map_put(&s->replay, h, ri);
        }
        s->rep[(size_t)ri * m + k] = mm[i].value;
        s->rep_have[(size_t)ri * m + k] = 1;
        if (s->cfg->obj[k].device[0]) { /* a board's answer: its provenance and time */
            snprintf(s->rep_pv[ri].board, sizeof s->rep_pv[ri].board, "%s", mm[i].board);
            snprintf(s->rep_pv[ri].runner, sizeof s->rep_pv[ri].runner, "%s", mm[i].runner);
            s->rep_t[2 * ri] = mm[i].t_start;
            s->rep_t[2 * ri + 1] = mm[i].t_end;
        }
    }
}

/* The dispatcher-state blob: header "HWGT" v5, i64 record count, f64 board
 * seconds, f64 of them fine-tuning seconds, each record (meas_record_put,
 * then the rank-0 fields: i32 generation and island, the prediction's
 * means and stds), then the
 * surrogate blob with its u64 length; little-endian through hw_codec.
 * Version 3 (hwnas before the codec) stored raw structs and version 4 had
 * no fine-tuning seconds: refused. */
#define GTS_STATE_VERSION 5

void meas_record_put(hw_wbuf *w, const meas_record *m) {
    for (int i = 0; i < HW_MAX_GENES; i++) hw_put_u16(w, (uint16_t)m->g.g[i]);
    hw_put_f64s(w, m->obj, HW_MAX_OBJ);
    hw_put_f64(w, m->cv);
    hw_put_f64(w, m->board_s);
    hw_put_i64(w, m->seq);
    hw_put_bytes(w, m->board, sizeof m->board);
    hw_put_bytes(w, m->runner, sizeof m->runner);
    hw_put_f64(w, m->t_start);
    hw_put_f64(w, m->t_end);
    hw_put_i32(w, m->replayed);
    hw_put_bytes(w, m->ft_where, sizeof m->ft_where);
}

void meas_record_get(hw_rbuf *r, meas_record *m) {
    for (int i = 0; i < HW_MAX_GENES; i++) m->g.g[i] = (int16_t)hw_get_u16(r);
    hw_get_f64s(r, m->obj, HW_MAX_OBJ);
    m->cv = hw_get_f64(r);
    m->board_s = hw_get_f64(r);
    m->seq = hw_get_i64(r);
    hw_get_bytes(r, m->board, sizeof m->board);
    hw_get_bytes(r, m->runner, sizeof m->runner);
    m->t_start = hw_get_f64(r);
    m->t_end = hw_get_f64(r);
    m->replayed = hw_get_i32(r);
    hw_get_bytes(r, m->ft_where, sizeof m->ft_where);
    m->board[sizeof m->board - 1] = m->runner[sizeof m->runner - 1] = m->ft_where[sizeof m->ft_where - 1] = 0;
    m->gen = m->island = -1; /* rank-0 fields: not in the record's bytes */
    for (int k = 0; k < HW_MAX_OBJ; k++) m->pred_mean[k] = m->pred_std[k] = NAN;
}

int gts_export(const gts *s, uint8_t **out, size_t *len) {
    uint8_t *mb = NULL;
    size_t ml = 0;
    if (surrogate_save(s->sur, &mb, &ml)) return -1;
    hw_wbuf w;
    hw_wbuf_init(&w);
    hw_put_header(&w, "HWGT", 4, GTS_STATE_VERSION);
    hw_put_i64(&w, s->nrec);
    hw_put_f64(&w, s->board_s);
    hw_put_f64(&w, s->ft_s);
    for (int i = 0; i < s->nrec; i++) {
        const meas_record *r = &s->rec[i];
        meas_record_put(&w, r);
        hw_put_i32(&w, r->gen);
        hw_put_i32(&w, r->island);
        hw_put_f64s(&w, r->pred_mean, HW_MAX_OBJ);
        hw_put_f64s(&w, r->pred_std, HW_MAX_OBJ);
    }
    hw_put_u64(&w, ml);
    hw_put_bytes(&w, mb, ml);
    free(mb);
    *out = hw_wbuf_take(&w, len);
    return *out ? 0 : hw_fail("dispatcher state: out of memory");
}

int gts_import(gts *s, const uint8_t *buf, size_t len) {
    hw_rbuf rb;
    hw_rbuf_init(&rb, buf, len);
    if (hw_get_header(&rb, "HWGT", 4, GTS_STATE_VERSION, "dispatcher state")) return -1;
    int64_t nr = hw_get_i64(&rb);
    double board_s = hw_get_f64(&rb), ft_s = hw_get_f64(&rb);
    if (!hw_rbuf_ok(&rb) || nr < 0 || (uint64_t)nr > hw_rbuf_left(&rb) / 64)
        return hw_fail("dispatcher state: truncated records");
    s->board_s = board_s;
    s->ft_s = ft_s;
    for (int64_t i = 0; i < nr; i++) { /* rebuild in order: same archive, training set, dedup map */
        if (s->nrec == s->caprec)
            s->rec = hw_realloc(s->rec, (size_t)(s->caprec = s->caprec ? 2 * s->caprec : 256) * sizeof *s->rec);
        meas_record *d = &s->rec[s->nrec];
        meas_record_get(&rb, d);
        d->gen = hw_get_i32(&rb);
        d->island = hw_get_i32(&rb);
        hw_get_f64s(&rb, d->pred_mean, HW_MAX_OBJ);
        hw_get_f64s(&rb, d->pred_std, HW_MAX_OBJ);
        if (!hw_rbuf_ok(&rb)) return hw_fail("dispatcher state: truncated record %lld", (long long)i);
        uint64_t h = space_hash(s->sp, &d->g);
        u64map_put(&s->known, h, s->nrec);
        if (isfinite(d->cv)) surrogate_add(s->sur, &d->g, d->obj);
        surrogate_add_outcome(s->sur, &d->g, !gts_record_failed(s->cfg, d));
        if (d->cv == 0) pareto_archive_insert(s->arch, d->obj, h, &d->g);
        if (s->tab) eval_table_mark(s->tab, &d->g);
        if (!strcmp(d->runner, GTS_WARM_RUNNER)) s->nwarm++;
        else s->nfailed += gts_record_failed(s->cfg, d);
        s->nrec++;
    }
    uint64_t ml = hw_get_u64(&rb);
    const uint8_t *mb = hw_rbuf_ok(&rb) && ml <= hw_rbuf_left(&rb) ? hw_get_span(&rb, (size_t)ml) : NULL;
    if (!mb && ml) return hw_fail("dispatcher state: truncated model");
    if (!hw_rbuf_done(&rb)) return hw_fail("dispatcher state: %zu trailing bytes", hw_rbuf_left(&rb));
    s->nreported = s->nrec; /* the engine sends every record on resume */
    return ml ? surrogate_load(s->sur, mb, (size_t)ml) : 0;
}
