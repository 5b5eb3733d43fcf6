/* `hwnas compare RUN.h5...`: two runs side by side (hypervolume with one
 * common reference point, the architectures on only one front), or many
 * runs grouped by config or label: HV-vs-measurements median and
 * inter-quartile band across seeds, IGD+, measurements to HV ratios. The
 * analysis is io/runcmp.c, the figure io/runplot.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hw_err.h"
#include "nsga.h"
#include "stats.h"
#include "runcmp.h"
#include "runfront.h"
#include "runplot.h"

typedef struct side {
    const char *path;
    run_snapshot *s;
    run_points all;
    int *idx, n;
} side;

static int in_front(const side *x, const char *arch) {
    for (int i = 0; i < x->n; i++)
        if (!strcmp(x->all.strings[x->idx[i]], arch)) return 1;
    return 0;
}

static void list_only(const side *x, const side *y, const char *label) {
    int c = 0;
    for (int i = 0; i < x->n; i++) c += !in_front(y, x->all.strings[x->idx[i]]);
    printf("only in %s (%d):\n", label, c);
    const int m = x->s->nobj;
    for (int i = 0; i < x->n; i++) {
        int p = x->idx[i];
        if (in_front(y, x->all.strings[p])) continue;
        printf("  ");
        for (int k = 0; k < m; k++) printf("%14.6g ", x->all.obj[(size_t)p * m + k]);
        printf(" %s\n", x->all.strings[p]);
    }
}

/* The two-run layout: both fronts' HV with c's reference, the points on
 * both fronts and those on only one. */
static int compare_two(const runcmp *c, int measured_only) {
    side a = {c->runs[0].path, NULL, {0}, NULL, 0}, b = {c->runs[1].path, NULL, {0}, NULL, 0};
    side *sd[2] = {&a, &b};
    int st = HW_EXIT_OK;
    const int m = c->m;
    for (int i = 0; i < 2; i++) {
        side *x = sd[i];
        x->s = c->runs[i].s;
        runfront_all_points(x->s, &x->all);
        if (runfront_front(x->s, &x->all, measured_only, &x->idx, &x->n) < 0) {
            st = cli_report(HW_EXIT_FAIL);
            goto out;
        }
    }
    printf("objectives:");
    for (int k = 0; k < m; k++) printf(" %s (%s)", a.s->obj_names[k], runfront_dir(a.s, k));
    printf("\nreference point:");
    for (int k = 0; k < m; k++) printf(" %s=%.6g", a.s->obj_names[k], a.s->obj_maximise[k] ? -c->ref[k] : c->ref[k]);
    printf(" (from %s)\nfronts%s:\n", c->ref_from, measured_only ? " (measured points only)" : "");
    for (int i = 0; i < 2; i++)
        printf("  %s  %-40s front %4d  hv %.8g\n", i ? "B" : "A", sd[i]->path, sd[i]->n, c->runs[i].hv);
    if (c->runs[0].hv > 0) printf("hv B / A: %.6f\n", c->runs[1].hv / c->runs[0].hv);
    int both = 0;
    for (int j = 0; j < a.n; j++) both += in_front(&b, a.all.strings[a.idx[j]]);
    printf("on both fronts: %d\n", both);
    list_only(&a, &b, "A");
    list_only(&b, &a, "B");
    if (fflush(stdout) != 0) st = HW_EXIT_FAIL;
out:
    for (int i = 0; i < 2; i++) {
        free(sd[i]->idx);
        run_points_clear(&sd[i]->all);
    }
    return st;
}

static void print_q(double med, double q1, double q3) {
    char buf[64];
    snprintf(buf, sizeof buf, "%.5g [%.5g, %.5g]", med, q1, q3);
    printf("  %-30s", buf);
}

/* The grouped layout (any number of runs): runs, HV vs measurements,
 * measurements to HV ratios. Budgets: NB evenly spaced counts up to the
 * shortest run's measurements. */
