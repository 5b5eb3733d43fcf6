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

/* MPI_Probe that spins briefly, then sleeps between polls (20 us doubling
 * to 0.5 ms): a long wait costs at most 0.5 ms of extra latency and no core. */
void engine_comm_probe(MPI_Comm comm, int src, int tag, MPI_Status *st);
/* A failing rank aborts the whole job with a clear message (never a hang). */
void engine_comm_die(eng *E, const char *what);
/* Seconds of compute on this rank so far (wall minus every other category). */
double engine_comm_computed(const eng *E);
/* Files a blocking wait of w seconds for a message whose sender spent
 * meas_s measuring and comp_s computing before it sent it: that much of the
 * wait is measurement wait and idle time, the rest communication. */
void engine_comm_attribute(eng *E, double w, double meas_s, double comp_s);
/* The rank of island i. */
int engine_comm_isl_rank(const eng *E, int i);
/* Sends len bytes to rank `to` (P = 1: a copy into the mailbox). */
void engine_comm_send(eng *E, int to, int tag, const uint8_t *buf, int len);
/* Receives the next `tag` message from src (MPI_ANY_SOURCE allowed) into
 * *buf (malloc'd); returns its source. *wait: seconds blocked until it was
 * there, for the caller to attribute; the transfer is communication. */
int engine_comm_recv(eng *E, int src, int tag, uint8_t **buf, int *len, double *wait);
/* MPI_Bcast of len bytes from rank 0 over the engine communicator (timed). */
void engine_comm_bcast(eng *E, uint8_t *buf, int len);
/* Waits for an MPI_Isend (timed). */
void engine_comm_wait(eng *E, MPI_Request *r);
/* Every rank's time split, gathered to rank 0 and summed per role into
 * E->rep->role (collective). */
void engine_comm_gather(eng *E);


#endif
