/* `hwnas predictor ...` (uses the xgboost-backed models). */
/* cmd_predictor: parses options, calls the library (pred.h, pred_help.h,
 * pred_fewshot.h, pred_table.h, pred_eval.h) and prints: evaluation, the
 * few-shot protocol, fit / predict and meta-training of the shared
 * predictors.
 *
 *   hwnas predictor eval       many-shot protocol (fixed 2000-row test set)
 *   hwnas predictor fewshot    HELP's 10-shot protocol on a device column
 *   hwnas predictor fit        train and save a model
 *   hwnas predictor predict    load a model and predict a table
 *   hwnas predictor meta-train re-run HELP-style meta-training
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "hw_data.h"
#include "csv.h"
#include "fsutil.h"
#include "pred_fewshot.h"
#include "pred_eval.h"
#include "pred_help.h"
#include "pred_table.h"
#include "hw_clock.h"
#include "hw_err.h"
#include "pred.h"
#include "space.h"
#include "stats.h"

void openblas_set_num_threads(int num_threads);

#define MAX_COLS PRED_TABLE_MAX_COLS

typedef struct popts {
    const char *table, *space, *features, *target, *method, *json, *meta_train, *meta_table, *model, *out;
    long train_size, seeds, shots, threads, trees, depth, test_size, bags, steps, members, seed;
    long log_target; /* -1: not given */
    double eta, synth;
    int allow_missing;
} popts;

/* pred_table_names of option FLAG's value: a bad list names the option. */
static int names_opt(const char *flag, const char *s, char ***out, int *n) {
    return pred_table_names(s, out, n) ? hw_fail_prefix("option %s", flag) : 0;
}

static void set_tree_params(const popts *o, pred_kind kind, pred_params *p, int log_default) {
    pred_params_default(kind, p);
    if (o->trees > 0) p->n_trees = (int)o->trees;
    if (o->depth > 0) p->max_depth = (int)o->depth;
    if (o->bags > 0) p->n_bags = (int)o->bags;
    if (o->eta > 0) p->eta = o->eta;
    p->nthread = (int)o->threads;
    p->log_target = o->log_target >= 0 ? (int)o->log_target : log_default;
}

static int all_positive(const double *y, int n) {
    for (int i = 0; i < n; i++)
        if (!(y[i] > 0)) return 0;
    return 1;
}

static char *default_meta_path(void) {
    char *p = hw_malloc(4096);
    snprintf(p, 4096, "%s/help/help_nb201.bin", hw_data_dir());
    return p;
}

/* Reference latencies of the help meta-model's archs from a table column
 * (NaN where the table has no such row or the cell is empty). */
static void ref_latencies(const pred_help_meta *hm, const int64_t *idx, const double *y, int n, double *ref) {
    for (int j = 0; j < pred_help_meta_nref(hm); j++) {
        ref[j] = NAN;
        for (int i = 0; i < n; i++)
            if (idx[i] == pred_help_meta_ref_id(hm, j) && !isnan(y[i])) ref[j] = y[i];
    }
}

/* -1 (bad input) unless at least 2 reference latencies are known. */
static int check_refs(const pred_help_meta *hm, const double *ref, const char *table, const char *target) {
    int k = 0;
    for (int j = 0; j < pred_help_meta_nref(hm); j++) k += !isnan(ref[j]);
    if (k < 2)
        return hw_fail("%s: column '%s': only %d of the %d reference architectures (e.g. index %lld) have a latency; "
                       "the help method needs at least 2",
                       table, target, k, pred_help_meta_nref(hm), (long long)pred_help_meta_ref_id(hm, 0));
    return 0;
}

/* --method help on a table (eval, fit): the meta-model (--model, else the
 * shipped one) and the table's latencies on its reference archs (rows idx,
 * y of n; NaN where missing), checked to be enough to adapt. */
static int table_help(const popts *o, const space *sp, const int64_t *idx, const double *y, int n, pred_help_meta **hm,
                      double *ref) {
    if (!sp) return hw_fail("--method help needs --space (reference architectures)");
    char *mp = o->model ? NULL : default_meta_path();
    int rc = pred_help_meta_load_file(o->model ? o->model : mp, hm);
    free(mp);
    if (rc) return -1;
    ref_latencies(*hm, idx, y, n, ref);
    return check_refs(*hm, ref, o->table, o->target);
}

