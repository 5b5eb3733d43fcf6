/* island.c: see island.h. */
#include "island.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hw_codec.h"
#include "hw_err.h"
#include "u64map.h"

struct island {
    const search_config *cfg;
    const space *sp;
    int id, n_islands;
    nsga *e;
    surrogate *sur;          /* models loaded from blobs */
    u64map measured;         /* hash -> index into rec */
    meas_record *rec;
    int nrec, caprec;
    u64map proposed;         /* hashes this island proposed */
    pareto_archive *arch;    /* measured feasible points */
    double *obj, *cv;        /* scratch */
    int scratch_n;
    hw_genome *pool;         /* [npool] candidates for measurement proposals */
    int npool, cappool;
    u64map pool_set;
    u64map evaluated;        /* hashes of every genome this island scored */
    hw_genome *seed;         /* [nseed] warm-start records not yet in the population */
    int nseed;
    const eval_table *tab;   /* free objectives' values (island_set_table), or NULL */
    eval_table *own_tab;     /* island_load_table's (freed with the island) */
};

void island_set_table(island *is, const eval_table *tab) { is->tab = tab; }

int island_load_table(island *is) {
    int any = 0;
    for (int k = 0; k < is->cfg->n_obj; k++) any |= is->cfg->obj[k].free_cost;
    if (!any || is->tab) return 0;
    if (eval_table_create(is->cfg, is->sp, &is->own_tab)) return -1;
    is->tab = is->own_tab;
    return 0;
}

/* Objectives of g that are `cost: free` get their table value (minimised;
 * NaN when the table has none) and std 0 instead of a prediction. */
static void free_values(const island *is, const hw_genome *g, double *obj, double *std) {
    const search_config *c = is->cfg;
    int any = 0;
    for (int k = 0; k < c->n_obj; k++) any |= c->obj[k].free_cost;
    if (!any || !is->tab) return;
    double raw[HW_MAX_OBJ], cv;
    eval_table_peek(is->tab, g, raw, &cv);
    for (int k = 0; k < c->n_obj; k++)
        if (c->obj[k].free_cost) {
            obj[k] = objective_to_min(&c->obj[k], raw[k]);
            if (std) std[k] = 0;
        }
}

/* Notes genomes as evaluated (scored, by measurement or prediction). */
static void note_evaluated(island *is, const hw_genome *g, int n) {
    for (int i = 0; i < n; i++) u64map_put(&is->evaluated, space_hash(is->sp, &g[i]), 1);
}

/* Adds genomes to the proposal pool (deduplicated). */
static void pool_add(island *is, const hw_genome *g, int n) {
    for (int i = 0; i < n; i++) {
        if (!u64map_put(&is->pool_set, space_hash(is->sp, &g[i]), is->npool)) continue;
        if (is->npool == is->cappool)
            is->pool = hw_realloc(is->pool, (size_t)(is->cappool = is->cappool ? 2 * is->cappool : 1024) * sizeof *is->pool);
        is->pool[is->npool++] = g[i];
    }
}

int island_create(const search_config *cfg, const space *sp, int id, island **out) {
    island *is = hw_calloc(1, sizeof *is);
    is->cfg = cfg;
    is->sp = sp;
    is->id = id;
    u64map_init(&is->measured);
    u64map_init(&is->proposed);
    u64map_init(&is->pool_set);
    u64map_init(&is->evaluated);
    nsga_params np;
    nsga_params_default(&np);
    np.pop_size = cfg->population;
    np.n_offspring = cfg->offspring;
    np.n_obj = cfg->n_obj;
    np.p_crossover = cfg->p_crossover;
    if (cfg->p_mutation > 0) np.p_mutation = cfg->p_mutation;
    np.novelty_tries = cfg->novelty_tries;
    /* island 0 of a one-island run uses the plain seed, so P = 1 in
     * measure-everything mode reproduces the foundation search exactly */
    hw_rng r;
    rng_seed_stream(&r, cfg->seed, (uint64_t)id);
    np.seed = id == 0 ? cfg->seed : rng_next(&r);
    surrogate_params spar = {.n_obj = cfg->n_obj, .n_trees = cfg->pred_trees, .min_train = cfg->pred_min_train,
                             .seed = cfg->seed};
    for (int k = 0; k < cfg->n_obj; k++) {
        spar.method[k] = cfg->pred_method[k] ? cfg->pred_method[k] : PRED_RF;
        spar.known[k] = (uint8_t)cfg->obj[k].free_cost;
    }
    if (nsga_create(sp, &np, &is->e) || pareto_archive_create(cfg->n_obj, &is->arch) ||
        surrogate_create(sp, &spar, &is->sur)) {
        island_free(is);
        return -1;
    }
    /* small spaces: every architecture is a proposal candidate */
    int64_t size = space_size(sp);
    if (cfg->evaluator == EVAL_PREDICTOR && size > 0 && size <= cfg->pool_enumerate) {
        hw_genome g;
        for (int64_t i = 0; i < size; i++)
            if (space_from_index(sp, i, &g) == 0) pool_add(is, &g, 1);
    }
    *out = is;
    return 0;
}

