/* disp: the measurement dispatcher. It binds a ZeroMQ ROUTER socket (CURVE
 * server; boards connect out to it with DEALER sockets, see board.h and
 * proto.h), keeps a priority queue of measurement jobs per device, hands
 * one job at a time to each live board of the job's device, and reports
 * every job exactly once.
 *
 * Threading: a disp handle is used from ONE thread (the caller's). It owns
 * a private ZeroMQ context with one internal thread that answers ZAP
 * (authentication) requests against the allow-list; nothing else runs in
 * the background, so boards only get jobs and heartbeats while the caller
 * is inside disp_poll(). Call disp_poll at least every heartbeat_ms.
 *
 * Job life: submit -> pending -> in flight on a board -> reported once by
 * disp_poll as a disp_result. On board death (silent for dead_ms), job
 * timeout, or a PROTO_ST_ERROR answer, the attempt counts and the job goes
 * back to the queue after a backoff (backoff_ms * 2^(attempt-1), capped
 * at 10 s), preferring a board that has not failed it; after max_attempts
 * it is reported with status DISP_ERROR. A board's PROTO_ST_FAILED answer
 * (the arch cannot be measured there, e.g. no value in a replay table) is
 * definitive and reported as DISP_FAILED. A PROTO_ST_RETURNED answer (board
 * shutting down) re-queues the job at once without using an attempt.
 * Late answers (from a board declared dead, or for a cancelled or
 * re-assigned attempt) are dropped, so no job is reported twice. */
#ifndef HW_DISP_H
#define HW_DISP_H

#include <stddef.h>
#include <stdint.h>

#include "jkeys.h"
#include "proto.h"

typedef struct disp disp;

/* A peer must finish the CURVE handshake within this (ZMQ_HANDSHAKE_IVL),
 * or its connection and descriptor are dropped. */
#define DISP_HANDSHAKE_MS 2000

typedef struct disp_options {
    const char *endpoint;       /* bind address, e.g. "tcp://0.0.0.0:5555" or "tcp://127.0.0.1:*" */
    jkey public_key, secret_key; /* the dispatcher's CURVE key pair */
    const jkey *allow;          /* board public keys accepted (copied) */
    int n_allow;
    int heartbeat_ms;   /* dispatcher -> board heartbeat period (default 500) */
    int dead_ms;        /* a board silent this long is dead (default 3000) */
    int job_timeout_ms; /* an attempt running longer fails (0 = never; default 0) */
    int max_attempts;   /* attempts before DISP_ERROR (default 3) */
    int backoff_ms;     /* first retry delay (default 100) */
    /* Log sink for one-line events (board joined/died, dropped messages,
     * refused keys). Called from the caller's thread and from the ZAP
     * thread, so it must be thread-safe. NULL: "hwnas: dispatcher: ..." on
     * stderr. quiet = 1 drops the joined/left lines. */
    void (*log)(void *ud, const char *line);
    void *log_ud;
    int quiet;
} disp_options;

typedef enum disp_status {
    DISP_OK = 0,     /* measured: the *_ms fields hold the statistics */
    DISP_FAILED = 1, /* a board answered that this arch cannot be measured (see error) */
    DISP_ERROR = 2,  /* gave up after max_attempts (see error) */
} disp_status;

typedef struct disp_result {
    uint64_t job_id;
    int status; /* disp_status */
    int attempts;
    char device[PROTO_ID_MAX + 1];
    char arch[PROTO_ARCH_MAX + 1];
    /* provenance of the answering attempt (empty/0 for DISP_ERROR without answer) */
    char board_id[PROTO_ID_MAX + 1];
    char runner[PROTO_RUNNER_MAX + 1];
    int repetitions, warmup;
    double t_start, t_end; /* unix seconds, board clock */
    double median_ms, mean_ms, std_ms, min_ms;
    char error[PROTO_ERROR_MAX + 1];
} disp_result;

