/* accel_model: the analytic accelerator cost model (see accel.h and
 * docs/codesign.md for the equations and the energy/area tables). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "accel.h"
#include "hw_err.h"

const char *const accel_dataflow_names[ACCEL_NDATAFLOWS] = {"ws", "os", "rs", "flex"};
const char *const accel_precision_names[ACCEL_NPRECISIONS] = {"int8", "int16", "fp16"};
const char *const accel_level_names[ACCEL_NLEVELS] = {"dram", "glb", "noc", "rf"};
const char *const accel_energy_names[ACCEL_NENERGY] = {"mac", "rf", "noc", "glb", "dram"};

/* ---- energy and area tables (docs/codesign.md) --------------------------
 * Per-access energies of a 16-bit word, normalised to a 16-bit MAC as in
 * Eyeriss (Chen et al., ISCA 2016, Fig. 1): RF (0.5 KB) 1x, array NoC 2x,
 * GLB (~100 KB) 6x, DRAM 200x. The unit is anchored at 1 pJ per 16-bit MAC
 * (Horowitz, ISSCC 2014, 45 nm: 8-bit multiply 0.2 pJ, scaled
 * quadratically to 16 bit, plus the add). Word costs scale linearly with
 * word size; SRAM costs scale with sqrt(capacity / reference capacity)
 * (CACTI-like; Horowitz's 8 KB / 32 KB / 1 MB SRAM points grow ~ size^0.5). */
#define E_MAC16_PJ 1.0
#define E_RF16_PJ 1.0
#define E_NOC16_PJ 2.0
#define E_GLB16_PJ 6.0
#define E_DRAM16_PJ 200.0
#define RF_REF_BYTES 512.0
#define GLB_REF_KB 108.0
/* MAC and add energies relative to a 16-bit integer MAC (Horowitz 2014:
 * int8 mult 0.2, fp16 mult 1.1 + add 0.4, 8-bit add 0.03, 32-bit add 0.1). */
static const double mac_rel[ACCEL_NPRECISIONS] = {0.25, 1.0, 1.8};
static const double add_rel[ACCEL_NPRECISIONS] = {0.035, 0.06, 0.47};
static const int elem_bytes_of[ACCEL_NPRECISIONS] = {1, 2, 2};
/* Area (65 nm class), calibrated so the Eyeriss configuration (168 PEs,
 * 0.5 KB RF each, 108 KB GLB, 16-bit) comes to its published 12.25 mm^2
 * core (3.5 mm x 3.5 mm, JSSC 2017); the split is our estimate. */
static const double pe_logic_mm2[ACCEL_NPRECISIONS] = {0.0035, 0.010, 0.016};
#define RF_MM2_PER_BYTE 0.0000788
#define GLB_MM2_PER_KB 0.0125
#define AREA_OVERHEAD 1.235
/* PE logic + RF area factor of a flexible (per-layer WS/OS/RS) array: the
 * extra operand muxes and the reconfigurable NoC. An assumption (no
 * published breakdown found), documented in docs/codesign.md. */
#define FLEX_PE_AREA 1.20
/* Eyeriss's PE scratch pads (JSSC 2017, Table IV): filter 224 words, ifmap
 * 12 words, psum 24 words (448 + 24 + 48 bytes). An RF of another size is
 * split in the same proportions. */
#define SPAD_FILT 224.0
#define SPAD_IFMAP 12.0
#define SPAD_PSUM 24.0
/* GLB <-> array bandwidth: 128 bits per cycle for 168 PEs, scaled with the
 * PE count (at least 64 bits). An assumption, checked against Eyeriss's
 * published GLB accesses / processing cycles (7.4-7.7 16-bit words per
 * cycle on the GLB-bound VGG-16 layers; docs/codesign.md). */
#define GLB_BITS_PER_CYCLE 128.0
#define GLB_REF_PES 168.0
/* Run-length coding of activations crossing DRAM (Eyeriss: 64-bit words
 * of three 5-bit run / 16-bit level pairs + 1 bit, JSSC 2017 Sec. IV-B):
 * 64 bits per 3 non-zeros, i.e. (1 - zeros) x 4/3 of the dense size; dense
 * data is sent uncoded. */
