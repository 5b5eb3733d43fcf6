/* accel_space: the "accel" search space over accelerator configurations.
 *
 * Genome: 8 genes, each an index into a choice list (accel.h). Every
 * combination is valid. String: accel_cfg_to_string's form, e.g.
 * "16x16:rf256:gb128k:bw8:clk400:rs:int8". Mutation moves a numeric gene to
 * a neighbouring choice half of the time (local tuning) and to a uniform
 * other choice otherwise. Features (14): rows, cols, PEs, log2 RF bytes,
 * log2 GLB KiB, DRAM GB/s, clock MHz, one-hot dataflow (4), one-hot
 * precision (3). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel.h"
#include "hw_err.h"
#include "space_impl.h"

#define ACCEL_NFEAT 14

void accel_space_cfg_default(accel_space_cfg *c) {
    static const int rows[] = {4, 8, 12, 16, 24, 32}, cols[] = {4, 8, 14, 16, 24, 32};
    static const int rf[] = {64, 128, 256, 512, 1024}, gb[] = {16, 32, 64, 108, 128, 256, 512};
    static const double bw[] = {1.0, 2.0, 4.0, 8.0, 16.0}, clk[] = {200, 400, 800};
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) c->rows[c->n_rows++] = rows[i];
    for (size_t i = 0; i < sizeof cols / sizeof *cols; i++) c->cols[c->n_cols++] = cols[i];
    for (size_t i = 0; i < sizeof rf / sizeof *rf; i++) c->rf_bytes[c->n_rf++] = rf[i];
    for (size_t i = 0; i < sizeof gb / sizeof *gb; i++) c->gbuf_kb[c->n_gbuf++] = gb[i];
    for (size_t i = 0; i < sizeof bw / sizeof *bw; i++) c->bw_gbps[c->n_bw++] = bw[i];
    for (size_t i = 0; i < sizeof clk / sizeof *clk; i++) c->clock_mhz[c->n_clock++] = clk[i];
    for (int i = 0; i < ACCEL_NDATAFLOWS; i++) c->dataflow[c->n_df++] = i;
    c->precision[c->n_prec++] = ACCEL_INT8;
    c->precision[c->n_prec++] = ACCEL_FP16;
}

static int check_int_list(const char *name, const int *v, int n, long lo, long hi) {
    if (n < 1) return hw_fail("accel space: list '%s' is empty", name);
    for (int i = 0; i < n; i++) {
        if (v[i] < lo || v[i] > hi) return hw_fail("accel space: %s value %d out of range %ld..%ld", name, v[i], lo, hi);
        if (i && v[i] <= v[i - 1]) return hw_fail("accel space: list '%s' must be strictly increasing", name);
    }
    return 0;
}

static int check_dbl_list(const char *name, const double *v, int n) {
    if (n < 1) return hw_fail("accel space: list '%s' is empty", name);
    for (int i = 0; i < n; i++) {
        if (!(v[i] > 0 && v[i] < 1e6)) return hw_fail("accel space: %s value %g must be in (0, 1e6)", name, v[i]);
        if (i && v[i] <= v[i - 1]) return hw_fail("accel space: list '%s' must be strictly increasing", name);
    }
    return 0;
}

static int check_enum_list(const char *name, const int *v, int n, int nmax) {
    if (n < 1) return hw_fail("accel space: list '%s' is empty", name);
    for (int i = 0; i < n; i++) {
        if (v[i] < 0 || v[i] >= nmax) return hw_fail("accel space: %s code %d out of range", name, v[i]);
        for (int j = 0; j < i; j++)
            if (v[j] == v[i]) return hw_fail("accel space: list '%s' has a duplicate", name);
    }
    return 0;
}

int accel_space_cfg_validate(const accel_space_cfg *c) {
    if (check_int_list("pe_rows", c->rows, c->n_rows, 1, 4096) || check_int_list("pe_cols", c->cols, c->n_cols, 1, 4096) ||
        check_int_list("rf_bytes", c->rf_bytes, c->n_rf, 4, 1 << 20) ||
        check_int_list("gbuf_kb", c->gbuf_kb, c->n_gbuf, 1, 1 << 20) || check_dbl_list("dram_gbps", c->bw_gbps, c->n_bw) ||
        check_dbl_list("clock_mhz", c->clock_mhz, c->n_clock) ||
        check_enum_list("dataflow", c->dataflow, c->n_df, ACCEL_NDATAFLOWS) ||
        check_enum_list("precision", c->precision, c->n_prec, ACCEL_NPRECISIONS))
        return -1;
    return 0;
}

typedef struct accel_impl {
    accel_space_cfg cfg;
} accel_impl;

static const accel_impl *impl_of(const space *s) { return s->impl; }

static void ac_sample(const space *s, hw_rng *r, hw_genome *out) {
    for (int i = 0; i < ACCEL_NGENES; i++) out->g[i] = (int16_t)rng_below(r, (uint64_t)s->card[i]);
}

/* Changes gene i to another value (needs card >= 2). */
static void move_gene(const space *s, hw_rng *r, hw_genome *g, int i) {
    int n = s->card[i], v = g->g[i];
    HW_ASSERT(n >= 2);
    int numeric = i < 6;
    if (numeric && rng_uniform(r) < 0.5) {
        int up = v == 0 ? 1 : v == n - 1 ? 0 : (int)(rng_next(r) & 1);
        g->g[i] = (int16_t)(up ? v + 1 : v - 1);
    } else {
        g->g[i] = (int16_t)((v + 1 + (int)rng_below(r, (uint64_t)n - 1)) % n);
    }
}

