/* The accel space, the product space (nb201 x accel) and the co-design
 * loop: round trips, operators keep genomes valid, split/join, evaluation
 * against the cost model, budgets, determinism, constraint handling, the
 * front and hypervolume, and config errors. BERT co-design on the shipped
 * config: a joint run's front values equal the cost model's on the
 * encoder's layer list (recomputed from the front's strings) and the
 * table's accuracy; bad BERT tables and keys are errors. */
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
#include "accel_codesign.h"
#include "csv.h"
#include "hw_err.h"
#include "layers.h"
#include "space.h"

static void check_space_ops(space *sp, int n) {
    hw_rng r;
    rng_seed(&r, 3);
    for (int i = 0; i < n; i++) {
        hw_genome g, h, c1, c2;
        char s[HW_ARCH_STR_MAX];
        space_sample(sp, &r, &g);
        assert_true(space_valid(sp, &g));
        assert_int_equal(space_to_string(sp, &g, s, sizeof s), 0);
        assert_int_equal(space_from_string(sp, s, &h), 0);
        assert_true(hw_genome_equal(&g, &h, HW_MAX_GENES));
        h = g;
        space_mutate(sp, &r, 0.05, &h);
        assert_true(space_valid(sp, &h));
        assert_false(hw_genome_equal(&g, &h, HW_MAX_GENES));
        space_crossover(sp, &r, &g, &h, &c1, &c2);
        assert_true(space_valid(sp, &c1) && space_valid(sp, &c2));
        float f[128];
        assert_true(space_nfeatures(sp) <= 128);
        space_features(sp, &g, f);
    }
}

static void test_accel_space(void **st) {
    (void)st;
    accel_space_cfg c;
    accel_space_cfg_default(&c);
    space *s;
    assert_int_equal(space_create_accel(&c, &s), 0);
    assert_int_equal(space_ngenes(s), ACCEL_NGENES);
    assert_true(space_size(s) == (int64_t)c.n_rows * c.n_cols * c.n_rf * c.n_gbuf * c.n_bw * c.n_clock * c.n_df * c.n_prec);
    check_space_ops(s, 500);
    hw_genome g;
    assert_int_equal(space_from_string(s, "16x14:rf256:gb108k:bw4:clk400:rs:fp16", &g), 0);
    accel_cfg a;
    assert_int_equal(accel_from_genome(s, &g, &a), 0);
    assert_int_equal(a.rows, 16);
    assert_int_equal(a.cols, 14);
    assert_int_equal(a.precision, ACCEL_FP16);
    hw_genome h;
    assert_int_equal(accel_to_genome(s, &a, &h), 0);
    assert_true(hw_genome_equal(&g, &h, HW_MAX_GENES));
    a.rows = 13; /* not a choice */
    assert_int_equal(accel_to_genome(s, &a, &h), -1);
    assert_non_null(strstr(hw_errmsg(), "pe_rows"));
    assert_int_equal(space_from_string(s, "16x14:rf256:gb108k:bw4:clk400:rs:int16", &g), -1); /* int16 not listed */
    assert_int_equal(space_from_string(s, "16x14:rf256", &g), -1);
    /* bad lists */
    c.rows[1] = c.rows[0];
    space *bad = NULL;
    assert_int_equal(space_create_accel(&c, &bad), -1);
    assert_null(bad);
    space_free(s);
}

static void test_product(void **st) {
    (void)st;
    space *a, *b, *p;
    accel_space_cfg c;
    accel_space_cfg_default(&c);
    assert_int_equal(space_create_nb201(&a), 0);
    assert_int_equal(space_create_accel(&c, &b), 0);
    int64_t sa = space_size(a), sb = space_size(b);
    int fa = space_nfeatures(a), fb = space_nfeatures(b);
    assert_int_equal(space_create_product(a, b, &p), 0);
    assert_int_equal(space_ngenes(p), NB201_EDGES + ACCEL_NGENES);
    assert_true(space_size(p) == sa * sb);
    assert_int_equal(space_nfeatures(p), fa + fb);
    assert_string_equal(space_feature_name(p, fa), space_feature_name(space_product_part(p, 1), 0));
    assert_int_equal(space_index(p, &(hw_genome){{0}}), -1);
    check_space_ops(p, 500);
    hw_genome g, ga, gb, j;
    const char *str = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
                      "@12x14:rf256:gb108k:bw4:clk400:rs:fp16";
    assert_int_equal(space_from_string(p, str, &g), 0);
    assert_int_equal(space_product_split(p, &g, &ga, &gb), 0);
    assert_int_equal(space_index(space_product_part(p, 0), &ga), 1); /* NB201 arch 1 */
    assert_int_equal(space_product_join(p, &ga, &gb, &j), 0);
    assert_true(hw_genome_equal(&g, &j, HW_MAX_GENES));
    char back[HW_ARCH_STR_MAX];
    assert_int_equal(space_to_string(p, &g, back, sizeof back), 0);
    assert_string_equal(back, str);
    assert_int_equal(space_from_string(p, "|nor_conv_3x3~0|", &g), -1);
    assert_null(space_product_part(p, 2));
    /* mutation reaches both parts */
    hw_rng r;
    rng_seed(&r, 5);
    int arch_changed = 0, acc_changed = 0;
    for (int i = 0; i < 200; i++) {
        hw_genome h = g, ha, hb;
        space_mutate(p, &r, 1.0 / space_ngenes(p), &h);
        space_product_split(p, &h, &ha, &hb);
        arch_changed += !hw_genome_equal(&ha, &ga, HW_MAX_GENES);
        acc_changed += !hw_genome_equal(&hb, &gb, HW_MAX_GENES);
    }
    assert_true(arch_changed > 20 && acc_changed > 20);
    space_free(p); /* frees a and b */
}

