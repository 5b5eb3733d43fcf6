/* bert_model: stores, sub-network views, forward and backward (see
 * bert_model.h). Kernels are in bert_ops.c.
 *
 * Store layout (canonical tensor order, all row-major, storage shape S):
 *   global: wte(V,Hs) wpe(maxT,Hs) wtt(NT,Hs) lne_w(Hs) lne_b(Hs)
 *           pool_w(Hs,Hs) pool_b(Hs) cls_w(NC,Hs) cls_b(NC)
 *   layer l: q_w(Hs,Hs) q_b(Hs) k_w(Hs,Hs) k_b(Hs) v_w(Hs,Hs) v_b(Hs)
 *            o_w(Hs,Hs) o_b(Hs) ln1_w(Hs) ln1_b(Hs) f1_w(Fs_l,Hs) f1_b(Fs_l)
 *            f2_w(Hs,Fs_l) f2_b(Hs) ln2_w(Hs) ln2_b(Hs)
 * A sub-network of shape s uses the top-left (rows, cols) block of each
 * tensor with the storage row stride, so it runs in place on a supernet.
 * Heads: the first H dims of Q/K/V are split into A heads of size H/A. */
#include "bert_model.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bert_ops.h"
#include "gemm_packed.h"
#include "hw_err.h"

enum { T_WTE, T_WPE, T_WTT, T_LNEW, T_LNEB, T_PW, T_PB, T_CW, T_CB, NGLOBAL };
enum {
    L_QW, L_QB, L_KW, L_KB, L_VW, L_VB, L_OW, L_OB,
    L_LN1W, L_LN1B, L_F1W, L_F1B, L_F2W, L_F2B, L_LN2W, L_LN2B, NPERLAYER
};
#define MAX_TENSORS (NGLOBAL + NPERLAYER * BERT_MAX_LAYERS)
#define LI(l, k) (NGLOBAL + NPERLAYER * (l) + (k))
/* Packed tensor families: attention Q/K/V/O, FFN in, FFN out, pooler +
 * classifier. */
enum { FAM_ATT, FAM_FFN1, FAM_FFN2, FAM_HEAD, NFAMILY };
/* The inference forward uses the packed weights for products of at most
 * packed_max_rows() rows, OpenBLAS above (docs/BENCHMARKS.md, run_bert.sh).
 * Where OpenBLAS has AVX-512 kernels (Intel Xeon, SkylakeX) its sgemm is
 * as fast or faster from 64 rows on (packed 0-14 % slower at T = 64 and
 * 128, 16-24 % faster at T <= 24): 48 rows. With AVX2 only (AMD EPYC,
 * OpenBLAS's ZEN/Haswell kernels) the packed kernel is 14-26 % faster at
 * T = 64 and 6-13 % at T = 128: 128 rows. The [CLS] products of the last
 * layer, pooler and classifier are 1 row per sequence. */
static int packed_max_rows(void) {
#if defined(__x86_64__) && defined(__GNUC__)
    return __builtin_cpu_supports("avx512f") ? 48 : 128; /* a load and a bit test */
#else
    return 48;
#endif
}

typedef struct tdesc {
    size_t off;      /* offset in the flat buffers */
    int rows, cols;  /* storage dims; cols is the row stride */
} tdesc;

struct bert_store {
    bert_config cfg;
    int ntensors;
    tdesc t[MAX_TENSORS];
    size_t n;                 /* total parameters */
    float *params;            /* (n) */
    float *grads;             /* (n) or NULL */
    float *m, *v;             /* (n) AdamW moments, or NULL */
    long step;
    /* bert_store_pack: the matrices the forward multiplies by, packed for
     * gemm_packed_forward, ONE allocation per family (NULL = not packed) */
    float *pk_fam[NFAMILY];
    float *pk[MAX_TENSORS];   /* packed copy of tensor i, or NULL */
};

/* Per-layer activations (N = B*T rows, capacity max_batch*max_seq). */
typedef struct layer_acts {
    float *q, *k, *v;                  /* (N,H) each */
    float *att;                        /* (B,A,T,T) softmax probabilities */
    float *atty;                       /* (N,H) attention output, heads concatenated */
    float *ao, *aomask;                /* (N,H) projection output after dropout, dropout mask */
    float *res1;                       /* (N,H) x + ao */
    float *ln1, *ln1_mean, *ln1_rstd;  /* (N,H), (N), (N) */
    float *fh, *fg;                    /* (N,F) FFN pre-activation, GELU output */
    float *fo, *fomask;                /* (N,H) FFN output after dropout, mask */
    float *res2;                       /* (N,H) ln1 + fo */
    float *ln2, *ln2_mean, *ln2_rstd;  /* (N,H) layer output, (N), (N) */
} layer_acts;

