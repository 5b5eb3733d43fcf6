/* engine_ckpt: run_snapshot <-> engine state (engine.c's checkpoints).
 *
 * What goes where (docs/hdf5-schema.md has the file layout):
 *   engine_global   "HWEN" header (generation, evaluations, wall time) +
 *                   the dispatcher's exact state (gts_export: every record
 *                   in measurement order, board seconds, surrogate models)
 *   islands[i]      generation, population (natural units, measured flags),
 *                   engine_state = island_export blob, PRNG
 *   archive, evaluated, trainsets, models, history, rank_rng
 *                   readable copies for h5dump/h5py and `hwnas front`
 * Resume uses engine_global and the island blobs only; the rest is for
 * people and tools. */
#ifndef HW_ENGINE_CKPT_H
#define HW_ENGINE_CKPT_H

#include "gtserver.h"
#include "runfile.h"
#include "search.h"

typedef struct eckpt_state {
    int generation;        /* last completed generation */
    long evaluations;
    double wall_s;         /* wall time used so far, across resumes */
    char *const *table_hashes; /* cfg->n_tables (eckpt_table_hashes), or NULL */
} eckpt_state;

/* "fnv1a64:%016x" of each of cfg's data tables' bytes (hw_hash_bytes, seed
 * 0) into *out (cfg->n_tables strings, freed with eckpt_hashes_free);
 * -1 with "PATH: ..." if a table cannot be read. */
int eckpt_table_hashes(const search_config *cfg, char ***out);
void eckpt_hashes_free(char **h, int n);

/* Every measured point of the dispatcher, in measurement order, as the
 * run file's /evaluated (natural units, measured flags, cv, proposer,
 * prediction); free with run_points_clear. */
void eckpt_evaluated(const search_config *cfg, const space *sp, const gts *gt, run_points *out);
/* Builds the snapshot; island blobs are copied. Records rank 0's host, its
 * BLAS threads, the config's hash and st->table_hashes. */
int eckpt_build(const search_config *cfg, const space *sp, gts *gt, const search_result *res,
                const eckpt_state *st, uint8_t *const *blobs, const size_t *lens, int nisl, uint64_t meas_seq,
                run_snapshot **out);
/* Checks the snapshot belongs to this config (the same configuration once
 * parsed: formatting, key order and how a path is written do not matter;
 * the same seed, space, objectives); -1 naming what differs otherwise. */
/* The config stored in run file RUN, its relative paths resolved from
 * the config file the run was started from (/@config_path). */
int eckpt_config_from_run(const char *run, search_config **out);
int eckpt_check(const run_snapshot *snap, const search_config *cfg, const space *sp, const char *path);
/* Restores the dispatcher: counters, gts state, history into res. */
int eckpt_restore_dispatcher(const run_snapshot *snap, gts *gt, eckpt_state *st, search_result *res);

#endif
