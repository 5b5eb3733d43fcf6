/* space_bert: a BERT encoder space as in the BERT-on-TX2 NAS work.
 *
 * Genome (Lmax = largest allowed layer count):
 *   gene 0            index into cfg.layers (number of layers L)
 *   gene 1            index into cfg.hidden (hidden size H)
 *   genes 2..2+Lmax-1 per layer, index into cfg.heads
 *   genes 2+Lmax..    per layer, index into cfg.ffn
 * Layers >= L are inactive and their genes are 0 (canonical form). Every
 * active layer's head count divides H.
 *
 * String: "L<n>:H<hidden>:A<h1>.<h2>...:F<f1>.<f2>..." with L entries in A
 * and F, e.g. "L2:H256:A4.8:F1024.512".
 *
 * Features: L, H, mean heads, mean FFN, total FFN, parameters (millions,
 * encoder only), encoder MFLOPs per token at sequence length 64, then the
 * per-layer head counts and FFN sizes (0 when inactive). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw_err.h"
#include "space_impl.h"
#include "yconf.h"

#define BERT_NFIXED 7
#define BERT_FEAT_SEQ 64

typedef struct bert_impl {
    bert_space_cfg cfg;
    int lmax;
    char (*fnames)[32];
} bert_impl;

void bert_space_cfg_default(bert_space_cfg *c) {
    static const int hid[] = {128, 192, 256, 384, 512, 768}, hd[] = {2, 4, 8, 12}, ff[] = {512, 1024, 2048, 3072};
    memset(c, 0, sizeof *c);
    for (int l = 2; l <= 12; l++) c->layers[c->n_layers++] = l;
    for (size_t i = 0; i < sizeof hid / sizeof *hid; i++) c->hidden[c->n_hidden++] = hid[i];
    for (size_t i = 0; i < sizeof hd / sizeof *hd; i++) c->heads[c->n_heads++] = hd[i];
    for (size_t i = 0; i < sizeof ff / sizeof *ff; i++) c->ffn[c->n_ffn++] = ff[i];
}

static const bert_impl *impl_of(const space *s) { return s->impl; }

static int nlayers(const bert_impl *b, const hw_genome *g) { return b->cfg.layers[g->g[0]]; }
static int hidden_of(const bert_impl *b, const hw_genome *g) { return b->cfg.hidden[g->g[1]]; }

/* A random head-count index that divides hidden H (one always exists). */
static int16_t sample_head(const bert_impl *b, hw_rng *r, int H) {
    int ok[BERT_MAX_CHOICES], n = 0;
    for (int i = 0; i < b->cfg.n_heads; i++)
        if (H % b->cfg.heads[i] == 0) ok[n++] = i;
    HW_ASSERT(n > 0);
    return (int16_t)ok[rng_below(r, (uint64_t)n)];
}

/* Repairs heads that do not divide H and zeroes inactive layers. */
static void canonicalize(const bert_impl *b, hw_rng *r, hw_genome *g) {
    int L = nlayers(b, g), H = hidden_of(b, g);
    for (int l = 0; l < b->lmax; l++) {
        if (l >= L) {
            g->g[2 + l] = 0;
            g->g[2 + b->lmax + l] = 0;
        } else if (H % b->cfg.heads[g->g[2 + l]] != 0) {
            g->g[2 + l] = sample_head(b, r, H);
        }
    }
}

/* Hidden sizes that no head count divides are never chosen. */
static int16_t sample_hidden(const bert_impl *b, hw_rng *r) {
    int ok[BERT_MAX_CHOICES], n = 0;
    for (int i = 0; i < b->cfg.n_hidden; i++)
        for (int j = 0; j < b->cfg.n_heads; j++)
            if (b->cfg.hidden[i] % b->cfg.heads[j] == 0) {
                ok[n++] = i;
                break;
            }
    return (int16_t)ok[rng_below(r, (uint64_t)n)];
}

static void bert_sample(const space *s, hw_rng *r, hw_genome *out) {
    const bert_impl *b = impl_of(s);
    out->g[0] = (int16_t)rng_below(r, (uint64_t)b->cfg.n_layers);
    out->g[1] = sample_hidden(b, r);
    int L = nlayers(b, out), H = hidden_of(b, out);
    for (int l = 0; l < L; l++) {
        out->g[2 + l] = sample_head(b, r, H);
        out->g[2 + b->lmax + l] = (int16_t)rng_below(r, (uint64_t)b->cfg.n_ffn);
    }
}