struct bert_model {
    bert_store *store;
    int owns_store;
    bert_shape shape;
    int max_batch, max_seq;
    float *pv[MAX_TENSORS];  /* parameter views into store->params */
    float *gv[MAX_TENSORS];  /* gradient views (NULL if not trainable) */
    int ldh, ldf[BERT_MAX_LAYERS];
    int *tok, *seg, *mask;   /* (max_batch*max_seq) copies of the inputs */
    const int *amask;        /* mask for the attention kernels: NULL when no token is padding */
    int *labels;             /* (max_batch) */
    float *target;           /* (max_batch*NC) soft targets of the last forward_train_soft */
    int soft;                /* 1 if the last forward_train used `target` */
    int B, T, trained;       /* last forward's sizes; 1 if it was forward_train */
    /* activations: ONE allocation of acts_cap floats */
    float *acts;
    size_t acts_cap;
    float *emb;                         /* (N,H) embedding sum */
    float *embln, *emb_mean, *emb_rstd; /* (N,H), (N), (N) */
    float *embd, *embmask;              /* (N,H) after dropout, mask */
    layer_acts la[BERT_MAX_LAYERS];
    float *cls;                         /* (B,H) [CLS] rows of the last layer */
    float *poolpre, *pool;              /* (B,H) pooler pre-activation, tanh */
    float *poold, *poolmask;            /* (B,H) after dropout, mask */
    float *logits, *probs;              /* (B,NC) */
    /* activation gradients: ONE allocation of dacts_cap floats (training) */
    float *dacts;
    size_t dacts_cap;
    float *dA, *dB, *dC;                /* (N,H) layer-output grad, LN grad, dropout grad */
    float *dq, *dk, *dv, *datty;        /* (N,H) */
    float *dfh, *dfg;                   /* (N,Fmax) */
    float *datt;                        /* (T,T) softmax scratch */
    float *dcls, *dpool, *dpre;         /* (B,H) */
    float *dlogits;                     /* (B,NC) */
};

/* ---------------------------------------------------------------- config */

void bert_config_init(bert_config *cfg, const bert_shape *s, int vocab, int max_seq, int n_classes) {
    memset(cfg, 0, sizeof *cfg);
    cfg->shape = *s;
    cfg->vocab = vocab;
    cfg->max_seq = max_seq;
    cfg->n_types = 2;
    cfg->n_classes = n_classes;
    cfg->dropout = 0.1f;
    cfg->ln_eps = 1e-12f;
}

static int shape_check(const bert_shape *s) {
    if (s->layers < 1 || s->layers > BERT_MAX_LAYERS)
        return hw_fail("bert shape: %d layers (must be 1..%d)", s->layers, BERT_MAX_LAYERS);
    if (s->hidden < 1 || s->hidden > 65536) return hw_fail("bert shape: hidden %d out of range", s->hidden);
    for (int l = 0; l < s->layers; l++) {
        if (s->heads[l] < 1 || s->hidden % s->heads[l])
            return hw_fail("bert shape: layer %d: %d heads do not divide hidden %d", l, s->heads[l], s->hidden);
        if (s->ffn[l] < 1 || s->ffn[l] > 1 << 20) return hw_fail("bert shape: layer %d: FFN %d out of range", l, s->ffn[l]);
    }
    return 0;
}

int bert_config_check(const bert_config *c) {
    if (shape_check(&c->shape)) return -1;
    if (c->vocab < 1 || c->vocab > 1 << 24) return hw_fail("bert config: vocab %d out of range", c->vocab);
    if (c->max_seq < 1 || c->max_seq > 1 << 16) return hw_fail("bert config: max_seq %d out of range", c->max_seq);
    if (c->n_types < 1 || c->n_types > 1024) return hw_fail("bert config: n_types %d out of range", c->n_types);
    if (c->n_classes < 2 || c->n_classes > 1 << 16) return hw_fail("bert config: n_classes %d out of range", c->n_classes);
    if (!(c->dropout >= 0.0f && c->dropout < 1.0f)) return hw_fail("bert config: dropout %g not in [0,1)", c->dropout);
    if (!(c->ln_eps > 0.0f)) return hw_fail("bert config: ln_eps must be positive");
    return 0;
}

int bert_shape_within(const bert_shape *sub, const bert_shape *full) {
    if (sub->layers < 1 || sub->layers > full->layers || sub->hidden < 1 || sub->hidden > full->hidden) return 0;
    for (int l = 0; l < sub->layers; l++)
        if (sub->ffn[l] < 1 || sub->ffn[l] > full->ffn[l] || sub->heads[l] < 1 || sub->hidden % sub->heads[l]) return 0;
    return 1;
}

void bert_set_threads(int n) { openblas_set_num_threads(n < 1 ? 1 : n); }

/* Used dims (rows, cols) of tensor idx for a network of shape s. */
static void tensor_dims(const bert_config *c, const bert_shape *s, int idx, int *rows, int *cols) {
    int H = s->hidden;
    *rows = 1;
    *cols = H;
    if (idx < NGLOBAL) {
        switch (idx) {
        case T_WTE: *rows = c->vocab; break;
        case T_WPE: *rows = c->max_seq; break;
        case T_WTT: *rows = c->n_types; break;
        case T_PW: *rows = H; break;
        case T_CW: *rows = c->n_classes; break;
        case T_CB: *cols = c->n_classes; break;
        default: break;
        }
        return;
    }
    int l = (idx - NGLOBAL) / NPERLAYER, k = (idx - NGLOBAL) % NPERLAYER, F = s->ffn[l];
    switch (k) {
    case L_QW: case L_KW: case L_VW: case L_OW: *rows = H; break;
    case L_F1W: *rows = F; break;
    case L_F1B: *cols = F; break;
    case L_F2W: *rows = H; *cols = F; break;
    default: break;
    }
}

