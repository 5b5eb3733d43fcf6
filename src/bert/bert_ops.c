/* bert_ops: kernels of the BERT encoder (see bert_ops.h for conventions).
 *
 * The element-wise loops are compiled at -O3 and, on x86-64 with GCC, also
 * cloned for x86-64-v3 (AVX2 + FMA) with run-time dispatch (target_clones),
 * so that they vectorise without -march=native. exp and erf use
 * branch-free approximations that vectorise (relative error ~1e-7,
 * erf absolute error <= 1.5e-7, Abramowitz & Stegun 7.1.26). Float
 * reductions (sums) run in 8 interleaved partial sums combined in a fixed
 * order (sum8, dot8): they vectorise without reassociation, and results
 * do not depend on the vector width. */
#pragma GCC optimize("O3")
#include "bert_ops.h"

#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define BERT_VEC __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define BERT_VEC
#endif

/* exp(x) for -4e6 < x <= 88 (Cephes expf polynomial; 0 below -87.3):
 * round-to-nearest by the 1.5*2^23 shift trick and an arithmetic
 * underflow mask, so the loops using it vectorise with no float compares
 * (a per-file pragma cannot give the target clones -fno-trapping-math). */
static inline float fast_expf(float x) {
    const float shift = 12582912.0f;
    float k = x * 1.44269504088896341f + shift;
    int32_t kb, sb;
    memcpy(&kb, &k, sizeof kb);
    memcpy(&sb, &shift, sizeof sb);
    int32_t i = kb - sb; /* round(x * log2(e)) */
    float n = k - shift;
    float r = x - n * 0.693359375f + n * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    float y = p * r * r + r + 1.0f;
    /* 2^i as float bits, zero when i < -126 */
    uint32_t bits = ((uint32_t)(i + 127) << 23) & ~(uint32_t)((i + 126) >> 31);
    float sc;
    memcpy(&sc, &bits, sizeof sc);
    return y * sc;
}

/* erf(x), Abramowitz & Stegun 7.1.26 (|error| <= 1.5e-7); |x| is capped
 * at 10 (erf = 1 in float) with integer arithmetic on its bits. */
static inline float fast_erff(float x) {
    float a = fabsf(x), ten = 10.0f;
    int32_t ab, tb;
    memcpy(&ab, &a, sizeof ab);
    memcpy(&tb, &ten, sizeof tb);
    int32_t d = ab - tb;
    ab = tb + (d & (d >> 31)); /* min(|x|, 10) for non-negative floats */
    memcpy(&a, &ab, sizeof a);
    float t = 1.0f / (1.0f + 0.3275911f * a);
    float p = ((((1.061405429f * t - 1.453152027f) * t + 1.421413741f) * t - 0.284496736f) * t + 0.254829592f) * t;
    return copysignf(1.0f - p * fast_expf(-a * a), x);
}

/* sum of a[i] * b[i] over n (b NULL: sum of a[i]) in 8 partial sums
 * s[i % 8], combined pairwise: one fixed order of float operations. */
static inline float dot8(const float *a, const float *b, int n) {
    float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; j++) s[j] += a[i + j] * (b ? b[i + j] : 1.0f);
    for (int j = 0; i < n; i++, j++) s[j] += a[i] * (b ? b[i] : 1.0f);
    return ((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7]));
}

