/* engine.c: dispatcher and island roles over MPI (see engine.h). */
#include "engine.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ckpt.h"
#include "engine_ckpt.h"
#include "engine_ft.h"
#include "hw_clock.h"
#include "hw_err.h"
#include "island.h"
#include "journal.h"
#include "supernet_h5.h"

/* ---- context ----------------------------------------------------------- */

typedef struct eng {
    const search_config *cfg;
    const space *sp;
    const search_problem *truth;
    MPI_Comm comm;      /* duplicated */
    int rank, size, n_islands;
    int predictor;      /* evaluator.kind == predictor */
    /* dispatcher (rank 0) */
    gts *gt;
    search_result *res;
    int cap_hist;
    double t0;
    long evaluations;
    /* island side */
    island *is;
    double t_comm;      /* seconds in migration + update transfer */
    /* checkpoints */
    const engine_options *opt;
    journal *jnl;       /* rank 0 */
    ckpt_schedule sched;
    double wall0;       /* wall time used before this process (resume) */
    int start_gen;      /* first generation this process runs */
    run_snapshot *snap; /* rank 0 on resume */
    engine_report *rep;
    /* proxy fine-tuning spread over the ranks (engine_ft.h) */
    engine_ft_ctx ftc;      /* rank 0: the executor's context */
    supernet_ft *ft;        /* islands: their own copy of the supernet */
} eng;

/* A failing rank aborts the whole job with a clear message (never a hang). */
static void die(eng *E, const char *what) {
    fprintf(stderr, "hwnas: rank %d: %s: %s\n", E->rank, what, hw_errmsg());
    fflush(stderr);
    MPI_Abort(E->comm, 1);
}

/* ---- message packing ----------------------------------------------------- */

typedef struct update_hdr {
    int32_t gen, stop, n_rec, has_blob;
    int32_t served, pad; /* async: the island rank whose batch this answers (0: none) */
    int64_t blob_len;
} update_hdr;

typedef struct propose_hdr {
    int32_t gen, n, n_batch, pad;
} propose_hdr;

/* Receives a whole variable-size message (buffer malloc'd). */
static void recv_bytes(eng *E, int src, int tag, uint8_t **buf, int *len) {
    MPI_Status st;
    MPI_Probe(src, tag, E->comm, &st);
    double t = hw_now_s();
    MPI_Get_count(&st, MPI_BYTE, len);
    *buf = hw_malloc((size_t)(*len ? *len : 1));
    MPI_Recv(*buf, *len, MPI_BYTE, st.MPI_SOURCE, tag, E->comm, MPI_STATUS_IGNORE);
    E->t_comm += hw_now_s() - t;
}

static uint8_t *pack_update(int gen, int stop, int served, const meas_record *r, int n, const uint8_t *blob,
                            size_t blen, int *len) {
    update_hdr h = {.gen = gen, .stop = stop, .n_rec = n, .has_blob = blob != NULL, .served = served,
                    .blob_len = (int64_t)blen};
    size_t L = sizeof h + (size_t)n * sizeof *r + blen;
    uint8_t *b = hw_malloc(L);
    memcpy(b, &h, sizeof h);
    if (n) memcpy(b + sizeof h, r, (size_t)n * sizeof *r);
    if (blen) memcpy(b + sizeof h + (size_t)n * sizeof *r, blob, blen);
    HW_ASSERT(L < (size_t)1 << 31);
    *len = (int)L;
    return b;
}

/* ---- dispatcher round -------------------------------------------------- */

static int front_found(const search_problem *p, const pareto_archive *a) {
    int found = 0;
    for (int i = 0; i < p->true_front_n; i++)
        for (int j = 0; j < pareto_archive_size(a); j++)
            if (pareto_archive_id(a, j) == p->true_front_ids[i]) {
                found++;
                break;
            }
    return found;
}

/* Records one history row and decides whether to stop. */
static int disp_history(eng *E, int gen) {
    const search_config *c = E->cfg;
    const pareto_archive *a = gts_archive(E->gt);
    search_result *R = E->res;
    search_history_row h = {.generation = gen, .evaluations = E->evaluations,
                            .measurements = gts_measurements(E->gt), .front_size = pareto_archive_size(a),
                            .hv = NAN, .hv_ratio = NAN, .wall_s = E->wall0 + hw_now_s() - E->t0};
    double ref[HW_MAX_OBJ];
    for (int k = 0; k < c->n_obj; k++) ref[k] = objective_to_min(&c->obj[k], c->ref[k]);
    if (c->has_ref && pareto_archive_hv(a, ref, &h.hv)) return -1;
    if (isfinite(R->true_hv) && R->true_hv > 0) h.hv_ratio = h.hv / R->true_hv;
    if (R->n_history == E->cap_hist)
        R->history = hw_realloc(R->history, (size_t)(E->cap_hist = 2 * E->cap_hist + 16) * sizeof *R->history);
    R->history[R->n_history++] = h;
    if (E->truth->progress) {
        search_print_row(E->truth->progress, &h, isfinite(h.hv_ratio));
        fflush(E->truth->progress);
    }
    int stop = gen >= c->generations;
    if (c->max_measurements > 0 && h.measurements >= c->max_measurements) stop = 1;
    if (c->stop_hv_ratio > 0 && isfinite(h.hv_ratio) && h.hv_ratio >= c->stop_hv_ratio - 1e-12) stop = 1;
    if (E->truth->true_front_n > 0 && c->stop_hv_ratio >= 1.0 && front_found(E->truth, a) == E->truth->true_front_n)
        stop = 1;
    return stop;
}

