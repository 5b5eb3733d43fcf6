/* onnx_graph: builds one ONNX model (a single graph) with the protobuf-c
 * bindings generated at build time from Debian's onnx.proto (libonnx-dev),
 * and writes it atomically.
 *
 *   onnxg *g; onnxg_create("nb201", 0, &g);
 *   onnxg_input(g, "input", ONNXG_FLOAT, 4, (int64_t[]){1, 3, 32, 32});
 *   onnxg_weight(g, "stem.w", w, 4, (int64_t[]){16, 3, 3, 3});
 *   onnxg_node(g, "Conv", "stem", 2, (const char *[]){"input", "stem.w"}, "stem.y");
 *   onnxg_attr_ints(g, "pads", 4, (int64_t[]){1, 1, 1, 1});   (on the last node)
 *   onnxg_output(g, "stem.y", ONNXG_FLOAT, 4, (int64_t[]){1, 16, 32, 32});
 *   onnxg_write(g, "out.onnx", 17, NULL); onnxg_free(g);
 *
 * Every string and tensor is copied into the builder (one arena, freed by
 * onnxg_free). A "structural" builder (structural = 1) stores no weight
 * data: each weight becomes a graph input of the same name, type and
 * shape, so a model's graph can be checked and shape-inferred at a tiny
 * fraction of its size. */
#ifndef HW_ONNX_GRAPH_H
#define HW_ONNX_GRAPH_H

#include <stddef.h>
#include <stdint.h>

/* TensorProto.DataType values used here */
#define ONNXG_FLOAT 1
#define ONNXG_INT64 7

/* The IR version written (ONNX 1.12's, which ONNX Runtime >= 1.12 reads). */
#define ONNXG_IR_VERSION 8

typedef struct onnxg onnxg;

int onnxg_create(const char *graph_name, int structural, onnxg **out);
void onnxg_free(onnxg *g);
int onnxg_structural(const onnxg *g);

/* A graph input / output of elem_type with fixed dims (dims[i] >= 1). */
int onnxg_input(onnxg *g, const char *name, int elem_type, int ndims, const int64_t *dims);
int onnxg_output(onnxg *g, const char *name, int elem_type, int ndims, const int64_t *dims);

/* A float weight (initializer) of dims; data (prod(dims) floats, copied)
 * may be NULL only in a structural builder. Counted in onnxg_nparams. */
int onnxg_weight(onnxg *g, const char *name, const float *data, int ndims, const int64_t *dims);
/* Constant initializers (always stored, never counted as parameters):
 * int64 (shapes, axes) and float (scalars such as epsilons). */
int onnxg_const_i64(onnxg *g, const char *name, int n, const int64_t *v);
int onnxg_const_f32(onnxg *g, const char *name, int n, const float *v);

/* Appends node op_type(in[0..n_in-1]) -> out (one output); the node is
 * named `name`. Attributes go to the last node added. */
int onnxg_node(onnxg *g, const char *op_type, const char *name, int n_in, const char *const *in, const char *out);
int onnxg_attr_int(onnxg *g, const char *name, int64_t v);
int onnxg_attr_ints(onnxg *g, const char *name, int n, const int64_t *v);
int onnxg_attr_float(onnxg *g, const char *name, float v);

/* Weight elements added so far (structural builders count them too). */
int64_t onnxg_nparams(const onnxg *g);
int onnxg_nnodes(const onnxg *g);

/* Serialises the ModelProto (IR ONNXG_IR_VERSION, default domain at
 * `opset`, producer "hwnas", doc_string doc unless NULL) to path: temp file + fsync + rename + fsync
 * of the directory. 0, or -1 with "PATH: ..." in hw_errmsg(). */
int onnxg_write(onnxg *g, const char *path, int opset, const char *doc);

#endif
