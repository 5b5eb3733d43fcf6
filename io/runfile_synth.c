/* runfile_synth: an NB201 search replayed on the tables into a snapshot. */
#include "runfile_synth.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "hw_err.h"
#include "nsga.h"
#include "pred.h"
#include "rng.h"
#include "space.h"

#define NB201_N 15625

void run_synth_params_default(run_synth_params *p) {
    p->islands = 2;
    p->pop = 32;
    p->generations = 12;
    p->train_rows = 1000;
    p->model_bytes = 64 * 1024;
    p->p_measured = 0.6;
    p->nranks = 3;
    p->seed = 1;
}

/* Loads column COL of PATH indexed by arch_index into out[NB201_N]. */
static int load_col(const char *path, const char *col, double *out) {
    csv_table *t;
    if (csv_read(path, &t) < 0) return -1;
    int ci = csv_col_required(t, "arch_index"), cv = csv_col_required(t, col);
    if (ci < 0 || cv < 0) {
        csv_free(t);
        return -1;
    }
    for (int i = 0; i < NB201_N; i++) out[i] = NAN;
    for (int r = 0; r < csv_nrows(t); r++) {
        double idx = csv_num(t, r, ci);
        if (idx >= 0 && idx < NB201_N) out[(int)idx] = csv_num(t, r, cv);
    }
    csv_free(t);
    return 0;
}

/* Growable run_points. */
typedef struct pts {
    run_points p;
    int cap, ngenes, nobj;
} pts;

static void pts_push(pts *a, const hw_genome *g, const char *str, const double *obj, const uint8_t *meas, double cv,
                     int gen, int isl) {
    if (a->p.n == a->cap) {
        a->cap = a->cap ? 2 * a->cap : 64;
        a->p.genomes = hw_realloc(a->p.genomes, sizeof(int16_t) * a->ngenes * a->cap);
        a->p.strings = hw_realloc(a->p.strings, sizeof(char *) * a->cap);
        a->p.obj = hw_realloc(a->p.obj, sizeof(double) * a->nobj * a->cap);
        a->p.measured = hw_realloc(a->p.measured, a->nobj * a->cap);
        a->p.cv = hw_realloc(a->p.cv, sizeof(double) * a->cap);
        a->p.generation = hw_realloc(a->p.generation, sizeof(int32_t) * a->cap);
        a->p.island = hw_realloc(a->p.island, sizeof(int32_t) * a->cap);
    }
    int i = a->p.n++;
    memcpy(a->p.genomes + (size_t)i * a->ngenes, g->g, sizeof(int16_t) * a->ngenes);
    a->p.strings[i] = hw_strdup(str);
    memcpy(a->p.obj + (size_t)i * a->nobj, obj, sizeof(double) * a->nobj);
    memcpy(a->p.measured + (size_t)i * a->nobj, meas, a->nobj);
    a->p.cv[i] = cv;
    a->p.generation[i] = gen;
    a->p.island[i] = isl;
}

/* Hypervolume of the measured, feasible points of E (natural units:
 * accuracy maximised, latency minimised) w.r.t. (acc 0, lat_ref). */
static int measured_hv(const run_points *e, double lat_ref, double *out_hv, int *out_front, int **out_idx) {
    int n = e->n, k = 0;
    double *p = hw_malloc(sizeof(double) * 2 * (n ? n : 1)); /* k x 2 minimised */
    int *src = hw_malloc(sizeof(int) * (n ? n : 1));
    for (int i = 0; i < n; i++) {
        if (!e->measured[2 * i] || !e->measured[2 * i + 1] || e->cv[i] > 0) continue;
        p[2 * k] = -e->obj[2 * i];
        p[2 * k + 1] = e->obj[2 * i + 1];
        src[k++] = i;
    }
    double ref[2] = {0.0, lat_ref};
    int rc = hv_exact(p, k, 2, ref, out_hv);
    if (rc == 0 && (out_front || out_idx)) {
        int *rank = hw_malloc(sizeof(int) * (k ? k : 1));
        if (k) nd_sort(p, NULL, k, 2, rank);
        int f = 0;
        for (int i = 0; i < k; i++)
            if (rank[i] == 0) src[f++] = src[i];
        /* drop duplicates of the same architecture (same objectives) */
        int u = 0;
        for (int i = 0; i < f; i++) {
            int dup = 0;
            for (int j = 0; j < u && !dup; j++) dup = !strcmp(e->strings[src[i]], e->strings[src[j]]);
            if (!dup) src[u++] = src[i];
        }
        if (out_front) *out_front = u;
        if (out_idx) *out_idx = src, src = NULL;
        free(rank);
    }
    free(p);
    free(src);
    return rc;
}

