/* cmd_measure: `hwnas measure` measures a batch of architectures on
 * whatever boards connect, writing one CSV row per finished job (the work
 * is measure_run in jobs/measure.c). Rerunning the same command after a
 * crash or kill submits only the archs without a row. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "jkeys.h"
#include "measure.h"

typedef struct allow_list {
    jkey *keys;
    int n;
} allow_list;

static int add_allow(void *ctx, const char *path) {
    allow_list *a = ctx;
    return jkeys_load_allow(path, &a->keys, &a->n);
}

int cmd_measure(int argc, char **argv) {
    const char *endpoint = NULL, *key_path = NULL;
    long repeats = 1, priority = 0, hb = 500, dead = 3000, maxatt = 3, backoff = 100;
    double job_timeout = 0;
    int quiet = 0, first;
    allow_list allow = {NULL, 0};
    measure_opts o;
    measure_opts_default(&o);
    const cli_opt opts[] = {
        CLI_STR("dispatcher", "URL", &endpoint, "bind address, e.g. tcp://0.0.0.0:5555 or tcp://127.0.0.1:* (required)"),
        CLI_STR("device", "NAME", &o.device, "device name the boards announce (required)"),
        CLI_STR("archs", "FILE", &o.archs_path, "arch strings, one per line (required)"),
        CLI_STR("out", "FILE", &o.out_path, "output CSV, appended/resumed (required)"),
        CLI_STR("key", "FILE", &key_path, "the dispatcher's key pair (hwnas keygen) (required)"),
        CLI_FN("allow", "FILE", add_allow, &allow, "allowed board public keys, one per line; repeatable (required)"),
        CLI_INT("repeats", "N", &repeats, 1, 1000000, "measurements per arch (default 1; > 1 repeats on purpose)"),
        CLI_INT("priority", "N", &priority, -1000000000, 1000000000, "job priority (default 0)"),
        CLI_INT("heartbeat-ms", "N", &hb, 1, 600000, "dispatcher heartbeat period (default 500)"),
        CLI_INT("dead-ms", "N", &dead, 2, 3600000, "a board silent this long is dead (default 3000)"),
        CLI_DOUBLE("job-timeout-s", "X", &job_timeout, 0, 1e6,
                   "an attempt running longer is retried elsewhere (default 0: never)"),
        CLI_INT("max-attempts", "N", &maxatt, 1, 1000, "attempts per job before giving up (default 3)"),
        CLI_INT("backoff-ms", "N", &backoff, 0, 600000, "first retry delay, doubling (default 100)"),
        CLI_DOUBLE("timeout-s", "X", &o.timeout_s, 0, INFINITY, "stop after X seconds even if jobs remain (default 0: never)"),
        CLI_STR("endpoint-file", "FILE", &o.ep_file, "write the bound endpoint (with the real port) to FILE"),
        CLI_FLAG("quiet", &quiet, "no per-board join/leave lines"),
        CLI_END};
    const cli_spec spec = {
        "measure",
        "--dispatcher URL --device NAME --archs FILE --out FILE.csv\n--key DISP.key --allow BOARDS.pub [OPTIONS]",
        "Binds the dispatcher at URL, measures every arch of FILE (one arch string per\n"
        "line; '#' comments) on the boards of device NAME that connect, and appends one\n"
        "CSV row per arch to --out with the statistics and provenance (board, runner,\n"
        "repetitions, warm-up, board start/end time, attempts). An existing --out is\n"
        "resumed: archs that already have an ok/failed row are skipped. Progress goes\n"
        "to stderr. Exit 0 when every arch has a row, 1 if some gave up (status error)\n"
        "or the run was interrupted / timed out, 2 on bad input.",
        opts, NULL, 0, 0};
    int rc = cli_parse(&spec, argc, argv, 1, &first);
    if (rc != CLI_CONTINUE) goto done;
    rc = HW_EXIT_USAGE;
    if (!endpoint || !o.device || !o.archs_path || !o.out_path || !key_path || !allow.n) {
        cli_usage_error("measure: --dispatcher, --device, --archs, --out, --key and --allow are required");
        goto done;
    }
    if (!proto_str_ok(o.device, PROTO_ID_MAX)) {
        cli_usage_error("measure: --device '%s' must be 1..%d printable characters", o.device, PROTO_ID_MAX);
        goto done;
    }
    if (dead < 2 * hb) {
        cli_usage_error("measure: --dead-ms %ld must be at least twice --heartbeat-ms %ld", dead, hb);
        goto done;
    }
    if (jkeys_load_pair(key_path, &o.disp.public_key, &o.disp.secret_key) != 0) {
        cli_report(rc);
        goto done;
    }
    o.disp.endpoint = endpoint;
    o.disp.allow = allow.keys;
    o.disp.n_allow = allow.n;
    o.disp.heartbeat_ms = (int)hb;
    o.disp.dead_ms = (int)dead;
    o.disp.job_timeout_ms = (int)(job_timeout * 1000);
    o.disp.max_attempts = (int)maxatt;
    o.disp.backoff_ms = (int)backoff;
    o.disp.quiet = quiet;
    o.repeats = (int)repeats;
    o.priority = (int)priority;
    o.stop = cli_stop_on_signals();
    measure_result res;
    if (measure_run(&o, &res) != 0) rc = cli_report(res.bad_input ? HW_EXIT_USAGE : HW_EXIT_FAIL);
    else rc = res.complete ? HW_EXIT_OK : HW_EXIT_FAIL;
done:
    free(allow.keys);
    return rc;
}
