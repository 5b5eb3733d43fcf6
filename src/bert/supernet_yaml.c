/* supernet_yaml.c: see supernet_yaml.h. */
#include "supernet_yaml.h"

#include <stdlib.h>
#include <string.h>

#include "hw_data.h"
#include "hw_err.h"

static char *data_path(const char *rel) {
    size_t n = strlen(hw_data_dir()) + strlen(rel) + 2;
    char *p = hw_malloc(n);
    snprintf(p, n, "%s/%s", hw_data_dir(), rel);
    return p;
}

static int read_space_list(const ycfg *y, const ynode *sp, const char *key, int *vals, int *n) {
    if (ycfg_int_list(y, sp, key, 1, 100000, vals, BERT_MAX_CHOICES, n)) return -1;
    return 0;
}

static int load(const char *path, supernet_yaml *j, ycfg **out_y) {
    ycfg *y;
    if (ycfg_load(path, &y)) return -1;
    const ynode *root = ycfg_root(y), *sp, *md, *tr;
    supernet_cfg *c = &j->cfg;
    supernet_cfg_default(c);
    const char *task, *train, *eval, *vocab, *output;
    long v;
    double d;
    if (ycfg_string(y, root, "task", NULL, &task) || ycfg_string(y, root, "train_file", NULL, &train) ||
        ycfg_string(y, root, "eval_file", NULL, &eval) ||
        ycfg_string(y, root, "vocab", NULL, &vocab) || ycfg_string(y, root, "output", NULL, &output))
        goto fail;
    if (task && (train || eval)) {
        ycfg_fail(y, ynode_get(root, "task"), "give either 'task' or 'train_file'/'eval_file', not both");
        goto fail;
    }
    if (task) {
        char a[4096], b[4096];
        if (tsv_task_paths(hw_data_dir(), task, a, b, sizeof a)) {
            ycfg_fail(y, ynode_get(root, "task"), "unknown task '%s' (sst2 or sms_spam)", task);
            goto fail;
        }
        j->train = hw_strdup(a);
        j->eval = hw_strdup(b);
    } else if (train && eval) {
        j->train = ycfg_resolve_path(y, train);
        j->eval = ycfg_resolve_path(y, eval);
    } else {
        ycfg_fail(y, root, "needs 'task' or both 'train_file' and 'eval_file'");
        goto fail;
    }
    j->vocab = vocab ? ycfg_resolve_path(y, vocab) : data_path("bert_uncased_vocab/vocab.txt");
    j->output = hw_strdup(output ? output : "supernet.h5");
    if (ycfg_node(y, root, "space", YNODE_MAP, 0, &sp)) goto fail;
    if (sp && (read_space_list(y, sp, "layers", c->space.layers, &c->space.n_layers) ||
               read_space_list(y, sp, "hidden", c->space.hidden, &c->space.n_hidden) ||
               read_space_list(y, sp, "heads", c->space.heads, &c->space.n_heads) ||
               read_space_list(y, sp, "ffn", c->space.ffn, &c->space.n_ffn)))
        goto fail;
    space *check;
    if (space_create_bert(&c->space, &check)) {
        hw_fail_prefix("%s: space", path);
        goto fail;
    }
    space_free(check);
    if (ycfg_node(y, root, "model", YNODE_MAP, 0, &md)) goto fail;
    if (md) {
        if (ycfg_int(y, md, "max_seq", 2, 4096, c->max_seq, &v)) goto fail;
        c->max_seq = (int)v;
        if (ycfg_double(y, md, "dropout", 0.0, 0.9, c->dropout, &d)) goto fail;
        c->dropout = (float)d;
    }
    j->threads = 1;
    if (ycfg_node(y, root, "train", YNODE_MAP, 0, &tr)) goto fail;
    if (tr) {
        uint64_t seed;
        if (ycfg_int(y, tr, "batch", 1, 65536, c->batch, &v)) goto fail;
        c->batch = (int)v;
        if (ycfg_int(y, tr, "steps", 1, 1L << 40, c->steps, &c->steps)) goto fail;
        if (ycfg_int(y, tr, "n_random", 0, 64, c->n_random, &v)) goto fail;
        c->n_random = (int)v;
        if (ycfg_double(y, tr, "distill", 0.0, 1.0, c->distill, &d)) goto fail;
        c->distill = (float)d;
        if (ycfg_double(y, tr, "lr", 1e-7, 1.0, c->opt.lr, &d)) goto fail;
        c->opt.lr = (float)d;
        if (ycfg_int(y, tr, "warmup", 0, 1L << 40, c->opt.warmup, &c->opt.warmup)) goto fail;
        if (ycfg_double(y, tr, "weight_decay", 0.0, 1.0, c->opt.weight_decay, &d)) goto fail;
        c->opt.weight_decay = (float)d;
        if (ycfg_double(y, tr, "clip", 0.0, 1e6, c->opt.clip, &d)) goto fail;
        c->opt.clip = (float)d;
        if (ycfg_int(y, tr, "eval_every", 0, 1L << 30, c->eval_every, &v)) goto fail;
        c->eval_every = (int)v;
        if (ycfg_int(y, tr, "eval_max", 0, 1L << 30, c->eval_max, &v)) goto fail;
        c->eval_max = (int)v;
        if (ycfg_int(y, tr, "checkpoint_every", 0, 1L << 30, c->checkpoint_every, &v)) goto fail;
        c->checkpoint_every = (int)v;
        if (ycfg_u64(y, tr, "seed", c->seed, &seed)) goto fail;
        c->seed = seed;
        if (ycfg_int(y, tr, "threads", 1, 256, 1, &v)) goto fail;
        j->threads = (int)v;
    }
    if (ycfg_check_unknown(y)) goto fail;
    *out_y = y;
    return 0;
fail:
    ycfg_free(y);
    return -1;
}

int supernet_yaml_load(const char *path, supernet_yaml *j) {
    memset(j, 0, sizeof *j);
    if (load(path, j, &j->y) == 0) return 0;
    supernet_yaml_clear(j);
    return -1;
}

const char *supernet_yaml_text(const supernet_yaml *j) { return ycfg_text(j->y); }

static int same_space(const bert_space_cfg *a, const bert_space_cfg *b) {
    return a->n_layers == b->n_layers && a->n_hidden == b->n_hidden && a->n_heads == b->n_heads &&
           a->n_ffn == b->n_ffn && !memcmp(a->layers, b->layers, sizeof a->layers[0] * (size_t)a->n_layers) &&
           !memcmp(a->hidden, b->hidden, sizeof a->hidden[0] * (size_t)a->n_hidden) &&
           !memcmp(a->heads, b->heads, sizeof a->heads[0] * (size_t)a->n_heads) &&
           !memcmp(a->ffn, b->ffn, sizeof a->ffn[0] * (size_t)a->n_ffn);
}

int supernet_yaml_check_resume(const supernet_yaml *j, const supernet *sn, int vocab_size, const char *config) {
    const bert_config *bc = bert_store_config(sn->store);
    if (!same_space(&sn->cfg.space, &j->cfg.space) || bc->max_seq != j->cfg.max_seq || bc->vocab != vocab_size ||
        sn->cfg.seed != j->cfg.seed)
        return hw_fail("%s: cannot resume: its space, max_seq, vocabulary or seed differ from %s", j->output, config);
    return 0;
}

void supernet_yaml_clear(supernet_yaml *j) {
    ycfg_free(j->y);
    free(j->train);
    free(j->eval);
    free(j->vocab);
    free(j->output);
    memset(j, 0, sizeof *j);
}
