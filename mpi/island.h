/* island: one island of the search (one MPI rank, or the whole search when
 * P = 1): an NSGA-II engine whose objectives are measured values where
 * known and surrogate predictions elsewhere, a mirror of the measured
 * records (so every island's archive is the global one), and the
 * active-learning policy that proposes what to measure next.
 *
 * Per generation: island_ask -> (measure-everything mode) the caller gets
 * the batch measured, applies the records with island_update, then calls
 * island_tell_predicted, which finds every value measured; (predictor mode)
 * island_tell_predicted, then island_propose -> the caller routes the
 * proposals to the gtserver -> island_update with the new records and,
 * when retrained, the model blob. Migration: island_emigrants /
 * island_immigrate at generation boundaries. */
#ifndef HW_ISLAND_H
#define HW_ISLAND_H

#include "gtserver.h"

typedef struct island island;

/* id is the island number (0..n-1); its PRNG stream is (seed, id). */
int island_create(const search_config *cfg, const space *sp, int id, island **out);
/* The ground-truth tables (borrowed; they outlive the island): objectives
 * with `cost: free` are read from them for every candidate scored, never
 * predicted. Without tables they are predicted like the others. */
void island_set_table(island *is, const eval_table *tab);
/* The same with tables the island loads itself (when the caller has none;
 * a no-op without free objectives). 0, or -1 with hw_errmsg. */
int island_load_table(island *is);
void island_free(island *is);

int island_ask(island *is, const hw_genome **batch, int *n);
/* Tells the engine the batch's objectives: measured values where known
 * (in measure-everything mode, after the batch's update, all of them),
 * surrogate predictions elsewhere. */
int island_tell_predicted(island *is);
/* Tells the island how many islands the run has (default 1): with several,
 * island i proposes the picks after those of islands 0..i-1. */
void island_set_count(island *is, int n);
/* Up to k genomes to measure (never one already measured or proposed by
 * this island). */
int island_propose(island *is, int k, hw_genome *out, int *n);
/* New measurement records (any island's) and an optional model blob
 * (NULL, 0 when unchanged); re-scores the population. */
int island_update(island *is, const meas_record *r, int n, const uint8_t *blob, size_t len);

/* Migration: the k best members; and migrants to insert (re-scored with
 * this island's own knowledge). */
int island_emigrants(const island *is, int k, hw_genome *out, int *n);
int island_immigrate(island *is, const hw_genome *g, int n);

int island_generation(const island *is);
const pareto_archive *island_archive(const island *is);
nsga *island_engine(island *is);
int island_model_version(const island *is);
/* The hashes of every architecture this island evaluated (scored by
 * measurement or prediction, migrants included): *ids malloc'd; returns
 * the count. */
int64_t island_evaluated(const island *is, uint64_t **ids);

/* Checkpoints: the island's exact state (NSGA engine incl. PRNG, candidate
 * pool, proposed set) as a blob, and its inverse. Measured records and the
 * model are not in it: the dispatcher re-sends them with island_update. */
int island_export(const island *is, uint8_t **out, size_t *len);
int island_import(island *is, const uint8_t *buf, size_t len);

#endif
