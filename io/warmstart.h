/* warmstart: measurements made before a search, to start it from
 * (`hwnas search CONFIG --warm-start FILE`; docs/config.md "Warm start").
 *
 * FILE is one of
 *   - a `hwnas measure` CSV (columns device, arch, status, median_ms, board,
 *     runner, t_start, t_end): each `ok` row is a value of the objective
 *     whose device is the row's device;
 *   - a run file (RUN.h5): its training sets /predictor/trainsets/K, each a
 *     target (objective name) on a device;
 *   - any other CSV with a column `arch` and columns named after the
 *     config's objectives (natural units; empty cells are missing).
 * The result is one run_measurement per (arch, objective) value, with
 * target = the objective's name and device = its device ("table" for an
 * objective without one), which gts_warm_start (mpi/gtserver.h) turns into
 * records. */
#ifndef HW_WARMSTART_H
#define HW_WARMSTART_H

#include "runfile.h"
#include "search_config.h"
#include "space.h"

/* Loads PATH for CFG's objectives in space SP: 0 with *out (malloc'd, free
 * each with run_measurement_clear, then the array) and *n, or -1 with a
 * one-line message naming the file and what is wrong (not readable, no
 * usable column, a device no objective has, a run file of other
 * objectives, an arch string that is not one of SP). */
int warmstart_load(const char *path, const search_config *cfg, const space *sp, run_measurement **out, int *n);

#endif
