/* test_proto_corpus: replays the fuzzing corpus (tests/fuzz/corpus, grown
 * by tests/fuzz/run_fuzz.sh with libFuzzer) through the parser, so the
 * regression check runs in ctest without a fuzzer: no crash (ASan build),
 * decoded frames re-encode to the same bytes, files named valid-* decode
 * and files named bad-* are rejected. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proto.h"

static void test_corpus(void **st) {
    (void)st;
    const char *tests = getenv("HWNAS_TESTS");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/fuzz/corpus", tests ? tests : "tests");
    DIR *dp = opendir(dir);
    assert_non_null(dp);
    int files = 0, decoded = 0, valid = 0, bad = 0;
    static uint8_t data[1 << 16];
    for (struct dirent *de; (de = readdir(dp));) {
        if (de->d_name[0] == '.') continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        size_t n = fread(data, 1, sizeof data, f);
        fclose(f);
        files++;
        int ok_any = 0;
        for (int from_board = 0; from_board < 2; from_board++) {
            proto_msg m;
            if (proto_decode(data, n, from_board, &m) != 0) continue;
            ok_any = 1;
            uint8_t buf[PROTO_MAX_MSG];
            size_t k;
            assert_int_equal(proto_encode(&m, buf, sizeof buf, &k), 0);
            assert_int_equal(k, n);
            assert_memory_equal(buf, data, n);
        }
        decoded += ok_any;
        if (!strncmp(de->d_name, "valid-", 6)) {
            if (!ok_any) fail_msg("%s should decode", de->d_name);
            valid++;
        }
        if (!strncmp(de->d_name, "bad-", 4)) {
            if (ok_any) fail_msg("%s should be rejected", de->d_name);
            bad++;
        }
    }
    closedir(dp);
    printf("corpus: %d files, %d decode (%d named valid-*, %d named bad-*)\n", files, decoded, valid, bad);
    assert_true(files >= 20);
    assert_true(valid >= 8 && bad >= 8);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_corpus)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
