/* cli: the subcommand table of the one `hwnas` executable.
 *
 * Each subcommand is `int cmd_NAME(int argc, char **argv)` (argv[0] is the
 * subcommand name) returning the process exit status:
 *   0 success, 1 runtime failure, 2 bad input (usage, config, data files),
 *   3 interrupted after a checkpoint (search under Slurm; see docs).
 * Errors are printed as one line "hwnas: ..." on stderr by the command.
 * To add a command: write src/cli/cmd_NAME.c (options through cli_parse
 * below, the work in a library function), declare it here and add a line
 * to the table in main.c (docs/hacking.md "Adding a command"). */
#ifndef HW_CLI_H
#define HW_CLI_H

#include <stdatomic.h>
#include <stdio.h>

#include "hw_err.h"

#define HW_EXIT_OK 0
#define HW_EXIT_FAIL 1
#define HW_EXIT_USAGE 2
#define HW_EXIT_CHECKPOINTED 3

/* Prints "hwnas: <msg>" and returns HW_EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) HW_PRINTF(1, 2);
/* Prints "hwnas: <hw_errmsg()>" and returns the given status. */
int cli_report(int status);
/* Clears a process-wide stop flag and makes SIGTERM and SIGINT set it
 * (instead of killing the process), for long-running commands that stop
 * cleanly; returns the flag to poll or hand to the library loop. */
atomic_int *cli_stop_on_signals(void);
/* Parses a whole decimal integer / double option value; -1 with a message
 * naming the option on failure. */
int cli_parse_int(const char *opt, const char *s, long lo, long hi, long *out);
int cli_parse_double(const char *opt, const char *s, double *out);

/* ---- the option helper: one table per command ---------------------------
 *
 * A command lists its options once; cli_parse builds the getopt_long table
 * from it, stores each value (checking integers, numbers and ranges), prints
 * the usage text generated from the same table for -h/--help, and answers
 * bad input with ONE line naming the flag and the value and exit status 2:
 *
 *   const char *out = NULL;
 *   int force = 0;
 *   long n = 10;
 *   const cli_opt opts[] = {
 *       CLI_STR("out", "BASE", &out, "output path without extension (required)"),
 *       CLI_INT("n", "N", &n, 1, 1000, "how many (default 10)"),
 *       CLI_FLAG("force", &force, "overwrite existing files"),
 *       CLI_END};
 *   const cli_spec spec = {"keygen", "--out BASE [--force]", "What the command does.", opts, NULL, 0, 0};
 *   int first, st = cli_parse(&spec, argc, argv, 1, &first);
 *   if (st != CLI_CONTINUE) return st;        // --help (0) or bad input (2)
 *   // positional arguments are argv[first .. argc-1]
 *
 * Help texts may hold '\n' to continue on the next line (indented). Options
 * may be abbreviated and given as --name=value; positional arguments may sit
 * between options. A short form (-o) is set on a non-const table entry:
 * opts[0].short_name = 'o'. The table holds at most 64 options. */
#define CLI_CONTINUE (-1)

typedef enum { CLI_T_FLAG, CLI_T_STR, CLI_T_INT, CLI_T_DOUBLE, CLI_T_FN } cli_type;

typedef struct cli_opt {
    const char *name;  /* long name without "--"; NULL ends the table */
    char short_name;   /* 0, or the letter of a -x short form */
    cli_type type;
    void *dst;         /* int* (FLAG, set to 1), const char** (STR), long* (INT), double* (DOUBLE), ctx (FN) */
    long lo, hi;       /* INT: accepted range */
    double dlo, dhi;   /* DOUBLE: accepted range */
    int (*fn)(void *ctx, const char *value); /* FN: 0, or -1 with hw_fail naming the problem */
    const char *arg;   /* value placeholder in the usage ("FILE"); NULL for flags */
    const char *help;  /* one-line description */
} cli_opt;

