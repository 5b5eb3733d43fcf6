/* supernet: sandwich-rule supernet training and proxy fine-tuning (see
 * supernet.h). */
#include "supernet.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hw_clock.h"
#include "hw_err.h"

#define STREAM_EPOCH 0x45504F43ull /* rng stream ids: batch order of an epoch */
#define STREAM_STEP 0x53544550ull  /* candidates + dropout of a step */
#define GROUP_BATCHES 50           /* length-grouping window, in batches */

void supernet_cfg_default(supernet_cfg *c) {
    static const int L[] = {2, 3, 4}, H[] = {128, 192, 256}, A[] = {2, 4, 8}, F[] = {256, 512, 768, 1024};
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < sizeof L / sizeof *L; i++) c->space.layers[c->space.n_layers++] = L[i];
    for (size_t i = 0; i < sizeof H / sizeof *H; i++) c->space.hidden[c->space.n_hidden++] = H[i];
    for (size_t i = 0; i < sizeof A / sizeof *A; i++) c->space.heads[c->space.n_heads++] = A[i];
    for (size_t i = 0; i < sizeof F / sizeof *F; i++) c->space.ffn[c->space.n_ffn++] = F[i];
    c->max_seq = 64;
    c->batch = 32;
    c->steps = 3000;
    c->n_random = 1;
    c->dropout = 0.1f;
    adamw_cfg_default(&c->opt);
    c->opt.lr = 5e-4f;
    c->opt.warmup = 200;
    c->eval_every = 500;
    c->eval_max = 0;
    c->checkpoint_every = 500;
    c->seed = 1;
}

/* Largest head count in the list dividing H (smallest if `smallest`). */
static int pick_heads(const bert_space_cfg *c, int H, int smallest) {
    int best = 0;
    for (int i = 0; i < c->n_heads; i++)
        if (H % c->heads[i] == 0 && (!best || !smallest)) {
            best = c->heads[i];
            if (smallest) break;
        }
    return best;
}

void supernet_largest(const bert_space_cfg *c, bert_shape *s) {
    memset(s, 0, sizeof *s);
    s->layers = c->layers[c->n_layers - 1];
    s->hidden = c->hidden[c->n_hidden - 1];
    for (int l = 0; l < s->layers; l++) {
        s->heads[l] = pick_heads(c, s->hidden, 0);
        s->ffn[l] = c->ffn[c->n_ffn - 1];
    }
}

void supernet_smallest(const bert_space_cfg *c, bert_shape *s) {
    memset(s, 0, sizeof *s);
    s->layers = c->layers[0];
    int h = 0;
    for (int i = 0; i < c->n_hidden && !h; i++)
        if (pick_heads(c, c->hidden[i], 1)) h = c->hidden[i];
    s->hidden = h;
    for (int l = 0; l < s->layers; l++) {
        s->heads[l] = pick_heads(c, h, 1);
        s->ffn[l] = c->ffn[0];
    }
}

int supernet_wrap(const supernet_cfg *cfg, bert_store *store, supernet **out) {
    supernet *sn = hw_calloc(1, sizeof *sn);
    sn->cfg = *cfg;
    if (space_create_bert(&cfg->space, &sn->space)) goto fail;
    supernet_largest(&cfg->space, &sn->largest);
    supernet_smallest(&cfg->space, &sn->smallest);
    const bert_shape *have = &bert_store_config(store)->shape;
    if (have->layers != sn->largest.layers || have->hidden != sn->largest.hidden) {
        hw_fail("supernet: stored shape L%d:H%d is not the space's largest L%d:H%d", have->layers, have->hidden,
                sn->largest.layers, sn->largest.hidden);
        goto fail;
    }
    for (int l = 0; l < have->layers; l++)
        if (have->ffn[l] != sn->largest.ffn[l]) {
            hw_fail("supernet: stored FFN %d of layer %d is not the space's largest %d", have->ffn[l], l,
                    sn->largest.ffn[l]);
            goto fail;
        }
    if (!bert_store_grads(store)) {
        hw_fail("supernet: store is not trainable");
        goto fail;
    }
    sn->store = store;
    *out = sn;
    return 0;
fail:
    space_free(sn->space);
    free(sn);
    return -1;
}

