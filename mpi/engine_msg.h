/* engine_msg: the engine's MPI messages as little-endian byte strings
 * (src/util/hw_codec.h; tags, version and fixed sizes in engine_tags.h).
 *
 * Every message starts with ENGINE_WIRE_VERSION. Packers return a malloc'd
 * buffer and its length; unpackers check the version, every count against
 * the bytes left, and that nothing is left over, and return -1 with a
 * message naming the message and the mismatch (never read past the end). */
#ifndef HW_ENGINE_MSG_H
#define HW_ENGINE_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "gtserver.h"

/* PROPOSE: an island's batch size and its proposals for generation gen. */
typedef struct emsg_propose {
    int32_t gen, n_batch, n;
    int32_t signal; /* lock-step: the number of a signal (SIGUSR1/SIGTERM/SIGINT) pending on the island, 0: none */
    double busy_s; /* the island's compute since its previous message to rank 0 */
} emsg_propose;

/* stop on a signal; checkpoint; bits 8-15: the signal's number (for /@stopped_by) */
enum { EMSG_BOUNDARY_SIGNAL = 1, EMSG_BOUNDARY_CKPT = 2, EMSG_BOUNDARY_SIGNO_SHIFT = 8 };

/* UPDATE: rank 0's answer: new records, the model blob, the stop flag. */
typedef struct emsg_update {
    int32_t gen, stop, served, n_rec; /* served: async, the island rank this answers (0: none) */
    int32_t boundary;                 /* lock-step: what every rank does at this generation's boundary:
                                         EMSG_BOUNDARY_* bits */
    int32_t bcast;                    /* 1: records and blob are not in the message: they follow as one
                                         MPI_Bcast body (emsg_update_body_*) */
    double meas_s, comp_s;            /* rank 0's seconds measuring / computing or waiting for other islands this round */
    const meas_record *rec;           /* [n_rec]; unpack: malloc'd, caller frees */
    const uint8_t *blob;              /* model blob (NULL: unchanged); unpack: points into the message */
    uint64_t blob_len;
    int has_blob;                     /* unpack of a bcast header: a blob is in the body */
} emsg_update;

uint8_t *emsg_propose_pack(const emsg_propose *h, const hw_genome *g, int *len);
/* *g: malloc'd [h->n] (never NULL on success). */
int emsg_propose_unpack(const uint8_t *buf, size_t len, emsg_propose *h, hw_genome **g);

uint8_t *emsg_update_pack(const emsg_update *u, int *len);
/* A bcast header leaves rec and blob NULL; emsg_update_body_len says how
 * many bytes the broadcast body has (0: none is sent). */
int emsg_update_unpack(const uint8_t *buf, size_t len, emsg_update *u);
/* The broadcast body of a bcast UPDATE: its records, then the blob. */
size_t emsg_update_body_len(const emsg_update *u);
uint8_t *emsg_update_body_pack(const emsg_update *u, int *len);
/* Fills u->rec (malloc'd) and u->blob (into buf) from a body of exactly
 * emsg_update_body_len(u) bytes. */
int emsg_update_body_unpack(const uint8_t *buf, size_t len, emsg_update *u);

/* MIGRANTS (ids NULL, nid 0) and FINAL (archive genomes + the hashes of
 * every architecture the island evaluated). */
uint8_t *emsg_genomes_pack(const hw_genome *g, int n, const uint64_t *ids, int64_t nid, int *len);
/* *g, *ids: malloc'd (never NULL on success). */
int emsg_genomes_unpack(const uint8_t *buf, size_t len, hw_genome **g, int *n, uint64_t **ids, int64_t *nid);

#endif