/* Fits a model of the given method on rows (X, y); help needs the meta
 * model and the reference latencies. */
static int fit_method(const popts *o, pred_kind kind, const pred_help_meta *hm, const double *ref, const float *X,
                      const double *y, int n, int d, pred **out) {
    if (kind == PRED_HELP) {
        if (d != pred_help_meta_nfeatures(hm))
            return hw_fail("help meta-model expects %d features, the table gives %d", pred_help_meta_nfeatures(hm), d);
        return pred_help_adapt(hm, ref, X, y, n, out);
    }
    pred_params p;
    set_tree_params(o, kind, &p, all_positive(y, n));
    p.seed = (uint64_t)(o->seed > 0 ? o->seed : 1);
    return pred_fit(&p, X, y, n, d, out);
}

/* ---- eval --------------------------------------------------------------- */

/* The opening of a --json result: command, table, target, method. */
static void json_head(hw_buf *b, const char *command, const popts *o, pred_kind kind) {
    hw_buf_printf(b, "{\"command\": \"%s\", \"table\": ", command);
    hw_buf_json_str(b, o->table);
    hw_buf_printf(b, ", \"target\": ");
    hw_buf_json_str(b, o->target);
    hw_buf_printf(b, ", \"method\": \"%s\"", pred_kind_name(kind));
}

/* What the eval fit callback needs: the options, method and help inputs. */
typedef struct eval_ctx {
    const popts *o;
    pred_kind kind;
    const pred_help_meta *hm;
    const double *ref;
} eval_ctx;

static int eval_fit(void *ctx, uint64_t seed, const float *X, const double *y, int n, int d, pred **out) {
    const eval_ctx *e = ctx;
    popts os = *e->o;
    os.seed = (long)seed;
    return fit_method(&os, e->kind, e->hm, e->ref, X, y, n, d, out);
}

static void eval_print_seed(void *ctx, int seed, const pred_eval_metrics *m) {
    (void)ctx;
    printf("%-6d %8.4f %8.4f %8.3f %8.2f %8.2f %9.4f %12.4g\n", seed, m->rho, m->tau, m->mape, 100 * m->w10,
           100 * m->w5, m->fit_s, m->rows_per_s);
}

/* Parses the eval inputs, runs the many-shot protocol (pred_eval.h),
 * prints per-seed and summary lines (and --json). */