static int is_matrix(int idx) {
    if (idx < NGLOBAL) return idx == T_WTE || idx == T_WPE || idx == T_WTT || idx == T_PW || idx == T_CW;
    int k = (idx - NGLOBAL) % NPERLAYER;
    return k == L_QW || k == L_KW || k == L_VW || k == L_OW || k == L_F1W || k == L_F2W;
}

static int is_ln_gain(int idx) {
    if (idx < NGLOBAL) return idx == T_LNEW;
    int k = (idx - NGLOBAL) % NPERLAYER;
    return k == L_LN1W || k == L_LN2W;
}

size_t bert_config_nparams(const bert_config *c) {
    size_t n = 0;
    int nt = NGLOBAL + NPERLAYER * c->shape.layers;
    for (int i = 0; i < nt; i++) {
        int r, k;
        tensor_dims(c, &c->shape, i, &r, &k);
        n += (size_t)r * k;
    }
    return n;
}

/* ----------------------------------------------------------------- store */

int bert_store_create(const bert_config *cfg, int trainable, uint64_t seed, bert_store **out) {
    if (bert_config_check(cfg)) return -1;
    bert_store *s = hw_calloc(1, sizeof *s);
    s->cfg = *cfg;
    s->ntensors = NGLOBAL + NPERLAYER * cfg->shape.layers;
    size_t off = 0;
    for (int i = 0; i < s->ntensors; i++) {
        tensor_dims(cfg, &cfg->shape, i, &s->t[i].rows, &s->t[i].cols);
        s->t[i].off = off;
        off += (size_t)s->t[i].rows * s->t[i].cols;
    }
    s->n = off;
    s->params = hw_malloc(off * sizeof(float));
    if (trainable) {
        s->grads = hw_calloc(off, sizeof(float));
        s->m = hw_calloc(off, sizeof(float));
        s->v = hw_calloc(off, sizeof(float));
    }
    hw_rng r;
    rng_seed(&r, seed);
    for (int i = 0; i < s->ntensors; i++) {
        float *p = s->params + s->t[i].off;
        size_t n = (size_t)s->t[i].rows * s->t[i].cols;
        for (size_t j = 0; j < n; j++)
            p[j] = is_matrix(i) ? (float)(0.02 * rng_normal(&r)) : is_ln_gain(i) ? 1.0f : 0.0f;
    }
    *out = s;
    return 0;
}

void bert_store_free(bert_store *s) {
    if (!s) return;
    bert_store_unpack(s);
    free(s->params);
    free(s->grads);
    free(s->m);
    free(s->v);
    free(s);
}

const bert_config *bert_store_config(const bert_store *s) { return &s->cfg; }
size_t bert_store_nparams(const bert_store *s) { return s->n; }
float *bert_store_params(bert_store *s) { return s->params; }
float *bert_store_grads(bert_store *s) { return s->grads; }
float *bert_store_m(bert_store *s) { return s->m; }
float *bert_store_v(bert_store *s) { return s->v; }
long bert_store_step(const bert_store *s) { return s->step; }
void bert_store_set_step(bert_store *s, long step) { s->step = step; }

void bert_store_zero_grad(bert_store *s) {
    if (s->grads) memset(s->grads, 0, s->n * sizeof(float));
}

/* Family of tensor idx if the forward multiplies by it, else -1. */
static int pack_family(int idx) {
    if (idx < NGLOBAL) return idx == T_PW || idx == T_CW ? FAM_HEAD : -1;
    switch ((idx - NGLOBAL) % NPERLAYER) {
    case L_QW: case L_KW: case L_VW: case L_OW: return FAM_ATT;
    case L_F1W: return FAM_FFN1;
    case L_F2W: return FAM_FFN2;
    default: return -1;
    }
}

int bert_store_pack(bert_store *s) {
    size_t need[NFAMILY] = {0}, used[NFAMILY] = {0};
    bert_store_unpack(s);
    for (int i = 0; i < s->ntensors; i++) {
        int f = pack_family(i);
        if (f >= 0) need[f] += gemm_packed_size(s->t[i].rows, s->t[i].cols);
    }
    for (int f = 0; f < NFAMILY; f++) {
        /* 64-byte aligned panels: a panel row of 16 floats is one cache line */
        s->pk_fam[f] = aligned_alloc(64, (need[f] * sizeof(float) + 63) / 64 * 64);
        if (!s->pk_fam[f]) {
            bert_store_unpack(s);
            return hw_fail("bert: out of memory packing %zu weights", need[f]);
        }
    }
    for (int i = 0; i < s->ntensors; i++) {
        int f = pack_family(i);
        if (f < 0) continue;
        s->pk[i] = s->pk_fam[f] + used[f];
        gemm_packed_pack(s->pk[i], s->params + s->t[i].off, s->t[i].rows, s->t[i].cols, s->t[i].cols);
        used[f] += gemm_packed_size(s->t[i].rows, s->t[i].cols);
    }
    return 0;
}

void bert_store_unpack(bert_store *s) {
    for (int f = 0; f < NFAMILY; f++) {
        free(s->pk_fam[f]);
        s->pk_fam[f] = NULL;
    }
    memset(s->pk, 0, sizeof s->pk);
}

