/* nsga: the NSGA-II ask/tell engine (see nsga.h for the contract).
 *
 * State: the population (mu genomes with objectives, cv, rank, crowding and
 * genome hashes), the pending batch (asked, not yet told), the set of
 * genome hashes already handed out for evaluation ("seen", for novelty),
 * the PRNG, the generation counter. Everything is flat arrays, so the
 * state serializes to one buffer and restores bit-exactly.
 *
 * ask (generation >= 0): lambda children, each pair from two binary
 *   tournaments (lower rank wins, then larger crowding, then a coin),
 *   recombined with probability p_crossover by space_crossover and mutated
 *   gene-wise by space_mutate. A child whose hash was seen (or is already in
 *   this batch) is discarded and another one drawn, up to novelty_tries
 *   consecutive discards; then it is accepted anyway. (Children are drawn in
 *   blocks of 64 so the hash-set lookups can be prefetched; a block's
 *   leftover children are dropped when the batch is full.)
 * tell: mu + lambda elitist selection: nd_sort of the union, whole fronts
 *   while they fit, the last front by crowding distance (computed on that
 *   front) descending, index ascending. The new population's crowding is
 *   recomputed on it (ranks stay exact: every dominator front is kept).
 *
 * Memory at mu = lambda = 1e5 with 2 objectives: ~3 genome arrays of 12.8
 * MB, a few MB of doubles, and the seen set (16 bytes per evaluated genome
 * at load 1/2). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hw_codec.h"
#include "hw_err.h"
#include "nsga.h"
#include "nsga_util.h"

#define NSGA_MAGIC "UHWSNSGA" /* the u64 0x4147534e53574855 of version-2 states, little-endian */
#define NSGA_VERSION 2u
#define NSGA_INIT_TRIES 50

struct nsga {
    const space *s;
    nsga_params p;
    int m, ng;        /* objectives, genes */
    int mu, lambda;
    hw_rng rng;
    int gen;          /* generation of the current population, -1 before the first tell */
    /* population */
    int npop;
    hw_genome *pg;    /* [mu] */
    double *pobj;     /* [mu x m] */
    double *pcv;      /* [mu] */
    int *prank;       /* [mu] */
    double *pcrowd;   /* [mu] */
    uint64_t *phash;  /* [mu] */
    /* pending batch */
    int pending, nb;
    hw_genome *bg;    /* [max(mu, lambda)] */
    uint64_t *bhash;  /* [max(mu, lambda)] */
    /* selection scratch over the union (mu + lambda) */
    double *cobj;     /* [(mu + lambda) x m] */
    double *ccv;      /* [mu + lambda] */
    int *crank;       /* [mu + lambda] */
    int *sel;         /* [mu + lambda] chosen union indices */
    hw_genome *ng_buf; /* [mu] next population genomes */
    u64set seen;
    hw_ws ws;          /* scratch kept across generations (not serialized) */
    pareto_archive *elite; /* non-dominated feasible points told so far (p_elite > 0) */
};

/* Defaults tuned for sample efficiency on NB201 x TX2 (bench_nb201_efficiency,
 * tuning seeds 101-140, validated on 201-300; the benchmark reports seeds
 * 1-10): a small steady-state-like population (36 parents, 6 children per
 * generation), mostly one-gene mutations, little crossover, novelty on.
 * These are what `hwnas search` uses unless the config overrides them. */
void nsga_params_default(nsga_params *p) {
    memset(p, 0, sizeof *p);
    p->pop_size = 36;
    p->n_offspring = 6;
    p->n_obj = 2;
    p->p_crossover = 0.3;
    p->p_mutation = 0.03;
    p->seed = 1;
    p->novelty_tries = 50;
    p->p_elite = 0.0;
    p->tournament_size = 2;
}

static int check_params(const space *s, const nsga_params *p) {
    if (p->pop_size < 4) return hw_fail("nsga: pop_size %d (need >= 4)", p->pop_size);
    if (p->pop_size > 50000000) return hw_fail("nsga: pop_size %d too large", p->pop_size);
    if (p->n_offspring < 0 || p->n_offspring > 50000000)
        return hw_fail("nsga: n_offspring %d out of range (0 = pop_size)", p->n_offspring);
    if (p->n_obj < 1 || p->n_obj > 64) return hw_fail("nsga: n_obj %d out of range 1..64", p->n_obj);
    if (!(p->p_crossover >= 0 && p->p_crossover <= 1))
        return hw_fail("nsga: p_crossover %g not in [0, 1]", p->p_crossover);
    if (!(p->p_mutation <= 1)) return hw_fail("nsga: p_mutation %g > 1", p->p_mutation);
    if (p->novelty_tries < 0) return hw_fail("nsga: novelty_tries %d < 0", p->novelty_tries);
    if (!(p->p_elite >= 0 && p->p_elite <= 1)) return hw_fail("nsga: p_elite %g not in [0, 1]", p->p_elite);
    if (p->tournament_size < 0 || p->tournament_size > p->pop_size)
        return hw_fail("nsga: tournament_size %d out of range 0..pop_size", p->tournament_size);
    if (space_ngenes(s) < 1) return hw_fail("nsga: space '%s' has no genes", space_name(s));
    return 0;
}

