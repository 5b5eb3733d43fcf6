/* export_bert: a bert-space candidate as ONNX, computing the function of
 * bert_model.c's inference forward (see export.h for the graph). Weights
 * are read through bert_store_tensor as the top-left blocks of the store's
 * tensors; matrices (out, in) are written transposed, (in, out), for
 * MatMul. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export_impl.h"
#include "fsutil.h"

#define BN_NAME EXPORT_NAME_MAX

typedef struct bx_ctx {
    onnxg *g;
    const bert_store *st;
    float *buf; /* scratch, the largest block */
} bx_ctx;

/* Weight `onnx_name` from store tensor (layer, name): its top-left rows x
 * cols block, transposed to (cols, rows) when `transpose`; a vector when
 * rows == 0 (cols elements). */
static int store_weight(bx_ctx *c, const char *onnx_name, int layer, const char *name, int rows, int cols,
                        int transpose) {
    int sr, sc;
    const float *src = bert_store_tensor(c->st, layer, name, &sr, &sc);
    if (!src) return hw_fail("export bert: the store has no tensor %s of layer %d", name, layer);
    int r = rows ? rows : 1;
    if (r > sr || cols > sc) return hw_fail("export bert: %s of layer %d is %dx%d, need %dx%d", name, layer, sr, sc, r, cols);
    for (int i = 0; i < r; i++)
        for (int j = 0; j < cols; j++) {
            float v = src[(size_t)i * sc + j];
            if (transpose) c->buf[(size_t)j * r + i] = v;
            else c->buf[(size_t)i * cols + j] = v;
        }
    if (!rows) return onnxg_weight(c->g, onnx_name, c->buf, 1, (int64_t[]){cols});
    if (transpose) return onnxg_weight(c->g, onnx_name, c->buf, 2, (int64_t[]){cols, r});
    return onnxg_weight(c->g, onnx_name, c->buf, 2, (int64_t[]){r, cols});
}

static int node2(bx_ctx *c, const char *op, const char *a, const char *b, const char *out) {
    return onnxg_node(c->g, op, out, 2, (const char *[]){a, b}, out);
}

/* out = in @ W^T + b for store matrix wname (OC x C) and bias bname. */
static int linear(bx_ctx *c, const char *p, int layer, const char *wname, const char *bname, const char *in, int C,
                  int OC, const char *out) {
    char w[BN_NAME], b[BN_NAME], mm[BN_NAME];
    export_name(w, "%s.w", p);
    export_name(b, "%s.b", p);
    export_name(mm, "%s.mm", p);
    if (store_weight(c, w, layer, wname, OC, C, 1) || store_weight(c, b, layer, bname, 0, OC, 0)) return -1;
    if (node2(c, "MatMul", in, w, mm)) return -1;
    return node2(c, "Add", mm, b, out);
}

static int layernorm(bx_ctx *c, const char *p, int layer, const char *wname, const char *bname, const char *in, int H,
                     float eps, const char *out) {
    char w[BN_NAME], b[BN_NAME];
    export_name(w, "%s.w", p);
    export_name(b, "%s.b", p);
    if (store_weight(c, w, layer, wname, 0, H, 0) || store_weight(c, b, layer, bname, 0, H, 0)) return -1;
    if (onnxg_node(c->g, "LayerNormalization", out, 3, (const char *[]){in, w, b}, out)) return -1;
    onnxg_attr_int(c->g, "axis", -1);
    return onnxg_attr_float(c->g, "epsilon", eps);
}

/* A sub-block's tail in layer l: out = LayerNorm(resid + Linear(in)), in
 * having C columns and out H. Nodes l<l>.<lin> (weights <lin>_w, <lin>_b,
 * output l<l>.<lin>.out), l<l>.<res> (the sum) and l<l>.<ln> (weights
 * <ln>_w, <ln>_b). */