void island_free(island *is) {
    if (!is) return;
    nsga_free(is->e);
    surrogate_free(is->sur);
    eval_table_free(is->own_tab);
    pareto_archive_free(is->arch);
    u64map_free(&is->measured);
    u64map_free(&is->proposed);
    u64map_free(&is->pool_set);
    u64map_free(&is->evaluated);
    free(is->pool);
    free(is->seed);
    free(is->rec);
    free(is->obj);
    free(is->cv);
    free(is);
}

static void scratch(island *is, int n) {
    if (n <= is->scratch_n) return;
    is->scratch_n = n;
    is->obj = hw_realloc(is->obj, (size_t)n * is->cfg->n_obj * sizeof *is->obj);
    is->cv = hw_realloc(is->cv, (size_t)n * sizeof *is->cv);
}

/* Violation of the config's constraints for minimised objective values. */
static double violation(const search_config *c, const double *obj_min) {
    double raw[HW_MAX_OBJ];
    for (int k = 0; k < c->n_obj; k++) raw[k] = objective_to_min(&c->obj[k], obj_min[k]);
    return objectives_violation(c, raw);
}

/* Objectives for n genomes: measured where known, else predicted. mean
 * and std are n x m (std may be NULL); measured[i] set when known. */
static void score(island *is, const hw_genome *g, int n, double *obj, double *cv, double *std, uint8_t *meas) {
    const int m = is->cfg->n_obj;
    surrogate_predict(is->sur, g, n, obj, std);
    for (int i = 0; i < n; i++) {
        int64_t r;
        if (u64map_get(&is->measured, space_hash(is->sp, &g[i]), &r)) {
            memcpy(obj + (size_t)i * m, is->rec[r].obj, (size_t)m * sizeof *obj);
            cv[i] = is->rec[r].cv;
            if (std) memset(std + (size_t)i * m, 0, (size_t)m * sizeof *std);
            if (meas) meas[i] = 1;
        } else {
            free_values(is, &g[i], obj + (size_t)i * m, std ? std + (size_t)i * m : NULL);
            cv[i] = violation(is->cfg, obj + (size_t)i * m);
            if (meas) meas[i] = 0;
        }
    }
}

int island_ask(island *is, const hw_genome **batch, int *n) { return nsga_ask(is->e, batch, n); }

int island_tell_predicted(island *is) {
    const hw_genome *b;
    int n;
    if (nsga_ask(is->e, &b, &n)) return -1;
    scratch(is, n);
    score(is, b, n, is->obj, is->cv, NULL, NULL);
    pool_add(is, b, n);
    note_evaluated(is, b, n);
    if (nsga_tell(is->e, is->obj, is->cv)) return -1;
    if (!is->nseed) return 0;
    /* the first population exists: the warm start's architectures join it
     * (replacing the worst members), with their measured values */
    int rc = island_immigrate(is, is->seed, is->nseed);
    free(is->seed);
    is->seed = NULL;
    is->nseed = 0;
    return rc;
}

/* Hypervolume gain of point p over set S (n x m) w.r.t. ref (base = HV of
 * S). */
