/* engine.c: one engine loop for every role and both kinds of rounds (see
 * engine.h; docs/engine.md). */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine_ckpt.h"
#include "engine_impl.h"
#include "engine_msg.h"
#include "hw_clock.h"
#include "hw_err.h"

/* ---- dispatcher -------------------------------------------------------- */

/* Measures what was submitted, then (evaluator.measure_delay_s, a benchmark
 * aid) waits as long as measure_delay_boards boards measuring in parallel
 * would (delay x ceil(new / boards)); retrains in predictor mode. u gets
 * the new records (a pointer into the log) and the model blob (*blob,
 * malloc'd or NULL). */
static int disp_measure(eng *E, emsg_update *u, uint8_t **blob) {
    int first, nn, all;
    size_t blen = 0;
    *blob = NULL;
    double t = hw_now_s(), c0 = E->ftc.comm_s;
    if (gts_collect(E->gt, &first, &nn)) return -1;
    if (E->cfg->measure_delay_s > 0 && nn > 0) {
        int b = E->cfg->measure_delay_boards > 0 ? E->cfg->measure_delay_boards : 1;
        double d = E->cfg->measure_delay_s * ((nn + b - 1) / b);
        struct timespec ts = {.tv_sec = (time_t)d, .tv_nsec = (long)((d - floor(d)) * 1e9)};
        while (nanosleep(&ts, &ts) != 0) {}
    }
    double dc = E->ftc.comm_s - c0, dm = hw_now_s() - t - dc;
    engine_comm_charge(E, ENGINE_KIND_FINETUNE, dc);
    E->tm.meas += dm, E->round_meas += dm;
    u->rec = gts_records(E->gt, &all) + first;
    u->n_rec = nn;
    if (E->prog) { /* the progress log: one line per new record */
        long meas = gts_measurements(E->gt);
        for (int i = 0; i < nn; i++) meas -= strcmp(u->rec[i].runner, GTS_WARM_RUNNER) != 0;
        for (int i = 0; i < nn; i++) {
            meas += strcmp(u->rec[i].runner, GTS_WARM_RUNNER) != 0;
            if (progress_measurement(E->prog, &u->rec[i], first + i, meas, gts_board_seconds(E->gt))) return -1;
        }
    }
    if (E->predictor && nn > 0 && gts_retrain(E->gt, blob, &blen)) return -1;
    u->blob = *blob;
    u->blob_len = blen;
    return 0;
}

/* Packs u and sends it to every island (only > 0: to that rank, and to the
 * others only when u has records or stops the run). When every island gets
 * it (P > 1, only = 0), the header and then the records and model go out as
 * two non-blocking broadcasts (a tree: rank 0 sends about log2(P) times, not
 * P - 1), completed at the next UPDATE or at the end. */
static void send_update(eng *E, emsg_update *u, int only) {
    int len;
    u->bcast = E->size > 1 && !only;
    double t = hw_now_s();
    uint8_t *m = emsg_update_pack(u, &len);
    engine_comm_charge(E, ENGINE_KIND_UPDATE, hw_now_s() - t);
    if (u->bcast) {
        engine_comm_bcast_done(E);
        engine_comm_ibcast(E, 0, m, len);
        if (emsg_update_body_len(u) > 0) {
            t = hw_now_s();
            uint8_t *body = emsg_update_body_pack(u, &len);
            engine_comm_charge(E, ENGINE_KIND_UPDATE, hw_now_s() - t);
            engine_comm_ibcast(E, 1, body, len);
        }
        return;
    }
    for (int i = 0; i < E->n_islands; i++) {
        int r = engine_comm_isl_rank(E, i);
        if (!only || r == only || u->n_rec > 0 || u->stop) engine_comm_send(E, r, ENGINE_TAG_UPDATE, m, len);
    }
    free(m);
}

/* Rank 0, lock-step: what every rank does at this generation's boundary
 * (EMSG_BOUNDARY_*), decided once here and carried by the UPDATE, so the
 * boundary needs no collective: stop on a signal pending here or reported
 * by an island's PROPOSE; with a run file, checkpoint at the last
 * generation, when due, or on a signal. */
