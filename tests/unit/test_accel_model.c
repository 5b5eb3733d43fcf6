/* Accelerator cost model: hand-computed single-matmul cases on a tiny
 * array, the DRAM tiling under a small buffer, monotonicity (more PEs never
 * slower, more buffer never more DRAM traffic) over random layers, the
 * shipped Eyeriss configuration and its NB201 costs, and YAML errors. */
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
#include "rng.h"

static net_layer matmul(int M, int D, int N) {
    net_layer x;
    memset(&x, 0, sizeof x);
    x.kind = LAYER_MATMUL;
    x.g = x.n = 1;
    x.c = D;
    x.k = N;
    x.h = x.p = M;
    x.w = x.q = 1;
    x.r = x.s = x.stride = 1;
    x.count = 1;
    return x;
}

static accel_cfg tiny(accel_dataflow df) {
    accel_cfg c = {.rows = 2, .cols = 2, .rf_bytes = 512, .gbuf_kb = 108, .dram_gbps = 1.0, .clock_mhz = 100,
                   .dataflow = df, .precision = ACCEL_INT8};
    assert_int_equal(accel_cfg_derive(&c), 0);
    return c;
}

static void near(double a, double b) { assert_true(fabs(a - b) <= 1e-9 * fmax(1.0, fabs(b))); }
#define NEAR(a, b) near((double)(a), (double)(b))

/* [4x4] x [4x4] on a 2x2 weight-stationary array, int8, everything fits.
 * By hand: reduction 4 on 2 rows (2 folds) x 4 outputs on 2 columns (2
 * folds) x 4 rows of A streamed = 16 cycles, 64 MACs, utilisation 1.
 * DRAM: A, B, C once = 48 B. Accesses: RF 64 (weight per MAC), NoC 128
 * (input and psum hop per MAC), GLB 16 (weights) + 32 (inputs, 2 column
 * folds) + 48 (psums: 4x4 outputs x (2*2-1)) = 96.
 * Energies (int8 word = 0.5 x 16-bit cost, RF 512 B and GLB 108 KB are the
 * reference sizes): MAC 64 x 0.25, RF 64 x 0.5, NoC 128 x 1.0,
 * GLB 96 x 3.0, DRAM 48 x 100 pJ; total 5264 pJ.
 * Latency at 100 MHz, 1 GB/s: compute 160 ns, DRAM 48 ns, one tile, so
 * 160 + 48/2 = 184 ns. */
static void test_hand_matmul_ws(void **st) {
    (void)st;
    accel_cfg c = tiny(ACCEL_WS);
    net_layer x = matmul(4, 4, 4);
    accel_cost o;
    accel_layer_cost(&c, &x, &o);
    NEAR(o.macs, 64);
    NEAR(o.cycles, 16);
    NEAR(o.util, 1.0);
    NEAR(o.dram_bytes, 48);
    NEAR(o.acc[ACCEL_LVL_RF], 64);
    NEAR(o.acc[ACCEL_LVL_NOC], 128);
    NEAR(o.acc[ACCEL_LVL_GLB], 96);
    NEAR(o.energy[ACCEL_E_MAC], 16);
    NEAR(o.energy[ACCEL_E_RF], 32);
    NEAR(o.energy[ACCEL_E_NOC], 128);
    NEAR(o.energy[ACCEL_E_GLB], 288);
    NEAR(o.energy[ACCEL_E_DRAM], 4800);
    NEAR(o.energy_pj, 5264);
    NEAR(o.latency_s, 184e-9);
    assert_int_equal(o.order, 0);
    assert_int_equal(o.mem_bound, 0);
}

/* Same matmul, output-stationary: 4 output rows on 2 PE rows (2 folds) x 4
 * columns of C on 2 PE columns (2 folds) x reduction 4 in time = 16 cycles.
 * RF 2 per MAC (psum read + write) = 128; the 512 B RF holds both column
 * folds' psums (kr = 2), so each input reaches a PE once: NoC 64 + 32 = 96;
 * GLB 16 x 2 (weights per row fold) + 16 (inputs) + 16 (outputs) = 64.
 * Row-stationary: e = min(4 rows, 2 cols) = 2, rep = 2 x 1 = 2 sets, 16
 * (channel, filter) items: 2 row folds x 8 x Q S = 16 cycles. */
