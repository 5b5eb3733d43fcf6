/* yconf.c: libyaml event stream -> node tree, and typed getters. */
#include "yconf.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "fsutil.h"
#include "hw_err.h"

struct ynode {
    ynode_kind kind;
    int line;
    char *path;      /* dotted path for messages */
    char *scalar;    /* scalar text */
    int quoted;      /* scalar was quoted (a string, never a number) */
    int n, cap;      /* children */
    ynode **child;   /* seq items / map values */
    char **keys;     /* map keys */
    int *key_lines;  /* map key lines */
    int *used;       /* map key read flags */
    char **asked;    /* keys the reader looked up and did not find: the known */
    int n_asked;     /* keys an unknown one is compared with ("did you mean") */
};

struct ycfg {
    char *path, *dir, *text;
    ynode *root;
};

/* ---- tree building ---------------------------------------------------- */

static ynode *node_new(ynode_kind kind, int line, const char *path) {
    ynode *n = hw_calloc(1, sizeof *n);
    n->kind = kind;
    n->line = line;
    n->path = hw_strdup(path);
    return n;
}

static void node_free(ynode *n) {
    if (!n) return;
    for (int i = 0; i < n->n; i++) {
        node_free(n->child[i]);
        if (n->keys) free(n->keys[i]);
    }
    free(n->child);
    free(n->keys);
    free(n->key_lines);
    free(n->used);
    for (int i = 0; i < n->n_asked; i++) free(n->asked[i]);
    free(n->asked);
    free(n->scalar);
    free(n->path);
    free(n);
}

static void node_push(ynode *p, ynode *c, char *key, int key_line) {
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 8;
        p->child = hw_realloc(p->child, (size_t)p->cap * sizeof *p->child);
        if (p->kind == YNODE_MAP) {
            p->keys = hw_realloc(p->keys, (size_t)p->cap * sizeof *p->keys);
            p->key_lines = hw_realloc(p->key_lines, (size_t)p->cap * sizeof *p->key_lines);
            p->used = hw_realloc(p->used, (size_t)p->cap * sizeof *p->used);
        }
    }
    p->child[p->n] = c;
    if (p->kind == YNODE_MAP) {
        p->keys[p->n] = key;
        p->key_lines[p->n] = key_line;
        p->used[p->n] = 0;
    }
    p->n++;
}

static char *child_path(const ynode *parent, const char *key, int index) {
    char buf[1024];
    if (parent->kind == YNODE_MAP)
        snprintf(buf, sizeof buf, "%s%s%s", parent->path, parent->path[0] ? "." : "", key);
    else
        snprintf(buf, sizeof buf, "%s[%d]", parent->path, index);
    return hw_strdup(buf);
}

/* Nesting deeper than this is refused: parse_node recurses once per level,
 * and no hwnas config needs more than a handful. */
#define YCFG_MAX_DEPTH 64

typedef struct builder {
    const char *name;
    yaml_parser_t parser;
    int depth; /* maps and sequences open around the node being parsed */
} builder;

static int parse_error(builder *b) {
    const yaml_parser_t *p = &b->parser;
    int line = (int)(p->problem_mark.line + 1);
    return hw_fail("%s:%d: malformed YAML: %s%s%s", b->name, line, p->problem ? p->problem : "syntax error",
                   p->context ? " " : "", p->context ? p->context : "");
}

