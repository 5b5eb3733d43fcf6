/* board_config: the board's YAML config (see board.h for the keys). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "board.h"
#include "hw_err.h"
#include "yconf.h"

void board_config_default(board_config *c) {
    memset(c, 0, sizeof *c);
    if (gethostname(c->id, sizeof c->id - 1) != 0 || !proto_str_ok(c->id, PROTO_ID_MAX))
        snprintf(c->id, sizeof c->id, "board");
    c->heartbeat_ms = 500;
    c->dispatcher_timeout_ms = 5000;
    runner_config_default(&c->runner);
}

void board_config_set(char **field, const char *value) {
    free(*field);
    *field = value ? hw_strdup(value) : NULL;
}

void board_config_clear(board_config *c) {
    free(c->dispatcher);
    free(c->dispatcher_key_spec);
    free(c->key_path);
    runner_config_clear(&c->runner);
    memset(c, 0, sizeof *c);
}

/* A short printable name (id, device) into dst. */
static int get_name(const ycfg *y, const ynode *root, const char *key, char *dst) {
    const char *s = NULL;
    if (ycfg_string(y, root, key, NULL, &s) != 0) return -1;
    if (!s) return 0;
    if (!proto_str_ok(s, PROTO_ID_MAX))
        return ycfg_fail(y, ynode_get(root, key), "must be 1..%d printable ASCII characters", PROTO_ID_MAX);
    snprintf(dst, PROTO_ID_MAX + 1, "%s", s);
    return 0;
}

/* Optional string; relative paths resolved against the config's directory. */
static int get_str(const ycfg *y, const ynode *map, const char *key, int is_path, char **dst) {
    const char *s = NULL;
    if (ycfg_string(y, map, key, NULL, &s) != 0) return -1;
    if (!s) return 0;
    if (!*s) return ycfg_fail(y, ynode_get(map, key), "must not be empty");
    free(*dst);
    *dst = is_path ? ycfg_resolve_path(y, s) : hw_strdup(s);
    return 0;
}

static int load_space(const ycfg *y, const ynode *b, bert_space_cfg *sp) {
    const ynode *s;
    if (ycfg_node(y, b, "space", YNODE_MAP, 0, &s) != 0) return -1;
    if (!s) return 0;
    if (ycfg_int_list(y, s, "layers", 1, BERT_MAX_LAYERS, sp->layers, BERT_MAX_CHOICES, &sp->n_layers) != 0 ||
        ycfg_int_list(y, s, "hidden", 1, 65536, sp->hidden, BERT_MAX_CHOICES, &sp->n_hidden) != 0 ||
        ycfg_int_list(y, s, "heads", 1, 1024, sp->heads, BERT_MAX_CHOICES, &sp->n_heads) != 0 ||
        ycfg_int_list(y, s, "ffn", 1, 1 << 20, sp->ffn, BERT_MAX_CHOICES, &sp->n_ffn) != 0)
        return -1;
    space *test;
    if (space_create_bert(sp, &test) != 0) return ycfg_fail(y, s, "%s", hw_errmsg());
    space_free(test);
    return 0;
}

static int load_builtin(const ycfg *y, const ynode *root, runner_config *r) {
    const ynode *b;
    if (ycfg_node(y, root, "builtin", YNODE_MAP, 0, &b) != 0) return -1;
    if (!b) return 0;
    long v;
    uint64_t seed;
    if (ycfg_int(y, b, "batch", 1, 4096, r->batch, &v) != 0) return -1;
    r->batch = (int)v;
    if (ycfg_int(y, b, "seq_len", 1, 8192, r->seq_len, &v) != 0) return -1;
    r->seq_len = (int)v;
    if (ycfg_int(y, b, "warmup", 0, 100000, r->warmup, &v) != 0) return -1;
    r->warmup = (int)v;
    if (ycfg_int(y, b, "runs", 1, 100000, r->runs, &v) != 0) return -1;
    r->runs = (int)v;
    if (ycfg_int(y, b, "threads", 1, 1024, r->threads, &v) != 0) return -1;
    r->threads = (int)v;
    if (ycfg_int(y, b, "vocab", 2, 1000000, r->vocab, &v) != 0) return -1;
    r->vocab = (int)v;
    if (ycfg_u64(y, b, "seed", r->seed, &seed) != 0) return -1;
    r->seed = seed;
    return load_space(y, b, &r->space);
}

static int load_command(const ycfg *y, const ynode *root, runner_config *r) {
    const ynode *c, *argv;
    if (ycfg_node(y, root, "command", YNODE_MAP, 0, &c) != 0) return -1;
    if (!c) return 0;
    if (ycfg_node(y, c, "argv", YNODE_SEQ, 1, &argv) != 0) return -1;
    if (ynode_len(argv) < 1) return ycfg_fail(y, argv, "needs at least the program to run");
    for (int i = 0; i < r->argc; i++) free(r->argv[i]);
    free(r->argv);
    r->argc = ynode_len(argv);
    r->argv = hw_calloc((size_t)r->argc, sizeof *r->argv);
    for (int i = 0; i < r->argc; i++) {
        const char *s = ynode_scalar(ynode_at(argv, i));
        if (!s) return ycfg_fail(y, ynode_at(argv, i), "argv items must be strings");
        r->argv[i] = hw_strdup(s);
    }
    long v;
    if (ycfg_double(y, c, "timeout_s", 0.001, 1e7, r->timeout_s, &r->timeout_s) != 0) return -1;
    if (ycfg_double(y, c, "scale", 1e-12, 1e12, r->scale, &r->scale) != 0) return -1;
    if (ycfg_int(y, c, "warmup", 0, 1000000, r->report_warmup, &v) != 0) return -1;
    r->report_warmup = (int)v;
    if (ycfg_bool(y, c, "keep_work", r->keep_work, &r->keep_work) != 0) return -1;
    if (get_str(y, c, "work_dir", 1, &r->work_dir) != 0) return -1;
    if (get_str(y, c, "latency_regex", 0, &r->latency_regex) != 0) return -1;
    if (!r->latency_regex) return ycfg_fail(y, c, "missing required key 'latency_regex'");
    return 0;
}

