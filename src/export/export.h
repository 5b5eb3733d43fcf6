/* export: candidates of the nb201 and bert spaces as ONNX models (opset
 * EXPORT_OPSET), for board runtimes (ONNX Runtime, TensorRT's trtexec).
 *
 * NB201 (export_nb201): the CIFAR-10 network of NAS-Bench-201 ("infer.tiny",
 * C = 16, N = 5) exactly as its PyTorch reference builds it:
 *   input(B,3,32,32) -> Conv3x3 3->16 + BN -> 3 stages of 5 cells (C = 16,
 *   32, 64) with a ResNet basic block (stride 2) between stages -> BN ->
 *   ReLU -> GlobalAveragePool -> Flatten -> Gemm C->10 -> logits(B,10).
 *   Cell: node j = sum over i < j of op_{j,i}(node i) with op none = zeros
 *   (x * 0), skip = identity, nor_conv_kxk = ReLU-Conv(no bias)-BN,
 *   avg_pool_3x3 = AveragePool 3x3/1, pad 1, count_include_pad 0. A node
 *   whose edges are all none is x0 * 0 and later ops still run on it.
 *   Reduction: ReLU-Conv3x3/2-BN -> ReLU-Conv3x3-BN, plus the shortcut
 *   AveragePool 2x2/2 -> Conv1x1 (no bias); the sum, no ReLU after it.
 *   BN epsilon 1e-5; weights are seeded random (there are no trained ones).
 *
 * BERT (export_bert): inputs input_ids, token_type_ids, attention_mask
 * (int64, (B,T); mask 1 = real, 0 = padding, position 0 real), output
 * logits(B,NC); the function of src/bert/bert_model.c's inference forward:
 *   Gather(wte) + wpe[0:T] + Gather(wtt) -> LayerNormalization(eps) ->
 *   per layer: Q,K,V = x W^T + b; per head softmax(QK^T / sqrt(H/A) +
 *   (mask - 1) * 1e9) V; output projection; LN(x + .); FFN with exact GELU
 *   x * 0.5 * (1 + erf(x / sqrt 2)); LN(. + FFN) -> row 0 ([CLS]) ->
 *   tanh(pooler) -> classifier.
 * The weights are the top-left blocks of the given store's tensors (a
 * supernet of a larger shape, or a store of exactly the candidate's shape).
 *
 * A structural export (opts.structural) writes weights as graph inputs
 * without data: the same graph at a few kB, for checking whole spaces. */
#ifndef HW_EXPORT_H
#define HW_EXPORT_H

#include <stdint.h>

#include "bert_model.h"
#include "space.h"
#include "tsv_task.h"

#define EXPORT_OPSET 17

typedef struct export_opts {
    int batch;      /* B (1) */
    int seq_len;    /* BERT T (128; <= the store's max_seq) */
    uint64_t seed;  /* NB201 random weights (1) */
    int structural; /* 1: weights as inputs without data */
    const char *doc; /* the model's doc_string, e.g. the arch string (NULL: none) */
} export_opts;

void export_opts_default(export_opts *o);

typedef struct export_info {
    int64_t nparams; /* weight elements written (BN: scale, bias, mean, var) */
    int nnodes;
} export_info;

/* ops[6]: NB201 op codes (0 none .. 4 avg_pool_3x3) in space_nb201's edge
 * order. info may be NULL. 0, or -1 with a message. */
int export_nb201(const int ops[6], const export_opts *o, const char *path, export_info *info);

/* shape must lie within the store's shape; o->seq_len <= its max_seq. */
int export_bert(const bert_store *store, const bert_shape *shape, const export_opts *o, const char *path,
                export_info *info);

/* Every NB201 cell of sp (indices first..first+count-1) as a structural
 * model dir/nb201_<index>.onnx, plus dir/layers.csv (written atomically):
 * index, arch, conv/fc MACs and weights of the layer model
 * (src/space/layers_nb201.c) at o->batch, and the ONNX weight count. An
 * index out of range fails naming the index. 0, or -1 with a message. */
int export_nb201_all(const space *sp, const char *dir, long first, long count, const export_opts *o);

/* The reference logits of hwnas's C forward (bert_model_forward, the [CLS]
 * shortcut included) on the first `rows` rows of task (padded to T), into
 * the file csv (atomically): "row,len,ids (T, space-separated),logits
 * (space-separated)". 0, or -1 with a message. */
int export_bert_reference(const bert_store *store, const bert_shape *shape, int T, const tsv_task *task, long rows,
                          const char *csv);

#endif
