/* search_check.c: config-time checks of a search against its supernet and
 * board configs (search_check.h). */
#include "search_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "hw_err.h"
#include "jkeys.h"
#include "supernet_h5.h"

/* Writes "[a b c]" of n ints into buf. */
static const char *list_str(const int *v, int n, char *buf, size_t cap) {
    size_t k = 0;
    buf[0] = 0;
    for (int i = 0; i < n && k + 16 < cap; i++) k += (size_t)snprintf(buf + k, cap - k, "%s%d", i ? " " : "[", v[i]);
    snprintf(buf + k, cap - k, "]");
    return buf;
}

/* The first list of `in` (space.bert.<key>) with a value missing from
 * `outer`: 0 if every list is a subset, else 1 with *key, *value and the
 * outer list (as text in buf) set. */
static int space_outside(const bert_space_cfg *in, const bert_space_cfg *outer, const char **key, int *value,
                         char *buf, size_t cap) {
    const struct { const char *name; const int *a, *b; int na, nb; } l[] = {
        {"layers", in->layers, outer->layers, in->n_layers, outer->n_layers},
        {"hidden", in->hidden, outer->hidden, in->n_hidden, outer->n_hidden},
        {"heads", in->heads, outer->heads, in->n_heads, outer->n_heads},
        {"ffn", in->ffn, outer->ffn, in->n_ffn, outer->n_ffn}};
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < l[i].na; j++) {
            int found = 0;
            for (int k = 0; k < l[i].nb; k++) found |= l[i].a[j] == l[i].b[k];
            if (!found) {
                *key = l[i].name;
                *value = l[i].a[j];
                list_str(l[i].b, l[i].nb, buf, cap);
                return 1;
            }
        }
    return 0;
}

/* The node of space.bert.<key> (for its line), else space.bert, else space. */
static const ynode *space_node(const search_config *c, const char *key) {
    const ynode *sp = ynode_get(ycfg_root(c->doc), "space"), *b = sp ? ynode_get(sp, "bert") : NULL;
    const ynode *k = b ? ynode_get(b, key) : NULL;
    return k ? k : b ? b : sp ? sp : ycfg_root(c->doc);
}

/* space.bert against the supernet: a subset, or (not given) the supernet's. */
static int check_supernet(search_config *c) {
    const ynode *fn = ynode_get(ynode_get(ycfg_root(c->doc), "finetune"), "supernet");
    bert_space_cfg sn;
    if (supernet_h5_space(c->ft_supernet, &sn)) return ycfg_fail(c->doc, fn, "%s", hw_errmsg());
    if (!c->bert_given) {
        c->bert = sn;
        return 0;
    }
    const char *key;
    int v;
    char buf[256];
    if (space_outside(&c->bert, &sn, &key, &v, buf, sizeof buf))
        return ycfg_fail(c->doc, space_node(c, key),
                         "%d is outside the supernet's space (%s has %s %s); the search space must lie inside it",
                         v, c->ft_supernet, key, buf);
    return 0;
}

/* Every device objective served by one of boards.configs; builtin boards'
 * spaces contain the search space. */
static int check_boards(const search_config *c) {
    board_config bc[HW_MAX_TABLES];
    int n = 0, rc = -1;
    for (; n < c->n_board_cfgs; n++) {
        board_config_default(&bc[n]);
        if (board_config_load(c->board_cfgs[n], &bc[n])) { /* the message names the board file and line */
            n++;
            goto done;
        }
    }
    const ynode *ol = ynode_get(ycfg_root(c->doc), "objectives");
    for (int k = 0; k < c->n_obj; k++) {
        if (!c->obj[k].device[0]) continue;
        int served = -1;
        char names[512] = "";
        size_t len = 0;
        for (int i = 0; i < n; i++) {
            if (!strcmp(bc[i].device, c->obj[k].device) && served < 0) served = i;
            if (len + 80 < sizeof names) len += (size_t)snprintf(names + len, sizeof names - len, "%s%s", i ? ", " : "", bc[i].device);
        }
        const ynode *on = ynode_get(ynode_at(ol, k), "device");
        if (served < 0) {
            ycfg_fail(c->doc, on, "no board config in boards.configs serves device '%s' (they serve: %s)",
                      c->obj[k].device, names);
            goto done;
        }
        const char *key;
        int v;
        char buf[256];
        if (!strcmp(c->space_name, "bert") && bc[served].runner.kind == RUNNER_BUILTIN &&
            space_outside(&c->bert, &bc[served].runner.space, &key, &v, buf, sizeof buf)) {
            ycfg_fail(c->doc, on, "board config %s (device '%s') cannot measure the search space: "
                      "space.bert.%s %d is not in its builtin.space %s",
                      c->board_cfgs[served], c->obj[k].device, key, v, buf);
            goto done;
        }
    }
    rc = 0;
done:
    for (int i = 0; i < n; i++) board_config_clear(&bc[i]);
    return rc;
}

/* boards.key and boards.allow load as the dispatcher will load them
 * (gtserver.c): a missing, garbage or world-readable file is bad input
 * here, before MPI starts, not an abort inside the engine. */
static int check_board_keys(const search_config *c) {
    const ynode *b = ynode_get(ycfg_root(c->doc), "boards");
    if (!b) b = ycfg_root(c->doc);
    jkey pub, sec, *allow = NULL;
    int n_allow = 0;
    const ynode *k = ynode_get(b, "key"), *a = ynode_get(b, "allow");
    if (jkeys_load_pair(c->board_key, &pub, &sec)) return ycfg_fail(c->doc, k ? k : b, "%s", hw_errmsg());
    memset(&sec, 0, sizeof sec);
    if (jkeys_load_allow(c->board_allow, &allow, &n_allow)) return ycfg_fail(c->doc, a ? a : b, "%s", hw_errmsg());
    free(allow);
    return 0;
}

int search_check_start(search_config *c) {
    if (c->use_finetune && check_supernet(c)) return -1;
    if (c->use_boards && c->n_board_cfgs && check_boards(c)) return -1;
    if (c->use_boards && check_board_keys(c)) return -1;
    return 0;
}
