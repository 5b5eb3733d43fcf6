/* supernet_h5: HDF5 persistence of supernets and fine-tuning jobs (see
 * supernet_h5.h). */
#include "supernet_h5.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "hw_err.h"

#define FORMAT_NAME "hwnas-supernet"
#define FORMAT_VERSION 1

static void quiet_hdf5(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

static int put_ints(hid_t loc, const char *name, const int *v, int n) {
    hsize_t dim = (hsize_t)(n > 0 ? n : 1);
    int zero = 0;
    hid_t sp = H5Screate_simple(1, &dim, NULL);
    hid_t a = H5Acreate2(loc, name, H5T_NATIVE_INT, sp, H5P_DEFAULT, H5P_DEFAULT);
    herr_t e = a < 0 ? -1 : H5Awrite(a, H5T_NATIVE_INT, n > 0 ? (const void *)v : (const void *)&zero);
    if (a >= 0) H5Aclose(a);
    H5Sclose(sp);
    return e < 0 ? hw_fail("cannot write attribute '%s'", name) : 0;
}

/* A scalar attribute of HDF5 type `type` read from *v. */
static int put_scalar(hid_t loc, const char *name, hid_t type, const void *v) {
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(loc, name, type, sp, H5P_DEFAULT, H5P_DEFAULT);
    herr_t e = a < 0 ? -1 : H5Awrite(a, type, v);
    if (a >= 0) H5Aclose(a);
    H5Sclose(sp);
    return e < 0 ? hw_fail("cannot write attribute '%s'", name) : 0;
}

static int put_long(hid_t loc, const char *name, long v) { return put_scalar(loc, name, H5T_NATIVE_LONG, &v); }
static int put_double(hid_t loc, const char *name, double v) { return put_scalar(loc, name, H5T_NATIVE_DOUBLE, &v); }

static int put_string(hid_t loc, const char *name, const char *s) {
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, strlen(s) + 1);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
    herr_t e = a < 0 ? -1 : H5Awrite(a, t, s);
    if (a >= 0) H5Aclose(a);
    H5Sclose(sp);
    H5Tclose(t);
    return e < 0 ? hw_fail("cannot write attribute '%s'", name) : 0;
}

