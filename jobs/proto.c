#include "proto.h"

#include <math.h>
#include <string.h>

#include "hw_codec.h"
#include "hw_err.h"

void proto_init(proto_msg *m, proto_type type) {
    memset(m, 0, sizeof *m);
    m->type = type;
}

const char *proto_type_name(int type) {
    static const char *const names[] = {"?", "HELLO", "WELCOME", "JOB", "RESULT", "HEARTBEAT", "WHO", "BYE"};
    return type >= PROTO_HELLO && type <= PROTO_BYE ? names[type] : "?";
}

const char *proto_status_name(int status) {
    static const char *const names[] = {"ok", "failed", "error", "returned"};
    return status >= 0 && status < PROTO_ST_COUNT ? names[status] : "?";
}

int proto_str_ok(const char *s, size_t max) {
    size_t n = 0;
    for (; s[n]; n++)
        if (n >= max || (unsigned char)s[n] < 0x20 || (unsigned char)s[n] > 0x7e) return 0;
    return n > 0;
}

/* ---- writer (hw_codec.h: little-endian, fixed buffer) ------------------- */

static void put_f64(hw_wbuf *w, double v) {
    if (!isfinite(v)) w->bad = 1;
    hw_put_f64(w, v);
}

/* u16 length + printable bytes; min_len 0 allows the empty string. */
static void put_str(hw_wbuf *w, const char *s, size_t max, size_t min_len) {
    size_t n = strlen(s);
    if (n < min_len || n > max || (n && !proto_str_ok(s, max))) {
        w->bad = 1;
        return;
    }
    hw_put_u16(w, (uint16_t)n);
    hw_put_bytes(w, s, n);
}

int proto_encode(const proto_msg *m, uint8_t *buf, size_t cap, size_t *len) {
    hw_wbuf w;
    hw_wbuf_fixed(&w, buf, cap < PROTO_MAX_MSG ? cap : PROTO_MAX_MSG);
    hw_put_bytes(&w, "HJ", 2);
    hw_put_u8(&w, PROTO_VERSION);
    hw_put_u8(&w, (uint8_t)m->type);
    switch (m->type) {
    case PROTO_HELLO:
        put_str(&w, m->board_id, PROTO_ID_MAX, 1);
        put_str(&w, m->device, PROTO_ID_MAX, 1);
        put_str(&w, m->runner, PROTO_RUNNER_MAX, 1);
        put_str(&w, m->caps, PROTO_CAPS_MAX, 0);
        hw_put_u64(&w, m->job_id);
        hw_put_u32(&w, m->attempt);
        break;
    case PROTO_JOB:
        hw_put_u64(&w, m->job_id);
        hw_put_u32(&w, m->attempt);
        put_str(&w, m->arch, PROTO_ARCH_MAX, 1);
        break;
    case PROTO_RESULT:
        if (m->status < 0 || m->status >= PROTO_ST_COUNT) w.bad = 1;
        hw_put_u64(&w, m->job_id);
        hw_put_u32(&w, m->attempt);
        hw_put_u8(&w, (uint8_t)m->status);
        put_str(&w, m->runner, PROTO_RUNNER_MAX, 1);
        hw_put_u32(&w, m->repetitions);
        hw_put_u32(&w, m->warmup);
        put_f64(&w, m->t_start);
        put_f64(&w, m->t_end);
        put_f64(&w, m->median_ms);
        put_f64(&w, m->mean_ms);
        put_f64(&w, m->std_ms);
        put_f64(&w, m->min_ms);
        put_str(&w, m->error, PROTO_ERROR_MAX, 0);
        break;
    case PROTO_HEARTBEAT:
        if (m->from_board) {
            hw_put_u64(&w, m->job_id);
            hw_put_u32(&w, m->attempt);
            hw_put_u8(&w, m->holding ? 1 : 0);
        }
        break;
    case PROTO_WELCOME:
    case PROTO_WHO:
    case PROTO_BYE:
        break;
    default:
        return hw_fail("proto: cannot encode message type %d", m->type);
    }
    if (w.bad) return hw_fail("proto: %s message has an invalid field or does not fit in %zu bytes",
                              proto_type_name(m->type), w.cap);
    *len = w.n;
    return 0;
}

/* ---- reader (hw_codec.h) ------------------------------------------------ */

/* The codec's reader plus the first problem, for the message. */
typedef struct rbuf {
    hw_rbuf r;
    const char *err; /* first problem, static text */
    const char *field;
} rbuf;

/* Records `truncated` at field when the last get ran past the end. */
static void check(rbuf *r, const char *field) {
    if (!r->err && !hw_rbuf_ok(&r->r)) r->err = "truncated", r->field = field;
}

static uint64_t get_uint(rbuf *r, int nbytes, const char *field) {
    if (r->err) return 0;
    uint64_t v;
    switch (nbytes) {
    case 1: v = hw_get_u8(&r->r); break;
    case 2: v = hw_get_u16(&r->r); break;
    case 4: v = hw_get_u32(&r->r); break;
    default: HW_ASSERT(nbytes == 8); v = hw_get_u64(&r->r); break;
    }
    check(r, field);
    return v;
}