static void ac_mutate(const space *s, hw_rng *r, double pm, hw_genome *g) {
    int changed = 0, movable = 0;
    for (int i = 0; i < ACCEL_NGENES; i++) {
        if (s->card[i] < 2) continue;
        movable++;
        if (rng_uniform(r) < pm) {
            move_gene(s, r, g, i);
            changed = 1;
        }
    }
    if (!changed && movable) {
        int pick = (int)rng_below(r, (uint64_t)movable);
        for (int i = 0; i < ACCEL_NGENES; i++)
            if (s->card[i] >= 2 && pick-- == 0) {
                move_gene(s, r, g, i);
                break;
            }
    }
}

static void ac_crossover(const space *s, hw_rng *r, const hw_genome *a, const hw_genome *b, hw_genome *c1,
                         hw_genome *c2) {
    (void)s;
    hw_genome x = *a, y = *b;
    for (int i = 0; i < ACCEL_NGENES; i++)
        if (rng_next(r) & 1) {
            x.g[i] = b->g[i];
            y.g[i] = a->g[i];
        }
    *c1 = x;
    *c2 = y;
}

static int ac_valid(const space *s, const hw_genome *g) {
    (void)s;
    (void)g;
    return 1;
}

static void decode(const accel_space_cfg *c, const hw_genome *g, accel_cfg *o) {
    memset(o, 0, sizeof *o);
    o->rows = c->rows[g->g[0]];
    o->cols = c->cols[g->g[1]];
    o->rf_bytes = c->rf_bytes[g->g[2]];
    o->gbuf_kb = c->gbuf_kb[g->g[3]];
    o->dram_gbps = c->bw_gbps[g->g[4]];
    o->clock_mhz = c->clock_mhz[g->g[5]];
    o->dataflow = (accel_dataflow)c->dataflow[g->g[6]];
    o->precision = (accel_precision)c->precision[g->g[7]];
}

static int ac_to_string(const space *s, const hw_genome *g, char *buf, size_t n) {
    accel_cfg c;
    decode(&impl_of(s)->cfg, g, &c);
    return accel_cfg_to_string(&c, buf, n);
}

static int find_int(const int *v, int n, int x) {
    for (int i = 0; i < n; i++)
        if (v[i] == x) return i;
    return -1;
}

static int find_dbl(const double *v, int n, double x) {
    for (int i = 0; i < n; i++)
        if (fabs(v[i] - x) <= 1e-9 * fabs(v[i])) return i;
    return -1;
}

/* Genes of the values in c; the name of the first value not in the lists
 * goes to *bad (NULL when all are found). */
static void encode(const accel_space_cfg *sc, const accel_cfg *c, hw_genome *out, const char **bad) {
    int idx[ACCEL_NGENES];
    static const char *const names[ACCEL_NGENES] = {"pe_rows", "pe_cols", "rf_bytes", "gbuf_kb",
                                                    "dram_gbps", "clock_mhz", "dataflow", "precision"};
    idx[0] = find_int(sc->rows, sc->n_rows, c->rows);
    idx[1] = find_int(sc->cols, sc->n_cols, c->cols);
    idx[2] = find_int(sc->rf_bytes, sc->n_rf, c->rf_bytes);
    idx[3] = find_int(sc->gbuf_kb, sc->n_gbuf, c->gbuf_kb);
    idx[4] = find_dbl(sc->bw_gbps, sc->n_bw, c->dram_gbps);
    idx[5] = find_dbl(sc->clock_mhz, sc->n_clock, c->clock_mhz);
    idx[6] = find_int(sc->dataflow, sc->n_df, (int)c->dataflow);
    idx[7] = find_int(sc->precision, sc->n_prec, (int)c->precision);
    *bad = NULL;
    for (int i = 0; i < ACCEL_NGENES; i++) {
        if (idx[i] < 0) {
            *bad = names[i];
            return;
        }
        out->g[i] = (int16_t)idx[i];
    }
}

