/* engine_tags: every MPI tag of hwnas and the engine's wire version, in one
 * place (engine.c, engine_ft.c).
 *
 * Every engine message is a little-endian byte string (src/util/hw_codec.h)
 * that starts with the u32 ENGINE_WIRE_VERSION; a receiver checks the
 * version and that the message is exactly as long as its fields say before
 * it uses any of it, and treats a mismatch as an error (a rank of another
 * build, or a bug), never as data. Fixed-size parts have their wire size
 * here, checked against the in-memory layout with _Static_assert where the
 * two must agree. */
#ifndef HW_ENGINE_TAGS_H
#define HW_ENGINE_TAGS_H

enum {
    ENGINE_TAG_PROPOSE = 101,  /* island -> rank 0: proposals of generation g */
    ENGINE_TAG_UPDATE = 102,   /* rank 0 -> islands: new records, model blob, stop */
    ENGINE_TAG_MIGRANTS = 103, /* island -> island: emigrants */
    ENGINE_TAG_FINAL = 104,    /* island -> rank 0: archive + evaluated set at the end */
    ENGINE_TAG_CKPT = 105,     /* island -> rank 0: island state at a checkpoint */
    ENGINE_TAG_RESUME = 106,   /* rank 0 -> island: island state on resume */
    ENGINE_TAG_FTJOB = 107,    /* rank 0 -> island: one fine-tuning job */
    ENGINE_TAG_FTRESULT = 108, /* island -> rank 0: its result */
    ENGINE_TAG_CALIB = 109,    /* rank 0 <-> island: clock offset and ping-pong at start */
    ENGINE_TAG_FIRST = ENGINE_TAG_PROPOSE,
    ENGINE_TAG_LAST = ENGINE_TAG_CALIB,
};

/* Bumped whenever a message layout below changes. */
#define ENGINE_WIRE_VERSION 4u

/* Every MPI message of engine_comm_send and the UPDATE header broadcast ends
 * with the time its sender posted it (f64 seconds on rank 0's clock). */
#define ENGINE_STAMP_BYTES 8

/* Wire sizes (bytes) of the fixed parts. */
#define ENGINE_GENOME_BYTES (2 * 64)              /* HW_MAX_GENES int16 genes */
#define ENGINE_PROPOSE_HDR_BYTES (4 + 4 * 4 + 8)  /* version, gen, n_batch, n, signal, busy_s */
#define ENGINE_UPDATE_HDR_BYTES (4 + 4 * 6 + 8 * 2 + 8) /* version, gen, stop, boundary, served, n_rec, bcast, meas_s, comp_s, blob_len */
#define ENGINE_GENOMES_HDR_BYTES (4 + 4)          /* version, n (MIGRANTS, FINAL) */
#define ENGINE_RECORD_BYTES (ENGINE_GENOME_BYTES + 8 * 8 + 8 * 3 + 32 + 16 + 8 * 2 + 4 + 16) /* meas_record */

#endif