int supernet_create(const supernet_cfg *cfg, int vocab, int n_classes, supernet **out) {
    bert_shape big;
    supernet_largest(&cfg->space, &big);
    bert_config bc;
    bert_config_init(&bc, &big, vocab, cfg->max_seq, n_classes);
    bc.dropout = cfg->dropout;
    bert_store *s;
    if (bert_store_create(&bc, 1, cfg->seed, &s)) return -1;
    if (supernet_wrap(cfg, s, out)) {
        bert_store_free(s);
        return -1;
    }
    return 0;
}

void supernet_free(supernet *sn) {
    if (!sn) return;
    space_free(sn->space);
    bert_store_free(sn->store);
    free(sn);
}

/* ---------------------------------------------------------------- batches */

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Batch plan of epoch e: a seeded shuffle, windows of GROUP_BATCHES
 * batches sorted by length (less padding), batches in shuffled order.
 * rows(nb*B) receives the row indices of the nb = n/B batches. */
static void plan_epoch(const tsv_task *t, int B, uint64_t seed, long e, int *rows) {
    int n = t->n, nb = n / B;
    hw_rng r;
    rng_seed_stream(&r, seed, STREAM_EPOCH + (uint64_t)e);
    int *perm = hw_malloc((size_t)n * sizeof *perm);
    for (int i = 0; i < n; i++) perm[i] = i;
    rng_shuffle_int(&r, perm, n);
    uint64_t *key = hw_malloc((size_t)nb * B * sizeof *key);
    for (int i = 0; i < nb * B; i++) key[i] = ((uint64_t)t->len[perm[i]] << 32) | (uint32_t)perm[i];
    for (int w = 0; w < nb * B; w += GROUP_BATCHES * B) {
        int len = nb * B - w < GROUP_BATCHES * B ? nb * B - w : GROUP_BATCHES * B;
        qsort(key + w, (size_t)len, sizeof *key, cmp_u64);
    }
    int *border = hw_malloc((size_t)nb * sizeof *border);
    for (int i = 0; i < nb; i++) border[i] = i;
    rng_shuffle_int(&r, border, nb);
    for (int b = 0; b < nb; b++)
        for (int j = 0; j < B; j++) rows[b * B + j] = (int)(key[border[b] * B + j] & 0xffffffffu);
    free(border);
    free(key);
    free(perm);
}

/* --------------------------------------------------------------- evaluate */

int bert_evaluate(bert_model *m, const tsv_task *t, int max_rows, int batch, bert_metrics *out) {
    int n = max_rows > 0 && max_rows < t->n ? max_rows : t->n;
    int NC = bert_store_config(bert_model_store(m))->n_classes;
    if (t->n_classes > NC) return hw_fail("eval set has %d classes, the model %d", t->n_classes, NC);
    int maxT = t->max_len;
    int *rows = hw_malloc((size_t)batch * sizeof *rows), *tok = hw_malloc((size_t)batch * maxT * sizeof *tok);
    int *mask = hw_malloc((size_t)batch * maxT * sizeof *mask), *lab = hw_malloc((size_t)batch * sizeof *lab);
    long correct = 0, tp = 0, fp = 0, fn = 0;
    double loss = 0;
    int rc = 0;
    for (int i = 0; i < n; i += batch) {
        int B = n - i < batch ? n - i : batch;
        for (int b = 0; b < B; b++) rows[b] = i + b;
        int T = tsv_task_batch(t, rows, B, tok, mask, lab);
        if ((rc = bert_model_forward(m, tok, NULL, mask, B, T, NULL))) break;
        const float *p = bert_model_probs(m);
        for (int b = 0; b < B; b++) {
            int best = 0;
            for (int k = 1; k < NC; k++)
                if (p[b * NC + k] > p[b * NC + best]) best = k;
            correct += best == lab[b];
            tp += best == 1 && lab[b] == 1;
            fp += best == 1 && lab[b] != 1;
            fn += best != 1 && lab[b] == 1;
            loss -= log(fmax(p[b * NC + lab[b]], 1e-30));
        }
    }
    free(rows);
    free(tok);
    free(mask);
    free(lab);
    if (rc) return -1;
    out->n = n;
    out->accuracy = (double)correct / n;
    out->f1 = tp ? 2.0 * tp / (2.0 * tp + fp + fn) : 0.0;
    out->loss = loss / n;
    return 0;
}

/* ------------------------------------------------------------------ train */

