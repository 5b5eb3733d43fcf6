/* bench_nb201_efficiency: sample efficiency of the NSGA-II engine on
 * NB201 x Jetson TX2 (HW-NAS-Bench edgegpu latency; error = 100 - NB201
 * 200-epoch CIFAR-10 test accuracy; both minimised; HV reference (15,
 * 12.861970)).
 *
 * The engine is driven through ask/tell on the nb201 space. Every distinct
 * architecture looked up is one measurement; archs without TX2 data count
 * too and are infeasible (cv = 1). After each new measurement the Pareto
 * archive's HV ratio (archive HV / HV of the exact front of all 12,555
 * archs with TX2 data) is checked; the bench records the measurements
 * needed to reach ratio 0.99, 0.999 and the whole exact front (all its
 * archs measured). Prints one line per seed and the medians.
 *
 * usage: bench_nb201_efficiency [--seeds N] [--first-seed S] [--max-meas M]
 *          [--pop N] [--lambda N] [--pc P] [--pm P] [--novelty T] [--elite P]
 *          [--tsize K] [--quiet]
 * Engine parameters default to nsga_params_default (what `hwnas search`
 * uses); the options exist for tuning. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "hw_err.h"
#include "nsga.h"
#include "space.h"

#define NARCH 15625
static const double REF[2] = {15.0, 12.861970};

typedef struct table {
    double err[NARCH], lat[NARCH]; /* NaN lat: no TX2 data */
    int front[NARCH], nfront;      /* exact front arch indices */
    double hv_true;
} table;

static int load_table(const char *dir, table *t) {
    char p1[4096], p2[4096];
    snprintf(p1, sizeof p1, "%s/hw_nas_bench/hwnasbench_nb201_cifar10.csv", dir);
    snprintf(p2, sizeof p2, "%s/nb201_accuracy/nb201_accuracy.csv", dir);
    csv_table *hw = NULL, *acc = NULL;
    if (csv_read(p1, &hw) || csv_read(p2, &acc)) goto fail;
    int hi = csv_col_required(hw, "arch_index"), hl = csv_col_required(hw, "edgegpu_latency_ms");
    int ai = csv_col_required(acc, "arch_index"), aa = csv_col_required(acc, "test_acc_200ep_cifar10");
    if (hi < 0 || hl < 0 || ai < 0 || aa < 0) goto fail;
    for (int i = 0; i < NARCH; i++) t->err[i] = t->lat[i] = NAN;
    for (int r = 0; r < csv_nrows(acc); r++) {
        double idx, a;
        if (csv_num_strict(acc, r, ai, &idx) || csv_num_strict(acc, r, aa, &a)) goto fail;
        if (idx < 0 || idx >= NARCH) {
            hw_fail("%s:%d: arch_index %g out of range", p2, csv_line(acc, r), idx);
            goto fail;
        }
        t->err[(int)idx] = 100.0 - a;
    }
    for (int r = 0; r < csv_nrows(hw); r++) {
        double idx;
        if (csv_num_strict(hw, r, hi, &idx)) goto fail;
        if (idx < 0 || idx >= NARCH) {
            hw_fail("%s:%d: arch_index %g out of range", p1, csv_line(hw, r), idx);
            goto fail;
        }
        if (*csv_str(hw, r, hl)) t->lat[(int)idx] = csv_num(hw, r, hl);
    }
    /* exact front over archs with both values */
    double *obj = malloc(2 * NARCH * sizeof *obj);
    int *ids = malloc(NARCH * sizeof *ids), *rk = malloc(NARCH * sizeof *rk), n = 0;
    for (int i = 0; i < NARCH; i++)
        if (isfinite(t->lat[i]) && isfinite(t->err[i])) {
            obj[2 * n] = t->err[i];
            obj[2 * n + 1] = t->lat[i];
            ids[n++] = i;
        }
    nd_sort(obj, NULL, n, 2, rk);
    t->nfront = 0;
    for (int k = 0; k < n; k++)
        if (rk[k] == 0) t->front[t->nfront++] = ids[k];
    hv_exact(obj, n, 2, REF, &t->hv_true);
    free(obj);
    free(ids);
    free(rk);
    csv_free(hw);
    csv_free(acc);
    return 0;
fail:
    csv_free(hw);
    csv_free(acc);
    return -1;
}

typedef struct run_result {
    int m99, m999, mall; /* measurements to reach each target (-1: not reached) */
    int gens;
} run_result;

static int run_seed(const space *s, const table *t, const nsga_params *p, int max_meas, run_result *res) {
    nsga *e = NULL;
    pareto_archive *arc = NULL;
    if (nsga_create(s, p, &e) || pareto_archive_create(2, &arc)) return -1;
    unsigned char *measured = calloc(NARCH, 1);
    unsigned char *is_front = calloc(NARCH, 1);
    for (int k = 0; k < t->nfront; k++) is_front[t->front[k]] = 1;
    int nmeas = 0, front_found = 0;
    res->m99 = res->m999 = res->mall = -1;
    double *f = NULL, *cv = NULL;
    while (nmeas < max_meas && res->mall < 0) {
        const hw_genome *b;
        int n;
        if (nsga_ask(e, &b, &n)) goto fail;
        f = realloc(f, (size_t)n * 2 * sizeof *f);
        cv = realloc(cv, (size_t)n * sizeof *cv);
        for (int i = 0; i < n; i++) {
            int idx = (int)space_index(s, &b[i]);
            int feasible = isfinite(t->lat[idx]);
            f[2 * i] = t->err[idx];
            f[2 * i + 1] = feasible ? t->lat[idx] : 0.0;
            cv[i] = feasible ? 0.0 : 1.0;
            if (measured[idx]) continue;
            measured[idx] = 1;
            nmeas++;
            if (!feasible) continue;
            if (is_front[idx]) front_found++;
            if (pareto_archive_insert(arc, f + 2 * i, (uint64_t)idx, &b[i])) {
                double hv;
                pareto_archive_hv(arc, REF, &hv);
                if (res->m99 < 0 && hv >= 0.99 * t->hv_true) res->m99 = nmeas;
                if (res->m999 < 0 && hv >= 0.999 * t->hv_true) res->m999 = nmeas;
            }
            if (res->mall < 0 && front_found == t->nfront) res->mall = nmeas;
        }
        if (nsga_tell(e, f, cv)) goto fail;
    }
    res->gens = nsga_generation(e);
    free(f);
    free(cv);
    free(measured);
    free(is_front);
    pareto_archive_free(arc);
    nsga_free(e);
    return 0;
fail:
    free(f);
    free(cv);
    free(measured);
    free(is_front);
    pareto_archive_free(arc);
    nsga_free(e);
    return -1;
}

