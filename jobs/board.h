/* board: the board agent (`hwnas board --config BOARD.yaml`).
 *
 * The agent connects OUT to the dispatcher (ZeroMQ DEALER, CURVE client
 * that only accepts the configured dispatcher key), announces itself
 * (HELLO: id, device, runner, capabilities), then serves one job at a time:
 * JOB -> the runner measures on a worker thread while the main thread keeps
 * heartbeating -> RESULT with provenance. It answers WHO (dispatcher
 * restarted) with a new HELLO, recreates its socket when the dispatcher has
 * been silent for dispatcher_timeout_ms, and on stop (SIGTERM) asks the
 * runner to stop, hands the job back (PROTO_ST_RETURNED) or sends its
 * result, says BYE and returns. Malformed frames are logged and dropped.
 *
 * Config (YAML, unknown keys rejected; paths relative to the file):
 *   id: tx2-01                  # board id (default: host name)
 *   device: jetson-tx2          # routing key at the dispatcher (required)
 *   dispatcher: tcp://host:5555 # endpoint the dispatcher binds (required)
 *   dispatcher_key: disp.pub    # its public key: file or 40-char Z85 (required)
 *   key: board.key              # this board's key pair (hwnas keygen) (required)
 *   heartbeat_ms: 500
 *   dispatcher_timeout_ms: 5000
 *   runner: builtin | command | replay
 *   builtin: {batch, seq_len, warmup, runs, threads, vocab, seed,
 *             space: {layers: [..], hidden: [..], heads: [..], ffn: [..]}}
 *   command: {argv: [prog, arg..], timeout_s, work_dir, latency_regex,
 *             scale, warmup, keep_work}
 *   replay:  {table, key_column, key: string|nb201_index, value_column, delay_ms}
 * The CLI may override id, device, dispatcher, dispatcher_key and key. */
#ifndef HW_BOARD_H
#define HW_BOARD_H

#include <stdatomic.h>

#include "jkeys.h"
#include "proto.h"
#include "runner.h"

typedef struct board_config {
    char id[PROTO_ID_MAX + 1];
    char device[PROTO_ID_MAX + 1];
    char *dispatcher;         /* endpoint, owned */
    char *dispatcher_key_spec; /* file path (resolved) or Z85, owned */
    char *key_path;            /* resolved, owned */
    jkey dispatcher_key, pub, sec; /* loaded by board_config_finish */
    int heartbeat_ms, dispatcher_timeout_ms;
    runner_config runner;
    int quiet; /* 1: no per-job log lines */
} board_config;

/* Defaults only (no file). */
void board_config_default(board_config *c);
/* Reads PATH into c (after board_config_default). -1 with
 * "FILE:LINE: key 'x': ..." messages. */
int board_config_load(const char *path, board_config *c);
/* After CLI overrides: checks the required fields and loads the keys. */
int board_config_finish(board_config *c);
void board_config_clear(board_config *c);
/* Replaces an owned string field (frees the old value). */
void board_config_set(char **field, const char *value);

/* Runs the agent with runner r (built by the caller from c->runner and
 * still owned by it) until *stop becomes nonzero (then finishes as
 * described above) and returns 0; -1 with a message if ZeroMQ cannot be
 * set up. Log lines go to stderr as "hwnas: board ID: ...". */
int board_run(const board_config *c, runner *r, const atomic_int *stop);

#endif
