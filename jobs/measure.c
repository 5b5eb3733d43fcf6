/* measure.c: see measure.h. */
#include "measure.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv.h"
#include "fsutil.h"
#include "hw_clock.h"
#include "hw_err.h"

static const char *const out_cols[] = {"device", "arch", "status", "median_ms", "mean_ms", "std_ms", "min_ms",
                                       "repetitions", "warmup", "board", "runner", "t_start", "t_end",
                                       "attempts", "job", "error", NULL};

/* Reads the arch list; exit-2 style message on a bad line. */
static int read_archs(const char *path, char ***out, int *n) {
    FILE *f = fopen(path, "r");
    if (!f) return hw_fail("%s: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0, cnt = 0, capv = 0;
    char **v = NULL;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
            line[--len] = 0;
        char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        if (!*p || *p == '#') continue;
        if (!proto_str_ok(p, PROTO_ARCH_MAX)) {
            hw_fail("%s:%d: arch string must be 1..%d printable ASCII characters", path, lineno, PROTO_ARCH_MAX);
            goto fail;
        }
        if (strchr(p, '"')) {
            hw_fail("%s:%d: arch string must not contain '\"'", path, lineno);
            goto fail;
        }
        if (cnt == capv) v = hw_realloc(v, (size_t)(capv = capv ? 2 * capv : 256) * sizeof *v);
        v[cnt++] = hw_strdup(p);
    }
    free(line);
    fclose(f);
    if (!cnt) {
        free(v);
        return hw_fail("%s: no arch strings in the file", path);
    }
    *out = v;
    *n = cnt;
    return 0;
fail:
    free(line);
    fclose(f);
    for (int i = 0; i < cnt; i++) free(v[i]);
    free(v);
    return -1;
}

/* Appends a CSV field (quoted when needed). */
static void put_field(hw_buf *b, const char *s, int last) {
    if (strpbrk(s, ",\"\n\r")) {
        hw_buf_printf(b, "\"");
        for (const char *p = s; *p; p++) hw_buf_printf(b, *p == '"' ? "\"\"" : "%c", *p);
        hw_buf_printf(b, "\"");
    } else {
        hw_buf_printf(b, "%s", s);
    }
    hw_buf_printf(b, last ? "\n" : ",");
}

static void format_row(hw_buf *b, const disp_result *r) {
    static const char *const st[] = {"ok", "failed", "error"};
    char num[8][40];
    int ok = r->status == DISP_OK;
    if (ok) {
        snprintf(num[0], 40, "%.6g", r->median_ms);
        snprintf(num[1], 40, "%.6g", r->mean_ms);
        snprintf(num[2], 40, "%.6g", r->std_ms);
        snprintf(num[3], 40, "%.6g", r->min_ms);
    } else {
        num[0][0] = num[1][0] = num[2][0] = num[3][0] = 0;
    }
    snprintf(num[4], 40, "%.6f", r->t_start);
    snprintf(num[5], 40, "%.6f", r->t_end);
    char reps[16], warm[16], att[16], job[24];
    snprintf(reps, sizeof reps, "%d", r->repetitions);
    snprintf(warm, sizeof warm, "%d", r->warmup);
    snprintf(att, sizeof att, "%d", r->attempts);
    snprintf(job, sizeof job, "%llu", (unsigned long long)r->job_id);
    put_field(b, r->device, 0);
    put_field(b, r->arch, 0);
    put_field(b, st[r->status], 0);
    for (int i = 0; i < 4; i++) put_field(b, num[i], 0);
    put_field(b, reps, 0);
    put_field(b, warm, 0);
    put_field(b, r->board_id, 0);
    put_field(b, r->runner, 0);
    put_field(b, r->t_start > 0 ? num[4] : "", 0);
    put_field(b, r->t_end > 0 ? num[5] : "", 0);
    put_field(b, att, 0);
    put_field(b, job, 0);
    put_field(b, r->error, 1);
}

/* Opens --out for appending. An existing file must have our header; a
 * torn last line (no newline: killed mid-write) is cut off. For every arch
 * of the list, have[i] counts its ok/failed rows for DEVICE. */
static int open_out(const char *path, const char *device, char **archs, int n, int *have, int *out_fd, FILE *log) {
    struct stat st;
    int fd = -1;
    csv_table *t = NULL;
    if (stat(path, &st) == 0 && st.st_size > 0) {
        fd = open(path, O_RDWR);
        if (fd < 0) return hw_fail("%s: %s", path, strerror(errno));
        char last;
        if (pread(fd, &last, 1, st.st_size - 1) != 1) goto io;
        if (last != '\n') {
            /* cut the torn row */
            off_t end = st.st_size;
            char c;
            while (end > 0 && pread(fd, &c, 1, end - 1) == 1 && c != '\n') end--;
            if (ftruncate(fd, end) != 0) goto io;
            fprintf(log, "hwnas: measure: %s: cut an incomplete last row\n", path);
        }
        if (csv_read(path, &t) != 0) goto fail;
        for (int k = 0; out_cols[k]; k++)
            if (csv_col(t, out_cols[k]) != k) {
                hw_fail("%s: not an hwnas measure output (expected column %d '%s'); use another --out", path, k + 1,
                        out_cols[k]);
                goto fail;
            }
        int ca = csv_col(t, "arch"), cs = csv_col(t, "status"), cd = csv_col(t, "device");
        /* count rows per arch (linear: lists are thousands, not millions) */
        for (int r = 0; r < csv_nrows(t); r++) {
            const char *s = csv_str(t, r, cs);
            if ((strcmp(s, "ok") && strcmp(s, "failed")) || strcmp(csv_str(t, r, cd), device)) continue;
            for (int i = 0; i < n; i++)
                if (!strcmp(archs[i], csv_str(t, r, ca))) have[i]++;
        }
        csv_free(t);
        t = NULL;
        if (lseek(fd, 0, SEEK_END) < 0) goto io;
    } else {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) return hw_fail("%s: %s", path, strerror(errno));
        hw_buf b = {0};
        for (int k = 0; out_cols[k]; k++) hw_buf_printf(&b, "%s%s", k ? "," : "", out_cols[k]);
        hw_buf_printf(&b, "\n");
        ssize_t w = write(fd, b.p, b.len);
        hw_buf_free(&b);
        if (w < 0 || fsync(fd) != 0) goto io;
        hw_fsync_dir_of(path);
    }
    *out_fd = fd;
    return 0;