static nsga *alloc_engine(const space *s, const nsga_params *p) {
    nsga *e = hw_calloc(1, sizeof *e);
    e->s = s;
    e->p = *p;
    e->m = p->n_obj;
    e->ng = space_ngenes(s);
    e->mu = p->pop_size;
    e->lambda = p->n_offspring > 0 ? p->n_offspring : p->pop_size;
    if (!(e->p.p_mutation > 0)) e->p.p_mutation = 1.0 / e->ng;
    size_t mu = (size_t)e->mu, nu = (size_t)e->mu + e->lambda, bmax = (size_t)(e->mu > e->lambda ? e->mu : e->lambda);
    e->pg = hw_calloc(mu, sizeof *e->pg); /* zeroed: copies move only ng genes */
    e->pobj = hw_malloc(mu * e->m * sizeof *e->pobj);
    e->pcv = hw_malloc(mu * sizeof *e->pcv);
    e->prank = hw_malloc(mu * sizeof *e->prank);
    e->pcrowd = hw_malloc(mu * sizeof *e->pcrowd);
    e->phash = hw_malloc(mu * sizeof *e->phash);
    e->bg = hw_calloc(bmax, sizeof *e->bg);
    e->bhash = hw_malloc(bmax * sizeof *e->bhash);
    e->cobj = hw_malloc(nu * e->m * sizeof *e->cobj);
    e->ccv = hw_malloc(nu * sizeof *e->ccv);
    e->crank = hw_malloc(nu * sizeof *e->crank);
    e->sel = hw_malloc(nu * sizeof *e->sel);
    e->ng_buf = hw_calloc(mu, sizeof *e->ng_buf);
    e->gen = -1;
    if (e->p.p_elite > 0) HW_ASSERT(pareto_archive_create(e->m, &e->elite) == 0);
    return e;
}

int nsga_create(const space *s, const nsga_params *p, nsga **out) {
    if (check_params(s, p)) return -1;
    nsga *e = alloc_engine(s, p);
    rng_seed(&e->rng, p->seed);
    *out = e;
    return 0;
}

void nsga_free(nsga *e) {
    if (!e) return;
    free(e->pg);
    free(e->pobj);
    free(e->pcv);
    free(e->prank);
    free(e->pcrowd);
    free(e->phash);
    free(e->bg);
    free(e->bhash);
    free(e->cobj);
    free(e->ccv);
    free(e->crank);
    free(e->sel);
    free(e->ng_buf);
    u64set_free(&e->seen);
    hw_ws_free(&e->ws);
    pareto_archive_free(e->elite);
    free(e);
}

/* ---- ask ------------------------------------------------------------------- */

/* Whole-struct copy: a fixed 128-byte copy is inlined, a variable-length
 * memcpy of the live genes is a libc call (measured slower at mu = 1e5). */
static inline void copy_genome(hw_genome *dst, const hw_genome *src, int ng) {
    (void)ng;
    *dst = *src;
}

/* Two distinct random contestants of a binary tournament. */
static inline void draw_pair(nsga *e, int *i, int *j) {
    int n = e->npop;
    *i = (int)rng_below(&e->rng, (uint64_t)n);
    *j = (int)rng_below(&e->rng, (uint64_t)(n - 1));
    if (*j >= *i) (*j)++;
}

/* Winner of the tournament between i and j. */
static int tournament_winner(nsga *e, int i, int j) {
    if (i == j) return i;
    if (e->prank[i] != e->prank[j]) return e->prank[i] < e->prank[j] ? i : j;
    if (e->pcrowd[i] != e->pcrowd[j]) return e->pcrowd[i] > e->pcrowd[j] ? i : j;
    return (rng_next(&e->rng) & 1) ? i : j;
}

