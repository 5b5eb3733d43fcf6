/* engine_ckpt.c: see engine_ckpt.h. */
#include "engine_ckpt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "hw_codec.h"
#include "hw_err.h"
#include "nsga.h"
#include "pred.h"

static char *dupstr(const char *s) { return hw_strdup(s ? s : ""); }

/* Fills a run_points from genomes with minimised objectives; measured[i]
 * (NULL: all 1) marks genome i measured, except where its value is NaN. */
static void fill_points(run_points *p, const search_config *cfg, const space *sp, const hw_genome *g,
                        const double *obj_min, const double *cv, const uint8_t *measured, int n) {
    const int m = cfg->n_obj, ng = space_ngenes(sp);
    p->n = n;
    p->genomes = hw_malloc((size_t)(n ? n : 1) * ng * sizeof *p->genomes);
    p->strings = hw_malloc((size_t)(n ? n : 1) * sizeof *p->strings);
    p->obj = hw_malloc((size_t)(n ? n : 1) * m * sizeof *p->obj);
    p->cv = hw_malloc((size_t)(n ? n : 1) * sizeof *p->cv);
    p->measured = hw_malloc((size_t)(n ? n : 1) * m);
    for (int i = 0; i < n; i++) {
        memcpy(p->genomes + (size_t)i * ng, g[i].g, (size_t)ng * sizeof *p->genomes);
        char s[HW_ARCH_STR_MAX];
        if (space_to_string(sp, &g[i], s, sizeof s)) s[0] = 0;
        p->strings[i] = hw_strdup(s);
        for (int k = 0; k < m; k++) {
            const double v = obj_min[(size_t)i * m + k];
            p->obj[(size_t)i * m + k] = objective_to_min(&cfg->obj[k], v);
            /* a measurement without a value (NaN: e.g. missing from the table) is not a measured value */
            p->measured[(size_t)i * m + k] = (measured ? measured[i] : 1) && !isnan(v);
        }
        p->cv[i] = cv ? (isfinite(cv[i]) ? cv[i] : 1e300) : 0;
    }
}

int openblas_get_num_threads(void); /* OpenBLAS: the BLAS threads this rank uses */

static char *hash_str(const void *p, size_t n) {
    char b[32];
    snprintf(b, sizeof b, "fnv1a64:%016llx", (unsigned long long)hw_hash_bytes(p, n, 0));
    return dupstr(b);
}

int eckpt_table_hashes(const search_config *cfg, char ***out) {
    char **h = hw_calloc((size_t)(cfg->n_tables ? cfg->n_tables : 1), sizeof *h);
    for (int t = 0; t < cfg->n_tables; t++) {
        char *data;
        size_t len;
        if (hw_read_file(cfg->tables[t], &data, &len)) {
            eckpt_hashes_free(h, t);
            return -1;
        }
        h[t] = hash_str(data, len);
        free(data);
    }
    *out = h;
    return 0;
}

void eckpt_hashes_free(char **h, int n) {
    if (!h) return;
    for (int t = 0; t < n; t++) free(h[t]);
    free(h);
}

void eckpt_evaluated(const search_config *cfg, const space *sp, const gts *gt, run_points *out) {
    const int m = cfg->n_obj;
    int nr;
    const meas_record *rec = gts_records(gt, &nr);
    hw_genome *rg = hw_malloc((size_t)(nr ? nr : 1) * sizeof *rg);
    double *ro = hw_malloc((size_t)(nr ? nr : 1) * m * sizeof *ro), *rc = hw_malloc((size_t)(nr ? nr : 1) * sizeof *rc);
    for (int i = 0; i < nr; i++) {
        rg[i] = rec[i].g;
        memcpy(ro + (size_t)i * m, rec[i].obj, (size_t)m * sizeof *ro);
        rc[i] = rec[i].cv;
    }
    memset(out, 0, sizeof *out);
    fill_points(out, cfg, sp, rg, ro, rc, NULL, nr);
    free(rg);
    free(ro);
    free(rc);
    /* who proposed each, and what the surrogate predicted then */
    out->generation = hw_malloc((size_t)(nr ? nr : 1) * sizeof *out->generation);
    out->island = hw_malloc((size_t)(nr ? nr : 1) * sizeof *out->island);
    out->pred_mean = hw_malloc((size_t)(nr ? nr : 1) * m * sizeof *out->pred_mean);
    out->pred_std = hw_malloc((size_t)(nr ? nr : 1) * m * sizeof *out->pred_std);
    for (int i = 0; i < nr; i++) {
        out->generation[i] = rec[i].gen;
        out->island[i] = rec[i].island;
        for (int k = 0; k < m; k++) {
            out->pred_mean[(size_t)i * m + k] = objective_to_min(&cfg->obj[k], rec[i].pred_mean[k]);
            out->pred_std[(size_t)i * m + k] = rec[i].pred_std[k];
        }
    }
}