BERT_VEC void bert_embed_forward(float *out, const int *tok, const int *seg, const float *wte, const float *wpe,
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

BERT_VEC void bert_embed_backward(float *dwte, float *dwpe, float *dwtt, const float *dout, const int *tok, const int *seg,
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

BERT_VEC void bert_layernorm_forward(float *out, float *mean, float *rstd, const float *inp, const float *w, const float *b,
                            int N, int H, float eps) {
    for (int i = 0; i < N; i++) {
        const float *x = inp + (size_t)i * H;
        float *o = out + (size_t)i * H;
        float m = dot8(x, NULL, H) / (float)H;
        for (int h = 0; h < H; h++) o[h] = x[h] - m; /* deviations, normalised in place below */
        float v = dot8(o, o, H) / (float)H;
        float s = 1.0f / sqrtf(v + eps);
        for (int h = 0; h < H; h++) o[h] = o[h] * s * w[h] + b[h];
        mean[i] = m;
        rstd[i] = s;
    }
}

BERT_VEC void bert_layernorm_backward(float *dinp, float *dw, float *db, const float *dout, const float *inp, const float *w,
                             const float *mean, const float *rstd, int N, int H) {
    for (int i = 0; i < N; i++) {
        const float *x = inp + (size_t)i * H, *d = dout + (size_t)i * H;
        float *dx = dinp + (size_t)i * H;
        float m = mean[i], s = rstd[i];
        float sp[8] = {0, 0, 0, 0, 0, 0, 0, 0}, sq[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (int h = 0; h < H; h++) { /* 8 partial sums each, as dot8 */
            float n = (x[h] - m) * s, dn = w[h] * d[h];
            sp[h & 7] += dn;
            sq[h & 7] += dn * n;
        }
        float dnorm_mean = (((sp[0] + sp[4]) + (sp[2] + sp[6])) + ((sp[1] + sp[5]) + (sp[3] + sp[7]))) / (float)H;
        float dnorm_norm_mean = (((sq[0] + sq[4]) + (sq[2] + sq[6])) + ((sq[1] + sq[5]) + (sq[3] + sq[7]))) / (float)H;
        for (int h = 0; h < H; h++) {
            float n = (x[h] - m) * s, dn = w[h] * d[h];
            db[h] += d[h];
            dw[h] += n * d[h];
            dx[h] += (dn - dnorm_mean - n * dnorm_norm_mean) * s;
        }
    }
}

void bert_matmul_forward(float *out, const float *inp, const float *w, const float *b, int N, int C, int OC, int ldw) {
    if (b) { /* out = bias, then out += inp @ w^T */
        for (int i = 0; i < N; i++) memcpy(out + (size_t)i * OC, b, (size_t)OC * sizeof *out);
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, OC, C, 1.0f, inp, C, w, ldw, b ? 1.0f : 0.0f, out, OC);
}

BERT_VEC static void colsum_add(float *db, const float *dout, int N, int OC) {
    for (int i = 0; i < N; i++) {
        const float *d = dout + (size_t)i * OC;
        for (int j = 0; j < OC; j++) db[j] += d[j];
    }
}

void bert_matmul_backward(float *dinp, float *dw, float *db, const float *dout, const float *inp, const float *w,
                          int N, int C, int OC, int ldw) {
    if (dinp) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, C, OC, 1.0f, dout, OC, w, ldw, 1.0f, dinp, C);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, OC, C, N, 1.0f, dout, OC, inp, C, 1.0f, dw, ldw);
    if (db) colsum_add(db, dout, N, OC);
}

/* In-place masked softmax of one score row r(T); mask NULL = all valid. */
BERT_VEC static void softmax_row(float *r, const int *mk, int T) {
    float mx = -INFINITY;
    if (mk) {
        for (int j = 0; j < T; j++)
            if (mk[j] && r[j] > mx) mx = r[j];
        for (int j = 0; j < T; j++) r[j] = mk[j] ? fast_expf(r[j] - mx) : 0.0f;
    } else {
        float m8[8] = {mx, mx, mx, mx, mx, mx, mx, mx}; /* 8 partial maxima: vectorises */
        int j = 0;
        for (; j + 8 <= T; j += 8)
            for (int q = 0; q < 8; q++) m8[q] = r[j + q] > m8[q] ? r[j + q] : m8[q];
        for (; j < T; j++) m8[0] = r[j] > m8[0] ? r[j] : m8[0];
        for (int q = 0; q < 8; q++) mx = m8[q] > mx ? m8[q] : mx;
        for (j = 0; j < T; j++) r[j] = fast_expf(r[j] - mx);
    }
    float sum = dot8(r, NULL, T);
    float inv = sum > 0.0f ? 1.0f / sum : 0.0f;
    for (int j = 0; j < T; j++) r[j] *= inv;
}

BERT_VEC static void softmax_grad_row(float *dr, const float *pr, int T) {
    float dot = dot8(pr, dr, T);
    for (int j = 0; j < T; j++) dr[j] = pr[j] * (dr[j] - dot);
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
            for (int i = 0; i < T; i++) softmax_row(p + (size_t)i * T, mk, T);
            /* out_ba(T,hs) = p(T,T) @ v_ba(T,hs) */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, hs, T, 1.0f, p, T, v + off, H, 0.0f, out + off, H);
        }
    }
}

BERT_VEC void bert_attention_cls_forward(float *out, float *att, const float *q, const float *k, const float *v,
                                         const int *mask, int B, int T, int H, int A) {
    int hs = H / A;
    float scale = 1.0f / sqrtf((float)hs);
    for (int b = 0; b < B; b++)
        for (int a = 0; a < A; a++) {
            const float *qa = q + (size_t)b * H + (size_t)a * hs;
            float *p = att + ((size_t)b * A + a) * T, *o = out + (size_t)b * H + (size_t)a * hs;
            for (int j = 0; j < T; j++) {
                const float *kj = k + ((size_t)b * T + j) * H + (size_t)a * hs;
                float d = 0.0f;
                for (int i = 0; i < hs; i++) d += qa[i] * kj[i];
                p[j] = d * scale;
            }
            softmax_row(p, mask ? mask + (size_t)b * T : NULL, T);
            for (int i = 0; i < hs; i++) o[i] = 0.0f;
            for (int j = 0; j < T; j++) {
                const float *vj = v + ((size_t)b * T + j) * H + (size_t)a * hs;
                for (int i = 0; i < hs; i++) o[i] += p[j] * vj[i];
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
            for (int i = 0; i < T; i++) softmax_grad_row(scratch + (size_t)i * T, p + (size_t)i * T, T);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, hs, T, scale, scratch, T, k + off, H, 1.0f,
                        dq + off, H);
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, T, hs, T, scale, scratch, T, q + off, H, 1.0f,
                        dk + off, H);
        }
}

#define INV_SQRT2 0.70710678118654752f
#define INV_SQRT2PI 0.39894228040143268f

BERT_VEC void bert_gelu_forward(float *out, const float *inp, int n) {
    for (int i = 0; i < n; i++) out[i] = 0.5f * inp[i] * (1.0f + fast_erff(inp[i] * INV_SQRT2));
}

BERT_VEC void bert_gelu_backward(float *dinp, const float *inp, const float *dout, int n) {
    for (int i = 0; i < n; i++) {
        float x = inp[i];
        float cdf = 0.5f * (1.0f + fast_erff(x * INV_SQRT2)), pdf = INV_SQRT2PI * fast_expf(-0.5f * x * x);
        dinp[i] += dout[i] * (cdf + x * pdf);
    }
}

void bert_tanh_forward(float *out, const float *inp, int n) {
    for (int i = 0; i < n; i++) out[i] = tanhf(inp[i]);
}

void bert_tanh_backward(float *dinp, const float *out, const float *dout, int n) {
    for (int i = 0; i < n; i++) dinp[i] += dout[i] * (1.0f - out[i] * out[i]);
}

BERT_VEC void bert_residual_forward(float *out, const float *a, const float *b, int n) {
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

BERT_VEC void bert_dropout_backward(float *dinp, const float *mask, const float *dout, int n) {
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
