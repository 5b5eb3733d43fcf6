/* engine_disp.c: rank 0's set-up, history rows, final merge and report
 * (see engine_impl.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_ckpt.h"
#include "engine_impl.h"
#include "engine_msg.h"
#include "hw_clock.h"
#include "hw_err.h"
#include "u64map.h"

/* How many true-front points the archive holds: classes of
 * search_front_classes (a point found through any member; points outside
 * the reference box not counted) when the problem has them, else points. */
static int front_found(const search_problem *p, const pareto_archive *a) {
    int found = 0;
    uint8_t *hit = hw_calloc((size_t)p->true_front_n + 1, 1);
    for (int i = 0; i < p->true_front_n; i++) {
        int c = p->true_front_class ? p->true_front_class[i] : i;
        if (c < 0 || hit[c]) continue;
        for (int j = 0; j < pareto_archive_size(a); j++)
            if (pareto_archive_id(a, j) == p->true_front_ids[i]) {
                hit[c] = 1;
                found++;
                break;
            }
    }
    free(hit);
    return found;
}

/* The size front_found counts up to. */
static int front_total(const search_problem *p) {
    return p->true_front_class ? p->true_front_classes : p->true_front_n;
}

/* Records one history row and decides whether to stop. */
int engine_disp_history(eng *E, int gen) {
    const search_config *c = E->cfg;
    const pareto_archive *a = gts_archive(E->gt);
    search_result *R = E->res;
    search_history_row h = {.generation = gen, .evaluations = E->evaluations,
                            .measurements = gts_measurements(E->gt), .failed = gts_failed(E->gt),
                            .board_s = gts_board_seconds(E->gt), .front_size = pareto_archive_size(a),
                            .hv = NAN, .hv_ratio = NAN, .wall_s = E->wall0 + hw_now_s() - E->t0};
    double ref[HW_MAX_OBJ];
    for (int k = 0; k < c->n_obj; k++) ref[k] = objective_to_min(&c->obj[k], c->ref[k]);
    if (c->has_ref && pareto_archive_hv(a, ref, &h.hv)) return -1;
    if (isfinite(R->true_hv) && R->true_hv > 0) h.hv_ratio = h.hv / R->true_hv;
    if (R->n_history == E->cap_hist)
        R->history = hw_realloc(R->history, (size_t)(E->cap_hist = 2 * E->cap_hist + 16) * sizeof *R->history);
    R->history[R->n_history++] = h;
    if (E->truth->progress) {
        progress_clear_bar(E->prog);
        search_print_row(E->truth->progress, &h, isfinite(h.hv_ratio));
        fflush(E->truth->progress);
    }
    if (progress_generation(E->prog, &h, gts_board_seconds(E->gt))) return -1;
    int stop = gen >= c->generations;
    if (gts_budget_exhausted(E->gt)) stop = 1; /* max_measurements or max_board_hours (the queue is empty) */
    if (c->stop_hv_ratio > 0 && isfinite(h.hv_ratio) && h.hv_ratio >= c->stop_hv_ratio - 1e-12) stop = 1;
    if (front_total(E->truth) > 0 && c->stop_hv_ratio >= 1.0 && front_found(E->truth, a) == front_total(E->truth))
        stop = 1;
    return stop;
}

/* Rank 0: the gtserver, resume state, journal, checkpoint schedule, the
 * true front's HV. */
int engine_disp_setup(eng *E) {
    const search_config *cfg = E->cfg;
    const engine_options *opt = E->opt;
    engine_report *rep = E->rep;
    E->res = &rep->res;
    if (gts_create_with_table(cfg, E->sp, opt ? opt->tab : NULL, &E->gt)) return -1;
    if (opt && opt->run_path) {
        char jp[4200];
        journal_path(opt->run_path, jp, sizeof jp);
        if (opt->resume) {
            eckpt_state st;
            E->snap = opt->snap;
            if (!E->snap) return hw_fail("%s: resume without a snapshot", opt->run_path);
            if (eckpt_check(E->snap, cfg, E->sp, opt->run_path) ||
                eckpt_restore_dispatcher(E->snap, E->gt, &st, &rep->res))
                return -1;
            rep->replayed = opt->replayed;
            E->cap_hist = rep->res.n_history + 16;
            E->evaluations = st.evaluations;
            E->wall0 = st.wall_s;
            E->start_gen = st.generation + 1;
            rep->resumed_from = st.generation;
            gts_add_replay(E->gt, E->snap->meas, E->snap->nmeas);
            if (E->snap->nislands != E->n_islands && E->truth->progress)
                fprintf(E->truth->progress, "hwnas: resuming %d islands as %d: populations re-partitioned "
                                            "(the run continues, not bit-identically)\n",
                        E->snap->nislands, E->n_islands);
        }
        if (eckpt_table_hashes(cfg, &E->table_hashes)) return -1;
        if (journal_open(jp, E->snap ? E->snap->meas_seq : 0, &E->jnl)) return -1;
        if (gts_set_journal(E->gt, E->jnl)) return -1;
        ckpt_schedule_init(&E->sched, opt->ckpt_every_gens, opt->ckpt_every_s, E->start_gen - 1, hw_now_s());
    }
    if (progress_create(cfg, E->sp, cfg->progress_file, opt ? opt->progress_bar : 0, &E->prog)) return -1;
    if (opt && opt->warm) { /* after a resume's records: archs the run already has are skipped */
        int taken, skipped;
        if (gts_warm_start(E->gt, opt->warm, opt->n_warm, &taken, &skipped)) return -1;
        fprintf(stderr, /* one line even under --quiet, as for a resume */
                "hwnas: warm start: %d architectures from %s taken as measured (not charged to the budget), "
                "%d skipped (already measured, or a value missing)\n",
                taken, opt->warm_path ? opt->warm_path : "?", skipped);
    }
    double ref[HW_MAX_OBJ];
    for (int k = 0; k < cfg->n_obj; k++) ref[k] = objective_to_min(&cfg->obj[k], cfg->ref[k]);
    if (cfg->has_ref && E->truth->true_front_n > 0)
        hv_exact(E->truth->true_front, E->truth->true_front_n, cfg->n_obj, ref, &rep->res.true_hv);
    rep->res.true_front_size = front_total(E->truth);
    rep->res.true_front_outside = E->truth->true_front_outside;
    return 0;
}