static void make_initial(nsga *e) {
    int tries = 0;
    int limit = e->p.novelty_tries > NSGA_INIT_TRIES ? e->p.novelty_tries : NSGA_INIT_TRIES;
    e->nb = 0;
    while (e->nb < e->mu) {
        hw_genome *g = &e->bg[e->nb];
        space_sample(e->s, &e->rng, g);
        uint64_t h = space_hash(e->s, g);
        if (!u64set_add(&e->seen, h) && tries < limit) { /* one probe: test and insert */
            tries++;
            continue;
        }
        tries = 0;
        e->bhash[e->nb++] = h;
    }
}

/* Children are made in blocks of NSGA_BLOCK in phases: draw all tournament
 * contestants (prefetching their rank / crowding), pick the winners
 * (prefetching their genomes), recombine and mutate (prefetching the seen
 * set slots of the children's hashes), then accept or discard in order.
 * At large mu every one of these is a random access into tens of MB, so
 * the phases overlap the memory latencies. */
#define NSGA_BLOCK 64
static void make_offspring(nsga *e) {
    int tries = 0;
    hw_genome blk[NSGA_BLOCK];
    uint64_t bh[NSGA_BLOCK];
    e->nb = 0;
    while (e->nb < e->lambda) {
        int want = e->lambda - e->nb;
        if (want > NSGA_BLOCK) want = NSGA_BLOCK;
        want += want & 1;
        int ci[2 * NSGA_BLOCK];
        const hw_genome *par[NSGA_BLOCK];
        int nel = e->elite ? pareto_archive_size(e->elite) : 0;
        for (int k = 0; k < want; k++) {
            if (nel > 0 && rng_uniform(&e->rng) < e->p.p_elite) { /* parent from the elite archive */
                ci[2 * k] = -1 - (int)rng_below(&e->rng, (uint64_t)nel);
                continue;
            }
            draw_pair(e, &ci[2 * k], &ci[2 * k + 1]);
            __builtin_prefetch(&e->prank[ci[2 * k]]);
            __builtin_prefetch(&e->prank[ci[2 * k + 1]]);
            __builtin_prefetch(&e->pcrowd[ci[2 * k]]);
            __builtin_prefetch(&e->pcrowd[ci[2 * k + 1]]);
        }
        for (int k = 0; k < want; k++) {
            if (ci[2 * k] < 0) {
                par[k] = pareto_archive_genome(e->elite, -1 - ci[2 * k]);
                continue;
            }
            int w = tournament_winner(e, ci[2 * k], ci[2 * k + 1]);
            for (int c = 2; c < e->p.tournament_size; c++) /* k-ary: more contestants */
                w = tournament_winner(e, w, (int)rng_below(&e->rng, (uint64_t)e->npop));
            par[k] = &e->pg[w];
            __builtin_prefetch(par[k]);
            __builtin_prefetch((const char *)par[k] + 64);
        }
        for (int k = 0; k < want; k += 2) {
            const hw_genome *a = par[k], *b = par[k + 1];
            if (rng_uniform(&e->rng) < e->p.p_crossover) {
                space_crossover(e->s, &e->rng, a, b, &blk[k], &blk[k + 1]);
            } else {
                blk[k] = *a;
                blk[k + 1] = *b;
            }
            space_mutate(e->s, &e->rng, e->p.p_mutation, &blk[k]);
            space_mutate(e->s, &e->rng, e->p.p_mutation, &blk[k + 1]);
            bh[k] = space_hash(e->s, &blk[k]);
            bh[k + 1] = space_hash(e->s, &blk[k + 1]);
            u64set_prefetch(&e->seen, bh[k]);
            u64set_prefetch(&e->seen, bh[k + 1]);
        }
        for (int k = 0; k < want && e->nb < e->lambda; k++) {
            int fresh = u64set_add(&e->seen, bh[k]); /* one probe: test and insert */
            if (!fresh && tries < e->p.novelty_tries) {
                tries++;
                continue;
            }
            tries = 0;
            copy_genome(&e->bg[e->nb], &blk[k], e->ng);
            e->bhash[e->nb++] = bh[k];
        }
    }
}

int nsga_ask(nsga *e, const hw_genome **out_batch, int *out_n) {
    if (!e->pending) {
        if (e->gen < 0)
            make_initial(e);
        else
            make_offspring(e);
        e->pending = 1;
    }
    *out_batch = e->bg;
    *out_n = e->nb;
    return 0;
}

/* ---- tell ------------------------------------------------------------------ */

