/* search_config.c: YAML -> search_config. Sections: space, objectives,
 * constraints, algorithm, evaluator, hypervolume, output. */
#include "search_config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw_data.h"
#include "hw_err.h"
#include "pred.h"
#include "tsv_task.h"

static int copy_name(const ycfg *d, const ynode *n, char *dst, const char *what) {
    const char *s = ynode_scalar(n);
    if (!s) return ycfg_fail(d, n, "expected %s (a string)", what);
    if (!*s) return ycfg_fail(d, n, "%s must not be empty", what);
    if (strlen(s) >= HW_NAME_MAX) return ycfg_fail(d, n, "%s longer than %d characters", what, HW_NAME_MAX - 1);
    strcpy(dst, s);
    return 0;
}

static int parse_space(search_config *c, const ycfg *d, const ynode *root) {
    const ynode *sp;
    if (ycfg_node(d, root, "space", YNODE_MAP, 0, &sp)) return -1;
    static const char *const names[] = {"nb201", "bert", "codesign", NULL};
    int k;
    if (ycfg_enum(d, sp, "name", names, 0, &k)) return -1;
    strcpy(c->space_name, names[k]);
    const char *cdp;
    if (ycfg_string(d, sp, "codesign", NULL, &cdp)) return -1;
    if (k == 2) {
        if (!cdp) return ycfg_fail(d, sp, "space 'codesign' needs 'codesign: FILE' (a co-design config, docs/codesign.md)");
        char *path = ycfg_resolve_path(d, cdp);
        int rc = codesign_cfg_load(path, &c->cd);
        free(path);
        if (rc) return -1;
        c->codesign = 1;
    } else if (cdp) {
        return ycfg_fail(d, ynode_get(sp, "codesign"), "only valid when space.name is codesign");
    }
    bert_space_cfg_default(&c->bert);
    const ynode *b;
    if (ycfg_node(d, sp, "bert", YNODE_MAP, 0, &b)) return -1;
    if (b) {
        if (k != 1) return ycfg_fail(d, b, "only valid when space.name is bert");
        c->bert_given = 1;
        if (bert_space_cfg_from_yaml(d, b, &c->bert)) return -1;
    }
    return 0;
}

static int parse_objectives(search_config *c, const ycfg *d, const ynode *root) {
    const ynode *l;
    if (ycfg_node(d, root, "objectives", YNODE_SEQ, 1, &l)) return -1;
    if (ynode_len(l) < 1) return ycfg_fail(d, l, "at least one objective is needed");
    if (ynode_len(l) > HW_MAX_OBJ) return ycfg_fail(d, l, "at most %d objectives", HW_MAX_OBJ);
    /* even index: minimise, odd: maximise (both spellings, as docs use them) */
    static const char *const dirs[] = {"minimize", "maximize", "min", "max", "minimise", "maximise", NULL};
    c->n_obj = ynode_len(l);
    for (int i = 0; i < c->n_obj; i++) {
        const ynode *o = ynode_at(l, i);
        objective_cfg *oc = &c->obj[i];
        if (ynode_kind_of(o) != YNODE_MAP) return ycfg_fail(d, o, "expected a map with name, direction, source");
        const ynode *n = ynode_get(o, "name");
        if (!n) return ycfg_fail(d, o, "missing required key 'name'");
        if (copy_name(d, n, oc->name, "objective name")) return -1;
        for (int j = 0; j < i; j++)
            if (!strcmp(c->obj[j].name, oc->name)) return ycfg_fail(d, n, "duplicate objective '%s'", oc->name);
        int dir;
        if (!ynode_get(o, "direction")) return ycfg_fail(d, o, "missing required key 'direction'");
        if (ycfg_enum(d, o, "direction", dirs, 0, &dir)) return -1;
        oc->direction = (dir & 1) ? OBJ_MAXIMIZE : OBJ_MINIMIZE;
        const ynode *s = ynode_get(o, "source");
        if (s) {
            if (copy_name(d, s, oc->source, "source column")) return -1;
        } else {
            strcpy(oc->source, oc->name);
        }
        const ynode *dv = ynode_get(o, "device");
        if (dv && copy_name(d, dv, oc->device, "device")) return -1;
        static const char *const costs[] = {"measured", "free", NULL};
        int cost;
        if (ycfg_enum(d, o, "cost", costs, 0, &cost)) return -1;
        oc->free_cost = cost == 1;
        if (oc->free_cost && (oc->device[0] || !strncmp(oc->source, "finetune", 8)))
            return ycfg_fail(d, ynode_get(o, "cost"), "cost: free is for a value known from a table, not one %s",
                             oc->device[0] ? "measured on a device" : "fine-tuned");
        if (ycfg_double_list(d, o, "missing_values", oc->missing, HW_MAX_MISSING, &oc->n_missing)) return -1;
        if (oc->n_missing && !strncmp(oc->source, "finetune", 8))
            return ycfg_fail(d, ynode_get(o, "missing_values"), "only valid for a table column, not source '%s'",
                             oc->source);
    }
    return 0;
}

