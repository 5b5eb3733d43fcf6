/* cmd_space.c: `hwnas space sample|parse` — inspect search-space genomes. */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "search_config.h"
#include "space.h"

static void print_one(const space *sp, const hw_genome *g, int feats) {
    char s[HW_ARCH_STR_MAX];
    if (space_to_string(sp, g, s, sizeof s)) strcpy(s, "?");
    printf("%s\t%" PRId64 "\t%016" PRIx64, s, space_index(sp, g), space_hash(sp, g));
    if (feats) {
        int d = space_nfeatures(sp);
        float *x = malloc((size_t)d * sizeof *x);
        space_features(sp, g, x);
        for (int j = 0; j < d; j++) printf("%s%g", j ? "," : "\t", x[j]);
        free(x);
    }
    printf("\n");
}

int cmd_space(int argc, char **argv) {
    const char *space_name = "nb201", *cfg_path = NULL;
    long n = 10, seed = 1;
    int feats = 0, first;
    const cli_opt opts[] = {
        CLI_STR("space", "NAME", &space_name, "a space with its default choice lists (default nb201)"),
        CLI_STR("config", "CFG", &cfg_path, "the space of a search config (bert choice lists from YAML)"),
        CLI_INT("n", "N", &n, 0, 100000000, "how many to sample (default 10)"),
        CLI_INT("seed", "S", &seed, 0, LONG_MAX, "PRNG seed (default 1)"),
        CLI_FLAG("features", &feats, "also print the predictor feature vector"),
        CLI_END};
    const cli_spec spec = {"space",
                           "sample [--space nb201|bert | --config CFG] [--n N] [--seed S] [--features]\n"
                           "parse  [--space nb201|bert | --config CFG] [--features] ARCH...",
                           "sample prints N random canonical architecture strings (with NB201 index);\n"
                           "parse checks strings, printing canonical form, index, 64-bit hash.",
                           opts, NULL, 0, -1};
    static const char *const verbs[] = {"sample", "parse", NULL};
    int st = cli_verb(&spec, argc, argv, verbs);
    if (st == CLI_CONTINUE) st = cli_parse(&spec, argc, argv, 2, &first);
    if (st != CLI_CONTINUE) return st;
    const char *verb = argv[1];
    space *sp = NULL;
    search_config *cfg = NULL;
    int status = HW_EXIT_USAGE;
    if (cfg_path) {
        if (search_config_load(cfg_path, &cfg) || search_config_space(cfg, &sp)) goto out;
    } else if (space_create_default(space_name, &sp)) {
        hw_fail_prefix("space");
        goto out;
    }
    if (!strcmp(verb, "sample")) {
        if (first != argc) {
            hw_fail("space sample: unexpected argument '%s'", argv[first]);
            goto out;
        }
        hw_rng r;
        rng_seed(&r, (uint64_t)seed);
        for (long i = 0; i < n; i++) {
            hw_genome g;
            space_sample(sp, &r, &g);
            print_one(sp, &g, feats);
        }
    } else {
        if (first == argc) {
            hw_fail("space parse: no architecture strings given");
            goto out;
        }
        for (int i = first; i < argc; i++) {
            hw_genome g;
            if (space_from_string(sp, argv[i], &g)) goto out;
            print_one(sp, &g, feats);
        }
    }
    status = HW_EXIT_OK;
out:
    if (status) cli_report(status);
    space_free(sp);
    search_config_free(cfg);
    return status;
}
