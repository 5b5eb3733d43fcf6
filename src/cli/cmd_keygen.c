/* cmd_keygen: `hwnas keygen --out BASE` writes a CURVE key pair. */
#include <stdio.h>

#include "cli.h"
#include "jkeys.h"

int cmd_keygen(int argc, char **argv) {
    const char *out = NULL;
    int force = 0, first;
    const cli_opt opts[] = {CLI_STR("out", "BASE", &out, "output path without extension (required)"),
                            CLI_FLAG("force", &force, "overwrite existing files"), CLI_END};
    const cli_spec spec = {"keygen", "--out BASE [--force]",
                           "Makes a CURVE key pair for a dispatcher or a board: BASE.key (public +\n"
                           "secret, mode 0600; give it to its owner only) and BASE.pub (public key;\n"
                           "boards' .pub files go into the dispatcher's allow-list, the dispatcher's\n"
                           ".pub into each board's config). Prints the public key on stdout.",
                           opts, NULL, 0, 0};
    int st = cli_parse(&spec, argc, argv, 1, &first);
    if (st != CLI_CONTINUE) return st;
    if (!out || !*out) return cli_usage_error("keygen: --out BASE is required");
    jkey pub, sec;
    if (jkeys_generate(&pub, &sec) != 0) return cli_report(HW_EXIT_FAIL);
    if (jkeys_write_pair(out, &pub, &sec, force) != 0) return cli_report(HW_EXIT_USAGE);
    printf("%s\n", pub.z85);
    return HW_EXIT_OK;
}
