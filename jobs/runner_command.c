/* runner_command: runs the board owner's command template (see runner.h).
 * No shell is involved: the template is an argv list and placeholders are
 * substituted inside single arguments, so an arch string can never become
 * a second argument or a shell command. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hw_clock.h"
#include "hw_err.h"
#include "runner_impl.h"

#define OUT_CAP (1 << 20) /* output bytes kept for parsing */
#define MAX_VALUES 100000

typedef struct command {
    char **argv; /* template */
    int argc;
    double timeout_s, scale;
    char *work_dir;
    regex_t re;
    int re_ok;
    int warmup, keep_work;
} command;

static const char *const placeholders[] = {"{arch}", "{arch_file}", "{work}", "{job}", NULL};

/* Checks that every '{' in s starts a known placeholder. */
static int check_template(const char *s, int idx) {
    for (const char *p = strchr(s, '{'); p; p = strchr(p + 1, '{')) {
        int ok = 0;
        for (int k = 0; placeholders[k]; k++)
            if (!strncmp(p, placeholders[k], strlen(placeholders[k]))) ok = 1;
        if (!ok)
            return hw_fail("command runner: argv[%d] '%s': unknown placeholder at '%.12s' (known: {arch} {arch_file} "
                           "{work} {job})",
                           idx, s, p);
    }
    return 0;
}

static void command_destroy(void *impl) {
    command *c = impl;
    for (int i = 0; i < c->argc; i++) free(c->argv[i]);
    free(c->argv);
    free(c->work_dir);
    if (c->re_ok) regfree(&c->re);
    free(c);
}

