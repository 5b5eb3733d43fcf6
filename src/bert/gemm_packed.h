/* gemm_packed: out = inp @ w^T over a weight matrix packed ONCE into
 * column panels, for the batch-1 / short-sequence inference forward.
 *
 * OpenBLAS re-packs the weight operand on every sgemm call; at N = 1..128
 * rows that costs about as much as the multiply. Here the weights are
 * packed at model load and a register-blocked micro-kernel (MR rows x
 * GEMM_PACKED_NR columns of accumulators) streams the panels directly:
 * AVX2+FMA on x86-64 (chosen at run time with
 * __builtin_cpu_supports), NEON on aarch64, portable C elsewhere. One
 * thread; training keeps OpenBLAS.
 *
 * Packed layout of w(OC rows, C cols; row stride ldw): ceil(OC/NR) panels
 * of ldk x NR floats (ldk = C at pack time), panel p holding
 * w[p*NR + j][k] at [k*NR + j]; rows past OC are zero. Because k is the
 * panel's outer index, a sub-network using the top-left (OC' <= OC,
 * C' <= C) block of w runs on the same packed panels with ldk = C
 * (weight sharing, as bert_ops.h's ldw). */
#ifndef HW_GEMM_PACKED_H
#define HW_GEMM_PACKED_H

#include <stddef.h>

#define GEMM_PACKED_NR 16

/* Floats needed to pack a matrix of OC rows and C columns. */
size_t gemm_packed_size(int OC, int C);

/* wp(gemm_packed_size(OC,C)) = w(OC,C;ldw) packed in panels of ldk = C. */
void gemm_packed_pack(float *wp, const float *w, int OC, int C, int ldw);

/* out(N,OC) = inp(N,C) @ w(OC,C)^T + b(OC), w given as wp packed with
 * panel depth ldk >= C (the C it was packed with) and at least OC rows.
 * b may be NULL. Results equal bert_matmul_forward's up to float
 * summation order. */
void gemm_packed_forward(float *out, const float *inp, const float *wp, const float *b, int N, int C, int OC,
                         int ldk);

/* The micro-kernel in use: "avx2", "neon" or "portable". */
const char *gemm_packed_isa(void);

/* Selects a micro-kernel by name (NULL = the best this CPU supports, the
 * default); -1 with a message if this build or CPU lacks it. For tests and
 * benchmarks; not thread-safe against running forwards. */
int gemm_packed_select(const char *isa);

#endif
