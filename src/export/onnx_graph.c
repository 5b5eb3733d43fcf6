/* onnx_graph: ONNX model builder on protobuf-c (see onnx_graph.h).
 *
 * All protobuf-c messages, strings and tensor payloads live in one arena
 * (a list of blocks), so the model is freed in one sweep. The node,
 * initializer and input/output pointer arrays grow by doubling and are
 * attached to the GraphProto only when the model is written. */
#include "onnx_graph.h"

#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "hw_err.h"
#include "onnx.pb-c.h"

#define ARENA_BLOCK (1u << 20)

typedef struct ablock {
    struct ablock *next;
    size_t used, cap;
    max_align_t data[];
} ablock;

/* A growable array of message pointers. */
typedef struct pvec {
    void **v;
    size_t n, cap;
} pvec;

struct onnxg {
    ablock *arena;
    int structural;
    char *name;
    pvec nodes, inits, inputs, outputs;
    Onnx__NodeProto *last;
    pvec last_attrs; /* attributes of `last` */
    int64_t nparams;
};

/* Zeroed memory of n bytes that lives until onnxg_free. */
static void *arena_alloc(onnxg *g, size_t n) {
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    ablock *b = g->arena;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        ablock *nb = hw_malloc(sizeof *nb + cap);
        nb->used = 0;
        nb->cap = cap;
        if (n > ARENA_BLOCK && b) { /* a big payload: keep the current block open */
            nb->next = b->next;
            b->next = nb;
            b = nb;
        } else {
            nb->next = b;
            g->arena = b = nb;
        }
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

static char *arena_str(onnxg *g, const char *s) {
    size_t n = strlen(s) + 1;
    char *p = arena_alloc(g, n);
    memcpy(p, s, n);
    return p;
}

static void pvec_push(pvec *v, void *p) {
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 64;
        v->v = hw_realloc(v->v, v->cap * sizeof *v->v);
    }
    v->v[v->n++] = p;
}

int onnxg_create(const char *graph_name, int structural, onnxg **out) {
    if (!graph_name || !*graph_name) return hw_fail("onnx: empty graph name");
    onnxg *g = hw_calloc(1, sizeof *g);
    g->structural = structural;
    g->name = arena_str(g, graph_name);
    *out = g;
    return 0;
}

void onnxg_free(onnxg *g) {
    if (!g) return;
    for (ablock *b = g->arena, *nx; b; b = nx) {
        nx = b->next;
        free(b);
    }
    free(g->nodes.v);
    free(g->inits.v);
    free(g->inputs.v);
    free(g->outputs.v);
    free(g->last_attrs.v);
    free(g);
}

int onnxg_structural(const onnxg *g) { return g->structural; }
int64_t onnxg_nparams(const onnxg *g) { return g->nparams; }
int onnxg_nnodes(const onnxg *g) { return (int)g->nodes.n; }

static int check_dims(const char *name, int ndims, const int64_t *dims, int64_t *count) {
    if (ndims < 0 || ndims > 8) return hw_fail("onnx: tensor '%s': %d dims", name, ndims);
    int64_t n = 1;
    for (int i = 0; i < ndims; i++) {
        if (dims[i] < 1) return hw_fail("onnx: tensor '%s': dim %d is %lld", name, i, (long long)dims[i]);
        n *= dims[i];
    }
    *count = n;
    return 0;
}

