/* runplot.c: see runplot.h. Drawn with PLplot's cairo drivers. */
#include "runplot.h"

#include <math.h>
#include <plplot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hw_err.h"

/* UTF-8 glyphs drawn with plstring (the cairo drivers render them) */
#define GLYPH_MEAS "\u25CF" /* filled circle */
#define GLYPH_PRED "\u25CB" /* hollow circle */
#define CHR 0.62             /* base character scale */

enum { C_BG = 0, C_FG = 1, C_MEAS = 2, C_PRED = 3, C_FRONT = 4, C_GRID = 5, C_RATIO = 6, C_MFRONT = 7 };

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

/* World window of the current viewport with a light grid and a boxed,
 * ticked frame. */
static void frame(double x0, double x1, double y0, double y1) {
    plwind(x0, x1, y0, y1);
    plcol0(C_GRID);
    plwidth(0.6);
    plbox("g", 0, 0, "g", 0, 0);
    plwidth(1.0);
    plcol0(C_FG);
    plbox("bcnst", 0, 0, "bcnstv", 0, 0);
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

void runplot_opts_default(runplot_opts *o) {
    memset(o, 0, sizeof *o);
    o->width = 1500;
    o->height = 620;
}

int runplot_size(const char *s, runplot_opts *o) {
    int w, h;
    char tail;
    if (sscanf(s, "%dx%d%c", &w, &h, &tail) != 2 || w < 480 || h < 360 || w > 10000 || h > 10000)
        return hw_fail("--size '%s': expected WxH, 480x360 to 10000x10000 (smaller is unreadable)", s);
    o->width = w;
    o->height = h;
    return 0;
}

int runplot_output(const char *out, runplot_opts *o) {
    const char *ext = strrchr(out, '.');
    if (ext && !strcasecmp(ext, ".png")) o->device = "pngcairo";
    else if (ext && !strcasecmp(ext, ".svg")) o->device = "svgcairo";
    else return hw_fail("-o %s: the file name must end in .png or .svg", out);
    o->out = out;
    return 0;
}

static int pick(const run_snapshot *s, const char *name, int *out) {
    int k = run_snapshot_obj_index(s, name);
    if (k < 0) return hw_fail("no objective '%s' in the run file", name);
    *out = k;
    return 0;
}

int runplot_axes(const run_snapshot *s, const char *xname, const char *yname, runplot_opts *o) {
    const int m = s->nobj;
    int kx = -1, ky = -1;
    if (xname && pick(s, xname, &kx)) return -1;
    if (yname && pick(s, yname, &ky)) return -1;
    if (kx < 0)
        for (int k = 0; k < m && kx < 0; k++)
            if (!s->obj_maximise[k] && k != ky) kx = k;
    if (kx < 0) kx = ky == 0 && m > 1 ? 1 : 0;
    if (ky < 0)
        for (int k = 0; k < m && ky < 0; k++)
            if (k != kx) ky = k;
    if (ky < 0) return hw_fail("%s has a single objective; a front plot needs two", o->run_path ? o->run_path : "the run");
    o->kx = kx;
    o->ky = ky;
    return 0;
}

int runplot_check_output(const runplot_opts *o) {
    FILE *probe = fopen(o->out, "wb");
    if (!probe) return hw_fail("%s: cannot create the file", o->out);
    fclose(probe);
    return 0;
}

int runplot_draw(const run_snapshot *s, const runplot_opts *o) {
    HW_ASSERT(o->out && o->device && o->run_path);
    const int m = s->nobj, kx = o->kx, ky = o->ky;
    int rc = -1;
    run_points all;
    runfront_all_points(s, &all);
    int *fidx = NULL, fn = 0, *midx = NULL, mn = 0;
    if (runfront_front(s, &all, 0, &fidx, &fn) < 0 || runfront_front(s, &all, 1, &midx, &mn) < 0) goto out1;
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
    int outside = 0;
    if (o->zoom && fn + mn > 0) {
        double *bx = hw_malloc(sizeof(double) * (fn + mn)), *by = hw_malloc(sizeof(double) * (fn + mn));
        for (int i = 0; i < fn + mn; i++) {
            int p = i < fn ? fidx[i] : midx[i - fn];
            bx[i] = all.obj[(size_t)p * m + kx], by[i] = all.obj[(size_t)p * m + ky];
        }
        range(bx, fn + mn, &x0, &x1);
        range(by, fn + mn, &y0, &y1);
        double wx = x1 - x0, wy = y1 - y0;
        /* extend towards the dominated side, where the other points are */
        if (s->obj_maximise[kx]) x0 -= 0.25 * wx;
        else x1 += 0.25 * wx;
        if (s->obj_maximise[ky]) y0 -= 0.25 * wy;
        else y1 += 0.25 * wy;
        for (int i = 0; i < nv; i++) outside += vx[i] < x0 || vx[i] > x1 || vy[i] < y0 || vy[i] > y1;
        free(bx);
        free(by);
        /* keep only visible points (cairo does not clip glyphs) */
        int a = 0, b = 0;
        for (int i = 0; i < nm; i++)
            if (mx[i] >= x0 && mx[i] <= x1 && my[i] >= y0 && my[i] <= y1) mx[a] = mx[i], my[a++] = my[i];
        for (int i = 0; i < np; i++)
            if (px[i] >= x0 && px[i] <= x1 && py[i] >= y0 && py[i] <= y1) px[b] = px[i], py[b++] = py[i];
        nm = a, np = b;
    }
    int xmax = s->obj_maximise[kx], ymax = s->obj_maximise[ky];
    PLFLT *sx = hw_malloc(sizeof(PLFLT) * (2 * n + 4)), *sy = hw_malloc(sizeof(PLFLT) * (2 * n + 4));
    char xl[160], yl[160], title[300];
    snprintf(xl, sizeof xl, "%s (%s)", s->obj_names[kx], xmax ? "higher is better" : "lower is better");
    snprintf(yl, sizeof yl, "%s (%s)", s->obj_names[ky], ymax ? "higher is better" : "lower is better");

    plsdev(o->device);
    plsfnam(o->out);
    plspage(0, 0, o->width, o->height, 0, 0);
    palette();
    plinit();
    pladv(0);
    plfontld(1);
    plschr(0, CHR);

    /* ---- left: points and fronts ---- */
    plvpor(0.065, 0.55, 0.12, 0.90);
    frame(x0, x1, y0, y1);
    const char *base = strrchr(o->run_path, '/') ? strrchr(o->run_path, '/') + 1 : o->run_path;
    if (o->zoom)
        snprintf(title, sizeof title, "%s: %d evaluated points, %d outside this view", base, nv, outside);
    else
        snprintf(title, sizeof title, "%s: %d evaluated points (%d measured, %d with predicted values)", base, nv,
                 nm, np);
    pllab(xl, yl, title);
    plschr(0, 0.6 * CHR);
    plcol0(C_PRED);
    if (np) plstring(np, px, py, GLYPH_PRED);
    plcol0(C_MEAS);
    if (nm) plstring(nm, mx, my, GLYPH_MEAS);
    plschr(0, CHR);
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
        plschr(0, 1.25 * CHR);
        plstring(1, &fx, &fy, meas ? GLYPH_MEAS : GLYPH_PRED);
    }
    plschr(0, CHR);
    {
        PLINT opt[4] = {PL_LEGEND_SYMBOL, PL_LEGEND_SYMBOL, PL_LEGEND_LINE, PL_LEGEND_LINE};
        const char *text[4] = {"measured on a board", "predicted (>= 1 objective)", "front over all points",
                               "front of measured points"};
        PLINT tcol[4] = {C_FG, C_FG, C_FG, C_FG}, scol[4] = {C_MEAS, C_PRED, 0, 0}, snum[4] = {1, 1, 0, 0};
        PLFLT sscale[4] = {0.8, 0.8, 0, 0}, lwid[4] = {0, 0, 2.2, 1.6};
        PLINT lcol[4] = {0, 0, C_FRONT, C_MFRONT}, lsty[4] = {0, 0, 1, 2};
        const char *sym[4] = {GLYPH_MEAS, GLYPH_PRED, "", ""};
        PLFLT lw, lh;
        /* legend in the corner away from the front: the dominated corner */
        PLINT pos = PL_POSITION_INSIDE | (xmax ? PL_POSITION_LEFT : PL_POSITION_RIGHT) |
                    (ymax ? PL_POSITION_BOTTOM : PL_POSITION_TOP);
        plschr(0, 0.9 * CHR);
        pllegend(&lw, &lh, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX, pos, 0.02, 0.02, 0.05, C_BG, C_GRID, 1, 0,
                 0, 4, opt, 0.6, 0.8 * CHR, 2.0, 0.0, tcol, text, NULL, NULL, NULL, NULL, lcol, lsty, lwid, scol, sscale,
                 snum, sym);
        plschr(0, CHR);
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
    plbox("g", g1 - g0 <= 12 ? 1 : 0, 0, "g", 0, 0);
    plwidth(1.0);
    plcol0(C_FG);
    /* integer generation ticks */
    double gtick = g1 - g0 <= 12 ? 1 : 0;
    plbox("bcnst", gtick, 0, has_ratio ? "bnstv" : "bcnstv", 0, 0);
    if (nf && has_ratio)
        snprintf(title, sizeof title, "hypervolume per generation (final ratio %.4f)", hr[nf - 1]);
    else snprintf(title, sizeof title, "hypervolume per generation%s", nf ? "" : " (no history)");
    pllab("generation", "hypervolume of the measured front", title);
    plcol0(C_MEAS);
    plwidth(2.0);
    if (nf > 1) plline(nf, hg, hv);
    plwidth(1.0);
    if (nf) plstring(nf, hg, hv, GLYPH_MEAS);
    if (has_ratio) {
        /* When hv_ratio = hv / true_hv for every row (same reference point),
         * the right axis is just a rescaled left axis; otherwise the ratio
         * gets its own dashed curve and scale. */
        double cst = NAN;
        int prop = 1;
        for (int i = 0; i < nf && prop; i++) {
            if (!isfinite(hr[i]) || hr[i] <= 0) {
                prop = 0;
                break;
            }
            double ci = hv[i] / hr[i];
            if (isnan(cst)) cst = ci;
            else if (fabs(ci - cst) > 1e-9 * fabs(cst)) prop = 0;
        }
        double lo, hi;
        if (prop && cst > 0) {
            lo = v0 / cst, hi = v1 / cst;
        } else {
            double r0 = INFINITY, r1 = -INFINITY;
            for (int i = 0; i < nf; i++)
                if (isfinite(hr[i])) {
                    if (hr[i] < r0) r0 = hr[i];
                    if (hr[i] > r1) r1 = hr[i];
                }
            lo = r0 - (r1 > r0 ? 0.05 * (r1 - r0) : 0.05), hi = r1 + (r1 > r0 ? 0.05 * (r1 - r0) : 0.05);
        }
        plwind(g0, g1, lo, hi);
        plcol0(C_RATIO);
        plbox("", 0, 0, "cmstv", 0, 0);
        plmtex("r", 5.0, 0.5, 0.5, "HV ratio to the true front");
        if (!prop) {
            pllsty(3);
            plwidth(1.4);
            int a = 0;
            for (int i = 0; i < nf; i++)
                if (isfinite(hr[i])) hg[a] = hg[i], hr[a++] = hr[i];
            if (a > 1) plline(a, hg, hr);
            pllsty(1);
            plwidth(1.0);
        }
    }
    plend();
    free(hg), free(hv), free(hr), free(tmp);
    free(mx), free(my), free(px), free(py), free(vx), free(vy), free(sx), free(sy);
    rc = 0;
out1:
    free(fidx);
    free(midx);
    run_points_clear(&all);
    return rc;
}

/* Group colours (tab10) from colour index C_GROUP0 on. */
#define C_GROUP0 8
static const int group_rgb[6][3] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44}, {214, 39, 40}, {148, 103, 189}, {140, 86, 75}};