static int put_floats(hid_t loc, const char *name, const float *v, size_t n) {
    hsize_t dim = n;
    hid_t sp = H5Screate_simple(1, &dim, NULL);
    hid_t d = H5Dcreate2(loc, name, H5T_IEEE_F32LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t e = d < 0 ? -1 : H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
    if (d >= 0) H5Dclose(d);
    H5Sclose(sp);
    return e < 0 ? hw_fail("cannot write dataset '%s'", name) : 0;
}

/* Reads a scalar numeric attribute as double; -1 if missing/wrong shape. */
static int get_double(hid_t loc, const char *name, double *out) {
    if (H5Aexists(loc, name) <= 0) return hw_fail("attribute '%s' is missing", name);
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    hid_t sp = a < 0 ? -1 : H5Aget_space(a);
    int ok = sp >= 0 && H5Sget_simple_extent_npoints(sp) == 1 && H5Aread(a, H5T_NATIVE_DOUBLE, out) >= 0;
    if (sp >= 0) H5Sclose(sp);
    if (a >= 0) H5Aclose(a);
    return ok ? 0 : hw_fail("attribute '%s' is not a number", name);
}

static int get_long(hid_t loc, const char *name, long lo, long hi, long *out) {
    double v;
    if (get_double(loc, name, &v)) return -1;
    if (v < (double)lo || v > (double)hi || v != (double)(long)v)
        return hw_fail("attribute '%s' = %g out of range %ld..%ld", name, v, lo, hi);
    *out = (long)v;
    return 0;
}

/* Reads an int-array attribute of at most max values; *n = count. */
static int get_ints(hid_t loc, const char *name, int *v, int max, int *n) {
    if (H5Aexists(loc, name) <= 0) return hw_fail("attribute '%s' is missing", name);
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    hid_t sp = a < 0 ? -1 : H5Aget_space(a);
    hssize_t cnt = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    int ok = cnt >= 1 && cnt <= max && H5Aread(a, H5T_NATIVE_INT, v) >= 0;
    if (sp >= 0) H5Sclose(sp);
    if (a >= 0) H5Aclose(a);
    if (!ok) return hw_fail("attribute '%s' is not an int list of 1..%d values", name, max);
    *n = (int)cnt;
    return 0;
}

static int get_floats(hid_t loc, const char *name, float *v, size_t n) {
    if (H5Lexists(loc, name, H5P_DEFAULT) <= 0) return hw_fail("dataset '%s' is missing", name);
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    hid_t sp = d < 0 ? -1 : H5Dget_space(d);
    hssize_t cnt = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    int ok = cnt == (hssize_t)n && H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0;
    if (sp >= 0) H5Sclose(sp);
    if (d >= 0) H5Dclose(d);
    return ok ? 0 : hw_fail("dataset '%s' is unreadable or has %lld values, expected %zu", name, (long long)cnt, n);
}

static int write_all(hid_t f, supernet *sn, const char *config_text) {
    const supernet_cfg *c = &sn->cfg;
    const bert_config *b = bert_store_config(sn->store);
    size_t n = bert_store_nparams(sn->store);
    if (put_string(f, "format", FORMAT_NAME) || put_long(f, "version", FORMAT_VERSION) ||
        put_long(f, "step", bert_store_step(sn->store)) || put_long(f, "vocab", b->vocab) ||
        put_long(f, "max_seq", b->max_seq) || put_long(f, "n_types", b->n_types) ||
        put_long(f, "n_classes", b->n_classes) || put_double(f, "dropout", c->dropout) ||
        put_double(f, "ln_eps", b->ln_eps) || put_long(f, "seed", (long)c->seed) || put_long(f, "batch", c->batch) ||
        put_long(f, "steps", c->steps) || put_long(f, "n_random", c->n_random) ||
        put_double(f, "distill", c->distill) || put_double(f, "lr", c->opt.lr) ||
        put_long(f, "warmup", c->opt.warmup) || put_double(f, "weight_decay", c->opt.weight_decay) ||
        put_double(f, "clip", c->opt.clip) || put_double(f, "beta1", c->opt.beta1) ||
        put_double(f, "beta2", c->opt.beta2) || put_double(f, "eps", c->opt.eps) ||
        put_long(f, "eval_every", c->eval_every) || put_long(f, "eval_max", c->eval_max) ||
        put_long(f, "checkpoint_every", c->checkpoint_every) ||
        put_ints(f, "space_layers", c->space.layers, c->space.n_layers) ||
        put_ints(f, "space_hidden", c->space.hidden, c->space.n_hidden) ||
        put_ints(f, "space_heads", c->space.heads, c->space.n_heads) ||
        put_ints(f, "space_ffn", c->space.ffn, c->space.n_ffn) ||
        put_string(f, "config_text", config_text ? config_text : "") ||
        put_floats(f, "params", bert_store_params(sn->store), n) || put_floats(f, "m", bert_store_m(sn->store), n) ||
        put_floats(f, "v", bert_store_v(sn->store), n))
        return -1;
    return 0;
}

int supernet_h5_save(const char *path, supernet *sn, const char *config_text) {
    quiet_hdf5();
    size_t plen = strlen(path) + 32;
    char *tmp = hw_malloc(plen);
    snprintf(tmp, plen, "%s.tmp.%ld", path, (long)getpid());
    hid_t f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) {
        hw_fail("%s: cannot create HDF5 file", tmp);
        goto fail;
    }
    int rc = write_all(f, sn, config_text);
    if (H5Fclose(f) < 0 && !rc) rc = hw_fail("cannot close");
    if (rc) {
        hw_fail_prefix("%s", tmp);
        goto fail;
    }
    FILE *fp = fopen(tmp, "rb+"); /* fsync the data before the rename */
    if (!fp || fsync(fileno(fp))) {
        if (fp) fclose(fp);
        hw_fail("%s: fsync failed", tmp);
        goto fail;
    }
    fclose(fp);
    if (rename(tmp, path)) {
        hw_fail("%s: cannot rename to %s", tmp, path);
        goto fail;
    }
    free(tmp);
    return hw_fsync_dir_of(path);
fail:
    remove(tmp);
    free(tmp);
    return -1;
}

