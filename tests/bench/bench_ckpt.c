/* bench_ckpt: checkpoint write time, file size and resume (read) time of
 * run files vs population and training-set size, against a raw dump of the
 * same arrays (fwrite + fsync + rename: the I/O floor) measured in the same
 * run. Also writes demo run files for the tests of the offline commands.
 *
 *   bench_ckpt demo OUT.h5 [--islands I] [--pop P] [--gens G] [--rows R] [--seed S] [--measured F]
 *   bench_ckpt bench [--dir DIR] [--reps N] [--max-rows R]
 */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ckpt.h"
#include "cli.h"
#include "hw_data.h"
#include "hw_clock.h"
#include "hw_err.h"
#include "runfile_synth.h"

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void wr(FILE *f, const void *p, size_t n) {
    if (n && fwrite(p, 1, n, f) != n) {
        fprintf(stderr, "bench_ckpt: raw write failed\n");
        exit(1);
    }
}

static void wr_strs(FILE *f, char **s, int n) {
    for (int i = 0; i < n; i++) wr(f, s[i], strlen(s[i]) + 1);
}

static void wr_points(FILE *f, const run_points *p, int ng, int m) {
    size_t n = (size_t)p->n;
    wr(f, p->genomes, n * ng * 2);
    wr_strs(f, p->strings, p->n);
    wr(f, p->obj, n * m * 8);
    if (p->measured) wr(f, p->measured, n * m);
    if (p->cv) wr(f, p->cv, n * 8);
}

/* The peer: every array of S dumped with stdio, fsync'ed, renamed. */
static void raw_dump(const char *path, const run_snapshot *s) {
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) exit(1);
    wr(f, s->config_text, strlen(s->config_text));
    for (int i = 0; i < s->nislands; i++) {
        wr_points(f, &s->islands[i].pop, s->ngenes, s->nobj);
        wr(f, s->islands[i].engine_state, s->islands[i].engine_state_len);
    }
    wr_points(f, &s->archive, s->ngenes, s->nobj);
    wr_points(f, &s->evaluated, s->ngenes, s->nobj);
    for (int t = 0; t < s->ntrainsets; t++) {
        const run_trainset *ts = &s->trainsets[t];
        size_t n = (size_t)ts->n;
        wr(f, ts->features, n * ts->d * 4);
        wr(f, ts->values, n * 8);
        wr_strs(f, ts->arch, ts->n);
        wr_strs(f, ts->board, ts->n);
        wr_strs(f, ts->runner, ts->n);
        wr(f, ts->t_start, n * 8);
        wr(f, ts->t_end, n * 8);
    }
    for (int k = 0; k < s->nmodels; k++) wr(f, s->models[k].bytes, s->models[k].len);
    wr(f, s->history, sizeof(run_history_row) * s->nhistory);
    fflush(f);
    if (fsync(fileno(f)) < 0) exit(1);
    fclose(f);
    if (rename(tmp, path) < 0) exit(1);
    ckpt_fsync_dir_of(path);
}

static double raw_read(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) exit(1);
    struct stat st;
    fstat(fileno(f), &st);
    char *buf = malloc((size_t)st.st_size + 1);
    size_t got = fread(buf, 1, (size_t)st.st_size, f);
    fclose(f);
    double sum = 0;
    for (size_t i = 0; i < got; i += 4096) sum += buf[i];
    free(buf);
    return sum;
}

static long fsize(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 ? (long)st.st_size : -1;
}

