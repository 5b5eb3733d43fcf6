#include "disp.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "hw_err.h"
#include "space.h"

#define MAX_AVOID 4
#define BACKOFF_CAP_US 10000000LL
#define ZMQ_MSG_LIMIT 65536 /* libzmq drops peers sending larger frames */

enum { JS_PENDING, JS_DELAYED, JS_INFLIGHT, JS_DONE, JS_CANCELLED };
enum { B_FREE, B_IDLE, B_BUSY, B_FOREIGN };

typedef struct job {
    char *arch;           /* owned */
    int device;           /* index into d->devs */
    int priority;
    int state;            /* JS_* */
    int attempts;         /* dispatches that counted */
    int dedup;            /* 1 if this job is the dedup table's entry */
    int final;            /* disp_status once JS_DONE */
    uint32_t attempt_no;  /* sequence number sent with the current dispatch */
    int board;            /* board slot while JS_INFLIGHT, else -1 */
    int64_t t_sent;       /* monotonic us of the current dispatch */
    int64_t not_before;   /* JS_DELAYED: monotonic us */
    uint64_t avoid[MAX_AVOID]; /* serials of boards that failed it */
    int n_avoid;
    char *last_error;     /* owned, reason of the last failed attempt */
} job;

typedef struct board {
    int state; /* B_* */
    uint8_t rid[256];
    size_t rid_len;
    char id[PROTO_ID_MAX + 1];
    char runner[PROTO_RUNNER_MAX + 1];
    int device;
    int64_t job;      /* job index while B_BUSY, else -1 */
    int64_t last_seen, last_hb; /* monotonic us */
    uint64_t serial;  /* unique per join */
} board;

typedef struct device {
    char name[PROTO_ID_MAX + 1];
    int64_t *heap; /* pending job indices; max-heap on (priority, -index) */
    int n, cap;
} devrec;

struct disp {
    disp_options opt;
    jkey *allow;
    uint8_t (*allow_bin)[32];
    int n_allow;
    void *ctx, *router, *zap, *zap_ctl, *zap_ctl_thread;
    pthread_t zap_thread;
    int zap_started;
    atomic_ullong keys_refused;
    char endpoint[256];

    job *jobs; /* job id = index + 1 */
    int64_t njobs, cap_jobs;
    board *boards;
    int nboards, cap_boards;
    devrec *devs;
    int ndevs;
    uint64_t next_serial;

    int64_t *dedup; /* open addressing: job index + 1, 0 = empty */
    int64_t dedup_cap, dedup_n;

    int64_t *delayed; /* JS_DELAYED job indices */
    int64_t ndelayed, cap_delayed;
    int64_t *aside;
    int64_t cap_aside;

    disp_result *outbox;
    int64_t out_head, out_n, out_cap;

    disp_stats st;
    char (*seen)[PROTO_ID_MAX + 1]; /* ids of every board that ever joined */
    int nseen, cap_seen;
};

/* ---- small helpers ----------------------------------------------------- */

/* Every connection, authenticated or not, holds a descriptor: raises the
 * process's soft RLIMIT_NOFILE to the hard limit (best effort; the soft
 * limit is often 1024 while the hard one is far higher). */
static void raise_fd_limit(void) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static int64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void dlog(const disp *d, const char *fmt, ...) HW_PRINTF(2, 3);
static void dlog(const disp *d, const char *fmt, ...) {
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (d->opt.log) d->opt.log(d->opt.log_ud, line);
    else fprintf(stderr, "hwnas: dispatcher: %s\n", line);
}

/* Logs the first 20 occurrences of an event class, then every power of 2. */
static int log_worthy(uint64_t count) { return count <= 20 || (count & (count - 1)) == 0; }

/* Printable rendering of a routing id for logs. */
static void rid_text(const uint8_t *rid, size_t n, char *out, size_t cap) {
    size_t k = 0;
    for (size_t i = 0; i < n && k + 5 < cap; i++) {
        if (rid[i] >= 0x20 && rid[i] < 0x7f) out[k++] = (char)rid[i];
        else k += (size_t)snprintf(out + k, cap - k, "\\x%02x", rid[i]);
    }
    out[k] = 0;
}

void disp_options_default(disp_options *o) {
    memset(o, 0, sizeof *o);
    o->heartbeat_ms = 500;
    o->dead_ms = 3000;
    o->job_timeout_ms = 0;
    o->max_attempts = 3;
    o->backoff_ms = 100;
}

/* ---- ZAP handler (its own thread) ------------------------------------- */

static int recv_frame(void *s, char *buf, size_t cap, size_t *len, int *more) {
    int n = zmq_recv(s, buf, cap, 0);
    if (n < 0) return -1;
    *len = (size_t)n < cap ? (size_t)n : cap;
    int m = 0;
    size_t ml = sizeof m;
    zmq_getsockopt(s, ZMQ_RCVMORE, &m, &ml);
    *more = m;
    return 0;
}

/* Answers one ZAP request: CURVE clients whose public key is in the
 * allow-list get 200, everything else 400 (and a log line). */
