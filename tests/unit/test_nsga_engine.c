/* test_nsga_engine: the ask/tell NSGA-II engine on the grid space (ZDT1)
 * and the nb201 space: determinism for a seed, serialize/restore continuing
 * bit-identically (also with a pending batch), corrupt states refused,
 * HV improvement on ZDT1 towards the known optimum, novelty (no genome is
 * handed out twice), constrained selection, migration helpers, parameter
 * and call-order errors, and the grid space's operators. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hw_err.h"
#include "nsga.h"
#include "rng.h"
#include "space.h"

static void zdt1(const space *s, const hw_genome *g, double *f) {
    double x[HW_MAX_GENES];
    assert_int_equal(space_grid_decode(s, g, x), 0);
    int n = space_ngenes(s);
    double sum = 0;
    for (int i = 1; i < n; i++) sum += x[i];
    double gg = 1.0 + 9.0 * sum / (n - 1);
    f[0] = x[0];
    f[1] = gg * (1.0 - sqrt(x[0] / gg));
}

/* One generation: ask, evaluate ZDT1, tell. */
static void step_zdt1(nsga *e, const space *s) {
    const hw_genome *b;
    int n;
    assert_int_equal(nsga_ask(e, &b, &n), 0);
    double *f = malloc((size_t)n * 2 * sizeof *f);
    for (int i = 0; i < n; i++) zdt1(s, &b[i], f + 2 * i);
    assert_int_equal(nsga_tell(e, f, NULL), 0);
    free(f);
}

static double pop_hv(const nsga *e, double r0, double r1) {
    const double ref[2] = {r0, r1};
    double v;
    assert_int_equal(hv_exact(nsga_pop_obj(e), nsga_pop_size(e), 2, ref, &v), 0);
    return v;
}

static nsga *make_zdt_el(const space *s, int pop, uint64_t seed, double p_elite) {
    nsga_params p;
    nsga_params_default(&p);
    p.pop_size = pop;
    p.n_offspring = 0;
    p.seed = seed;
    p.n_obj = 2;
    p.p_elite = p_elite;
    nsga *e;
    assert_int_equal(nsga_create(s, &p, &e), 0);
    return e;
}
static nsga *make_zdt(const space *s, int pop, uint64_t seed) { return make_zdt_el(s, pop, seed, 0.0); }

static int same_pop(const nsga *a, const nsga *b) {
    int n = nsga_pop_size(a);
    if (n != nsga_pop_size(b)) return 0;
    return !memcmp(nsga_pop_genomes(a), nsga_pop_genomes(b), (size_t)n * sizeof(hw_genome)) &&
           !memcmp(nsga_pop_obj(a), nsga_pop_obj(b), (size_t)n * 2 * sizeof(double)) &&
           !memcmp(nsga_pop_rank(a), nsga_pop_rank(b), (size_t)n * sizeof(int)) &&
           !memcmp(nsga_pop_crowding(a), nsga_pop_crowding(b), (size_t)n * sizeof(double));
}

static void test_determinism(void **st) {
    (void)st;
    space *s;
    assert_int_equal(space_create_grid(30, 32767, &s), 0);
    nsga *a = make_zdt(s, 40, 5), *b = make_zdt(s, 40, 5), *c = make_zdt(s, 40, 6);
    assert_int_equal(nsga_generation(a), -1);
    int differs = 0;
    for (int g = 0; g < 25; g++) {
        step_zdt1(a, s);
        step_zdt1(b, s);
        step_zdt1(c, s);
        assert_true(same_pop(a, b));
        differs |= !same_pop(a, c);
        assert_int_equal(nsga_generation(a), g);
    }
    assert_true(differs);
    nsga_free(a);
    nsga_free(b);
    nsga_free(c);
    space_free(s);
}

