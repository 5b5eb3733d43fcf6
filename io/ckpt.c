/* ckpt: temp file + fsync + rename + fsync dir, resume, signal flag. */
#include "ckpt.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "hw_err.h"
#include "journal.h"

int ckpt_fsync_path(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return hw_fail("%s: cannot open for fsync: %s", path, strerror(errno));
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    return rc < 0 ? hw_fail("%s: fsync failed: %s", path, strerror(e)) : 0;
}

int ckpt_fsync_dir_of(const char *path) {
    char *copy = hw_strdup(path);
    const char *dir = dirname(copy);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = 0;
    if (fd < 0) rc = hw_fail("%s: cannot open directory for fsync: %s", dir, strerror(errno));
    else {
        if (fsync(fd) < 0 && errno != EINVAL) rc = hw_fail("%s: directory fsync failed: %s", dir, strerror(errno));
        close(fd);
    }
    free(copy);
    return rc;
}

int ckpt_write(const char *path, const run_snapshot *s) {
    size_t n = strlen(path) + 5;
    char *tmp = hw_malloc(n);
    snprintf(tmp, n, "%s.tmp", path);
    int rc = -1;
    if (runfile_write(tmp, s) < 0) goto fail;
    if (ckpt_fsync_path(tmp) < 0) goto fail;
    if (rename(tmp, path) < 0) {
        hw_fail("%s: cannot rename %s over it: %s", path, tmp, strerror(errno));
        goto fail;
    }
    free(tmp);
    /* The new file is in place; a failed directory fsync only weakens
     * durability across a power loss, but report it. */
    return ckpt_fsync_dir_of(path);
fail:
    unlink(tmp);
    free(tmp);
    return rc;
}

int ckpt_resume(const char *path, run_snapshot **out, int *out_replayed) {
    run_snapshot *s;
    if (out_replayed) *out_replayed = 0;
    if (runfile_read(path, &s) < 0) return -1;
    char jp[4096];
    if (journal_path(path, jp, sizeof jp) < 0) {
        run_snapshot_free(s);
        return -1;
    }
    long torn = 0;
    int k = journal_replay(jp, s, &torn);
    if (k < 0) {
        run_snapshot_free(s);
        return -1;
    }
    if (out_replayed) *out_replayed = k;
    *out = s;
    return 0;
}

int ckpt_mark_finished(const char *path) {
    run_snapshot *s;
    if (runfile_read(path, &s) < 0) return -1;
    s->finished = 1;
    int rc = ckpt_write(path, s);
    run_snapshot_free(s);
    return rc;
}

struct ckpt_lock {
    int fd;
};

int ckpt_lock_acquire(const char *path, ckpt_lock **out) {
    char lp[4200], host[256] = "?", holder[320] = "";
    *out = NULL;
    if (snprintf(lp, sizeof lp, "%s.lock", path) >= (int)sizeof lp) return hw_fail("%s: path too long", path);
    int fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return hw_fail("%s: cannot open the lock file %s: %s", path, lp, strerror(errno));
    while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        if (errno == EINTR) continue;
        int e = errno;
        if (e == EWOULDBLOCK) {
            ssize_t n = pread(fd, holder, sizeof holder - 1, 0);
            holder[n > 0 ? n : 0] = 0;
            char h[256] = "?";
            long pid = -1;
            if (sscanf(holder, "%255s %ld", h, &pid) != 2) pid = -1;
            close(fd);
            return hw_fail("%s: in use by another search (host %s, pid %ld; lock %s)", path, h, pid, lp);
        }
        close(fd);
        return hw_fail("%s: cannot lock %s: %s", path, lp, strerror(e));
    }
    gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = 0;
    int n = snprintf(holder, sizeof holder, "%s %ld\n", host, (long)getpid());
    if (ftruncate(fd, 0) < 0 || pwrite(fd, holder, (size_t)n, 0) != n) {
        int e = errno;
        close(fd);
        return hw_fail("%s: cannot write the lock file %s: %s", path, lp, strerror(e));
    }
    ckpt_lock *l = hw_calloc(1, sizeof *l);
    l->fd = fd;
    *out = l;
    return 0;
}

void ckpt_lock_release(ckpt_lock *l) {
    if (!l) return;
    close(l->fd); /* drops the flock; the file stays, harmless */
    free(l);
}

void ckpt_schedule_init(ckpt_schedule *c, int every_gens, double every_s, int gen0, double now_s) {
    c->every_gens = every_gens;
    c->every_s = every_s;
    c->last_gen = gen0;
    c->last_t = now_s;
}

int ckpt_due(const ckpt_schedule *c, int generation, double now_s) {
    if (c->every_gens > 0 && generation - c->last_gen >= c->every_gens) return 1;
    if (c->every_s > 0 && now_s - c->last_t >= c->every_s) return 1;
    return 0;
}

void ckpt_done(ckpt_schedule *c, int generation, double now_s) {
    c->last_gen = generation;
    c->last_t = now_s;
}

/* ---- signals --------------------------------------------------------------- */

static volatile sig_atomic_t pending_signal;

/* Stores the signal; a second SIGINT (the user insists) takes the default
 * action at once: raise() is async-signal-safe. */
static void on_signal(int sig) {
    if (sig == SIGINT && pending_signal == SIGINT) {
        signal(SIGINT, SIG_DFL);
        raise(SIGINT);
        return;
    }
    pending_signal = sig;
}

static const int stop_signals[] = {SIGUSR1, SIGTERM, SIGINT};

int ckpt_signals_install(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    for (size_t i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++)
        if (sigaction(stop_signals[i], &sa, NULL) < 0) return hw_fail("sigaction failed: %s", strerror(errno));
    return 0;
}

int ckpt_signal_pending(void) {
    return pending_signal;
}

void ckpt_signal_clear(void) {
    pending_signal = 0;
}

void ckpt_signals_uninstall(void) {
    for (size_t i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++) signal(stop_signals[i], SIG_DFL);
}