static int add_norm(bx_ctx *c, int l, const char *lin, const char *res, const char *ln, const char *in, int C, int H,
                    const char *resid, float eps, const char *out) {
    char p[BN_NAME], y[BN_NAME], sum[BN_NAME], w[BN_NAME], b[BN_NAME];
    export_name(p, "l%d.%s", l, lin);
    export_name(y, "l%d.%s.out", l, lin);
    export_name(w, "%s_w", lin);
    export_name(b, "%s_b", lin);
    if (linear(c, p, l, w, b, in, C, H, y)) return -1;
    export_name(sum, "l%d.%s", l, res);
    if (node2(c, "Add", resid, y, sum)) return -1;
    export_name(p, "l%d.%s", l, ln);
    export_name(w, "%s_w", ln);
    export_name(b, "%s_b", ln);
    return layernorm(c, p, l, w, b, sum, H, eps, out);
}

/* (B,T,H) -> (B,A,T,hs) (perm 0,2,1,3) or, for keys, (B,A,hs,T). */
static int split_heads(bx_ctx *c, const char *in, const char *shape, int keys, const char *out) {
    char r[BN_NAME];
    export_name(r, "%s.r", out);
    if (node2(c, "Reshape", in, shape, r)) return -1;
    if (onnxg_node(c->g, "Transpose", out, 1, (const char *[]){r}, out)) return -1;
    return onnxg_attr_ints(c->g, "perm", 4, keys ? (int64_t[]){0, 2, 3, 1} : (int64_t[]){0, 2, 1, 3});
}

/* Encoder layer l: x (B,T,H) -> out. */
static int encoder_layer(bx_ctx *c, int l, const bert_shape *s, float eps, const char *x, char *out) {
    int H = s->hidden, A = s->heads[l], hs = H / A, F = s->ffn[l];
    char p[BN_NAME], q[BN_NAME], k[BN_NAME], v[BN_NAME], t[BN_NAME], u[BN_NAME], sh[BN_NAME], sc[BN_NAME];
    export_name(sh, "l%d.heads_shape", l);
    if (onnxg_const_i64(c->g, sh, 4, (int64_t[]){0, 0, A, hs})) return -1;
    export_name(sc, "l%d.scale", l);
    if (onnxg_const_f32(c->g, sc, 1, (float[]){1.0f / sqrtf((float)hs)})) return -1;
    const char *proj[3][3] = {{"q", "q_w", "q_b"}, {"k", "k_w", "k_b"}, {"v", "v_w", "v_b"}};
    char *heads[3] = {q, k, v};
    for (int i = 0; i < 3; i++) {
        export_name(p, "l%d.%s", l, proj[i][0]);
        export_name(t, "l%d.%s.out", l, proj[i][0]);
        if (linear(c, p, l, proj[i][1], proj[i][2], x, H, H, t)) return -1;
        export_name(heads[i], "l%d.%s.heads", l, proj[i][0]);
        if (split_heads(c, t, sh, i == 1, heads[i])) return -1;
    }
    export_name(t, "l%d.scores", l);
    if (node2(c, "MatMul", q, k, t)) return -1;
    export_name(u, "l%d.scaled", l);
    if (node2(c, "Mul", t, sc, u)) return -1;
    export_name(t, "l%d.masked", l);
    if (node2(c, "Add", u, "mask_bias", t)) return -1;
    export_name(u, "l%d.probs", l);
    if (onnxg_node(c->g, "Softmax", u, 1, (const char *[]){t}, u)) return -1;
    onnxg_attr_int(c->g, "axis", -1);
    export_name(t, "l%d.ctx", l);
    if (node2(c, "MatMul", u, v, t)) return -1;
    export_name(u, "l%d.ctx.t", l);
    if (onnxg_node(c->g, "Transpose", u, 1, (const char *[]){t}, u)) return -1;
    onnxg_attr_ints(c->g, "perm", 4, (int64_t[]){0, 2, 1, 3});
    export_name(t, "l%d.ctx.r", l);
    if (node2(c, "Reshape", u, "hidden_shape", t)) return -1;
    char ln1[BN_NAME];
    export_name(ln1, "l%d.ln1.out", l);
    if (add_norm(c, l, "o", "res1", "ln1", t, H, H, x, eps, ln1)) return -1;
    /* FFN with exact GELU: g = h * 0.5 * (1 + erf(h / sqrt 2)) */
    char h[BN_NAME];
    export_name(p, "l%d.f1", l);
    export_name(h, "l%d.f1.out", l);
    if (linear(c, p, l, "f1_w", "f1_b", ln1, H, F, h)) return -1;
    export_name(t, "l%d.gelu.d", l);
    if (node2(c, "Mul", h, "inv_sqrt2", t)) return -1;
    export_name(u, "l%d.gelu.erf", l);
    if (onnxg_node(c->g, "Erf", u, 1, (const char *[]){t}, u)) return -1;
    export_name(t, "l%d.gelu.1p", l);
    if (node2(c, "Add", u, "one", t)) return -1;
    export_name(u, "l%d.gelu.m", l);
    if (node2(c, "Mul", h, t, u)) return -1;
    export_name(t, "l%d.gelu", l);
    if (node2(c, "Mul", u, "half", t)) return -1;
    export_name(out, "l%d.out", l);
    return add_norm(c, l, "f2", "res2", "ln2", t, F, H, ln1, eps, out);
}

