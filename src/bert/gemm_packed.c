/* gemm_packed: GEMM over weights packed once (see gemm_packed.h).
 *
 * Loop nest of gemm_packed_forward, for out(N,OC) += inp(N,C) @ w^T:
 *   for each depth chunk of KC (the chunk of a panel, KC x NR floats =
 *   16 KB, stays in L1 while every row block passes over it)
 *     for each panel of NR output columns
 *       for each block of MR rows: micro-kernel, MR x NR accumulators in
 *       registers, k = 0..kc-1: one panel row loaded, MR broadcasts of
 *       inp, MR x NR/width FMAs.
 * inp is read in place (row stride C; no packing of the activations).
 * A panel whose columns run past OC is computed into a scratch tile and
 * only the valid columns are copied out. */
#pragma GCC optimize("O3")
#include "gemm_packed.h"

#include <stdatomic.h>
#include <string.h>

#include "hw_err.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define GP_X86 1
#include <immintrin.h>
#endif
#if defined(__aarch64__) && defined(__ARM_NEON)
#define GP_NEON 1
#include <arm_neon.h>
#endif

#define NR GEMM_PACKED_NR
#define KC 256
#define MR_MAX 6
#define MC 24
/* software prefetch distance in the panel stream (floats): 32 panel rows */
#ifndef PF_AHEAD
#define PF_AHEAD (32 * NR)
#endif

/* One micro-kernel call: c(mr,NR; ldc) = init(NR) + a(mr,kc; lda) @ bp(kc,NR)
 * (every row starts from the row vector init), or c += a @ bp if init is
 * NULL. */
typedef void (*gp_kernel)(int mr, const float *a, int lda, const float *bp, int kc, float *c, int ldc,
                          const float *init);

typedef struct gp_isa {
    const char *name;
    int mr;           /* rows per micro-kernel call */
    gp_kernel kernel;
} gp_isa;

size_t gemm_packed_size(int OC, int C) { return (size_t)((OC + NR - 1) / NR) * NR * (size_t)C; }

void gemm_packed_pack(float *wp, const float *w, int OC, int C, int ldw) {
    int np = (OC + NR - 1) / NR;
    for (int p = 0; p < np; p++) {
        float *dst = wp + (size_t)p * NR * C;
        for (int j = 0; j < NR; j++) {
            int r = p * NR + j;
            const float *src = w + (size_t)r * ldw;
            for (int k = 0; k < C; k++) dst[(size_t)k * NR + j] = r < OC ? src[k] : 0.0f;
        }
    }
}

/* Each micro-kernel is written once for a constant row count mr (always
 * inlined into a switch over mr), with one named accumulator per register
 * (rows >= mr fold away): GCC keeps named vectors in registers but spills
 * an array of them. */

/* Calls kern(mr, ...) with mr as a constant 1..6 (one inlined instance each). */
#define SWITCH_MR6(kern)                                  \
    switch (mr) {                                         \
    case 6: kern(6, a, lda, bp, kc, c, ldc, init); break;   \
    case 5: kern(5, a, lda, bp, kc, c, ldc, init); break;   \
    case 4: kern(4, a, lda, bp, kc, c, ldc, init); break;   \
    case 3: kern(3, a, lda, bp, kc, c, ldc, init); break;   \
    case 2: kern(2, a, lda, bp, kc, c, ldc, init); break;   \
    default: kern(1, a, lda, bp, kc, c, ldc, init); break;  \
    }

/* ------------------------------------------------------------ portable */

/* 2 x 16 in GNU C vectors of 4 floats (SSE2 on baseline x86-64, any
 * target GCC supports): 8 accumulators. */
typedef float gp_v4 __attribute__((vector_size(16)));