static inline double rlc_factor(double zeros) {
    double f = (1.0 - zeros) * 4.0 / 3.0;
    return f < 1.0 ? f : 1.0;
}

int accel_cfg_derive(accel_cfg *c) {
    if (c->rows < 1 || c->rows > 4096 || c->cols < 1 || c->cols > 4096)
        return hw_fail("accelerator: PE array %dx%d out of range 1..4096", c->rows, c->cols);
    if (c->rf_bytes < 4 || c->rf_bytes > (1 << 20)) return hw_fail("accelerator: rf_bytes %d out of range 4..1048576", c->rf_bytes);
    if (c->gbuf_kb < 1 || c->gbuf_kb > (1 << 20)) return hw_fail("accelerator: gbuf_kb %d out of range 1..1048576", c->gbuf_kb);
    if (!(c->dram_gbps > 0 && c->dram_gbps < 1e6)) return hw_fail("accelerator: dram_gbps %g must be > 0", c->dram_gbps);
    if (!(c->clock_mhz > 0 && c->clock_mhz < 1e5)) return hw_fail("accelerator: clock_mhz %g must be > 0", c->clock_mhz);
    if ((int)c->dataflow < 0 || c->dataflow >= ACCEL_NDATAFLOWS) return hw_fail("accelerator: bad dataflow %d", (int)c->dataflow);
    if ((int)c->precision < 0 || c->precision >= ACCEL_NPRECISIONS) return hw_fail("accelerator: bad precision %d", (int)c->precision);
    int b = elem_bytes_of[c->precision];
    double wscale = b / 2.0;
    c->elem_bytes = b;
    c->rf_elems = floor((double)c->rf_bytes / b);
    c->gbuf_elems = floor(c->gbuf_kb * 1024.0 / b);
    c->e_mac = E_MAC16_PJ * mac_rel[c->precision];
    c->e_op = E_MAC16_PJ * add_rel[c->precision];
    c->e_rf = E_RF16_PJ * wscale * sqrt(c->rf_bytes / RF_REF_BYTES);
    c->e_noc = E_NOC16_PJ * wscale;
    c->e_glb = E_GLB16_PJ * wscale * sqrt(c->gbuf_kb / GLB_REF_KB);
    c->e_dram = E_DRAM16_PJ * wscale;
    double pes = (double)c->rows * c->cols;
    c->glb_words_per_cycle = fmax(64.0, GLB_BITS_PER_CYCLE * pes / GLB_REF_PES) / (8.0 * b);
    double spad = SPAD_FILT + SPAD_IFMAP + SPAD_PSUM;
    c->spad_filt = fmax(1, floor(c->rf_elems * SPAD_FILT / spad));
    c->spad_ifmap = fmax(1, floor(c->rf_elems * SPAD_IFMAP / spad));
    c->spad_psum = fmax(1, floor(c->rf_elems * SPAD_PSUM / spad));
    c->derived = 1;
    return 0;
}

int accel_cfg_to_string(const accel_cfg *c, char *buf, size_t n) {
    int w = snprintf(buf, n, "%dx%d:rf%d:gb%dk:bw%g:clk%g:%s:%s", c->rows, c->cols, c->rf_bytes, c->gbuf_kb,
                     c->dram_gbps, c->clock_mhz, accel_dataflow_names[c->dataflow],
                     accel_precision_names[c->precision]);
    return w >= 0 && (size_t)w < n ? 0 : -1;
}

double accel_area_mm2(const accel_cfg *c) {
    double pes = (double)c->rows * c->cols;
    double pe = pe_logic_mm2[c->precision] + RF_MM2_PER_BYTE * c->rf_bytes;
    if (c->dataflow == ACCEL_FLEX) pe *= FLEX_PE_AREA;
    return AREA_OVERHEAD * (pes * pe + GLB_MM2_PER_KB * c->gbuf_kb);
}

