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

#include <unistd.h>

#define BATCH_HEADER "arch,steps,seed,accuracy,f1,eval_loss,train_loss,seconds"

static void usage(FILE *f) {
    fprintf(f, "usage: hwnas finetune --supernet S.h5 (--arch ARCH | --archs FILE --csv OUT) --steps K\n"
               "                      [--task sst2|sms_spam | --train FILE.tsv --eval FILE.tsv]\n"
               "                      [--json FILE] [--lr X] [--batch B] [--seed N] [--eval-max N]\n"
               "                      [--threads N] [--vocab FILE]\n"
               "\n"
               "Copies candidate ARCH (bert-space string, e.g. L2:H128:A2.4:F256.512) out of\n"
               "the supernet, fine-tunes it K steps (AdamW, 10%% warm-up, linear decay) and\n"
               "prints accuracy and F1 of class 1 on the eval set. Deterministic for a seed.\n"
               "  --supernet S.h5  supernet file from `hwnas supernet train`\n"
               "  --arch ARCH      candidate; must lie in the supernet's space\n"
               "  --archs FILE     batch: one candidate per line, fine-tuned one after the\n"
               "                   other with the data loaded once; rows go to --csv OUT\n"
               "  --csv OUT        batch results (arch,steps,seed,accuracy,f1,eval_loss,\n"
               "                   train_loss,seconds), rewritten atomically after every\n"
               "                   arch; archs already in OUT are skipped (resumable)\n"
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

/* Appends to b the rows of the CSV at path (if it exists) and marks their
 * archs in *seen (a newline-separated list). 0, or -1 for an unreadable or
 * foreign file. */
static int batch_resume(const char *path, hw_buf *b, hw_buf *seen) {
    char *txt;
    size_t n;
    if (access(path, F_OK)) {
        hw_buf_printf(b, "%s\n", BATCH_HEADER);
        return 0;
    }
    if (hw_read_file(path, &txt, &n)) return -1;
    size_t h = strlen(BATCH_HEADER);
    if (n < h + 1 || strncmp(txt, BATCH_HEADER, h) || txt[h] != '\n') {
        free(txt);
        return hw_fail("%s: not a finetune batch CSV (header '%s' expected)", path, BATCH_HEADER);
    }
    char *line = txt;
    for (char *nl; (nl = strchr(line, '\n')); line = nl + 1) {
        *nl = 0;
        if (line != txt) {
            char *comma = strchr(line, ',');
            if (comma) hw_buf_printf(seen, "\n%.*s\n", (int)(comma - line), line);
        }
        hw_buf_printf(b, "%s\n", line); /* a torn last line (no newline) is dropped */
    }
    free(txt);
    return 0;
}

/* Batch mode: fine-tunes every arch of the file at archs_path (one per
 * line, blank lines and #-comments skipped) not yet in csv_path and
 * rewrites csv_path atomically after each. Exit status: 0, 2 for a bad
 * arch/file (before any fine-tuning: all archs are parsed first), 1 for a
 * failed job. */
static int run_batch(supernet_ft *ft, const char *archs_path, const char *csv_path, const finetune_opts *o) {
    char *txt = NULL;
    size_t n;
    hw_buf out = {0}, seen = {0};
    int status = HW_EXIT_USAGE, count = 0;
    if (hw_read_file(archs_path, &txt, &n) || batch_resume(csv_path, &out, &seen)) goto done;
    hw_genome g;
    for (int pass = 0; pass < 2; pass++) { /* pass 0 checks every line, pass 1 runs */
        int lineno = 0;
        for (char *line = txt, *nl; line && *line; line = nl ? nl + 1 : NULL) {
            nl = strchr(line, '\n');
            size_t len = nl ? (size_t)(nl - line) : strlen(line);
            char a[HW_ARCH_STR_MAX + 8];
            lineno++;
            while (len && (line[len - 1] == '\r' || line[len - 1] == ' ')) len--;
            if (!len || line[0] == '#') continue;
            if (len >= HW_ARCH_STR_MAX) {
                hw_fail("%s:%d: line longer than %d characters", archs_path, lineno, HW_ARCH_STR_MAX - 1);
                goto done;
            }
            memcpy(a, line, len);
            a[len] = 0;
            if (pass == 0) {
                if (space_from_string(supernet_ft_space(ft), a, &g)) {
                    hw_fail_prefix("%s:%d", archs_path, lineno);
                    goto done;
                }
                continue;
            }
            char key[HW_ARCH_STR_MAX + 16];
            snprintf(key, sizeof key, "\n%s\n", a);
            if (seen.p && strstr(seen.p, key)) continue;
            finetune_result r;
            status = HW_EXIT_FAIL;
            if (supernet_ft_run(ft, a, o, &r)) goto done;
            hw_buf_printf(&out, "%s,%ld,%llu,%.6f,%.6f,%.6f,%.6f,%.4f\n", a, o->steps, (unsigned long long)o->seed,
                          r.eval.accuracy, r.eval.f1, r.eval.loss, r.train_loss, r.seconds);
            hw_buf_printf(&seen, "%s", key);
            if (hw_write_file_atomic(csv_path, out.p, out.len)) goto done;
            count++;
        }
    }
    if (hw_write_file_atomic(csv_path, out.p, out.len)) goto done;
    fprintf(stderr, "hwnas: finetune: %d archs fine-tuned into %s\n", count, csv_path);
    status = HW_EXIT_OK;
done:
    free(txt);
    hw_buf_free(&out);
    hw_buf_free(&seen);
    return status;
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
        {"archs", required_argument, 0, 'A'},    {"csv", required_argument, 0, 'C'},
        {0, 0, 0, 0}};
    const char *archs = NULL, *csv = NULL;
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
        case 'A': archs = optarg; break;
        case 'C': csv = optarg; break;
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
    if (!arch == !archs) return cli_usage_error("finetune: give --arch or --archs");
    if (!archs != !csv) return cli_usage_error("finetune: --archs and --csv go together");
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
    if (archs) {
        status = run_batch(ft, archs, csv, &o);
        supernet_ft_close(ft);
        return status == HW_EXIT_OK ? status : cli_report(status);
    }
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