static double hv_gain(const double *S, int n, const double *p, int m, const double *ref, double base) {
    double *T = hw_malloc((size_t)(n + 1) * m * sizeof *T);
    memcpy(T, S, (size_t)n * m * sizeof *T);
    memcpy(T + (size_t)n * m, p, (size_t)m * sizeof *T);
    double hv = base;
    hv_exact(T, n + 1, m, ref, &hv);
    free(T);
    return hv - base;
}

/* 2-D hypervolume gain of p over the points S (n x 2, sorted by the first
 * objective ascending) w.r.t. ref: the area of p's box that no point of S
 * dominates. O(n), no allocation. */
static double hv2_gain_sorted(const double *S, int n, const double *p, const double *ref) {
    if (p[0] >= ref[0] || p[1] >= ref[1]) return 0;
    double cov = 0, cur = ref[1];
    for (int i = 0; i < n; i++) {
        double x = fmax(S[2 * i], p[0]), y = fmax(S[2 * i + 1], p[1]);
        if (x >= ref[0]) break;
        if (y < cur) cov += (ref[0] - x) * (cur - y), cur = y;
    }
    return (ref[0] - p[0]) * (ref[1] - p[1]) - cov;
}

static int cmp_x2(const void *a, const void *b) {
    const double *p = a, *q = b;
    return (p[0] > q[0]) - (p[0] < q[0]);
}

#define EHVI_NS 64 /* Monte Carlo points per candidate */

/* Fixed standard-normal pairs (Box-Muller on a Fibonacci lattice): every
 * candidate and every island uses the same points, so EHVI estimates are
 * deterministic and differences between candidates carry no sampling noise. */
static void ehvi_normals(double z[EHVI_NS][2]) {
    const double phi = 0.6180339887498949;
    for (int i = 0; i < EHVI_NS; i++) {
        double u1 = (i + 0.5) / EHVI_NS, u2 = fmod((i + 1) * phi, 1.0), r = sqrt(-2 * log(u1));
        z[i][0] = r * cos(2 * M_PI * u2);
        z[i][1] = r * sin(2 * M_PI * u2);
    }
}

/* Expected 2-D hypervolume improvement of a measurement ~ N(mu, sd^2) per
 * objective (independent) over S (n x 2, sorted by x) w.r.t. ref. 0 when
 * even the mean - 3 std corner gains nothing. */
static double ehvi2(const double *S, int n, const double *mu, const double *sd, const double *ref,
                    double z[EHVI_NS][2]) {
    double lo[2] = {mu[0] - 3 * sd[0], mu[1] - 3 * sd[1]};
    if (hv2_gain_sorted(S, n, lo, ref) <= 0) return 0;
    double e = 0;
    for (int s = 0; s < EHVI_NS; s++) {
        double p[2] = {mu[0] + sd[0] * z[s][0], mu[1] + sd[1] * z[s][1]};
        e += hv2_gain_sorted(S, n, p, ref);
    }
    return e / EHVI_NS;
}

/* Lexicographic order of rows (m columns) for first_front, ties by index:
 * each item carries its row, so the sort needs no global state. */
typedef struct lex_item {
    const double *x;
    int idx, m;
} lex_item;

static int lex_cmp(const void *a, const void *b) {
    const lex_item *p = a, *q = b;
    for (int j = 0; j < p->m; j++)
        if (p->x[j] != q->x[j]) return p->x[j] < q->x[j] ? -1 : 1;
    return (p->idx > q->idx) - (p->idx < q->idx);
}

/* Indices (into P, n x m, minimised) of the rows in idx[0..ni) that no
 * other row of idx dominates; O(ni log ni + ni |front|). Returns the count
 * written to out (in lexicographic order, ties by index). */
