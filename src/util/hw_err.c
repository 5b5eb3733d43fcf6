#include "hw_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HW_ERRMSG_MAX 1024

static _Thread_local char errbuf[HW_ERRMSG_MAX];
static hw_abort_fn abort_hook;

int hw_fail(const char *fmt, ...) {
    char tmp[HW_ERRMSG_MAX]; /* arguments may point into errbuf itself */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    memcpy(errbuf, tmp, sizeof errbuf);
    return -1;
}

int hw_fail_prefix(const char *fmt, ...) {
    char prefix[HW_ERRMSG_MAX], old[HW_ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, errbuf, sizeof old);
    size_t k = strlen(prefix);
    if (k > sizeof errbuf - 3) k = sizeof errbuf - 3;
    memcpy(errbuf, prefix, k);
    errbuf[k] = ':';
    errbuf[k + 1] = ' ';
    size_t room = sizeof errbuf - k - 3, ol = strlen(old);
    if (ol > room) ol = room;
    memcpy(errbuf + k + 2, old, ol);
    errbuf[k + 2 + ol] = 0;
    return -1;
}

const char *hw_errmsg(void) { return errbuf; }
void hw_clear_error(void) { errbuf[0] = 0; }

void hw_set_abort_hook(hw_abort_fn fn) { abort_hook = fn; }

void hw_assert_fail(const char *expr, const char *file, int line) {
    fprintf(stderr, "hwnas: internal error: assertion '%s' failed at %s:%d\n", expr, file, line);
    fflush(stderr);
    if (abort_hook) abort_hook();
    abort();
}

static void *oom(size_t n) {
    fprintf(stderr, "hwnas: out of memory allocating %zu bytes\n", n);
    fflush(stderr);
    if (abort_hook) abort_hook();
    abort();
}

void *hw_malloc(size_t n) {
    void *p = malloc(n ? n : 1);
    return p ? p : oom(n);
}
void *hw_calloc(size_t n, size_t sz) {
    void *p = calloc(n ? n : 1, sz ? sz : 1);
    return p ? p : oom(n * sz);
}
void *hw_realloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    return q ? q : oom(n);
}
char *hw_strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = hw_malloc(n);
    memcpy(d, s, n);
    return d;
}