/* Measures what was submitted; retrains in predictor mode. Returns the new
 * records (pointer into the log) and the blob (malloc'd or NULL). */
static int disp_measure(eng *E, const meas_record **rec, int *n, uint8_t **blob, size_t *blen) {
    int first, nn, all;
    *blob = NULL;
    *blen = 0;
    if (gts_collect(E->gt, &first, &nn)) return -1;
    const meas_record *log = gts_records(E->gt, &all);
    *rec = log + first;
    *n = nn;
    if (E->predictor && nn > 0 && gts_retrain(E->gt, blob, blen)) return -1;
    return 0;
}

/* The initial design (predictor mode): HELP reference archs first, then
 * random archs, measured before the islands start. */
static int disp_initial(eng *E, const meas_record **rec, int *n, uint8_t **blob, size_t *blen) {
    hw_rng r;
    rng_seed_stream(&r, E->cfg->seed, 0x1217a1ULL);
    int want = E->cfg->initial;
    hw_genome *g = hw_malloc((size_t)(want ? want : 1) * sizeof *g);
    int k;
    gts_initial_design(E->gt, &r, want, g, &k);
    gts_submit(E->gt, g, k, NULL);
    free(g);
    return disp_measure(E, rec, n, blob, blen);
}

/* ---- migration ------------------------------------------------------------ */

/* Out-neighbours of island i for a migration at generation gen. */
static int mig_targets(const eng *E, int i, int gen, int *out) {
    int n = E->n_islands, k = 0;
    if (n < 2) return 0;
    switch (E->cfg->topology) {
    case TOPO_RING: out[k++] = (i + 1) % n; break;
    case TOPO_FULL:
        for (int j = 1; j < n; j++) out[k++] = (i + j) % n;
        break;
    case TOPO_RANDOM: {
        hw_rng r; /* same stream on every island: everyone knows who sends where */
        rng_seed_stream(&r, E->cfg->seed ^ 0x6d6967ULL, (uint64_t)gen * 1000003ULL + (uint64_t)i);
        out[k++] = (i + 1 + (int)rng_below(&r, (uint64_t)n - 1)) % n;
        break;
    }
    }
    return k;
}

/* Island `me` sends its emigrants and receives the migrants addressed to it
 * for this generation. sync: blocking receives in source order
 * (deterministic); async: whatever has arrived (never waits). */
static void island_migrate(eng *E, int me, int gen) {
    const search_config *c = E->cfg;
    double t = hw_now_s(), t_comm0 = E->t_comm; /* recv_bytes below adds its own share: counted once */
    int k = c->mig_count;
    hw_genome *em = hw_malloc((size_t)(k ? k : 1) * sizeof *em);
    int nem = 0;
    if (island_emigrants(E->is, k, em, &nem)) die(E, "emigrants");
    int tg[64], nt = mig_targets(E, me, gen, tg);
    MPI_Request req[64];
    for (int j = 0; j < nt; j++)
        MPI_Isend(em, nem * (int)sizeof *em, MPI_BYTE, tg[j] + (E->size > 1 ? 1 : 0), ENGINE_TAG_MIGRANTS, E->comm,
                  &req[j]);
    /* who sends to me: islands s with me among their targets */
    for (int s = 0; s < E->n_islands; s++) {
        if (s == me) continue;
        int t2[64], n2 = mig_targets(E, s, gen, t2), to_me = 0;
        for (int j = 0; j < n2; j++) to_me |= t2[j] == me;
        if (!to_me) continue;
        int src = s + 1;
        if (!c->sync) {
            int flag;
            MPI_Iprobe(src, ENGINE_TAG_MIGRANTS, E->comm, &flag, MPI_STATUS_IGNORE);
            if (!flag) continue;
        }
        uint8_t *buf;
        int len;
        recv_bytes(E, src, ENGINE_TAG_MIGRANTS, &buf, &len);
        if (island_immigrate(E->is, (const hw_genome *)buf, len / (int)sizeof(hw_genome))) die(E, "immigrate");
        free(buf);
    }
    MPI_Waitall(nt, req, MPI_STATUSES_IGNORE);
    free(em);
    E->t_comm = t_comm0 + (hw_now_s() - t);
}

