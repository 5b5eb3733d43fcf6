/* `hwnas trials RUN.h5 [--csv | --json]`: every candidate the run measured,
 * one row each (io/runtrials.h says which columns). */
#include <stdio.h>

#include "cli.h"
#include "fsutil.h"
#include "runfront.h"
#include "runtrials.h"

int cmd_trials(int argc, char **argv) {
    int csv = 0, json = 0, first;
    const cli_opt opts[] = {
        CLI_FLAG("csv", &csv, "comma-separated, one header line (the default)"),
        CLI_FLAG("json", &json, "one JSON document: {\"space\", \"objectives\", \"trials\": [...]}"),
        CLI_END};
    const cli_spec spec = {"trials", "RUN.h5 [--csv | --json]",
                           "Prints one row per measured candidate (the run file's /evaluated), in\n"
                           "measurement order: arch, generation, island (-1: initial design or warm\n"
                           "start), constraint violation, and per\n"
                           "objective its value, whether it was measured, the surrogate's mean/std\n"
                           "when it was proposed (empty where nothing was predicted), and the board,\n"
                           "runner (table, replay, finetune, warm-start, ...) and Unix times of the\n"
                           "measurement. Columns: docs/analysis.md.",
                           opts, "one run file", 1, 1};
    int st = cli_parse(&spec, argc, argv, 1, &first);
    if (st != CLI_CONTINUE) return st;
    if (csv && json) return cli_usage_error("trials: --csv and --json are exclusive");
    run_snapshot *s;
    if (runfront_load(argv[first], &s) < 0) return cli_report(HW_EXIT_USAGE);
    hw_buf b = {0};
    runtrials_format(s, json ? RUNTRIALS_JSON : RUNTRIALS_CSV, &b);
    if (b.len) fwrite(b.p, 1, b.len, stdout);
    hw_buf_free(&b);
    run_snapshot_free(s);
    return fflush(stdout) ? HW_EXIT_FAIL : HW_EXIT_OK;
}
