/* search_check: start-up checks of a search config against the files it
 * depends on, before MPI starts (bad input: one line, exit 2, on every
 * rank, never a failure an hour into the run).
 *
 *   - proxy fine-tuning: the search space must lie inside the supernet's
 *     space (each of its layer / hidden / head / FFN lists a subset of the
 *     supernet's); without `space.bert` the search space IS the supernet's;
 *   - boards with `boards.configs`: every objective's device must be the
 *     `device` of one of those board configs, and a builtin-runner board
 *     config's space must contain the search space.
 * Which boards actually connect is only known at run time (mpi/gtserver.c
 * names the missing device then). */
#ifndef HW_SEARCH_CHECK_H
#define HW_SEARCH_CHECK_H

#include "search_config.h"

/* Runs the checks above on c (and fills c->bert from the supernet when
 * space.bert was not given). 0, or -1 with a one-line "FILE:LINE: ..."
 * message naming the config key and the value. */
int search_check_start(search_config *c);

#endif
