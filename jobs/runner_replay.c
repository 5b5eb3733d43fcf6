/* runner_replay: answers from a measured table after a delay (see runner.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "hw_err.h"
#include "runner_impl.h"
#include "space.h"
#include "u64map.h"

typedef struct replay {
    csv_table *t;
    int key_col, val_col;
    int by_index;   /* key column holds NB201 arch indices */
    space *nb201;   /* for by_index */
    u64map rows;    /* key hash -> row */
    double delay_ms;
    char name[64];  /* value column, for messages */
} replay;

static uint64_t key_hash(const char *s) { return hw_hash_bytes(s, strlen(s), 0x5eed); }

static void replay_destroy(void *impl) {
    replay *p = impl;
    csv_free(p->t);
    space_free(p->nb201);
    u64map_free(&p->rows);
    free(p);
}

/* Row of ARCH in the table, or -1 with a message in res. */
static int find_row(replay *p, const char *arch, proto_msg *res) {
    char key[64];
    const char *k = arch;
    if (p->by_index) {
        hw_genome g;
        if (space_from_string(p->nb201, arch, &g) != 0) {
            runner_set_status(res, PROTO_ST_FAILED, "replay: %s", hw_errmsg());
            return -1;
        }
        snprintf(key, sizeof key, "%lld", (long long)space_index(p->nb201, &g));
        k = key;
    }
    int64_t row;
    if (!u64map_get(&p->rows, key_hash(k), &row) || strcmp(csv_str(p->t, (int)row, p->key_col), k) != 0) {
        runner_set_status(res, PROTO_ST_FAILED, "replay: arch '%.180s' is not in the table", arch);
        return -1;
    }
    return (int)row;
}

static void replay_run(void *impl, uint64_t job_id, const char *arch, const atomic_int *abort, proto_msg *res) {
    (void)job_id;
    replay *p = impl;
    if (runner_sleep_ms(p->delay_ms, abort)) {
        runner_set_status(res, PROTO_ST_RETURNED, "board shutting down");
        return;
    }
    int row = find_row(p, arch, res);
    if (row < 0) return;
    double v = csv_num(p->t, row, p->val_col);
    if (!isfinite(v)) {
        runner_set_status(res, PROTO_ST_FAILED, "replay: no '%s' value for this arch (line %d)", p->name,
                          csv_line(p->t, row));
        return;
    }
    res->warmup = 0;
    runner_fill_stats(res, &v, 1);
}

int runner_replay_create(const runner_config *c, runner_ops *ops, void **impl, char *caps, size_t cap) {
    if (!c->table || !c->value_column) return hw_fail("replay runner: 'table' and 'value_column' are required");
    if (!(c->delay_ms >= 0)) return hw_fail("replay runner: delay_ms must be >= 0");
    replay *p = hw_calloc(1, sizeof *p);
    u64map_init(&p->rows);
    p->delay_ms = c->delay_ms;
    p->by_index = c->key_nb201_index;
    snprintf(p->name, sizeof p->name, "%s", c->value_column);
    const char *keyname = c->key_column ? c->key_column : (p->by_index ? "arch_index" : "arch_str");
    if (csv_read(c->table, &p->t) != 0) goto fail;
    if ((p->key_col = csv_col_required(p->t, keyname)) < 0) goto fail;
    if ((p->val_col = csv_col_required(p->t, c->value_column)) < 0) goto fail;
    if (p->by_index && space_create_nb201(&p->nb201) != 0) goto fail;
    for (int r = 0; r < csv_nrows(p->t); r++) {
        const char *k = csv_str(p->t, r, p->key_col);
        if (!*k) {
            hw_fail("%s:%d: column '%s': empty key", c->table, csv_line(p->t, r), keyname);
            goto fail;
        }
        int64_t prev;
        if (u64map_get(&p->rows, key_hash(k), &prev)) {
            hw_fail("%s:%d: column '%s': key '%.100s' repeats line %d", c->table, csv_line(p->t, r), keyname, k,
                    csv_line(p->t, (int)prev));
            goto fail;
        }
        u64map_put(&p->rows, key_hash(k), r);
    }
    ops->run = replay_run;
    ops->destroy = replay_destroy;
    *impl = p;
    snprintf(caps, cap, "table=%d-rows value=%s delay_ms=%g", csv_nrows(p->t), c->value_column, c->delay_ms);
    return 0;
fail:
    replay_destroy(p);
    return -1;
}