static int parse_constraint(search_config *c, const ycfg *d, const ynode *n, constraint_cfg *k) {
    const char *s = ynode_scalar(n);
    if (!s) return ycfg_fail(d, n, "expected a constraint like 'latency_ms <= 5'");
    if (strlen(s) >= sizeof k->text) return ycfg_fail(d, n, "constraint too long");
    strcpy(k->text, s);
    char name[HW_NAME_MAX], op[3], rest[64];
    double v;
    char tail;
    if (sscanf(s, " %63[A-Za-z0-9_.] %2[<>=] %63s %c", name, op, rest, &tail) != 3)
        return ycfg_fail(d, n, "'%s' is not of the form 'NAME <= VALUE' (ops <=, >=, <, >)", s);
    char *end;
    v = strtod(rest, &end);
    if (*end || !isfinite(v)) return ycfg_fail(d, n, "'%s': bound '%s' is not a number", s, rest);
    if (!strcmp(op, "<=")) k->op = CON_LE;
    else if (!strcmp(op, ">=")) k->op = CON_GE;
    else if (!strcmp(op, "<")) k->op = CON_LT;
    else if (!strcmp(op, ">")) k->op = CON_GT;
    else return ycfg_fail(d, n, "'%s': unknown operator '%s' (use <=, >=, <, >)", s, op);
    strcpy(k->name, name);
    k->bound = v;
    (void)c;
    return 0;
}

static int parse_constraints(search_config *c, const ycfg *d, const ynode *root) {
    const ynode *l;
    if (ycfg_node(d, root, "constraints", YNODE_SEQ, 0, &l)) return -1;
    if (!l) return 0;
    if (ynode_len(l) > HW_MAX_CONSTRAINTS) return ycfg_fail(d, l, "at most %d constraints", HW_MAX_CONSTRAINTS);
    c->n_con = ynode_len(l);
    for (int i = 0; i < c->n_con; i++)
        if (parse_constraint(c, d, ynode_at(l, i), &c->con[i])) return -1;
    return 0;
}

static int parse_algorithm(search_config *c, const ycfg *d, const ynode *root) {
    const ynode *a;
    if (ycfg_node(d, root, "algorithm", YNODE_MAP, 0, &a)) return -1;
    long v;
    if (ycfg_int(d, a, "population", 4, 10000000, 36, &v)) return -1;
    c->population = (int)v;
    if (ycfg_int(d, a, "offspring", 0, 10000000, 0, &v)) return -1;
    c->offspring = (int)v; /* 0: resolved once the evaluator is known */
    if (ycfg_int(d, a, "generations", 0, 100000000, 100, &v)) return -1;
    c->generations = (int)v;
    if (ycfg_int(d, a, "max_measurements", 0, 1L << 40, 0, &c->max_measurements)) return -1;
    if (ycfg_double(d, a, "max_board_hours", 0, 1e9, 0, &c->max_board_hours)) return -1;
    if (ycfg_double(d, a, "crossover", 0, 1, 0.3, &c->p_crossover)) return -1;
    if (ycfg_double(d, a, "mutation", 0, 1, 0, &c->p_mutation)) return -1;
    if (ycfg_int(d, a, "novelty_tries", 0, 100000, 50, &v)) return -1;
    c->novelty_tries = (int)v;
    if (ycfg_u64(d, a, "seed", 1, &c->seed)) return -1;
    if (ycfg_double(d, a, "stop_hv_ratio", 0, 1, 0, &c->stop_hv_ratio)) return -1;
    return 0;
}