static int boundary_decide(eng *E, int gen, int stop) {
    int sig = ckpt_signal_pending(), run = E->opt && E->opt->run_path;
    if (!sig) sig = E->isl_signal; /* the number: /@stopped_by names it */
    int ckpt = run && (sig || stop || ckpt_due(&E->sched, gen, hw_now_s()));
    E->isl_signal = 0;
    return (sig ? EMSG_BOUNDARY_SIGNAL | (sig & 0xff) << EMSG_BOUNDARY_SIGNO_SHIFT : 0) |
           (ckpt ? EMSG_BOUNDARY_CKPT : 0);
}

/* Rank 0, one round: takes the proposals (sync: one per island in rank
 * order, deterministic; async: the next to arrive), measures, retrains,
 * records the history row, and answers with UPDATE (sync: every island;
 * async: the proposer, and the others when there is news). Returns the
 * stop flag, or -1 when the measurements failed (hw_errmsg says why). */
static int disp_round(eng *E, int gen) {
    int served = 0, nsrc = E->async ? 1 : E->n_islands;
    E->round_meas = E->round_wait = 0;
    E->round_seq = E->jnl ? journal_last_seq(E->jnl) : 0;
    E->round_evals = E->evaluations;
    for (int i = 0; i < nsrc; i++) {
        uint8_t *buf;
        int len;
        double w;
        double t = hw_now_s();
        served = engine_comm_recv(E, E->async ? MPI_ANY_SOURCE : engine_comm_isl_rank(E, i), ENGINE_TAG_PROPOSE, &buf, &len, t, &w);
        E->round_wait += hw_now_s() - t;
        emsg_propose h;
        hw_genome *g;
        t = hw_now_s();
        if (emsg_propose_unpack(buf, (size_t)len, &h, &g)) engine_comm_die(E, "PROPOSE");
        engine_comm_charge(E, ENGINE_KIND_PROPOSE, hw_now_s() - t);
        engine_comm_attribute(E, ENGINE_KIND_PROPOSE, w, 0);
        if (h.signal > E->isl_signal) E->isl_signal = h.signal;
        free(buf);
        HW_ASSERT(E->async || h.gen == gen);
        E->evaluations += h.n_batch;
        if (h.gen > E->gen_max) E->gen_max = h.gen;
        int isl = E->size > 1 ? served - 1 : 0; /* island i runs on rank i + 1 (engine_comm_isl_rank) */
        if (gts_submit_from(E->gt, g, h.n, h.gen, isl, E->predictor, NULL)) engine_comm_die(E, "submit");
        free(g);
    }
    double c0 = engine_comm_computed(E);
    emsg_update u = {.gen = E->async ? E->gen_max : gen, .served = E->async ? served : 0};
    uint8_t *blob;
    if (disp_measure(E, &u, &blob)) { /* boards gone for boards.wait_s: every rank stops (engine_loop) */
        emsg_update f = {.gen = u.gen, .stop = ENGINE_STOP_FAILED}; /* boundary 0: only the failure's checkpoint */
        E->bflags = 0;
        send_update(E, &f, 0);
        return -1;
    }
    if ((u.stop = engine_disp_history(E, u.gen)) < 0) engine_comm_die(E, "history");
    u.meas_s = E->round_meas;
    u.comp_s = engine_comm_computed(E) - c0 + E->round_wait; /* islands that proposed early wait for the others: idle */
    if (!E->async) E->bflags = u.boundary = boundary_decide(E, gen, u.stop);
    send_update(E, &u, u.served);
    free(blob);
    return u.stop;
}

/* Island state for island `i` of this run from a snapshot of `old` islands:
 * the same island when the counts agree; otherwise island i continues old
 * island i mod old (re-partitioning: documented as not bit-identical). */
static const run_island *resume_source(const run_snapshot *snap, int i) { return &snap->islands[i % snap->nislands]; }

/* ---- island ------------------------------------------------------------ */

/* Island: runs the fine-tuning job rank 0 sent (measurement time; its MPI
 * calls are communication). */
static void serve_ft(eng *E) {
    double c0 = E->tm.comm, t = hw_now_s();
    engine_ft_serve(E->comm, E->rank, E->ft, E->cfg, &E->tm.comm);
    E->tm.k[ENGINE_KIND_FINETUNE].comm_s += E->tm.comm - c0;
    E->tm.meas += hw_now_s() - t - (E->tm.comm - c0);
}

