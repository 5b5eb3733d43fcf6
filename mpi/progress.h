/* progress: what a running search tells tools and people, from rank 0
 * (docs/config.md "Progress log").
 *
 *   - a JSON-lines log (output.progress): one object per measurement
 *     ("event": "measurement") as records arrive and one per generation
 *     ("event": "generation"), each line one write(2) in O_APPEND mode, so
 *     `tail -f` and readers polling the file always see whole lines;
 *   - a one-line bar on stderr (--progress, only when stderr is a
 *     terminal): measurements/budget, board time, HV ratio (HV without a
 *     true front), generation; redrawn in place with '\r'. */
#ifndef HW_PROGRESS_H
#define HW_PROGRESS_H

#include "gtserver.h"
#include "search.h"

typedef struct progress progress;

/* PATH: the log (NULL or "": none), created or appended to; BAR: draw the
 * bar when stderr is a terminal. -1 with hw_errmsg when PATH cannot be
 * opened. *out is NULL when neither is wanted. */
int progress_create(const search_config *cfg, const space *sp, const char *path, int bar, progress **out);
/* Ends the bar's line; closes the log. NULL is fine. */
void progress_free(progress *p);

/* Record r (index i of the run's records, measurements = this run's count
 * so far, board_s = board seconds so far). -1 with hw_errmsg on a write
 * error. */
int progress_measurement(progress *p, const meas_record *r, long i, long measurements, double board_s);
/* History row h with the board seconds so far. */
int progress_generation(progress *p, const search_history_row *h, double board_s);
/* Clears the bar's line before someone else writes a line to stderr (the
 * per-generation lines); the next progress_generation redraws it. */
void progress_clear_bar(progress *p);

#endif
