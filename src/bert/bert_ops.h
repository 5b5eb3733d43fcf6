/* bert_ops: the forward/backward kernels of the BERT encoder, llm.c style.
 *
 * Conventions: activations are row-major (N = B*T rows). Weight matrices
 * are (OC rows, C columns) with a row stride `ldw` >= C, so that a
 * sub-network can run directly on the top-left block of a larger supernet
 * matrix (weight sharing). Every backward ACCUMULATES (+=) into its dinp and
 * dparam outputs; callers zero them. Matrix products go through OpenBLAS
 * cblas_sgemm. All kernels are exposed so that tests/unit/test_bert_ops.c can
 * check each one against finite differences. */
#ifndef HW_BERT_OPS_H
#define HW_BERT_OPS_H

#include <stdint.h>

#include "rng.h"

/* out(B,T,H) = wte[tok] + wpe[t] + wtt[seg]  (tables have row stride ld). */
void bert_embed_forward(float *out, const int *tok, const int *seg, const float *wte, const float *wpe,
                        const float *wtt, int ld, int B, int T, int H);
void bert_embed_backward(float *dwte, float *dwpe, float *dwtt, const float *dout, const int *tok, const int *seg,
                         int ld, int B, int T, int H);

/* out(N,H), mean(N), rstd(N) = LayerNorm(inp(N,H)) * w + b, eps inside sqrt. */
void bert_layernorm_forward(float *out, float *mean, float *rstd, const float *inp, const float *w, const float *b,
                            int N, int H, float eps);
void bert_layernorm_backward(float *dinp, float *dw, float *db, const float *dout, const float *inp, const float *w,
                             const float *mean, const float *rstd, int N, int H);

/* out(N,OC) = inp(N,C) @ w(OC,C;ldw)^T + b(OC). b may be NULL. */
void bert_matmul_forward(float *out, const float *inp, const float *w, const float *b, int N, int C, int OC, int ldw);
/* dinp(N,C) += dout @ w; dw(OC,C;ldw) += dout^T @ inp; db(OC) += colsum(dout).
 * dinp may be NULL (input needs no gradient). */
void bert_matmul_backward(float *dinp, float *dw, float *db, const float *dout, const float *inp, const float *w,
                          int N, int C, int OC, int ldw);

/* Multi-head self-attention core. q,k,v,out are (B,T,H) with A heads of
 * size H/A; att(B,A,T,T) holds the softmax probabilities; mask(B,T) is 1 for
 * real tokens and 0 for padding (keys with mask 0 get probability 0; NULL =
 * no padding). Scores are scaled by 1/sqrt(H/A). */
void bert_attention_forward(float *out, float *att, const float *q, const float *k, const float *v, const int *mask,
                            int B, int T, int H, int A);
/* dq,dk,dv(B,T,H) += ...; scratch(T,T) is workspace. */
void bert_attention_backward(float *dq, float *dk, float *dv, float *scratch, const float *dout, const float *q,
                             const float *k, const float *v, const float *att, int B, int T, int H, int A);

/* Attention of the [CLS] query only (inference of the last layer):
 * q(B,H) holds the query of position 0 of each row; k,v are (B,T,H);
 * att(B,A,T) receives the probabilities; out(B,H). */
void bert_attention_cls_forward(float *out, float *att, const float *q, const float *k, const float *v,
                                const int *mask, int B, int T, int H, int A);

/* Exact (erf) GELU, as BERT: out = x * Phi(x). */
void bert_gelu_forward(float *out, const float *inp, int n);
void bert_gelu_backward(float *dinp, const float *inp, const float *dout, int n);

void bert_tanh_forward(float *out, const float *inp, int n);
/* dinp += dout * (1 - out^2), from the forward OUTPUT. */
void bert_tanh_backward(float *dinp, const float *out, const float *dout, int n);

/* out = a + b (n). */
void bert_residual_forward(float *out, const float *a, const float *b, int n);

/* Inverted dropout: mask(n) is 0 or 1/(1-p); out = inp * mask. p == 0 (or
 * rng NULL) writes mask = 1. */
void bert_dropout_forward(float *out, float *mask, const float *inp, float p, hw_rng *rng, int n);
void bert_dropout_backward(float *dinp, const float *mask, const float *dout, int n);

/* Mean cross-entropy over B rows: probs(B,NC) = softmax(logits); returns the
 * mean loss. Labels must be in 0..NC-1. */
float bert_crossentropy_forward(float *probs, const float *logits, const int *labels, int B, int NC);
/* dlogits(B,NC) += (probs - onehot) / B. */
void bert_crossentropy_backward(float *dlogits, const float *probs, const int *labels, int B, int NC);

#endif
