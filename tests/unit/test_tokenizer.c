/* test_tokenizer: BERT uncased WordPiece against expected ids computed once
 * by tools/bert_tokenizer_ref.py (an independent Python implementation of
 * BERT's published algorithm on Python's unicodedata NFD and categories):
 * accents, punctuation, unknown and long words, CJK, whitespace, control
 * characters; then [CLS]/[SEP], truncation and padding, invalid UTF-8 and
 * bad vocabulary files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hw_err.h"
#include "tokenizer.h"

static const char *const CASES[] = {
    "Hello, World!",
    "cr\xc3""\xa8""me br\xc3""\xbb""l\xc3""\xa9""e",
    "\xc3""\x85""ngstr\xc3""\xb6""m's na\xc3""\xaf""ve caf\xc3""\xa9""",
    "unaffable",
    "supercalifragilisticexpialidocious",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa b",
    "don't stop-believing... (really)\x3f""!",
    "\xc5""\x81""\xc3""\xb3""d\xc5""\xba"" \xc5""\x92""uvre Stra\xc3""\x9f""e \xc4""\xb3""ssel \xc4""\xb0""stanbul",
    "\xe6""\x97""\xa5""\xe6""\x9c""\xac""\xe8""\xaa""\x9e"" text\xe4""\xb8""\xad""\xe6""\x96""\x87""",
    "Z\xc3""\xbc""rich\x09""\x0a""new\xc2""\xa0""line  ",
    "\xc2""\xbf""Qu\xc3""\xa9""\x3f"" \xc2""\xab""quoted\xc2""\xbb"" \xe2""\x80""\x94"" dash\xe2""\x80""\xa6"" \xe2""\x80""\x9c""smart\xe2""\x80""\x9d""",
    "\xd0""\x9f""\xd1""\x80""\xd0""\xb8""\xd0""\xb2""\xd0""\xb5""\xd1""\x82"" \xd0""\x81""\xd0""\xbb""\xd0""\xba""\xd0""\xb0"" \xd0""\xb9""\xd0""\xbe""\xd0""\xb4""",
    "\xce""\x95""\xce""\xbb""\xce""\xbb""\xce""\xb7""\xce""\xbd""\xce""\xb9""\xce""\xba""\xce""\xac"" \xce""\x86""\xce""\xbb""\xcf""\x86""\xce""\xb1""",
    "\xe2""\x80""\x8b""zero\xc2""\xad""width\x07""bell",
    "e\xcc""\x81""cole \xef""\xac""\x81"" xyzzyqqq \xe2""\x98""\x83""",
    "$100.50 & 20% off @home #1",
};

typedef struct expect {
    int n;
    int ids[24];
} expect;

/* Output of tools/bert_tokenizer_ref.py (comments show its basic tokens). */
static const expect WANT[] = {
    /* 'Hello, World!' -> ['hello', ',', 'world', '!'] */
    {4, {7592, 1010, 2088, 999}},
    /* 'crème brûlée' -> ['creme', 'brulee'] */
    {5, {13675, 21382, 7987, 9307, 2063}},
    /* "Ångström's naïve café" -> ['angstrom', "'", 's', 'naive', 'cafe'] */
    {6, {17076, 15687, 1005, 1055, 15743, 7668}},
    /* 'unaffable' -> ['unaffable'] */
    {3, {14477, 20961, 3468}},
    /* 'supercalifragilisticexpialidocious' -> ['supercalifragilisticexpialidocious'] */
    {11, {3565, 9289, 10128, 29181, 24411, 4588, 10288, 19312, 21273, 10085, 6313}},
    /* 'aaaaaaaaaaaaaaaaaaaa...' -> ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'b'] */
    {2, {100, 1038}},
    /* "don't stop-believing... (really)?!" -> ['don', "'", 't', 'stop', '-', 'believing', '.', '.', '.', '(', 'really', ')', '?', '!'] */
    {14, {2123, 1005, 1056, 2644, 1011, 8929, 1012, 1012, 1012, 1006, 2428, 1007, 1029, 999}},
    /* 'Łódź Œuvre Straße ĳssel İstanbul' -> ['łodz', 'œuvre', 'straße', 'ĳssel', 'istanbul'] */
    {8, {17814, 1107, 2226, 12229, 2358, 27807, 100, 9960}},
    /* '日本語 text中文' -> ['日', '本', '語', 'text', '中', '文'] */
    {6, {1864, 1876, 1950, 3793, 1746, 1861}},
    /* 'Zürich\t\nnew\xa0line  ' -> ['zurich', 'new', 'line'] */
    {3, {10204, 2047, 2240}},
    /* '¿Qué? «quoted» — dash… “smart”' -> ['¿', 'que', '?', '«', 'quoted', '»', '—', 'dash', '…', '“', 'smart', '”'] */
    {12, {1094, 10861, 1029, 1077, 9339, 1090, 1517, 11454, 1529, 1523, 6047, 1524}},
    /* 'Привет Ёлка йод' -> ['привет', 'елка', 'иод'] */
    {12, {1194, 16856, 10325, 25529, 15290, 22919, 1185, 29436, 28598, 1188, 14150, 29742}},
    /* 'Ελληνικά Άλφα' -> ['ελληνικα', 'αλφα'] */
    {12, {1159, 29727, 29727, 24824, 16177, 18199, 29726, 14608, 1155, 29727, 29736, 14608}},
    /* '\u200bzero\xadwidth\x07bell' -> ['zerowidthbell'] */
    {5, {5717, 9148, 11927, 2232, 17327}},
    /* 'école ﬁ xyzzyqqq ☃' -> ['ecole', 'ﬁ', 'xyzzyqqq', '☃'] */
    {9, {12431, 1984, 1060, 2100, 28753, 4160, 4160, 4160, 100}},
    /* '$100.50 & 20% off @home #1' -> ['$', '100', '.', '50', '&', '20', '%', 'off', '@', 'home', '#', '1'] */
    {12, {1002, 2531, 1012, 2753, 1004, 2322, 1003, 2125, 1030, 2188, 1001, 1015}},
};

