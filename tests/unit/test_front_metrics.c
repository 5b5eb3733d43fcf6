/* test_front_metrics: the knee point (hand fronts in 2 and 3 objectives,
 * invariance to scaling an objective, errors) and IGD+ (hand values: a
 * covering front is 0, a shifted front is its shift, dominating points
 * count 0 where plain IGD would not, the scale divides per objective). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "nsga.h"

#define CLOSE(got, want)                                                                  \
    do {                                                                                  \
        double g_ = (got), w_ = (want);                                                   \
        if (!(fabs(g_ - w_) <= 1e-12 * (1 + fabs(w_)))) fail_msg("%s = %.17g, want %.17g", #got, g_, w_); \
    } while (0)

static void test_knee_2d(void **st) {
    (void)st;
    /* a convex front: (0,10) (1,4) (2,2.5) (5,1) (10,0); normalised sums
     * 1.0, 0.5, 0.45, 0.6, 1.0 -> the knee is (2, 2.5) */
    const double f[] = {0, 10, 1, 4, 2, 2.5, 5, 1, 10, 0};
    int k;
    assert_int_equal(front_knee(f, 5, 2, &k), 0);
    assert_int_equal(k, 2);
    /* scaling one objective by 1000 does not move it */
    double g[10];
    for (int i = 0; i < 5; i++) g[2 * i] = f[2 * i] * 1000, g[2 * i + 1] = f[2 * i + 1];
    assert_int_equal(front_knee(g, 5, 2, &k), 0);
    assert_int_equal(k, 2);
    /* one point: itself */
    assert_int_equal(front_knee(f, 1, 2, &k), 0);
    assert_int_equal(k, 0);
}

static void test_knee_3d(void **st) {
    (void)st;
    const double f[] = {1, 0, 0, 0, 1, 0, 0, 0, 1, 0.2, 0.2, 0.3, 0.5, 0.5, 0.5};
    int k;
    assert_int_equal(front_knee(f, 5, 3, &k), 0);
    assert_int_equal(k, 3);
}

static void test_knee_errors(void **st) {
    (void)st;
    int k = 7;
    assert_int_equal(front_knee(NULL, 0, 2, &k), -1);
    assert_int_equal(k, -1);
    const double f[] = {0, NAN};
    assert_int_equal(front_knee(f, 1, 2, &k), -1);
}

static void test_igd_plus(void **st) {
    (void)st;
    const double ref[] = {0, 2, 1, 1, 2, 0};
    double v;
    assert_int_equal(front_igd_plus(ref, 3, ref, 3, 2, NULL, &v), 0);
    CLOSE(v, 0.0);
    /* every point shifted by (+0.5, 0): each reference point's nearest
     * approximation point is 0.5 worse in f0 only */
    const double sh[] = {0.5, 2, 1.5, 1, 2.5, 0};
    assert_int_equal(front_igd_plus(sh, 3, ref, 3, 2, NULL, &v), 0);
    CLOSE(v, 0.5);
    /* one point that dominates every reference point: IGD+ 0 (plain IGD
     * would count the distance) */
    const double dom[] = {-1, -1};
    assert_int_equal(front_igd_plus(dom, 1, ref, 3, 2, NULL, &v), 0);
    CLOSE(v, 0.0);
    /* a single point (1, 1) against the three: d+ = (1, 0, 1) -> 2/3 */
    const double mid[] = {1, 1};
    assert_int_equal(front_igd_plus(mid, 1, ref, 3, 2, NULL, &v), 0);
    CLOSE(v, 2.0 / 3.0);
    /* scaling f0 by 2 halves its contribution */
    const double s[] = {2, 1};
    assert_int_equal(front_igd_plus(sh, 3, ref, 3, 2, s, &v), 0);
    CLOSE(v, 0.25);
    assert_int_equal(front_igd_plus(NULL, 0, ref, 3, 2, NULL, &v), 0);
    assert_true(isinf(v));
    assert_int_equal(front_igd_plus(ref, 3, NULL, 0, 2, NULL, &v), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_knee_2d),
        cmocka_unit_test(test_knee_3d),
        cmocka_unit_test(test_knee_errors),
        cmocka_unit_test(test_igd_plus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
