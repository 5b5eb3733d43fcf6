/* The MPI engine at the rank count it is launched with (CTest: 1, 2, 4):
 * - two runs with the same seed give bit-identical histories and fronts
 *   (measure-everything and predictor modes);
 * - the final front holds measured, feasible points only, equal to the
 *   non-dominated set of everything measured;
 * - the measurement budget is respected;
 * - the report's speedup equals its parts (distinct candidates x mean
 *   measurement cost / (measurement + own compute seconds)), each role's
 *   wall-time shares add up to 1, and its breakdown by message kind adds up
 *   to its communication and its idle time.
 * Any failure aborts all ranks (never a hang). */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "eval_table.h"
#include "hw_err.h"

static int rank;

#define CHECK(c)                                                                     \
    do {                                                                             \
        if (!(c)) {                                                                  \
            fprintf(stderr, "rank %d: %s:%d: check failed: %s (%s)\n", rank, __FILE__, \
                    __LINE__, #c, hw_errmsg());                                      \
            MPI_Abort(MPI_COMM_WORLD, 1);                                            \
        }                                                                            \
    } while (0)

static const char *write_cfg(const char *kind, const char *algo, const char *islands, const char *extra) {
    static char path[256];
    snprintf(path, sizeof path, "/tmp/hwnas_mpi_test_%s_%d.yaml", kind, (int)getpid());
    const char *data = getenv("HWNAS_DATA");
    FILE *f = fopen(path, "w");
    fprintf(f,
            "objectives:\n"
            "  - {name: accuracy, direction: maximize, source: test_acc_200ep_cifar10}\n"
            "  - {name: latency_ms, direction: minimize, source: edgegpu_latency_ms}\n"
            "%s\n"
            "evaluator:\n  kind: %s\n  measure_cost_s: 2\n"
            "  tables: [%s/hw_nas_bench/hwnasbench_nb201_cifar10.csv, %s/nb201_accuracy/nb201_accuracy.csv]\n"
            "hypervolume: {reference: [85, 12.861970], true_front: false}\n"
            "%s\n%s",
            algo, kind, data, data, islands, extra);
    fclose(f);
    return path;
}

typedef struct run_out {
    search_result res;
    int n;
    double *obj; /* front, n x 2 */
    uint64_t *id;
} run_out;

static int cmp_pt(const void *a, const void *b) {
    const double *x = a, *y = b;
    return x[0] != y[0] ? (x[0] > y[0]) - (x[0] < y[0]) : (x[1] > y[1]) - (x[1] < y[1]);
}

/* Sorted distinct 2-D points of pts[0..n) into out; their count. */
static int distinct_pts(const double *pts, int n, double *out) {
    memcpy(out, pts, (size_t)n * 2 * sizeof *out);
    qsort(out, (size_t)n, 2 * sizeof *out, cmp_pt);
    int k = 0;
    for (int i = 0; i < n; i++)
        if (!k || cmp_pt(out + 2 * (k - 1), out + 2 * i)) memmove(out + 2 * k++, out + 2 * i, 2 * sizeof *out);
    return k;
}

/* The front (n x 2, minimised) equals the non-dominated set of every
 * feasible point the run measured (the table's measured marks), as sets
 * of objective vectors. */
static void check_front_is_measured_front(const space *sp, const eval_table *tab, const double *front, int n) {
    int cap = 16384, nm = 0;
    double *pts = malloc((size_t)cap * 2 * sizeof *pts), raw[HW_MAX_OBJ], cv;
    for (int64_t i = 0; i < space_size(sp); i++) {
        hw_genome g;
        CHECK(space_from_index(sp, i, &g) == 0);
        if (!eval_table_seen(tab, &g)) continue;
        eval_table_peek(tab, &g, raw, &cv);
        if (!(cv == 0) || !isfinite(raw[0]) || !isfinite(raw[1])) continue;
        CHECK(nm < cap);
        pts[2 * nm] = -raw[0], pts[2 * nm + 1] = raw[1]; /* accuracy maximised */
        nm++;
    }
    int *rk = malloc((size_t)(nm ? nm : 1) * sizeof *rk), k = 0;
    nd_sort(pts, NULL, nm, 2, rk);
    double *nd = malloc((size_t)(nm ? nm : 1) * 2 * sizeof *nd);
    for (int i = 0; i < nm; i++)
        if (rk[i] == 0) nd[2 * k] = pts[2 * i], nd[2 * k + 1] = pts[2 * i + 1], k++;
    double *a = malloc((size_t)(k + n + 1) * 2 * sizeof *a), *b = malloc((size_t)(k + n + 1) * 2 * sizeof *b);
    int na = distinct_pts(nd, k, a), nb = distinct_pts(front, n, b);
    if (na != nb || memcmp(a, b, (size_t)na * 2 * sizeof *a)) {
        fprintf(stderr, "front: %d distinct points; non-dominated set of the %d measured feasible points: %d\n", nb, nm,
                na);
        CHECK(0);
    }
    free(pts), free(rk), free(nd), free(a), free(b);
}

static void run(const char *cfg_path, run_out *o) {
    search_config *cfg;
    space *sp;
    CHECK(search_config_load(cfg_path, &cfg) == 0);
    CHECK(search_config_space(cfg, &sp) == 0);
    search_problem p = {.cfg = cfg, .sp = sp};
    engine_report rep;
    pareto_archive *a = NULL;
    eval_table *tab = NULL; /* the ground truth, lent to rank 0: it marks what was measured */
    CHECK(eval_table_create(cfg, sp, &tab) == 0);
    engine_options eo = {.tab = tab};
    CHECK(engine_run(cfg, sp, MPI_COMM_WORLD, &p, &eo, &rep, &a) == 0);
    memset(o, 0, sizeof *o);
    if (rank == 0) {
        o->res = rep.res;
        o->n = pareto_archive_size(a);
        o->obj = malloc((size_t)o->n * 2 * sizeof *o->obj);
        o->id = malloc((size_t)o->n * sizeof *o->id);
        for (int i = 0; i < o->n; i++) {
            memcpy(o->obj + 2 * i, pareto_archive_obj(a, i), 2 * sizeof *o->obj);
            o->id[i] = pareto_archive_id(a, i);
        }
        /* measured, feasible, and mutually non-dominated */
        for (int i = 0; i < o->n; i++) {
            CHECK(isfinite(o->obj[2 * i]) && isfinite(o->obj[2 * i + 1]));
            for (int j = 0; j < o->n; j++)
                if (i != j) CHECK(!nsga_dominates(o->obj + 2 * j, 0, o->obj + 2 * i, 0, 2));
        }
        check_front_is_measured_front(sp, tab, o->obj, o->n);
        if (cfg->max_measurements > 0) CHECK(rep.res.measurements <= cfg->max_measurements);
        CHECK(rep.res.n_history > 0);
        CHECK(rep.evaluated.n == rep.res.measurements); /* rank 0's measured points: one per measurement */
        run_points_clear(&rep.evaluated);
        CHECK(rep.board_s == 2.0 * (double)rep.res.measurements);
        /* the speedup is made of its printed parts, all measured in this run */
        CHECK(rep.mean_meas_cost_s == 2.0);
        CHECK(rep.distinct_evaluated >= rep.res.measurements);
        double want = (double)rep.distinct_evaluated * rep.mean_meas_cost_s / (rep.board_s + rep.compute_s);
        if (fabs(rep.speedup - want) > 1e-12 * want) {
            fprintf(stderr, "speedup %.17g, parts give %.17g\n", rep.speedup, want);
            CHECK(0);
        }
        /* every rank's wall time is split into four shares that add up */
        int size;
        MPI_Comm_size(MPI_COMM_WORLD, &size);
        CHECK(rep.role[ENGINE_ROLE_DISPATCHER].ranks == 1 && rep.role[ENGINE_ROLE_ISLANDS].ranks == size - 1);
        for (int k = 0; k < ENGINE_NROLES; k++) {
            const engine_role_time *t = &rep.role[k];
            if (!t->ranks) continue;
            double sum = t->compute + t->measurement + t->communication + t->idle;
            if (fabs(sum - 1) > 1e-9 || t->compute < 0 || t->measurement < 0 || t->communication < 0 || t->idle < 0) {
                fprintf(stderr, "role %d shares %g %g %g %g (sum %g)\n", k, t->compute, t->measurement,
                        t->communication, t->idle, sum);
                CHECK(0);
            }
            CHECK(size == 1 || t->msgs_sent > 0);
            /* the breakdown by message kind accounts for every second of
             * communication, and the waits and times without a core it
             * lists are the role's idle time (islands: idle + waits for
             * rank 0's measurements; no fine-tuning here) */
            double comm = 0, waits = 0;
            for (int i = 0; i < ENGINE_NKINDS; i++) {
                CHECK(t->kind[i].comm_s >= 0 && t->kind[i].wait_s >= 0 && t->kind[i].sched_s >= 0);
                comm += t->kind[i].comm_s, waits += t->kind[i].wait_s + t->kind[i].sched_s;
            }
            double idle = (t->idle + (k == ENGINE_ROLE_ISLANDS ? t->measurement : 0)) * t->wall_s;
            if (fabs(comm - t->communication * t->wall_s) > 1e-6 * t->wall_s || fabs(waits - idle) > 1e-6 * t->wall_s) {
                fprintf(stderr, "role %d: by kind comm %g s, waits %g s; role comm %g s, idle %g s\n", k, comm, waits,
                        t->communication * t->wall_s, idle);
                CHECK(0);
            }
            CHECK(size == 1 || (t->kind[ENGINE_KIND_PROPOSE].msgs > 0 && t->kind[ENGINE_KIND_UPDATE].msgs > 0));
        }
    }
    pareto_archive_free(a);
    eval_table_free(tab);
    space_free(sp);
    search_config_free(cfg);
}

static void same(const run_out *a, const run_out *b) {
    if (rank != 0) return;
    CHECK(a->res.n_history == b->res.n_history);
    for (int i = 0; i < a->res.n_history; i++) {
        CHECK(a->res.history[i].measurements == b->res.history[i].measurements);
        CHECK(a->res.history[i].evaluations == b->res.history[i].evaluations);
        CHECK(memcmp(&a->res.history[i].hv, &b->res.history[i].hv, sizeof(double)) == 0);
    }
    CHECK(a->n == b->n);
    CHECK(memcmp(a->obj, b->obj, (size_t)a->n * 2 * sizeof *a->obj) == 0);
    CHECK(memcmp(a->id, b->id, (size_t)a->n * sizeof *a->id) == 0);
}

static void free_out(run_out *o) {
    search_result_free(&o->res);
    free(o->obj);
    free(o->id);
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    run_out a, b;
    /* measure-everything */
    const char *ring = "islands: {migration_interval: 2, migrants: 2, topology: ring}";
    const char *p = write_cfg("table", "algorithm: {population: 16, generations: 12, seed: 7}", ring, "");
    run(p, &a);
    run(p, &b);
    same(&a, &b);
    if (rank == 0) CHECK(a.res.measurements > 16 && a.n > 3);
    free_out(&a);
    free_out(&b);
    if (rank == 0) unlink(p);
    /* predictor-driven, with a budget */
    p = write_cfg("predictor", "algorithm: {population: 16, generations: 30, seed: 7, max_measurements: 30}", ring,
                  "predictor: {initial: 10, per_generation: 1, trees: 20, policy: hv_contribution}\n");
    run(p, &a);
    run(p, &b);
    same(&a, &b);
    if (rank == 0) CHECK(a.res.measurements == 30);
    free_out(&a);
    free_out(&b);
    if (rank == 0) unlink(p);
    /* asynchronous rounds: islands never wait for the dispatcher; not
     * deterministic, but it must end, respect the budget and report a
     * measured front */
    p = write_cfg("predictor", "algorithm: {population: 16, generations: 60, seed: 7, max_measurements: 25}",
                  "islands: {sync: false, migration_interval: 2, migrants: 2}",
                  "predictor: {initial: 10, per_generation: 1, trees: 20}\n");
    run(p, &a);
    if (rank == 0) CHECK(a.res.measurements <= 25 && a.n >= 1);
    free_out(&a);
    unlink(p);
    if (rank == 0) printf("test_engine: all checks passed\n");
    MPI_Finalize();
    return 0;
}
