/* Search config: valid files parse to the documented defaults, and every
 * kind of bad input fails with "FILE:LINE: key 'x': what is wrong". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eval_table.h"
#include "hw_err.h"
#include "runfront.h"
#include "search.h"
#include "search_config.h"

static char path[256];

static const char *write_cfg(const char *text) {
    snprintf(path, sizeof path, "/tmp/hwnas_test_cfg_%d.yaml", (int)getpid());
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

#define BASE_OBJ                                                                   \
    "objectives:\n"                                                                \
    "  - {name: accuracy, direction: maximize, source: test_acc_200ep_cifar10}\n" \
    "  - {name: latency_ms, direction: minimize, source: edgegpu_latency_ms}\n"
#define BASE_EVAL                   \
    "evaluator:\n"                  \
    "  kind: table\n"               \
    "  tables: [a.csv, b.csv]\n"

/* Loads TEXT expecting failure; checks the message contains LINE and WHAT. */
static void expect_error(const char *text, int line, const char *what) {
    search_config *c = NULL;
    assert_int_equal(search_config_load(write_cfg(text), &c), -1);
    char want[512];
    snprintf(want, sizeof want, "%s:%d: ", path, line);
    if (line > 0 && strncmp(hw_errmsg(), want, strlen(want))) fail_msg("got '%s', want prefix '%s'", hw_errmsg(), want);
    if (!strstr(hw_errmsg(), what)) fail_msg("got '%s', want '%s'", hw_errmsg(), what);
    assert_null(strchr(hw_errmsg(), '\n'));
}

static void test_defaults(void **state) {
    (void)state;
    search_config *c;
    assert_int_equal(search_config_load(write_cfg(BASE_OBJ BASE_EVAL), &c), 0);
    assert_string_equal(c->space_name, "nb201");
    assert_int_equal(c->n_obj, 2);
    assert_int_equal(c->obj[0].direction, OBJ_MAXIMIZE);
    assert_int_equal(c->population, 36);
    assert_int_equal(c->offspring, 6);
    assert_int_equal(c->seed, 1);
    assert_float_equal(c->p_crossover, 0.3, 0);
    assert_string_equal(c->key, "arch_index");
    assert_string_equal(c->tables[0], "/tmp/a.csv"); /* relative to the config file */
    assert_int_equal(c->has_ref, 0);
    assert_string_equal(c->front_csv, "hwnas-run/front.csv");
    search_config_free(c);
}

static void test_full(void **state) {
    (void)state;
    search_config *c;
    assert_int_equal(search_config_load(write_cfg("space:\n  name: bert\n  bert:\n    layers: [2, 4]\n"
                                                  "    hidden: [128, 256]\n    heads: [2, 4]\n    ffn: [256]\n" BASE_OBJ
                                                  "constraints: ['latency_ms <= 5', 'accuracy>90']\n"
                                                  "algorithm: {population: 10, seed: 99, mutation: 0.2}\n" BASE_EVAL
                                                  "hypervolume: {reference: [85, 12.5]}\n"),
                                        &c),
                     0);
    assert_string_equal(c->space_name, "bert");
    assert_int_equal(c->bert.n_layers, 2);
    assert_int_equal(c->bert.ffn[0], 256);
    assert_int_equal(c->n_con, 2);
    assert_int_equal(c->con[0].op, CON_LE);
    assert_float_equal(c->con[0].bound, 5, 0);
    assert_int_equal(c->con[1].op, CON_GT);
    assert_float_equal(constraint_violation(&c->con[0], 7), 2, 1e-12);
    assert_float_equal(constraint_violation(&c->con[0], 4), 0, 0);
    assert_int_equal(c->seed, 99);
    assert_float_equal(c->ref[1], 12.5, 0);
    search_config_free(c);
}

static void test_unknown_key(void **state) {
    (void)state;
    expect_error(BASE_OBJ BASE_EVAL "algorithm:\n  populaton: 10\n", 8, "key 'algorithm.populaton': unknown key");
    expect_error(BASE_OBJ BASE_EVAL "bogus: 1\n", 7, "key 'bogus': unknown key");
    expect_error("objectives:\n  - {name: a, direction: min, sourse: x}\n" BASE_EVAL, 2,
                 "key 'objectives[0].sourse': unknown key");
}

static void test_wrong_type(void **state) {
    (void)state;
    expect_error(BASE_OBJ BASE_EVAL "algorithm:\n  population: abc\n", 8,
                 "key 'algorithm.population': expected an integer, got 'abc'");
    expect_error(BASE_OBJ BASE_EVAL "algorithm:\n  population: [1]\n", 8, "expected an integer, got a list");
    expect_error("objectives: accuracy\n" BASE_EVAL, 1, "key 'objectives': expected a list, got a scalar");
    expect_error(BASE_OBJ BASE_EVAL "hypervolume: {true_front: maybe}\n", 7, "expected true or false");
    expect_error(BASE_OBJ BASE_EVAL "algorithm: {seed: \"12\"}\n", 7, "expected a non-negative integer");
}