static int compare_groups(const runcmp *c, const char *by, long nb) {
    const int m = c->m;
    const run_snapshot *s0 = c->runs[0].s;
    printf("objectives:");
    for (int k = 0; k < m; k++) printf(" %s (%s)", s0->obj_names[k], runfront_dir(s0, k));
    printf("\nreference point:");
    for (int k = 0; k < m; k++) printf(" %s=%.6g", s0->obj_names[k], s0->obj_maximise[k] ? -c->ref[k] : c->ref[k]);
    printf(" (from %s)\n", c->ref_from);
    printf("reference front: %s, %d points, hv %.8g (IGD+ and HV ratios are against it;\n"
           "  IGD+ scales each objective by this front's range)\n",
           c->ref_front_true ? "the true front of the config's tables" : "non-dominated union of the runs' fronts",
           c->nref, c->ref_front_hv);
    printf("groups (--group-by %s):\n", by);
    for (int g = 0; g < c->ngroups; g++) printf("  G%d  %s  (%d runs)\n", g + 1, c->groups[g].name, c->groups[g].nruns);
    printf("runs:\n  %-5s %-40s %12s %6s %14s %9s %10s\n", "group", "file", "measurements", "front", "hv", "hv_ratio", "igd+");
    for (int i = 0; i < c->nruns; i++) {
        const runcmp_run *r = &c->runs[i];
        printf("  G%-4d %-40s %12d %6d %14.8g %9.6f %10.6g\n", r->group + 1, r->path, r->nmeas, r->nfront, r->hv,
               c->ref_front_hv > 0 ? r->hv / c->ref_front_hv : NAN, r->igd_plus);
    }
    long B = runcmp_min_meas(c);
    printf("HV vs measurements (median [q1, q3] across each group's runs; up to the shortest run's %ld):\n", B);
    printf("  %12s", "measurements");
    for (int g = 0; g < c->ngroups; g++) printf("  G%-29d", g + 1);
    putchar('\n');
    long prev = 0;
    for (long j = 1; j <= nb; j++) {
        long b = (B * j + nb / 2) / nb;
        if (b <= prev) continue;
        prev = b;
        printf("  %12ld", b);
        for (int g = 0; g < c->ngroups; g++) {
            double med, q1, q3;
            runcmp_hv_stats(c, g, b, &med, &q1, &q3);
            print_q(med, q1, q3);
        }
        putchar('\n');
    }
    static const double ratios[3] = {0.95, 0.99, 0.999};
    printf("measurements to reach an HV ratio (HV / reference front's HV; median [q1, q3] over the\n"
           "runs that reach it, then how many do):\n  %6s", "ratio");
    for (int g = 0; g < c->ngroups; g++) printf("  G%-29d", g + 1);
    putchar('\n');
    for (int q = 0; q < 3; q++) {
        printf("  %6g", ratios[q]);
        for (int g = 0; g < c->ngroups; g++) {
            const runcmp_group *gr = &c->groups[g];
            double *v = hw_malloc(sizeof(double) * gr->nruns);
            int k = 0;
            for (int i = 0; i < gr->nruns; i++) {
                long b = runcmp_meas_to(&c->runs[gr->runs[i]], c->ref_front_hv, ratios[q]);
                if (b > 0) v[k++] = (double)b;
            }
            char buf[96];
            if (k) snprintf(buf, sizeof buf, "%.0f [%.0f, %.0f] %d/%d", stats_median(v, k), stats_percentile(v, k, 25),
                            stats_percentile(v, k, 75), k, gr->nruns);
            else snprintf(buf, sizeof buf, "- 0/%d", gr->nruns);
            printf("  %-30s", buf);
            free(v);
        }
        putchar('\n');
    }
    return fflush(stdout) == 0 ? HW_EXIT_OK : HW_EXIT_FAIL;
}

static int set_size(void *ctx, const char *v) { return runplot_size(v, ctx); }

int cmd_compare(int argc, char **argv) {
    int measured_only = 0, first;
    const char *ref_arg = NULL, *group_by = NULL, *out = NULL;
    long nb = 10;
    runplot_opts po;
    runplot_opts_default(&po);
    cli_opt opts[] = {CLI_STR("output", "FILE", &out, "also draw HV vs measurements (median, IQR band) per group\n(.png or .svg; grouped layout)"),
                      CLI_FLAG("measured-only", &measured_only, "fronts of measured points only (see hwnas front)"),
                      CLI_STR("ref", "LIST", &ref_arg, "reference point in the objectives' own units and order"),
                      CLI_STR("group-by", "config|label", &group_by,
                              "group runs by stored config text (checksum) or by label: the\n"
                              "file name without .h5 and a trailing -s3/_seed3/.3 (grouped layout)"),
                      CLI_INT("budgets", "N", &nb, 1, 1000, "rows of the HV-vs-measurements table (default 10)"),
                      CLI_FN("size", "WxH", set_size, &po, "figure size for -o (default 1500x720, at least 800x480)"),
                      CLI_END};
    opts[0].short_name = 'o';
    const cli_spec spec = {"compare", "RUN.h5 RUN.h5... [--group-by config|label] [-o FILE.png] [--ref V1,V2,...]",
                           "Compares runs with the same space and objectives. The reference point is\n"
                           "--ref, else the hypervolume.reference of the config stored in the runs\n"
                           "(it must be the same in all); runs whose spaces, objectives or references\n"
                           "differ are refused. Two runs without --group-by: both fronts' HV, the\n"
                           "points on both fronts and on only one (if neither config has a reference,\n"
                           "the worst front value + 10% of the range per objective). Otherwise the\n"
                           "grouped layout: per run HV, HV ratio and IGD+ against the true front of\n"
                           "the config's tables (else the union of the runs' fronts); per group the\n"
                           "median and quartiles across runs of the HV after b measurements (rows of\n"
                           "/evaluated in order) and of the measurements to reach HV ratios\n"
                           "0.95/0.99/0.999. docs/analysis.md has the details.",
                           opts, "two or more run files", 2, -1};
    int st = cli_parse(&spec, argc, argv, 1, &first);
    if (st != CLI_CONTINUE) return st;
    runcmp_opts o = {RUNCMP_BY_CONFIG, measured_only, ref_arg, 0};
    if (group_by && !strcmp(group_by, "label")) o.group_by = RUNCMP_BY_LABEL;
    else if (group_by && strcmp(group_by, "config"))
        return cli_usage_error("compare: --group-by '%s': expected config or label", group_by);
    const int n = argc - first, two = n == 2 && !group_by;
    if (two && out) return cli_usage_error("compare: -o draws the grouped layout; add --group-by config|label");
    if (out && (runplot_output(out, &po) || runplot_check_output(&po))) return cli_usage_error("compare: %s", hw_errmsg());
    o.data_ref_ok = two;
    runcmp *c;
    int bad;
    if (runcmp_create((const char *const *)argv + first, n, &o, &c, &bad) < 0)
        return bad ? cli_usage_error("compare: %s", hw_errmsg()) : cli_report(HW_EXIT_FAIL);
    if (two) st = compare_two(c, measured_only);
    else {
        st = compare_groups(c, group_by ? group_by : "config", nb);
        if (!st && out && runplot_compare(c, &po)) st = cli_report(HW_EXIT_FAIL);
    }
    runcmp_free(c);
    return st;
}