static void cfg_for_test(codesign_cfg *c) {
    codesign_cfg_default(c);
    const char *d = getenv("HWNAS_DATA");
    snprintf(c->acc_table, sizeof c->acc_table, "%s/nb201_accuracy/nb201_accuracy.csv", d ? d : "data");
    c->evaluations = 200;
    c->engine.pop_size = 20;
    c->stage2_networks = 3;
}

static void test_codesign_runs(void **st) {
    (void)st;
    codesign_cfg c;
    cfg_for_test(&c);
    codesign *cd;
    if (codesign_create(&c, &cd)) fail_msg("%s", hw_errmsg());
    /* evaluation agrees with the cost model and the table */
    hw_genome g;
    const space *p = codesign_space(cd);
    assert_int_equal(space_from_string(p, "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
                                          "@12x14:rf256:gb108k:bw4:clk400:rs:fp16", &g), 0);
    codesign_point pt;
    assert_int_equal(codesign_eval(cd, &g, &pt), 0);
    assert_true(fabs(pt.acc - 93.66) < 1e-6); /* arch 1, test_acc_200ep_cifar10 */
    hw_genome ga, gb;
    space_product_split(p, &g, &ga, &gb);
    accel_cfg hw;
    accel_from_genome(space_product_part(p, 1), &gb, &hw);
    layer_list l;
    layer_list_init(&l, 1);
    layers_nb201(space_product_part(p, 0), &ga, 1, &l);
    accel_cost tot;
    accel_net_cost(&hw, &l, &tot, NULL);
    layer_list_free(&l);
    assert_true(fabs(pt.latency_ms - tot.latency_s * 1e3) < 1e-9);
    assert_true(fabs(pt.energy_mj - tot.energy_pj * 1e-9) < 1e-12);
    assert_true(fabs(pt.area_mm2 - accel_area_mm2(&hw)) < 1e-12);
    double hv[CODESIGN_NSTRATEGIES];
    for (int s = 0; s < CODESIGN_NSTRATEGIES; s++) {
        codesign_result r = {0}, r2 = {0};
        nsga_params e = c.engine;
        e.seed = 11;
        assert_int_equal(codesign_run(cd, (codesign_strategy)s, &e, c.evaluations, &r), 0);
        assert_int_equal(r.n, c.evaluations);
        assert_int_equal(codesign_run(cd, (codesign_strategy)s, &e, c.evaluations, &r2), 0);
        for (int i = 0; i < r.n; i++) assert_true(hw_genome_equal(&r.pts[i].g, &r2.pts[i].g, HW_MAX_GENES));
        int nfeas = 0;
        for (int i = 0; i < r.n; i++) {
            codesign_point *q = &r.pts[i];
            int feas = q->area_mm2 <= c.area_budget_mm2 && q->latency_ms <= c.latency_budget_ms;
            assert_int_equal(feas, q->cv == 0);
            nfeas += feas;
            if (s != CODESIGN_JOINT) { /* fixed: every point on the default accelerator */
                hw_genome xa, xb, d;
                space_product_split(p, &q->g, &xa, &xb);
                accel_to_genome(space_product_part(p, 1), &c.default_accel, &d);
                if (s == CODESIGN_FIXED) assert_true(hw_genome_equal(&xb, &d, HW_MAX_GENES));
            }
        }
        assert_true(nfeas > 0);
        int *idx, nf;
        assert_int_equal(codesign_front(&r, &idx, &nf), 0);
        assert_true(nf >= 1);
        for (int i = 0; i < nf; i++) /* no feasible point dominates a front point */
            for (int k = 0; k < r.n; k++) {
                codesign_point *a = &r.pts[idx[i]], *b = &r.pts[k];
                if (b->cv != 0) continue;
                int dom = b->acc >= a->acc && b->latency_ms <= a->latency_ms && b->energy_mj <= a->energy_mj &&
                          (b->acc > a->acc || b->latency_ms < a->latency_ms || b->energy_mj < a->energy_mj);
                assert_false(dom);
            }
        free(idx);
        assert_int_equal(codesign_hv(cd, &r, &hv[s]), 0);
        assert_true(hv[s] > 0 && hv[s] < 1);
        double e93 = codesign_energy_at_acc(&r, 93.0), e99 = codesign_energy_at_acc(&r, 99.0);
        assert_true(isinf(e99));
        if (isfinite(e93)) assert_true(e93 > 0);
        codesign_result_free(&r);
        codesign_result_free(&r2);
    }
    codesign_free(cd);
}