int bert_store_is_packed(const bert_store *s) { return s->pk_fam[0] != NULL; }

int bert_store_copy_sub(bert_store *dst, const bert_store *src) {
    const bert_config *d = &dst->cfg, *c = &src->cfg;
    if (!bert_shape_within(&d->shape, &c->shape))
        return hw_fail("bert: shape is not a sub-network of the source store's shape");
    if (d->vocab != c->vocab || d->max_seq != c->max_seq || d->n_types != c->n_types || d->n_classes != c->n_classes)
        return hw_fail("bert: stores differ in vocab/max_seq/types/classes");
    bert_store_unpack(dst); /* stale now */
    for (int i = 0; i < dst->ntensors; i++) {
        int rows = dst->t[i].rows, cols = dst->t[i].cols, lds = src->t[i].cols;
        const float *sp = src->params + src->t[i].off;
        float *dp = dst->params + dst->t[i].off;
        for (int r = 0; r < rows; r++) memcpy(dp + (size_t)r * cols, sp + (size_t)r * lds, (size_t)cols * sizeof(float));
    }
    return 0;
}

static const char *const global_names[NGLOBAL] = {"wte", "wpe", "wtt", "lne_w", "lne_b",
                                                  "pool_w", "pool_b", "cls_w", "cls_b"};
static const char *const layer_names[NPERLAYER] = {"q_w", "q_b", "k_w", "k_b", "v_w", "v_b", "o_w", "o_b",
                                                  "ln1_w", "ln1_b", "f1_w", "f1_b", "f2_w", "f2_b", "ln2_w", "ln2_b"};

const float *bert_store_tensor(const bert_store *s, int layer, const char *name, int *rows, int *cols) {
    int idx = -1;
    if (layer < 0) {
        for (int i = 0; i < NGLOBAL; i++)
            if (!strcmp(name, global_names[i])) idx = i;
    } else if (layer < s->cfg.shape.layers) {
        for (int k = 0; k < NPERLAYER; k++)
            if (!strcmp(name, layer_names[k])) idx = LI(layer, k);
    }
    if (idx < 0) return NULL;
    *rows = s->t[idx].rows;
    *cols = s->t[idx].cols;
    return s->params + s->t[idx].off;
}

int bert_store_adamw_step(bert_store *s, const adamw_cfg *cfg, float *out_norm) {
    if (!s->grads) return hw_fail("bert: store is not trainable");
    bert_store_unpack(s); /* stale after the step */
    double norm = adamw_norm(s->grads, s->n);
    if (!isfinite(norm)) return hw_fail("bert: gradient norm is not finite (diverged)");
    /* clipping scales the gradients inside the update pass (one pass over
     * the memory instead of two) */
    float sc = cfg->clip > 0.0f && norm > cfg->clip ? (float)(cfg->clip / norm) : 1.0f;
    float lr = adamw_lr_at(cfg, s->step);
    s->step++;
    for (int i = 0; i < s->ntensors; i++) {
        size_t o = s->t[i].off, n = (size_t)s->t[i].rows * s->t[i].cols;
        adamw_update(s->params + o, s->grads + o, s->m + o, s->v + o, n, cfg, lr, s->step, is_matrix(i), sc);
    } /* adamw_update zeroed the gradients */
    if (out_norm) *out_norm = (float)norm;
    return 0;
}

/* ----------------------------------------------------------------- model */

static int fmax_of(const bert_shape *s) {
    int f = 0;
    for (int l = 0; l < s->layers; l++) f = s->ffn[l] > f ? s->ffn[l] : f;
    return f;
}

#define TAKE(ptr, cnt)                        \
    do {                                      \
        (ptr) = base ? base + off : NULL;     \
        off += (size_t)(cnt);                 \
    } while (0)

/* Lays the activations of m->shape into base (NULL: only counts);
 * returns the floats needed. */
static size_t layout_acts(bert_model *m, float *base) {
    size_t off = 0, N = (size_t)m->max_batch * m->max_seq, Bc = (size_t)m->max_batch, Tc = (size_t)m->max_seq;
    size_t H = (size_t)m->shape.hidden, NC = (size_t)m->store->cfg.n_classes;
    TAKE(m->emb, N * H);
    TAKE(m->embln, N * H);
    TAKE(m->emb_mean, N);
    TAKE(m->emb_rstd, N);
    TAKE(m->embd, N * H);
    TAKE(m->embmask, N * H);
    for (int l = 0; l < m->shape.layers; l++) {
        layer_acts *a = &m->la[l];
        size_t F = (size_t)m->shape.ffn[l], A = (size_t)m->shape.heads[l];
        TAKE(a->q, N * H);
        TAKE(a->k, N * H);
        TAKE(a->v, N * H);
        TAKE(a->att, Bc * A * Tc * Tc);
        TAKE(a->atty, N * H);
        TAKE(a->ao, N * H);
        TAKE(a->aomask, N * H);
        TAKE(a->res1, N * H);
        TAKE(a->ln1, N * H);
        TAKE(a->ln1_mean, N);
        TAKE(a->ln1_rstd, N);
        TAKE(a->fh, N * F);
        TAKE(a->fg, N * F);
        TAKE(a->fo, N * H);
        TAKE(a->fomask, N * H);
        TAKE(a->res2, N * H);
        TAKE(a->ln2, N * H);
        TAKE(a->ln2_mean, N);
        TAKE(a->ln2_rstd, N);
    }
    TAKE(m->cls, Bc * H);
    TAKE(m->poolpre, Bc * H);
    TAKE(m->pool, Bc * H);
    TAKE(m->poold, Bc * H);
    TAKE(m->poolmask, Bc * H);
    TAKE(m->logits, Bc * NC);
    TAKE(m->probs, Bc * NC);
    return off;
}