/* Parses one node whose first event is EV (already fetched). */
static int parse_node(builder *b, yaml_event_t *ev, const char *path, ynode **out) {
    int line = (int)ev->start_mark.line + 1;
    if (ev->type == YAML_ALIAS_EVENT)
        return hw_fail("%s:%d: key '%s': YAML aliases are not supported", b->name, line, path);
    if (ev->type == YAML_SCALAR_EVENT) {
        ynode *n = node_new(YNODE_SCALAR, line, path);
        n->scalar = hw_strdup((const char *)ev->data.scalar.value);
        n->quoted = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                    ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
        *out = n;
        return 0;
    }
    int is_map = ev->type == YAML_MAPPING_START_EVENT;
    if (!is_map && ev->type != YAML_SEQUENCE_START_EVENT)
        return hw_fail("%s:%d: malformed YAML: unexpected event", b->name, line);
    if (b->depth >= YCFG_MAX_DEPTH)
        return hw_fail("%s:%d: key '%.40s%s': nested deeper than %d levels", b->name, line,
                       path[0] ? path : "(top level)", strlen(path) > 40 ? "..." : "", YCFG_MAX_DEPTH);
    ynode *n = node_new(is_map ? YNODE_MAP : YNODE_SEQ, line, path);
    b->depth++;
    for (;;) {
        yaml_event_t e;
        if (!yaml_parser_parse(&b->parser, &e)) {
            node_free(n);
            return parse_error(b);
        }
        if (e.type == YAML_MAPPING_END_EVENT || e.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&e);
            break;
        }
        char *key = NULL;
        int key_line = (int)e.start_mark.line + 1;
        if (is_map) {
            if (e.type != YAML_SCALAR_EVENT) {
                yaml_event_delete(&e);
                node_free(n);
                return hw_fail("%s:%d: key in '%s': map keys must be plain scalars", b->name, key_line,
                               path[0] ? path : "(top level)");
            }
            key = hw_strdup((const char *)e.data.scalar.value);
            yaml_event_delete(&e);
            for (int i = 0; i < n->n; i++)
                if (!strcmp(n->keys[i], key)) {
                    char *cp = child_path(n, key, 0);
                    hw_fail("%s:%d: key '%s': duplicate key", b->name, key_line, cp);
                    free(cp);
                    free(key);
                    node_free(n);
                    return -1;
                }
            if (!yaml_parser_parse(&b->parser, &e)) {
                free(key);
                node_free(n);
                return parse_error(b);
            }
        }
        char *cp = child_path(n, key, n->n);
        ynode *c = NULL;
        int rc = parse_node(b, &e, cp, &c); /* depth-bounded: YCFG_MAX_DEPTH */
        free(cp);
        yaml_event_delete(&e);
        if (rc) {
            free(key);
            node_free(n);
            return -1;
        }
        node_push(n, c, key, key_line);
    }
    b->depth--;
    *out = n;
    return 0;
}

int ycfg_parse(const char *name, const char *text, size_t len, ycfg **out) {
    ycfg *c = hw_calloc(1, sizeof *c);
    builder b = {.name = name};
    yaml_event_t ev;
    int started = 0;
    c->path = hw_strdup(name);
    const char *slash = strrchr(name, '/');
    if (slash) {
        c->dir = hw_malloc((size_t)(slash - name) + 2);
        memcpy(c->dir, name, (size_t)(slash - name));
        c->dir[slash - name] = 0;
        if (slash == name) strcpy(c->dir, "/");
    } else {
        c->dir = hw_strdup(".");
    }
    c->text = hw_malloc(len + 1);
    memcpy(c->text, text, len);
    c->text[len] = 0;
    if (memchr(text, 0, len)) {
        hw_fail("%s: not a text file (contains NUL bytes)", name);
        goto fail;
    }
    if (!yaml_parser_initialize(&b.parser)) {
        hw_fail("%s: cannot initialise the YAML parser", name);
        goto fail;
    }
    started = 1;
    yaml_parser_set_input_string(&b.parser, (const unsigned char *)c->text, len);
    /* stream start, document start (or stream end for an empty file) */
    for (;;) {
        if (!yaml_parser_parse(&b.parser, &ev)) {
            parse_error(&b);
            goto fail;
        }
        yaml_event_type_t t = ev.type;
        if (t == YAML_STREAM_START_EVENT || t == YAML_DOCUMENT_START_EVENT) {
            yaml_event_delete(&ev);
            continue;
        }
        if (t == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            c->root = node_new(YNODE_MAP, 1, "");
            break;
        }
        int rc = parse_node(&b, &ev, "", &c->root);
        yaml_event_delete(&ev);
        if (rc) goto fail;
        /* document end, then stream end; a second document is an error */
        if (!yaml_parser_parse(&b.parser, &ev)) {
            parse_error(&b);
            goto fail;
        }
        yaml_event_delete(&ev);
        if (!yaml_parser_parse(&b.parser, &ev)) {
            parse_error(&b);
            goto fail;
        }
        int extra = ev.type != YAML_STREAM_END_EVENT;
        int line = (int)ev.start_mark.line + 1;
        yaml_event_delete(&ev);
        if (extra) {
            hw_fail("%s:%d: only one YAML document is allowed", name, line);
            goto fail;
        }
        break;
    }
    if (c->root->kind == YNODE_SCALAR && c->root->scalar[0] == 0 && !c->root->quoted) {
        node_free(c->root); /* a document holding only "~" or nothing */
        c->root = node_new(YNODE_MAP, 1, "");
    }
    if (c->root->kind != YNODE_MAP) {
        hw_fail("%s:%d: the top level must be a map of keys", name, c->root->line);
        goto fail;
    }
    yaml_parser_delete(&b.parser);
    *out = c;
    return 0;
fail:
    if (started) yaml_parser_delete(&b.parser);
    ycfg_free(c);
    return -1;
}

