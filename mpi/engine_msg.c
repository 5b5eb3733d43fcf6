/* engine_msg.c: see engine_msg.h. */
#include "engine_msg.h"

#include <stdlib.h>
#include <string.h>

#include "engine_tags.h"
#include "hw_codec.h"
#include "hw_err.h"

_Static_assert(sizeof(hw_genome) == ENGINE_GENOME_BYTES, "genome wire size: update engine_tags.h");
_Static_assert(sizeof(((meas_record *)0)->obj) == 8 * 8 && sizeof(((meas_record *)0)->board) == 32 &&
                   sizeof(((meas_record *)0)->runner) == 16 && sizeof(((meas_record *)0)->ft_where) == 16,
               "meas_record fields changed: update meas_record_put/get (gtserver.c) and ENGINE_RECORD_BYTES");
_Static_assert(ENGINE_PROPOSE_HDR_BYTES == sizeof(uint32_t) + 4 * sizeof(int32_t) + sizeof(double), "PROPOSE header");
_Static_assert(ENGINE_UPDATE_HDR_BYTES == sizeof(uint32_t) + 6 * sizeof(int32_t) + 2 * sizeof(double) + sizeof(uint64_t),
               "UPDATE header");

static void put_genome(hw_wbuf *w, const hw_genome *g) {
    for (int i = 0; i < HW_MAX_GENES; i++) hw_put_u16(w, (uint16_t)g->g[i]);
}

static void get_genome(hw_rbuf *r, hw_genome *g) {
    for (int i = 0; i < HW_MAX_GENES; i++) g->g[i] = (int16_t)hw_get_u16(r);
}

/* Hands over the buffer of w; an int length (MPI counts) is asserted. */
static uint8_t *take(hw_wbuf *w, int *len) {
    size_t n;
    uint8_t *b = hw_wbuf_take(w, &n);
    HW_ASSERT(b != NULL && n < ((size_t)1 << 31));
    *len = (int)n;
    return b;
}

/* Starts a reader: version check. */
static int open_msg(hw_rbuf *r, const uint8_t *buf, size_t len, const char *what) {
    hw_rbuf_init(r, buf, len);
    uint32_t v = hw_get_u32(r);
    if (!hw_rbuf_ok(r)) return hw_fail("%s message: %zu bytes, shorter than its header", what, len);
    if (v != ENGINE_WIRE_VERSION) return hw_fail("%s message: wire version %u, expected %u", what, v, ENGINE_WIRE_VERSION);
    return 0;
}

/* A count of items of `size` bytes each that must fit in what is left. */
static int check_count(const hw_rbuf *r, int64_t n, size_t size, const char *what) {
    if (!hw_rbuf_ok(r) || n < 0 || (uint64_t)n > hw_rbuf_left(r) / size)
        return hw_fail("%s message: count %lld does not fit its %zu remaining bytes", what, (long long)n,
                       hw_rbuf_left(r));
    return 0;
}

static int close_msg(const hw_rbuf *r, const char *what) {
    if (!hw_rbuf_done(r)) return hw_fail("%s message: %zu bytes, its fields account for %zu", what, r->n, r->off);
    return 0;
}

uint8_t *emsg_propose_pack(const emsg_propose *h, const hw_genome *g, int *len) {
    hw_wbuf w;
    hw_wbuf_init(&w);
    hw_put_u32(&w, ENGINE_WIRE_VERSION);
    hw_put_i32(&w, h->gen);
    hw_put_i32(&w, h->n_batch);
    hw_put_i32(&w, h->n);
    hw_put_i32(&w, h->signal);
    hw_put_f64(&w, h->busy_s);
    HW_ASSERT(w.n == ENGINE_PROPOSE_HDR_BYTES);
    for (int i = 0; i < h->n; i++) put_genome(&w, &g[i]);
    return take(&w, len);
}

int emsg_propose_unpack(const uint8_t *buf, size_t len, emsg_propose *h, hw_genome **g) {
    hw_rbuf r;
    *g = NULL;
    if (open_msg(&r, buf, len, "PROPOSE")) return -1;
    h->gen = hw_get_i32(&r);
    h->n_batch = hw_get_i32(&r);
    h->n = hw_get_i32(&r);
    h->signal = hw_get_i32(&r);
    h->busy_s = hw_get_f64(&r);
    if (check_count(&r, h->n, ENGINE_GENOME_BYTES, "PROPOSE")) return -1;
    *g = hw_malloc((size_t)(h->n ? h->n : 1) * sizeof **g);
    for (int i = 0; i < h->n; i++) get_genome(&r, &(*g)[i]);
    if (close_msg(&r, "PROPOSE")) {
        free(*g);
        *g = NULL;
        return -1;
    }
    return 0;
}

uint8_t *emsg_update_pack(const emsg_update *u, int *len) {
    hw_wbuf w;
    hw_wbuf_init(&w);
    hw_put_u32(&w, ENGINE_WIRE_VERSION);
    hw_put_i32(&w, u->gen);
    hw_put_i32(&w, u->stop);
    hw_put_i32(&w, u->boundary);
    hw_put_i32(&w, u->served);
    hw_put_i32(&w, u->n_rec);
    hw_put_i32(&w, u->bcast);
    hw_put_f64(&w, u->meas_s);
    hw_put_f64(&w, u->comp_s);
    hw_put_u64(&w, u->blob ? u->blob_len : UINT64_MAX); /* UINT64_MAX: no blob */
    HW_ASSERT(w.n == ENGINE_UPDATE_HDR_BYTES);
    if (u->bcast) return take(&w, len);
    for (int i = 0; i < u->n_rec; i++) meas_record_put(&w, &u->rec[i]);
    HW_ASSERT(w.n == ENGINE_UPDATE_HDR_BYTES + (size_t)u->n_rec * ENGINE_RECORD_BYTES || w.bad);
    if (u->blob) hw_put_bytes(&w, u->blob, u->blob_len);
    return take(&w, len);
}