static double clean_cv(const double *obj, int m, const double *cv, int i) {
    double c = cv ? cv[i] : 0.0;
    if (isnan(c)) c = INFINITY;
    if (c < 0) c = 0;
    for (int j = 0; j < m; j++)
        if (!isfinite(obj[(size_t)i * m + j])) c = INFINITY;
    return c;
}

/* nd_sort + crowding of the current population. */
static void rerank(nsga *e) {
    nd_sort_ws(&e->ws, e->pobj, e->pcv, e->npop, e->m, e->prank);
    crowding_distance_ws(&e->ws, e->pobj, e->prank, e->npop, e->m, e->pcrowd);
}

typedef struct cdx {
    double c;
    int i;
} cdx;
#define CDX_LESS(ctx, x, y) ((x).c > (y).c || ((x).c == (y).c && (x).i < (y).i))
HW_DEFINE_MSORT(sort_cdx, cdx, CDX_LESS)

/* Non-finite objectives are replaced by +INF in the stored copy so that
 * sorting and crowding stay well defined (the point is infeasible anyway). */
static void store_obj(double *dst, const double *src, int m) {
    for (int j = 0; j < m; j++) dst[j] = isnan(src[j]) ? INFINITY : src[j];
}

/* Keeps mu of the union (pop + batch) by rank, then crowding. */
static void environmental_selection(nsga *e) {
    int m = e->m, n = e->npop + e->nb, mu = e->mu;
    memcpy(e->cobj, e->pobj, (size_t)e->npop * m * sizeof *e->cobj);
    memcpy(e->ccv, e->pcv, (size_t)e->npop * sizeof *e->ccv);
    /* batch objectives were stored at cobj + npop * m by tell */
    hw_ws *w = &e->ws;
    int nf = nd_sort_ws(w, e->cobj, e->ccv, n, m, e->crank);
    int *cnt = hw_ws_get(w, WS_SEL_CNT, ((size_t)nf + 1) * sizeof *cnt);
    memset(cnt, 0, ((size_t)nf + 1) * sizeof *cnt);
    for (int i = 0; i < n; i++) cnt[e->crank[i]]++;
    int last = 0, taken = 0;
    while (last < nf && taken + cnt[last] <= mu) taken += cnt[last++];
    int k = 0;
    for (int i = 0; i < n; i++)
        if (e->crank[i] < last) e->sel[k++] = i;
    if (k < mu && last < nf) {
        int s = cnt[last];
        int *mem = hw_ws_get(w, WS_SEL_MEM, (size_t)s * sizeof *mem);
        double *fo = hw_ws_get(w, WS_SEL_FO, (size_t)s * m * sizeof *fo);
        int *fr = hw_ws_get(w, WS_SEL_FR, (size_t)s * sizeof *fr);
        memset(fr, 0, (size_t)s * sizeof *fr);
        double *fc = hw_ws_get(w, WS_SEL_FC, (size_t)s * sizeof *fc);
        cdx *cd = hw_ws_get(w, WS_SEL_CD, (size_t)s * sizeof *cd);
        cdx *tmp = hw_ws_get(w, WS_SEL_CDTMP, ((size_t)s / 2 + 1) * sizeof *tmp);
        int t = 0;
        for (int i = 0; i < n; i++)
            if (e->crank[i] == last) {
                mem[t] = i;
                memcpy(fo + (size_t)t * m, e->cobj + (size_t)i * m, (size_t)m * sizeof *fo);
                t++;
            }
        crowding_distance_ws(w, fo, fr, s, m, fc);
        for (t = 0; t < s; t++) {
            cd[t].c = fc[t];
            cd[t].i = t;
        }
        sort_cdx(cd, tmp, (size_t)s, NULL);
        int need = mu - k;
        /* the chosen: fronts < last, plus the `need` most spread of front
         * `last`; rebuilt in ascending union order by one scan */
        unsigned char *take = hw_ws_get(w, WS_SEL_PICK, (size_t)n);
        for (int i = 0; i < n; i++) take[i] = e->crank[i] < last;
        for (t = 0; t < need; t++) take[mem[cd[t].i]] = 1;
        k = 0;
        for (int i = 0; i < n; i++)
            if (take[i]) e->sel[k++] = i;
    }
    HW_ASSERT(k == mu);
    /* build the next population in place (sel ascending: pop part first) */
    for (int t = 0; t < mu; t++) {
        int i = e->sel[t];
        copy_genome(&e->ng_buf[t], i < e->npop ? &e->pg[i] : &e->bg[i - e->npop], e->ng);
    }
    hw_genome *sw = e->pg;
    e->pg = e->ng_buf;
    e->ng_buf = sw;
    for (int t = 0; t < mu; t++) {
        int i = e->sel[t];
        memcpy(e->pobj + (size_t)t * m, e->cobj + (size_t)i * m, (size_t)m * sizeof *e->pobj);
        e->pcv[t] = e->ccv[i];
        e->prank[t] = e->crank[i];
    }
    /* hashes: pop part first, then batch part */
    uint64_t *nh = hw_ws_get(w, WS_SEL_NH, (size_t)mu * sizeof *nh);
    for (int t = 0; t < mu; t++) {
        int i = e->sel[t];
        nh[t] = i < e->npop ? e->phash[i] : e->bhash[i - e->npop];
    }
    memcpy(e->phash, nh, (size_t)mu * sizeof *nh);
    e->npop = mu;
    crowding_distance_ws(w, e->pobj, e->prank, e->npop, m, e->pcrowd);
}