/* ---- DRAM <-> GLB tiling ------------------------------------------------ */

static inline double cdiv(double a, double b) { return ceil(a / b); }
static inline double dmin(double a, double b) { return a < b ? a : b; }
static inline double dmax(double a, double b) { return a > b ? a : b; }

typedef struct tiling {
    double traffic;   /* DRAM elements of one group */
    double ntiles;
    double nrow_tiles; /* GLB reloads of weights (row tiles when weights are re-fetched) */
    int tile_k, tile_p, order;
} tiling;

/* Input rows that nt tiles covering pp output rows read in total (the halo
 * of R - stride rows is re-read once per tile). */
static inline double total_rows(double pp, double nt, double R, double st, double hmax) {
    return dmin(hmax, pp * dmin(R, st) + nt * dmax(R - st, 0));
}

/* Chooses the DRAM tiling of one group of a conv-like layer (weights K*C*R*S,
 * inputs C x (N*H) x W, outputs K x (N*P) x Q) for a buffer of B elements.
 * Candidates: output-channel tiles K, K/2, K/4, ..., 1 (balanced); for each
 * the largest row tile that fits, and the better of the two loop orders. */
static void choose_tiling(double B, double N, double C, double K, double H, double W, double P, double Q, double R,
                          double S, double st, int weights_shared_by_rows, tiling *t) {
    memset(t, 0, sizeof *t);
    double Wg = K * C * R * S;
    double PP = N * P, HH = N * H;
    double Og = K * PP * Q;
    double I1 = C * W * total_rows(PP, 1, R, st, HH);
    if (Wg + I1 + Og <= B) {
        t->traffic = Wg + I1 + Og;
        t->ntiles = 1;
        t->nrow_tiles = 1;
        t->tile_k = (int)K;
        t->tile_p = (int)PP;
        t->order = 0;
        return;
    }
    double best = INFINITY;
    double kt = K;
    for (;;) {
        double nK = cdiv(K, kt), ktb = cdiv(K, nK);
        double avail = B - ktb * C * R * S - C * W * dmax(R - st, 0);
        double per_row = C * W * dmin(R, st) + ktb * Q;
        double pt = avail > 0 ? floor(avail / per_row) : 0;
        if (pt >= 1) {
            pt = dmin(pt, PP);
            double nP = cdiv(PP, pt);
            double I = C * W * total_rows(PP, nP, R, st, HH);
            double a = Wg + I * nK + Og;                                   /* K tiles outer */
            double wre = nK == 1 || !weights_shared_by_rows ? 1 : nP;
            double b = I + Wg * wre + Og;                                  /* row tiles outer */
            double v = dmin(a, b);
            if (v < best) {
                best = v;
                t->traffic = v;
                t->ntiles = nK * nP;
                t->nrow_tiles = a <= b ? 1 : wre;
                t->tile_k = (int)ktb;
                t->tile_p = (int)pt;
                t->order = a <= b ? 1 : 2;
            }
        }
        if (kt <= 1) break;
        kt = cdiv(kt, 2);
    }
    if (best < INFINITY) return;
    /* Not even one output row of one channel fits: split input channels;
     * partial sums go back and forth to DRAM. */
    double ct = floor((B - Q) / (R * S + W * R));
    if (ct < 1) ct = 1;
    double nC = cdiv(C, ct);
    double I = C * W * total_rows(PP, PP, R, st, HH);
    t->traffic = Wg * PP + I * K + Og * (2 * nC - 1);
    t->ntiles = K * PP * nC;
    t->nrow_tiles = PP;
    t->tile_k = 1;
    t->tile_p = 1;
    t->order = 3;
}

/* ---- row-stationary (Eyeriss) DRAM/GLB plan ------------------------------ */

