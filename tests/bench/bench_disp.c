/* bench_disp: figures for issue #4 (ground-truth jobs), all on 127.0.0.1
 * with CURVE encryption on.
 *
 *  1. Dispatcher throughput with a zero-time runner: the real dispatcher
 *     (disp_poll loop) and B real board agents (board_run on threads,
 *     replay runner with delay 0, i.e. a hash lookup) -> jobs/s. Peer in
 *     the same run: a bare ZeroMQ ROUTER/DEALER CURVE request-reply loop
 *     with the same B peers and one request in flight per peer (no queue,
 *     no protocol parsing, no worker thread): the transport's ceiling.
 *     Also the dispatcher's own CPU time per job (the disp_poll thread plus
 *     the ZeroMQ I/O thread of its context, from /proc/self/task), whose
 *     inverse is the job rate one dispatcher core could sustain.
 *     (`bench_disp tput B N light` swaps the agents for B light fake
 *     boards served by one thread: a profiling aid.)
 *  2. Time to detect a dead board: a board takes a job and goes silent;
 *     time from its last message until the dispatcher declares it dead,
 *     and until the job is running on another board, vs the configured
 *     dead_ms.
 *  3. Builtin-runner noise: one BERT architecture measured 20 times by the
 *     builtin runner (each measurement = median of `runs` timed forwards):
 *     coefficient of variation of the 20 medians, and the mean
 *     within-measurement CV.
 *
 * usage: bench_disp [--quick]   (prints markdown tables on stdout) */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "board.h"
#include "csv.h"
#include "hw_clock.h"
#include "hw_data.h"
#include "hw_err.h"
#include "disp.h"
#include "jkeys.h"
#include "proto.h"
#include "runner.h"
#include "stats.h"

static void quiet(void *ud, const char *line) {
    (void)ud;
    (void)line;
}

static const char *data_dir(void) {
    return hw_data_dir();
}

/* ---- CPU accounting of the dispatcher's threads -------------------------- */

#include <dirent.h>

/* Thread ids of this process (up to max). */
static int list_tids(int *tids, int max) {
    DIR *dp = opendir("/proc/self/task");
    int n = 0;
    for (struct dirent *de; dp && (de = readdir(dp));)
        if (de->d_name[0] != '.' && n < max) tids[n++] = atoi(de->d_name);
    if (dp) closedir(dp);
    return n;
}

/* utime + stime of thread tid in seconds. */
static double tid_cpu(int tid) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p) return 0;
    unsigned long ut = 0, st = 0;
    /* after ") " : state(3) ... utime is field 14, stime 15 */
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2) return 0;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

typedef struct cpuset_ {
    int tids[16];
    int n;
} cpuset_;

static double cpuset_total(const cpuset_ *c) {
    double t = 0;
    for (int i = 0; i < c->n; i++) t += tid_cpu(c->tids[i]);
    return t;
}

/* ---- light fake boards: one thread answering on B DEALER sockets ---------- */

typedef struct light {
    void *ctx;
    int nb;
    char ep[256];
    jkey spub, pub, sec;
    atomic_int *stop;
    pthread_t th;
} light;