static void test_hand_matmul_os_rs(void **st) {
    (void)st;
    accel_cfg c = tiny(ACCEL_OS);
    net_layer x = matmul(4, 4, 4);
    accel_cost o;
    accel_layer_cost(&c, &x, &o);
    NEAR(o.cycles, 16);
    NEAR(o.acc[ACCEL_LVL_RF], 128);
    NEAR(o.acc[ACCEL_LVL_NOC], 96);
    NEAR(o.acc[ACCEL_LVL_GLB], 64);
    NEAR(o.dram_bytes, 48);
    c = tiny(ACCEL_RS);
    accel_layer_cost(&c, &x, &o);
    NEAR(o.cycles, 16);
    NEAR(o.util, 1.0);
    NEAR(o.acc[ACCEL_LVL_RF], 256);
}

/* [64x64] x [64x64] int8 (12 KB of operands). With 8 KB of buffer the
 * weights stay resident and A streams in two 32-row tiles: compulsory
 * 12288 B. With 4 KB no tiling reaches that: by hand the best is 32 output
 * channels x 21 rows (K tiles outer, A read twice) = 4096 + 2 x 4096 + 4096
 * = 16384 B. */
static void test_hand_tiling(void **st) {
    (void)st;
    accel_cfg c = tiny(ACCEL_WS);
    net_layer x = matmul(64, 64, 64);
    accel_cost o;
    c.gbuf_kb = 8;
    accel_cfg_derive(&c);
    accel_layer_cost(&c, &x, &o);
    NEAR(o.dram_bytes, 12288);
    assert_int_equal(o.tile_k, 64);
    assert_int_equal(o.tile_p, 32);
    assert_int_equal(o.order, 1);
    c.gbuf_kb = 4;
    accel_cfg_derive(&c);
    accel_layer_cost(&c, &x, &o);
    NEAR(o.dram_bytes, 16384);
    assert_int_equal(o.tile_k, 32);
    assert_int_equal(o.tile_p, 21);
    c.gbuf_kb = 64;
    accel_cfg_derive(&c);
    accel_layer_cost(&c, &x, &o);
    NEAR(o.dram_bytes, 12288);
    assert_int_equal(o.order, 0);
}

static net_layer random_layer(hw_rng *r) {
    net_layer x;
    memset(&x, 0, sizeof x);
    static const int ks[] = {1, 3, 5, 7}, chans[] = {1, 3, 8, 16, 24, 32, 64, 96, 128, 256, 512};
    int kind = (int)rng_below(r, 5);
    x.kind = (layer_kind)kind;
    x.g = 1;
    x.n = 1 + (int)rng_below(r, 2);
    x.count = 1;
    x.c = chans[rng_below(r, 11)];
    x.k = chans[rng_below(r, 11)];
    x.r = x.s = ks[rng_below(r, 4)];
    x.stride = 1 + (int)rng_below(r, 2);
    x.h = x.w = 4 + (int)rng_below(r, 60);
    if (x.kind == LAYER_DWCONV) {
        x.g = x.c;
        x.c = x.k = 1;
    }
    if (x.kind == LAYER_MATMUL) {
        x.g = 1 + (int)rng_below(r, 4);
        x.r = x.s = x.stride = 1;
        x.w = 1;
    }
    if (x.kind == LAYER_POOL) x.k = x.c;
    if (x.kind == LAYER_ELTWISE) {
        x.k = x.c;
        x.r = x.s = x.stride = 1;
        x.n_in = 1 + (int)rng_below(r, 3);
        x.ops = 1 + (int)rng_below(r, 5);
    }
    if (x.kind == LAYER_POOL) x.ops = 1;
    x.p = (x.h + 2 * (x.r / 2) - x.r) / x.stride + 1;
    x.q = x.kind == LAYER_MATMUL ? 1 : (x.w + 2 * (x.s / 2) - x.s) / x.stride + 1;
    return x;
}

static accel_cfg random_cfg(hw_rng *r) {
    static const int dims[] = {1, 2, 3, 4, 7, 8, 12, 14, 16, 32}, rfs[] = {16, 64, 256, 512, 2048};
    accel_cfg c = {.rows = dims[rng_below(r, 10)], .cols = dims[rng_below(r, 10)], .rf_bytes = rfs[rng_below(r, 5)],
                   .gbuf_kb = 1 << rng_below(r, 10), .dram_gbps = 0.5 + 16 * rng_uniform(r),
                   .clock_mhz = 100 + 900 * rng_uniform(r), .dataflow = (accel_dataflow)rng_below(r, 3),
                   .precision = (accel_precision)rng_below(r, 3)};
    assert_int_equal(accel_cfg_derive(&c), 0);
    return c;
}

/* More PEs (rows or columns) never increase compute cycles (nor latency,
 * for WS/OS);
 * more global buffer never increases DRAM traffic. */
