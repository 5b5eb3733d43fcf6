/* cmd_keygen: `hwnas keygen --out BASE` writes a CURVE key pair. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "jkeys.h"

static void usage(FILE *f) {
    fprintf(f, "usage: hwnas keygen --out BASE [--force]\n\n"
               "Makes a CURVE key pair for a dispatcher or a board: BASE.key (public +\n"
               "secret, mode 0600; give it to its owner only) and BASE.pub (public key;\n"
               "boards' .pub files go into the dispatcher's allow-list, the dispatcher's\n"
               ".pub into each board's config). Prints the public key on stdout.\n\n"
               "options:\n"
               "  --out BASE   output path without extension (required)\n"
               "  --force      overwrite existing files\n"
               "  -h, --help   this help\n");
}

int cmd_keygen(int argc, char **argv) {
    static const struct option opts[] = {
        {"out", required_argument, 0, 'o'}, {"force", no_argument, 0, 'f'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *out = NULL;
    int force = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'f': force = 1; break;
        case 'h': usage(stdout); return HW_EXIT_OK;
        case ':': return cli_usage_error("keygen: option %s needs a value", argv[optind - 1]);
        default: return cli_usage_error("keygen: unknown option '%s' (see hwnas keygen --help)", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("keygen: unexpected argument '%s'", argv[optind]);
    if (!out || !*out) return cli_usage_error("keygen: --out BASE is required");
    jkey pub, sec;
    if (jkeys_generate(&pub, &sec) != 0) return cli_report(HW_EXIT_FAIL);
    if (jkeys_write_pair(out, &pub, &sec, force) != 0) return cli_report(HW_EXIT_USAGE);
    printf("%s\n", pub.z85);
    return HW_EXIT_OK;
}
