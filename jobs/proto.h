/* proto: the board <-> dispatcher wire format (version 1).
 *
 * Every message is ONE ZeroMQ frame (on the dispatcher's ROUTER the
 * routing-id frame precedes it) of at most PROTO_MAX_MSG bytes:
 *
 *   offset 0  'H' 'J'          magic
 *          2  u8 version       PROTO_VERSION
 *          3  u8 type          proto_type
 *          4  body             fixed field sequence per type, below
 *
 * Field encodings (little endian): u8, u32, u64; f64 = IEEE-754 bits as
 * u64 and must be finite; str = u16 length + bytes, bounded per field,
 * printable ASCII (0x20..0x7e) only, no NUL. The body must be consumed
 * exactly: short, long (trailing bytes), unknown type/version, over-long
 * or non-printable strings, non-finite numbers and out-of-range enums are
 * all rejected by proto_decode with a message.
 *
 *   HELLO     board->disp  str board_id, str device, str runner, str caps,
 *                          u64 busy_job, u32 busy_attempt   (0,0 = idle)
 *   WELCOME   disp->board  (empty)
 *   JOB       disp->board  u64 job_id, u32 attempt, str arch
 *   RESULT    board->disp  u64 job_id, u32 attempt, u8 status, str runner,
 *                          u32 repetitions, u32 warmup, f64 t_start,
 *                          f64 t_end, f64 median_ms, f64 mean_ms,
 *                          f64 std_ms, f64 min_ms, str error
 *   HEARTBEAT disp->board  (empty)
 *             board->disp  u64 last_job, u32 last_attempt, u8 holding:
 *                          the last JOB the board received and whether it
 *                          still holds it (running, or answer not yet sent);
 *                          lets the dispatcher notice a JOB or RESULT lost
 *                          in a reconnect
 *   WHO       disp->board  (empty) "I do not know you: send HELLO"
 *   BYE       board->disp  (empty) the board is leaving
 */
#ifndef HW_PROTO_H
#define HW_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define PROTO_VERSION 1
#define PROTO_MAX_MSG 2048   /* bytes; larger frames are dropped unparsed */
#define PROTO_ID_MAX 63      /* board id, device name */
#define PROTO_RUNNER_MAX 31
#define PROTO_CAPS_MAX 255
#define PROTO_ARCH_MAX 511   /* == HW_ARCH_STR_MAX - 1 */
#define PROTO_ERROR_MAX 255

typedef enum proto_type {
    PROTO_HELLO = 1,
    PROTO_WELCOME = 2,
    PROTO_JOB = 3,
    PROTO_RESULT = 4,
    PROTO_HEARTBEAT = 5,
    PROTO_WHO = 6,
    PROTO_BYE = 7,
} proto_type;

/* Result status of one measurement attempt. */
typedef enum proto_status {
    PROTO_ST_OK = 0,       /* measured */
    PROTO_ST_FAILED = 1,   /* definitive: this arch cannot be measured here (not retried) */
    PROTO_ST_ERROR = 2,    /* transient runner/board error (retried on another board) */
    PROTO_ST_RETURNED = 3, /* board shutting down, job handed back (re-queued, no attempt used) */
} proto_status;
#define PROTO_ST_COUNT 4

typedef struct proto_msg {
    int type; /* proto_type */
    /* HELLO */
    char board_id[PROTO_ID_MAX + 1];
    char device[PROTO_ID_MAX + 1];
    char runner[PROTO_RUNNER_MAX + 1]; /* also RESULT */
    char caps[PROTO_CAPS_MAX + 1];
    /* HELLO (busy job), JOB, RESULT, HEARTBEAT from a board (last job) */
    uint64_t job_id;
    uint32_t attempt;
    int holding;  /* HEARTBEAT from a board: 1 if it still holds job_id */
    int from_board; /* HEARTBEAT: encode/decode the board->disp form */
    /* JOB */
    char arch[PROTO_ARCH_MAX + 1];
    /* RESULT */
    int status; /* proto_status */
    uint32_t repetitions, warmup;
    double t_start, t_end; /* unix seconds on the board */
    double median_ms, mean_ms, std_ms, min_ms;
    char error[PROTO_ERROR_MAX + 1];
} proto_msg;

/* Zeroes m and sets its type. */
void proto_init(proto_msg *m, proto_type type);
/* Encodes m into buf (cap bytes); *len = bytes used. -1 if a string is too
 * long / not printable, a number not finite, or buf too small. */
int proto_encode(const proto_msg *m, uint8_t *buf, size_t cap, size_t *len);
/* Strictly decodes one frame; -1 with a message saying what is wrong.
 * from_board selects the direction (only HEARTBEAT differs): 1 on the
 * dispatcher (frames come from boards), 0 on a board. */
int proto_decode(const uint8_t *buf, size_t len, int from_board, proto_msg *out);
/* "HELLO", "JOB", ... or "?" */
const char *proto_type_name(int type);
/* "ok", "failed", "error", "returned" or "?" */
const char *proto_status_name(int status);
/* 1 if s is a non-empty printable-ASCII string of at most max bytes. */
int proto_str_ok(const char *s, size_t max);

#endif
