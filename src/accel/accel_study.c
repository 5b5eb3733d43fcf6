/* accel_study.c: see accel_study.h. */
#include "accel_study.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hw_err.h"
#include "stats.h"

static const char csv_header[] = "strategy,seed,arch,accel,accuracy,latency_ms,energy_mj,area_mm2,cv\n";

int accel_study_strategies(const char *s, codesign_strategy *st, int *n) {
    *n = 0;
    for (int i = 0; i < CODESIGN_NSTRATEGIES; i++)
        if (!strcmp(s, "all") || !strcmp(s, codesign_strategy_names[i])) st[(*n)++] = (codesign_strategy)i;
    if (!*n) return hw_fail("option --strategy: '%s' is not all, joint, two_stage or fixed", s);
    return 0;
}

static void csv_point(hw_buf *b, const codesign *cd, const char *st, uint64_t seed, const codesign_point *p) {
    char s[HW_ARCH_STR_MAX];
    if (space_to_string(codesign_space(cd), &p->g, s, sizeof s)) snprintf(s, sizeof s, "?");
    char *at = strrchr(s, '@');
    if (at) *at = 0;
    hw_buf_printf(b, "%s,%llu,%s,%s,%.6f,%.9g,%.9g,%.6f,%.6g\n", st, (unsigned long long)seed, s, at ? at + 1 : "",
                  p->acc, p->latency_ms, p->energy_mj, p->area_mm2, p->cv);
}

int accel_study_run(codesign *cd, const codesign_strategy *st, int nst, int points, FILE *progress, accel_study *out) {
    const codesign_cfg *cfg = codesign_config(cd);
    const int S = cfg->n_seeds, T = cfg->n_targets;
    memset(out, 0, sizeof *out);
    out->nst = nst;
    out->nseeds = S;
    out->ntargets = T;
    memcpy(out->st, st, (size_t)nst * sizeof *st);
    out->hv = hw_calloc((size_t)nst * S, sizeof *out->hv);
    out->eat = hw_calloc((size_t)nst * S * (T > 0 ? T : 1), sizeof *out->eat);
    out->nfront = hw_calloc((size_t)nst * S, sizeof *out->nfront);
    hw_buf_printf(&out->points, "%s", csv_header);
    hw_buf_printf(&out->front, "%s", csv_header);
    for (int a = 0; a < nst; a++)
        for (int k = 0; k < S; k++) {
            const int run = a * S + k;
            codesign_result r = {0};
            nsga_params p = cfg->engine;
            p.seed = cfg->seeds[k];
            if (codesign_run(cd, st[a], &p, cfg->evaluations, &r) || codesign_hv(cd, &r, &out->hv[run])) {
                codesign_result_free(&r);
                accel_study_clear(out);
                return -1;
            }
            for (int t = 0; t < T; t++) out->eat[run * T + t] = codesign_energy_at_acc(&r, cfg->acc_targets[t]);
            int *idx = NULL, nf = 0;
            codesign_front(&r, &idx, &nf);
            out->nfront[run] = nf;
            const char *sn = codesign_strategy_names[st[a]];
            if (points)
                for (int i = 0; i < r.n; i++) csv_point(&out->points, cd, sn, cfg->seeds[k], &r.pts[i]);
            for (int i = 0; i < nf; i++) csv_point(&out->front, cd, sn, cfg->seeds[k], &r.pts[idx[i]]);
            if (progress) {
                fprintf(progress, "# %-9s seed %-4llu HV %.5f  front %3d", sn, (unsigned long long)cfg->seeds[k],
                        out->hv[run], nf);
                for (int t = 0; t < T; t++)
                    fprintf(progress, "  E@%.1f%% %.4f mJ", cfg->acc_targets[t], out->eat[run * T + t]);
                fprintf(progress, "\n");
                fflush(progress);
            }
            free(idx);
            codesign_result_free(&r);
        }
    return 0;
}

static int cmp_dbl(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median that allows +INF entries (no design reached the target): the mean
 * of the two middle order statistics, +INF if either is +INF. */
static double median_inf(const double *v, int n) {
    double t[CODESIGN_MAX_SEEDS];
    memcpy(t, v, (size_t)n * sizeof *t);
    qsort(t, (size_t)n, sizeof *t, cmp_dbl);
    double a = t[(n - 1) / 2], b = t[n / 2];
    return isinf(a) || isinf(b) ? INFINITY : 0.5 * (a + b);
}

void accel_study_summary(const accel_study *s, int a, double *hv_med, double *front_med, double *eat_med) {
    const int S = s->nseeds, T = s->ntargets;
    double tmp[CODESIGN_MAX_SEEDS];
    HW_ASSERT(a >= 0 && a < s->nst && S <= CODESIGN_MAX_SEEDS);
    *hv_med = stats_median(&s->hv[a * S], S);
    for (int k = 0; k < S; k++) tmp[k] = s->nfront[a * S + k];
    *front_med = stats_median(tmp, S);
    for (int t = 0; t < T; t++) {
        for (int k = 0; k < S; k++) tmp[k] = s->eat[(a * S + k) * T + t];
        eat_med[t] = median_inf(tmp, S);
    }
}

void accel_study_clear(accel_study *s) {
    free(s->hv);
    free(s->eat);
    free(s->nfront);
    hw_buf_free(&s->points);
    hw_buf_free(&s->front);
    memset(s, 0, sizeof *s);
}
