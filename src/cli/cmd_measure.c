/* cmd_measure: `hwnas measure` measures a batch of architectures on
 * whatever boards connect, writing one CSV row per finished job. The
 * output file doubles as the checkpoint: rerun the same command after a
 * crash or kill and only the archs without a row are submitted again. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "csv.h"
#include "disp.h"
#include "fsutil.h"
#include "hw_clock.h"
#include "hw_err.h"
#include "jkeys.h"

static atomic_int measure_stop;
static void on_signal(int sig) {
    (void)sig;
    atomic_store(&measure_stop, 1);
}

static const char *const out_cols[] = {"device", "arch", "status", "median_ms", "mean_ms", "std_ms", "min_ms",
                                       "repetitions", "warmup", "board", "runner", "t_start", "t_end",
                                       "attempts", "job", "error", NULL};

static void usage(FILE *f) {
    fprintf(f,
            "usage: hwnas measure --dispatcher URL --device NAME --archs FILE --out FILE.csv\n"
            "                     --key DISP.key --allow BOARDS.pub [OPTIONS]\n\n"
            "Binds the dispatcher at URL, measures every arch of FILE (one arch string per\n"
            "line; '#' comments) on the boards of device NAME that connect, and appends one\n"
            "CSV row per arch to --out with the statistics and provenance (board, runner,\n"
            "repetitions, warm-up, board start/end time, attempts). An existing --out is\n"
            "resumed: archs that already have an ok/failed row are skipped. Progress goes\n"
            "to stderr. Exit 0 when every arch has a row, 1 if some gave up (status error)\n"
            "or the run was interrupted / timed out, 2 on bad input.\n\n"
            "options:\n"
            "  --dispatcher URL     bind address, e.g. tcp://0.0.0.0:5555 or tcp://127.0.0.1:* (required)\n"
            "  --device NAME        device name the boards announce (required)\n"
            "  --archs FILE         arch strings, one per line (required)\n"
            "  --out FILE           output CSV, appended/resumed (required)\n"
            "  --key FILE           the dispatcher's key pair (hwnas keygen) (required)\n"
            "  --allow FILE         allowed board public keys, one per line; repeatable (required)\n"
            "  --repeats N          measurements per arch (default 1; > 1 repeats on purpose)\n"
            "  --priority N         job priority (default 0)\n"
            "  --heartbeat-ms N     dispatcher heartbeat period (default 500)\n"
            "  --dead-ms N          a board silent this long is dead (default 3000)\n"
            "  --job-timeout-s X    an attempt running longer is retried elsewhere (default 0: never)\n"
            "  --max-attempts N     attempts per job before giving up (default 3)\n"
            "  --backoff-ms N       first retry delay, doubling (default 100)\n"
            "  --timeout-s X        stop after X seconds even if jobs remain (default 0: never)\n"
            "  --endpoint-file FILE write the bound endpoint (with the real port) to FILE\n"
            "  --quiet              no per-board join/leave lines\n"
            "  -h, --help           this help\n");
}

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
static int open_out(const char *path, const char *device, char **archs, int n, int *have, int *out_fd) {
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
            fprintf(stderr, "hwnas: measure: %s: cut an incomplete last row\n", path);
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

int cmd_measure(int argc, char **argv) {
    static const struct option opts[] = {{"dispatcher", required_argument, 0, 'D'},
                                         {"device", required_argument, 0, 'd'},
                                         {"archs", required_argument, 0, 'a'},
                                         {"out", required_argument, 0, 'o'},
                                         {"key", required_argument, 0, 'k'},
                                         {"allow", required_argument, 0, 'A'},
                                         {"repeats", required_argument, 0, 'r'},
                                         {"priority", required_argument, 0, 'p'},
                                         {"heartbeat-ms", required_argument, 0, 'H'},
                                         {"dead-ms", required_argument, 0, 'X'},
                                         {"job-timeout-s", required_argument, 0, 'J'},
                                         {"max-attempts", required_argument, 0, 'M'},
                                         {"backoff-ms", required_argument, 0, 'B'},
                                         {"timeout-s", required_argument, 0, 'T'},
                                         {"endpoint-file", required_argument, 0, 'E'},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *endpoint = NULL, *device = NULL, *archs_path = NULL, *out_path = NULL, *key_path = NULL,
               *ep_file = NULL;
    long repeats = 1, priority = 0, hb = 500, dead = 3000, maxatt = 3, backoff = 100;
    double job_timeout = 0, timeout = 0;
    int quiet = 0, c, rc = HW_EXIT_OK, nallow = 0, narchs = 0, out_fd = -1;
    jkey *allow = NULL;
    char **archs = NULL;
    int *have = NULL;
    disp *d = NULL;
    disp_result *res = NULL;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        int e = 0;
        switch (c) {
        case 'D': endpoint = optarg; break;
        case 'd': device = optarg; break;
        case 'a': archs_path = optarg; break;
        case 'o': out_path = optarg; break;
        case 'k': key_path = optarg; break;
        case 'A':
            if (jkeys_load_allow(optarg, &allow, &nallow) != 0) {
                rc = cli_report(HW_EXIT_USAGE);
                goto done;
            }
            break;
        case 'r': e = cli_parse_int("--repeats", optarg, 1, 1000000, &repeats); break;
        case 'p': e = cli_parse_int("--priority", optarg, -1000000000, 1000000000, &priority); break;
        case 'H': e = cli_parse_int("--heartbeat-ms", optarg, 1, 600000, &hb); break;
        case 'X': e = cli_parse_int("--dead-ms", optarg, 2, 3600000, &dead); break;
        case 'J':
            e = cli_parse_double("--job-timeout-s", optarg, &job_timeout);
            if (!e && (job_timeout < 0 || job_timeout > 1e6)) e = hw_fail("option --job-timeout-s: must be 0..1e6");
            break;
        case 'M': e = cli_parse_int("--max-attempts", optarg, 1, 1000, &maxatt); break;
        case 'B': e = cli_parse_int("--backoff-ms", optarg, 0, 600000, &backoff); break;
        case 'T':
            e = cli_parse_double("--timeout-s", optarg, &timeout);
            if (!e && timeout < 0) e = hw_fail("option --timeout-s: must be >= 0");
            break;
        case 'E': ep_file = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); goto done;
        case ':': rc = cli_usage_error("measure: option %s needs a value", argv[optind - 1]); goto done;
        default: rc = cli_usage_error("measure: unknown option '%s' (see hwnas measure --help)", argv[optind - 1]); goto done;
        }
        if (e) {
            rc = cli_report(HW_EXIT_USAGE);
            goto done;
        }
    }
    if (optind < argc) {
        rc = cli_usage_error("measure: unexpected argument '%s'", argv[optind]);
        goto done;
    }
    if (!endpoint || !device || !archs_path || !out_path || !key_path || !nallow) {
        rc = cli_usage_error("measure: --dispatcher, --device, --archs, --out, --key and --allow are required");
        goto done;
    }
    if (!proto_str_ok(device, PROTO_ID_MAX)) {
        rc = cli_usage_error("measure: --device '%s' must be 1..%d printable characters", device, PROTO_ID_MAX);
        goto done;
    }
    if (dead < 2 * hb) {
        rc = cli_usage_error("measure: --dead-ms %ld must be at least twice --heartbeat-ms %ld", dead, hb);
        goto done;
    }
    disp_options o;
    disp_options_default(&o);
    if (jkeys_load_pair(key_path, &o.public_key, &o.secret_key) != 0 || read_archs(archs_path, &archs, &narchs) != 0) {
        rc = cli_report(HW_EXIT_USAGE);
        goto done;
    }
    have = hw_calloc((size_t)narchs, sizeof *have);
    if (open_out(out_path, device, archs, narchs, have, &out_fd) != 0) {
        rc = cli_report(HW_EXIT_USAGE);
        goto done;
    }
    o.endpoint = endpoint;
    o.allow = allow;
    o.n_allow = nallow;
    o.heartbeat_ms = (int)hb;
    o.dead_ms = (int)dead;
    o.job_timeout_ms = (int)(job_timeout * 1000);
    o.max_attempts = (int)maxatt;
    o.backoff_ms = (int)backoff;
    o.quiet = quiet;
    if (disp_create(&o, &d) != 0) {
        rc = cli_report(HW_EXIT_FAIL);
        goto done;
    }
    fprintf(stderr, "hwnas: measure: dispatcher listening on %s\n", disp_endpoint(d));
    if (ep_file) {
        char line[300];
        int k = snprintf(line, sizeof line, "%s\n", disp_endpoint(d));
        if (hw_write_file_atomic(ep_file, line, (size_t)k) != 0) {
            rc = cli_report(HW_EXIT_FAIL);
            goto done;
        }
    }
    /* submit what is missing */
    int64_t todo = 0, skipped = 0;
    for (int i = 0; i < narchs; i++) {
        for (long k = have[i]; k < repeats; k++) {
            uint64_t id;
            int s = disp_submit(d, device, archs[i], (int)priority, k > 0, &id);
            if (s < 0) {
                rc = cli_report(HW_EXIT_USAGE);
                goto done;
            }
            if (s == 0) todo++;
        }
        if (have[i] >= repeats) skipped++;
    }
    if (skipped) fprintf(stderr, "hwnas: measure: %lld archs already measured in %s\n", (long long)skipped, out_path);
    atomic_store(&measure_stop, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    int64_t done_n = 0, nok = 0, nfail = 0, nerr = 0;
    double t0 = hw_now_s(), last_progress = 0, last_sync = t0;
    res = hw_malloc(256 * sizeof *res);
    hw_buf b = {0};
    while (done_n < todo) {
        if (atomic_load(&measure_stop)) {
            fprintf(stderr, "hwnas: measure: interrupted with %lld jobs unfinished; rerun to resume\n",
                    (long long)(todo - done_n));
            rc = HW_EXIT_FAIL;
            break;
        }
        if (timeout > 0 && hw_now_s() - t0 > timeout) {
            fprintf(stderr, "hwnas: measure: --timeout-s %g reached with %lld jobs unfinished\n", timeout,
                    (long long)(todo - done_n));
            rc = HW_EXIT_FAIL;
            break;
        }
        int n;
        if (disp_poll(d, 100, res, 256, &n) != 0) {
            rc = cli_report(HW_EXIT_FAIL);
            break;
        }
        b.len = 0;
        for (int i = 0; i < n; i++) {
            format_row(&b, &res[i]);
            done_n++;
            nok += res[i].status == DISP_OK;
            nfail += res[i].status == DISP_FAILED;
            nerr += res[i].status == DISP_ERROR;
        }
        if (n && write(out_fd, b.p, b.len) != (ssize_t)b.len) {
            hw_fail("%s: write failed: %s", out_path, strerror(errno));
            rc = cli_report(HW_EXIT_FAIL);
            break;
        }
        double now = hw_now_s();
        if (now - last_sync > 1.0) {
            fsync(out_fd);
            last_sync = now;
        }
        if (now - last_progress > 1.0 || done_n == todo) {
            disp_stats st;
            disp_stats_get(d, &st);
            fprintf(stderr,
                    "hwnas: measure: %lld/%lld done (ok %lld, failed %lld, error %lld), %llu boards, %llu in flight, "
                    "%.1f s\n",
                    (long long)done_n, (long long)todo, (long long)nok, (long long)nfail, (long long)nerr,
                    (unsigned long long)st.boards_live, (unsigned long long)st.in_flight, now - t0);
            last_progress = now;
        }
    }
    hw_buf_free(&b);
    if (fsync(out_fd) != 0 && rc == HW_EXIT_OK) {
        hw_fail("%s: fsync: %s", out_path, strerror(errno));
        rc = cli_report(HW_EXIT_FAIL);
    }
    if (rc == HW_EXIT_OK && nerr) {
        fprintf(stderr, "hwnas: measure: %lld jobs gave up (status error); rerun to retry them\n", (long long)nerr);
        rc = HW_EXIT_FAIL;
    }
done:
    disp_free(d);
    if (out_fd >= 0) close(out_fd);
    for (int i = 0; i < narchs; i++) free(archs[i]);
    free(archs);
    free(have);
    free(allow);
    free(res);
    return rc;
}
