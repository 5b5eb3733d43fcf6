/* accel_codesign: network x accelerator co-design (see accel_codesign.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel_codesign.h"
#include "csv.h"
#include "hw_err.h"
#include "layers.h"
#include "yconf.h"

const char *const codesign_strategy_names[CODESIGN_NSTRATEGIES] = {"joint", "two_stage", "fixed"};

#define NB201_NARCH 15625

struct codesign {
    codesign_cfg cfg;
    space *prod;                 /* arch x accel (owns both) */
    const space *arch, *acc;     /* its parts */
    double *acc_by_index;        /* nb201: [15625] accuracy, NaN if missing */
    hw_genome *keys;             /* bert: [n_keys] table archs, accuracy in key_acc */
    double *key_acc;
    int n_keys;
    int *slot;                   /* bert: [n_slot] open addressing by space_hash, -1 empty */
    int n_slot;                  /* power of two > 2 n_keys */
    hw_genome default_accel;     /* accel-space genome of cfg.default_accel */
    layer_list layers;           /* scratch, merged */
};

void codesign_cfg_default(codesign_cfg *c) {
    memset(c, 0, sizeof *c);
    c->arch_space = CODESIGN_NB201;
    bert_space_cfg_default(&c->bert);
    c->seq_len = 128;
    snprintf(c->acc_column, sizeof c->acc_column, "test_acc_200ep_cifar10");
    c->batch = 1;
    accel_space_cfg_default(&c->accel_space);
    c->default_accel = (accel_cfg){.rows = 12, .cols = 14, .rf_bytes = 256, .gbuf_kb = 108, .dram_gbps = 4.0,
                                   .clock_mhz = 400, .dataflow = ACCEL_RS, .precision = ACCEL_FP16};
    accel_cfg_derive(&c->default_accel);
    c->area_budget_mm2 = 10.0;
    c->latency_budget_ms = 5.0;
    c->evaluations = 1500;
    nsga_params_default(&c->engine);
    c->engine.pop_size = 40;
    c->engine.n_obj = 3;
    c->n_seeds = 5;
    for (int i = 0; i < c->n_seeds; i++) c->seeds[i] = (uint64_t)(i + 1);
    c->stage1_fraction = 0.5;
    c->stage2_networks = 5;
    c->hv_ref_acc = 85.0;
    c->hv_ref_latency_ms = 5.0;
    c->hv_ref_energy_mj = 1.0;
    c->n_targets = 3;
    c->acc_targets[0] = 93.0;
    c->acc_targets[1] = 93.5;
    c->acc_targets[2] = 94.0;
}

/* ---- config ---------------------------------------------------------------- */