/* ---- checkpoints ------------------------------------------------------------ */

/* At a generation boundary (every rank, same generation): decides together
 * whether to checkpoint (schedule on rank 0, a signal on any rank), gathers
 * the islands' states to rank 0, which writes the run file atomically and
 * compacts the journal. Returns 1 if a signal asked to stop. */
static int boundary(eng *E, int gen, int final) {
    if (!E->opt || !E->opt->run_path) return 0;
    int flags[2] = {ckpt_signal_pending() != 0, 0};
    if (E->rank == 0) flags[1] = final || ckpt_due(&E->sched, gen, hw_now_s());
    if (E->size > 1) MPI_Allreduce(MPI_IN_PLACE, flags, 2, MPI_INT, MPI_MAX, E->comm);
    if (!flags[0] && !flags[1]) return 0;
    int nisl = E->n_islands;
    if (E->rank > 0) { /* islands: state to rank 0 */
        uint8_t *b;
        size_t l;
        if (island_export(E->is, &b, &l)) die(E, "checkpoint: island state");
        MPI_Send(b, (int)l, MPI_BYTE, 0, ENGINE_TAG_CKPT, E->comm);
        free(b);
    } else { /* rank 0: gather (P = 1: its own island), write, compact */
        uint8_t **blobs = hw_malloc((size_t)nisl * sizeof *blobs);
        size_t *lens = hw_malloc((size_t)nisl * sizeof *lens);
        if (E->size == 1) {
            if (island_export(E->is, &blobs[0], &lens[0])) die(E, "checkpoint: island state");
        } else {
            for (int r = 1; r < E->size; r++) {
                int len;
                recv_bytes(E, r, ENGINE_TAG_CKPT, &blobs[r - 1], &len);
                lens[r - 1] = (size_t)len;
            }
        }
        eckpt_state st = {.generation = gen, .evaluations = E->evaluations, .wall_s = E->wall0 + hw_now_s() - E->t0};
        run_snapshot *snap;
        if (eckpt_build(E->cfg, E->sp, E->gt, E->res, &st, blobs, lens, nisl, journal_last_seq(E->jnl), &snap) ||
            ckpt_write(E->opt->run_path, snap) || journal_compact(E->jnl, snap->meas_seq))
            die(E, "checkpoint");
        run_snapshot_free(snap);
        for (int i = 0; i < nisl; i++) free(blobs[i]);
        free(blobs);
        free(lens);
    }
    if (E->rank == 0) {
        ckpt_done(&E->sched, gen, hw_now_s());
        if (E->truth->progress && !final)
            fprintf(E->truth->progress, "hwnas: checkpoint at generation %d -> %s%s\n", gen, E->opt->run_path,
                    flags[0] ? " (signal: stopping)" : "");
    }
    if (flags[0]) E->rep->checkpointed_stop = 1;
    return flags[0];
}

/* Island state for island `i` of this run from a snapshot of `old` islands:
 * the same island when the counts agree; otherwise island i continues old
 * island i mod old (re-partitioning: documented as not bit-identical). */
static const run_island *resume_source(const run_snapshot *snap, int i) { return &snap->islands[i % snap->nislands]; }

/* Rank 0: all records + the model blob, as one UPDATE message body. */
static uint8_t *resume_update(eng *E, int *len) {
    int nr;
    const meas_record *rec = gts_records(E->gt, &nr);
    uint8_t *blob;
    size_t bl;
    if (surrogate_save(gts_surrogate(E->gt), &blob, &bl)) die(E, "resume: model");
    uint8_t *m = pack_update(E->start_gen - 1, 0, 0, rec, nr, blob, bl, len);
    free(blob);
    return m;
}

/* ---- roles ---------------------------------------------------------------- */