static void zap_handle(disp *d) {
    char fr[8][256];
    size_t len[8];
    int nf = 0, more = 1;
    while (more) {
        char sink[256];
        size_t l;
        if (recv_frame(d->zap, nf < 8 ? fr[nf] : sink, 256, &l, &more) != 0) return;
        if (nf < 8) len[nf] = l;
        nf++;
    }
    if (nf < 6) return; /* not a ZAP request; nothing sensible to answer */
    int ok = 0;
    char keytxt[JKEY_LEN + 1] = "?";
    if (nf == 7 && len[5] == 5 && !memcmp(fr[5], "CURVE", 5) && len[6] == 32) {
        zmq_z85_encode(keytxt, (uint8_t *)fr[6], 32);
        for (int i = 0; i < d->n_allow && !ok; i++) ok = !memcmp(d->allow_bin[i], fr[6], 32);
    }
    if (!ok) {
        uint64_t c = atomic_fetch_add(&d->keys_refused, 1) + 1;
        char addr[64];
        snprintf(addr, sizeof addr, "%.*s", (int)(len[3] < 63 ? len[3] : 63), fr[3]);
        if (log_worthy(c))
            dlog(d, "refused a board with public key %s from %s: not in the allow-list (%llu refusals)", keytxt,
                 addr, (unsigned long long)c);
    }
    const char *code = ok ? "200" : "400", *text = ok ? "OK" : "key not allowed";
    zmq_send(d->zap, "1.0", 3, ZMQ_SNDMORE);
    zmq_send(d->zap, fr[1], len[1], ZMQ_SNDMORE);
    zmq_send(d->zap, code, 3, ZMQ_SNDMORE);
    zmq_send(d->zap, text, strlen(text), ZMQ_SNDMORE);
    zmq_send(d->zap, ok ? keytxt : "", ok ? JKEY_LEN : 0, ZMQ_SNDMORE);
    zmq_send(d->zap, "", 0, 0);
}