typedef struct disp_stats {
    uint64_t submitted;    /* jobs created */
    uint64_t deduplicated; /* submits answered with an existing job */
    uint64_t pending, in_flight;
    uint64_t done_ok, done_failed, done_error, cancelled;
    uint64_t retries;       /* attempts that failed and were re-queued */
    uint64_t returned;      /* jobs handed back by boards shutting down */
    uint64_t boards_live, boards_joined, boards_dead;
    uint64_t msgs_in, msgs_out, msgs_dropped; /* dropped = malformed/oversized/unexpected */
    uint64_t late_results;  /* answers dropped because the attempt was no longer current */
    uint64_t keys_refused;  /* ZAP refusals */
} disp_stats;

/* An unfinished job, for checkpoints (see disp_list_unfinished). */
typedef struct disp_job_info {
    uint64_t job_id;
    char device[PROTO_ID_MAX + 1];
    char arch[PROTO_ARCH_MAX + 1];
    int priority;
    int in_flight; /* 1 if a board is measuring it now */
} disp_job_info;

/* Fills defaults (endpoint NULL, keys empty: the caller sets those). */
void disp_options_default(disp_options *o);
/* Validates the options, starts the ZAP handler and binds; raises the
 * process's soft descriptor limit to its hard limit first (a dispatcher
 * holds one descriptor per connection). -1 with a
 * message on a bad key, empty allow-list, or bind failure. */
int disp_create(const disp_options *opt, disp **out);
void disp_free(disp *d);
/* The bound endpoint with the real port (ZMQ_LAST_ENDPOINT), e.g.
 * "tcp://127.0.0.1:41235". */
const char *disp_endpoint(const disp *d);

/* Queues a measurement of ARCH on a board of DEVICE (printable ASCII,
 * 1..63 and 1..511 bytes). Higher priority runs first; equal priority in
 * submission order. Deduplication: unless repeat != 0, a (device, arch)
 * already pending, in flight or answered (DISP_OK or DISP_FAILED) is not
 * queued again: *out_id is the existing job's id and 1 is returned (that
 * job is reported once, when it finishes, or already was). A job that was
 * cancelled or ended in DISP_ERROR does not block a new submit. Returns 0
 * for a new job, 1 for a duplicate, -1 on invalid arguments. */
int disp_submit(disp *d, const char *device, const char *arch, int priority, int repeat, uint64_t *out_id);

/* Does the network work and returns finished jobs. Waits at most
 * timeout_ms (0: one non-blocking pass, for loops that also call
 * MPI_Iprobe; -1: until at least one result) and returns as soon as a
 * result is ready (max == 0: just does the network work for timeout_ms).
 * Writes up to max results to out, *n_out = count; the rest stay for the
 * next call. Returns 0, or -1 on a ZeroMQ failure. */
int disp_poll(disp *d, int timeout_ms, disp_result *out, int max, int *n_out);

/* Cancels a job not yet reported: 0 if cancelled (it will never be
 * reported; a board measuring it finishes and its answer is dropped),
 * 1 if it was already reported or is ready to be, -1 if the id is unknown. */
int disp_cancel(disp *d, uint64_t job_id);

void disp_stats_get(const disp *d, disp_stats *out);

/* Jobs submitted but not yet reported or cancelled (pending and in
 * flight), in submission order; *out is malloc'd (free it), *n its length.
 * After a restart, pass them to disp_submit of a new dispatcher: the ids
 * change, the (device, arch) pairs do not. */
int disp_list_unfinished(const disp *d, disp_job_info **out, int *n);

/* Number of live boards serving DEVICE (NULL: all devices). */
int disp_boards_live(const disp *d, const char *device);
/* The devices live boards serve, for messages: "'tx2' (2 boards), 'cpu'
 * (1 board)" or "no boards", cut to fit BUF (n >= 16). */
void disp_devices_live(const disp *d, char *buf, size_t n);

#endif