/* Writes text to a new temporary file; path is a mkstemp template. */
static void temp_file(const char *text, char *path) {
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
}

/* Loads a shipped config data/configs/<name> (HWNAS_DATA or ./data). */
static void load_shipped(const char *name, codesign_cfg *c) {
    char path[1024];
    const char *d = getenv("HWNAS_DATA");
    snprintf(path, sizeof path, "%s/configs/%s", d ? d : "data", name);
    if (codesign_cfg_load(path, c)) fail_msg("%s", hw_errmsg());
}

static int load_text(const char *text, codesign_cfg *c) {
    char path[] = "/tmp/hwnas_codesign_XXXXXX";
    temp_file(text, path);
    int rc = codesign_cfg_load(path, c);
    remove(path);
    return rc;
}

static void test_config(void **st) {
    (void)st;
    codesign_cfg c;
    const char *d = getenv("HWNAS_DATA");
    load_shipped("codesign-nb201.yaml", &c);
    assert_true(c.n_seeds >= 3);
    assert_true(c.area_budget_mm2 > 0);
    char y[2048];
    snprintf(y, sizeof y, "accuracy: {table: %s/nb201_accuracy/nb201_accuracy.csv}\nsearch: {evaluations: 100, pop_size: 10}\n",
             d ? d : "data");
    assert_int_equal(load_text(y, &c), 0);
    assert_int_equal(c.evaluations, 100);
    /* unknown key, with its line */
    snprintf(y, sizeof y, "accuracy: {table: x.csv}\nconstraints:\n  area: 3\n");
    assert_int_equal(load_text(y, &c), -1);
    assert_non_null(strstr(hw_errmsg(), ":3:"));
    assert_non_null(strstr(hw_errmsg(), "area"));
    /* default accelerator outside the space */
    snprintf(y, sizeof y, "accuracy: {table: x.csv}\naccel_space: {pe_rows: [4, 8]}\ndefault_accel: {pe_rows: 12, pe_cols: 14, rf_bytes: 256, gbuf_kb: 108, dram_gbps: 4, clock_mhz: 400, dataflow: rs, precision: fp16}\n");
    assert_int_equal(load_text(y, &c), -1);
    assert_non_null(strstr(hw_errmsg(), "pe_rows"));
    /* missing accuracy section */
    assert_int_equal(load_text("batch: 1\n", &c), -1);
    /* unsorted choice list */
    assert_int_equal(load_text("accuracy: {table: x.csv}\naccel_space: {gbuf_kb: [64, 32]}\n", &c), -1);
    assert_non_null(strstr(hw_errmsg(), "increasing"));
    /* missing table file fails at create */
    codesign_cfg_default(&c);
    snprintf(c.acc_table, sizeof c.acc_table, "/nonexistent.csv");
    codesign *cd;
    assert_int_equal(codesign_create(&c, &cd), -1);
}

/* Accuracy of `arch` in the CSV at path (column col); NaN if absent. */
static double table_acc(const char *path, const char *col, const char *arch) {
    csv_table *t = NULL;
    if (csv_read(path, &t)) fail_msg("%s", hw_errmsg());
    int ci = csv_col(t, "arch"), ca = csv_col(t, col);
    assert_true(ci >= 0 && ca >= 0);
    double a = NAN;
    for (int r = 0; r < csv_nrows(t); r++)
        if (!strcmp(csv_str(t, r, ci), arch)) a = csv_num(t, r, ca);
    csv_free(t);
    return a;
}

