/* runplot: a picture of a run file (`hwnas plot`). Two panels drawn with
 * PLplot (cairo drivers): left, every evaluated point in two objectives,
 * measured and predicted values marked differently (filled / hollow), the
 * front over all points (solid red staircase) and the front of the
 * measured points (dashed); right, the hypervolume per generation (and the
 * HV ratio on a second axis when the run knows the true front). */
#ifndef HW_RUNPLOT_H
#define HW_RUNPLOT_H

#include "runcmp.h"
#include "runfront.h"

enum { RUNPLOT_X_MEASUREMENTS = 0, RUNPLOT_X_GENERATION = 1, RUNPLOT_X_BOARD_HOURS = 2 };

typedef struct runplot_opts {
    const char *out;      /* output file (runplot_output) */
    const char *device;   /* PLplot driver picked from its extension */
    const char *run_path; /* shown in the title (its base name) */
    int width, height;    /* pixels (default 1500 x 720) */
    int zoom;             /* limit the left panel to the fronts' box + 25 % */
    int kx, ky;           /* objectives on the x / y axis (runplot_axes) */
    int hv_x;             /* x of the HV history: RUNPLOT_X_* */
    int pairs;            /* 1: pairwise projections of all objectives; -1: when 3+ objectives and no --x/--y */
} runplot_opts;

void runplot_opts_default(runplot_opts *o);
/* "WxH", 800x480 .. 10000x10000 (smaller pictures are unreadable); -1
 * (bad input) with a message. */
int runplot_size(const char *s, runplot_opts *o);
/* Sets out and device from OUT's extension (.png / .svg); -1 otherwise. */
int runplot_output(const char *out, runplot_opts *o);
/* Picks the axes: XNAME / YNAME (NULL: the first minimised objective,
 * then the first other one) and resolves o->pairs; -1 (bad input) for an
 * unknown name, a single-objective run, --pairs with more than 4
 * objectives, or board-hours for a run that records no board time. */
int runplot_axes(const run_snapshot *s, const char *xname, const char *yname, runplot_opts *o);
/* Creates o->out (empty) to check it can be written; -1 (bad input). */
int runplot_check_output(const runplot_opts *o);
/* Draws S into o->out; -1 with a message when computing a front failed.
 * Prints on stdout what the titles say (a line per panel: points
 * evaluated, drawn, without a value, outside the view; where the measured
 * values came from) and one line "not drawn (no NAME): ARCH" per point
 * without a value. */
int runplot_draw(const run_snapshot *s, const runplot_opts *o);

/* Draws C's HV against measurements into o->out: per group the median
 * across its runs (line) and the inter-quartile band (translucent fill),
 * up to the shortest run's measurements; the reference front's HV as a
 * dotted line. */
int runplot_compare(const runcmp *c, const runplot_opts *o);

#endif
