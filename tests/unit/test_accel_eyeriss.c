/* The accelerator model with data/configs/eyeriss.yaml against the Eyeriss
 * chip's published per-layer measurements (AlexNet CONV1-5 at batch 4,
 * VGG-16 CONV1-1..CONV5-3 at batch 3, 200 MHz, 168 PEs): each layer's MACs
 * equal to the published count (to its 2 decimals), processing latency
 * per layer within 30 % (two VGG-16 layers are known misses, checked to stay
 * within their recorded band), the AlexNet ranking of layers by DRAM traffic
 * exact, and the rank correlation of the rest; AlexNet's processing-pass
 * parameters against the chip's Table III (two layers equal, three
 * recorded mismatches).
 *
 * Source of every published number: Y.-H. Chen, T. Krishna, J. Emer, V. Sze,
 * "Eyeriss: An Energy-Efficient Reconfigurable Accelerator for Deep
 * Convolutional Neural Networks", IEEE JSSC 52(1), 2017, Table V (AlexNet)
 * and Table VI (VGG-16), columns "Processing Latency (ms)", "DRAM Accesses",
 * "Zeros in Ifmaps", "Power (mW)" and "Num. of MACs". Transcribed from the
 * OCR'd and hand-cleaned tables of cucapra/fodlam (data/eyeriss-alexnet.csv at
 * 9d4b9f5048d5, data/eyeriss-vgg16.csv at 524c5d82d331; raw OCR in
 * raw/eyeriss-tableV.txt / tableVI.txt). Two OCR readings were resolved:
 * VGG CONV1-1 DRAM "154 MB" is read as 15.4 MB (the column then sums to
 * 313 MB against the table's total 321.1 MB; with 154 it would be 452 MB),
 * and CONV2-2 processing latency
 * "1110.3" is 810.8 ms (the cleaned CSV; the column then sums to the total
 * 3755.2 ms, and 1110.3 would exceed the layer's total latency 894.3 ms). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel.h"
#include "hw_err.h"
#include "layers.h"

typedef struct published {
    const char *name;
    double proc_ms;  /* processing latency */
    double dram_mb;  /* DRAM accesses */
    double zeros;    /* zeros in the layer's input feature maps */
    double power_mw; /* chip power (printed beside the model's, not checked) */
    double gmacs;    /* "Num. of MACs" (G), to 2 decimals: checks the layer list */
} published;

/* JSSC 2017 Table V (AlexNet, batch 4). */
static const published alexnet[5] = {
    {"CONV1", 16.5, 5.0, 0.0001, 332, 0.42}, {"CONV2", 39.2, 4.0, 0.387, 288, 0.90},
    {"CONV3", 21.8, 3.0, 0.725, 266, 0.60},  {"CONV4", 16.0, 2.1, 0.793, 235, 0.45},
    {"CONV5", 10.0, 1.3, 0.776, 236, 0.30},
};
/* JSSC 2017 Table VI (VGG-16, batch 3). */
static const published vgg16[13] = {
    {"CONV1-1", 38.0, 15.4, 0.16, 247, 0.26},   {"CONV1-2", 810.6, 54.0, 0.477, 218, 5.55},
    {"CONV2-1", 405.3, 33.4, 0.248, 242, 2.77}, {"CONV2-2", 810.8, 48.5, 0.387, 231, 5.55},
    {"CONV3-1", 204.0, 20.2, 0.397, 254, 2.77}, {"CONV3-2", 408.1, 32.2, 0.581, 235, 5.55},
    {"CONV3-3", 408.1, 30.8, 0.587, 233, 5.55}, {"CONV4-1", 105.1, 17.8, 0.643, 278, 2.77},
    {"CONV4-2", 210.0, 20.6, 0.747, 261, 5.55}, {"CONV4-3", 210.0, 22.8, 0.854, 240, 5.55},
    {"CONV5-1", 48.3, 6.3, 0.794, 258, 1.39},   {"CONV5-2", 48.5, 5.7, 0.874, 236, 1.39},
    {"CONV5-3", 48.5, 5.6, 0.885, 230, 1.39},
};
/* JSSC 2017 Table III ("Mapping parameters of AlexNet CONV layers on
 * Eyeriss"; OCR in cucapra/fodlam raw/eyeriss-tableIII.txt at e50c5c3d5ad3,
 * each row's GLB allocation re-derived from its parameters): output
 * channels m whose psums the GLB holds and images n x strip rows e per
 * processing pass. The model's RS plan reports them as tile_k = m and
 * tile_p = n e. match: 1 where the model reproduces the row (CONV4, CONV5);
 * CONV1-3 are recorded mismatches (docs/codesign.md, "What the published
 * pass parameters say"), so a change that fixes or breaks one shows. */
typedef struct table3 {
    const char *name;
    int m, n, e, match;
} table3;
static const table3 alexnet_table3[5] = {
    {"CONV1", 96, 1, 7, 0}, {"CONV2", 64, 1, 27, 0}, {"CONV3", 64, 4, 13, 0}, {"CONV4", 64, 4, 13, 1}, {"CONV5", 64, 4, 13, 1},
};

/* Known misses of the processing-latency goal and the model/published
 * ratio band they are held to (docs/codesign.md, "Validation"). */
typedef struct miss {
    const char *name;
    double lo, hi;
} miss;
static const miss known_misses[] = {{"CONV3", 1.8, 2.2}, {"CONV1-2", 0.50, 0.60}};

/* The shipped data/configs/eyeriss.yaml (under $HWNAS_DATA). */
static void load_eyeriss(accel_cfg *c) {
    char path[1024];
    const char *d = getenv("HWNAS_DATA");
    snprintf(path, sizeof path, "%s/configs/eyeriss.yaml", d ? d : "data");
    assert_int_equal(accel_cfg_load(path, c), 0);
}

