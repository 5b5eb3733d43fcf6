/* bench_bert_proxy: proxy validity of supernet fine-tuning, and the
 * random-forest accuracy predictor trained on proxy results.
 *
 *   bench_bert_proxy SUPERNET.h5 [--n N] [--n-long M] [--k K] [--long L]
 *                    [--long-seeds R] [--k-extra K2,K3,..] [--seed S] [--csv FILE]
 *                    [--task sst2|sms_spam]
 *
 * Samples N distinct random candidates of the supernet's bert space
 * (seeded), fine-tunes each K steps from the supernet (the proxy used as
 * ground truth in search) and the first M of them L steps ("much longer"),
 * evaluating on the task's dev set; the long accuracy is the mean over R
 * fine-tuning seeds (data order and dropout; R = 1 by default), which
 * takes the reference's own training noise out of the comparison.
 * --k-extra also scores the first M candidates with other proxy lengths
 * (K = 0: the inherited weights, no fine-tuning) for a K-vs-rho table. Reports Spearman / Kendall between the
 * proxy and the long accuracies, the time per proxy job, and the
 * random-forest predictor (src/pred/pred.h, features pred_space_features) fit on
 * the first n proxy results for growing n and tested on the last N/3
 * candidates (Spearman of predicted vs proxy accuracy, mean over 5 shuffles
 * of the training pool). Threads: OPENBLAS_NUM_THREADS (default 1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "hw_data.h"
#include "hw_clock.h"
#include "hw_err.h"
#include "pred.h"
#include "stats.h"
#include "supernet_h5.h"

/* Fine-tunes arch `steps` steps with the default options, once per seed
 * s0 .. s0 + seeds - 1 (s0 = the default seed, the proxy's): mean eval
 * accuracy and mean seconds per run. -1 after printing the error. */
static int tune(supernet_ft *ft, const char *arch, long steps, int seeds, double *acc, double *secs) {
    finetune_opts o;
    finetune_result fr;
    finetune_opts_default(&o);
    o.steps = steps;
    const uint64_t s0 = o.seed;
    double t0 = hw_now_s();
    *acc = 0;
    for (int sd = 0; sd < seeds; sd++) {
        o.seed = s0 + (uint64_t)sd;
        if (supernet_ft_run(ft, arch, &o, &fr)) {
            fprintf(stderr, "bench_bert_proxy: %s\n", hw_errmsg());
            return -1;
        }
        *acc += fr.eval.accuracy / seeds;
    }
    *secs = (hw_now_s() - t0) / seeds;
    return 0;
}

