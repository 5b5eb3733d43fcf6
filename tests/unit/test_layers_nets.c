/* Layer lists: NB201 MACs against the published NAS-Bench-201 figure (the
 * all-conv3x3 network is 220.11 M MACs, what NB201 reports as "FLOPs"),
 * op-by-op hand counts, merging, and BERT MACs by formula. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "hw_err.h"
#include "layers.h"
#include "space.h"

/* MACs of conv/matmul layers only (what NB201 counts). */
static double conv_macs(const layer_list *l) {
    double t = 0;
    for (int i = 0; i < l->n; i++)
        if (l->v[i].kind == LAYER_CONV || l->v[i].kind == LAYER_MATMUL || l->v[i].kind == LAYER_DWCONV)
            t += layer_macs(&l->v[i]) * l->v[i].count;
    return t;
}

static int count_kind(const layer_list *l, layer_kind k) {
    int n = 0;
    for (int i = 0; i < l->n; i++)
        if (l->v[i].kind == k) n += l->v[i].count;
    return n;
}

static void test_nb201(void **st) {
    (void)st;
    layer_list l, m;
    layer_list_init(&l, 0);
    layer_list_init(&m, 1);
    const int conv3[6] = {3, 3, 3, 3, 3, 3}, none[6] = {0, 0, 0, 0, 0, 0};
    layers_nb201_ops(conv3, 1, &l);
    /* stem 3*16*9*32*32 + 90 cell convs of 2359296 + 2 reductions
     * (C->2C conv3x3/2, 2C->2C conv3x3, C->2C conv1x1) + linear 64*10 */
    double stem = 3.0 * 16 * 9 * 1024, cells = 90.0 * 2359296;
    double red = 2 * (1179648.0 + 2359296 + 131072), head = 640;
    assert_true(conv_macs(&l) == stem + cells + red + head);
    assert_true(fabs(conv_macs(&l) / 1e6 - 220.11) < 0.01);
    /* 90 cell convs + stem + 6 reduction convs + linear; sums: nodes 2 and 3 per cell */
    assert_int_equal(count_kind(&l, LAYER_CONV), 90 + 1 + 6);
    assert_int_equal(count_kind(&l, LAYER_ELTWISE), 15 * 2 + 2 + 1);
    layers_nb201_ops(conv3, 1, &m);
    assert_true(m.n < l.n);
    assert_true(layer_list_macs(&m) == layer_list_macs(&l));
    layers_nb201_ops(none, 1, &l);
    assert_true(conv_macs(&l) == stem + red + head);
    assert_int_equal(count_kind(&l, LAYER_POOL), 2 + 1); /* reduction shortcuts + global pool */
    /* batch scales MACs linearly */
    layers_nb201_ops(conv3, 4, &m);
    assert_true(conv_macs(&m) == 4 * (stem + cells + red + head));
    /* from a genome; wrong space is refused */
    space *s, *b;
    hw_genome g;
    assert_int_equal(space_create_nb201(&s), 0);
    assert_int_equal(space_from_string(s, "|nor_conv_1x1~0|+|avg_pool_3x3~0|skip_connect~1|+|none~0|nor_conv_3x3~1|skip_connect~2|", &g), 0);
    assert_int_equal(layers_nb201(s, &g, 1, &l), 0);
    /* per cell: one 1x1, one 3x3 conv; stage 1: 16*16*1024*(1+9) */
    double cell_conv = 16.0 * 16 * 1024 * 10; /* equal in every stage */
    assert_true(conv_macs(&l) == stem + red + head + 15 * cell_conv);
    assert_int_equal(count_kind(&l, LAYER_POOL), 15 + 3);
    assert_int_equal(count_kind(&l, LAYER_ELTWISE), 15 * 2 + 3); /* node 2 and node 3 have 2 inputs */
    bert_space_cfg bc;
    bert_space_cfg_default(&bc);
    assert_int_equal(space_create_bert(&bc, &b), 0);
    assert_int_equal(layers_nb201(b, &g, 1, &l), -1);
    space_free(s);
    space_free(b);
    layer_list_free(&l);
    layer_list_free(&m);
}

static void test_bert(void **st) {
    (void)st;
    space *s;
    bert_space_cfg bc;
    bert_space_cfg_default(&bc);
    assert_int_equal(space_create_bert(&bc, &s), 0);
    hw_genome g;
    assert_int_equal(space_from_string(s, "L2:H256:A4.8:F1024.512", &g), 0);
    layer_list l;
    layer_list_init(&l, 0);
    int T = 64, B = 2;
    assert_int_equal(layers_bert(s, &g, T, B, &l), 0);
    double H = 256, tok = (double)T * B, want = 0;
    const double F[2] = {1024, 512};
    for (int i = 0; i < 2; i++)
        want += tok * H * 3 * H + 2.0 * B * T * T * H + tok * H * H + 2 * tok * H * F[i];
    want += B * H * H + B * H * 2; /* pooler + classifier */
    double got = 0;
    for (int i = 0; i < l.n; i++)
        if (l.v[i].kind == LAYER_MATMUL) got += layer_macs(&l.v[i]) * l.v[i].count;
    assert_true(got == want);
    /* per-head matmuls: A*B groups of T x D x T */
    int found = 0;
    for (int i = 0; i < l.n; i++)
        if (!strcmp(l.v[i].name, "L1.score")) {
            found = 1;
            assert_int_equal(l.v[i].g, 8 * B);
            assert_int_equal(l.v[i].c, 256 / 8);
            assert_int_equal(l.v[i].k, T);
            assert_int_equal(l.v[i].act_b, 1);
        }
    assert_true(found);
    assert_int_equal(layers_bert(s, &g, 0, 1, &l), -1);
    space *nb;
    assert_int_equal(space_create_nb201(&nb), 0);
    assert_int_equal(layers_bert(nb, &g, T, 1, &l), -1);
    space_free(nb);
    space_free(s);
    layer_list_free(&l);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_nb201), cmocka_unit_test(test_bert)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