/* Adds the feasible ones of n told points to the elite archive (h: their
 * hashes, or NULL to compute them). */
static void elite_add(nsga *e, const hw_genome *g, const uint64_t *h, const double *obj, const double *cv, int n) {
    int m = e->m, k = 0;
    double *o = hw_ws_get(&e->ws, WS_EL_OBJ, ((size_t)n + 1) * m * sizeof *o);
    int *which = hw_ws_get(&e->ws, WS_EL_IDX, ((size_t)n + 1) * sizeof *which);
    for (int t = 0; t < n; t++) {
        if (clean_cv(obj, m, cv, t) != 0) continue;
        memcpy(o + (size_t)k * m, obj + (size_t)t * m, (size_t)m * sizeof *o);
        which[k++] = t;
    }
    uint64_t *ids = hw_ws_get(&e->ws, WS_EL_ID, ((size_t)k + 1) * sizeof *ids);
    hw_genome *gs = hw_ws_get(&e->ws, WS_EL_G, ((size_t)k + 1) * sizeof *gs);
    for (int t = 0; t < k; t++) {
        ids[t] = h ? h[which[t]] : space_hash(e->s, &g[which[t]]);
        gs[t] = g[which[t]];
    }
    pareto_archive_insert_batch(e->elite, o, ids, gs, k, NULL);
}

int nsga_tell(nsga *e, const double *obj, const double *cv) {
    if (!e->pending) return hw_fail("nsga: tell without a pending ask");
    int m = e->m;
    if (e->gen < 0) {
        for (int t = 0; t < e->nb; t++) {
            store_obj(e->pobj + (size_t)t * m, obj + (size_t)t * m, m);
            e->pcv[t] = clean_cv(obj, m, cv, t);
            e->pg[t] = e->bg[t];
            e->phash[t] = e->bhash[t];
        }
        e->npop = e->nb;
        rerank(e);
    } else {
        for (int t = 0; t < e->nb; t++) {
            store_obj(e->cobj + (size_t)(e->npop + t) * m, obj + (size_t)t * m, m);
            e->ccv[e->npop + t] = clean_cv(obj, m, cv, t);
        }
        environmental_selection(e);
    }
    if (e->elite) elite_add(e, e->bg, e->bhash, obj, cv, e->nb);
    e->pending = 0;
    e->gen++;
    return 0;
}

/* ---- accessors ------------------------------------------------------------- */

int nsga_generation(const nsga *e) { return e->gen; }
int nsga_nobj(const nsga *e) { return e->m; }
int nsga_pop_size(const nsga *e) { return e->npop; }
const hw_genome *nsga_pop_genomes(const nsga *e) { return e->pg; }
const double *nsga_pop_obj(const nsga *e) { return e->pobj; }
const double *nsga_pop_cv(const nsga *e) { return e->pcv; }
const int *nsga_pop_rank(const nsga *e) { return e->prank; }
const double *nsga_pop_crowding(const nsga *e) { return e->pcrowd; }
hw_rng *nsga_rng(nsga *e) { return &e->rng; }
const pareto_archive *nsga_elite(const nsga *e) { return e->elite; }
const nsga_params *nsga_get_params(const nsga *e) { return &e->p; }

/* ---- migration --------------------------------------------------------------- */

typedef struct bestkey {
    int r;
    double c;
    int i;
} bestkey;
#define BEST_LESS(ctx, x, y) \
    ((x).r < (y).r || ((x).r == (y).r && ((x).c > (y).c || ((x).c == (y).c && (x).i < (y).i))))