int eckpt_build(const search_config *cfg, const space *sp, gts *gt, const search_result *res,
                const eckpt_state *st, uint8_t *const *blobs, const size_t *lens, int nisl, uint64_t meas_seq,
                run_snapshot **out) {
    const int m = cfg->n_obj;
    run_snapshot *s = run_snapshot_new();
    s->config_text = dupstr(ycfg_text(cfg->doc));
    s->space_name = dupstr(space_name(sp));
    s->ngenes = space_ngenes(sp);
    s->nobj = m;
    s->obj_names = hw_malloc((size_t)m * sizeof *s->obj_names);
    s->obj_maximise = hw_malloc((size_t)m);
    for (int k = 0; k < m; k++) {
        s->obj_names[k] = dupstr(cfg->obj[k].name);
        s->obj_maximise[k] = cfg->obj[k].direction == OBJ_MAXIMIZE;
    }
    s->seed = cfg->seed;
    if (cfg->cli_overrides[0]) s->cli_overrides = dupstr(cfg->cli_overrides);
    s->wall_s = st->wall_s;
    char host[256];
    if (gethostname(host, sizeof host) == 0) {
        host[sizeof host - 1] = 0;
        s->host = dupstr(host);
    }
    s->threads = openblas_get_num_threads();
    char *cp = realpath(ycfg_path(cfg->doc), NULL);
    s->config_path = cp ? cp : dupstr(ycfg_path(cfg->doc));
    s->config_hash = hash_str(ycfg_text(cfg->doc), strlen(ycfg_text(cfg->doc)));
    if (st->table_hashes && cfg->n_tables > 0) {
        s->ntables = cfg->n_tables;
        s->table_paths = hw_malloc((size_t)s->ntables * sizeof *s->table_paths);
        s->table_hashes = hw_malloc((size_t)s->ntables * sizeof *s->table_hashes);
        for (int t = 0; t < s->ntables; t++) {
            s->table_paths[t] = dupstr(cfg->tables[t]);
            s->table_hashes[t] = dupstr(st->table_hashes[t]);
        }
    }
    /* islands: decode each blob's engine for the readable population */
    s->nislands = nisl;
    s->islands = hw_calloc((size_t)nisl, sizeof *s->islands);
    s->nranks = nisl > 1 ? nisl + 1 : 1;
    s->rank_rng = hw_calloc((size_t)s->nranks * 4, sizeof *s->rank_rng);
    for (int i = 0; i < nisl; i++) {
        run_island *ri = &s->islands[i];
        ri->engine_state = hw_malloc(lens[i]);
        memcpy(ri->engine_state, blobs[i], lens[i]);
        ri->engine_state_len = lens[i];
        uint64_t nl;
        memcpy(&nl, blobs[i] + 8, 8);
        nsga *e;
        if (nsga_restore(sp, blobs[i] + 16, (size_t)nl, &e)) goto fail;
        int np = nsga_pop_size(e);
        const hw_genome *pg = nsga_pop_genomes(e);
        uint8_t *meas = hw_malloc((size_t)(np ? np : 1));
        for (int j = 0; j < np; j++) meas[j] = (uint8_t)gts_lookup(gt, &pg[j], NULL);
        fill_points(&ri->pop, cfg, sp, pg, nsga_pop_obj(e), nsga_pop_cv(e), meas, np);
        free(meas);
        ri->generation = st->generation + 1;
        memcpy(ri->rng, nsga_rng(e)->s, sizeof ri->rng);
        memcpy(s->rank_rng + 4 * (size_t)(nisl > 1 ? i + 1 : 0), ri->rng, sizeof ri->rng);
        nsga_free(e);
    }
    /* archive and every measured point */
    const pareto_archive *a = gts_archive(gt);
    int na = pareto_archive_size(a);
    hw_genome *ag = hw_malloc((size_t)(na ? na : 1) * sizeof *ag);
    double *ao = hw_malloc((size_t)(na ? na : 1) * m * sizeof *ao);
    for (int i = 0; i < na; i++) {
        ag[i] = *pareto_archive_genome(a, i);
        memcpy(ao + (size_t)i * m, pareto_archive_obj(a, i), (size_t)m * sizeof *ao);
    }
    fill_points(&s->archive, cfg, sp, ag, ao, NULL, NULL, na);
    free(ag);
    free(ao);
    int nr;
    const meas_record *rec = gts_records(gt, &nr);
    eckpt_evaluated(cfg, sp, gt, &s->evaluated);
    /* training sets: one per objective, rows = measured points with a value,
     * features = the surrogate's input (pred_space_features) */
    const int d = pred_space_nfeatures(sp);
    s->ntrainsets = m;
    s->trainsets = hw_calloc((size_t)m, sizeof *s->trainsets);
    for (int k = 0; k < m; k++) {
        run_trainset *t = &s->trainsets[k];
        t->target = dupstr(cfg->obj[k].name);
        t->device = dupstr(objective_value_device(&cfg->obj[k]));
        t->d = d;
        t->features = hw_malloc((size_t)(nr ? nr : 1) * d * sizeof *t->features);
        t->values = hw_malloc((size_t)(nr ? nr : 1) * sizeof *t->values);
        t->arch = hw_malloc((size_t)(nr ? nr : 1) * sizeof *t->arch);
        t->board = hw_malloc((size_t)(nr ? nr : 1) * sizeof *t->board);
        t->runner = hw_malloc((size_t)(nr ? nr : 1) * sizeof *t->runner);
        t->t_start = hw_malloc((size_t)(nr ? nr : 1) * sizeof *t->t_start);
        t->t_end = hw_malloc((size_t)(nr ? nr : 1) * sizeof *t->t_end);
        for (int i = 0; i < nr; i++) {
            if (isnan(rec[i].obj[k])) continue;
            int j = t->n++;
            pred_space_features(sp, &rec[i].g, t->features + (size_t)j * d);
            t->values[j] = objective_to_min(&cfg->obj[k], rec[i].obj[k]);
            t->arch[j] = hw_strdup(s->evaluated.strings[i]);
            const char *board, *runner;
            meas_record_provenance(&rec[i], &cfg->obj[k], &board, &runner);
            t->board[j] = dupstr(board);
            t->runner[j] = dupstr(runner);
            t->t_start[j] = rec[i].t_start;
            t->t_end[j] = rec[i].t_end;
        }
    }
    /* the surrogate as one model */
    uint8_t *gb;
    size_t gl;
    if (gts_export(gt, &gb, &gl)) goto fail;
    s->nmodels = 1;
    s->models = hw_calloc(1, sizeof *s->models);
    s->models[0].target = dupstr("surrogate");
    s->models[0].device = dupstr("all");
    s->models[0].version = surrogate_version(gts_surrogate(gt));
    if (surrogate_save(gts_surrogate(gt), &s->models[0].bytes, &s->models[0].len)) {
        free(gb);
        goto fail;
    }
    /* history */
    s->nhistory = res->n_history;
    s->history = hw_malloc((size_t)(res->n_history ? res->n_history : 1) * sizeof *s->history);
    for (int i = 0; i < res->n_history; i++) {
        const search_history_row *h = &res->history[i];
        s->history[i] = (run_history_row){.generation = h->generation, .measurements = h->measurements,
                                          .hv = h->hv, .hv_ratio = h->hv_ratio, .front_size = h->front_size,
                                          .wall_s = h->wall_s};
    }
    s->meas_seq = meas_seq;
    /* engine_global: "HWEN", i32 generation, i64 evaluations, f64 wall
     * seconds, u64 length + the exact dispatcher state (gts_export) */
    hw_wbuf w;
    hw_wbuf_init(&w);
    hw_put_bytes(&w, "HWEN", 4);
    hw_put_i32(&w, st->generation);
    hw_put_i64(&w, st->evaluations);
    hw_put_f64(&w, st->wall_s);
    hw_put_u64(&w, gl);
    hw_put_bytes(&w, gb, gl);
    free(gb);
    s->engine_global = hw_wbuf_take(&w, &s->engine_global_len);
    if (!s->engine_global) {
        hw_fail("checkpoint: out of memory");
        goto fail;
    }
    *out = s;
    return 0;
fail:
    run_snapshot_free(s);
    return -1;
}

