#!/usr/bin/python3
"""Independent reference for src/bert/tokenizer.c: BERT's published uncased
BasicTokenizer + WordPiece algorithm (google-research/bert tokenization.py,
re-written here from its description) on Python's own unicodedata (NFD and
categories). Prints the expected ids of the tricky cases in
tests/unit/test_tokenizer.c as C initialisers. Run once:
    /usr/bin/python3 tools/bert_tokenizer_ref.py data/bert_uncased_vocab/vocab.txt
"""
import sys
import unicodedata

CASES = [
    "Hello, World!",
    "crème brûlée",
    "Ångström's naïve café",
    "unaffable",
    "supercalifragilisticexpialidocious",
    "a" * 101 + " b",
    "don't stop-believing... (really)?!",
    "Łódź Œuvre Straße ĳssel İstanbul",
    "日本語 text中文",
    "Zürich\t\nnew\u00a0line  ",
    "¿Qué? «quoted» — dash… “smart”",
    "Привет Ёлка йод",
    "Ελληνικά Άλφα",
    "\u200bzero\u00adwidth\x07bell",
    "e\u0301cole ﬁ xyzzyqqq ☃",
    "$100.50 & 20% off @home #1",
]


def is_ws(c):
    return c in " \t\n\r" or unicodedata.category(c) == "Zs"


def is_ctrl(c):
    return c not in "\t\n\r" and unicodedata.category(c).startswith("C")


def is_punct(c):
    cp = ord(c)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(c).startswith("P")


def is_cjk(cp):
    return any(a <= cp <= b for a, b in [(0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF),
                                         (0x2A700, 0x2B73F), (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF),
                                         (0xF900, 0xFAFF), (0x2F800, 0x2FA1F)])


def basic(text):
    out = []
    for c in text:
        if ord(c) in (0, 0xFFFD) or is_ctrl(c):
            continue
        out.append(" " if is_ws(c) else c)
    text = "".join(" %s " % c if is_cjk(ord(c)) else c for c in "".join(out))
    toks = []
    for w in text.split():
        w = w.lower()
        w = "".join(c for c in unicodedata.normalize("NFD", w) if unicodedata.category(c) != "Mn")
        cur = ""
        for c in w:
            if is_punct(c):
                if cur:
                    toks.append(cur)
                toks.append(c)
                cur = ""
            else:
                cur += c
        if cur:
            toks.append(cur)
    return toks


def wordpiece(vocab, w):
    if len(w) > 100:
        return [vocab["[UNK]"]]
    ids, start = [], 0
    while start < len(w):
        end, cur = len(w), None
        while start < end:
            s = ("##" if start else "") + w[start:end]
            if s in vocab:
                cur = vocab[s]
                break
            end -= 1
        if cur is None:
            return [vocab["[UNK]"]]
        ids.append(cur)
        start = end
    return ids


def main():
    vocab = {}
    with open(sys.argv[1], encoding="utf-8") as f:
        for i, line in enumerate(f):
            vocab[line.rstrip("\n")] = i
    for text in CASES:
        ids = [i for w in basic(text) for i in wordpiece(vocab, w)]
        print("    /* %r -> %s */" % (text if len(text) < 60 else text[:20] + "...", basic(text)))
        print("    {%d, {%s}}," % (len(ids), ", ".join(map(str, ids))))


if __name__ == "__main__":
    main()
