/* pred_features: the predictors' feature vector (pred.h): the search
 * space's own features plus derived NB201 cell-structure features, or, for
 * the bert space, its features rescaled to [0, 1] plus the cost of the
 * forward pass a board runs. */
#include <math.h>
#include <string.h>

#include "pred.h"
#include "space.h"

#define NB201_EXTRA (NB201_EDGES * NB201_OPS + 4)

/* Edge e goes from node nb_from[e] to node nb_to[e] (order of space.h). */
static const int nb_from[NB201_EDGES] = {0, 0, 1, 0, 1, 2};
static const int nb_to[NB201_EDGES] = {1, 2, 2, 3, 3, 3};

/* bert: the sequence length the cost features are computed at: the boards'
 * (data/configs/board-builtin-cpu.yaml seq_len) and the supernets' max_seq */
#define BERT_SEQ 64
#define BERT_EXTRA 4
/* the space's own bert features (src/space/space_bert.c): layers, hidden,
 * mean heads, mean FFN, total FFN, params (M), MFLOPs per token, then per
 * layer heads, then per layer FFN */
#define BERT_NFIXED 7

static int is_nb201(const struct space *s) { return !strcmp(space_name(s), "nb201"); }
static int is_bert(const struct space *s) { return !strcmp(space_name(s), "bert"); }

int pred_space_nfeatures(const struct space *s) {
    return space_nfeatures(s) + (is_nb201(s) ? NB201_EXTRA : is_bert(s) ? BERT_EXTRA : 0);
}

/* FLOPs of the inference forward pass the builtin board runner times for
 * shape sh at batch 1 and T tokens (src/bert/bert_model.c): L-1 full
 * layers, then the last layer with K and V for every row but the query,
 * output projection and FFN for the [CLS] row only, then the pooler. Sets
 * *attn to the attention (scores + mix) part. */
static double bert_infer_flops(const bert_shape *sh, double T, double *attn) {
    double H = sh->hidden, f = 0, a = 0;
    for (int l = 0; l < sh->layers; l++) {
        double F = sh->ffn[l];
        if (l < sh->layers - 1) {
            f += 2 * T * (4 * H * H + 2 * H * F);
            a += 4 * T * T * H;
        } else {
            f += 2 * T * 2 * H * H + 2 * (2 * H * H + 2 * H * F);
            a += 4 * T * H;
        }
    }
    *attn = a;
    return f + a + 2 * H * H;
}

/* The largest shape of the space (every list's maximum). */
static void bert_largest(const bert_space_cfg *c, bert_shape *sh) {
    sh->layers = c->layers[c->n_layers - 1];
    sh->hidden = c->hidden[c->n_hidden - 1];
    for (int l = 0; l < sh->layers; l++) {
        sh->heads[l] = c->heads[c->n_heads - 1];
        sh->ffn[l] = c->ffn[c->n_ffn - 1];
    }
}

/* out[0..space_nfeatures) holds the space's bert features: rescales them to
 * [0, 1] by the largest shape's values (the GP's single length scale then
 * weighs them alike; trees are unaffected) and appends BERT_EXTRA cost
 * features: inference FLOPs at BERT_SEQ tokens (linear and log, relative to
 * the largest shape), the attention share of them, and log parameters. */
