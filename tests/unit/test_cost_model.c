/* test_cost_model: what a measurement costs and what a failed one is
 * (issue 14), on a small table whose latency column has failed cells (-1),
 * an empty cell and values:
 * - objective keys cost / missing_values and algorithm.max_board_hours
 *   parse, and bad values fail naming the key;
 * - a missing_values cell reads as no value (the candidate infeasible);
 * - with accuracy `cost: free` every record is a latency measurement that
 *   costs measure_cost_s; failed measurements (-1 and the empty cell) are
 *   counted apart, cost like the others, and are kept as measured (never
 *   queued again); with every objective free nothing is a measurement;
 * - max_board_hours caps the queue at what the board time allows, and the
 *   dispatcher state keeps the failed count;
 * - search_front_classes: noise-level and exact duplicates are one point,
 *   points outside the reference box none;
 * - the feasibility model (pred_feas, through the surrogate) learns which
 *   candidates fail, and its blob carries it to another surrogate. */
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
#include "pred_feas.h"
#include "rng.h"
#include "search.h"
#include "surrogate.h"

static char csv_path[256], yaml_path[256];

/* arch_index 0..9: accuracy 90.0, 90.1, ...; latency 1..10 except -1 at 3
 * and 7 (failed) and an empty cell at 5. */
static void write_table(void) {
    snprintf(csv_path, sizeof csv_path, "/tmp/hwnas_test_cost_%d.csv", (int)getpid());
    FILE *o = fopen(csv_path, "w");
    assert_non_null(o);
    fprintf(o, "arch_index,acc,lat\n");
    for (int i = 0; i < 10; i++) {
        if (i == 5) fprintf(o, "%d,%.1f,\n", i, 90 + 0.1 * i);
        else fprintf(o, "%d,%.1f,%g\n", i, 90 + 0.1 * i, i == 3 || i == 7 ? -1.0 : 1.0 + i);
    }
    fclose(o);
}

/* A config over the table: OBJ_EXTRA is added to the accuracy objective
 * (e.g. "cost: free"), LAT_EXTRA to the latency one, ALGO to algorithm. */
static int load(const char *acc_extra, const char *lat_extra, const char *algo, search_config **out) {
    snprintf(yaml_path, sizeof yaml_path, "/tmp/hwnas_test_cost_%d.yaml", (int)getpid());
    FILE *o = fopen(yaml_path, "w");
    assert_non_null(o);
    fprintf(o,
            "objectives:\n"
            "  - {name: accuracy, direction: maximize, source: acc%s%s}\n"
            "  - {name: latency_ms, direction: minimize, source: lat%s%s}\n"
            "algorithm: {population: 8, seed: 1%s%s}\n"
            "evaluator: {kind: table, measure_cost_s: 10, tables: [%s]}\n",
            *acc_extra ? ", " : "", acc_extra, *lat_extra ? ", " : "", lat_extra, *algo ? ", " : "", algo, csv_path);
    fclose(o);
    return search_config_load(yaml_path, out);
}

static void genomes(const space *sp, int n, hw_genome *g) {
    for (int i = 0; i < n; i++) assert_int_equal(space_from_index(sp, i, &g[i]), 0);
}