static void test_out_of_range(void **state) {
    (void)state;
    expect_error(BASE_OBJ BASE_EVAL "algorithm:\n  crossover: 1.5\n", 8,
                 "key 'algorithm.crossover': 1.5 is out of range [0, 1]");
    expect_error(BASE_OBJ BASE_EVAL "algorithm:\n  population: 2\n", 8, "2 is out of range [4,");
    expect_error(BASE_OBJ BASE_EVAL "hypervolume: {reference: [1, 2, 3]}\n", 7, "one per objective");
    expect_error("space: {name: nb202}\n" BASE_OBJ BASE_EVAL, 1, "'nb202' is not one of: nb201, bert");
    expect_error("space:\n  name: bert\n  bert: {hidden: [100], heads: [3, 7]}\n" BASE_OBJ BASE_EVAL, 3,
                 "no hidden size is divisible");
    expect_error("objectives:\n  - {name: a, direction: up}\n" BASE_EVAL, 2, "'up' is not one of");
}

static void test_constraint_syntax(void **state) {
    (void)state;
    expect_error(BASE_OBJ "constraints: ['latency_ms ~ 5']\n" BASE_EVAL, 4, "is not of the form");
    expect_error(BASE_OBJ "constraints: ['latency_ms <= five']\n" BASE_EVAL, 4, "bound 'five' is not a number");
    expect_error(BASE_OBJ "constraints: ['latency_ms => 5']\n" BASE_EVAL, 4, "unknown operator '=>'");
}

static void test_missing_and_malformed(void **state) {
    (void)state;
    search_config *c;
    assert_int_equal(search_config_load("/nonexistent/cfg.yaml", &c), -1);
    assert_string_equal(hw_errmsg(), "/nonexistent/cfg.yaml: cannot open: No such file or directory");
    assert_int_equal(search_config_load("/tmp", &c), -1); /* a directory: unreadable */
    assert_non_null(strstr(hw_errmsg(), "/tmp: read error"));
    expect_error(BASE_EVAL, 0, "key 'objectives': missing required key");
    expect_error("objectives: [\n  {name: a\n", 3, "malformed YAML");
    expect_error("a: 1\na: 2\n", 2, "key 'a': duplicate key");
    expect_error("- 1\n- 2\n", 1, "the top level must be a map");
    expect_error("x: &a 1\ny: *a\n", 2, "aliases are not supported");
}

/* Table evaluator errors name the file and column. */
static void test_table_errors(void **state) {
    (void)state;
    char text[1024];
    const char *data = getenv("HWNAS_DATA");
    snprintf(text, sizeof text,
             "objectives:\n  - {name: accuracy, direction: maximize, source: no_such_col}\n"
             "evaluator:\n  kind: table\n  tables: [%s/nb201_accuracy/nb201_accuracy.csv]\n",
             data);
    search_config *c;
    assert_int_equal(search_config_load(write_cfg(text), &c), 0);
    space *sp;
    space_create_nb201(&sp);
    eval_table *t;
    assert_int_equal(eval_table_create(c, sp, &t), -1);
    assert_non_null(strstr(hw_errmsg(), "objective 'accuracy': no table has a column 'no_such_col'"));
    search_config_free(c);
    /* a malformed table */
    FILE *f = fopen("/tmp/hwnas_bad_table.csv", "w");
    fputs("arch_index,x\n0,1\n1,2,3\n", f);
    fclose(f);
    assert_int_equal(search_config_load(write_cfg("objectives:\n  - {name: x, direction: min}\n"
                                                  "evaluator:\n  kind: table\n  tables: [hwnas_bad_table.csv]\n"),
                                        &c),
                     0);
    assert_int_equal(eval_table_create(c, sp, &t), -1);
    assert_string_equal(hw_errmsg(), "/tmp/hwnas_bad_table.csv:3: 3 fields, header has 2");
    search_config_free(c);
    /* an index out of range */
    f = fopen("/tmp/hwnas_bad_table.csv", "w");
    fputs("arch_index,x\n0,1\n99999,2\n", f);
    fclose(f);
    assert_int_equal(search_config_load(write_cfg("objectives:\n  - {name: x, direction: min}\n"
                                                  "evaluator:\n  kind: table\n  tables: [hwnas_bad_table.csv]\n"),
                                        &c),
                     0);
    assert_int_equal(eval_table_create(c, sp, &t), -1);
    assert_non_null(strstr(hw_errmsg(), "hwnas_bad_table.csv:3: column 'arch_index': NB201 arch index 99999 out of range"));
    search_config_free(c);
    unlink("/tmp/hwnas_bad_table.csv");
    space_free(sp);
}

