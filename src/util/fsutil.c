#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hw_err.h"

int hw_mkdir_p(const char *path) {
    char buf[4096];
    if (strlen(path) >= sizeof buf) return hw_fail("%s: path too long", path);
    strcpy(buf, path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(buf, 0777) && errno != EEXIST) return hw_fail("%s: cannot create directory: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0777) && errno != EEXIST) return hw_fail("%s: cannot create directory: %s", buf, strerror(errno));
    struct stat st;
    if (stat(buf, &st) || !S_ISDIR(st.st_mode)) return hw_fail("%s: exists and is not a directory", buf);
    return 0;
}

int hw_fsync_dir_of(const char *path) {
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash) strcpy(dir, ".");
    else if (slash == path) strcpy(dir, "/");
    else {
        size_t n = (size_t)(slash - path);
        if (n >= sizeof dir) return hw_fail("%s: path too long", path);
        memcpy(dir, path, n);
        dir[n] = 0;
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0) return hw_fail("%s: cannot open directory: %s", dir, strerror(errno));
    int rc = fsync(fd);
    close(fd);
    return rc ? hw_fail("%s: fsync failed: %s", dir, strerror(errno)) : 0;
}

int hw_write_file_atomic(const char *path, const void *data, size_t len) {
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0) return hw_fail("%s: cannot create: %s", tmp, strerror(errno));
    const char *p = data;
    size_t left = len;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR) continue;
            hw_fail("%s: write failed: %s", tmp, strerror(errno));
            goto fail;
        }
        p += w;
        left -= (size_t)w;
    }
    if (fsync(fd)) {
        hw_fail("%s: fsync failed: %s", tmp, strerror(errno));
        goto fail;
    }
    if (close(fd)) {
        fd = -1;
        hw_fail("%s: close failed: %s", tmp, strerror(errno));
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path)) {
        hw_fail("%s: rename failed: %s", path, strerror(errno));
        goto fail;
    }
    return hw_fsync_dir_of(path);
fail:
    if (fd >= 0) close(fd);
    unlink(tmp);
    return -1;
}

int hw_read_file(const char *path, char **out, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return hw_fail("%s: cannot open: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0, k;
    char *buf = hw_malloc(cap);
    while ((k = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (n == cap - 1) buf = hw_realloc(buf, cap *= 2);
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        return hw_fail("%s: read error (is it a directory?)", path);
    }
    buf[n] = 0;
    *out = buf;
    *len = n;
    return 0;
}

void hw_buf_printf(hw_buf *b, const char *fmt, ...) {
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->len;
        int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? room : 0, fmt, ap);
        va_end(ap);
        HW_ASSERT(n >= 0);
        if (b->p && (size_t)n < room) {
            b->len += (size_t)n;
            return;
        }
        b->cap = (b->cap + (size_t)n + 1) * 2;
        b->p = hw_realloc(b->p, b->cap);
    }
}

void hw_buf_json_str(hw_buf *b, const char *s) {
    hw_buf_printf(b, "\"");
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') hw_buf_printf(b, "\\%c", ch);
        else if (ch < 0x20) hw_buf_printf(b, "\\u%04x", ch);
        else hw_buf_printf(b, "%c", ch);
    }
    hw_buf_printf(b, "\"");
}

void hw_buf_json_num(hw_buf *b, double v) {
    if (isfinite(v)) hw_buf_printf(b, "%.10g", v);
    else hw_buf_printf(b, "null");
}

void hw_buf_free(hw_buf *b) {
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}
