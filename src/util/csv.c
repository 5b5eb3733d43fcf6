#include "csv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "hw_err.h"

struct csv_table {
    char *path;
    int nrows, ncols;
    char **colnames; /* [ncols] */
    char **cells;    /* [nrows * ncols], each a separate string in `pool` */
    double *num;     /* [nrows * ncols] parsed values, NaN if not numeric */
    int *lines;      /* [nrows] file line of each data row */
    char *pool;      /* one allocation holding every cell's text */
};

/* Parses a number the way the tables write them; returns 0 if the whole
 * cell is a finite number. */
static int parse_num(const char *s, double *out) {
    if (!*s) return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    while (*end == ' ' || *end == '\r') end++;
    if (*end || errno == ERANGE || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

/* Splits one logical record starting at *pp into fields appended to
 * `fields` (pointers into the pool, NUL-terminated in place). Returns the
 * field count, or -1 on an unterminated quote. Advances *pp past the
 * record's newline and counts newlines consumed in *nl. */
static int split_record(char **pp, char *end, char ***fields, int *cap, int *nl) {
    char *p = *pp;
    int n = 0;
    for (;;) {
        if (n == *cap) {
            *cap = *cap ? 2 * *cap : 16;
            *fields = hw_realloc(*fields, (size_t)*cap * sizeof **fields);
        }
        char *w = p, *start = p;
        if (p < end && *p == '"') {
            p++;
            for (;;) {
                if (p >= end) return -1;
                if (*p == '"') {
                    if (p + 1 < end && p[1] == '"') { *w++ = '"'; p += 2; continue; }
                    p++;
                    break;
                }
                if (*p == '\n') (*nl)++;
                *w++ = *p++;
            }
        } else {
            while (p < end && *p != ',' && *p != '\n') *w++ = *p++;
            if (w > start && w[-1] == '\r') w--;
        }
        if (p < end && *p == '\r' && (p + 1 >= end || p[1] == '\n')) p++; /* CRLF after a quote */
        int last = (p >= end || *p == '\n');
        if (!last && *p != ',') return -1; /* junk after a closing quote */
        char *next = p + 1;
        *w = 0;
        (*fields)[n++] = start;
        p = next;
        if (last) {
            (*nl)++;
            *pp = p;
            return n;
        }
    }
}

int csv_parse(const char *name, const char *text, size_t len, csv_table **out) {
    csv_table *t = hw_calloc(1, sizeof *t);
    char **fields = NULL;
    int cap = 0, line = 1, rcap = 0;
    t->path = hw_strdup(name);
    t->pool = hw_malloc(len + 1);
    memcpy(t->pool, text, len);
    t->pool[len] = 0;
    char *p = t->pool, *end = t->pool + len;
    if (len >= 3 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF)
        p += 3;
    if (p >= end) { hw_fail("%s:1: empty file (expected a header line)", name); goto fail; }
    int nl = 0;
    int nh = split_record(&p, end, &fields, &cap, &nl);
    if (nh < 0) { hw_fail("%s:1: malformed header (unterminated quote)", name); goto fail; }
    t->ncols = nh;
    t->colnames = hw_malloc((size_t)nh * sizeof *t->colnames);
    for (int j = 0; j < nh; j++) {
        if (!fields[j][0]) { hw_fail("%s:1: column %d has an empty name", name, j + 1); goto fail; }
        for (int k = 0; k < j; k++)
            if (!strcmp(fields[k], fields[j])) {
                hw_fail("%s:1: duplicate column '%s'", name, fields[j]);
                goto fail;
            }
        t->colnames[j] = fields[j];
    }
    line += nl;
    while (p < end) {
        int rowline = line;
        nl = 0;
        char *save = p;
        int nf = split_record(&p, end, &fields, &cap, &nl);
        line += nl;
        if (nf < 0) { hw_fail("%s:%d: unterminated quoted field", name, rowline); goto fail; }
        if (nf == 1 && fields[0][0] == 0) continue; /* blank line */
        (void)save;
        if (nf != t->ncols) {
            hw_fail("%s:%d: %d fields, header has %d", name, rowline, nf, t->ncols);
            goto fail;
        }
        if (t->nrows == rcap) {
            rcap = rcap ? 2 * rcap : 1024;
            t->cells = hw_realloc(t->cells, (size_t)rcap * t->ncols * sizeof *t->cells);
            t->lines = hw_realloc(t->lines, (size_t)rcap * sizeof *t->lines);
        }
        memcpy(t->cells + (size_t)t->nrows * t->ncols, fields, (size_t)t->ncols * sizeof *fields);
        t->lines[t->nrows] = rowline;
        t->nrows++;
    }
    t->num = hw_malloc((size_t)(t->nrows ? t->nrows : 1) * t->ncols * sizeof *t->num);
    for (size_t i = 0; i < (size_t)t->nrows * t->ncols; i++)
        if (parse_num(t->cells[i], &t->num[i]) < 0) t->num[i] = NAN;
    free(fields);
    *out = t;
    return 0;
fail:
    free(fields);
    csv_free(t);
    return -1;
}

int csv_read(const char *path, csv_table **out) {
    char *buf;
    size_t len;
    if (hw_read_file(path, &buf, &len)) return -1;
    int rc = csv_parse(path, buf, len, out);
    free(buf);
    return rc;
}

void csv_free(csv_table *t) {
    if (!t) return;
    free(t->path);
    free(t->colnames);
    free(t->cells);
    free(t->num);
    free(t->lines);
    free(t->pool);
    free(t);
}

int csv_nrows(const csv_table *t) { return t->nrows; }
int csv_ncols(const csv_table *t) { return t->ncols; }
const char *csv_path(const csv_table *t) { return t->path; }
const char *csv_colname(const csv_table *t, int col) { return t->colnames[col]; }

int csv_col(const csv_table *t, const char *name) {
    for (int j = 0; j < t->ncols; j++)
        if (!strcmp(t->colnames[j], name)) return j;
    return -1;
}

int csv_col_required(const csv_table *t, const char *name) {
    int j = csv_col(t, name);
    if (j < 0) hw_fail("%s: no column '%s'", t->path, name);
    return j;
}

const char *csv_str(const csv_table *t, int row, int col) {
    HW_ASSERT(row >= 0 && row < t->nrows && col >= 0 && col < t->ncols);
    return t->cells[(size_t)row * t->ncols + col];
}

double csv_num(const csv_table *t, int row, int col) {
    HW_ASSERT(row >= 0 && row < t->nrows && col >= 0 && col < t->ncols);
    return t->num[(size_t)row * t->ncols + col];
}

int csv_num_strict(const csv_table *t, int row, int col, double *out) {
    double v = csv_num(t, row, col);
    if (isnan(v)) {
        const char *s = csv_str(t, row, col);
        if (!*s) return hw_fail("%s:%d: column '%s': empty cell", t->path, t->lines[row], t->colnames[col]);
        return hw_fail("%s:%d: column '%s': '%s' is not a number", t->path, t->lines[row], t->colnames[col], s);
    }
    *out = v;
    return 0;
}

int csv_check_numeric(const csv_table *t, int col) {
    HW_ASSERT(col >= 0 && col < t->ncols);
    for (int r = 0; r < t->nrows; r++) {
        const char *s = csv_str(t, r, col);
        if (*s && isnan(csv_num(t, r, col)))
            return hw_fail("%s:%d: column %d '%s': '%s' is not a number (leave the cell empty for a missing value)",
                           t->path, t->lines[r], col + 1, t->colnames[col], s);
    }
    return 0;
}

int csv_line(const csv_table *t, int row) { return t->lines[row]; }
