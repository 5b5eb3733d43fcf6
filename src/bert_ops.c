/* bert_ops: kernels of the BERT encoder (see bert_ops.h for conventions). */
#include "bert_ops.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

void bert_embed_forward(float *out, const int *tok, const int *seg, const float *wte, const float *wpe,
                        const float *wtt, int ld, int B, int T, int H) {
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            int i = b * T + t;
            const float *e = wte + (size_t)tok[i] * ld, *p = wpe + (size_t)t * ld;
            const float *s = wtt + (size_t)(seg ? seg[i] : 0) * ld;
            float *o = out + (size_t)i * H;
            for (int h = 0; h < H; h++) o[h] = e[h] + p[h] + s[h];
        }
}

void bert_embed_backward(float *dwte, float *dwpe, float *dwtt, const float *dout, const int *tok, const int *seg,
                         int ld, int B, int T, int H) {
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            int i = b * T + t;
            float *e = dwte + (size_t)tok[i] * ld, *p = dwpe + (size_t)t * ld;
            float *s = dwtt + (size_t)(seg ? seg[i] : 0) * ld;
            const float *d = dout + (size_t)i * H;
            for (int h = 0; h < H; h++) {
                e[h] += d[h];
                p[h] += d[h];
                s[h] += d[h];
            }
        }
}

void bert_layernorm_forward(float *out, float *mean, float *rstd, const float *inp, const float *w, const float *b,
                            int N, int H, float eps) {
    for (int i = 0; i < N; i++) {
        const float *x = inp + (size_t)i * H;
        float m = 0.0f;
        for (int h = 0; h < H; h++) m += x[h];
        m /= (float)H;
        float v = 0.0f;
        for (int h = 0; h < H; h++) {
            float d = x[h] - m;
            v += d * d;
        }
        v /= (float)H;
        float s = 1.0f / sqrtf(v + eps);
        float *o = out + (size_t)i * H;
        for (int h = 0; h < H; h++) o[h] = (x[h] - m) * s * w[h] + b[h];
        mean[i] = m;
        rstd[i] = s;
    }
}

void bert_layernorm_backward(float *dinp, float *dw, float *db, const float *dout, const float *inp, const float *w,
                             const float *mean, const float *rstd, int N, int H) {
    for (int i = 0; i < N; i++) {
        const float *x = inp + (size_t)i * H, *d = dout + (size_t)i * H;
        float *dx = dinp + (size_t)i * H;
        float m = mean[i], s = rstd[i];
        float dnorm_mean = 0.0f, dnorm_norm_mean = 0.0f;
        for (int h = 0; h < H; h++) {
            float n = (x[h] - m) * s, dn = w[h] * d[h];
            dnorm_mean += dn;
            dnorm_norm_mean += dn * n;
        }
        dnorm_mean /= (float)H;
        dnorm_norm_mean /= (float)H;
        for (int h = 0; h < H; h++) {
            float n = (x[h] - m) * s, dn = w[h] * d[h];
            db[h] += d[h];
            dw[h] += n * d[h];
            dx[h] += (dn - dnorm_mean - n * dnorm_norm_mean) * s;
        }
    }
}

void bert_matmul_forward(float *out, const float *inp, const float *w, const float *b, int N, int C, int OC, int ldw) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, OC, C, 1.0f, inp, C, w, ldw, 0.0f, out, OC);
    if (!b) return;
    for (int i = 0; i < N; i++) {
        float *o = out + (size_t)i * OC;
        for (int j = 0; j < OC; j++) o[j] += b[j];
    }
}

void bert_matmul_backward(float *dinp, float *dw, float *db, const float *dout, const float *inp, const float *w,
                          int N, int C, int OC, int ldw) {
    if (dinp) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, C, OC, 1.0f, dout, OC, w, ldw, 1.0f, dinp, C);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, OC, C, N, 1.0f, dout, OC, inp, C, 1.0f, dw, ldw);
    if (!db) return;
    for (int i = 0; i < N; i++) {
        const float *d = dout + (size_t)i * OC;
        for (int j = 0; j < OC; j++) db[j] += d[j];
    }
}

void bert_attention_forward(float *out, float *att, const float *q, const float *k, const float *v, const int *mask,
                            int B, int T, int H, int A) {
    int hs = H / A;
    float scale = 1.0f / sqrtf((float)hs);
    for (int b = 0; b < B; b++) {
        const int *mk = mask ? mask + (size_t)b * T : NULL;
        for (int a = 0; a < A; a++) {
            size_t off = (size_t)b * T * H + (size_t)a * hs;
            float *p = att + ((size_t)b * A + a) * T * T;
            /* p(T,T) = scale * q_ba(T,hs) @ k_ba(T,hs)^T */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, T, hs, scale, q + off, H, k + off, H, 0.0f, p, T);
            for (int i = 0; i < T; i++) {
                float *r = p + (size_t)i * T, mx = -INFINITY;
                for (int j = 0; j < T; j++)
                    if ((!mk || mk[j]) && r[j] > mx) mx = r[j];
                float sum = 0.0f;
                for (int j = 0; j < T; j++) {
                    r[j] = (!mk || mk[j]) ? expf(r[j] - mx) : 0.0f;
                    sum += r[j];
                }
                float inv = sum > 0.0f ? 1.0f / sum : 0.0f;
                for (int j = 0; j < T; j++) r[j] *= inv;
            }
            /* out_ba(T,hs) = p(T,T) @ v_ba(T,hs) */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, hs, T, 1.0f, p, T, v + off, H, 0.0f, out + off, H);
        }
    }
}