static int cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}
/* Median with "not reached" (-1) counted as +infinity; -1 if the median is. */
static double median_int(int *v, int n) {
    for (int i = 0; i < n; i++)
        if (v[i] < 0) v[i] = 1 << 30;
    qsort(v, (size_t)n, sizeof *v, cmp_int);
    double m = n % 2 ? v[n / 2] : 0.5 * ((double)v[n / 2 - 1] + v[n / 2]);
    return m >= (1 << 30) ? -1 : m;
}

int main(int argc, char **argv) {
    nsga_params p;
    nsga_params_default(&p);
    p.n_obj = 2;
    long seeds = 10, first = 1, max_meas = NARCH;
    int quiet = 0;
    static const struct option opts[] = {
        {"seeds", required_argument, 0, 'S'}, {"first-seed", required_argument, 0, 'F'},
        {"max-meas", required_argument, 0, 'M'}, {"pop", required_argument, 0, 'p'},
        {"lambda", required_argument, 0, 'l'}, {"pc", required_argument, 0, 'c'},
        {"pm", required_argument, 0, 'm'},    {"novelty", required_argument, 0, 'n'},
        {"elite", required_argument, 0, 'e'}, {"tsize", required_argument, 0, 't'},
        {"quiet", no_argument, 0, 'q'},       {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'S': seeds = strtol(optarg, NULL, 10); break;
        case 'F': first = strtol(optarg, NULL, 10); break;
        case 'M': max_meas = strtol(optarg, NULL, 10); break;
        case 'p': p.pop_size = (int)strtol(optarg, NULL, 10); break;
        case 'l': p.n_offspring = (int)strtol(optarg, NULL, 10); break;
        case 'c': p.p_crossover = strtod(optarg, NULL); break;
        case 'm': p.p_mutation = strtod(optarg, NULL); break;
        case 'n': p.novelty_tries = (int)strtol(optarg, NULL, 10); break;
        case 'e': p.p_elite = strtod(optarg, NULL); break;
        case 't': p.tournament_size = (int)strtol(optarg, NULL, 10); break;
        case 'q': quiet = 1; break;
        default:
            fprintf(stderr, "usage: bench_nb201_efficiency [--seeds N] [--first-seed S] [--max-meas M] [--pop N] "
                            "[--lambda N] [--pc P] [--pm P] [--novelty T] [--elite P] [--tsize K] [--quiet]\n");
            return c == 'h' ? 0 : 2;
        }
    }
    if (seeds < 1 || seeds > 1000 || max_meas < 1) {
        fprintf(stderr, "hwnas: bench_nb201_efficiency: --seeds must be 1..1000 and --max-meas >= 1\n");
        return 2;
    }
    const char *dir = getenv("HWNAS_DATA");
    static table t;
    if (load_table(dir ? dir : "data", &t)) {
        fprintf(stderr, "hwnas: %s\n", hw_errmsg());
        return 2;
    }
    space *s;
    space_create_nb201(&s);
    int *a = malloc((size_t)seeds * sizeof *a), *b = malloc((size_t)seeds * sizeof *b),
        *d = malloc((size_t)seeds * sizeof *d);
    if (!quiet)
        printf("# exact front: %d archs, HV %.6f (ref %g, %g); engine pop %d lambda %d pc %g pm %g novelty %d "
               "elite %g tournament %d\n",
               t.nfront, t.hv_true, REF[0], REF[1], p.pop_size, p.n_offspring ? p.n_offspring : p.pop_size,
               p.p_crossover, p.p_mutation, p.novelty_tries, p.p_elite, p.tournament_size);
    for (long k = 0; k < seeds; k++) {
        p.seed = (uint64_t)(first + k);
        run_result r;
        if (run_seed(s, &t, &p, (int)max_meas, &r)) {
            fprintf(stderr, "hwnas: %s\n", hw_errmsg());
            return 1;
        }
        a[k] = r.m99;
        b[k] = r.m999;
        d[k] = r.mall;
        if (!quiet)
            printf("impl=hwnas seed=%lu meas_0.99=%d meas_0.999=%d meas_front=%d gens=%d\n", (unsigned long)p.seed,
                   r.m99, r.m999, r.mall, r.gens);
    }
    printf("impl=hwnas seeds=%ld median_0.99=%.1f median_0.999=%.1f median_front=%.1f\n", seeds, median_int(a, (int)seeds),
           median_int(b, (int)seeds), median_int(d, (int)seeds));
    free(a);
    free(b);
    free(d);
    space_free(s);
    return 0;
}
