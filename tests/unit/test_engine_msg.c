/* test_engine_msg: the engine's MPI message codec (mpi/engine_msg.c):
 * PROPOSE, UPDATE (records + model blob inline, or a header announcing
 * a broadcast body) and genome lists round-trip field for field; a message of another wire version, one cut short by
 * any number of bytes, one with a byte too many and one whose count
 * exceeds its bytes are each refused with a message (no read past the end:
 * the suite's ASan build checks that). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine_msg.h"
#include "engine_tags.h"
#include "hw_err.h"

static hw_genome genome(int seed) {
    hw_genome g;
    for (int i = 0; i < HW_MAX_GENES; i++) g.g[i] = (int16_t)(seed * 31 + i - 40);
    return g;
}

/* Every prefix shorter than the message and the message plus one byte fail. */
static void check_lengths(const uint8_t *m, int len, int (*unpack)(const uint8_t *, size_t)) {
    for (int l = 0; l < len; l++)
        if (unpack(m, (size_t)l) == 0) fail_msg("a %d-byte prefix of a %d-byte message was accepted", l, len);
    uint8_t *longer = malloc((size_t)len + 1);
    memcpy(longer, m, (size_t)len);
    longer[len] = 0;
    if (unpack(longer, (size_t)len + 1) == 0) fail_msg("a message with one byte too many was accepted");
    free(longer);
}

static int unpack_propose(const uint8_t *b, size_t l) {
    emsg_propose h;
    hw_genome *g;
    int rc = emsg_propose_unpack(b, l, &h, &g);
    free(g);
    return rc;
}

static int unpack_update(const uint8_t *b, size_t l) {
    emsg_update u;
    int rc = emsg_update_unpack(b, l, &u);
    free((void *)u.rec);
    return rc;
}

static int unpack_genomes(const uint8_t *b, size_t l) {
    hw_genome *g;
    uint64_t *ids;
    int n;
    int64_t nid;
    int rc = emsg_genomes_unpack(b, l, &g, &n, &ids, &nid);
    free(g);
    free(ids);
    return rc;
}

static void test_propose(void **st) {
    (void)st;
    hw_genome g[3] = {genome(1), genome(2), genome(3)};
    emsg_propose h = {.gen = 7, .n_batch = 16, .n = 3, .signal = 1, .busy_s = 0.25}, o;
    int len;
    uint8_t *m = emsg_propose_pack(&h, g, &len);
    assert_int_equal(len, ENGINE_PROPOSE_HDR_BYTES + 3 * ENGINE_GENOME_BYTES);
    hw_genome *d;
    assert_int_equal(emsg_propose_unpack(m, (size_t)len, &o, &d), 0);
    assert_true(o.gen == 7 && o.n_batch == 16 && o.n == 3 && o.signal == 1 && o.busy_s == 0.25);
    assert_memory_equal(d, g, sizeof g);
    free(d);
    check_lengths(m, len, unpack_propose);
    m[0] ^= 1; /* another wire version */
    assert_int_equal(unpack_propose(m, (size_t)len), -1);
    assert_non_null(strstr(hw_errmsg(), "wire version"));
    m[0] ^= 1;
    m[12] = 0x7f; /* n far beyond the bytes */
    assert_int_equal(unpack_propose(m, (size_t)len), -1);
    free(m);
}

static void test_update(void **st) {
    (void)st;
    meas_record r[2];
    memset(r, 0, sizeof r);
    for (int i = 0; i < 2; i++) {
        r[i].g = genome(10 + i);
        for (int k = 0; k < HW_MAX_OBJ; k++) r[i].obj[k] = i * 10 + k + 0.5;
        r[i].cv = i;
        r[i].board_s = 13.25;
        r[i].seq = 40 + i;
        strcpy(r[i].board, "tx2-a");
        strcpy(r[i].runner, "replay");
        r[i].t_start = 1e9 + i;
        r[i].t_end = 1e9 + i + 0.5;
        r[i].replayed = i;
        strcpy(r[i].ft_where, "rank2");
        r[i].gen = r[i].island = -1; /* rank-0 fields travel as "unknown" */
        for (int k = 0; k < HW_MAX_OBJ; k++) r[i].pred_mean[k] = r[i].pred_std[k] = NAN;
    }
    const uint8_t blob[5] = {1, 2, 3, 4, 5};
    emsg_update u = {.gen = 3, .stop = 1, .boundary = 2, .served = 2, .n_rec = 2, .meas_s = 1.5, .comp_s = 0.5, .rec = r,
                     .blob = blob, .blob_len = 5}, o;
    int len;
    uint8_t *m = emsg_update_pack(&u, &len);
    assert_int_equal(len, ENGINE_UPDATE_HDR_BYTES + 2 * ENGINE_RECORD_BYTES + 5);
    assert_int_equal(emsg_update_unpack(m, (size_t)len, &o), 0);
    assert_true(o.gen == 3 && o.stop == 1 && o.boundary == 2 && o.served == 2 && o.n_rec == 2 && o.meas_s == 1.5 && o.comp_s == 0.5);
    assert_memory_equal(o.rec, r, sizeof r);
    assert_true(o.blob_len == 5 && o.blob && memcmp(o.blob, blob, 5) == 0);
    free((void *)o.rec);
    check_lengths(m, len, unpack_update);
    free(m);
    /* broadcast: a header announcing the body, then the body */
    u.bcast = 1;
    m = emsg_update_pack(&u, &len);
    assert_int_equal(len, ENGINE_UPDATE_HDR_BYTES);
    assert_int_equal(emsg_update_unpack(m, (size_t)len, &o), 0);
    assert_true(o.bcast == 1 && o.rec == NULL && o.blob == NULL && o.has_blob && o.blob_len == 5 && o.n_rec == 2);
    free(m);
    int blen;
    uint8_t *body = emsg_update_body_pack(&u, &blen);
    assert_int_equal(blen, 2 * ENGINE_RECORD_BYTES + 5);
    assert_int_equal((int)emsg_update_body_len(&o), blen);
    assert_int_equal(emsg_update_body_unpack(body, (size_t)blen - 1, &o), -1);
    assert_int_equal(emsg_update_body_unpack(body, (size_t)blen, &o), 0);
    assert_memory_equal(o.rec, r, sizeof r);
    assert_true(memcmp(o.blob, blob, 5) == 0);
    free((void *)o.rec);
    free(body);
    u.bcast = 0;
    /* no blob: NULL after the round trip */
    u.blob = NULL;
    u.blob_len = 0;
    m = emsg_update_pack(&u, &len);
    assert_int_equal(emsg_update_unpack(m, (size_t)len, &o), 0);
    assert_null(o.blob);
    free((void *)o.rec);
    free(m);
}

static void test_genomes(void **st) {
    (void)st;
    hw_genome g[2] = {genome(5), genome(6)};
    uint64_t ids[3] = {1, 0xffffffffffffffffULL, 42};
    int len, n;
    int64_t nid;
    hw_genome *dg;
    uint64_t *di;
    uint8_t *m = emsg_genomes_pack(g, 2, ids, 3, &len);
    assert_int_equal(emsg_genomes_unpack(m, (size_t)len, &dg, &n, &di, &nid), 0);
    assert_true(n == 2 && nid == 3);
    assert_memory_equal(dg, g, sizeof g);
    assert_memory_equal(di, ids, sizeof ids);
    free(dg);
    free(di);
    check_lengths(m, len, unpack_genomes);
    free(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_propose),
        cmocka_unit_test(test_update),
        cmocka_unit_test(test_genomes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
