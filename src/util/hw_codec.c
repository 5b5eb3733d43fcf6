#include "hw_codec.h"

#include <stdlib.h>
#include <string.h>

#include "hw_err.h"

void hw_wbuf_init(hw_wbuf *w) { memset(w, 0, sizeof *w); }

void hw_wbuf_fixed(hw_wbuf *w, void *buf, size_t cap) {
    memset(w, 0, sizeof *w);
    w->p = buf;
    w->cap = cap;
    w->fixed = 1;
}

void hw_wbuf_free(hw_wbuf *w) {
    if (!w->fixed) free(w->p);
    memset(w, 0, sizeof *w);
}

uint8_t *hw_wbuf_take(hw_wbuf *w, size_t *n) {
    if (w->bad || w->fixed) {
        hw_wbuf_free(w);
        *n = 0;
        return NULL;
    }
    uint8_t *p = w->p ? w->p : malloc(1);
    *n = w->n;
    memset(w, 0, sizeof *w);
    return p;
}

/* Room for K more bytes: 0, or -1 (and bad) when it cannot be had. */
static int reserve(hw_wbuf *w, size_t k) {
    if (w->bad) return -1;
    if (k <= w->cap - w->n) return 0;
    if (w->fixed || k > SIZE_MAX / 2 - w->n) {
        w->bad = 1;
        return -1;
    }
    size_t cap = w->cap ? w->cap : 256;
    while (cap - w->n < k) cap *= 2;
    uint8_t *p = realloc(w->p, cap);
    if (!p) {
        w->bad = 1;
        return -1;
    }
    w->p = p;
    w->cap = cap;
    return 0;
}

void hw_put_bytes(hw_wbuf *w, const void *src, size_t n) {
    if (!n || reserve(w, n) < 0) return;
    memcpy(w->p + w->n, src, n);
    w->n += n;
}

static void put_le(hw_wbuf *w, uint64_t v, int nbytes) {
    if (reserve(w, (size_t)nbytes) < 0) return;
    for (int i = 0; i < nbytes; i++) w->p[w->n + (size_t)i] = (uint8_t)(v >> (8 * i));
    w->n += (size_t)nbytes;
}

void hw_put_u8(hw_wbuf *w, uint8_t v) { put_le(w, v, 1); }
void hw_put_u16(hw_wbuf *w, uint16_t v) { put_le(w, v, 2); }
void hw_put_u32(hw_wbuf *w, uint32_t v) { put_le(w, v, 4); }
void hw_put_u64(hw_wbuf *w, uint64_t v) { put_le(w, v, 8); }
void hw_put_i32(hw_wbuf *w, int32_t v) { put_le(w, (uint32_t)v, 4); }
void hw_put_i64(hw_wbuf *w, int64_t v) { put_le(w, (uint64_t)v, 8); }

void hw_put_f32(hw_wbuf *w, float v) {
    uint32_t u;
    memcpy(&u, &v, 4);
    put_le(w, u, 4);
}

void hw_put_f64(hw_wbuf *w, double v) {
    uint64_t u;
    memcpy(&u, &v, 8);
    put_le(w, u, 8);
}

void hw_put_f64s(hw_wbuf *w, const double *v, size_t n) {
    if (n > SIZE_MAX / 8 || reserve(w, n * 8) < 0) return;
    for (size_t i = 0; i < n; i++) hw_put_f64(w, v[i]);
}

void hw_put_f32s(hw_wbuf *w, const float *v, size_t n) {
    if (n > SIZE_MAX / 4 || reserve(w, n * 4) < 0) return;
    for (size_t i = 0; i < n; i++) hw_put_f32(w, v[i]);
}

void hw_put_i32s(hw_wbuf *w, const int32_t *v, size_t n) {
    if (n > SIZE_MAX / 4 || reserve(w, n * 4) < 0) return;
    for (size_t i = 0; i < n; i++) hw_put_i32(w, v[i]);
}

void hw_put_i16s(hw_wbuf *w, const int16_t *v, size_t n) {
    if (n > SIZE_MAX / 2 || reserve(w, n * 2) < 0) return;
    for (size_t i = 0; i < n; i++) put_le(w, (uint16_t)v[i], 2);
}

void hw_put_u64s(hw_wbuf *w, const uint64_t *v, size_t n) {
    if (n > SIZE_MAX / 8 || reserve(w, n * 8) < 0) return;
    for (size_t i = 0; i < n; i++) put_le(w, v[i], 8);
}

void hw_put_str(hw_wbuf *w, const char *s) {
    size_t n = s ? strlen(s) : 0;
    if (n > UINT32_MAX) {
        w->bad = 1;
        return;
    }
    hw_put_u32(w, (uint32_t)n);
    hw_put_bytes(w, s, n);
}

void hw_rbuf_init(hw_rbuf *r, const void *p, size_t n) {
    r->p = p;
    r->n = p ? n : 0;
    r->off = 0;
    r->bad = 0;
}

const uint8_t *hw_get_span(hw_rbuf *r, size_t n) {
    if (r->bad || n > r->n - r->off) {
        r->bad = 1;
        return NULL;
    }
    const uint8_t *s = r->p + r->off;
    r->off += n;
    return s;
}