/* Takes the next UPDATE from rank 0 and applies it, running the
 * fine-tuning jobs rank 0 hands out before it (this rank's core is free
 * meanwhile; rank 0 waits for them). coll: every island gets this one (a
 * lock-step or start UPDATE, P > 1): it comes as the header and body
 * broadcasts. block = 0 (point to point only): returns 0 at once when no
 * UPDATE has arrived. *h gets the header (records and blob cleared). */
static int take_update(eng *E, int block, int coll, emsg_update *h) {
    uint8_t *buf;
    int len;
    double w = 0, t0 = hw_now_s();
    if (E->size == 1) {
        if (!E->box[ENGINE_TAG_UPDATE - ENGINE_TAG_FIRST]) {
            HW_ASSERT(!block); /* lock-step at P = 1: rank 0's half always ran first */
            return 0;
        }
    } else if (coll) {
        HW_ASSERT(block);
        buf = hw_malloc(ENGINE_UPDATE_HDR_BYTES);
        len = ENGINE_UPDATE_HDR_BYTES;
        w = engine_comm_bcast_header(E, buf, len, serve_ft);
    } else {
        for (;;) {
            MPI_Status st;
            int flag = 1;
            double t = hw_now_s();
            if (block) engine_comm_probe(E->comm, 0, MPI_ANY_TAG, &st);
            else MPI_Iprobe(0, MPI_ANY_TAG, E->comm, &flag, &st);
            if (!flag) return engine_comm_charge(E, ENGINE_KIND_UPDATE, hw_now_s() - t), 0;
            if (st.MPI_TAG == ENGINE_TAG_FTJOB) { /* rank 0 hands out jobs from inside its measurement */
                E->tm.meas += hw_now_s() - t0;
                serve_ft(E);
                t0 = hw_now_s();
                continue;
            }
            HW_ASSERT(st.MPI_TAG == ENGINE_TAG_UPDATE);
            break;
        }
    }
    if (!coll || E->size == 1) engine_comm_recv(E, 0, ENGINE_TAG_UPDATE, &buf, &len, t0, &w);
    double t = hw_now_s();
    if (emsg_update_unpack(buf, (size_t)len, h)) engine_comm_die(E, "UPDATE");
    engine_comm_charge(E, ENGINE_KIND_UPDATE, hw_now_s() - t);
    engine_comm_attribute(E, ENGINE_KIND_UPDATE, w, h->meas_s);
    uint8_t *body = NULL;
    size_t blen = emsg_update_body_len(h);
    if (h->bcast && blen > 0) { /* records and model follow as a broadcast */
        body = hw_malloc(blen);
        engine_comm_bcast_body(E, body, (int)blen);
        t = hw_now_s();
        if (emsg_update_body_unpack(body, blen, h)) engine_comm_die(E, "UPDATE");
        engine_comm_charge(E, ENGINE_KIND_UPDATE, hw_now_s() - t);
    }
    if (island_update(E->is, h->rec, h->n_rec, h->blob, (size_t)h->blob_len)) engine_comm_die(E, "update");
    if (h->served == E->rank) E->outstanding = 0; /* async: my batch was served */
    E->stop |= h->stop;
    E->bflags = h->boundary;
    if (h->stop == ENGINE_STOP_FAILED) E->failed = 1; /* rank 0's measurements failed: stop with it */
    free((void *)h->rec);
    free(body);
    free(buf);
    h->rec = NULL, h->blob = NULL;
    return 1;
}

