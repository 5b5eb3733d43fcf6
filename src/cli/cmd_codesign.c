/* cmd_codesign.c: `hwnas accel report|table` (inspect the accelerator cost
 * model) and `hwnas codesign` (joint vs two-stage vs fixed-accelerator
 * search on NB201 or a BERT space). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel.h"
#include "accel_codesign.h"
#include "accel_eval.h"
#include "accel_study.h"
#include "cli.h"
#include "fsutil.h"

/* ---- hwnas accel --------------------------------------------------------- */

static void print_cost_row(const char *name, const char *kind, int count, const accel_cost *o) {
    printf("%-26s %-7s %5d %12.0f %10.0f %5.2f %10.0f %9.2f %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %s\n", name, kind,
           count, o->macs, o->cycles, o->util, o->dram_bytes, o->latency_s * 1e6, o->energy_pj * 1e-6,
           o->energy[ACCEL_E_MAC] * 1e-6, o->energy[ACCEL_E_RF] * 1e-6, o->energy[ACCEL_E_NOC] * 1e-6,
           o->energy[ACCEL_E_GLB] * 1e-6, o->energy[ACCEL_E_DRAM] * 1e-6, o->mem_bound ? "mem" : "compute");
}

/* Prints the per-layer report of ARCH on HW; the exit status. */
static int accel_report(const accel_cfg *hw, const char *space_nm, const bert_space_cfg *bc, const char *arch, int seq,
                        int batch, int merged) {
    layer_list l;
    accel_cost *per, tot;
    if (accel_eval_arch(hw, space_nm, bc, arch, seq, batch, merged, &l, &per, &tot)) {
        layer_list_free(&l);
        return cli_report(HW_EXIT_USAGE);
    }
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
    free(per);
    layer_list_free(&l);
    return HW_EXIT_OK;
}