static int load_sections(ycfg *y, codesign_cfg *c) {
    const ynode *root = ycfg_root(y), *n;
    const char *s;
    char *p;
    static const char *const arch_spaces[] = {"nb201", "bert", NULL};
    int asp;
    if (ycfg_enum(y, root, "arch_space", arch_spaces, CODESIGN_NB201, &asp)) return -1;
    c->arch_space = (codesign_arch_space)asp;
    long batch, seq;
    if (ycfg_int(y, root, "batch", 1, 4096, 1, &batch)) return -1;
    c->batch = (int)batch;
    /* bert: bert_space {layers, hidden, heads, ffn} (the table's space) and seq_len */
    if (ycfg_node(y, root, "bert_space", YNODE_MAP, 0, &n)) return -1;
    if (n && c->arch_space != CODESIGN_BERT) return ycfg_fail(y, n, "only valid with arch_space: bert");
    if (n && bert_space_cfg_from_yaml(y, n, &c->bert)) return -1;
    if (ynode_get(root, "seq_len") && c->arch_space != CODESIGN_BERT)
        return ycfg_fail(y, ynode_get(root, "seq_len"), "only valid with arch_space: bert");
    if (ycfg_int(y, root, "seq_len", 1, 65536, c->seq_len, &seq)) return -1;
    c->seq_len = (int)seq;
    if (c->arch_space == CODESIGN_BERT) snprintf(c->acc_column, sizeof c->acc_column, "accuracy");
    /* accuracy: {table, column} */
    if (ycfg_node(y, root, "accuracy", YNODE_MAP, 1, &n)) return -1;
    const ynode *tn;
    if (ycfg_node(y, n, "table", YNODE_SCALAR, 1, &tn)) return -1;
    if (ycfg_string(y, n, "table", "", &s)) return -1;
    p = ycfg_resolve_path(y, s);
    snprintf(c->acc_table, sizeof c->acc_table, "%s", p);
    free(p);
    if (ycfg_string(y, n, "column", NULL, &s)) return -1;
    if (s) snprintf(c->acc_column, sizeof c->acc_column, "%s", s); /* else the space's default column */
    /* accel_space: a map of choice lists, or the path of a YAML file holding one */
    n = ynode_get(root, "accel_space");
    if (n && ynode_kind_of(n) == YNODE_SCALAR) {
        p = ycfg_resolve_path(y, ynode_scalar(n));
        ycfg *y2 = NULL;
        int rc = ycfg_load(p, &y2);
        free(p);
        if (rc == 0) rc = accel_space_cfg_from_yaml(y2, ycfg_root(y2), &c->accel_space);
        if (rc == 0) rc = ycfg_check_unknown(y2);
        ycfg_free(y2);
        if (rc) return -1;
    } else if (n && ynode_kind_of(n) == YNODE_MAP) {
        if (accel_space_cfg_from_yaml(y, n, &c->accel_space)) return -1;
    } else if (n) {
        return ycfg_fail(y, n, "expected a map of choice lists or a file name");
    }
    /* default_accel: a map, or the path of an accelerator YAML file */
    n = ynode_get(root, "default_accel");
    if (n && ynode_kind_of(n) == YNODE_SCALAR) {
        p = ycfg_resolve_path(y, ynode_scalar(n));
        int rc = accel_cfg_load(p, &c->default_accel);
        free(p);
        if (rc) return -1;
    } else if (n && ynode_kind_of(n) == YNODE_MAP) {
        if (accel_cfg_from_yaml(y, n, &c->default_accel)) return -1;
    } else if (n) {
        return ycfg_fail(y, n, "expected an accelerator map or a file name");
    }
    /* the default accelerator (given or built in) must be a point of the accel space */
    {
        space *as = NULL;
        hw_genome g;
        int rc = space_create_accel(&c->accel_space, &as);
        if (rc == 0) rc = accel_to_genome(as, &c->default_accel, &g);
        space_free(as);
        if (rc) {
            char msg[256];
            snprintf(msg, sizeof msg, "%s", hw_errmsg());
            return ycfg_fail(y, n ? n : root, "default_accel: %s", msg);
        }
    }
    /* constraints */
    if (ycfg_node(y, root, "constraints", YNODE_MAP, 0, &n)) return -1;
    if (n && (ycfg_double(y, n, "area_mm2", 0, 1e6, c->area_budget_mm2, &c->area_budget_mm2) ||
              ycfg_double(y, n, "latency_ms", 0, 1e9, c->latency_budget_ms, &c->latency_budget_ms)))
        return -1;
    /* search */
    if (ycfg_node(y, root, "search", YNODE_MAP, 0, &n)) return -1;
    if (n) {
        long v;
        if (ycfg_int(y, n, "evaluations", 8, 100000000, c->evaluations, &v)) return -1;
        c->evaluations = (int)v;
        if (ycfg_int(y, n, "pop_size", 4, 100000, c->engine.pop_size, &v)) return -1;
        c->engine.pop_size = (int)v;
        if (ycfg_int(y, n, "n_offspring", 0, 100000, c->engine.n_offspring, &v)) return -1;
        c->engine.n_offspring = (int)v;
        if (ycfg_double(y, n, "p_crossover", 0, 1, c->engine.p_crossover, &c->engine.p_crossover) ||
            ycfg_double(y, n, "p_mutation", -1, 1, c->engine.p_mutation, &c->engine.p_mutation) ||
            ycfg_double(y, n, "p_elite", 0, 1, c->engine.p_elite, &c->engine.p_elite))
            return -1;
        if (ycfg_int(y, n, "novelty_tries", 0, 100000, c->engine.novelty_tries, &v)) return -1;
        c->engine.novelty_tries = (int)v;
        const ynode *sl;
        if (ycfg_node(y, n, "seeds", YNODE_SEQ, 0, &sl)) return -1;
        if (sl) {
            if (ynode_len(sl) < 1 || ynode_len(sl) > CODESIGN_MAX_SEEDS)
                return ycfg_fail(y, sl, "need 1..%d seeds", CODESIGN_MAX_SEEDS);
            c->n_seeds = ynode_len(sl);
            for (int i = 0; i < c->n_seeds; i++) {
                long sv;
                if (ycfg_scalar_long(y, ynode_at(sl, i), 0, 2147483647L, &sv)) return -1;
                c->seeds[i] = (uint64_t)sv;
            }
        }
    }
    if (c->evaluations < c->engine.pop_size)
        return ycfg_fail(y, n ? n : root, "evaluations (%d) must be >= pop_size (%d)", c->evaluations, c->engine.pop_size);
    /* two_stage */
    if (ycfg_node(y, root, "two_stage", YNODE_MAP, 0, &n)) return -1;
    if (n) {
        long v;
        if (ycfg_double(y, n, "stage1_fraction", 0.05, 0.95, c->stage1_fraction, &c->stage1_fraction)) return -1;
        if (ycfg_int(y, n, "networks", 1, 1000, c->stage2_networks, &v)) return -1;
        c->stage2_networks = (int)v;
    }
    /* report */
    if (ycfg_node(y, root, "report", YNODE_MAP, 0, &n)) return -1;
    if (n) {
        const ynode *h;
        if (ycfg_node(y, n, "hv_ref", YNODE_MAP, 0, &h)) return -1;
        if (h && (ycfg_double(y, h, "accuracy", 0, 99.999, c->hv_ref_acc, &c->hv_ref_acc) ||
                  ycfg_double(y, h, "latency_ms", 1e-9, 1e9, c->hv_ref_latency_ms, &c->hv_ref_latency_ms) ||
                  ycfg_double(y, h, "energy_mj", 1e-12, 1e9, c->hv_ref_energy_mj, &c->hv_ref_energy_mj)))
            return -1;
        if (ycfg_double_list(y, n, "accuracy_targets", c->acc_targets, CODESIGN_MAX_TARGETS, &c->n_targets)) return -1;
    }
    return ycfg_check_unknown(y);
}