static void test_monotone(void **st) {
    (void)st;
    hw_rng r;
    rng_seed(&r, 7);
    for (int it = 0; it < 4000; it++) {
        net_layer x = random_layer(&r);
        accel_cfg c = random_cfg(&r);
        accel_cost a, b;
        accel_layer_cost(&c, &x, &a);
        assert_true(a.cycles >= 1 && a.util > 0 && a.util <= 1 + 1e-12);
        assert_true(a.energy_pj > 0 && a.latency_s > 0 && a.dram_bytes > 0);
        /* GLB sees at least what DRAM moves (row-stationary convs: filters
         * bypass the GLB, DRAM -> filter pads, as on Eyeriss) */
        if (c.dataflow != ACCEL_RS || x.kind == LAYER_POOL || x.kind == LAYER_ELTWISE)
            assert_true(a.acc[ACCEL_LVL_GLB] >= a.acc[ACCEL_LVL_DRAM] - 1e-9);
        accel_cfg d = c;
        if (rng_below(&r, 2)) d.rows += 1 + (int)rng_below(&r, 16);
        else d.cols += 1 + (int)rng_below(&r, 16);
        accel_cfg_derive(&d);
        accel_layer_cost(&d, &x, &b);
        /* latency too, except row-stationary: a wider array changes the PE-set
         * width and so the GLB plan, which can cost GLB bandwidth */
        if (b.cycles > a.cycles || (c.dataflow != ACCEL_RS && b.latency_s > a.latency_s * (1 + 1e-12))) {
            print_message("PE monotonicity: kind %d c %d k %d h %d r %d st %d df %d: %dx%d -> %dx%d cycles %g -> %g\n",
                          x.kind, x.c, x.k, x.h, x.r, x.stride, c.dataflow, c.rows, c.cols, d.rows, d.cols, a.cycles,
                          b.cycles);
            fail();
        }
        d = c;
        d.gbuf_kb = c.gbuf_kb * (2 + (int)rng_below(&r, 4)) + (int)rng_below(&r, 3);
        accel_cfg_derive(&d);
        accel_layer_cost(&d, &x, &b);
        if (b.dram_bytes > a.dram_bytes) {
            print_message("buffer monotonicity: kind %d c %d k %d h %d r %d st %d: %d KB -> %d KB dram %g -> %g\n",
                          x.kind, x.c, x.k, x.h, x.r, x.stride, c.gbuf_kb, d.gbuf_kb, a.dram_bytes, b.dram_bytes);
            fail();
        }
        /* a finer sweep of the buffer on the same layer */
        double prev = INFINITY;
        for (int kb = 1; kb <= 64; kb++) {
            d = c;
            d.gbuf_kb = kb;
            accel_cfg_derive(&d);
            accel_layer_cost(&d, &x, &b);
            assert_true(b.dram_bytes <= prev);
            prev = b.dram_bytes;
        }
    }
}

/* Pooling, sums and skips as Eyeriss executes them: a pool costs the cycles
 * and DRAM traffic of a depthwise conv of the same window (with adds for
 * MACs); an identity skip adds nothing; a node sum with a conv producer is
 * folded into its psums (only the other addend crosses DRAM, no cycles),
 * a sum of skips alone is a streaming pass. */