static void fmt_eta(double s, char *buf, size_t n) {
    if (s >= 3600) snprintf(buf, n, "%dh%02dm", (int)(s / 3600), (int)fmod(s / 60, 60));
    else snprintf(buf, n, "%dm%02ds", (int)(s / 60), (int)fmod(s, 60));
}

int supernet_train(supernet *sn, const tsv_task *train, const tsv_task *dev, FILE *log, supernet_save_fn save,
                   void *save_ctx) {
    const supernet_cfg *c = &sn->cfg;
    int B = c->batch < train->n ? c->batch : train->n, nb = train->n / B;
    if (train->max_len > c->max_seq) return hw_fail("supernet: task rows (%d) exceed max_seq %d", train->max_len, c->max_seq);
    if (train->n_classes > bert_store_config(sn->store)->n_classes)
        return hw_fail("supernet: task has %d classes, the supernet %d", train->n_classes,
                       bert_store_config(sn->store)->n_classes);
    adamw_cfg opt = c->opt;
    opt.total = c->steps;
    bert_model *m;
    if (bert_model_create_on(sn->store, &sn->largest, B, &m)) return -1;
    int *rows = hw_malloc((size_t)nb * B * sizeof *rows), *tok = hw_malloc((size_t)B * c->max_seq * sizeof *tok);
    int *mask = hw_malloc((size_t)B * c->max_seq * sizeof *mask), *lab = hw_malloc((size_t)B * sizeof *lab);
    int NC = bert_store_config(sn->store)->n_classes;
    float *teacher = hw_malloc((size_t)B * NC * sizeof *teacher); /* the largest's probabilities this step */
    long s0 = bert_store_step(sn->store), epoch = -1;
    double t0 = hw_now_s(), sum_big = 0, sum_small = 0;
    long tokens = 0;
    int nsum = 0, rc = 0, log_every = c->steps >= 1000 ? 50 : 10;
    for (long s = s0; s < c->steps; s++) {
        if (s / nb != epoch) {
            epoch = s / nb;
            plan_epoch(train, B, c->seed, epoch, rows);
        }
        int T = tsv_task_batch(train, rows + (s % nb) * B, B, tok, mask, lab);
        hw_rng r;
        rng_seed_stream(&r, c->seed, STREAM_STEP + (uint64_t)s);
        for (int k = 0; k < 2 + c->n_random; k++) {
            bert_shape sh;
            if (k == 0) sh = sn->largest;
            else if (k == 1) sh = sn->smallest;
            else {
                hw_genome g;
                space_sample(sn->space, &r, &g);
                space_bert_shape(sn->space, &g, &sh);
            }
            float loss;
            if ((rc = bert_model_set_shape(m, &sh))) goto done;
            if (k > 0 && c->distill > 0)
                rc = bert_model_forward_train_soft(m, tok, NULL, mask, lab, teacher, c->distill, B, T, &r, &loss);
            else
                rc = bert_model_forward_train(m, tok, NULL, mask, lab, B, T, &r, &loss);
            if (rc || (rc = bert_model_backward(m))) goto done;
            if (k == 0) memcpy(teacher, bert_model_probs(m), (size_t)B * NC * sizeof *teacher);
            if (k == 0) sum_big += loss;
            if (k == 1) sum_small += loss;
            tokens += (long)B * T;
        }
        float norm;
        if ((rc = bert_store_adamw_step(sn->store, &opt, &norm))) goto done;
        nsum++;
        int last = s + 1 == c->steps;
        if (log && ((s + 1) % log_every == 0 || last)) {
            double el = hw_now_s() - t0, rate = (double)(s + 1 - s0) / el;
            char eta[32];
            fmt_eta((double)(c->steps - s - 1) / rate, eta, sizeof eta);
            fprintf(log, "step %ld/%ld  loss largest %.4f smallest %.4f  lr %.2e  |g| %.2f  %.2f steps/s %.0f tok/s  ETA %s\n",
                    s + 1, c->steps, sum_big / nsum, sum_small / nsum, adamw_lr_at(&opt, s), norm, rate,
                    (double)tokens / el, eta);
            fflush(log);
            sum_big = sum_small = 0;
            nsum = 0;
        }
        if (dev && ((c->eval_every > 0 && (s + 1) % c->eval_every == 0) || last)) {
            bert_metrics mb, ms;
            int rows_eval = last ? 0 : c->eval_max;
            if ((rc = bert_model_set_shape(m, &sn->largest)) || (rc = bert_evaluate(m, dev, rows_eval, B, &mb)) ||
                (rc = bert_model_set_shape(m, &sn->smallest)) || (rc = bert_evaluate(m, dev, rows_eval, B, &ms)))
                goto done;
            if (log) {
                fprintf(log, "step %ld/%ld  dev accuracy largest %.4f smallest %.4f  (f1 %.4f / %.4f, %d rows)\n", s + 1,
                        c->steps, mb.accuracy, ms.accuracy, mb.f1, ms.f1, mb.n);
                fflush(log);
            }
        }
        int stop = c->stop_at > 0 && s + 1 == c->stop_at && !last;
        if (save && ((c->checkpoint_every > 0 && (s + 1) % c->checkpoint_every == 0) || last || stop))
            if ((rc = save(save_ctx, sn))) goto done;
        if (stop) {
            if (log) fprintf(log, "stopped at step %ld (checkpoint saved)\n", s + 1);
            break;
        }
    }
done:
    free(rows);
    free(tok);
    free(mask);
    free(lab);
    free(teacher);
    bert_model_free(m);
    return rc;
}