static void *zap_main(void *arg) {
    disp *d = arg;
    zmq_pollitem_t it[2] = {{d->zap, 0, ZMQ_POLLIN, 0}, {d->zap_ctl_thread, 0, ZMQ_POLLIN, 0}};
    for (;;) {
        if (zmq_poll(it, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (it[1].revents & ZMQ_POLLIN) break;
        if (it[0].revents & ZMQ_POLLIN) zap_handle(d);
    }
    return NULL;
}

/* ---- create / free ------------------------------------------------------ */

static void *mksock(disp *d, int type) {
    void *s = zmq_socket(d->ctx, type);
    if (s) {
        int zero = 0;
        zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    }
    return s;
}

int disp_create(const disp_options *opt, disp **out) {
    *out = NULL;
    if (!opt->endpoint || !*opt->endpoint) return hw_fail("dispatcher: no bind endpoint given");
    if (!jkeys_valid(opt->public_key.z85) || !jkeys_valid(opt->secret_key.z85))
        return hw_fail("dispatcher: the dispatcher needs a CURVE key pair (hwnas keygen)");
    if (opt->n_allow <= 0) return hw_fail("dispatcher: the board allow-list is empty");
    if (opt->heartbeat_ms < 1 || opt->dead_ms < 2 * opt->heartbeat_ms)
        return hw_fail("dispatcher: dead time %d ms must be at least twice the heartbeat %d ms", opt->dead_ms,
                       opt->heartbeat_ms);
    if (opt->max_attempts < 1 || opt->backoff_ms < 0 || opt->job_timeout_ms < 0)
        return hw_fail("dispatcher: max_attempts >= 1, backoff_ms >= 0 and job_timeout_ms >= 0 are required");
    if (!zmq_has("curve")) return hw_fail("dispatcher: this libzmq was built without CURVE security");

    disp *d = hw_calloc(1, sizeof *d);
    d->opt = *opt;
    d->opt.endpoint = NULL; /* not kept */
    d->opt.allow = NULL;
    d->n_allow = opt->n_allow;
    d->allow = hw_malloc((size_t)opt->n_allow * sizeof *d->allow);
    d->allow_bin = hw_malloc((size_t)opt->n_allow * sizeof *d->allow_bin);
    for (int i = 0; i < opt->n_allow; i++) {
        d->allow[i] = opt->allow[i];
        if (!jkeys_valid(opt->allow[i].z85)) {
            hw_fail("dispatcher: allow-list entry %d is not a Z85 CURVE key", i + 1);
            goto fail;
        }
        zmq_z85_decode(d->allow_bin[i], opt->allow[i].z85);
    }
    atomic_init(&d->keys_refused, 0);
    d->next_serial = 1;

    raise_fd_limit();
    d->ctx = zmq_ctx_new();
    if (!d->ctx) {
        hw_fail("dispatcher: zmq_ctx_new: %s", zmq_strerror(errno));
        goto fail;
    }
    /* The ZAP handler must be bound before any CURVE socket binds. The
     * thread polls d->zap and its end of a PAIR (d->zap_ctl_thread); the
     * dispatcher sends one frame on d->zap_ctl to stop it. */
    d->zap = mksock(d, ZMQ_REP);
    d->zap_ctl_thread = mksock(d, ZMQ_PAIR);
    d->zap_ctl = mksock(d, ZMQ_PAIR);
    if (!d->zap || !d->zap_ctl_thread || !d->zap_ctl || zmq_bind(d->zap, "inproc://zeromq.zap.01") != 0 ||
        zmq_bind(d->zap_ctl_thread, "inproc://hwnas-disp-zap-ctl") != 0 ||
        zmq_connect(d->zap_ctl, "inproc://hwnas-disp-zap-ctl") != 0) {
        hw_fail("dispatcher: cannot start the ZAP handler: %s", zmq_strerror(errno));
        goto fail;
    }
    if (pthread_create(&d->zap_thread, NULL, zap_main, d) != 0) {
        hw_fail("dispatcher: cannot start the ZAP thread");
        goto fail;
    }
    d->zap_started = 1;
    d->router = mksock(d, ZMQ_ROUTER);
    if (!d->router) {
        hw_fail("dispatcher: zmq_socket: %s", zmq_strerror(errno));
        goto fail;
    }
    {
        int one = 1;
        int64_t maxsz = ZMQ_MSG_LIMIT;
        int hwm = 100000;
        /* A peer that connects and never completes the CURVE handshake holds
         * a file descriptor until this runs out (libzmq's default: 30 s). */
        int handshake_ms = DISP_HANDSHAKE_MS;
        if (zmq_setsockopt(d->router, ZMQ_CURVE_SERVER, &one, sizeof one) != 0 ||
            zmq_setsockopt(d->router, ZMQ_CURVE_SECRETKEY, opt->secret_key.z85, JKEY_LEN) != 0 ||
            zmq_setsockopt(d->router, ZMQ_ZAP_DOMAIN, "hwnas", 5) != 0 ||
            zmq_setsockopt(d->router, ZMQ_ROUTER_MANDATORY, &one, sizeof one) != 0 ||
            zmq_setsockopt(d->router, ZMQ_ROUTER_HANDOVER, &one, sizeof one) != 0 ||
            zmq_setsockopt(d->router, ZMQ_MAXMSGSIZE, &maxsz, sizeof maxsz) != 0 ||
            zmq_setsockopt(d->router, ZMQ_SNDHWM, &hwm, sizeof hwm) != 0 ||
            zmq_setsockopt(d->router, ZMQ_RCVHWM, &hwm, sizeof hwm) != 0 ||
            zmq_setsockopt(d->router, ZMQ_HANDSHAKE_IVL, &handshake_ms, sizeof handshake_ms) != 0) {
            hw_fail("dispatcher: setting socket options: %s", zmq_strerror(errno));
            goto fail;
        }
    }
    if (zmq_bind(d->router, opt->endpoint) != 0) {
        hw_fail("dispatcher: cannot bind '%s': %s", opt->endpoint, zmq_strerror(errno));
        goto fail;
    }
    size_t el = sizeof d->endpoint;
    if (zmq_getsockopt(d->router, ZMQ_LAST_ENDPOINT, d->endpoint, &el) != 0) snprintf(d->endpoint, sizeof d->endpoint, "%s", opt->endpoint);
    *out = d;
    return 0;
fail:
    disp_free(d);
    return -1;
}

void disp_free(disp *d) {
    if (!d) return;
    if (d->zap_started) {
        zmq_send(d->zap_ctl, "x", 1, 0);
        pthread_join(d->zap_thread, NULL);
    }
    if (d->router) zmq_close(d->router);
    if (d->zap) zmq_close(d->zap);
    if (d->zap_ctl) zmq_close(d->zap_ctl);
    if (d->zap_ctl_thread) zmq_close(d->zap_ctl_thread);
    if (d->ctx) zmq_ctx_term(d->ctx);
    for (int64_t i = 0; i < d->njobs; i++) {
        free(d->jobs[i].arch);
        free(d->jobs[i].last_error);
    }
    for (int i = 0; i < d->ndevs; i++) free(d->devs[i].heap);
    free(d->jobs);
    free(d->boards);
    free(d->devs);
    free(d->dedup);
    free(d->delayed);
    free(d->aside);
    free(d->outbox);
    free(d->allow);
    free(d->allow_bin);
    free(d->seen);
    free(d);
}

const char *disp_endpoint(const disp *d) { return d->endpoint; }

/* ---- devices and the per-device priority heap -------------------------- */

static int dev_find(const disp *d, const char *name) {
    for (int i = 0; i < d->ndevs; i++)
        if (!strcmp(d->devs[i].name, name)) return i;
    return -1;
}

static int dev_get(disp *d, const char *name) {
    int i = dev_find(d, name);
    if (i >= 0) return i;
    d->devs = hw_realloc(d->devs, (size_t)(d->ndevs + 1) * sizeof *d->devs);
    devrec *v = &d->devs[d->ndevs];
    memset(v, 0, sizeof *v);
    snprintf(v->name, sizeof v->name, "%s", name);
    return d->ndevs++;
}

/* 1 if job a should run before job b. */
static int before(const disp *d, int64_t a, int64_t b) {
    int pa = d->jobs[a].priority, pb = d->jobs[b].priority;
    return pa != pb ? pa > pb : a < b;
}

static void heap_push(disp *d, devrec *v, int64_t j) {
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 64;
        v->heap = hw_realloc(v->heap, (size_t)v->cap * sizeof *v->heap);
    }
    int i = v->n++;
    while (i > 0) {
        int p = (i - 1) / 2;
        if (!before(d, j, v->heap[p])) break;
        v->heap[i] = v->heap[p];
        i = p;
    }
    v->heap[i] = j;
}

static int64_t heap_pop(disp *d, devrec *v) {
    int64_t top = v->heap[0], last = v->heap[--v->n];
    int i = 0;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= v->n) break;
        if (c + 1 < v->n && before(d, v->heap[c + 1], v->heap[c])) c++;
        if (!before(d, v->heap[c], last)) break;
        v->heap[i] = v->heap[c];
        i = c;
    }
    if (v->n) v->heap[i] = last;
    return top;
}

static void enqueue(disp *d, int64_t j) {
    d->jobs[j].state = JS_PENDING;
    heap_push(d, &d->devs[d->jobs[j].device], j);
}

/* ---- deduplication table ------------------------------------------------ */

static uint64_t dedup_hash(int dev, const char *arch) {
    return hw_hash_bytes(arch, strlen(arch), 0x9e3779b97f4a7c15ULL * (uint64_t)(dev + 1));
}

