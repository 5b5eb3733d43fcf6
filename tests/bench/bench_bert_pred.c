/* bench_bert_pred: the BERT-space predictors (rf, xgb, gp over
 * pred_space_features) on measured data from this machine.
 *
 *   bench_bert_pred TABLE.csv [--long L1.csv,L2.csv,..] [--seeds S] [--metric acc|ce]
 *
 * TABLE is data/bert_sst2_cpu/bert_sst2_cpu.csv (arch, accuracy = K-step
 * proxy fine-tuning, latency_ms = builtin board median) or a `hwnas
 * finetune --archs` batch CSV of K-step proxy results (arch, accuracy,
 * eval_loss; no latency). Latency (if TABLE has latency_ms): train on
 * n = 25 / 50 / 100 random board measurements, Spearman of the predictions
 * against the measured latency of every other arch of the table (median
 * over S seeds). Accuracy: the --long files (finetune batch CSVs of the
 * same archs, one per fine-tuning seed) give a seed-averaged longer
 * fine-tune of a test set; train on n = 10 / 25 / 50 proxy results (TABLE
 * rows not in the test set), Spearman of the predictions against the long
 * result. --metric ce ranks by the dev-set mean log-likelihood of the right
 * class (-eval_loss, every dev row) instead of accuracy, for the proxy,
 * the reference and the predictors' target alike. With two or more --long
 * files it first prints the reference's own seed-to-seed agreement
 * (Spearman between every pair of seeds, for accuracy and log-likelihood)
 * and the reliability of the seed mean (Spearman-Brown), whose square
 * root bounds what any proxy can reach against it. Baselines printed
 * beside: one feature alone (FLOPs / parameters) and, for accuracy, the
 * proxy itself. Threads: 1. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "hw_err.h"
#include "pred.h"
#include "rng.h"
#include "space.h"
#include "stats.h"

#define NM 3
static const char *const mnames[NM] = {"rf", "xgb", "gp"};

/* Fits method m on (X, y) rows idx[0..ntr) and predicts rows te[0..nte). */
static int fit_predict(int m, const float *X, const double *y, int d, const int *idx, int ntr, const int *te, int nte,
                       int log_target, double *out) {
    float *Xtr = malloc((size_t)ntr * d * sizeof *Xtr), *Xte = malloc((size_t)nte * d * sizeof *Xte);
    double *ytr = malloc((size_t)ntr * sizeof *ytr);
    int rc = -1;
    for (int i = 0; i < ntr; i++) {
        memcpy(Xtr + (size_t)i * d, X + (size_t)idx[i] * d, (size_t)d * sizeof *X);
        ytr[i] = y[idx[i]];
    }
    for (int i = 0; i < nte; i++) memcpy(Xte + (size_t)i * d, X + (size_t)te[i] * d, (size_t)d * sizeof *X);
    static const pred_kind kinds[NM] = {PRED_RF, PRED_XGB, PRED_GP};
    pred_params pp;
    pred_params_default(kinds[m], &pp);
    pp.log_target = log_target;
    pred *p;
    if (pred_fit(&pp, Xtr, ytr, ntr, d, &p)) goto done;
    pred_predict(p, Xte, nte, out, NULL);
    pred_free(p);
    rc = 0;
done:
    free(Xtr);
    free(Xte);
    free(ytr);
    return rc;
}