int codesign_cfg_load(const char *path, codesign_cfg *out) {
    codesign_cfg_default(out);
    ycfg *y = NULL;
    if (ycfg_load(path, &y)) return -1;
    int rc = load_sections(y, out);
    ycfg_free(y);
    return rc;
}

/* ---- the codesign object --------------------------------------------------- */

int codesign_cfg_space(const codesign_cfg *c, space **out) {
    space *a = NULL, *b = NULL;
    *out = NULL;
    if ((c->arch_space == CODESIGN_BERT ? space_create_bert(&c->bert, &a) : space_create_nb201(&a)) ||
        space_create_accel(&c->accel_space, &b) || space_create_product(a, b, out)) {
        space_free(a);
        space_free(b);
        return -1;
    }
    return 0;
}

/* Slot of genome g in the bert accuracy table: its entry, or the empty
 * slot where it would go. */
static int key_slot(const codesign *cd, const hw_genome *g) {
    uint64_t h = space_hash(cd->arch, g);
    for (int i = (int)(h & (uint64_t)(cd->n_slot - 1));; i = (i + 1) & (cd->n_slot - 1)) {
        int k = cd->slot[i];
        if (k < 0 || hw_genome_equal(&cd->keys[k], g, space_ngenes(cd->arch))) return i;
    }
}

