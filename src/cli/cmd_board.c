/* cmd_board: `hwnas board --config BOARD.yaml` runs the board agent. */
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "cli.h"

static atomic_int board_stop;

static void on_signal(int sig) {
    (void)sig;
    atomic_store(&board_stop, 1);
}

static void usage(FILE *f) {
    fprintf(f, "usage: hwnas board --config BOARD.yaml [OPTIONS]\n\n"
               "Runs the board agent: connects to the dispatcher, takes one measurement job\n"
               "at a time and answers with the result. SIGTERM/SIGINT hand the running job\n"
               "back (or deliver it) and stop. Config keys: see docs/jobs.md.\n\n"
               "options:\n"
               "  --config FILE          board config (YAML, required)\n"
               "  --id NAME              override 'id'\n"
               "  --device NAME          override 'device'\n"
               "  --dispatcher URL       override 'dispatcher' (tcp://HOST:PORT)\n"
               "  --dispatcher-key KEY   override 'dispatcher_key' (.pub file or Z85 key)\n"
               "  --key FILE             override 'key' (this board's .key file)\n"
               "  --check                validate the config (and build the runner), then exit\n"
               "  --quiet                log only problems and state changes, not every job\n"
               "  -h, --help             this help\n");
}

int cmd_board(int argc, char **argv) {
    static const struct option opts[] = {{"config", required_argument, 0, 'c'},
                                         {"id", required_argument, 0, 'i'},
                                         {"device", required_argument, 0, 'd'},
                                         {"dispatcher", required_argument, 0, 'D'},
                                         {"dispatcher-key", required_argument, 0, 'K'},
                                         {"key", required_argument, 0, 'k'},
                                         {"check", no_argument, 0, 'C'},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *config = NULL, *id = NULL, *device = NULL, *endpoint = NULL, *dkey = NULL, *key = NULL;
    int check = 0, quiet = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'i': id = optarg; break;
        case 'd': device = optarg; break;
        case 'D': endpoint = optarg; break;
        case 'K': dkey = optarg; break;
        case 'k': key = optarg; break;
        case 'C': check = 1; break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return HW_EXIT_OK;
        case ':': return cli_usage_error("board: option %s needs a value", argv[optind - 1]);
        default: return cli_usage_error("board: unknown option '%s' (see hwnas board --help)", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("board: unexpected argument '%s'", argv[optind]);
    if (!config) return cli_usage_error("board: --config FILE is required");
    if (id && !proto_str_ok(id, PROTO_ID_MAX))
        return cli_usage_error("board: --id '%s' must be 1..%d printable characters", id, PROTO_ID_MAX);
    if (device && !proto_str_ok(device, PROTO_ID_MAX))
        return cli_usage_error("board: --device '%s' must be 1..%d printable characters", device, PROTO_ID_MAX);

    board_config cfg;
    runner *r = NULL;
    board_config_default(&cfg);
    int rc = HW_EXIT_OK;
    if (board_config_load(config, &cfg) != 0) {
        rc = cli_report(HW_EXIT_USAGE);
        goto done;
    }
    if (id) snprintf(cfg.id, sizeof cfg.id, "%s", id);
    if (device) snprintf(cfg.device, sizeof cfg.device, "%s", device);
    if (endpoint) board_config_set(&cfg.dispatcher, endpoint);
    if (dkey) board_config_set(&cfg.dispatcher_key_spec, dkey);
    if (key) board_config_set(&cfg.key_path, key);
    cfg.quiet = quiet;
    if (board_config_finish(&cfg) != 0) {
        rc = cli_report(HW_EXIT_USAGE);
        goto done;
    }
    if (runner_create(&cfg.runner, &r) != 0) {
        rc = cli_report(HW_EXIT_USAGE);
        goto done;
    }
    if (check) {
        printf("%s: ok (board '%s', device '%s', runner %s: %s)\n", config, cfg.id, cfg.device, runner_name(r),
               runner_caps(r));
        goto done;
    }
    atomic_store(&board_stop, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (board_run(&cfg, r, &board_stop) != 0) rc = cli_report(HW_EXIT_FAIL);
done:
    runner_free(r);
    board_config_clear(&cfg);
    return rc;
}
