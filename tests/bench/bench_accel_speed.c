/* bench_accel_speed: speed of the analytic accelerator cost model.
 *
 * Measures, on one core, (a) single-layer evaluations per second over the
 * distinct layer shapes of random NB201 networks on random accelerators of
 * the default accel space, per dataflow, and (b) whole co-design candidate
 * evaluations per second (layer list + cost + area + constraints). Prints
 * medians of REPS repetitions and the ratio to the 1e6 layers/s goal.
 * usage: bench_accel_speed [REPS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hw_data.h"
#include "accel.h"
#include "accel_codesign.h"
#include "hw_err.h"
#include "stats.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    int reps = argc > 1 ? atoi(argv[1]) : 5;
    if (reps < 1 || reps > 100) reps = 5;
    accel_space_cfg sc;
    accel_space_cfg_default(&sc);
    space *as, *nb;
    if (space_create_accel(&sc, &as) || space_create_nb201(&nb)) {
        fprintf(stderr, "bench_accel_speed: %s\n", hw_errmsg());
        return 1;
    }
    /* a pool of random (network, accelerator) pairs, layer lists merged */
    enum { NPAIR = 256 };
    static layer_list lists[NPAIR];
    static accel_cfg hws[NPAIR];
    hw_rng r;
    rng_seed(&r, 1);
    long nlayers = 0;
    for (int i = 0; i < NPAIR; i++) {
        hw_genome g, h;
        space_sample(nb, &r, &g);
        space_sample(as, &r, &h);
        layer_list_init(&lists[i], 1);
        layers_nb201(nb, &g, 1, &lists[i]);
        accel_from_genome(as, &h, &hws[i]);
        nlayers += lists[i].n;
    }
    printf("# accelerator cost model speed, 1 thread; %d random NB201 networks x accelerators, "
           "%.1f distinct layer shapes per network; median of %d repetitions\n",
           NPAIR, (double)nlayers / NPAIR, reps);
    printf("%-28s %14s %12s %10s\n", "measure", "per_second", "ns_each", "vs_1e6");
    double rate[100], sink = 0;
    for (int df = -1; df < ACCEL_NDATAFLOWS; df++) {
        for (int k = 0; k < reps; k++) {
            long n = 0;
            double t0 = now(), t1;
            do {
                for (int i = 0; i < NPAIR; i++) {
                    accel_cfg c = hws[i];
                    if (df >= 0) {
                        c.dataflow = (accel_dataflow)df;
                    }
                    for (int j = 0; j < lists[i].n; j++) {
                        accel_cost o;
                        accel_layer_cost(&c, &lists[i].v[j], &o);
                        sink += o.latency_s;
                    }
                    n += lists[i].n;
                }
                t1 = now();
            } while (t1 - t0 < 0.2);
            rate[k] = n / (t1 - t0);
        }
        double m = stats_median(rate, reps);
        char name[64];
        snprintf(name, sizeof name, "layer evals (%s)", df < 0 ? "mixed" : accel_dataflow_names[df]);
        printf("%-28s %14.3e %12.1f %10.1f\n", name, m, 1e9 / m, m / 1e6);
    }
    /* whole candidates through the co-design evaluator */
    codesign_cfg cc;
    codesign_cfg_default(&cc);
    snprintf(cc.acc_table, sizeof cc.acc_table, "%s/nb201_accuracy/nb201_accuracy.csv", hw_data_dir());
    codesign *cd;
    if (codesign_create(&cc, &cd)) {
        fprintf(stderr, "bench_accel_speed: %s\n", hw_errmsg());
        return 1;
    }
    hw_genome *gs = malloc(NPAIR * sizeof *gs);
    for (int i = 0; i < NPAIR; i++) space_sample(codesign_space(cd), &r, &gs[i]);
    for (int k = 0; k < reps; k++) {
        long n = 0;
        double t0 = now(), t1;
        do {
            for (int i = 0; i < NPAIR; i++) {
                codesign_point p;
                codesign_eval(cd, &gs[i], &p);
                sink += p.energy_mj;
            }
            n += NPAIR;
            t1 = now();
        } while (t1 - t0 < 0.2);
        rate[k] = n / (t1 - t0);
    }
    double m = stats_median(rate, reps);
    printf("%-28s %14.3e %12.1f %10s\n", "candidate evals (network)", m, 1e9 / m, "-");
    printf("# (checksum %g)\n", sink);
    codesign_free(cd);
    free(gs);
    for (int i = 0; i < NPAIR; i++) layer_list_free(&lists[i]);
    space_free(as);
    space_free(nb);
    return 0;
}