/* P = 1: island and dispatcher in one process, same sequence as P > 1. */
static int role_single(eng *E) {
    const meas_record *rec;
    int n;
    uint8_t *blob;
    size_t blen;
    if (E->snap) { /* resume: island state + every record + the model */
        const run_island *ri = resume_source(E->snap, 0);
        if (island_import(E->is, ri->engine_state, ri->engine_state_len)) return -1;
        int len;
        uint8_t *m = resume_update(E, &len);
        update_hdr h;
        memcpy(&h, m, sizeof h);
        const meas_record *r = (const meas_record *)(m + sizeof h);
        if (island_update(E->is, r, h.n_rec, m + sizeof h + (size_t)h.n_rec * sizeof *r, (size_t)h.blob_len)) {
            free(m);
            return -1;
        }
        free(m);
    } else if (E->predictor) {
        if (disp_initial(E, &rec, &n, &blob, &blen) || island_update(E->is, rec, n, blob, blen)) return -1;
        free(blob);
    }
    int k = E->cfg->per_generation;
    hw_genome *props = hw_malloc((size_t)(k ? k : 1) * sizeof *props);
    for (int gen = E->start_gen;; gen++) {
        const hw_genome *batch;
        int nb, np = 0;
        if (island_ask(E->is, &batch, &nb)) goto fail;
        E->evaluations += nb;
        if (!E->predictor) {
            if (gts_submit(E->gt, batch, nb, NULL)) goto fail;
        } else {
            if (island_tell_predicted(E->is) || island_propose(E->is, k, props, &np)) goto fail;
            if (gts_submit(E->gt, props, np, NULL)) goto fail;
        }
        if (disp_measure(E, &rec, &n, &blob, &blen) || island_update(E->is, rec, n, blob, blen)) goto fail;
        free(blob);
        if (!E->predictor && island_tell_predicted(E->is)) goto fail;
        int stop = disp_history(E, gen);
        if (stop < 0) goto fail;
        if (boundary(E, gen, stop)) break;
        if (stop) break;
    }
    free(props);
    return 0;
fail:
    free(props);
    return -1;
}

static void role_dispatcher(eng *E) {
    const meas_record *rec;
    int n;
    uint8_t *blob, *msg;
    size_t blen;
    int len;
    if (E->snap) { /* resume: each island its state, then every record + model */
        for (int r = 1; r < E->size; r++) {
            const run_island *ri = resume_source(E->snap, r - 1);
            MPI_Send(ri->engine_state, (int)ri->engine_state_len, MPI_BYTE, r, ENGINE_TAG_RESUME, E->comm);
        }
        msg = resume_update(E, &len);
        for (int r = 1; r < E->size; r++) MPI_Send(msg, len, MPI_BYTE, r, ENGINE_TAG_UPDATE, E->comm);
        free(msg);
    } else if (E->predictor) {
        if (disp_initial(E, &rec, &n, &blob, &blen)) die(E, "initial design");
        msg = pack_update(-1, 0, 0, rec, n, blob, blen, &len);
        for (int r = 1; r < E->size; r++) MPI_Send(msg, len, MPI_BYTE, r, ENGINE_TAG_UPDATE, E->comm);
        free(msg);
        free(blob);
    }
    for (int gen = E->start_gen;; gen++) {
        for (int r = 1; r < E->size; r++) { /* rank order: deterministic */
            uint8_t *buf;
            recv_bytes(E, r, ENGINE_TAG_PROPOSE, &buf, &len);
            propose_hdr h;
            memcpy(&h, buf, sizeof h);
            HW_ASSERT(h.gen == gen);
            E->evaluations += h.n_batch;
            if (gts_submit(E->gt, (const hw_genome *)(buf + sizeof h), h.n, NULL)) die(E, "submit");
            free(buf);
        }
        if (disp_measure(E, &rec, &n, &blob, &blen)) die(E, "measure");
        int stop = disp_history(E, gen);
        if (stop < 0) die(E, "history");
        msg = pack_update(gen, stop, 0, rec, n, blob, blen, &len);
        for (int r = 1; r < E->size; r++) MPI_Send(msg, len, MPI_BYTE, r, ENGINE_TAG_UPDATE, E->comm);
        free(msg);
        free(blob);
        if (boundary(E, gen, stop)) break;
        if (stop) break;
    }
}

/* An island's last message: its archive (measured points) for the merge. */
static void send_final(eng *E) {
    const pareto_archive *a = island_archive(E->is);
    int na = pareto_archive_size(a);
    hw_genome *g = hw_malloc((size_t)(na ? na : 1) * sizeof *g);
    for (int i = 0; i < na; i++) g[i] = *pareto_archive_genome(a, i);
    MPI_Send(g, na * (int)sizeof *g, MPI_BYTE, 0, ENGINE_TAG_FINAL, E->comm);
    free(g);
}

static void island_apply(eng *E, const uint8_t *buf, update_hdr *h) {
    memcpy(h, buf, sizeof *h);
    const meas_record *r = (const meas_record *)(buf + sizeof *h);
    const uint8_t *blob = h->has_blob ? buf + sizeof *h + (size_t)h->n_rec * sizeof *r : NULL;
    double t = hw_now_s();
    if (island_update(E->is, r, h->n_rec, blob, (size_t)h->blob_len)) die(E, "update");
    if (blob) E->t_comm += hw_now_s() - t; /* model load counts as broadcast cost */
}

/* Island: takes the next UPDATE from rank 0, running the fine-tuning jobs
 * rank 0 hands out before it (this rank's core is free meanwhile; rank 0
 * waits for them). block = 0: returns 0 at once when no UPDATE has arrived
 * yet; block = 1: waits for it. 1 and the message (malloc'd) otherwise. */