static inline gp_v4 v4_load(const float *p) {
    gp_v4 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void v4_store(float *p, gp_v4 v) { memcpy(p, &v, sizeof v); }

static inline __attribute__((always_inline)) void kern_c(int mr, const float *a, int lda, const float *bp, int kc,
                                                         float *c, int ldc, const float *init) {
    gp_v4 z = {0, 0, 0, 0};
#define PC_DECL(i) gp_v4 c##i##0 = z, c##i##1 = z, c##i##2 = z, c##i##3 = z;
#define PC_LOAD(i)                                              \
    if (mr > i) {                                               \
        const float *s_ = init ? init : c + (size_t)i * ldc;    \
        c##i##0 = v4_load(s_);                                  \
        c##i##1 = v4_load(s_ + 4);                              \
        c##i##2 = v4_load(s_ + 8);                              \
        c##i##3 = v4_load(s_ + 12);                             \
    }
#define PC_FMA(i)                                       \
    if (mr > i) {                                       \
        float x = a[(size_t)i * lda + k];               \
        c##i##0 += x * b0;                              \
        c##i##1 += x * b1;                              \
        c##i##2 += x * b2;                              \
        c##i##3 += x * b3;                              \
    }
#define PC_STORE(i)                                     \
    if (mr > i) {                                       \
        v4_store(c + (size_t)i * ldc, c##i##0);         \
        v4_store(c + (size_t)i * ldc + 4, c##i##1);     \
        v4_store(c + (size_t)i * ldc + 8, c##i##2);     \
        v4_store(c + (size_t)i * ldc + 12, c##i##3);    \
    }
    PC_DECL(0) PC_DECL(1)
    PC_LOAD(0) PC_LOAD(1)
    for (int k = 0; k < kc; k++) {
        const float *b = bp + (size_t)k * NR;
        gp_v4 b0 = v4_load(b), b1 = v4_load(b + 4), b2 = v4_load(b + 8), b3 = v4_load(b + 12);
        PC_FMA(0) PC_FMA(1)
    }
    PC_STORE(0) PC_STORE(1)
}

static void kernel_portable(int mr, const float *a, int lda, const float *bp, int kc, float *c, int ldc,
                            const float *init) {
    if (mr == 2)
        kern_c(2, a, lda, bp, kc, c, ldc, init);
    else
        kern_c(1, a, lda, bp, kc, c, ldc, init);
}

/* ----------------------------------------------------------------- x86 */
#ifdef GP_X86
/* 6 x 16: 12 ymm accumulators, 2 panel loads, 1 broadcast (15 of 16). */
static inline __attribute__((always_inline, target("avx2,fma"))) void kern_avx2(int mr, const float *a, int lda,
                                                                                  const float *bp, int kc, float *c,
                                                                                  int ldc, const float *init) {
    __m256 z = _mm256_setzero_ps();
#define A2_DECL(i) __m256 c##i##0 = z, c##i##1 = z;
#define A2_LOAD(i)                                                  \
    if (mr > i) {                                                   \
        const float *s_ = init ? init : c + (size_t)i * ldc;        \
        c##i##0 = _mm256_loadu_ps(s_);                              \
        c##i##1 = _mm256_loadu_ps(s_ + 8);                          \
    }
#define A2_FMA(i)                                                   \
    if (mr > i) {                                                   \
        __m256 x = _mm256_broadcast_ss(a + (size_t)i * lda + k);    \
        c##i##0 = _mm256_fmadd_ps(x, b0, c##i##0);                  \
        c##i##1 = _mm256_fmadd_ps(x, b1, c##i##1);                  \
    }
#define A2_STORE(i)                                                 \
    if (mr > i) {                                                   \
        _mm256_storeu_ps(c + (size_t)i * ldc, c##i##0);             \
        _mm256_storeu_ps(c + (size_t)i * ldc + 8, c##i##1);         \
    }
    A2_DECL(0) A2_DECL(1) A2_DECL(2) A2_DECL(3) A2_DECL(4) A2_DECL(5)
    A2_LOAD(0) A2_LOAD(1) A2_LOAD(2) A2_LOAD(3) A2_LOAD(4) A2_LOAD(5)
#pragma GCC unroll 4
    for (int k = 0; k < kc; k++) {
        _mm_prefetch((const char *)(bp + (size_t)k * NR + PF_AHEAD), _MM_HINT_T0);
        __m256 b0 = _mm256_loadu_ps(bp + (size_t)k * NR), b1 = _mm256_loadu_ps(bp + (size_t)k * NR + 8);
        A2_FMA(0) A2_FMA(1) A2_FMA(2) A2_FMA(3) A2_FMA(4) A2_FMA(5)
    }
    A2_STORE(0) A2_STORE(1) A2_STORE(2) A2_STORE(3) A2_STORE(4) A2_STORE(5)
}

__attribute__((target("avx2,fma"))) static void kernel_avx2(int mr, const float *a, int lda, const float *bp, int kc,
                                                             float *c, int ldc, const float *init) {
    SWITCH_MR6(kern_avx2);
}

#endif

/* ---------------------------------------------------------------- NEON */
#ifdef GP_NEON
/* 6 x 16: 24 q-register accumulators, 4 panel loads, 1 broadcast. */
static inline __attribute__((always_inline)) void kern_neon(int mr, const float *a, int lda, const float *bp, int kc,
                                                            float *c, int ldc, const float *init) {
    float32x4_t z = vdupq_n_f32(0.0f);
#define NE_DECL(i) float32x4_t c##i##0 = z, c##i##1 = z, c##i##2 = z, c##i##3 = z;
#define NE_LOAD(i)                                              \
    if (mr > i) {                                               \
        const float *s_ = init ? init : c + (size_t)i * ldc;    \
        c##i##0 = vld1q_f32(s_);                                \
        c##i##1 = vld1q_f32(s_ + 4);                            \
        c##i##2 = vld1q_f32(s_ + 8);                            \
        c##i##3 = vld1q_f32(s_ + 12);                           \
    }
#define NE_FMA(i)                                           \
    if (mr > i) {                                           \
        float32x4_t x = vld1q_dup_f32(a + (size_t)i * lda + k); \
        c##i##0 = vfmaq_f32(c##i##0, x, b0);                \
        c##i##1 = vfmaq_f32(c##i##1, x, b1);                \
        c##i##2 = vfmaq_f32(c##i##2, x, b2);                \
        c##i##3 = vfmaq_f32(c##i##3, x, b3);                \
    }
#define NE_STORE(i)                                         \
    if (mr > i) {                                           \
        vst1q_f32(c + (size_t)i * ldc, c##i##0);            \
        vst1q_f32(c + (size_t)i * ldc + 4, c##i##1);        \
        vst1q_f32(c + (size_t)i * ldc + 8, c##i##2);        \
        vst1q_f32(c + (size_t)i * ldc + 12, c##i##3);       \
    }
    NE_DECL(0) NE_DECL(1) NE_DECL(2) NE_DECL(3) NE_DECL(4) NE_DECL(5)
    NE_LOAD(0) NE_LOAD(1) NE_LOAD(2) NE_LOAD(3) NE_LOAD(4) NE_LOAD(5)
#pragma GCC unroll 4
    for (int k = 0; k < kc; k++) {
        const float *b = bp + (size_t)k * NR;
        float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4), b2 = vld1q_f32(b + 8), b3 = vld1q_f32(b + 12);
        NE_FMA(0) NE_FMA(1) NE_FMA(2) NE_FMA(3) NE_FMA(4) NE_FMA(5)
    }
    NE_STORE(0) NE_STORE(1) NE_STORE(2) NE_STORE(3) NE_STORE(4) NE_STORE(5)
}

static void kernel_neon(int mr, const float *a, int lda, const float *bp, int kc, float *c, int ldc,
                        const float *init) {
    SWITCH_MR6(kern_neon);
}
#endif

/* ------------------------------------------------------------ dispatch */

static const gp_isa isas[] = {
#ifdef GP_X86
    {"avx2", 6, kernel_avx2},
#endif
#ifdef GP_NEON
    {"neon", 6, kernel_neon},
#endif
    {"portable", 2, kernel_portable},
};
#define NISAS ((int)(sizeof isas / sizeof isas[0]))

static _Atomic(const gp_isa *) current; /* NULL until the first use */

static int isa_supported(const gp_isa *s) {
#ifdef GP_X86
    if (!strcmp(s->name, "avx2")) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    (void)s;
    return 1;
}

int gemm_packed_select(const char *isa) {
    for (int i = 0; i < NISAS; i++) {
        if (isa && strcmp(isa, isas[i].name)) continue;
        if (isa_supported(&isas[i])) {
            atomic_store(&current, &isas[i]);
            return 0;
        }
        if (isa) return hw_fail("gemm_packed: this CPU lacks %s", isa);
    }
    return hw_fail("gemm_packed: no micro-kernel '%s' in this build", isa ? isa : "(any)");
}

static const gp_isa *isa_now(void) {
    const gp_isa *s = atomic_load(&current);
    if (!s) {
        gemm_packed_select(NULL); /* portable always qualifies */
        s = atomic_load(&current);
    }
    return s;
}

const char *gemm_packed_isa(void) { return isa_now()->name; }

void gemm_packed_forward(float *out, const float *inp, const float *wp, const float *b, int N, int C, int OC,
                         int ldk) {
    const gp_isa *s = isa_now();
    int mr = s->mr, np = (OC + NR - 1) / NR;
    float tile[MR_MAX * NR] = {0}; /* columns past OC: computed, never copied out */
    float edge[NR] = {0};          /* bias of a partial last panel, zero-padded */
    static const float zero[NR];
    if (b && OC % NR) memcpy(edge, b + (OC - OC % NR), (size_t)(OC % NR) * sizeof *edge);
    for (int k0 = 0; k0 < C; k0 += KC) {
        int kc = C - k0 < KC ? C - k0 : KC;
        for (int m0 = 0; m0 < N; m0 += MC) {
            int m1 = N - m0 < MC ? N : m0 + MC;
            for (int p = 0; p < np; p++) {
                const float *bp = wp + (size_t)p * NR * ldk + (size_t)k0 * NR;
                int j0 = p * NR, nv = OC - j0 < NR ? OC - j0 : NR;
                /* the first depth chunk starts from the bias, later ones from out */
                const float *init = k0 ? NULL : !b ? zero : nv == NR ? b + j0 : edge;
                for (int i0 = m0; i0 < m1; i0 += mr) {
                    int m = m1 - i0 < mr ? m1 - i0 : mr;
                    const float *a = inp + (size_t)i0 * C + k0;
                    float *c = out + (size_t)i0 * OC + j0;
                    if (nv == NR) {
                        s->kernel(m, a, C, bp, kc, c, OC, init);
                        continue;
                    }
                    if (!init)
                        for (int i = 0; i < m; i++) memcpy(tile + i * NR, c + (size_t)i * OC, (size_t)nv * sizeof *c);
                    s->kernel(m, a, C, bp, kc, tile, NR, init);
                    for (int i = 0; i < m; i++) memcpy(c + (size_t)i * OC, tile + i * NR, (size_t)nv * sizeof *c);
                }
            }
        }
    }
}