static int parse_evaluator(search_config *c, const ycfg *d, const ynode *root) {
    const ynode *e;
    long v;
    if (ycfg_node(d, root, "evaluator", YNODE_MAP, 1, &e)) return -1;
    static const char *const kinds[] = {"table", "predictor", NULL};
    int k;
    if (ycfg_enum(d, e, "kind", kinds, 0, &k)) return -1;
    c->evaluator = (evaluator_kind)k;
    const ynode *t;
    int need_table = 0; /* some objective's ground truth is a table column */
    for (int o = 0; o < c->n_obj; o++)
        need_table |= !c->codesign && strcmp(c->obj[o].source, "finetune") && strcmp(c->obj[o].source, "finetune_f1") &&
                      !c->obj[o].device[0];
    if (ycfg_node(d, e, "tables", YNODE_SEQ, need_table, &t)) return -1;
    if (t && (ynode_len(t) < 1 || ynode_len(t) > HW_MAX_TABLES))
        return ycfg_fail(d, t, "between 1 and %d table files are needed", HW_MAX_TABLES);
    c->n_tables = t ? ynode_len(t) : 0;
    for (int i = 0; i < c->n_tables; i++) {
        const char *p = ynode_scalar(ynode_at(t, i));
        if (!p || !*p) return ycfg_fail(d, ynode_at(t, i), "expected a file path");
        c->tables[i] = ycfg_resolve_path(d, p);
    }
    const char *key;
    if (ycfg_string(d, e, "key", "arch_index", &key)) return -1;
    if (!*key || strlen(key) >= HW_NAME_MAX) return ycfg_fail(d, ynode_get(e, "key"), "invalid key column");
    strcpy(c->key, key);
    if (ycfg_double(d, e, "measure_cost_s", 0, 1e6, 0, &c->measure_cost_s)) return -1;
    if (ycfg_double(d, e, "measure_delay_s", 0, 3600, 0, &c->measure_delay_s)) return -1;
    if (ycfg_int(d, e, "measure_delay_boards", 1, 1000000, 1, &v)) return -1;
    c->measure_delay_boards = (int)v;
    for (int o = 0; o < c->n_obj; o++)
        if (c->obj[o].free_cost && !c->n_tables)
            return ycfg_fail(d, e, "objective '%s' has cost: free, which needs its value in evaluator.tables",
                             c->obj[o].name);
    /* offspring default: small steady-state batches when every evaluation is
     * a measurement (tuned on NB201, docs/nsga.md); the whole population when
     * evaluations are predictions */
    if (!c->offspring) c->offspring = c->evaluator == EVAL_PREDICTOR ? c->population : (c->population < 6 ? c->population : 6);
    return 0;
}

