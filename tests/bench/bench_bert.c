/* bench_bert: speed of the C BERT (bert_model.h) for tests/bench/run_bert.sh.
 *
 *   bench_bert train  B T REPS   training step (forward + backward + AdamW)
 *   bench_bert fwd1   T[,T..] REPS [L:H:A:F]
 *                                batch-1 inference forward latency, packed
 *                                (gemm_packed.h) and OpenBLAS alternating
 *   bench_bert sgemm  N REPS     OpenBLAS sgemm N x N x N (peak reference)
 *   bench_bert gemm   N C OC REPS  one product, OpenBLAS vs packed (CPU time)
 *   bench_bert hog    spin|mem   a CPU hog (runs until killed)
 *
 * Model: the narrow supernet's largest shape, L4:H256:A8:F1024 unless
 * given, vocab 30522, max_seq 128, 2 classes, dropout 0.1, full-length rows
 * (no padding). GEMM_ISA=avx2|neon|portable picks the micro-kernel. Threads:
 * OPENBLAS_NUM_THREADS (default 1). Prints one line "key value ..." with the
 * median over REPS timed repetitions (after warm-up) of the wall time
 * ("seconds") and of the process CPU time ("cpu"; fwd1 also the minimum,
 * "cpu_min_ms", the least disturbed run; robust on a shared,
 * loaded machine, and equal to wall time for one thread on an idle one). */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bert_model.h"
#include "bert_ops.h"
#include "gemm_packed.h"
#include "hw_clock.h"
#include "hw_err.h"

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void shape_default(bert_shape *s) {
    memset(s, 0, sizeof *s);
    s->layers = 4;
    s->hidden = 256;
    for (int l = 0; l < 4; l++) {
        s->heads[l] = 8;
        s->ffn[l] = 1024;
    }
}

/* "L:H:A:F" (uniform heads and FFN over the layers) -> s; -1 if malformed. */
static int shape_parse(const char *str, bert_shape *s) {
    int L, H, A, F, n = 0;
    if (sscanf(str, "%d:%d:%d:%d%n", &L, &H, &A, &F, &n) != 4 || str[n] || L < 1 || L > BERT_MAX_LAYERS || H < 1 ||
        A < 1 || H % A || F < 1)
        return -1;
    memset(s, 0, sizeof *s);
    s->layers = L;
    s->hidden = H;
    for (int l = 0; l < L; l++) {
        s->heads[l] = A;
        s->ffn[l] = F;
    }
    return 0;
}

static const char *shape_str(const bert_shape *s) {
    static char buf[64];
    snprintf(buf, sizeof buf, "L%d:H%d:A%d:F%d", s->layers, s->hidden, s->heads[0], s->ffn[0]);
    return buf;
}

/* Matmul FLOPs of one forward of B x T tokens (2 per multiply-add). */
static double fwd_flops(const bert_shape *s, int B, int T) {
    double H = s->hidden, N = (double)B * T, f = 0;
    for (int l = 0; l < s->layers; l++)
        f += 2 * N * (4 * H * H + 2 * H * s->ffn[l]) + 2 * 2 * (double)B * T * T * H;
    return f + 2.0 * B * (H * H + 2 * H);
}

/* Matmul FLOPs a batch-1 inference forward of T tokens executes: the last
 * layer computes K and V for every row and everything else for [CLS] only
 * (bert_model.c, last_layer_cls). */
static double fwd1_flops(const bert_shape *s, int T) {
    bert_shape all_but_last = *s;
    all_but_last.layers = s->layers - 1;
    double H = s->hidden, F = s->ffn[s->layers - 1];
    double last = 2.0 * T * 2 * H * H + 2 * (2 * H * H + 2 * H * F) + 4.0 * T * H;
    return fwd_flops(&all_but_last, 1, T) + last; /* fwd_flops adds the pooler once */
}

