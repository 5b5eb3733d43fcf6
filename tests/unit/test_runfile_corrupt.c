/* test_runfile_corrupt: the reader refuses bad run files with one line
 * naming the file and the object: wrong format version, missing dataset,
 * inconsistent shapes, wrong element type, truncation at many points, a
 * flipped byte inside a data chunk (Fletcher-32) and in metadata, a text
 * file, a missing file. Random byte flips never crash the reader. After
 * every refused file no HDF5 object is left open. */
#include <hdf5.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/stat.h>

#include "hw_err.h"
#include "rng.h"
#include "test_runfile_util.h"

static char dir[256], path[300], bad[300];
static run_snapshot *orig;

static int setup(void **st) {
    (void)st;
    tu_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/run.h5", dir);
    snprintf(bad, sizeof bad, "%s/bad.h5", dir);
    orig = tu_synth(2, 12, 4, 300, 11);
    if (runfile_write(path, orig) < 0) fail_msg("%s", hw_errmsg());
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    return 0;
}

static int teardown(void **st) {
    (void)st;
    run_snapshot_free(orig);
    tu_rmdir(dir);
    return 0;
}

static void copy_file(const char *from, const char *to, long truncate_at) {
    FILE *f = fopen(from, "rb"), *g = fopen(to, "wb");
    assert_non_null(f);
    assert_non_null(g);
    char buf[65536];
    long done = 0;
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        if (truncate_at >= 0 && done + (long)n > truncate_at) n = (size_t)(truncate_at - done);
        fwrite(buf, 1, n, g);
        done += (long)n;
        if (truncate_at >= 0 && done >= truncate_at) break;
    }
    fclose(f);
    fclose(g);
}

static long file_size(const char *p) {
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    return st.st_size;
}

/* No file, dataset, group, type or attribute left open by the reader. */
static void assert_nothing_open(void) {
    ssize_t k = H5Fget_obj_count((hid_t)H5F_OBJ_ALL, H5F_OBJ_ALL);
    if (k != 0) fail_msg("%zd HDF5 objects left open after: %s", k, hw_errmsg());
}

/* Reads BAD, expects failure with a message containing every NEEDLE. */
static void expect_fail(const char *n1, const char *n2) {
    run_snapshot *s = NULL;
    int rc = runfile_read(bad, &s);
    if (rc == 0) {
        run_snapshot_free(s);
        fail_msg("read of a bad file succeeded (expected '%s')", n1 ? n1 : "");
    }
    assert_null(s);
    assert_nothing_open();
    const char *m = hw_errmsg();
    assert_non_null(strstr(m, bad));
    assert_null(strchr(m, '\n'));
    if (n1 && !strstr(m, n1)) fail_msg("message '%s' lacks '%s'", m, n1);
    if (n2 && !strstr(m, n2)) fail_msg("message '%s' lacks '%s'", m, n2);
}

