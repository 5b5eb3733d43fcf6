/* `hwnas plot RUN.h5 -o FILE.png|.svg`: the picture of a run file drawn by
 * io/runplot.c (points and fronts left, hypervolume history right). */
#include <stdio.h>

#include "cli.h"
#include "runplot.h"

static int set_size(void *ctx, const char *v) { return runplot_size(v, ctx); }

int cmd_plot(int argc, char **argv) {
    const char *out = NULL, *xname = NULL, *yname = NULL;
    runplot_opts o;
    runplot_opts_default(&o);
    cli_opt opts[] = {CLI_STR("output", "FILE", &out, "output file; the extension picks PNG or SVG"),
                      CLI_STR("x", "NAME", &xname, "objective on the x axis (default: the first minimised one)"),
                      CLI_STR("y", "NAME", &yname, "objective on the y axis (default: the first other one)"),
                      CLI_FN("size", "WxH", set_size, &o, "picture size in pixels (default 1500x620)"),
                      CLI_FLAG("zoom", &o.zoom,
                               "limit the left panel to the fronts' bounding box (+25%);\n"
                               "the title says how many points fall outside"),
                      CLI_END};
    opts[0].short_name = 'o';
    const cli_spec spec = {"plot", "RUN.h5 -o FILE.png|FILE.svg [--x NAME] [--y NAME] [--size WxH]",
                           "Draws the run's evaluated points and fronts (left) and its hypervolume per\n"
                           "generation (right). Filled dots: every objective measured on a board;\n"
                           "hollow circles: at least one predicted value. Solid red staircase: front\n"
                           "over all points; dashed: front of the measured points only.",
                           opts, "one run file", 1, 1};
    int first, st = cli_parse(&spec, argc, argv, 1, &first);
    if (st != CLI_CONTINUE) return st;
    if (!out) return cli_usage_error("plot: -o FILE.png|FILE.svg is required");
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