static void *light_main(void *arg) {
    light *L = arg;
    void **s = calloc((size_t)L->nb, sizeof *s);
    zmq_pollitem_t *it = calloc((size_t)L->nb, sizeof *it);
    for (int i = 0; i < L->nb; i++) {
        char rid[32];
        snprintf(rid, sizeof rid, "light-%d", i);
        s[i] = zmq_socket(L->ctx, ZMQ_DEALER);
        int zero = 0;
        zmq_setsockopt(s[i], ZMQ_LINGER, &zero, sizeof zero);
        zmq_setsockopt(s[i], ZMQ_ROUTING_ID, rid, strlen(rid));
        zmq_setsockopt(s[i], ZMQ_CURVE_SERVERKEY, L->spub.z85, 40);
        zmq_setsockopt(s[i], ZMQ_CURVE_PUBLICKEY, L->pub.z85, 40);
        zmq_setsockopt(s[i], ZMQ_CURVE_SECRETKEY, L->sec.z85, 40);
        zmq_connect(s[i], L->ep);
        proto_msg h;
        proto_init(&h, PROTO_HELLO);
        snprintf(h.board_id, sizeof h.board_id, "%s", rid);
        snprintf(h.device, sizeof h.device, "tx2");
        snprintf(h.runner, sizeof h.runner, "zero");
        uint8_t buf[PROTO_MAX_MSG];
        size_t n;
        proto_encode(&h, buf, sizeof buf, &n);
        zmq_send(s[i], buf, n, 0);
        it[i].socket = s[i];
        it[i].events = ZMQ_POLLIN;
    }
    while (!atomic_load(L->stop)) {
        if (zmq_poll(it, L->nb, 50) <= 0) continue;
        for (int i = 0; i < L->nb; i++) {
            if (!(it[i].revents & ZMQ_POLLIN)) continue;
            uint8_t buf[PROTO_MAX_MSG];
            int n;
            while ((n = zmq_recv(s[i], buf, sizeof buf, ZMQ_DONTWAIT)) >= 0) {
                proto_msg m, r;
                if (proto_decode(buf, (size_t)n, 0, &m) != 0 || m.type != PROTO_JOB) continue;
                proto_init(&r, PROTO_RESULT); /* the zero-time runner */
                r.job_id = m.job_id;
                r.attempt = m.attempt;
                snprintf(r.runner, sizeof r.runner, "zero");
                r.repetitions = 1;
                r.median_ms = r.mean_ms = r.min_ms = 1;
                size_t k;
                proto_encode(&r, buf, sizeof buf, &k);
                zmq_send(s[i], buf, k, 0);
            }
        }
    }
    for (int i = 0; i < L->nb; i++) zmq_close(s[i]);
    free(s);
    free(it);
    return NULL;
}

/* ---- 1a. dispatcher + real board agents -------------------------------- */

typedef struct bthread {
    board_config cfg;
    runner *run;
    atomic_int *stop;
    pthread_t th;
} bthread;

static void *board_main(void *arg) {
    bthread *b = arg;
    if (board_run(&b->cfg, b->run, b->stop) != 0) fprintf(stderr, "bench: board: %s\n", hw_errmsg());
    return NULL;
}

/* Runs njobs through a dispatcher and nboards boards (real agents, or
 * light fake boards on one thread); returns wall jobs/s and sets
 * *cpu_us_per_job to the dispatcher's CPU time per job (caller thread
 * inside disp_poll + the dispatcher context's ZeroMQ threads). */
static double bench_dispatcher(int nboards, int njobs, char **archs, int narchs, int use_light, double *cpu_us_per_job,
                               double *logic_us_per_job) {
    jkey dpub, dsec, bpub, bsec;
    if (jkeys_generate(&dpub, &dsec) || jkeys_generate(&bpub, &bsec)) return -1;
    disp_options o;
    disp_options_default(&o);
    o.endpoint = "tcp://127.0.0.1:*";
    o.public_key = dpub;
    o.secret_key = dsec;
    o.allow = &bpub;
    o.n_allow = 1;
    o.log = quiet;
    o.dead_ms = 10000;
    disp *d;
    int before[256], nbefore = list_tids(before, 256), after[256], nafter;
    if (disp_create(&o, &d) != 0) {
        fprintf(stderr, "bench: %s\n", hw_errmsg());
        return -1;
    }
    cpuset_ dthreads = {{0}, 0};
    nafter = list_tids(after, 256);
    for (int i = 0; i < nafter; i++) {
        int seen = 0;
        for (int k = 0; k < nbefore; k++) seen |= after[i] == before[k];
        if (!seen && dthreads.n < 16) dthreads.tids[dthreads.n++] = after[i];
    }
    atomic_int stop;
    atomic_init(&stop, 0);
    bthread *bt = calloc((size_t)nboards, sizeof *bt);
    light L;
    memset(&L, 0, sizeof L);
    if (use_light) {
        L.ctx = zmq_ctx_new();
        L.nb = nboards;
        snprintf(L.ep, sizeof L.ep, "%s", disp_endpoint(d));
        L.spub = dpub;
        L.pub = bpub;
        L.sec = bsec;
        L.stop = &stop;
        pthread_create(&L.th, NULL, light_main, &L);
    }
    char table[1024];
    snprintf(table, sizeof table, "%s/hw_nas_bench/hwnasbench_nb201_cifar10.csv", data_dir());
    for (int i = 0; i < (use_light ? 0 : nboards); i++) {
        board_config *c = &bt[i].cfg;
        board_config_default(c);
        snprintf(c->id, sizeof c->id, "bench-%d", i);
        snprintf(c->device, sizeof c->device, "tx2");
        board_config_set(&c->dispatcher, disp_endpoint(d));
        c->dispatcher_key = dpub;
        c->pub = bpub;
        c->sec = bsec;
        c->quiet = 1;
        c->runner.kind = RUNNER_REPLAY;
        c->runner.table = strdup(table);
        c->runner.value_column = strdup("edgegpu_latency_ms");
        c->runner.delay_ms = 0;
        if (runner_create(&c->runner, &bt[i].run) != 0) {
            fprintf(stderr, "bench: %s\n", hw_errmsg());
            return -1;
        }
        bt[i].stop = &stop;
        pthread_create(&bt[i].th, NULL, board_main, &bt[i]);
    }
    disp_result *res = malloc(4096 * sizeof *res);
    int n;
    double t0 = hw_now_s();
    while (disp_boards_live(d, "tx2") < nboards && hw_now_s() - t0 < 30) disp_poll(d, 10, res, 4096, &n);
    for (int j = 0; j < njobs; j++) {
        uint64_t id;
        disp_submit(d, "tx2", archs[j % narchs], 0, 1, &id);
    }
    int got = 0;
    struct timespec c0, c1;
    double ctx0 = cpuset_total(&dthreads);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
    t0 = hw_now_s();
    while (got < njobs && hw_now_s() - t0 < 120) {
        if (disp_poll(d, 1, res, 4096, &n) != 0) break;
        got += n;
    }
    double dt = hw_now_s() - t0;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
    double cpu = (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) * 1e-9 + cpuset_total(&dthreads) - ctx0;
    *cpu_us_per_job = cpu / njobs * 1e6;
    *logic_us_per_job = ((double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) * 1e-9) / njobs * 1e6;
    atomic_store(&stop, 1);
    if (use_light) {
        pthread_join(L.th, NULL);
        zmq_ctx_term(L.ctx);
    }
    for (int i = 0; i < (use_light ? 0 : nboards); i++) {
        pthread_join(bt[i].th, NULL);
        runner_free(bt[i].run);
        board_config_clear(&bt[i].cfg);
    }
    disp_stats st;
    disp_stats_get(d, &st);
    free(bt);
    free(res);
    disp_free(d);
    if (got < njobs || st.done_ok + st.done_failed != (uint64_t)njobs) {
        fprintf(stderr, "bench: only %d of %d jobs came back\n", got, njobs);
        return -1;
    }
    return njobs / dt;
}