int main(int argc, char **argv) {
    const char *e = getenv("OPENBLAS_NUM_THREADS"), *isa = getenv("GEMM_ISA");
    if (isa && gemm_packed_select(isa)) {
        fprintf(stderr, "bench_bert: GEMM_ISA=%s: %s\n", isa, hw_errmsg());
        return 2;
    }
    bert_set_threads(e ? atoi(e) : 1);
    if (argc < 3) {
        fprintf(stderr, "usage: bench_bert train B T REPS | fwd1 T[,T..] REPS [L:H:A:F] | sgemm N REPS | gemm N C OC REPS | hog spin|mem\n");
        return 2;
    }
    double t[64], u[64];
    bert_shape s;
    shape_default(&s);
    bert_config c;
    bert_config_init(&c, &s, 30522, 128, 2);
    hw_rng r;
    rng_seed(&r, 1);
    if (!strcmp(argv[1], "sgemm")) {
        int N = atoi(argv[2]), reps = argc > 3 ? atoi(argv[3]) : 5;
        float *a = malloc((size_t)N * N * 4), *b = malloc((size_t)N * N * 4), *o = malloc((size_t)N * N * 4);
        for (int i = 0; i < N * N; i++) a[i] = b[i] = (float)rng_uniform(&r);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, N, N, 1, a, N, b, N, 0, o, N);
        for (int k = 0; k < reps && k < 64; k++) {
            double t0 = hw_now_s(), c0 = hw_cpu_s();
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, N, N, 1, a, N, b, N, 0, o, N);
            t[k] = hw_now_s() - t0;
            u[k] = hw_cpu_s() - c0;
        }
        double m = median(t, reps < 64 ? reps : 64), mc = median(u, reps < 64 ? reps : 64);
        printf("sgemm N %d seconds %.6f cpu %.6f gflops %.2f gflops_cpu %.2f\n", N, m, mc, 2.0 * N * N * N / m / 1e9,
               2.0 * N * N * N / mc / 1e9);
        free(a), free(b), free(o);
        return 0;
    }
    if (!strcmp(argv[1], "hog")) {
        /* a neighbour for run_bert.sh --hog: spins on registers, or streams
         * a 64 MB buffer (cache and memory-bandwidth pressure), until killed */
        int mem = !strcmp(argv[2], "mem");
        size_t n = mem ? (size_t)16 << 20 : 1;
        volatile float *buf = calloc(n, sizeof *buf);
        for (float x = 1.0f;; x = x * 1.0000001f + 1e-7f)
            for (size_t i = 0; i < n; i += 16) buf[i] += x;
    }
    if (!strcmp(argv[1], "gemm") && argc > 4) {
        /* out(N,OC) = inp(N,C) @ w^T + b: OpenBLAS vs the packed kernel */
        int N = atoi(argv[2]), C = atoi(argv[3]), OC = atoi(argv[4]), reps = argc > 5 ? atoi(argv[5]) : 21;
        float *a = malloc((size_t)N * C * 4), *w = malloc((size_t)OC * C * 4), *bias = malloc((size_t)OC * 4);
        float *o = malloc((size_t)N * OC * 4), *wp = malloc(gemm_packed_size(OC, C) * 4);
        for (int i = 0; i < N * C; i++) a[i] = (float)rng_uniform(&r);
        for (int i = 0; i < OC * C; i++) w[i] = (float)rng_uniform(&r);
        for (int i = 0; i < OC; i++) bias[i] = (float)rng_uniform(&r);
        gemm_packed_pack(wp, w, OC, C, C);
        double tb[64], tp[64];
        int inner = (int)(2e8 / (2.0 * N * C * OC)) + 1; /* ~2 ms per sample at 100 GFLOP/s */
        for (int k = 0; k < reps + 1 && k < 64; k++) {
            double c0 = hw_cpu_s();
            for (int j = 0; j < inner; j++) bert_matmul_forward(o, a, w, bias, N, C, OC, C);
            double c1 = hw_cpu_s();
            for (int j = 0; j < inner; j++) gemm_packed_forward(o, a, wp, bias, N, C, OC, C);
            double c2 = hw_cpu_s();
            if (k) tb[k - 1] = (c1 - c0) / inner, tp[k - 1] = (c2 - c1) / inner;
        }
        int n = reps < 63 ? reps : 63;
        double fl = 2.0 * N * C * OC, mb = median(tb, n), mp = median(tp, n);
        printf("gemm N %d C %d OC %d isa %s openblas_gflops_cpu %.2f packed_gflops_cpu %.2f\n", N, C, OC,
               gemm_packed_isa(), fl / mb / 1e9, fl / mp / 1e9);
        free(a), free(w), free(bias), free(o), free(wp);
        return 0;
    }
    if (!strcmp(argv[1], "train")) {
        int B = atoi(argv[2]), T = atoi(argv[3]), reps = argc > 4 ? atoi(argv[4]) : 5;
        bert_store *st;
        bert_model *m;
        if (bert_store_create(&c, 1, 1, &st) || bert_model_create_on(st, &s, B, &m)) {
            fprintf(stderr, "%s\n", hw_errmsg());
            return 1;
        }
        int *tok = malloc((size_t)B * T * sizeof *tok), *lab = malloc((size_t)B * sizeof *lab);
        for (int i = 0; i < B * T; i++) tok[i] = 1000 + (int)rng_below(&r, 20000);
        for (int b = 0; b < B; b++) lab[b] = b & 1;
        adamw_cfg o;
        adamw_cfg_default(&o);
        float loss;
        for (int k = 0; k < reps + 2 && k < 64; k++) {
            double t0 = hw_now_s(), c0 = hw_cpu_s();
            if (bert_model_forward_train(m, tok, NULL, NULL, lab, B, T, &r, &loss) || bert_model_backward(m) ||
                bert_store_adamw_step(st, &o, NULL)) {
                fprintf(stderr, "%s\n", hw_errmsg());
                return 1;
            }
            if (k >= 2) { /* 2 warm-up steps */
                t[k - 2] = hw_now_s() - t0;
                u[k - 2] = hw_cpu_s() - c0;
            }
        }
        double md = median(t, reps), mc = median(u, reps);
        double fl = 3.0 * fwd_flops(&s, B, T);
        printf("train B %d T %d seconds %.6f cpu %.6f tokens_per_s %.1f tokens_per_cpu_s %.1f gflops_cpu %.2f loss %.4f\n",
               B, T, md, mc, B * T / md, B * T / mc, fl / mc / 1e9, loss);
        bert_model_free(m);
        bert_store_free(st);
        free(tok), free(lab);
        return 0;
    }
    if (!strcmp(argv[1], "fwd1")) {
        /* T may be a comma list; the packed and the OpenBLAS forward
         * alternate run by run on the same model */
        int reps = argc > 3 ? atoi(argv[3]) : 21;
        if (argc > 4 && shape_parse(argv[4], &s)) {
            fprintf(stderr, "bench_bert: shape '%s' is not L:H:A:F\n", argv[4]);
            return 2;
        }
        c.shape = s;
        bert_model *m;
        if (bert_model_create(&c, 1, 1, &m)) {
            fprintf(stderr, "%s\n", hw_errmsg());
            return 1;
        }
        bert_store *st = bert_model_store(m);
        if (reps > 61) reps = 61;
        for (const char *tl = argv[2]; *tl; tl += strcspn(tl, ",") + (tl[strcspn(tl, ",")] == ',')) {
            int T = atoi(tl);
            if (T < 1 || T > c.max_seq) {
                fprintf(stderr, "bench_bert: T %d out of range 1..%d\n", T, c.max_seq);
                return 2;
            }
            int *tok = malloc((size_t)T * sizeof *tok);
            for (int i = 0; i < T; i++) tok[i] = 1000 + (int)rng_below(&r, 20000);
            float lg[2][2];
            double tw[2][64], tc[2][64];
            for (int k = 0; k < reps + 3; k++)
                for (int path = 0; path < 2; path++) { /* 0 packed, 1 OpenBLAS */
                    if (path ? bert_store_is_packed(st) : (!bert_store_is_packed(st) && bert_store_pack(st))) {
                        if (path) bert_store_unpack(st);
                        else return 1;
                    }
                    double t0 = hw_now_s(), c0 = hw_cpu_s();
                    bert_model_forward(m, tok, NULL, NULL, 1, T, lg[path]);
                    if (k >= 3) {
                        tw[path][k - 3] = hw_now_s() - t0;
                        tc[path][k - 3] = hw_cpu_s() - c0;
                    }
                }
            for (int path = 0; path < 2; path++) {
                double md = median(tw[path], reps), mc = median(tc[path], reps), mn = tc[path][0];
                for (int k = 1; k < reps; k++) mn = tc[path][k] < mn ? tc[path][k] : mn;
                printf("fwd1 T %d shape %s path %s seconds %.6f cpu %.6f ms %.3f cpu_ms %.3f cpu_min_ms %.3f flops %.0f "
                       "logit0 %.6f\n",
                       T, shape_str(&s), path ? "openblas" : gemm_packed_isa(), md, mc, md * 1e3, mc * 1e3, mn * 1e3,
                       fwd1_flops(&s, T), lg[path][0]);
            }
            free(tok);
        }
        bert_model_free(m);
        return 0;
    }
    fprintf(stderr, "bench_bert: unknown mode '%s'\n", argv[1]);
    return 2;
}