/* A ValueInfoProto: tensor of elem_type with fixed dims. */
static Onnx__ValueInfoProto *value_info(onnxg *g, const char *name, int elem_type, int ndims, const int64_t *dims) {
    Onnx__ValueInfoProto *vi = arena_alloc(g, sizeof *vi);
    onnx__value_info_proto__init(vi);
    vi->name = arena_str(g, name);
    Onnx__TypeProto *tp = arena_alloc(g, sizeof *tp);
    onnx__type_proto__init(tp);
    Onnx__TypeProto__Tensor *tt = arena_alloc(g, sizeof *tt);
    onnx__type_proto__tensor__init(tt);
    tt->has_elem_type = 1;
    tt->elem_type = elem_type;
    Onnx__TensorShapeProto *sh = arena_alloc(g, sizeof *sh);
    onnx__tensor_shape_proto__init(sh);
    sh->n_dim = (size_t)ndims;
    sh->dim = arena_alloc(g, (size_t)(ndims ? ndims : 1) * sizeof *sh->dim);
    for (int i = 0; i < ndims; i++) {
        Onnx__TensorShapeProto__Dimension *d = arena_alloc(g, sizeof *d);
        onnx__tensor_shape_proto__dimension__init(d);
        d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
        d->dim_value = dims[i];
        sh->dim[i] = d;
    }
    tt->shape = sh;
    tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    tp->tensor_type = tt;
    vi->type = tp;
    return vi;
}

int onnxg_input(onnxg *g, const char *name, int elem_type, int ndims, const int64_t *dims) {
    int64_t n;
    if (check_dims(name, ndims, dims, &n)) return -1;
    pvec_push(&g->inputs, value_info(g, name, elem_type, ndims, dims));
    return 0;
}

int onnxg_output(onnxg *g, const char *name, int elem_type, int ndims, const int64_t *dims) {
    int64_t n;
    if (check_dims(name, ndims, dims, &n)) return -1;
    pvec_push(&g->outputs, value_info(g, name, elem_type, ndims, dims));
    return 0;
}

/* An initializer of elem_type with raw little-endian payload (copied). */
static int add_init(onnxg *g, const char *name, int elem_type, const void *data, size_t elem_size, int ndims,
                    const int64_t *dims) {
    int64_t n = 0;
    if (check_dims(name, ndims, dims, &n)) return -1;
    Onnx__TensorProto *t = arena_alloc(g, sizeof *t);
    onnx__tensor_proto__init(t);
    t->name = arena_str(g, name);
    t->n_dims = (size_t)ndims;
    t->dims = arena_alloc(g, (size_t)(ndims ? ndims : 1) * sizeof *t->dims);
    memcpy(t->dims, dims, (size_t)ndims * sizeof *dims);
    t->has_data_type = 1;
    t->data_type = elem_type;
    t->has_raw_data = 1;
    t->raw_data.len = (size_t)n * elem_size;
    t->raw_data.data = arena_alloc(g, t->raw_data.len);
    memcpy(t->raw_data.data, data, t->raw_data.len); /* x86-64 and aarch64 Linux are little endian */
    pvec_push(&g->inits, t);
    return 0;
}

int onnxg_weight(onnxg *g, const char *name, const float *data, int ndims, const int64_t *dims) {
    int64_t n = 0;
    if (check_dims(name, ndims, dims, &n)) return -1;
    g->nparams += n;
    if (g->structural) return onnxg_input(g, name, ONNXG_FLOAT, ndims, dims);
    HW_ASSERT(data != NULL);
    return add_init(g, name, ONNXG_FLOAT, data, sizeof(float), ndims, dims);
}

int onnxg_const_i64(onnxg *g, const char *name, int n, const int64_t *v) {
    int64_t d = n;
    return add_init(g, name, ONNXG_INT64, v, sizeof(int64_t), 1, &d);
}

int onnxg_const_f32(onnxg *g, const char *name, int n, const float *v) {
    int64_t d = n;
    return add_init(g, name, ONNXG_FLOAT, v, sizeof(float), 1, &d);
}

/* Moves the collected attributes onto the last node. */
static void seal_last(onnxg *g) {
    if (!g->last || !g->last_attrs.n) return;
    g->last->n_attribute = g->last_attrs.n;
    g->last->attribute = arena_alloc(g, g->last_attrs.n * sizeof *g->last->attribute);
    memcpy(g->last->attribute, g->last_attrs.v, g->last_attrs.n * sizeof *g->last->attribute);
    g->last_attrs.n = 0;
}

