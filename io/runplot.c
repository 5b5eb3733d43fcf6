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
    plscol0a(C_MEAS, 31, 119, 180, 0.45); /* translucent: dense clouds stay readable */
    plscol0a(C_PRED, 255, 127, 14, 0.7);
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
    o->height = 720;
    o->pairs = -1;
}

int runplot_size(const char *s, runplot_opts *o) {
    int w, h;
    char tail;
    if (sscanf(s, "%dx%d%c", &w, &h, &tail) != 2 || w < 800 || h < 480 || w > 10000 || h > 10000)
        return hw_fail("--size '%s': expected WxH, 800x480 to 10000x10000 (smaller is unreadable)", s);
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

int runplot_check_output(const runplot_opts *o) {
    FILE *probe = fopen(o->out, "wb");
    if (!probe) return hw_fail("%s: cannot create the file", o->out);
    fclose(probe);
    return 0;
}

/* Where the values of objective K came from, from the provenance columns
 * of the run's training set for it: "fine-tuned" (runner finetune),
 * "table" (the objective has no device, or every row's board is "table":
 * looked up),
 * "board DEVICE (RUNNER)" otherwise, "" when the run has no training set
 * for K. */
static void provenance(const run_snapshot *s, int k, char *out, size_t cap) {
    out[0] = 0;
    for (int t = 0; t < s->ntrainsets; t++) {
        const run_trainset *ts = &s->trainsets[t];
        if (strcmp(ts->target, s->obj_names[k])) continue;
        const char *runner = NULL;
        int ft = 0;
        for (int i = 0; i < ts->n; i++) {
            if (ts->runner && !strcmp(ts->runner[i], "finetune")) ft = 1;
            else if (ts->board && strcmp(ts->board[i], "table") && !runner) runner = ts->runner ? ts->runner[i] : "?";
        }
        if (ft) snprintf(out, cap, "fine-tuned");
        else if (!runner || !strcmp(ts->device, "table")) snprintf(out, cap, "table");
        else snprintf(out, cap, "board %s (%s)", ts->device, runner);
        return;
    }
}

/* The legend text of measured points: "measured (accuracy: table,
 * latency_ms: board tx2)", or "from the tables" when both come from one. */
static void measured_label(const run_snapshot *s, int kx, int ky, char *out, size_t cap) {
    char px[80], py[80];
    provenance(s, kx, px, sizeof px);
    provenance(s, ky, py, sizeof py);
    if (!px[0] || !py[0]) snprintf(out, cap, "measured");
    else if (!strcmp(px, py) && !strcmp(px, "table")) snprintf(out, cap, "looked up in the tables");
    else if (!strcmp(px, py)) snprintf(out, cap, "measured (%s)", px);
    else snprintf(out, cap, "%s: %s, %s: %s", s->obj_names[kx], px, s->obj_names[ky], py);
}

/* Cumulative board seconds after each board measurement (deduplicated
 * over the training sets by architecture and time, in order of t_end):
 * *out malloc'd, n values; 0 rows for a run without board times. */
static int board_seconds(const run_snapshot *s, double **out) {
    int cap = 0, n = 0;
    for (int t = 0; t < s->ntrainsets; t++) cap += s->trainsets[t].n;
    double *st = hw_malloc(sizeof(double) * (cap ? cap : 1)), *en = hw_malloc(sizeof(double) * (cap ? cap : 1));
    const char **ar = hw_malloc(sizeof(char *) * (cap ? cap : 1));
    for (int t = 0; t < s->ntrainsets; t++) {
        const run_trainset *ts = &s->trainsets[t];
        if (!strcmp(ts->device, "table") || !ts->t_start || !ts->t_end) continue;
        for (int i = 0; i < ts->n; i++) {
            if (!(ts->t_end[i] > ts->t_start[i])) continue;
            int dup = 0;
            for (int j = 0; j < n && !dup; j++) dup = st[j] == ts->t_start[i] && en[j] == ts->t_end[i] && !strcmp(ar[j], ts->arch[i]);
            if (dup) continue;
            int j = n++;
            while (j > 0 && en[j - 1] > ts->t_end[i]) st[j] = st[j - 1], en[j] = en[j - 1], ar[j] = ar[j - 1], j--;
            st[j] = ts->t_start[i], en[j] = ts->t_end[i], ar[j] = ts->arch[i];
        }
    }
    for (int i = 0; i < n; i++) st[i] = (i ? st[i - 1] : 0) + (en[i] - st[i]); /* cumulative */
    free(en);
    free(ar);
    *out = st;
    return n;
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
    if (o->pairs < 0) o->pairs = m >= 3 && !xname && !yname;
    if (o->pairs && m > 4) return hw_fail("--pairs: %d objectives give too many projections (at most 4 objectives)", m);
    if (o->hv_x == RUNPLOT_X_BOARD_HOURS) {
        double *b;
        int n = board_seconds(s, &b);
        free(b);
        if (n == 0)
            return hw_fail("%s records no board time (a table run: no training-set row has t_end > t_start "
                           "on a device); use --hv-x measurements",
                           o->run_path ? o->run_path : "the run");
    }
    return 0;
}

/* The points of one panel: split by measured / predicted, those with a
 * missing value counted (and the first few kept by index). */
typedef struct panel_pts {
    PLFLT *mx, *my, *px, *py;
    int nm, np, nmissing, nv;
    int *missing; /* indices into all of points without a value */
} panel_pts;

static void panel_collect(const run_points *all, int m, int kx, int ky, panel_pts *q) {
    int n = all->n;
    q->mx = hw_malloc(sizeof(PLFLT) * (n + 1)), q->my = hw_malloc(sizeof(PLFLT) * (n + 1));
    q->px = hw_malloc(sizeof(PLFLT) * (n + 1)), q->py = hw_malloc(sizeof(PLFLT) * (n + 1));
    q->missing = hw_malloc(sizeof(int) * (n + 1));
    q->nm = q->np = q->nmissing = q->nv = 0;
    for (int i = 0; i < n; i++) {
        double x = all->obj[(size_t)i * m + kx], y = all->obj[(size_t)i * m + ky];
        if (!isfinite(x) || !isfinite(y)) {
            q->missing[q->nmissing++] = i;
            continue;
        }
        q->nv++;
        if (all->measured[(size_t)i * m + kx] && all->measured[(size_t)i * m + ky]) q->mx[q->nm] = x, q->my[q->nm++] = y;
        else q->px[q->np] = x, q->py[q->np++] = y;
    }
}

static void panel_free(panel_pts *q) {
    free(q->mx), free(q->my), free(q->px), free(q->py), free(q->missing);
}

/* Keeps the points inside [x0,x1] x [y0,y1] (cairo does not clip glyphs);
 * returns how many fell outside. */
static int panel_clip(panel_pts *q, double x0, double x1, double y0, double y1) {
    int a = 0, b = 0, before = q->nm + q->np;
    for (int i = 0; i < q->nm; i++)
        if (q->mx[i] >= x0 && q->mx[i] <= x1 && q->my[i] >= y0 && q->my[i] <= y1) q->mx[a] = q->mx[i], q->my[a++] = q->my[i];
    for (int i = 0; i < q->np; i++)
        if (q->px[i] >= x0 && q->px[i] <= x1 && q->py[i] >= y0 && q->py[i] <= y1) q->px[b] = q->px[i], q->py[b++] = q->py[i];
    q->nm = a, q->np = b;
    return before - a - b;
}

/* The view of objectives kx, ky: all points (padded 5 %), or with zoom the
 * box between the best front values and the reference point when the run
 * has one (front points outside that box, e.g. a degenerate 10 % accuracy
 * cell, are ignored), else the fronts' box extended by 25 % towards the
 * dominated side. */
static void panel_view(const run_snapshot *s, const run_points *all, const panel_pts *q, const int *fidx, int fn,
                       int kx, int ky, int zoom, const double *ref, double *x0, double *x1, double *y0, double *y1) {
    const int m = s->nobj;
    double *vx = hw_malloc(sizeof(double) * (q->nm + q->np + fn + 1)), *vy = hw_malloc(sizeof(double) * (q->nm + q->np + fn + 1));
    int n = 0;
    if (!zoom) {
        for (int i = 0; i < q->nm; i++) vx[n] = q->mx[i], vy[n++] = q->my[i];
        for (int i = 0; i < q->np; i++) vx[n] = q->px[i], vy[n++] = q->py[i];
    } else {
        for (int i = 0; i < fn; i++) {
            double x = all->obj[(size_t)fidx[i] * m + kx], y = all->obj[(size_t)fidx[i] * m + ky];
            double xm = s->obj_maximise[kx] ? -x : x, ym = s->obj_maximise[ky] ? -y : y;
            if (ref && (xm >= ref[kx] || ym >= ref[ky])) continue; /* outside the reference box */
            vx[n] = x, vy[n++] = y;
        }
        if (ref) { /* the box reaches the reference point */
            vx[n] = s->obj_maximise[kx] ? -ref[kx] : ref[kx];
            vy[n] = s->obj_maximise[ky] ? -ref[ky] : ref[ky];
            n++;
        }
    }
    range(vx, n, x0, x1);
    range(vy, n, y0, y1);
    if (zoom && !ref) {
        double wx = *x1 - *x0, wy = *y1 - *y0;
        if (s->obj_maximise[kx]) *x0 -= 0.25 * wx;
        else *x1 += 0.25 * wx;
        if (s->obj_maximise[ky]) *y0 -= 0.25 * wy;
        else *y1 += 0.25 * wy;
    }
    free(vx), free(vy);
}

/* Draws the glyphs of one panel: predicted hollow, measured small and
 * translucent, front points ringed in red. */
static void panel_glyphs(const run_points *all, int m, int kx, int ky, const panel_pts *q, const int *fidx, int fn,
                         double x0, double x1, double y0, double y1) {
    plschr(0, 0.5 * CHR);
    plcol0(C_PRED);
    if (q->np) plstring(q->np, q->px, q->py, GLYPH_PRED);
    plcol0(C_MEAS);
    if (q->nm) plstring(q->nm, q->mx, q->my, GLYPH_MEAS);
    plschr(0, 0.9 * CHR);
    plcol0(C_FRONT);
    for (int i = 0; i < fn; i++) {
        PLFLT fx = all->obj[(size_t)fidx[i] * m + kx], fy = all->obj[(size_t)fidx[i] * m + ky];
        if (fx >= x0 && fx <= x1 && fy >= y0 && fy <= y1) plstring(1, &fx, &fy, GLYPH_PRED);
    }
    plschr(0, CHR);
}

/* The note under a panel naming the points without a value. */
static void missing_note(const run_snapshot *s, const run_points *all, const panel_pts *q, int kx, int ky, double pos) {
    if (!q->nmissing) return;
    const int m = s->nobj;
    int nx = 0, ny = 0;
    for (int i = 0; i < q->nmissing; i++) {
        nx += !isfinite(all->obj[(size_t)q->missing[i] * m + kx]);
        ny += !isfinite(all->obj[(size_t)q->missing[i] * m + ky]);
    }
    char note[400];
    snprintf(note, sizeof note, "not drawn: %d point%s without a value (%d no %s, %d no %s; listed by hwnas plot on stdout)",
             q->nmissing, q->nmissing > 1 ? "s" : "", nx, s->obj_names[kx], ny, s->obj_names[ky]);
    plschr(0, 0.8 * CHR);
    plcol0(C_FRONT);
    plmtex("b", pos, 0.0, 0.0, note);
    plschr(0, CHR);
}

/* The right panel: HV (and HV ratio) history against o->hv_x. */
static void history_panel(const run_snapshot *s, const runplot_opts *o) {
    int nh = s->nhistory, has_ratio = 0, nf = 0;
    PLFLT *hg = hw_malloc(sizeof(PLFLT) * (nh + 1)), *hv = hw_malloc(sizeof(PLFLT) * (nh + 1));
    PLFLT *hr = hw_malloc(sizeof(PLFLT) * (nh + 1));
    double *tmp = hw_malloc(sizeof(double) * (nh + 1)), *bs = NULL;
    int nb = o->hv_x == RUNPLOT_X_BOARD_HOURS ? board_seconds(s, &bs) : 0;
    for (int i = 0; i < nh; i++) {
        const run_history_row *r = &s->history[i];
        if (!isfinite(r->hv)) continue;
        if (o->hv_x == RUNPLOT_X_GENERATION) hg[nf] = (PLFLT)r->generation;
        else if (o->hv_x == RUNPLOT_X_MEASUREMENTS) hg[nf] = (PLFLT)r->measurements;
        else hg[nf] = r->measurements > 0 && nb > 0 ? bs[(r->measurements > nb ? nb : r->measurements) - 1] / 3600.0 : 0;
        hv[nf] = r->hv;
        hr[nf] = r->hv_ratio;
        if (isfinite(hr[nf])) has_ratio = 1;
        nf++;
    }
    free(bs);
    static const char *xlab[3] = {"board measurements", "generation", "board-hours"};
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
    char title[200];
    if (nf && has_ratio) snprintf(title, sizeof title, "hypervolume vs %s (final ratio %.4f)", xlab[o->hv_x], hr[nf - 1]);
    else snprintf(title, sizeof title, "hypervolume vs %s", xlab[o->hv_x]);
    pllab(xlab[o->hv_x], "hypervolume of the measured front", title);
    if (!nf) {
        plschr(0, 0.9 * CHR);
        plptex(0.5 * (g0 + g1), 0.5 * (v0 + v1), 1, 0, 0.5,
               nh ? "no HV in the history: the config has no hypervolume.reference" : "the run file has no history rows");
        plschr(0, CHR);
    }
    plcol0(C_MEAS);
    plwidth(2.0);
    if (nf > 1) plline(nf, hg, hv);
    plwidth(1.0);
    plschr(0, 0.5 * CHR);
    if (nf) plstring(nf, hg, hv, GLYPH_MEAS);
    plschr(0, CHR);
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
    free(hg), free(hv), free(hr), free(tmp);
}

static void axis_label(const run_snapshot *s, int k, char *out, size_t cap) {
    snprintf(out, cap, "%s (%s)", s->obj_names[k], s->obj_maximise[k] ? "higher is better" : "lower is better");
}

static void begin_page(const runplot_opts *o) {
    plsdev(o->device);
    plsfnam(o->out);
    plspage(0, 0, o->width, o->height, 0, 0);
    palette();
    plinit();
    pladv(0);
    plfontld(1);
    plschr(0, CHR);
}

/* Prints the points without a value of objectives kx / ky on stdout. */
static void list_missing(const run_snapshot *s, const run_points *all, const panel_pts *q, int kx, int ky) {
    const int m = s->nobj;
    for (int i = 0; i < q->nmissing; i++) {
        int p = q->missing[i];
        printf("not drawn (no %s): %s\n",
               !isfinite(all->obj[(size_t)p * m + kx]) ? s->obj_names[kx] : s->obj_names[ky], all->strings[p]);
    }
}

/* The pairwise projections of every objective pair (3 or 4 objectives). */
static void draw_pairs(const run_snapshot *s, const runplot_opts *o, const run_points *all, const int *fidx, int fn,
                       const double *ref, int has_ref) {
    const int m = s->nobj;
    int np = m * (m - 1) / 2, col = 0, nmiss = 0;
    for (int i = 0; i < all->n; i++) /* the points missing any objective, on stdout */
        for (int k = 0; k < m; k++)
            if (!isfinite(all->obj[(size_t)i * m + k])) {
                printf("not drawn (no %s): %s\n", s->obj_names[k], all->strings[i]);
                break;
            }
    begin_page(o);
    const char *base = strrchr(o->run_path, '/') ? strrchr(o->run_path, '/') + 1 : o->run_path;
    for (int a = 0; a < m; a++)
        for (int b = a + 1; b < m; b++, col++) {
            panel_pts q;
            panel_collect(all, m, a, b, &q);
            double x0, x1, y0, y1;
            panel_view(s, all, &q, fidx, fn, a, b, o->zoom, has_ref ? ref : NULL, &x0, &x1, &y0, &y1);
            int outside = panel_clip(&q, x0, x1, y0, y1);
            double w = 0.90 / np;
            plvpor(0.06 + col * w, 0.06 + (col + 1) * w - 0.06, 0.22, 0.85);
            frame(x0, x1, y0, y1);
            char xl[160], yl[160], t[200];
            axis_label(s, a, xl, sizeof xl);
            axis_label(s, b, yl, sizeof yl);
            snprintf(t, sizeof t, "%d of %d drawn", q.nm + q.np, all->n);
            if (outside) snprintf(t, sizeof t, "%d of %d drawn, %d outside the view", q.nm + q.np, all->n, outside);
            pllab(xl, yl, t);
            printf("%s: %s vs %s: %s\n", base, s->obj_names[a], s->obj_names[b], t);
            panel_glyphs(all, m, a, b, &q, fidx, fn, x0, x1, y0, y1);
            panel_free(&q);
        }
    char title[300], lab[160], note[400];
    measured_label(s, 0, 1, lab, sizeof lab);
    snprintf(title, sizeof title, "%s: %d evaluated points, pairwise projections; red rings: the %d-objective front (%d points)",
             base, all->n, m, fn);
    plvpor(0.06, 0.96, 0.22, 0.85);
    plwind(0, 1, 0, 1);
    plcol0(C_FG);
    plmtex("t", 4.2, 0.5, 0.5, title);
    plschr(0, 0.8 * CHR);
    char leg[300];
    snprintf(leg, sizeof leg, "filled (translucent): %s; hollow orange: at least one predicted value", lab);
    plmtex("b", 6.0, 0.0, 0.0, leg);
    int len = 0;
    for (int k = 0; k < m; k++) {
        int c = 0;
        for (int i = 0; i < all->n; i++) c += !isfinite(all->obj[(size_t)i * m + k]);
        nmiss += c;
        len += snprintf(note + len, sizeof note - len, "%s%s %d", k ? ", " : "", s->obj_names[k], c);
    }
    if (nmiss) {
        char line[500];
        snprintf(line, sizeof line, "not drawn: points without a value (%s); hwnas plot lists them on stdout", note);
        plcol0(C_FRONT);
        plmtex("b", 7.5, 0.0, 0.0, line);
    }
    plschr(0, CHR);
    (void)nmiss;
    plend();
}

int runplot_draw(const run_snapshot *s, const runplot_opts *o) {
    HW_ASSERT(o->out && o->device && o->run_path);
    const int m = s->nobj, kx = o->kx, ky = o->ky;
    int rc = -1;
    run_points all;
    runfront_all_points(s, &all);
    double ref[HW_MAX_OBJ];
    int has_ref = m <= HW_MAX_OBJ && runfront_config_ref(o->run_path, s, ref);
    int *fidx = NULL, fn = 0, *midx = NULL, mn = 0;
    if (runfront_front(s, &all, 0, &fidx, &fn) < 0 || runfront_front(s, &all, 1, &midx, &mn) < 0) goto out1;
    if (o->pairs) {
        draw_pairs(s, o, &all, fidx, fn, ref, has_ref);
        rc = 0;
        goto out1;
    }
    panel_pts q;
    panel_collect(&all, m, kx, ky, &q);
    list_missing(s, &all, &q, kx, ky);
    double x0, x1, y0, y1;
    int *both = hw_malloc(sizeof(int) * (fn + mn + 1)); /* zoom box: both fronts */
    memcpy(both, fidx, sizeof(int) * fn);
    memcpy(both + fn, midx, sizeof(int) * mn);
    panel_view(s, &all, &q, both, fn + mn, kx, ky, o->zoom, has_ref ? ref : NULL, &x0, &x1, &y0, &y1);
    free(both);
    int nm0 = q.nm, np0 = q.np;
    int outside = panel_clip(&q, x0, x1, y0, y1);
    int xmax = s->obj_maximise[kx], ymax = s->obj_maximise[ky];
    PLFLT *sx = hw_malloc(sizeof(PLFLT) * (2 * all.n + 4)), *sy = hw_malloc(sizeof(PLFLT) * (2 * all.n + 4));
    char xl[160], yl[160], title[300], mlab[200];
    axis_label(s, kx, xl, sizeof xl);
    axis_label(s, ky, yl, sizeof yl);
    measured_label(s, kx, ky, mlab, sizeof mlab);

    begin_page(o);
    /* ---- left: points and fronts ---- */
    plvpor(0.065, 0.55, 0.27, 0.90);
    frame(x0, x1, y0, y1);
    const char *base = strrchr(o->run_path, '/') ? strrchr(o->run_path, '/') + 1 : o->run_path;
    int len = snprintf(title, sizeof title, "%d evaluated: %d drawn (%d measured, %d predicted)", all.n,
                       nm0 + np0 - outside, nm0, np0);
    if (q.nmissing) len += snprintf(title + len, sizeof title - len, ", %d without a value", q.nmissing);
    if (outside) snprintf(title + len, sizeof title - len, ", %d outside the view", outside);
    printf("%s: %s; measured: %s\n", base, title, mlab);
    pllab(xl, yl, "");
    plmtex("t", 2.4, 0.5, 0.5, base);
    plschr(0, 0.85 * CHR);
    plmtex("t", 1.0, 0.5, 0.5, title);
    plschr(0, CHR);
    panel_glyphs(&all, m, kx, ky, &q, NULL, 0, x0, x1, y0, y1);
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
    {
        PLINT opt[4] = {PL_LEGEND_SYMBOL, PL_LEGEND_SYMBOL, PL_LEGEND_LINE, PL_LEGEND_LINE};
        char ptext[120];
        snprintf(ptext, sizeof ptext, "predicted (>= 1 objective)%s", np0 ? "" : ": none");
        const char *text[4] = {mlab, ptext, "front over all points", "front of measured points"};
        PLINT tcol[4] = {C_FG, C_FG, C_FG, C_FG}, scol[4] = {C_MEAS, C_PRED, 0, 0}, snum[4] = {1, 1, 0, 0};
        PLFLT sscale[4] = {0.8, 0.8, 0, 0}, lwid[4] = {0, 0, 2.2, 1.6};
        PLINT lcol[4] = {0, 0, C_FRONT, C_MFRONT}, lsty[4] = {0, 0, 1, 2};
        const char *sym[4] = {GLYPH_MEAS, GLYPH_PRED, "", ""};
        PLFLT lw, lh;
        /* outside, under the panel: never over the points */
        plschr(0, 0.85 * CHR);
        pllegend(&lw, &lh, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX, PL_POSITION_OUTSIDE | PL_POSITION_BOTTOM, 0.0,
                 0.17, 0.05, C_BG, C_GRID, 2, 2, 2, 4, opt, 0.6, 0.8 * CHR, 2.0, 0.0, tcol, text, NULL, NULL, NULL, NULL,
                 lcol, lsty, lwid, scol, sscale, snum, sym);
        plschr(0, CHR);
    }
    missing_note(s, &all, &q, kx, ky, 13.4);
    if (o->zoom) {
        plschr(0, 0.8 * CHR);
        plcol0(C_FG);
        plmtex("b", 14.8, 0.0, 0.0,
               has_ref ? "zoom: the box between the fronts' best values and the run's hypervolume.reference"
                       : "zoom: the fronts' box + 25 % (the run's config has no hypervolume.reference)");
        plschr(0, CHR);
    }
    /* ---- right: hypervolume history ---- */
    plvpor(0.64, 0.93, 0.27, 0.90);
    history_panel(s, o);
    plend();
    free(sx), free(sy);
    panel_free(&q);
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