/* Sends PROPOSE(gen) (async: non-blocking, one in flight). */
static void send_proposal(eng *E, int gen, int n_batch, const hw_genome *g, int n) {
    emsg_propose h = {.gen = gen, .n_batch = n_batch, .n = n, .signal = ckpt_signal_pending(),
                      .busy_s = engine_comm_computed(E) - E->busy_mark};
    int len;
    double t = hw_now_s();
    uint8_t *m = emsg_propose_pack(&h, g, &len);
    engine_comm_charge(E, ENGINE_KIND_PROPOSE, hw_now_s() - t);
    if (E->async) {
        engine_comm_wait(E, ENGINE_KIND_PROPOSE, &E->preq); /* the previous proposal's buffer */
        free(E->pmsg);
        t = hw_now_s();
        E->pmsg = m = engine_comm_stamp(E, m, &len);
        MPI_Isend(m, len, MPI_BYTE, 0, ENGINE_TAG_PROPOSE, E->comm, &E->preq);
        t = hw_now_s() - t;
        engine_comm_charge(E, ENGINE_KIND_PROPOSE, t);
        E->tm.k[ENGINE_KIND_PROPOSE].msgs++, E->tm.k[ENGINE_KIND_PROPOSE].bytes += len;
        E->tm.send_s += t, E->tm.nsend++, E->tm.bsend += len;
        E->outstanding = 1;
    } else {
        engine_comm_send(E, 0, ENGINE_TAG_PROPOSE, m, len);
        free(m);
    }
    E->busy_mark = engine_comm_computed(E);
}

/* Island, first half of generation gen: evolves and proposes (table mode:
 * the whole batch; predictor mode: its active-learning picks). Async:
 * applies whatever UPDATEs have arrived first and proposes only when its
 * previous batch was served; at the generation limit it keeps one (empty)
 * batch in flight and waits for an UPDATE, so the dispatcher, which only
 * answers proposals, can send the stop. Returns 1 to stop (async). */
static int isl_propose(eng *E, int gen, hw_genome *props) {
    const search_config *c = E->cfg;
    emsg_update h;
    if (E->async) {
        while (take_update(E, 0, 0, &h)) {}
        if (E->stop) return 1;
        if (gen >= c->generations) {
            if (!E->outstanding) send_proposal(E, c->generations, 0, NULL, 0);
            take_update(E, 1, 0, &h);
            return E->stop;
        }
    }
    const hw_genome *batch;
    int nb, np = 0;
    if (island_ask(E->is, &batch, &nb)) engine_comm_die(E, "ask");
    if (!E->predictor) return send_proposal(E, gen, nb, batch, nb), 0;
    if (island_tell_predicted(E->is)) engine_comm_die(E, "tell");
    if (E->async && E->outstanding) return 0;
    if (island_propose(E->is, c->per_generation, props, &np)) engine_comm_die(E, "propose");
    send_proposal(E, gen, nb, props, np);
    return 0;
}

/* Island, second half of a lock-step generation: the UPDATE; table mode
 * tells the engine the batch's measured values. Returns the stop flag. */
static int isl_collect(eng *E) {
    emsg_update h;
    take_update(E, 1, 1, &h);
    if (E->failed) return 1; /* the batch stays pending (asked, not told): a checkpoint keeps it */
    if (!E->predictor && island_tell_predicted(E->is)) engine_comm_die(E, "tell");
    return h.stop;
}

