/* src/cli/cmd_export.c: `hwnas export ARCH --space nb201|bert --onnx OUT`
 * writes a candidate as an ONNX model (src/export). Also in the board-only
 * build, so a board's command runner can export the candidate it measures
 * (there without --supernet, which needs HDF5). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "export.h"
#include "fsutil.h"
#include "hw_data.h"
#include "tsv_task.h"
#ifndef HWNAS_AGENT_ONLY
#include "supernet_h5.h"
#endif

#define RANDOM_VOCAB 30522 /* the builtin runner's default vocabulary */
#define RANDOM_CLASSES 2

/* bert: the candidate's store (the supernet's, or a random one of exactly
 * its shape) and shape; *owned is what the caller frees. */
static int bert_source(const char *arch, const char *sup, export_opts *o, int seq_set, bert_shape *shape,
                       const bert_store **store, void **owned, space **sp_out) {
    hw_genome g;
    if (sup) {
#ifdef HWNAS_AGENT_ONLY
        (void)seq_set;
        return hw_fail("--supernet: this board-only build has no HDF5; export with random weights");
#else
        supernet *sn;
        if (supernet_h5_load(sup, &sn)) return -1;
        *owned = sn;
        if (space_from_string(sn->space, arch, &g)) return hw_fail_prefix("ARCH");
        if (space_bert_shape(sn->space, &g, shape)) return -1;
        *store = sn->store;
        if (!seq_set) o->seq_len = bert_store_config(sn->store)->max_seq;
        return 0;
#endif
    }
    bert_space_cfg bc;
    bert_space_cfg_default(&bc);
    if (space_create_bert(&bc, sp_out)) return -1;
    if (space_from_string(*sp_out, arch, &g)) return hw_fail_prefix("ARCH");
    if (space_bert_shape(*sp_out, &g, shape)) return -1;
    bert_config cfg;
    bert_config_init(&cfg, shape, RANDOM_VOCAB, o->seq_len, RANDOM_CLASSES);
    bert_store *st;
    if (bert_store_create(&cfg, 0, o->seed, &st)) return -1;
    *owned = st;
    *store = st;
    return 0;
}

/* Loads the WordPiece vocabulary and the TSV rows of --reference (rows cut
 * to T tokens) and checks the vocabulary matches the store. */
static int load_reference(const bert_store *store, const char *tsv, int T, tok_vocab **tok, tsv_task **task) {
    char vp[4096];
    snprintf(vp, sizeof vp, "%s/bert_uncased_vocab/vocab.txt", hw_data_dir());
    if (tok_create(vp, tok) || tsv_task_load(tsv, *tok, T, task)) return -1;
    if (tok_vocab_size(*tok) != bert_store_config(store)->vocab)
        return hw_fail("--reference: vocabulary of %d pieces, the supernet has %d", tok_vocab_size(*tok),
                       bert_store_config(store)->vocab);
    return 0;
}

