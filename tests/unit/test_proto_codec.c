/* test_proto_codec: the wire format round-trips every message type and
 * rejects every truncation, trailing byte, bad header, over-long or
 * non-printable string, non-finite number and out-of-range enum. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "hw_err.h"
#include "proto.h"

static void sample_result(proto_msg *m) {
    proto_init(m, PROTO_RESULT);
    m->job_id = 0x0123456789abcdefULL;
    m->attempt = 7;
    m->status = PROTO_ST_OK;
    snprintf(m->runner, sizeof m->runner, "builtin");
    m->repetitions = 20;
    m->warmup = 3;
    m->t_start = 1.7e9;
    m->t_end = 1.7e9 + 0.25;
    m->median_ms = 12.5;
    m->mean_ms = 12.75;
    m->std_ms = 0.125;
    m->min_ms = 12.0;
    snprintf(m->error, sizeof m->error, "none, really");
}

static void roundtrip(const proto_msg *m, int from_board) {
    uint8_t buf[PROTO_MAX_MSG], buf2[PROTO_MAX_MSG];
    size_t n, n2;
    proto_msg d;
    assert_int_equal(proto_encode(m, buf, sizeof buf, &n), 0);
    assert_int_equal(proto_decode(buf, n, from_board, &d), 0);
    assert_int_equal(proto_encode(&d, buf2, sizeof buf2, &n2), 0);
    assert_int_equal(n, n2);
    assert_memory_equal(buf, buf2, n);
    assert_int_equal(d.type, m->type);
    assert_true(d.job_id == m->job_id);
    assert_int_equal(d.attempt, m->attempt);
    assert_string_equal(d.arch, m->arch);
    assert_string_equal(d.board_id, m->board_id);
    assert_string_equal(d.error, m->error);
    assert_true(d.median_ms == m->median_ms && d.t_end == m->t_end);
    /* every strict prefix and every extension by one byte is rejected */
    for (size_t k = 0; k < n; k++) assert_int_equal(proto_decode(buf, k, from_board, &d), -1);
    buf[n] = 0;
    assert_int_equal(proto_decode(buf, n + 1, from_board, &d), -1);
    assert_non_null(strstr(hw_errmsg(), "trailing"));
}

static void test_roundtrip_all_types(void **st) {
    (void)st;
    proto_msg m;
    proto_init(&m, PROTO_HELLO);
    snprintf(m.board_id, sizeof m.board_id, "tx2-01");
    snprintf(m.device, sizeof m.device, "jetson-tx2");
    snprintf(m.runner, sizeof m.runner, "replay");
    snprintf(m.caps, sizeof m.caps, "table=15625-rows delay_ms=50");
    m.job_id = 42;
    m.attempt = 2;
    roundtrip(&m, 1);
    proto_init(&m, PROTO_JOB);
    m.job_id = 1;
    m.attempt = 1;
    snprintf(m.arch, sizeof m.arch, "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|none~0|none~1|avg_pool_3x3~2|");
    roundtrip(&m, 0);
    sample_result(&m);
    roundtrip(&m, 1);
    m.status = PROTO_ST_RETURNED;
    m.error[0] = 0;
    roundtrip(&m, 1);
    proto_init(&m, PROTO_HEARTBEAT);
    m.from_board = 1;
    m.job_id = 5;
    m.attempt = 1;
    m.holding = 1;
    roundtrip(&m, 1);
    proto_init(&m, PROTO_HEARTBEAT);
    roundtrip(&m, 0);
    int empty[] = {PROTO_WELCOME, PROTO_WHO, PROTO_BYE};
    for (int i = 0; i < 3; i++) {
        proto_init(&m, (proto_type)empty[i]);
        roundtrip(&m, i == 2);
    }
}

