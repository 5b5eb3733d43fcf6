/* cmd_codesign.c: `hwnas accel report|table` (inspect the accelerator cost
 * model) and `hwnas codesign` (joint vs two-stage vs fixed-accelerator
 * search on NB201 or a BERT space). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accel.h"
#include "accel_codesign.h"
#include "cli.h"
#include "fsutil.h"
#include "layers.h"
#include "space.h"
#include "stats.h"

/* ---- hwnas accel --------------------------------------------------------- */

static void accel_usage(FILE *f) {
    fprintf(f, "usage: hwnas accel report --accel CFG|STRING --arch ARCH [--space nb201|bert] [--config CODESIGN_YAML]\n"
               "                          [--seq N] [--batch N] [--merged]\n"
               "       hwnas accel table  --accel CFG --out FILE.csv [--batch N] [--features]\n"
               "\n"
               "report prints the per-layer cost breakdown of one network on one accelerator\n"
               "(cycles, PE utilisation, DRAM traffic, latency, energy by memory level) and\n"
               "the totals and die area; table writes, for every NB201 architecture,\n"
               "latency_ms, energy_mj, the TX2 GPU roofline estimate tx2_roofline_ms and the\n"
               "number of layer kernels n_kernels.\n"
               "  --accel CFG   accelerator YAML (e.g. data/configs/eyeriss.yaml), or an accelerator\n"
               "                string of the accel space (e.g. 12x14:rf256:gb108k:bw4:clk400:rs:fp16,\n"
               "                as in codesign's CSVs)\n"
               "  --arch ARCH   canonical architecture string of the space\n"
               "  --space NAME  nb201 (default) or bert (default choice lists)\n"
               "  --config CD   report: take the space (nb201, or bert with its choice lists),\n"
               "                sequence length, batch and accel space of a codesign config\n"
               "  --seq N       bert sequence length (default 128, or the config's)\n"
               "  --batch N     inference batch (default 1, or the config's)\n"
               "  --merged      fold identical layer shapes into one row with a count\n"
               "  --out FILE    output CSV (table)\n"
               "  --features    table: also the nb201 space's predictor features, one column each\n");
}

static void print_cost_row(const char *name, const char *kind, int count, const accel_cost *o) {
    printf("%-26s %-7s %5d %12.0f %10.0f %5.2f %10.0f %9.2f %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %s\n", name, kind,
           count, o->macs, o->cycles, o->util, o->dram_bytes, o->latency_s * 1e6, o->energy_pj * 1e-6,
           o->energy[ACCEL_E_MAC] * 1e-6, o->energy[ACCEL_E_RF] * 1e-6, o->energy[ACCEL_E_NOC] * 1e-6,
           o->energy[ACCEL_E_GLB] * 1e-6, o->energy[ACCEL_E_DRAM] * 1e-6, o->mem_bound ? "mem" : "compute");
}

