/* runtrials: the table of every candidate a run measured (`hwnas trials`,
 * src/cli/cmd_trials.c; docs/analysis.md "Trials table").
 *
 * One row per measured candidate, in measurement order: the run file's
 * /evaluated table (or, for a run file without one, the island populations
 * and the archive). Per objective: the value, whether it was measured, the
 * surrogate's mean/std when the candidate was proposed (empty / null where
 * the predictor did not score it), and where and when it was measured: the
 * board id, runner and times of the candidate's row in that objective's
 * training set (/predictor/trainsets/K, matched by architecture). */
#ifndef HW_RUNTRIALS_H
#define HW_RUNTRIALS_H

#include "fsutil.h"
#include "runfile.h"

enum { RUNTRIALS_CSV = 0, RUNTRIALS_JSON = 1 };

/* Appends the table of S as CSV (header + one line per row) or one JSON
 * document ({"space", "objectives", "trials": [...]}) to OUT. */
void runtrials_format(const run_snapshot *s, int fmt, hw_buf *out);

#endif