int runfile_synth(const char *data_dir, const run_synth_params *P, run_snapshot **out) {
    *out = NULL;
    if (P->islands < 1 || P->pop < 4 || P->generations < 1 || P->train_rows < 0 || P->nranks < 1)
        return hw_fail("runfile_synth: bad parameters");
    char path[4096];
    double *acc = hw_malloc(sizeof(double) * NB201_N); /* [NB201_N] */
    double *lat = hw_malloc(sizeof(double) * NB201_N); /* [NB201_N] */
    space *sp = NULL;
    nsga **eng = hw_calloc(P->islands, sizeof(nsga *));
    run_snapshot *s = run_snapshot_new();
    pts ev = {{0}, 0, NB201_EDGES, 2};
    int rc = -1;
    snprintf(path, sizeof path, "%s/nb201_accuracy/nb201_accuracy.csv", data_dir);
    if (load_col(path, "test_acc_200ep_cifar10", acc) < 0) goto fail;
    snprintf(path, sizeof path, "%s/hw_nas_bench/hwnasbench_nb201_cifar10.csv", data_dir);
    if (load_col(path, "edgegpu_latency_ms", lat) < 0) goto fail;
    if (space_create_nb201(&sp) < 0) goto fail;
    const int ng = space_ngenes(sp);
    ev.ngenes = ng;

    /* the true front (for the HV ratio) and the latency reference point */
    double lat_max = 0;
    double *all = hw_malloc(sizeof(double) * 2 * NB201_N); /* k x 2 minimised */
    int k = 0;
    for (int i = 0; i < NB201_N; i++)
        if (isfinite(acc[i]) && isfinite(lat[i])) {
            all[2 * k] = -acc[i], all[2 * k + 1] = lat[i], k++;
            if (lat[i] > lat_max) lat_max = lat[i];
        }
    const double lat_ref = ceil(lat_max * 1.1);
    double ref[2] = {0.0, lat_ref}, true_hv;
    int hvrc = hv_exact(all, k, 2, ref, &true_hv);
    free(all);
    if (hvrc < 0) goto fail;

    hw_rng noise;
    rng_seed_stream(&noise, P->seed, 777);
    nsga_params np;
    nsga_params_default(&np);
    np.pop_size = P->pop;
    np.n_offspring = P->pop; /* a full generation of children per ask */
    np.n_obj = 2;
    for (int i = 0; i < P->islands; i++) {
        np.seed = P->seed * 1000003u + (uint64_t)i;
        if (nsga_create(sp, &np, &eng[i]) < 0) goto fail;
    }
    s->nhistory = P->generations;
    s->history = hw_calloc(P->generations, sizeof(run_history_row));
    long nmeas = 0;
    char str[HW_ARCH_STR_MAX];
    for (int gen = 0; gen < P->generations; gen++) {
        for (int i = 0; i < P->islands; i++) {
            const hw_genome *b;
            int n;
            if (nsga_ask(eng[i], &b, &n) < 0) goto fail;
            double *om = hw_malloc(sizeof(double) * 2 * n); /* n x 2 minimised */
            double *cv = hw_malloc(sizeof(double) * n);     /* n */
            for (int j = 0; j < n; j++) {
                int64_t idx = space_index(sp, &b[j]);
                double a = acc[idx], l = lat[idx];
                uint8_t meas[2] = {1, rng_uniform(&noise) < P->p_measured};
                if (!meas[1]) l *= exp(0.08 * rng_normal(&noise));
                nmeas += meas[1];
                double obj[2] = {a, l};
                cv[j] = isfinite(a) && isfinite(l) ? 0.0 : INFINITY;
                om[2 * j] = -a, om[2 * j + 1] = l;
                space_to_string(sp, &b[j], str, sizeof str);
                pts_push(&ev, &b[j], str, obj, meas, cv[j], gen, i);
            }
            int trc = nsga_tell(eng[i], om, cv);
            free(om);
            free(cv);
            if (trc < 0) goto fail;
        }
        run_history_row *h = &s->history[gen];
        int fs = 0;
        if (measured_hv(&ev.p, lat_ref, &h->hv, &fs, NULL) < 0) goto fail;
        h->generation = gen;
        h->measurements = nmeas;
        h->hv_ratio = h->hv / true_hv;
        h->front_size = fs;
        h->wall_s = 4.0 * (gen + 1) + 0.25 * rng_uniform(&noise);
    }

    /* identity */
    s->config_text = hw_strdup("# synthetic run (runfile_synth)\nspace: nb201\nobjectives:\n"
                               "  - {name: top1_acc, direction: maximise}\n"
                               "  - {name: latency_ms, direction: minimise}\n");
    s->space_name = hw_strdup(space_name(sp));
    s->ngenes = ng;
    s->nobj = 2;
    s->obj_names = hw_malloc(sizeof(char *) * 2);
    s->obj_names[0] = hw_strdup("top1_acc");
    s->obj_names[1] = hw_strdup("latency_ms");
    s->obj_maximise = hw_malloc(2);
    s->obj_maximise[0] = 1, s->obj_maximise[1] = 0;
    s->seed = P->seed;
    s->wall_s = s->history[P->generations - 1].wall_s;

    /* islands: population with their objectives as evaluated */
    s->nislands = P->islands;
    s->islands = hw_calloc(P->islands, sizeof(run_island));
    for (int i = 0; i < P->islands; i++) {
        run_island *is = &s->islands[i];
        is->generation = nsga_generation(eng[i]);
        int n = nsga_pop_size(eng[i]);
        const hw_genome *g = nsga_pop_genomes(eng[i]);
        pts pp = {{0}, 0, ng, 2};
        for (int j = 0; j < n; j++) {
            space_to_string(sp, &g[j], str, sizeof str);
            int at = -1; /* latest evaluation of this genome on this island */
            for (int e = ev.p.n - 1; e >= 0 && at < 0; e--)
                if (ev.p.island[e] == i && !strcmp(ev.p.strings[e], str)) at = e;
            HW_ASSERT(at >= 0);
            pts_push(&pp, &g[j], str, ev.p.obj + 2 * at, ev.p.measured + 2 * at, ev.p.cv[at], ev.p.generation[at], i);
        }
        free(pp.p.generation), pp.p.generation = NULL;
        free(pp.p.island), pp.p.island = NULL;
        is->pop = pp.p;
        if (nsga_serialize(eng[i], &is->engine_state, &is->engine_state_len) < 0) goto fail;
        memcpy(is->rng, nsga_rng(eng[i])->s, sizeof is->rng);
    }

    /* archive: the measured front */
    {
        int *idx = NULL, fs = 0;
        double hv;
        if (measured_hv(&ev.p, lat_ref, &hv, &fs, &idx) < 0) goto fail;
        pts ar = {{0}, 0, ng, 2};
        for (int j = 0; j < fs; j++) {
            int e = idx[j];
            hw_genome g;
            memcpy(g.g, ev.p.genomes + (size_t)e * ng, sizeof(int16_t) * ng);
            pts_push(&ar, &g, ev.p.strings[e], ev.p.obj + 2 * e, ev.p.measured + 2 * e, 0, 0, 0);
        }
        free(idx);
        free(ar.p.measured), free(ar.p.cv), free(ar.p.generation), free(ar.p.island);
        ar.p.measured = NULL, ar.p.cv = NULL, ar.p.generation = NULL, ar.p.island = NULL;
        s->archive = ar.p;
    }
    s->evaluated = ev.p;
    memset(&ev, 0, sizeof ev);

    /* training set: measured latencies, repeated over boards to reach train_rows */
    {
        run_trainset *ts = s->trainsets = hw_calloc(1, sizeof(run_trainset));
        s->ntrainsets = 1;
        ts->target = hw_strdup("latency_ms");
        ts->device = hw_strdup("edgegpu");
        ts->d = pred_space_nfeatures(sp);
        long n = P->train_rows;
        ts->n = (int)n;
        ts->features = hw_malloc(sizeof(float) * (size_t)ts->d * (n ? n : 1));
        ts->values = hw_malloc(sizeof(double) * (n ? n : 1));
        ts->arch = hw_malloc(sizeof(char *) * (n ? n : 1));
        ts->board = hw_malloc(sizeof(char *) * (n ? n : 1));
        ts->runner = hw_malloc(sizeof(char *) * (n ? n : 1));
        ts->t_start = hw_malloc(sizeof(double) * (n ? n : 1));
        ts->t_end = hw_malloc(sizeof(double) * (n ? n : 1));
        static const char *const boards[4] = {"jetson-tx2-a", "jetson-tx2-b", "jetson-tx2-c", "jetson-tx2-d"};
        double t = 1.7e9;
        for (long r = 0; r < n; r++) {
            hw_genome g;
            int64_t idx;
            do {
                idx = (int64_t)rng_below(&noise, NB201_N);
            } while (!isfinite(lat[idx]));
            space_from_index(sp, idx, &g);
            pred_space_features(sp, &g, ts->features + (size_t)r * ts->d);
            int b = (int)(r % 4);
            ts->values[r] = lat[idx] * (1.0 + 0.01 * b) * exp(0.02 * rng_normal(&noise));
            space_to_string(sp, &g, str, sizeof str);
            ts->arch[r] = hw_strdup(str);
            ts->board[r] = hw_strdup(boards[b]);
            ts->runner[r] = hw_strdup("trt-fp16");
            ts->t_start[r] = t;
            t += 0.5 + ts->values[r] * 0.05;
            ts->t_end[r] = t;
        }
    }
    /* model blob */
    {
        run_model *md = s->models = hw_calloc(1, sizeof(run_model));
        s->nmodels = 1;
        md->target = hw_strdup("latency_ms");
        md->device = hw_strdup("edgegpu");
        md->version = P->generations;
        md->len = (size_t)P->model_bytes;
        md->bytes = hw_malloc(md->len ? md->len : 1);
        for (size_t i = 0; i < md->len; i++) md->bytes[i] = (unsigned char)rng_next(&noise);
    }
    /* dispatcher queue: the last island's next children */
    {
        const hw_genome *b;
        int n;
        if (nsga_ask(eng[0], &b, &n) < 0) goto fail;
        if (n > 6) n = 6;
        s->jobs = hw_calloc(n ? n : 1, sizeof(run_job));
        s->njobs = n;
        for (int j = 0; j < n; j++) {
            space_to_string(sp, &b[j], str, sizeof str);
            s->jobs[j].id = 1000 + (uint64_t)j;
            s->jobs[j].device = hw_strdup("edgegpu");
            s->jobs[j].arch = hw_strdup(str);
            s->jobs[j].priority = n - j;
            s->jobs[j].state = j < 2 ? RUN_JOB_INFLIGHT : RUN_JOB_PENDING;
        }
    }
    /* ranks */
    s->nranks = P->nranks;
    s->rank_rng = hw_malloc(sizeof(uint64_t) * 4 * P->nranks);
    for (int r = 0; r < P->nranks; r++) {
        hw_rng rr;
        rng_seed_stream(&rr, P->seed, (uint64_t)r);
        memcpy(s->rank_rng + 4 * r, rr.s, sizeof rr.s);
    }
    /* two measurements not yet folded into the training set */
    s->meas_seq = (uint64_t)nmeas + 2;
    s->nmeas = 2;
    s->meas = hw_calloc(2, sizeof(run_measurement));
    for (int j = 0; j < 2; j++) {
        run_measurement *m = &s->meas[j];
        m->seq = (uint64_t)nmeas + 1 + (uint64_t)j;
        m->arch = hw_strdup(s->jobs ? s->jobs[0].arch : "");
        m->device = hw_strdup("edgegpu");
        m->target = hw_strdup("latency_ms");
        m->value = 3.5 + j;
        m->board = hw_strdup("jetson-tx2-a");
        m->runner = hw_strdup("trt-fp16");
        m->t_start = 1.8e9 + j;
        m->t_end = 1.8e9 + j + 0.7;
    }
    s->engine_global_len = 16;
    s->engine_global = hw_calloc(1, 16);
    memcpy(s->engine_global, "synthetic-global", 16);
    rc = 0;
fail:
    run_points_clear(&ev.p);
    for (int i = 0; i < P->islands; i++) nsga_free(eng[i]);
    free(eng);
    space_free(sp);
    free(acc);
    free(lat);
    if (rc < 0) run_snapshot_free(s);
    else *out = s;
    return rc;
}