/* Accuracy (%) of architecture genome g from the loaded table; NaN if the
 * table has no (non-empty) entry for it. */
static double lookup_acc(const codesign *cd, const hw_genome *g) {
    if (cd->cfg.arch_space == CODESIGN_NB201) {
        int64_t idx = space_index(cd->arch, g);
        return idx >= 0 && idx < NB201_NARCH ? cd->acc_by_index[idx] : NAN;
    }
    int k = cd->slot[key_slot(cd, g)];
    return k < 0 ? NAN : cd->key_acc[k];
}

/* bert: the table's `arch` column (canonical strings of the config's space)
 * and the accuracy column into the hash table. A row outside the space, a
 * repeated arch or an accuracy that is not a number is an error naming the
 * file and line. */
static int load_accuracy_bert(codesign *cd) {
    csv_table *t = NULL;
    if (csv_read(cd->cfg.acc_table, &t)) return -1;
    int ci = csv_col_required(t, "arch"), ca = ci < 0 ? -1 : csv_col_required(t, cd->cfg.acc_column);
    if (ci < 0 || ca < 0) goto fail;
    int n = csv_nrows(t);
    cd->keys = hw_malloc((size_t)(n > 0 ? n : 1) * sizeof *cd->keys);
    cd->key_acc = hw_malloc((size_t)(n > 0 ? n : 1) * sizeof *cd->key_acc);
    for (cd->n_slot = 4; cd->n_slot <= 2 * n; cd->n_slot *= 2) {}
    cd->slot = hw_malloc((size_t)cd->n_slot * sizeof *cd->slot);
    for (int i = 0; i < cd->n_slot; i++) cd->slot[i] = -1;
    for (int r = 0; r < n; r++) {
        hw_genome g = {0};
        if (space_from_string(cd->arch, csv_str(t, r, ci), &g)) {
            char msg[256];
            snprintf(msg, sizeof msg, "%s", hw_errmsg());
            hw_fail("%s:%d: arch: %s (bert_space of the config)", csv_path(t), csv_line(t, r), msg);
            goto fail;
        }
        int i = key_slot(cd, &g);
        if (cd->slot[i] >= 0) {
            hw_fail("%s:%d: arch '%s' appears twice", csv_path(t), csv_line(t, r), csv_str(t, r, ci));
            goto fail;
        }
        double a = NAN; /* an empty cell leaves the arch unmeasured; text that is no number is an error */
        if (csv_str(t, r, ca)[0] && csv_num_strict(t, r, ca, &a)) goto fail;
        cd->keys[cd->n_keys] = g;
        cd->key_acc[cd->n_keys] = a;
        cd->slot[i] = cd->n_keys++;
    }
    csv_free(t);
    return 0;
fail:
    csv_free(t);
    return -1;
}

static int load_accuracy(codesign *cd) {
    csv_table *t = NULL;
    if (csv_read(cd->cfg.acc_table, &t)) return -1;
    int ci = csv_col_required(t, "arch_index"), ca = ci < 0 ? -1 : csv_col_required(t, cd->cfg.acc_column);
    if (ci < 0 || ca < 0) goto fail;
    for (int i = 0; i < NB201_NARCH; i++) cd->acc_by_index[i] = NAN;
    for (int r = 0; r < csv_nrows(t); r++) {
        double idx, a;
        if (csv_num_strict(t, r, ci, &idx)) goto fail;
        if (idx != floor(idx) || idx < 0 || idx >= NB201_NARCH) {
            hw_fail("%s:%d: arch_index '%s' is not in 0..15624", csv_path(t), csv_line(t, r), csv_str(t, r, ci));
            goto fail;
        }
        a = csv_num(t, r, ca); /* an empty cell leaves the arch unmeasured */
        cd->acc_by_index[(int)idx] = a;
    }
    csv_free(t);
    return 0;
fail:
    csv_free(t);
    return -1;
}

