/* nsga: NSGA-II (Deb et al. 2002) as an ask/tell engine over a space, plus
 * its building blocks. All objectives are MINIMISED here: the objective
 * layer (objective.h) negates maximised ones before they reach this module.
 *
 * Constraint handling is Deb's constrained domination: cv[i] >= 0 is the
 * total constraint violation of point i (0 = feasible). A feasible point
 * dominates an infeasible one; of two infeasible points the smaller cv
 * dominates; two feasible points compare by Pareto dominance.
 *
 * Engine flow:
 *   nsga_create -> loop { nsga_ask (a batch of genomes to evaluate);
 *                         evaluate; nsga_tell (their objectives) }
 * The first ask returns the initial population (pop_size random distinct
 * genomes); each later ask returns n_offspring children made by binary
 * tournament (rank, then crowding), crossover and mutation; tell performs
 * elitist (mu + lambda) environmental selection. */
#ifndef HW_NSGA_H
#define HW_NSGA_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"
#include "space.h"

/* ---- building blocks (nsga_sort.c, nsga_crowding.c) ------------------- */

/* Non-dominated sorting of n points with m objectives (obj is n x m,
 * row-major). out_rank[i] = front index (0 = non-dominated). cv may be NULL
 * (all feasible). Cost O(n log n) for m = 2, O(n log^(m-1) n) for m >= 3
 * (Jensen / Fortin et al. divide and conquer). Identical points get the
 * same rank. Infeasible points (cv > 0, NaN cv or a NaN objective = cv
 * +INF) come after all feasible fronts, one front per distinct cv value.
 * Returns the number of fronts. */
int nd_sort(const double *obj, const double *cv, int n, int m, int *out_rank);

/* Crowding distance within each front (rank as from nd_sort): boundary
 * points get +INFINITY. out is n doubles. O(m n log n). */
void crowding_distance(const double *obj, const int *rank, int n, int m, double *out);

/* 1 if a constrained-dominates b (see above). */
int nsga_dominates(const double *a, double cva, const double *b, double cvb, int m);

/* ---- hypervolume (hv.c) ---------------------------------------------- */

#define HV_MAX_OBJ 8

/* Exact hypervolume dominated by the n points (n x m, minimised) and
 * bounded by ref. Points not strictly better than ref in every objective
 * (or with a NaN coordinate) contribute nothing. m = 1: ref - min; m = 2:
 * O(n log n) sweep; m = 3: O(n log n) (Beume et al.'s sweep over a
 * Fenwick-tree staircase); 4 <= m <= HV_MAX_OBJ: slicing along the last
 * objective down to the 3-D sweep, O(n^{m-2} log n). Other m, or a
 * non-finite ref: -1 (error set). out_hv receives the volume. */
int hv_exact(const double *pts, int n, int m, const double *ref, double *out_hv);

/* ---- front metrics (front_metrics.c) ----------------------------------- */

/* The knee of a front of n points (n x m, minimised, all finite): each
 * objective is normalised to [0, 1] over the front, and the knee is the
 * point farthest below the hyperplane through the normalised extremes,
 * sum_j f_j = 1, i.e. the point with the smallest sum of normalised
 * objectives (Das 1999's rule; for two objectives exactly the point
 * farthest from the line through the two extreme points when they sit at
 * the normalised corners). Ties: the lowest index. -1 on an empty front or
 * a non-finite value (error set). */
int front_knee(const double *pts, int n, int m, int *out_idx);

/* IGD+ (Ishibuchi et al., EMO 2015) of the na-point front APPROX against
 * the nr-point reference front REFS (both minimised, n x m): the mean over
 * reference points z of min over a of sqrt(sum_j max((a_j - z_j)/s_j, 0)^2),
 * with s = scale (NULL: 1). 0 when APPROX covers REFS; +inf when APPROX is
 * empty; -1 when REFS is empty (error set). */
int front_igd_plus(const double *approx, int na, const double *refs, int nr, int m, const double *scale,
                   double *out);

/* ---- unbounded Pareto archive (pareto_archive.c) --------------------- */

/* Keeps every mutually non-dominated point ever inserted (feasible points
 * only: callers insert cv == 0 points). Each point carries a 64-bit id (the
 * genome hash) and the genome. A point equal in every objective to an
 * archived one but with another id is kept too (it is not dominated). A
 * dominated insert is refused; an insert that dominates archived points
 * removes them. Never loses a non-dominated point. */
typedef struct pareto_archive pareto_archive;
int pareto_archive_create(int m, pareto_archive **out);
void pareto_archive_free(pareto_archive *a);
/* Returns 1 if the point entered the archive, 0 if dominated or an id
 * already archived. */
int pareto_archive_insert(pareto_archive *a, const double *obj, uint64_t id, const hw_genome *g);
int pareto_archive_size(const pareto_archive *a);
int pareto_archive_nobj(const pareto_archive *a);
/* Accessors valid until the next insert; i in 0..size-1. */
const double *pareto_archive_obj(const pareto_archive *a, int i);
uint64_t pareto_archive_id(const pareto_archive *a, int i);
const hw_genome *pareto_archive_genome(const pareto_archive *a, int i);
/* Inserts n points at once (obj n x m, ids n, g n genomes or NULL). For
 * distinct ids the result equals n single inserts in order; a batch point
 * whose id is archived before the batch or repeats an earlier batch point
 * is skipped. For m = 2 and large batches this
 * is one sort of the batch plus a linear merge (O(b log b + size)) instead
 * of a memmove per insert. *out_entered (may be NULL) = how many batch points
 * are in the archive afterwards. Returns 0. */