/* ---- 1b. peer: bare ZeroMQ CURVE request/reply --------------------------- */

typedef struct echo {
    void *ctx;
    char ep[256], rid[32];
    jkey spub, cpub, csec;
    pthread_t th;
} echo;

static void *echo_main(void *arg) {
    echo *e = arg;
    void *s = zmq_socket(e->ctx, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(s, ZMQ_ROUTING_ID, e->rid, strlen(e->rid));
    zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, e->spub.z85, 40);
    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, e->cpub.z85, 40);
    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, e->csec.z85, 40);
    zmq_connect(s, e->ep);
    zmq_send(s, "hi", 2, 0);
    char buf[PROTO_MAX_MSG];
    for (;;) {
        int n = zmq_recv(s, buf, sizeof buf, 0);
        if (n < 0 || (n == 1 && buf[0] == 'q')) break;
        zmq_send(s, buf, (size_t)(n > (int)sizeof buf ? (int)sizeof buf : n), 0);
    }
    zmq_close(s);
    return NULL;
}

static double bench_raw(int npeers, int nreq) {
    jkey spub, ssec, cpub, csec;
    if (jkeys_generate(&spub, &ssec) || jkeys_generate(&cpub, &csec)) return -1;
    void *sctx = zmq_ctx_new(), *cctx = zmq_ctx_new();
    void *r = zmq_socket(sctx, ZMQ_ROUTER);
    int one = 1, zero = 0;
    zmq_setsockopt(r, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(r, ZMQ_CURVE_SERVER, &one, sizeof one);
    zmq_setsockopt(r, ZMQ_CURVE_SECRETKEY, ssec.z85, 40);
    zmq_bind(r, "tcp://127.0.0.1:*");
    char ep[256];
    size_t el = sizeof ep;
    zmq_getsockopt(r, ZMQ_LAST_ENDPOINT, ep, &el);
    echo *e = calloc((size_t)npeers, sizeof *e);
    for (int i = 0; i < npeers; i++) {
        e[i].ctx = cctx;
        snprintf(e[i].ep, sizeof e[i].ep, "%s", ep);
        snprintf(e[i].rid, sizeof e[i].rid, "peer-%d", i);
        e[i].spub = spub;
        e[i].cpub = cpub;
        e[i].csec = csec;
        pthread_create(&e[i].th, NULL, echo_main, &e[i]);
    }
    /* a JOB-sized request, as the dispatcher sends */
    uint8_t job[120];
    memset(job, 'j', sizeof job);
    char rid[64], buf[PROTO_MAX_MSG];
    for (int i = 0; i < npeers; i++) { /* the "hi"s */
        int k = zmq_recv(r, rid, sizeof rid, 0);
        zmq_recv(r, buf, sizeof buf, 0);
        zmq_send(r, rid, (size_t)k, ZMQ_SNDMORE);
        zmq_send(r, job, sizeof job, 0);
    }
    int sent = npeers, got = 0;
    double t0 = hw_now_s();
    while (got < nreq) {
        int k = zmq_recv(r, rid, sizeof rid, 0);
        zmq_recv(r, buf, sizeof buf, 0);
        got++;
        zmq_send(r, rid, (size_t)k, ZMQ_SNDMORE);
        if (sent < nreq) {
            zmq_send(r, job, sizeof job, 0);
            sent++;
        } else {
            zmq_send(r, "q", 1, 0);
        }
    }
    double dt = hw_now_s() - t0;
    /* peers still waiting get their quit */
    for (int i = 0; i < npeers; i++) pthread_join(e[i].th, NULL);
    zmq_close(r);
    zmq_ctx_term(cctx);
    zmq_ctx_term(sctx);
    free(e);
    return nreq / dt;
}

/* ---- 2. dead-board detection ------------------------------------------- */

static void *fake_dealer(void *ctx, const char *ep, const char *rid, const jkey *spub, const jkey *pub, const jkey *sec) {
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    int zero = 0, one = 1;
    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(s, ZMQ_IMMEDIATE, &one, sizeof one);
    zmq_setsockopt(s, ZMQ_ROUTING_ID, rid, strlen(rid));
    zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, spub->z85, 40);
    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, pub->z85, 40);
    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, sec->z85, 40);
    zmq_connect(s, ep);
    return s;
}