static size_t layout_dacts(bert_model *m, float *base) {
    size_t off = 0, N = (size_t)m->max_batch * m->max_seq, Bc = (size_t)m->max_batch, Tc = (size_t)m->max_seq;
    size_t H = (size_t)m->shape.hidden, NC = (size_t)m->store->cfg.n_classes, F = (size_t)fmax_of(&m->shape);
    TAKE(m->dA, N * H);
    TAKE(m->dB, N * H);
    TAKE(m->dC, N * H);
    TAKE(m->dq, N * H);
    TAKE(m->dk, N * H);
    TAKE(m->dv, N * H);
    TAKE(m->datty, N * H);
    TAKE(m->dfh, N * F);
    TAKE(m->dfg, N * F);
    TAKE(m->datt, Tc * Tc);
    TAKE(m->dcls, Bc * H);
    TAKE(m->dpool, Bc * H);
    TAKE(m->dpre, Bc * H);
    TAKE(m->dlogits, Bc * NC);
    return off;
}
#undef TAKE

int bert_model_set_shape(bert_model *m, const bert_shape *shape) {
    bert_store *s = m->store;
    if (shape_check(shape)) return -1;
    if (!bert_shape_within(shape, &s->cfg.shape)) return hw_fail("bert: shape is not a sub-network of the store");
    m->shape = *shape;
    for (int l = shape->layers; l < BERT_MAX_LAYERS; l++) m->shape.heads[l] = m->shape.ffn[l] = 0;
    size_t need = layout_acts(m, NULL);
    if (need > m->acts_cap) {
        free(m->acts);
        m->acts = hw_malloc(need * sizeof(float));
        m->acts_cap = need;
    }
    layout_acts(m, m->acts);
    if (s->grads) {
        need = layout_dacts(m, NULL);
        if (need > m->dacts_cap) {
            free(m->dacts);
            m->dacts = hw_malloc(need * sizeof(float));
            m->dacts_cap = need;
        }
        layout_dacts(m, m->dacts);
    }
    int nt = NGLOBAL + NPERLAYER * shape->layers;
    memset(m->pv, 0, sizeof m->pv);
    memset(m->gv, 0, sizeof m->gv);
    for (int i = 0; i < nt; i++) {
        m->pv[i] = s->params + s->t[i].off;
        m->gv[i] = s->grads ? s->grads + s->t[i].off : NULL;
    }
    m->ldh = s->cfg.shape.hidden;
    for (int l = 0; l < shape->layers; l++) m->ldf[l] = s->cfg.shape.ffn[l];
    m->B = m->T = m->trained = 0;
    return 0;
}

int bert_model_create_on(bert_store *store, const bert_shape *shape, int max_batch, bert_model **out) {
    if (max_batch < 1 || max_batch > 1 << 20) return hw_fail("bert: max_batch %d out of range", max_batch);
    bert_model *m = hw_calloc(1, sizeof *m);
    m->store = store;
    m->max_batch = max_batch;
    m->max_seq = store->cfg.max_seq;
    size_t N = (size_t)max_batch * m->max_seq;
    m->tok = hw_malloc(N * sizeof(int));
    m->seg = hw_malloc(N * sizeof(int));
    m->mask = hw_malloc(N * sizeof(int));
    m->labels = hw_malloc((size_t)max_batch * sizeof(int));
    m->target = hw_malloc((size_t)max_batch * store->cfg.n_classes * sizeof(float));
    if (bert_model_set_shape(m, shape)) {
        bert_model_free(m);
        return -1;
    }
    *out = m;
    return 0;
}

int bert_model_create(const bert_config *cfg, int max_batch, uint64_t seed, bert_model **out) {
    bert_store *s;
    if (bert_store_create(cfg, 0, seed, &s)) return -1;
    if (bert_store_pack(s) || bert_model_create_on(s, &cfg->shape, max_batch, out)) {
        bert_store_free(s);
        return -1;
    }
    (*out)->owns_store = 1;
    return 0;
}

void bert_model_free(bert_model *m) {
    if (!m) return;
    if (m->owns_store) bert_store_free(m->store);
    free(m->tok);
    free(m->seg);
    free(m->mask);
    free(m->labels);
    free(m->target);
    free(m->acts);
    free(m->dacts);
    free(m);
}

const bert_shape *bert_model_shape(const bert_model *m) { return &m->shape; }
bert_store *bert_model_store(bert_model *m) { return m->store; }
const float *bert_model_logits(const bert_model *m) { return m->logits; }
const float *bert_model_probs(const bert_model *m) { return m->probs; }