#define CLI_FLAG(name, dst, help) {name, 0, CLI_T_FLAG, dst, 0, 0, 0, 0, NULL, NULL, help}
#define CLI_STR(name, arg, dst, help) {name, 0, CLI_T_STR, dst, 0, 0, 0, 0, NULL, arg, help}
#define CLI_INT(name, arg, dst, lo, hi, help) {name, 0, CLI_T_INT, dst, lo, hi, 0, 0, NULL, arg, help}
#define CLI_DOUBLE(name, arg, dst, lo, hi, help) {name, 0, CLI_T_DOUBLE, dst, 0, 0, lo, hi, NULL, arg, help}
/* calls fn(ctx, value) for every occurrence (repeatable options, lists) */
#define CLI_FN(name, arg, fn, ctx, help) {name, 0, CLI_T_FN, ctx, 0, 0, 0, 0, fn, arg, help}
#define CLI_END {NULL, 0, CLI_T_FLAG, NULL, 0, 0, 0, 0, NULL, NULL, NULL}
/* A numeric macro as a string literal, for help texts: "max " CLI_QUOTE(PRED_MAX_DEPTH) */
#define CLI_QUOTE(x) CLI_QUOTE_(x)
#define CLI_QUOTE_(x) #x

typedef struct cli_spec {
    const char *name;     /* the command as typed after "hwnas" ("board"); prefixes every error */
    const char *synopsis; /* the usage line after "usage: hwnas NAME " ('\n' for more lines) */
    const char *about;    /* paragraph(s) between the usage line and the options */
    const cli_opt *opts;  /* table ending in CLI_END */
    const char *args;     /* the positional arguments in words ("one RUN.h5"), for errors */
    int min_args, max_args; /* how many positional arguments; max -1: any number */
} cli_spec;

/* Parses argv[first..argc) against spec (first is the index of the first
 * argument after the command (and verb) names). Returns CLI_CONTINUE with
 * *rest = index of the first positional argument; HW_EXIT_OK after printing
 * the usage for -h/--help; HW_EXIT_USAGE after one error line. */
int cli_parse(const cli_spec *spec, int argc, char **argv, int first, int *rest);
/* For commands with verbs (`hwnas space sample|parse`): CLI_CONTINUE when
 * argv[1] is one of VERBS (NULL-terminated); otherwise prints the usage
 * (stdout and HW_EXIT_OK for -h/--help, stderr and HW_EXIT_USAGE when no
 * verb is given) or one error line (HW_EXIT_USAGE) and returns that status.
 * Then parse the options with cli_parse(spec, argc, argv, 2, &rest). */
int cli_verb(const cli_spec *spec, int argc, char **argv, const char *const *verbs);
/* Prints spec's usage text (synopsis, about, the option table) to f. */
void cli_usage(const cli_spec *spec, FILE *f);

int cmd_search(int argc, char **argv);
int cmd_mpirun(int argc, char **argv);  /* src/cli/cmd_mpirun.c */
int cmd_space(int argc, char **argv);
int cmd_board(int argc, char **argv);   /* src/cli/cmd_board.c (also in the board-only build) */
int cmd_keygen(int argc, char **argv);  /* src/cli/cmd_keygen.c (also in the board-only build) */
int cmd_export(int argc, char **argv);  /* src/cli/cmd_export.c (also in the board-only build) */
#ifndef HWNAS_AGENT_ONLY
int cmd_measure(int argc, char **argv); /* src/cli/cmd_measure.c */
int cmd_predictor(int argc, char **argv);
int cmd_accel(int argc, char **argv);    /* cmd_codesign.c */
int cmd_codesign(int argc, char **argv); /* cmd_codesign.c */
int cmd_supernet(int argc, char **argv); /* src/cli/cmd_supernet.c (needs HDF5) */
int cmd_finetune(int argc, char **argv); /* src/cli/cmd_finetune.c (needs HDF5) */
int cmd_front(int argc, char **argv);    /* src/cli/cmd_front.c */
int cmd_history(int argc, char **argv);  /* src/cli/cmd_front.c */
int cmd_compare(int argc, char **argv);  /* src/cli/cmd_compare.c */
int cmd_plot(int argc, char **argv);     /* src/cli/cmd_plot.c */
int cmd_trials(int argc, char **argv);   /* src/cli/cmd_trials.c */
#endif

#endif