static int demo(int argc, char **argv) {
    if (argc < 3) return cli_usage_error("bench_ckpt demo OUT.h5 [options]");
    run_synth_params p;
    run_synth_params_default(&p);
    for (int i = 3; i + 1 < argc; i += 2) {
        long v;
        double d;
        if (!strcmp(argv[i], "--islands") && !cli_parse_int(argv[i], argv[i + 1], 1, 64, &v)) p.islands = (int)v;
        else if (!strcmp(argv[i], "--pop") && !cli_parse_int(argv[i], argv[i + 1], 4, 100000, &v)) p.pop = (int)v;
        else if (!strcmp(argv[i], "--gens") && !cli_parse_int(argv[i], argv[i + 1], 1, 100000, &v)) p.generations = (int)v;
        else if (!strcmp(argv[i], "--rows") && !cli_parse_int(argv[i], argv[i + 1], 0, 100000000, &v)) p.train_rows = v;
        else if (!strcmp(argv[i], "--seed") && !cli_parse_int(argv[i], argv[i + 1], 0, 1L << 40, &v)) p.seed = (uint64_t)v;
        else if (!strcmp(argv[i], "--measured") && !cli_parse_double(argv[i], argv[i + 1], &d)) p.p_measured = d;
        else return cli_usage_error("bench_ckpt demo: bad option %s %s", argv[i], argv[i + 1]);
    }
    run_snapshot *s;
    if (runfile_synth(hw_data_dir(), &p, &s) < 0 || ckpt_write(argv[2], s) < 0) return cli_report(1);
    run_snapshot_free(s);
    return 0;
}

static int bench(int argc, char **argv) {
    const char *dir = "/tmp";
    int reps = 5;
    long max_rows = 1000000;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--dir")) dir = argv[i + 1];
        else if (!strcmp(argv[i], "--reps")) reps = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--max-rows")) max_rows = atol(argv[i + 1]);
    }
    if (reps < 1) reps = 1;
    char h5[4096], raw[4096];
    snprintf(h5, sizeof h5, "%s/bench_ckpt.%d.h5", dir, (int)getpid());
    snprintf(raw, sizeof raw, "%s/bench_ckpt.%d.raw", dir, (int)getpid());
    static const int pops[] = {32, 256, 2048};
    static const long rows[] = {1000, 10000, 100000, 1000000};
    printf("%-6s %-5s %-8s %9s %10s %9s %10s %9s %9s %8s %8s\n", "isl", "pop", "rows", "evaluated", "size_MB",
           "raw_MB", "write_ms", "raw_ms", "read_ms", "w_ratio", "r_ratio");
    for (size_t a = 0; a < sizeof pops / sizeof *pops; a++)
        for (size_t b = 0; b < sizeof rows / sizeof *rows; b++) {
            if (rows[b] > max_rows) continue;
            run_synth_params p;
            run_synth_params_default(&p);
            p.islands = 4;
            p.pop = pops[a];
            p.generations = 10;
            p.train_rows = rows[b];
            p.model_bytes = 256 * 1024;
            run_snapshot *s;
            if (runfile_synth(hw_data_dir(), &p, &s) < 0) return cli_report(1);
            double *tw = malloc(sizeof(double) * reps), *tr = malloc(sizeof(double) * reps);
            double *rw = malloc(sizeof(double) * reps), *rr = malloc(sizeof(double) * reps);
            for (int r = 0; r < reps; r++) {
                double t0 = hw_now_s();
                if (ckpt_write(h5, s) < 0) return cli_report(1);
                double t1 = hw_now_s();
                raw_dump(raw, s);
                double t2 = hw_now_s();
                run_snapshot *q;
                int rep;
                if (ckpt_resume(h5, &q, &rep) < 0) return cli_report(1);
                double t3 = hw_now_s();
                volatile double sink = raw_read(raw);
                (void)sink;
                double t4 = hw_now_s();
                run_snapshot_free(q);
                tw[r] = t1 - t0, rw[r] = t2 - t1, tr[r] = t3 - t2, rr[r] = t4 - t3;
            }
            double mw = median(tw, reps), mr = median(tr, reps), mrw = median(rw, reps), mrr = median(rr, reps);
            printf("%-6d %-5d %-8ld %9d %10.2f %9.2f %10.1f %9.1f %9.1f %8.2f %8.2f\n", p.islands, p.pop, rows[b],
                   s->evaluated.n, fsize(h5) / 1048576.0, fsize(raw) / 1048576.0, 1e3 * mw, 1e3 * mrw, 1e3 * mr,
                   mw / mrw, mr / mrr);
            fflush(stdout);
            free(tw), free(tr), free(rw), free(rr);
            run_snapshot_free(s);
        }
    unlink(h5);
    unlink(raw);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 2 && !strcmp(argv[1], "demo")) return demo(argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "bench")) return bench(argc, argv);
    fprintf(stderr, "usage: bench_ckpt demo OUT.h5 [options] | bench [--dir DIR] [--reps N] [--max-rows R]\n");
    return 2;
}