HW_DEFINE_MSORT(sort_best, bestkey, BEST_LESS)

/* Population indices ordered best first (rank asc, crowding desc, index). */
static int *order_best(const nsga *e) {
    int n = e->npop;
    bestkey *b = hw_malloc(((size_t)n + 1) * sizeof *b), *tmp = hw_malloc(((size_t)n / 2 + 1) * sizeof *tmp);
    for (int i = 0; i < n; i++) {
        b[i].r = e->prank[i];
        b[i].c = e->pcrowd[i];
        b[i].i = i;
    }
    sort_best(b, tmp, (size_t)n, NULL);
    int *ord = hw_malloc(((size_t)n + 1) * sizeof *ord);
    for (int i = 0; i < n; i++) ord[i] = b[i].i;
    free(b);
    free(tmp);
    return ord;
}

int nsga_best(const nsga *e, int k, int *out_idx) {
    if (e->npop == 0) return hw_fail("nsga: no population yet (tell the initial batch first)");
    if (k < 0 || k > e->npop) return hw_fail("nsga: best %d of a population of %d", k, e->npop);
    int *ord = order_best(e);
    memcpy(out_idx, ord, (size_t)k * sizeof *out_idx);
    free(ord);
    return 0;
}

int nsga_immigrate(nsga *e, const hw_genome *g, const double *obj, const double *cv, int n,
                   nsga_replace_policy policy) {
    if (e->npop == 0) return hw_fail("nsga: immigrate before the initial population was told");
    if (n < 0) return hw_fail("nsga: immigrate %d migrants", n);
    if (policy != NSGA_REPLACE_WORST && policy != NSGA_REPLACE_RANDOM)
        return hw_fail("nsga: unknown replacement policy %d", (int)policy);
    int m = e->m, np = e->npop;
    int *victims;
    if (policy == NSGA_REPLACE_WORST) {
        int *ord = order_best(e);
        victims = hw_malloc(((size_t)np + 1) * sizeof *victims);
        for (int i = 0; i < np; i++) victims[i] = ord[np - 1 - i];
        free(ord);
    } else {
        victims = hw_malloc(((size_t)np + 1) * sizeof *victims);
        for (int i = 0; i < np; i++) victims[i] = i;
        rng_shuffle_int(&e->rng, victims, np);
    }
    for (int t = 0; t < n; t++)
        if (!space_valid(e->s, &g[t])) return hw_fail("nsga: migrant %d is not a valid %s genome", t, space_name(e->s));
    u64set present = {0};
    for (int i = 0; i < np; i++) u64set_add(&present, e->phash[i]);
    int nv = 0, changed = 0;
    for (int t = 0; t < n && nv < np; t++) {
        uint64_t h = space_hash(e->s, &g[t]);
        u64set_add(&e->seen, h);
        if (!u64set_add(&present, h)) continue; /* already in the population */
        int v = victims[nv++];
        e->pg[v] = g[t];
        e->phash[v] = h;
        store_obj(e->pobj + (size_t)v * m, obj + (size_t)t * m, m);
        e->pcv[v] = clean_cv(obj, m, cv, t);
        changed = 1;
    }
    u64set_free(&present);
    free(victims);
    if (changed) rerank(e);
    if (e->elite) elite_add(e, g, NULL, obj, cv, n);
    return 0;
}

int nsga_update_objectives(nsga *e, const double *obj, const double *cv) {
    if (e->npop == 0) return hw_fail("nsga: update_objectives before the initial population was told");
    int m = e->m;
    for (int i = 0; i < e->npop; i++) {
        store_obj(e->pobj + (size_t)i * m, obj + (size_t)i * m, m);
        e->pcv[i] = clean_cv(obj, m, cv, i);
    }
    rerank(e);
    if (e->elite) { /* the old values are stale: the elite restarts from the population */
        pareto_archive_clear(e->elite);
        elite_add(e, e->pg, e->phash, e->pobj, e->pcv, e->npop);
    }
    return 0;
}

void nsga_mark_seen(nsga *e, const hw_genome *g) { u64set_add(&e->seen, space_hash(e->s, g)); }

/* ---- serialization ------------------------------------------------------------ */

static void put_genomes(hw_wbuf *w, const hw_genome *g, int n, int ng) {
    for (int i = 0; i < n; i++) hw_put_i16s(w, g[i].g, (size_t)ng);
}

static void put_ints(hw_wbuf *w, const int *v, int n) {
    for (int i = 0; i < n; i++) hw_put_i32(w, v[i]);
}