static int run_eval(const popts *o, pred_kind kind) {
    csv_table *t = NULL;
    space *sp = NULL;
    float *X = NULL;
    double *y = NULL, ref[PRED_HELP_MAX_REF];
    int64_t *idx = NULL;
    int *rows = NULL, d = 0, status = HW_EXIT_USAGE;
    pred_help_meta *hm = NULL;
    pred_eval_metrics *ms = NULL;
    if (csv_read(o->table, &t)) goto fail;
    if (o->space && space_create_nb201(&sp)) goto fail;
    if (pred_table_features(t, sp, o->features, &X, &d, &idx) ||
        pred_table_target(t, o->target, o->allow_missing, &y))
        goto fail;
    int n = csv_nrows(t), m = 0;
    rows = hw_malloc((size_t)(n > 0 ? n : 1) * sizeof *rows);
    for (int i = 0; i < n; i++)
        if (!isnan(y[i])) rows[m++] = i;
    if (m < o->test_size + o->train_size) {
        hw_fail("%s: column '%s': %d usable rows, need test %ld + train %ld", o->table, o->target, m, o->test_size,
                o->train_size);
        goto fail;
    }
    if (kind == PRED_HELP && table_help(o, sp, idx, y, n, &hm, ref)) goto fail;
    int nte = (int)o->test_size, ntr = (int)o->train_size;
    ms = hw_calloc((size_t)o->seeds, sizeof *ms);
    status = HW_EXIT_FAIL;
    printf("# predictor eval: table %s target %s method %s train %d test %d features %d threads %ld\n", o->table,
           o->target, pred_kind_name(kind), ntr, nte, d, o->threads);
    printf("%-6s %8s %8s %8s %8s %8s %9s %12s\n", "seed", "rho", "tau", "mape%", "w10%", "w5%", "fit_cpu_s",
           "rows/cpu_s");
    eval_ctx ec = {o, kind, hm, ref};
    if (pred_eval_run(X, y, rows, m, d, ntr, nte, (int)o->seeds, eval_fit, eval_print_seed, &ec, ms)) goto fail;
    double col[7][1024];
    int S = (int)o->seeds;
    for (int s = 0; s < S; s++) {
        col[0][s] = ms[s].rho, col[1][s] = ms[s].tau, col[2][s] = ms[s].mape, col[3][s] = 100 * ms[s].w10;
        col[4][s] = 100 * ms[s].w5, col[5][s] = ms[s].fit_s, col[6][s] = ms[s].rows_per_s;
    }
    printf("%-6s %8.4f %8.4f %8.3f %8.2f %8.2f %9.4f %12.4g\n", "mean", stats_mean(col[0], S), stats_mean(col[1], S),
           stats_mean(col[2], S), stats_mean(col[3], S), stats_mean(col[4], S), stats_median(col[5], S),
           stats_median(col[6], S));
    printf("%-6s %8.4f %8.4f %8.3f %8.2f %8.2f\n", "std", stats_std(col[0], S, 0), stats_std(col[1], S, 0),
           stats_std(col[2], S, 0), stats_std(col[3], S, 0), stats_std(col[4], S, 0));
    if (o->json) { /* built in memory, written atomically */
        hw_buf jb = {0};
        static const char *const key[7] = {"rho", "tau", "mape", "within10", "within5", "fit_cpu_s", "rows_per_cpu_s"};
        json_head(&jb, "eval", o, kind);
        hw_buf_printf(&jb, ", \"train_size\": %d, \"test_size\": %d, \"threads\": %ld, \"per_seed\": [", ntr, nte,
                      o->threads);
        for (int s = 0; s < S; s++) {
            hw_buf_printf(&jb, "%s{\"seed\": %d", s ? ", " : "", s + 1);
            for (int c = 0; c < 7; c++) {
                hw_buf_printf(&jb, ", \"%s\": ", key[c]);
                hw_buf_json_num(&jb, c == 3 || c == 4 ? col[c][s] / 100 : col[c][s]);
            }
            hw_buf_printf(&jb, "}");
        }
        hw_buf_printf(&jb, "], \"mean\": {");
        for (int c = 0; c < 7; c++) { /* times: medians */
            hw_buf_printf(&jb, "%s\"%s%s\": ", c ? ", " : "", key[c], c >= 5 ? "_median" : "");
            double v = c >= 5 ? stats_median(col[c], S) : stats_mean(col[c], S);
            hw_buf_json_num(&jb, c == 3 || c == 4 ? v / 100 : v);
        }
        hw_buf_printf(&jb, "}}\n");
        int wrc = hw_write_file_atomic(o->json, jb.p, jb.len);
        hw_buf_free(&jb);
        if (wrc) goto fail;
    }
    status = HW_EXIT_OK;
fail:
    if (status != HW_EXIT_OK) cli_report(status);
    csv_free(t);
    space_free(sp);
    pred_help_meta_free(hm);
    free(X), free(y), free(idx), free(rows), free(ms);
    return status;
}

/* ---- meta-model loading / training for fewshot and meta-train ---------- */

/* HELP meta-training parameters from the options. */
static void help_cfg(const popts *o, pred_help_cfg *c) {
    pred_help_cfg_default(c);
    if (o->steps >= 0) c->steps = (int)o->steps;
    if (o->members > 0) c->members = (int)o->members;
    if (o->seed > 0) c->seed = (uint64_t)o->seed;
    if (o->synth >= 0) c->synth = o->synth;
    c->nthread = (int)o->threads;
}

/* ---- fewshot ------------------------------------------------------------ */

