/* tsv_task: TSV classification data (see tsv_task.h). */
#include "tsv_task.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw_err.h"

int tsv_task_load(const char *path, const tok_vocab *tok, int max_len, tsv_task **out) {
    if (max_len < 2) return hw_fail("%s: max_len %d must be >= 2", path, max_len);
    FILE *f = fopen(path, "r");
    if (!f) return hw_fail("%s: cannot open (%s)", path, strerror(errno));
    tsv_task *t = hw_calloc(1, sizeof *t);
    t->max_len = max_len;
    size_t cap = 0, lcap = 0;
    char *line = NULL;
    ssize_t len;
    long lineno = 0;
    while ((len = getline(&line, &lcap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
        if ((size_t)len != strlen(line)) {
            hw_fail("%s:%ld: NUL byte in line", path, lineno);
            goto fail;
        }
        if (lineno == 1) {
            if (strcmp(line, "sentence\tlabel")) {
                hw_fail("%s:1: header must be 'sentence<TAB>label'", path);
                goto fail;
            }
            continue;
        }
        if (len == 0) continue; /* trailing blank line */
        char *tab = strchr(line, '\t');
        if (!tab || strchr(tab + 1, '\t')) {
            hw_fail("%s:%ld: expected 'sentence<TAB>label' (exactly one TAB)", path, lineno);
            goto fail;
        }
        *tab = 0;
        char *end;
        errno = 0;
        long lab = strtol(tab + 1, &end, 10);
        if (end == tab + 1 || *end || errno || lab < 0 || lab > 15) {
            hw_fail("%s:%ld: label '%s' is not an integer in 0..15", path, lineno, tab + 1);
            goto fail;
        }
        char *s = line;
        while (*s == ' ') s++;
        if (!*s) {
            hw_fail("%s:%ld: empty sentence", path, lineno);
            goto fail;
        }
        if ((size_t)t->n == cap) {
            cap = cap ? 2 * cap : 1024;
            t->ids = hw_realloc(t->ids, cap * (size_t)max_len * sizeof(int));
            t->len = hw_realloc(t->len, cap * sizeof(int));
            t->labels = hw_realloc(t->labels, cap * sizeof(int));
        }
        t->len[t->n] = tok_encode(tok, s, max_len, t->ids + (size_t)t->n * max_len, NULL);
        t->labels[t->n] = (int)lab;
        t->count[lab]++;
        if (lab + 1 > t->n_classes) t->n_classes = (int)lab + 1;
        t->n++;
    }
    if (ferror(f)) {
        hw_fail("%s: read error", path);
        goto fail;
    }
    if (t->n == 0) {
        hw_fail("%s: no data rows", path);
        goto fail;
    }
    if (t->n_classes < 2) t->n_classes = 2;
    free(line);
    fclose(f);
    *out = t;
    return 0;
fail:
    free(line);
    fclose(f);
    tsv_task_free(t);
    return -1;
}

void tsv_task_free(tsv_task *t) {
    if (!t) return;
    free(t->ids);
    free(t->len);
    free(t->labels);
    free(t);
}

int tsv_task_batch(const tsv_task *t, const int *rows, int B, int *tokens, int *mask, int *labels) {
    int T = 1;
    for (int b = 0; b < B; b++) T = t->len[rows[b]] > T ? t->len[rows[b]] : T;
    for (int b = 0; b < B; b++) {
        const int *src = t->ids + (size_t)rows[b] * t->max_len;
        for (int i = 0; i < T; i++) {
            tokens[b * T + i] = src[i];
            mask[b * T + i] = i < t->len[rows[b]];
        }
        labels[b] = t->labels[rows[b]];
    }
    return T;
}

int tsv_task_paths(const char *data_dir, const char *name, char *train, char *eval, size_t n) {
    if (strcmp(name, "sst2") && strcmp(name, "sms_spam"))
        return hw_fail("task '%s': unknown (known: sst2, sms_spam)", name);
    snprintf(train, n, "%s/%s/train.tsv", data_dir, name);
    snprintf(eval, n, "%s/%s/dev.tsv", data_dir, name);
    return 0;
}