/* Validates and copies the inputs into the model's buffers. */
static int take_inputs(bert_model *m, const int *tokens, const int *segments, const int *mask, int B, int T) {
    const bert_config *c = &m->store->cfg;
    if (B < 1 || B > m->max_batch) return hw_fail("bert: batch %d out of range 1..%d", B, m->max_batch);
    if (T < 1 || T > m->max_seq) return hw_fail("bert: sequence length %d out of range 1..%d", T, m->max_seq);
    for (int i = 0; i < B * T; i++) {
        if (tokens[i] < 0 || tokens[i] >= c->vocab) return hw_fail("bert: token id %d out of range 0..%d", tokens[i], c->vocab - 1);
        int sg = segments ? segments[i] : 0;
        if (sg < 0 || sg >= c->n_types) return hw_fail("bert: segment id %d out of range", sg);
        m->tok[i] = tokens[i];
        m->seg[i] = sg;
        m->mask[i] = mask ? (mask[i] != 0) : 1;
    }
    for (int b = 0; b < B; b++)
        if (!m->mask[b * T]) return hw_fail("bert: row %d: position 0 ([CLS]) is masked as padding", b);
    m->amask = NULL; /* the kernels' unmasked loops are the fast ones */
    for (int i = 0; i < B * T && !m->amask; i++)
        if (!m->mask[i]) m->amask = m->mask;
    m->B = B;
    m->T = T;
    return 0;
}

/* out(N,OC) = inp(N,C) @ W^T + b for the weight tensor wi (its bias is
 * tensor wi + 1): on the store's packed copy for an inference product of
 * at most packed_max_rows() rows, through OpenBLAS otherwise. */
static void linear(const bert_model *m, int infer, int wi, float *out, const float *inp, int N, int C, int OC) {
    const bert_store *s = m->store;
    int ldw = s->t[wi].cols;
    if (infer && s->pk[wi] && N <= packed_max_rows())
        gemm_packed_forward(out, inp, s->pk[wi], m->pv[wi + 1], N, C, OC, ldw);
    else
        bert_matmul_forward(out, inp, m->pv[wi], m->pv[wi + 1], N, C, OC, ldw);
}

/* The last layer for inference: only the [CLS] rows feed the pooler, so
 * K and V are computed for all rows and everything else for the B [CLS]
 * rows only (same result as the full layer, ~5x less work in it). x is
 * the layer input (N,H); the [CLS] outputs land in m->cls (B,H). */
static void last_layer_cls(bert_model *m, int l, const float *x) {
    const bert_config *c = &m->store->cfg;
    int B = m->B, T = m->T, N = B * T, H = m->shape.hidden, F = m->shape.ffn[l];
    float *const *P = m->pv;
    layer_acts *a = &m->la[l];
    for (int b = 0; b < B; b++) memcpy(a->res2 + (size_t)b * H, x + (size_t)b * T * H, (size_t)H * sizeof(float));
    const float *xc = a->res2; /* (B,H) [CLS] inputs; res2 is free until the end */
    linear(m, 1, LI(l, L_QW), a->q, xc, B, H, H);
    linear(m, 1, LI(l, L_KW), a->k, x, N, H, H);
    linear(m, 1, LI(l, L_VW), a->v, x, N, H, H);
    bert_attention_cls_forward(a->atty, a->att, a->q, a->k, a->v, m->amask, B, T, H, m->shape.heads[l]);
    linear(m, 1, LI(l, L_OW), a->ao, a->atty, B, H, H);
    bert_residual_forward(a->res1, xc, a->ao, B * H);
    bert_layernorm_forward(a->ln1, a->ln1_mean, a->ln1_rstd, a->res1, P[LI(l, L_LN1W)], P[LI(l, L_LN1B)], B, H,
                           c->ln_eps);
    linear(m, 1, LI(l, L_F1W), a->fh, a->ln1, B, H, F);
    bert_gelu_forward(a->fg, a->fh, B * F);
    linear(m, 1, LI(l, L_F2W), a->fo, a->fg, B, F, H);
    bert_residual_forward(a->res2, a->ln1, a->fo, B * H);
    bert_layernorm_forward(m->cls, a->ln2_mean, a->ln2_rstd, a->res2, P[LI(l, L_LN2W)], P[LI(l, L_LN2B)], B, H,
                           c->ln_eps);
}

/* The one forward pass (inference and training). rng NULL = no dropout;
 * infer = 1 takes the [CLS]-only shortcut in the last layer (no backward). */