/* Parses the fewshot inputs, calls HELP's protocol (pred_fewshot.h),
 * prints per-draw and summary lines (and --json). */
static int run_fewshot(const popts *o, pred_kind kind) {
    csv_table *t = NULL;
    space *sp = NULL;
    float *X = NULL;
    double *y = NULL, *lat = NULL, *rhos = NULL, ref[PRED_HELP_MAX_REF];
    int64_t *idx = NULL;
    int *row_of = NULL, d, nref = 0, status = HW_EXIT_USAGE, ndev = 0;
    char **devs = NULL;
    pred_help_meta *hm = NULL;
    pred_fewshot *fs = NULL;
    const int64_t NIDX = 15625;
    if (!o->space) {
        hw_fail("fewshot needs --space nb201");
        goto fail;
    }
    if (names_opt("--meta-train", o->meta_train, &devs, &ndev)) goto fail;
    for (int v = 0; v < ndev; v++)
        if (!strcmp(devs[v], o->target)) {
            hw_fail("--target %s is one of the --meta-train devices", o->target);
            goto fail;
        }
    if (csv_read(o->table, &t) || space_create_nb201(&sp) || pred_table_features(t, sp, NULL, &X, &d, &idx) ||
        pred_table_target(t, o->target, o->allow_missing, &y))
        goto fail;
    int n = csv_nrows(t);
    lat = hw_malloc((size_t)NIDX * sizeof *lat);
    row_of = hw_malloc((size_t)NIDX * sizeof *row_of);
    for (int64_t i = 0; i < NIDX; i++) lat[i] = NAN, row_of[i] = -1;
    for (int i = 0; i < n; i++) {
        if (row_of[idx[i]] >= 0) {
            hw_fail("%s:%d: architecture %lld appears twice", o->table, csv_line(t, i), (long long)idx[i]);
            goto fail;
        }
        row_of[idx[i]] = i;
        if (!isnan(y[i]) && !(y[i] > 0)) {
            hw_fail("%s:%d: column '%s': latency %g is not > 0", o->table, csv_line(t, i), o->target, y[i]);
            goto fail;
        }
        lat[idx[i]] = y[i];
    }
    if (pred_fewshot_create(lat, NIDX, &fs)) goto fail;
    int npool = pred_fewshot_npool(fs), nq = pred_fewshot_nquery(fs);
    if (npool < o->shots) {
        hw_fail("%s: column '%s': sample pool has %d archs, fewer than --shots %ld", o->table, o->target, npool,
                o->shots);
        goto fail;
    }
    /* the meta-model: --model, else the shipped one if trained on exactly
     * these devices, else meta-train now on the given columns */
    const char *how = "loaded";
    if (kind == PRED_HELP) {
        char *mp = default_meta_path();
        const char *path = o->model ? o->model : mp;
        int rc = pred_help_meta_load_file(path, &hm);
        const char *names[MAX_COLS]; /* the columns without lat_ms_, as pred_table_meta_train records them */
        for (int v = 0; v < ndev; v++) names[v] = pred_table_dev_name(devs[v]);
        if (rc == 0 && !o->model && !pred_help_meta_trained_on(hm, names, ndev)) {
            pred_help_meta_free(hm);
            hm = NULL;
        }
        if (rc && o->model) {
            free(mp);
            goto fail;
        }
        free(mp);
        if (!hm) {
            int64_t drefs[PRED_HELP_MAX_REF];
            char **dd = NULL;
            int ndd = 0;
            if (pred_table_help_defaults(&dd, &ndd, drefs, &nref)) goto fail;
            pred_table_names_free(dd, ndd);
            how = "meta-trained now";
            printf("# no meta-model for these --meta-train devices: meta-training on %d columns\n", ndev);
            pred_help_cfg hc;
            help_cfg(o, &hc);
            if (pred_table_meta_train(&hc, o->meta_table ? o->meta_table : o->table, devs, ndev, drefs, nref, &hm))
                goto fail;
        }
        nref = pred_help_meta_nref(hm);
        if (d != pred_help_meta_nfeatures(hm)) {
            hw_fail("help meta-model expects %d features, space gives %d", pred_help_meta_nfeatures(hm), d);
            goto fail;
        }
        for (int j = 0; j < nref; j++) {
            int64_t r = pred_help_meta_ref_id(hm, j);
            ref[j] = r >= 0 && r < NIDX ? lat[r] : NAN;
        }
        if (check_refs(hm, ref, o->table, o->target)) goto fail;
    }
    status = HW_EXIT_FAIL;
    int K = (int)o->shots, S = (int)o->seeds;
    pred_fewshot_cfg fc = {.kind = kind, .shots = K, .seeds = S, .meta = hm, .ref_lat = ref};
    set_tree_params(o, kind == PRED_HELP ? PRED_RF : kind, &fc.params, 1); /* latencies are > 0 */
    rhos = hw_malloc((size_t)S * sizeof *rhos);
    double el = 0;
    if (pred_fewshot_run(fs, &fc, X, row_of, d, rhos, &el)) goto fail;
    printf("# predictor fewshot: table %s target %s method %s shots %d pool %d query %d", o->table, o->target,
           pred_kind_name(kind), K, npool, nq);
    if (hm) {
        int miss = 0;
        for (int j = 0; j < nref; j++) miss += isnan(ref[j]) != 0;
        printf(" meta-model %s, %d/%d reference latencies missing (imputed)", how, miss, nref);
    }
    printf("\n");
    for (int s = 0; s < S; s++) printf("seed %2d  rho %.4f\n", s + 1, rhos[s]);
    printf("%s mean %.4f std %.4f over %d draws (%.3f s per draw)\n", o->target, stats_mean(rhos, S),
           stats_std(rhos, S, 0), S, el / S);
    if (o->json) { /* built in memory, written atomically */
        hw_buf jb = {0};
        json_head(&jb, "fewshot", o, kind);
        hw_buf_printf(&jb, ", \"shots\": %d, \"pool\": %d, \"query\": %d, \"rho\": [", K, npool, nq);
        for (int s = 0; s < S; s++) {
            if (s) hw_buf_printf(&jb, ", ");
            hw_buf_json_num(&jb, rhos[s]);
        }
        hw_buf_printf(&jb, "], \"mean\": ");
        hw_buf_json_num(&jb, stats_mean(rhos, S));
        hw_buf_printf(&jb, ", \"std\": ");
        hw_buf_json_num(&jb, stats_std(rhos, S, 0));
        hw_buf_printf(&jb, "}\n");
        int wrc = hw_write_file_atomic(o->json, jb.p, jb.len);
        hw_buf_free(&jb);
        if (wrc) goto fail;
    }
    status = HW_EXIT_OK;
fail:
    if (status != HW_EXIT_OK) cli_report(status);
    csv_free(t);
    space_free(sp);
    pred_help_meta_free(hm);
    pred_fewshot_free(fs);
    pred_table_names_free(devs, ndev);
    free(X), free(y), free(lat), free(rhos), free(idx), free(row_of);
    return status;
}