int export_bert(const bert_store *store, const bert_shape *s, const export_opts *o, const char *path,
                export_info *info) {
    const bert_config *cfg = bert_store_config(store);
    if (!bert_shape_within(s, &cfg->shape)) return hw_fail("export bert: the candidate is not within the store's shape");
    if (o->batch < 1 || o->batch > 65536) return hw_fail("export bert: batch %d out of range", o->batch);
    if (o->seq_len < 1 || o->seq_len > cfg->max_seq)
        return hw_fail("export bert: sequence length %d out of range 1..%d", o->seq_len, cfg->max_seq);
    int B = o->batch, T = o->seq_len, H = s->hidden, NC = cfg->n_classes;
    /* scratch: the largest block read (rows x hidden, rows one of these) */
    int rows = cfg->vocab > cfg->max_seq ? cfg->vocab : cfg->max_seq;
    rows = rows > cfg->n_types ? rows : cfg->n_types;
    rows = rows > cfg->n_classes ? rows : cfg->n_classes;
    rows = rows > cfg->shape.hidden ? rows : cfg->shape.hidden;
    for (int l = 0; l < s->layers; l++) rows = rows > cfg->shape.ffn[l] ? rows : cfg->shape.ffn[l];
    size_t big = (size_t)rows * cfg->shape.hidden;
    bx_ctx c = {NULL, store, hw_malloc(big * sizeof(float))};
    char x[BN_NAME], y[BN_NAME];
    int rc = -1;
    if (onnxg_create("bert", o->structural, &c.g)) goto fail;
    int64_t bt[2] = {B, T};
    if (onnxg_input(c.g, "input_ids", ONNXG_INT64, 2, bt) || onnxg_input(c.g, "token_type_ids", ONNXG_INT64, 2, bt) ||
        onnxg_input(c.g, "attention_mask", ONNXG_INT64, 2, bt))
        goto fail;
    if (onnxg_const_f32(c.g, "one", 1, (float[]){1.0f}) || onnxg_const_f32(c.g, "half", 1, (float[]){0.5f}) ||
        onnxg_const_f32(c.g, "inv_sqrt2", 1, (float[]){0.70710678118654752f}) ||
        onnxg_const_f32(c.g, "big", 1, (float[]){1e9f}) ||
        onnxg_const_i64(c.g, "hidden_shape", 3, (int64_t[]){0, 0, H}) ||
        onnxg_const_i64(c.g, "mask_axes", 2, (int64_t[]){1, 2}) || onnxg_const_i64(c.g, "cls_index", 1, (int64_t[]){0}))
        goto fail;
    /* embeddings */
    if (store_weight(&c, "wte", -1, "wte", cfg->vocab, H, 0) || store_weight(&c, "wpe", -1, "wpe", T, H, 0) ||
        store_weight(&c, "wtt", -1, "wtt", cfg->n_types, H, 0))
        goto fail;
    if (node2(&c, "Gather", "wte", "input_ids", "emb.tok") || node2(&c, "Gather", "wtt", "token_type_ids", "emb.seg") ||
        node2(&c, "Add", "emb.tok", "wpe", "emb.tp") || node2(&c, "Add", "emb.tp", "emb.seg", "emb.sum"))
        goto fail;
    if (layernorm(&c, "emb.ln", -1, "lne_w", "lne_b", "emb.sum", H, cfg->ln_eps, "emb.out")) goto fail;
    /* additive mask bias (B,1,1,T): 0 for real tokens, -1e9 for padding */
    if (onnxg_node(c.g, "Cast", "mask.f", 1, (const char *[]){"attention_mask"}, "mask.f")) goto fail;
    onnxg_attr_int(c.g, "to", ONNXG_FLOAT);
    if (node2(&c, "Sub", "mask.f", "one", "mask.m1") || node2(&c, "Mul", "mask.m1", "big", "mask.b") ||
        node2(&c, "Unsqueeze", "mask.b", "mask_axes", "mask_bias"))
        goto fail;
    snprintf(x, sizeof x, "emb.out");
    for (int l = 0; l < s->layers; l++) {
        if (encoder_layer(&c, l, s, cfg->ln_eps, x, y)) goto fail;
        memcpy(x, y, sizeof x);
    }
    /* [CLS] row -> pooler (tanh) -> classifier */
    if (node2(&c, "Gather", x, "cls_index", "cls.g")) goto fail;
    onnxg_attr_int(c.g, "axis", 1);
    if (onnxg_node(c.g, "Flatten", "cls", 1, (const char *[]){"cls.g"}, "cls")) goto fail;
    onnxg_attr_int(c.g, "axis", 1);
    if (linear(&c, "pool", -1, "pool_w", "pool_b", "cls", H, H, "pool.pre")) goto fail;
    if (onnxg_node(c.g, "Tanh", "pool", 1, (const char *[]){"pool.pre"}, "pool")) goto fail;
    if (linear(&c, "cls_head", -1, "cls_w", "cls_b", "pool", H, NC, "logits")) goto fail;
    if (export_finish(c.g, B, NC, o->doc, path, info)) goto fail;
    rc = 0;
fail:
    free(c.buf);
    onnxg_free(c.g);
    return rc;
}