static void test_chip_execution(void **st) {
    (void)st;
    for (int df = 0; df < ACCEL_NDATAFLOWS; df++) {
        accel_cfg c = {.rows = 12, .cols = 14, .rf_bytes = 520, .gbuf_kb = 108, .dram_gbps = 0.72,
                       .clock_mhz = 200, .dataflow = (accel_dataflow)df, .precision = ACCEL_INT16};
        assert_int_equal(accel_cfg_derive(&c), 0);
        layer_list l;
        layer_list_init(&l, 0);
        layers_add_pool(&l, "pool", 1, 2, 64, 16, 3, 1, 1);
        net_layer dw = l.v[0];
        dw.kind = LAYER_DWCONV;
        dw.g = 64;
        dw.c = dw.k = 1;
        accel_cost a, b;
        accel_layer_cost(&c, &l.v[0], &a);
        accel_layer_cost(&c, &dw, &b);
        print_message("df %s: pool cycles %g dram %g, dwconv cycles %g dram %g\n", accel_dataflow_names[df], a.cycles,
                      a.dram_bytes, b.cycles, b.dram_bytes);
        assert_true(a.cycles == b.cycles && a.dram_bytes == b.dram_bytes);
        assert_true(a.energy[ACCEL_E_MAC] == a.macs * c.e_op && a.energy[ACCEL_E_MAC] < b.energy[ACCEL_E_MAC]);
        /* skip on edge 1<-0 (node 1 has no other input) vs none there */
        const int skip[6] = {1, 0, 0, 0, 0, 3}, nothing[6] = {0, 0, 0, 0, 0, 3};
        accel_cost ts, tn;
        layers_nb201_ops(skip, 1, &l);
        accel_net_cost(&c, &l, &ts, NULL);
        layers_nb201_ops(nothing, 1, &l);
        accel_net_cost(&c, &l, &tn, NULL);
        assert_true(ts.latency_s == tn.latency_s && ts.energy_pj == tn.energy_pj);
        /* node 2 = conv3x3(node 0) + skip(node 1): folded; = skip + skip: a pass */
        const int conv_sum[6] = {3, 3, 1, 0, 0, 0}, skip_sum[6] = {3, 1, 1, 0, 0, 0};
        layers_nb201_ops(conv_sum, 1, &l);
        const net_layer *s2 = NULL;
        for (int i = 0; i < l.n; i++)
            if (!strcmp(l.v[i].name, "s1c0.sum_2")) s2 = &l.v[i];
        assert_non_null(s2);
        assert_true(s2->kind == LAYER_ELTWISE && s2->fused == 1 && s2->n_in == 1);
        accel_layer_cost(&c, s2, &a);
        assert_true(a.cycles == 0 && a.acc[ACCEL_LVL_DRAM] == 16.0 * 32 * 32);
        layers_nb201_ops(skip_sum, 1, &l);
        s2 = NULL;
        for (int i = 0; i < l.n; i++)
            if (!strcmp(l.v[i].name, "s1c0.sum_2")) s2 = &l.v[i];
        assert_non_null(s2);
        assert_true(s2->fused == 0 && s2->n_in == 2);
        accel_layer_cost(&c, s2, &b);
        assert_true(b.cycles > 0 && b.acc[ACCEL_LVL_DRAM] == 3 * 16.0 * 32 * 32);
        layer_list_free(&l);
    }
}

/* The flex array's per-layer choice: its cost of a layer is the least-energy
 * one of WS, OS and RS; its area exceeds the same RS array's. */
static void test_flex(void **st) {
    (void)st;
    hw_rng r;
    rng_seed(&r, 11);
    for (int it = 0; it < 500; it++) {
        net_layer x = random_layer(&r);
        accel_cfg c = random_cfg(&r);
        c.dataflow = ACCEL_FLEX;
        assert_int_equal(accel_cfg_derive(&c), 0);
        accel_cost f, one;
        accel_layer_cost(&c, &x, &f);
        int same = 0;
        for (int d = 0; d < ACCEL_FLEX; d++) {
            accel_cfg e = c;
            e.dataflow = (accel_dataflow)d;
            accel_layer_cost(&e, &x, &one);
            assert_true(f.energy_pj <= one.energy_pj);
            same |= f.energy_pj == one.energy_pj && f.latency_s == one.latency_s;
        }
        assert_true(same);
        accel_cfg rs = c;
        rs.dataflow = ACCEL_RS;
        assert_true(accel_area_mm2(&c) > accel_area_mm2(&rs));
    }
}

/* The shipped Eyeriss config: its published parameters, area near the
 * published 12.25 mm^2 core, and sane NB201 costs (more conv work costs
 * more time and energy; all-none cells cost least). */
static void test_eyeriss(void **st) {
    (void)st;
    char path[1024];
    const char *d = getenv("HWNAS_DATA");
    snprintf(path, sizeof path, "%s/configs/eyeriss.yaml", d ? d : "data");
    accel_cfg c;
    if (accel_cfg_load(path, &c)) fail_msg("%s", hw_errmsg());
    assert_int_equal(c.rows, 12);
    assert_int_equal(c.cols, 14);
    assert_int_equal(c.gbuf_kb, 108);
    assert_int_equal(c.dataflow, ACCEL_RS);
    assert_int_equal(c.precision, ACCEL_INT16);
    assert_true(c.clock_mhz == 200);
    assert_true(fabs(accel_area_mm2(&c) - 12.25) < 0.2);
    layer_list l;
    layer_list_init(&l, 1);
    const int conv3[6] = {3, 3, 3, 3, 3, 3}, conv1[6] = {2, 2, 2, 2, 2, 2}, none[6] = {0, 0, 0, 0, 0, 0};
    const int pool[6] = {4, 4, 4, 4, 4, 4};
    accel_cost t3, t1, t0, tp;
    layers_nb201_ops(conv3, 1, &l);
    accel_net_cost(&c, &l, &t3, NULL);
    layers_nb201_ops(conv1, 1, &l);
    accel_net_cost(&c, &l, &t1, NULL);
    layers_nb201_ops(pool, 1, &l);
    accel_net_cost(&c, &l, &tp, NULL);
    layers_nb201_ops(none, 1, &l);
    accel_net_cost(&c, &l, &t0, NULL);
    assert_true(t3.latency_s > t1.latency_s && t1.latency_s > t0.latency_s && tp.latency_s > t0.latency_s);
    assert_true(t3.energy_pj > t1.energy_pj && t1.energy_pj > t0.energy_pj);
    /* the largest NB201 network: about 2 ms to 100 ms and 0.1 to 50 mJ */
    assert_true(t3.latency_s > 2e-3 && t3.latency_s < 0.1);
    assert_true(t3.energy_pj > 1e8 && t3.energy_pj < 5e10);
    /* merged and expanded lists agree */
    layer_list e;
    layer_list_init(&e, 0);
    layers_nb201_ops(conv3, 1, &e);
    accel_cost te;
    accel_net_cost(&c, &e, &te, NULL);
    assert_true(fabs(te.latency_s - t3.latency_s) <= 1e-9 * t3.latency_s);
    assert_true(fabs(te.energy_pj - t3.energy_pj) <= 1e-9 * t3.energy_pj);
    assert_true(e.n > 100 && l.n < 30);
    layer_list_free(&e);
    layer_list_free(&l);
}

