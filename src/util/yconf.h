/* yconf: YAML configuration documents (libyaml) as a small tree with typed,
 * line-aware getters.
 *
 * Every getter that fails sets the message
 *   "FILE:LINE: key 'a.b.c': what is wrong"
 * and returns -1, so a command prints it behind "hwnas: " and exits 2.
 * Getters mark the keys they read; ycfg_check_unknown() then reports the
 * first key nobody read ("unknown key"), which catches typos. Aliases and
 * duplicate keys are rejected. */
#ifndef HW_YCONF_H
#define HW_YCONF_H

#include <stddef.h>
#include <stdint.h>

typedef struct ycfg ycfg;
typedef struct ynode ynode;
typedef enum { YNODE_SCALAR = 0, YNODE_SEQ = 1, YNODE_MAP = 2 } ynode_kind;

/* Loads and parses PATH (missing/unreadable file or malformed YAML -> -1).
 * An empty document yields an empty map root. The root must be a map. */
int ycfg_load(const char *path, ycfg **out);
/* Same from memory; NAME stands for the file in messages. */
int ycfg_parse(const char *name, const char *text, size_t len, ycfg **out);
void ycfg_free(ycfg *c);

const char *ycfg_path(const ycfg *c);
/* Directory of the file ("." if none), for resolving relative paths. */
const char *ycfg_dir(const ycfg *c);
/* The document's original text (stored in run files). */
const char *ycfg_text(const ycfg *c);
const ynode *ycfg_root(const ycfg *c);

ynode_kind ynode_kind_of(const ynode *n);
int ynode_line(const ynode *n);
/* Dotted path of the node, e.g. "objectives[1].name". */
const char *ynode_path(const ynode *n);
const char *ynode_scalar(const ynode *n); /* NULL unless scalar */
int ynode_len(const ynode *n);            /* entries of a seq or map */
const ynode *ynode_at(const ynode *n, int i); /* i-th seq item / map value */
const char *ynode_key_at(const ynode *n, int i); /* i-th map key */
/* Map lookup; marks the key as read. NULL if absent or n is not a map. */
const ynode *ynode_get(const ynode *map, const char *key);

/* Sets "FILE:LINE: key 'PATH': <msg>" for node n and returns -1. */
int ycfg_fail(const ycfg *c, const ynode *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Typed getters: KEY absent -> *out = def and 0 (for optional keys);
 * present but wrong type / out of range -> -1 with the message. */
int ycfg_int(const ycfg *c, const ynode *map, const char *key, long lo, long hi, long def, long *out);
int ycfg_u64(const ycfg *c, const ynode *map, const char *key, uint64_t def, uint64_t *out);
int ycfg_double(const ycfg *c, const ynode *map, const char *key, double lo, double hi, double def, double *out);
int ycfg_bool(const ycfg *c, const ynode *map, const char *key, int def, int *out);
/* *out points into the document (valid until ycfg_free). */
int ycfg_string(const ycfg *c, const ynode *map, const char *key, const char *def, const char **out);
/* One of NAMES (NULL-terminated); *out = index. */
int ycfg_enum(const ycfg *c, const ynode *map, const char *key, const char *const *names, int def, int *out);
/* A sequence of integers in [lo, hi]; absent -> *n unchanged (caller's
 * defaults stay), 0 returned. At most max values. */
int ycfg_int_list(const ycfg *c, const ynode *map, const char *key, long lo, long hi, int *vals, int max, int *n);
int ycfg_double_list(const ycfg *c, const ynode *map, const char *key, double *vals, int max, int *n);
/* A required/optional sub-node of a given kind: absent and required -> -1
 * "missing required key"; absent and optional -> *out = NULL, 0. */
int ycfg_node(const ycfg *c, const ynode *map, const char *key, ynode_kind kind, int required, const ynode **out);
/* Scalar converters for items of sequences. */
int ycfg_scalar_double(const ycfg *c, const ynode *n, double *out);
int ycfg_scalar_long(const ycfg *c, const ynode *n, long lo, long hi, long *out);
/* Resolves a path relative to the config file's directory (absolute paths
 * pass through). Returns a malloc'd string. */
char *ycfg_resolve_path(const ycfg *c, const char *p);

/* First map key in the whole document that no getter read -> -1 with
 * "FILE:LINE: key 'a.b': unknown key". Call after reading everything. */
int ycfg_check_unknown(const ycfg *c);
/* Marks a whole subtree as read (for sections owned by another module that
 * checks them separately). */
void ycfg_mark_read(const ynode *n);

#endif
