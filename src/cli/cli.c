#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static atomic_int cli_stop;

static void on_stop_signal(int sig) {
    (void)sig;
    atomic_store(&cli_stop, 1);
}

atomic_int *cli_stop_on_signals(void) {
    atomic_store(&cli_stop, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    return &cli_stop;
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


/* ---- the option helper ------------------------------------------------ */

#define CLI_MAX_OPTS 64
#define CLI_HELP_COL 24

/* "  -o, --output FILE" into buf; returns its length. */
static int opt_label(const cli_opt *o, char *buf, size_t n) {
    char sh[8] = "";
    if (o->short_name) snprintf(sh, sizeof sh, "-%c, ", o->short_name);
    return snprintf(buf, n, "  %s--%s%s%s", sh, o->name, o->arg ? " " : "", o->arg ? o->arg : "");
}

/* Writes text, indenting every line after a '\n' by `indent` blanks. */
static void put_indented(FILE *f, const char *text, int indent) {
    for (const char *p = text; *p; p++) {
        fputc(*p, f);
        if (*p == '\n' && p[1]) fprintf(f, "%*s", indent, "");
    }
}

void cli_usage(const cli_spec *spec, FILE *f) {
    fprintf(f, "usage: hwnas %s ", spec->name);
    put_indented(f, spec->synopsis ? spec->synopsis : "", (int)strlen(spec->name) + 14);
    fputc('\n', f);
    if (spec->about && *spec->about) fprintf(f, "\n%s\n", spec->about);
    fprintf(f, "\noptions:\n");
    char label[128];
    for (const cli_opt *o = spec->opts; o && o->name; o++) {
        int k = opt_label(o, label, sizeof label);
        fputs(label, f);
        if (k + 1 >= CLI_HELP_COL) fprintf(f, "\n%*s", CLI_HELP_COL, "");
        else fprintf(f, "%*s", CLI_HELP_COL - k, "");
        put_indented(f, o->help ? o->help : "", CLI_HELP_COL);
        fputc('\n', f);
    }
    fprintf(f, "  -h, --help%*sthis help\n", CLI_HELP_COL - 12, "");
}

/* Stores one value; 0, or -1 with the message in hw_errmsg(). */
static int opt_store(const cli_opt *o, const char *flag, const char *v) {
    switch (o->type) {
    case CLI_T_FLAG: *(int *)o->dst = 1; return 0;
    case CLI_T_STR: *(const char **)o->dst = v; return 0;
    case CLI_T_INT: return cli_parse_int(flag, v, o->lo, o->hi, (long *)o->dst);
    case CLI_T_DOUBLE: {
        double x = 0;
        if (cli_parse_double(flag, v, &x)) return -1;
        if (x < o->dlo || x > o->dhi) return hw_fail("option %s: %s is out of range %g..%g", flag, v, o->dlo, o->dhi);
        *(double *)o->dst = x;
        return 0;
    }
    case CLI_T_FN: return o->fn(o->dst, v);
    }
    HW_ASSERT(0);
    return -1;
}

int cli_parse(const cli_spec *spec, int argc, char **argv, int first, int *rest) {
    struct option lo[CLI_MAX_OPTS + 2];
    char shorts[3 * CLI_MAX_OPTS + 4] = ":h";
    size_t ns = 2;
    int n = 0;
    for (const cli_opt *o = spec->opts; o && o->name; o++, n++) {
        HW_ASSERT(n < CLI_MAX_OPTS);
        lo[n] = (struct option){o->name, o->type == CLI_T_FLAG ? no_argument : required_argument, NULL, 256 + n};
        if (o->short_name) {
            shorts[ns++] = o->short_name;
            if (o->type != CLI_T_FLAG) shorts[ns++] = ':';
        }
    }
    shorts[ns] = 0;
    lo[n] = (struct option){"help", no_argument, NULL, 'h'};
    lo[n + 1] = (struct option){NULL, 0, NULL, 0};

    /* getopt sees argv[first-1..] with argv[first-1] as its program name;
     * optind = 0 makes glibc's getopt reinitialise (a test or a verb may
     * parse twice in one process); it permutes, so positionals end last */
    int gargc = argc - first + 1, c;
    char **gargv = argv + first - 1;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(gargc, gargv, shorts, lo, NULL)) != -1) {
        const char *seen = gargv[optind - 1];
        if (c == 'h') {
            cli_usage(spec, stdout);
            return HW_EXIT_OK;
        }
        if (c == ':') return cli_usage_error("%s: option %s needs a value", spec->name, seen);
        if (c == '?') return cli_usage_error("%s: unknown option '%s' (see hwnas %s --help)", spec->name, seen, spec->name);
        const cli_opt *o = NULL;
        if (c >= 256) o = &spec->opts[c - 256];
        else
            for (int i = 0; i < n && !o; i++)
                if (spec->opts[i].short_name == c) o = &spec->opts[i];
        HW_ASSERT(o);
        char flag[80];
        snprintf(flag, sizeof flag, "--%s", o->name);
        if (opt_store(o, flag, optarg) != 0) return cli_usage_error("%s: %s", spec->name, hw_errmsg());
    }
    int first_pos = optind + first - 1, npos = argc - first_pos;
    if (spec->max_args >= 0 && npos > spec->max_args)
        return cli_usage_error("%s: unexpected argument '%s'", spec->name, argv[first_pos + spec->max_args]);
    if (npos < spec->min_args)
        return cli_usage_error("%s: expected %s (see hwnas %s --help)", spec->name, spec->args ? spec->args : "arguments",
                               spec->name);
    *rest = first_pos;
    return CLI_CONTINUE;
}

int cli_verb(const cli_spec *spec, int argc, char **argv, const char *const *verbs) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        cli_usage(spec, argc < 2 ? stderr : stdout);
        return argc < 2 ? HW_EXIT_USAGE : HW_EXIT_OK;
    }
    char list[256] = "";
    size_t k = 0;
    for (int i = 0; verbs[i]; i++) {
        if (!strcmp(argv[1], verbs[i])) return CLI_CONTINUE;
        const char *sep = !i ? "" : verbs[i + 1] ? ", " : " or ";
        k += (size_t)snprintf(list + k, k < sizeof list ? sizeof list - k : 0, "%s%s", sep, verbs[i]);
        if (k >= sizeof list) k = sizeof list - 1;
    }
    return cli_usage_error("%s: unknown verb '%s' (%s)", spec->name, argv[1], list);
}
