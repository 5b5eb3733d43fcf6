/* Search spaces: string/index round-trips, operators keep genomes valid and
 * canonical, hashing, and the NB201 index agrees with the shipped tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "hw_err.h"
#include "space.h"
#include "u64map.h"

static void roundtrip_many(space *sp, int n) {
    hw_rng r;
    rng_seed(&r, 42);
    for (int i = 0; i < n; i++) {
        hw_genome g, h, c1, c2;
        char s[HW_ARCH_STR_MAX];
        space_sample(sp, &r, &g);
        assert_true(space_valid(sp, &g));
        assert_int_equal(space_to_string(sp, &g, s, sizeof s), 0);
        assert_int_equal(space_from_string(sp, s, &h), 0);
        assert_true(hw_genome_equal(&g, &h, HW_MAX_GENES));
        assert_true(space_hash(sp, &g) == space_hash(sp, &h));
        h = g;
        space_mutate(sp, &r, 0.1, &h);
        assert_true(space_valid(sp, &h));
        assert_false(hw_genome_equal(&g, &h, HW_MAX_GENES)); /* mutation always changes something */
        space_crossover(sp, &r, &g, &h, &c1, &c2);
        assert_true(space_valid(sp, &c1));
        assert_true(space_valid(sp, &c2));
        /* every gene of a child comes from a parent (nb201: no repair) */
        if (!strcmp(space_name(sp), "nb201"))
            for (int e = 0; e < NB201_EDGES; e++) {
                assert_true(c1.g[e] == g.g[e] || c1.g[e] == h.g[e]);
                assert_true(c1.g[e] + c2.g[e] == g.g[e] + h.g[e]);
            }
    }
}

static void test_nb201_roundtrip(void **state) {
    (void)state;
    space *sp;
    assert_int_equal(space_create_nb201(&sp), 0);
    assert_int_equal(space_ngenes(sp), 6);
    assert_int_equal(space_size(sp), 15625);
    roundtrip_many(sp, 2000);
    /* index <-> genome is a bijection over all 15625 archs */
    u64map seen;
    u64map_init(&seen);
    for (int i = 0; i < 15625; i++) {
        hw_genome g;
        assert_int_equal(space_from_index(sp, i, &g), 0);
        assert_int_equal(space_index(sp, &g), i);
        assert_int_equal(u64map_put(&seen, space_hash(sp, &g), i), 1); /* hashes distinct */
    }
    u64map_free(&seen);
    hw_genome g;
    assert_int_equal(space_from_index(sp, 15625, &g), -1);
    assert_int_equal(space_from_index(sp, -1, &g), -1);
    space_free(sp);
}

/* The index and arch string columns of both shipped tables agree with the
 * space: tables join by index or by string. */
static void check_table(space *sp, const char *rel) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", getenv("HWNAS_DATA"), rel);
    csv_table *t;
    assert_int_equal(csv_read(path, &t), 0);
    int ci = csv_col(t, "arch_index"), cs = csv_col(t, "arch_str");
    assert_true(ci >= 0 && cs >= 0);
    assert_int_equal(csv_nrows(t), 15625);
    for (int r = 0; r < csv_nrows(t); r++) {
        hw_genome g;
        char s[HW_ARCH_STR_MAX];
        assert_int_equal(space_from_string(sp, csv_str(t, r, cs), &g), 0);
        assert_int_equal(space_index(sp, &g), (int64_t)csv_num(t, r, ci));
        assert_int_equal(space_to_string(sp, &g, s, sizeof s), 0);
        assert_string_equal(s, csv_str(t, r, cs));
    }
    csv_free(t);
}

static void test_nb201_tables(void **state) {
    (void)state;
    space *sp;
    space_create_nb201(&sp);
    check_table(sp, "nb201_accuracy/nb201_accuracy.csv");
    check_table(sp, "hw_nas_bench/hwnasbench_nb201_cifar10.csv");
    check_table(sp, "help_latency/nb201_latency.csv");
    space_free(sp);
}