/* Slot holding (dev, arch), or the empty slot where it would go. */
static int64_t dedup_slot(const disp *d, int dev, const char *arch) {
    uint64_t mask = (uint64_t)d->dedup_cap - 1;
    for (uint64_t i = dedup_hash(dev, arch) & mask;; i = (i + 1) & mask) {
        int64_t v = d->dedup[i];
        if (!v) return (int64_t)i;
        const job *jb = &d->jobs[v - 1];
        if (jb->device == dev && !strcmp(jb->arch, arch)) return (int64_t)i;
    }
}

static void dedup_grow(disp *d) {
    int64_t oldcap = d->dedup_cap, *old = d->dedup;
    d->dedup_cap = oldcap ? 2 * oldcap : 1024;
    d->dedup = hw_calloc((size_t)d->dedup_cap, sizeof *d->dedup);
    for (int64_t i = 0; i < oldcap; i++)
        if (old[i]) {
            const job *jb = &d->jobs[old[i] - 1];
            d->dedup[dedup_slot(d, jb->device, jb->arch)] = old[i];
        }
    free(old);
}

/* ---- outbox --------------------------------------------------------------- */

static disp_result *outbox_add(disp *d) {
    if (d->out_head > 0 && d->out_head == d->out_n) d->out_head = d->out_n = 0;
    if (d->out_n == d->out_cap) {
        if (d->out_head > 0) {
            memmove(d->outbox, d->outbox + d->out_head, (size_t)(d->out_n - d->out_head) * sizeof *d->outbox);
            d->out_n -= d->out_head;
            d->out_head = 0;
        }
        if (d->out_n == d->out_cap) {
            d->out_cap = d->out_cap ? 2 * d->out_cap : 64;
            d->outbox = hw_realloc(d->outbox, (size_t)d->out_cap * sizeof *d->outbox);
        }
    }
    disp_result *r = &d->outbox[d->out_n++];
    memset(r, 0, sizeof *r);
    return r;
}

/* ---- submit --------------------------------------------------------------- */

int disp_submit(disp *d, const char *device, const char *arch, int priority, int repeat, uint64_t *out_id) {
    if (!proto_str_ok(device, PROTO_ID_MAX)) return hw_fail("device name '%s' must be 1..%d printable characters", device, PROTO_ID_MAX);
    if (!proto_str_ok(arch, PROTO_ARCH_MAX)) return hw_fail("arch string must be 1..%d printable characters", PROTO_ARCH_MAX);
    int dev = dev_get(d, device);
    if (2 * (d->dedup_n + 1) > d->dedup_cap) dedup_grow(d);
    int64_t slot = dedup_slot(d, dev, arch);
    int64_t prev = d->dedup[slot];
    if (prev && !repeat) {
        const job *pj = &d->jobs[prev - 1];
        int blocking = pj->state != JS_CANCELLED && !(pj->state == JS_DONE && pj->final == DISP_ERROR);
        if (blocking) {
            *out_id = (uint64_t)prev;
            d->st.deduplicated++;
            return 1;
        }
    }
    if (d->njobs == d->cap_jobs) {
        d->cap_jobs = d->cap_jobs ? 2 * d->cap_jobs : 256;
        d->jobs = hw_realloc(d->jobs, (size_t)d->cap_jobs * sizeof *d->jobs);
    }
    int64_t j = d->njobs++;
    job *jb = &d->jobs[j];
    memset(jb, 0, sizeof *jb);
    jb->arch = hw_strdup(arch);
    jb->device = dev;
    jb->priority = priority;
    jb->board = -1;
    if (!prev || !repeat) {
        if (!prev) d->dedup_n++;
        else d->jobs[prev - 1].dedup = 0;
        d->dedup[slot] = j + 1;
        jb->dedup = 1;
    }
    enqueue(d, j);
    d->st.submitted++;
    d->st.pending++;
    *out_id = (uint64_t)(j + 1);
    return 0;
}

/* ---- sending ---------------------------------------------------------------- */

/* Sends m to the board with routing id rid; -1 (errno kept) if the peer is
 * gone (EHOSTUNREACH under ROUTER_MANDATORY) or its queue is full. */
