/* cmd_space.c: `hwnas space sample|parse` — inspect search-space genomes. */
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "search_config.h"
#include "space.h"

static void usage(FILE *f) {
    fprintf(f, "usage: hwnas space sample [--space nb201|bert | --config CFG] [--n N] [--seed S] [--features]\n"
               "       hwnas space parse  [--space nb201|bert | --config CFG] [--features] ARCH...\n"
               "\n"
               "sample prints N random canonical architecture strings (with NB201 index);\n"
               "parse checks strings, printing canonical form, index, 64-bit hash.\n"
               "  --space NAME   a space with its default choice lists (default nb201)\n"
               "  --config CFG   the space of a search config (bert choice lists from YAML)\n"
               "  --n N          how many to sample (default 10)\n"
               "  --seed S       PRNG seed (default 1)\n"
               "  --features     also print the predictor feature vector\n");
}

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
    static const struct option opts[] = {{"space", required_argument, 0, 's'}, {"config", required_argument, 0, 'c'},
                                         {"n", required_argument, 0, 'n'},     {"seed", required_argument, 0, 'S'},
                                         {"features", no_argument, 0, 'f'},    {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? HW_EXIT_USAGE : HW_EXIT_OK;
    }
    const char *verb = argv[1], *space_name = "nb201", *cfg_path = NULL;
    long n = 10, seed = 1;
    int feats = 0, ch;
    if (strcmp(verb, "sample") && strcmp(verb, "parse"))
        return cli_usage_error("space: unknown verb '%s' (sample or parse)", verb);
    optind = 2;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 's': space_name = optarg; break;
        case 'c': cfg_path = optarg; break;
        case 'n':
            if (cli_parse_int("--n", optarg, 0, 100000000, &n)) return cli_report(HW_EXIT_USAGE);
            break;
        case 'S':
            if (cli_parse_int("--seed", optarg, 0, LONG_MAX, &seed)) return cli_report(HW_EXIT_USAGE);
            break;
        case 'f': feats = 1; break;
        case 'h': usage(stdout); return HW_EXIT_OK;
        default: return cli_usage_error("space: unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    space *sp = NULL;
    search_config *cfg = NULL;
    int status = HW_EXIT_USAGE;
    if (cfg_path) {
        if (search_config_load(cfg_path, &cfg) || search_config_space(cfg, &sp)) goto out;
    } else if (!strcmp(space_name, "nb201")) {
        space_create_nb201(&sp);
    } else if (!strcmp(space_name, "bert")) {
        bert_space_cfg bc;
        bert_space_cfg_default(&bc);
        if (space_create_bert(&bc, &sp)) goto out;
    } else {
        hw_fail("space: unknown space '%s' (nb201 or bert)", space_name);
        goto out;
    }
    if (!strcmp(verb, "sample")) {
        if (optind != argc) {
            hw_fail("space sample: unexpected argument '%s'", argv[optind]);
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
        if (optind == argc) {
            hw_fail("space parse: no architecture strings given");
            goto out;
        }
        for (int i = optind; i < argc; i++) {
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