/* Out-neighbours of island i for a migration at generation gen; out has
 * room for n_islands - 1. */
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
static void isl_migrate(eng *E, int gen) {
    const search_config *c = E->cfg;
    const int n = E->n_islands, me = E->rank - 1;
    int k = c->mig_count, nem = 0, len;
    hw_genome *em = hw_malloc((size_t)(k ? k : 1) * sizeof *em);
    int *tg = hw_malloc((size_t)n * sizeof *tg), *t2 = hw_malloc((size_t)n * sizeof *t2);
    MPI_Request *req = hw_malloc((size_t)n * sizeof *req);
    if (island_emigrants(E->is, k, em, &nem)) engine_comm_die(E, "emigrants");
    double t = hw_now_s();
    uint8_t *m = emsg_genomes_pack(em, nem, NULL, 0, &len);
    m = engine_comm_stamp(E, m, &len);
    int nt = mig_targets(E, me, gen, tg);
    for (int j = 0; j < nt; j++) MPI_Isend(m, len, MPI_BYTE, engine_comm_isl_rank(E, tg[j]), ENGINE_TAG_MIGRANTS, E->comm, &req[j]);
    E->tm.nsend += nt;
    E->tm.bsend += (double)nt * len;
    E->tm.k[ENGINE_KIND_MIGRANTS].msgs += nt, E->tm.k[ENGINE_KIND_MIGRANTS].bytes += (double)nt * len;
    engine_comm_charge(E, ENGINE_KIND_MIGRANTS, hw_now_s() - t);
    for (int s = 0; s < n; s++) { /* who sends to me: islands s with me among their targets */
        if (s == me) continue;
        int n2 = mig_targets(E, s, gen, t2), to_me = 0;
        for (int j = 0; j < n2; j++) to_me |= t2[j] == me;
        if (!to_me) continue;
        if (!c->sync) {
            int flag;
            t = hw_now_s();
            MPI_Iprobe(engine_comm_isl_rank(E, s), ENGINE_TAG_MIGRANTS, E->comm, &flag, MPI_STATUS_IGNORE);
            engine_comm_charge(E, ENGINE_KIND_MIGRANTS, hw_now_s() - t);
            if (!flag) continue;
        }
        uint8_t *buf;
        double w;
        hw_genome *g;
        uint64_t *ids;
        int ng;
        int64_t nid;
        engine_comm_recv(E, engine_comm_isl_rank(E, s), ENGINE_TAG_MIGRANTS, &buf, &len, 0, &w);
        engine_comm_attribute(E, ENGINE_KIND_MIGRANTS, w, 0);
        t = hw_now_s();
        if (emsg_genomes_unpack(buf, (size_t)len, &g, &ng, &ids, &nid)) engine_comm_die(E, "MIGRANTS");
        engine_comm_charge(E, ENGINE_KIND_MIGRANTS, hw_now_s() - t);
        if (island_immigrate(E->is, g, ng)) engine_comm_die(E, "immigrate");
        free(g);
        free(ids);
        free(buf);
    }
    t = hw_now_s();
    MPI_Waitall(nt, req, MPI_STATUSES_IGNORE);
    engine_comm_charge(E, ENGINE_KIND_MIGRANTS, hw_now_s() - t);
    free(m);
    free(em);
    free(tg);
    free(t2);
    free(req);
}

/* ---- checkpoints ------------------------------------------------------- */

/* At a generation boundary (every rank, same generation): does what rank 0
 * decided for it and sent with the UPDATE (boundary_decide: stop on a
 * signal, checkpoint): gathers the islands' states to rank 0, which writes
 * the run file atomically and compacts the journal. Returns 1 if a signal
 * asked to stop (rep->signal_stop). After a failed round (E->failed, every
 * rank knows it from the UPDATE): the checkpoint of generation gen (the
 * last whole one) with the islands' pending batches; the journal keeps the
 * answers the failed round received (they are not in the records). */
static int boundary(eng *E, int gen, int final) {
    const int run = E->opt && E->opt->run_path;
    /* flags[0]: the signal number rank 0 decided on (0: none), for /@stopped_by */
    int flags[2] = {(E->bflags & EMSG_BOUNDARY_SIGNAL) ? E->bflags >> EMSG_BOUNDARY_SIGNO_SHIFT : 0,
                    (E->bflags & EMSG_BOUNDARY_CKPT) != 0};
    if ((E->bflags & EMSG_BOUNDARY_SIGNAL) && !flags[0]) flags[0] = -1; /* a signal, number unknown */
    if (E->failed && final) flags[1] = 1; /* the checkpoint before a failed run's exit (fail_checkpoint) */
    if (flags[0]) E->rep->signal_stop = gen + 1;
    if (!run || (!flags[0] && !flags[1])) return flags[0];
    if (E->is) { /* islands: state to rank 0 */
        uint8_t *b;
        size_t l;
        if (island_export(E->is, &b, &l)) engine_comm_die(E, "checkpoint: island state");
        HW_ASSERT(l < (size_t)1 << 31);
        engine_comm_send(E, 0, ENGINE_TAG_CKPT, b, (int)l);
        free(b);
    }
    if (E->disp) { /* gather, write, compact */
        int nisl = E->n_islands;
        uint8_t **blobs = hw_malloc((size_t)nisl * sizeof *blobs);
        size_t *lens = hw_malloc((size_t)nisl * sizeof *lens);
        for (int i = 0; i < nisl; i++) {
            int len;
            double w;
            engine_comm_recv(E, engine_comm_isl_rank(E, i), ENGINE_TAG_CKPT, &blobs[i], &len, 0, &w);
            engine_comm_attribute(E, ENGINE_KIND_CHECKPOINT, w, 0);
            lens[i] = (size_t)len;
        }
        eckpt_state st = {.generation = gen, .evaluations = E->failed ? E->round_evals : E->evaluations,
                          .wall_s = E->wall0 + hw_now_s() - E->t0, .table_hashes = E->table_hashes};
        run_snapshot *snap;
        uint64_t seq = E->failed ? E->round_seq : journal_last_seq(E->jnl);
        if (eckpt_build(E->cfg, E->sp, E->gt, E->res, &st, blobs, lens, nisl, seq, &snap))
            engine_comm_die(E, "checkpoint");
        if (flags[0]) snap->stopped_by = hw_strdup(flags[0] == SIGINT ? "SIGINT" : flags[0] == SIGTERM ? "SIGTERM"
                                                   : flags[0] == SIGUSR1 ? "SIGUSR1" : "signal");
        if (ckpt_write(E->opt->run_path, snap) || journal_compact(E->jnl, snap->meas_seq)) engine_comm_die(E, "checkpoint");
        run_snapshot_free(snap);
        for (int i = 0; i < nisl; i++) free(blobs[i]);
        free(blobs);
        free(lens);
        ckpt_done(&E->sched, gen, hw_now_s());
        if (E->truth->progress && !final)
            fprintf(E->truth->progress, "hwnas: checkpoint at generation %d -> %s%s\n", gen, E->opt->run_path,
                    flags[0] ? " (signal: stopping)" : "");
    }
    if (flags[0]) E->rep->checkpointed_stop = 1;
    return flags[0] != 0;
}