static int send_to(disp *d, const uint8_t *rid, size_t rid_len, const proto_msg *m) {
    uint8_t buf[PROTO_MAX_MSG];
    size_t n;
    HW_ASSERT(proto_encode(m, buf, sizeof buf, &n) == 0);
    if (zmq_send(d->router, rid, rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) return -1;
    if (zmq_send(d->router, buf, n, ZMQ_DONTWAIT) < 0) return -1;
    d->st.msgs_out++;
    return 0;
}

static int send_simple(disp *d, const uint8_t *rid, size_t rid_len, proto_type t) {
    proto_msg m;
    proto_init(&m, t);
    return send_to(d, rid, rid_len, &m);
}

/* ---- job outcomes ------------------------------------------------------------- */

static void set_error(job *jb, const char *fmt, ...) HW_PRINTF(2, 3);
static void set_error(job *jb, const char *fmt, ...) {
    char buf[PROTO_ERROR_MAX + 1];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    free(jb->last_error);
    jb->last_error = hw_strdup(buf);
}

/* Leaves the in-flight/pending accounting and reports j once. m is the
 * board's answer (NULL when giving up without one). */
static void finish(disp *d, int64_t j, int status, const proto_msg *m, const board *b) {
    job *jb = &d->jobs[j];
    HW_ASSERT(jb->state != JS_DONE && jb->state != JS_CANCELLED);
    if (jb->state == JS_INFLIGHT) d->st.in_flight--;
    else d->st.pending--;
    jb->state = JS_DONE;
    jb->final = status;
    jb->board = -1;
    disp_result *r = outbox_add(d);
    r->job_id = (uint64_t)(j + 1);
    r->status = status;
    r->attempts = jb->attempts;
    snprintf(r->device, sizeof r->device, "%s", d->devs[jb->device].name);
    snprintf(r->arch, sizeof r->arch, "%s", jb->arch);
    if (m) {
        snprintf(r->board_id, sizeof r->board_id, "%s", b ? b->id : "");
        snprintf(r->runner, sizeof r->runner, "%s", m->runner);
        r->repetitions = (int)m->repetitions;
        r->warmup = (int)m->warmup;
        r->t_start = m->t_start;
        r->t_end = m->t_end;
        r->median_ms = m->median_ms;
        r->mean_ms = m->mean_ms;
        r->std_ms = m->std_ms;
        r->min_ms = m->min_ms;
        snprintf(r->error, sizeof r->error, "%s", m->error);
    } else {
        snprintf(r->error, sizeof r->error, "gave up after %d attempts: %s", jb->attempts,
                 jb->last_error ? jb->last_error : "?");
    }
    if (status == DISP_OK) d->st.done_ok++;
    else if (status == DISP_FAILED) d->st.done_failed++;
    else d->st.done_error++;
}

static void delay_push(disp *d, int64_t j) {
    if (d->ndelayed == d->cap_delayed) {
        d->cap_delayed = d->cap_delayed ? 2 * d->cap_delayed : 64;
        d->delayed = hw_realloc(d->delayed, (size_t)d->cap_delayed * sizeof *d->delayed);
    }
    d->delayed[d->ndelayed++] = j;
    d->jobs[j].state = JS_DELAYED;
}

/* The current attempt of in-flight job j failed on board serial `who`
 * (reason already in last_error): retry after a backoff, or give up.
 * counts = 0 for hand-backs that must not use an attempt. */
static void attempt_failed(disp *d, int64_t j, uint64_t who, int counts, int64_t now) {
    job *jb = &d->jobs[j];
    HW_ASSERT(jb->state == JS_INFLIGHT);
    jb->board = -1;
    if (!counts) {
        jb->attempts--;
        d->st.in_flight--;
        d->st.pending++;
        enqueue(d, j);
        return;
    }
    if (who) {
        if (jb->n_avoid < MAX_AVOID) jb->avoid[jb->n_avoid++] = who;
        else jb->avoid[(jb->attempts - 1) % MAX_AVOID] = who;
    }
    if (jb->attempts >= d->opt.max_attempts) {
        finish(d, j, DISP_ERROR, NULL, NULL);
        return;
    }
    d->st.retries++;
    d->st.in_flight--;
    d->st.pending++;
    int64_t delay = (int64_t)d->opt.backoff_ms * 1000;
    for (int k = 1; k < jb->attempts && delay < BACKOFF_CAP_US; k++) delay *= 2;
    if (delay > BACKOFF_CAP_US) delay = BACKOFF_CAP_US;
    if (delay <= 0) {
        enqueue(d, j);
        return;
    }
    jb->not_before = now + delay;
    delay_push(d, j);
}

/* ---- boards ---------------------------------------------------------------- */

static int board_find(const disp *d, const uint8_t *rid, size_t n) {
    for (int i = 0; i < d->nboards; i++) {
        const board *b = &d->boards[i];
        if (b->state != B_FREE && b->rid_len == n && !memcmp(b->rid, rid, n)) return i;
    }
    return -1;
}

static int board_alloc(disp *d) {
    for (int i = 0; i < d->nboards; i++)
        if (d->boards[i].state == B_FREE) return i;
    if (d->nboards == d->cap_boards) {
        d->cap_boards = d->cap_boards ? 2 * d->cap_boards : 16;
        d->boards = hw_realloc(d->boards, (size_t)d->cap_boards * sizeof *d->boards);
    }
    d->boards[d->nboards].state = B_FREE;
    return d->nboards++;
}

/* Removes board bi; an in-flight job fails (counts) or is handed back. */
static void board_remove(disp *d, int bi, int job_counts, int64_t now) {
    board *b = &d->boards[bi];
    if (b->state == B_BUSY) {
        job *jb = &d->jobs[b->job];
        if (jb->state == JS_INFLIGHT) attempt_failed(d, b->job, b->serial, job_counts, now);
    }
    b->state = B_FREE;
    b->job = -1;
    d->st.boards_live--;
}

/* 1 if a board called ID joined before; otherwise remembers it and 0. */
static int board_seen(disp *d, const char *id) {
    for (int i = 0; i < d->nseen; i++)
        if (!strcmp(d->seen[i], id)) return 1;
    if (d->nseen == d->cap_seen) {
        d->cap_seen = d->cap_seen ? 2 * d->cap_seen : 16;
        d->seen = hw_realloc(d->seen, (size_t)d->cap_seen * sizeof *d->seen);
    }
    snprintf(d->seen[d->nseen++], sizeof d->seen[0], "%s", id);
    return 0;
}

static void on_hello(disp *d, int bi, const uint8_t *rid, size_t rid_len, const proto_msg *m, int64_t now) {
    if (bi < 0) {
        bi = board_alloc(d);
        board *b = &d->boards[bi];
        memset(b, 0, sizeof *b);
        memcpy(b->rid, rid, rid_len);
        b->rid_len = rid_len;
        b->serial = d->next_serial++;
        b->job = -1;
        b->last_hb = now;
        b->state = B_IDLE;
        d->st.boards_live++;
        d->st.boards_joined++;
        int again = board_seen(d, m->board_id);
        if (!d->opt.quiet)
            dlog(d, "board '%s' %s (device '%s', runner '%s', %s)", m->board_id, again ? "joined again" : "joined",
                 m->device, m->runner, m->caps[0] ? m->caps : "no capabilities");
    } else {
        board *b = &d->boards[bi];
        /* A known board says hello again (it reconnected): keep its job if it
         * still has it, otherwise that attempt is lost. */
        if (b->state == B_BUSY) {
            job *jb = &d->jobs[b->job];
            int same = m->job_id == (uint64_t)(b->job + 1) && m->attempt == jb->attempt_no;
            if (!same && jb->state == JS_INFLIGHT) {
                set_error(jb, "board '%s' lost the job when it reconnected", b->id);
                attempt_failed(d, b->job, b->serial, 1, now);
                b->state = B_IDLE;
                b->job = -1;
            }
        }
        if (strcmp(b->id, m->board_id) || dev_find(d, m->device) != b->device)
            dlog(d, "board '%s' re-announced itself as '%s' on device '%s'", b->id, m->board_id, m->device);
    }
    board *b = &d->boards[bi];
    snprintf(b->id, sizeof b->id, "%s", m->board_id);
    snprintf(b->runner, sizeof b->runner, "%s", m->runner);
    b->device = dev_get(d, m->device);
    if (b->state == B_IDLE && m->job_id != 0) b->state = B_FOREIGN; /* busy with a job we did not give it */
    send_simple(d, b->rid, b->rid_len, PROTO_WELCOME);
}

static void on_result(disp *d, int bi, const proto_msg *m, int64_t now) {
    board *b = &d->boards[bi];
    if (b->state == B_FOREIGN) {
        b->state = B_IDLE;
        d->st.late_results++;
        return;
    }
    if (b->state != B_BUSY || m->job_id != (uint64_t)(b->job + 1) || m->attempt != d->jobs[b->job].attempt_no) {
        d->st.late_results++;
        if (log_worthy(d->st.late_results))
            dlog(d, "dropped an answer from board '%s' for job %llu attempt %u: not its current job", b->id,
                 (unsigned long long)m->job_id, m->attempt);
        return;
    }
    int64_t j = b->job;
    job *jb = &d->jobs[j];
    b->state = B_IDLE;
    b->job = -1;
    if (jb->state != JS_INFLIGHT) { /* cancelled while running */
        d->st.late_results++;
        return;
    }
    switch (m->status) {
    case PROTO_ST_OK:
        finish(d, j, DISP_OK, m, b);
        break;
    case PROTO_ST_FAILED:
        finish(d, j, DISP_FAILED, m, b);
        break;
    case PROTO_ST_RETURNED:
        d->st.returned++;
        attempt_failed(d, j, b->serial, 0, now);
        break;
    default:
        set_error(jb, "board '%s': %s", b->id, m->error[0] ? m->error : "runner error");
        attempt_failed(d, j, b->serial, 1, now);
        break;
    }
}

/* A board's heartbeat names the last JOB it received and whether it still
 * holds it. If it does not hold our current job although it received it,
 * the answer was lost (e.g. in a reconnect); if it never received a job we
 * sent more than dead_ms ago, the JOB was lost. Either way: retry. */
static void on_board_heartbeat(disp *d, int bi, const proto_msg *m, int64_t now) {
    board *b = &d->boards[bi];
    if (b->state != B_BUSY) return;
    job *jb = &d->jobs[b->job];
    if (jb->state != JS_INFLIGHT) return;
    int got = m->job_id == (uint64_t)(b->job + 1) && m->attempt == jb->attempt_no;
    int lost = got ? !m->holding : now - jb->t_sent > (int64_t)d->opt.dead_ms * 1000;
    if (!lost) return;
    set_error(jb, "board '%s' lost the %s", b->id, got ? "answer" : "job");
    dlog(d, "board '%s' lost the %s of job %lld; re-queued", b->id, got ? "answer" : "job", (long long)b->job + 1);
    int64_t j = b->job;
    b->state = B_IDLE;
    b->job = -1;
    attempt_failed(d, j, b->serial, 1, now);
}

static void drop_msg(disp *d, const char *who, const char *why) {
    d->st.msgs_dropped++;
    if (log_worthy(d->st.msgs_dropped))
        dlog(d, "dropped a message from %s: %s (%llu dropped so far)", who, why,
             (unsigned long long)d->st.msgs_dropped);
}

/* Handles one received [routing id][payload] message. */
static void on_message(disp *d, const uint8_t *rid, size_t rid_len, const uint8_t *p, size_t n, int64_t now) {
    d->st.msgs_in++;
    int bi = board_find(d, rid, rid_len);
    char who[300];
    if (bi >= 0) snprintf(who, sizeof who, "board '%s'", d->boards[bi].id);
    else {
        char t[260];
        rid_text(rid, rid_len, t, sizeof t);
        snprintf(who, sizeof who, "unknown peer '%s'", t);
    }
    proto_msg m;
    if (proto_decode(p, n, 1, &m) != 0) {
        drop_msg(d, who, hw_errmsg());
        return;
    }
    if (bi >= 0) d->boards[bi].last_seen = now;
    switch (m.type) {
    case PROTO_HELLO:
        on_hello(d, bi, rid, rid_len, &m, now);
        bi = board_find(d, rid, rid_len);
        if (bi >= 0) d->boards[bi].last_seen = now;
        break;
    case PROTO_RESULT:
    case PROTO_HEARTBEAT:
        if (bi < 0) {
            if (m.type == PROTO_RESULT) d->st.late_results++;
            send_simple(d, rid, rid_len, PROTO_WHO);
        } else if (m.type == PROTO_RESULT) {
            on_result(d, bi, &m, now);
        } else {
            on_board_heartbeat(d, bi, &m, now);
        }
        break;
    case PROTO_BYE:
        if (bi >= 0) {
            if (!d->opt.quiet)
                dlog(d, "board '%s' left (device '%s')", d->boards[bi].id, d->devs[d->boards[bi].device].name);
            if (d->boards[bi].state == B_BUSY && d->jobs[d->boards[bi].job].state == JS_INFLIGHT)
                set_error(&d->jobs[d->boards[bi].job], "board '%s' left", d->boards[bi].id);
            board_remove(d, bi, 0, now);
        }
        break;
    default:
        drop_msg(d, who, "a board must not send this message type");
        break;
    }
}

/* Receives everything queued on the ROUTER without blocking. */
static int drain(disp *d, int64_t *now) {
    zmq_msg_t rid, body;
    for (int k = 0; k < 20000; k++) {
        zmq_msg_init(&rid);
        if (zmq_msg_recv(&rid, d->router, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&rid);
            if (errno == EAGAIN) return 0;
            if (errno == EINTR) continue;
            return hw_fail("dispatcher: receive failed: %s", zmq_strerror(errno));
        }
        *now = now_us();
        int ok = zmq_msg_more(&rid);
        int frames = 1;
        zmq_msg_init(&body);
        int have_body = 0;
        while (zmq_msg_more(frames == 1 ? &rid : &body)) {
            if (have_body) zmq_msg_close(&body), zmq_msg_init(&body);
            if (zmq_msg_recv(&body, d->router, 0) < 0) break;
            have_body = 1;
            frames++;
        }
        size_t rl = zmq_msg_size(&rid);
        if (!ok || frames != 2 || rl == 0 || rl > 255) {
            char t[260] = "?";
            if (rl <= 255) rid_text(zmq_msg_data(&rid), rl, t, sizeof t);
            char who[300];
            snprintf(who, sizeof who, "peer '%s'", t);
            d->st.msgs_in++;
            drop_msg(d, who, "a message must be exactly one frame");
        } else {
            on_message(d, zmq_msg_data(&rid), rl, zmq_msg_data(&body), zmq_msg_size(&body), *now);
        }
        zmq_msg_close(&body);
        zmq_msg_close(&rid);
    }
    return 0;
}

/* ---- timers and dispatching ------------------------------------------------- */

static void timers(disp *d, int64_t now) {
    int64_t dead = (int64_t)d->opt.dead_ms * 1000, hb = (int64_t)d->opt.heartbeat_ms * 1000;
    int64_t jt = (int64_t)d->opt.job_timeout_ms * 1000;
    for (int i = 0; i < d->nboards; i++) {
        board *b = &d->boards[i];
        if (b->state == B_FREE) continue;
        if (now - b->last_seen > dead) {
            d->st.boards_dead++;
            dlog(d, "board '%s' declared dead (device '%s'): silent for %.1f s", b->id, d->devs[b->device].name,
                 (double)(now - b->last_seen) / 1e6);
            if (b->state == B_BUSY && d->jobs[b->job].state == JS_INFLIGHT)
                set_error(&d->jobs[b->job], "board '%s' died", b->id);
            board_remove(d, i, 1, now);
            continue;
        }
        if (jt > 0 && b->state == B_BUSY && d->jobs[b->job].state == JS_INFLIGHT && now - d->jobs[b->job].t_sent > jt) {
            job *jb = &d->jobs[b->job];
            set_error(jb, "board '%s' timed out after %.1f s", b->id, (double)(now - jb->t_sent) / 1e6);
            dlog(d, "job %lld on board '%s' timed out; re-queued", (long long)b->job + 1, b->id);
            int64_t j = b->job;
            b->state = B_FOREIGN; /* stays busy until it answers */
            b->job = -1;
            attempt_failed(d, j, b->serial, 1, now);
        }
        if (now - b->last_hb >= hb) {
            b->last_hb = now;
            send_simple(d, b->rid, b->rid_len, PROTO_HEARTBEAT);
        }
    }
    for (int64_t i = 0; i < d->ndelayed;) {
        int64_t j = d->delayed[i];
        if (d->jobs[j].state != JS_DELAYED) { /* cancelled */
            d->delayed[i] = d->delayed[--d->ndelayed];
            continue;
        }
        if (d->jobs[j].not_before <= now) {
            d->delayed[i] = d->delayed[--d->ndelayed];
            enqueue(d, j);
            continue;
        }
        i++;
    }
}

static int avoids(const job *jb, uint64_t serial) {
    for (int k = 0; k < jb->n_avoid; k++)
        if (jb->avoid[k] == serial) return 1;
    return 0;
}

/* 1 if some live board of the job's device has not failed it. */
static int has_fresh_board(const disp *d, const job *jb) {
    for (int i = 0; i < d->nboards; i++) {
        const board *b = &d->boards[i];
        if (b->state != B_FREE && b->device == jb->device && !avoids(jb, b->serial)) return 1;
    }
    return 0;
}

/* Gives idle board bi the best pending job of its device that it should
 * take; returns 1 if a job was sent. */
static int feed_board(disp *d, int bi, int64_t now) {
    board *b = &d->boards[bi];
    devrec *v = &d->devs[b->device];
    int64_t naside = 0, chosen = -1;
    while (v->n > 0) {
        int64_t j = heap_pop(d, v);
        job *jb = &d->jobs[j];
        if (jb->state != JS_PENDING) continue; /* cancelled */
        if (avoids(jb, b->serial) && has_fresh_board(d, jb)) {
            if (naside == d->cap_aside) {
                d->cap_aside = d->cap_aside ? 2 * d->cap_aside : 64;
                d->aside = hw_realloc(d->aside, (size_t)d->cap_aside * sizeof *d->aside);
            }
            d->aside[naside++] = j;
            if (naside >= 256) break;
            continue;
        }
        chosen = j;
        break;
    }
    for (int64_t k = 0; k < naside; k++) heap_push(d, v, d->aside[k]);
    if (chosen < 0) return 0;
    job *jb = &d->jobs[chosen];
    jb->attempt_no++;
    jb->attempts++;
    proto_msg m;
    proto_init(&m, PROTO_JOB);
    m.job_id = (uint64_t)(chosen + 1);
    m.attempt = jb->attempt_no;
    snprintf(m.arch, sizeof m.arch, "%s", jb->arch);
    if (send_to(d, b->rid, b->rid_len, &m) != 0) {
        /* The board's connection is gone: put the job back untouched and
         * forget the board; it says hello again when it reconnects. */
        jb->attempts--;
        heap_push(d, v, chosen);
        if (!d->opt.quiet) dlog(d, "board '%s' is unreachable (%s); dropped", b->id, zmq_strerror(errno));
        board_remove(d, bi, 0, now);
        return 0;
    }
    jb->state = JS_INFLIGHT;
    jb->board = bi;
    jb->t_sent = now;
    b->state = B_BUSY;
    b->job = chosen;
    d->st.pending--;
    d->st.in_flight++;
    return 1;
}

static void dispatch(disp *d, int64_t now) {
    for (int i = 0; i < d->nboards; i++)
        if (d->boards[i].state == B_IDLE && d->devs[d->boards[i].device].n > 0) feed_board(d, i, now);
}

/* ---- the public loop ---------------------------------------------------------- */

int disp_poll(disp *d, int timeout_ms, disp_result *out, int max, int *n_out) {
    *n_out = 0;
    int64_t now = now_us();
    int64_t deadline = timeout_ms < 0 ? INT64_MAX : now + (int64_t)timeout_ms * 1000;
    for (;;) {
        if (drain(d, &now) != 0) return -1;
        now = now_us();
        timers(d, now);
        dispatch(d, now);
        if ((max > 0 && d->out_n > d->out_head) || now >= deadline) break;
        int64_t wait = deadline - now;
        if (wait > 10000) wait = 10000; /* timer granularity: 10 ms */
        zmq_pollitem_t it = {d->router, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&it, 1, (long)((wait + 999) / 1000)) < 0 && errno != EINTR)
            return hw_fail("dispatcher: zmq_poll: %s", zmq_strerror(errno));
        now = now_us();
    }
    while (*n_out < max && d->out_head < d->out_n) out[(*n_out)++] = d->outbox[d->out_head++];
    return 0;
}