static int parse_predictor(search_config *c, const ycfg *d, const ynode *root) {
    const ynode *p;
    if (ycfg_node(d, root, "predictor", YNODE_MAP, 0, &p)) return -1;
    if (p && c->evaluator != EVAL_PREDICTOR) return ycfg_fail(d, p, "only valid with evaluator.kind: predictor");
    /* methods and their pred_kind codes */
    static const char *const methods[] = {"gp", "rf", "xgb", "help", NULL};
    static const int codes[] = {PRED_GP, PRED_RF, PRED_XGB, PRED_HELP};
    int meth;
    if (ycfg_enum(d, p, "method", methods, 0, &meth)) return -1;
    if (meth == 3) return ycfg_fail(d, ynode_get(p, "method"), "help predicts latency only: set it per objective under 'methods'");
    for (int k = 0; k < c->n_obj; k++) c->pred_method[k] = codes[meth];
    const ynode *per;
    if (ycfg_node(d, p, "methods", YNODE_MAP, 0, &per)) return -1;
    for (int i = 0; per && i < ynode_len(per); i++) {
        const char *name = ynode_key_at(per, i);
        int k = -1;
        for (int j = 0; j < c->n_obj; j++)
            if (!strcmp(c->obj[j].name, name)) k = j;
        if (k < 0) return ycfg_fail(d, ynode_at(per, i), "'%s' is not an objective", name);
        int mk;
        if (ycfg_enum(d, per, name, methods, 0, &mk)) return -1;
        c->pred_method[k] = codes[mk];
        if (mk == 3 && (c->obj[k].direction != OBJ_MINIMIZE || strcmp(c->space_name, "nb201")))
            return ycfg_fail(d, ynode_at(per, i), "help needs a minimised latency objective on the nb201 space");
    }
    long v;
    if (ycfg_int(d, p, "trees", 0, 100000, 0, &v)) return -1;
    c->pred_trees = (int)v;
    if (ycfg_int(d, p, "min_train", 2, 1000000, 5, &v)) return -1;
    c->pred_min_train = (int)v;
    if (ycfg_int(d, p, "initial", 0, 1000000, 10, &v)) return -1;
    c->initial = (int)v;
    if (ycfg_int(d, p, "per_generation", 0, 100000, 1, &v)) return -1;
    c->per_generation = (int)v;
    static const char *const pol[] = {"hv_contribution", "uncertainty", "constraint_boundary", "ehvi", NULL};
    int k;
    if (ycfg_enum(d, p, "policy", pol, 0, &k)) return -1;
    c->policy = (al_policy)k;
    if (ycfg_double(d, p, "beta", 0, 100, 0.5, &c->beta)) return -1;
    if (ycfg_int(d, p, "enumerate", 0, 10000000, 100000, &c->pool_enumerate)) return -1;
    if (ycfg_double(d, p, "feasible_min", 0, 1, 0.5, &c->feasible_min)) return -1;
    if (c->policy == POLICY_BOUNDARY && c->n_con == 0)
        return ycfg_fail(d, ynode_get(p, "policy"), "constraint_boundary needs at least one constraint");
    return 0;
}

static int parse_boards(search_config *c, const ycfg *d, const ynode *root) {
    const ynode *b;
    if (ycfg_node(d, root, "boards", YNODE_MAP, 0, &b)) return -1;
    int any_dev = 0;
    for (int k = 0; k < c->n_obj; k++) any_dev |= c->obj[k].device[0] != 0;
    if (!b) return 0;
    if (!any_dev) return ycfg_fail(d, b, "no objective names a device to measure on boards");
    c->use_boards = 1;
    const char *bind, *key, *allow;
    if (ycfg_string(d, b, "bind", "tcp://0.0.0.0:5555", &bind) || ycfg_string(d, b, "key", NULL, &key) ||
        ycfg_string(d, b, "allow", NULL, &allow))
        return -1;
    if (!key) return ycfg_fail(d, b, "missing required key 'key' (the dispatcher's key pair, from hwnas keygen)");
    if (!allow) return ycfg_fail(d, b, "missing required key 'allow' (file of board public keys)");
    c->board_bind = hw_strdup(bind);
    c->board_key = ycfg_resolve_path(d, key);
    c->board_allow = ycfg_resolve_path(d, allow);
    long v;
    if (ycfg_int(d, b, "dead_ms", 100, 3600000, 3000, &v)) return -1;
    c->board_dead_ms = (int)v;
    if (ycfg_int(d, b, "job_timeout_ms", 0, 86400000, 0, &v)) return -1;
    c->board_timeout_ms = (int)v;
    if (ycfg_int(d, b, "max_attempts", 1, 100, 3, &v)) return -1;
    c->board_attempts = (int)v;
    if (ycfg_double(d, b, "wait_s", 0, 86400, 60, &c->board_wait_s)) return -1;
    const ynode *cl;
    if (ycfg_node(d, b, "configs", YNODE_SEQ, 0, &cl)) return -1;
    if (cl && (ynode_len(cl) < 1 || ynode_len(cl) > HW_MAX_TABLES))
        return ycfg_fail(d, cl, "between 1 and %d board config files are needed", HW_MAX_TABLES);
    for (int i = 0; cl && i < ynode_len(cl); i++) {
        const char *p = ynode_scalar(ynode_at(cl, i));
        if (!p || !*p) return ycfg_fail(d, ynode_at(cl, i), "expected a board config file path");
        c->board_cfgs[c->n_board_cfgs++] = ycfg_resolve_path(d, p);
    }
    return 0;
}