static void forward(bert_model *m, hw_rng *rng, int infer) {
    const bert_config *c = &m->store->cfg;
    int B = m->B, T = m->T, N = B * T, H = m->shape.hidden, NC = c->n_classes, ldh = m->ldh;
    float p = rng ? c->dropout : 0.0f;
    float *const *P = m->pv;
    bert_embed_forward(m->emb, m->tok, m->seg, P[T_WTE], P[T_WPE], P[T_WTT], ldh, B, T, H);
    bert_layernorm_forward(m->embln, m->emb_mean, m->emb_rstd, m->emb, P[T_LNEW], P[T_LNEB], N, H, c->ln_eps);
    const float *x = m->embln; /* inference: dropout is the identity, skipped */
    if (!infer) {
        bert_dropout_forward(m->embd, m->embmask, m->embln, p, rng, N * H);
        x = m->embd;
    }
    int nfull = infer ? m->shape.layers - 1 : m->shape.layers;
    for (int l = 0; l < nfull; l++) {
        layer_acts *a = &m->la[l];
        int F = m->shape.ffn[l];
        linear(m, infer, LI(l, L_QW), a->q, x, N, H, H);
        linear(m, infer, LI(l, L_KW), a->k, x, N, H, H);
        linear(m, infer, LI(l, L_VW), a->v, x, N, H, H);
        bert_attention_forward(a->atty, a->att, a->q, a->k, a->v, m->amask, B, T, H, m->shape.heads[l]);
        linear(m, infer, LI(l, L_OW), a->ao, a->atty, N, H, H);
        if (!infer) bert_dropout_forward(a->ao, a->aomask, a->ao, p, rng, N * H);
        bert_residual_forward(a->res1, x, a->ao, N * H);
        bert_layernorm_forward(a->ln1, a->ln1_mean, a->ln1_rstd, a->res1, P[LI(l, L_LN1W)], P[LI(l, L_LN1B)], N, H,
                               c->ln_eps);
        linear(m, infer, LI(l, L_F1W), a->fh, a->ln1, N, H, F);
        bert_gelu_forward(a->fg, a->fh, N * F);
        linear(m, infer, LI(l, L_F2W), a->fo, a->fg, N, F, H);
        if (!infer) bert_dropout_forward(a->fo, a->fomask, a->fo, p, rng, N * H);
        bert_residual_forward(a->res2, a->ln1, a->fo, N * H);
        bert_layernorm_forward(a->ln2, a->ln2_mean, a->ln2_rstd, a->res2, P[LI(l, L_LN2W)], P[LI(l, L_LN2B)], N, H,
                               c->ln_eps);
        x = a->ln2;
    }
    if (infer)
        last_layer_cls(m, nfull, x);
    else
        for (int b = 0; b < B; b++) memcpy(m->cls + (size_t)b * H, x + (size_t)b * T * H, (size_t)H * sizeof(float));
    linear(m, infer, T_PW, m->poolpre, m->cls, B, H, H);
    bert_tanh_forward(m->pool, m->poolpre, B * H);
    const float *pool = m->pool;
    if (!infer) {
        bert_dropout_forward(m->poold, m->poolmask, m->pool, p, rng, B * H);
        pool = m->poold;
    }
    linear(m, infer, T_CW, m->logits, pool, B, H, NC);
}

int bert_model_forward(bert_model *m, const int *tokens, const int *segments, const int *mask, int B, int T,
                       float *out_logits) {
    if (take_inputs(m, tokens, segments, mask, B, T)) return -1;
    forward(m, NULL, 1);
    int NC = m->store->cfg.n_classes;
    for (int b = 0; b < B; b++) { /* probabilities for callers that want them */
        const float *l = m->logits + (size_t)b * NC;
        float *pr = m->probs + (size_t)b * NC, mx = l[0], s = 0.0f;
        for (int k = 1; k < NC; k++) mx = l[k] > mx ? l[k] : mx;
        for (int k = 0; k < NC; k++) s += (pr[k] = expf(l[k] - mx));
        for (int k = 0; k < NC; k++) pr[k] /= s;
    }
    if (out_logits) memcpy(out_logits, m->logits, (size_t)B * NC * sizeof(float));
    m->trained = 0;
    return 0;
}

int bert_model_forward_train(bert_model *m, const int *tokens, const int *segments, const int *mask,
                             const int *labels, int B, int T, hw_rng *rng, float *out_loss) {
    int NC = m->store->cfg.n_classes;
    if (take_inputs(m, tokens, segments, mask, B, T)) return -1;
    for (int b = 0; b < B; b++) {
        if (labels[b] < 0 || labels[b] >= NC) return hw_fail("bert: label %d out of range 0..%d", labels[b], NC - 1);
        m->labels[b] = labels[b];
    }
    forward(m, rng, 0);
    float loss = bert_crossentropy_forward(m->probs, m->logits, m->labels, B, NC);
    if (out_loss) *out_loss = loss;
    m->trained = 1;
    m->soft = 0;
    return 0;
}

int bert_model_forward_train_soft(bert_model *m, const int *tokens, const int *segments, const int *mask,
                                  const int *labels, const float *teacher, float alpha, int B, int T, hw_rng *rng,
                                  float *out_loss) {
    if (!(alpha >= 0.0f && alpha <= 1.0f)) return hw_fail("bert: distillation weight %g is not in [0, 1]", alpha);
    float hard;
    if (bert_model_forward_train(m, tokens, segments, mask, labels, B, T, rng, &hard)) return -1;
    int NC = m->store->cfg.n_classes;
    double loss = 0.0;
    for (int b = 0; b < B; b++)
        for (int c = 0; c < NC; c++) {
            size_t i = (size_t)b * NC + c;
            float t = (1.0f - alpha) * (c == labels[b] ? 1.0f : 0.0f) + alpha * teacher[i];
            m->target[i] = t;
            if (t > 0.0f) loss -= (double)t * log(fmax(m->probs[i], 1e-30));
        }
    if (out_loss) *out_loss = (float)(loss / B);
    m->soft = 1;
    return 0;
}