static void test_codesign_bert(void **st) {
    (void)st;
    codesign_cfg c;
    load_shipped("codesign-bert.yaml", &c);
    assert_int_equal(c.arch_space, CODESIGN_BERT);
    c.evaluations = 400;
    codesign *cd;
    if (codesign_create(&c, &cd)) fail_msg("%s", hw_errmsg());
    codesign_result r = {0};
    nsga_params e = c.engine;
    e.seed = 3;
    assert_int_equal(codesign_run(cd, CODESIGN_JOINT, &e, c.evaluations, &r), 0);
    assert_int_equal(r.n, c.evaluations);
    int *idx, nf;
    assert_int_equal(codesign_front(&r, &idx, &nf), 0);
    assert_true(nf >= 3);
    /* recompute every front design from its strings, with spaces and a
     * layer list (expanded, not merged) built here */
    space *bs, *as;
    assert_int_equal(space_create_bert(&c.bert, &bs), 0);
    assert_int_equal(space_create_accel(&c.accel_space, &as), 0);
    layer_list l;
    layer_list_init(&l, 0);
    for (int i = 0; i < nf; i++) {
        const codesign_point *q = &r.pts[idx[i]];
        char str[HW_ARCH_STR_MAX];
        assert_int_equal(space_to_string(codesign_space(cd), &q->g, str, sizeof str), 0);
        char *at = strchr(str, '@');
        assert_non_null(at);
        *at = 0;
        hw_genome ga = {0}, gb = {0};
        accel_cfg hw;
        if (space_from_string(bs, str, &ga) || space_from_string(as, at + 1, &gb) || accel_from_genome(as, &gb, &hw))
            fail_msg("%s", hw_errmsg());
        assert_int_equal(layers_bert(bs, &ga, 64, 1, &l), 0); /* the table's 64 tokens, batch 1 */
        accel_cost tot;
        accel_net_cost(&hw, &l, &tot, NULL);
        double acc = table_acc(c.acc_table, "accuracy", str);
        if (fabs(q->acc - acc) > 1e-9 || fabs(q->latency_ms - tot.latency_s * 1e3) > 1e-9 * q->latency_ms ||
            fabs(q->energy_mj - tot.energy_pj * 1e-9) > 1e-9 * q->energy_mj ||
            fabs(q->area_mm2 - accel_area_mm2(&hw)) > 1e-12)
            fail_msg("%s@%s: codesign acc %.4f lat %.9g ms E %.9g mJ area %.6f vs table %.4f, model %.9g ms %.9g mJ %.6f",
                     str, at + 1, q->acc, q->latency_ms, q->energy_mj, q->area_mm2, acc, tot.latency_s * 1e3,
                     tot.energy_pj * 1e-9, accel_area_mm2(&hw));
        assert_true(q->cv == 0 && q->area_mm2 <= c.area_budget_mm2 && q->latency_ms <= c.latency_budget_ms);
    }
    layer_list_free(&l);
    space_free(bs);
    space_free(as);
    free(idx);
    codesign_result_free(&r);
    codesign_free(cd);

    /* bad tables: an arch outside the config's space, a repeated arch, an
     * accuracy that is not a number */
    char tab[] = "/tmp/hwnas_cdbert_XXXXXX";
    temp_file("arch,accuracy\nL1:H32:A2:F64,80.1\nL1:H48:A2:F64,80.2\n", tab);
    snprintf(c.acc_table, sizeof c.acc_table, "%s", tab);
    assert_int_equal(codesign_create(&c, &cd), -1);
    assert_non_null(strstr(hw_errmsg(), ":3:"));
    assert_non_null(strstr(hw_errmsg(), "hidden 48"));
    FILE *f = fopen(tab, "w");
    fputs("arch,accuracy\nL1:H32:A2:F64,80.1\nL1:H32:A2:F64,80.2\n", f);
    fclose(f);
    assert_int_equal(codesign_create(&c, &cd), -1);
    assert_non_null(strstr(hw_errmsg(), "twice"));
    f = fopen(tab, "w");
    fputs("arch,accuracy\nL1:H32:A2:F64,80.1\nL1:H32:A2:F256,high\n", f);
    fclose(f);
    assert_int_equal(codesign_create(&c, &cd), -1);
    assert_non_null(strstr(hw_errmsg(), ":3:"));
    assert_non_null(strstr(hw_errmsg(), "high"));
    remove(tab);
    /* bert keys without arch_space bert; bad bert lists */
    assert_int_equal(load_text("accuracy: {table: x.csv}\nseq_len: 64\n", &c), -1);
    assert_non_null(strstr(hw_errmsg(), "seq_len"));
    assert_int_equal(load_text("accuracy: {table: x.csv}\nbert_space: {layers: [1]}\n", &c), -1);
    assert_non_null(strstr(hw_errmsg(), "arch_space: bert"));
    assert_int_equal(load_text("arch_space: bert\naccuracy: {table: x.csv}\nbert_space: {hidden: [64, 32]}\n", &c), -1);
    assert_non_null(strstr(hw_errmsg(), "increasing"));
    assert_int_equal(load_text("arch_space: gpt\naccuracy: {table: x.csv}\n", &c), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_accel_space), cmocka_unit_test(test_product),
                                       cmocka_unit_test(test_codesign_runs), cmocka_unit_test(test_config),
                                       cmocka_unit_test(test_codesign_bert)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