static int ac_from_string(const space *s, const char *str, hw_genome *out) {
    accel_cfg c;
    memset(&c, 0, sizeof c);
    char df[8], pr[8];
    int used = 0;
    if (sscanf(str, "%dx%d:rf%d:gb%dk:bw%lf:clk%lf:%7[a-z]:%7[a-z0-9]%n", &c.rows, &c.cols, &c.rf_bytes, &c.gbuf_kb,
               &c.dram_gbps, &c.clock_mhz, df, pr, &used) != 8 ||
        str[used])
        return hw_fail("'%s' is not an accelerator string (expected e.g. 12x14:rf512:gb108k:bw1:clk200:rs:int16)", str);
    int d = -1, p = -1;
    for (int i = 0; i < ACCEL_NDATAFLOWS; i++)
        if (!strcmp(df, accel_dataflow_names[i])) d = i;
    for (int i = 0; i < ACCEL_NPRECISIONS; i++)
        if (!strcmp(pr, accel_precision_names[i])) p = i;
    if (d < 0 || p < 0) return hw_fail("'%s': unknown dataflow '%s' or precision '%s'", str, df, pr);
    c.dataflow = (accel_dataflow)d;
    c.precision = (accel_precision)p;
    const char *bad;
    encode(&impl_of(s)->cfg, &c, out, &bad);
    if (bad) return hw_fail("'%s': %s value is not in the accelerator space's choices", str, bad);
    return 0;
}

static void ac_features(const space *s, const hw_genome *g, float *out) {
    accel_cfg c;
    decode(&impl_of(s)->cfg, g, &c);
    memset(out, 0, ACCEL_NFEAT * sizeof *out);
    out[0] = (float)c.rows;
    out[1] = (float)c.cols;
    out[2] = (float)(c.rows * c.cols);
    out[3] = (float)log2(c.rf_bytes);
    out[4] = (float)log2(c.gbuf_kb);
    out[5] = (float)c.dram_gbps;
    out[6] = (float)c.clock_mhz;
    out[7 + c.dataflow] = 1.0f;
    out[7 + ACCEL_NDATAFLOWS + c.precision] = 1.0f;
}

static const char *ac_feature_name(const space *s, int j) {
    (void)s;
    static const char *const names[ACCEL_NFEAT] = {"pe_rows", "pe_cols", "pes", "log2_rf_bytes", "log2_gbuf_kb",
                                                   "dram_gbps", "clock_mhz", "df_ws", "df_os", "df_rs", "df_flex",
                                                   "prec_int8", "prec_int16", "prec_fp16"};
    return names[j];
}

static void ac_destroy(space *s) { free(s->impl); }

static const space_vt accel_vt = {
    .name = "accel",
    .sample = ac_sample,
    .mutate = ac_mutate,
    .crossover = ac_crossover,
    .valid = ac_valid,
    .to_string = ac_to_string,
    .from_string = ac_from_string,
    .features = ac_features,
    .feature_name = ac_feature_name,
    .index = NULL,
    .from_index = NULL,
    .destroy = ac_destroy,
};

int space_create_accel(const accel_space_cfg *cfg, space **out) {
    if (accel_space_cfg_validate(cfg) != 0) return -1;
    accel_impl *im = hw_calloc(1, sizeof *im);
    im->cfg = *cfg;
    space *s = space_alloc(&accel_vt);
    s->impl = im;
    s->ngenes = ACCEL_NGENES;
    const int card[ACCEL_NGENES] = {cfg->n_rows, cfg->n_cols, cfg->n_rf, cfg->n_gbuf,
                                    cfg->n_bw, cfg->n_clock, cfg->n_df, cfg->n_prec};
    int64_t size = 1;
    for (int i = 0; i < ACCEL_NGENES; i++) {
        s->card[i] = card[i];
        size *= card[i];
    }
    s->nfeatures = ACCEL_NFEAT;
    s->size = size;
    *out = s;
    return 0;
}

const accel_space_cfg *space_accel_cfg(const space *s) { return s->vt == &accel_vt ? &impl_of(s)->cfg : NULL; }

int accel_from_genome(const space *s, const hw_genome *g, accel_cfg *out) {
    if (s->vt != &accel_vt) return hw_fail("space '%s' is not the accel space", s->vt->name);
    decode(&impl_of(s)->cfg, g, out);
    return accel_cfg_derive(out);
}

int accel_to_genome(const space *s, const accel_cfg *c, hw_genome *out) {
    if (s->vt != &accel_vt) return hw_fail("space '%s' is not the accel space", s->vt->name);
    memset(out, 0, sizeof *out);
    const char *bad;
    encode(&impl_of(s)->cfg, c, out, &bad);
    if (bad) {
        char buf[128];
        accel_cfg_to_string(c, buf, sizeof buf);
        return hw_fail("accelerator %s: %s value is not in the accelerator space's choices", buf, bad);
    }
    return 0;
}
