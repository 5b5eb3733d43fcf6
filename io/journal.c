/* journal: length + CRC-32 framed measurement records, fsync per batch. */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ckpt.h"
#include "hw_codec.h"
#include "hw_err.h"

#define J_HEADER 16
#define J_MAGIC 0x524A5748u
#define J_VERSION 1
#define J_MAX_PAYLOAD (1u << 20)

struct journal {
    char *path;
    int fd;
    uint64_t last_seq;
};

/* ---- CRC-32 (IEEE 802.3, reflected, as zlib) -------------------------------- */

static uint32_t crc_table[256];
static int crc_ready;

static void crc_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
    crc_ready = 1;
}

uint32_t hw_crc32(const void *data, size_t n) {
    if (!crc_ready) crc_init();
    const unsigned char *p = data;
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

/* ---- batch buffer -------------------------------------------------------------- */

/* The bytes of one write() (header, records); fields are encoded by
 * hw_codec.h below. */
typedef struct jbuf {
    unsigned char *p;
    size_t len, cap;
} jbuf;

static void jb_bytes(jbuf *b, const void *src, size_t n) {
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n) cap *= 2;
        b->p = hw_realloc(b->p, cap);
        b->cap = cap;
    }
    memcpy(b->p + b->len, src, n);
    b->len += n;
}

/* ---- records (hw_codec.h: little-endian) ---------------------------------------- */

/* Appends one framed record for M (with sequence number SEQ) to B. */
static void encode(jbuf *b, const run_measurement *m, uint64_t seq) {
    hw_wbuf pl;
    hw_wbuf_init(&pl);
    hw_put_u64(&pl, seq);
    hw_put_f64(&pl, m->value);
    hw_put_f64(&pl, m->t_start);
    hw_put_f64(&pl, m->t_end);
    hw_put_str(&pl, m->arch);
    hw_put_str(&pl, m->device);
    hw_put_str(&pl, m->target);
    hw_put_str(&pl, m->board);
    hw_put_str(&pl, m->runner);
    uint8_t frame[12];
    hw_wbuf f;
    hw_wbuf_fixed(&f, frame, sizeof frame);
    hw_put_u32(&f, J_MAGIC);
    hw_put_u32(&f, (uint32_t)pl.n);
    hw_put_u32(&f, hw_crc32(pl.p, pl.n));
    HW_ASSERT(!pl.bad && !f.bad);
    jb_bytes(b, frame, sizeof frame);
    jb_bytes(b, pl.p, pl.n);
    hw_wbuf_free(&pl);
}

/* Decodes the payload P (L bytes) into M (heap strings); -1 if malformed. */
static int decode(const unsigned char *p, uint32_t l, run_measurement *m) {
    hw_rbuf r;
    hw_rbuf_init(&r, p, l);
    memset(m, 0, sizeof *m);
    m->seq = hw_get_u64(&r);
    m->value = hw_get_f64(&r);
    m->t_start = hw_get_f64(&r);
    m->t_end = hw_get_f64(&r);
    char **dst[5] = {&m->arch, &m->device, &m->target, &m->board, &m->runner};
    for (int k = 0; k < 5 && hw_rbuf_ok(&r); k++) {
        uint32_t n = hw_get_u32(&r);
        const uint8_t *s = hw_get_span(&r, n);
        if (!s) break;
        *dst[k] = strndup((const char *)s, n);
        HW_ASSERT(*dst[k]);
    }
    if (!hw_rbuf_done(&r)) {
        run_measurement_clear(m);
        return -1;
    }
    return 0;
}

/* u32 little-endian at P (record framing, scanned in place). */
static uint32_t rd_u32(const unsigned char *p) {
    hw_rbuf r;
    hw_rbuf_init(&r, p, 4);
    return hw_get_u32(&r);
}

/* ---- reading ----------------------------------------------------------------- */

static int slurp(const char *path, unsigned char **out, size_t *out_len, int *missing) {
    *out = NULL;
    *out_len = 0;
    *missing = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) {
            *missing = 1;
            return 0;
        }
        return hw_fail("%s: cannot open: %s", path, strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        close(fd);
        return hw_fail("%s: cannot stat: %s", path, strerror(errno));
    }
    size_t n = (size_t)st.st_size;
    unsigned char *buf = hw_malloc(n ? n : 1);
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    *out = buf;
    *out_len = got;
    return 0;
}

/* Scans BUF: calls back for each complete record; returns the offset of the
 * end of the last complete record, or -1 if the header is bad. */
typedef int (*rec_fn)(void *ctx, const run_measurement *m);