static int first_front(const double *P, int m, const int *idx, int ni, int *out) {
    lex_item *o = hw_malloc((size_t)(ni ? ni : 1) * sizeof *o);
    int nf = 0;
    for (int a = 0; a < ni; a++) o[a] = (lex_item){.x = P + (size_t)idx[a] * m, .idx = idx[a], .m = m};
    qsort(o, (size_t)ni, sizeof *o, lex_cmp);
    /* after a lexicographic sort no row is dominated by a later one */
    for (int a = 0; a < ni; a++) {
        const double *x = o[a].x;
        int dom = 0;
        for (int f = 0; f < nf && !dom; f++) {
            const double *y = P + (size_t)out[f] * m;
            int le = 1, lt = 0;
            for (int j = 0; j < m; j++) {
                le &= y[j] <= x[j];
                lt |= y[j] < x[j];
            }
            dom = le && lt;
            if (!dom) { /* exact duplicates: keep only the first */
                int eq = 1;
                for (int j = 0; j < m; j++) eq &= y[j] == x[j];
                dom = eq;
            }
        }
        if (!dom) out[nf++] = o[a].idx;
    }
    free(o);
    return nf;
}

/* Active learning (see docs/engine.md, "Predictor mode"). Candidates: the
 * pool (every genome this island evaluated, plus the whole space when it is
 * small enough to enumerate) minus what is measured or already proposed.
 * Each candidate's optimistic point is mean - beta * std of a measurement
 * (minimised form; std includes the surrogate's noise estimate).
 *  hv_contribution: greedy, k times: among the optimistic non-dominated
 *    candidates that are optimistically feasible, the largest exact
 *    hypervolume gain over the measured front plus the picks so far
 *    (whose optimistic points join the front: batch diversity); when no
 *    candidate gains, the most uncertain one.
 *  ehvi (2 objectives; otherwise as hv_contribution): greedy, k times: the
 *    optimistically feasible candidate with the largest expected
 *    hypervolume improvement of its measurement (mean, std of a
 *    measurement, Monte Carlo over fixed normal points) over the measured
 *    front plus the picks so far (each pick joins as its optimistic point);
 *    no expected gain anywhere: the most uncertain optimistic-front member.
 *  uncertainty: the most uncertain member of the predicted front.
 *  constraint_boundary: the candidate whose predicted constrained value is
 *    the fewest standard deviations from the bound (predicted-front
 *    members first). */
void island_set_count(island *is, int n) { is->n_islands = n > 0 ? n : 1; }

/* Drops the candidates the feasibility model (surrogate_feasible) expects
 * to fail: P(feasible) below predictor.feasible_min. Order kept; returns
 * the count left. */
static int feasible_only(const island *is, hw_genome *cg, int nc) {
    double *p = hw_malloc((size_t)(nc ? nc : 1) * sizeof *p);
    surrogate_feasible(is->sur, cg, nc, p);
    int k = 0;
    for (int i = 0; i < nc; i++)
        if (p[i] >= is->cfg->feasible_min) cg[k++] = cg[i];
    free(p);
    return k;
}

