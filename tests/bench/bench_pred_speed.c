/* bench_pred_speed: prediction throughput of a 100-tree random forest (and
 * of the other models) on NB201 features, single thread.
 *
 * usage: bench_pred_speed [TABLE] [TARGET] [REPS]
 * Fits the forest on 1000 rows of TABLE (default HW-NAS-Bench TX2), then
 * predicts all 15625 NB201 architectures REPS times (default 7); prints the
 * fit CPU time and the median / best rows per CPU-second (and the median
 * rows per wall-second) of a 100-tree forest at depth 10 and 8 and of a
 * 500-round boosted model. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "hw_data.h"
#include "csv.h"
#include "hw_clock.h"
#include "pred.h"
#include "rng.h"
#include "space.h"
#include "stats.h"

/* Thread CPU time: rows per CPU-second = "per core" throughput even when
 * the shared machine time-slices us (wall time is also reported). */
static double cpu_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}
int main(int argc, char **argv) {
    char def[4096];
    snprintf(def, sizeof def, "%s/hw_nas_bench/hwnasbench_nb201_cifar10.csv", hw_data_dir());
    const char *table = argc > 1 ? argv[1] : def;
    const char *target = argc > 2 ? argv[2] : "edgegpu_latency_ms";
    int reps = argc > 3 ? atoi(argv[3]) : 7;
    csv_table *t;
    space *sp;
    if (csv_read(table, &t) || space_create_nb201(&sp)) {
        fprintf(stderr, "bench_pred_speed: %s\n", hw_errmsg());
        return 1;
    }
    int c = csv_col_required(t, target), n = csv_nrows(t), d = space_nfeatures(sp);
    if (c < 0) {
        fprintf(stderr, "bench_pred_speed: %s\n", hw_errmsg());
        return 1;
    }
    const int N = 15625, NTR = 1000;
    float *Xall = malloc((size_t)N * d * sizeof *Xall);  /* (N, d) every NB201 arch */
    float *Xtr = malloc((size_t)NTR * d * sizeof *Xtr);  /* (NTR, d) */
    double *ytr = malloc(NTR * sizeof *ytr), *mean = malloc(N * sizeof *mean), *sd = malloc(N * sizeof *sd);
    for (int i = 0; i < N; i++) {
        hw_genome g;
        space_from_index(sp, i, &g);
        space_features(sp, &g, Xall + (size_t)i * d);
    }
    int *rows = malloc((size_t)n * sizeof *rows), m = 0;
    for (int i = 0; i < n; i++)
        if (!isnan(csv_num(t, i, c))) rows[m++] = i;
    hw_rng r;
    rng_seed(&r, 1);
    rng_shuffle_int(&r, rows, m);
    int ci = csv_col_required(t, "arch_str");
    for (int i = 0; i < NTR; i++) {
        hw_genome g;
        space_from_string(sp, csv_str(t, rows[i], ci), &g);
        space_features(sp, &g, Xtr + (size_t)i * d);
        ytr[i] = csv_num(t, rows[i], c);
    }
    printf("%-28s %10s %14s %14s %14s\n", "model", "fit_cpu_s", "rows/cpu-s", "best", "rows/wall-s");
    const char *names[3] = {"rf 100 trees depth 10", "rf 100 trees depth 8", "xgb 500 rounds depth 6"};
    for (int k = 0; k < 3; k++) {
        pred_params p;
        pred_params_default(k < 2 ? PRED_RF : PRED_XGB, &p);
        if (k == 1) p.max_depth = 8;
        p.log_target = 1;
        pred *model;
        double t0 = cpu_s();
        if (pred_fit(&p, Xtr, ytr, NTR, d, &model)) {
            fprintf(stderr, "bench_pred_speed: %s\n", hw_errmsg());
            return 1;
        }
        double fit = cpu_s() - t0, rate[64], wrate[64];
        if (reps > 64) reps = 64;
        for (int rep = 0; rep < reps; rep++) {
            double a = cpu_s(), w = hw_now_s();
            pred_predict(model, Xall, N, mean, sd);
            rate[rep] = N / (cpu_s() - a);
            wrate[rep] = N / (hw_now_s() - w);
        }
        printf("%-28s %10.4f %14.4g %14.4g %14.4g\n", names[k], fit, stats_median(rate, reps), stats_max(rate, reps),
               stats_median(wrate, reps));
        pred_free(model);
    }
    csv_free(t);
    space_free(sp);
    free(Xall), free(Xtr), free(ytr), free(mean), free(sd), free(rows);
    return 0;
}
