/* cmd_board: `hwnas board --config BOARD.yaml` runs the board agent. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "cli.h"

int cmd_board(int argc, char **argv) {
    const char *config = NULL, *id = NULL, *device = NULL, *endpoint = NULL, *dkey = NULL, *key = NULL;
    int check = 0, quiet = 0, first;
    const cli_opt opts[] = {
        CLI_STR("config", "FILE", &config, "board config (YAML, required)"),
        CLI_STR("id", "NAME", &id, "override 'id'"),
        CLI_STR("device", "NAME", &device, "override 'device'"),
        CLI_STR("dispatcher", "URL", &endpoint, "override 'dispatcher' (tcp://HOST:PORT)"),
        CLI_STR("dispatcher-key", "KEY", &dkey, "override 'dispatcher_key' (.pub file or Z85 key)"),
        CLI_STR("key", "FILE", &key, "override 'key' (this board's .key file)"),
        CLI_FLAG("check", &check, "validate the config (and build the runner), then exit"),
        CLI_FLAG("quiet", &quiet, "log only problems and state changes, not every job"),
        CLI_END};
    const cli_spec spec = {"board", "--config BOARD.yaml [OPTIONS]",
                           "Runs the board agent: connects to the dispatcher, takes one measurement job\n"
                           "at a time and answers with the result. SIGTERM/SIGINT hand the running job\n"
                           "back (or deliver it) and stop. Config keys: see docs/jobs.md.",
                           opts, NULL, 0, 0};
    int st = cli_parse(&spec, argc, argv, 1, &first);
    if (st != CLI_CONTINUE) return st;
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
    atomic_int *stop = cli_stop_on_signals();
    signal(SIGPIPE, SIG_IGN);
    if (board_run(&cfg, r, stop) != 0) rc = cli_report(HW_EXIT_FAIL);
done:
    runner_free(r);
    board_config_clear(&cfg);
    return rc;
}