int island_propose(island *is, int k_out, hw_genome *out, int *n_out) {
    const search_config *c = is->cfg;
    const int m = c->n_obj;
    *n_out = 0;
    if (k_out <= 0) return 0;
    /* Islands with the same models and candidates would pick the same
     * architectures; island i proposes picks i*k .. (i+1)*k-1 of the
     * greedy order, so one round measures k per island, not k in all. */
    const int skip = (is->n_islands > 1 ? is->id : 0) * k_out, k = skip + k_out;
    int nc = 0;
    hw_genome *cg = hw_malloc((size_t)(is->npool ? is->npool : 1) * sizeof *cg); /* [nc] candidates */
    for (int i = 0; i < is->npool; i++) {
        uint64_t h = space_hash(is->sp, &is->pool[i]);
        if (u64map_get(&is->measured, h, NULL) || u64map_get(&is->proposed, h, NULL)) continue;
        cg[nc++] = is->pool[i];
    }
    nc = feasible_only(is, cg, nc);
    const size_t N = (size_t)(nc ? nc : 1);
    double *mu = hw_malloc(N * m * sizeof *mu), *sd = hw_malloc(N * m * sizeof *sd); /* [nc x m] */
    double *opt = hw_malloc(N * m * sizeof *opt);                                   /* [nc x m] optimistic */
    double *cv = hw_malloc(N * sizeof *cv), *unc = hw_malloc(N * sizeof *unc);    /* [nc] */
    int *idx = hw_malloc(N * sizeof *idx), *fr = hw_malloc(N * sizeof *fr);       /* [nc] */
    uint8_t *taken = hw_calloc(N, 1);
    score(is, cg, nc, mu, cv, sd, NULL);
    double scale[HW_MAX_OBJ];
    for (int j = 0; j < m; j++) { /* normalise stds by the spread of predictions */
        double lo = INFINITY, hi = -INFINITY;
        for (int i = 0; i < nc; i++) {
            lo = fmin(lo, mu[(size_t)i * m + j]);
            hi = fmax(hi, mu[(size_t)i * m + j]);
        }
        scale[j] = hi > lo ? hi - lo : 1;
    }
    const double beta = c->beta;
    for (int i = 0; i < nc; i++) {
        unc[i] = 0;
        for (int j = 0; j < m; j++) {
            opt[(size_t)i * m + j] = mu[(size_t)i * m + j] - beta * sd[(size_t)i * m + j];
            unc[i] += sd[(size_t)i * m + j] / scale[j];
        }
    }
    /* measured front + picks so far, for HV gains */
    int na = pareto_archive_size(is->arch);
    double *S = hw_malloc((size_t)(na + k + 1) * m * sizeof *S);
    for (int i = 0; i < na; i++) memcpy(S + (size_t)i * m, pareto_archive_obj(is->arch, i), (size_t)m * sizeof *S);
    double ref[HW_MAX_OBJ], base = 0;
    for (int j = 0; j < m; j++) ref[j] = objective_to_min(&c->obj[j], c->ref[j]);
    const int is_hv = c->policy == POLICY_HV || c->policy == POLICY_EHVI;
    const int use_hv = is_hv && c->has_ref, use_ehvi = use_hv && c->policy == POLICY_EHVI && m == 2;
    if (use_hv && na) hv_exact(S, na, m, ref, &base);
    double z[EHVI_NS][2], *Ss = use_ehvi ? hw_malloc((size_t)(na + k + 1) * 2 * sizeof *Ss) : NULL;
    if (use_ehvi) ehvi_normals(z);
    for (int pick = 0; pick < k; pick++) {
        int ni = 0, best = -1, nf;
        double bestv = -INFINITY;
        if (is_hv) {
            for (int i = 0; i < nc; i++)
                if (!taken[i] && violation(c, opt + (size_t)i * m) == 0) idx[ni++] = i;
            if (use_ehvi) { /* every feasible candidate can gain in expectation */
                memcpy(Ss, S, (size_t)(na + pick) * 2 * sizeof *Ss);
                qsort(Ss, (size_t)(na + pick), 2 * sizeof *Ss, cmp_x2);
                for (int a = 0; a < ni; a++) {
                    int i = idx[a];
                    double e = ehvi2(Ss, na + pick, mu + (size_t)i * 2, sd + (size_t)i * 2, ref, z);
                    if (e > 0 && 1e6 + e > bestv) bestv = 1e6 + e, best = i;
                }
            }
            nf = best >= 0 ? 0 : first_front(opt, m, idx, ni, fr);
            for (int f = 0; f < nf; f++) {
                int i = fr[f];
                double g = use_hv && !use_ehvi ? hv_gain(S, na + pick, opt + (size_t)i * m, m, ref, base) : 0;
                double v = g > 0 ? 1e6 + g : unc[i]; /* no gain anywhere: the most uncertain */
                if (v > bestv) bestv = v, best = i;
            }
        } else {
            for (int i = 0; i < nc; i++)
                if (!taken[i] && cv[i] == 0) idx[ni++] = i;
            nf = first_front(mu, m, idx, ni, fr);
            if (c->policy == POLICY_UNCERTAINTY) {
                for (int f = 0; f < nf; f++)
                    if (unc[fr[f]] > bestv) bestv = unc[fr[f]], best = fr[f];
            } else { /* constraint boundary */
                uint8_t *onf = hw_calloc(N, 1);
                for (int f = 0; f < nf; f++) onf[fr[f]] = 1;
                for (int i = 0; i < nc; i++) {
                    if (taken[i]) continue;
                    double dmin = INFINITY;
                    for (int q = 0; q < c->n_con; q++)
                        for (int j = 0; j < m; j++)
                            if (!strcmp(c->con[q].name, c->obj[j].name)) {
                                double nat = objective_to_min(&c->obj[j], mu[(size_t)i * m + j]);
                                double s = sd[(size_t)i * m + j] + 1e-12 * fabs(c->con[q].bound) + 1e-300;
                                dmin = fmin(dmin, fabs(nat - c->con[q].bound) / s);
                            }
                    double v = -dmin - (onf[i] ? 0 : 1e3);
                    if (v > bestv) bestv = v, best = i;
                }
                free(onf);
            }
        }
        if (best < 0) break;
        taken[best] = 1;
        if (pick >= skip) {
            out[(*n_out)++] = cg[best];
            u64map_put(&is->proposed, space_hash(is->sp, &cg[best]), 1);
        }
        memcpy(S + (size_t)(na + pick) * m, opt + (size_t)best * m, (size_t)m * sizeof *S);
        if (use_hv) hv_exact(S, na + pick + 1, m, ref, &base);
    }
    free(cg);
    free(mu);
    free(sd);
    free(opt);
    free(cv);
    free(unc);
    free(idx);
    free(fr);
    free(taken);
    free(S);
    free(Ss);
    return 0;
}