static void test_config_keys(void **st) {
    (void)st;
    write_table();
    search_config *c;
    if (load("cost: free", "missing_values: [-1, -2]", "max_board_hours: 0.5", &c)) fail_msg("%s", hw_errmsg());
    assert_true(c->obj[0].free_cost);
    assert_false(c->obj[1].free_cost);
    assert_int_equal(c->obj[1].n_missing, 2);
    assert_true(objective_missing_value(&c->obj[1], -2));
    assert_false(objective_missing_value(&c->obj[1], 1));
    assert_true(search_config_costs(c));
    assert_true(fabs(c->max_board_hours - 0.5) < 1e-12);
    search_config_free(c);
    /* every objective free: nothing costs */
    if (load("cost: free", "cost: free", "", &c)) fail_msg("%s", hw_errmsg());
    assert_false(search_config_costs(c));
    search_config_free(c);
    static const struct {
        const char *acc, *lat, *algo, *want;
    } bad[] = {
        {"cost: cheap", "", "", "cost"},
        {"", "cost: free, device: tx2", "", "measured on a device"},
        {"", "missing_values: [x]", "", "missing_values"},
        {"", "missing_values: -1", "", "missing_values"},
        {"", "", "max_board_hours: -1", "max_board_hours"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        c = NULL;
        assert_int_equal(load(bad[i].acc, bad[i].lat, bad[i].algo, &c), -1);
        if (!strstr(hw_errmsg(), bad[i].want)) fail_msg("case %zu: '%s' does not name %s", i, hw_errmsg(), bad[i].want);
    }
    unlink(yaml_path);
    unlink(csv_path);
}

static void test_missing_values(void **st) {
    (void)st;
    write_table();
    search_config *c;
    space *sp;
    eval_table *t;
    if (load("", "missing_values: [-1]", "", &c)) fail_msg("%s", hw_errmsg());
    assert_int_equal(search_config_space(c, &sp), 0);
    if (eval_table_create(c, sp, &t)) fail_msg("%s", hw_errmsg());
    hw_genome g[10];
    genomes(sp, 10, g);
    double raw[HW_MAX_OBJ], cv;
    eval_table_peek(t, &g[3], raw, &cv);
    assert_true(isnan(raw[1]) && isinf(cv));
    assert_true(fabs(raw[0] - 90.3) < 1e-9); /* the other column is unaffected */
    eval_table_peek(t, &g[2], raw, &cv);
    assert_true(raw[1] == 3 && cv == 0);
    /* the feasible rows (the true front's input) leave out 3, 5 and 7 */
    double *pts;
    int n;
    assert_int_equal(eval_table_all_feasible(t, &pts, NULL, &n), 0);
    assert_int_equal(n, 7);
    for (int i = 0; i < n; i++) assert_true(pts[2 * i + 1] > 0);
    free(pts);
    eval_table_free(t);
    search_config_free(c);
    /* without missing_values, -1 is a value */
    if (load("", "", "", &c)) fail_msg("%s", hw_errmsg());
    if (eval_table_create(c, sp, &t)) fail_msg("%s", hw_errmsg());
    eval_table_peek(t, &g[3], raw, &cv);
    assert_true(raw[1] == -1 && cv == 0);
    eval_table_free(t);
    search_config_free(c);
    space_free(sp);
    unlink(yaml_path);
    unlink(csv_path);
}

static void test_accounting(void **st) {
    (void)st;
    write_table();
    search_config *c;
    space *sp;
    gts *gt;
    if (load("cost: free", "missing_values: [-1]", "", &c)) fail_msg("%s", hw_errmsg());
    assert_int_equal(search_config_space(c, &sp), 0);
    if (gts_create(c, sp, &gt)) fail_msg("%s", hw_errmsg());
    hw_genome g[10];
    genomes(sp, 10, g);
    int acc, first, n;
    assert_int_equal(gts_submit(gt, g, 10, &acc), 0);
    assert_int_equal(gts_collect(gt, &first, &n), 0);
    assert_int_equal(n, 10);
    assert_int_equal(gts_measurements(gt), 10);  /* one latency measurement each */
    assert_int_equal(gts_failed(gt), 3);         /* -1 at 3 and 7, the empty cell at 5 */
    assert_int_equal(gts_free_lookups(gt), 0);
    assert_true(fabs(gts_board_seconds(gt) - 100) < 1e-9); /* failed ones cost too */
    int nr;
    const meas_record *r = gts_records(gt, &nr);
    for (int i = 0; i < nr; i++) {
        int idx = (int)space_index(sp, &r[i].g);
        assert_int_equal(gts_record_failed(c, &r[i]), idx == 3 || idx == 5 || idx == 7);
        assert_true(fabs(r[i].board_s - 10) < 1e-12);
    }
    /* failed architectures are measured: never queued again */
    assert_int_equal(gts_submit(gt, &g[3], 1, &acc), 0);
    assert_int_equal(acc, 0);
    /* the dispatcher state keeps the failed count */
    uint8_t *blob;
    size_t len;
    assert_int_equal(gts_export(gt, &blob, &len), 0);
    gts *g2;
    if (gts_create(c, sp, &g2)) fail_msg("%s", hw_errmsg());
    assert_int_equal(gts_import(g2, blob, len), 0);
    assert_int_equal(gts_failed(g2), 3);
    assert_int_equal(gts_measurements(g2), 10);
    free(blob);
    gts_free(g2);
    gts_free(gt);
    search_config_free(c);
    /* every objective free: lookups, not measurements, and no charge */
    if (load("cost: free", "cost: free", "max_measurements: 2", &c)) fail_msg("%s", hw_errmsg());
    if (gts_create(c, sp, &gt)) fail_msg("%s", hw_errmsg());
    assert_int_equal(gts_submit(gt, g, 10, &acc), 0);
    assert_int_equal(acc, 10); /* max_measurements counts what costs: nothing */
    assert_int_equal(gts_collect(gt, &first, &n), 0);
    assert_int_equal(gts_measurements(gt), 0);
    assert_int_equal(gts_free_lookups(gt), 10);
    assert_true(gts_board_seconds(gt) == 0);
    gts_free(gt);
    search_config_free(c);
    space_free(sp);
    unlink(yaml_path);
    unlink(csv_path);
}

static void test_board_hours(void **st) {
    (void)st;
    write_table();
    search_config *c;
    space *sp;
    gts *gt;
    /* 0.025 h = 90 s = 9 measurements of 10 s */
    if (load("cost: free", "", "max_board_hours: 0.025, max_measurements: 100", &c)) fail_msg("%s", hw_errmsg());
    assert_int_equal(search_config_space(c, &sp), 0);
    if (gts_create(c, sp, &gt)) fail_msg("%s", hw_errmsg());
    hw_genome g[10];
    genomes(sp, 10, g);
    int acc, first, n;
    assert_int_equal(gts_submit(gt, g, 10, &acc), 0);
    assert_int_equal(acc, 9);
    assert_true(gts_budget_exhausted(gt));
    assert_int_equal(gts_collect(gt, &first, &n), 0);
    assert_true(fabs(gts_board_seconds(gt) - 90) < 1e-9);
    assert_true(gts_budget_exhausted(gt));
    gts_free(gt);
    search_config_free(c);
    /* max_measurements first */
    if (load("cost: free", "", "max_board_hours: 0.025, max_measurements: 4", &c)) fail_msg("%s", hw_errmsg());
    if (gts_create(c, sp, &gt)) fail_msg("%s", hw_errmsg());
    assert_int_equal(gts_submit(gt, g, 10, &acc), 0);
    assert_int_equal(acc, 4);
    gts_free(gt);
    search_config_free(c);
    space_free(sp);
    unlink(yaml_path);
    unlink(csv_path);
}

static void test_front_classes(void **st) {
    (void)st;
    /* minimised: (1, 2) twice up to noise, (2, 1) twice exactly, (5, 0.5)
     * outside the box ref (4, 3), (3, 0.8) inside */
    const double f[] = {1, 2, 1 + 1e-13, 2, 2, 1, 2, 1, 5, 0.5, 3, 0.8};
    const double ref[] = {4, 3};
    int cls[6], out;
    int k = search_front_classes(f, 6, 2, ref, cls, &out);
    assert_int_equal(k, 3);
    assert_int_equal(out, 1);
    assert_int_equal(cls[0], cls[1]);
    assert_int_equal(cls[2], cls[3]);
    assert_int_not_equal(cls[0], cls[2]);
    assert_int_equal(cls[4], -1);
    assert_int_equal(cls[5], 2);
    /* a real difference (1e-3 of the range) stays two points; no box */
    const double g[] = {1, 2, 1.004, 2};
    k = search_front_classes(g, 2, 2, NULL, cls, &out);
    assert_int_equal(k, 2);
    assert_int_equal(out, 0);
}

static void test_feasibility(void **st) {
    (void)st;
    space *sp;
    search_config *c;
    write_table();
    if (load("", "", "", &c)) fail_msg("%s", hw_errmsg());
    assert_int_equal(search_config_space(c, &sp), 0);
    surrogate_params p = {.n_obj = 1, .method = {PRED_GP}, .min_train = 5, .seed = 1};
    surrogate *s, *s2;
    assert_int_equal(surrogate_create(sp, &p, &s), 0);
    assert_int_equal(surrogate_create(sp, &p, &s2), 0);
    hw_rng r;
    rng_seed(&r, 7);
    hw_genome g;
    /* no failures yet: no model, P = 1 */
    for (int i = 0; i < 20; i++) {
        space_sample(sp, &r, &g);
        g.g[0] = (int16_t)(g.g[0] == 4 ? 3 : g.g[0]);
        surrogate_add_outcome(s, &g, 1);
    }
    assert_int_equal(surrogate_fit(s), 0);
    double pf;
    g.g[0] = 4;
    surrogate_feasible(s, &g, 1, &pf);
    assert_true(pf == 1);
    /* candidates with avg_pool on the first edge fail */
    for (int i = 0; i < 100; i++) {
        space_sample(sp, &r, &g);
        surrogate_add_outcome(s, &g, g.g[0] != 4);
    }
    assert_int_equal(surrogate_fit(s), 0);
    enum { NT = 200 };
    hw_genome t[NT];
    int fails = 0;
    for (int i = 0; i < NT; i++) {
        space_sample(sp, &r, &t[i]);
        fails += t[i].g[0] == 4;
    }
    assert_true(fails > 10);
    double pt[NT], pt2[NT], mean_fail = 0, mean_ok = 0;
    surrogate_feasible(s, t, NT, pt);
    int right = 0;
    for (int i = 0; i < NT; i++) {
        if (t[i].g[0] == 4) mean_fail += pt[i] / fails;
        else mean_ok += pt[i] / (NT - fails);
        right += (pt[i] >= 0.5) == (t[i].g[0] != 4);
    }
    if (!(mean_fail < 0.3 && mean_ok > 0.7 && right >= 0.9 * NT))
        fail_msg("P(feasible): failing %.3f, ok %.3f, %d/%d right", mean_fail, mean_ok, right, NT);
    /* the blob carries the model */
    uint8_t *blob;
    size_t len;
    assert_int_equal(surrogate_save(s, &blob, &len), 0);
    assert_int_equal(surrogate_load(s2, blob, len), 0);
    surrogate_feasible(s2, t, NT, pt2);
    for (int i = 0; i < NT; i++) assert_true(pt[i] == pt2[i]);
    /* a truncated feasibility section is refused */
    assert_int_equal(surrogate_load(s2, blob, len - 3), -1);
    free(blob);
    surrogate_free(s);
    surrogate_free(s2);
    search_config_free(c);
    space_free(sp);
    unlink(yaml_path);
    unlink(csv_path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_keys),   cmocka_unit_test(test_missing_values),
        cmocka_unit_test(test_accounting),    cmocka_unit_test(test_board_hours),
        cmocka_unit_test(test_front_classes), cmocka_unit_test(test_feasibility),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