static int island_take_update(eng *E, int block, uint8_t **buf, int *len) {
    for (;;) {
        MPI_Status st;
        int flag = 1;
        if (block) MPI_Probe(0, MPI_ANY_TAG, E->comm, &st);
        else MPI_Iprobe(0, MPI_ANY_TAG, E->comm, &flag, &st);
        if (!flag) return 0;
        if (st.MPI_TAG == ENGINE_TAG_FTJOB) {
            engine_ft_serve(E->comm, E->rank, E->ft, E->cfg);
            continue;
        }
        HW_ASSERT(st.MPI_TAG == ENGINE_TAG_UPDATE);
        recv_bytes(E, 0, ENGINE_TAG_UPDATE, buf, len);
        return 1;
    }
}

static void island_recv_update(eng *E, uint8_t **buf, int *len) { island_take_update(E, 1, buf, len); }

static void role_island(eng *E) {
    const search_config *c = E->cfg;
    int me = E->rank - 1, len;
    uint8_t *buf;
    update_hdr h;
    if (E->opt && E->opt->resume) {
        recv_bytes(E, 0, ENGINE_TAG_RESUME, &buf, &len);
        if (island_import(E->is, buf, (size_t)len)) die(E, "resume: island state");
        free(buf);
        island_recv_update(E, &buf, &len);
        island_apply(E, buf, &h);
        free(buf);
        E->start_gen = h.gen + 1;
    } else if (E->predictor) {
        island_recv_update(E, &buf, &len);
        island_apply(E, buf, &h);
        free(buf);
    }
    int k = c->per_generation;
    size_t cap = sizeof(propose_hdr) + (size_t)(c->offspring + c->population + k + 1) * sizeof(hw_genome);
    uint8_t *out = hw_malloc(cap);
    for (int gen = E->start_gen;; gen++) {
        const hw_genome *batch;
        int nb, np = 0;
        if (island_ask(E->is, &batch, &nb)) die(E, "ask");
        propose_hdr ph = {.gen = gen, .n_batch = nb};
        hw_genome *dst = (hw_genome *)(out + sizeof ph);
        if (!E->predictor) {
            memcpy(dst, batch, (size_t)nb * sizeof *dst);
            np = nb;
        } else if (island_tell_predicted(E->is) || island_propose(E->is, k, dst, &np)) {
            die(E, "propose");
        }
        ph.n = np;
        memcpy(out, &ph, sizeof ph);
        MPI_Send(out, (int)(sizeof ph + (size_t)np * sizeof *dst), MPI_BYTE, 0, ENGINE_TAG_PROPOSE, E->comm);
        island_recv_update(E, &buf, &len);
        island_apply(E, buf, &h);
        free(buf);
        if (!E->predictor && island_tell_predicted(E->is)) die(E, "tell");
        if (!h.stop && E->n_islands > 1 && c->mig_count > 0 && (gen + 1) % c->mig_interval == 0)
            island_migrate(E, me, gen);
        if (boundary(E, gen, h.stop)) break;
        if (h.stop) break;
    }
    free(out);
    send_final(E);
}


/* ---- asynchronous rounds (islands.sync: false, predictor mode) ---------- */

/* Dispatcher: serves proposals as they arrive (any island, any time),
 * measures, retrains and sends each island every new record and the new
 * model without waiting for the others. Islands keep at most one proposal
 * batch in flight. Stops when the budget or the generation limit (the
 * highest island generation) is reached: UPDATE(stop) to every island,
 * then it drains their last proposals until every island's FINAL. Not
 * deterministic (arrival order decides); no checkpoints in this mode. */
static void role_dispatcher_async(eng *E) {
    const meas_record *rec;
    int n, len, gen_max = -1, stopped = 0;
    uint8_t *blob, *msg;
    size_t blen;
    if (disp_initial(E, &rec, &n, &blob, &blen)) die(E, "initial design");
    msg = pack_update(-1, 0, 0, rec, n, blob, blen, &len);
    for (int r = 1; r < E->size; r++) MPI_Send(msg, len, MPI_BYTE, r, ENGINE_TAG_UPDATE, E->comm);
    free(msg);
    free(blob);
    while (!stopped) {
        MPI_Status st;
        uint8_t *buf;
        MPI_Probe(MPI_ANY_SOURCE, ENGINE_TAG_PROPOSE, E->comm, &st);
        recv_bytes(E, st.MPI_SOURCE, ENGINE_TAG_PROPOSE, &buf, &len);
        propose_hdr h;
        memcpy(&h, buf, sizeof h);
        E->evaluations += h.n_batch;
        if (h.gen > gen_max) gen_max = h.gen;
        if (gts_submit(E->gt, (const hw_genome *)(buf + sizeof h), h.n, NULL)) die(E, "submit");
        free(buf);
        if (disp_measure(E, &rec, &n, &blob, &blen)) die(E, "measure");
        int stop = disp_history(E, gen_max);
        if (stop < 0) die(E, "history");
        /* every island gets the new records; the proposer also learns that
         * its batch was served (it may propose again) */
        msg = pack_update(gen_max, stop, st.MPI_SOURCE, rec, n, blob, blen, &len);
        for (int r = 1; r < E->size; r++)
            if (r == st.MPI_SOURCE || n > 0 || stop) MPI_Send(msg, len, MPI_BYTE, r, ENGINE_TAG_UPDATE, E->comm);
        free(msg);
        free(blob);
        stopped = stop;
    }
    /* drain: islands may have proposed before they saw the stop. Messages
     * from one source arrive in order, so everything before an island's
     * FINAL is a stale proposal; the FINAL itself is left for the merge. */
    for (int r = 1; r < E->size; r++)
        for (;;) {
            MPI_Status st;
            MPI_Probe(r, MPI_ANY_TAG, E->comm, &st);
            if (st.MPI_TAG == ENGINE_TAG_FINAL) break;
            uint8_t *buf;
            recv_bytes(E, r, st.MPI_TAG, &buf, &len);
            free(buf);
        }
}