/* Expands one template argument; NULL if the result exceeds 64 KiB. */
static char *expand(const char *t, const char *arch, const char *arch_file, const char *work, const char *job) {
    const char *vals[] = {arch, arch_file, work, job};
    size_t cap = 65536, k = 0;
    char *out = hw_malloc(cap);
    for (const char *p = t; *p;) {
        int hit = -1;
        if (*p == '{')
            for (int i = 0; placeholders[i]; i++)
                if (!strncmp(p, placeholders[i], strlen(placeholders[i]))) hit = i;
        const char *src = hit >= 0 ? vals[hit] : p;
        size_t n = hit >= 0 ? strlen(vals[hit]) : 1;
        if (k + n + 1 > cap) {
            free(out);
            return NULL;
        }
        memcpy(out + k, src, n);
        k += n;
        p += hit >= 0 ? strlen(placeholders[hit]) : 1;
    }
    out[k] = 0;
    return out;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

/* Runs argv with output captured into out (up to OUT_CAP, NUL-terminated);
 * returns 0 and the wait status, 1 on timeout, 2 on abort, -1 on failure
 * to start (message in err). */
static int run_child(char **argv, const char *cwd, double timeout_s, const atomic_int *abort, char *out,
                     size_t *out_len, int *wstatus, char *err, size_t errcap) {
    int pfd[2];
    if (pipe(pfd) != 0) {
        snprintf(err, errcap, "pipe: %s", strerror(errno));
        return -1;
    }
    /* exec failures are reported through a close-on-exec pipe */
    int efd[2];
    if (pipe2(efd, O_CLOEXEC) != 0) {
        close(pfd[0]);
        close(pfd[1]);
        snprintf(err, errcap, "pipe: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errcap, "fork: %s", strerror(errno));
        close(pfd[0]), close(pfd[1]), close(efd[0]), close(efd[1]);
        return -1;
    }
    if (pid == 0) {
        setpgid(0, 0);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2(devnull, 0);
        dup2(pfd[1], 1);
        dup2(pfd[1], 2);
        close(pfd[0]);
        close(pfd[1]);
        close(efd[0]);
        int e = 0;
        if (chdir(cwd) != 0) e = errno;
        else {
            execvp(argv[0], argv);
            e = errno;
        }
        ssize_t w = write(efd[1], &e, sizeof e);
        (void)w;
        _exit(127);
    }
    setpgid(pid, pid);
    close(pfd[1]);
    close(efd[1]);
    int e = 0;
    ssize_t got = read(efd[0], &e, sizeof e);
    close(efd[0]);
    if (got == (ssize_t)sizeof e) {
        close(pfd[0]);
        waitpid(pid, NULL, 0);
        snprintf(err, errcap, "cannot run '%.100s': %s", argv[0], strerror(e));
        return -1;
    }
    size_t n = 0;
    double t0 = hw_now_s();
    int rc = 0;
    for (;;) {
        double left = timeout_s - (hw_now_s() - t0);
        if (left <= 0) {
            rc = 1;
            break;
        }
        if (abort && atomic_load(abort)) {
            rc = 2;
            break;
        }
        struct pollfd p = {pfd[0], POLLIN, 0};
        int ms = left > 0.1 ? 100 : (int)(left * 1000) + 1;
        int pr = poll(&p, 1, ms);
        if (pr < 0 && errno != EINTR) break;
        if (pr <= 0) continue;
        char buf[65536];
        ssize_t r = read(pfd[0], buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break; /* EOF: the child (and its group) closed the output */
        size_t keep = (size_t)r;
        if (n + keep > OUT_CAP) keep = OUT_CAP - n;
        memcpy(out + n, buf, keep);
        n += keep;
    }
    close(pfd[0]);
    if (rc != 0) kill(-pid, SIGKILL);
    /* the output closed; wait for the exit (bounded by the same timeout) */
    for (;;) {
        pid_t w = waitpid(pid, wstatus, rc ? 0 : WNOHANG);
        if (w == pid || (w < 0 && errno != EINTR)) break;
        if (hw_now_s() - t0 > timeout_s || (abort && atomic_load(abort))) {
            rc = (abort && atomic_load(abort)) ? 2 : 1;
            kill(-pid, SIGKILL);
            continue;
        }
        struct timespec s = {0, 2000000};
        nanosleep(&s, NULL);
    }
    kill(-pid, SIGKILL); /* leftovers of the group, if any */
    out[n] = 0;
    *out_len = n;
    return rc;
}

/* Last non-empty line of the output (for error messages). */
static void last_line(const char *out, size_t n, char *dst, size_t cap) {
    while (n && (out[n - 1] == '\n' || out[n - 1] == '\r')) n--;
    size_t s = n;
    while (s && out[s - 1] != '\n') s--;
    snprintf(dst, cap, "%.*s", (int)(n - s), out + s);
}

static void command_run(void *impl, uint64_t job_id, const char *arch, const atomic_int *abort, proto_msg *res) {
    command *c = impl;
    char work[4096], arch_file[4200], jobs[32];
    char **argv = NULL;
    char *out = NULL;
    double *vals = NULL;
    snprintf(jobs, sizeof jobs, "%llu", (unsigned long long)job_id);
    if (snprintf(work, sizeof work, "%s/job-%llu-%d", c->work_dir, (unsigned long long)job_id, (int)getpid()) >=
        (int)sizeof work) {
        runner_set_status(res, PROTO_ST_ERROR, "command: work directory path too long");
        return;
    }
    nftw(work, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    if (mkdir(work, 0700) != 0) {
        runner_set_status(res, PROTO_ST_ERROR, "command: cannot create '%s': %s", work, strerror(errno));
        return;
    }
    snprintf(arch_file, sizeof arch_file, "%s/arch.txt", work);
    FILE *f = fopen(arch_file, "w");
    if (!f || fprintf(f, "%s\n", arch) < 0 || fclose(f) != 0) {
        runner_set_status(res, PROTO_ST_ERROR, "command: cannot write '%s'", arch_file);
        goto done;
    }
    argv = hw_calloc((size_t)c->argc + 1, sizeof *argv);
    for (int i = 0; i < c->argc; i++)
        if (!(argv[i] = expand(c->argv[i], arch, arch_file, work, jobs))) {
            runner_set_status(res, PROTO_ST_ERROR, "command: argv[%d] too long after substitution", i);
            goto done;
        }
    out = hw_malloc(OUT_CAP + 1);
    size_t n = 0;
    int ws = 0;
    char err[512];
    int rc = run_child(argv, work, c->timeout_s, abort, out, &n, &ws, err, sizeof err);
    if (rc < 0) {
        runner_set_status(res, PROTO_ST_ERROR, "command: %s", err);
        goto done;
    }
    if (rc == 2) {
        runner_set_status(res, PROTO_ST_RETURNED, "board shutting down");
        goto done;
    }
    if (rc == 1) {
        runner_set_status(res, PROTO_ST_ERROR, "command: timed out after %g s", c->timeout_s);
        goto done;
    }
    char ll[200];
    last_line(out, n, ll, sizeof ll);
    if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
        if (WIFSIGNALED(ws)) runner_set_status(res, PROTO_ST_ERROR, "command: killed by signal %d: %s", WTERMSIG(ws), ll);
        else runner_set_status(res, PROTO_ST_ERROR, "command: exit status %d: %s", WEXITSTATUS(ws), ll);
        goto done;
    }
    /* every match of the regex; the first capture group is the value */
    int nv = 0, capv = 16;
    vals = hw_malloc((size_t)capv * sizeof *vals);
    const char *p = out;
    regmatch_t m[2];
    while (nv < MAX_VALUES && regexec(&c->re, p, 2, m, p == out ? 0 : REG_NOTBOL) == 0) {
        if (m[1].rm_so >= 0) {
            char num[64];
            int len = (int)(m[1].rm_eo - m[1].rm_so);
            snprintf(num, sizeof num, "%.*s", len < 63 ? len : 63, p + m[1].rm_so);
            char *end;
            double v = strtod(num, &end);
            if (end == num || *end || !isfinite(v)) {
                runner_set_status(res, PROTO_ST_ERROR, "command: latency '%s' is not a number", num);
                goto done;
            }
            if (nv == capv) vals = hw_realloc(vals, (size_t)(capv *= 2) * sizeof *vals);
            vals[nv++] = v * c->scale;
        }
        if (m[0].rm_eo == 0) { /* empty match: step one byte */
            if (!*p) break;
            p++;
        } else {
            p += m[0].rm_eo;
        }
    }
    if (nv == 0) {
        runner_set_status(res, PROTO_ST_ERROR, "command: no latency in its output (regex did not match): %s", ll);
        goto done;
    }
    res->warmup = (uint32_t)c->warmup;
    runner_fill_stats(res, vals, nv);
done:
    if (argv)
        for (int i = 0; i < c->argc; i++) free(argv[i]);
    free(argv);
    free(out);
    free(vals);
    if (!c->keep_work) nftw(work, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int runner_command_create(const runner_config *cfg, runner_ops *ops, void **impl, char *caps, size_t cap) {
    if (cfg->argc < 1) return hw_fail("command runner: 'argv' needs at least the program");
    if (!cfg->latency_regex) return hw_fail("command runner: 'latency_regex' is required");
    if (!(cfg->timeout_s > 0)) return hw_fail("command runner: timeout_s must be > 0");
    if (!(cfg->scale > 0)) return hw_fail("command runner: scale must be > 0");
    for (int i = 0; i < cfg->argc; i++)
        if (check_template(cfg->argv[i], i) != 0) return -1;
    command *c = hw_calloc(1, sizeof *c);
    c->argc = cfg->argc;
    c->argv = hw_calloc((size_t)cfg->argc, sizeof *c->argv);
    for (int i = 0; i < cfg->argc; i++) c->argv[i] = hw_strdup(cfg->argv[i]);
    c->timeout_s = cfg->timeout_s;
    c->scale = cfg->scale;
    c->warmup = cfg->report_warmup;
    c->keep_work = cfg->keep_work;
    c->work_dir = hw_strdup(cfg->work_dir ? cfg->work_dir : "/tmp/hwnas-board");
    int e = regcomp(&c->re, cfg->latency_regex, REG_EXTENDED | REG_NEWLINE);
    if (e != 0) {
        char msg[200];
        regerror(e, &c->re, msg, sizeof msg);
        command_destroy(c);
        return hw_fail("command runner: latency_regex '%s': %s", cfg->latency_regex, msg);
    }
    c->re_ok = 1;
    if (c->re.re_nsub < 1) {
        command_destroy(c);
        return hw_fail("command runner: latency_regex '%s' needs a capture group ( ) around the number",
                       cfg->latency_regex);
    }
    struct stat st;
    if (mkdir(c->work_dir, 0700) != 0 && errno != EEXIST) {
        hw_fail("command runner: cannot create work_dir '%s': %s", c->work_dir, strerror(errno));
        command_destroy(c);
        return -1;
    }
    if (stat(c->work_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        hw_fail("command runner: work_dir '%s' is not a directory", c->work_dir);
        command_destroy(c);
        return -1;
    }
    ops->run = command_run;
    ops->destroy = command_destroy;
    *impl = c;
    snprintf(caps, cap, "command=%.60s timeout_s=%g", c->argv[0], c->timeout_s);
    return 0;
}
