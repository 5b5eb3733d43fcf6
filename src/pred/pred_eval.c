/* pred_eval: see pred_eval.h. */
#include "pred_eval.h"

#include <stdlib.h>
#include <string.h>

#include "hw_clock.h"
#include "hw_err.h"
#include "rng.h"
#include "stats.h"

void pred_eval_metrics_compute(const double *pred_v, const double *truth, int n, pred_eval_metrics *m) {
    m->rho = stats_spearman(pred_v, truth, n);
    m->tau = stats_kendall(pred_v, truth, n);
    m->mape = stats_mape(pred_v, truth, n);
    m->w10 = stats_within(pred_v, truth, n, 10);
    m->w5 = stats_within(pred_v, truth, n, 5);
}

int pred_eval_run(const float *X, const double *y, int *rows, int m, int d, int ntrain, int ntest, int seeds,
                  pred_eval_fit_fn fit, pred_eval_seed_fn on_seed, void *ctx, pred_eval_metrics *out) {
    HW_ASSERT(m >= ntest + ntrain && ntest > 0 && seeds > 0);
    int nte = ntest, ntr = ntrain, rest = m - nte, rc = -1;
    float *Xtr = NULL, *Xte = NULL;
    double *ytr = NULL, *yte = NULL, *pm = NULL, *ps = NULL;
    /* fixed test set: a permutation with a fixed seed, first ntest rows */
    hw_rng r;
    rng_seed(&r, 20260101);
    rng_shuffle_int(&r, rows, m);
    Xte = hw_malloc((size_t)nte * d * sizeof *Xte);
    yte = hw_malloc((size_t)nte * sizeof *yte);
    for (int i = 0; i < nte; i++) {
        memcpy(Xte + (size_t)i * d, X + (size_t)rows[i] * d, (size_t)d * sizeof *X);
        yte[i] = y[rows[i]];
    }
    Xtr = hw_malloc((size_t)(ntr > 0 ? ntr : 1) * d * sizeof *Xtr);
    ytr = hw_malloc((size_t)(ntr > 0 ? ntr : 1) * sizeof *ytr);
    pm = hw_malloc((size_t)nte * sizeof *pm);
    ps = hw_malloc((size_t)nte * sizeof *ps);
    int *pool = rows + nte;
    for (int s = 0; s < seeds; s++) {
        hw_rng rs;
        rng_seed(&rs, (uint64_t)s + 1);
        rng_shuffle_int(&rs, pool, rest);
        for (int i = 0; i < ntr; i++) {
            memcpy(Xtr + (size_t)i * d, X + (size_t)pool[i] * d, (size_t)d * sizeof *X);
            ytr[i] = y[pool[i]];
        }
        pred *model = NULL;
        double t0 = hw_cpu_s();
        if (fit(ctx, (uint64_t)s + 1, Xtr, ytr, ntr, d, &model)) goto fail;
        double t1 = hw_cpu_s();
        int reps = 0;
        double t2 = hw_cpu_s(), t3;
        do {
            pred_predict(model, Xte, nte, pm, ps);
            reps++;
            t3 = hw_cpu_s();
        } while (t3 - t2 < 0.2);
        pred_free(model);
        pred_eval_metrics_compute(pm, yte, nte, &out[s]);
        out[s].fit_s = t1 - t0;
        out[s].rows_per_s = (double)reps * nte / (t3 - t2);
        if (on_seed) on_seed(ctx, s + 1, &out[s]);
    }
    rc = 0;
fail:
    free(Xtr), free(Xte), free(ytr), free(yte), free(pm), free(ps);
    return rc;
}