io:
    hw_fail("%s: %s", path, strerror(errno));
fail:
    csv_free(t);
    if (fd >= 0) close(fd);
    return -1;
}

void measure_opts_default(measure_opts *o) {
    memset(o, 0, sizeof *o);
    disp_options_default(&o->disp);
    o->repeats = 1;
    o->log = stderr;
}

/* Submits what the output file lacks; -1 on a bad arch/device. */
static int submit_missing(const measure_opts *o, disp *d, char **archs, int narchs, const int *have, long long *todo) {
    long long skipped = 0;
    for (int i = 0; i < narchs; i++) {
        for (int k = have[i]; k < o->repeats; k++) {
            uint64_t id;
            int s = disp_submit(d, o->device, archs[i], o->priority, k > 0, &id);
            if (s < 0) return -1;
            if (s == 0) (*todo)++;
        }
        if (have[i] >= o->repeats) skipped++;
    }
    if (skipped) fprintf(o->log, "hwnas: measure: %lld archs already measured in %s\n", skipped, o->out_path);
    return 0;
}

int measure_run(const measure_opts *o, measure_result *res) {
    char **archs = NULL;
    int *have = NULL, narchs = 0, out_fd = -1, rc = -1;
    disp *d = NULL;
    disp_result *batch = NULL;
    hw_buf b = {0};
    memset(res, 0, sizeof *res);
    res->bad_input = 1;
    if (read_archs(o->archs_path, &archs, &narchs) != 0) goto done;
    have = hw_calloc((size_t)narchs, sizeof *have);
    if (open_out(o->out_path, o->device, archs, narchs, have, &out_fd, o->log) != 0) goto done;
    res->bad_input = 0;
    if (disp_create(&o->disp, &d) != 0) goto done;
    fprintf(o->log, "hwnas: measure: dispatcher listening on %s\n", disp_endpoint(d));
    if (o->ep_file) {
        char line[300];
        int k = snprintf(line, sizeof line, "%s\n", disp_endpoint(d));
        if (hw_write_file_atomic(o->ep_file, line, (size_t)k) != 0) goto done;
    }
    res->bad_input = 1;
    if (submit_missing(o, d, archs, narchs, have, &res->todo) != 0) goto done;
    res->bad_input = 0;

    double t0 = hw_now_s(), last_progress = 0, last_sync = t0;
    batch = hw_malloc(256 * sizeof *batch);
    int stopped = 0;
    while (res->done < res->todo) {
        if (o->stop && atomic_load(o->stop)) {
            fprintf(o->log, "hwnas: measure: interrupted with %lld jobs unfinished; rerun to resume\n",
                    res->todo - res->done);
            stopped = 1;
            break;
        }
        if (o->timeout_s > 0 && hw_now_s() - t0 > o->timeout_s) {
            fprintf(o->log, "hwnas: measure: --timeout-s %g reached with %lld jobs unfinished\n", o->timeout_s,
                    res->todo - res->done);
            stopped = 1;
            break;
        }
        int n;
        if (disp_poll(d, 100, batch, 256, &n) != 0) goto done;
        b.len = 0;
        for (int i = 0; i < n; i++) {
            format_row(&b, &batch[i]);
            res->done++;
            res->ok += batch[i].status == DISP_OK;
            res->failed += batch[i].status == DISP_FAILED;
            res->error += batch[i].status == DISP_ERROR;
        }
        if (n && write(out_fd, b.p, b.len) != (ssize_t)b.len) {
            hw_fail("%s: write failed: %s", o->out_path, strerror(errno));
            goto done;
        }
        double now = hw_now_s();
        if (now - last_sync > 1.0) {
            fsync(out_fd);
            last_sync = now;
        }
        if (now - last_progress > 1.0 || res->done == res->todo) {
            disp_stats st;
            disp_stats_get(d, &st);
            fprintf(o->log,
                    "hwnas: measure: %lld/%lld done (ok %lld, failed %lld, error %lld), %llu boards, %llu in flight, "
                    "%.1f s\n",
                    res->done, res->todo, res->ok, res->failed, res->error, (unsigned long long)st.boards_live,
                    (unsigned long long)st.in_flight, now - t0);
            last_progress = now;
        }
    }
    if (fsync(out_fd) != 0 && !stopped) {
        hw_fail("%s: fsync: %s", o->out_path, strerror(errno));
        goto done;
    }
    if (!stopped && res->error)
        fprintf(o->log, "hwnas: measure: %lld jobs gave up (status error); rerun to retry them\n", res->error);
    res->complete = !stopped && !res->error;
    rc = 0;
done:
    hw_buf_free(&b);
    disp_free(d);
    if (out_fd >= 0) close(out_fd);
    for (int i = 0; i < narchs; i++) free(archs[i]);
    free(archs);
    free(have);
    free(batch);
    return rc;
}