static void shuffle(int *a, int n, hw_rng *r) {
    for (int i = n - 1; i > 0; i--) {
        int j = (int)rng_below(r, (uint64_t)i + 1), t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

int main(int argc, char **argv) {
    const char *table = NULL, *longs = NULL;
    int seeds = 10, ce = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--long") && i + 1 < argc) longs = argv[++i];
        else if (!strcmp(argv[i], "--metric") && i + 1 < argc && (!strcmp(argv[i + 1], "acc") || !strcmp(argv[i + 1], "ce")))
            ce = !strcmp(argv[++i], "ce");
        else if (!strcmp(argv[i], "--seeds") && i + 1 < argc) seeds = atoi(argv[++i]);
        else if (!table && argv[i][0] != '-') table = argv[i];
        else {
            fprintf(stderr, "usage: bench_bert_pred TABLE.csv [--long L1.csv,L2.csv] [--seeds S] [--metric acc|ce]\n");
            return 2;
        }
    }
    if (!table || seeds < 1) return 2;
    csv_table *t;
    if (csv_read(table, &t)) {
        fprintf(stderr, "bench_bert_pred: %s\n", hw_errmsg());
        return 2;
    }
    bert_space_cfg bc = {4, {1, 2, 3, 4}, 3, {32, 64, 128}, 2, {2, 4}, 2, {64, 256}};
    space *sp;
    if (space_create_bert(&bc, &sp)) return 1;
    int n = csv_nrows(t), d = pred_space_nfeatures(sp);
    /* the quality column: accuracy, or -eval_loss (mean log-likelihood of the right class) */
    const char *qcol = ce ? "eval_loss" : "accuracy", *qname = ce ? "dev log-likelihood" : "accuracy";
    double qsign = ce ? -1.0 : 1.0;
    int ca = csv_col_required(t, "arch"), cacc = csv_col_required(t, qcol), clat = csv_col(t, "latency_ms");
    if (ca < 0 || cacc < 0) {
        fprintf(stderr, "bench_bert_pred: %s\n", hw_errmsg());
        return 2;
    }
    float *X = malloc((size_t)n * d * sizeof *X);
    double *acc = malloc((size_t)n * sizeof *acc), *lat = malloc((size_t)n * sizeof *lat);
    double *flops = malloc((size_t)n * sizeof *flops), *params = malloc((size_t)n * sizeof *params);
    int fi_flops = -1, fi_params = -1;
    for (int j = 0; j < space_nfeatures(sp); j++) {
        const char *fn = space_feature_name(sp, j);
        if (fn && !strcmp(fn, "mflops_per_token")) fi_flops = j;
        if (fn && !strcmp(fn, "params_M")) fi_params = j;
    }
    for (int i = 0; i < n; i++) {
        hw_genome g;
        if (space_from_string(sp, csv_str(t, i, ca), &g)) {
            fprintf(stderr, "bench_bert_pred: %s\n", hw_errmsg());
            return 2;
        }
        pred_space_features(sp, &g, X + (size_t)i * d);
        acc[i] = qsign * csv_num(t, i, cacc);
        lat[i] = clat >= 0 ? csv_num(t, i, clat) : NAN;
        flops[i] = fi_flops >= 0 ? X[(size_t)i * d + fi_flops] : NAN;
        params[i] = fi_params >= 0 ? X[(size_t)i * d + fi_params] : NAN;
    }
    printf("# %s: %d archs, %d features, %d seeds\n", table, n, d, seeds);
    /* ---- latency */
    static const int nlat[] = {25, 50, 100};
    int *idx = malloc((size_t)n * sizeof *idx);
    double *yhat = malloc((size_t)n * sizeof *yhat), *yt = malloc((size_t)n * sizeof *yt), *yb = malloc((size_t)n * sizeof *yb);
    double *rho = malloc((size_t)seeds * sizeof *rho);
    if (clat >= 0) {
        printf("\n## latency: Spearman vs measured latency of the other archs (median of %d seeds)\n", seeds);
        printf("| board measurements | rf | xgb | gp | flops alone |\n|---|---|---|---|---|\n");
    }
    for (int a = 0; a < 3 && clat >= 0; a++) {
        printf("| %d |", nlat[a]);
        for (int m = 0; m < NM; m++) {
            for (int s = 0; s < seeds; s++) {
                hw_rng r;
                rng_seed(&r, 1000 + (uint64_t)s);
                for (int i = 0; i < n; i++) idx[i] = i;
                shuffle(idx, n, &r);
                int nte = n - nlat[a];
                if (fit_predict(m, X, lat, d, idx, nlat[a], idx + nlat[a], nte, 1, yhat)) {
                    fprintf(stderr, "bench_bert_pred: %s\n", hw_errmsg());
                    return 1;
                }
                for (int i = 0; i < nte; i++) yt[i] = lat[idx[nlat[a] + i]];
                rho[s] = stats_spearman(yhat, yt, nte);
            }
            printf(" %.3f |", stats_median(rho, seeds));
        }
        for (int i = 0; i < n; i++) yb[i] = flops[i];
        printf(" %.3f |\n", stats_spearman(yb, lat, n));
    }
    /* ---- accuracy vs a seed-averaged longer fine-tune */
    if (longs) {
        char *list = hw_strdup(longs);
        int nl = 0;
        double *lsum = calloc((size_t)n, sizeof *lsum);
        int *lcnt = calloc((size_t)n, sizeof *lcnt);
        /* per seed file: [MAX_LONG][n] accuracy and log-likelihood (NAN: arch not in that file) */
        enum { MAX_LONG = 16 };
        double *lacc = malloc((size_t)MAX_LONG * n * sizeof *lacc), *lll = malloc((size_t)MAX_LONG * n * sizeof *lll);
        for (char *f = strtok(list, ","); f; f = strtok(NULL, ",")) {
            csv_table *lt;
            if (nl == MAX_LONG || csv_read(f, &lt)) {
                fprintf(stderr, "bench_bert_pred: %s\n", nl == MAX_LONG ? "too many --long files" : hw_errmsg());
                return 2;
            }
            int la = csv_col_required(lt, "arch"), lc = csv_col_required(lt, qcol), lca = csv_col(lt, "accuracy"),
                ll = csv_col(lt, "eval_loss");
            if (la < 0 || lc < 0) {
                fprintf(stderr, "bench_bert_pred: %s\n", hw_errmsg());
                return 2;
            }
            for (int k = 0; k < n; k++) lacc[(size_t)nl * n + k] = lll[(size_t)nl * n + k] = NAN;
            for (int i = 0; i < csv_nrows(lt); i++)
                for (int k = 0; k < n; k++)
                    if (!strcmp(csv_str(lt, i, la), csv_str(t, k, ca))) {
                        lsum[k] += qsign * csv_num(lt, i, lc);
                        lcnt[k]++;
                        if (lca >= 0) lacc[(size_t)nl * n + k] = csv_num(lt, i, lca);
                        if (ll >= 0) lll[(size_t)nl * n + k] = -csv_num(lt, i, ll);
                    }
            csv_free(lt);
            nl++;
        }
        int nte = 0, npool = 0, *te = malloc((size_t)n * sizeof *te), *pool = malloc((size_t)n * sizeof *pool);
        for (int k = 0; k < n; k++) {
            if (lcnt[k] == nl) te[nte++] = k;
            else pool[npool++] = k;
        }
        double *ylong = malloc((size_t)n * sizeof *ylong), *yprox = malloc((size_t)n * sizeof *yprox);
        for (int i = 0; i < nte; i++) {
            ylong[i] = lsum[te[i]] / nl;
            yprox[i] = acc[te[i]];
            yb[i] = params[te[i]];
        }
        if (nl >= 2) { /* the reference's own agreement between seeds */
            double *xa = malloc((size_t)nte * sizeof *xa), *xb = malloc((size_t)nte * sizeof *xb);
            printf("\n## reference: seed-to-seed agreement over %d test archs (Spearman between seed files)\n", nte);
            printf("| signal | mean over %d pairs | min | max | reliability of the %d-seed mean | proxy ceiling |\n"
                   "|---|---|---|---|---|---|\n", nl * (nl - 1) / 2, nl);
            for (int w = 0; w < 2; w++) {
                const double *v = w ? lll : lacc;
                double sum = 0, lo = 2, hi = -2;
                int np = 0;
                for (int p = 0; p < nl; p++)
                    for (int q = p + 1; q < nl; q++) {
                        for (int i = 0; i < nte; i++) {
                            xa[i] = v[(size_t)p * n + te[i]];
                            xb[i] = v[(size_t)q * n + te[i]];
                        }
                        if (isnan(xa[0]) || isnan(xb[0])) continue;
                        double r = stats_spearman(xa, xb, nte);
                        sum += r, np++;
                        lo = r < lo ? r : lo;
                        hi = r > hi ? r : hi;
                    }
                if (!np) continue;
                double r = sum / np, rel = nl * r / (1 + (nl - 1) * r); /* Spearman-Brown */
                printf("| %s | %.3f | %.3f | %.3f | %.3f | %.3f |\n", w ? "dev log-likelihood" : "accuracy", r, lo, hi,
                       rel, rel > 0 ? sqrt(rel) : 0.0);
            }
            free(xa);
            free(xb);
        }
        printf("\n## %s: Spearman vs the %d-seed longer fine-tune of %d test archs (median of %d seeds)\n", qname, nl,
               nte, seeds);
        printf("proxy itself (K-step fine-tune of the test archs): %.3f; parameters alone: %.3f\n",
               stats_spearman(yprox, ylong, nte), stats_spearman(yb, ylong, nte));
        printf("| fine-tuned candidates | rf | xgb | gp |\n|---|---|---|---|\n");
        static const int nacc[] = {10, 25, 50};
        int *tr = malloc((size_t)n * sizeof *tr);
        for (int a = 0; a < 3 && nacc[a] <= npool; a++) {
            printf("| %d |", nacc[a]);
            for (int m = 0; m < NM; m++) {
                for (int s = 0; s < seeds; s++) {
                    hw_rng r;
                    rng_seed(&r, 2000 + (uint64_t)s);
                    memcpy(tr, pool, (size_t)npool * sizeof *tr);
                    shuffle(tr, npool, &r);
                    if (fit_predict(m, X, acc, d, tr, nacc[a], te, nte, 0, yhat)) {
                        fprintf(stderr, "bench_bert_pred: %s\n", hw_errmsg());
                        return 1;
                    }
                    rho[s] = stats_spearman(yhat, ylong, nte);
                }
                printf(" %.3f |", stats_median(rho, seeds));
            }
            printf("\n");
        }
    }
    printf("\n%s: methods %s, %s, %s\n", argv[0], mnames[0], mnames[1], mnames[2]);
    return 0;
}
