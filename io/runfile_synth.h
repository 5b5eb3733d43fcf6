/* runfile_synth: builds realistic run snapshots without a search engine,
 * for tests, benchmarks and demos of the offline tools.
 *
 * An NB201 search is replayed with the real NSGA-II engine (nsga.h) on the
 * shipped tables: objectives top-1 accuracy on CIFAR-10 (maximise,
 * data/nb201_accuracy) and edge-GPU latency in ms (minimise,
 * data/hw_nas_bench). Accuracy counts as measured; each latency is
 * measured with probability p_measured and otherwise "predicted" (the table
 * value with 8% multiplicative Gaussian error, as a predictor would give).
 * The archive, history (HV w.r.t. (accuracy 0, latency ref) and HV ratio
 * against the table's true front), training set, model blob, dispatcher
 * queue, rank PRNGs and journal are filled consistently. */
#ifndef HW_RUNFILE_SYNTH_H
#define HW_RUNFILE_SYNTH_H

#include <stdint.h>

#include "runfile.h"

typedef struct run_synth_params {
    int islands;         /* >= 1 */
    int pop;             /* population per island, >= 4 */
    int generations;     /* >= 1 */
    long train_rows;     /* rows of the latency training set (repeats allowed) */
    int model_bytes;     /* size of the model blob */
    double p_measured;   /* probability a latency is measured */
    int nranks;
    uint64_t seed;
} run_synth_params;

void run_synth_params_default(run_synth_params *p);

/* DATA_DIR is the hwnas data directory (hw_data_dir()). */
int runfile_synth(const char *data_dir, const run_synth_params *p, run_snapshot **out);

#endif
