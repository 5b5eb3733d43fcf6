/* `hwnas front RUN.h5` and `hwnas history RUN.h5`: print the Pareto front
 * and the per-generation history of a run file (table, CSV or JSON). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hw_err.h"
#include "nsga.h"
#include "runfront.h"

static void json_str(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

static void json_num(FILE *f, double v) {
    if (isfinite(v)) fprintf(f, "%.17g", v);
    else fputs("null", f);
}

int cmd_front(int argc, char **argv) {
    int csv = 0, json = 0, measured_only = 0, knee_flag = 0, first;
    const cli_opt opts[] = {
        CLI_FLAG("csv", &csv, "comma-separated, the columns of the table (and of hwnas\nsearch's front.csv): objectives, <objective>_measured (1/0),\nisland, generation, arch"),
        CLI_FLAG("json", &json, "one JSON document"),
        CLI_FLAG("measured-only", &measured_only,
                 "only points whose every objective was measured on a board\n(predicted values excluded)"),
        CLI_FLAG("knee", &knee_flag,
                 "mark the knee point: a column knee (1 on the knee's row) before\narch and a last table line, JSON \"knee\": its index"),
        CLI_END};
    const cli_spec spec = {"front", "RUN.h5 [--csv | --json] [--measured-only] [--knee]",
                           "Prints the Pareto front over all points the run evaluated (one line per\n"
                           "architecture, best first by the first objective).\n"
                           "Knee (--knee): each objective is scaled to [0, 1] over the front (maximised\n"
                           "ones negated first); the knee is the point with the smallest sum of scaled\n"
                           "objectives, i.e. the farthest below the plane through the extremes (Das\n"
                           "1999); ties go to the earlier row.",
                           opts, "one run file", 1, 1};
    int st = cli_parse(&spec, argc, argv, 1, &first);
    if (st != CLI_CONTINUE) return st;
    if (csv && json) return cli_usage_error("front: --csv and --json are exclusive");
    const int fmt = csv ? 1 : json ? 2 : 0;
    const char *path = argv[first];
    run_snapshot *s;
    if (runfront_load(path, &s) < 0) return cli_report(HW_EXIT_USAGE);
    run_points all;
    runfront_all_points(s, &all);
    int *idx, n;
    if (runfront_front(s, &all, measured_only, &idx, &n) < 0) {
        run_points_clear(&all);
        run_snapshot_free(s);
        return cli_report(HW_EXIT_FAIL);
    }
    const int m = s->nobj;
    int knee = -1; /* row of the front, -1 without --knee or on an empty front */
    if (knee_flag && n > 0) {
        double *v = runfront_minimised(s, &all, idx, n);
        int rc = front_knee(v, n, m, &knee);
        free(v);
        if (rc < 0) {
            free(idx);
            run_points_clear(&all);
            run_snapshot_free(s);
            return cli_report(HW_EXIT_FAIL);
        }
    }
    const int kn = knee_flag ? knee : RUNFRONT_NO_KNEE;
    if (fmt == 1) {
        hw_buf b = {0};
        runfront_csv(&b, s, &all, idx, n, kn);
        fwrite(b.p, 1, b.len, stdout);
        hw_buf_free(&b);
    } else if (fmt == 2) {
        printf("{\"file\": ");
        json_str(stdout, path);
        printf(", \"space\": ");
        json_str(stdout, s->space_name);
        printf(", \"measured_only\": %s, \"objectives\": [", measured_only ? "true" : "false");
        for (int k = 0; k < m; k++) {
            printf("%s{\"name\": ", k ? ", " : "");
            json_str(stdout, s->obj_names[k]);
            printf(", \"direction\": \"%s\"}", s->obj_maximise[k] ? "maximise" : "minimise");
        }
        printf("],\n \"front\": [");
        for (int i = 0; i < n; i++) {
            int p = idx[i];
            printf("%s\n  {\"arch\": ", i ? "," : "");
            json_str(stdout, all.strings[p]);
            printf(", \"values\": [");
            for (int k = 0; k < m; k++) {
                if (k) printf(", ");
                json_num(stdout, all.obj[(size_t)p * m + k]);
            }
            printf("], \"measured\": [");
            for (int k = 0; k < m; k++) printf("%s%s", k ? ", " : "", all.measured[(size_t)p * m + k] ? "true" : "false");
            printf("], \"island\": %d, \"generation\": %d", all.island[p], all.generation[p]);
            if (knee_flag) printf(", \"knee\": %s", i == knee ? "true" : "false");
            putchar('}');
        }
        printf("\n]");
        if (knee_flag) {
            printf(",\n \"knee\": ");
            if (knee >= 0) printf("%d", knee);
            else fputs("null", stdout);
        }
        printf("}\n");
    } else {
        printf("# %s: %d points on the front of %d points%s\n", path, n, all.n, measured_only ? ", measured only" : "");
        runfront_table(stdout, s, &all, idx, n, kn);
        if (knee_flag && knee >= 0) printf("# knee: %s\n", all.strings[idx[knee]]);
        else if (knee_flag) puts("# knee: none (empty front)");
    }
    free(idx);
    run_points_clear(&all);
    run_snapshot_free(s);
    return fflush(stdout) == 0 ? HW_EXIT_OK : HW_EXIT_FAIL;
}

int cmd_history(int argc, char **argv) {
    int csv = 0, first;
    const cli_opt opts[] = {CLI_FLAG("csv", &csv, "comma-separated output"), CLI_END};
    const cli_spec spec = {"history", "RUN.h5 [--csv]",
                           "Prints the per-generation history of a run: generation, board measurements\n"
                           "so far, hypervolume of the measured front, HV ratio to the true front\n"
                           "(nan when unknown), front size and wall time.",
                           opts, "one run file", 1, 1};
    int st = cli_parse(&spec, argc, argv, 1, &first);
    if (st != CLI_CONTINUE) return st;
    run_snapshot *s;
    if (runfront_load(argv[first], &s) < 0) return cli_report(HW_EXIT_USAGE);
    if (csv) puts("generation,measurements,hv,hv_ratio,front_size,wall_s");
    else printf("%10s %12s %14s %9s %6s %10s\n", "generation", "measurements", "hv", "hv_ratio", "front", "wall_s");
    for (int i = 0; i < s->nhistory; i++) {
        const run_history_row *r = &s->history[i];
        if (csv)
            printf("%lld,%lld,%.17g,%.17g,%lld,%.6f\n", (long long)r->generation, (long long)r->measurements, r->hv,
                   r->hv_ratio, (long long)r->front_size, r->wall_s);
        else
            printf("%10lld %12lld %14.6g %9.4f %6lld %10.2f\n", (long long)r->generation, (long long)r->measurements,
                   r->hv, r->hv_ratio, (long long)r->front_size, r->wall_s);
    }
    run_snapshot_free(s);
    return fflush(stdout) == 0 ? HW_EXIT_OK : HW_EXIT_FAIL;
}