int codesign_create(const codesign_cfg *cfg, codesign **out) {
    *out = NULL;
    codesign *cd = hw_calloc(1, sizeof *cd);
    cd->cfg = *cfg;
    layer_list_init(&cd->layers, 1);
    if (codesign_cfg_space(cfg, &cd->prod)) goto fail;
    cd->arch = space_product_part(cd->prod, 0);
    cd->acc = space_product_part(cd->prod, 1);
    if (accel_to_genome(cd->acc, &cfg->default_accel, &cd->default_accel)) goto fail;
    if (cfg->arch_space == CODESIGN_BERT) {
        if (load_accuracy_bert(cd)) goto fail;
    } else {
        cd->acc_by_index = hw_malloc(NB201_NARCH * sizeof *cd->acc_by_index);
        if (load_accuracy(cd)) goto fail;
    }
    *out = cd;
    return 0;
fail:
    codesign_free(cd);
    return -1;
}

void codesign_free(codesign *cd) {
    if (!cd) return;
    space_free(cd->prod);
    free(cd->acc_by_index);
    free(cd->keys);
    free(cd->key_acc);
    free(cd->slot);
    layer_list_free(&cd->layers);
    free(cd);
}

const space *codesign_space(const codesign *cd) { return cd->prod; }
const codesign_cfg *codesign_config(const codesign *cd) { return &cd->cfg; }

int codesign_eval(codesign *cd, const hw_genome *g, codesign_point *o) {
    hw_genome ga, gb;
    accel_cfg hw;
    accel_cost tot;
    memset(o, 0, sizeof *o);
    o->g = *g;
    if (space_product_split(cd->prod, g, &ga, &gb) || accel_from_genome(cd->acc, &gb, &hw) ||
        (cd->cfg.arch_space == CODESIGN_BERT ? layers_bert(cd->arch, &ga, cd->cfg.seq_len, cd->cfg.batch, &cd->layers)
                                             : layers_nb201(cd->arch, &ga, cd->cfg.batch, &cd->layers)))
        return -1;
    o->acc = lookup_acc(cd, &ga);
    accel_net_cost(&hw, &cd->layers, &tot, NULL);
    o->latency_ms = tot.latency_s * 1e3;
    o->energy_mj = tot.energy_pj * 1e-9;
    o->area_mm2 = accel_area_mm2(&hw);
    double cv = 0;
    if (cd->cfg.area_budget_mm2 > 0 && o->area_mm2 > cd->cfg.area_budget_mm2)
        cv += o->area_mm2 / cd->cfg.area_budget_mm2 - 1;
    if (cd->cfg.latency_budget_ms > 0 && o->latency_ms > cd->cfg.latency_budget_ms)
        cv += o->latency_ms / cd->cfg.latency_budget_ms - 1;
    o->cv = isnan(o->acc) ? INFINITY : cv;
    return 0;
}

void codesign_objectives(const codesign_point *p, double out[3]) {
    out[0] = -p->acc;
    out[1] = p->latency_ms;
    out[2] = p->energy_mj;
}

void codesign_result_free(codesign_result *r) {
    free(r->pts);
    memset(r, 0, sizeof *r);
}

static void result_push(codesign_result *r, const codesign_point *p) {
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 256;
        r->pts = hw_realloc(r->pts, (size_t)r->cap * sizeof *r->pts);
    }
    r->pts[r->n++] = *p;
}

/* ---- search loops ---------------------------------------------------------- */

typedef enum { PART_PRODUCT, PART_ARCH, PART_ACCEL } part_mode;

/* NSGA-II over space s for `budget` evaluations. The engine's genomes are
 * product genomes (PART_PRODUCT), architectures joined with the fixed accel
 * genome `other` (PART_ARCH), or accelerators joined with the fixed arch
 * genome `other` (PART_ACCEL). Records the first `budget` evaluations. */
