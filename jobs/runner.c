#include "runner.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hw_clock.h"
#include "hw_err.h"
#include "runner_impl.h"
#include "stats.h"

const char *const runner_kind_names[] = {"builtin", "command", "replay", NULL};

struct runner {
    int kind;
    int instant;
    runner_ops ops;
    void *impl;
    char caps[PROTO_CAPS_MAX + 1];
};

void runner_config_default(runner_config *c) {
    memset(c, 0, sizeof *c);
    c->kind = RUNNER_BUILTIN;
    bert_space_cfg_default(&c->space);
    /* the search's default space plus 1-layer candidates (small supernets
     * have them): a board must be able to measure every arch a search
     * proposes; the largest shape, and so the memory, is unchanged */
    if (c->space.layers[0] > 1 && c->space.n_layers < BERT_MAX_CHOICES) {
        memmove(c->space.layers + 1, c->space.layers, (size_t)c->space.n_layers * sizeof *c->space.layers);
        c->space.layers[0] = 1;
        c->space.n_layers++;
    }
    c->batch = 1;
    c->seq_len = 128;
    c->warmup = 3;
    c->runs = 10;
    c->threads = 1;
    c->vocab = 30522;
    c->seed = 1;
    c->timeout_s = 600;
    c->scale = 1.0;
}

void runner_config_clear(runner_config *c) {
    for (int i = 0; i < c->argc; i++) free(c->argv[i]);
    free(c->argv);
    free(c->work_dir);
    free(c->latency_regex);
    free(c->table);
    free(c->key_column);
    free(c->value_column);
    c->argv = NULL;
    c->argc = 0;
    c->work_dir = c->latency_regex = c->table = c->key_column = c->value_column = NULL;
}

int runner_create(const runner_config *cfg, runner **out) {
    runner *r = hw_calloc(1, sizeof *r);
    r->kind = cfg->kind;
    int rc;
    switch (cfg->kind) {
    case RUNNER_BUILTIN: rc = runner_builtin_create(cfg, &r->ops, &r->impl, r->caps, sizeof r->caps); break;
    case RUNNER_COMMAND: rc = runner_command_create(cfg, &r->ops, &r->impl, r->caps, sizeof r->caps); break;
    case RUNNER_REPLAY: rc = runner_replay_create(cfg, &r->ops, &r->impl, r->caps, sizeof r->caps); break;
    default: rc = hw_fail("unknown runner kind %d", cfg->kind);
    }
    if (rc != 0) {
        free(r);
        return -1;
    }
    r->instant = cfg->kind == RUNNER_REPLAY && cfg->delay_ms == 0;
    *out = r;
    return 0;
}

void runner_free(runner *r) {
    if (!r) return;
    if (r->ops.destroy) r->ops.destroy(r->impl);
    free(r);
}

int runner_instant(const runner *r) { return r->instant; }
const char *runner_name(const runner *r) { return runner_kind_names[r->kind]; }
const char *runner_caps(const runner *r) { return r->caps; }

void runner_run(runner *r, uint64_t job_id, const char *arch, const atomic_int *abort, proto_msg *res) {
    snprintf(res->runner, sizeof res->runner, "%s", runner_name(r));
    res->status = PROTO_ST_OK;
    res->error[0] = 0;
    res->repetitions = res->warmup = 0;
    res->median_ms = res->mean_ms = res->std_ms = res->min_ms = 0;
    res->t_start = runner_wall_time();
    r->ops.run(r->impl, job_id, arch, abort, res);
    res->t_end = runner_wall_time();
    if (res->status != PROTO_ST_OK) res->median_ms = res->mean_ms = res->std_ms = res->min_ms = 0;
}

void runner_fill_stats(proto_msg *res, const double *v, int n) {
    res->repetitions = (uint32_t)n;
    if (n <= 0) return;
    res->median_ms = stats_median(v, n);
    res->mean_ms = stats_mean(v, n);
    res->std_ms = n > 1 ? stats_std(v, n, 1) : 0.0;
    res->min_ms = stats_min(v, n);
}

double runner_wall_time(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void runner_set_status(proto_msg *res, int status, const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    /* keep the message printable and bounded for the wire */
    size_t k = 0;
    for (size_t i = 0; buf[i] && k < PROTO_ERROR_MAX; i++)
        res->error[k++] = (buf[i] >= 0x20 && buf[i] < 0x7f) ? buf[i] : ' ';
    res->error[k] = 0;
    res->status = status;
}

int runner_sleep_ms(double ms, const atomic_int *abort) {
    double t0 = hw_now_s();
    for (;;) {
        if (abort && atomic_load(abort)) return 1;
        double left = ms - 1e3 * (hw_now_s() - t0);
        if (left <= 0) return 0;
        double step = left < 20 ? left : 20;
        struct timespec s = {(time_t)(step / 1e3), (long)(fmod(step, 1e3) * 1e6)};
        nanosleep(&s, NULL);
    }
}