static void bert_mutate(const space *s, hw_rng *r, double pm, hw_genome *g) {
    const bert_impl *b = impl_of(s);
    hw_genome before = *g;
    for (int attempt = 0; attempt < 64; attempt++) {
        int oldL = nlayers(b, g);
        if (rng_uniform(r) < pm && b->cfg.n_layers > 1)
            g->g[0] = (int16_t)((g->g[0] + 1 + rng_below(r, (uint64_t)b->cfg.n_layers - 1)) % b->cfg.n_layers);
        if (rng_uniform(r) < pm) g->g[1] = sample_hidden(b, r);
        int L = nlayers(b, g), H = hidden_of(b, g);
        for (int l = 0; l < L; l++) {
            if (l >= oldL) { /* newly active layer: fresh genes */
                g->g[2 + l] = sample_head(b, r, H);
                g->g[2 + b->lmax + l] = (int16_t)rng_below(r, (uint64_t)b->cfg.n_ffn);
                continue;
            }
            if (rng_uniform(r) < pm) g->g[2 + l] = sample_head(b, r, H);
            if (rng_uniform(r) < pm) g->g[2 + b->lmax + l] = (int16_t)rng_below(r, (uint64_t)b->cfg.n_ffn);
        }
        canonicalize(b, r, g);
        if (!hw_genome_equal(g, &before, s->ngenes)) return;
        pm = pm < 0.5 ? pm * 2 + 1.0 / s->ngenes : 1.0; /* nothing changed: try harder */
    }
}

static void bert_crossover(const space *s, hw_rng *r, const hw_genome *a, const hw_genome *b2, hw_genome *c1,
                           hw_genome *c2) {
    const bert_impl *b = impl_of(s);
    hw_genome x = *a, y = *b2;
    for (int i = 0; i < s->ngenes; i++)
        if (rng_next(r) & 1) {
            x.g[i] = b2->g[i];
            y.g[i] = a->g[i];
        }
    /* Layers that became active but carry the other parent's zeros are fine:
     * index 0 is a valid choice; heads are repaired to divide H. */
    canonicalize(b, r, &x);
    canonicalize(b, r, &y);
    *c1 = x;
    *c2 = y;
}

static int bert_valid(const space *s, const hw_genome *g) {
    const bert_impl *b = impl_of(s);
    int L = nlayers(b, g), H = hidden_of(b, g);
    for (int l = 0; l < b->lmax; l++) {
        if (l >= L) {
            if (g->g[2 + l] || g->g[2 + b->lmax + l]) return 0;
        } else if (H % b->cfg.heads[g->g[2 + l]]) {
            return 0;
        }
    }
    return 1;
}

static int bert_to_string(const space *s, const hw_genome *g, char *buf, size_t n) {
    const bert_impl *b = impl_of(s);
    int L = nlayers(b, g);
    size_t k = (size_t)snprintf(buf, n, "L%d:H%d:A", L, hidden_of(b, g));
    for (int l = 0; l < L; l++)
        k += (size_t)snprintf(buf + k, k < n ? n - k : 0, l ? ".%d" : "%d", b->cfg.heads[g->g[2 + l]]);
    k += (size_t)snprintf(buf + k, k < n ? n - k : 0, ":F");
    for (int l = 0; l < L; l++)
        k += (size_t)snprintf(buf + k, k < n ? n - k : 0, l ? ".%d" : "%d", b->cfg.ffn[g->g[2 + b->lmax + l]]);
    return k < n ? 0 : -1;
}

static int find_choice(const int *list, int n, int v) {
    for (int i = 0; i < n; i++)
        if (list[i] == v) return i;
    return -1;
}

/* Parses "<tag><int>" lists separated by '.'; returns count or -1. */
static int parse_list(const char **pp, char tag, int *vals, int max) {
    const char *p = *pp;
    if (*p++ != tag) return -1;
    int n = 0;
    for (;;) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v <= 0 || v > 1000000 || n == max) return -1;
        vals[n++] = (int)v;
        p = end;
        if (*p != '.') break;
        p++;
    }
    *pp = p;
    return n;
}