static int read_cfg(hid_t f, supernet_cfg *c, bert_config *b, long *step) {
    supernet_cfg_default(c);
    char fmt[32] = "";
    if (H5Aexists(f, "format") <= 0) return hw_fail("not a hwnas supernet file (no 'format' attribute)");
    hid_t a = H5Aopen(f, "format", H5P_DEFAULT), t = H5Aget_type(a);
    if (H5Tget_class(t) != H5T_STRING || H5Tget_size(t) >= sizeof fmt || H5Aread(a, t, fmt) < 0 ||
        strcmp(fmt, FORMAT_NAME)) {
        H5Tclose(t);
        H5Aclose(a);
        return hw_fail("not a hwnas supernet file (format attribute)");
    }
    H5Tclose(t);
    H5Aclose(a);
    long v, version;
    double d;
    if (get_long(f, "version", 1, FORMAT_VERSION, &version) || get_long(f, "step", 0, 1L << 40, step)) return -1;
    if (get_ints(f, "space_layers", c->space.layers, BERT_MAX_CHOICES, &c->space.n_layers) ||
        get_ints(f, "space_hidden", c->space.hidden, BERT_MAX_CHOICES, &c->space.n_hidden) ||
        get_ints(f, "space_heads", c->space.heads, BERT_MAX_CHOICES, &c->space.n_heads) ||
        get_ints(f, "space_ffn", c->space.ffn, BERT_MAX_CHOICES, &c->space.n_ffn))
        return -1;
    bert_shape big;
    supernet_largest(&c->space, &big);
    long vocab, max_seq, nt, nc;
    if (get_long(f, "vocab", 1, 1 << 24, &vocab) || get_long(f, "max_seq", 2, 1 << 16, &max_seq) ||
        get_long(f, "n_types", 1, 1024, &nt) || get_long(f, "n_classes", 2, 1 << 16, &nc))
        return -1;
    bert_config_init(b, &big, (int)vocab, (int)max_seq, (int)nc);
    b->n_types = (int)nt;
    c->max_seq = (int)max_seq;
    if (get_double(f, "dropout", &d)) return -1;
    b->dropout = c->dropout = (float)d;
    if (get_double(f, "ln_eps", &d)) return -1;
    b->ln_eps = (float)d;
    if (get_long(f, "seed", 0, (long)(~0ul >> 1), &v)) return -1;
    c->seed = (uint64_t)v;
    if (get_long(f, "batch", 1, 1 << 20, &v)) return -1;
    c->batch = (int)v;
    if (get_long(f, "steps", 0, 1L << 40, &c->steps) || get_long(f, "n_random", 0, 64, &v)) return -1;
    c->n_random = (int)v;
    if (H5Aexists(f, "distill") > 0) { /* absent in files written before it existed: 0 */
        if (get_double(f, "distill", &d)) return -1;
        c->distill = (float)d;
    }
    if (get_long(f, "warmup", 0, 1L << 40, &c->opt.warmup)) return -1;
    if (get_long(f, "eval_every", 0, 1L << 30, &v)) return -1;
    c->eval_every = (int)v;
    if (get_long(f, "eval_max", 0, 1L << 30, &v)) return -1;
    c->eval_max = (int)v;
    if (get_long(f, "checkpoint_every", 0, 1L << 30, &v)) return -1;
    c->checkpoint_every = (int)v;
    struct { const char *name; float *dst; } fl[] = {{"lr", &c->opt.lr}, {"weight_decay", &c->opt.weight_decay},
        {"clip", &c->opt.clip}, {"beta1", &c->opt.beta1}, {"beta2", &c->opt.beta2}, {"eps", &c->opt.eps}};
    for (size_t i = 0; i < sizeof fl / sizeof *fl; i++) {
        if (get_double(f, fl[i].name, &d)) return -1;
        *fl[i].dst = (float)d;
    }
    return bert_config_check(b);
}