/* Layout (little-endian through hw_codec.h, version 2; the same bytes the
 * previous host-byte-order writer produced on x86 and arm64, so their
 * checkpoints still restore): magic "UHWSNSGA", version u32, params
 * (pop_size, n_offspring, n_obj i32; p_crossover, p_mutation f64; seed u64;
 * novelty_tries i32; p_elite f64; tournament_size i32), space (name length i32 + bytes, ngenes
 * i32, cardinalities i32 x ngenes), rng 4 x u64, gen, npop, population
 * (genomes int16 x ngenes each, obj, cv, rank, crowding, hash), pending,
 * nb, batch (genomes, hash), seen (cap u64, n u64, has_zero i32, cap x u64
 * table), elite (n i32, then per point: obj m x f64, id u64, genome). */
int nsga_serialize(const nsga *e, unsigned char **out_buf, size_t *out_len) {
    hw_wbuf w;
    hw_wbuf_init(&w);
    hw_put_header(&w, NSGA_MAGIC, 8, NSGA_VERSION);
    hw_put_i32(&w, e->p.pop_size);
    hw_put_i32(&w, e->p.n_offspring);
    hw_put_i32(&w, e->p.n_obj);
    hw_put_f64(&w, e->p.p_crossover);
    hw_put_f64(&w, e->p.p_mutation);
    hw_put_u64(&w, e->p.seed);
    hw_put_i32(&w, e->p.novelty_tries);
    hw_put_f64(&w, e->p.p_elite);
    hw_put_i32(&w, e->p.tournament_size);
    const char *name = space_name(e->s);
    hw_put_i32(&w, (int32_t)strlen(name));
    hw_put_bytes(&w, name, strlen(name));
    hw_put_i32(&w, e->ng);
    for (int i = 0; i < e->ng; i++) hw_put_i32(&w, space_cardinality(e->s, i));
    hw_put_u64s(&w, e->rng.s, 4);
    hw_put_i32(&w, e->gen);
    hw_put_i32(&w, e->npop);
    put_genomes(&w, e->pg, e->npop, e->ng);
    hw_put_f64s(&w, e->pobj, (size_t)e->npop * e->m);
    hw_put_f64s(&w, e->pcv, (size_t)e->npop);
    put_ints(&w, e->prank, e->npop);
    hw_put_f64s(&w, e->pcrowd, (size_t)e->npop);
    hw_put_u64s(&w, e->phash, (size_t)e->npop);
    hw_put_i32(&w, e->pending);
    hw_put_i32(&w, e->nb);
    put_genomes(&w, e->bg, e->nb, e->ng);
    hw_put_u64s(&w, e->bhash, (size_t)e->nb);
    hw_put_u64(&w, (uint64_t)e->seen.cap);
    hw_put_u64(&w, (uint64_t)e->seen.n);
    hw_put_i32(&w, e->seen.has_zero);
    hw_put_u64s(&w, e->seen.keys, e->seen.cap);
    int nel = e->elite ? pareto_archive_size(e->elite) : 0;
    hw_put_i32(&w, nel);
    for (int i = 0; i < nel; i++) { /* accessor order; re-inserting it rebuilds the same order */
        hw_put_f64s(&w, pareto_archive_obj(e->elite, i), (size_t)e->m);
        hw_put_u64(&w, pareto_archive_id(e->elite, i));
        put_genomes(&w, pareto_archive_genome(e->elite, i), 1, e->ng);
    }
    *out_buf = hw_wbuf_take(&w, out_len);
    return *out_buf ? 0 : hw_fail("nsga state: out of memory");
}

static void get_genomes(hw_rbuf *r, hw_genome *g, int n, int ng) {
    for (int i = 0; i < n; i++) {
        memset(&g[i], 0, sizeof g[i]);
        hw_get_i16s(r, g[i].g, (size_t)ng);
    }
}

static void get_ints(hw_rbuf *r, int *v, int n) {
    for (int i = 0; i < n; i++) v[i] = hw_get_i32(r);
}