/* Average ranks (ties share their mean rank). */
static void ranks(const double *v, int n, double *r) {
    for (int i = 0; i < n; i++) {
        double less = 0, eq = 0;
        for (int j = 0; j < n; j++) {
            if (v[j] < v[i]) less++;
            else if (v[j] == v[i]) eq++;
        }
        r[i] = less + (eq + 1) / 2;
    }
}

static double spearman(const double *a, const double *b, int n) {
    double ra[16], rb[16], ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
    ranks(a, n, ra);
    ranks(b, n, rb);
    for (int i = 0; i < n; i++) ma += ra[i] / n, mb += rb[i] / n;
    for (int i = 0; i < n; i++) {
        sab += (ra[i] - ma) * (rb[i] - mb);
        saa += (ra[i] - ma) * (ra[i] - ma);
        sbb += (rb[i] - mb) * (rb[i] - mb);
    }
    return sab / sqrt(saa * sbb);
}

/* Model costs of the net's conv layers with the published input zero
 * fractions (outputs: the next layer's input zeros); fills lat (on-chip
 * processing time, ms) and dram (MB) and checks latency within 30 %. */
static void run_net(const char *net, const published *pub, int n, layer_list *l, double *lat, double *dram) {
    accel_cfg c;
    load_eyeriss(&c);
    assert_int_equal(l->n, n);
    for (int i = 0; i < n; i++) {
        l->v[i].zero_in = pub[i].zeros;
        l->v[i].zero_out = pub[i + 1 < n ? i + 1 : i].zeros;
    }
    int bad = 0;
    for (int i = 0; i < n; i++) {
        accel_cost o;
        assert_string_equal(l->v[i].name, pub[i].name);
        double gm = layer_macs(&l->v[i]) / 1e9;
        if (fabs(gm - pub[i].gmacs) > 0.005 + 1e-9)
            fail_msg("%s %s: %.4f G MACs, published %.2f", net, pub[i].name, gm, pub[i].gmacs);
        accel_layer_cost(&c, &l->v[i], &o);
        lat[i] = o.t_compute_s * 1e3;
        dram[i] = o.dram_bytes / 1e6;
        double ratio = lat[i] / pub[i].proc_ms;
        const miss *m = NULL;
        for (size_t j = 0; j < sizeof known_misses / sizeof known_misses[0]; j++)
            if (!strcmp(known_misses[j].name, pub[i].name)) m = &known_misses[j];
        int ok = m ? ratio >= m->lo && ratio <= m->hi : fabs(ratio - 1) <= 0.30;
        printf("%s %-8s latency %7.1f ms (published %7.1f, ratio %.2f%s)  DRAM %6.2f MB (published %5.1f)  "
               "power %4.0f mW (published %3.0f)  %s\n",
               net, pub[i].name, lat[i], pub[i].proc_ms, ratio, m ? ", known miss" : "", dram[i], pub[i].dram_mb,
               o.energy_pj * 1e-12 / o.latency_s * 1e3, pub[i].power_mw, ok ? "ok" : "FAIL");
        bad += !ok;
    }
    assert_int_equal(bad, 0);
}

/* One net: the table check, then the rank correlations of latency and DRAM
 * against the chip's, each at least its floor. */
static void check_net(const char *net, const published *pub, int n, int (*build)(int, int, layer_list *), int batch,
                      double min_rho_lat, double min_rho_dram) {
    layer_list l;
    layer_list_init(&l, 0);
    assert_int_equal(build(batch, 1, &l), 0);
    double lat[16], dram[16], pl[16], pd[16];
    run_net(net, pub, n, &l, lat, dram);
    for (int i = 0; i < n; i++) pl[i] = pub[i].proc_ms, pd[i] = pub[i].dram_mb;
    double rl = spearman(lat, pl, n), rd = spearman(dram, pd, n);
    printf("%s: Spearman latency %.3f (floor %.3f), DRAM %.3f (floor %.3f; exact ranking = 1)\n", net, rl, min_rho_lat,
           rd, min_rho_dram);
    assert_true(rl >= min_rho_lat);
    assert_true(rd >= min_rho_dram);
    layer_list_free(&l);
}

/* AlexNet: DRAM ranking exact; latency one swap (CONV1 16.5 vs CONV4 16.0 ms). */
static void test_alexnet(void **st) {
    (void)st;
    check_net("alexnet", alexnet, 5, layers_alexnet, 4, 0.89, 1.0);
}

/* AlexNet's processing-pass parameters against Table III: equal where the
 * row is marked as matching, different where it is a recorded mismatch. */
static void test_alexnet_table3(void **st) {
    (void)st;
    accel_cfg c;
    load_eyeriss(&c);
    layer_list l;
    layer_list_init(&l, 0);
    assert_int_equal(layers_alexnet(4, 1, &l), 0);
    for (int i = 0; i < 5; i++) {
        const table3 *t = &alexnet_table3[i];
        accel_cost o;
        assert_string_equal(l.v[i].name, t->name);
        accel_layer_cost(&c, &l.v[i], &o);
        int same = o.order == 4 && o.tile_k == t->m && o.tile_p == t->n * t->e;
        printf("alexnet %s pass: model m %d, n e %d; Table III m %d, n e %d x %d (%s)\n", t->name, o.tile_k, o.tile_p, t->m,
               t->n, t->e, same ? "same" : "differs");
        assert_int_equal(same, t->match);
    }
    layer_list_free(&l);
}

static void test_vgg16(void **st) {
    (void)st;
    check_net("vgg16", vgg16, 13, layers_vgg16, 3, 0.97, 0.89);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_alexnet), cmocka_unit_test(test_alexnet_table3),
                                       cmocka_unit_test(test_vgg16)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
