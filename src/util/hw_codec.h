/* hw_codec: the one little-endian byte codec behind every hwnas serialiser
 * (wire protocol, journal, checkpoint blobs, predictor models, MPI
 * messages). Values are written in a fixed width, least significant byte
 * first, whatever the host: a file or message written on x86 reads the same
 * on aarch64.
 *
 * Writers never fail mid-way: a put that does not fit (fixed buffer) or
 * cannot grow (out of memory) sets `bad` and every later put is a no-op, so
 * a serialiser checks once at the end. Readers likewise: a get past the end
 * sets `bad` and returns 0; check hw_rbuf_ok() / hw_rbuf_done() once. */
#ifndef HW_CODEC_H
#define HW_CODEC_H

#include <stddef.h>
#include <stdint.h>

typedef struct hw_wbuf {
    uint8_t *p;
    size_t n, cap;
    int bad;    /* 1 once a put did not fit or could not grow */
    int fixed;  /* 1: caller's buffer, never grown or freed */
} hw_wbuf;

/* A growable buffer (p == NULL until the first put); free with hw_wbuf_free. */
void hw_wbuf_init(hw_wbuf *w);
/* A fixed buffer of CAP bytes owned by the caller. */
void hw_wbuf_fixed(hw_wbuf *w, void *buf, size_t cap);
void hw_wbuf_free(hw_wbuf *w);
/* Hands the bytes to the caller (who frees them) and resets W; NULL if bad. */
uint8_t *hw_wbuf_take(hw_wbuf *w, size_t *n);

void hw_put_bytes(hw_wbuf *w, const void *src, size_t n);
void hw_put_u8(hw_wbuf *w, uint8_t v);
void hw_put_u16(hw_wbuf *w, uint16_t v);
void hw_put_u32(hw_wbuf *w, uint32_t v);
void hw_put_u64(hw_wbuf *w, uint64_t v);
void hw_put_i32(hw_wbuf *w, int32_t v);
void hw_put_i64(hw_wbuf *w, int64_t v);
void hw_put_f32(hw_wbuf *w, float v);
void hw_put_f64(hw_wbuf *w, double v);
/* N doubles / floats / int32s, each as above. */
void hw_put_f64s(hw_wbuf *w, const double *v, size_t n);
void hw_put_f32s(hw_wbuf *w, const float *v, size_t n);
void hw_put_i32s(hw_wbuf *w, const int32_t *v, size_t n);
void hw_put_i16s(hw_wbuf *w, const int16_t *v, size_t n);
void hw_put_u64s(hw_wbuf *w, const uint64_t *v, size_t n);
/* u32 length, then the bytes (no terminator). NULL writes length 0. */
void hw_put_str(hw_wbuf *w, const char *s);
/* A format's header: the MAGIC_LEN bytes of MAGIC, then u32 VERSION. */
void hw_put_header(hw_wbuf *w, const char *magic, size_t magic_len, uint32_t version);

typedef struct hw_rbuf {
    const uint8_t *p;
    size_t n, off;
    int bad;    /* 1 once a get ran past the end or a value was invalid */
} hw_rbuf;

void hw_rbuf_init(hw_rbuf *r, const void *p, size_t n);
/* 1 while no get has failed. */
static inline int hw_rbuf_ok(const hw_rbuf *r) { return !r->bad; }
/* 1 when no get failed and every byte was consumed. */
static inline int hw_rbuf_done(const hw_rbuf *r) { return !r->bad && r->off == r->n; }
static inline size_t hw_rbuf_left(const hw_rbuf *r) { return r->bad ? 0 : r->n - r->off; }

/* Copies N bytes to DST (zeros on failure). */
void hw_get_bytes(hw_rbuf *r, void *dst, size_t n);
/* A pointer to the next N bytes inside the buffer, or NULL (and bad). */
const uint8_t *hw_get_span(hw_rbuf *r, size_t n);
uint8_t hw_get_u8(hw_rbuf *r);
uint16_t hw_get_u16(hw_rbuf *r);
uint32_t hw_get_u32(hw_rbuf *r);
uint64_t hw_get_u64(hw_rbuf *r);
int32_t hw_get_i32(hw_rbuf *r);
int64_t hw_get_i64(hw_rbuf *r);
float hw_get_f32(hw_rbuf *r);
double hw_get_f64(hw_rbuf *r);
void hw_get_f64s(hw_rbuf *r, double *v, size_t n);
void hw_get_f32s(hw_rbuf *r, float *v, size_t n);
void hw_get_i32s(hw_rbuf *r, int32_t *v, size_t n);
void hw_get_i16s(hw_rbuf *r, int16_t *v, size_t n);
void hw_get_u64s(hw_rbuf *r, uint64_t *v, size_t n);
/* A string written by hw_put_str into DST (CAP bytes with the terminator);
 * a longer one, or one with a NUL inside, sets bad. */
void hw_get_str(hw_rbuf *r, char *dst, size_t cap);
/* The same, malloc'd (NULL and bad on failure; "" for length 0). */
char *hw_get_strdup(hw_rbuf *r);
/* Reads a header written by hw_put_header and checks it: 0 when the magic
 * matches and the version is VERSION; otherwise -1 with one line naming
 * WHAT (e.g. "hwnas predictor model"): "not an WHAT (bad magic)", "truncated WHAT header", or "WHAT:
 * written by an older (newer) hwnas, format version N; this build reads
 * format version M". */
int hw_get_header(hw_rbuf *r, const char *magic, size_t magic_len, uint32_t version, const char *what);
/* Like hw_get_header but accepts any version in OLDEST..VERSION and
 * returns it in *got. */
int hw_get_header_range(hw_rbuf *r, const char *magic, size_t magic_len, uint32_t oldest, uint32_t version,
                        const char *what, uint32_t *got);

#endif