static long scan(const char *path, const unsigned char *buf, size_t len, rec_fn fn, void *ctx) {
    if (len < J_HEADER) {
        if (len == 0) return 0; /* created but header never written */
        if (memcmp(buf, "HWNASJNL", len < 8 ? len : 8) == 0) return 0; /* torn header */
        return hw_fail("%s: not an hwnas journal (short header)", path);
    }
    hw_rbuf h;
    hw_rbuf_init(&h, buf, J_HEADER);
    if (hw_get_header(&h, "HWNASJNL", 8, J_VERSION, "hwnas journal")) return hw_fail_prefix("%s", path);
    size_t off = J_HEADER;
    while (off + 12 <= len) {
        uint32_t magic = rd_u32(buf + off), l = rd_u32(buf + off + 4), crc = rd_u32(buf + off + 8);
        if (magic != J_MAGIC || l > J_MAX_PAYLOAD || l > len - off - 12) break;
        if (hw_crc32(buf + off + 12, l) != crc) break;
        run_measurement m;
        if (decode(buf + off + 12, l, &m) < 0) break;
        int rc = fn(ctx, &m);
        if (rc < 0) return -1;
        off += 12 + l;
    }
    return (long)off;
}

typedef struct collect {
    run_measurement *v;
    int n, cap;
    uint64_t min_seq; /* keep records with seq > min_seq */
    uint64_t max_seq;
} collect;

static int collect_rec(void *ctx, const run_measurement *m) {
    collect *c = ctx;
    if (m->seq > c->max_seq) c->max_seq = m->seq;
    if (m->seq <= c->min_seq) {
        run_measurement tmp = *m;
        run_measurement_clear(&tmp);
        return 0;
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 16;
        c->v = hw_realloc(c->v, sizeof(run_measurement) * c->cap);
    }
    c->v[c->n++] = *m;
    return 0;
}

static void collect_free(collect *c) {
    for (int i = 0; i < c->n; i++) run_measurement_clear(&c->v[i]);
    free(c->v);
}

/* Reads PATH keeping records with seq > MIN_SEQ. */
static int load(const char *path, uint64_t min_seq, collect *c, long *out_good, long *out_torn) {
    unsigned char *buf;
    size_t len;
    int missing;
    memset(c, 0, sizeof *c);
    c->min_seq = min_seq;
    if (slurp(path, &buf, &len, &missing) < 0) return -1;
    if (missing) {
        *out_good = -1;
        *out_torn = 0;
        return 0;
    }
    long good = scan(path, buf, len, collect_rec, c);
    free(buf);
    if (good < 0) {
        collect_free(c);
        return -1;
    }
    *out_good = good;
    *out_torn = (long)len - good;
    if (len < J_HEADER) *out_torn = 0;
    return 0;
}

int journal_read_all(const char *path, run_measurement **out, int *out_n, long *out_torn_bytes) {
    collect c;
    long good, torn;
    if (load(path, 0, &c, &good, &torn) < 0) return -1;
    *out = c.v;
    *out_n = c.n;
    if (out_torn_bytes) *out_torn_bytes = torn;
    return 0;
}

int journal_replay(const char *path, run_snapshot *s, long *out_torn_bytes) {
    collect c;
    long good, torn;
    if (load(path, s->meas_seq, &c, &good, &torn) < 0) return -1;
    if (out_torn_bytes) *out_torn_bytes = torn;
    if (c.n) {
        s->meas = hw_realloc(s->meas, sizeof(run_measurement) * (size_t)(s->nmeas + c.n));
        memcpy(s->meas + s->nmeas, c.v, sizeof(run_measurement) * (size_t)c.n);
        s->nmeas += c.n;
        for (int i = 0; i < c.n; i++)
            if (c.v[i].seq > s->meas_seq) s->meas_seq = c.v[i].seq;
    }
    free(c.v);
    return c.n;
}

/* ---- writing ------------------------------------------------------------------ */

int journal_path(const char *runpath, char *buf, size_t n) {
    int k = snprintf(buf, n, "%s.journal", runpath);
    if (k < 0 || (size_t)k >= n) return hw_fail("%s: path too long", runpath);
    return 0;
}

