/* src/cli/cmd_finetune.c: `hwnas finetune` — inherit a candidate's
 * weights from a supernet, fine-tune K steps, report eval accuracy / F1. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hw_data.h"
#include "fsutil.h"
#include "supernet_h5.h"

int cmd_finetune(int argc, char **argv) {
    const char *sup = NULL, *arch = NULL, *task = NULL, *train = NULL, *eval = NULL, *json = NULL, *vocab = NULL;
    long steps = -1, batch = 32, seed = 1, eval_max = 0, threads = 1;
    double lr = 1e-4;
    int first;
    const cli_opt opts[] = {
        CLI_STR("supernet", "S.h5", &sup, "supernet file from `hwnas supernet train`"),
        CLI_STR("arch", "ARCH", &arch, "candidate; must lie in the supernet's space"),
        CLI_INT("steps", "K", &steps, 0, 100000000, "fine-tuning steps (0 = evaluate the inherited weights)"),
        CLI_STR("task", "NAME", &task, "sst2 (default) or sms_spam from the data directory"),
        CLI_STR("train", "FILE", &train, "training TSV (header sentence<TAB>label), with --eval"),
        CLI_STR("eval", "FILE", &eval, "evaluation TSV"),
        CLI_STR("json", "FILE", &json, "also write the result as JSON (atomically)"),
        CLI_DOUBLE("lr", "X", &lr, 0, 1, "peak learning rate, in (0, 1) (default 1e-4)"),
        CLI_INT("batch", "B", &batch, 1, 4096, "sentences per step (default 32)"),
        CLI_INT("seed", "N", &seed, 0, LONG_MAX, "data order / dropout seed (default 1)"),
        CLI_INT("eval-max", "N", &eval_max, 0, INT_MAX, "evaluate only the first N eval rows (default all)"),
        CLI_INT("threads", "N", &threads, 1, 256, "OpenBLAS threads (default 1)"),
        CLI_STR("vocab", "FILE", &vocab, "WordPiece vocabulary (default data/bert_uncased_vocab/vocab.txt)"),
        CLI_END};
    const cli_spec spec = {"finetune",
                           "--supernet S.h5 --arch ARCH --steps K\n"
                           "[--task sst2|sms_spam | --train FILE.tsv --eval FILE.tsv]\n"
                           "[--json FILE] [--lr X] [--batch B] [--seed N] [--eval-max N]\n"
                           "[--threads N] [--vocab FILE]",
                           "Copies candidate ARCH (bert-space string, e.g. L2:H128:A2.4:F256.512) out of\n"
                           "the supernet, fine-tunes it K steps (AdamW, 10% warm-up, linear decay) and\n"
                           "prints accuracy and F1 of class 1 on the eval set. Deterministic for a seed.",
                           opts, NULL, 0, 0};
    int st = cli_parse(&spec, argc, argv, 1, &first);
    if (st != CLI_CONTINUE) return st;
    if (!(lr > 0 && lr < 1)) return cli_usage_error("finetune: option --lr: %g is not in (0, 1)", lr);
    if (!sup) return cli_usage_error("finetune: --supernet is required");
    if (!arch) return cli_usage_error("finetune: --arch is required");
    if (steps < 0) return cli_usage_error("finetune: --steps is required");
    if (task && (train || eval)) return cli_usage_error("finetune: give --task or --train/--eval, not both");
    if (!train != !eval) return cli_usage_error("finetune: --train and --eval go together");
    char tp[4096], ep[4096], vp[4096];
    if (!train) {
        if (tsv_task_paths(hw_data_dir(), task ? task : "sst2", tp, ep, sizeof tp)) return cli_report(HW_EXIT_USAGE);
        train = tp;
        eval = ep;
    }
    if (!vocab) {
        snprintf(vp, sizeof vp, "%s/bert_uncased_vocab/vocab.txt", hw_data_dir());
        vocab = vp;
    }
    bert_set_threads((int)threads);
    supernet_ft *ft;
    if (supernet_ft_open(sup, train, eval, vocab, &ft)) return cli_report(HW_EXIT_USAGE);
    finetune_opts o;
    finetune_opts_default(&o);
    o.steps = steps;
    o.batch = (int)batch;
    o.lr = (float)lr;
    o.seed = (uint64_t)seed;
    o.eval_max = (int)eval_max;
    finetune_result r;
    hw_genome g;
    int status = HW_EXIT_USAGE;
    if (space_from_string(supernet_ft_space(ft), arch, &g)) {
        hw_fail_prefix("--arch");
        goto report;
    }
    status = HW_EXIT_FAIL;
    if (supernet_ft_run(ft, arch, &o, &r)) goto report;
    printf("arch %s steps %ld accuracy %.4f f1 %.4f eval_loss %.4f train_loss %.4f eval_rows %d seconds %.2f\n", arch,
           steps, r.eval.accuracy, r.eval.f1, r.eval.loss, r.train_loss, r.eval.n, r.seconds);
    if (json) {
        hw_buf b = {0};
        hw_buf_printf(&b, "{\"arch\": ");
        hw_buf_json_str(&b, arch);
        hw_buf_printf(&b, ", \"supernet\": ");
        hw_buf_json_str(&b, sup);
        hw_buf_printf(&b, ", \"train\": ");
        hw_buf_json_str(&b, train);
        hw_buf_printf(&b, ", \"eval\": ");
        hw_buf_json_str(&b, eval);
        hw_buf_printf(&b, ", \"steps\": %ld, \"batch\": %ld, \"lr\": %g, \"seed\": %ld, \"accuracy\": ", steps, batch,
                      lr, seed);
        hw_buf_json_num(&b, r.eval.accuracy);
        hw_buf_printf(&b, ", \"f1\": ");
        hw_buf_json_num(&b, r.eval.f1);
        hw_buf_printf(&b, ", \"eval_loss\": ");
        hw_buf_json_num(&b, r.eval.loss);
        hw_buf_printf(&b, ", \"train_loss\": ");
        hw_buf_json_num(&b, r.train_loss);
        hw_buf_printf(&b, ", \"eval_rows\": %d, \"seconds\": ", r.eval.n);
        hw_buf_json_num(&b, r.seconds);
        hw_buf_printf(&b, "}\n");
        int rc = hw_write_file_atomic(json, b.p, b.len);
        hw_buf_free(&b);
        if (rc) goto report;
    }
    supernet_ft_close(ft);
    return HW_EXIT_OK;
report:
    supernet_ft_close(ft);
    return cli_report(status);
}