int pareto_archive_insert_batch(pareto_archive *a, const double *obj, const uint64_t *ids, const hw_genome *g,
                                int n, int *out_entered);
/* Hypervolume of the archive w.r.t. ref (see hv_exact). */
int pareto_archive_hv(const pareto_archive *a, const double *ref, double *out_hv);
void pareto_archive_clear(pareto_archive *a);

/* ---- the engine (nsga.c) ---------------------------------------------- */

/* Defaults (nsga_params_default), tuned for sample efficiency on NB201 x
 * TX2 (docs/nsga.md): pop_size 36, n_offspring 6, n_obj 2, p_crossover 0.3,
 * p_mutation 0.03, seed 1, novelty_tries 50, p_elite 0, tournament_size 2.
 * A caller that sets a large pop_size should set n_offspring too (e.g. 0 =
 * pop_size, the textbook generational NSGA-II). */
typedef struct nsga_params {
    int pop_size;       /* mu; >= 4 */
    int n_offspring;    /* lambda; 0 means pop_size */
    int n_obj;          /* m >= 1 */
    double p_crossover; /* probability a pair is recombined */
    double p_mutation;  /* per-gene mutation probability; <= 0 means 1/ngenes */
    uint64_t seed;
    /* When > 0, a child equal to a genome already evaluated (or already in
     * this batch) is re-drawn up to this many times before it is accepted,
     * so evaluations go to new architectures. 0 disables. */
    int novelty_tries;
    /* Probability that a parent is drawn uniformly from the engine's elite
     * archive (every non-dominated feasible point told so far) instead of
     * by a binary tournament in the population. 0 disables the archive
     * (textbook NSGA-II). */
    double p_elite;
    /* Contestants per parent tournament; 0 or 2 = binary tournament. */
    int tournament_size;
} nsga_params;

void nsga_params_default(nsga_params *p);

typedef struct nsga nsga;

int nsga_create(const space *s, const nsga_params *p, nsga **out);
void nsga_free(nsga *e);

/* The next batch to evaluate: *out_batch points to *out_n genomes owned by
 * the engine, valid until the next nsga_tell. Calling ask twice without a
 * tell returns the same batch. */
int nsga_ask(nsga *e, const hw_genome **out_batch, int *out_n);
/* Objectives (n x m, minimised) and constraint violations (n; NULL = all
 * feasible) of the batch from the last ask, in order. Non-finite objectives
 * are treated as infeasible (cv = +INF). Runs environmental selection and
 * advances the generation counter (the initial population is generation 0). */
int nsga_tell(nsga *e, const double *obj, const double *cv);

/* Generation of the current population: -1 before the first tell, 0 after
 * the initial population was told, g after g offspring batches. */
int nsga_generation(const nsga *e);
/* The engine's parameters, with defaults resolved (n_offspring 0 stays 0;
 * p_mutation <= 0 is replaced by 1/ngenes). */
const nsga_params *nsga_get_params(const nsga *e);
int nsga_nobj(const nsga *e);
/* Current population (after the last tell): size, genomes, objectives
 * (size x m), cv, rank, crowding. */
int nsga_pop_size(const nsga *e);
const hw_genome *nsga_pop_genomes(const nsga *e);
const double *nsga_pop_obj(const nsga *e);
const double *nsga_pop_cv(const nsga *e);
const int *nsga_pop_rank(const nsga *e);
const double *nsga_pop_crowding(const nsga *e);

/* Migration: indices of the k best members (rank, then crowding desc). */
int nsga_best(const nsga *e, int k, int *out_idx);
/* Migrant replacement policies. */
typedef enum { NSGA_REPLACE_WORST = 0, NSGA_REPLACE_RANDOM = 1 } nsga_replace_policy;
/* Inserts n evaluated migrants into the population, replacing members by
 * the policy (worst = highest rank, then lowest crowding), then re-ranks.
 * Migrants already present (same genome) are skipped; at most pop_size are
 * taken. Migrants are marked seen (novelty) and enter the elite archive.
 * -1 if a migrant is not a valid genome of the space. */
int nsga_immigrate(nsga *e, const hw_genome *g, const double *obj, const double *cv, int n,
                   nsga_replace_policy policy);
/* Replaces objective values of population members (e.g. when predictions
 * are refreshed by a new predictor version) and re-ranks. The elite
 * archive (p_elite > 0) is rebuilt from the population, since its old
 * values are stale. */
int nsga_update_objectives(nsga *e, const double *obj, const double *cv);
/* Marks a genome as already evaluated for novelty purposes (e.g. a resumed
 * run's history, or archs measured by other islands). */
void nsga_mark_seen(nsga *e, const hw_genome *g);

/* The engine's elite archive (non-dominated feasible points told so far,
 * including migrants), or NULL when p_elite == 0. Valid until the next
 * tell / immigrate / update_objectives. */
const pareto_archive *nsga_elite(const nsga *e);

/* The engine's PRNG (state saved in checkpoints). */
hw_rng *nsga_rng(nsga *e);

/* Complete engine state for checkpoints: a flat byte buffer
 * (versioned) that nsga_restore turns back into an engine that continues
 * bit-identically. */
int nsga_serialize(const nsga *e, unsigned char **out_buf, size_t *out_len);
int nsga_restore(const space *s, const unsigned char *buf, size_t len, nsga **out);

#endif
