/* tokenizer: BERT uncased BasicTokenizer + WordPiece (see tokenizer.h for
 * the algorithm and the Unicode coverage of the tables below). */
#include "tokenizer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw_err.h"

#define MAX_WORD_CHARS 100 /* longer words become [UNK], as BERT */

struct tok_vocab {
    int n;          /* pieces */
    char **piece;   /* (n) NUL-terminated pieces */
    int *slot;      /* (cap) open-addressing table of ids, -1 empty */
    size_t cap;     /* power of two >= 2n */
    int pad, unk, cls, sep;
};

/* ------------------------------------------------------------ vocabulary */

static uint64_t hash_str(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

static int lookup(const tok_vocab *t, const char *s, size_t n) {
    for (size_t i = hash_str(s, n) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        int id = t->slot[i];
        if (id < 0) return -1;
        if (strlen(t->piece[id]) == n && !memcmp(t->piece[id], s, n)) return id;
    }
}

int tok_create(const char *path, tok_vocab **out) {
    FILE *f = fopen(path, "r");
    if (!f) return hw_fail("%s: cannot open vocabulary", path);
    tok_vocab *t = hw_calloc(1, sizeof *t);
    size_t cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    while ((len = getline(&line, &lcap, f)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
        if ((size_t)t->n == cap) {
            cap = cap ? 2 * cap : 1024;
            t->piece = hw_realloc(t->piece, cap * sizeof *t->piece);
        }
        if (len == 0) {
            hw_fail("%s:%d: empty vocabulary line", path, t->n + 1);
            goto fail;
        }
        t->piece[t->n++] = hw_strdup(line);
    }
    if (ferror(f)) {
        hw_fail("%s: read error", path);
        goto fail;
    }
    t->cap = 2;
    while (t->cap < 2 * (size_t)t->n) t->cap *= 2;
    t->slot = hw_malloc(t->cap * sizeof *t->slot);
    memset(t->slot, 0xff, t->cap * sizeof *t->slot);
    for (int id = 0; id < t->n; id++) {
        size_t n = strlen(t->piece[id]);
        if (lookup(t, t->piece[id], n) >= 0) {
            hw_fail("%s:%d: duplicate piece '%s'", path, id + 1, t->piece[id]);
            goto fail;
        }
        size_t i = hash_str(t->piece[id], n) & (t->cap - 1);
        while (t->slot[i] >= 0) i = (i + 1) & (t->cap - 1);
        t->slot[i] = id;
    }
    t->pad = tok_id(t, "[PAD]");
    t->unk = tok_id(t, "[UNK]");
    t->cls = tok_id(t, "[CLS]");
    t->sep = tok_id(t, "[SEP]");
    if (t->pad < 0 || t->unk < 0 || t->cls < 0 || t->sep < 0) {
        hw_fail("%s: vocabulary lacks [PAD], [UNK], [CLS] or [SEP]", path);
        goto fail;
    }
    free(line);
    fclose(f);
    *out = t;
    return 0;
fail:
    free(line);
    fclose(f);
    tok_free(t);
    return -1;
}

void tok_free(tok_vocab *t) {
    if (!t) return;
    for (int i = 0; i < t->n; i++) free(t->piece[i]);
    free(t->piece);
    free(t->slot);
    free(t);
}

int tok_vocab_size(const tok_vocab *t) { return t->n; }
int tok_id(const tok_vocab *t, const char *piece) { return t->slot ? lookup(t, piece, strlen(piece)) : -1; }
const char *tok_piece(const tok_vocab *t, int id) { return id >= 0 && id < t->n ? t->piece[id] : NULL; }
int tok_pad_id(const tok_vocab *t) { return t->pad; }
int tok_unk_id(const tok_vocab *t) { return t->unk; }
int tok_cls_id(const tok_vocab *t) { return t->cls; }
int tok_sep_id(const tok_vocab *t) { return t->sep; }

/* --------------------------------------------------------- Unicode tables */

/* Latin-1 and Latin Extended-A (U+00E0..U+017F), lower-case letters:
 * the base letter of the NFD decomposition, or 0 if none. Index cp-0xE0. */
static const char latin_base[0x180 - 0xE0 + 1] =
    /* E0 */ "aaaaaa\0ceeeeiiii"
    /* F0 */ "\0nooooo\0\0uuuuy\0y"
    /* 100 */ "aaaaaaccccccccdd"
    /* 110 */ "\0\0eeeeeeeeeegggg"
    /* 120 */ "gggghh\0\0iiiiiiii"
    /* 130 */ "i\0\0\0jjkk\0lllllll"
    /* 140 */ "\0\0\0nnnnnn\0\0\0oooo"
    /* 150 */ "oo\0\0rrrrrrssssss"
    /* 160 */ "sstttt\0\0uuuuuuuu"
    /* 170 */ "uuuuwwyyyzzzzzz\0";

/* Lower-case mapping (simple, one code point) for the covered blocks. */
static uint32_t to_lower(uint32_t c) {
    if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 0x20;
    if (c >= 0x100 && c <= 0x17F) {
        if (c == 0x130) return 'i'; /* I WITH DOT ABOVE -> i + U+0307; the mark is stripped */
        if (c == 0x178) return 0xFF;
        if ((c <= 0x137) || (c >= 0x14A && c <= 0x177)) return (c & 1) ? c : c + 1;
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c + 1 : c;
        return c;
    }
    if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 0x20;
    if (c == 0x386) return 0x3AC;
    if (c >= 0x388 && c <= 0x38A) return c + 0x25;
    if (c == 0x38C) return 0x3CC;
    if (c == 0x38E || c == 0x38F) return c + 0x3F;
    if (c >= 0x410 && c <= 0x42F) return c + 0x20;
    if (c >= 0x400 && c <= 0x40F) return c + 0x50;
    return c;
}

static int is_combining(uint32_t c) {
    return (c >= 0x300 && c <= 0x36F) || (c >= 0x1AB0 && c <= 0x1AFF) || (c >= 0x1DC0 && c <= 0x1DFF) ||
           (c >= 0x20D0 && c <= 0x20FF) || (c >= 0xFE20 && c <= 0xFE2F);
}

/* NFD base of a lower-case code point (itself if it has no decomposition). */
static uint32_t strip_accent(uint32_t c) {
    if (c >= 0xE0 && c <= 0x17F) return latin_base[c - 0xE0] ? (uint32_t)(unsigned char)latin_base[c - 0xE0] : c;
    switch (c) { /* Greek and Cyrillic */
    case 0x3AC: return 0x3B1;
    case 0x3AD: return 0x3B5;
    case 0x3AE: return 0x3B7;
    case 0x3AF: case 0x3CA: case 0x390: return 0x3B9;
    case 0x3CC: return 0x3BF;
    case 0x3CD: case 0x3CB: case 0x3B0: return 0x3C5;
    case 0x3CE: return 0x3C9;
    case 0x450: case 0x451: return 0x435;
    case 0x453: return 0x433;
    case 0x457: return 0x456;
    case 0x45C: return 0x43A;
    case 0x45D: case 0x439: return 0x438;
    case 0x45E: return 0x443;
    default: return c;
    }
}

static int is_whitespace(uint32_t c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F || c == 0x3000;
}

/* Control / format characters (categories Cc, Cf), except \t \n \r. */
static int is_control(uint32_t c) {
    if (c == '\t' || c == '\n' || c == '\r') return 0;
    return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0xAD || (c >= 0x600 && c <= 0x605) || c == 0x61C ||
           c == 0x6DD || c == 0x70F || c == 0x180E || (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
           (c >= 0x2060 && c <= 0x2064) || (c >= 0x2066 && c <= 0x206F) || c == 0xFEFF ||
           (c >= 0xFFF9 && c <= 0xFFFB) || (c >= 0xD800 && c <= 0xF8FF);
}

static int is_punct(uint32_t c) {
    if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) return 1;
    static const uint32_t ranges[][2] = {
        {0xA1, 0xA1}, {0xA7, 0xA7}, {0xAB, 0xAB}, {0xB6, 0xB7}, {0xBB, 0xBB}, {0xBF, 0xBF},
        {0x37E, 0x37E}, {0x387, 0x387}, {0x55A, 0x55F}, {0x589, 0x58A}, {0x5BE, 0x5BE}, {0x5C0, 0x5C0},
        {0x5C3, 0x5C3}, {0x5C6, 0x5C6}, {0x5F3, 0x5F4}, {0x609, 0x60A}, {0x60C, 0x60D}, {0x61B, 0x61B},
        {0x61D, 0x61F}, {0x66A, 0x66D}, {0x6D4, 0x6D4}, {0x964, 0x965}, {0x970, 0x970}, {0xE4F, 0xE4F},
        {0xE5A, 0xE5B}, {0x2010, 0x2027}, {0x2030, 0x2043}, {0x2045, 0x2051}, {0x2053, 0x205E},
        {0x207D, 0x207E}, {0x208D, 0x208E}, {0x2308, 0x230B}, {0x2329, 0x232A}, {0x2768, 0x2775},
        {0x27C5, 0x27C6}, {0x27E6, 0x27EF}, {0x2983, 0x2998}, {0x29D8, 0x29DB}, {0x29FC, 0x29FD},
        {0x2E00, 0x2E2E}, {0x2E30, 0x2E4F}, {0x3001, 0x3003}, {0x3008, 0x3011}, {0x3014, 0x301F},
        {0x3030, 0x3030}, {0x303D, 0x303D}, {0x30A0, 0x30A0}, {0x30FB, 0x30FB}, {0xFD3E, 0xFD3F},
        {0xFE10, 0xFE19}, {0xFE30, 0xFE52}, {0xFE54, 0xFE61}, {0xFE63, 0xFE63}, {0xFE68, 0xFE68},
        {0xFE6A, 0xFE6B}, {0xFF01, 0xFF03}, {0xFF05, 0xFF0A}, {0xFF0C, 0xFF0F}, {0xFF1A, 0xFF1B},
        {0xFF1F, 0xFF20}, {0xFF3B, 0xFF3D}, {0xFF3F, 0xFF3F}, {0xFF5B, 0xFF5B}, {0xFF5D, 0xFF5D},
        {0xFF5F, 0xFF65},
    };
    for (size_t i = 0; i < sizeof ranges / sizeof *ranges; i++)
        if (c >= ranges[i][0] && c <= ranges[i][1]) return 1;
    return 0;
}

static int is_cjk(uint32_t c) {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
           (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

/* Decodes one UTF-8 sequence at s (n bytes left); 0xFFFD on invalid input.
 * Returns the bytes consumed (>= 1). */
static int utf8_decode(const unsigned char *s, size_t n, uint32_t *cp) {
    unsigned char c = s[0];
    int len;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        *cp = 0xFFFD;
        return 1;
    }
    if ((size_t)len > n) {
        *cp = 0xFFFD;
        return 1;
    }
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3F);
    }
    *cp = (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) ? 0xFFFD : v;
    return len;
}

static int utf8_encode(uint32_t c, char *o) {
    if (c < 0x80) {
        o[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (char)(0xC0 | (c >> 6));
        o[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (char)(0xE0 | (c >> 12));
        o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (c >> 18));
    o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    o[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* ------------------------------------------------------------- WordPiece */

typedef struct emitter {
    int *ids;
    int max, count;
} emitter;

static void emit(emitter *e, int id) {
    if (e->count < e->max) e->ids[e->count] = id;
    e->count++;
}

/* WordPiece of one basic token given as code points w[0..n). */
static void wordpiece(const tok_vocab *t, const uint32_t *w, int n, emitter *e) {
    if (n > MAX_WORD_CHARS) {
        emit(e, t->unk);
        return;
    }
    char buf[4 * MAX_WORD_CHARS + 1], cand[2 + 4 * MAX_WORD_CHARS + 1];
    int off[MAX_WORD_CHARS + 1]; /* byte offset of each char in buf */
    off[0] = 0;
    for (int i = 0; i < n; i++) off[i + 1] = off[i] + utf8_encode(w[i], buf + off[i]);
    cand[0] = cand[1] = '#';
    int first = e->count, start = 0;
    while (start < n) {
        int id = -1, end;
        /* candidate "##" + rest of the word (or the word itself at start 0) */
        memcpy(cand + 2, buf + off[start], (size_t)(off[n] - off[start]));
        for (end = n; end > start; end--) {
            size_t len = (size_t)(off[end] - off[start]);
            if ((id = start ? lookup(t, cand, len + 2) : lookup(t, cand + 2, len)) >= 0) break;
        }
        if (id < 0) { /* unmatchable: the whole word is [UNK] */
            e->count = first;
            emit(e, t->unk);
            return;
        }
        emit(e, id);
        start = end;
    }
}

int tok_wordpiece(const tok_vocab *t, const char *text, int *ids, int max) {
    emitter e = {ids, max, 0};
    const unsigned char *s = (const unsigned char *)text;
    size_t n = strlen(text), i = 0;
    uint32_t w[MAX_WORD_CHARS + 1];
    int wn = 0, wlong = 0; /* wlong: current word exceeded the buffer */
    for (;;) {
        uint32_t c = 0;
        int at_end = i >= n;
        if (!at_end) i += (size_t)utf8_decode(s + i, n - i, &c);
        if (!at_end && (c == 0 || c == 0xFFFD || is_control(c))) continue;
        int sep = at_end || is_whitespace(c), alone = 0;
        if (!sep) {
            c = to_lower(c);
            if (is_combining(c)) continue; /* accent stripping: drop marks */
            c = strip_accent(c);
            alone = is_punct(c) || is_cjk(c);
        }
        if (sep || alone) { /* flush the current word */
            if (wn || wlong) {
                if (wlong) emit(&e, t->unk);
                else wordpiece(t, w, wn, &e);
            }
            wn = wlong = 0;
            if (alone) wordpiece(t, &c, 1, &e);
            if (at_end) break;
            continue;
        }
        if (wn < MAX_WORD_CHARS + 1) w[wn++] = c;
        if (wn > MAX_WORD_CHARS) wlong = 1;
    }
    return e.count;
}

int tok_encode(const tok_vocab *t, const char *text, int max_len, int *ids, int *mask) {
    HW_ASSERT(max_len >= 2);
    ids[0] = t->cls;
    int n = tok_wordpiece(t, text, ids + 1, max_len - 2);
    if (n > max_len - 2) n = max_len - 2;
    ids[n + 1] = t->sep;
    int len = n + 2;
    for (int i = 0; i < max_len; i++) {
        if (i >= len) ids[i] = t->pad;
        if (mask) mask[i] = i < len;
    }
    return len;
}
