/* bench_zdt1: speed of the NSGA-II machinery on ZDT1 (30 variables), one
 * thread, through the ask/tell engine on the grid space (32767 levels per
 * variable).
 *
 * Per generation the time is split into
 *   machinery = nsga_ask (tournaments, SBX, polynomial mutation, novelty
 *               hashing) + nsga_tell (non-dominated sort of mu + lambda,
 *               crowding, truncation),
 *   eval      = decoding the genomes and computing ZDT1,
 *   archive   = inserting the batch into the unbounded Pareto archive
 *               (only with --archive; not part of NSGA-II proper).
 * Prints one line of key=value pairs: medians over the timed generations
 * (after warm-up) of wall and process-CPU seconds, and the peak RSS.
 *
 * Engine settings as in DEAP's nsga2 example: lambda = mu, p_crossover 0.9,
 * per-gene mutation 1/30; novelty on (nsga_params_default), elite off.
 *
 * usage: bench_zdt1 [--pop N] [--gens G] [--warmup W] [--seed S] [--archive] */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "hw_err.h"
#include "nsga.h"
#include "space.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
/* CPU time of this process: robust against other jobs on a loaded machine. */
static double cpu(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}
static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void zdt1_batch(const space *s, const hw_genome *g, int n, double *f) {
    int nv = space_ngenes(s);
    double x[HW_MAX_GENES];
    for (int i = 0; i < n; i++) {
        space_grid_decode(s, &g[i], x);
        double sum = 0;
        for (int k = 1; k < nv; k++) sum += x[k];
        double gg = 1.0 + 9.0 * sum / (nv - 1);
        f[2 * i] = x[0];
        f[2 * i + 1] = gg * (1.0 - sqrt(x[0] / gg));
    }
}

int main(int argc, char **argv) {
    long pop = 1000, gens = 10, warm = 2, seed = 1;
    int use_archive = 0;
    static const struct option opts[] = {{"pop", required_argument, 0, 'p'},  {"gens", required_argument, 0, 'g'},
                                         {"warmup", required_argument, 0, 'w'}, {"seed", required_argument, 0, 's'},
                                         {"archive", no_argument, 0, 'a'},      {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'p': pop = strtol(optarg, NULL, 10); break;
        case 'g': gens = strtol(optarg, NULL, 10); break;
        case 'w': warm = strtol(optarg, NULL, 10); break;
        case 's': seed = strtol(optarg, NULL, 10); break;
        case 'a': use_archive = 1; break;
        default:
            fprintf(stderr, "usage: bench_zdt1 [--pop N] [--gens G] [--warmup W] [--seed S] [--archive]\n");
            return c == 'h' ? 0 : 2;
        }
    }
    if (pop < 4 || pop % 2 || gens < 1 || warm < 0) {
        fprintf(stderr, "hwnas: bench_zdt1: need an even --pop >= 4, --gens >= 1, --warmup >= 0\n");
        return 2;
    }
    space *s;
    if (space_create_grid(30, 32767, &s)) goto fail;
    nsga_params p;
    nsga_params_default(&p);
    p.pop_size = (int)pop;
    p.n_offspring = 0; /* lambda = mu: generational, like DEAP's nsga2 example */
    p.n_obj = 2;
    p.seed = (uint64_t)seed;
    p.p_crossover = 0.9;
    p.p_mutation = 1.0 / 30;
    nsga *e;
    if (nsga_create(s, &p, &e)) goto fail;
    pareto_archive *arc = NULL;
    if (use_archive && pareto_archive_create(2, &arc)) goto fail;
    double *f = malloc((size_t)pop * 2 * sizeof *f);
    uint64_t *ids = malloc((size_t)pop * sizeof *ids);
    double *tm = malloc((size_t)gens * sizeof *tm), *te = malloc((size_t)gens * sizeof *te),
           *ta = malloc((size_t)gens * sizeof *ta), *tc = malloc((size_t)gens * sizeof *tc);
    for (long g = -1; g < warm + gens; g++) {
        const hw_genome *b;
        int n;
        double c0 = cpu(), t0 = now();
        if (nsga_ask(e, &b, &n)) goto fail;
        double t1 = now(), c1 = cpu();
        zdt1_batch(s, b, n, f);
        double t2 = now();
        if (arc) {
            for (int i = 0; i < n; i++) ids[i] = space_hash(s, &b[i]);
            pareto_archive_insert_batch(arc, f, ids, b, n, NULL);
        }
        double c3 = cpu(), t3 = now();
        if (nsga_tell(e, f, NULL)) goto fail;
        double t4 = now(), c4 = cpu();
        if (g >= warm) {
            tm[g - warm] = (t1 - t0) + (t4 - t3);
            te[g - warm] = t2 - t1;
            ta[g - warm] = t3 - t2;
            tc[g - warm] = (c1 - c0) + (c4 - c3);
        }
    }
    const double ref[2] = {1.1, 1.1};
    double hv;
    hv_exact(nsga_pop_obj(e), nsga_pop_size(e), 2, ref, &hv);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("impl=hwnas pop=%ld gens=%ld machinery_s=%.6f machinery_cpu_s=%.6f eval_s=%.6f archive_s=%.6f "
           "archive_size=%d rss_mb=%.1f hv=%.6f\n",
           pop, gens, median(tm, (int)gens), median(tc, (int)gens), median(te, (int)gens),
           arc ? median(ta, (int)gens) : 0.0,
           arc ? pareto_archive_size(arc) : 0, (double)ru.ru_maxrss / 1024.0, hv);
    free(f);
    free(ids);
    free(tm);
    free(te);
    free(ta);
    free(tc);
    pareto_archive_free(arc);
    nsga_free(e);
    space_free(s);
    return 0;
fail:
    fprintf(stderr, "hwnas: bench_zdt1: %s\n", hw_errmsg());
    return 1;
}