int island_update(island *is, const meas_record *r, int n, const uint8_t *blob, size_t len) {
    for (int i = 0; i < n; i++) {
        uint64_t h = space_hash(is->sp, &r[i].g);
        if (u64map_get(&is->measured, h, NULL)) continue;
        if (is->nrec == is->caprec)
            is->rec = hw_realloc(is->rec, (size_t)(is->caprec = is->caprec ? 2 * is->caprec : 256) * sizeof *is->rec);
        is->rec[is->nrec] = r[i];
        u64map_put(&is->measured, h, is->nrec++);
        nsga_mark_seen(is->e, &r[i].g);
        if (!strcmp(r[i].runner, GTS_WARM_RUNNER)) {
            is->seed = hw_realloc(is->seed, (size_t)(is->nseed + 1) * sizeof *is->seed);
            is->seed[is->nseed++] = r[i].g;
        }
        if (r[i].cv == 0) pareto_archive_insert(is->arch, r[i].obj, h, &r[i].g);
    }
    if (blob && surrogate_load(is->sur, blob, len)) return -1;
    if (nsga_generation(is->e) < 0 || nsga_pop_size(is->e) == 0) return 0;
    /* re-score the population with what is now known */
    int np = nsga_pop_size(is->e);
    scratch(is, np);
    score(is, nsga_pop_genomes(is->e), np, is->obj, is->cv, NULL, NULL);
    return nsga_update_objectives(is->e, is->obj, is->cv);
}

int island_emigrants(const island *is, int k, hw_genome *out, int *n) {
    int np = nsga_pop_size(is->e);
    if (k > np) k = np;
    int *idx = hw_malloc((size_t)(k ? k : 1) * sizeof *idx);
    if (nsga_best(is->e, k, idx)) {
        free(idx);
        return -1;
    }
    for (int i = 0; i < k; i++) out[i] = nsga_pop_genomes(is->e)[idx[i]];
    *n = k;
    free(idx);
    return 0;
}

int island_immigrate(island *is, const hw_genome *g, int n) {
    if (n <= 0) return 0;
    scratch(is, n);
    score(is, g, n, is->obj, is->cv, NULL, NULL);
    note_evaluated(is, g, n);
    return nsga_immigrate(is->e, g, is->obj, is->cv, n, (nsga_replace_policy)is->cfg->mig_replace);
}

int island_generation(const island *is) { return nsga_generation(is->e); }
const pareto_archive *island_archive(const island *is) { return is->arch; }
nsga *island_engine(island *is) { return is->e; }
int island_model_version(const island *is) { return surrogate_version(is->sur); }

/* The keys of a hash set (slot order; only membership matters). */
static void put_keys(hw_wbuf *w, const u64map *m) {
    hw_put_i64(w, (int64_t)u64map_size(m));
    for (size_t i = 0; i < m->cap; i++)
        if (m->used[i]) hw_put_u64(w, m->keys[i]);
}