/* hwnas's C forward (bert_model_forward, the [CLS] shortcut included) on
 * the first `rows` rows of task (padded to T), into csv:
 * "row,len,ids (T, space-separated),logits (space-separated)". */
int export_bert_reference(const bert_store *store, const bert_shape *shape, int T, const tsv_task *task, long rows,
                          const char *csv) {
    bert_model *m = NULL;
    hw_buf b = {0};
    int rc = -1, NC = bert_store_config(store)->n_classes;
    int *mask = hw_malloc((size_t)T * sizeof(int));
    float *logits = hw_malloc((size_t)NC * sizeof(float));
    /* the model runs on the store's memory; it does not modify it */
    if (bert_model_create_on((bert_store *)store, shape, 1, &m)) goto fail;
    if (rows > task->n) rows = task->n;
    hw_buf_printf(&b, "row,len,ids,logits\n");
    for (long r = 0; r < rows; r++) {
        const int *ids = task->ids + (size_t)r * task->max_len;
        for (int t = 0; t < T; t++) mask[t] = t < task->len[r];
        if (bert_model_forward(m, ids, NULL, mask, 1, T, logits)) goto fail;
        hw_buf_printf(&b, "%ld,%d,", r, task->len[r]);
        for (int t = 0; t < T; t++) hw_buf_printf(&b, "%s%d", t ? " " : "", ids[t]);
        hw_buf_printf(&b, ",");
        for (int k = 0; k < NC; k++) hw_buf_printf(&b, "%s%.9g", k ? " " : "", logits[k]);
        hw_buf_printf(&b, "\n");
    }
    rc = hw_write_file_atomic(csv, b.p, b.len);
fail:
    hw_buf_free(&b);
    bert_model_free(m);
    free(mask);
    free(logits);
    return rc;
}