int ycfg_load(const char *path, ycfg **out) {
    char *buf;
    size_t len;
    if (hw_read_file(path, &buf, &len)) return -1;
    int rc = ycfg_parse(path, buf, len, out);
    free(buf);
    return rc;
}

void ycfg_free(ycfg *c) {
    if (!c) return;
    node_free(c->root);
    free(c->path);
    free(c->dir);
    free(c->text);
    free(c);
}

const char *ycfg_path(const ycfg *c) { return c->path; }
const char *ycfg_dir(const ycfg *c) { return c->dir; }
const char *ycfg_text(const ycfg *c) { return c->text; }
const ynode *ycfg_root(const ycfg *c) { return c->root; }
ynode_kind ynode_kind_of(const ynode *n) { return n->kind; }
int ynode_line(const ynode *n) { return n->line; }
const char *ynode_path(const ynode *n) { return n->path; }
const char *ynode_scalar(const ynode *n) { return n && n->kind == YNODE_SCALAR ? n->scalar : NULL; }
int ynode_len(const ynode *n) { return n->kind == YNODE_SCALAR ? 0 : n->n; }
const ynode *ynode_at(const ynode *n, int i) {
    HW_ASSERT(n->kind != YNODE_SCALAR && i >= 0 && i < n->n);
    return n->child[i];
}
const char *ynode_key_at(const ynode *n, int i) {
    HW_ASSERT(n->kind == YNODE_MAP && i >= 0 && i < n->n);
    ((ynode *)n)->used[i] = 1;
    return n->keys[i];
}

/* Remembers a key the reader asked MAP for and did not find (at most 64,
 * no repeats): the candidates for "did you mean" on an unknown key. */
static void note_asked(ynode *map, const char *key) {
    if (map->n_asked >= 64) return;
    for (int i = 0; i < map->n_asked; i++)
        if (!strcmp(map->asked[i], key)) return;
    if (!map->asked) map->asked = hw_malloc(64 * sizeof *map->asked);
    map->asked[map->n_asked++] = hw_strdup(key);
}

const ynode *ynode_get(const ynode *map, const char *key) {
    if (!map || map->kind != YNODE_MAP) return NULL;
    for (int i = 0; i < map->n; i++)
        if (!strcmp(map->keys[i], key)) {
            ((ynode *)map)->used[i] = 1;
            return map->child[i];
        }
    note_asked((ynode *)map, key);
    return NULL;
}

void ycfg_mark_read(const ynode *n) {
    for (int i = 0; i < n->n && n->kind != YNODE_SCALAR; i++) {
        if (n->kind == YNODE_MAP) ((ynode *)n)->used[i] = 1;
        ycfg_mark_read(n->child[i]);
    }
}

int ycfg_fail(const ycfg *c, const ynode *n, const char *fmt, ...) {
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return hw_fail("%s:%d: key '%s': %s", c->path, n->line, n->path[0] ? n->path : "(top level)", msg);
}

/* ---- scalar conversion ------------------------------------------------ */

static const char *kind_name(ynode_kind k) {
    return k == YNODE_MAP ? "a map" : k == YNODE_SEQ ? "a list" : "a scalar";
}