typedef struct rs_plan {
    double dram;       /* DRAM words of one group (activations run-length coded) */
    double glb;        /* GLB accesses of one group */
    double ntiles;     /* processing passes (for the overlap term) */
    double cycles;     /* compute cycles of one group with PE sets e wide */
    int m, n, e, qr;   /* output channels / images / output rows held in the GLB; channels per pass */
} rs_plan;

/* Per-PE filters p and channels q of a row-stationary mapping: q filter-row
 * windows fill the ifmap pad (q S <= ifmap words), p filters the psum pad
 * and the filter pad (p q S <= filter words). */
static void rs_pq(const accel_cfg *c, double C, double K, double S, double *p, double *q) {
    *q = dmax(1, dmin(floor(c->spad_ifmap / S), C));
    *p = dmax(1, dmin(dmin(c->spad_psum, floor(c->spad_filt / (*q * S))), K));
}

/* Eyeriss's processing passes (Chen et al., JSSC 2017, Sec. V and Table III):
 * the GLB holds the psums of m output channels x n images x e output rows
 * (all of a row's F outputs) and the ifmap rows of qr input channels for
 * them; filters bypass the GLB (DRAM -> PE filter pads, once per pass over
 * n images x e rows). All C input channels are accumulated in the GLB
 * before an output leaves, so outputs cross DRAM once, ifmaps once per group
 * of m output channels (plus halo rows per row tile), filters once per
 * (image group, row tile). Candidates n, e in {N, N/2, ..., 1} x {E, E/2,
 * ..., 1}; m is the largest balanced channel group that leaves room for one
 * ifmap channel, qr the channels the rest of the GLB holds (at most q per PE
 * x PE sets). The plan with the least DRAM traffic wins, then the fewest GLB
 * accesses. zi / zo: zero fractions of inputs / outputs (run-length coded). */
static void rs_tiling(const accel_cfg *c, double N, double C, double M, double H, double W, double E, double F,
                      double R, double S, double U, double zi, double zo, rs_plan *o) {
    double B = c->gbuf_elems, p, q;
    rs_pq(c, C, M, S, &p, &q);
    double rr = dmin(R, c->rows), fR = cdiv(R, rr), e_arr = dmin(E, c->cols);
    double Wg = M * C * R * S, Og = N * M * E * F;
    memset(o, 0, sizeof *o);
    double best_dram = INFINITY;
    for (double n = N;; n = cdiv(n, 2)) {
        {
            double e = e_arr;
            double sets = dmax(1, floor(c->rows / rr) * floor(c->cols / e));
            double rows_in = dmin(H, (e - 1) * U + R);
            double in_ch = n * rows_in * W, ps_m = n * e * F;
            double m_max = dmax(1, dmin(M, floor((B - 2 * in_ch) / ps_m)));
            double nE = cdiv(E, e), nN = cdiv(N, n);
            double in_rows = total_rows(E, nE, R, U, H);
            double cycles = fR * nE * cdiv(N * C * M, sets) * F * S;
            for (double nM = cdiv(M, m_max); nM <= cdiv(M, m_max) + 2 && nM <= M; nM++) {
                double m = cdiv(M, nM);
                double qr = dmax(1, dmin(dmin(C, floor((B - m * ps_m) / (2 * in_ch))), q * sets));
                double I = N * C * W * in_rows * nM;
                /* planned on dense sizes (the mapping is fixed per layer shape, before
                 * the data is seen); charged run-length coded */
                double dense = I + Wg * nN * nE + Og;
                double dram = I * rlc_factor(zi) + Wg * nN * nE + Og * rlc_factor(zo);
                double r = dmin(sets, cdiv(qr, q)), t = dmax(1, floor(sets / r));
                double glb = I * (1 + cdiv(m, p * t)) + Og * (2 * cdiv(C, qr) - 1) + Og;
                if (dense < best_dram || (dense == best_dram && glb < o->glb)) {
                    best_dram = dense;
                    o->dram = dram;
                    o->glb = glb;
                    o->cycles = cycles;
                    o->ntiles = nN * nE * nM * cdiv(C, qr);
                    o->m = (int)m;
                    o->n = (int)n;
                    o->e = (int)e;
                    o->qr = (int)qr;
                }
            }
        }
        if (n <= 1) break;
    }
}

