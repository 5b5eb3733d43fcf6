#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int cli_usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("hwnas: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return HW_EXIT_USAGE;
}

int cli_report(int status) {
    fprintf(stderr, "hwnas: %s\n", hw_errmsg());
    return status;
}

int cli_parse_int(const char *opt, const char *s, long lo, long hi, long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno) return hw_fail("option %s: '%s' is not an integer", opt, s);
    if (v < lo || v > hi) return hw_fail("option %s: %ld is out of range %ld..%ld", opt, v, lo, hi);
    *out = v;
    return 0;
}

int cli_parse_double(const char *opt, const char *s, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(v)) return hw_fail("option %s: '%s' is not a number", opt, s);
    *out = v;
    return 0;
}

