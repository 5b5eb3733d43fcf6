/* test_island: the island's proposal logic (mpi/island.c) on NB201 with
 * the shipped tables as ground truth and a surrogate fitted on an initial
 * design:
 * - a proposal batch has exactly k distinct genomes, none measured, and a
 *   second batch repeats none of the first (nor anything measured since);
 * - with n islands, island i proposes picks i*k .. (i+1)*k-1 of the one
 *   greedy order, so islands with equal state never propose the same
 *   architecture;
 * - every policy proposes only unmeasured candidates; k = 0 proposes none;
 *   ehvi fills a whole batch of k distinct architectures;
 * - an exported and imported island proposes exactly what the original does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <unistd.h>

#include "gtserver.h"
#include "hw_err.h"
#include "island.h"

#define K 4

typedef struct fixture {
    char path[256];
    search_config *cfg;
    space *sp;
    gts *gt;
    uint8_t *blob;
    size_t blen;
    const meas_record *rec;
    int nrec;
} fixture;

static void make_config(fixture *f, const char *policy) {
    const char *data = getenv("HWNAS_DATA");
    assert_non_null(data);
    snprintf(f->path, sizeof f->path, "/tmp/hwnas_test_island_%d.yaml", (int)getpid());
    FILE *o = fopen(f->path, "w");
    assert_non_null(o);
    fprintf(o,
            "objectives:\n"
            "  - {name: accuracy, direction: maximize, source: test_acc_200ep_cifar10}\n"
            "  - {name: latency_ms, direction: minimize, source: edgegpu_latency_ms}\n"
            "algorithm: {population: 16, generations: 10, seed: 5}\n"
            "evaluator:\n  kind: predictor\n"
            "  tables: [%s/hw_nas_bench/hwnasbench_nb201_cifar10.csv, %s/nb201_accuracy/nb201_accuracy.csv]\n"
            "predictor: {initial: 12, per_generation: %d, trees: 10, method: rf, policy: %s}\n"
            "hypervolume: {reference: [85, 12.861970]}\n%s",
            data, data, K, policy, strcmp(policy, "constraint_boundary") ? "" : "constraints: ['latency_ms <= 5']\n");
    fclose(o);
    assert_int_equal(search_config_load(f->path, &f->cfg), 0);
    assert_int_equal(search_config_space(f->cfg, &f->sp), 0);
}

/* Ground truth for an initial design and a model fitted on it. */
static void measure_initial(fixture *f) {
    assert_int_equal(gts_create(f->cfg, f->sp, &f->gt), 0);
    hw_rng r;
    rng_seed(&r, 3);
    hw_genome g[12];
    int n, first, nn;
    assert_int_equal(gts_initial_design(f->gt, &r, 12, g, &n), 0);
    assert_int_equal(gts_submit(f->gt, g, n, NULL), 0);
    assert_int_equal(gts_collect(f->gt, &first, &nn), 0);
    assert_int_equal(gts_retrain(f->gt, &f->blob, &f->blen), 0);
    f->rec = gts_records(f->gt, &f->nrec);
    assert_int_equal(f->nrec, 12);
}

static void setup_policy(fixture *f, const char *policy) {
    memset(f, 0, sizeof *f);
    make_config(f, policy);
    measure_initial(f);
}

static void teardown_fixture(fixture *f) {
    free(f->blob);
    gts_free(f->gt);
    space_free(f->sp);
    search_config_free(f->cfg);
    unlink(f->path);
}

/* An island (id of n) that has seen the initial design and evaluated one
 * generation on predictions. */
static island *new_island(const fixture *f, int id, int n) {
    island *is;
    assert_int_equal(island_create(f->cfg, f->sp, id, &is), 0);
    island_set_count(is, n);
    assert_int_equal(island_update(is, f->rec, f->nrec, f->blob, f->blen), 0);
    const hw_genome *b;
    int nb;
    assert_int_equal(island_ask(is, &b, &nb), 0);
    assert_int_equal(island_tell_predicted(is), 0);
    return is;
}

/* Gives `to` the exact state of `from` (export/import) and the records. */
static void clone_state(const fixture *f, const island *from, island *to) {
    uint8_t *s;
    size_t l;
    assert_int_equal(island_export(from, &s, &l), 0);
    assert_int_equal(island_import(to, s, l), 0);
    assert_int_equal(island_update(to, f->rec, f->nrec, f->blob, f->blen), 0);
    free(s);
}

static int measured(const fixture *f, const hw_genome *g) {
    meas_record r;
    return gts_lookup(f->gt, g, &r);
}

static int same_genome(const space *sp, const hw_genome *a, const hw_genome *b) { return space_hash(sp, a) == space_hash(sp, b); }

/* p[0..n) pairwise distinct, p[from..n) not measured. */
static void check_batch(const fixture *f, const hw_genome *p, int from, int n) {
    for (int i = 0; i < n; i++) {
        if (i >= from && measured(f, &p[i])) fail_msg("proposal %d is already measured", i);
        for (int j = 0; j < i; j++)
            if (same_genome(f->sp, &p[i], &p[j])) fail_msg("proposals %d and %d are the same architecture", j, i);
    }
}