/* Island: never waits for the dispatcher. Each generation it applies the
 * updates that have arrived (the newest model, every record), evolves on
 * predictions, and proposes only when its previous batch was served. */
static void role_island_async(eng *E) {
    const search_config *c = E->cfg;
    int me = E->rank - 1, len, outstanding = 0, stop = 0;
    uint8_t *buf;
    update_hdr h;
    island_recv_update(E, &buf, &len); /* the initial design */
    island_apply(E, buf, &h);
    free(buf);
    int k = c->per_generation;
    size_t cap = sizeof(propose_hdr) + (size_t)(k + 1) * sizeof(hw_genome);
    uint8_t *out = hw_malloc(cap);
    MPI_Request req = MPI_REQUEST_NULL;
    for (int gen = 0; !stop; gen++) {
        while (island_take_update(E, 0, &buf, &len)) { /* whatever has arrived, without blocking */
            island_apply(E, buf, &h);
            free(buf);
            if (h.served == E->rank) outstanding = 0; /* my batch was served */
            stop |= h.stop;
        }
        if (stop || gen >= c->generations) break;
        const hw_genome *batch;
        int nb, np = 0;
        if (island_ask(E->is, &batch, &nb) || island_tell_predicted(E->is)) die(E, "evolve");
        if (!outstanding) {
            MPI_Wait(&req, MPI_STATUS_IGNORE); /* the previous send's buffer */
            propose_hdr ph = {.gen = gen, .n_batch = nb};
            if (island_propose(E->is, k, (hw_genome *)(out + sizeof ph), &np)) die(E, "propose");
            ph.n = np;
            memcpy(out, &ph, sizeof ph);
            MPI_Isend(out, (int)(sizeof ph + (size_t)np * sizeof(hw_genome)), MPI_BYTE, 0, ENGINE_TAG_PROPOSE, E->comm,
                      &req);
            outstanding = 1;
        }
        if (E->n_islands > 1 && c->mig_count > 0 && (gen + 1) % c->mig_interval == 0) island_migrate(E, me, gen);
    }
    /* Reached the generation limit first: keep exactly one batch in flight
     * (an empty one says "done at the limit") so the dispatcher, which only
     * answers proposals, always has something to answer with the stop. */
    while (!stop) {
        if (!outstanding) {
            MPI_Wait(&req, MPI_STATUS_IGNORE);
            propose_hdr ph = {.gen = c->generations, .n = 0, .n_batch = 0};
            memcpy(out, &ph, sizeof ph);
            MPI_Isend(out, sizeof ph, MPI_BYTE, 0, ENGINE_TAG_PROPOSE, E->comm, &req);
            outstanding = 1;
        }
        island_recv_update(E, &buf, &len);
        island_apply(E, buf, &h);
        free(buf);
        stop = h.stop;
        if (h.served == E->rank) outstanding = 0;
    }
    MPI_Wait(&req, MPI_STATUS_IGNORE);
    free(out);
    /* migrants still in flight to me are received and dropped */
    for (;;) {
        int flag;
        MPI_Iprobe(MPI_ANY_SOURCE, ENGINE_TAG_MIGRANTS, E->comm, &flag, MPI_STATUS_IGNORE);
        if (!flag) break;
        MPI_Status st;
        MPI_Probe(MPI_ANY_SOURCE, ENGINE_TAG_MIGRANTS, E->comm, &st);
        recv_bytes(E, st.MPI_SOURCE, ENGINE_TAG_MIGRANTS, &buf, &len);
        free(buf);
    }
    send_final(E);
}

/* ---- entry ---------------------------------------------------------------- */

/* Measure-everything NSGA-II with the same seed, run in-process on the
 * tables, until it reaches `hv`: its measurement count (-1 if never). */
