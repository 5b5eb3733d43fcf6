/* tsv_task: a text-classification task from a TSV file with the header
 * `sentence<TAB>label` (labels 0..NC-1), tokenized once with BERT WordPiece
 * into [CLS] ... [SEP] rows of at most max_len ids, and cut into batches
 * padded to the longest row of the batch. */
#ifndef HW_TSV_TASK_H
#define HW_TSV_TASK_H

#include <stddef.h>

#include "tokenizer.h"

typedef struct tsv_task {
    int n;          /* rows */
    int max_len;    /* row capacity (ids incl. [CLS]/[SEP]) */
    int *ids;       /* (n, max_len) token ids, [PAD] after len */
    int *len;       /* (n) real tokens per row */
    int *labels;    /* (n) */
    int n_classes;  /* 1 + largest label (>= 2) */
    int count[16];  /* rows per label (labels < 16) */
} tsv_task;

/* Loads PATH. Errors ("PATH:LINE: ...", -1): missing file, wrong header,
 * a line without exactly one TAB, a label that is not an integer in
 * 0..15, an empty sentence, no rows, only one class. */
int tsv_task_load(const char *path, const tok_vocab *tok, int max_len, tsv_task **out);
void tsv_task_free(tsv_task *t);
/* Fills tokens(B,T), mask(B,T), labels(B) for rows[0..B); T = longest of
 * those rows (returned). */
int tsv_task_batch(const tsv_task *t, const int *rows, int B, int *tokens, int *mask, int *labels);
/* Paths of a named task under the data directory: "sst2" or "sms_spam"
 * (data/<name>/train.tsv, dev.tsv). -1 for an unknown name. */
int tsv_task_paths(const char *data_dir, const char *name, char *train, char *eval, size_t n);

#endif