static int run_nsga(codesign *cd, const space *s, part_mode mode, const hw_genome *other, const nsga_params *p0,
                    int budget, codesign_result *out) {
    nsga_params p = *p0;
    p.n_obj = 3;
    if (p.pop_size > budget) p.pop_size = budget;
    if (p.pop_size < 4) p.pop_size = 4;
    int maxb = p.pop_size > p.n_offspring ? p.pop_size : p.n_offspring;
    nsga *e = NULL;
    double *obj = hw_malloc((size_t)maxb * 3 * sizeof *obj), *cv = hw_malloc((size_t)maxb * sizeof *cv);
    int rc = -1, done = 0;
    if (nsga_create(s, &p, &e)) goto fail;
    while (done < budget) {
        const hw_genome *batch;
        int n;
        if (nsga_ask(e, &batch, &n)) goto fail;
        HW_ASSERT(n <= maxb);
        for (int i = 0; i < n; i++) {
            hw_genome full;
            if (mode == PART_PRODUCT) full = batch[i];
            else if (mode == PART_ARCH) space_product_join(cd->prod, &batch[i], other, &full);
            else space_product_join(cd->prod, other, &batch[i], &full);
            codesign_point pt;
            if (codesign_eval(cd, &full, &pt)) goto fail;
            codesign_objectives(&pt, obj + 3 * i);
            cv[i] = pt.cv;
            if (done < budget) result_push(out, &pt);
            done++;
        }
        if (nsga_tell(e, obj, cv)) goto fail;
    }
    rc = 0;
fail:
    nsga_free(e);
    free(obj);
    free(cv);
    return rc;
}

static int cmp_acc_desc(const void *a, const void *b) {
    const codesign_point *x = a, *y = b;
    return (x->acc < y->acc) - (x->acc > y->acc);
}

static int cmp_cv_then_acc(const void *a, const void *b) {
    const codesign_point *x = a, *y = b;
    if (x->cv != y->cv) return (x->cv > y->cv) - (x->cv < y->cv);
    return cmp_acc_desc(a, b);
}

/* Picks up to k distinct architectures spread along the feasible front of
 * r->pts[from..]: sorted by accuracy, evenly spaced, best first (if none is
 * feasible: the k least-violating points). */
static int pick_networks(const codesign *cd, const codesign_result *r, int from, int k, hw_genome *out, int *out_n) {
    codesign_result sub = {.pts = r->pts + from, .n = r->n - from};
    int *idx = NULL, nf = 0;
    if (codesign_front(&sub, &idx, &nf)) return -1;
    codesign_point *f;
    if (nf > 0) {
        f = hw_malloc((size_t)nf * sizeof *f);
        for (int i = 0; i < nf; i++) f[i] = sub.pts[idx[i]];
        qsort(f, (size_t)nf, sizeof *f, cmp_acc_desc);
    } else { /* nothing feasible on the default accelerator: least violating first */
        nf = sub.n < k ? sub.n : k;
        f = hw_malloc((size_t)(sub.n > 0 ? sub.n : 1) * sizeof *f);
        memcpy(f, sub.pts, (size_t)sub.n * sizeof *f);
        qsort(f, (size_t)sub.n, sizeof *f, cmp_cv_then_acc);
    }
    int n = 0;
    for (int j = 0; j < k && nf > 0; j++) {
        int i = k == 1 ? 0 : (int)lround((double)j * (nf - 1) / (k - 1));
        hw_genome ga, gb;
        space_product_split(cd->prod, &f[i].g, &ga, &gb);
        int dup = 0;
        for (int m = 0; m < n; m++) dup |= hw_genome_equal(&out[m], &ga, HW_MAX_GENES);
        if (!dup) out[n++] = ga;
    }
    *out_n = n;
    free(idx);
    free(f);
    return 0;
}

