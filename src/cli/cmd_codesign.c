/* cmd_codesign.c: `hwnas accel report|table` (inspect the accelerator cost
 * model) and `hwnas codesign` (joint vs two-stage vs fixed-accelerator
 * search on NB201). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel.h"
#include "accel_codesign.h"
#include "cli.h"
#include "fsutil.h"
#include "layers.h"
#include "space.h"
#include "stats.h"

/* ---- hwnas accel --------------------------------------------------------- */

static void print_cost_row(const char *name, const char *kind, int count, const accel_cost *o) {
    printf("%-26s %-7s %5d %12.0f %10.0f %5.2f %10.0f %9.2f %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %s\n", name, kind,
           count, o->macs, o->cycles, o->util, o->dram_bytes, o->latency_s * 1e6, o->energy_pj * 1e-6,
           o->energy[ACCEL_E_MAC] * 1e-6, o->energy[ACCEL_E_RF] * 1e-6, o->energy[ACCEL_E_NOC] * 1e-6,
           o->energy[ACCEL_E_GLB] * 1e-6, o->energy[ACCEL_E_DRAM] * 1e-6, o->mem_bound ? "mem" : "compute");
}

static int accel_report(const accel_cfg *hw, const char *space_nm, const char *arch, int seq, int batch, int merged) {
    space *s = NULL;
    layer_list l;
    layer_list_init(&l, merged);
    accel_cost *per = NULL;
    int status = HW_EXIT_USAGE;
    hw_genome g;
    if (!strcmp(space_nm, "nb201")) {
        if (space_create_nb201(&s)) goto fail;
    } else if (!strcmp(space_nm, "bert")) {
        bert_space_cfg bc;
        bert_space_cfg_default(&bc);
        if (space_create_bert(&bc, &s)) goto fail;
    } else {
        hw_fail("option --space: unknown space '%s' (nb201 or bert)", space_nm);
        goto fail;
    }
    if (space_from_string(s, arch, &g)) goto fail;
    if (!strcmp(space_nm, "nb201") ? layers_nb201(s, &g, batch, &l) : layers_bert(s, &g, seq, batch, &l)) goto fail;
    per = hw_malloc((size_t)l.n * sizeof *per);
    accel_cost tot;
    accel_net_cost(hw, &l, &tot, per);
    char hs[128];
    accel_cfg_to_string(hw, hs, sizeof hs);
    printf("# accelerator %s  area %.3f mm^2\n# network %s (%s, batch %d%s)\n", hs, accel_area_mm2(hw), arch, space_nm,
           batch, strcmp(space_nm, "bert") ? "" : ", sequence from --seq");
    printf("# per instance: macs (ops for pool/eltwise), cycles, PE utilisation, DRAM bytes, latency us, energy uJ "
           "(total, mac, rf, noc, glb, dram)\n");
    printf("%-26s %-7s %5s %12s %10s %5s %10s %9s %9s %9s %9s %9s %9s %9s %s\n", "layer", "kind", "count", "macs",
           "cycles", "util", "dram_B", "lat_us", "E_uJ", "E_mac", "E_rf", "E_noc", "E_glb", "E_dram", "bound");
    for (int i = 0; i < l.n; i++)
        print_cost_row(l.v[i].name, layer_kind_names[l.v[i].kind], l.v[i].count, &per[i]);
    print_cost_row("TOTAL", "-", 1, &tot);
    printf("# latency %.4f ms  energy %.4f mJ  MACs %.0f  mean utilisation %.3f  DRAM %.0f bytes  tx2_roofline %.4f ms\n",
           tot.latency_s * 1e3, tot.energy_pj * 1e-9, tot.macs, tot.util, tot.dram_bytes,
           accel_roofline_ms(&l, TX2_PEAK_GFLOPS, TX2_DRAM_GBPS));
    status = HW_EXIT_OK;
fail:
    if (status != HW_EXIT_OK) cli_report(status);
    free(per);
    layer_list_free(&l);
    space_free(s);
    return status;
}

/* Kernels a GPU would launch for the list: one per layer instance (BN and
 * ReLU are already folded/fused into the convs of the list). */
static int n_kernels(const layer_list *l) {
    int k = 0;
    for (int i = 0; i < l->n; i++) k += l->v[i].count;
    return k;
}