static void fake_send(disp *d, void *s, const proto_msg *m) {
    uint8_t buf[PROTO_MAX_MSG];
    size_t n;
    proto_encode(m, buf, sizeof buf, &n);
    disp_result res[8];
    int k;
    while (zmq_send(s, buf, n, ZMQ_DONTWAIT) < 0) disp_poll(d, 2, res, 8, &k);
}

static void fake_hello(disp *d, void *s, const char *id) {
    proto_msg m;
    proto_init(&m, PROTO_HELLO);
    snprintf(m.board_id, sizeof m.board_id, "%s", id);
    snprintf(m.device, sizeof m.device, "tx2");
    snprintf(m.runner, sizeof m.runner, "fake");
    fake_send(d, s, &m);
}

/* 1 if a JOB arrived on s (other messages skipped). */
static int fake_got_job(void *s) {
    uint8_t buf[PROTO_MAX_MSG];
    int n;
    proto_msg m;
    while ((n = zmq_recv(s, buf, sizeof buf, ZMQ_DONTWAIT)) >= 0)
        if (proto_decode(buf, (size_t)n, 0, &m) == 0 && m.type == PROTO_JOB) return 1;
    return 0;
}

/* One trial: returns detection and re-dispatch times (seconds). */
static int dead_trial(int dead_ms, int hb_ms, double *detect, double *redispatch) {
    jkey dpub, dsec, bpub[2], bsec[2];
    jkeys_generate(&dpub, &dsec);
    for (int i = 0; i < 2; i++) jkeys_generate(&bpub[i], &bsec[i]);
    disp_options o;
    disp_options_default(&o);
    o.endpoint = "tcp://127.0.0.1:*";
    o.public_key = dpub;
    o.secret_key = dsec;
    o.allow = bpub;
    o.n_allow = 2;
    o.log = quiet;
    o.dead_ms = dead_ms;
    o.heartbeat_ms = hb_ms;
    o.backoff_ms = 0;
    disp *d;
    if (disp_create(&o, &d) != 0) return -1;
    void *ctx = zmq_ctx_new();
    void *a = fake_dealer(ctx, disp_endpoint(d), "victim", &dpub, &bpub[0], &bsec[0]);
    fake_hello(d, a, "victim");
    uint64_t id;
    disp_submit(d, "tx2", "arch", 0, 0, &id);
    disp_result res[8];
    int k;
    double t0 = hw_now_s();
    while (!fake_got_job(a) && hw_now_s() - t0 < 10) disp_poll(d, 1, res, 8, &k);
    void *b = fake_dealer(ctx, disp_endpoint(d), "spare", &dpub, &bpub[1], &bsec[1]);
    fake_hello(d, b, "spare");
    /* wait until the spare has joined, then the victim's last word: a
     * heartbeat saying it holds the job; silence is measured from there */
    while (disp_boards_live(d, "tx2") < 2 && hw_now_s() - t0 < 10) disp_poll(d, 1, res, 8, &k);
    proto_msg last_beat;
    proto_init(&last_beat, PROTO_HEARTBEAT);
    last_beat.from_board = 1;
    last_beat.job_id = id;
    last_beat.attempt = 1;
    last_beat.holding = 1;
    fake_send(d, a, &last_beat);
    double last = hw_now_s();
    disp_stats st;
    *detect = *redispatch = -1;
    proto_msg hbm;
    proto_init(&hbm, PROTO_HEARTBEAT);
    hbm.from_board = 1;
    double next_beat = 0;
    while (hw_now_s() - last < 10 * dead_ms / 1e3 + 5) {
        if (hw_now_s() > next_beat) { /* the spare stays alive */
            fake_send(d, b, &hbm);
            next_beat = hw_now_s() + hb_ms / 1e3;
        }
        disp_poll(d, 1, res, 8, &k);
        disp_stats_get(d, &st);
        if (*detect < 0 && st.boards_dead > 0) *detect = hw_now_s() - last;
        if (fake_got_job(b)) {
            *redispatch = hw_now_s() - last;
            break;
        }
    }
    zmq_close(a);
    zmq_close(b);
    zmq_ctx_term(ctx);
    disp_free(d);
    return *detect > 0 && *redispatch > 0 ? 0 : -1;
}