static tok_vocab *load(void) {
    char path[1024];
    const char *d = getenv("HWNAS_DATA");
    snprintf(path, sizeof path, "%s/bert_uncased_vocab/vocab.txt", d ? d : "data");
    tok_vocab *t = NULL;
    assert_int_equal(tok_create(path, &t), 0);
    return t;
}

static void test_reference_cases(void **st) {
    (void)st;
    tok_vocab *t = load();
    assert_int_equal(tok_vocab_size(t), 30522);
    assert_int_equal(sizeof CASES / sizeof *CASES, sizeof WANT / sizeof *WANT);
    for (size_t c = 0; c < sizeof CASES / sizeof *CASES; c++) {
        int ids[64];
        int n = tok_wordpiece(t, CASES[c], ids, 64);
        if (n != WANT[c].n) fprintf(stderr, "case %zu: %d pieces, want %d\n", c, n, WANT[c].n);
        assert_int_equal(n, WANT[c].n);
        for (int i = 0; i < n; i++) {
            if (ids[i] != WANT[c].ids[i]) fprintf(stderr, "case %zu piece %d: %d want %d\n", c, i, ids[i], WANT[c].ids[i]);
            assert_int_equal(ids[i], WANT[c].ids[i]);
        }
    }
    tok_free(t);
}

static void test_pieces_and_specials(void **st) {
    (void)st;
    tok_vocab *t = load();
    assert_int_equal(tok_pad_id(t), 0);
    assert_int_equal(tok_unk_id(t), 100);
    assert_int_equal(tok_cls_id(t), 101);
    assert_int_equal(tok_sep_id(t), 102);
    assert_string_equal(tok_piece(t, 14477), "una");
    assert_string_equal(tok_piece(t, 20961), "##ffa");
    assert_int_equal(tok_id(t, "##ble"), 3468);
    assert_null(tok_piece(t, 30522));
    assert_int_equal(tok_id(t, "notapiece-xyz"), -1);
    /* a combining accent written separately is dropped like a precomposed one */
    int a[8], b[8];
    assert_int_equal(tok_wordpiece(t, "cafe\xcc\x81", a, 8), tok_wordpiece(t, "caf\xc3\xa9", b, 8));
    assert_int_equal(a[0], b[0]);
    /* invalid UTF-8 bytes are dropped, never crash */
    int n1 = tok_wordpiece(t, "ab\xff\xc3" "cd", a, 8), n2 = tok_wordpiece(t, "abcd", b, 8);
    assert_int_equal(n1, n2);
    assert_memory_equal(a, b, (size_t)n2 * sizeof(int));
    /* counting beyond max */
    assert_int_equal(tok_wordpiece(t, "a b c d e f g h i j", a, 3), 10);
    assert_int_equal(tok_wordpiece(t, "", a, 8), 0);
    assert_int_equal(tok_wordpiece(t, " \t\n ", a, 8), 0);
    tok_free(t);
}

static void test_encode_truncate_pad(void **st) {
    (void)st;
    tok_vocab *t = load();
    int ids[8], mask[8];
    assert_int_equal(tok_encode(t, "Hello, World!", 8, ids, mask), 6);
    const int want[8] = {101, 7592, 1010, 2088, 999, 102, 0, 0}, wm[8] = {1, 1, 1, 1, 1, 1, 0, 0};
    assert_memory_equal(ids, want, sizeof want);
    assert_memory_equal(mask, wm, sizeof wm);
    /* truncation keeps [SEP] last */
    assert_int_equal(tok_encode(t, "a b c d e f g h i j", 5, ids, mask), 5);
    assert_int_equal(ids[0], 101);
    assert_int_equal(ids[3], tok_id(t, "c"));
    assert_int_equal(ids[4], 102);
    assert_int_equal(tok_encode(t, "", 4, ids, mask), 2);
    assert_int_equal(ids[1], 102);
    assert_int_equal(mask[2], 0);
    tok_free(t);
}

static void test_bad_vocab(void **st) {
    (void)st;
    tok_vocab *t = NULL;
    assert_int_equal(tok_create("/nonexistent/vocab.txt", &t), -1);
    assert_non_null(strstr(hw_errmsg(), "/nonexistent/vocab.txt"));
    char path[] = "/tmp/hwnas_vocab_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\nhello\n", f);
    fclose(f);
    assert_int_equal(tok_create(path, &t), -1);
    assert_non_null(strstr(hw_errmsg(), ":6: duplicate"));
    f = fopen(path, "w");
    fputs("[PAD]\n[UNK]\nhello\n", f);
    fclose(f);
    assert_int_equal(tok_create(path, &t), -1);
    assert_non_null(strstr(hw_errmsg(), "lacks"));
    remove(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_cases),
        cmocka_unit_test(test_pieces_and_specials),
        cmocka_unit_test(test_encode_truncate_pad),
        cmocka_unit_test(test_bad_vocab),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