int nsga_restore(const space *s, const unsigned char *buf, size_t len, nsga **out) {
    hw_rbuf r;
    hw_rbuf_init(&r, buf, len);
    nsga *e = NULL;
    if (hw_get_header(&r, NSGA_MAGIC, 8, NSGA_VERSION, "NSGA-II engine state")) return hw_fail_prefix("nsga state");
    nsga_params p;
    memset(&p, 0, sizeof p);
    p.pop_size = hw_get_i32(&r);
    p.n_offspring = hw_get_i32(&r);
    p.n_obj = hw_get_i32(&r);
    p.p_crossover = hw_get_f64(&r);
    p.p_mutation = hw_get_f64(&r);
    p.seed = hw_get_u64(&r);
    p.novelty_tries = hw_get_i32(&r);
    p.p_elite = hw_get_f64(&r);
    p.tournament_size = hw_get_i32(&r);
    if (r.bad) goto truncated;
    if (check_params(s, &p)) return hw_fail_prefix("nsga state");
    int32_t nlen = hw_get_i32(&r);
    char name[64];
    if (r.bad || nlen < 0 || nlen >= (int32_t)sizeof name) goto corrupt;
    hw_get_bytes(&r, name, (size_t)nlen);
    name[nlen] = 0;
    if (strcmp(name, space_name(s)) != 0)
        return hw_fail("nsga state: saved for space '%s', restoring into space '%s'", name, space_name(s));
    int32_t ng = hw_get_i32(&r);
    if (r.bad || ng != space_ngenes(s)) goto mismatch;
    for (int i = 0; i < ng; i++)
        if (hw_get_i32(&r) != space_cardinality(s, i)) goto mismatch;
    e = alloc_engine(s, &p);
    e->p.p_mutation = p.p_mutation; /* saved value is already resolved */
    hw_get_u64s(&r, e->rng.s, 4);
    e->gen = hw_get_i32(&r);
    e->npop = hw_get_i32(&r);
    if (r.bad || e->npop < 0 || e->npop > e->mu || e->gen < -1) goto corrupt;
    get_genomes(&r, e->pg, e->npop, ng);
    hw_get_f64s(&r, e->pobj, (size_t)e->npop * e->m);
    hw_get_f64s(&r, e->pcv, (size_t)e->npop);
    get_ints(&r, e->prank, e->npop);
    hw_get_f64s(&r, e->pcrowd, (size_t)e->npop);
    hw_get_u64s(&r, e->phash, (size_t)e->npop);
    e->pending = hw_get_i32(&r);
    e->nb = hw_get_i32(&r);
    int bmax = e->mu > e->lambda ? e->mu : e->lambda;
    if (r.bad || e->nb < 0 || e->nb > bmax || (e->pending != 0 && e->pending != 1)) goto corrupt;
    get_genomes(&r, e->bg, e->nb, ng);
    hw_get_u64s(&r, e->bhash, (size_t)e->nb);
    uint64_t cap = hw_get_u64(&r), n = hw_get_u64(&r);
    int32_t hz = hw_get_i32(&r);
    if (r.bad || (cap & (cap - 1)) != 0 || cap > hw_rbuf_left(&r) / 8 || n > cap + 1 || (hz != 0 && hz != 1))
        goto corrupt;
    e->seen.cap = (size_t)cap;
    e->seen.n = (size_t)n;
    e->seen.has_zero = hz;
    e->seen.keys = cap ? hw_malloc((size_t)cap * sizeof *e->seen.keys) : NULL;
    hw_get_u64s(&r, e->seen.keys, (size_t)cap);
    int32_t nel = hw_get_i32(&r);
    if (r.bad) goto truncated;
    if (nel < 0 || (nel > 0 && !e->elite) || (size_t)nel > hw_rbuf_left(&r) / 8) goto corrupt;
    for (int i = 0; i < nel; i++) {
        double o[64];
        hw_genome g;
        hw_get_f64s(&r, o, (size_t)e->m);
        uint64_t id = hw_get_u64(&r);
        get_genomes(&r, &g, 1, ng);
        if (r.bad) goto truncated;
        if (!space_valid(s, &g) || pareto_archive_insert(e->elite, o, id, &g) != 1) goto corrupt;
    }
    for (int i = 0; i < e->npop; i++)
        if (!space_valid(s, &e->pg[i]) || e->prank[i] < 0) goto corrupt;
    for (int i = 0; i < e->nb; i++)
        if (!space_valid(s, &e->bg[i])) goto corrupt;
    if (r.off != r.n) goto corrupt;
    *out = e;
    return 0;
truncated:
    nsga_free(e);
    return hw_fail("nsga state: truncated (%zu bytes)", len);
corrupt:
    nsga_free(e);
    return hw_fail("nsga state: corrupt at byte %zu", r.off);
mismatch:
    nsga_free(e);
    return hw_fail("nsga state: space '%s' has a different shape than the saved one", space_name(s));
}
