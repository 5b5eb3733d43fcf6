/* engine_comm: the engine's messages between roles, every call timed
 * (docs/engine.md, "Where the time goes"). At P > 1 MPI on the engine's
 * communicator; at P = 1 an in-process mailbox with one slot per tag, so
 * the single process sends and checks the same messages. Blocking waits
 * poll and then sleep (engine_comm_probe), so ranks waiting on an
 * oversubscribed node leave the cores to the ranks that work. */
#ifndef HW_ENGINE_COMM_H
#define HW_ENGINE_COMM_H

#include <mpi.h>
#include <stdint.h>

typedef struct eng eng; /* engine_impl.h */

/* MPI_Probe that polls: 64 spins, then sleeps of 20 us doubling to 0.5 ms,
 * so a long wait costs at most 0.5 ms of extra latency and no core. */
void engine_comm_probe(MPI_Comm comm, int src, int tag, MPI_Status *st);
/* A failing rank aborts the whole job with a clear message (never a hang). */
void engine_comm_die(eng *E, const char *what);
/* Seconds of compute on this rank so far (wall minus every other category). */
double engine_comm_computed(const eng *E);
/* Adds s seconds of communication of message kind `kind` (ENGINE_KIND_*):
 * encoding, decoding, MPI calls. */
void engine_comm_charge(eng *E, int kind, double s);
/* Files a wait of w seconds for a message its sender had not sent yet,
 * while the sender spent meas_s measuring: that much is measurement wait,
 * the rest idle. */
void engine_comm_attribute(eng *E, int kind, double w, double meas_s);
/* Clock offsets to rank 0 and a ping-pong between ranks 0 and 1 for the
 * report (collective, at start). */
void engine_comm_calibrate(eng *E);
/* The rank of island i. */
int engine_comm_isl_rank(const eng *E, int i);
/* Appends the sender's time stamp (ENGINE_STAMP_BYTES) to a malloc'd
 * message of *len bytes (reallocs; *len grows): for MPI_Isend callers. */
uint8_t *engine_comm_stamp(const eng *E, uint8_t *buf, int *len);
/* Sends len bytes (stamped) to rank `to` (P = 1: a copy into the mailbox). */
void engine_comm_send(eng *E, int to, int tag, const uint8_t *buf, int len);
/* Receives the next `tag` message from src (MPI_ANY_SOURCE allowed) into
 * *buf (malloc'd, stamp removed); returns its source. t_start: when this
 * rank began waiting (<= 0: now). *absent: seconds of that wait before the
 * sender posted the message, for the caller to attribute; the rest of the
 * wait and the transfer are communication. */
int engine_comm_recv(eng *E, int src, int tag, uint8_t **buf, int *len, double t_start, double *absent);
/* Rank 0: starts the UPDATE broadcast i (0: header, stamped here; 1: body)
 * of buf, which it owns until engine_comm_bcast_done. */
void engine_comm_ibcast(eng *E, int i, uint8_t *buf, int len);
/* Rank 0: completes the UPDATE broadcasts in flight. */
void engine_comm_bcast_done(eng *E);
/* Island: takes the UPDATE header broadcast into buf (len bytes, stamp
 * removed), calling serve(E) for each fine-tuning job rank 0 sends
 * meanwhile; returns the seconds waited before rank 0 started it. */
double engine_comm_bcast_header(eng *E, uint8_t *buf, int len, void (*serve)(eng *));
/* Island: takes the UPDATE body broadcast (communication). */
void engine_comm_bcast_body(eng *E, uint8_t *buf, int len);
/* Waits for an MPI_Isend of message kind `kind` (timed). */
void engine_comm_wait(eng *E, int kind, MPI_Request *r);
/* Every rank's time split, gathered to rank 0 and summed per role into
 * E->rep->role (collective). */
void engine_comm_gather(eng *E);


#endif