/* Opens a supernet file read-only and reads its configuration into c, b,
 * step: the file handle, or -1 with "PATH: ..." (the file is closed). */
static hid_t open_cfg(const char *path, supernet_cfg *c, bert_config *b, long *step) {
    quiet_hdf5();
    if (access(path, R_OK)) return hw_fail("%s: cannot read supernet file (train one with hwnas supernet train)", path);
    if (H5Fis_hdf5(path) <= 0) return hw_fail("%s: not a (complete) HDF5 file", path);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return hw_fail("%s: cannot open HDF5 file (truncated?)", path);
    if (read_cfg(f, c, b, step)) {
        H5Fclose(f);
        return hw_fail_prefix("%s", path);
    }
    return f;
}

int supernet_h5_load(const char *path, supernet **out) {
    supernet_cfg c;
    bert_config b;
    long step;
    bert_store *s = NULL;
    hid_t f = open_cfg(path, &c, &b, &step);
    if (f < 0) return -1;
    if (bert_store_create(&b, 1, c.seed, &s)) goto fail;
    size_t n = bert_store_nparams(s);
    if (get_floats(f, "params", bert_store_params(s), n) || get_floats(f, "m", bert_store_m(s), n) ||
        get_floats(f, "v", bert_store_v(s), n))
        goto fail;
    bert_store_set_step(s, step);
    if (supernet_wrap(&c, s, out)) goto fail;
    H5Fclose(f);
    return 0;
fail:
    bert_store_free(s);
    H5Fclose(f);
    return hw_fail_prefix("%s", path);
}

int supernet_h5_space(const char *path, bert_space_cfg *out) {
    supernet_cfg c;
    bert_config b;
    long step;
    hid_t f = open_cfg(path, &c, &b, &step);
    if (f < 0) return -1;
    H5Fclose(f);
    *out = c.space;
    return 0;
}

/* ------------------------------------------------------------ ft jobs */

struct supernet_ft {
    supernet *sn;
    tok_vocab *tok;
    tsv_task *train, *eval;
};

int supernet_ft_open(const char *h5_path, const char *train_tsv, const char *eval_tsv, const char *vocab_path,
                     supernet_ft **out) {
    supernet_ft *ft = hw_calloc(1, sizeof *ft);
    if (supernet_h5_load(h5_path, &ft->sn) || tok_create(vocab_path, &ft->tok)) goto fail;
    if (tok_vocab_size(ft->tok) != bert_store_config(ft->sn->store)->vocab) {
        hw_fail("%s: vocabulary has %d pieces, the supernet %d", vocab_path, tok_vocab_size(ft->tok),
                bert_store_config(ft->sn->store)->vocab);
        goto fail;
    }
    int T = ft->sn->cfg.max_seq;
    if (tsv_task_load(train_tsv, ft->tok, T, &ft->train) || tsv_task_load(eval_tsv, ft->tok, T, &ft->eval)) goto fail;
    *out = ft;
    return 0;
fail:
    supernet_ft_close(ft);
    return -1;
}

int supernet_ft_run(supernet_ft *ft, const char *arch, const finetune_opts *o, finetune_result *out) {
    hw_genome g;
    bert_shape sh;
    if (space_from_string(ft->sn->space, arch, &g) || space_bert_shape(ft->sn->space, &g, &sh))
        return hw_fail_prefix("arch");
    return supernet_finetune(ft->sn->store, &sh, ft->train, ft->eval, o, out);
}

const space *supernet_ft_space(const supernet_ft *ft) { return ft->sn->space; }

void supernet_ft_close(supernet_ft *ft) {
    if (!ft) return;
    supernet_free(ft->sn);
    tok_free(ft->tok);
    tsv_task_free(ft->train);
    tsv_task_free(ft->eval);
    free(ft);
}
