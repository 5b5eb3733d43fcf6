/* accel_eval.c: see accel_eval.h. */
#include "accel_eval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hw_err.h"
#include "space.h"

int accel_eval_kernels(const layer_list *l) {
    int k = 0;
    for (int i = 0; i < l->n; i++) k += l->v[i].count;
    return k;
}

int accel_eval_arch(const accel_cfg *hw, const char *space_name, const bert_space_cfg *bc, const char *arch, int seq,
                    int batch, int merged, layer_list *l, accel_cost **per, accel_cost *tot) {
    space *s = NULL;
    hw_genome g = {0};
    int rc = -1;
    layer_list_init(l, merged);
    *per = NULL;
    if (bc && !strcmp(space_name, "bert") ? space_create_bert(bc, &s) : space_create_default(space_name, &s)) {
        hw_fail_prefix("option --space");
        goto fail;
    }
    if (space_from_string(s, arch, &g)) goto fail;
    if (!strcmp(space_name, "nb201") ? layers_nb201(s, &g, batch, l) : layers_bert(s, &g, seq, batch, l)) goto fail;
    *per = hw_malloc((size_t)(l->n ? l->n : 1) * sizeof **per);
    accel_net_cost(hw, l, tot, *per);
    rc = 0;
fail:
    space_free(s);
    return rc;
}

int accel_eval_load_accel(const char *what, const accel_space_cfg *as, accel_cfg *out) {
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
        return hw_fail("'%s' is no file and not an accelerator of the accel space: %s", what, msg);
    }
    return 0;
}

int accel_eval_nb201_csv(const accel_cfg *hw, int batch, int with_features, hw_buf *b) {
    space *s = NULL;
    layer_list l;
    layer_list_init(&l, 1);
    float f[64];
    int rc = -1;
    if (space_create_nb201(&s)) goto fail;
    HW_ASSERT(space_nfeatures(s) <= 64);
    hw_buf_printf(b, "arch_index,arch_str,latency_ms,energy_mj,tx2_roofline_ms,n_kernels");
    if (with_features)
        for (int j = 0; j < space_nfeatures(s); j++) hw_buf_printf(b, ",%s", space_feature_name(s, j));
    hw_buf_printf(b, "\n");
    for (int64_t i = 0; i < space_size(s); i++) {
        hw_genome g;
        char str[HW_ARCH_STR_MAX];
        accel_cost tot;
        if (space_from_index(s, i, &g) || space_to_string(s, &g, str, sizeof str) || layers_nb201(s, &g, batch, &l))
            goto fail;
        accel_net_cost(hw, &l, &tot, NULL);
        hw_buf_printf(b, "%lld,%s,%.9g,%.9g,%.9g,%d", (long long)i, str, tot.latency_s * 1e3, tot.energy_pj * 1e-9,
                      accel_roofline_ms(&l, TX2_PEAK_GFLOPS, TX2_DRAM_GBPS), accel_eval_kernels(&l));
        if (with_features) {
            space_features(s, &g, f);
            for (int j = 0; j < space_nfeatures(s); j++) hw_buf_printf(b, ",%g", f[j]);
        }
        hw_buf_printf(b, "\n");
    }
    rc = 0;
fail:
    layer_list_free(&l);
    space_free(s);
    return rc;
}
