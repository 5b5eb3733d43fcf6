/* Shared helpers of the test_runfile_* tests: a deep comparison of two
 * snapshots (bit-exact: doubles compared by their bytes, so NaN == NaN),
 * a synthetic snapshot, and a per-test scratch directory. */
#ifndef TEST_RUNFILE_UTIL_H
#define TEST_RUNFILE_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hw_data.h"
#include "runfile.h"
#include "runfile_synth.h"

static const char *tu_data_dir(void) {
    return hw_data_dir();
}

/* A fresh scratch directory (mkdtemp) in BUF. */
static void tu_tmpdir(char *buf, size_t n) {
    snprintf(buf, n, "/tmp/hwnas-test-runfile.XXXXXX");
    assert_non_null(mkdtemp(buf));
}

static void tu_rmdir(const char *dir) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static run_snapshot *tu_synth(int islands, int pop, int gens, long rows, uint64_t seed) {
    run_synth_params p;
    run_synth_params_default(&p);
    p.islands = islands, p.pop = pop, p.generations = gens, p.train_rows = rows, p.seed = seed;
    run_snapshot *s = NULL;
    if (runfile_synth(tu_data_dir(), &p, &s) < 0) fail_msg("runfile_synth: %s", hw_errmsg());
    return s;
}

/* Returns NULL if equal, else the name of the first differing field. */
static const char *tu_mem_diff(const void *a, const void *b, size_t n, const char *what) {
    if (n == 0) return NULL;
    if (!a || !b) return a == b ? NULL : what;
    return memcmp(a, b, n) ? what : NULL;
}

static const char *tu_strs_diff(char **a, char **b, int n, const char *what) {
    for (int i = 0; i < n; i++)
        if (strcmp(a[i], b[i])) return what;
    return NULL;
}

#define TU_CHK(x)                     \
    do {                              \
        const char *d_ = (x);         \
        if (d_) return d_;            \
    } while (0)

static const char *tu_points_diff(const run_points *a, const run_points *b, int ng, int m, const char *w) {
    if (a->n != b->n) return w;
    size_t n = (size_t)a->n;
    TU_CHK(tu_mem_diff(a->genomes, b->genomes, n * ng * sizeof(int16_t), w));
    TU_CHK(tu_strs_diff(a->strings, b->strings, a->n, w));
    TU_CHK(tu_mem_diff(a->obj, b->obj, n * m * sizeof(double), w));
    TU_CHK(tu_mem_diff(a->measured, b->measured, n * m, w));
    TU_CHK(tu_mem_diff(a->cv, b->cv, n * sizeof(double), w));
    TU_CHK(tu_mem_diff(a->generation, b->generation, n * sizeof(int32_t), w));
    TU_CHK(tu_mem_diff(a->island, b->island, n * sizeof(int32_t), w));
    return NULL;
}

static const char *tu_meas_diff(const run_measurement *a, const run_measurement *b) {
    if (a->seq != b->seq || memcmp(&a->value, &b->value, 8) || memcmp(&a->t_start, &b->t_start, 8) ||
        memcmp(&a->t_end, &b->t_end, 8))
        return "measurement numbers";
    if (strcmp(a->arch, b->arch) || strcmp(a->device, b->device) || strcmp(a->target, b->target) ||
        strcmp(a->board, b->board) || strcmp(a->runner, b->runner))
        return "measurement strings";
    return NULL;
}