static int write_all(int fd, const unsigned char *p, size_t n) {
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void header(jbuf *b) {
    uint8_t h[J_HEADER];
    hw_wbuf w;
    hw_wbuf_fixed(&w, h, sizeof h);
    hw_put_header(&w, "HWNASJNL", 8, J_VERSION);
    hw_put_u32(&w, 0);
    HW_ASSERT(!w.bad && w.n == J_HEADER);
    jb_bytes(b, h, sizeof h);
}

int journal_open(const char *path, uint64_t min_seq, journal **out) {
    collect c;
    long good, torn;
    *out = NULL;
    if (load(path, 0, &c, &good, &torn) < 0) return -1;
    uint64_t last = c.max_seq > min_seq ? c.max_seq : min_seq;
    collect_free(&c);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return hw_fail("%s: cannot open journal: %s", path, strerror(errno));
    if (good < J_HEADER) {
        /* new, empty or torn header: (re)write the header */
        jbuf b = {0};
        header(&b);
        int e = ftruncate(fd, 0) < 0 || write_all(fd, b.p, b.len) < 0 || fdatasync(fd) < 0;
        free(b.p);
        if (e) {
            int er = errno;
            close(fd);
            return hw_fail("%s: cannot write journal header: %s", path, strerror(er));
        }
        if (good < 0 && ckpt_fsync_dir_of(path) < 0) {
            close(fd);
            return -1;
        }
    } else if (torn > 0) {
        if (ftruncate(fd, good) < 0 || fdatasync(fd) < 0) {
            int er = errno;
            close(fd);
            return hw_fail("%s: cannot cut the torn tail: %s", path, strerror(er));
        }
    }
    if (lseek(fd, 0, SEEK_END) < 0) {
        close(fd);
        return hw_fail("%s: seek failed: %s", path, strerror(errno));
    }
    journal *j = hw_calloc(1, sizeof *j);
    j->path = hw_strdup(path);
    j->fd = fd;
    j->last_seq = last;
    *out = j;
    return 0;
}

const char *journal_file(const journal *j) { return j->path; }

uint64_t journal_last_seq(const journal *j) {
    return j->last_seq;
}

int journal_append(journal *j, run_measurement *m, int n) {
    if (n <= 0) return 0;
    jbuf b = {0};
    for (int i = 0; i < n; i++) {
        const char *f[5] = {m[i].arch, m[i].device, m[i].target, m[i].board, m[i].runner};
        for (int k = 0; k < 5; k++)
            if (!f[k] || strlen(f[k]) >= 65536) {
                free(b.p);
                return hw_fail("%s: measurement %d: missing or oversized string field", j->path, i);
            }
        encode(&b, &m[i], j->last_seq + 1 + (uint64_t)i);
    }
    off_t end = lseek(j->fd, 0, SEEK_END);
    if (end < 0 || write_all(j->fd, b.p, b.len) < 0 || fdatasync(j->fd) < 0) {
        int e = errno;
        free(b.p);
        /* drop a partial batch so the next append follows valid records */
        if (end >= 0 && ftruncate(j->fd, end) == 0) (void)lseek(j->fd, end, SEEK_SET);
        return hw_fail("%s: journal write failed: %s", j->path, strerror(e));
    }
    free(b.p);
    for (int i = 0; i < n; i++) m[i].seq = j->last_seq + 1 + (uint64_t)i;
    j->last_seq += (uint64_t)n;
    return 0;
}

int journal_compact(journal *j, uint64_t covered_seq) {
    collect c;
    long good, torn;
    if (load(j->path, covered_seq, &c, &good, &torn) < 0) return -1;
    jbuf b = {0};
    header(&b);
    for (int i = 0; i < c.n; i++) encode(&b, &c.v[i], c.v[i].seq);
    collect_free(&c);
    size_t n = strlen(j->path) + 5;
    char *tmp = hw_malloc(n);
    snprintf(tmp, n, "%s.tmp", j->path);
    int rc = -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        hw_fail("%s: cannot create: %s", tmp, strerror(errno));
        goto out;
    }
    if (write_all(fd, b.p, b.len) < 0 || fsync(fd) < 0) {
        hw_fail("%s: write failed: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        goto out;
    }
    if (rename(tmp, j->path) < 0) {
        hw_fail("%s: rename failed: %s", j->path, strerror(errno));
        close(fd);
        unlink(tmp);
        goto out;
    }
    if (ckpt_fsync_dir_of(j->path) < 0) {
        close(fd);
        goto out;
    }
    close(j->fd);
    j->fd = open(j->path, O_RDWR | O_CLOEXEC);
    close(fd);
    if (j->fd < 0 || lseek(j->fd, 0, SEEK_END) < 0) {
        hw_fail("%s: cannot reopen journal: %s", j->path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    free(b.p);
    free(tmp);
    return rc;
}

void journal_close(journal *j) {
    if (!j) return;
    if (j->fd >= 0) close(j->fd);
    free(j->path);
    free(j);
}
