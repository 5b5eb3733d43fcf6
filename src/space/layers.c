/* layers.c: the layer list container and per-layer size arithmetic. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw_err.h"
#include "layers.h"

const char *const layer_kind_names[LAYER_NKINDS] = {"conv", "dwconv", "matmul", "pool", "eltwise"};

void layer_list_init(layer_list *l, int merge) {
    memset(l, 0, sizeof *l);
    l->merge = merge;
}

void layer_list_free(layer_list *l) {
    free(l->v);
    memset(l, 0, sizeof *l);
}

void layer_list_clear(layer_list *l) { l->n = 0; }

/* 1 if a and b describe the same problem shape (names and counts aside). */
static int same_shape(const net_layer *a, const net_layer *b) {
    return a->kind == b->kind && a->g == b->g && a->n == b->n && a->c == b->c && a->k == b->k && a->h == b->h &&
           a->w == b->w && a->p == b->p && a->q == b->q && a->r == b->r && a->s == b->s &&
           a->stride == b->stride && a->n_in == b->n_in && a->ops == b->ops && a->act_b == b->act_b && a->fused == b->fused &&
           a->zero_in == b->zero_in && a->zero_out == b->zero_out;
}

void layer_list_add(layer_list *l, const net_layer *x) {
    HW_ASSERT(x->count >= 1);
    if (l->merge)
        for (int i = 0; i < l->n; i++)
            if (same_shape(&l->v[i], x)) {
                l->v[i].count += x->count;
                return;
            }
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->v = hw_realloc(l->v, (size_t)l->cap * sizeof *l->v);
    }
    l->v[l->n++] = *x;
}

double layer_macs(const net_layer *x) {
    double out = (double)x->g * x->n * x->k * x->p * x->q;
    switch (x->kind) {
    case LAYER_CONV:
    case LAYER_DWCONV:
    case LAYER_MATMUL: return out * x->c * x->r * x->s;
    case LAYER_POOL: return out * x->r * x->s * x->ops;
    case LAYER_ELTWISE: return out * x->ops;
    default: HW_ASSERT(0);
    }
    return 0;
}

double layer_weight_elems(const net_layer *x) {
    switch (x->kind) {
    case LAYER_CONV:
    case LAYER_DWCONV:
    case LAYER_MATMUL: return (double)x->g * x->k * x->c * x->r * x->s;
    default: return 0;
    }
}

double layer_input_elems(const net_layer *x) {
    if (x->kind == LAYER_ELTWISE) return (double)x->n_in * x->g * x->n * x->k * x->p * x->q;
    return (double)x->g * x->n * x->c * x->h * x->w;
}

double layer_output_elems(const net_layer *x) { return (double)x->g * x->n * x->k * x->p * x->q; }

double layer_list_macs(const layer_list *l) {
    double t = 0;
    for (int i = 0; i < l->n; i++) t += layer_macs(&l->v[i]) * l->v[i].count;
    return t;
}

/* Fills the fields every builder shares and appends. */
static void add_named(layer_list *out, net_layer *x, const char *name, int count) {
    x->count = count;
    snprintf(x->name, sizeof x->name, "%s", name);
    layer_list_add(out, x);
}

/* A sliding-window layer (conv or pool): c -> k channels, groups g, an
 * r x r window over hw x hw input with stride and padding pad. */
static net_layer window_layer(layer_kind kind, int batch, int g, int c, int k, int hw, int r, int stride, int pad) {
    net_layer x;
    memset(&x, 0, sizeof x);
    x.kind = kind;
    x.g = g;
    x.n = batch;
    x.c = c;
    x.k = k;
    x.h = x.w = hw;
    x.p = x.q = (hw + 2 * pad - r) / stride + 1;
    x.r = x.s = r;
    x.stride = stride;
    return x;
}

void layers_add_conv(layer_list *out, const char *name, int count, int batch, int groups, int c, int k, int hw, int r,
                     int stride, int pad) {
    net_layer x = window_layer(LAYER_CONV, batch, groups, c, k, hw, r, stride, pad);
    add_named(out, &x, name, count);
}

void layers_add_pool(layer_list *out, const char *name, int count, int batch, int c, int hw, int r, int stride,
                     int pad) {
    net_layer x = window_layer(LAYER_POOL, batch, 1, c, c, hw, r, stride, pad);
    x.ops = 1;
    add_named(out, &x, name, count);
}

/* Element-wise layer over n_in tensors of c x hw x hw (fused: see layers.h). */
static void add_elt(layer_list *out, const char *name, int count, int batch, int c, int hw, int n_in, int ops,
                    int fused) {
    net_layer x;
    memset(&x, 0, sizeof x);
    x.kind = LAYER_ELTWISE;
    x.g = 1;
    x.n = batch;
    x.c = x.k = c;
    x.h = x.w = x.p = x.q = hw;
    x.r = x.s = x.stride = 1;
    x.n_in = n_in;
    x.ops = ops;
    x.fused = fused;
    add_named(out, &x, name, count);
}

void layers_add_eltwise(layer_list *out, const char *name, int count, int batch, int c, int hw, int n_in, int ops) {
    add_elt(out, name, count, batch, c, hw, n_in, ops, 0);
}

void layers_add_psum_sum(layer_list *out, const char *name, int count, int batch, int c, int hw, int n_in) {
    add_elt(out, name, count, batch, c, hw, n_in, n_in, 1);
}

void layers_add_fc(layer_list *out, const char *name, int batch, int c, int k) {
    net_layer x;
    memset(&x, 0, sizeof x);
    x.kind = LAYER_MATMUL;
    x.g = 1;
    x.n = batch;
    x.c = c;
    x.k = k;
    x.h = x.w = x.p = x.q = 1;
    x.r = x.s = x.stride = 1;
    add_named(out, &x, name, 1);
}