static long baseline_measurements(const search_config *cfg, const space *sp, const search_problem *truth, double hv) {
    if (!isfinite(hv)) return -1;
    search_config c = *cfg;
    c.evaluator = EVAL_TABLE;
    c.use_boards = 0; /* the table's values of the board objectives */
    c.max_measurements = 0;
    c.stop_hv_ratio = 0;
    c.generations = 100000;
    gts *gt = NULL;
    nsga *e = NULL;
    long result = -1;
    nsga_params np; /* the foundation engine's own (tuned) defaults, same seed */
    nsga_params_default(&np);
    np.n_obj = c.n_obj;
    np.seed = c.seed;
    double ref[HW_MAX_OBJ];
    for (int k = 0; k < c.n_obj; k++) ref[k] = objective_to_min(&c.obj[k], c.ref[k]);
    if (gts_create(&c, sp, &gt) || nsga_create(sp, &np, &e)) goto out;
    long cap = truth->true_front_n > 0 ? 20000 : 5000;
    double *obj = NULL, *cv = NULL;
    while (gts_measurements(gt) < cap) {
        const hw_genome *b;
        int n, first, nn;
        if (nsga_ask(e, &b, &n)) break;
        obj = hw_realloc(obj, (size_t)n * c.n_obj * sizeof *obj);
        cv = hw_realloc(cv, (size_t)n * sizeof *cv);
        gts_submit(gt, b, n, NULL);
        gts_collect(gt, &first, &nn);
        for (int i = 0; i < n; i++) {
            meas_record r;
            gts_lookup(gt, &b[i], &r);
            memcpy(obj + (size_t)i * c.n_obj, r.obj, (size_t)c.n_obj * sizeof *obj);
            cv[i] = r.cv;
        }
        nsga_tell(e, obj, cv);
        double h;
        pareto_archive_hv(gts_archive(gt), ref, &h);
        if (h >= hv - 1e-9 * fabs(hv)) {
            result = gts_measurements(gt);
            break;
        }
    }
    free(obj);
    free(cv);
out:
    nsga_free(e);
    gts_free(gt);
    return result;
}