/* Missing cells make a candidate infeasible; lookups count distinct archs. */
static void test_table_lookup(void **state) {
    (void)state;
    FILE *f = fopen("/tmp/hwnas_tab_ok.csv", "w");
    fputs("arch_index,acc,lat\n0,90,5\n1,80,\n2,85,3\n", f);
    fclose(f);
    search_config *c;
    assert_int_equal(search_config_load(write_cfg("objectives:\n  - {name: acc, direction: max}\n"
                                                  "  - {name: lat, direction: min}\n"
                                                  "constraints: ['lat <= 4']\n"
                                                  "evaluator:\n  kind: table\n  tables: [hwnas_tab_ok.csv]\n"),
                                        &c),
                     0);
    space *sp;
    space_create_nb201(&sp);
    eval_table *t;
    assert_int_equal(eval_table_create(c, sp, &t), 0);
    hw_genome g0, g1, g2, g3;
    space_from_index(sp, 0, &g0);
    space_from_index(sp, 1, &g1);
    space_from_index(sp, 2, &g2);
    space_from_index(sp, 3, &g3);
    double raw[2], cv;
    assert_int_equal(eval_table_lookup(t, &g0, raw, &cv), 1);
    assert_float_equal(raw[0], 90, 0);
    assert_float_equal(cv, 1, 1e-12); /* lat 5 > 4 */
    assert_int_equal(eval_table_lookup(t, &g0, raw, &cv), 0); /* repeat: no new measurement */
    eval_table_lookup(t, &g1, raw, &cv);
    assert_true(cv == INFINITY);
    eval_table_lookup(t, &g2, raw, &cv);
    assert_float_equal(cv, 0, 0);
    eval_table_lookup(t, &g3, raw, &cv); /* not in the table at all */
    assert_true(cv == INFINITY);
    assert_int_equal(eval_table_measurements(t), 4);
    double *pts;
    int n;
    eval_table_all_feasible(t, &pts, NULL, &n);
    assert_int_equal(n, 1);
    assert_float_equal(pts[0], -85, 0);
    free(pts);
    eval_table_free(t);
    search_config_free(c);
    space_free(sp);
    unlink("/tmp/hwnas_tab_ok.csv");
}

/* runfront_front + runfront_csv, the front layout of `hwnas search` and
 * `hwnas front`: rows best first by the first objective (a maximised one
 * descending), objectives in natural units, the measured flags, island and
 * generation per row, the arch last and quoted when it holds a comma; the
 * dominated point is left out. */
static void test_front_csv(void **state) {
    (void)state;
    char *names[2] = {"acc", "lat"}, *arch[4] = {"s0", "s1", "x,y", "dom"};
    uint8_t maximise[2] = {1, 0}, measured[8] = {1, 1, 1, 1, 1, 0, 1, 1};
    double obj[8] = {90, 5, 80, 3, 95, 9, 70, 9}, cv[4] = {0, 0, 0, 0};
    int32_t island[4] = {0, 1, -1, 0}, gen[4] = {3, 4, -1, 5};
    int16_t genomes[4 * 6] = {0};
    run_snapshot h = {.nobj = 2, .ngenes = 6, .obj_names = names, .obj_maximise = maximise};
    run_points p = {.n = 4, .genomes = genomes, .strings = arch, .obj = obj, .measured = measured, .cv = cv,
                    .island = island, .generation = gen};
    int *idx, n;
    assert_int_equal(runfront_front(&h, &p, 0, &idx, &n), 0);
    hw_buf b = {0};
    runfront_csv(&b, &h, &p, idx, n, RUNFRONT_NO_KNEE);
    hw_buf_printf(&b, "%c", 0);
    assert_string_equal(b.p, "acc,lat,acc_measured,lat_measured,island,generation,arch\n"
                             "95,9,1,0,-1,-1,\"x,y\"\n90,5,1,1,0,3,s0\n80,3,1,1,1,4,s1\n");
    hw_buf_free(&b);
    free(idx);
}

static int teardown(void **state) {
    (void)state;
    unlink(path);
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),          cmocka_unit_test(test_full),
        cmocka_unit_test(test_unknown_key),       cmocka_unit_test(test_wrong_type),
        cmocka_unit_test(test_out_of_range),      cmocka_unit_test(test_constraint_syntax),
        cmocka_unit_test(test_missing_and_malformed), cmocka_unit_test(test_table_errors),
        cmocka_unit_test(test_table_lookup),      cmocka_unit_test(test_front_csv),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