/* Every rank, after rank 0's measurements of generation gen failed: the
 * checkpoint of the last whole generation, gen - 1, unless there is none
 * (gen 0: the journal holds what arrived) or the run file already holds it
 * (the first generation of a resume). Rank 0's message then says what the
 * run file holds and how to continue. */
static void fail_checkpoint(eng *E, int gen) {
    const char *run = E->opt ? E->opt->run_path : NULL;
    const int resumed_at = E->opt && E->opt->resume && gen == E->start_gen;
    char why[1024];
    snprintf(why, sizeof why, "%s", hw_errmsg());
    if (!E->async && gen > 0 && !resumed_at) boundary(E, gen - 1, 1);
    if (!E->disp || !run) return;
    if (gen == 0)
        hw_fail("%s; no generation finished: the same command again re-uses the answers journaled in %s.journal",
                why, run);
    else
        hw_fail("%s; %s holds generation %d%s: --resume %s continues from it", why, run, gen - 1,
                resumed_at ? "" : " (checkpoint written now)", run);
}

/* ---- the loop ---------------------------------------------------------- */

/* Before generation start_gen: rank 0 sends each island its state and
 * every record + the model (resume) or the initial design (predictor mode:
 * HELP reference archs, then random archs, measured before the islands
 * start); the islands take it. */
static void engine_start(eng *E) {
    emsg_update u = {.gen = -1};
    uint8_t *blob = NULL;
    size_t blen;
    if (E->disp && E->snap) {
        for (int i = 0; i < E->n_islands; i++) {
            const run_island *ri = resume_source(E->snap, i);
            HW_ASSERT(ri->engine_state_len < (size_t)1 << 31);
            engine_comm_send(E, engine_comm_isl_rank(E, i), ENGINE_TAG_RESUME, ri->engine_state, (int)ri->engine_state_len);
        }
        u.gen = E->start_gen - 1;
        u.rec = gts_records(E->gt, &u.n_rec);
        if (surrogate_save(gts_surrogate(E->gt), &blob, &blen)) engine_comm_die(E, "resume: model");
        u.blob = blob, u.blob_len = blen;
        u.comp_s = engine_comm_computed(E); /* rank 0's set-up: the islands wait for it */
        send_update(E, &u, 0);
    } else if (E->disp && E->predictor) {
        hw_rng r;
        rng_seed_stream(&r, E->cfg->seed, 0x1217a1ULL);
        int want = E->cfg->initial, k;
        hw_genome *g = hw_malloc((size_t)(want ? want : 1) * sizeof *g);
        gts_initial_design(E->gt, &r, want, g, &k);
        if (gts_submit(E->gt, g, k, NULL)) engine_comm_die(E, "initial design");
        free(g);
        if (disp_measure(E, &u, &blob)) { /* boards gone for boards.wait_s: every rank stops */
            E->failed = 1;
            u = (emsg_update){.gen = -1, .stop = ENGINE_STOP_FAILED};
        }
        u.meas_s = E->round_meas;
        u.comp_s = engine_comm_computed(E); /* rank 0's set-up: the islands wait for it */
        send_update(E, &u, 0);
    }
    free(blob);
    if (E->is && E->opt && E->opt->resume) {
        uint8_t *buf;
        int len;
        double w;
        engine_comm_recv(E, 0, ENGINE_TAG_RESUME, &buf, &len, 0, &w);
        engine_comm_attribute(E, ENGINE_KIND_OTHER, w, 0);
        if (island_import(E->is, buf, (size_t)len)) engine_comm_die(E, "resume: island state");
        free(buf);
        take_update(E, 1, 1, &u);
        E->start_gen = u.gen + 1;
    } else if (E->is && E->predictor) {
        take_update(E, 1, 1, &u);
    }
}