int runplot_compare(const runcmp *c, const runplot_opts *o) {
    HW_ASSERT(o->out && o->device);
    long B = runcmp_min_meas(c);
    int np = B < 200 ? (int)B : 200;
    if (np < 1) return hw_fail("compare: the runs have no measurements to plot");
    PLFLT *x = hw_malloc(sizeof(PLFLT) * (2 * np + 2)), *med = hw_malloc(sizeof(PLFLT) * np);
    PLFLT *q1 = hw_malloc(sizeof(PLFLT) * np), *q3 = hw_malloc(sizeof(PLFLT) * np);
    PLFLT *bx = hw_malloc(sizeof(PLFLT) * (2 * np + 2)), *by = hw_malloc(sizeof(PLFLT) * (2 * np + 2));
    double lo = INFINITY, hi = c->ref_front_hv;
    for (int g = 0; g < c->ngroups; g++)
        for (int i = 0; i < np; i++) {
            double m_, a, b;
            runcmp_hv_stats(c, g, (long)((double)B * (i + 1) / np + 0.5), &m_, &a, &b);
            lo = a < lo ? a : lo, hi = b > hi ? b : hi;
        }
    if (!(hi > lo)) hi = lo + 1;
    double pad = 0.05 * (hi - lo);
    plsdev(o->device);
    plsfnam(o->out);
    plspage(0, 0, o->width, o->height, 0, 0);
    palette();
    for (int g = 0; g < 6; g++) plscol0(C_GROUP0 + g, group_rgb[g][0], group_rgb[g][1], group_rgb[g][2]);
    plinit();
    pladv(0);
    plfontld(1);
    plschr(0, CHR);
    plvpor(0.08, 0.96, 0.12, 0.90);
    frame(0, (PLFLT)B, lo - pad, hi + pad);
    char title[200];
    snprintf(title, sizeof title, "hypervolume vs measurements: median and quartiles of %d runs in %d groups", c->nruns,
             c->ngroups);
    pllab("measurements", "hypervolume of the measured front", title);
    /* reference front's HV */
    PLFLT rx[2] = {0, (PLFLT)B}, ry[2] = {c->ref_front_hv, c->ref_front_hv};
    plcol0(C_MFRONT);
    pllsty(3);
    plline(2, rx, ry);
    pllsty(1);
    int ng = c->ngroups < 6 ? c->ngroups : 6;
    for (int g = 0; g < ng; g++) {
        for (int i = 0; i < np; i++) {
            long b = (long)((double)B * (i + 1) / np + 0.5);
            double m_, a, bb;
            runcmp_hv_stats(c, g, b, &m_, &a, &bb);
            x[i] = (PLFLT)b, med[i] = m_, q1[i] = a, q3[i] = bb;
        }
        for (int i = 0; i < np; i++) bx[i] = x[i], by[i] = q3[i];
        for (int i = 0; i < np; i++) bx[np + i] = x[np - 1 - i], by[np + i] = q1[np - 1 - i];
        plscol0a(C_GROUP0 + g, group_rgb[g][0], group_rgb[g][1], group_rgb[g][2], 0.22);
        plcol0(C_GROUP0 + g);
        if (np > 1) plfill(2 * np, bx, by);
        plscol0a(C_GROUP0 + g, group_rgb[g][0], group_rgb[g][1], group_rgb[g][2], 1.0);
        plcol0(C_GROUP0 + g);
        plwidth(2.0);
        if (np > 1) plline(np, x, med);
        plwidth(1.0);
    }
    {
        PLINT opt[8], tcol[8], lcol[8], lsty[8];
        PLFLT lwid[8];
        const char *text[8];
        char names[7][160];
        int k = 0;
        for (int g = 0; g < ng; g++, k++) {
            snprintf(names[g], sizeof names[g], "G%d %s (%d runs)", g + 1, c->groups[g].name, c->groups[g].nruns);
            opt[k] = PL_LEGEND_LINE, tcol[k] = C_FG, lcol[k] = C_GROUP0 + g, lsty[k] = 1, lwid[k] = 2.0, text[k] = names[g];
        }
        snprintf(names[6], sizeof names[6], "%s (hv %.5g)", c->ref_front_true ? "true front" : "union of the fronts",
                 c->ref_front_hv);
        opt[k] = PL_LEGEND_LINE, tcol[k] = C_FG, lcol[k] = C_MFRONT, lsty[k] = 3, lwid[k] = 1.0, text[k++] = names[6];
        PLFLT lw, lh;
        plschr(0, 0.85 * CHR);
        pllegend(&lw, &lh, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX, PL_POSITION_INSIDE | PL_POSITION_RIGHT | PL_POSITION_BOTTOM,
                 0.02, 0.03, 0.05, C_BG, C_GRID, 1, 0, 0, k, opt, 0.6, 0.8 * CHR, 2.0, 0.0, tcol, text, NULL, NULL, NULL, NULL,
                 lcol, lsty, lwid, NULL, NULL, NULL, NULL);
        plschr(0, 0.8 * CHR);
        plcol0(C_FG);
        plmtex("b", 5.2, 0.0, 0.0, "bands: inter-quartile range across each group's runs (seeds)");
    }
    plend();
    free(x), free(med), free(q1), free(q3), free(bx), free(by);
    return 0;
}
