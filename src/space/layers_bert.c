/* layers_bert: a BERT encoder (from the bert space) as a layer list.
 *
 * T = seq_len tokens per sequence, B = batch, H hidden, A heads, D = H/A,
 * F FFN size. Per encoder layer:
 *   qkv      matmul [B*T x H] x [H x 3H]          (fused Q, K, V projections)
 *   score    A*B matmuls [T x D] x [D x T]        (second operand: keys)
 *   softmax  eltwise over A*B*T*T, 5 ops/element  (max, sub, exp, sum, div)
 *   mix      A*B matmuls [T x T] x [T x D]        (second operand: values)
 *   out      matmul [B*T x H] x [H x H]
 *   add_ln1  eltwise, 2 inputs, 8 ops/element     (residual add + LayerNorm)
 *   ffn1     matmul [B*T x H] x [H x F], gelu eltwise 8 ops/element
 *   ffn2     matmul [B*T x F] x [F x H]
 *   add_ln2  eltwise, 2 inputs, 8 ops/element
 * Head: pooler [B x H] x [H x H] + tanh (eltwise, 4 ops), classifier H -> 2. */
#include <stdio.h>
#include <string.h>

#include "hw_err.h"
#include "layers.h"

/* G problems of [M x Dd] x [Dd x Nn]; M rows as P (batch nb). */
static void add_mm(layer_list *out, const char *name, int G, int nb, int M, int Dd, int Nn, int act_b) {
    net_layer x;
    memset(&x, 0, sizeof x);
    x.kind = LAYER_MATMUL;
    x.g = G;
    x.n = nb;
    x.c = Dd;
    x.k = Nn;
    x.h = x.p = M;
    x.w = x.q = 1;
    x.r = x.s = x.stride = 1;
    x.act_b = act_b;
    x.count = 1;
    snprintf(x.name, sizeof x.name, "%s", name);
    layer_list_add(out, &x);
}

static void add_elt(layer_list *out, const char *name, int G, int nb, int rows, int cols, int n_in, int ops) {
    net_layer x;
    memset(&x, 0, sizeof x);
    x.kind = LAYER_ELTWISE;
    x.g = G;
    x.n = nb;
    x.c = x.k = cols;
    x.h = x.p = rows;
    x.w = x.q = 1;
    x.r = x.s = x.stride = 1;
    x.n_in = n_in;
    x.ops = ops;
    x.count = 1;
    snprintf(x.name, sizeof x.name, "%s", name);
    layer_list_add(out, &x);
}

void layers_bert_shape(const bert_shape *b, int T, int B, layer_list *out) {
    char nm[LAYER_NAME_MAX];
    layer_list_clear(out);
    int H = b->hidden;
    for (int l = 0; l < b->layers; l++) {
        int A = b->heads[l], D = H / A, F = b->ffn[l];
#define NM(suffix) (snprintf(nm, sizeof nm, "L%d.%s", l, suffix), nm)
        add_mm(out, NM("qkv"), 1, B, T, H, 3 * H, 0);
        add_mm(out, NM("score"), A * B, 1, T, D, T, 1);
        add_elt(out, NM("softmax"), A * B, 1, T, T, 1, 5);
        add_mm(out, NM("mix"), A * B, 1, T, T, D, 1);
        add_mm(out, NM("out"), 1, B, T, H, H, 0);
        add_elt(out, NM("add_ln1"), 1, B, T, H, 2, 8);
        add_mm(out, NM("ffn1"), 1, B, T, H, F, 0);
        add_elt(out, NM("gelu"), 1, B, T, F, 1, 8);
        add_mm(out, NM("ffn2"), 1, B, T, F, H, 0);
        add_elt(out, NM("add_ln2"), 1, B, T, H, 2, 8);
#undef NM
    }
    add_mm(out, "pooler", 1, B, 1, H, H, 0);
    add_elt(out, "pooler.tanh", 1, B, 1, H, 1, 4);
    add_mm(out, "classifier", 1, B, 1, H, 2, 0);
}

int layers_bert(const space *s, const hw_genome *g, int seq_len, int batch, layer_list *out) {
    if (seq_len < 1 || batch < 1) return hw_fail("layers_bert: seq_len %d / batch %d must be >= 1", seq_len, batch);
    bert_shape b;
    if (space_bert_shape(s, g, &b) != 0) return -1;
    layers_bert_shape(&b, seq_len, batch, out);
    return 0;
}