/* After the last generation: islands settle their sends (async: drop
 * migrants still in flight) and send FINAL (archive + evaluated set); rank
 * 0 in async rounds drops the proposals islands made before they saw the
 * stop (messages from one source arrive in order, so everything before an
 * island's FINAL is stale; the FINAL itself is left for the merge). */
static void engine_finish(eng *E) {
    if (E->disp) engine_comm_bcast_done(E);
    if (E->is) {
        if (E->async) {
            engine_comm_wait(E, ENGINE_KIND_PROPOSE, &E->preq);
            for (;;) {
                int flag;
                MPI_Status st;
                MPI_Iprobe(MPI_ANY_SOURCE, ENGINE_TAG_MIGRANTS, E->comm, &flag, &st);
                if (!flag) break;
                uint8_t *buf;
                int len;
                double w;
                engine_comm_recv(E, st.MPI_SOURCE, ENGINE_TAG_MIGRANTS, &buf, &len, 0, &w);
                engine_comm_attribute(E, ENGINE_KIND_MIGRANTS, w, 0);
                free(buf);
            }
        }
        const pareto_archive *a = island_archive(E->is);
        int na = pareto_archive_size(a), len;
        hw_genome *g = hw_malloc((size_t)(na ? na : 1) * sizeof *g);
        for (int i = 0; i < na; i++) g[i] = *pareto_archive_genome(a, i);
        uint64_t *ids;
        int64_t nid = island_evaluated(E->is, &ids);
        uint8_t *m = emsg_genomes_pack(g, na, ids, nid, &len);
        engine_comm_send(E, 0, ENGINE_TAG_FINAL, m, len);
        free(m);
        free(ids);
        free(g);
    }
    if (E->disp && E->async)
        for (int r = 1; r < E->size; r++)
            for (;;) {
                MPI_Status st;
                double t = hw_now_s();
                engine_comm_probe(E->comm, r, MPI_ANY_TAG, &st);
                engine_comm_charge(E, ENGINE_KIND_OTHER, hw_now_s() - t);
                if (st.MPI_TAG == ENGINE_TAG_FINAL) break;
                uint8_t *buf;
                int len;
                double w;
                engine_comm_recv(E, r, st.MPI_TAG, &buf, &len, 0, &w);
                free(buf);
            }
}

/* The engine loop, the same for every role: an island process evolves and
 * proposes, a dispatcher process serves a round, an island takes its
 * update (lock-step) and migrates; then the common checkpoint boundary.
 * P = 1 plays both roles in this order, through the mailbox. */
static void engine_loop(eng *E) {
    const search_config *c = E->cfg;
    hw_genome *props = hw_malloc((size_t)(c->per_generation > 0 ? c->per_generation : 1) * sizeof *props);
    engine_start(E);
    for (int gen = E->start_gen; !E->failed; gen++) {
        int stop = 0;
        if (E->is) stop |= isl_propose(E, gen, props);
        if (E->disp) {
            int s = disp_round(E, gen);
            if (s < 0) E->failed = 1; /* the islands learn it from the UPDATE */
            else stop |= s;
        }
        if (E->is && !E->async) stop |= isl_collect(E);
        if (E->failed) {
            fail_checkpoint(E, gen);
            break;
        }
        if (E->is && !stop && gen < c->generations && E->n_islands > 1 && c->mig_count > 0 &&
            (gen + 1) % c->mig_interval == 0)
            isl_migrate(E, gen);
        if (!E->async && boundary(E, gen, stop)) break;
        if (stop) break;
    }
    engine_finish(E);
    if (E->failed && E->disp) /* no merge: drop the islands' FINALs */
        for (int i = 0; i < E->n_islands; i++) {
            uint8_t *buf;
            int len;
            double w;
            engine_comm_recv(E, engine_comm_isl_rank(E, i), ENGINE_TAG_FINAL, &buf, &len, 0, &w);
            free(buf);
        }
    free(props);
}

