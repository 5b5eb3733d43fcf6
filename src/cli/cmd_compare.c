/* `hwnas compare A.h5 B.h5`: hypervolume of both runs' fronts with one
 * common reference point, and the architectures on only one front. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hw_err.h"
#include "nsga.h"
#include "runfront.h"

typedef struct side {
    const char *path;
    run_snapshot *s;
    run_points all;
    int *idx, n;
    double *v; /* n x m minimised */
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

int cmd_compare(int argc, char **argv) {
    int measured_only = 0, first;
    const char *ref_arg = NULL;
    const cli_opt opts[] = {CLI_FLAG("measured-only", &measured_only, "fronts of measured points only (see hwnas front)"),
                            CLI_STR("ref", "LIST", &ref_arg, "reference point in the objectives' own units and order"),
                            CLI_END};
    const cli_spec spec = {"compare", "A.h5 B.h5 [--measured-only] [--ref V1,V2,...]",
                           "Compares the Pareto fronts of two runs with the same objectives: the\n"
                           "hypervolume of each w.r.t. one common reference point, the points on both\n"
                           "fronts and those on only one (by canonical architecture string).\n"
                           "The default reference point is, per objective, the worst value on either\n"
                           "front moved outward by 10% of the joint range (1e-9 when the range is 0).",
                           opts, "two run files", 2, 2};
    int st = cli_parse(&spec, argc, argv, 1, &first);
    if (st != CLI_CONTINUE) return st;
    side a = {argv[first], NULL, {0}, NULL, 0, NULL}, b = {argv[first + 1], NULL, {0}, NULL, 0, NULL};
    side *sd[2] = {&a, &b};
    st = HW_EXIT_OK;
    double *ref = NULL;
    for (int i = 0; i < 2 && !st; i++) st = runfront_load(sd[i]->path, &sd[i]->s) < 0 ? cli_report(HW_EXIT_USAGE) : 0;
    if (st) goto out;
    const int m = a.s->nobj;
    if (b.s->nobj != m) {
        st = cli_usage_error("%s: %d objectives, %s has %d", b.path, b.s->nobj, a.path, m);
        goto out;
    }
    for (int k = 0; k < m; k++)
        if (strcmp(a.s->obj_names[k], b.s->obj_names[k]) || a.s->obj_maximise[k] != b.s->obj_maximise[k]) {
            st = cli_usage_error("%s: objective %d is '%s' (%s), in %s it is '%s' (%s)", b.path, k + 1,
                                 b.s->obj_names[k], runfront_dir(b.s, k), a.path, a.s->obj_names[k],
                                 runfront_dir(a.s, k));
            goto out;
        }
    for (int i = 0; i < 2; i++) {
        side *x = sd[i];
        runfront_all_points(x->s, &x->all);
        if (runfront_front(x->s, &x->all, measured_only, &x->idx, &x->n) < 0) {
            st = cli_report(HW_EXIT_FAIL);
            goto out;
        }
        x->v = runfront_minimised(x->s, &x->all, x->idx, x->n);
    }
    ref = hw_malloc(sizeof(double) * m); /* m, minimised */
    if (ref_arg && runfront_parse_ref(a.s, ref_arg, ref)) {
        st = cli_usage_error("compare: %s", hw_errmsg());
        goto out;
    }
    if (!ref_arg) runfront_default_ref(a.v, a.n, b.v, b.n, m, ref);
    double hv[2];
    for (int i = 0; i < 2; i++)
        if (hv_exact(sd[i]->v, sd[i]->n, m, ref, &hv[i]) < 0) hv[i] = NAN; /* > 3 objectives */
    printf("objectives:");
    for (int k = 0; k < m; k++) printf(" %s (%s)", a.s->obj_names[k], runfront_dir(a.s, k));
    printf("\nreference point:");
    for (int k = 0; k < m; k++) printf(" %s=%.6g", a.s->obj_names[k], a.s->obj_maximise[k] ? -ref[k] : ref[k]);
    printf("\nfronts%s:\n", measured_only ? " (measured points only)" : "");
    for (int i = 0; i < 2; i++)
        printf("  %s  %-40s front %4d  hv %.8g\n", i ? "B" : "A", sd[i]->path, sd[i]->n, hv[i]);
    if (hv[0] > 0) printf("hv B / A: %.6f\n", hv[1] / hv[0]);
    int both = 0;
    for (int j = 0; j < a.n; j++) both += in_front(&b, a.all.strings[a.idx[j]]);
    printf("on both fronts: %d\n", both);
    list_only(&a, &b, "A");
    list_only(&b, &a, "B");
    if (fflush(stdout) != 0) st = HW_EXIT_FAIL;
out:
    free(ref);
    for (int i = 0; i < 2; i++) {
        free(sd[i]->idx);
        free(sd[i]->v);
        run_points_clear(&sd[i]->all);
        run_snapshot_free(sd[i]->s);
    }
    return st;
}