/* `finetune:` — accuracy ground truth by proxy fine-tuning a weight-shared
 * supernet (docs/proxy-finetuning.md) for objectives whose source is
 * finetune (accuracy %) or finetune_f1 (F1 of class 1, %). */
static int parse_finetune(search_config *c, const ycfg *d, const ynode *root) {
    const ynode *f;
    if (ycfg_node(d, root, "finetune", YNODE_MAP, 0, &f)) return -1;
    int wants = 0;
    for (int k = 0; k < c->n_obj; k++)
        wants |= !strcmp(c->obj[k].source, "finetune") || !strcmp(c->obj[k].source, "finetune_f1");
    if (!f) {
        if (wants) return ycfg_fail(d, ynode_get(root, "objectives"), "source finetune needs a 'finetune:' section");
        return 0;
    }
    if (!wants) return ycfg_fail(d, f, "no objective has source finetune or finetune_f1");
    if (strcmp(c->space_name, "bert")) return ycfg_fail(d, f, "proxy fine-tuning needs space.name: bert");
    c->use_finetune = 1;
    const char *sn, *task, *tr, *ev, *voc;
    if (ycfg_string(d, f, "supernet", NULL, &sn) || ycfg_string(d, f, "task", NULL, &task) ||
        ycfg_string(d, f, "train", NULL, &tr) || ycfg_string(d, f, "eval", NULL, &ev) ||
        ycfg_string(d, f, "vocab", NULL, &voc))
        return -1;
    if (!sn) return ycfg_fail(d, f, "missing required key 'supernet' (a file from hwnas supernet train)");
    c->ft_supernet = ycfg_resolve_path(d, sn);
    const char *data = hw_data_dir();
    if (tr || ev) {
        if (!tr || !ev || task) return ycfg_fail(d, f, "give either 'task' or both 'train' and 'eval'");
        c->ft_train = ycfg_resolve_path(d, tr);
        c->ft_eval = ycfg_resolve_path(d, ev);
    } else {
        char tp[4096], ep[4096];
        if (tsv_task_paths(data, task ? task : "sst2", tp, ep, sizeof tp))
            return ycfg_fail(d, ynode_get(f, "task") ? ynode_get(f, "task") : f, "%s", hw_errmsg());
        c->ft_train = hw_strdup(tp);
        c->ft_eval = hw_strdup(ep);
    }
    if (voc) {
        c->ft_vocab = ycfg_resolve_path(d, voc);
    } else {
        size_t n = strlen(data) + 64;
        c->ft_vocab = hw_malloc(n);
        snprintf(c->ft_vocab, n, "%s/bert_uncased_vocab/vocab.txt", data);
    }
    long v;
    if (ycfg_int(d, f, "steps", 1, 100000000, 100, &c->ft_steps) || ycfg_int(d, f, "eval_max", 0, 100000000, 0, &c->ft_eval_max) ||
        ycfg_int(d, f, "batch", 1, 4096, 32, &v) || ycfg_double(d, f, "lr", 0, 1, 1e-4, &c->ft_lr) ||
        ycfg_u64(d, f, "seed", 1, &c->ft_seed))
        return -1;
    c->ft_batch = (int)v;
    return 0;
}

