/* progress: see progress.h. */
#include "progress.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "hw_err.h"

struct progress {
    const search_config *cfg;
    const space *sp;
    int fd;       /* the log, or -1 */
    char *path;
    int bar;      /* 1: stderr is a terminal and --progress asked for the bar */
    int bar_shown;
    long meas;    /* last known measurement count, board seconds */
    double board_s;
};

int progress_create(const search_config *cfg, const space *sp, const char *path, int bar, progress **out) {
    *out = NULL;
    int want_bar = bar && isatty(STDERR_FILENO);
    if ((!path || !*path) && !want_bar) return 0;
    progress *p = hw_calloc(1, sizeof *p);
    p->cfg = cfg;
    p->sp = sp;
    p->fd = -1;
    p->bar = want_bar;
    if (path && *path) {
        p->path = hw_strdup(path);
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", path);
        char *sl = strrchr(dir, '/');
        if (sl && sl != dir) {
            *sl = 0;
            if (hw_mkdir_p(dir)) {
                hw_fail_prefix("output.progress");
                progress_free(p);
                return -1;
            }
        }
        p->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (p->fd < 0) {
            hw_fail("output.progress: %s: %s", path, strerror(errno));
            progress_free(p);
            return -1;
        }
    }
    *out = p;
    return 0;
}

void progress_free(progress *p) {
    if (!p) return;
    if (p->bar_shown) fputc('\n', stderr);
    if (p->fd >= 0) close(p->fd);
    free(p->path);
    free(p);
}

/* Appends b (one line) to the log in one write. */
static int put_line(progress *p, hw_buf *b) {
    hw_buf_printf(b, "\n");
    size_t off = 0;
    while (off < b->len) {
        ssize_t w = write(p->fd, b->p + off, b->len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return hw_fail("output.progress: %s: %s", p->path, strerror(errno));
        off += (size_t)w;
    }
    return 0;
}

/* Unix time (s), for readers that line the log up with other logs. */
static double unix_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* JSON number with 17 digits, null when not finite. */
static void num(hw_buf *b, double v) {
    if (isfinite(v)) hw_buf_printf(b, "%.17g", v);
    else hw_buf_printf(b, "null");
}

static void draw_bar(progress *p, const search_history_row *h) {
    const search_config *c = p->cfg;
    char line[160], cnt[48];
    int w = 24, fill = 0;
    if (c->max_measurements > 0) {
        fill = (int)(w * (double)p->meas / c->max_measurements + 0.5);
        if (fill > w) fill = w;
        snprintf(cnt, sizeof cnt, "%ld/%ld meas", p->meas, (long)c->max_measurements);
    } else {
        snprintf(cnt, sizeof cnt, "%ld meas", p->meas);
    }
    char barbuf[32];
    for (int i = 0; i < w; i++) barbuf[i] = i < fill ? '#' : '.';
    barbuf[w] = 0;
    char q[48] = "";
    if (h && isfinite(h->hv_ratio)) snprintf(q, sizeof q, "HV ratio %.4f", h->hv_ratio);
    else if (h && isfinite(h->hv)) snprintf(q, sizeof q, "HV %.6g", h->hv);
    char bt[32];
    if (p->board_s < 3600) snprintf(bt, sizeof bt, "%.0f s", p->board_s);
    else snprintf(bt, sizeof bt, "%.2f h", p->board_s / 3600);
    snprintf(line, sizeof line, "[%s] %s  board %s  %s  gen %d", barbuf, cnt, bt, q, h ? h->generation : -1);
    fprintf(stderr, "\r%s\033[K", line);
    fflush(stderr);
    p->bar_shown = 1;
}

void progress_clear_bar(progress *p) {
    if (!p || !p->bar_shown) return;
    fputs("\r\033[K", stderr);
    p->bar_shown = 0;
}

int progress_measurement(progress *p, const meas_record *r, long i, long measurements, double board_s) {
    if (!p) return 0;
    p->meas = measurements;
    p->board_s = board_s;
    if (p->fd < 0) return 0;
    const search_config *c = p->cfg;
    hw_buf b = {0};
    hw_buf_printf(&b, "{\"event\": \"measurement\", \"time\": %.3f, \"index\": %ld, \"arch\": ", unix_now(), i);
    char arch[HW_ARCH_STR_MAX] = "";
    space_to_string(p->sp, &r->g, arch, sizeof arch);
    hw_buf_json_str(&b, arch);
    hw_buf_printf(&b, ", \"generation\": %d, \"island\": %d, \"values\": {", r->gen, r->island);
    for (int k = 0; k < c->n_obj; k++) {
        hw_buf_printf(&b, "%s", k ? ", " : "");
        hw_buf_json_str(&b, c->obj[k].name);
        hw_buf_printf(&b, ": ");
        num(&b, objective_to_min(&c->obj[k], r->obj[k]));
    }
    hw_buf_printf(&b, "}, \"cv\": ");
    num(&b, r->cv);
    hw_buf_printf(&b, ", \"board\": ");
    hw_buf_json_str(&b, r->board);
    hw_buf_printf(&b, ", \"runner\": ");
    hw_buf_json_str(&b, r->runner);
    hw_buf_printf(&b, ", \"t_start\": ");
    num(&b, r->t_start > 0 ? r->t_start : NAN);
    hw_buf_printf(&b, ", \"t_end\": ");
    num(&b, r->t_end > 0 ? r->t_end : NAN);
    hw_buf_printf(&b, ", \"warm_start\": %s, \"measurements\": %ld, \"board_s\": ",
                  strcmp(r->runner, GTS_WARM_RUNNER) ? "false" : "true", measurements);
    num(&b, board_s);
    hw_buf_printf(&b, "}");
    int rc = put_line(p, &b);
    hw_buf_free(&b);
    return rc;
}

int progress_generation(progress *p, const search_history_row *h, double board_s) {
    if (!p) return 0;
    p->meas = h->measurements;
    p->board_s = board_s;
    int rc = 0;
    if (p->fd >= 0) {
        hw_buf b = {0};
        hw_buf_printf(&b,
                      "{\"event\": \"generation\", \"time\": %.3f, \"generation\": %d, \"evaluations\": %ld, "
                      "\"measurements\": %ld, \"failed\": %ld, \"budget\": %ld, \"front_size\": %d, \"hv\": ",
                      unix_now(), h->generation, h->evaluations, h->measurements, h->failed,
                      (long)p->cfg->max_measurements, h->front_size);
        num(&b, h->hv);
        hw_buf_printf(&b, ", \"hv_ratio\": ");
        num(&b, h->hv_ratio);
        hw_buf_printf(&b, ", \"board_s\": ");
        num(&b, board_s);
        hw_buf_printf(&b, ", \"wall_s\": ");
        num(&b, h->wall_s);
        hw_buf_printf(&b, "}");
        rc = put_line(p, &b);
        hw_buf_free(&b);
    }
    if (p->bar) draw_bar(p, h);
    return rc;
}
