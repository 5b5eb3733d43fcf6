/* The reference point of `hwnas compare` (io/runfront.c): the default is
 * the worst value on either front moved out by 10 % of the joint range
 * (1e-9 for a zero range, 0 for empty fronts); --ref text is one number per
 * objective in its own units, maximised ones negated, and anything else is
 * an error naming the text and the expected count. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "hw_err.h"
#include "runfront.h"

static void test_default_ref(void **st) {
    (void)st;
    /* minimised fronts, 2 objectives */
    const double a[] = {-0.9, 5.0, -0.7, 2.0}, b[] = {-0.8, 3.0, -0.5, 1.0};
    double ref[2];
    runfront_default_ref(a, 2, b, 2, 2, ref);
    /* objective 0: range -0.9..-0.5 -> -0.5 + 0.04; objective 1: 1..5 -> 5 + 0.4 */
    assert_float_equal(ref[0], -0.46, 1e-12);
    assert_float_equal(ref[1], 5.4, 1e-12);
    const double c[] = {2.0, 7.0};
    runfront_default_ref(c, 1, NULL, 0, 2, ref);
    assert_float_equal(ref[0], 2.0 + 1e-9, 1e-15);
    assert_float_equal(ref[1], 7.0 + 1e-9, 1e-15);
    runfront_default_ref(NULL, 0, NULL, 0, 2, ref);
    assert_float_equal(ref[0], 1e-9, 1e-18);
}

static void test_parse_ref(void **st) {
    (void)st;
    uint8_t maxi[2] = {1, 0};
    run_snapshot s;
    memset(&s, 0, sizeof s);
    s.nobj = 2;
    s.obj_maximise = maxi;
    double ref[2];
    assert_int_equal(runfront_parse_ref(&s, "0.5,100", ref), 0);
    assert_float_equal(ref[0], -0.5, 0);
    assert_float_equal(ref[1], 100, 0);
    const char *bad[] = {"1", "1,2,3", "1,", "a,2", "1;2", "1,inf", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (runfront_parse_ref(&s, bad[i], ref) != -1) fail_msg("'%s' accepted", bad[i]);
        if (!strstr(hw_errmsg(), "expected 2 comma-separated numbers")) fail_msg("'%s': %s", bad[i], hw_errmsg());
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_ref),
        cmocka_unit_test(test_parse_ref),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