/* ---- entry ------------------------------------------------------------- */

int engine_run(const search_config *cfg, const space *sp, MPI_Comm parent, const search_problem *truth,
               const engine_options *opt, engine_report *rep, pareto_archive **out_archive) {
    eng E = {.cfg = cfg, .sp = sp, .truth = truth, .opt = opt, .rep = rep, .gen_max = -1, .preq = MPI_REQUEST_NULL};
    memset(rep, 0, sizeof *rep);
    *out_archive = NULL;
    MPI_Comm_dup(parent, &E.comm);
    MPI_Comm_rank(E.comm, &E.rank);
    MPI_Comm_size(E.comm, &E.size);
    E.n_islands = E.size > 1 ? E.size - 1 : 1;
    E.disp = E.rank == 0;
    E.predictor = cfg->evaluator == EVAL_PREDICTOR;
    E.async = E.size > 1 && E.predictor && !cfg->sync;
    if (E.async) ckpt_signals_uninstall(); /* no common boundary to stop at: signals keep their default action */
    E.t0 = hw_now_s();
    engine_comm_calibrate(&E);
    rep->n_islands = E.n_islands;
    rep->resumed_from = -1;
    rep->res.hv = rep->res.hv_ratio = rep->res.true_hv = NAN;
    int rc = -1;
    if (E.disp && engine_disp_setup(&E)) goto done;
    if ((E.size == 1 || E.rank > 0) && island_create(cfg, sp, E.size == 1 ? 0 : E.rank - 1, &E.is)) goto done;
    if (E.is && opt && opt->tab) island_set_table(E.is, opt->tab); /* cost: free objectives' values */
    else if (E.is && island_load_table(E.is)) goto done;
    if (E.is) island_set_count(E.is, E.n_islands);
    if (cfg->use_finetune && E.size > 1) { /* fine-tuning jobs on every rank */
        if (E.disp) {
            E.ftc = (engine_ft_ctx){.comm = E.comm, .size = E.size, .ft = gts_ft(E.gt), .cfg = cfg};
            gts_set_ft_exec(E.gt, engine_ft_exec, &E.ftc);
        } else if (supernet_ft_open(cfg->ft_supernet, cfg->ft_train, cfg->ft_eval, cfg->ft_vocab, &E.ft)) {
            goto done;
        }
    }
    engine_loop(&E);
    if (E.failed) { /* every rank stopped together: one line and exit 1 at the CLI, no abort */
        rep->failed_together = 1;
        goto done;
    }
    if (E.disp) {
        long distinct;
        pareto_archive *merged = engine_disp_merge(&E, &distinct);
        engine_disp_report(&E, merged, distinct);
        eckpt_evaluated(cfg, sp, E.gt, &rep->evaluated);
        *out_archive = merged;
    }
    engine_comm_gather(&E); /* after every FINAL (islands may block in MPI_Send until then) */
    rc = 0;
done:
    if (rc && E.size > 1 && !E.failed) engine_comm_die(&E, E.disp ? "dispatcher" : "island"); /* never leave other ranks waiting */
    journal_close(E.jnl);
    progress_free(E.prog);
    island_free(E.is);
    supernet_ft_close(E.ft);
    gts_free(E.gt);
    free(E.pmsg);
    for (int i = 0; i < 2; i++) free(E.bbuf[i]);
    eckpt_hashes_free(E.table_hashes, cfg->n_tables);
    for (int k = 0; k < NTAGS; k++) free(E.box[k]);
    MPI_Comm_free(&E.comm);
    return rc;
}

void engine_report_free(engine_report *r) {
    search_result_free(&r->res);
    run_points_clear(&r->evaluated);
}
