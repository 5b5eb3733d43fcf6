/* Checks hw_codec: every width round-trips; the bytes are little-endian
 * whatever the host; a fixed buffer that is too small and a read past the
 * end set `bad` instead of overrunning; strings with a NUL or longer than
 * the destination are refused; int16 / u64 arrays are little-endian; the
 * format header accepts its own version and refuses bad magic, truncation
 * and older / newer versions with one line saying which. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hw_codec.h"
#include "hw_err.h"

static void test_roundtrip(void **st) {
    (void)st;
    hw_wbuf w;
    hw_wbuf_init(&w);
    double d[3] = {1.5, -0.0, 1e300};
    hw_put_u8(&w, 0xab);
    hw_put_u16(&w, 0xbeef);
    hw_put_u32(&w, 0xdeadbeefu);
    hw_put_u64(&w, 0x0123456789abcdefull);
    hw_put_i32(&w, -7);
    hw_put_i64(&w, -1234567890123ll);
    hw_put_f32(&w, 3.25f);
    hw_put_f64(&w, -2.5);
    hw_put_f64s(&w, d, 3);
    hw_put_str(&w, "board-1");
    for (int i = 0; i < 1000; i++) hw_put_u32(&w, (uint32_t)i); /* growth */
    assert_false(w.bad);
    size_t n;
    uint8_t *p = hw_wbuf_take(&w, &n);
    assert_non_null(p);
    hw_rbuf r;
    hw_rbuf_init(&r, p, n);
    assert_int_equal(hw_get_u8(&r), 0xab);
    assert_int_equal(hw_get_u16(&r), 0xbeef);
    assert_int_equal(hw_get_u32(&r), 0xdeadbeefu);
    assert_true(hw_get_u64(&r) == 0x0123456789abcdefull);
    assert_int_equal(hw_get_i32(&r), -7);
    assert_true(hw_get_i64(&r) == -1234567890123ll);
    assert_true(hw_get_f32(&r) == 3.25f);
    assert_true(hw_get_f64(&r) == -2.5);
    double e[3];
    hw_get_f64s(&r, e, 3);
    assert_memory_equal(d, e, sizeof d);
    char s[16];
    hw_get_str(&r, s, sizeof s);
    assert_string_equal(s, "board-1");
    for (int i = 0; i < 1000; i++) assert_int_equal(hw_get_u32(&r), (uint32_t)i);
    assert_true(hw_rbuf_done(&r));
    free(p);
}

static void test_little_endian(void **st) {
    (void)st;
    uint8_t b[8];
    hw_wbuf w;
    hw_wbuf_fixed(&w, b, sizeof b);
    hw_put_u32(&w, 0x04030201u);
    hw_put_u16(&w, 0x0605);
    assert_false(w.bad);
    const uint8_t want[6] = {1, 2, 3, 4, 5, 6};
    assert_memory_equal(b, want, 6);
    hw_put_u32(&w, 1); /* 6 + 4 > 8 */
    assert_true(w.bad);
    assert_int_equal(w.n, 6);
}

static void test_short_reads(void **st) {
    (void)st;
    const uint8_t b[5] = {5, 0, 0, 0, 'a'};
    hw_rbuf r;
    hw_rbuf_init(&r, b, sizeof b);
    char s[8];
    hw_get_str(&r, s, sizeof s); /* says 5 bytes, has 1 */
    assert_true(r.bad);
    assert_int_equal(hw_get_u64(&r), 0);
    const uint8_t z[6] = {2, 0, 0, 0, 'a', 0};
    hw_rbuf_init(&r, z, sizeof z);
    hw_get_str(&r, s, sizeof s); /* NUL inside */
    assert_true(r.bad);
    const uint8_t l[8] = {4, 0, 0, 0, 'a', 'b', 'c', 'd'};
    hw_rbuf_init(&r, l, sizeof l);
    hw_get_str(&r, s, 4); /* no room for the terminator */
    assert_true(r.bad);
    hw_rbuf_init(&r, l, sizeof l);
    double d[2];
    hw_get_f64s(&r, d, 2);
    assert_true(r.bad);
}

static void test_arrays(void **st) {
    (void)st;
    uint8_t b[12];
    hw_wbuf w;
    hw_wbuf_fixed(&w, b, sizeof b);
    const int16_t g[2] = {-2, 0x0102};
    const uint64_t u[1] = {0x0807060504030201ull};
    hw_put_i16s(&w, g, 2);
    hw_put_u64s(&w, u, 1);
    assert_false(w.bad);
    const uint8_t want[12] = {0xfe, 0xff, 2, 1, 1, 2, 3, 4, 5, 6, 7, 8};
    assert_memory_equal(b, want, 12);
    hw_rbuf r;
    hw_rbuf_init(&r, b, sizeof b);
    int16_t g2[2];
    uint64_t u2[1];
    hw_get_i16s(&r, g2, 2);
    hw_get_u64s(&r, u2, 1);
    assert_true(hw_rbuf_done(&r));
    assert_memory_equal(g, g2, sizeof g);
    assert_true(u2[0] == u[0]);
    hw_get_u64s(&r, u2, 1); /* past the end */
    assert_true(r.bad);
}

static void test_header(void **st) {
    (void)st;
    uint8_t b[12];
    hw_wbuf w;
    hw_rbuf r;
    hw_wbuf_fixed(&w, b, sizeof b);
    hw_put_header(&w, "HWNASXYZ", 8, 3);
    assert_int_equal(w.n, 12);
    assert_int_equal(b[8], 3);
    hw_rbuf_init(&r, b, 12);
    assert_int_equal(hw_get_header(&r, "HWNASXYZ", 8, 3, "hwnas test file"), 0);
    assert_true(hw_rbuf_done(&r));
    static const struct {
        uint32_t want;
        const char *msg;
    } vc[] = {{4, "hwnas test file: written by an older hwnas, format version 3; this build reads format version 4"},
              {2, "hwnas test file: written by a newer hwnas, format version 3; this build reads format version 2"}};
    for (int i = 0; i < 2; i++) {
        hw_rbuf_init(&r, b, 12);
        assert_int_equal(hw_get_header(&r, "HWNASXYZ", 8, vc[i].want, "hwnas test file"), -1);
        if (strcmp(hw_errmsg(), vc[i].msg)) fail_msg("got '%s', want '%s'", hw_errmsg(), vc[i].msg);
    }
    uint32_t got = 0;
    hw_rbuf_init(&r, b, 12);
    assert_int_equal(hw_get_header_range(&r, "HWNASXYZ", 8, 1, 4, "hwnas test file", &got), 0);
    assert_int_equal(got, 3);
    hw_rbuf_init(&r, b, 12);
    assert_int_equal(hw_get_header(&r, "HWNASABC", 8, 3, "hwnas test file"), -1);
    assert_string_equal(hw_errmsg(), "not an hwnas test file (bad magic)");
    hw_rbuf_init(&r, b, 10);
    assert_int_equal(hw_get_header(&r, "HWNASXYZ", 8, 3, "hwnas test file"), -1);
    assert_non_null(strstr(hw_errmsg(), "truncated hwnas test file header"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_little_endian),
        cmocka_unit_test(test_short_reads),
        cmocka_unit_test(test_arrays),
        cmocka_unit_test(test_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
