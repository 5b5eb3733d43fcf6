/* bert_model: a BERT encoder classifier (post-LN, as Devlin et al.) in C on
 * OpenBLAS, forward AND backward, with per-layer head counts and FFN sizes.
 *
 *   tokens(B,T) -> token + position + segment embeddings -> LayerNorm ->
 *   dropout -> L x [ self-attention (padding mask) -> proj -> dropout ->
 *   +residual -> LayerNorm -> FFN (GELU) -> dropout -> +residual ->
 *   LayerNorm ] -> [CLS] row -> pooler (tanh) -> dropout -> classifier ->
 *   logits(B,NC) -> mean cross-entropy.
 *
 * Two objects:
 *  - bert_store: the parameters of a network of shape cfg.shape in ONE
 *    allocation (plus, when trainable, one allocation each for gradients
 *    and the AdamW moments m and v). A supernet is simply a store of the
 *    largest shape.
 *  - bert_model: a network of some shape that is a SUB-shape of its store
 *    (first layers, first hidden dims, first heads, first FFN units: weight
 *    sharing as in HAT / AutoTinyBERT) running directly on the store's
 *    memory, plus preallocated activations (one allocation) and, for
 *    training, activation-gradient scratch (one allocation). Forward calls
 *    never allocate once the model exists (unless bert_model_set_shape
 *    grows it).
 *
 * Inference only (board runner; no HDF5/MPI): bert_model_create() +
 * bert_model_forward(). The inference forward of short inputs runs its
 * matmuls on a copy of the weights packed once (bert_store_pack,
 * gemm_packed.h); bert_model_create packs, a store made by
 * bert_store_create is packed only when asked. Training: bert_store_create(trainable=1) +
 * bert_model_create_on() + bert_model_train_step pieces (forward_train,
 * backward, bert_store_adamw_step). Threads: bert_set_threads(). */
#ifndef HW_BERT_MODEL_H
#define HW_BERT_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "adamw.h"
#include "rng.h"
#include "space.h"

typedef struct bert_config {
    bert_shape shape; /* layers, hidden, per-layer heads and FFN sizes */
    int vocab;        /* V, token-embedding rows */
    int max_seq;      /* maximum T, position-embedding rows */
    int n_types;      /* segment (token-type) rows, 2 as BERT */
    int n_classes;    /* NC, classifier outputs */
    float dropout;    /* hidden dropout probability during training */
    float ln_eps;     /* LayerNorm epsilon (1e-12 as BERT) */
} bert_config;

/* Fills cfg with shape s, n_types 2, dropout 0.1, ln_eps 1e-12. */
void bert_config_init(bert_config *cfg, const bert_shape *s, int vocab, int max_seq, int n_classes);
/* 0 if every field is sane (1 <= layers <= BERT_MAX_LAYERS, heads divide
 * hidden, sizes positive); -1 with a message otherwise. */
int bert_config_check(const bert_config *cfg);
/* 1 if `sub` is a sub-shape of `full` (layers, hidden, FFN per layer <=
 * full's; heads divide sub.hidden). */
int bert_shape_within(const bert_shape *sub, const bert_shape *full);
/* Parameters of a network of cfg's shape (all tensors). */
size_t bert_config_nparams(const bert_config *cfg);

/* Sets the OpenBLAS thread count (default: the library's; hwnas commands
 * set 1 per rank unless told otherwise). */
void bert_set_threads(int n);

/* --- store ----------------------------------------------------------- */
typedef struct bert_store bert_store;
/* Allocates the parameters (and grads, m, v when trainable) of cfg.shape,
 * initialised as BERT: weights N(0, 0.02) from seed, LayerNorm gains 1,
 * biases 0; moments 0, step 0. */
int bert_store_create(const bert_config *cfg, int trainable, uint64_t seed, bert_store **out);
void bert_store_free(bert_store *s);
const bert_config *bert_store_config(const bert_store *s);
size_t bert_store_nparams(const bert_store *s);
/* Flat buffers in the store's canonical tensor order (nparams floats);
 * grads/m/v are NULL if the store is not trainable. */
float *bert_store_params(bert_store *s);
float *bert_store_grads(bert_store *s);
float *bert_store_m(bert_store *s);
float *bert_store_v(bert_store *s);
/* Optimizer step counter (AdamW bias correction, schedule). */
long bert_store_step(const bert_store *s);
void bert_store_set_step(bert_store *s, long step);
void bert_store_zero_grad(bert_store *s);
/* Packs the matrices the forward multiplies by (Q/K/V/O, FFN, pooler,
 * classifier at the store's shape; one allocation per family) for
 * gemm_packed_forward; inference products of at most 48 rows (128
 * on CPUs without AVX-512)
 * on models of this store then use the packed copy (any sub-shape: the
 * panels serve every top-left block). Re-packs if already packed. Writing
 * parameters through bert_store_params() leaves the copy stale: re-pack
 * or unpack; bert_store_adamw_step and bert_store_copy_sub (on dst)
 * unpack. The packed forward is single-threaded. -1 on out of memory. */