int disp_cancel(disp *d, uint64_t job_id) {
    if (job_id == 0 || job_id > (uint64_t)d->njobs) return hw_fail("dispatcher: no job %llu", (unsigned long long)job_id);
    job *jb = &d->jobs[job_id - 1];
    if (jb->state == JS_DONE) return 1;
    if (jb->state == JS_CANCELLED) return 0;
    if (jb->state == JS_INFLIGHT) d->st.in_flight--;
    else d->st.pending--;
    jb->state = JS_CANCELLED; /* lazily removed from heap / delayed list; a board's answer is dropped */
    d->st.cancelled++;
    return 0;
}

void disp_stats_get(const disp *d, disp_stats *out) {
    *out = d->st;
    out->keys_refused = atomic_load(&((disp *)d)->keys_refused);
}

int disp_list_unfinished(const disp *d, disp_job_info **out, int *n) {
    int64_t cnt = 0;
    for (int64_t j = 0; j < d->njobs; j++)
        if (d->jobs[j].state == JS_PENDING || d->jobs[j].state == JS_DELAYED || d->jobs[j].state == JS_INFLIGHT) cnt++;
    if (cnt > 0x7fffffff) return hw_fail("dispatcher: too many unfinished jobs to list");
    disp_job_info *v = hw_malloc((size_t)(cnt ? cnt : 1) * sizeof *v);
    int k = 0;
    for (int64_t j = 0; j < d->njobs; j++) {
        const job *jb = &d->jobs[j];
        if (jb->state != JS_PENDING && jb->state != JS_DELAYED && jb->state != JS_INFLIGHT) continue;
        disp_job_info *x = &v[k++];
        memset(x, 0, sizeof *x);
        x->job_id = (uint64_t)(j + 1);
        snprintf(x->device, sizeof x->device, "%s", d->devs[jb->device].name);
        snprintf(x->arch, sizeof x->arch, "%s", jb->arch);
        x->priority = jb->priority;
        x->in_flight = jb->state == JS_INFLIGHT;
    }
    *out = v;
    *n = k;
    return 0;
}

int disp_boards_live(const disp *d, const char *device) {
    int dev = device ? dev_find(d, device) : -1, n = 0;
    if (device && dev < 0) return 0;
    for (int i = 0; i < d->nboards; i++)
        if (d->boards[i].state != B_FREE && (!device || d->boards[i].device == dev)) n++;
    return n;
}

void disp_devices_live(const disp *d, char *buf, size_t n) {
    size_t len = 0;
    buf[0] = 0;
    for (int v = 0; v < d->ndevs; v++) {
        int k = 0;
        for (int i = 0; i < d->nboards; i++) k += d->boards[i].state != B_FREE && d->boards[i].device == v;
        if (!k) continue;
        int w = snprintf(buf + len, n - len, "%s'%s' (%d board%s)", len ? ", " : "", d->devs[v].name, k, k == 1 ? "" : "s");
        if (w < 0 || (size_t)w >= n - len) break;
        len += (size_t)w;
    }
    if (!len) snprintf(buf, n, "no boards");
}