int codesign_run(codesign *cd, codesign_strategy st, const nsga_params *engine, int evaluations,
                 codesign_result *out) {
    if (evaluations < 8) return hw_fail("codesign: evaluations %d < 8", evaluations);
    switch (st) {
    case CODESIGN_JOINT: return run_nsga(cd, cd->prod, PART_PRODUCT, NULL, engine, evaluations, out);
    case CODESIGN_FIXED: return run_nsga(cd, cd->arch, PART_ARCH, &cd->default_accel, engine, evaluations, out);
    case CODESIGN_TWO_STAGE: {
        int b1 = (int)lround(cd->cfg.stage1_fraction * evaluations);
        if (b1 < 4) b1 = 4;
        int from = out->n;
        if (run_nsga(cd, cd->arch, PART_ARCH, &cd->default_accel, engine, b1, out)) return -1;
        int k = cd->cfg.stage2_networks, nn = 0;
        hw_genome *nets = hw_malloc((size_t)k * sizeof *nets);
        if (pick_networks(cd, out, from, k, nets, &nn)) {
            free(nets);
            return -1;
        }
        int rest = evaluations - b1;
        for (int j = 0; j < nn && rest > 0; j++) {
            int bj = rest / (nn - j);
            nsga_params p = *engine;
            p.seed = engine->seed * 1000003ULL + 17ULL * (uint64_t)(j + 1);
            if (bj >= 4 && run_nsga(cd, cd->acc, PART_ACCEL, &nets[j], &p, bj, out)) {
                free(nets);
                return -1;
            }
            rest -= bj;
        }
        free(nets);
        return 0;
    }
    default: return hw_fail("codesign: unknown strategy %d", (int)st);
    }
}

/* ---- analysis --------------------------------------------------------------- */

int codesign_front(const codesign_result *r, int **out_idx, int *out_n) {
    int nf = 0;
    for (int i = 0; i < r->n; i++) nf += r->pts[i].cv == 0 && !isnan(r->pts[i].acc);
    int *map = hw_malloc((size_t)(nf > 0 ? nf : 1) * sizeof *map);
    double *obj = hw_malloc((size_t)(nf > 0 ? nf : 1) * 3 * sizeof *obj);
    int *rank = hw_malloc((size_t)(nf > 0 ? nf : 1) * sizeof *rank);
    int k = 0;
    for (int i = 0; i < r->n; i++)
        if (r->pts[i].cv == 0 && !isnan(r->pts[i].acc)) {
            codesign_objectives(&r->pts[i], obj + 3 * k);
            map[k++] = i;
        }
    int n = 0;
    if (nf > 0) {
        nd_sort(obj, NULL, nf, 3, rank);
        /* drop exact duplicates (same genome evaluated twice) */
        for (int i = 0; i < nf; i++) {
            if (rank[i] != 0) continue;
            int dup = 0;
            for (int j = 0; j < n && !dup; j++)
                dup = hw_genome_equal(&r->pts[map[i]].g, &r->pts[map[j]].g, HW_MAX_GENES);
            if (!dup) map[n++] = map[i];
        }
    }
    free(obj);
    free(rank);
    *out_idx = map;
    *out_n = n;
    return 0;
}

int codesign_hv(const codesign *cd, const codesign_result *r, double *out_hv) {
    int *idx = NULL, n = 0;
    if (codesign_front(r, &idx, &n)) return -1;
    double *pts = hw_malloc((size_t)(n > 0 ? n : 1) * 3 * sizeof *pts);
    const codesign_cfg *c = &cd->cfg;
    for (int i = 0; i < n; i++) {
        const codesign_point *p = &r->pts[idx[i]];
        pts[3 * i + 0] = (100.0 - p->acc) / (100.0 - c->hv_ref_acc);
        pts[3 * i + 1] = p->latency_ms / c->hv_ref_latency_ms;
        pts[3 * i + 2] = p->energy_mj / c->hv_ref_energy_mj;
    }
    const double ref[3] = {1, 1, 1};
    int rc = n > 0 ? hv_exact(pts, n, 3, ref, out_hv) : (*out_hv = 0, 0);
    free(pts);
    free(idx);
    return rc;
}

double codesign_energy_at_acc(const codesign_result *r, double target) {
    double best = INFINITY;
    for (int i = 0; i < r->n; i++) {
        const codesign_point *p = &r->pts[i];
        if (p->cv == 0 && p->acc >= target && p->energy_mj < best) best = p->energy_mj;
    }
    return best;
}
