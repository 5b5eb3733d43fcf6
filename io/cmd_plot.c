/* HWNAS_FULL_ONLY */
/* `hwnas plot RUN.h5 -o FILE.png|.svg`: two panels drawn with PLplot
 * (cairo drivers): left, every evaluated point in two objectives with
 * measured and predicted values marked differently, the front over all
 * points (solid staircase) and the front of measured points (dashed);
 * right, the hypervolume per generation (and the HV ratio on a second axis
 * when the run knows the true front). */
#include <getopt.h>
#include <math.h>
#include <plplot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hw_err.h"
#include "runfront.h"

enum { C_BG = 0, C_FG = 1, C_MEAS = 2, C_PRED = 3, C_FRONT = 4, C_GRID = 5, C_RATIO = 6, C_MFRONT = 7 };

static void plot_usage(FILE *f) {
    fprintf(f, "usage: hwnas plot RUN.h5 -o FILE.png|FILE.svg [--x NAME] [--y NAME] [--size WxH]\n\n"
               "Draws the run's evaluated points and fronts (left) and its hypervolume per\n"
               "generation (right). Filled dots: every objective measured on a board;\n"
               "hollow circles: at least one predicted value. Solid red staircase: front\n"
               "over all points; dashed: front of the measured points only.\n\n"
               "  -o, --output FILE  output file; the extension picks PNG or SVG\n"
               "  --x NAME           objective on the x axis (default: the first minimised one)\n"
               "  --y NAME           objective on the y axis (default: the first other one)\n"
               "  --size WxH         picture size in pixels (default 1500x620)\n"
               "  -h, --help         this text\n");
}

static void palette(void) {
    plscol0(C_BG, 255, 255, 255);
    plscol0(C_FG, 25, 25, 25);
    plscol0(C_MEAS, 31, 119, 180);
    plscol0(C_PRED, 255, 127, 14);
    plscol0(C_FRONT, 214, 39, 40);
    plscol0(C_GRID, 215, 215, 215);
    plscol0(C_RATIO, 44, 160, 44);
    plscol0(C_MFRONT, 60, 60, 60);
}

/* Range of v[0..n) padded by 5% (or +-1 when flat / empty). */
static void range(const double *v, int n, double *lo, double *hi) {
    double a = INFINITY, b = -INFINITY;
    for (int i = 0; i < n; i++)
        if (isfinite(v[i])) {
            if (v[i] < a) a = v[i];
            if (v[i] > b) b = v[i];
        }
    if (!isfinite(a)) a = 0, b = 1;
    double pad = b > a ? 0.05 * (b - a) : (fabs(a) > 0 ? 0.05 * fabs(a) : 1);
    *lo = a - pad;
    *hi = b + pad;
}

/* Staircase through the front points IDX (sorted along x, minimised
 * forms decide the step direction); returns the number of vertices. */
static int staircase(const run_points *p, int m, int kx, int ky, const int *idx, int n, int xmax, int ymax,
                     double xlim, double ylim, PLFLT *sx, PLFLT *sy) {
    /* sort by minimised x */
    int *o = hw_malloc(sizeof(int) * (n ? n : 1));
    memcpy(o, idx, sizeof(int) * n);
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0; j--) {
            double a = p->obj[(size_t)o[j - 1] * m + kx], b = p->obj[(size_t)o[j] * m + kx];
            if (xmax) a = -a, b = -b;
            if (a <= b) break;
            int t = o[j];
            o[j] = o[j - 1], o[j - 1] = t;
        }
    int k = 0;
    for (int i = 0; i < n; i++) {
        double x = p->obj[(size_t)o[i] * m + kx], y = p->obj[(size_t)o[i] * m + ky];
        if (i == 0) sx[k] = x, sy[k++] = ylim; /* from the edge of the plot */
        else {
            sx[k] = x;
            sy[k] = sy[k - 1];
            k++;
        }
        sx[k] = x, sy[k++] = y;
    }
    if (n) sx[k] = xlim, sy[k] = sy[k - 1], k++;
    (void)ymax;
    free(o);
    return k;
}