static void test_batch_distinct_unmeasured(void **st) {
    (void)st;
    fixture f;
    setup_policy(&f, "hv_contribution");
    island *is = new_island(&f, 0, 1);
    hw_genome p[2 * K];
    int n1, n2;
    assert_int_equal(island_propose(is, K, p, &n1), 0);
    if (n1 != K) fail_msg("batch size: got %d, want %d", n1, K);
    check_batch(&f, p, 0, n1);
    /* measure the first batch; the second batch repeats neither it nor anything measured */
    int first, nn;
    assert_int_equal(gts_submit(f.gt, p, n1, NULL), 0);
    assert_int_equal(gts_collect(f.gt, &first, &nn), 0);
    const meas_record *all = gts_records(f.gt, &f.nrec);
    assert_int_equal(island_update(is, all + first, nn, NULL, 0), 0);
    assert_int_equal(island_propose(is, K, p + K, &n2), 0);
    if (n2 != K) fail_msg("second batch size: got %d, want %d", n2, K);
    check_batch(&f, p, K, K + n2);
    int none;
    assert_int_equal(island_propose(is, 0, p, &none), 0);
    assert_int_equal(none, 0);
    island_free(is);
    teardown_fixture(&f);
}

static void test_islands_split_the_greedy_order(void **st) {
    (void)st;
    fixture f;
    setup_policy(&f, "hv_contribution");
    /* island 0 of 1 with 2k picks = the greedy order */
    island *solo = new_island(&f, 0, 1), *a = new_island(&f, 0, 2), *b = new_island(&f, 1, 2);
    hw_genome all[2 * K], pa[K], pb[K];
    int n, na, nb;
    /* island 1's own NSGA stream evaluated other genomes: give it island
     * 0's exact state, so the two differ only in their index */
    clone_state(&f, a, b);
    assert_int_equal(island_propose(solo, 2 * K, all, &n), 0);
    assert_int_equal(island_propose(a, K, pa, &na), 0);
    assert_int_equal(island_propose(b, K, pb, &nb), 0);
    if (n != 2 * K || na != K || nb != K) fail_msg("batch sizes %d %d %d, want %d %d %d", n, na, nb, 2 * K, K, K);
    for (int i = 0; i < K; i++) {
        if (!same_genome(f.sp, &pa[i], &all[i])) fail_msg("island 0 of 2, pick %d is not greedy pick %d", i, i);
        if (!same_genome(f.sp, &pb[i], &all[K + i])) fail_msg("island 1 of 2, pick %d is not greedy pick %d", i, K + i);
        for (int j = 0; j < K; j++)
            if (same_genome(f.sp, &pa[i], &pb[j])) fail_msg("islands 0 and 1 both propose an architecture");
    }
    island_free(solo);
    island_free(a);
    island_free(b);
    teardown_fixture(&f);
}

static void test_policies_unmeasured(void **st) {
    (void)st;
    const char *pol[] = {"uncertainty", "constraint_boundary", "ehvi"};
    for (int q = 0; q < 3; q++) {
        fixture f;
        setup_policy(&f, pol[q]);
        island *is = new_island(&f, 0, 1);
        hw_genome p[K];
        int n;
        assert_int_equal(island_propose(is, K, p, &n), 0);
        if (n < 1 || n > K) fail_msg("%s: batch size %d, want 1..%d", pol[q], n, K);
        if (q == 2 && n != K) fail_msg("ehvi: batch size %d, want %d (a batch never runs dry)", n, K);
        check_batch(&f, p, 0, n);
        island_free(is);
        teardown_fixture(&f);
    }
}

static void test_export_import_same_proposals(void **st) {
    (void)st;
    fixture f;
    setup_policy(&f, "hv_contribution");
    island *a = new_island(&f, 0, 1), *b;
    assert_int_equal(island_create(f.cfg, f.sp, 0, &b), 0);
    clone_state(&f, a, b);
    hw_genome pa[K], pb[K];
    int na, nb;
    assert_int_equal(island_propose(a, K, pa, &na), 0);
    assert_int_equal(island_propose(b, K, pb, &nb), 0);
    assert_int_equal(na, nb);
    for (int i = 0; i < na; i++)
        if (!same_genome(f.sp, &pa[i], &pb[i])) fail_msg("pick %d differs after export/import", i);
    uint64_t *ea, *eb;
    int64_t nea = island_evaluated(a, &ea), neb = island_evaluated(b, &eb);
    if (nea != neb || nea < 1) fail_msg("evaluated set: %lld before export, %lld after", (long long)nea, (long long)neb);
    free(ea);
    free(eb);
    island_free(a);
    island_free(b);
    teardown_fixture(&f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_distinct_unmeasured),
        cmocka_unit_test(test_islands_split_the_greedy_order),
        cmocka_unit_test(test_policies_unmeasured),
        cmocka_unit_test(test_export_import_same_proposals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
