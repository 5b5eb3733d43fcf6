/* export_nb201: the NAS-Bench-201 CIFAR-10 network as ONNX (see export.h
 * for the topology; src/space/layers_nb201.c is the same network as a
 * layer list for the cost models). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export_impl.h"
#include "fsutil.h"
#include "layers.h"
#include "rng.h"
#include "space.h"

#define NB_NAME EXPORT_NAME_MAX
#define BN_EPS 1e-5f

static const int edge_to[NB201_EDGES] = {1, 2, 2, 3, 3, 3};
static const int edge_from[NB201_EDGES] = {0, 0, 1, 0, 1, 2};

typedef struct nb_ctx {
    onnxg *g;
    hw_rng rng;
    int B;
    float *buf; /* scratch for weight data (largest tensor) */
    int have_zero; /* the constant "zero" exists */
} nb_ctx;

/* A weight tensor; in a non-structural export filled from the rng:
 * kind 0 He-normal with fan-in fan, 1 BN scale U(0.5,1.5), 2 BN bias /
 * mean N(0, 0.1), 3 BN variance U(0.5,1.5). */
static int weight(nb_ctx *c, const char *name, int kind, int fan, int ndims, const int64_t *dims) {
    int64_t n = 1;
    for (int i = 0; i < ndims; i++) n *= dims[i];
    if (!onnxg_structural(c->g))
        for (int64_t i = 0; i < n; i++) {
            double v;
            switch (kind) {
            case 0: v = rng_normal(&c->rng) * sqrt(2.0 / fan); break;
            case 1: case 3: v = 0.5 + rng_uniform(&c->rng); break;
            default: v = 0.1 * rng_normal(&c->rng); break;
            }
            c->buf[i] = (float)v;
        }
    return onnxg_weight(c->g, name, c->buf, ndims, dims);
}

/* out = BatchNormalization(in) over C channels, named {p}.bn. */
static int bn(nb_ctx *c, const char *p, const char *in, int C, const char *out) {
    char s[NB_NAME], b[NB_NAME], m[NB_NAME], v[NB_NAME], nn[NB_NAME];
    export_name(s, "%s.bn.scale", p);
    export_name(b, "%s.bn.bias", p);
    export_name(m, "%s.bn.mean", p);
    export_name(v, "%s.bn.var", p);
    int64_t d = C;
    if (weight(c, s, 1, 0, 1, &d) || weight(c, b, 2, 0, 1, &d) || weight(c, m, 2, 0, 1, &d) ||
        weight(c, v, 3, 0, 1, &d))
        return -1;
    export_name(nn, "%s.bn", p);
    if (onnxg_node(c->g, "BatchNormalization", nn, 5, (const char *[]){in, s, b, m, v}, out)) return -1;
    return onnxg_attr_float(c->g, "epsilon", BN_EPS);
}

/* out = BN(Conv_k/stride(relu ? ReLU(in) : in)), Cin -> Cout, no conv bias. */
static int conv_bn(nb_ctx *c, const char *p, const char *in, int relu, int cin, int cout, int k, int stride,
                   const char *out) {
    char r[NB_NAME], w[NB_NAME], y[NB_NAME];
    const char *x = in;
    if (relu) {
        export_name(r, "%s.relu", p);
        if (onnxg_node(c->g, "Relu", r, 1, &x, r)) return -1;
        x = r;
    }
    export_name(w, "%s.conv.w", p);
    export_name(y, "%s.conv", p);
    if (weight(c, w, 0, cin * k * k, 4, (int64_t[]){cout, cin, k, k})) return -1;
    if (onnxg_node(c->g, "Conv", y, 2, (const char *[]){x, w}, y)) return -1;
    int pd = k / 2;
    onnxg_attr_ints(c->g, "kernel_shape", 2, (int64_t[]){k, k});
    onnxg_attr_ints(c->g, "pads", 4, (int64_t[]){pd, pd, pd, pd});
    onnxg_attr_ints(c->g, "strides", 2, (int64_t[]){stride, stride});
    return bn(c, p, y, cout, out);
}

static int avgpool(nb_ctx *c, const char *name, const char *in, int k, int stride, int pad, const char *out) {
    if (onnxg_node(c->g, "AveragePool", name, 1, &in, out)) return -1;
    onnxg_attr_ints(c->g, "kernel_shape", 2, (int64_t[]){k, k});
    onnxg_attr_ints(c->g, "pads", 4, (int64_t[]){pad, pad, pad, pad});
    onnxg_attr_ints(c->g, "strides", 2, (int64_t[]){stride, stride});
    onnxg_attr_int(c->g, "count_include_pad", 0);
    return 0;
}