int onnxg_node(onnxg *g, const char *op_type, const char *name, int n_in, const char *const *in, const char *out) {
    if (n_in < 0 || n_in > 64) return hw_fail("onnx: node '%s': %d inputs", name, n_in);
    seal_last(g);
    Onnx__NodeProto *nd = arena_alloc(g, sizeof *nd);
    onnx__node_proto__init(nd);
    nd->op_type = arena_str(g, op_type);
    nd->name = arena_str(g, name);
    nd->n_input = (size_t)n_in;
    nd->input = arena_alloc(g, (size_t)(n_in ? n_in : 1) * sizeof *nd->input);
    for (int i = 0; i < n_in; i++) nd->input[i] = arena_str(g, in[i]);
    nd->n_output = 1;
    nd->output = arena_alloc(g, sizeof *nd->output);
    nd->output[0] = arena_str(g, out);
    pvec_push(&g->nodes, nd);
    g->last = nd;
    return 0;
}

static Onnx__AttributeProto *new_attr(onnxg *g, const char *name, Onnx__AttributeProto__AttributeType type) {
    HW_ASSERT(g->last != NULL); /* attributes follow a node */
    Onnx__AttributeProto *a = arena_alloc(g, sizeof *a);
    onnx__attribute_proto__init(a);
    a->name = arena_str(g, name);
    a->has_type = 1;
    a->type = type;
    pvec_push(&g->last_attrs, a);
    return a;
}

int onnxg_attr_int(onnxg *g, const char *name, int64_t v) {
    Onnx__AttributeProto *a = new_attr(g, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
    a->has_i = 1;
    a->i = v;
    return 0;
}

int onnxg_attr_ints(onnxg *g, const char *name, int n, const int64_t *v) {
    Onnx__AttributeProto *a = new_attr(g, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
    a->n_ints = (size_t)n;
    a->ints = arena_alloc(g, (size_t)(n ? n : 1) * sizeof *a->ints);
    memcpy(a->ints, v, (size_t)n * sizeof *v);
    return 0;
}

int onnxg_attr_float(onnxg *g, const char *name, float v) {
    Onnx__AttributeProto *a = new_attr(g, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
    a->has_f = 1;
    a->f = v;
    return 0;
}

int onnxg_write(onnxg *g, const char *path, int opset, const char *doc) {
    seal_last(g);
    Onnx__GraphProto graph;
    onnx__graph_proto__init(&graph);
    graph.name = g->name;
    graph.n_node = g->nodes.n;
    graph.node = (Onnx__NodeProto **)g->nodes.v;
    graph.n_initializer = g->inits.n;
    graph.initializer = (Onnx__TensorProto **)g->inits.v;
    graph.n_input = g->inputs.n;
    graph.input = (Onnx__ValueInfoProto **)g->inputs.v;
    graph.n_output = g->outputs.n;
    graph.output = (Onnx__ValueInfoProto **)g->outputs.v;

    Onnx__OperatorSetIdProto os;
    onnx__operator_set_id_proto__init(&os);
    os.domain = "";
    os.has_version = 1;
    os.version = opset;
    Onnx__OperatorSetIdProto *osp = &os;

    Onnx__ModelProto model;
    onnx__model_proto__init(&model);
    model.has_ir_version = 1;
    model.ir_version = ONNXG_IR_VERSION;
    model.n_opset_import = 1;
    model.opset_import = &osp;
    model.producer_name = "hwnas";
    model.producer_version = "1";
    model.doc_string = (char *)doc;
    model.graph = &graph;

    size_t len = onnx__model_proto__get_packed_size(&model);
    if (len > (size_t)INT32_MAX) return hw_fail("%s: model is %zu bytes, over protobuf's 2 GiB limit", path, len);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf) return hw_fail("%s: out of memory for %zu bytes", path, len);
    size_t got = onnx__model_proto__pack(&model, buf);
    HW_ASSERT(got == len);
    int rc = hw_write_file_atomic(path, buf, len);
    free(buf);
    return rc;
}