int bert_store_pack(bert_store *s);
/* Frees the packed copy (no-op if none). */
void bert_store_unpack(bert_store *s);
int bert_store_is_packed(const bert_store *s);
/* Copies the sub-network of src whose shape is dst's shape into dst
 * (dst's shape must be within src's; vocab, max_seq, types, classes equal). */
int bert_store_copy_sub(bert_store *dst, const bert_store *src);
/* One parameter tensor of the store, by the canonical name of
 * bert_model.c's layout: global (layer -1) "wte" "wpe" "wtt" "lne_w" "lne_b"
 * "pool_w" "pool_b" "cls_w" "cls_b"; per layer (0 <= layer < the store's
 * layers) "q_w" "q_b" "k_w" "k_b" "v_w" "v_b" "o_w" "o_b" "ln1_w" "ln1_b"
 * "f1_w" "f1_b" "f2_w" "f2_b" "ln2_w" "ln2_b". Returns the storage block
 * (*rows x *cols, row-major, row stride *cols; matrices are (out, in)); a
 * sub-network uses its top-left block. NULL if the name or layer is unknown
 * (exporters read weights through this, e.g. src/export). */
const float *bert_store_tensor(const bert_store *s, int layer, const char *name, int *rows, int *cols);
/* Clips the global gradient norm to cfg->clip (if > 0), then one AdamW
 * step (decoupled weight decay on matrices only, not on biases/LayerNorm)
 * at the scheduled learning rate; increments the step; zeroes the grads.
 * Returns the gradient norm before clipping (out_norm may be NULL). */
int bert_store_adamw_step(bert_store *s, const adamw_cfg *cfg, float *out_norm);

/* --- model ----------------------------------------------------------- */
typedef struct bert_model bert_model;
/* Standalone inference model: its own store of cfg (seeded random
 * weights, no gradients), activations for up to max_batch x cfg.max_seq. */
int bert_model_create(const bert_config *cfg, int max_batch, uint64_t seed, bert_model **out);
/* A model of `shape` (a sub-shape of store's) on the store's memory; the
 * store must outlive the model. Training needs a trainable store. */
int bert_model_create_on(bert_store *store, const bert_shape *shape, int max_batch, bert_model **out);
/* Switches the sub-network (reallocates activations only if they grow). */
int bert_model_set_shape(bert_model *m, const bert_shape *shape);
void bert_model_free(bert_model *m);
const bert_shape *bert_model_shape(const bert_model *m);
bert_store *bert_model_store(bert_model *m);

/* Inference forward (no dropout): tokens(B,T) ids in 0..V-1, segments(B,T)
 * in 0..n_types-1 (NULL = all 0), mask(B,T) 1 real / 0 padding (NULL = no
 * padding; position 0 must be real). Writes logits(B,NC) if out_logits is
 * not NULL. B <= max_batch, 1 <= T <= max_seq; -1 on bad ids or sizes. */
int bert_model_forward(bert_model *m, const int *tokens, const int *segments, const int *mask, int B, int T,
                       float *out_logits);
/* Training forward: as above with dropout drawn from rng (NULL = none) and
 * labels(B); stores what backward needs; *out_loss = mean cross-entropy. */
int bert_model_forward_train(bert_model *m, const int *tokens, const int *segments, const int *mask,
                             const int *labels, int B, int T, hw_rng *rng, float *out_loss);
/* Training forward against soft targets (in-place distillation): the loss
 * is the cross-entropy -sum_c t_c log p_c with t = (1 - alpha) onehot(label)
 * + alpha teacher, teacher(B,NC) class probabilities (e.g. the largest
 * sub-network's on the same batch), 0 <= alpha <= 1; alpha 0 is
 * forward_train. backward then follows this loss. */
int bert_model_forward_train_soft(bert_model *m, const int *tokens, const int *segments, const int *mask,
                                  const int *labels, const float *teacher, float alpha, int B, int T, hw_rng *rng,
                                  float *out_loss);
/* Accumulates d(loss)/d(params) of the last forward_train into the
 * store's gradients (so several sub-networks may accumulate). */
int bert_model_backward(bert_model *m);
/* Logits (B,NC) / class probabilities of the last forward. */
const float *bert_model_logits(const bert_model *m);
const float *bert_model_probs(const bert_model *m);

#endif