static int pick(const run_snapshot *s, const char *name, int *out) {
    int k = run_snapshot_obj_index(s, name);
    if (k < 0) return cli_usage_error("plot: no objective '%s' in the run file", name);
    *out = k;
    return 0;
}

int cmd_plot(int argc, char **argv) {
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"x", required_argument, NULL, 'x'},
                                         {"y", required_argument, NULL, 'y'},
                                         {"size", required_argument, NULL, 's'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *out = NULL, *xname = NULL, *yname = NULL;
    int W = 1500, H = 620, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'x': xname = optarg; break;
        case 'y': yname = optarg; break;
        case 's':
            if (sscanf(optarg, "%dx%d", &W, &H) != 2 || W < 200 || H < 150 || W > 10000 || H > 10000)
                return cli_usage_error("plot: --size '%s': expected WxH, 200x150 to 10000x10000", optarg);
            break;
        case 'h': plot_usage(stdout); return HW_EXIT_OK;
        default: return cli_usage_error("plot: bad option '%s' (see hwnas plot --help)", argv[optind - 1]);
        }
    }
    if (optind != argc - 1) return cli_usage_error("plot: expected one run file (see hwnas plot --help)");
    if (!out) return cli_usage_error("plot: -o FILE.png|FILE.svg is required");
    const char *ext = strrchr(out, '.'), *dev = NULL;
    if (ext && !strcasecmp(ext, ".png")) dev = "pngcairo";
    else if (ext && !strcasecmp(ext, ".svg")) dev = "svgcairo";
    else return cli_usage_error("plot: -o %s: the file name must end in .png or .svg", out);

    run_snapshot *s;
    int st = runfront_load(argv[optind], &s);
    if (st) return st;
    const int m = s->nobj;
    int kx = -1, ky = -1;
    if (xname && (st = pick(s, xname, &kx))) goto out0;
    if (yname && (st = pick(s, yname, &ky))) goto out0;
    if (kx < 0)
        for (int k = 0; k < m && kx < 0; k++)
            if (!s->obj_maximise[k] && k != ky) kx = k;
    if (kx < 0) kx = ky == 0 && m > 1 ? 1 : 0;
    if (ky < 0)
        for (int k = 0; k < m && ky < 0; k++)
            if (k != kx) ky = k;
    if (ky < 0) {
        st = cli_usage_error("plot: %s has a single objective; a front plot needs two", argv[optind]);
        goto out0;
    }
    FILE *probe = fopen(out, "wb");
    if (!probe) {
        st = cli_usage_error("plot: %s: cannot create the file", out);
        goto out0;
    }
    fclose(probe);

    run_points all;
    runfront_all_points(s, &all);
    int *fidx = NULL, fn = 0, *midx = NULL, mn = 0;
    if (runfront_front(s, &all, 0, &fidx, &fn) < 0 || runfront_front(s, &all, 1, &midx, &mn) < 0) {
        st = cli_report(HW_EXIT_FAIL);
        goto out1;
    }
    /* scatter columns, split by measured / predicted */
    int n = all.n;
    PLFLT *mx = hw_malloc(sizeof(PLFLT) * (n + 1)), *my = hw_malloc(sizeof(PLFLT) * (n + 1)); /* measured */
    PLFLT *px = hw_malloc(sizeof(PLFLT) * (n + 1)), *py = hw_malloc(sizeof(PLFLT) * (n + 1)); /* predicted */
    double *vx = hw_malloc(sizeof(double) * (n + 1)), *vy = hw_malloc(sizeof(double) * (n + 1));
    int nm = 0, np = 0, nv = 0;
    for (int i = 0; i < n; i++) {
        double x = all.obj[(size_t)i * m + kx], y = all.obj[(size_t)i * m + ky];
        if (!isfinite(x) || !isfinite(y)) continue;
        vx[nv] = x, vy[nv++] = y;
        int meas = all.measured[(size_t)i * m + kx] && all.measured[(size_t)i * m + ky];
        if (meas) mx[nm] = x, my[nm++] = y;
        else px[np] = x, py[np++] = y;
    }
    double x0, x1, y0, y1;
    range(vx, nv, &x0, &x1);
    range(vy, nv, &y0, &y1);
    int xmax = s->obj_maximise[kx], ymax = s->obj_maximise[ky];
    PLFLT *sx = hw_malloc(sizeof(PLFLT) * (2 * n + 4)), *sy = hw_malloc(sizeof(PLFLT) * (2 * n + 4));
    char xl[160], yl[160], title[300];
    snprintf(xl, sizeof xl, "%s (%s)", s->obj_names[kx], xmax ? "higher is better" : "lower is better");
    snprintf(yl, sizeof yl, "%s (%s)", s->obj_names[ky], ymax ? "higher is better" : "lower is better");

    plsdev(dev);
    plsfnam(out);
    plspage(0, 0, W, H, 0, 0);
    palette();
    plinit();
    pladv(0);
    plfontld(1);
    plschr(0, 1.05);

    /* ---- left: points and fronts ---- */
    plvpor(0.065, 0.55, 0.12, 0.90);
    plwind(x0, x1, y0, y1);
    plcol0(C_GRID);
    plwidth(0.6);
    plbox("g", 0, 0, "g", 0, 0);
    plwidth(1.0);
    plcol0(C_FG);
    plbox("bcnst", 0, 0, "bcnstv", 0, 0);
    snprintf(title, sizeof title, "%d evaluated points: %d measured, %d with predicted values", nv, nm, np);
    pllab(xl, yl, title);
    plschr(0, 0.8);
    plcol0(C_PRED);
    if (np) plstring(np, px, py, "#(228)"); /* Hershey open circle */
    plcol0(C_MEAS);
    if (nm) plstring(nm, mx, my, "#(840)"); /* Hershey filled dot */
    plschr(0, 1.05);
    /* measured-only front: dashed */
    int k = staircase(&all, m, kx, ky, midx, mn, xmax, ymax, xmax ? x0 : x1, ymax ? y0 : y1, sx, sy);
    plcol0(C_MFRONT);
    pllsty(2);
    plwidth(1.6);
    if (k > 1) plline(k, sx, sy);
    pllsty(1);
    /* front over all points: solid */
    k = staircase(&all, m, kx, ky, fidx, fn, xmax, ymax, xmax ? x0 : x1, ymax ? y0 : y1, sx, sy);
    plcol0(C_FRONT);
    plwidth(2.2);
    if (k > 1) plline(k, sx, sy);
    plwidth(1.0);
    for (int i = 0; i < fn; i++) {
        int p = fidx[i];
        PLFLT fx = all.obj[(size_t)p * m + kx], fy = all.obj[(size_t)p * m + ky];
        int meas = all.measured[(size_t)p * m + kx] && all.measured[(size_t)p * m + ky];
        plschr(0, 1.3);
        plstring(1, &fx, &fy, meas ? "#(840)" : "#(228)");
    }
    plschr(0, 1.05);
    {
        PLINT opt[4] = {PL_LEGEND_SYMBOL, PL_LEGEND_SYMBOL, PL_LEGEND_LINE, PL_LEGEND_LINE};
        const char *text[4] = {"measured on a board", "predicted (>= 1 objective)", "front over all points",
                               "front of measured points"};
        PLINT tcol[4] = {C_FG, C_FG, C_FG, C_FG}, scol[4] = {C_MEAS, C_PRED, 0, 0}, snum[4] = {1, 1, 0, 0};
        PLFLT sscale[4] = {1.0, 1.0, 0, 0}, lwid[4] = {0, 0, 2.2, 1.6};
        PLINT lcol[4] = {0, 0, C_FRONT, C_MFRONT}, lsty[4] = {0, 0, 1, 2};
        const char *sym[4] = {"#(840)", "#(228)", "", ""};
        PLFLT lw, lh;
        /* legend in the corner away from the front: the dominated corner */
        PLINT pos = PL_POSITION_INSIDE | (xmax ? PL_POSITION_LEFT : PL_POSITION_RIGHT) |
                    (ymax ? PL_POSITION_BOTTOM : PL_POSITION_TOP);
        plschr(0, 0.85);
        pllegend(&lw, &lh, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX, pos, 0.02, 0.02, 0.08, C_BG, C_GRID, 1, 0,
                 0, 4, opt, 1.0, 1.0, 1.6, 1.0, tcol, text, NULL, NULL, NULL, NULL, lcol, lsty, lwid, scol, sscale,
                 snum, sym);
        plschr(0, 1.05);
    }

    /* ---- right: hypervolume per generation ---- */
    plvpor(0.64, 0.93, 0.12, 0.90);
    int nh = s->nhistory, has_ratio = 0;
    PLFLT *hg = hw_malloc(sizeof(PLFLT) * (nh + 1)), *hv = hw_malloc(sizeof(PLFLT) * (nh + 1));
    PLFLT *hr = hw_malloc(sizeof(PLFLT) * (nh + 1));
    double *tmp = hw_malloc(sizeof(double) * (nh + 1));
    int nf = 0;
    for (int i = 0; i < nh; i++) {
        if (!isfinite(s->history[i].hv)) continue;
        hg[nf] = (PLFLT)s->history[i].generation;
        hv[nf] = s->history[i].hv;
        hr[nf] = s->history[i].hv_ratio;
        if (isfinite(hr[nf])) has_ratio = 1;
        nf++;
    }
    double g0, g1, v0, v1;
    for (int i = 0; i < nf; i++) tmp[i] = hg[i];
    range(tmp, nf, &g0, &g1);
    for (int i = 0; i < nf; i++) tmp[i] = hv[i];
    range(tmp, nf, &v0, &v1);
    plwind(g0, g1, v0, v1);
    plcol0(C_GRID);
    plwidth(0.6);
    plbox("g", 0, 0, "g", 0, 0);
    plwidth(1.0);
    plcol0(C_FG);
    plbox("bcnst", 0, 0, has_ratio ? "bnstv" : "bcnstv", 0, 0);
    if (nf && has_ratio)
        snprintf(title, sizeof title, "hypervolume per generation (final HV ratio %.4f)", hr[nf - 1]);
    else snprintf(title, sizeof title, "hypervolume per generation%s", nf ? "" : " (no history)");
    pllab("generation", "hypervolume of the measured front", title);
    plcol0(C_MEAS);
    plwidth(2.0);
    if (nf > 1) plline(nf, hg, hv);
    plwidth(1.0);
    if (nf) plstring(nf, hg, hv, "#(840)");
    if (has_ratio) {
        double r0 = INFINITY, r1 = -INFINITY;
        for (int i = 0; i < nf; i++)
            if (isfinite(hr[i])) {
                if (hr[i] < r0) r0 = hr[i];
                if (hr[i] > r1) r1 = hr[i];
            }
        /* same relative placement as the HV curve when hv_ratio = hv / const */
        double lo = r0 - (r1 > r0 ? 0.05 * (r1 - r0) : 0.05), hi = r1 + (r1 > r0 ? 0.05 * (r1 - r0) : 0.05);
        plwind(g0, g1, lo, hi);
        plcol0(C_RATIO);
        plbox("", 0, 0, "cmstv", 0, 0);
        plmtex("r", 4.2, 0.5, 0.5, "HV ratio to the true front");
        pllsty(3);
        plwidth(1.4);
        int a = 0;
        for (int i = 0; i < nf; i++)
            if (isfinite(hr[i])) hg[a] = hg[i], hr[a++] = hr[i];
        if (a > 1) plline(a, hg, hr);
        pllsty(1);
        plwidth(1.0);
    }
    plend();
    free(hg), free(hv), free(hr), free(tmp);
    free(mx), free(my), free(px), free(py), free(vx), free(vy), free(sx), free(sy);
out1:
    free(fidx);
    free(midx);
    run_points_clear(&all);
out0:
    run_snapshot_free(s);
    return st;
}