/* ---- on-chip mapping per dataflow ----------------------------------------- */

typedef struct onchip {
    double cycles, rf, noc, glb;
} onchip;

/* Conv-like layer on the array. Gm groups of: Kd output channels, Cr
 * reduction channels, N images, P x Q outputs, R x S taps. dw: inputs are
 * not shared across output channels (depthwise). Wt/It/Ot: total weight,
 * input, output elements; wre: GLB weight reloads from the tiling. */
static void map_array(const accel_cfg *c, double Gm, double Kd, double Cr, double N, double P, double Q, double R,
                      double S, int dw, double Wt, double It, double Ot, double wre, onchip *o) {
    double Rr = c->rows, Cc = c->cols, rfe = c->rf_elems;
    double Pix = N * P * Q, RS = R * S;
    double M = Gm * Kd * Cr * Pix * RS;
    switch (c->dataflow) {
    case ACCEL_WS: {
        /* im2col reduction (C*R*S) down the rows, output channels across the
         * columns; each PE keeps one weight, inputs and psums flow through. */
        double red = Cr * RS, fr = cdiv(red, Rr), fk = cdiv(Kd, Cc);
        o->cycles = Gm * fr * fk * Pix;
        o->rf = M;
        o->noc = 2 * M;
        /* depthwise: every channel reads its own inputs (Kd of them per pixel) */
        double in_reads = Gm * Pix * red * (dw ? Kd : fk);
        o->glb = Wt * wre + in_reads + Gm * Pix * Kd * (2 * fr - 1);
        break;
    }
    case ACCEL_OS: {
        /* output pixels down the rows, output channels across the columns;
         * psums stay in the RF, which holds kr channel folds at once so an
         * input delivered to a PE is reused kr times. */
        double fp = cdiv(Pix, Rr), fk = cdiv(Kd, Cc);
        double kr = dmax(1, dmin(rfe - 2, fk));
        o->cycles = Gm * fp * fk * Cr * RS;
        o->rf = 2 * M;
        o->noc = M + M / kr;
        double in_reads = Gm * Pix * Cr * RS * cdiv(fk, kr) * (dw ? Kd / fk : 1);
        o->glb = Wt * fp * wre + in_reads + Gm * Pix * Kd;
        break;
    }
    case ACCEL_RS:
    default: {
        /* Eyeriss: a PE set of R filter rows x e output rows; sets replicated
         * over (channel, filter, image) triples; each PE runs a 1-D
         * convolution over a row (Q outputs x S taps), holding pf filters x
         * qc channels of a filter row, qc input windows and pf psums. */
        double rr = dmin(R, Rr), fR = cdiv(R, rr);
        double e = dmin(P, Cc);
        double rep = dmax(1, floor(Rr / rr) * floor(Cc / e));
        double items = N * Cr * Kd;
        o->cycles = Gm * fR * cdiv(P, e) * cdiv(items, rep) * Q * S;
        double pf, qc;
        rs_pq(c, Cr, dw ? 1 : Kd, S, &pf, &qc);
        double sre = c->spad_ifmap >= S ? S : 1; /* sliding-window reuse in the ifmap pad */
        o->rf = 4 * M;
        o->noc = M / (sre * pf) + M / Q + M / (S * qc);
        double kdup = dw ? 1 : dmin(rep, cdiv(Kd, pf));
        double cdup = dmax(1, dmin(floor(rep / kdup), cdiv(Cr, qc)));
        double in_reads = dw ? It : It * cdiv(Kd, pf * kdup);
        double ps = Ot * (2 * cdiv(fR * Cr, qc * cdup) - 1);
        o->glb = Wt * cdiv(P, e) * N * wre + in_reads + ps;
        break;
    }
    }
}