static int bert_from_string(const space *s, const char *str, hw_genome *out) {
    const bert_impl *b = impl_of(s);
    int Lv[1], Hv[1], A[BERT_MAX_LAYERS + 1], F[BERT_MAX_LAYERS + 1];
    const char *p = str;
    if (parse_list(&p, 'L', Lv, 1) != 1 || *p++ != ':') goto bad;
    if (parse_list(&p, 'H', Hv, 1) != 1 || *p++ != ':') goto bad;
    int na = parse_list(&p, 'A', A, BERT_MAX_LAYERS + 1);
    if (na < 0 || *p++ != ':') goto bad;
    int nf = parse_list(&p, 'F', F, BERT_MAX_LAYERS + 1);
    if (nf < 0 || *p) goto bad;
    int li = find_choice(b->cfg.layers, b->cfg.n_layers, Lv[0]);
    if (li < 0) return hw_fail("'%s': %d layers is not in the space's layer list", str, Lv[0]);
    int hi = find_choice(b->cfg.hidden, b->cfg.n_hidden, Hv[0]);
    if (hi < 0) return hw_fail("'%s': hidden %d is not in the space's hidden list", str, Hv[0]);
    if (na != Lv[0] || nf != Lv[0])
        return hw_fail("'%s': %d layers need %d head counts and %d FFN sizes", str, Lv[0], Lv[0], Lv[0]);
    out->g[0] = (int16_t)li;
    out->g[1] = (int16_t)hi;
    for (int l = 0; l < Lv[0]; l++) {
        int ai = find_choice(b->cfg.heads, b->cfg.n_heads, A[l]);
        int fi = find_choice(b->cfg.ffn, b->cfg.n_ffn, F[l]);
        if (ai < 0) return hw_fail("'%s': %d heads is not in the space's head list", str, A[l]);
        if (fi < 0) return hw_fail("'%s': FFN %d is not in the space's FFN list", str, F[l]);
        if (Hv[0] % A[l]) return hw_fail("'%s': hidden %d is not divisible by %d heads", str, Hv[0], A[l]);
        out->g[2 + l] = (int16_t)ai;
        out->g[2 + b->lmax + l] = (int16_t)fi;
    }
    return 0;
bad:
    return hw_fail("'%s' is not a bert arch string (expected L<n>:H<h>:A<a1>.<a2>..:F<f1>.<f2>..)", str);
}

static void bert_features(const space *s, const hw_genome *g, float *out) {
    const bert_impl *b = impl_of(s);
    int L = nlayers(b, g), H = hidden_of(b, g);
    double heads = 0, ffn = 0, params = 0, flops = 0;
    memset(out, 0, (size_t)s->nfeatures * sizeof *out);
    for (int l = 0; l < L; l++) {
        int a = b->cfg.heads[g->g[2 + l]], f = b->cfg.ffn[g->g[2 + b->lmax + l]];
        heads += a;
        ffn += f;
        params += 4.0 * H * H + 2.0 * H * f;
        /* per token: QKV+out projections, FFN, attention scores and mix */
        flops += 2.0 * (4.0 * H * H + 2.0 * H * f) + 4.0 * BERT_FEAT_SEQ * H;
        out[BERT_NFIXED + l] = (float)a;
        out[BERT_NFIXED + b->lmax + l] = (float)f;
    }
    out[0] = (float)L;
    out[1] = (float)H;
    out[2] = (float)(heads / L);
    out[3] = (float)(ffn / L);
    out[4] = (float)ffn;
    out[5] = (float)(params / 1e6);
    out[6] = (float)(flops / 1e6);
}

static const char *bert_feature_name(const space *s, int j) { return impl_of(s)->fnames[j]; }

static void bert_destroy(space *s) {
    bert_impl *b = s->impl;
    free(b->fnames);
    free(b);
}

static const space_vt bert_vt = {
    .name = "bert",
    .sample = bert_sample,
    .mutate = bert_mutate,
    .crossover = bert_crossover,
    .valid = bert_valid,
    .to_string = bert_to_string,
    .from_string = bert_from_string,
    .features = bert_features,
    .feature_name = bert_feature_name,
    .index = NULL,
    .from_index = NULL,
    .destroy = bert_destroy,
};