int main(int argc, char **argv) {
    const char *sup = NULL, *csv = NULL, *task = "sst2";
    int n = 40, n_long = 20, long_seeds = 1, nkx = 0;
    long kx[8]; /* --k-extra */
    long k = 50, lsteps = 400;
    uint64_t seed = 7;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--n") && i + 1 < argc) n = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--n-long") && i + 1 < argc) n_long = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--k") && i + 1 < argc) k = atol(argv[++i]);
        else if (!strcmp(argv[i], "--long") && i + 1 < argc) lsteps = atol(argv[++i]);
        else if (!strcmp(argv[i], "--long-seeds") && i + 1 < argc) long_seeds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--k-extra") && i + 1 < argc) {
            for (char *q = argv[++i]; *q && nkx < 8;) {
                char *end;
                kx[nkx] = strtol(q, &end, 10);
                if (end == q || kx[nkx] < 0) {
                    fprintf(stderr, "bench_bert_proxy: --k-extra: bad list '%s'\n", argv[i]);
                    return 2;
                }
                nkx++;
                q = *end == ',' ? end + 1 : end;
            }
        }
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc) seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--csv") && i + 1 < argc) csv = argv[++i];
        else if (!strcmp(argv[i], "--task") && i + 1 < argc) task = argv[++i];
        else if (!sup && argv[i][0] != '-') sup = argv[i];
        else {
            fprintf(stderr, "usage: bench_bert_proxy SUPERNET.h5 [--n N] [--n-long M] [--k K] [--long L] [--long-seeds R] "
                            "[--k-extra K2,..] [--seed S] [--csv FILE] [--task sst2|sms_spam]\n");
            return 2;
        }
    }
    if (!sup || n < 4 || n_long > n || n_long < 0 || long_seeds < 1) {
        fprintf(stderr, "bench_bert_proxy: need SUPERNET.h5, --n >= 4, 0 <= --n-long <= --n, --long-seeds >= 1\n");
        return 2;
    }
    const char *e = getenv("OPENBLAS_NUM_THREADS");
    bert_set_threads(e ? atoi(e) : 1);
    char tp[4096], ep[4096], vp[4096];
    snprintf(vp, sizeof vp, "%s/bert_uncased_vocab/vocab.txt", hw_data_dir());
    supernet_ft *ft;
    if (tsv_task_paths(hw_data_dir(), task, tp, ep, sizeof tp) || supernet_ft_open(sup, tp, ep, vp, &ft)) {
        fprintf(stderr, "bench_bert_proxy: %s\n", hw_errmsg());
        return 1;
    }
    const space *sp = supernet_ft_space(ft);
    hw_genome *g = calloc((size_t)n, sizeof *g);
    char (*arch)[HW_ARCH_STR_MAX] = calloc((size_t)n, sizeof *arch);
    double *acc_p = calloc((size_t)n, sizeof(double)), *acc_l = calloc((size_t)n, sizeof(double));
    double *tp_s = calloc((size_t)n, sizeof(double)), *tl_s = calloc((size_t)n, sizeof(double));
    double *acc_x = calloc((size_t)(nkx ? nkx : 1) * n, sizeof(double)); /* [nkx][n] other proxy lengths */
    double *tx_s = calloc((size_t)(nkx ? nkx : 1) * n, sizeof(double));
    hw_rng r;
    rng_seed(&r, seed);
    for (int i = 0; i < n; i++) { /* distinct candidates */
        for (;;) {
            space_sample(sp, &r, &g[i]);
            int dup = 0;
            for (int j = 0; j < i && !dup; j++) dup = hw_genome_equal(&g[i], &g[j], space_ngenes(sp));
            if (!dup) break;
        }
        space_to_string(sp, &g[i], arch[i], sizeof arch[i]);
    }
    FILE *out = csv ? fopen(csv, "w") : NULL;
    if (out) fprintf(out, "arch,proxy_acc,proxy_s,long_acc,long_s\n");
    finetune_opts o;
    finetune_opts_default(&o); /* the defaults every job uses (printed) */
    printf("candidates %d (long: first %d), proxy K=%ld steps, long L=%ld steps (mean of %d seeds), batch %d, lr %g, "
           "task %s\n",
           n, n_long, k, lsteps, long_seeds, o.batch, o.lr, task);
    fflush(stdout);
    for (int i = 0; i < n; i++) {
        if (tune(ft, arch[i], k, 1, &acc_p[i], &tp_s[i])) return 1;
        acc_l[i] = -1;
        if (i < n_long && tune(ft, arch[i], lsteps, long_seeds, &acc_l[i], &tl_s[i])) return 1;
        for (int j = 0; j < nkx && i < n_long; j++)
            if (tune(ft, arch[i], kx[j], 1, &acc_x[(size_t)j * n + i], &tx_s[(size_t)j * n + i])) return 1;
        printf("%3d %-40s proxy %.4f (%.1f s)", i, arch[i], acc_p[i], tp_s[i]);
        for (int j = 0; j < nkx && i < n_long; j++) printf("  K=%ld %.4f", kx[j], acc_x[(size_t)j * n + i]);
        if (i < n_long) printf("  long %.4f (%.1f s)", acc_l[i], tl_s[i]);
        printf("\n");
        fflush(stdout);
        if (out) fprintf(out, "%s,%.6f,%.3f,%.6f,%.3f\n", arch[i], acc_p[i], tp_s[i], acc_l[i], tl_s[i]);
    }
    if (out) fclose(out);
    if (n_long >= 3) {
        printf("proxy validity over %d candidates: Spearman %.3f, Kendall %.3f; proxy job median %.1f s, long job "
               "median %.1f s (wall, shared machine)\n",
               n_long, stats_spearman(acc_p, acc_l, n_long), stats_kendall(acc_p, acc_l, n_long),
               stats_median(tp_s, n), stats_median(tl_s, n_long));
        printf("| proxy K (steps) | Spearman vs long | Kendall | proxy job median, s |\n|---:|---:|---:|---:|\n");
        printf("| %ld | %.3f | %.3f | %.1f |\n", k, stats_spearman(acc_p, acc_l, n_long),
               stats_kendall(acc_p, acc_l, n_long), stats_median(tp_s, n));
        for (int j = 0; j < nkx; j++)
            printf("| %ld | %.3f | %.3f | %.1f |\n", kx[j], stats_spearman(acc_x + (size_t)j * n, acc_l, n_long),
                   stats_kendall(acc_x + (size_t)j * n, acc_l, n_long), stats_median(tx_s + (size_t)j * n, n_long));
    }
    /* random forest on proxy results: train on n_train, test on the last n/3 */
    int d = pred_space_nfeatures(sp), ntest = n / 3, pool = n - ntest;
    float *X = calloc((size_t)n * d, sizeof(float)), *Xtr = calloc((size_t)n * d, sizeof(float));
    double *ytr = calloc((size_t)n, sizeof(double)), *yhat = calloc((size_t)n, sizeof(double));
    for (int i = 0; i < n; i++) pred_space_features(sp, &g[i], X + (size_t)i * d);
    printf("random-forest accuracy predictor (test: last %d candidates, Spearman predicted vs proxy accuracy):\n", ntest);
    for (int ntr = 5; ntr <= pool; ntr += 5) {
        double sum = 0;
        int reps = 5;
        for (int rep = 0; rep < reps; rep++) {
            int *idx = malloc((size_t)pool * sizeof *idx);
            for (int i = 0; i < pool; i++) idx[i] = i;
            hw_rng rr;
            rng_seed_stream(&rr, seed, 100 + (uint64_t)rep);
            rng_shuffle_int(&rr, idx, pool);
            for (int i = 0; i < ntr; i++) {
                memcpy(Xtr + (size_t)i * d, X + (size_t)idx[i] * d, (size_t)d * sizeof(float));
                ytr[i] = acc_p[idx[i]];
            }
            free(idx);
            pred_params pp;
            pred_params_default(PRED_RF, &pp);
            pp.seed = seed + (uint64_t)rep;
            pred *m;
            if (pred_fit(&pp, Xtr, ytr, ntr, d, &m)) {
                fprintf(stderr, "bench_bert_proxy: %s\n", hw_errmsg());
                return 1;
            }
            pred_predict(m, X + (size_t)pool * d, ntest, yhat, NULL);
            sum += stats_spearman(yhat, acc_p + pool, ntest);
            pred_free(m);
        }
        printf("  trained on %2d candidates: Spearman %.3f (mean of %d)\n", ntr, sum / reps, reps);
    }
    free(X), free(Xtr), free(ytr), free(yhat), free(g), free(arch), free(acc_p), free(acc_l), free(tp_s), free(tl_s);
    free(acc_x), free(tx_s);
    supernet_ft_close(ft);
    return 0;
}
