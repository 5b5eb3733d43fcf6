/* runner_builtin: times the candidate's BERT encoder forward pass on this
 * CPU through src/bert/bert_model.h (see runner.h). The supernet's weights
 * are packed once at load (bert_store_pack) and every candidate, a
 * top-left sub-network, runs its matmuls on those panels; with threads > 1
 * the forward stays on multi-threaded OpenBLAS (the packed GEMM is
 * single-threaded). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bert_model.h"
#include "gemm_packed.h"
#include "hw_clock.h"
#include "hw_err.h"
#include "rng.h"
#include "runner_impl.h"
#include "space.h"

typedef struct builtin {
    space *sp;          /* the bert space candidates come from */
    bert_store *store;  /* supernet weights: the space's largest shape */
    bert_model *model;  /* activations for the largest shape, re-shaped per job */
    int *tokens;        /* (B,T) random token ids, fixed per board */
    int B, T, warmup, runs;
    double *times;      /* (runs) per-run milliseconds */
} builtin;

static void builtin_destroy(void *impl) {
    builtin *b = impl;
    bert_model_free(b->model);
    bert_store_free(b->store);
    space_free(b->sp);
    free(b->tokens);
    free(b->times);
    free(b);
}

static void builtin_run(void *impl, uint64_t job_id, const char *arch, const atomic_int *abort, proto_msg *res) {
    (void)job_id;
    builtin *b = impl;
    hw_genome g;
    bert_shape shape;
    if (space_from_string(b->sp, arch, &g) != 0 || space_bert_shape(b->sp, &g, &shape) != 0) {
        runner_set_status(res, PROTO_ST_FAILED, "builtin: %s", hw_errmsg());
        return;
    }
    if (bert_model_set_shape(b->model, &shape) != 0) {
        runner_set_status(res, PROTO_ST_ERROR, "builtin: %s", hw_errmsg());
        return;
    }
    for (int i = 0; i < b->warmup + b->runs; i++) {
        if (atomic_load(abort)) {
            runner_set_status(res, PROTO_ST_RETURNED, "board shutting down");
            return;
        }
        double t0 = 1e3 * hw_now_s();
        if (bert_model_forward(b->model, b->tokens, NULL, NULL, b->B, b->T, NULL) != 0) {
            runner_set_status(res, PROTO_ST_ERROR, "builtin: forward: %s", hw_errmsg());
            return;
        }
        double dt = 1e3 * hw_now_s() - t0;
        if (i >= b->warmup) b->times[i - b->warmup] = dt;
    }
    res->warmup = (uint32_t)b->warmup;
    runner_fill_stats(res, b->times, b->runs);
}

/* Largest network of the space: max layers, max hidden, max FFN, and the
 * largest head count that divides the hidden size (any does: sub-networks
 * choose their own heads). */
static int largest_shape(const bert_space_cfg *c, bert_shape *s) {
    memset(s, 0, sizeof *s);
    s->layers = c->layers[c->n_layers - 1];
    s->hidden = c->hidden[c->n_hidden - 1];
    if (s->layers > BERT_MAX_LAYERS) return hw_fail("builtin runner: %d layers exceed %d", s->layers, BERT_MAX_LAYERS);
    int heads = 0;
    for (int i = 0; i < c->n_heads; i++)
        if (s->hidden % c->heads[i] == 0) heads = c->heads[i];
    if (!heads) return hw_fail("builtin runner: no head count divides hidden %d", s->hidden);
    for (int l = 0; l < s->layers; l++) {
        s->heads[l] = heads;
        s->ffn[l] = c->ffn[c->n_ffn - 1];
    }
    return 0;
}

int runner_builtin_create(const runner_config *c, runner_ops *ops, void **impl, char *caps, size_t cap) {
    if (c->batch < 1 || c->seq_len < 1 || c->warmup < 0 || c->runs < 1 || c->threads < 1 || c->vocab < 2)
        return hw_fail("builtin runner: batch, seq_len, runs, threads >= 1, warmup >= 0 and vocab >= 2 are required");
    builtin *b = hw_calloc(1, sizeof *b);
    b->B = c->batch;
    b->T = c->seq_len;
    b->warmup = c->warmup;
    b->runs = c->runs;
    bert_shape full;
    bert_config bc;
    if (space_create_bert(&c->space, &b->sp) != 0 || largest_shape(&c->space, &full) != 0) goto fail;
    bert_config_init(&bc, &full, c->vocab, c->seq_len, 2);
    bert_set_threads(c->threads);
    if (bert_store_create(&bc, 0, c->seed, &b->store) != 0) goto fail;
    if (c->threads == 1 && bert_store_pack(b->store) != 0) goto fail;
    if (bert_model_create_on(b->store, &full, c->batch, &b->model) != 0) goto fail;
    b->tokens = hw_malloc((size_t)b->B * (size_t)b->T * sizeof *b->tokens);
    hw_rng r;
    rng_seed(&r, c->seed ^ 0x70c5);
    for (int i = 0; i < b->B * b->T; i++) b->tokens[i] = (int)rng_below(&r, (uint64_t)c->vocab);
    b->times = hw_malloc((size_t)b->runs * sizeof *b->times);
    ops->run = builtin_run;
    ops->destroy = builtin_destroy;
    *impl = b;
    snprintf(caps, cap, "space=bert batch=%d seq=%d warmup=%d runs=%d threads=%d max=L%dH%d gemm=%s", c->batch,
             c->seq_len, c->warmup, c->runs, c->threads, full.layers, full.hidden,
             bert_store_is_packed(b->store) ? gemm_packed_isa() : "openblas");
    return 0;
fail:
    hw_fail_prefix("builtin runner");
    builtin_destroy(b);
    return -1;
}