void hw_get_bytes(hw_rbuf *r, void *dst, size_t n) {
    const uint8_t *s = hw_get_span(r, n);
    if (s) memcpy(dst, s, n);
    else if (n) memset(dst, 0, n);
}

static uint64_t get_le(hw_rbuf *r, int nbytes) {
    const uint8_t *s = hw_get_span(r, (size_t)nbytes);
    if (!s) return 0;
    uint64_t v = 0;
    for (int i = 0; i < nbytes; i++) v |= (uint64_t)s[i] << (8 * i);
    return v;
}

uint8_t hw_get_u8(hw_rbuf *r) { return (uint8_t)get_le(r, 1); }
uint16_t hw_get_u16(hw_rbuf *r) { return (uint16_t)get_le(r, 2); }
uint32_t hw_get_u32(hw_rbuf *r) { return (uint32_t)get_le(r, 4); }
uint64_t hw_get_u64(hw_rbuf *r) { return get_le(r, 8); }
int32_t hw_get_i32(hw_rbuf *r) { return (int32_t)(uint32_t)get_le(r, 4); }
int64_t hw_get_i64(hw_rbuf *r) { return (int64_t)get_le(r, 8); }

float hw_get_f32(hw_rbuf *r) {
    uint32_t u = (uint32_t)get_le(r, 4);
    float v;
    memcpy(&v, &u, 4);
    return v;
}

double hw_get_f64(hw_rbuf *r) {
    uint64_t u = get_le(r, 8);
    double v;
    memcpy(&v, &u, 8);
    return v;
}

void hw_get_f64s(hw_rbuf *r, double *v, size_t n) {
    if (n > SIZE_MAX / 8 || n * 8 > hw_rbuf_left(r)) {
        r->bad = 1;
        memset(v, 0, n * sizeof *v);
        return;
    }
    for (size_t i = 0; i < n; i++) v[i] = hw_get_f64(r);
}

void hw_get_f32s(hw_rbuf *r, float *v, size_t n) {
    if (n > SIZE_MAX / 4 || n * 4 > hw_rbuf_left(r)) {
        r->bad = 1;
        memset(v, 0, n * sizeof *v);
        return;
    }
    for (size_t i = 0; i < n; i++) v[i] = hw_get_f32(r);
}

void hw_get_i32s(hw_rbuf *r, int32_t *v, size_t n) {
    if (n > SIZE_MAX / 4 || n * 4 > hw_rbuf_left(r)) {
        r->bad = 1;
        memset(v, 0, n * sizeof *v);
        return;
    }
    for (size_t i = 0; i < n; i++) v[i] = hw_get_i32(r);
}

void hw_get_i16s(hw_rbuf *r, int16_t *v, size_t n) {
    if (n > SIZE_MAX / 2 || n * 2 > hw_rbuf_left(r)) {
        r->bad = 1;
        memset(v, 0, n * sizeof *v);
        return;
    }
    for (size_t i = 0; i < n; i++) v[i] = (int16_t)(uint16_t)get_le(r, 2);
}

void hw_get_u64s(hw_rbuf *r, uint64_t *v, size_t n) {
    if (n > SIZE_MAX / 8 || n * 8 > hw_rbuf_left(r)) {
        r->bad = 1;
        memset(v, 0, n * sizeof *v);
        return;
    }
    for (size_t i = 0; i < n; i++) v[i] = get_le(r, 8);
}

void hw_get_str(hw_rbuf *r, char *dst, size_t cap) {
    uint32_t n = hw_get_u32(r);
    const uint8_t *s = hw_get_span(r, n);
    if (!s || (size_t)n >= cap || memchr(s, 0, n)) {
        r->bad = 1;
        if (cap) dst[0] = 0;
        return;
    }
    memcpy(dst, s, n);
    dst[n] = 0;
}

char *hw_get_strdup(hw_rbuf *r) {
    uint32_t n = hw_get_u32(r);
    const uint8_t *s = hw_get_span(r, n);
    if (!s || memchr(s, 0, n)) {
        r->bad = 1;
        return NULL;
    }
    char *d = malloc((size_t)n + 1);
    if (!d) {
        r->bad = 1;
        return NULL;
    }
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

void hw_put_header(hw_wbuf *w, const char *magic, size_t magic_len, uint32_t version) {
    hw_put_bytes(w, magic, magic_len);
    hw_put_u32(w, version);
}

int hw_get_header_range(hw_rbuf *r, const char *magic, size_t magic_len, uint32_t oldest, uint32_t version,
                        const char *what, uint32_t *got) {
    const uint8_t *m = hw_get_span(r, magic_len);
    if (!m) return hw_fail("truncated %s header (%zu bytes)", what, r->n);
    if (memcmp(m, magic, magic_len)) return hw_fail("not an %s (bad magic)", what);
    uint32_t v = hw_get_u32(r);
    if (!hw_rbuf_ok(r)) return hw_fail("truncated %s header (%zu bytes)", what, r->n);
    if (v < oldest || v > version)
        return hw_fail("%s: written by %s hwnas, format version %u; this build reads format version %u", what,
                       v < oldest ? "an older" : "a newer", v, version);
    if (got) *got = v;
    return 0;
}

int hw_get_header(hw_rbuf *r, const char *magic, size_t magic_len, uint32_t version, const char *what) {
    return hw_get_header_range(r, magic, magic_len, version, version, what, NULL);
}