int cmd_export(int argc, char **argv) {
    const char *spname = NULL, *out = NULL, *sup = NULL, *all = NULL, *arch = NULL, *ref = NULL, *ref_out = NULL;
    long batch = 1, seq = 0, seed = 1, first = 0, count = 15625, ref_rows = 32; /* seq 0: not given */
    int structural = 0, rest;
    const cli_opt opts[] = {
        CLI_STR("space", "nb201|bert", &spname, "the candidate's search space (required)"),
        CLI_STR("onnx", "OUT", &out, "output file (written atomically)"),
        CLI_STR("supernet", "S.h5", &sup, "bert: weights from this supernet (full build only)"),
        CLI_INT("batch", "B", &batch, 1, 4096, "batch size (default 1)"),
        CLI_INT("seq-len", "T", &seq, 1, 65536, "bert sequence length (default: the supernet's max_seq, else 128)"),
        CLI_INT("seed", "N", &seed, 0, LONG_MAX, "random weights seed (default 1)"),
        CLI_FLAG("structural", &structural, "weights as graph inputs without data (graph checks only)"),
        CLI_STR("all", "DIR", &all,
                "nb201: every cell, structural, as DIR/nb201_INDEX.onnx, plus\nDIR/layers.csv with hwnas's layer "
                "model of each (for tests);\n--first I --count N restrict it to indices I..I+N-1"),
        CLI_INT("first", "I", &first, 0, 15624, "--all: first index (default 0)"),
        CLI_INT("count", "N", &count, 1, 15625, "--all: how many cells (default 15625)"),
        CLI_STR("reference", "TSV", &ref,
                "bert: also run hwnas's own C forward on the first\n--reference-rows N rows of TSV "
                "(sentence<TAB>label),\npadded to T, and write --reference-out CSV: row, real tokens,\n"
                "T ids, logits (to compare another runtime with; for tests)"),
        CLI_INT("reference-rows", "N", &ref_rows, 1, 1000000, "--reference: rows to run (default 32)"),
        CLI_STR("reference-out", "CSV", &ref_out, "--reference: output CSV"),
        CLI_END};
    const cli_spec spec = {
        "export",
        "ARCH --space nb201|bert --onnx OUT.onnx\n"
        "[--supernet S.h5] [--batch B] [--seq-len T] [--seed N] [--structural]\n"
        "--space nb201 --all DIR [--first I] [--count N]",
        "Writes candidate ARCH as an ONNX model (opset " CLI_QUOTE(EXPORT_OPSET) ") for ONNX Runtime or TensorRT.\n"
        "  nb201: the NAS-Bench-201 CIFAR-10 network (input (B,3,32,32), logits (B,10));\n"
        "         ARCH is an NB201 string |op~0|+|op~0|op~1|+|op~0|op~1|op~2|; seeded\n"
        "         random weights.\n"
        "  bert:  embeddings, the candidate's encoder layers, pooler and classifier\n"
        "         (inputs input_ids, token_type_ids, attention_mask int64 (B,T);\n"
        "         logits (B,classes)); ARCH as L2:H128:A2.4:F256.512. Weights: the\n"
        "         candidate's slice of --supernet, else seeded random (vocabulary " CLI_QUOTE(RANDOM_VOCAB) ",\n"
        "         2 classes, the default bert space).",
        opts, "ARCH", 0, 1};
    int st = cli_parse(&spec, argc, argv, 1, &rest);
    if (st != CLI_CONTINUE) return st;
    if (rest < argc) arch = argv[rest];
    const int seq_set = seq != 0;
    if (!seq_set) seq = 128;
    if (!spname) return cli_usage_error("export: --space nb201|bert is required");
    int is_nb = !strcmp(spname, "nb201");
    if (!is_nb && strcmp(spname, "bert")) return cli_usage_error("export: --space '%s': must be nb201 or bert", spname);
    if (all && !is_nb) return cli_usage_error("export: --all is for --space nb201");
    if (all && (arch || out)) return cli_usage_error("export: --all takes no ARCH and no --onnx");
    if (all && first + count > 15625) return cli_usage_error("export: --first %ld --count %ld: past index 15624", first, count);
    if (!all && !arch) return cli_usage_error("export: ARCH is required");
    if (!all && !out) return cli_usage_error("export: --onnx OUT is required");
    if (sup && is_nb) return cli_usage_error("export: --supernet is for --space bert");
    if (seq_set && is_nb) return cli_usage_error("export: --seq-len is for --space bert");
    if (!ref != !ref_out) return cli_usage_error("export: --reference and --reference-out go together");
    if (ref && !sup) return cli_usage_error("export: --reference needs --supernet");

    export_opts o;
    export_opts_default(&o);
    o.batch = (int)batch;
    o.seq_len = (int)seq;
    o.seed = (uint64_t)seed;
    o.structural = structural;
    o.doc = arch;
    space *sp = NULL;
    void *owned = NULL;
    tok_vocab *tok = NULL;
    tsv_task *task = NULL;
    int status = HW_EXIT_USAGE;
    export_info info;
    if (is_nb) {
        if (space_create_nb201(&sp)) goto report;
        if (all) {
            status = HW_EXIT_FAIL;
            if (export_nb201_all(sp, all, first, count, &o)) goto report; /* the range was checked above */
            printf("exported %ld nb201 cells to %s\n", count, all);
            space_free(sp);
            return HW_EXIT_OK;
        }
        hw_genome g;
        int ops[NB201_EDGES];
        if (space_from_string(sp, arch, &g)) {
            hw_fail_prefix("ARCH");
            goto report;
        }
        for (int e = 0; e < NB201_EDGES; e++) ops[e] = g.g[e];
        status = HW_EXIT_FAIL;
        if (export_nb201(ops, &o, out, &info)) goto report;
    } else {
        bert_shape shape;
        const bert_store *store = NULL;
        if (bert_source(arch, sup, &o, seq_set, &shape, &store, &owned, &sp)) goto report;
        if (o.seq_len > bert_store_config(store)->max_seq) {
            hw_fail("--seq-len %d: the supernet's max_seq is %d", o.seq_len, bert_store_config(store)->max_seq);
            goto report;
        }
        if (ref && load_reference(store, ref, o.seq_len, &tok, &task)) goto report;
        status = HW_EXIT_FAIL;
        if (export_bert(store, &shape, &o, out, &info)) goto report;
        if (ref && export_bert_reference(store, &shape, o.seq_len, task, ref_rows, ref_out)) goto report;
    }
    printf("exported %s: %d nodes, %lld parameters -> %s\n", arch, info.nnodes, (long long)info.nparams, out);
    status = HW_EXIT_OK;
report:
    if (owned) {
#ifndef HWNAS_AGENT_ONLY
        if (sup) supernet_free(owned);
        else
#endif
            bert_store_free(owned);
    }
    tsv_task_free(task);
    tok_free(tok);
    space_free(sp);
    return status == HW_EXIT_OK ? status : cli_report(status);
}