/* -------------------------------------------------------------- finetune */

void finetune_opts_default(finetune_opts *o) {
    o->steps = 100;
    o->batch = 32;
    o->lr = 1e-4f;
    o->warmup = 0.1f;
    o->dropout = 0.1f;
    o->eval_max = 0;
    o->seed = 1;
}

int supernet_finetune(const bert_store *super, const bert_shape *shape, const tsv_task *train,
                      const tsv_task *eval, const finetune_opts *o, finetune_result *out) {
    double t0 = hw_now_s();
    bert_config bc = *bert_store_config(super);
    if (!bert_shape_within(shape, &bc.shape)) return hw_fail("finetune: candidate is not a sub-network of the supernet");
    if (train->max_len > bc.max_seq || eval->max_len > bc.max_seq)
        return hw_fail("finetune: task rows exceed the supernet's max_seq %d", bc.max_seq);
    if (train->n_classes > bc.n_classes || eval->n_classes > bc.n_classes)
        return hw_fail("finetune: task has more classes than the supernet (%d)", bc.n_classes);
    bc.shape = *shape;
    bc.dropout = o->dropout;
    bert_store *s = NULL;
    bert_model *m = NULL;
    int B = o->batch < train->n ? o->batch : train->n, nb = train->n / B, rc = -1;
    int *rows = hw_malloc((size_t)nb * B * sizeof *rows), *tok = hw_malloc((size_t)B * bc.max_seq * sizeof *tok);
    int *mask = hw_malloc((size_t)B * bc.max_seq * sizeof *mask), *lab = hw_malloc((size_t)B * sizeof *lab);
    if (bert_store_create(&bc, 1, o->seed, &s) || bert_store_copy_sub(s, super) ||
        bert_model_create_on(s, shape, B, &m))
        goto fail;
    adamw_cfg opt;
    adamw_cfg_default(&opt);
    opt.lr = o->lr;
    opt.warmup = (long)(o->warmup * (float)o->steps);
    opt.total = o->steps;
    long epoch = -1;
    double tail = 0;
    int ntail = 0;
    for (long k = 0; k < o->steps; k++) {
        if (k / nb != epoch) {
            epoch = k / nb;
            plan_epoch(train, B, o->seed, epoch, rows);
        }
        int T = tsv_task_batch(train, rows + (k % nb) * B, B, tok, mask, lab);
        hw_rng r;
        rng_seed_stream(&r, o->seed, STREAM_STEP + (uint64_t)k);
        float loss;
        if (bert_model_forward_train(m, tok, NULL, mask, lab, B, T, &r, &loss) || bert_model_backward(m) ||
            bert_store_adamw_step(s, &opt, NULL))
            goto fail;
        if (k >= o->steps - 20) {
            tail += loss;
            ntail++;
        }
    }
    if (bert_evaluate(m, eval, o->eval_max, B, &out->eval)) goto fail;
    out->train_loss = ntail ? tail / ntail : NAN;
    out->seconds = hw_now_s() - t0;
    rc = 0;
fail:
    bert_model_free(m);
    bert_store_free(s);
    free(rows);
    free(tok);
    free(mask);
    free(lab);
    return rc;
}
