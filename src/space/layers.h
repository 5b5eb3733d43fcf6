/* layers: the layer lists of candidate networks, as seen by the cost
 * models (accel.h). A network is a flat array of layer descriptors; each
 * descriptor is one problem shape with a multiplicity (`count`), so the
 * lists can be either expanded (one entry per layer instance, for
 * inspection) or merged (identical shapes folded, for speed in the search).
 *
 * Shapes use Timeloop's conv notation per group: N batch, C input channels,
 * K output channels, H x W input, P x Q output, R x S kernel, stride.
 *   conv    : G = 1 (or groups), weights K*C*R*S per group
 *   dwconv  : depthwise; G = channels, C = K = 1 per group
 *   matmul  : [M x D] x [D x Nn] as conv with P = M, Q = 1, C = D, K = Nn,
 *             R = S = 1; G independent problems (e.g. heads x batch);
 *             `act_b` = 1 when the second operand is an activation (attention)
 *   pool    : window R x S over K = C channels (no weights), `ops` per window tap
 *   eltwise : `n_in` input tensors of the output's shape (N, K, P, Q),
 *             `ops` operations per output element (add 1, softmax ~5, ...);
 *             `fused` = 1: a sum folded into the producing conv/pool's
 *             partial-sum accumulation (the n_in other addends are loaded
 *             as initial psums; no pass, no output of its own) */
#ifndef HW_LAYERS_H
#define HW_LAYERS_H

#include <stddef.h>

#include "space.h"

typedef enum { LAYER_CONV = 0, LAYER_DWCONV, LAYER_MATMUL, LAYER_POOL, LAYER_ELTWISE, LAYER_NKINDS } layer_kind;

extern const char *const layer_kind_names[LAYER_NKINDS];

#define LAYER_NAME_MAX 40

typedef struct net_layer {
    layer_kind kind;
    int g;           /* independent groups (depthwise channels, heads x batch) */
    int n;           /* batch */
    int c, k;        /* input / output channels per group */
    int h, w;        /* input spatial size */
    int p, q;        /* output spatial size */
    int r, s;        /* kernel (pool window) */
    int stride;
    int n_in;        /* eltwise: number of input tensors */
    int ops;         /* pool/eltwise: operations per tap / per element */
    int act_b;       /* matmul: second operand is an activation */
    int fused;       /* eltwise: folded into the producer's psum accumulation */
    double zero_in;  /* fraction of zeros in the input / output activations */
    double zero_out; /* (0 = dense; used for run-length-coded DRAM traffic) */
    int count;       /* multiplicity (>= 1) */
    char name[LAYER_NAME_MAX];
} net_layer;

/* Growable layer list (one allocation, reused across calls: no allocation
 * per network once grown). */
typedef struct layer_list {
    net_layer *v;    /* [cap] */
    int n, cap;
    int merge;       /* 1: identical shapes are folded into one entry */
} layer_list;

void layer_list_init(layer_list *l, int merge);
void layer_list_free(layer_list *l);
void layer_list_clear(layer_list *l);
/* Appends a layer (merging it into an identical earlier shape when the list
 * merges). Names of merged entries keep the first instance's name. */
void layer_list_add(layer_list *l, const net_layer *x);

/* Multiply-accumulates (or ops for pool/eltwise) of one instance. */
double layer_macs(const net_layer *x);
/* Element counts of one instance: weights (0 for pool/eltwise; the second
 * operand for matmul), input activations (all n_in tensors), outputs. */
double layer_weight_elems(const net_layer *x);
double layer_input_elems(const net_layer *x);
double layer_output_elems(const net_layer *x);
/* Totals over the list (count-weighted). */
double layer_list_macs(const layer_list *l);

/* Appenders shared by the builders (pad: zero padding on each side; output
 * size (hw + 2 pad - r) / stride + 1). Pool: ops = 1 per window tap. */
void layers_add_conv(layer_list *out, const char *name, int count, int batch, int groups, int c, int k, int hw, int r,
                     int stride, int pad);
void layers_add_pool(layer_list *out, const char *name, int count, int batch, int c, int hw, int r, int stride,
                     int pad);
void layers_add_eltwise(layer_list *out, const char *name, int count, int batch, int c, int hw, int n_in, int ops);
/* A residual/node sum folded into the producing conv or pool: n_in other
 * addends loaded as initial partial sums, one add per element each. */
void layers_add_psum_sum(layer_list *out, const char *name, int count, int batch, int c, int hw, int n_in);
/* Fully connected c -> k as a matmul [batch x c] x [c x k]. */
void layers_add_fc(layer_list *out, const char *name, int batch, int c, int k);

/* Layer builders (return 0; -1 with a message if the genome or space does
 * not fit). Conventions are in docs/codesign.md. */

/* NAS-Bench-201 network, CIFAR-10 shape (3x32x32, batch `batch`): stem
 * conv3x3 3->16 + BN, 3 stages of 5 cells (C = 16, 32, 64 at 32, 16, 8
 * pixels), ResNet reduction blocks between stages, BN-ReLU, global average
 * pool, linear C -> 10. Cell edge ops: nor_conv = ReLU-Conv-BN (BN folded,
 * ReLU fused), avg_pool_3x3 (stride 1), skip (no compute), none (nothing);
 * each node with >= 2 incoming non-none edges pays an element-wise sum. */
int layers_nb201(const space *s, const hw_genome *g, int batch, layer_list *out);
/* Same from the 6 op codes directly (0 none .. 4 avg_pool_3x3). */
void layers_nb201_ops(const int ops[6], int batch, layer_list *out);

/* BERT encoder from the bert space: per layer QKV projections, per-head
 * score and mix matmuls, softmax, output projection, add+LayerNorm, FFN
 * (with GELU), add+LayerNorm; then the pooler (H x H) and a 2-way
 * classifier. Embedding lookups are not counted. */
int layers_bert(const space *s, const hw_genome *g, int seq_len, int batch, layer_list *out);
void layers_bert_shape(const bert_shape *b, int seq_len, int batch, layer_list *out);

/* AlexNet (227x227, CONV2/4/5 in 2 groups as Eyeriss runs it) and VGG-16
 * (224x224) for ImageNet, batch `batch`; conv_only: just the conv layers
 * (CONV1..CONV5 / CONV1-1..CONV5-3, the layers of Eyeriss's published
 * tables), else with max pools and FC layers too. Layer names as in those
 * tables. Conventions in docs/codesign.md. */
int layers_alexnet(int batch, int conv_only, layer_list *out);
int layers_vgg16(int batch, int conv_only, layer_list *out);

#endif