int ycfg_scalar_long(const ycfg *c, const ynode *n, long lo, long hi, long *out) {
    if (n->kind != YNODE_SCALAR) return ycfg_fail(c, n, "expected an integer, got %s", kind_name(n->kind));
    const char *s = n->scalar;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (n->quoted || end == s || *end || errno) return ycfg_fail(c, n, "expected an integer, got '%s'", s);
    if (v < lo || v > hi) return ycfg_fail(c, n, "%ld is out of range [%ld, %ld]", v, lo, hi);
    *out = v;
    return 0;
}

int ycfg_scalar_double(const ycfg *c, const ynode *n, double *out) {
    if (n->kind != YNODE_SCALAR) return ycfg_fail(c, n, "expected a number, got %s", kind_name(n->kind));
    const char *s = n->scalar;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (n->quoted || end == s || *end || errno == ERANGE || !isfinite(v))
        return ycfg_fail(c, n, "expected a finite number, got '%s'", s);
    *out = v;
    return 0;
}

int ycfg_int(const ycfg *c, const ynode *map, const char *key, long lo, long hi, long def, long *out) {
    const ynode *n = ynode_get(map, key);
    if (!n) {
        *out = def;
        return 0;
    }
    return ycfg_scalar_long(c, n, lo, hi, out);
}

int ycfg_u64(const ycfg *c, const ynode *map, const char *key, uint64_t def, uint64_t *out) {
    const ynode *n = ynode_get(map, key);
    if (!n) {
        *out = def;
        return 0;
    }
    if (n->kind != YNODE_SCALAR) return ycfg_fail(c, n, "expected an integer, got %s", kind_name(n->kind));
    char *end;
    errno = 0;
    if (n->scalar[0] == '-') return ycfg_fail(c, n, "expected a non-negative integer, got '%s'", n->scalar);
    unsigned long long v = strtoull(n->scalar, &end, 10);
    if (n->quoted || end == n->scalar || *end || errno)
        return ycfg_fail(c, n, "expected a non-negative integer, got '%s'", n->scalar);
    *out = v;
    return 0;
}

int ycfg_double(const ycfg *c, const ynode *map, const char *key, double lo, double hi, double def, double *out) {
    const ynode *n = ynode_get(map, key);
    if (!n) {
        *out = def;
        return 0;
    }
    double v = 0;
    if (ycfg_scalar_double(c, n, &v)) return -1;
    if (v < lo || v > hi) return ycfg_fail(c, n, "%g is out of range [%g, %g]", v, lo, hi);
    *out = v;
    return 0;
}

int ycfg_bool(const ycfg *c, const ynode *map, const char *key, int def, int *out) {
    const ynode *n = ynode_get(map, key);
    if (!n) {
        *out = def;
        return 0;
    }
    if (n->kind == YNODE_SCALAR && !n->quoted) {
        const char *s = n->scalar;
        if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcasecmp(s, "on")) return *out = 1, 0;
        if (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcasecmp(s, "off")) return *out = 0, 0;
    }
    return ycfg_fail(c, n, "expected true or false, got '%s'", n->kind == YNODE_SCALAR ? n->scalar : kind_name(n->kind));
}

int ycfg_string(const ycfg *c, const ynode *map, const char *key, const char *def, const char **out) {
    const ynode *n = ynode_get(map, key);
    if (!n) {
        *out = def;
        return 0;
    }
    if (n->kind != YNODE_SCALAR) return ycfg_fail(c, n, "expected a string, got %s", kind_name(n->kind));
    *out = n->scalar;
    return 0;
}

int ycfg_enum(const ycfg *c, const ynode *map, const char *key, const char *const *names, int def, int *out) {
    const ynode *n = ynode_get(map, key);
    if (!n) {
        *out = def;
        return 0;
    }
    if (n->kind == YNODE_SCALAR)
        for (int i = 0; names[i]; i++)
            if (!strcmp(names[i], n->scalar)) {
                *out = i;
                return 0;
            }
    char list[512];
    size_t k = 0;
    list[0] = 0;
    for (int i = 0; names[i] && k < sizeof list; i++)
        k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", i ? ", " : "", names[i]);
    return ycfg_fail(c, n, "'%s' is not one of: %s", n->kind == YNODE_SCALAR ? n->scalar : kind_name(n->kind), list);
}