static void bert_extra(const struct space *s, const hw_genome *g, float *out) {
    const bert_space_cfg *c = space_bert_cfg(s);
    bert_shape sh, big;
    space_bert_shape(s, g, &sh);
    bert_largest(c, &big);
    const int lmax = big.layers, nf = space_nfeatures(s);
    const double Lm = lmax, Hm = big.hidden, Am = big.heads[0], Fm = big.ffn[0];
    const double scale[BERT_NFIXED] = {Lm, Hm, Am, Fm, Lm * Fm, (4 * Hm * Hm + 2 * Hm * Fm) * Lm / 1e6,
                                       2 * (4 * Hm * Hm + 2 * Hm * Fm) * Lm / 1e6 + 4.0 * 64 * Hm * Lm / 1e6};
    for (int j = 0; j < BERT_NFIXED; j++) out[j] = (float)(out[j] / scale[j]);
    for (int l = 0; l < lmax; l++) {
        out[BERT_NFIXED + l] = (float)(out[BERT_NFIXED + l] / Am);
        out[BERT_NFIXED + lmax + l] = (float)(out[BERT_NFIXED + lmax + l] / Fm);
    }
    double attn, attn_big;
    const double fl = bert_infer_flops(&sh, BERT_SEQ, &attn), fl_big = bert_infer_flops(&big, BERT_SEQ, &attn_big);
    double params = 0, params_big = 0;
    for (int l = 0; l < sh.layers; l++) params += 4.0 * sh.hidden * sh.hidden + 2.0 * sh.hidden * sh.ffn[l];
    for (int l = 0; l < big.layers; l++) params_big += 4.0 * big.hidden * big.hidden + 2.0 * big.hidden * big.ffn[l];
    float *e = out + nf;
    e[0] = (float)(fl / fl_big);
    e[1] = (float)(1 + log(fl / fl_big) / log(fl_big));
    e[2] = (float)(attn / fl);
    e[3] = (float)(1 + log(params / params_big) / log(params_big));
}

/* Live edges: op != none, reachable from node 0 and reaching node 3 through
 * non-none edges (edges are listed in topological order). */
static void nb201_extra(const hw_genome *g, float *out) {
    int on[NB201_EDGES], live[NB201_EDGES], from0[4] = {1, 0, 0, 0}, to3[4] = {0, 0, 0, 1};
    for (int e = 0; e < NB201_EDGES; e++) on[e] = g->g[e] != 0;
    for (int e = 0; e < NB201_EDGES; e++)
        if (on[e] && from0[nb_from[e]]) from0[nb_to[e]] = 1;
    for (int e = NB201_EDGES - 1; e >= 0; e--)
        if (on[e] && to3[nb_to[e]]) to3[nb_from[e]] = 1;
    for (int e = 0; e < NB201_EDGES; e++) live[e] = on[e] && from0[nb_from[e]] && to3[nb_to[e]];
    memset(out, 0, NB201_EXTRA * sizeof *out);
    for (int e = 0; e < NB201_EDGES; e++)
        if (live[e]) out[e * NB201_OPS + g->g[e]] = 1;
    /* longest live paths from node 0 (-1: unreachable) */
    int len[4] = {0, -1, -1, -1}, conv[4] = {0, -1, -1, -1}, c3[4] = {0, -1, -1, -1};
    for (int e = 0; e < NB201_EDGES; e++) {
        int a = nb_from[e], b = nb_to[e];
        if (!live[e] || len[a] < 0) continue;
        int isc = g->g[e] == 2 || g->g[e] == 3, is3 = g->g[e] == 3;
        if (len[a] + 1 > len[b]) len[b] = len[a] + 1;
        if (conv[a] + isc > conv[b]) conv[b] = conv[a] + isc;
        if (c3[a] + is3 > c3[b]) c3[b] = c3[a] + is3;
    }
    float *p = out + NB201_EDGES * NB201_OPS;
    p[0] = len[3] > 0 ? (float)len[3] : 0;
    p[1] = conv[3] > 0 ? (float)conv[3] : 0;
    p[2] = c3[3] > 0 ? (float)c3[3] : 0;
    int nodes = 0;
    for (int v = 0; v < 4; v++) nodes += from0[v] && to3[v];
    p[3] = (float)nodes;
}

void pred_space_features(const struct space *s, const struct hw_genome *g, float *out) {
    space_features(s, g, out);
    if (is_nb201(s)) nb201_extra(g, out + space_nfeatures(s));
    else if (is_bert(s)) bert_extra(s, g, out);
}
