/* journal: the append-only measurement log next to a run file
 * (RUN.h5.journal), so that board measurements that arrive between two
 * checkpoints survive a crash.
 *
 * File: a 16-byte header "HWNASJNL" + u32 version (1) + u32 0, then records
 *   u32 magic 0x524A5748 ("HWJR") | u32 payload length L | u32 CRC-32 of
 *   the payload | payload: u64 seq, f64 value, f64 t_start, f64 t_end,
 *   then arch, device, target, board, runner each as u32 length + bytes.
 * All integers and doubles little-endian. A batch of records is one
 * write() followed by fdatasync(). Replay stops at the first record that is
 * incomplete or fails its CRC (a torn write at crash time). */
#ifndef HW_JOURNAL_H
#define HW_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "runfile.h"

typedef struct journal journal;

/* PATH + ".journal" into BUF; -1 if it does not fit. */
int journal_path(const char *runpath, char *buf, size_t n);

/* Opens PATH for appending, creating it if absent. A torn tail left by a
 * crash is cut off, so new records follow the last complete one. Sequence
 * numbers continue after max(MIN_SEQ, the last seq in the file): pass the
 * resumed snapshot's meas_seq. */
int journal_open(const char *path, uint64_t min_seq, journal **out);
/* Appends N measurements as one batch (one write + fdatasync), assigning
 * m[i].seq = last + 1, last + 2, ... (written back into M). Strings must be
 * non-NULL and shorter than 64 KiB. */
int journal_append(journal *j, run_measurement *m, int n);
/* The journal's file name (as given to journal_open). */
const char *journal_file(const journal *j);
/* The last sequence number assigned (0 if none). */
uint64_t journal_last_seq(const journal *j);
/* After a checkpoint that contains every measurement with seq <=
 * COVERED_SEQ: rewrites the journal keeping only later records (temp file,
 * fsync, rename, fsync dir). A crash at any point leaves a journal whose
 * replay gives the same result. */
int journal_compact(journal *j, uint64_t covered_seq);
void journal_close(journal *j);

/* Replays PATH into S: complete records with seq > s->meas_seq are appended
 * to s->meas in file order and s->meas_seq is raised to the largest seq.
 * A missing file replays nothing. Returns the number of records replayed,
 * or -1 when the header is not a journal's; *out_torn_bytes (may be NULL)
 * gets the number of trailing bytes ignored. */
int journal_replay(const char *path, run_snapshot *s, long *out_torn_bytes);

/* Reads every complete record of PATH into a new array (for tools/tests). */
int journal_read_all(const char *path, run_measurement **out, int *out_n, long *out_torn_bytes);

uint32_t hw_crc32(const void *data, size_t n);

#endif
