/* src/cli/cmd_finetune.c: `hwnas finetune` — inherit a candidate's
 * weights from a supernet, fine-tune K steps, report eval accuracy / F1. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hw_data.h"
#include "fsutil.h"
#include "supernet_h5.h"

static void usage(FILE *f) {
    fprintf(f, "usage: hwnas finetune --supernet S.h5 --arch ARCH --steps K\n"
               "                      [--task sst2|sms_spam | --train FILE.tsv --eval FILE.tsv]\n"
               "                      [--json FILE] [--lr X] [--batch B] [--seed N] [--eval-max N]\n"
               "                      [--threads N] [--vocab FILE]\n"
               "\n"
               "Copies candidate ARCH (bert-space string, e.g. L2:H128:A2.4:F256.512) out of\n"
               "the supernet, fine-tunes it K steps (AdamW, 10%% warm-up, linear decay) and\n"
               "prints accuracy and F1 of class 1 on the eval set. Deterministic for a seed.\n"
               "  --supernet S.h5  supernet file from `hwnas supernet train`\n"
               "  --arch ARCH      candidate; must lie in the supernet's space\n"
               "  --steps K        fine-tuning steps (0 = evaluate the inherited weights)\n"
               "  --task NAME      sst2 (default) or sms_spam from the data directory\n"
               "  --train FILE     training TSV (header sentence<TAB>label), with --eval\n"
               "  --eval FILE      evaluation TSV\n"
               "  --json FILE      also write the result as JSON (atomically)\n"
               "  --lr X           peak learning rate (default 1e-4)\n"
               "  --batch B        sentences per step (default 32)\n"
               "  --seed N         data order / dropout seed (default 1)\n"
               "  --eval-max N     evaluate only the first N eval rows (default all)\n"
               "  --threads N      OpenBLAS threads (default 1)\n"
               "  --vocab FILE     WordPiece vocabulary (default data/bert_uncased_vocab/vocab.txt)\n"
               "  --help           this text\n");
}

int cmd_finetune(int argc, char **argv) {
    static const struct option opts[] = {
        {"supernet", required_argument, 0, 'S'}, {"arch", required_argument, 0, 'a'},
        {"steps", required_argument, 0, 'k'},    {"task", required_argument, 0, 'T'},
        {"train", required_argument, 0, 't'},    {"eval", required_argument, 0, 'e'},
        {"json", required_argument, 0, 'j'},     {"lr", required_argument, 0, 'l'},
        {"batch", required_argument, 0, 'b'},    {"seed", required_argument, 0, 's'},
        {"eval-max", required_argument, 0, 'm'}, {"threads", required_argument, 0, 'n'},
        {"vocab", required_argument, 0, 'v'},    {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *sup = NULL, *arch = NULL, *task = NULL, *train = NULL, *eval = NULL, *json = NULL, *vocab = NULL;
    long steps = -1, batch = 32, seed = 1, eval_max = 0, threads = 1;
    double lr = 1e-4;
    int ch;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'S': sup = optarg; break;
        case 'a': arch = optarg; break;
        case 'k':
            if (cli_parse_int("--steps", optarg, 0, 100000000, &steps)) return cli_report(HW_EXIT_USAGE);
            break;
        case 'T': task = optarg; break;
        case 't': train = optarg; break;
        case 'e': eval = optarg; break;
        case 'j': json = optarg; break;
        case 'l':
            if (cli_parse_double("--lr", optarg, &lr)) return cli_report(HW_EXIT_USAGE);
            if (!(lr > 0 && lr < 1)) return cli_usage_error("option --lr: %s is not in (0, 1)", optarg);
            break;
        case 'b':
            if (cli_parse_int("--batch", optarg, 1, 4096, &batch)) return cli_report(HW_EXIT_USAGE);
            break;
        case 's':
            if (cli_parse_int("--seed", optarg, 0, LONG_MAX, &seed)) return cli_report(HW_EXIT_USAGE);
            break;
        case 'm':
            if (cli_parse_int("--eval-max", optarg, 0, INT_MAX, &eval_max)) return cli_report(HW_EXIT_USAGE);
            break;
        case 'n':
            if (cli_parse_int("--threads", optarg, 1, 256, &threads)) return cli_report(HW_EXIT_USAGE);
            break;
        case 'v': vocab = optarg; break;
        case 'h': usage(stdout); return HW_EXIT_OK;
        default: return cli_usage_error("finetune: unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc) return cli_usage_error("finetune: unexpected argument '%s'", argv[optind]);
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