static int accel_table(const accel_cfg *hw, const char *out, int batch, int with_features) {
    space *s = NULL;
    layer_list l;
    layer_list_init(&l, 1);
    hw_buf b = {0};
    float f[64];
    int status = HW_EXIT_FAIL;
    if (space_create_nb201(&s)) goto fail;
    HW_ASSERT(space_nfeatures(s) <= 64);
    hw_buf_printf(&b, "arch_index,arch_str,latency_ms,energy_mj,tx2_roofline_ms,n_kernels");
    if (with_features)
        for (int j = 0; j < space_nfeatures(s); j++) hw_buf_printf(&b, ",%s", space_feature_name(s, j));
    hw_buf_printf(&b, "\n");
    for (int64_t i = 0; i < 15625; i++) {
        hw_genome g;
        char str[HW_ARCH_STR_MAX];
        accel_cost tot;
        if (space_from_index(s, i, &g) || space_to_string(s, &g, str, sizeof str) || layers_nb201(s, &g, batch, &l))
            goto fail;
        accel_net_cost(hw, &l, &tot, NULL);
        hw_buf_printf(&b, "%lld,%s,%.9g,%.9g,%.9g,%d", (long long)i, str, tot.latency_s * 1e3, tot.energy_pj * 1e-9,
                      accel_roofline_ms(&l, TX2_PEAK_GFLOPS, TX2_DRAM_GBPS), n_kernels(&l));
        if (with_features) {
            space_features(s, &g, f);
            for (int j = 0; j < space_nfeatures(s); j++) hw_buf_printf(&b, ",%g", f[j]);
        }
        hw_buf_printf(&b, "\n");
    }
    if (hw_write_file_atomic(out, b.p, b.len)) goto fail;
    status = HW_EXIT_OK;
fail:
    if (status != HW_EXIT_OK) cli_report(status);
    hw_buf_free(&b);
    layer_list_free(&l);
    space_free(s);
    return status;
}

int cmd_accel(int argc, char **argv) {
    const char *acc_path = NULL, *arch = NULL, *space_nm = "nb201", *out = NULL;
    long seq = 128, batch = 1;
    int merged = 0, features = 0, first;
    const cli_opt opts[] = {
        CLI_STR("accel", "CFG", &acc_path, "accelerator YAML (e.g. data/configs/eyeriss.yaml)"),
        CLI_STR("arch", "ARCH", &arch, "canonical architecture string of the space"),
        CLI_STR("space", "NAME", &space_nm, "nb201 (default) or bert (default choice lists)"),
        CLI_INT("seq", "N", &seq, 1, 65536, "bert sequence length (default 128)"),
        CLI_INT("batch", "N", &batch, 1, 4096, "inference batch (default 1)"),
        CLI_FLAG("merged", &merged, "fold identical layer shapes into one row with a count"),
        CLI_STR("out", "FILE", &out, "output CSV (table)"),
        CLI_FLAG("features", &features, "table: also the nb201 space's predictor features, one column each"),
        CLI_END};
    const cli_spec spec = {
        "accel",
        "report --accel CFG --arch ARCH [--space nb201|bert] [--seq N] [--batch N] [--merged]\n"
        "table  --accel CFG --out FILE.csv [--batch N] [--features]",
        "report prints the per-layer cost breakdown of one network on one accelerator\n"
        "(cycles, PE utilisation, DRAM traffic, latency, energy by memory level) and\n"
        "the totals and die area; table writes, for every NB201 architecture,\n"
        "latency_ms, energy_mj, the TX2 GPU roofline estimate tx2_roofline_ms and the\n"
        "number of layer kernels n_kernels.",
        opts, NULL, 0, 0};
    static const char *const verbs[] = {"report", "table", NULL};
    int st = cli_verb(&spec, argc, argv, verbs);
    if (st == CLI_CONTINUE) st = cli_parse(&spec, argc, argv, 2, &first);
    if (st != CLI_CONTINUE) return st;
    const char *verb = argv[1];
    if (!acc_path) return cli_usage_error("accel %s: --accel CFG is required", verb);
    accel_cfg hw;
    if (accel_cfg_load(acc_path, &hw)) return cli_report(HW_EXIT_USAGE);
    if (!strcmp(verb, "report")) {
        if (!arch) return cli_usage_error("accel report: --arch ARCH is required");
        return accel_report(&hw, space_nm, arch, (int)seq, (int)batch, merged);
    }
    if (!out) return cli_usage_error("accel table: --out FILE is required");
    return accel_table(&hw, out, (int)batch, features);
}