static void test_header_checks(void **st) {
    (void)st;
    proto_msg d;
    assert_int_equal(proto_decode((const uint8_t *)"HJ\x01\x05", 4, 0, &d), 0);
    assert_int_equal(d.type, PROTO_HEARTBEAT);
    assert_int_equal(proto_decode((const uint8_t *)"HX\x01\x05", 4, 0, &d), -1);
    assert_non_null(strstr(hw_errmsg(), "magic"));
    assert_int_equal(proto_decode((const uint8_t *)"HJ\x02\x05", 4, 0, &d), -1);
    assert_non_null(strstr(hw_errmsg(), "version"));
    assert_int_equal(proto_decode((const uint8_t *)"HJ\x01\x00", 4, 0, &d), -1);
    assert_int_equal(proto_decode((const uint8_t *)"HJ\x01\x08", 4, 0, &d), -1);
    assert_non_null(strstr(hw_errmsg(), "unknown message type"));
    /* a board heartbeat is 13 bytes of body; the dispatcher's is empty */
    assert_int_equal(proto_decode((const uint8_t *)"HJ\x01\x05", 4, 1, &d), -1);
    uint8_t big[PROTO_MAX_MSG + 1];
    memset(big, 0, sizeof big);
    memcpy(big, "HJ\x01\x05", 4);
    assert_int_equal(proto_decode(big, sizeof big, 0, &d), -1);
    assert_non_null(strstr(hw_errmsg(), "exceeds"));
}

static void test_field_checks(void **st) {
    (void)st;
    proto_msg m, d;
    uint8_t buf[PROTO_MAX_MSG];
    size_t n;
    sample_result(&m);
    assert_int_equal(proto_encode(&m, buf, sizeof buf, &n), 0);
    /* status byte at offset 4 + 8 + 4 */
    buf[16] = PROTO_ST_COUNT;
    assert_int_equal(proto_decode(buf, n, 1, &d), -1);
    assert_non_null(strstr(hw_errmsg(), "status"));
    buf[16] = 0;
    /* runner string: u16 length at 17, text at 19: make it non-printable */
    buf[19] = '\n';
    assert_int_equal(proto_decode(buf, n, 1, &d), -1);
    assert_non_null(strstr(hw_errmsg(), "non-printable"));
    buf[19] = 'b';
    /* runner length over its bound */
    buf[17] = PROTO_RUNNER_MAX + 1;
    assert_int_equal(proto_decode(buf, n, 1, &d), -1);
    buf[17] = 7;
    /* median_ms (after runner 7 bytes, reps, warmup, t_start, t_end) := NaN */
    size_t off = 19 + 7 + 4 + 4 + 8 + 8;
    double nan = NAN;
    memcpy(buf + off, &nan, 8);
    assert_int_equal(proto_decode(buf, n, 1, &d), -1);
    assert_non_null(strstr(hw_errmsg(), "finite"));
    /* job id 0 is never valid */
    sample_result(&m);
    m.job_id = 0;
    assert_int_equal(proto_encode(&m, buf, sizeof buf, &n), 0);
    assert_int_equal(proto_decode(buf, n, 1, &d), -1);
    /* encode refuses what decode would refuse */
    sample_result(&m);
    m.mean_ms = INFINITY;
    assert_int_equal(proto_encode(&m, buf, sizeof buf, &n), -1);
    sample_result(&m);
    m.status = 9;
    assert_int_equal(proto_encode(&m, buf, sizeof buf, &n), -1);
    proto_init(&m, PROTO_JOB);
    m.job_id = 3;
    assert_int_equal(proto_encode(&m, buf, sizeof buf, &n), -1); /* empty arch */
    memset(m.arch, 'a', PROTO_ARCH_MAX);
    m.arch[PROTO_ARCH_MAX] = 0;
    assert_int_equal(proto_encode(&m, buf, sizeof buf, &n), 0);
    assert_int_equal(proto_decode(buf, n, 0, &d), 0);
    m.arch[5] = '\x01';
    assert_int_equal(proto_encode(&m, buf, sizeof buf, &n), -1);
    proto_init(&m, PROTO_HEARTBEAT);
    m.from_board = 1;
    m.holding = 1;
    assert_int_equal(proto_encode(&m, buf, sizeof buf, &n), 0);
    buf[n - 1] = 2;
    assert_int_equal(proto_decode(buf, n, 1, &d), -1);
    /* too small an output buffer */
    sample_result(&m);
    assert_int_equal(proto_encode(&m, buf, 20, &n), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_all_types),
        cmocka_unit_test(test_header_checks),
        cmocka_unit_test(test_field_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
