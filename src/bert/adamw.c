/* adamw: AdamW with warm-up / linear decay (see adamw.h). Compiled at -O3
 * and cloned for x86-64-v3 (AVX2+FMA) so the update loop vectorises. */
#pragma GCC optimize("O3")
#include "adamw.h"

#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define ADAMW_VEC __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define ADAMW_VEC
#endif

#include <math.h>

void adamw_cfg_default(adamw_cfg *c) {
    c->lr = 1e-3f;
    c->beta1 = 0.9f;
    c->beta2 = 0.999f;
    c->eps = 1e-8f;
    c->weight_decay = 0.01f;
    c->clip = 1.0f;
    c->warmup = 0;
    c->total = 0;
}

float adamw_lr_at(const adamw_cfg *c, long t) {
    if (c->warmup > 0 && t < c->warmup) return c->lr * (float)(t + 1) / (float)c->warmup;
    if (c->total <= 0) return c->lr;
    if (t >= c->total) return 0.0f;
    long span = c->total - c->warmup;
    if (span <= 0) return 0.0f;
    return c->lr * (float)(c->total - t) / (float)span;
}

ADAMW_VEC double adamw_norm(const float *g, size_t n) {
    double s[8] = {0, 0, 0, 0, 0, 0, 0, 0}; /* a fixed order that vectorises */
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; j++) s[j] += (double)g[i + j] * g[i + j];
    for (; i < n; i++) s[0] += (double)g[i] * g[i];
    return sqrt(((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7])));
}

/* sqrt(x) for x >= 0 from the bit-trick reciprocal square root refined by
 * three Newton steps (relative error ~1e-7): unlike sqrtf it vectorises
 * without -fno-math-errno, which a per-file pragma cannot set. */
static inline float vsqrtf(float x) {
    int32_t i;
    float y;
    memcpy(&i, &x, sizeof i);
    i = 0x5f375a86 - (i >> 1);
    memcpy(&y, &i, sizeof y);
    y = y * (1.5f - 0.5f * x * y * y);
    y = y * (1.5f - 0.5f * x * y * y);
    y = y * (1.5f - 0.5f * x * y * y);
    return x * y;
}

ADAMW_VEC void adamw_update(float *p, float *g, float *m, float *v, size_t n, const adamw_cfg *c, float lr, long t,
                  int decay, float gscale) {
    float b1 = c->beta1, b2 = c->beta2;
    float c1 = 1.0f - powf(b1, (float)t), c2 = 1.0f - powf(b2, (float)t);
    float wd = decay ? c->weight_decay : 0.0f, eps = c->eps, ic1 = 1.0f / c1, ic2 = 1.0f / c2;
    for (size_t i = 0; i < n; i++) {
        float gi = g[i] * gscale;
        g[i] = 0.0f; /* consumed: gradients restart from zero */
        float mi = m[i] = b1 * m[i] + (1.0f - b1) * gi;
        float vi = v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
        float mh = mi * ic1, vh = vi * ic2;
        p[i] -= lr * (mh / (vsqrtf(vh) + eps) + wd * p[i]);
    }
}