static int accel_report(const accel_cfg *hw, const char *space_nm, const bert_space_cfg *bc, const char *arch, int seq,
                        int batch, int merged) {
    space *s = NULL;
    layer_list l;
    layer_list_init(&l, merged);
    accel_cost *per = NULL;
    int status = HW_EXIT_USAGE;
    hw_genome g = {0};
    if (!strcmp(space_nm, "nb201")) {
        if (space_create_nb201(&s)) goto fail;
    } else if (!strcmp(space_nm, "bert")) {
        if (space_create_bert(bc, &s)) goto fail;
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
    printf("# latency %.6g ms  energy %.6g mJ  MACs %.0f  mean utilisation %.3f  DRAM %.0f bytes  tx2_roofline %.4f ms\n",
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

/* An accelerator from a YAML file or, when no file of that name exists and
 * the text has the accel-space string's ':' fields, from its string in the
 * space *as (the form codesign's CSVs print). */
static int accel_cfg_load_or_parse(const char *what, const accel_space_cfg *as, accel_cfg *out) {
    if (access(what, F_OK) == 0 || !strchr(what, ':')) return accel_cfg_load(what, out);
    space *s = NULL;
    hw_genome g = {0};
    int rc = space_create_accel(as, &s);
    if (rc == 0) rc = space_from_string(s, what, &g);
    if (rc == 0) rc = accel_from_genome(s, &g, out);
    space_free(s);
    if (rc) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", hw_errmsg());
        return hw_fail("option --accel: '%s' is no file and not an accelerator of the accel space: %s", what, msg);
    }
    return 0;
}

int cmd_accel(int argc, char **argv) {
    static const struct option opts[] = {{"accel", required_argument, 0, 'a'}, {"arch", required_argument, 0, 'r'},
                                         {"space", required_argument, 0, 's'}, {"seq", required_argument, 0, 'q'},
                                         {"batch", required_argument, 0, 'b'}, {"merged", no_argument, 0, 'm'},
                                         {"out", required_argument, 0, 'o'},   {"features", no_argument, 0, 'F'},
                                         {"config", required_argument, 0, 'c'}, {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        accel_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? HW_EXIT_USAGE : HW_EXIT_OK;
    }
    const char *verb = argv[1], *acc_path = NULL, *arch = NULL, *space_nm = NULL, *out = NULL, *cd_path = NULL;
    long seq = -1, batch = -1;
    int merged = 0, features = 0, ch;
    if (strcmp(verb, "report") && strcmp(verb, "table"))
        return cli_usage_error("accel: unknown verb '%s' (report or table)", verb);
    optind = 2;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'a': acc_path = optarg; break;
        case 'r': arch = optarg; break;
        case 's': space_nm = optarg; break;
        case 'q':
            if (cli_parse_int("--seq", optarg, 1, 65536, &seq)) return cli_report(HW_EXIT_USAGE);
            break;
        case 'b':
            if (cli_parse_int("--batch", optarg, 1, 4096, &batch)) return cli_report(HW_EXIT_USAGE);
            break;
        case 'm': merged = 1; break;
        case 'o': out = optarg; break;
        case 'F': features = 1; break;
        case 'c': cd_path = optarg; break;
        case 'h': accel_usage(stdout); return HW_EXIT_OK;
        default: return cli_usage_error("accel: unknown or incomplete option '%s' (see --help)", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("accel: unexpected argument '%s'", argv[optind]);
    if (!acc_path) return cli_usage_error("accel %s: --accel CFG is required", verb);
    codesign_cfg cd;
    if (cd_path && strcmp(verb, "report")) return cli_usage_error("accel table: --config is a report option");
    if (cd_path ? codesign_cfg_load(cd_path, &cd) : (codesign_cfg_default(&cd), 0)) return cli_report(HW_EXIT_USAGE);
    if (cd_path) {
        const char *cs = cd.arch_space == CODESIGN_BERT ? "bert" : "nb201";
        if (space_nm && strcmp(space_nm, cs))
            return cli_usage_error("option --space: '%s' differs from the config's arch_space '%s'", space_nm, cs);
        space_nm = cs;
        if (seq < 0) seq = cd.seq_len;
        if (batch < 0) batch = cd.batch;
    } else {
        bert_space_cfg_default(&cd.bert);
    }
    if (!space_nm) space_nm = "nb201";
    if (seq < 0) seq = 128;
    if (batch < 0) batch = 1;
    accel_cfg hw;
    if (accel_cfg_load_or_parse(acc_path, &cd.accel_space, &hw)) return cli_report(HW_EXIT_USAGE);
    if (!strcmp(verb, "report")) {
        if (!arch) return cli_usage_error("accel report: --arch ARCH is required");
        return accel_report(&hw, space_nm, &cd.bert, arch, (int)seq, (int)batch, merged);
    }
    if (!out) return cli_usage_error("accel table: --out FILE is required");
    return accel_table(&hw, out, (int)batch, features);
}

/* ---- hwnas codesign -------------------------------------------------------- */

static void codesign_usage(FILE *f) {
    fprintf(f, "usage: hwnas codesign --config CFG [--strategy all|joint|two_stage|fixed] [--seeds N]\n"
               "                      [--evaluations N] [--points FILE.csv] [--front FILE.csv] [--quiet]\n"
               "\n"
               "Searches networks (NB201 cells or BERT encoders, the config's arch_space) and\n"
               "accelerator configurations (accuracy from the config's table, latency and energy\n"
               "from the analytic cost model, area and latency constraints) with three\n"
               "strategies given the same evaluation budget, and prints\n"
               "per strategy the hypervolume (median over seeds) and the lowest energy at each\n"
               "accuracy target (median over seeds; 'none' when no feasible design reached it).\n"
               "See docs/codesign.md.\n"
               "  --config CFG       codesign YAML (data/configs/codesign-nb201.yaml, codesign-bert.yaml)\n"
               "  --strategy S       all (default), joint, two_stage or fixed\n"
               "  --seeds N          use only the first N seeds of the config\n"
               "  --evaluations N    override the per-run evaluation budget\n"
               "  --points FILE      CSV of every evaluation (strategy, seed, design, objectives)\n"
               "  --front FILE       CSV of each run's feasible non-dominated designs\n"
               "  --quiet            only the summary table\n");
}

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
    static const struct option opts[] = {{"config", required_argument, 0, 'c'}, {"strategy", required_argument, 0, 's'},
                                         {"seeds", required_argument, 0, 'n'},  {"evaluations", required_argument, 0, 'e'},
                                         {"points", required_argument, 0, 'p'}, {"front", required_argument, 0, 'f'},
                                         {"quiet", no_argument, 0, 'q'},        {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *cfg_path = NULL, *strat = "all", *pts_path = NULL, *front_path = NULL;
    long nseeds = -1, evals = -1;
    int quiet = 0, ch;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': cfg_path = optarg; break;
        case 's': strat = optarg; break;
        case 'n':
            if (cli_parse_int("--seeds", optarg, 1, CODESIGN_MAX_SEEDS, &nseeds)) return cli_report(HW_EXIT_USAGE);
            break;
        case 'e':
            if (cli_parse_int("--evaluations", optarg, 8, 100000000, &evals)) return cli_report(HW_EXIT_USAGE);
            break;
        case 'p': pts_path = optarg; break;
        case 'f': front_path = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': codesign_usage(stdout); return HW_EXIT_OK;
        default: return cli_usage_error("codesign: unknown or incomplete option '%s' (see --help)", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("codesign: unexpected argument '%s'", argv[optind]);
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
    char net[64] = "nb201 networks";
    if (cfg.arch_space == CODESIGN_BERT) snprintf(net, sizeof net, "bert networks at %d tokens", cfg.seq_len);
    if (!quiet)
        printf("# codesign: %s, %d evaluations per run, population %d, %d seed(s); "
               "area <= %g mm^2, latency <= %g ms\n# default accelerator (fixed, two-stage): %s, area %.3f mm^2\n",
               net, cfg.evaluations, cfg.engine.pop_size, S, cfg.area_budget_mm2, cfg.latency_budget_ms, dh,
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
