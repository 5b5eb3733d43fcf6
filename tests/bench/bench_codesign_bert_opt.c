/* bench_codesign_bert_opt: the exact least energy at each accuracy target
 * of a BERT co-design config (default data/configs/codesign-bert.yaml), by
 * exhaustive search, as the reference for the searched strategies' "energy
 * at equal accuracy". For each target: the archs of the accuracy table
 * reaching it, in increasing order of a lower bound on their energy (the
 * least, over the space's precisions, of the MAC energy plus the DRAM
 * energy of compulsory traffic: weights, inputs and outputs of every layer
 * once, as every layer reads its inputs from and writes its outputs to
 * DRAM in the model and BERT's activations are dense), each swept over the whole accelerator space through
 * codesign_eval (area and latency constraints included); the sweep stops
 * when the next arch's bound exceeds the best feasible energy found. Also
 * the least energy on the default accelerator alone (the "fixed" optimum).
 * Every evaluated design's energy is checked against its arch's bound.
 * usage: bench_codesign_bert_opt [CODESIGN_YAML] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel.h"
#include "accel_codesign.h"
#include "csv.h"
#include "hw_clock.h"
#include "hw_data.h"
#include "hw_err.h"
#include "layers.h"

typedef struct cand {
    hw_genome g;  /* arch genome */
    double acc, bound_mj;
} cand;

static int cmp_bound(const void *a, const void *b) {
    const cand *x = a, *y = b;
    return (x->bound_mj > y->bound_mj) - (x->bound_mj < y->bound_mj);
}

int main(int argc, char **argv) {
    char def[1024];
    snprintf(def, sizeof def, "%s/configs/codesign-bert.yaml", hw_data_dir());
    codesign_cfg cfg;
    codesign *cd = NULL;
    csv_table *t = NULL;
    if (codesign_cfg_load(argc > 1 ? argv[1] : def, &cfg) || codesign_create(&cfg, &cd) ||
        csv_read(cfg.acc_table, &t)) {
        fprintf(stderr, "bench_codesign_bert_opt: %s\n", hw_errmsg());
        return 1;
    }
    if (cfg.arch_space != CODESIGN_BERT) {
        fprintf(stderr, "bench_codesign_bert_opt: the config's arch_space is not bert\n");
        return 1;
    }
    const space *p = codesign_space(cd), *as = space_product_part(p, 0), *hs = space_product_part(p, 1);
    int n = csv_nrows(t), ci = csv_col(t, "arch"), ca = csv_col(t, cfg.acc_column);
    cand *c = calloc((size_t)n, sizeof *c);
    layer_list l;
    layer_list_init(&l, 1);
    /* bound: per precision of the space, the arch's MAC energy on the
     * default accelerator (it depends on the precision only) plus its
     * compulsory DRAM bytes at that accelerator's DRAM energy per byte */
    hw_genome dg = {0}, full;
    accel_cfg dh = cfg.default_accel;
    accel_to_genome(hs, &dh, &dg);
    for (int r = 0; r < n; r++) {
        if (space_from_string(as, csv_str(t, r, ci), &c[r].g) ||
            layers_bert(as, &c[r].g, cfg.seq_len, cfg.batch, &l)) {
            fprintf(stderr, "bench_codesign_bert_opt: %s\n", hw_errmsg());
            return 1;
        }
        c[r].acc = csv_num(t, r, ca);
        c[r].bound_mj = INFINITY;
        for (int k = 0; k < cfg.accel_space.n_prec; k++) {
            accel_cfg h = dh;
            accel_cost tot;
            h.precision = cfg.accel_space.precision[k];
            accel_cfg_derive(&h);
            accel_net_cost(&h, &l, &tot, NULL);
            double elems = 0;
            for (int i = 0; i < l.n; i++)
                elems += l.v[i].count * (layer_weight_elems(&l.v[i]) + layer_input_elems(&l.v[i]) +
                                         layer_output_elems(&l.v[i]));
            double b = (tot.energy[ACCEL_E_MAC] + tot.energy[ACCEL_E_DRAM] / tot.dram_bytes * elems * h.elem_bytes) * 1e-9;
            if (b < c[r].bound_mj) c[r].bound_mj = b;
        }
    }
    qsort(c, (size_t)n, sizeof *c, cmp_bound);
    int64_t nacc = space_size(hs);
    printf("# %d archs, %lld accelerators; area <= %g mm^2, latency <= %g ms; seq %d\n", n, (long long)nacc,
           cfg.area_budget_mm2, cfg.latency_budget_ms, cfg.seq_len);
    printf("%-8s %12s %12s %8s %10s  %s\n", "target", "E_fixed_mJ", "E_opt_mJ", "archs", "seconds", "optimum design");
    long bad = 0;
    for (int ti = 0; ti < cfg.n_targets; ti++) {
        double tgt = cfg.acc_targets[ti], best = INFINITY, fixed = INFINITY;
        char bs[HW_ARCH_STR_MAX] = "none";
        int swept = 0;
        double t0 = hw_now_s();
        for (int r = 0; r < n; r++) {
            if (!(c[r].acc >= tgt)) continue;
            codesign_point pt;
            space_product_join(p, &c[r].g, &dg, &full);
            if (codesign_eval(cd, &full, &pt)) return 1;
            if (pt.cv == 0 && pt.energy_mj < fixed) fixed = pt.energy_mj;
            if (c[r].bound_mj > best) continue; /* no design of this arch can beat best */
            swept++;
            for (int64_t i = 0; i < nacc; i++) {
                hw_genome hg = {0};
                int64_t rest = i;
                for (int j = 0; j < space_ngenes(hs); j++) {
                    hg.g[j] = (int16_t)(rest % space_cardinality(hs, j));
                    rest /= space_cardinality(hs, j);
                }
                space_product_join(p, &c[r].g, &hg, &full);
                if (codesign_eval(cd, &full, &pt)) return 1;
                bad += pt.energy_mj < c[r].bound_mj * (1 - 1e-12);
                if (pt.cv == 0 && pt.energy_mj < best) {
                    best = pt.energy_mj;
                    space_to_string(p, &full, bs, sizeof bs);
                }
            }
        }
        printf("%-8.2f %12.5f %12.5f %8d %10.1f  %s\n", tgt, fixed, best, swept, hw_now_s() - t0, bs);
        fflush(stdout);
    }
    printf("# designs below their arch's energy bound: %ld (must be 0)\n", bad);
    free(c);
    layer_list_free(&l);
    csv_free(t);
    codesign_free(cd);
    return bad != 0;
}