/* ---- fit / predict -------------------------------------------------------- */

static int run_fit(const popts *o, pred_kind kind) {
    csv_table *t = NULL;
    space *sp = NULL;
    float *X = NULL;
    double *y = NULL, ref[PRED_HELP_MAX_REF];
    int64_t *idx = NULL;
    int d, status = HW_EXIT_USAGE;
    pred_help_meta *hm = NULL;
    pred *model = NULL;
    if (csv_read(o->table, &t)) goto fail;
    if (o->space && space_create_nb201(&sp)) goto fail;
    if (pred_table_features(t, sp, o->features, &X, &d, &idx) ||
        pred_table_target(t, o->target, o->allow_missing, &y))
        goto fail;
    int n = csv_nrows(t), m = 0;
    for (int i = 0; i < n; i++)
        if (!isnan(y[i])) {
            memmove(X + (size_t)m * d, X + (size_t)i * d, (size_t)d * sizeof *X);
            y[m] = y[i];
            idx[m++] = idx[i];
        }
    if (kind == PRED_HELP && table_help(o, sp, idx, y, m, &hm, ref)) goto fail;
    if (m < 2) {
        hw_fail("%s: column '%s': too few rows (%d; need at least 2)", o->table, o->target, m);
        goto fail;
    }
    double t0 = hw_now_s();
    if (fit_method(o, kind, hm, ref, X, y, m, d, &model)) goto fail;
    double t1 = hw_now_s();
    status = HW_EXIT_FAIL;
    if (pred_save_file(model, o->out)) goto fail;
    printf("fitted %s on %d rows x %d features in %.3f s -> %s\n", pred_kind_name(kind), m, d, t1 - t0, o->out);
    status = HW_EXIT_OK;
fail:
    if (status != HW_EXIT_OK) cli_report(status);
    csv_free(t);
    space_free(sp);
    pred_help_meta_free(hm);
    pred_free(model);
    free(X), free(y), free(idx);
    return status;
}

