/* supernet: a weight-shared BERT supernet over the bert search space,
 * trained with the sandwich rule, and proxy fine-tuning of candidates.
 *
 * The supernet is a trainable bert_store of the space's LARGEST shape;
 * a candidate runs in place on the top-left blocks of its tensors (first
 * layers, hidden dims, heads, FFN units; see bert_model.h). Each training
 * step accumulates the gradients of the largest, the smallest and
 * n_random random candidates on one batch (the sandwich rule), then takes
 * one AdamW step. With cfg.distill > 0 the candidates other than the
 * largest learn from a mix of the labels and the largest's class
 * probabilities on the same batch (in-place distillation, as BigNAS / OFA).
 *
 * Everything is deterministic for a seed: the batch order of epoch e and
 * the candidates/dropout of step s are derived from (seed, e) and
 * (seed, s), so a run resumed from a checkpoint at step s continues
 * exactly as the uninterrupted run would (given the same thread count). */
#ifndef HW_SUPERNET_H
#define HW_SUPERNET_H

#include <stdio.h>

#include "bert_model.h"
#include "space.h"
#include "tsv_task.h"

typedef struct supernet_cfg {
    bert_space_cfg space; /* choice lists of the bert space */
    int max_seq;          /* token rows incl. [CLS]/[SEP] (64) */
    int batch;            /* sentences per step */
    long steps;           /* total optimizer steps */
    int n_random;         /* random candidates per step besides largest + smallest */
    float distill;        /* in-place distillation: weight of the largest's soft labels in the
                           * loss of the other candidates of a step (0: hard labels only) */
    float dropout;        /* hidden dropout */
    adamw_cfg opt;        /* opt.total is set to steps */
    int eval_every;       /* steps between dev evaluations (0: only at the end) */
    int eval_max;         /* dev rows used by periodic evaluations (0: all) */
    int checkpoint_every; /* steps between checkpoints (0: only at the end) */
    uint64_t seed;
    long stop_at;         /* stop after a checkpoint at this step (0: run to steps); not saved */
} supernet_cfg;

/* Defaults of data/configs/supernet-sst2.yaml. */
void supernet_cfg_default(supernet_cfg *c);

typedef struct supernet {
    supernet_cfg cfg;
    space *space;      /* the bert space of cfg.space */
    bert_store *store; /* trainable, shape = largest */
    bert_shape largest, smallest;
} supernet;

/* A fresh supernet (random init from cfg.seed) for vocab/n_classes. */
int supernet_create(const supernet_cfg *cfg, int vocab, int n_classes, supernet **out);
/* Wraps an existing trainable store (e.g. loaded from HDF5); takes
 * ownership of it. Its shape must be the largest of cfg.space. */
int supernet_wrap(const supernet_cfg *cfg, bert_store *store, supernet **out);
void supernet_free(supernet *sn);
/* Largest / smallest shapes of a bert space config. */
void supernet_largest(const bert_space_cfg *c, bert_shape *out);
void supernet_smallest(const bert_space_cfg *c, bert_shape *out);

typedef struct bert_metrics {
    double accuracy;  /* fraction correct */
    double f1;        /* F1 of class 1 (the minority/positive class) */
    double loss;      /* mean cross-entropy */
    int n;            /* rows evaluated */
} bert_metrics;
/* Evaluates model m (inference, no dropout) on the first max_rows rows of
 * task t (0: all) in batches of up to `batch`. */
int bert_evaluate(bert_model *m, const tsv_task *t, int max_rows, int batch, bert_metrics *out);

/* Checkpoint hook: called every cfg.checkpoint_every steps and at the end;
 * non-zero return stops training with that error. */
typedef int (*supernet_save_fn)(void *ctx, supernet *sn);
/* Trains from the store's current step to cfg.steps; progress lines to
 * `log` (may be NULL): loss, dev accuracy of the largest and smallest
 * candidates, steps/s, ETA. */
int supernet_train(supernet *sn, const tsv_task *train, const tsv_task *dev, FILE *log, supernet_save_fn save,
                   void *save_ctx);

/* --- proxy fine-tuning --------------------------------------------- */
typedef struct finetune_opts {
    long steps;       /* K optimizer steps */
    int batch;        /* sentences per step (32) */
    float lr;         /* peak learning rate (1e-4) */
    float warmup;     /* warm-up fraction of steps (0.1) */
    float dropout;    /* hidden dropout (0.1) */
    int eval_max;     /* eval rows (0: all) */
    uint64_t seed;    /* data order and dropout */
} finetune_opts;
void finetune_opts_default(finetune_opts *o);

typedef struct finetune_result {
    bert_metrics eval;  /* on the eval set after fine-tuning */
    double train_loss;  /* mean loss of the last min(K, 20) steps */
    double seconds;     /* wall time of fine-tuning + evaluation */
} finetune_result;
/* Copies candidate `shape` out of the supernet store `super` into a
 * compact trainable model, fine-tunes it K steps on `train` (AdamW from
 * fresh moments, warm-up + linear decay) and evaluates it on `eval`.
 * `super` is not modified. Deterministic for (super, shape, data, opts). */
int supernet_finetune(const bert_store *super, const bert_shape *shape, const tsv_task *train,
                      const tsv_task *eval, const finetune_opts *o, finetune_result *out);

#endif
