/* test_gtserver: the ground-truth server (mpi/gtserver.c) with the shipped
 * NB201 tables as ground truth:
 * - gts_submit queues only genomes not measured and not already queued
 *   (duplicates inside one batch, across batches and after collection);
 * - the measurement budget (algorithm.max_measurements) caps what is
 *   queued, counts every distinct measurement once, and
 *   gts_budget_exhausted says so;
 * - records are numbered 0, 1, 2, ... in measurement order, their values
 *   equal the tables' (accuracy maximised, so stored negated; a missing
 *   cell stays NaN), and
 *   gts_lookup finds exactly the measured genomes;
 * - gts_export / gts_import carry the records and the budget over. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <unistd.h>

#include "eval_table.h"
#include "gtserver.h"
#include "hw_err.h"

typedef struct fixture {
    char path[256];
    search_config *cfg;
    space *sp;
    gts *gt;
} fixture;

static void setup(fixture *f, long budget) {
    memset(f, 0, sizeof *f);
    const char *data = getenv("HWNAS_DATA");
    assert_non_null(data);
    snprintf(f->path, sizeof f->path, "/tmp/hwnas_test_gtserver_%d.yaml", (int)getpid());
    FILE *o = fopen(f->path, "w");
    assert_non_null(o);
    fprintf(o,
            "objectives:\n"
            "  - {name: accuracy, direction: maximize, source: test_acc_200ep_cifar10}\n"
            "  - {name: latency_ms, direction: minimize, source: edgegpu_latency_ms}\n"
            "algorithm: {population: 16, generations: 10, seed: 5, max_measurements: %ld}\n"
            "evaluator:\n  kind: table\n"
            "  tables: [%s/hw_nas_bench/hwnasbench_nb201_cifar10.csv, %s/nb201_accuracy/nb201_accuracy.csv]\n",
            budget, data, data);
    fclose(o);
    if (search_config_load(f->path, &f->cfg)) fail_msg("%s", hw_errmsg());
    assert_int_equal(search_config_space(f->cfg, &f->sp), 0);
    if (gts_create(f->cfg, f->sp, &f->gt)) fail_msg("%s", hw_errmsg());
}

static void teardown(fixture *f) {
    gts_free(f->gt);
    space_free(f->sp);
    search_config_free(f->cfg);
    unlink(f->path);
}

/* n distinct NB201 genomes: indices 100, 137, 174, ... */
static void genomes(const space *sp, int n, hw_genome *g) {
    for (int i = 0; i < n; i++) assert_int_equal(space_from_index(sp, 100 + 37 * (int64_t)i, &g[i]), 0);
}

static void test_dedup(void **st) {
    (void)st;
    fixture f;
    setup(&f, 0);
    hw_genome g[8], batch[6];
    genomes(f.sp, 8, g);
    /* one batch with a duplicate inside: 0 1 0 2 */
    batch[0] = g[0], batch[1] = g[1], batch[2] = g[0], batch[3] = g[2];
    int acc = -1, first, nn;
    assert_int_equal(gts_submit(f.gt, batch, 4, &acc), 0);
    assert_int_equal(acc, 3);
    /* a second submission before collection: 2 is queued already, 3 is new */
    batch[0] = g[2], batch[1] = g[3];
    assert_int_equal(gts_submit(f.gt, batch, 2, &acc), 0);
    assert_int_equal(acc, 1);
    assert_int_equal(gts_collect(f.gt, &first, &nn), 0);
    assert_int_equal(first, 0);
    assert_int_equal(nn, 4);
    assert_int_equal(gts_measurements(f.gt), 4);
    /* after collection: measured ones are refused, new ones queued */
    batch[0] = g[1], batch[1] = g[4], batch[2] = g[3], batch[3] = g[4];
    assert_int_equal(gts_submit(f.gt, batch, 4, &acc), 0);
    assert_int_equal(acc, 1);
    assert_int_equal(gts_collect(f.gt, &first, &nn), 0);
    assert_int_equal(first, 4);
    assert_int_equal(nn, 1);
    /* records in measurement order, equal to the tables */
    int n;
    const meas_record *r = gts_records(f.gt, &n);
    assert_int_equal(n, 5);
    const int order[5] = {0, 1, 2, 3, 4};
    eval_table *tab;
    assert_int_equal(eval_table_create(f.cfg, f.sp, &tab), 0);
    for (int i = 0; i < n; i++) {
        assert_int_equal(r[i].seq, i);
        assert_int_equal(space_hash(f.sp, &r[i].g), space_hash(f.sp, &g[order[i]]));
        double raw[HW_MAX_OBJ], cv;
        eval_table_peek(tab, &g[order[i]], raw, &cv);
        const double want[2] = {-raw[0], raw[1]}; /* accuracy is maximised: stored negated */
        for (int k = 0; k < 2; k++)
            if (!(r[i].obj[k] == want[k] || (isnan(r[i].obj[k]) && isnan(want[k]))))
                fail_msg("record %d objective %d: %.17g, table %.17g", i, k, r[i].obj[k], want[k]);
    }
    eval_table_free(tab);
    meas_record m;
    assert_int_equal(gts_lookup(f.gt, &g[3], &m), 1);
    assert_int_equal(m.seq, 3);
    assert_int_equal(gts_lookup(f.gt, &g[5], &m), 0);
    teardown(&f);
}

static void test_budget(void **st) {
    (void)st;
    fixture f;
    setup(&f, 5);
    hw_genome g[8];
    genomes(f.sp, 8, g);
    int acc, first, nn;
    assert_int_equal(gts_submit(f.gt, g, 3, &acc), 0);
    assert_int_equal(acc, 3);
    assert_false(gts_budget_exhausted(f.gt));
    /* 3 queued + 5 more offered (one a repeat): only 2 fit the budget of 5 */
    hw_genome b[5] = {g[1], g[3], g[4], g[5], g[6]};
    assert_int_equal(gts_submit(f.gt, b, 5, &acc), 0);
    assert_int_equal(acc, 2);
    assert_int_equal(gts_collect(f.gt, &first, &nn), 0);
    assert_int_equal(nn, 5);
    assert_int_equal(gts_measurements(f.gt), 5);
    assert_true(gts_budget_exhausted(f.gt));
    assert_int_equal(gts_submit(f.gt, &g[7], 1, &acc), 0);
    assert_int_equal(acc, 0);
    assert_int_equal(gts_collect(f.gt, &first, &nn), 0);
    assert_int_equal(nn, 0);
    /* export / import keeps records and the budget */
    uint8_t *blob;
    size_t len;
    assert_int_equal(gts_export(f.gt, &blob, &len), 0);
    gts *g2;
    assert_int_equal(gts_create(f.cfg, f.sp, &g2), 0);
    assert_int_equal(gts_import(g2, blob, len), 0);
    assert_int_equal(gts_measurements(g2), 5);
    assert_true(gts_budget_exhausted(g2));
    meas_record m;
    assert_int_equal(gts_lookup(g2, &g[4], &m), 1);
    assert_int_equal(m.seq, 4);
    assert_int_equal(gts_import(g2, blob, len / 2), -1); /* truncated: refused */
    free(blob);
    gts_free(g2);
    teardown(&f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dedup),
        cmocka_unit_test(test_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