static hid_t open_rw(void) {
    copy_file(path, bad, -1);
    hid_t f = H5Fopen(bad, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(f >= 0);
    return f;
}

static void test_good(void **st) {
    (void)st;
    run_snapshot *s;
    assert_int_equal(runfile_read(path, &s), 0);
    assert_null(tu_snapshot_diff(orig, s));
    run_snapshot_free(s);
}

static void test_version(void **st) {
    (void)st;
    hid_t f = open_rw();
    hid_t a = H5Aopen(f, "format_version", H5P_DEFAULT);
    int64_t v = 99;
    assert_true(H5Awrite(a, H5T_NATIVE_INT64, &v) >= 0);
    H5Aclose(a);
    H5Fclose(f);
    expect_fail("format version 99", "@format_version");
    f = open_rw();
    assert_true(H5Adelete(f, "format_version") >= 0);
    H5Fclose(f);
    expect_fail("/@format_version", "missing attribute");
}

static void test_missing(void **st) {
    (void)st;
    static const char *const objs[] = {"/history/hv", "/islands/1/engine_state", "/predictor/trainsets/0/board",
                                       "/evaluated/measured", "/journal/seq", "/ranks/rng", "/config"};
    for (size_t k = 0; k < sizeof objs / sizeof *objs; k++) {
        hid_t f = open_rw();
        assert_true(H5Ldelete(f, objs[k], H5P_DEFAULT) >= 0);
        H5Fclose(f);
        expect_fail(objs[k], "missing");
    }
    hid_t f = open_rw();
    assert_true(H5Ldelete(f, "/islands/1", H5P_DEFAULT) >= 0);
    H5Fclose(f);
    expect_fail("/islands/1", "missing group");
}

/* Replaces dataset NAME by a 1-D double dataset of N elements. */
static void replace_1d(const char *name, hsize_t n) {
    hid_t f = open_rw();
    assert_true(H5Ldelete(f, name, H5P_DEFAULT) >= 0);
    hid_t sp = H5Screate_simple(1, &n, NULL);
    hid_t d = H5Dcreate2(f, name, H5T_NATIVE_DOUBLE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(d >= 0);
    double *z = calloc(n ? n : 1, sizeof(double));
    H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, z);
    free(z);
    H5Dclose(d);
    H5Sclose(sp);
    H5Fclose(f);
}

static void test_shapes(void **st) {
    (void)st;
    replace_1d("/evaluated/cv", (hsize_t)orig->evaluated.n - 1);
    expect_fail("/evaluated/cv", "inconsistent");
    replace_1d("/history/wall_s", (hsize_t)orig->nhistory + 3);
    expect_fail("/history/wall_s", "inconsistent");
    replace_1d("/predictor/trainsets/0/values", 7);
    expect_fail("/predictor/trainsets/0/values", "inconsistent");
    replace_1d("/archive/genomes", 4); /* rank 1 instead of 2 */
    expect_fail("/archive/genomes", "rank");
    replace_1d("/islands/0/strings", 12); /* doubles, not strings */
    expect_fail("/islands/0/strings", "string");
    replace_1d("/islands/0/rng", 3);
    expect_fail("/islands/0/rng", NULL);
}

static void test_truncated(void **st) {
    (void)st;
    long n = file_size(path);
    for (int k = 0; k <= 40; k++) {
        long at = k == 0 ? 0 : k == 40 ? n - 1 : (long)((double)n * k / 40.0);
        copy_file(path, bad, at);
        expect_fail(NULL, NULL);
    }
}

/* Flips one byte at OFF of BAD. */
static void flip(long off) {
    FILE *f = fopen(bad, "r+b");
    assert_non_null(f);
    fseek(f, off, SEEK_SET);
    int c = fgetc(f);
    fseek(f, off, SEEK_SET);
    fputc(c ^ 0x5A, f);
    fclose(f);
}

static void test_chunk_checksum(void **st) {
    (void)st;
    /* locate the first chunk of two datasets and corrupt one byte in it */
    static const char *const objs[] = {"/evaluated/objectives", "/predictor/trainsets/0/features",
                                       "/predictor/trainsets/0/arch"};
    for (size_t k = 0; k < sizeof objs / sizeof *objs; k++) {
        hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
        hid_t d = H5Dopen2(f, objs[k], H5P_DEFAULT);
        hid_t sp = H5Dget_space(d);
        hsize_t coff[2];
        unsigned mask;
        haddr_t addr;
        hsize_t size;
        assert_true(H5Dget_chunk_info(d, sp, 0, coff, &mask, &addr, &size) >= 0);
        H5Sclose(sp);
        H5Dclose(d);
        H5Fclose(f);
        copy_file(path, bad, -1);
        flip((long)addr + (long)size / 2);
        expect_fail(objs[k], "corrupt");
    }
}

static void test_not_hdf5(void **st) {
    (void)st;
    FILE *f = fopen(bad, "w");
    fputs("space: nb201\n", f);
    fclose(f);
    expect_fail("not an HDF5 file", NULL);
    unlink(bad);
    expect_fail("cannot open", NULL);
}

static void test_random_flips(void **st) {
    (void)st;
    long n = file_size(path);
    hw_rng r;
    rng_seed(&r, 5);
    int detected = 0, trials = 60;
    for (int t = 0; t < trials; t++) {
        copy_file(path, bad, -1);
        for (int k = 0; k < 3; k++) flip((long)rng_below(&r, (uint64_t)n));
        run_snapshot *s = NULL;
        if (runfile_read(bad, &s) < 0) {
            assert_nothing_open();
            detected++;
            assert_non_null(strstr(hw_errmsg(), bad));
        } else {
            run_snapshot_free(s);
        }
    }
    print_message("random flips: %d of %d files refused\n", detected, trials);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),          cmocka_unit_test(test_version),   cmocka_unit_test(test_missing),
        cmocka_unit_test(test_shapes),        cmocka_unit_test(test_truncated), cmocka_unit_test(test_chunk_checksum),
        cmocka_unit_test(test_not_hdf5),      cmocka_unit_test(test_random_flips),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
