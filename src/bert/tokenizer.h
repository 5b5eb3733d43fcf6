/* tokenizer: BERT uncased WordPiece (Devlin et al.; google-research/bert
 * tokenization.py algorithm), in C.
 *
 * BasicTokenizer: drop NUL, U+FFFD and control/format characters; map
 * whitespace to ' '; put spaces around CJK ideographs; split on whitespace;
 * lower-case; strip accents (NFD decomposition, then drop combining marks);
 * split off every punctuation character. WordPiece: greedy longest match
 * first, continuation pieces prefixed "##", a word with an unmatchable
 * part (or longer than 100 characters) becomes [UNK].
 *
 * Unicode coverage (hand-written tables, no ICU): lower-casing of ASCII,
 * Latin-1, Latin Extended-A, Greek and Cyrillic; accent stripping of every
 * Latin-1 / Latin Extended-A letter with a canonical decomposition, of
 * accented Greek vowels and of the Cyrillic letters with NFD forms
 * (ѐ ё ѓ ї ќ ѝ ў й), plus removal of the combining-mark blocks U+0300-036F,
 * 1AB0-1AFF, 1DC0-1DFF, 20D0-20FF, FE20-FE2F; punctuation = ASCII
 * punctuation plus Unicode P* characters of Latin-1, General Punctuation,
 * Supplemental Punctuation, CJK Symbols, CJK compatibility/small forms and
 * the full-width forms; whitespace = ASCII + Unicode Zs. Characters outside
 * these tables pass through unchanged (for example Vietnamese letters of
 * Latin Extended Additional keep their accents, where BERT would strip
 * them). Invalid UTF-8 bytes are dropped (treated as U+FFFD). */
#ifndef HW_TOKENIZER_H
#define HW_TOKENIZER_H

typedef struct tok_vocab tok_vocab;

/* Loads a vocab.txt (one piece per line, id = line number - 1); must
 * contain [PAD], [UNK], [CLS], [SEP]. -1 with "FILE:LINE: ..." on error. */
int tok_create(const char *vocab_path, tok_vocab **out);
void tok_free(tok_vocab *t);
int tok_vocab_size(const tok_vocab *t);
/* Id of a piece, or -1. */
int tok_id(const tok_vocab *t, const char *piece);
/* Piece of an id (NULL if out of range). */
const char *tok_piece(const tok_vocab *t, int id);
int tok_pad_id(const tok_vocab *t);
int tok_unk_id(const tok_vocab *t);
int tok_cls_id(const tok_vocab *t);
int tok_sep_id(const tok_vocab *t);

/* WordPiece ids of text (no [CLS]/[SEP]); writes at most max ids and
 * returns the total number of pieces (may exceed max). */
int tok_wordpiece(const tok_vocab *t, const char *text, int *ids, int max);
/* Classification input: [CLS] pieces [SEP], pieces truncated so the whole
 * fits max_len (>= 2), padded with [PAD] to max_len; mask(max_len) is 1 on
 * real tokens. Returns the number of real tokens (<= max_len). */
int tok_encode(const tok_vocab *t, const char *text, int max_len, int *ids, int *mask);

#endif