static int load_replay(const ycfg *y, const ynode *root, runner_config *r) {
    const ynode *p;
    if (ycfg_node(y, root, "replay", YNODE_MAP, 0, &p) != 0) return -1;
    if (!p) return 0;
    static const char *const keys[] = {"string", "nb201_index", NULL};
    if (get_str(y, p, "table", 1, &r->table) != 0 || get_str(y, p, "key_column", 0, &r->key_column) != 0 ||
        get_str(y, p, "value_column", 0, &r->value_column) != 0 ||
        ycfg_enum(y, p, "key", keys, r->key_nb201_index, &r->key_nb201_index) != 0 ||
        ycfg_double(y, p, "delay_ms", 0, 3.6e6, r->delay_ms, &r->delay_ms) != 0)
        return -1;
    if (!r->table) return ycfg_fail(y, p, "missing required key 'table'");
    if (!r->value_column) return ycfg_fail(y, p, "missing required key 'value_column'");
    return 0;
}

int board_config_load(const char *path, board_config *c) {
    ycfg *y = NULL;
    if (ycfg_load(path, &y) != 0) return -1;
    const ynode *root = ycfg_root(y);
    long v;
    if (get_name(y, root, "id", c->id) != 0 || get_name(y, root, "device", c->device) != 0) goto fail;
    if (get_str(y, root, "dispatcher", 0, &c->dispatcher) != 0) goto fail;
    if (get_str(y, root, "key", 1, &c->key_path) != 0) goto fail;
    {
        const char *s = NULL;
        if (ycfg_string(y, root, "dispatcher_key", NULL, &s) != 0) goto fail;
        if (s) {
            free(c->dispatcher_key_spec);
            c->dispatcher_key_spec = jkeys_valid(s) ? hw_strdup(s) : ycfg_resolve_path(y, s);
        }
    }
    if (ycfg_int(y, root, "heartbeat_ms", 10, 600000, c->heartbeat_ms, &v) != 0) goto fail;
    c->heartbeat_ms = (int)v;
    if (ycfg_int(y, root, "dispatcher_timeout_ms", 20, 3600000, c->dispatcher_timeout_ms, &v) != 0) goto fail;
    c->dispatcher_timeout_ms = (int)v;
    if (c->dispatcher_timeout_ms < 2 * c->heartbeat_ms) {
        ycfg_fail(y, ynode_get(root, "dispatcher_timeout_ms"), "must be at least twice heartbeat_ms (%d)",
                  c->heartbeat_ms);
        goto fail;
    }
    if (ycfg_enum(y, root, "runner", runner_kind_names, -1, &c->runner.kind) != 0) goto fail;
    if (c->runner.kind < 0) {
        ycfg_fail(y, root, "missing required key 'runner' (builtin, command or replay)");
        goto fail;
    }
    if (load_builtin(y, root, &c->runner) != 0 || load_command(y, root, &c->runner) != 0 ||
        load_replay(y, root, &c->runner) != 0)
        goto fail;
    if (c->runner.kind == RUNNER_COMMAND && !c->runner.argv) {
        ycfg_fail(y, root, "runner 'command' needs a 'command' section");
        goto fail;
    }
    if (c->runner.kind == RUNNER_REPLAY && !c->runner.table) {
        ycfg_fail(y, root, "runner 'replay' needs a 'replay' section");
        goto fail;
    }
    if (ycfg_check_unknown(y) != 0) goto fail;
    ycfg_free(y);
    return 0;
fail:
    ycfg_free(y);
    return -1;
}

int board_config_finish(board_config *c) {
    if (!c->device[0]) return hw_fail("board: no device name (config key 'device' or --device)");
    if (!c->dispatcher) return hw_fail("board: no dispatcher endpoint (config key 'dispatcher' or --dispatcher)");
    if (strncmp(c->dispatcher, "tcp://", 6) && strncmp(c->dispatcher, "ipc://", 6))
        return hw_fail("board: dispatcher endpoint '%s' must start with tcp:// or ipc://", c->dispatcher);
    if (!c->dispatcher_key_spec)
        return hw_fail("board: no dispatcher public key (config key 'dispatcher_key' or --dispatcher-key)");
    if (!c->key_path) return hw_fail("board: no key pair (config key 'key' or --key; make one with hwnas keygen)");
    if (jkeys_load_public(c->dispatcher_key_spec, &c->dispatcher_key) != 0) return hw_fail_prefix("dispatcher_key");
    if (jkeys_load_pair(c->key_path, &c->pub, &c->sec) != 0) return -1;
    return 0;
}
