/* hwnas: hardware-aware neural architecture search. One executable,
 * subcommands listed below; `hwnas CMD --help` documents each. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "hw_data.h"

typedef struct hw_cmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} hw_cmd;

static const hw_cmd commands[] = {
#ifndef HWNAS_AGENT_ONLY
    {"search", cmd_search, "run a multi-objective architecture search (MPI-parallel)"},
    {"mpirun", cmd_mpirun, "run mpirun so Ctrl-C / SIGTERM checkpoint the ranks and exit 3"},
    {"space", cmd_space, "sample, parse and inspect search-space genomes"},
    {"predictor", cmd_predictor, "evaluate, fit and meta-train the latency / accuracy predictors"},
    {"accel", cmd_accel, "accelerator cost model: per-layer report, NB201 latency/energy table"},
    {"codesign", cmd_codesign, "co-design networks and accelerators: joint vs two-stage vs fixed"},
    {"measure", cmd_measure, "measure a batch of architectures on the connected boards (CSV out)"},
    {"supernet", cmd_supernet, "train the weight-shared BERT supernet (sandwich rule) to HDF5"},
    {"finetune", cmd_finetune, "fine-tune a candidate from the supernet for K steps, report accuracy"},
    {"front", cmd_front, "print the Pareto front of a run file (table, CSV, JSON)"},
    {"history", cmd_history, "print the per-generation history (HV, front size) of a run file"},
    {"compare", cmd_compare, "compare two runs: hypervolumes with a common reference, differing points"},
    {"trials", cmd_trials, "print every candidate a run measured: predictions, provenance, times (CSV, JSON)"},
    {"plot", cmd_plot, "plot a run's points, fronts and hypervolume history (PNG/SVG)"},
#endif
    {"board", cmd_board, "run the board agent: take measurement jobs from a dispatcher"},
    {"keygen", cmd_keygen, "make a CURVE key pair for a dispatcher or a board"},
    {"export", cmd_export, "write a candidate (nb201 or bert) as an ONNX model for board runtimes"},
    {NULL, NULL, NULL},
};

static void usage(FILE *f) {
    fprintf(f, "usage: hwnas COMMAND [OPTIONS]\n\nhardware-aware neural architecture search\n\ncommands:\n");
    for (const hw_cmd *c = commands; c->name; c++) fprintf(f, "  %-12s %s\n", c->name, c->summary);
    fprintf(f, "\n`hwnas COMMAND --help` lists a command's options.\n"
               "exit status: 0 ok, 1 runtime failure, 2 bad input, 3 stopped after a checkpoint\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return HW_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return HW_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("hwnas %s (%s)\n", hw_version(), hw_git_commit());
        return HW_EXIT_OK;
    }
    for (const hw_cmd *c = commands; c->name; c++)
        if (!strcmp(argv[1], c->name)) return c->fn(argc - 1, argv + 1);
    fprintf(stderr, "hwnas: unknown command '%s' (see hwnas --help)\n", argv[1]);
    return HW_EXIT_USAGE;
}
