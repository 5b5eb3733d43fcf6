/* src/cli/cmd_supernet.c: `hwnas supernet train CONFIG` — train the
 * weight-shared BERT supernet (sandwich rule) and save it to HDF5. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "hw_data.h"
#include "supernet.h"
#include "supernet_h5.h"
#include "yconf.h"

typedef struct sn_job {
    supernet_cfg cfg;
    char *train, *eval, *vocab, *output;
    int threads;
} sn_job;

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

/* Reads CONFIG into job (defaults of supernet_cfg_default for absent keys). */
static int load_config(const char *path, sn_job *j, ycfg **out_y) {
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

typedef struct save_ctx {
    const char *path, *text;
} save_ctx;

static int save_hook(void *ctx, supernet *sn) {
    save_ctx *s = ctx;
    return supernet_h5_save(s->path, sn, s->text);
}

static int same_space(const bert_space_cfg *a, const bert_space_cfg *b) {
    return a->n_layers == b->n_layers && a->n_hidden == b->n_hidden && a->n_heads == b->n_heads &&
           a->n_ffn == b->n_ffn && !memcmp(a->layers, b->layers, sizeof a->layers[0] * (size_t)a->n_layers) &&
           !memcmp(a->hidden, b->hidden, sizeof a->hidden[0] * (size_t)a->n_hidden) &&
           !memcmp(a->heads, b->heads, sizeof a->heads[0] * (size_t)a->n_heads) &&
           !memcmp(a->ffn, b->ffn, sizeof a->ffn[0] * (size_t)a->n_ffn);
}

int cmd_supernet(int argc, char **argv) {
    const char *out = NULL;
    long steps = 0, threads = 0, stop_at = 0;
    int resume = 0, quiet = 0, first;
    const cli_opt opts[] = {
        CLI_STR("out", "FILE", &out, "output file (default: CONFIG's 'output', else supernet.h5)"),
        CLI_FLAG("resume", &resume, "continue from FILE if it exists (same space and model)"),
        CLI_INT("steps", "N", &steps, 1, 1L << 40, "override train.steps (e.g. to extend a finished run)"),
        CLI_INT("stop-at", "S", &stop_at, 1, 1L << 40, "save a checkpoint and stop after step S (resume later)"),
        CLI_INT("threads", "N", &threads, 1, 256, "OpenBLAS threads (default: train.threads, else 1)"),
        CLI_FLAG("quiet", &quiet, "no progress lines"),
        CLI_END};
    const cli_spec spec = {
        "supernet", "train CONFIG [--out FILE.h5] [--resume] [--steps N] [--stop-at S] [--threads N]",
        "Trains the weight-shared BERT supernet of CONFIG's bert space on its task\n"
        "(sandwich rule: largest, smallest and random candidates every step) and\n"
        "saves weights + AdamW state to HDF5 (checkpoints every checkpoint_every steps).\n"
        "CONFIG keys: task (sst2|sms_spam) or train_file/eval_file, vocab, output,\n"
        "space.{layers,hidden,heads,ffn}, model.{max_seq,dropout},\n"
        "train.{batch,steps,n_random,lr,warmup,weight_decay,clip,eval_every,eval_max,\n"
        "checkpoint_every,seed,threads}; see data/configs/supernet-sst2.yaml.",
        opts, "exactly one CONFIG file", 1, 1};
    static const char *const verbs[] = {"train", NULL};
    int pst = cli_verb(&spec, argc, argv, verbs);
    if (pst == CLI_CONTINUE) pst = cli_parse(&spec, argc, argv, 2, &first);
    if (pst != CLI_CONTINUE) return pst;
    sn_job j;
    memset(&j, 0, sizeof j);
    ycfg *y = NULL;
    tok_vocab *tok = NULL;
    tsv_task *train = NULL, *eval = NULL;
    supernet *sn = NULL;
    int status = HW_EXIT_USAGE;
    if (load_config(argv[first], &j, &y)) goto report;
    if (out) {
        free(j.output);
        j.output = hw_strdup(out);
    }
    if (steps) j.cfg.steps = steps;
    j.cfg.stop_at = stop_at;
    bert_set_threads(threads ? (int)threads : j.threads);
    if (tok_create(j.vocab, &tok) || tsv_task_load(j.train, tok, j.cfg.max_seq, &train) ||
        tsv_task_load(j.eval, tok, j.cfg.max_seq, &eval))
        goto report;
    struct stat st;
    if (resume && stat(j.output, &st) == 0) {
        if (supernet_h5_load(j.output, &sn)) goto report;
        const bert_config *bc = bert_store_config(sn->store);
        if (!same_space(&sn->cfg.space, &j.cfg.space) || bc->max_seq != j.cfg.max_seq || bc->vocab != tok_vocab_size(tok) ||
            sn->cfg.seed != j.cfg.seed) {
            hw_fail("%s: cannot resume: its space, max_seq, vocabulary or seed differ from %s", j.output, argv[first]);
            goto report;
        }
        sn->cfg = j.cfg; /* schedule/eval settings from the config (steps may grow) */
        if (!quiet)
            printf("resuming %s at step %ld of %ld\n", j.output, bert_store_step(sn->store), j.cfg.steps);
    } else {
        int nc = train->n_classes > eval->n_classes ? train->n_classes : eval->n_classes;
        if (supernet_create(&j.cfg, tok_vocab_size(tok), nc, &sn)) goto report;
    }
    if (!quiet) {
        char a[HW_ARCH_STR_MAX];
        printf("supernet: %zu parameters, %d train rows, %d eval rows, batch %d, %ld steps, %d random candidates/step\n",
               bert_store_nparams(sn->store), train->n, eval->n, j.cfg.batch, j.cfg.steps, j.cfg.n_random);
        const bert_shape *L = &sn->largest, *S = &sn->smallest;
        snprintf(a, sizeof a, "L%d:H%d", L->layers, L->hidden);
        printf("largest %s (heads %d, FFN %d), smallest L%d:H%d (heads %d, FFN %d)\n", a, L->heads[0], L->ffn[0],
               S->layers, S->hidden, S->heads[0], S->ffn[0]);
        fflush(stdout);
    }
    save_ctx sc = {j.output, ycfg_text(y)};
    status = HW_EXIT_FAIL;
    if (supernet_train(sn, train, eval, quiet ? NULL : stdout, save_hook, &sc)) goto report;
    if (!quiet) printf("saved %s\n", j.output);
    status = HW_EXIT_OK;
    goto done;
report:
    cli_report(status);
done:
    supernet_free(sn);
    tsv_task_free(train);
    tsv_task_free(eval);
    tok_free(tok);
    ycfg_free(y);
    free(j.train);
    free(j.eval);
    free(j.vocab);
    free(j.output);
    return status;
}