/* One cell s{stage}c{cell}: input `in`, output node 3 into `out`. */
static int cell(nb_ctx *c, const int ops[6], int stage, int idx, int C, const char *in, char *out) {
    char node[4][NB_NAME], term[NB_NAME], p[NB_NAME];
    const char *terms[3];
    snprintf(node[0], NB_NAME, "%s", in);
    for (int j = 1; j <= 3; j++) {
        int nt = 0;
        char tbuf[3][NB_NAME];
        for (int e = 0; e < NB201_EDGES; e++) {
            if (edge_to[e] != j || ops[e] == 0) continue;
            const char *src = node[edge_from[e]];
            export_name(p, "s%dc%d.e%d_%d", stage, idx, j, edge_from[e]);
            switch (ops[e]) {
            case 1: snprintf(tbuf[nt], NB_NAME, "%s", src); break;
            case 2: case 3:
                export_name(tbuf[nt], "%s.out", p);
                if (conv_bn(c, p, src, 1, C, C, ops[e] == 2 ? 1 : 3, 1, tbuf[nt])) return -1;
                break;
            case 4:
                export_name(tbuf[nt], "%s.pool", p);
                if (avgpool(c, tbuf[nt], src, 3, 1, 1, tbuf[nt])) return -1;
                break;
            default: return hw_fail("export nb201: op code %d out of range", ops[e]);
            }
            terms[nt] = tbuf[nt];
            nt++;
        }
        export_name(node[j], "s%dc%d.n%d", stage, idx, j);
        if (nt == 0) { /* all edges none: zeros of the input's shape */
            if (!c->have_zero && onnxg_const_f32(c->g, "zero", 1, (float[]){0.0f})) return -1;
            c->have_zero = 1;
            const char *zin[2] = {node[0], "zero"};
            if (onnxg_node(c->g, "Mul", node[j], 2, zin, node[j])) return -1;
        } else if (nt == 1) {
            if (onnxg_node(c->g, "Identity", node[j], 1, terms, node[j])) return -1;
        } else {
            export_name(term, "s%dc%d.sum%d", stage, idx, j);
            if (onnxg_node(c->g, "Sum", term, nt, terms, node[j])) return -1;
        }
    }
    snprintf(out, NB_NAME, "%s", node[3]);
    return 0;
}

/* ResNet basic block red{idx}: cin -> 2 cin, stride 2. */
static int reduction(nb_ctx *c, int idx, int cin, const char *in, char *out) {
    char p[NB_NAME], a[NB_NAME], b[NB_NAME], sp[NB_NAME], sc[NB_NAME], w[NB_NAME];
    int cout = 2 * cin;
    export_name(p, "red%d.a", idx);
    export_name(a, "red%d.a.out", idx);
    if (conv_bn(c, p, in, 1, cin, cout, 3, 2, a)) return -1;
    export_name(p, "red%d.b", idx);
    export_name(b, "red%d.b.out", idx);
    if (conv_bn(c, p, a, 1, cout, cout, 3, 1, b)) return -1;
    export_name(sp, "red%d.short.pool", idx);
    if (avgpool(c, sp, in, 2, 2, 0, sp)) return -1;
    export_name(w, "red%d.short.conv.w", idx);
    export_name(sc, "red%d.short.conv", idx);
    if (weight(c, w, 0, cin, 4, (int64_t[]){cout, cin, 1, 1})) return -1;
    if (onnxg_node(c->g, "Conv", sc, 2, (const char *[]){sp, w}, sc)) return -1;
    onnxg_attr_ints(c->g, "kernel_shape", 2, (int64_t[]){1, 1});
    export_name(out, "red%d.out", idx);
    return onnxg_node(c->g, "Add", out, 2, (const char *[]){sc, b}, out);
}