static int run_predict(const popts *o) {
    csv_table *t = NULL;
    space *sp = NULL;
    float *X = NULL;
    double *mean = NULL, *sd = NULL, *y = NULL;
    int64_t *idx = NULL;
    int d, status = HW_EXIT_USAGE;
    pred *model = NULL;
    FILE *f = NULL;
    if (pred_load_file(o->model, &model)) goto fail;
    if (csv_read(o->table, &t)) goto fail;
    if (o->space && space_create_nb201(&sp)) goto fail;
    if (pred_table_features(t, sp, o->features, &X, &d, &idx)) goto fail;
    if (d != pred_nfeatures(model)) {
        hw_fail("%s: model has %d features, the table gives %d", o->model, pred_nfeatures(model), d);
        goto fail;
    }
    if (o->target && pred_table_target(t, o->target, 0, &y)) goto fail;
    int n = csv_nrows(t);
    mean = hw_malloc((size_t)(n > 0 ? n : 1) * sizeof *mean);
    sd = hw_malloc((size_t)(n > 0 ? n : 1) * sizeof *sd);
    status = HW_EXIT_FAIL;
    pred_predict(model, X, n, mean, sd);
    f = o->out ? fopen(o->out, "w") : stdout;
    if (!f) {
        hw_fail("%s: cannot create", o->out);
        goto fail;
    }
    fprintf(f, "row,arch_index,mean,std\n");
    for (int i = 0; i < n; i++) fprintf(f, "%d,%lld,%.9g,%.9g\n", i, (long long)idx[i], mean[i], sd[i]);
    if (o->out) {
        if (fclose(f)) {
            f = NULL;
            hw_fail("%s: write failed", o->out);
            goto fail;
        }
    }
    f = NULL;
    if (y) {
        pred_eval_metrics mt;
        pred_eval_metrics_compute(mean, y, n, &mt);
        fprintf(o->out ? stdout : stderr, "# %s: rho %.4f tau %.4f mape %.3f%% within10 %.2f%% within5 %.2f%%\n",
                o->target, mt.rho, mt.tau, mt.mape, 100 * mt.w10, 100 * mt.w5);
    }
    status = HW_EXIT_OK;
fail:
    if (status != HW_EXIT_OK) cli_report(status);
    if (f && f != stdout) fclose(f);
    csv_free(t);
    space_free(sp);
    pred_free(model);
    free(X), free(mean), free(sd), free(y), free(idx);
    return status;
}