static int check_list(const char *what, const int *v, int n) {
    if (n <= 0) return hw_fail("bert space: '%s' choice list is empty", what);
    if (n > BERT_MAX_CHOICES) return hw_fail("bert space: '%s' has more than %d choices", what, BERT_MAX_CHOICES);
    for (int i = 0; i < n; i++) {
        if (v[i] <= 0) return hw_fail("bert space: '%s' value %d must be positive", what, v[i]);
        if (i && v[i] <= v[i - 1]) return hw_fail("bert space: '%s' must be strictly increasing", what);
    }
    return 0;
}

int space_create_bert(const bert_space_cfg *cfg, space **out) {
    if (check_list("layers", cfg->layers, cfg->n_layers) || check_list("hidden", cfg->hidden, cfg->n_hidden) ||
        check_list("heads", cfg->heads, cfg->n_heads) || check_list("ffn", cfg->ffn, cfg->n_ffn))
        return -1;
    int lmax = cfg->layers[cfg->n_layers - 1];
    if (lmax > BERT_MAX_LAYERS) return hw_fail("bert space: at most %d layers (got %d)", BERT_MAX_LAYERS, lmax);
    int any = 0;
    for (int i = 0; i < cfg->n_hidden; i++)
        for (int j = 0; j < cfg->n_heads; j++) any |= cfg->hidden[i] % cfg->heads[j] == 0;
    if (!any) return hw_fail("bert space: no hidden size is divisible by any head count");
    bert_impl *b = hw_calloc(1, sizeof *b);
    b->cfg = *cfg;
    b->lmax = lmax;
    space *s = space_alloc(&bert_vt);
    s->impl = b;
    s->ngenes = 2 + 2 * lmax;
    s->card[0] = cfg->n_layers;
    s->card[1] = cfg->n_hidden;
    for (int l = 0; l < lmax; l++) {
        s->card[2 + l] = cfg->n_heads;
        s->card[2 + lmax + l] = cfg->n_ffn;
    }
    s->nfeatures = BERT_NFIXED + 2 * lmax;
    s->size = -1;
    b->fnames = hw_calloc((size_t)s->nfeatures, sizeof *b->fnames);
    static const char *fixed[BERT_NFIXED] = {"layers", "hidden", "mean_heads", "mean_ffn",
                                             "total_ffn", "params_M", "mflops_per_token"};
    for (int j = 0; j < BERT_NFIXED; j++) snprintf(b->fnames[j], 32, "%s", fixed[j]);
    for (int l = 0; l < lmax; l++) {
        snprintf(b->fnames[BERT_NFIXED + l], 32, "heads_%d", l);
        snprintf(b->fnames[BERT_NFIXED + lmax + l], 32, "ffn_%d", l);
    }
    *out = s;
    return 0;
}

int space_bert_shape(const space *s, const hw_genome *g, bert_shape *out) {
    if (s->vt != &bert_vt) return hw_fail("space '%s' is not a bert space", s->vt->name);
    const bert_impl *b = impl_of(s);
    memset(out, 0, sizeof *out);
    out->layers = nlayers(b, g);
    out->hidden = hidden_of(b, g);
    for (int l = 0; l < out->layers; l++) {
        out->heads[l] = b->cfg.heads[g->g[2 + l]];
        out->ffn[l] = b->cfg.ffn[g->g[2 + b->lmax + l]];
    }
    return 0;
}

const bert_space_cfg *space_bert_cfg(const space *s) {
    return s->vt == &bert_vt ? &impl_of(s)->cfg : NULL;
}

/* Reads the choice lists {layers, hidden, heads, ffn} of map into *out
 * (absent keys keep out's lists) and checks that they make a space:
 * errors are "FILE:LINE: key 'x': ..." for the offending node. */
int bert_space_cfg_from_yaml(const ycfg *y, const ynode *map, bert_space_cfg *out) {
    if (ycfg_int_list(y, map, "layers", 1, BERT_MAX_LAYERS, out->layers, BERT_MAX_CHOICES, &out->n_layers) ||
        ycfg_int_list(y, map, "hidden", 1, 65536, out->hidden, BERT_MAX_CHOICES, &out->n_hidden) ||
        ycfg_int_list(y, map, "heads", 1, 1024, out->heads, BERT_MAX_CHOICES, &out->n_heads) ||
        ycfg_int_list(y, map, "ffn", 1, 1 << 20, out->ffn, BERT_MAX_CHOICES, &out->n_ffn))
        return -1;
    space *s = NULL;
    if (space_create_bert(out, &s)) return ycfg_fail(y, map, "%s", hw_errmsg());
    space_free(s);
    return 0;
}