void accel_layer_cost(const accel_cfg *c, const net_layer *x, accel_cost *o) {
    HW_ASSERT(c->derived);
    if (c->dataflow == ACCEL_FLEX) { /* the mapper's per-layer choice */
        accel_cfg one = *c;
        for (int d = 0; d < ACCEL_FLEX; d++) {
            accel_cost t;
            one.dataflow = (accel_dataflow)d;
            accel_layer_cost(&one, x, &t);
            if (d == 0 || t.energy_pj < o->energy_pj || (t.energy_pj == o->energy_pj && t.latency_s < o->latency_s))
                *o = t;
        }
        return;
    }
    memset(o, 0, sizeof *o);
    double macs = layer_macs(x);
    double It = layer_input_elems(x), Ot = layer_output_elems(x), Wt = layer_weight_elems(x);
    double lanes = (double)c->rows * c->cols;
    double ntiles = 1;
    o->macs = macs;
    if (x->kind == LAYER_ELTWISE && x->fused) {
        /* A sum folded into its producer's psum accumulation: the n_in other
         * addends come from DRAM through the GLB into the array as initial
         * psums, one add each per element; no pass or output of its own. */
        o->cycles = 0;
        o->acc[ACCEL_LVL_DRAM] = It;
        o->acc[ACCEL_LVL_GLB] = 2 * It;
        o->acc[ACCEL_LVL_NOC] = It;
        o->acc[ACCEL_LVL_RF] = macs;
        o->tile_k = x->k;
        o->tile_p = x->n * x->p;
        o->energy[ACCEL_E_MAC] = macs * c->e_op;
    } else if (x->kind == LAYER_ELTWISE) {
        /* Streamed through the array used as rows*cols SIMD lanes: inputs in
         * once, outputs out once. */
        o->cycles = cdiv(macs, lanes);
        o->acc[ACCEL_LVL_DRAM] = It + Ot;
        o->acc[ACCEL_LVL_GLB] = It + Ot;
        o->acc[ACCEL_LVL_NOC] = It + Ot;
        o->acc[ACCEL_LVL_RF] = macs;
        ntiles = dmax(1, cdiv(It + Ot, c->gbuf_elems / 2));
        o->tile_k = x->k;
        o->tile_p = x->n * x->p;
        o->order = ntiles > 1 ? 2 : 0;
        o->energy[ACCEL_E_MAC] = macs * c->e_op;
    } else {
        /* Pooling runs on the array like a depthwise convolution of the same
         * window (its MACs are compares / adds; the 1/RS of an average is
         * its one weight per tap). */
        net_layer as_dw;
        int pool = x->kind == LAYER_POOL;
        if (pool) {
            as_dw = *x;
            as_dw.kind = LAYER_DWCONV;
            as_dw.g = x->g * x->k;
            as_dw.c = as_dw.k = 1;
            x = &as_dw;
            Wt = layer_weight_elems(x);
        }
        double G = x->g, N = x->n, C = x->c, K = x->k;
        tiling t;
        choose_tiling(c->gbuf_elems, N, C, K, x->h, x->w, x->p, x->q, x->r, x->s, x->stride, 1, &t);
        o->acc[ACCEL_LVL_DRAM] = G * t.traffic;
        ntiles = G * t.ntiles;
        o->tile_k = t.tile_k;
        o->tile_p = t.tile_p;
        o->order = t.order;
        onchip m;
        if (x->kind == LAYER_DWCONV) /* channels become the parallel K dimension */
            map_array(c, 1, G * K, C, N, x->p, x->q, x->r, x->s, 1, Wt, It, Ot, t.nrow_tiles, &m);
        else
            map_array(c, G, K, C, N, x->p, x->q, x->r, x->s, 0, Wt, It, Ot, t.nrow_tiles, &m);
        o->cycles = m.cycles;
        o->acc[ACCEL_LVL_GLB] = dmax(m.glb, o->acc[ACCEL_LVL_DRAM]);
        if (c->dataflow == ACCEL_RS && x->kind != LAYER_DWCONV) {
            rs_plan rp;
            rs_tiling(c, N, C, K, x->h, x->w, x->p, x->q, x->r, x->s, x->stride, x->zero_in, x->zero_out, &rp);
            o->acc[ACCEL_LVL_DRAM] = G * rp.dram;
            o->acc[ACCEL_LVL_GLB] = G * rp.glb;
            o->cycles = G * rp.cycles;
            ntiles = G * rp.ntiles;
            o->tile_k = rp.m;
            o->tile_p = rp.n * rp.e;
            o->order = 4;
        }
        o->acc[ACCEL_LVL_NOC] = m.noc;
        o->acc[ACCEL_LVL_RF] = m.rf;
        /* zero gating (Eyeriss): a MAC whose input activation is zero is skipped */
        o->energy[ACCEL_E_MAC] = pool ? macs * c->e_op : macs * (1 - x->zero_in) * c->e_mac;
    }
    o->util = o->cycles > 0 ? macs / (o->cycles * lanes) : 0;
    o->dram_bytes = o->acc[ACCEL_LVL_DRAM] * c->elem_bytes;
    o->energy[ACCEL_E_RF] = o->acc[ACCEL_LVL_RF] * c->e_rf;
    o->energy[ACCEL_E_NOC] = o->acc[ACCEL_LVL_NOC] * c->e_noc;
    o->energy[ACCEL_E_GLB] = o->acc[ACCEL_LVL_GLB] * c->e_glb;
    o->energy[ACCEL_E_DRAM] = o->acc[ACCEL_LVL_DRAM] * c->e_dram;
    for (int i = 0; i < ACCEL_NENERGY; i++) o->energy_pj += o->energy[i];
    double bw = c->dram_gbps * 1e9;
    /* Row-stationary: the array waits for the GLB when it cannot deliver the
     * accesses in time (validated on Eyeriss; WS/OS keep the assumption of
     * sufficient GLB bandwidth, docs/codesign.md). */
    if (c->dataflow == ACCEL_RS)
        o->t_glb_s = o->acc[ACCEL_LVL_GLB] / c->glb_words_per_cycle / (c->clock_mhz * 1e6);
    o->t_compute_s = dmax(o->cycles / (c->clock_mhz * 1e6), o->t_glb_s);
    o->t_dram_s = o->dram_bytes / bw;
    /* Double-buffered tiles: the longer of compute and transfer dominates;
     * the first tile's load or the last tile's compute is exposed. */
    double lo = dmin(o->t_compute_s, o->t_dram_s), hi = dmax(o->t_compute_s, o->t_dram_s);
    o->latency_s = hi + lo / (ntiles + 1);
    o->mem_bound = o->t_dram_s > o->t_compute_s;
}