/* Rank 0: merges the islands' FINAL archives (measured points) into the
 * global archive and counts the distinct architectures evaluated. */
pareto_archive *engine_disp_merge(eng *E, long *distinct) {
    pareto_archive *merged;
    pareto_archive_create(E->cfg->n_obj, &merged);
    const pareto_archive *ga = gts_archive(E->gt);
    for (int i = 0; i < pareto_archive_size(ga); i++)
        pareto_archive_insert(merged, pareto_archive_obj(ga, i), pareto_archive_id(ga, i), pareto_archive_genome(ga, i));
    u64map seen;
    u64map_init(&seen);
    int nr;
    const meas_record *rec = gts_records(E->gt, &nr);
    for (int i = 0; i < nr; i++) u64map_put(&seen, space_hash(E->sp, &rec[i].g), 1);
    for (int i = 0; i < E->n_islands; i++) {
        uint8_t *buf;
        int len, ng;
        double w;
        hw_genome *g;
        uint64_t *ids;
        int64_t nid;
        engine_comm_recv(E, engine_comm_isl_rank(E, i), ENGINE_TAG_FINAL, &buf, &len, 0, &w);
        engine_comm_attribute(E, ENGINE_KIND_OTHER, w, 0);
        if (emsg_genomes_unpack(buf, (size_t)len, &g, &ng, &ids, &nid)) engine_comm_die(E, "FINAL");
        for (int j = 0; j < ng; j++) {
            meas_record mr;
            if (gts_lookup(E->gt, &g[j], &mr) && mr.cv == 0)
                pareto_archive_insert(merged, mr.obj, space_hash(E->sp, &g[j]), &g[j]);
        }
        for (int64_t j = 0; j < nid; j++) u64map_put(&seen, ids[j], 1);
        free(g);
        free(ids);
        free(buf);
    }
    *distinct = (long)u64map_size(&seen);
    u64map_free(&seen);
    return merged;
}

/* Rank 0: the result and report from the last history row. */
void engine_disp_report(eng *E, const pareto_archive *merged, long distinct) {
    engine_report *rep = E->rep;
    search_result *R = &rep->res;
    search_history_row *last = &R->history[R->n_history - 1];
    R->generations = last->generation;
    R->evaluations = E->evaluations;
    R->measurements = last->measurements;
    R->front_size = pareto_archive_size(merged);
    R->hv = last->hv;
    R->hv_ratio = last->hv_ratio;
    R->wall_s = E->wall0 + hw_now_s() - E->t0;
    if (E->truth->true_front_n > 0) R->true_front_found = front_found(E->truth, merged);
    rep->board_s = gts_board_seconds(E->gt);
    rep->ft_s = gts_ft_seconds(E->gt);
    R->failed = gts_failed(E->gt);
    /* free values were read for every candidate evaluated (islands score
     * each one with them); with nothing that costs, every record too */
    int any_free = 0;
    for (int k = 0; k < E->cfg->n_obj; k++) any_free |= E->cfg->obj[k].free_cost;
    R->free_lookups = any_free ? distinct : 0;
    rep->compute_s = fmax(0, R->wall_s - E->tm.meas);
    rep->distinct_evaluated = distinct;
    rep->model_version = surrogate_version(gts_surrogate(E->gt));
    rep->mean_meas_cost_s = R->measurements > 0 ? rep->board_s / (double)R->measurements : NAN;
    rep->speedup = R->measurements > 0 && rep->board_s + rep->compute_s > 0
                       ? (double)distinct * rep->mean_meas_cost_s / (rep->board_s + rep->compute_s)
                       : NAN;
}