static const char *tu_snapshot_diff(const run_snapshot *a, const run_snapshot *b) {
    if (strcmp(a->config_text, b->config_text)) return "config_text";
    if (strcmp(a->space_name, b->space_name) || a->ngenes != b->ngenes || a->nobj != b->nobj) return "identity";
    if (a->seed != b->seed || memcmp(&a->wall_s, &b->wall_s, 8)) return "seed/wall_s";
    const int ng = a->ngenes, m = a->nobj;
    TU_CHK(tu_strs_diff(a->obj_names, b->obj_names, m, "obj_names"));
    TU_CHK(tu_mem_diff(a->obj_maximise, b->obj_maximise, m, "obj_maximise"));
    if (a->nislands != b->nislands) return "nislands";
    for (int i = 0; i < a->nislands; i++) {
        const run_island *x = &a->islands[i], *y = &b->islands[i];
        if (x->generation != y->generation) return "island generation";
        TU_CHK(tu_points_diff(&x->pop, &y->pop, ng, m, "island pop"));
        if (x->engine_state_len != y->engine_state_len) return "engine_state_len";
        TU_CHK(tu_mem_diff(x->engine_state, y->engine_state, x->engine_state_len, "engine_state"));
        TU_CHK(tu_mem_diff(x->rng, y->rng, sizeof x->rng, "island rng"));
    }
    TU_CHK(tu_points_diff(&a->archive, &b->archive, ng, m, "archive"));
    TU_CHK(tu_points_diff(&a->evaluated, &b->evaluated, ng, m, "evaluated"));
    if (a->ntrainsets != b->ntrainsets) return "ntrainsets";
    for (int t = 0; t < a->ntrainsets; t++) {
        const run_trainset *x = &a->trainsets[t], *y = &b->trainsets[t];
        if (strcmp(x->target, y->target) || strcmp(x->device, y->device) || x->n != y->n || x->d != y->d)
            return "trainset header";
        size_t n = (size_t)x->n;
        TU_CHK(tu_mem_diff(x->features, y->features, n * x->d * sizeof(float), "features"));
        TU_CHK(tu_mem_diff(x->values, y->values, n * sizeof(double), "values"));
        TU_CHK(tu_strs_diff(x->arch, y->arch, x->n, "trainset arch"));
        TU_CHK(tu_strs_diff(x->board, y->board, x->n, "trainset board"));
        TU_CHK(tu_strs_diff(x->runner, y->runner, x->n, "trainset runner"));
        TU_CHK(tu_mem_diff(x->t_start, y->t_start, n * sizeof(double), "t_start"));
        TU_CHK(tu_mem_diff(x->t_end, y->t_end, n * sizeof(double), "t_end"));
    }
    if (a->nmodels != b->nmodels) return "nmodels";
    for (int k = 0; k < a->nmodels; k++) {
        const run_model *x = &a->models[k], *y = &b->models[k];
        if (strcmp(x->target, y->target) || strcmp(x->device, y->device) || x->version != y->version ||
            x->len != y->len)
            return "model header";
        TU_CHK(tu_mem_diff(x->bytes, y->bytes, x->len, "model bytes"));
    }
    if (a->nhistory != b->nhistory) return "nhistory";
    TU_CHK(tu_mem_diff(a->history, b->history, sizeof(run_history_row) * a->nhistory, "history"));
    if (a->njobs != b->njobs) return "njobs";
    for (int k = 0; k < a->njobs; k++) {
        const run_job *x = &a->jobs[k], *y = &b->jobs[k];
        if (x->id != y->id || x->priority != y->priority || x->state != y->state || strcmp(x->device, y->device) ||
            strcmp(x->arch, y->arch))
            return "job";
    }
    if (a->nranks != b->nranks) return "nranks";
    TU_CHK(tu_mem_diff(a->rank_rng, b->rank_rng, sizeof(uint64_t) * 4 * a->nranks, "rank_rng"));
    if (a->meas_seq != b->meas_seq || a->nmeas != b->nmeas) return "meas count";
    for (int k = 0; k < a->nmeas; k++) TU_CHK(tu_meas_diff(&a->meas[k], &b->meas[k]));
    if (a->engine_global_len != b->engine_global_len) return "engine_global_len";
    TU_CHK(tu_mem_diff(a->engine_global, b->engine_global, a->engine_global_len, "engine_global"));
    return NULL;
}

#endif
