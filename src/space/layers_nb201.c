/* layers_nb201: the NAS-Bench-201 CIFAR-10 network as a layer list.
 *
 * Topology (Dong & Yang, ICLR 2020, "infer.tiny" with C = 16, N = 5):
 *   stem      conv3x3 3->16 (+BN, folded)                 32x32
 *   stage 1   5 cells, C = 16                             32x32
 *   red 1     ResNet basic block 16->32, stride 2         -> 16x16
 *   stage 2   5 cells, C = 32                             16x16
 *   red 2     ResNet basic block 32->64, stride 2         -> 8x8
 *   stage 3   5 cells, C = 64                             8x8
 *   head      BN+ReLU, global average pool, linear 64->10
 * Reduction block: a = ReLU-conv3x3/2-BN, b = ReLU-conv3x3-BN, shortcut =
 * avgpool 2x2/2 then conv1x1, then the residual sum.
 * Cell: node j = sum over i < j of op_{j,i}(node i); every non-none edge op
 * is computed (no dead-code elimination: frameworks run the whole graph). */
#include <stdio.h>
#include <string.h>

#include "hw_err.h"
#include "layers.h"

static const int edge_to[NB201_EDGES] = {1, 2, 2, 3, 3, 3};
static const int edge_from[NB201_EDGES] = {0, 0, 1, 0, 1, 2};

/* One cell, `count` times (identical cells of a stage when the list merges). */
static void add_cell(layer_list *out, const int ops[6], int stage, int cell, int count, int batch, int C, int hw) {
    char nm[LAYER_NAME_MAX];
    int fan_in[4] = {0, 0, 0, 0}, computed[4] = {0, 0, 0, 0};
    for (int e = 0; e < NB201_EDGES; e++) {
        int op = ops[e];
        if (op == 0) continue;
        fan_in[edge_to[e]]++;
        computed[edge_to[e]] += op >= 2;
        snprintf(nm, sizeof nm, "s%dc%d.%s_%d<-%d", stage, cell, nb201_op_names[op], edge_to[e], edge_from[e]);
        if (op == 2) layers_add_conv(out, nm, count, batch, 1, C, C, hw, 1, 1, 0);
        else if (op == 3) layers_add_conv(out, nm, count, batch, 1, C, C, hw, 3, 1, 1);
        else if (op == 4) layers_add_pool(out, nm, count, batch, C, hw, 3, 1, 1);
        /* op 1 (skip) costs nothing by itself: its tensor enters the sum */
    }
    /* A node sum: when a conv or pool feeds the node, the other addends are
     * loaded as its initial partial sums (as a row-stationary array
     * accumulates psums); only skips: a streaming element-wise pass. */
    for (int j = 1; j <= 3; j++)
        if (fan_in[j] >= 2) {
            snprintf(nm, sizeof nm, "s%dc%d.sum_%d", stage, cell, j);
            if (computed[j]) layers_add_psum_sum(out, nm, count, batch, C, hw, fan_in[j] - 1);
            else layers_add_eltwise(out, nm, count, batch, C, hw, fan_in[j], fan_in[j] - 1);
        }
}

static void add_reduction(layer_list *out, int idx, int batch, int cin, int hw) {
    char nm[LAYER_NAME_MAX];
    int cout = 2 * cin;
    snprintf(nm, sizeof nm, "red%d.conv_a", idx);
    layers_add_conv(out, nm, 1, batch, 1, cin, cout, hw, 3, 2, 1);
    snprintf(nm, sizeof nm, "red%d.conv_b", idx);
    layers_add_conv(out, nm, 1, batch, 1, cout, cout, hw / 2, 3, 1, 1);
    snprintf(nm, sizeof nm, "red%d.short_pool", idx);
    layers_add_pool(out, nm, 1, batch, cin, hw, 2, 2, 0);
    snprintf(nm, sizeof nm, "red%d.short_conv", idx);
    layers_add_conv(out, nm, 1, batch, 1, cin, cout, hw / 2, 1, 1, 0);
    snprintf(nm, sizeof nm, "red%d.sum", idx);
    layers_add_psum_sum(out, nm, 1, batch, cout, hw / 2, 1);
}

void layers_nb201_ops(const int ops[6], int batch, layer_list *out) {
    layer_list_clear(out);
    layers_add_conv(out, "stem", 1, batch, 1, 3, 16, 32, 3, 1, 1);
    int C = 16, hw = 32;
    for (int stage = 1; stage <= 3; stage++) {
        if (out->merge) add_cell(out, ops, stage, 0, 5, batch, C, hw); /* 5 identical cells */
        else
            for (int cell = 0; cell < 5; cell++) add_cell(out, ops, stage, cell, 1, batch, C, hw);
        if (stage < 3) {
            add_reduction(out, stage, batch, C, hw);
            C *= 2;
            hw /= 2;
        }
    }
    layers_add_eltwise(out, "head.bn_relu", 1, batch, C, hw, 1, 2);
    layers_add_pool(out, "head.gap", 1, batch, C, hw, hw, 1, 0);
    layers_add_fc(out, "head.linear", batch, C, 10);
}

int layers_nb201(const space *s, const hw_genome *g, int batch, layer_list *out) {
    if (strcmp(space_name(s), "nb201") != 0)
        return hw_fail("layers_nb201: space '%s' is not nb201", space_name(s));
    if (batch < 1) return hw_fail("layers_nb201: batch %d < 1", batch);
    int ops[NB201_EDGES];
    for (int e = 0; e < NB201_EDGES; e++) {
        if (g->g[e] < 0 || g->g[e] >= NB201_OPS) return hw_fail("layers_nb201: gene %d = %d out of range", e, g->g[e]);
        ops[e] = g->g[e];
    }
    layers_nb201_ops(ops, batch, out);
    return 0;
}