void bert_attention_backward(float *dq, float *dk, float *dv, float *scratch, const float *dout, const float *q,
                             const float *k, const float *v, const float *att, int B, int T, int H, int A) {
    int hs = H / A;
    float scale = 1.0f / sqrtf((float)hs);
    for (int b = 0; b < B; b++)
        for (int a = 0; a < A; a++) {
            size_t off = (size_t)b * T * H + (size_t)a * hs;
            const float *p = att + ((size_t)b * A + a) * T * T;
            /* datt(T,T) = dout_ba @ v_ba^T; dv_ba += p^T @ dout_ba */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, T, hs, 1.0f, dout + off, H, v + off, H, 0.0f,
                        scratch, T);
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, T, hs, T, 1.0f, p, T, dout + off, H, 1.0f, dv + off,
                        H);
            /* softmax backward: dpre = p * (datt - sum_j p*datt) */
            for (int i = 0; i < T; i++) {
                const float *pr = p + (size_t)i * T;
                float *dr = scratch + (size_t)i * T, dot = 0.0f;
                for (int j = 0; j < T; j++) dot += pr[j] * dr[j];
                for (int j = 0; j < T; j++) dr[j] = pr[j] * (dr[j] - dot);
            }
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, hs, T, scale, scratch, T, k + off, H, 1.0f,
                        dq + off, H);
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, T, hs, T, scale, scratch, T, q + off, H, 1.0f,
                        dk + off, H);
        }
}

#define INV_SQRT2 0.70710678118654752f
#define INV_SQRT2PI 0.39894228040143268f

void bert_gelu_forward(float *out, const float *inp, int n) {
    for (int i = 0; i < n; i++) out[i] = 0.5f * inp[i] * (1.0f + erff(inp[i] * INV_SQRT2));
}

void bert_gelu_backward(float *dinp, const float *inp, const float *dout, int n) {
    for (int i = 0; i < n; i++) {
        float x = inp[i];
        float cdf = 0.5f * (1.0f + erff(x * INV_SQRT2)), pdf = INV_SQRT2PI * expf(-0.5f * x * x);
        dinp[i] += dout[i] * (cdf + x * pdf);
    }
}

void bert_tanh_forward(float *out, const float *inp, int n) {
    for (int i = 0; i < n; i++) out[i] = tanhf(inp[i]);
}

void bert_tanh_backward(float *dinp, const float *out, const float *dout, int n) {
    for (int i = 0; i < n; i++) dinp[i] += dout[i] * (1.0f - out[i] * out[i]);
}

void bert_residual_forward(float *out, const float *a, const float *b, int n) {
    for (int i = 0; i < n; i++) out[i] = a[i] + b[i];
}

void bert_dropout_forward(float *out, float *mask, const float *inp, float p, hw_rng *rng, int n) {
    if (p <= 0.0f || !rng) {
        for (int i = 0; i < n; i++) mask[i] = 1.0f;
        if (out != inp) memcpy(out, inp, (size_t)n * sizeof *out);
        return;
    }
    /* keep with probability 1-p: compare 24 random bits to a threshold */
    uint32_t thr = (uint32_t)(p * 16777216.0f);
    float keep = 1.0f / (1.0f - p);
    for (int i = 0; i < n; i += 2) {
        uint64_t r = rng_next(rng);
        mask[i] = (uint32_t)(r >> 40) >= thr ? keep : 0.0f;
        if (i + 1 < n) mask[i + 1] = (uint32_t)((r >> 8) & 0xffffffu) >= thr ? keep : 0.0f;
    }
    for (int i = 0; i < n; i++) out[i] = inp[i] * mask[i];
}

void bert_dropout_backward(float *dinp, const float *mask, const float *dout, int n) {
    for (int i = 0; i < n; i++) dinp[i] += dout[i] * mask[i];
}

float bert_crossentropy_forward(float *probs, const float *logits, const int *labels, int B, int NC) {
    double loss = 0.0;
    for (int b = 0; b < B; b++) {
        const float *l = logits + (size_t)b * NC;
        float *p = probs + (size_t)b * NC, mx = l[0], sum = 0.0f;
        for (int c = 1; c < NC; c++) mx = l[c] > mx ? l[c] : mx;
        for (int c = 0; c < NC; c++) sum += (p[c] = expf(l[c] - mx));
        for (int c = 0; c < NC; c++) p[c] /= sum;
        loss += -(double)(l[labels[b]] - mx - logf(sum));
    }
    return (float)(loss / B);
}

void bert_crossentropy_backward(float *dlogits, const float *probs, const int *labels, int B, int NC) {
    float inv = 1.0f / (float)B;
    for (int b = 0; b < B; b++)
        for (int c = 0; c < NC; c++)
            dlogits[(size_t)b * NC + c] += (probs[(size_t)b * NC + c] - (c == labels[b] ? 1.0f : 0.0f)) * inv;
}
