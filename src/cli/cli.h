/* cli: the subcommand table of the one `hwnas` executable.
 *
 * Each subcommand is `int cmd_NAME(int argc, char **argv)` (argv[0] is the
 * subcommand name) returning the process exit status:
 *   0 success, 1 runtime failure, 2 bad input (usage, config, data files),
 *   3 interrupted after a checkpoint (search under Slurm; see docs).
 * Errors are printed as one line "hwnas: ..." on stderr by the command.
 * To add a command: declare it here and add a line to the table in main.c. */
#ifndef HW_CLI_H
#define HW_CLI_H

#include "hw_err.h"

#define HW_EXIT_OK 0
#define HW_EXIT_FAIL 1
#define HW_EXIT_USAGE 2
#define HW_EXIT_CHECKPOINTED 3

/* Prints "hwnas: <msg>" and returns HW_EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) HW_PRINTF(1, 2);
/* Prints "hwnas: <hw_errmsg()>" and returns the given status. */
int cli_report(int status);
/* Parses a whole decimal integer / double option value; -1 with a message
 * naming the option on failure. */
int cli_parse_int(const char *opt, const char *s, long lo, long hi, long *out);
int cli_parse_double(const char *opt, const char *s, double *out);

int cmd_search(int argc, char **argv);
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
#endif

#endif