static int parse_islands(search_config *c, const ycfg *d, const ynode *root) {
    const ynode *is;
    if (ycfg_node(d, root, "islands", YNODE_MAP, 0, &is)) return -1;
    long v;
    if (ycfg_int(d, is, "migration_interval", 1, 1000000, 5, &v)) return -1;
    c->mig_interval = (int)v;
    if (ycfg_int(d, is, "migrants", 0, 100000, 2, &v)) return -1;
    c->mig_count = (int)v;
    if (c->mig_count > c->population) return ycfg_fail(d, ynode_get(is, "migrants"), "more migrants than the population");
    static const char *const topo[] = {"ring", "full", "random", NULL}, *const rep[] = {"worst", "random", NULL};
    int k;
    if (ycfg_enum(d, is, "topology", topo, 0, &k)) return -1;
    c->topology = (mig_topology)k;
    if (ycfg_enum(d, is, "replace", rep, 0, &c->mig_replace)) return -1;
    if (ycfg_bool(d, is, "sync", 1, &c->sync)) return -1;
    return 0;
}

static int parse_hypervolume(search_config *c, const ycfg *d, const ynode *root) {
    const ynode *h;
    if (ycfg_node(d, root, "hypervolume", YNODE_MAP, 0, &h)) return -1;
    int n = 0;
    if (ycfg_double_list(d, h, "reference", c->ref, HW_MAX_OBJ, &n)) return -1;
    if (n && n != c->n_obj)
        return ycfg_fail(d, ynode_get(h, "reference"), "%d values given, one per objective (%d) needed", n, c->n_obj);
    c->has_ref = n > 0;
    if (ycfg_bool(d, h, "true_front", 1, &c->true_front)) return -1;
    return 0;
}