static int run_meta_train(const popts *o) {
    char **devs = NULL, table[4096], out[4096];
    int ndev = 0, nref = 0, status = HW_EXIT_USAGE;
    int64_t refs[PRED_HELP_MAX_REF];
    pred_help_meta *hm = NULL;
    if (pred_table_help_defaults(&devs, &ndev, refs, &nref)) goto fail;
    if (o->meta_train) {
        pred_table_names_free(devs, ndev);
        devs = NULL;
        if (names_opt("--meta-train", o->meta_train, &devs, &ndev)) goto fail;
    }
    snprintf(table, sizeof table, "%s", o->table ? o->table : "");
    if (!o->table) snprintf(table, sizeof table, "%s/help_latency/nb201_latency.csv", hw_data_dir());
    if (o->out) snprintf(out, sizeof out, "%s", o->out);
    else snprintf(out, sizeof out, "%s/help/help_nb201.bin", hw_data_dir());
    pred_help_cfg hc;
    help_cfg(o, &hc);
    if (pred_table_meta_train(&hc, table, devs, ndev, refs, nref, &hm)) goto fail;
    status = HW_EXIT_FAIL;
    if (pred_help_meta_save_file(hm, out)) goto fail;
    char desc[8192];
    pred_help_meta_describe(hm, desc, sizeof desc);
    printf("%s\nmeta-trained in %.2f s -> %s\n", desc, pred_help_meta_train_seconds(hm), out);
    status = HW_EXIT_OK;
fail:
    if (status != HW_EXIT_OK) cli_report(status);
    pred_table_names_free(devs, ndev);
    pred_help_meta_free(hm);
    return status;
}

/* ---- option parsing ------------------------------------------------------- */

/* --eta: a learning rate in (0, 1] (an open bound CLI_DOUBLE cannot say). */
static int parse_eta(void *ctx, const char *v) {
    double x;
    if (cli_parse_double("--eta", v, &x) || !(x > 0 && x <= 1)) return hw_fail("option --eta: '%s' is not in (0, 1]", v);
    *(double *)ctx = x;
    return 0;
}