int ycfg_int_list(const ycfg *c, const ynode *map, const char *key, long lo, long hi, int *vals, int max, int *n) {
    const ynode *l = ynode_get(map, key);
    if (!l) return 0;
    if (l->kind != YNODE_SEQ) return ycfg_fail(c, l, "expected a list of integers, got %s", kind_name(l->kind));
    if (l->n == 0) return ycfg_fail(c, l, "the list is empty");
    if (l->n > max) return ycfg_fail(c, l, "at most %d values allowed, got %d", max, l->n);
    for (int i = 0; i < l->n; i++) {
        long v = 0;
        if (ycfg_scalar_long(c, l->child[i], lo, hi, &v)) return -1;
        vals[i] = (int)v;
    }
    *n = l->n;
    return 0;
}

int ycfg_double_list(const ycfg *c, const ynode *map, const char *key, double *vals, int max, int *n) {
    const ynode *l = ynode_get(map, key);
    if (!l) return 0;
    if (l->kind != YNODE_SEQ) return ycfg_fail(c, l, "expected a list of numbers, got %s", kind_name(l->kind));
    if (l->n == 0) return ycfg_fail(c, l, "the list is empty");
    if (l->n > max) return ycfg_fail(c, l, "at most %d values allowed, got %d", max, l->n);
    for (int i = 0; i < l->n; i++)
        if (ycfg_scalar_double(c, l->child[i], &vals[i])) return -1;
    *n = l->n;
    return 0;
}

int ycfg_node(const ycfg *c, const ynode *map, const char *key, ynode_kind kind, int required, const ynode **out) {
    const ynode *n = ynode_get(map, key);
    *out = NULL;
    if (!n) {
        if (!required) return 0;
        return hw_fail("%s:%d: key '%s%s%s': missing required key", c->path, map->line, map->path,
                       map->path[0] ? "." : "", key);
    }
    if (n->kind != kind) return ycfg_fail(c, n, "expected %s, got %s", kind_name(kind), kind_name(n->kind));
    *out = n;
    return 0;
}

char *ycfg_resolve_path(const ycfg *c, const char *p) {
    if (p[0] == '/' || !strcmp(c->dir, ".")) return hw_strdup(p);
    size_t n = strlen(c->dir) + strlen(p) + 2;
    char *r = hw_malloc(n);
    snprintf(r, n, "%s/%s", c->dir, p);
    return r;
}

static const ynode *find_unused(const ynode *n, int *key_line, const char **key) {
    if (n->kind == YNODE_SCALAR) return NULL;
    for (int i = 0; i < n->n; i++) {
        if (n->kind == YNODE_MAP && !n->used[i]) {
            *key_line = n->key_lines[i];
            *key = n->keys[i];
            return n;
        }
        const ynode *r = find_unused(n->child[i], key_line, key);
        if (r) return r;
    }
    return NULL;
}

/* Levenshtein distance of two short keys (longer ones count as far apart). */
static int edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63) return 99;
    int row[64];
    for (size_t j = 0; j <= lb; j++) row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* The known key of MAP closest to KEY, or NULL when none is close (at most
 * 2 edits, and fewer than half the key's length). */
static const char *closest_key(const ynode *map, const char *key) {
    const char *best = NULL;
    int bd = 3, half = (int)(strlen(key) + 1) / 2;
    for (int i = 0; i < map->n_asked; i++) {
        int d = edit_distance(key, map->asked[i]);
        if (d < bd && d <= half) bd = d, best = map->asked[i];
    }
    return best;
}

int ycfg_check_unknown(const ycfg *c) {
    int line = 0;
    const char *key = NULL;
    const ynode *m = find_unused(c->root, &line, &key);
    if (!m) return 0;
    const char *near = closest_key(m, key);
    return hw_fail("%s:%d: key '%s%s%s': unknown key%s%s%s", c->path, line, m->path, m->path[0] ? "." : "", key,
                   near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}