static double get_f64(rbuf *r, const char *field) {
    if (r->err) return 0;
    double v = hw_get_f64(&r->r);
    check(r, field);
    if (!r->err && !isfinite(v)) {
        r->err = "not a finite number";
        r->field = field;
        return 0;
    }
    return v;
}

/* Copies a length-prefixed string of min_len..max printable bytes into dst
 * (capacity max + 1). */
static void get_str(rbuf *r, char *dst, size_t max, size_t min_len, const char *field) {
    dst[0] = 0;
    size_t n = (size_t)get_uint(r, 2, field);
    if (r->err) return;
    if (n > max || n < min_len) {
        r->err = n > max ? "string too long" : "empty string";
        r->field = field;
        return;
    }
    const uint8_t *p = hw_get_span(&r->r, n);
    check(r, field);
    if (r->err) return;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < 0x20 || p[i] > 0x7e) {
            r->err = "non-printable byte in string";
            r->field = field;
            return;
        }
        dst[i] = (char)p[i];
    }
    dst[n] = 0;
}

int proto_decode(const uint8_t *buf, size_t len, int from_board, proto_msg *out) {
    if (len > PROTO_MAX_MSG) return hw_fail("message of %zu bytes exceeds the %d-byte limit", len, PROTO_MAX_MSG);
    if (len < 4) return hw_fail("message of %zu bytes is shorter than the 4-byte header", len);
    if (buf[0] != 'H' || buf[1] != 'J') return hw_fail("bad magic 0x%02x%02x", buf[0], buf[1]);
    if (buf[2] != PROTO_VERSION) return hw_fail("unsupported protocol version %u (want %d)", buf[2], PROTO_VERSION);
    proto_init(out, (proto_type)buf[3]);
    rbuf r = {.err = NULL, .field = NULL};
    hw_rbuf_init(&r.r, buf + 4, len - 4);
    switch (buf[3]) {
    case PROTO_HELLO:
        get_str(&r, out->board_id, PROTO_ID_MAX, 1, "board_id");
        get_str(&r, out->device, PROTO_ID_MAX, 1, "device");
        get_str(&r, out->runner, PROTO_RUNNER_MAX, 1, "runner");
        get_str(&r, out->caps, PROTO_CAPS_MAX, 0, "caps");
        out->job_id = get_uint(&r, 8, "busy_job");
        out->attempt = (uint32_t)get_uint(&r, 4, "busy_attempt");
        break;
    case PROTO_JOB:
        out->job_id = get_uint(&r, 8, "job_id");
        out->attempt = (uint32_t)get_uint(&r, 4, "attempt");
        get_str(&r, out->arch, PROTO_ARCH_MAX, 1, "arch");
        if (!r.err && out->job_id == 0) r.err = "job id 0", r.field = "job_id";
        break;
    case PROTO_RESULT:
        out->job_id = get_uint(&r, 8, "job_id");
        out->attempt = (uint32_t)get_uint(&r, 4, "attempt");
        out->status = (int)get_uint(&r, 1, "status");
        if (!r.err && out->status >= PROTO_ST_COUNT) r.err = "unknown status", r.field = "status";
        get_str(&r, out->runner, PROTO_RUNNER_MAX, 1, "runner");
        out->repetitions = (uint32_t)get_uint(&r, 4, "repetitions");
        out->warmup = (uint32_t)get_uint(&r, 4, "warmup");
        out->t_start = get_f64(&r, "t_start");
        out->t_end = get_f64(&r, "t_end");
        out->median_ms = get_f64(&r, "median_ms");
        out->mean_ms = get_f64(&r, "mean_ms");
        out->std_ms = get_f64(&r, "std_ms");
        out->min_ms = get_f64(&r, "min_ms");
        get_str(&r, out->error, PROTO_ERROR_MAX, 0, "error");
        if (!r.err && out->job_id == 0) r.err = "job id 0", r.field = "job_id";
        break;
    case PROTO_HEARTBEAT:
        out->from_board = from_board;
        if (from_board) {
            out->job_id = get_uint(&r, 8, "last_job");
            out->attempt = (uint32_t)get_uint(&r, 4, "last_attempt");
            unsigned h = (unsigned)get_uint(&r, 1, "holding");
            if (!r.err && h > 1) r.err = "must be 0 or 1", r.field = "holding";
            out->holding = (int)h;
        }
        break;
    case PROTO_WELCOME:
    case PROTO_WHO:
    case PROTO_BYE:
        break;
    default:
        return hw_fail("unknown message type %u", buf[3]);
    }
    if (r.err) return hw_fail("%s message: field '%s': %s", proto_type_name(out->type), r.field, r.err);
    if (!hw_rbuf_done(&r.r))
        return hw_fail("%s message: %zu trailing bytes", proto_type_name(out->type), hw_rbuf_left(&r.r));
    return 0;
}
