/* src/cli/cmd_supernet.c: `hwnas supernet train CONFIG` — train the
 * weight-shared BERT supernet (sandwich rule) and save it to HDF5. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "supernet_yaml.h"
#include "supernet_h5.h"

typedef struct save_ctx {
    const char *path, *text;
} save_ctx;

static int save_hook(void *ctx, supernet *sn) {
    save_ctx *s = ctx;
    return supernet_h5_save(s->path, sn, s->text);
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
        "train.{batch,steps,n_random,distill,lr,warmup,weight_decay,clip,eval_every,eval_max,\n"
        "checkpoint_every,seed,threads}; see data/configs/supernet-sst2.yaml.",
        opts, "exactly one CONFIG file", 1, 1};
    static const char *const verbs[] = {"train", NULL};
    int pst = cli_verb(&spec, argc, argv, verbs);
    if (pst == CLI_CONTINUE) pst = cli_parse(&spec, argc, argv, 2, &first);
    if (pst != CLI_CONTINUE) return pst;
    supernet_yaml j;
    tok_vocab *tok = NULL;
    tsv_task *train = NULL, *eval = NULL;
    supernet *sn = NULL;
    int status = HW_EXIT_USAGE;
    if (supernet_yaml_load(argv[first], &j)) goto report;
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
        if (supernet_yaml_check_resume(&j, sn, tok_vocab_size(tok), argv[first])) goto report;
        sn->cfg = j.cfg; /* schedule/eval settings from the config (steps may grow) */
        if (!quiet)
            printf("resuming %s at step %ld of %ld\n", j.output, bert_store_step(sn->store), j.cfg.steps);
    } else {
        int nc = train->n_classes > eval->n_classes ? train->n_classes : eval->n_classes;
        if (supernet_create(&j.cfg, tok_vocab_size(tok), nc, &sn)) goto report;
    }
    if (!quiet) {
        char a[HW_ARCH_STR_MAX];
        printf("supernet: %zu parameters, %d train rows, %d eval rows, batch %d, %ld steps, %d random candidates/step, distill %g\n",
               bert_store_nparams(sn->store), train->n, eval->n, j.cfg.batch, j.cfg.steps, j.cfg.n_random, j.cfg.distill);
        const bert_shape *L = &sn->largest, *S = &sn->smallest;
        snprintf(a, sizeof a, "L%d:H%d", L->layers, L->hidden);
        printf("largest %s (heads %d, FFN %d), smallest L%d:H%d (heads %d, FFN %d)\n", a, L->heads[0], L->ffn[0],
               S->layers, S->hidden, S->heads[0], S->ffn[0]);
        fflush(stdout);
    }
    save_ctx sc = {j.output, supernet_yaml_text(&j)};
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
    supernet_yaml_clear(&j);
    return status;
}
