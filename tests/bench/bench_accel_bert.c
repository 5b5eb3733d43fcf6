/* bench_accel_bert: the hardware side of co-design on BERT, at equal
 * accuracy by construction: for fixed encoders of the bert space (smallest,
 * a middle one, largest of the default space; sequence 128, batch 1), the
 * energy of the default co-design accelerator (codesign-nb201.yaml's
 * default_accel) against the least-energy accelerator of the accel space
 * (data/configs/accel-space.yaml lists) within the same area budget and
 * no slower than the default; also the best at the default's precision
 * (fp16), since accuracy here carries no quantisation penalty and int8
 * alone cuts MAC and traffic energy. Exhaustive over the space.
 * usage: bench_accel_bert [CODESIGN_YAML] */
#include <stdio.h>
#include <stdlib.h>

#include "accel.h"
#include "accel_codesign.h"
#include "hw_data.h"
#include "hw_err.h"

int main(int argc, char **argv) {
    char def[1024];
    snprintf(def, sizeof def, "%s/configs/codesign-nb201.yaml", hw_data_dir());
    codesign_cfg cfg;
    space *as = NULL;
    if (codesign_cfg_load(argc > 1 ? argv[1] : def, &cfg) || space_create_accel(&cfg.accel_space, &as)) {
        fprintf(stderr, "bench_accel_bert: %s\n", hw_errmsg());
        return 1;
    }
    static const bert_shape nets[3] = {
        {.layers = 2, .hidden = 128, .heads = {2, 2}, .ffn = {512, 512}},
        {.layers = 6, .hidden = 384, .heads = {12, 12, 12, 12, 12, 12}, .ffn = {1024, 1024, 1024, 1024, 1024, 1024}},
        {.layers = 12, .hidden = 768, .heads = {12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12},
         .ffn = {3072, 3072, 3072, 3072, 3072, 3072, 3072, 3072, 3072, 3072, 3072, 3072}},
    };
    static const char *names[3] = {"L2-H128-A2-F512", "L6-H384-A12-F1024", "L12-H768-A12-F3072"};
    layer_list l;
    layer_list_init(&l, 1);
    long total = 1;
    for (int j = 0; j < ACCEL_NGENES; j++) total *= space_cardinality(as, j);
    printf("# %ld accelerators, area <= %.1f mm^2, default %s (%.2f mm^2)\n", total, cfg.area_budget_mm2,
           "12x14:rf256:gb108k:bw4:clk400:rs:fp16", accel_area_mm2(&cfg.default_accel));
    printf("%-20s %12s %12s %12s %12s %8s %12s %8s  %s\n", "bert", "E_default_mJ", "lat_def_ms", "E_best_mJ",
           "lat_best_ms", "saving", "E_best_fp16", "saving", "best accelerator / best fp16");
    for (int n = 0; n < 3; n++) {
        layers_bert_shape(&nets[n], 128, 1, &l);
        accel_cost d, t;
        accel_net_cost(&cfg.default_accel, &l, &d, NULL);
        double best = d.energy_pj, best_lat = d.latency_s;
        double best16 = d.energy_pj;
        char bs[128] = "(default)", bs16[128] = "(default)";
        hw_genome g = {0};
        for (long idx = 0; idx < total; idx++) {
            long r = idx;
            for (int j = 0; j < ACCEL_NGENES; j++) {
                g.g[j] = (int)(r % space_cardinality(as, j));
                r /= space_cardinality(as, j);
            }
            accel_cfg c;
            if (accel_from_genome(as, &g, &c)) return 1;
            if (cfg.area_budget_mm2 > 0 && accel_area_mm2(&c) > cfg.area_budget_mm2) continue;
            accel_net_cost(&c, &l, &t, NULL);
            if (t.latency_s <= d.latency_s && t.energy_pj < best) {
                best = t.energy_pj;
                best_lat = t.latency_s;
                accel_cfg_to_string(&c, bs, sizeof bs);
            }
            if (t.latency_s <= d.latency_s && c.precision == cfg.default_accel.precision && t.energy_pj < best16) {
                best16 = t.energy_pj;
                accel_cfg_to_string(&c, bs16, sizeof bs16);
            }
        }
        printf("%-20s %12.3f %12.2f %12.3f %12.2f %7.2fx %12.3f %7.2fx  %s / %s\n", names[n], d.energy_pj * 1e-9,
               d.latency_s * 1e3, best * 1e-9, best_lat * 1e3, d.energy_pj / best, best16 * 1e-9, d.energy_pj / best16,
               bs, bs16);
    }
    layer_list_free(&l);
    space_free(as);
    return 0;
}