/* NAME relative to DIR (absolute and empty names as they are), malloc'd. */
static char *in_dir(const char *dir, const char *name) {
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = hw_malloc(n);
    if (!*name || name[0] == '/') snprintf(p, n, "%s", name);
    else snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static int parse_output(search_config *c, const ycfg *d, const ynode *root) {
    const ynode *o;
    if (ycfg_node(d, root, "output", YNODE_MAP, 0, &o)) return -1;
    const char *dir, *front, *run, *prog;
    if (ycfg_string(d, o, "dir", "hwnas-run", &dir) || ycfg_string(d, o, "front_csv", "front.csv", &front) ||
        ycfg_string(d, o, "run_file", "", &run) || ycfg_string(d, o, "progress", "", &prog))
        return -1;
    if (!*dir) return ycfg_fail(d, ynode_get(o, "dir"), "must not be empty");
    c->out_dir = hw_strdup(dir);
    size_t n = strlen(dir) + strlen(front) + 2;
    c->front_csv = hw_malloc(n);
    if (front[0] == '/') snprintf(c->front_csv, n, "%s", front);
    else snprintf(c->front_csv, n, "%s/%s", dir, front);
    c->run_file = in_dir(dir, run);
    c->progress_file = in_dir(dir, prog);
    const ynode *k;
    if (ycfg_node(d, root, "checkpoint", YNODE_MAP, 0, &k)) return -1;
    long v;
    if (ycfg_int(d, k, "every_generations", 0, 100000000, 0, &v)) return -1;
    c->ckpt_every_gens = (int)v;
    if (ycfg_double(d, k, "every_minutes", 0, 1e7, 0, &c->ckpt_every_minutes)) return -1;
    return 0;
}

/* Constraint names must name an objective or (table mode) a column;
 * co-design objectives come from the models. */
static int check_constraints(const search_config *c, const ycfg *d) {
    const ynode *ol = ynode_get(ycfg_root(d), "objectives");
    for (int k = 0; c->codesign && k < c->n_obj; k++)
        if (codesign_source(c->obj[k].source) < 0)
            return ycfg_fail(d, ynode_at(ol, k), "with space codesign, source must be accuracy, latency_ms, energy_mJ or area_mm2 (got '%s')",
                             c->obj[k].source);
    const ynode *l = ynode_get(ycfg_root(d), "constraints");
    for (int i = 0; i < c->n_con; i++) {
        int ok = 0;
        for (int j = 0; j < c->n_obj; j++) ok |= !strcmp(c->con[i].name, c->obj[j].name);
        (void)l;
        if (!ok && c->evaluator != EVAL_TABLE)
            return ycfg_fail(d, ynode_at(l, i), "'%s' is not an objective", c->con[i].name);
    }
    return 0;
}

/* Parses the document C->doc already holds into C (the body of
 * search_config_load and search_config_parse). */
static int parse_doc(search_config *c) {
    const ycfg *d = c->doc;
    const ynode *root = ycfg_root(d);
    if (parse_space(c, d, root) || parse_objectives(c, d, root) || parse_constraints(c, d, root) ||
        parse_algorithm(c, d, root) || parse_evaluator(c, d, root) || parse_predictor(c, d, root) ||
        parse_islands(c, d, root) || parse_boards(c, d, root) || parse_finetune(c, d, root) || parse_hypervolume(c, d, root) ||
        parse_output(c, d, root) || check_constraints(c, d) || ycfg_check_unknown(d))
        return -1;
    return 0;
}

int search_config_parse(const char *name, const char *text, search_config **out) {
    search_config *c = hw_calloc(1, sizeof *c);
    if (ycfg_parse(name, text, strlen(text), &c->doc) || parse_doc(c)) {
        search_config_free(c);
        return -1;
    }
    *out = c;
    return 0;
}

int search_config_load(const char *path, search_config **out) {
    search_config *c = hw_calloc(1, sizeof *c);
    if (ycfg_load(path, &c->doc)) goto fail;
    const ycfg *d = c->doc;
    (void)d;
    if (parse_doc(c)) goto fail;
    *out = c;
    return 0;
fail:
    search_config_free(c);
    return -1;
}

void search_config_free(search_config *c) {
    if (!c) return;
    for (int i = 0; i < c->n_tables; i++) free(c->tables[i]);
    for (int i = 0; i < c->n_board_cfgs; i++) free(c->board_cfgs[i]);
    free(c->out_dir);
    free(c->front_csv);
    free(c->run_file);
    free(c->progress_file);
    free(c->ft_supernet);
    free(c->ft_train);
    free(c->ft_eval);
    free(c->ft_vocab);
    free(c->board_bind);
    free(c->board_key);
    free(c->board_allow);
    ycfg_free(c->doc);
    free(c);
}

int search_config_space(const search_config *c, space **out) {
    if (!strcmp(c->space_name, "bert")) return space_create_bert(&c->bert, out);
    if (c->codesign) return codesign_cfg_space(&c->cd, out); /* the product the co-design module builds */
    return space_create_nb201(out);
}

int codesign_source(const char *src) {
    static const char *const names[] = {"accuracy", "latency_ms", "energy_mJ", "area_mm2"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(src, names[i])) return i;
    return -1;
}

int search_config_costs(const search_config *c) {
    for (int k = 0; k < c->n_obj; k++)
        if (objective_costs(&c->obj[k])) return 1;
    return 0;
}

int objective_missing_value(const objective_cfg *o, double v) {
    for (int i = 0; i < o->n_missing; i++)
        if (v == o->missing[i]) return 1;
    return 0;
}

double constraint_violation(const constraint_cfg *c, double v) {
    if (isnan(v)) return INFINITY;
    switch (c->op) {
    case CON_LE: return v <= c->bound ? 0 : v - c->bound;
    case CON_LT: return v < c->bound ? 0 : v - c->bound + 1e-12;
    case CON_GE: return v >= c->bound ? 0 : c->bound - v;
    case CON_GT: return v > c->bound ? 0 : c->bound - v + 1e-12;
    }
    return 0;
}

double objectives_violation(const search_config *c, const double *raw) {
    for (int k = 0; k < c->n_obj; k++)
        if (isnan(raw[k])) return INFINITY;
    double v = 0;
    for (int j = 0; j < c->n_con; j++)
        for (int k = 0; k < c->n_obj; k++)
            if (!strcmp(c->con[j].name, c->obj[k].name)) v += constraint_violation(&c->con[j], raw[k]);
    return v;
}