static void serialize_restore(double p_elite) {
    space *s;
    assert_int_equal(space_create_grid(30, 1001, &s), 0);
    nsga *a = make_zdt_el(s, 30, 9, p_elite);
    for (int g = 0; g < 7; g++) step_zdt1(a, s);
    unsigned char *buf;
    size_t len;
    assert_int_equal(nsga_serialize(a, &buf, &len), 0);
    nsga *b;
    assert_int_equal(nsga_restore(s, buf, len, &b), 0);
    assert_true(same_pop(a, b));
    /* restored state serializes to the same bytes */
    unsigned char *buf2;
    size_t len2;
    assert_int_equal(nsga_serialize(b, &buf2, &len2), 0);
    assert_int_equal(len, len2);
    assert_memory_equal(buf, buf2, len);
    free(buf2);
    /* pending batch: ask on both, serialize a mid-ask state, restore it */
    const hw_genome *ba, *bb;
    int na, nb;
    nsga_ask(a, &ba, &na);
    nsga_ask(b, &bb, &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(ba, bb, (size_t)na * sizeof *ba);
    unsigned char *buf3;
    size_t len3;
    assert_int_equal(nsga_serialize(a, &buf3, &len3), 0);
    nsga *c;
    assert_int_equal(nsga_restore(s, buf3, len3, &c), 0);
    const hw_genome *bc;
    int nc;
    nsga_ask(c, &bc, &nc); /* same pending batch */
    assert_int_equal(nc, na);
    assert_memory_equal(bc, ba, (size_t)na * sizeof *ba);
    for (int g = 0; g < 8; g++) {
        step_zdt1(a, s);
        step_zdt1(b, s);
        step_zdt1(c, s);
    }
    assert_true(same_pop(a, b) && same_pop(a, c));
    assert_memory_equal(nsga_rng(a)->s, nsga_rng(c)->s, sizeof nsga_rng(a)->s);
    unsigned char *fa, *fc;
    size_t la, lc;
    nsga_serialize(a, &fa, &la);
    nsga_serialize(c, &fc, &lc);
    assert_int_equal(la, lc);
    assert_memory_equal(fa, fc, la);
    free(fa);
    free(fc);

    /* corrupt states: every truncation fails cleanly, bad magic, other space */
    nsga *bad = NULL;
    for (size_t cut = 0; cut < len; cut += 1 + cut / 3) assert_int_equal(nsga_restore(s, buf, cut, &bad), -1);
    unsigned char *mod = malloc(len + 1);
    memcpy(mod, buf, len);
    mod[0] ^= 0xff;
    assert_int_equal(nsga_restore(s, mod, len, &bad), -1);
    assert_non_null(strstr(hw_errmsg(), "not an NSGA-II"));
    memcpy(mod, buf, len);
    mod[len] = 0;
    assert_int_equal(nsga_restore(s, mod, len + 1, &bad), -1); /* trailing byte */
    space *s2;
    space_create_grid(30, 1000, &s2);
    assert_int_equal(nsga_restore(s2, buf, len, &bad), -1);
    space *s3;
    space_create_nb201(&s3);
    assert_int_equal(nsga_restore(s3, buf, len, &bad), -1);
    assert_non_null(strstr(hw_errmsg(), "nb201"));
    free(mod);
    space_free(s2);
    space_free(s3);
    free(buf);
    free(buf3);
    nsga_free(a);
    nsga_free(b);
    nsga_free(c);
    space_free(s);
}

static void test_serialize_restore(void **st) {
    (void)st;
    serialize_restore(0.0);
    serialize_restore(0.4); /* with the elite archive in the state */
}

/* The elite archive holds exactly the non-dominated feasible points told,
 * and elite parents change the search (but stay deterministic). */
static void test_elite(void **st) {
    (void)st;
    space *s;
    space_create_grid(30, 32767, &s);
    nsga *a = make_zdt_el(s, 20, 4, 0.5), *b = make_zdt_el(s, 20, 4, 0.5), *c = make_zdt(s, 20, 4);
    int cap = 20 * 31, nall = 0;
    double *all = malloc((size_t)cap * 2 * sizeof *all);
    for (int g = 0; g < 30; g++) {
        const hw_genome *bt;
        int n;
        nsga_ask(a, &bt, &n);
        for (int i = 0; i < n; i++) zdt1(s, &bt[i], all + 2 * (nall + i));
        nsga_tell(a, all + 2 * nall, NULL);
        nall += n;
        step_zdt1(b, s);
        step_zdt1(c, s);
    }
    assert_true(same_pop(a, b));
    assert_false(same_pop(a, c));
    int *rk = malloc((size_t)nall * sizeof *rk), nf = 0;
    nd_sort(all, NULL, nall, 2, rk);
    for (int i = 0; i < nall; i++) nf += rk[i] == 0;
    /* the elite is exactly the rank-0 set of everything told */
    const pareto_archive *el = nsga_elite(a);
    assert_non_null(el);
    assert_null(nsga_elite(c));
    assert_int_equal(pareto_archive_size(el), nf);
    for (int k = 0; k < pareto_archive_size(el); k++) {
        const double *o = pareto_archive_obj(el, k);
        int hit = 0;
        for (int i = 0; i < nall && !hit; i++) hit = rk[i] == 0 && all[2 * i] == o[0] && all[2 * i + 1] == o[1];
        assert_true(hit);
        double f[2];
        zdt1(s, pareto_archive_genome(el, k), f);
        assert_true(f[0] == o[0] && f[1] == o[1]); /* genome travels with its objectives */
    }
    unsigned char *buf;
    size_t len;
    nsga_serialize(a, &buf, &len);
    nsga *r;
    assert_int_equal(nsga_restore(s, buf, len, &r), 0);
    free(buf);
    assert_true(same_pop(a, r));
    const double ref[2] = {11, 11};
    double hv_all, hv_pop;
    hv_exact(all, nall, 2, ref, &hv_all);
    hv_exact(nsga_pop_obj(a), nsga_pop_size(a), 2, ref, &hv_pop);
    assert_true(hv_pop <= hv_all + 1e-12);
    assert_true(nf >= 1);
    free(rk);
    free(all);
    nsga_free(a);
    nsga_free(b);
    nsga_free(c);
    nsga_free(r);
    space_free(s);
}

/* ZDT1's optimal front f2 = 1 - sqrt(f1) has HV 0.876667 w.r.t. (1.1, 1.1). */
static void test_zdt1_improves(void **st) {
    (void)st;
    space *s;
    assert_int_equal(space_create_grid(30, 32767, &s), 0);
    nsga *e = make_zdt(s, 100, 3);
    step_zdt1(e, s);
    double h0 = pop_hv(e, 11, 11);
    double q0 = pop_hv(e, 1.1, 1.1);
    for (int g = 0; g < 150; g++) step_zdt1(e, s);
    double h1 = pop_hv(e, 11, 11), q1 = pop_hv(e, 1.1, 1.1);
    print_message("ZDT1 pop 100: HV(11,11) %.4f -> %.4f, HV(1.1,1.1) %.4f -> %.4f after 150 generations\n", h0, h1,
                  q0, q1);
    assert_true(h1 > h0 + 5);
    assert_true(q0 < 0.2);
    assert_true(q1 > 0.80 && q1 < 0.8767);
    nsga_free(e);
    space_free(s);
}

static void test_novelty_nb201(void **st) {
    (void)st;
    space *s;
    space_create_nb201(&s);
    nsga_params p;
    nsga_params_default(&p);
    p.pop_size = 20;
    p.n_offspring = 0; /* = pop_size */
    p.seed = 4;
    nsga *e;
    assert_int_equal(nsga_create(s, &p, &e), 0);
    hw_rng r;
    rng_seed(&r, 1);
    int64_t *seen = calloc(15625, sizeof *seen);
    int asked = 0;
    for (int g = 0; g < 40; g++) {
        const hw_genome *b, *b2;
        int n, n2;
        nsga_ask(e, &b, &n);
        nsga_ask(e, &b2, &n2); /* ask twice: same batch */
        assert_true(b == b2 && n == n2);
        double *f = malloc((size_t)n * 2 * sizeof *f);
        for (int i = 0; i < n; i++) {
            int64_t idx = space_index(s, &b[i]);
            assert_int_equal(seen[idx], 0);
            seen[idx] = 1;
            asked++;
            /* a smooth function of the genome so selection has structure */
            f[2 * i] = b[i].g[0] + b[i].g[1] + rng_uniform(&r);
            f[2 * i + 1] = 8 - b[i].g[0] + b[i].g[5];
        }
        assert_int_equal(nsga_tell(e, f, NULL), 0);
        free(f);
    }
    assert_int_equal(asked, 20 * 40);
    free(seen);
    /* without novelty the same engine re-proposes genomes */
    nsga_free(e);
    p.novelty_tries = 0;
    assert_int_equal(nsga_create(s, &p, &e), 0);
    int dup = 0;
    seen = calloc(15625, sizeof *seen);
    for (int g = 0; g < 40; g++) {
        const hw_genome *b;
        int n;
        nsga_ask(e, &b, &n);
        double *f = malloc((size_t)n * 2 * sizeof *f);
        for (int i = 0; i < n; i++) {
            int64_t idx = space_index(s, &b[i]);
            dup += seen[idx]++ > 0;
            f[2 * i] = b[i].g[0] + b[i].g[1];
            f[2 * i + 1] = 8 - b[i].g[0] + b[i].g[5];
        }
        nsga_tell(e, f, NULL);
        free(f);
    }
    assert_true(dup > 0);
    free(seen);
    nsga_free(e);
    space_free(s);
}

/* Infeasible candidates only survive when there are too few feasible ones. */
static void test_constraints(void **st) {
    (void)st;
    space *s;
    space_create_grid(10, 101, &s);
    nsga *e = make_zdt(s, 50, 8);
    for (int g = 0; g < 30; g++) {
        const hw_genome *b;
        int n;
        nsga_ask(e, &b, &n);
        double *f = malloc((size_t)n * 2 * sizeof *f), *cv = malloc((size_t)n * sizeof *cv);
        for (int i = 0; i < n; i++) {
            zdt1(s, &b[i], f + 2 * i);
            cv[i] = f[2 * i] < 0.5 ? 0.5 - f[2 * i] : 0.0; /* feasible iff x0 >= 0.5 */
            if (i == 3) f[2 * i + 1] = NAN;               /* non-finite -> infeasible */
        }
        nsga_tell(e, f, cv);
        free(f);
        free(cv);
        if (g >= 10) {
            const double *pc = nsga_pop_cv(e);
            const double *po = nsga_pop_obj(e);
            const int *rk = nsga_pop_rank(e);
            for (int i = 0; i < nsga_pop_size(e); i++) {
                assert_true(pc[i] == 0.0);
                assert_true(po[2 * i] >= 0.5);
                assert_true(isfinite(po[2 * i + 1]));
                assert_true(rk[i] >= 0);
            }
        }
    }
    nsga_free(e);
    space_free(s);
}

static void test_migration(void **st) {
    (void)st;
    space *s;
    space_create_grid(30, 32767, &s);
    nsga *e = make_zdt(s, 40, 2);
    int idx[40];
    assert_int_equal(nsga_best(e, 3, idx), -1); /* no population yet */
    for (int g = 0; g < 5; g++) step_zdt1(e, s);
    assert_int_equal(nsga_best(e, 40, idx), 0);
    const int *rk = nsga_pop_rank(e);
    const double *cd = nsga_pop_crowding(e);
    for (int i = 1; i < 40; i++)
        assert_true(rk[idx[i - 1]] < rk[idx[i]] || (rk[idx[i - 1]] == rk[idx[i]] && cd[idx[i - 1]] >= cd[idx[i]]));
    assert_int_equal(nsga_best(e, 41, idx), -1);

    /* two migrants: one dominating everything, one copy of a member */
    hw_genome mg[2];
    double mo[4];
    memset(mg, 0, sizeof mg);
    zdt1(s, &mg[0], mo); /* all genes 0: f = (0, 1) is Pareto-optimal */
    mg[1] = nsga_pop_genomes(e)[7];
    memcpy(mo + 2, nsga_pop_obj(e) + 14, 2 * sizeof(double));
    int worst = idx[39];
    assert_int_equal(nsga_immigrate(e, mg, mo, NULL, 2, NSGA_REPLACE_WORST), 0);
    int found = -1, copies = 0;
    for (int i = 0; i < 40; i++) {
        if (!memcmp(&nsga_pop_genomes(e)[i], &mg[0], sizeof mg[0])) found = i;
        if (!memcmp(&nsga_pop_genomes(e)[i], &mg[1], sizeof mg[1])) copies++;
    }
    assert_int_equal(found, worst);
    assert_int_equal(copies, 1);
    assert_int_equal(nsga_pop_rank(e)[found], 0);
    /* random policy is deterministic for the engine's PRNG */
    hw_genome r1;
    memset(&r1, 0, sizeof r1);
    r1.g[0] = 100;
    double ro[2];
    zdt1(s, &r1, ro);
    assert_int_equal(nsga_immigrate(e, &r1, ro, NULL, 1, NSGA_REPLACE_RANDOM), 0);
    assert_int_equal(nsga_immigrate(e, &r1, ro, NULL, 1, (nsga_replace_policy)7), -1);

    /* update_objectives: reverse f1, ranks follow */
    int n = nsga_pop_size(e);
    double *f = malloc((size_t)n * 2 * sizeof *f);
    for (int i = 0; i < n; i++) {
        f[2 * i] = -nsga_pop_obj(e)[2 * i];
        f[2 * i + 1] = 0;
    }
    assert_int_equal(nsga_update_objectives(e, f, NULL), 0);
    double best = 1e9;
    for (int i = 0; i < n; i++)
        if (f[2 * i] < best) best = f[2 * i];
    for (int i = 0; i < n; i++) assert_int_equal(nsga_pop_rank(e)[i] == 0, f[2 * i] == best);
    free(f);
    /* migrants count as seen: the engine does not propose them again */
    nsga_mark_seen(e, &r1);
    nsga_free(e);
    space_free(s);
}

static void test_errors(void **st) {
    (void)st;
    space *s;
    space_create_nb201(&s);
    nsga_params p;
    nsga_params_default(&p);
    nsga *e;
    p.pop_size = 3;
    assert_int_equal(nsga_create(s, &p, &e), -1);
    nsga_params_default(&p);
    p.p_crossover = 1.5;
    assert_int_equal(nsga_create(s, &p, &e), -1);
    nsga_params_default(&p);
    p.n_obj = 0;
    assert_int_equal(nsga_create(s, &p, &e), -1);
    nsga_params_default(&p);
    p.novelty_tries = -1;
    assert_int_equal(nsga_create(s, &p, &e), -1);
    nsga_params_default(&p);
    assert_true(p.p_mutation == 0.03 && p.pop_size == 36 && p.n_offspring == 6);
    p.p_mutation = 0; /* <= 0: 1 / ngenes */
    assert_int_equal(nsga_create(s, &p, &e), 0);
    double f[2] = {0, 0};
    assert_int_equal(nsga_tell(e, f, NULL), -1); /* no pending ask */
    assert_non_null(strstr(hw_errmsg(), "without a pending ask"));
    assert_int_equal(nsga_get_params(e)->pop_size, p.pop_size);
    assert_true(fabs(nsga_get_params(e)->p_mutation - 1.0 / 6) < 1e-15);
    nsga_free(e);
    space_free(s);
    assert_int_equal(space_create_grid(0, 10, &s), -1);
    assert_int_equal(space_create_grid(3, 1, &s), -1);
    assert_int_equal(space_create_grid(3, 40000, &s), -1);
}

/* Grid operators: valid, canonical strings round-trip, mutation changes. */
static void test_grid_space(void **st) {
    (void)st;
    space *s;
    assert_int_equal(space_create_grid(5, 7, &s), 0);
    assert_string_equal(space_name(s), "grid");
    assert_int_equal(space_size(s), 16807);
    hw_rng r;
    rng_seed(&r, 3);
    for (int t = 0; t < 2000; t++) {
        hw_genome a, b, c1, c2, m;
        space_sample(s, &r, &a);
        space_sample(s, &r, &b);
        assert_true(space_valid(s, &a));
        space_crossover(s, &r, &a, &b, &c1, &c2);
        assert_true(space_valid(s, &c1) && space_valid(s, &c2));
        m = a;
        space_mutate(s, &r, 0.2, &m);
        assert_true(space_valid(s, &m));
        assert_false(hw_genome_equal(&m, &a, 5));
        char buf[HW_ARCH_STR_MAX];
        assert_int_equal(space_to_string(s, &a, buf, sizeof buf), 0);
        hw_genome back;
        assert_int_equal(space_from_string(s, buf, &back), 0);
        assert_true(hw_genome_equal(&back, &a, 5));
        float x[5];
        space_features(s, &a, x);
        for (int i = 0; i < 5; i++) assert_true(fabsf(x[i] - a.g[i] / 6.0f) < 1e-6f);
    }
    /* each gene mutates with probability pm, at least one: E[changed] =
     * n pm + (1 - pm)^n = 1.32768 for n = 5, pm = 0.2 */
    long changed = 0;
    int reps = 40000;
    for (int t = 0; t < reps; t++) {
        hw_genome a, m;
        space_sample(s, &r, &a);
        m = a;
        space_mutate(s, &r, 0.2, &m);
        for (int i = 0; i < 5; i++) changed += m.g[i] != a.g[i];
    }
    assert_true(fabs((double)changed / reps - 1.32768) < 0.02);
    hw_genome g;
    assert_int_equal(space_from_string(s, "1,2,3,4,7", &g), -1);
    assert_int_equal(space_from_string(s, "1,2,3,4", &g), -1);
    assert_int_equal(space_from_string(s, "1,2,3,4,5,", &g), -1);
    assert_string_equal(space_feature_name(s, 4), "x4");
    space_free(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid_space),    cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_serialize_restore), cmocka_unit_test(test_zdt1_improves),
        cmocka_unit_test(test_novelty_nb201), cmocka_unit_test(test_constraints),
        cmocka_unit_test(test_migration),     cmocka_unit_test(test_errors),
        cmocka_unit_test(test_elite),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