int bert_model_backward(bert_model *m) {
    if (!m->store->grads) return hw_fail("bert: backward needs a trainable store");
    if (!m->trained) return hw_fail("bert: backward without a preceding forward_train");
    const bert_config *c = &m->store->cfg;
    int B = m->B, T = m->T, N = B * T, H = m->shape.hidden, NC = c->n_classes, ldh = m->ldh;
    float *const *P = m->pv, *const *G = m->gv;
    size_t NH = (size_t)N * H * sizeof(float), BH = (size_t)B * H * sizeof(float);

    /* head: cross-entropy -> classifier -> dropout -> tanh -> pooler -> [CLS] */
    memset(m->dlogits, 0, (size_t)B * NC * sizeof(float));
    if (m->soft) { /* soft-target cross-entropy: d/dlogits = (p - t) / B */
        for (int i = 0; i < B * NC; i++) m->dlogits[i] = (m->probs[i] - m->target[i]) / (float)B;
    } else
        bert_crossentropy_backward(m->dlogits, m->probs, m->labels, B, NC);
    memset(m->dpool, 0, BH);
    bert_matmul_backward(m->dpool, G[T_CW], G[T_CB], m->dlogits, m->poold, P[T_CW], B, H, NC, ldh);
    memset(m->dpre, 0, BH);
    memset(m->dcls, 0, BH);
    bert_dropout_backward(m->dcls, m->poolmask, m->dpool, B * H); /* dcls used as temp */
    bert_tanh_backward(m->dpre, m->pool, m->dcls, B * H);
    memset(m->dcls, 0, BH);
    bert_matmul_backward(m->dcls, G[T_PW], G[T_PB], m->dpre, m->cls, P[T_PW], B, H, H, ldh);
    memset(m->dA, 0, NH);
    for (int b = 0; b < B; b++) memcpy(m->dA + (size_t)b * T * H, m->dcls + (size_t)b * H, (size_t)H * sizeof(float));

    /* layers, last to first; dA holds d(layer output) */
    for (int l = m->shape.layers - 1; l >= 0; l--) {
        layer_acts *a = &m->la[l];
        int F = m->shape.ffn[l];
        size_t NF = (size_t)N * F * sizeof(float);
        const float *x = l ? m->la[l - 1].ln2 : m->embd;
        memset(m->dB, 0, NH);
        bert_layernorm_backward(m->dB, G[LI(l, L_LN2W)], G[LI(l, L_LN2B)], m->dA, a->res2, P[LI(l, L_LN2W)],
                                a->ln2_mean, a->ln2_rstd, N, H);
        memcpy(m->dA, m->dB, NH); /* residual path into ln1 */
        memset(m->dC, 0, NH);
        bert_dropout_backward(m->dC, a->fomask, m->dB, N * H);
        memset(m->dfg, 0, NF);
        bert_matmul_backward(m->dfg, G[LI(l, L_F2W)], G[LI(l, L_F2B)], m->dC, a->fg, P[LI(l, L_F2W)], N, F, H,
                             m->ldf[l]);
        memset(m->dfh, 0, NF);
        bert_gelu_backward(m->dfh, a->fh, m->dfg, N * F);
        bert_matmul_backward(m->dA, G[LI(l, L_F1W)], G[LI(l, L_F1B)], m->dfh, a->ln1, P[LI(l, L_F1W)], N, H, F, ldh);
        memset(m->dB, 0, NH);
        bert_layernorm_backward(m->dB, G[LI(l, L_LN1W)], G[LI(l, L_LN1B)], m->dA, a->res1, P[LI(l, L_LN1W)],
                                a->ln1_mean, a->ln1_rstd, N, H);
        memcpy(m->dA, m->dB, NH); /* residual path into x */
        memset(m->dC, 0, NH);
        bert_dropout_backward(m->dC, a->aomask, m->dB, N * H);
        memset(m->datty, 0, NH);
        bert_matmul_backward(m->datty, G[LI(l, L_OW)], G[LI(l, L_OB)], m->dC, a->atty, P[LI(l, L_OW)], N, H, H, ldh);
        memset(m->dq, 0, NH);
        memset(m->dk, 0, NH);
        memset(m->dv, 0, NH);
        bert_attention_backward(m->dq, m->dk, m->dv, m->datt, m->datty, a->q, a->k, a->v, a->att, B, T, H,
                                m->shape.heads[l]);
        bert_matmul_backward(m->dA, G[LI(l, L_QW)], G[LI(l, L_QB)], m->dq, x, P[LI(l, L_QW)], N, H, H, ldh);
        bert_matmul_backward(m->dA, G[LI(l, L_KW)], G[LI(l, L_KB)], m->dk, x, P[LI(l, L_KW)], N, H, H, ldh);
        bert_matmul_backward(m->dA, G[LI(l, L_VW)], G[LI(l, L_VB)], m->dv, x, P[LI(l, L_VW)], N, H, H, ldh);
    }

    /* embeddings: dropout -> LayerNorm -> lookup tables */
    memset(m->dC, 0, NH);
    bert_dropout_backward(m->dC, m->embmask, m->dA, N * H);
    memset(m->dB, 0, NH);
    bert_layernorm_backward(m->dB, G[T_LNEW], G[T_LNEB], m->dC, m->emb, P[T_LNEW], m->emb_mean, m->emb_rstd, N, H);
    bert_embed_backward(G[T_WTE], G[T_WPE], G[T_WTT], m->dB, m->tok, m->seg, ldh, B, T, H);
    m->trained = 0;
    return 0;
}