/* ---- hwnas codesign -------------------------------------------------------- */

static void csv_point(hw_buf *b, const codesign *cd, const char *st, uint64_t seed, const codesign_point *p) {
    char s[HW_ARCH_STR_MAX];
    if (space_to_string(codesign_space(cd), &p->g, s, sizeof s)) snprintf(s, sizeof s, "?");
    char *at = strrchr(s, '@');
    if (at) *at = 0;
    hw_buf_printf(b, "%s,%llu,%s,%s,%.6f,%.9g,%.9g,%.6f,%.6g\n", st, (unsigned long long)seed, s, at ? at + 1 : "",
                  p->acc, p->latency_ms, p->energy_mj, p->area_mm2, p->cv);
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

int cmd_codesign(int argc, char **argv) {
    const char *cfg_path = NULL, *strat = "all", *pts_path = NULL, *front_path = NULL;
    long nseeds = -1, evals = -1;
    int quiet = 0, first;
    const cli_opt opts[] = {
        CLI_STR("config", "CFG", &cfg_path, "codesign YAML (e.g. data/configs/codesign-nb201.yaml)"),
        CLI_STR("strategy", "S", &strat, "all (default), joint, two_stage or fixed"),
        CLI_INT("seeds", "N", &nseeds, 1, CODESIGN_MAX_SEEDS, "use only the first N seeds of the config"),
        CLI_INT("evaluations", "N", &evals, 8, 100000000, "override the per-run evaluation budget"),
        CLI_STR("points", "FILE", &pts_path, "CSV of every evaluation (strategy, seed, design, objectives)"),
        CLI_STR("front", "FILE", &front_path, "CSV of each run's feasible non-dominated designs"),
        CLI_FLAG("quiet", &quiet, "only the summary table"),
        CLI_END};
    const cli_spec spec = {
        "codesign",
        "--config CFG [--strategy all|joint|two_stage|fixed] [--seeds N]\n"
        "[--evaluations N] [--points FILE.csv] [--front FILE.csv] [--quiet]",
        "Searches NB201 networks and accelerator configurations (accuracy from the NB201\n"
        "table, latency and energy from the analytic cost model, area and latency\n"
        "constraints) with three strategies given the same evaluation budget, and prints\n"
        "per strategy the hypervolume (median over seeds) and the lowest energy at each\n"
        "accuracy target (median over seeds; 'none' when no feasible design reached it).\n"
        "See docs/codesign.md.",
        opts, NULL, 0, 0};
    int st = cli_parse(&spec, argc, argv, 1, &first);
    if (st != CLI_CONTINUE) return st;
    if (!cfg_path) return cli_usage_error("codesign: --config CFG is required");
    int run_st[CODESIGN_NSTRATEGIES], nst = 0;
    if (!strcmp(strat, "all")) {
        for (int i = 0; i < CODESIGN_NSTRATEGIES; i++) run_st[nst++] = i;
    } else {
        for (int i = 0; i < CODESIGN_NSTRATEGIES; i++)
            if (!strcmp(strat, codesign_strategy_names[i])) run_st[nst++] = i;
        if (!nst) return cli_usage_error("option --strategy: '%s' is not all, joint, two_stage or fixed", strat);
    }
    codesign_cfg cfg;
    if (codesign_cfg_load(cfg_path, &cfg)) return cli_report(HW_EXIT_USAGE);
    if (nseeds > 0 && nseeds < cfg.n_seeds) cfg.n_seeds = (int)nseeds;
    if (evals > 0) cfg.evaluations = (int)evals;
    if (cfg.evaluations < cfg.engine.pop_size)
        return cli_usage_error("option --evaluations: %d is below the population size %d", cfg.evaluations,
                               cfg.engine.pop_size);
    codesign *cd = NULL;
    if (codesign_create(&cfg, &cd)) return cli_report(HW_EXIT_USAGE);

    int S = cfg.n_seeds, T = cfg.n_targets, status = HW_EXIT_FAIL;
    double *hv = hw_calloc((size_t)nst * S, sizeof *hv);
    double *eat = hw_calloc((size_t)nst * S * (T > 0 ? T : 1), sizeof *eat);
    int *nfront = hw_calloc((size_t)nst * S, sizeof *nfront);
    hw_buf pb = {0}, fb = {0};
    hw_buf_printf(&pb, "strategy,seed,arch,accel,accuracy,latency_ms,energy_mj,area_mm2,cv\n");
    hw_buf_printf(&fb, "strategy,seed,arch,accel,accuracy,latency_ms,energy_mj,area_mm2,cv\n");
    char dh[128];
    accel_cfg_to_string(&cfg.default_accel, dh, sizeof dh);
    if (!quiet)
        printf("# codesign: %d evaluations per run, population %d, %d seed(s); area <= %g mm^2, latency <= %g ms\n"
               "# default accelerator (fixed, two-stage): %s, area %.3f mm^2\n",
               cfg.evaluations, cfg.engine.pop_size, S, cfg.area_budget_mm2, cfg.latency_budget_ms, dh,
               accel_area_mm2(&cfg.default_accel));
    for (int a = 0; a < nst; a++)
        for (int k = 0; k < S; k++) {
            codesign_result r = {0};
            nsga_params p = cfg.engine;
            p.seed = cfg.seeds[k];
            if (codesign_run(cd, (codesign_strategy)run_st[a], &p, cfg.evaluations, &r) ||
                codesign_hv(cd, &r, &hv[a * S + k])) {
                codesign_result_free(&r);
                cli_report(HW_EXIT_FAIL);
                goto done;
            }
            for (int t = 0; t < T; t++) eat[(a * S + k) * T + t] = codesign_energy_at_acc(&r, cfg.acc_targets[t]);
            int *idx = NULL, nf = 0;
            codesign_front(&r, &idx, &nf);
            nfront[a * S + k] = nf;
            const char *sn = codesign_strategy_names[run_st[a]];
            if (pts_path)
                for (int i = 0; i < r.n; i++) csv_point(&pb, cd, sn, cfg.seeds[k], &r.pts[i]);
            for (int i = 0; i < nf; i++) csv_point(&fb, cd, sn, cfg.seeds[k], &r.pts[idx[i]]);
            if (!quiet) {
                printf("# %-9s seed %-4llu HV %.5f  front %3d", sn, (unsigned long long)cfg.seeds[k], hv[a * S + k], nf);
                for (int t = 0; t < T; t++) printf("  E@%.1f%% %.4f mJ", cfg.acc_targets[t], eat[(a * S + k) * T + t]);
                printf("\n");
                fflush(stdout);
            }
            free(idx);
            codesign_result_free(&r);
        }
    /* summary: medians over seeds, ratios to joint */
    printf("%-10s %10s %10s %8s", "strategy", "HV_median", "HV/joint", "front");
    for (int t = 0; t < T; t++) printf("  E@%.1f%%_mJ", cfg.acc_targets[t]);
    printf("\n");
    double hv_joint = NAN;
    for (int a = 0; a < nst; a++)
        if (run_st[a] == CODESIGN_JOINT) hv_joint = stats_median(&hv[a * S], S);
    for (int a = 0; a < nst; a++) {
        double m = stats_median(&hv[a * S], S), nfm;
        double tmp[CODESIGN_MAX_SEEDS];
        for (int k = 0; k < S; k++) tmp[k] = nfront[a * S + k];
        nfm = stats_median(tmp, S);
        printf("%-10s %10.5f ", codesign_strategy_names[run_st[a]], m);
        if (isnan(hv_joint)) printf("%10s %8.0f", "-", nfm);
        else printf("%10.3f %8.0f", m / hv_joint, nfm);
        for (int t = 0; t < T; t++) {
            for (int k = 0; k < S; k++) tmp[k] = eat[(a * S + k) * T + t];
            double med = median_inf(tmp, S);
            if (isinf(med)) printf("  %11s", "none");
            else printf("  %11.4f", med);
        }
        printf("\n");
    }
    if (pts_path && hw_write_file_atomic(pts_path, pb.p, pb.len)) {
        cli_report(HW_EXIT_FAIL);
        goto done;
    }
    if (front_path && hw_write_file_atomic(front_path, fb.p, fb.len)) {
        cli_report(HW_EXIT_FAIL);
        goto done;
    }
    status = HW_EXIT_OK;
done:
    hw_buf_free(&pb);
    hw_buf_free(&fb);
    free(hv);
    free(eat);
    free(nfront);
    codesign_free(cd);
    return status;
}
