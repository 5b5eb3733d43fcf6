/* bench_accel_tx2: how well the analytic Jetson TX2 GPU roofline ranks the
 * measured TX2 latencies of HW-NAS-Bench (edgegpu_latency_ms, NB201 on
 * CIFAR-10), with no fitting at all. Estimators: the pure roofline
 * (666 GFLOP/s, 59.7 GB/s, FP32), the kernel count, and the roofline plus a
 * fixed launch overhead per kernel (5, 10, 20 us: typical CUDA launch
 * costs, not fitted). Spearman rho over all measured archs and over HELP's
 * query set (arch indices 900..1899).
 * usage: bench_accel_tx2 [HWNASBENCH_CSV] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw_data.h"
#include "accel.h"
#include "csv.h"
#include "hw_err.h"
#include "stats.h"

int main(int argc, char **argv) {
    char def[1024];
    snprintf(def, sizeof def, "%s/hw_nas_bench/hwnasbench_nb201_cifar10.csv", hw_data_dir());
    const char *path = argc > 1 ? argv[1] : def;
    csv_table *t = NULL;
    space *s = NULL;
    if (csv_read(path, &t) || space_create_nb201(&s)) {
        fprintf(stderr, "bench_accel_tx2: %s\n", hw_errmsg());
        return 1;
    }
    int ci = csv_col_required(t, "arch_index"), cl = csv_col_required(t, "edgegpu_latency_ms");
    if (ci < 0 || cl < 0) {
        fprintf(stderr, "bench_accel_tx2: %s\n", hw_errmsg());
        return 1;
    }
    int n = csv_nrows(t), m = 0, mq = 0;
    enum { NEST = 5 };
    static const char *names[NEST] = {"roofline", "kernels", "roofline+5us/kernel", "roofline+10us/kernel",
                                      "roofline+20us/kernel"};
    double *y = malloc((size_t)n * sizeof *y), *yq = malloc((size_t)n * sizeof *yq);
    double *x[NEST], *xq[NEST];
    for (int e = 0; e < NEST; e++) x[e] = malloc((size_t)n * sizeof *x[e]), xq[e] = malloc((size_t)n * sizeof *xq[e]);
    layer_list l;
    layer_list_init(&l, 1);
    for (int i = 0; i < n; i++) {
        double lat = csv_num(t, i, cl), idx = csv_num(t, i, ci);
        hw_genome g;
        if (isnan(lat) || space_from_index(s, (int64_t)idx, &g)) continue;
        layers_nb201(s, &g, 1, &l);
        double roof = accel_roofline_ms(&l, TX2_PEAK_GFLOPS, TX2_DRAM_GBPS), k = 0;
        for (int j = 0; j < l.n; j++) k += l.v[j].count;
        double v[NEST] = {roof, k, roof + 0.005 * k, roof + 0.010 * k, roof + 0.020 * k};
        for (int e = 0; e < NEST; e++) x[e][m] = v[e];
        y[m++] = lat;
        if (idx >= 900 && idx < 1900) {
            for (int e = 0; e < NEST; e++) xq[e][mq] = v[e];
            yq[mq++] = lat;
        }
    }
    printf("# analytic TX2 estimators vs measured TX2 latency (HW-NAS-Bench edgegpu_latency_ms), no fitting\n");
    printf("%-22s %12s %14s\n", "estimator", "rho_all", "rho_900_1899");
    for (int e = 0; e < NEST; e++)
        printf("%-22s %12.4f %14.4f\n", names[e], stats_spearman(x[e], y, m), stats_spearman(xq[e], yq, mq));
    printf("# %d archs measured, %d in the query range\n", m, mq);
    layer_list_free(&l);
    for (int e = 0; e < NEST; e++) free(x[e]), free(xq[e]);
    free(y);
    free(yq);
    csv_free(t);
    space_free(s);
    return 0;
}