int export_nb201(const int ops[6], const export_opts *o, const char *path, export_info *info) {
    for (int e = 0; e < NB201_EDGES; e++)
        if (ops[e] < 0 || ops[e] >= NB201_OPS) return hw_fail("export nb201: edge %d: op code %d out of range", e, ops[e]);
    if (o->batch < 1 || o->batch > 65536) return hw_fail("export nb201: batch %d out of range", o->batch);
    nb_ctx c;
    memset(&c, 0, sizeof c);
    c.B = o->batch;
    rng_seed(&c.rng, o->seed);
    c.buf = hw_malloc(64 * 64 * 9 * sizeof(float)); /* the largest weight: 64x64x3x3 */
    char x[NB_NAME], y[NB_NAME];
    int rc = -1;
    if (onnxg_create("nb201", o->structural, &c.g)) goto fail;
    if (onnxg_input(c.g, "input", ONNXG_FLOAT, 4, (int64_t[]){c.B, 3, 32, 32})) goto fail;
    if (conv_bn(&c, "stem", "input", 0, 3, 16, 3, 1, "stem.out")) goto fail;
    snprintf(x, sizeof x, "stem.out");
    int C = 16;
    for (int stage = 1; stage <= 3; stage++) {
        for (int k = 0; k < 5; k++) {
            if (cell(&c, ops, stage, k, C, x, y)) goto fail;
            memcpy(x, y, sizeof x);
        }
        if (stage < 3) {
            if (reduction(&c, stage, C, x, y)) goto fail;
            memcpy(x, y, sizeof x);
            C *= 2;
        }
    }
    /* head: BN -> ReLU -> global average pool -> flatten -> linear C -> 10 */
    if (bn(&c, "head", x, C, "head.bn.out")) goto fail;
    if (onnxg_node(c.g, "Relu", "head.relu", 1, (const char *[]){"head.bn.out"}, "head.relu")) goto fail;
    if (onnxg_node(c.g, "GlobalAveragePool", "head.gap", 1, (const char *[]){"head.relu"}, "head.gap")) goto fail;
    if (onnxg_node(c.g, "Flatten", "head.flat", 1, (const char *[]){"head.gap"}, "head.flat")) goto fail;
    onnxg_attr_int(c.g, "axis", 1);
    if (weight(&c, "head.fc.w", 0, C, 2, (int64_t[]){10, C})) goto fail;
    if (weight(&c, "head.fc.b", 2, 0, 1, (int64_t[]){10})) goto fail;
    if (onnxg_node(c.g, "Gemm", "head.fc", 3, (const char *[]){"head.flat", "head.fc.w", "head.fc.b"}, "logits"))
        goto fail;
    onnxg_attr_int(c.g, "transB", 1);
    if (export_finish(c.g, c.B, 10, o->doc, path, info)) goto fail;
    rc = 0;
fail:
    free(c.buf);
    onnxg_free(c.g);
    return rc;
}

/* Every NB201 cell (indices first..first+count-1) into dir, structural,
 * plus dir/layers.csv: index, arch, conv/fc MACs and weights of the layer
 * model (src/space/layers_nb201.c) at the same batch. */
int export_nb201_all(const space *sp, const char *dir, long first, long count, const export_opts *o) {
    export_opts so = *o;
    so.structural = 1;
    layer_list ll;
    layer_list_init(&ll, 0);
    hw_buf csv = {0};
    char path[4096], arch[HW_ARCH_STR_MAX];
    int rc = -1;
    if (hw_mkdir_p(dir)) goto fail;
    hw_buf_printf(&csv, "index,arch,conv_macs,fc_macs,conv_weights,fc_weights,onnx_params\n");
    for (long i = first; i < first + count; i++) {
        hw_genome g;
        int ops[NB201_EDGES];
        if (space_from_index(sp, i, &g)) {
            hw_fail("nb201 index %ld out of range", i);
            goto fail;
        }
        for (int e = 0; e < NB201_EDGES; e++) ops[e] = g.g[e];
        space_to_string(sp, &g, arch, sizeof arch);
        so.doc = arch;
        snprintf(path, sizeof path, "%s/nb201_%ld.onnx", dir, i);
        export_info info;
        if (export_nb201(ops, &so, path, &info)) goto fail;
        layers_nb201_ops(ops, o->batch, &ll);
        double cm = 0, fm = 0, cw = 0, fw = 0;
        for (int k = 0; k < ll.n; k++) {
            const net_layer *x = &ll.v[k];
            if (x->kind == LAYER_CONV) {
                cm += layer_macs(x) * x->count;
                cw += layer_weight_elems(x) * x->count;
            } else if (x->kind == LAYER_MATMUL) {
                fm += layer_macs(x) * x->count;
                fw += layer_weight_elems(x) * x->count;
            }
        }
        hw_buf_printf(&csv, "%ld,%s,%.0f,%.0f,%.0f,%.0f,%lld\n", i, arch, cm, fm, cw, fw, (long long)info.nparams);
    }
    snprintf(path, sizeof path, "%s/layers.csv", dir);
    if (hw_write_file_atomic(path, csv.p, csv.len)) goto fail;
    rc = 0;
fail:
    hw_buf_free(&csv);
    layer_list_free(&ll);
    return rc;
}
