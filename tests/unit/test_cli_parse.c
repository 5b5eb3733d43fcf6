/* The option helper of src/cli (cli_parse, cli_verb): values of every
 * option type land in their variables, positional arguments may sit
 * between options, repeatable options call their callback each time, and
 * each kind of bad input (unknown option, missing value, non-number, out
 * of range, too many / too few arguments, unknown verb) returns exit
 * status 2 with one stderr line naming the flag and value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

typedef struct vals {
    const char *out;
    long n;
    double x;
    int flag, calls;
    char seen[64];
} vals;

static int collect(void *ctx, const char *v) {
    vals *a = ctx;
    a->calls++;
    strncat(a->seen, v, sizeof a->seen - strlen(a->seen) - 1);
    return strcmp(v, "bad") ? 0 : hw_fail("list: '%s' is not allowed", v);
}

/* Redirects stderr into a temp file until capture_end copies it to err. */
static int capture_begin(FILE **tmp) {
    *tmp = tmpfile();
    fflush(stderr);
    int saved = dup(2);
    dup2(fileno(*tmp), 2);
    return saved;
}

static void capture_end(FILE *tmp, int saved, char *err, size_t nerr) {
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    err[fread(err, 1, nerr - 1, tmp)] = 0;
    fclose(tmp);
}

/* Parses the NULL-terminated words (argv[0] = "cmd") into *a; returns the
 * status and the first positional index, and the stderr text in err. */
static int parse(vals *a, int *first, char *err, size_t nerr, int max_args, ...) {
    char *argv[32];
    int argc = 0;
    va_list ap;
    va_start(ap, max_args);
    for (char *w; (w = va_arg(ap, char *));) argv[argc++] = w;
    va_end(ap);
    argv[argc] = NULL;
    memset(a, 0, sizeof *a);
    a->n = 7;
    cli_opt opts[] = {CLI_STR("out", "FILE", &a->out, "output"),
                      CLI_INT("n", "N", &a->n, 1, 100, "count"),
                      CLI_DOUBLE("x", "X", &a->x, 0, 1, "fraction"),
                      CLI_FLAG("flag", &a->flag, "a flag"),
                      CLI_FN("item", "V", collect, a, "repeatable"),
                      CLI_END};
    opts[0].short_name = 'o';
    const cli_spec spec = {"cmd", "[OPTIONS] ARGS", "Test command.", opts, "one or two ARGS", 1, max_args};
    FILE *tmp;
    int saved = capture_begin(&tmp);
    int st = cli_parse(&spec, argc, argv, 1, first);
    capture_end(tmp, saved, err, nerr);
    return st;
}

static int lines(const char *s) {
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

static void test_values(void **state) {
    (void)state;
    vals a;
    int first;
    char err[512];
    assert_int_equal(parse(&a, &first, err, sizeof err, 2, "cmd", "p1", "--out", "f.csv", "--n=42", "-o", "g.csv",
                           "--x", "0.25", "p2", "--flag", "--item", "a", "--item", "b", NULL),
                     CLI_CONTINUE);
    assert_string_equal(a.out, "g.csv"); /* the last one wins */
    assert_int_equal(a.n, 42);
    assert_true(a.x == 0.25);
    assert_int_equal(a.flag, 1);
    assert_int_equal(a.calls, 2);
    assert_string_equal(a.seen, "ab");
    assert_string_equal(err, "");
    assert_int_equal(first, 13); /* getopt moved the positionals to the end */
    assert_int_equal(parse(&a, &first, err, sizeof err, 2, "cmd", "only", NULL), CLI_CONTINUE);
    assert_int_equal(a.n, 7); /* default kept */
}

static void expect_bad(const char *want, ...) {
    char *w[16];
    int k = 0;
    va_list ap;
    va_start(ap, want);
    for (char *s; (s = va_arg(ap, char *));) w[k++] = s;
    va_end(ap);
    while (k < 15) w[k++] = NULL;
    vals a;
    int first;
    char err[512];
    int st = parse(&a, &first, err, sizeof err, 2, w[0], w[1], w[2], w[3], w[4], w[5], w[6], NULL);
    if (st != HW_EXIT_USAGE || lines(err) != 1 || strncmp(err, "hwnas: cmd: ", 12) || !strstr(err, want))
        fail_msg("%s %s %s: status %d, stderr '%s', want 2 and '%s'", w[1], w[2] ? w[2] : "", w[3] ? w[3] : "", st,
                 err, want);
}

static void test_errors(void **state) {
    (void)state;
    expect_bad("unknown option '--bogus'", "cmd", "a", "--bogus", NULL);
    expect_bad("option --out needs a value", "cmd", "a", "--out", NULL);
    expect_bad("option --n: 'ten' is not an integer", "cmd", "a", "--n", "ten", NULL);
    expect_bad("option --n: 0 is out of range 1..100", "cmd", "a", "--n", "0", NULL);
    expect_bad("option --x: 'nan' is not a number", "cmd", "a", "--x", "nan", NULL);
    expect_bad("option --x: 1.5 is out of range 0..1", "cmd", "a", "--x", "1.5", NULL);
    expect_bad("list: 'bad' is not allowed", "cmd", "a", "--item", "bad", NULL);
    expect_bad("unexpected argument 'c'", "cmd", "a", "b", "c", NULL);
    expect_bad("expected one or two ARGS", "cmd", "--flag", NULL);
}

static void test_help_and_verbs(void **state) {
    (void)state;
    const cli_opt opts[] = {CLI_END};
    const cli_spec spec = {"tool", "run|stop", "About.", opts, NULL, 0, 0};
    static const char *const verbs[] = {"run", "stop", "show", NULL};
    char *ok[] = {"tool", "stop", NULL}, *bad[] = {"tool", "walk", NULL}, *none[] = {"tool", NULL};
    assert_int_equal(cli_verb(&spec, 2, ok, verbs), CLI_CONTINUE);
    FILE *tmp;
    char err[1024];
    int saved = capture_begin(&tmp);
    int st_bad = cli_verb(&spec, 2, bad, verbs), st_none = cli_verb(&spec, 1, none, verbs);
    capture_end(tmp, saved, err, sizeof err);
    assert_int_equal(st_bad, HW_EXIT_USAGE);
    assert_int_equal(st_none, HW_EXIT_USAGE);
    assert_non_null(strstr(err, "hwnas: tool: unknown verb 'walk' (run, stop or show)\n"));
    assert_non_null(strstr(err, "usage: hwnas tool run|stop"));
    vals a;
    int first;
    char e2[512];
    fflush(stdout);
    assert_int_equal(parse(&a, &first, e2, sizeof e2, 2, "cmd", "--help", NULL), HW_EXIT_OK);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_help_and_verbs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
