/* CSV reader (strict errors with file:line) and the xoshiro256** PRNG. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "csv.h"
#include "hw_err.h"
#include "rng.h"

static csv_table *parse(const char *s) {
    csv_table *t = NULL;
    if (csv_parse("t.csv", s, strlen(s), &t)) return NULL;
    return t;
}

static void test_csv_ok(void **state) {
    (void)state;
    csv_table *t = parse("a,b,\"c,d\"\n1,2.5,\"x \"\"q\"\"\"\r\n,nan,3\n\n");
    assert_non_null(t);
    assert_int_equal(csv_nrows(t), 2);
    assert_int_equal(csv_ncols(t), 3);
    assert_string_equal(csv_colname(t, 2), "c,d");
    assert_string_equal(csv_str(t, 0, 2), "x \"q\"");
    assert_float_equal(csv_num(t, 0, 1), 2.5, 0);
    assert_true(isnan(csv_num(t, 1, 0)));
    double v;
    assert_int_equal(csv_num_strict(t, 1, 0, &v), -1);
    assert_string_equal(hw_errmsg(), "t.csv:3: column 'a': empty cell");
    assert_int_equal(csv_num_strict(t, 1, 1, &v), -1);
    assert_string_equal(hw_errmsg(), "t.csv:3: column 'b': 'nan' is not a number");
    assert_int_equal(csv_col(t, "zz"), -1);
    assert_int_equal(csv_col_required(t, "zz"), -1);
    assert_string_equal(hw_errmsg(), "t.csv: no column 'zz'");
    csv_free(t);
}

static void test_csv_errors(void **state) {
    (void)state;
    assert_null(parse(""));
    assert_string_equal(hw_errmsg(), "t.csv:1: empty file (expected a header line)");
    assert_null(parse("a,b\n1,2,3\n"));
    assert_string_equal(hw_errmsg(), "t.csv:2: 3 fields, header has 2");
    assert_null(parse("a,b\n1,\"2\n"));
    assert_string_equal(hw_errmsg(), "t.csv:2: unterminated quoted field");
    assert_null(parse("a,a\n1,2\n"));
    assert_string_equal(hw_errmsg(), "t.csv:1: duplicate column 'a'");
    csv_table *t;
    assert_int_equal(csv_read("/nonexistent/x.csv", &t), -1);
    assert_non_null(strstr(hw_errmsg(), "/nonexistent/x.csv: cannot open"));
}

static void test_rng(void **state) {
    (void)state;
    hw_rng a, b;
    rng_seed(&a, 7);
    rng_seed(&b, 7);
    for (int i = 0; i < 1000; i++) assert_true(rng_next(&a) == rng_next(&b));
    hw_rng c = a; /* state is the 4 words: copying continues identically */
    assert_true(rng_next(&a) == rng_next(&c));
    rng_seed_stream(&a, 7, 1);
    rng_seed_stream(&b, 7, 2);
    assert_true(rng_next(&a) != rng_next(&b));
    /* rng_below is uniform: chi-square over 10 bins */
    int cnt[10] = {0};
    for (int i = 0; i < 100000; i++) cnt[rng_below(&a, 10)]++;
    double chi = 0;
    for (int k = 0; k < 10; k++) chi += (cnt[k] - 10000.0) * (cnt[k] - 10000.0) / 10000.0;
    assert_true(chi < 30); /* 9 dof: p < 1e-3 */
    double s = 0, s2 = 0;
    for (int i = 0; i < 100000; i++) {
        double x = rng_normal(&a);
        s += x;
        s2 += x * x;
    }
    assert_float_equal(s / 1e5, 0, 0.02);
    assert_float_equal(s2 / 1e5, 1, 0.03);
    double u = rng_uniform(&a);
    assert_true(u >= 0 && u < 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_csv_ok), cmocka_unit_test(test_csv_errors),
                                       cmocka_unit_test(test_rng)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
