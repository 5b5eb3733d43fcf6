/* accel_study: the co-design comparison behind `hwnas codesign`: each of
 * the chosen strategies (joint, two_stage, fixed) runs once per seed of
 * the config with the same evaluation budget; per run the hypervolume, the
 * lowest energy at each accuracy target and the front size are kept, and
 * every evaluation / each run's front as CSV text
 * (strategy,seed,arch,accel,accuracy,latency_ms,energy_mj,area_mm2,cv).
 * Summaries are medians over the seeds. */
#ifndef HW_ACCEL_STUDY_H
#define HW_ACCEL_STUDY_H

#include <stdio.h>

#include "accel_codesign.h"
#include "fsutil.h"

typedef struct accel_study {
    int nst, nseeds, ntargets;
    codesign_strategy st[CODESIGN_NSTRATEGIES]; /* the strategies run, in order */
    double *hv;     /* [nst * nseeds] */
    double *eat;    /* [(nst * nseeds) * ntargets] energy at accuracy target, +INF if none */
    int *nfront;    /* [nst * nseeds] */
    hw_buf points;  /* CSV of every evaluation (only when asked for) */
    hw_buf front;   /* CSV of each run's feasible non-dominated designs */
} accel_study;

/* Parses "all" or one strategy name into st[] / *n; -1 with a message. */
int accel_study_strategies(const char *s, codesign_strategy *st, int *n);

/* Runs strategies st[0..nst) x the config's seeds on CD. With points != 0
 * the points CSV is filled too. A line per run goes to progress (may be
 * NULL). 0, or -1 with the message (then *out is cleared). */
int accel_study_run(codesign *cd, const codesign_strategy *st, int nst, int points, FILE *progress, accel_study *out);

/* Medians over the seeds for strategy a (index into out->st): hypervolume,
 * front size and, per target t, the energy (eat_med[t], +INF when the
 * middle runs reached no feasible design). */
void accel_study_summary(const accel_study *s, int a, double *hv_med, double *front_med, double *eat_med);

void accel_study_clear(accel_study *s);

#endif