static void test_nb201_features(void **state) {
    (void)state;
    space *sp;
    space_create_nb201(&sp);
    hw_genome g;
    /* all-none cell: not connected, no live ops */
    assert_int_equal(space_from_string(sp, "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", &g), 0);
    float x[64];
    assert_int_equal(space_nfeatures(sp), 41);
    space_features(sp, &g, x);
    assert_float_equal(x[30], 6, 0);
    assert_float_equal(x[40], 0, 0);
    /* conv3x3 on 1<-0 feeding a dead node 1 (1->3 and 1->2 are none): not live */
    assert_int_equal(space_from_string(sp, "|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|", &g), 0);
    space_features(sp, &g, x);
    assert_float_equal(x[33], 1, 0);      /* one conv3x3 */
    assert_float_equal(x[35 + 3], 0, 0);  /* not live */
    assert_float_equal(x[35 + 1], 1, 0);  /* the skip 3<-0 is live */
    assert_float_equal(x[40], 1, 0);
    assert_string_equal(space_feature_name(sp, 0), "op_1_0=none");
    space_free(sp);
}

static void test_nb201_bad_strings(void **state) {
    (void)state;
    space *sp;
    space_create_nb201(&sp);
    hw_genome g;
    const char *bad[] = {"", "|nor_conv_3x3~0|", "|foo~0|+|none~0|none~1|+|none~0|none~1|none~2|",
                         "|none~1|+|none~0|none~1|+|none~0|none~1|none~2|",
                         "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|x"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(space_from_string(sp, bad[i], &g), -1);
        assert_non_null(strstr(hw_errmsg(), "not an NB201 arch string"));
    }
    space_free(sp);
}

static void test_bert_roundtrip(void **state) {
    (void)state;
    bert_space_cfg c;
    bert_space_cfg_default(&c);
    space *sp;
    assert_int_equal(space_create_bert(&c, &sp), 0);
    assert_int_equal(space_ngenes(sp), 2 + 2 * 12);
    roundtrip_many(sp, 3000);
    hw_genome g;
    assert_int_equal(space_from_string(sp, "L2:H256:A4.8:F1024.512", &g), 0);
    bert_shape sh;
    assert_int_equal(space_bert_shape(sp, &g, &sh), 0);
    assert_int_equal(sh.layers, 2);
    assert_int_equal(sh.hidden, 256);
    assert_int_equal(sh.heads[1], 8);
    assert_int_equal(sh.ffn[0], 1024);
    char s[HW_ARCH_STR_MAX];
    space_to_string(sp, &g, s, sizeof s);
    assert_string_equal(s, "L2:H256:A4.8:F1024.512");
    /* invalid: heads must divide hidden, lists must match layer count */
    assert_int_equal(space_from_string(sp, "L2:H128:A12.4:F512.512", &g), -1);
    assert_non_null(strstr(hw_errmsg(), "not divisible"));
    assert_int_equal(space_from_string(sp, "L3:H128:A4.4:F512.512", &g), -1);
    assert_int_equal(space_from_string(sp, "L2:H100:A4.4:F512.512", &g), -1);
    assert_int_equal(space_from_string(sp, "L13:H128:A4:F512", &g), -1);
    assert_int_equal(space_from_string(sp, "garbage", &g), -1);
    /* features: layers, hidden, ... */
    float x[64];
    assert_int_equal(space_from_string(sp, "L2:H256:A4.8:F1024.512", &g), 0);
    space_features(sp, &g, x);
    assert_float_equal(x[0], 2, 0);
    assert_float_equal(x[1], 256, 0);
    assert_float_equal(x[2], 6, 1e-6);
    assert_float_equal(x[4], 1536, 0);
    assert_float_equal(x[5], (4.0 * 256 * 256 * 2 + 2.0 * 256 * 1536) / 1e6, 1e-4);
    space_free(sp);
}

static void test_bert_bad_cfg(void **state) {
    (void)state;
    bert_space_cfg c;
    space *sp;
    bert_space_cfg_default(&c);
    c.n_heads = 0;
    assert_int_equal(space_create_bert(&c, &sp), -1);
    bert_space_cfg_default(&c);
    c.hidden[0] = 130;
    c.hidden[1] = 131;
    c.n_hidden = 2;
    c.heads[0] = 4;
    c.n_heads = 1;
    assert_int_equal(space_create_bert(&c, &sp), -1);
    assert_non_null(strstr(hw_errmsg(), "divisible"));
    bert_space_cfg_default(&c);
    c.layers[0] = 5; /* not increasing */
    assert_int_equal(space_create_bert(&c, &sp), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nb201_roundtrip), cmocka_unit_test(test_nb201_tables),
        cmocka_unit_test(test_nb201_features),  cmocka_unit_test(test_nb201_bad_strings),
        cmocka_unit_test(test_bert_roundtrip),  cmocka_unit_test(test_bert_bad_cfg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