size_t emsg_update_body_len(const emsg_update *u) {
    return (size_t)u->n_rec * ENGINE_RECORD_BYTES + (u->blob || u->has_blob ? (size_t)u->blob_len : 0);
}

uint8_t *emsg_update_body_pack(const emsg_update *u, int *len) {
    hw_wbuf w;
    hw_wbuf_init(&w);
    for (int i = 0; i < u->n_rec; i++) meas_record_put(&w, &u->rec[i]);
    if (u->blob) hw_put_bytes(&w, u->blob, u->blob_len);
    HW_ASSERT(w.n == emsg_update_body_len(u) || w.bad);
    return take(&w, len);
}

int emsg_update_body_unpack(const uint8_t *buf, size_t len, emsg_update *u) {
    if (len != emsg_update_body_len(u))
        return hw_fail("UPDATE body: %zu bytes, its header announced %zu", len, emsg_update_body_len(u));
    hw_rbuf r;
    hw_rbuf_init(&r, buf, len);
    meas_record *rec = hw_calloc((size_t)(u->n_rec ? u->n_rec : 1), sizeof *rec);
    for (int i = 0; i < u->n_rec; i++) meas_record_get(&r, &rec[i]);
    u->rec = rec;
    u->blob = u->has_blob ? hw_get_span(&r, (size_t)u->blob_len) : NULL;
    HW_ASSERT(hw_rbuf_done(&r)); /* the length was checked above */
    return 0;
}

int emsg_update_unpack(const uint8_t *buf, size_t len, emsg_update *u) {
    hw_rbuf r;
    memset(u, 0, sizeof *u);
    if (open_msg(&r, buf, len, "UPDATE")) return -1;
    u->gen = hw_get_i32(&r);
    u->stop = hw_get_i32(&r);
    u->boundary = hw_get_i32(&r);
    u->served = hw_get_i32(&r);
    u->n_rec = hw_get_i32(&r);
    u->bcast = hw_get_i32(&r);
    u->meas_s = hw_get_f64(&r);
    u->comp_s = hw_get_f64(&r);
    uint64_t bl = hw_get_u64(&r);
    if (u->bcast) { /* records and blob follow as the broadcast body */
        u->has_blob = bl != UINT64_MAX;
        u->blob_len = u->has_blob ? bl : 0;
        if (!hw_rbuf_ok(&r) || u->n_rec < 0 ||
            (uint64_t)u->n_rec * ENGINE_RECORD_BYTES + u->blob_len >= (uint64_t)1 << 31)
            return hw_fail("UPDATE message: broadcast body of %d records and %llu blob bytes", u->n_rec,
                           (unsigned long long)u->blob_len);
        return close_msg(&r, "UPDATE");
    }
    if (check_count(&r, u->n_rec, ENGINE_RECORD_BYTES, "UPDATE")) return -1;
    meas_record *rec = hw_calloc((size_t)(u->n_rec ? u->n_rec : 1), sizeof *rec);
    u->rec = rec;
    for (int i = 0; i < u->n_rec; i++) meas_record_get(&r, &rec[i]);
    if (bl != UINT64_MAX) {
        if (bl > hw_rbuf_left(&r)) {
            hw_fail("UPDATE message: model blob of %llu bytes, %zu left", (unsigned long long)bl, hw_rbuf_left(&r));
            goto fail;
        }
        u->blob = hw_get_span(&r, (size_t)bl);
        u->blob_len = bl;
    }
    if (close_msg(&r, "UPDATE")) goto fail;
    return 0;
fail:
    free(rec);
    u->rec = NULL;
    return -1;
}

uint8_t *emsg_genomes_pack(const hw_genome *g, int n, const uint64_t *ids, int64_t nid, int *len) {
    hw_wbuf w;
    hw_wbuf_init(&w);
    hw_put_u32(&w, ENGINE_WIRE_VERSION);
    hw_put_i32(&w, n);
    HW_ASSERT(w.n == ENGINE_GENOMES_HDR_BYTES);
    for (int i = 0; i < n; i++) put_genome(&w, &g[i]);
    hw_put_i64(&w, nid);
    for (int64_t i = 0; i < nid; i++) hw_put_u64(&w, ids[i]);
    return take(&w, len);
}

int emsg_genomes_unpack(const uint8_t *buf, size_t len, hw_genome **g, int *n, uint64_t **ids, int64_t *nid) {
    hw_rbuf r;
    *g = NULL;
    *ids = NULL;
    if (open_msg(&r, buf, len, "genome list")) return -1;
    *n = hw_get_i32(&r);
    if (check_count(&r, *n, ENGINE_GENOME_BYTES, "genome list")) return -1;
    *g = hw_malloc((size_t)(*n ? *n : 1) * sizeof **g);
    for (int i = 0; i < *n; i++) get_genome(&r, &(*g)[i]);
    *nid = hw_get_i64(&r);
    if (check_count(&r, *nid, 8, "genome list")) goto fail;
    *ids = hw_malloc((size_t)(*nid ? *nid : 1) * sizeof **ids);
    for (int64_t i = 0; i < *nid; i++) (*ids)[i] = hw_get_u64(&r);
    if (close_msg(&r, "genome list")) goto fail;
    return 0;
fail:
    free(*g);
    free(*ids);
    *g = NULL;
    *ids = NULL;
    return -1;
}