int cmd_predictor(int argc, char **argv) {
    popts o;
    memset(&o, 0, sizeof o);
    /* not given: 0 for the model parameters (the method's default), -1
     * where 0 is a value */
    o.train_size = 1000, o.test_size = 2000, o.shots = 10, o.threads = 1;
    o.steps = -1, o.synth = -1, o.log_target = -1;
    const int is_few = argc > 1 && !strcmp(argv[1], "fewshot");
    o.seeds = is_few ? 20 : 5;
    const cli_opt opts[] = {
        CLI_STR("table", "FILE", &o.table, "input CSV table"),
        CLI_STR("space", "nb201", &o.space, "features from the search space (arch_str, else arch_index column)"),
        CLI_STR("features", "C1,C2,...", &o.features, "features from named numeric columns (generic mode)"),
        CLI_STR("target", "COL", &o.target, "target column (e.g. edgegpu_latency_ms, lat_ms_titanx_1)"),
        CLI_STR("method", "KIND", &o.method, "rf, xgb, gp or help (default rf for eval/fit, help for fewshot)"),
        CLI_INT("train-size", "N", &o.train_size, 2, 100000000, "eval: training rows (default 1000)"),
        CLI_INT("test-size", "N", &o.test_size, 2, 100000000, "eval: test rows (default 2000)"),
        CLI_INT("seeds", "S", &o.seeds, 1, 1000, "eval / fewshot: repetitions (default 5 / 20)"),
        CLI_INT("shots", "K", &o.shots, 1, 900, "fewshot: samples drawn from the pool (default 10)"),
        CLI_STR("meta-train", "C1,...", &o.meta_train,
                "fewshot: meta-train device columns; meta-train: devices\n"
                "(default: HELP's nasbench201 meta-train split)"),
        CLI_STR("meta-table", "FILE", &o.meta_table, "fewshot: table holding the --meta-train columns (default --table)"),
        CLI_STR("model", "FILE", &o.model,
                "predict: saved model; eval/fit/fewshot with help: meta-model\n"
                "(default $HWNAS_DATA/help/help_nb201.bin)"),
        CLI_STR("out", "FILE", &o.out, "fit: model file; predict: CSV (default stdout); meta-train: meta-model"),
        CLI_STR("json", "FILE", &o.json, "eval / fewshot: also write the results as JSON"),
        CLI_FLAG("allow-missing", &o.allow_missing, "drop rows whose target cell is empty (default: error)"),
        CLI_INT("threads", "T", &o.threads, 1, 256, "xgboost nthread and OpenBLAS threads (default 1)"),
        CLI_INT("trees", "N", &o.trees, 1, 100000, "rf: trees; xgb: boosting rounds (default 100 / 500)"),
        CLI_INT("depth", "D", &o.depth, 1, PRED_MAX_DEPTH, "tree depth (default 10 rf / 6 xgb, max " CLI_QUOTE(PRED_MAX_DEPTH) ")"),
        CLI_FN("eta", "X", parse_eta, &o.eta, "xgb learning rate in (0, 1] (default 0.05)"),
        CLI_INT("bags", "N", &o.bags, 1, 1000, "xgb: independently seeded boosters for the uncertainty (default 1)"),
        CLI_INT("log-target", "0|1", &o.log_target, 0, 1, "fit log(y) (default 1 when all targets are > 0)"),
        CLI_INT("steps", "N", &o.steps, 0, 10000000, "meta-train: outer steps per member (default 3000)"),
        CLI_INT("members", "N", &o.members, 1, 1024, "meta-train: ensemble members (default 5)"),
        CLI_INT("seed", "N", &o.seed, 1, 2147483647, "meta-train / fit seed (default 1)"),
        CLI_DOUBLE("synth", "P", &o.synth, 0, 1,
                   "meta-train: share of synthetic additive-cost devices seen by\nthe odd members (default 0)"),
        CLI_END};
    const cli_spec spec = {"predictor", "SUBCOMMAND [OPTIONS]",
                           "subcommands:\n"
                           "  eval        many-shot protocol: fixed seeded test set, training rows from the rest\n"
                           "  fewshot     HELP's few-shot protocol (pool 0..899, query 900..1899, trimmed 10-90 %)\n"
                           "  fit         train a model on a table and save it (--out)\n"
                           "  predict     predict a table with a saved model (--model)\n"
                           "  meta-train  meta-train the HELP-style latency predictor (writes data/help/help_nb201.bin)\n"
                           "\n"
                           "exit status: 0 ok, 1 runtime failure, 2 bad input",
                           opts, NULL, 0, 0};
    static const char *const verbs[] = {"eval", "fewshot", "fit", "predict", "meta-train", NULL};
    if (argc > 1 && !strcmp(argv[1], "help")) { /* `hwnas predictor help` is --help */
        cli_usage(&spec, stdout);
        return HW_EXIT_OK;
    }
    int rest, st = cli_verb(&spec, argc, argv, verbs);
    if (st == CLI_CONTINUE) st = cli_parse(&spec, argc, argv, 2, &rest);
    if (st != CLI_CONTINUE) return st;
    const char *sub = argv[1];
    const int is_fit = !strcmp(sub, "fit"), is_pred = !strcmp(sub, "predict"), is_meta = !strcmp(sub, "meta-train");
    openblas_set_num_threads((int)o.threads);
    if (is_meta) return run_meta_train(&o);
    if (!o.table) return cli_usage_error("predictor %s: --table is required", sub);
    if (o.space && strcmp(o.space, "nb201"))
        return cli_usage_error("option --space: '%s' is not supported by the predictors (nb201)", o.space);
    if (o.features) { /* a malformed list is the option's fault, before any table is read */
        char **cols;
        int ncols;
        if (names_opt("--features", o.features, &cols, &ncols)) return cli_report(HW_EXIT_USAGE);
        pred_table_names_free(cols, ncols);
    }
    if (is_pred) {
        if (!o.model) return cli_usage_error("predictor predict: --model is required");
        if (!o.space == !o.features) return cli_usage_error("predictor predict: give exactly one of --space, --features");
        return run_predict(&o);
    }
    if (!o.target) return cli_usage_error("predictor %s: --target is required", sub);
    pred_kind kind = is_few ? PRED_HELP : PRED_RF;
    if (o.method && pred_kind_parse(o.method, &kind)) return cli_report(HW_EXIT_USAGE);
    if (is_few) {
        if (!o.meta_train) return cli_usage_error("predictor fewshot: --meta-train is required");
        return run_fewshot(&o, kind);
    }
    if (!o.space == !o.features) return cli_usage_error("predictor %s: give exactly one of --space, --features", sub);
    if (is_fit) {
        if (!o.out) return cli_usage_error("predictor fit: --out is required");
        return run_fit(&o, kind);
    }
    return run_eval(&o, kind);
}