/* ---- the resolved configuration, for resume ------------------------------ */

typedef struct canon {
    char **line; /* "key.path = value", sorted */
    int n, cap;
} canon;

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One line per scalar of the tree: its key path and value, where a value
 * naming an existing file (relative to the config's directory) stands as
 * that file's real path. Formatting, flow/block style, comments, key
 * order and how a path is written do not show. */
static void canon_walk(const ycfg *c, const ynode *n, canon *o) {
    if (ynode_kind_of(n) != YNODE_SCALAR) {
        for (int i = 0; i < ynode_len(n); i++) canon_walk(c, ynode_at(n, i), o);
        return;
    }
    const char *v = ynode_scalar(n);
    char *rp = NULL, *res = v[0] ? ycfg_resolve_path(c, v) : NULL;
    if (res && access(res, F_OK) == 0) rp = realpath(res, NULL);
    hw_buf b = {0};
    hw_buf_printf(&b, "%s = %s", ynode_path(n), rp ? rp : v);
    free(rp);
    free(res);
    if (o->n == o->cap) o->line = hw_realloc(o->line, (size_t)(o->cap = o->cap ? 2 * o->cap : 64) * sizeof *o->line);
    o->line[o->n++] = b.p;
}

static void canon_free(canon *o) {
    for (int i = 0; i < o->n; i++) free(o->line[i]);
    free(o->line);
}

/* Compares the run's stored config (its relative paths resolved from the
 * config file it was read from, /@config_path, else from cfg's directory)
 * with cfg, as resolved trees; -1 naming the first differences. */
static int config_same(const run_snapshot *snap, const search_config *cfg, const char *path) {
    if (!strcmp(snap->config_text, ycfg_text(cfg->doc))) return 0;
    ycfg *old;
    if (ycfg_parse(snap->config_path ? snap->config_path : ycfg_path(cfg->doc), snap->config_text,
                   strlen(snap->config_text), &old))
        return hw_fail("%s: the config stored in the run does not parse: %s", path, hw_errmsg());
    canon a = {0}, b = {0};
    canon_walk(old, ycfg_root(old), &a);
    canon_walk(cfg->doc, ycfg_root(cfg->doc), &b);
    ycfg_free(old);
    qsort(a.line, (size_t)a.n, sizeof *a.line, cmp_str);
    qsort(b.line, (size_t)b.n, sizeof *b.line, cmp_str);
    hw_buf d = {0};
    int nd = 0;
    for (int i = 0, j = 0; i < a.n || j < b.n;) {
        int c = i == a.n ? 1 : j == b.n ? -1 : strcmp(a.line[i], b.line[j]);
        if (c == 0) {
            i++, j++;
            continue;
        }
        if (nd++ < 3) hw_buf_printf(&d, "%s%s '%s'", nd > 1 ? "; " : "", c < 0 ? "run has" : "config has",
                                    c < 0 ? a.line[i] : b.line[j]);
        if (c < 0) i++;
        else j++;
    }
    int rc = 0;
    if (nd) rc = hw_fail("%s: the run was started with another config than %s: %s%s", path, ycfg_path(cfg->doc),
                         d.p, nd > 3 ? "; ..." : "");
    hw_buf_free(&d);
    canon_free(&a);
    canon_free(&b);
    return rc;
}

int eckpt_config_from_run(const char *run, search_config **out) {
    run_snapshot *snap;
    *out = NULL;
    if (runfile_read(run, &snap)) return -1;
    int rc = search_config_parse(snap->config_path ? snap->config_path : run, snap->config_text, out);
    run_snapshot_free(snap);
    return rc;
}

int eckpt_check(const run_snapshot *snap, const search_config *cfg, const space *sp, const char *path) {
    if (config_same(snap, cfg, path)) return -1;
    if (strcmp(snap->space_name, space_name(sp)) || snap->ngenes != space_ngenes(sp) || snap->nobj != cfg->n_obj)
        return hw_fail("%s: space or objectives differ from the config", path);
    if (snap->seed != cfg->seed) /* the islands' RNGs come from the file: a new seed would change nothing */
        return hw_fail("%s: seed %llu differs from the run's seed %llu; --seed cannot change a resumed run", path,
                       (unsigned long long)cfg->seed, (unsigned long long)snap->seed);
    if (!snap->engine_global || snap->engine_global_len < 32 || memcmp(snap->engine_global, "HWEN", 4))
        return hw_fail("%s: /engine_global: not an hwnas search checkpoint", path);
    if (snap->nislands < 1) return hw_fail("%s: /islands: no island state", path);
    return 0;
}

int eckpt_restore_dispatcher(const run_snapshot *snap, gts *gt, eckpt_state *st, search_result *res) {
    hw_rbuf r;
    hw_rbuf_init(&r, snap->engine_global, snap->engine_global_len);
    hw_get_span(&r, 4); /* "HWEN", checked by eckpt_check */
    st->generation = hw_get_i32(&r);
    st->evaluations = (long)hw_get_i64(&r);
    st->wall_s = hw_get_f64(&r);
    uint64_t gl = hw_get_u64(&r);
    const uint8_t *gb = hw_rbuf_ok(&r) && gl == hw_rbuf_left(&r) ? hw_get_span(&r, (size_t)gl) : NULL;
    if (!gb) return hw_fail("checkpoint: /engine_global: truncated");
    if (gts_import(gt, gb, (size_t)gl)) return -1;
    res->n_history = snap->nhistory;
    res->history = hw_malloc((size_t)(snap->nhistory + 16) * sizeof *res->history);
    for (int i = 0; i < snap->nhistory; i++) {
        const run_history_row *h = &snap->history[i];
        res->history[i] = (search_history_row){.generation = (int)h->generation, .measurements = h->measurements,
                                               .hv = h->hv, .hv_ratio = h->hv_ratio, .front_size = (int)h->front_size,
                                               .wall_s = h->wall_s};
    }
    return 0;
}
