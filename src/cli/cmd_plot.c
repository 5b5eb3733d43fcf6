/* `hwnas plot RUN.h5 -o FILE.png|.svg`: the picture of a run file drawn by
 * io/runplot.c (points and fronts left, hypervolume history right; or the
 * pairwise projections of 3-4 objectives). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "runplot.h"

static int set_size(void *ctx, const char *v) { return runplot_size(v, ctx); }

int cmd_plot(int argc, char **argv) {
    const char *out = NULL, *xname = NULL, *yname = NULL, *hv_x = NULL;
    int pairs = 0;
    runplot_opts o;
    runplot_opts_default(&o);
    cli_opt opts[] = {CLI_STR("output", "FILE", &out, "output file; the extension picks PNG or SVG"),
                      CLI_STR("x", "NAME", &xname, "objective on the x axis (default: the first minimised one)"),
                      CLI_STR("y", "NAME", &yname, "objective on the y axis (default: the first other one)"),
                      CLI_FN("size", "WxH", set_size, &o, "picture size in pixels (default 1500x720, at least 800x480)"),
                      CLI_FLAG("zoom", &o.zoom,
                               "limit the view to the box between the fronts' best values and\n"
                               "the run's hypervolume.reference (front points outside it, e.g. a\n"
                               "10% accuracy cell, are ignored); without a reference the fronts'\n"
                               "box + 25%; the title counts the points outside"),
                      CLI_STR("hv-x", "WHAT", &hv_x,
                              "x axis of the HV history: measurements (default), generation,\n"
                              "or board-hours (runs measured on boards)"),
                      CLI_FLAG("pairs", &pairs, "pairwise projections of all objectives (default for 3-4\nobjectives unless --x/--y is given)"),
                      CLI_END};
    opts[0].short_name = 'o';
    const cli_spec spec = {"plot", "RUN.h5 -o FILE.png|FILE.svg [--x NAME] [--y NAME] [--zoom] [--hv-x WHAT] [--pairs] [--size WxH]",
                           "Draws the run's evaluated points and fronts (left) and its hypervolume\n"
                           "against measurements (right; HV ratio on the right axis when the true\n"
                           "front is known). Small translucent dots: every plotted objective measured\n"
                           "(the legend says where: tables, board, fine-tuned, from the run's\n"
                           "training sets); hollow: at least one predicted value. Solid red\n"
                           "staircase: front over all points; dashed: front of the measured points.\n"
                           "Points without a value are not drawn: the title counts them, a note\n"
                           "under the panel says so and stdout lists them. 3-4 objectives: one\n"
                           "panel per pair of objectives, the full front ringed in red.",
                           opts, "one run file", 1, 1};
    int first, st = cli_parse(&spec, argc, argv, 1, &first);
    if (st != CLI_CONTINUE) return st;
    if (!out) return cli_usage_error("plot: -o FILE.png|FILE.svg is required");
    if (!hv_x || !strcmp(hv_x, "measurements")) o.hv_x = RUNPLOT_X_MEASUREMENTS;
    else if (!strcmp(hv_x, "generation")) o.hv_x = RUNPLOT_X_GENERATION;
    else if (!strcmp(hv_x, "board-hours")) o.hv_x = RUNPLOT_X_BOARD_HOURS;
    else return cli_usage_error("plot: --hv-x '%s': expected measurements, generation or board-hours", hv_x);
    if (pairs) o.pairs = 1;
    if (runplot_output(out, &o)) return cli_usage_error("plot: %s", hw_errmsg());
    o.run_path = argv[first];
    run_snapshot *s;
    if (runfront_load(o.run_path, &s) < 0) return cli_report(HW_EXIT_USAGE);
    st = HW_EXIT_OK;
    if (runplot_axes(s, xname, yname, &o) || runplot_check_output(&o)) st = cli_usage_error("plot: %s", hw_errmsg());
    else if (runplot_draw(s, &o)) st = cli_report(HW_EXIT_FAIL);
    run_snapshot_free(s);
    return st;
}