int64_t island_evaluated(const island *is, uint64_t **ids) {
    int64_t n = 0;
    *ids = hw_malloc((u64map_size(&is->evaluated) ? u64map_size(&is->evaluated) : 1) * sizeof **ids);
    for (size_t i = 0; i < is->evaluated.cap; i++)
        if (is->evaluated.used[i]) (*ids)[n++] = is->evaluated.keys[i];
    return n;
}

/* Blob (hw_codec, little-endian): "HWIS" u32 2, u64 nsga_len, nsga bytes,
 * i64 npool, pool genomes, i64 nprop, proposed hashes, i64 neval,
 * evaluated hashes (sets in the map's slot order: only membership
 * matters). Version 1 (no evaluated set) still loads, with an empty set. */
int island_export(const island *is, uint8_t **out, size_t *len) {
    unsigned char *nb;
    size_t nl;
    if (nsga_serialize(is->e, &nb, &nl)) return -1;
    hw_wbuf w;
    hw_wbuf_init(&w);
    hw_put_header(&w, "HWIS", 4, 2);
    hw_put_u64(&w, nl);
    hw_put_bytes(&w, nb, nl);
    free(nb);
    hw_put_i64(&w, is->npool);
    for (int i = 0; i < is->npool; i++) hw_put_i16s(&w, is->pool[i].g, HW_MAX_GENES);
    put_keys(&w, &is->proposed);
    put_keys(&w, &is->evaluated);
    *out = hw_wbuf_take(&w, len);
    return *out ? 0 : hw_fail("island state: out of memory");
}

/* Replaces a hash set by a count and that many keys read from R. */
static int get_keys(hw_rbuf *r, u64map *m, const char *what) {
    int64_t n = hw_get_i64(r);
    if (!hw_rbuf_ok(r) || n < 0 || (uint64_t)n > hw_rbuf_left(r) / 8) return hw_fail("island state: truncated %s", what);
    u64map_free(m);
    u64map_init(m);
    for (int64_t i = 0; i < n; i++) u64map_put(m, hw_get_u64(r), 1);
    return 0;
}

int island_import(island *is, const uint8_t *buf, size_t len) {
    hw_rbuf r;
    hw_rbuf_init(&r, buf, len);
    uint32_t ver;
    if (hw_get_header_range(&r, "HWIS", 4, 1, 2, "island state", &ver)) return -1;
    uint64_t nl = hw_get_u64(&r);
    const uint8_t *nb = hw_rbuf_ok(&r) && nl <= hw_rbuf_left(&r) ? hw_get_span(&r, (size_t)nl) : NULL;
    if (!nb) return hw_fail("island state: truncated engine");
    int64_t np = hw_get_i64(&r);
    if (!hw_rbuf_ok(&r) || np < 0 || (uint64_t)np > hw_rbuf_left(&r) / (2 * HW_MAX_GENES))
        return hw_fail("island state: truncated pool");
    hw_genome *pool = hw_malloc((size_t)(np ? np : 1) * sizeof *pool);
    for (int64_t i = 0; i < np; i++) hw_get_i16s(&r, pool[i].g, HW_MAX_GENES);
    u64map prop, eval;
    u64map_init(&prop);
    u64map_init(&eval);
    nsga *e = NULL;
    int rc = -1;
    if (get_keys(&r, &prop, "proposals") || (ver >= 2 && get_keys(&r, &eval, "evaluated set"))) goto fail;
    if (!hw_rbuf_done(&r)) {
        hw_fail("island state: %zu trailing bytes", hw_rbuf_left(&r));
        goto fail;
    }
    if (nsga_restore(is->sp, nb, (size_t)nl, &e)) goto fail;
    nsga_free(is->e);
    is->e = e;
    /* the pool in its original order (order breaks ties in proposals) */
    is->npool = 0;
    u64map_free(&is->pool_set);
    u64map_init(&is->pool_set);
    pool_add(is, pool, (int)np);
    u64map_free(&is->proposed);
    is->proposed = prop;
    u64map_free(&is->evaluated);
    is->evaluated = eval;
    rc = 0;
fail:
    if (rc) {
        u64map_free(&prop);
        u64map_free(&eval);
    }
    free(pool);
    return rc;
}