static int load_text(const char *text, accel_cfg *c) {
    char path[] = "/tmp/hwnas_accel_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    int rc = accel_cfg_load(path, c);
    remove(path);
    return rc;
}

static void test_yaml_errors(void **st) {
    (void)st;
    accel_cfg c;
    const char *good = "pe_rows: 4\npe_cols: 4\nrf_bytes: 64\ngbuf_kb: 16\ndram_gbps: 2\nclock_mhz: 500\n"
                       "dataflow: os\nprecision: int8\n";
    assert_int_equal(load_text(good, &c), 0);
    assert_int_equal(c.dataflow, ACCEL_OS);
    assert_int_equal(load_text("pe_rows: 4\n", &c), -1);
    assert_non_null(strstr(hw_errmsg(), "missing"));
    char bad[512];
    snprintf(bad, sizeof bad, "%sdataflow2: ws\n", good);
    assert_int_equal(load_text(bad, &c), -1);
    assert_non_null(strstr(hw_errmsg(), "dataflow2"));
    assert_int_equal(load_text("pe_rows: 4\npe_cols: 4\nrf_bytes: 64\ngbuf_kb: 16\ndram_gbps: 2\nclock_mhz: 500\n"
                               "dataflow: xs\nprecision: int8\n",
                               &c),
                     -1);
    assert_non_null(strstr(hw_errmsg(), ":7:"));
    assert_int_equal(load_text("pe_rows: 0\npe_cols: 4\nrf_bytes: 64\ngbuf_kb: 16\ndram_gbps: 2\nclock_mhz: 500\n"
                               "dataflow: ws\nprecision: int8\n",
                               &c),
                     -1);
    assert_int_equal(accel_cfg_load("/nonexistent/eyeriss.yaml", &c), -1);
}

/* TX2 roofline: pure arithmetic check on one conv, and ordering on NB201. */
static void test_roofline(void **st) {
    (void)st;
    layer_list l;
    layer_list_init(&l, 0);
    net_layer x = matmul(1000, 1000, 1000); /* 2 GFLOP, 12 MB */
    layer_list_add(&l, &x);
    double ms = accel_roofline_ms(&l, 1000.0, 100.0);
    NEAR(ms, 2.0); /* compute-bound: 2e9 / 1e12 s */
    ms = accel_roofline_ms(&l, 1e6, 1.0);
    NEAR(ms, 12.0); /* memory-bound: 12e6 B / 1e9 B/s */
    layer_list_free(&l);
    space *s;
    assert_int_equal(space_create_nb201(&s), 0);
    hw_genome a, b;
    assert_int_equal(space_from_string(s, "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|", &a), 0);
    assert_int_equal(space_from_string(s, "|skip_connect~0|+|none~0|skip_connect~1|+|none~0|none~1|skip_connect~2|", &b), 0);
    assert_true(accel_tx2_roofline_ms(s, &a) > accel_tx2_roofline_ms(s, &b));
    space_free(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_matmul_ws), cmocka_unit_test(test_hand_matmul_os_rs),
        cmocka_unit_test(test_hand_tiling),    cmocka_unit_test(test_monotone),
        cmocka_unit_test(test_eyeriss),        cmocka_unit_test(test_yaml_errors),
        cmocka_unit_test(test_roofline),       cmocka_unit_test(test_chip_execution),
        cmocka_unit_test(test_flex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