int cmd_accel(int argc, char **argv) {
    const char *acc_path = NULL, *arch = NULL, *space_nm = NULL, *out = NULL, *cd_path = NULL;
    long seq = -1, batch = -1;
    int merged = 0, features = 0, first;
    const cli_opt opts[] = {
        CLI_STR("accel", "CFG", &acc_path,
                "accelerator YAML (e.g. data/configs/eyeriss.yaml), or an accelerator string of the accel space "
                "(e.g. 12x14:rf256:gb108k:bw4:clk400:rs:fp16, as in codesign's CSVs)"),
        CLI_STR("arch", "ARCH", &arch, "canonical architecture string of the space"),
        CLI_STR("space", "NAME", &space_nm, "nb201 (default) or bert (default choice lists)"),
        CLI_STR("config", "CD", &cd_path,
                "report: take the space (nb201, or bert with its choice lists), sequence length, batch and accel "
                "space of a codesign config"),
        CLI_INT("seq", "N", &seq, 1, 65536, "bert sequence length (default 128, or the config's)"),
        CLI_INT("batch", "N", &batch, 1, 4096, "inference batch (default 1, or the config's)"),
        CLI_FLAG("merged", &merged, "fold identical layer shapes into one row with a count"),
        CLI_STR("out", "FILE", &out, "output CSV (table)"),
        CLI_FLAG("features", &features, "table: also the nb201 space's predictor features, one column each"),
        CLI_END};
    const cli_spec spec = {
        "accel",
        "report --accel CFG|STRING --arch ARCH [--space nb201|bert] [--config CODESIGN_YAML]\n"
        "       [--seq N] [--batch N] [--merged]\n"
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
    if (accel_eval_load_accel(acc_path, &cd.accel_space, &hw)) {
        hw_fail_prefix("option --accel");
        return cli_report(HW_EXIT_USAGE);
    }
    if (!strcmp(verb, "report")) {
        if (!arch) return cli_usage_error("accel report: --arch ARCH is required");
        return accel_report(&hw, space_nm, &cd.bert, arch, (int)seq, (int)batch, merged);
    }
    if (!out) return cli_usage_error("accel table: --out FILE is required");
    hw_buf b = {0};
    st = accel_eval_nb201_csv(&hw, (int)batch, features, &b) || hw_write_file_atomic(out, b.p, b.len)
             ? cli_report(HW_EXIT_FAIL)
             : HW_EXIT_OK;
    hw_buf_free(&b);
    return st;
}

/* ---- hwnas codesign -------------------------------------------------------- */

int cmd_codesign(int argc, char **argv) {
    const char *cfg_path = NULL, *strat = "all", *pts_path = NULL, *front_path = NULL;
    long nseeds = -1, evals = -1;
    int quiet = 0, first;
    const cli_opt opts[] = {
        CLI_STR("config", "CFG", &cfg_path, "codesign YAML (data/configs/codesign-nb201.yaml, codesign-bert.yaml)"),
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
        "Searches networks (NB201 cells or BERT encoders, the config's arch_space) and\n"
        "accelerator configurations (accuracy from the config's table, latency and energy\n"
        "from the analytic cost model, area and latency constraints) with three\n"
        "strategies given the same evaluation budget, and prints\n"
        "per strategy the hypervolume (median over seeds) and the lowest energy at each\n"
        "accuracy target (median over seeds; 'none' when no feasible design reached it).\n"
        "See docs/codesign.md.",
        opts, NULL, 0, 0};
    int st = cli_parse(&spec, argc, argv, 1, &first);
    if (st != CLI_CONTINUE) return st;
    if (!cfg_path) return cli_usage_error("codesign: --config CFG is required");
    codesign_strategy run_st[CODESIGN_NSTRATEGIES];
    int nst;
    if (accel_study_strategies(strat, run_st, &nst)) return cli_report(HW_EXIT_USAGE);
    codesign_cfg cfg;
    if (codesign_cfg_load(cfg_path, &cfg)) return cli_report(HW_EXIT_USAGE);
    if (nseeds > 0 && nseeds < cfg.n_seeds) cfg.n_seeds = (int)nseeds;
    if (evals > 0) cfg.evaluations = (int)evals;
    if (cfg.evaluations < cfg.engine.pop_size)
        return cli_usage_error("option --evaluations: %d is below the population size %d", cfg.evaluations,
                               cfg.engine.pop_size);
    codesign *cd = NULL;
    if (codesign_create(&cfg, &cd)) return cli_report(HW_EXIT_USAGE);

    const int S = cfg.n_seeds, T = cfg.n_targets;
    int status = HW_EXIT_FAIL;
    char dh[128];
    accel_cfg_to_string(&cfg.default_accel, dh, sizeof dh);
    char net[64] = "nb201 networks";
    if (cfg.arch_space == CODESIGN_BERT) snprintf(net, sizeof net, "bert networks at %d tokens", cfg.seq_len);
    if (!quiet)
        printf("# codesign: %s, %d evaluations per run, population %d, %d seed(s); "
               "area <= %g mm^2, latency <= %g ms\n# default accelerator (fixed, two-stage): %s, area %.3f mm^2\n",
               net, cfg.evaluations, cfg.engine.pop_size, S, cfg.area_budget_mm2, cfg.latency_budget_ms, dh,
               accel_area_mm2(&cfg.default_accel));
    accel_study study;
    if (accel_study_run(cd, run_st, nst, pts_path != NULL, quiet ? NULL : stdout, &study)) {
        cli_report(HW_EXIT_FAIL);
        codesign_free(cd);
        return status;
    }
    /* summary: medians over seeds, ratios to joint */
    printf("%-10s %10s %10s %8s", "strategy", "HV_median", "HV/joint", "front");
    for (int t = 0; t < T; t++) printf("  E@%.1f%%_mJ", cfg.acc_targets[t]);
    printf("\n");
    double hv_joint = NAN, hv, nfm, eat[CODESIGN_MAX_TARGETS];
    for (int a = 0; a < nst; a++)
        if (run_st[a] == CODESIGN_JOINT) accel_study_summary(&study, a, &hv_joint, &nfm, eat);
    for (int a = 0; a < nst; a++) {
        accel_study_summary(&study, a, &hv, &nfm, eat);
        printf("%-10s %10.5f ", codesign_strategy_names[run_st[a]], hv);
        if (isnan(hv_joint)) printf("%10s %8.0f", "-", nfm);
        else printf("%10.3f %8.0f", hv / hv_joint, nfm);
        for (int t = 0; t < T; t++) {
            if (isinf(eat[t])) printf("  %11s", "none");
            else printf("  %11.4f", eat[t]);
        }
        printf("\n");
    }
    if ((pts_path && hw_write_file_atomic(pts_path, study.points.p, study.points.len)) ||
        (front_path && hw_write_file_atomic(front_path, study.front.p, study.front.len)))
        cli_report(HW_EXIT_FAIL);
    else status = HW_EXIT_OK;
    accel_study_clear(&study);
    codesign_free(cd);
    return status;
}