void accel_net_cost(const accel_cfg *c, const layer_list *l, accel_cost *tot, accel_cost *per_layer) {
    memset(tot, 0, sizeof *tot);
    double lanes = (double)c->rows * c->cols;
    for (int i = 0; i < l->n; i++) {
        accel_cost one;
        accel_layer_cost(c, &l->v[i], &one);
        if (per_layer) per_layer[i] = one;
        double k = l->v[i].count;
        tot->macs += k * one.macs;
        tot->cycles += k * one.cycles;
        tot->dram_bytes += k * one.dram_bytes;
        for (int j = 0; j < ACCEL_NLEVELS; j++) tot->acc[j] += k * one.acc[j];
        for (int j = 0; j < ACCEL_NENERGY; j++) tot->energy[j] += k * one.energy[j];
        tot->energy_pj += k * one.energy_pj;
        tot->t_compute_s += k * one.t_compute_s;
        tot->t_dram_s += k * one.t_dram_s;
        tot->t_glb_s += k * one.t_glb_s;
        tot->latency_s += k * one.latency_s;
    }
    tot->util = tot->cycles > 0 ? tot->macs / (tot->cycles * lanes) : 0;
    tot->mem_bound = tot->t_dram_s > tot->t_compute_s;
    tot->order = -1;
}