int engine_run(const search_config *cfg, const space *sp, MPI_Comm parent, const search_problem *truth,
               const engine_options *opt, engine_report *rep, pareto_archive **out_archive) {
    eng E = {.cfg = cfg, .sp = sp, .truth = truth, .opt = opt, .rep = rep};
    memset(rep, 0, sizeof *rep);
    *out_archive = NULL;
    MPI_Comm_dup(parent, &E.comm);
    MPI_Comm_rank(E.comm, &E.rank);
    MPI_Comm_size(E.comm, &E.size);
    E.n_islands = E.size > 1 ? E.size - 1 : 1;
    E.predictor = cfg->evaluator == EVAL_PREDICTOR;
    E.t0 = hw_now_s();
    rep->n_islands = E.n_islands;
    rep->resumed_from = -1;
    rep->res.hv = rep->res.hv_ratio = rep->res.true_hv = NAN;
    int rc = 0;
    if (opt && opt->run_path && ckpt_signals_install()) {
        hw_fail("cannot install SIGUSR1/SIGTERM handlers");
        if (E.size > 1) die(&E, "signals");
        rc = -1;
        goto done;
    }
    if (E.rank == 0) {
        E.res = &rep->res;
        if (gts_create(cfg, sp, &E.gt)) {
            if (E.size > 1) die(&E, "dispatcher");
            rc = -1;
            goto done;
        }
        if (opt && opt->run_path) {
            char jp[4200];
            journal_path(opt->run_path, jp, sizeof jp);
            if (opt->resume) {
                eckpt_state st;
                if (ckpt_resume(opt->run_path, &E.snap, &rep->replayed) ||
                    eckpt_check(E.snap, cfg, sp, opt->run_path) ||
                    eckpt_restore_dispatcher(E.snap, E.gt, &st, &rep->res)) {
                    if (E.size > 1) die(&E, "resume");
                    rc = -1;
                    goto done;
                }
                E.cap_hist = rep->res.n_history + 16;
                E.evaluations = st.evaluations;
                E.wall0 = st.wall_s;
                E.start_gen = st.generation + 1;
                rep->resumed_from = st.generation;
                gts_add_replay(E.gt, E.snap->meas, E.snap->nmeas);
                if (E.snap->nislands != E.n_islands && truth->progress)
                    fprintf(truth->progress, "hwnas: resuming %d islands as %d: populations re-partitioned "
                                             "(the run continues, not bit-identically)\n",
                            E.snap->nislands, E.n_islands);
            }
            if (journal_open(jp, E.snap ? E.snap->meas_seq : 0, &E.jnl)) {
                if (E.size > 1) die(&E, "journal");
                rc = -1;
                goto done;
            }
            gts_set_journal(E.gt, E.jnl);
            ckpt_schedule_init(&E.sched, opt->ckpt_every_gens, opt->ckpt_every_s, E.start_gen - 1, hw_now_s());
        }
        double ref[HW_MAX_OBJ];
        for (int k = 0; k < cfg->n_obj; k++) ref[k] = objective_to_min(&cfg->obj[k], cfg->ref[k]);
        if (cfg->has_ref && truth->true_front_n > 0)
            hv_exact(truth->true_front, truth->true_front_n, cfg->n_obj, ref, &rep->res.true_hv);
        rep->res.true_front_size = truth->true_front_n;
    }
    if (E.size == 1 || E.rank > 0)
        if (island_create(cfg, sp, E.size == 1 ? 0 : E.rank - 1, &E.is)) {
            if (E.size > 1) die(&E, "island");
            rc = -1;
            goto done;
        }
    if (E.is) island_set_count(E.is, E.n_islands);
    if (cfg->use_finetune && E.size > 1) { /* fine-tuning jobs on every rank */
        if (E.rank == 0) {
            E.ftc = (engine_ft_ctx){.comm = E.comm, .size = E.size, .ft = gts_ft(E.gt), .cfg = cfg};
            gts_set_ft_exec(E.gt, engine_ft_exec, &E.ftc);
        } else if (supernet_ft_open(cfg->ft_supernet, cfg->ft_train, cfg->ft_eval, cfg->ft_vocab, &E.ft)) {
            die(&E, "fine-tuning");
        }
    }
    if (E.size == 1) {
        rc = role_single(&E);
    } else if (E.predictor && !cfg->sync) {
        if (E.rank == 0) role_dispatcher_async(&E);
        else role_island_async(&E);
    } else if (E.rank == 0) {
        role_dispatcher(&E);
    } else {
        role_island(&E);
    }
    if (rc) goto done;
    double t_comm = E.t_comm, t_max = 0;
    if (E.rank == 0) {
        pareto_archive *merged;
        pareto_archive_create(cfg->n_obj, &merged);
        const pareto_archive *ga = gts_archive(E.gt);
        for (int i = 0; i < pareto_archive_size(ga); i++)
            pareto_archive_insert(merged, pareto_archive_obj(ga, i), pareto_archive_id(ga, i), pareto_archive_genome(ga, i));
        for (int r = 1; r < E.size; r++) { /* merge the islands' archives (measured points) */
            uint8_t *buf;
            int len;
            recv_bytes(&E, r, ENGINE_TAG_FINAL, &buf, &len);
            const hw_genome *g = (const hw_genome *)buf;
            for (int i = 0; i < len / (int)sizeof *g; i++) {
                meas_record mr;
                if (gts_lookup(E.gt, &g[i], &mr) && mr.cv == 0)
                    pareto_archive_insert(merged, mr.obj, space_hash(sp, &g[i]), &g[i]);
            }
            free(buf);
        }
        /* every FINAL received (islands may block in MPI_Send until then) */
        MPI_Reduce(&t_comm, &t_max, 1, MPI_DOUBLE, MPI_MAX, 0, E.comm);
        search_result *R = &rep->res;
        search_history_row *last = &R->history[R->n_history - 1];
        R->generations = last->generation;
        R->evaluations = E.evaluations;
        R->measurements = last->measurements;
        R->front_size = pareto_archive_size(merged);
        R->hv = last->hv;
        R->hv_ratio = last->hv_ratio;
        R->wall_s = E.wall0 + hw_now_s() - E.t0;
        if (truth->true_front_n > 0) R->true_front_found = front_found(truth, merged);
        rep->board_s = gts_board_seconds(E.gt);
        rep->compute_s = R->wall_s;
        rep->time_fraction_comm = R->wall_s > 0 ? t_max / R->wall_s : 0;
        rep->model_version = surrogate_version(gts_surrogate(E.gt));
        rep->baseline_measurements = -1;
        rep->speedup = NAN;
        if (E.predictor && cfg->has_ref) {
            rep->baseline_measurements = baseline_measurements(cfg, sp, truth, R->hv);
            if (rep->baseline_measurements > 0) {
                rep->baseline_board_s = (double)rep->baseline_measurements * cfg->measure_cost_s;
                if (rep->baseline_board_s > 0) rep->speedup = rep->baseline_board_s / (rep->board_s + rep->compute_s);
            }
        }
        *out_archive = merged;
    } else {
        MPI_Reduce(&t_comm, &t_max, 1, MPI_DOUBLE, MPI_MAX, 0, E.comm);
    }
done:
    journal_close(E.jnl);
    run_snapshot_free(E.snap);
    island_free(E.is);
    supernet_ft_close(E.ft);
    gts_free(E.gt);
    MPI_Comm_free(&E.comm);
    return rc;
}

void engine_report_free(engine_report *r) { search_result_free(&r->res); }