/* ---- 3. builtin-runner noise ---------------------------------------------- */

static int bench_noise(int repeats, int runs, const char *arch, double *cv_medians, double *mean_ms, double *cv_within) {
    runner_config c;
    runner_config_default(&c);
    c.kind = RUNNER_BUILTIN;
    bert_space_cfg *s = &c.space;
    int layers[] = {2, 4, 6}, hidden[] = {128, 256, 384}, heads[] = {2, 4, 8}, ffn[] = {512, 1024, 1536};
    s->n_layers = s->n_hidden = s->n_heads = s->n_ffn = 3;
    memcpy(s->layers, layers, sizeof layers);
    memcpy(s->hidden, hidden, sizeof hidden);
    memcpy(s->heads, heads, sizeof heads);
    memcpy(s->ffn, ffn, sizeof ffn);
    c.batch = 1;
    c.seq_len = 128;
    c.warmup = 3;
    c.runs = runs;
    c.threads = 1;
    runner *r;
    if (runner_create(&c, &r) != 0) {
        fprintf(stderr, "bench: %s\n", hw_errmsg());
        return -1;
    }
    double *med = malloc((size_t)repeats * sizeof *med), within = 0;
    atomic_int ab;
    atomic_init(&ab, 0);
    for (int i = 0; i < repeats; i++) {
        proto_msg m;
        proto_init(&m, PROTO_RESULT);
        runner_run(r, (uint64_t)i + 1, arch, &ab, &m);
        if (m.status != PROTO_ST_OK) {
            fprintf(stderr, "bench: builtin: %s\n", m.error);
            return -1;
        }
        med[i] = m.median_ms;
        within += m.std_ms / m.mean_ms;
    }
    *mean_ms = stats_mean(med, repeats);
    *cv_medians = stats_std(med, repeats, 1) / *mean_ms;
    *cv_within = within / repeats;
    free(med);
    runner_free(r);
    runner_config_clear(&c);
    return 0;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    int quick = argc > 1 && !strcmp(argv[1], "--quick");
    char path[1024];
    snprintf(path, sizeof path, "%s/hw_nas_bench/hwnasbench_nb201_cifar10.csv", data_dir());
    csv_table *t;
    if (csv_read(path, &t) != 0) {
        fprintf(stderr, "bench: %s\n", hw_errmsg());
        return 1;
    }
    int narchs = csv_nrows(t), col = csv_col(t, "arch_str");
    char **archs = malloc((size_t)narchs * sizeof *archs);
    for (int i = 0; i < narchs; i++) archs[i] = strdup(csv_str(t, i, col));
    csv_free(t);

    if (argc == 5 && !strcmp(argv[1], "tput")) { /* profiling aid: tput BOARDS JOBS light|agents */
        double cpu = 0, logic = 0;
        double r = bench_dispatcher(atoi(argv[2]), atoi(argv[3]), archs, narchs, !strcmp(argv[4], "light"), &cpu, &logic);
        printf("%.0f jobs/s, dispatcher %.1f us CPU/job (%.1f in disp_poll's thread)\n", r, cpu, logic);
        return 0;
    }
    int reps = quick ? 1 : 3, njobs = quick ? 5000 : 20000;
    int boards[] = {1, 4, 8};
    printf("### Dispatcher throughput, zero-time runner, CURVE on, 127.0.0.1 (median of %d runs, %d jobs each)\n\n",
           reps, njobs);
    printf("| boards | end-to-end jobs/s (real agents) | bare ZeroMQ CURVE req/rep per s | ratio | dispatcher CPU us/job: "
           "total (disp_poll thread + its ZeroMQ I/O thread) | dispatcher capacity jobs/s = 1e6 / total | "
           "disp_poll thread only: jobs/s |\n");
    printf("|---:|---:|---:|---:|---:|---:|---:|\n");
    for (size_t bi = 0; bi < sizeof boards / sizeof *boards; bi++) {
        double a[5], b[5], cpu[5], logic[5];
        for (int r = 0; r < reps; r++) {
            a[r] = bench_dispatcher(boards[bi], njobs, archs, narchs, 0, &cpu[r], &logic[r]);
            b[r] = bench_raw(boards[bi], njobs);
        }
        qsort(a, (size_t)reps, sizeof *a, cmp_double);
        qsort(b, (size_t)reps, sizeof *b, cmp_double);
        qsort(cpu, (size_t)reps, sizeof *cpu, cmp_double);
        qsort(logic, (size_t)reps, sizeof *logic, cmp_double);
        double ma = a[reps / 2], mb = b[reps / 2], mc = cpu[reps / 2], ml = logic[reps / 2];
        printf("| %d | %.0f | %.0f | %.2f | %.1f (%.1f + %.1f) | %.0f | %.0f |\n", boards[bi], ma, mb, ma / mb, mc, ml,
               mc - ml, 1e6 / mc, 1e6 / ml);
        fflush(stdout);
    }

    printf("\n### Dead-board detection (victim silent after taking a job; spare board alive)\n\n");
    printf("| dead_ms | heartbeat_ms | trials | detected after (median, max) s | job re-dispatched after (median) s |\n");
    printf("|---:|---:|---:|---:|---:|\n");
    int deads[] = {500, 1000, 3000};
    int ntr = quick ? 2 : 5;
    for (size_t di = 0; di < (quick ? 2u : 3u); di++) {
        double det[8], red[8];
        int ok = 0;
        for (int r = 0; r < ntr; r++)
            if (dead_trial(deads[di], deads[di] / 5, &det[ok], &red[ok]) == 0) ok++;
        if (!ok) {
            printf("| %d | %d | 0 | failed | failed |\n", deads[di], deads[di] / 5);
            continue;
        }
        qsort(det, (size_t)ok, sizeof *det, cmp_double);
        qsort(red, (size_t)ok, sizeof *red, cmp_double);
        printf("| %d | %d | %d | %.3f, %.3f | %.3f |\n", deads[di], deads[di] / 5, ok, det[ok / 2], det[ok - 1],
               red[ok / 2]);
        fflush(stdout);
    }

    printf("\n### Builtin runner noise (BERT forward, batch 1, seq 128, 1 thread, 3 warm-up + 10 timed runs per "
           "measurement)\n\n");
    printf("| arch | measurements | mean of medians ms | CV of medians | mean within-measurement CV |\n");
    printf("|---|---:|---:|---:|---:|\n");
    const char *narch[] = {"L2:H128:A2.2:F512.512", "L4:H256:A4.4.4.4:F1024.1024.1024.1024"};
    for (int i = 0; i < 2; i++) {
        double cv, mean, within;
        if (bench_noise(quick ? 5 : 20, 10, narch[i], &cv, &mean, &within) == 0)
            printf("| %s | %d | %.3f | %.2f%% | %.2f%% |\n", narch[i], quick ? 5 : 20, mean, 100 * cv, 100 * within);
        fflush(stdout);
    }
    for (int i = 0; i < narchs; i++) free(archs[i]);
    free(archs);
    return 0;
}
