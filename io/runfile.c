/* runfile: run_snapshot <-> HDF5 (layout in docs/hdf5-schema.md).
 *
 * Every dataset is chunked, extendible along its first dimension and
 * protected by the Fletcher-32 filter; the file uses the 1.10 format
 * (checksummed superblock and object headers), so truncation and most
 * corruption are detected instead of read back silently. Strings are
 * fixed-length NUL-terminated UTF-8, one width per dataset (the longest + 1),
 * so they are covered by the chunk checksums as well. Each dataset is
 * written with ONE H5Dwrite of the whole array. */
#include "runfile.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hw_data.h"
#include "hw_err.h"

#define CHUNK_BYTES (256 * 1024) /* target chunk size */

/* ---- HDF5 error plumbing ------------------------------------------------ */

/* The innermost HDF5 error description on the default stack (or ""). */
typedef struct h5_walk {
    char buf[160];
} h5_walk;

static herr_t h5_walk_cb(unsigned n, const H5E_error2_t *e, void *data) {
    h5_walk *w = data;
    if (n == 0 && e->desc) snprintf(w->buf, sizeof w->buf, "%s", e->desc);
    return 0;
}

static const char *h5_reason(h5_walk *w) {
    w->buf[0] = 0;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, h5_walk_cb, w);
    return w->buf[0] ? w->buf : "HDF5 error";
}

/* Silences HDF5's automatic error printing for the duration of a call. */
typedef struct h5_quiet {
    H5E_auto2_t fn;
    void *data;
} h5_quiet;

static void quiet_on(h5_quiet *q) {
    H5Eget_auto2(H5E_DEFAULT, &q->fn, &q->data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static void quiet_off(const h5_quiet *q) {
    H5Eset_auto2(H5E_DEFAULT, q->fn, q->data);
}

/* HDF5 1.10 keeps an object header it failed to load from a corrupt file
 * allocated, so at exit its own atexit handler cannot empty its free lists
 * and prints "HDF5: infinite loop closing library" and a line of tokens
 * after hwnas's one-line error. This handler, registered after HDF5's
 * (atexit runs it first), closes the library with stderr pointed at
 * /dev/null; HDF5's handler then finds nothing to do. */
static void h5_close_quietly(void) {
    fflush(stderr);
    int saved = dup(2), null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (saved >= 0 && null >= 0 && dup2(null, 2) >= 0) {
        H5close();
        dup2(saved, 2);
    }
    if (saved >= 0) close(saved);
    if (null >= 0) close(null);
}

/* After a read that HDF5 refused: exit quietly (see h5_close_quietly). */
static void h5_quiet_exit_once(void) {
    static int done;
    if (!done) done = atexit(h5_close_quietly) == 0;
}

/* ---- writing ------------------------------------------------------------ */

typedef struct wctx {
    const char *path;
} wctx;

/* "PATH: /group/obj: what (HDF5 reason)"; LOC < 0 means the root. */
static int wfail_at(const wctx *c, hid_t loc, const char *obj, const char *what) {
    h5_walk w;
    const char *why = h5_reason(&w);
    char grp[200] = "";
    if (loc >= 0 && H5Iget_name(loc, grp, sizeof grp) <= 0) grp[0] = 0;
    if (!strcmp(grp, "/")) grp[0] = 0;
    return hw_fail("%s: %s/%s: %s (%s)", c->path, grp, obj, what, why);
}

static int wfail(const wctx *c, const char *obj, const char *what) {
    return wfail_at(c, -1, obj, what);
}

/* Creates a chunked, extendible (dim 0), Fletcher-32-checked dataset NAME
 * under LOC of the given rank/dims and writes BUF (may be NULL when
 * dims[0] == 0) in one call. No compression: deflate level 1 on the string
 * columns made 1e5-row checkpoints 1.5x smaller but 2.9x slower to write
 * and 2.7x slower to read (docs/BENCHMARKS.md, issue 6). */
static int w_data(const wctx *c, hid_t loc, const char *name, hid_t ftype, hid_t mtype, int rank,
                  const hsize_t *dims, const void *buf) {
    hid_t sp = -1, dcpl = -1, ds = -1;
    hsize_t maxd[2], chunk[2];
    size_t row = H5Tget_size(ftype);
    for (int i = 0; i < rank; i++) {
        maxd[i] = i == 0 ? H5S_UNLIMITED : dims[i];
        if (i > 0) row *= dims[i] ? dims[i] : 1;
    }
    hsize_t rows = CHUNK_BYTES / (row ? row : 1);
    if (rows < 1) rows = 1;
    if (rows > dims[0]) rows = dims[0] ? dims[0] : 1;
    chunk[0] = rows;
    if (rank == 2) chunk[1] = dims[1] ? dims[1] : 1;
    sp = H5Screate_simple(rank, dims, maxd);
    dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (sp < 0 || dcpl < 0 || H5Pset_chunk(dcpl, rank, chunk) < 0 || H5Pset_fletcher32(dcpl) < 0) {
        wfail_at(c, loc, name, "cannot set up dataset");
        goto fail;
    }
    ds = H5Dcreate2(loc, name, ftype, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (ds < 0) {
        wfail_at(c, loc, name, "cannot create dataset");
        goto fail;
    }
    if (dims[0] > 0 && (rank < 2 || dims[1] > 0)) {
        if (H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
            wfail_at(c, loc, name, "write failed");
            goto fail;
        }
    }
    H5Dclose(ds);
    H5Pclose(dcpl);
    H5Sclose(sp);
    return 0;
fail:
    if (ds >= 0) H5Dclose(ds);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (sp >= 0) H5Sclose(sp);
    return -1;
}

static int w_1d(const wctx *c, hid_t loc, const char *name, hid_t type, hsize_t n, const void *buf) {
    hsize_t d[1] = {n};
    return w_data(c, loc, name, type, type, 1, d, buf);
}

static int w_2d(const wctx *c, hid_t loc, const char *name, hid_t type, hsize_t n, hsize_t m,
                const void *buf) {
    hsize_t d[2] = {n, m};
    return w_data(c, loc, name, type, type, 2, d, buf);
}

/* A fixed-length UTF-8 string type of WIDTH bytes (NUL-terminated). */
static hid_t str_type(size_t width) {
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0) return -1;
    if (H5Tset_size(t, width) < 0 || H5Tset_strpad(t, H5T_STR_NULLTERM) < 0 ||
        H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

/* Writes N strings as one fixed-length string dataset. */
static int w_strings(const wctx *c, hid_t loc, const char *name, hsize_t n, char *const *s) {
    size_t width = 1;
    for (hsize_t i = 0; i < n; i++) {
        size_t l = strlen(s[i]) + 1;
        if (l > width) width = l;
    }
    char *buf = hw_calloc(n ? n : 1, width); /* n x width */
    for (hsize_t i = 0; i < n; i++) memcpy(buf + i * width, s[i], strlen(s[i]));
    hid_t t = str_type(width);
    int rc = t < 0 ? wfail(c, name, "cannot make string type") : w_1d(c, loc, name, t, n, buf);
    if (t >= 0) H5Tclose(t);
    free(buf);
    return rc;
}

static int w_attr(const wctx *c, hid_t loc, const char *name, hid_t type, const void *v) {
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = sp < 0 ? -1 : H5Acreate2(loc, name, type, sp, H5P_DEFAULT, H5P_DEFAULT);
    int rc = (a < 0 || H5Awrite(a, type, v) < 0) ? wfail_at(c, loc, name, "cannot write attribute") : 0;
    if (a >= 0) H5Aclose(a);
    if (sp >= 0) H5Sclose(sp);
    return rc;
}

static int w_attr_str(const wctx *c, hid_t loc, const char *name, const char *v) {
    hid_t t = str_type(strlen(v) + 1);
    if (t < 0) return wfail(c, name, "cannot make string type");
    int rc = w_attr(c, loc, name, t, v);
    H5Tclose(t);
    return rc;
}

static int w_attr_i64(const wctx *c, hid_t loc, const char *name, int64_t v) {
    return w_attr(c, loc, name, H5T_NATIVE_INT64, &v);
}

static hid_t w_group(const wctx *c, hid_t loc, const char *name) {
    hid_t g = H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) wfail_at(c, loc, name, "cannot create group");
    return g;
}

/* Writes a run_points set into a new group NAME. */
static int w_points(const wctx *c, hid_t loc, const char *name, const run_points *p, int ngenes, int nobj,
                    int need_meas) {
    hid_t g = w_group(c, loc, name);
    if (g < 0) return -1;
    hsize_t n = (hsize_t)p->n;
    int rc = -1;
    if (w_2d(c, g, "genomes", H5T_NATIVE_INT16, n, (hsize_t)ngenes, p->genomes) < 0) goto out;
    if (w_strings(c, g, "strings", n, p->strings) < 0) goto out;
    if (w_2d(c, g, "objectives", H5T_NATIVE_DOUBLE, n, (hsize_t)nobj, p->obj) < 0) goto out;
    if ((need_meas || p->measured) && w_2d(c, g, "measured", H5T_NATIVE_UINT8, n, (hsize_t)nobj, p->measured) < 0) goto out;
    if ((need_meas || p->cv) && w_1d(c, g, "cv", H5T_NATIVE_DOUBLE, n, p->cv) < 0) goto out;
    if (p->generation && w_1d(c, g, "generation", H5T_NATIVE_INT32, n, p->generation) < 0) goto out;
    if (p->island && w_1d(c, g, "island", H5T_NATIVE_INT32, n, p->island) < 0) goto out;
    if (p->pred_mean && w_2d(c, g, "pred_mean", H5T_NATIVE_DOUBLE, n, (hsize_t)nobj, p->pred_mean) < 0) goto out;
    if (p->pred_std && w_2d(c, g, "pred_std", H5T_NATIVE_DOUBLE, n, (hsize_t)nobj, p->pred_std) < 0) goto out;
    rc = 0;
out:
    H5Gclose(g);
    return rc;
}

static int w_blob(const wctx *c, hid_t loc, const char *name, const unsigned char *b, size_t len) {
    return w_1d(c, loc, name, H5T_NATIVE_UINT8, len, b);
}

/* Writes the measurement columns (journal) into group G. */
static int w_meas(const wctx *c, hid_t g, int n, const run_measurement *m) {
    uint64_t *seq = hw_malloc(sizeof(uint64_t) * (n ? n : 1));     /* n */
    double *num = hw_malloc(sizeof(double) * 3 * (n ? n : 1));      /* 3 x n: value, t_start, t_end */
    char **str = hw_malloc(sizeof(char *) * 5 * (n ? n : 1));       /* 5 x n */
    for (int i = 0; i < n; i++) {
        seq[i] = m[i].seq;
        num[i] = m[i].value;
        num[n + i] = m[i].t_start;
        num[2 * n + i] = m[i].t_end;
        str[i] = m[i].arch;
        str[n + i] = m[i].device;
        str[2 * n + i] = m[i].target;
        str[3 * n + i] = m[i].board;
        str[4 * n + i] = m[i].runner;
    }
    static const char *const snames[5] = {"arch", "device", "target", "board", "runner"};
    static const char *const dnames[3] = {"value", "t_start", "t_end"};
    int rc = -1;
    if (w_1d(c, g, "seq", H5T_NATIVE_UINT64, n, seq) < 0) goto out;
    for (int k = 0; k < 3; k++)
        if (w_1d(c, g, dnames[k], H5T_NATIVE_DOUBLE, n, num + (size_t)k * n) < 0) goto out;
    for (int k = 0; k < 5; k++)
        if (w_strings(c, g, snames[k], n, str + (size_t)k * n) < 0) goto out;
    rc = 0;
out:
    free(seq);
    free(num);
    free(str);
    return rc;
}

/* ---- consistency check -------------------------------------------------- */

static int check_points(const char *what, const run_points *p, int need_meas) {
    if (p->n < 0) return hw_fail("snapshot: %s: negative count", what);
    if (p->n == 0) return 0;
    if (!p->genomes || !p->strings || !p->obj) return hw_fail("snapshot: %s: genomes/strings/objectives missing", what);
    if (need_meas && !p->measured) return hw_fail("snapshot: %s: measured flags missing", what);
    for (int i = 0; i < p->n; i++)
        if (!p->strings[i]) return hw_fail("snapshot: %s: string %d is NULL", what, i);
    return 0;
}

static int check_str(const char *what, int i, const char *s) {
    return s ? 0 : hw_fail("snapshot: %s %d: a string field is NULL", what, i);
}

int run_snapshot_check(const run_snapshot *s) {
    if (!s->config_text) return hw_fail("snapshot: config_text is NULL");
    if (!s->space_name || !*s->space_name) return hw_fail("snapshot: space_name is empty");
    if (s->ngenes < 1 || s->ngenes > 4096) return hw_fail("snapshot: ngenes %d out of range", s->ngenes);
    if (s->nobj < 1 || s->nobj > 64) return hw_fail("snapshot: nobj %d out of range", s->nobj);
    if (!s->obj_names || !s->obj_maximise) return hw_fail("snapshot: objective names/directions missing");
    for (int k = 0; k < s->nobj; k++) {
        if (!s->obj_names[k] || !*s->obj_names[k]) return hw_fail("snapshot: objective %d has no name", k);
        if (s->obj_maximise[k] > 1) return hw_fail("snapshot: objective %d: direction %d", k, s->obj_maximise[k]);
    }
    if (s->nislands < 0 || (s->nislands && !s->islands)) return hw_fail("snapshot: islands missing");
    char what[64];
    for (int i = 0; i < s->nislands; i++) {
        snprintf(what, sizeof what, "island %d", i);
        if (check_points(what, &s->islands[i].pop, 1) < 0) return -1;
        if (s->islands[i].pop.n && !s->islands[i].pop.cv) return hw_fail("snapshot: %s: cv missing", what);
        if (s->islands[i].engine_state_len && !s->islands[i].engine_state)
            return hw_fail("snapshot: %s: engine_state is NULL", what);
    }
    if (check_points("archive", &s->archive, 0) < 0 || check_points("evaluated", &s->evaluated, 1) < 0) return -1;
    if (s->ntrainsets < 0 || (s->ntrainsets && !s->trainsets)) return hw_fail("snapshot: trainsets missing");
    for (int t = 0; t < s->ntrainsets; t++) {
        const run_trainset *ts = &s->trainsets[t];
        if (!ts->target || !ts->device) return hw_fail("snapshot: trainset %d: target/device missing", t);
        if (ts->n < 0 || ts->d < 1) return hw_fail("snapshot: trainset %d: bad shape %d x %d", t, ts->n, ts->d);
        if (ts->n && (!ts->features || !ts->values || !ts->arch || !ts->board || !ts->runner || !ts->t_start ||
                      !ts->t_end))
            return hw_fail("snapshot: trainset %d: a column is missing", t);
        for (int i = 0; i < ts->n; i++)
            if (!ts->arch[i] || !ts->board[i] || !ts->runner[i])
                return hw_fail("snapshot: trainset %d row %d: a string is NULL", t, i);
    }
    if (s->nmodels < 0 || (s->nmodels && !s->models)) return hw_fail("snapshot: models missing");
    for (int k = 0; k < s->nmodels; k++) {
        if (!s->models[k].target || !s->models[k].device) return hw_fail("snapshot: model %d: target/device missing", k);
        if (s->models[k].len && !s->models[k].bytes) return hw_fail("snapshot: model %d: bytes missing", k);
    }
    if (s->nhistory < 0 || (s->nhistory && !s->history)) return hw_fail("snapshot: history missing");
    if (s->njobs < 0 || (s->njobs && !s->jobs)) return hw_fail("snapshot: jobs missing");
    for (int k = 0; k < s->njobs; k++) {
        if (check_str("job", k, s->jobs[k].device) < 0 || check_str("job", k, s->jobs[k].arch) < 0) return -1;
        if (s->jobs[k].state != RUN_JOB_PENDING && s->jobs[k].state != RUN_JOB_INFLIGHT)
            return hw_fail("snapshot: job %d: state %d", k, s->jobs[k].state);
    }
    if (s->nranks < 0 || (s->nranks && !s->rank_rng)) return hw_fail("snapshot: rank_rng missing");
    if (s->nmeas < 0 || (s->nmeas && !s->meas)) return hw_fail("snapshot: measurements missing");
    for (int k = 0; k < s->nmeas; k++) {
        const run_measurement *m = &s->meas[k];
        if (check_str("measurement", k, m->arch) < 0 || check_str("measurement", k, m->device) < 0 ||
            check_str("measurement", k, m->target) < 0 || check_str("measurement", k, m->board) < 0 ||
            check_str("measurement", k, m->runner) < 0)
            return -1;
        if (m->seq > s->meas_seq) return hw_fail("snapshot: measurement %d: seq %llu > meas_seq %llu", k,
                                                (unsigned long long)m->seq, (unsigned long long)s->meas_seq);
    }
    if (s->ntables < 0 || (s->ntables && (!s->table_paths || !s->table_hashes)))
        return hw_fail("snapshot: data table paths/hashes missing");
    for (int k = 0; k < s->ntables; k++)
        if (check_str("data table", k, s->table_paths[k]) < 0 || check_str("data table", k, s->table_hashes[k]) < 0)
            return -1;
    if (s->engine_global_len && !s->engine_global) return hw_fail("snapshot: engine_global is NULL");
    return 0;
}

/* ---- runfile_write ------------------------------------------------------- */

static int write_body(const wctx *c, hid_t f, const run_snapshot *s) {
    hid_t g = -1, h = -1;
    char name[32];
    int rc = -1;
    const int m = s->nobj;

    if (w_attr_i64(c, f, "format_version", RUNFILE_FORMAT_VERSION) < 0) goto fail;
    {
        char writer[96];
        snprintf(writer, sizeof writer, "hwnas %s", hw_version());
        if (w_attr_str(c, f, "writer", writer) < 0) goto fail;
        if (w_attr_str(c, f, "git_commit", hw_git_commit()) < 0) goto fail;
    }
    if (s->config_path && w_attr_str(c, f, "config_path", s->config_path) < 0) goto fail;
    if (s->host && w_attr_str(c, f, "host", s->host) < 0) goto fail;
    if (s->stopped_by && w_attr_str(c, f, "stopped_by", s->stopped_by) < 0) goto fail;
    if (s->cli_overrides && s->cli_overrides[0] && w_attr_str(c, f, "cli_overrides", s->cli_overrides) < 0) goto fail;
    if (w_attr_i64(c, f, "ranks", s->nranks) < 0) goto fail;
    if (s->threads > 0 && w_attr_i64(c, f, "threads", s->threads) < 0) goto fail;
    if (s->config_hash && w_attr_str(c, f, "config_hash", s->config_hash) < 0) goto fail;
    if (s->ntables > 0) {
        if ((g = w_group(c, f, "data_tables")) < 0 || w_strings(c, g, "path", s->ntables, s->table_paths) < 0 ||
            w_strings(c, g, "hash", s->ntables, s->table_hashes) < 0)
            goto fail;
        H5Gclose(g), g = -1;
    }
    if (w_attr_str(c, f, "space", s->space_name) < 0) goto fail;
    if (w_attr_i64(c, f, "ngenes", s->ngenes) < 0) goto fail;
    if (w_attr_i64(c, f, "nobj", s->nobj) < 0) goto fail;
    if (w_attr(c, f, "seed", H5T_NATIVE_UINT64, &s->seed) < 0) goto fail;
    if (w_attr(c, f, "wall_s", H5T_NATIVE_DOUBLE, &s->wall_s) < 0) goto fail;
    if (w_attr(c, f, "meas_seq", H5T_NATIVE_UINT64, &s->meas_seq) < 0) goto fail;
    if (s->finished && w_attr_i64(c, f, "finished", 1) < 0) goto fail;
    {
        char *cfg = s->config_text;
        if (w_strings(c, f, "config", 1, &cfg) < 0) goto fail;
    }

    if ((g = w_group(c, f, "objectives")) < 0) goto fail;
    if (w_strings(c, g, "names", m, s->obj_names) < 0) goto fail;
    if (w_1d(c, g, "maximise", H5T_NATIVE_UINT8, m, s->obj_maximise) < 0) goto fail;
    H5Gclose(g), g = -1;

    if ((g = w_group(c, f, "islands")) < 0 || w_attr_i64(c, g, "count", s->nislands) < 0) goto fail;
    for (int i = 0; i < s->nislands; i++) {
        const run_island *is = &s->islands[i];
        snprintf(name, sizeof name, "%d", i);
        if (w_points(c, g, name, &is->pop, s->ngenes, m, 1) < 0) goto fail;
        if ((h = H5Gopen2(g, name, H5P_DEFAULT)) < 0) {
            wfail(c, name, "cannot reopen group");
            goto fail;
        }
        if (w_attr_i64(c, h, "generation", is->generation) < 0) goto fail;
        if (w_blob(c, h, "engine_state", is->engine_state, is->engine_state_len) < 0) goto fail;
        if (w_1d(c, h, "rng", H5T_NATIVE_UINT64, 4, is->rng) < 0) goto fail;
        H5Gclose(h), h = -1;
    }
    H5Gclose(g), g = -1;

    if (w_points(c, f, "archive", &s->archive, s->ngenes, m, 0) < 0) goto fail;
    if (w_points(c, f, "evaluated", &s->evaluated, s->ngenes, m, 1) < 0) goto fail;

    if ((g = w_group(c, f, "predictor")) < 0) goto fail;
    if ((h = w_group(c, g, "trainsets")) < 0 || w_attr_i64(c, h, "count", s->ntrainsets) < 0) goto fail;
    for (int t = 0; t < s->ntrainsets; t++) {
        const run_trainset *ts = &s->trainsets[t];
        snprintf(name, sizeof name, "%d", t);
        hid_t q = w_group(c, h, name);
        if (q < 0) goto fail;
        int e = w_attr_str(c, q, "target", ts->target) < 0 || w_attr_str(c, q, "device", ts->device) < 0 ||
                w_2d(c, q, "features", H5T_NATIVE_FLOAT, ts->n, ts->d, ts->features) < 0 ||
                w_1d(c, q, "values", H5T_NATIVE_DOUBLE, ts->n, ts->values) < 0 ||
                w_strings(c, q, "arch", ts->n, ts->arch) < 0 || w_strings(c, q, "board", ts->n, ts->board) < 0 ||
                w_strings(c, q, "runner", ts->n, ts->runner) < 0 ||
                w_1d(c, q, "t_start", H5T_NATIVE_DOUBLE, ts->n, ts->t_start) < 0 ||
                w_1d(c, q, "t_end", H5T_NATIVE_DOUBLE, ts->n, ts->t_end) < 0;
        H5Gclose(q);
        if (e) goto fail;
    }
    H5Gclose(h), h = -1;
    if ((h = w_group(c, g, "models")) < 0 || w_attr_i64(c, h, "count", s->nmodels) < 0) goto fail;
    for (int k = 0; k < s->nmodels; k++) {
        const run_model *md = &s->models[k];
        snprintf(name, sizeof name, "%d", k);
        hid_t q = w_group(c, h, name);
        if (q < 0) goto fail;
        int e = w_attr_str(c, q, "target", md->target) < 0 || w_attr_str(c, q, "device", md->device) < 0 ||
                w_attr_i64(c, q, "version", md->version) < 0 || w_blob(c, q, "bytes", md->bytes, md->len) < 0;
        H5Gclose(q);
        if (e) goto fail;
    }
    H5Gclose(h), h = -1;
    H5Gclose(g), g = -1;

    {
        int n = s->nhistory;
        int64_t *iv = hw_malloc(sizeof(int64_t) * 3 * (n ? n : 1)); /* 3 x n: generation, measurements, front_size */
        double *dv = hw_malloc(sizeof(double) * 3 * (n ? n : 1));   /* 3 x n: hv, hv_ratio, wall_s */
        for (int i = 0; i < n; i++) {
            const run_history_row *r = &s->history[i];
            iv[i] = r->generation, iv[n + i] = r->measurements, iv[2 * n + i] = r->front_size;
            dv[i] = r->hv, dv[n + i] = r->hv_ratio, dv[2 * n + i] = r->wall_s;
        }
        int e = (g = w_group(c, f, "history")) < 0 || w_1d(c, g, "generation", H5T_NATIVE_INT64, n, iv) < 0 ||
                w_1d(c, g, "measurements", H5T_NATIVE_INT64, n, iv + n) < 0 ||
                w_1d(c, g, "hv", H5T_NATIVE_DOUBLE, n, dv) < 0 ||
                w_1d(c, g, "hv_ratio", H5T_NATIVE_DOUBLE, n, dv + n) < 0 ||
                w_1d(c, g, "front_size", H5T_NATIVE_INT64, n, iv + 2 * n) < 0 ||
                w_1d(c, g, "wall_s", H5T_NATIVE_DOUBLE, n, dv + 2 * n) < 0;
        free(iv);
        free(dv);
        if (e) goto fail;
        H5Gclose(g), g = -1;
    }

    {
        int n = s->njobs;
        uint64_t *id = hw_malloc(sizeof(uint64_t) * (n ? n : 1)); /* n */
        int32_t *iv = hw_malloc(sizeof(int32_t) * 2 * (n ? n : 1)); /* 2 x n: priority, state */
        char **sv = hw_malloc(sizeof(char *) * 2 * (n ? n : 1));     /* 2 x n: device, arch */
        for (int i = 0; i < n; i++) {
            id[i] = s->jobs[i].id;
            iv[i] = s->jobs[i].priority, iv[n + i] = s->jobs[i].state;
            sv[i] = s->jobs[i].device, sv[n + i] = s->jobs[i].arch;
        }
        int e = (g = w_group(c, f, "dispatcher")) < 0 || (h = w_group(c, g, "jobs")) < 0 ||
                w_1d(c, h, "id", H5T_NATIVE_UINT64, n, id) < 0 || w_strings(c, h, "device", n, sv) < 0 ||
                w_strings(c, h, "arch", n, sv + n) < 0 || w_1d(c, h, "priority", H5T_NATIVE_INT32, n, iv) < 0 ||
                w_1d(c, h, "state", H5T_NATIVE_INT32, n, iv + n) < 0;
        free(id);
        free(iv);
        free(sv);
        if (e) goto fail;
        H5Gclose(h), h = -1;
        H5Gclose(g), g = -1;
    }

    if ((g = w_group(c, f, "ranks")) < 0 || w_2d(c, g, "rng", H5T_NATIVE_UINT64, s->nranks, 4, s->rank_rng) < 0)
        goto fail;
    H5Gclose(g), g = -1;

    if ((g = w_group(c, f, "journal")) < 0 || w_meas(c, g, s->nmeas, s->meas) < 0) goto fail;
    H5Gclose(g), g = -1;

    if (w_blob(c, f, "engine_global", s->engine_global, s->engine_global_len) < 0) goto fail;
    rc = 0;
fail:
    if (h >= 0) H5Gclose(h);
    if (g >= 0) H5Gclose(g);
    return rc;
}

static hid_t make_fapl(void) {
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0) return -1;
    /* No HDF5 file locks: files are replaced by rename, never written in
     * place, and flock fails on some cluster file systems (NFS, Lustre). */
    if (H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_V110) < 0 ||
        H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0 || H5Pset_file_locking(fapl, 0, 1) < 0) {
        H5Pclose(fapl);
        return -1;
    }
    return fapl;
}

int runfile_write(const char *path, const run_snapshot *s) {
    if (run_snapshot_check(s) < 0) return hw_fail_prefix("%s", path);
    h5_quiet q;
    quiet_on(&q);
    wctx c = {path};
    int rc = -1;
    hid_t fapl = make_fapl();
    hid_t f = fapl < 0 ? -1 : H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    if (f < 0) {
        h5_walk w;
        hw_fail("%s: cannot create file (%s)", path, h5_reason(&w));
        goto out;
    }
    if (write_body(&c, f, s) < 0) goto out;
    if (H5Fflush(f, H5F_SCOPE_GLOBAL) < 0) {
        wfail(&c, "/", "flush failed (disk full?)");
        goto out;
    }
    rc = 0;
out:
    if (f >= 0 && H5Fclose(f) < 0 && rc == 0) rc = wfail(&c, "/", "close failed (disk full?)");
    if (fapl >= 0) H5Pclose(fapl);
    quiet_off(&q);
    return rc;
}

/* ---- reading ------------------------------------------------------------- */

typedef struct rctx {
    const char *path;
    char where[200]; /* object path being read, for messages */
} rctx;

static int rfail(const rctx *c, const char *fmt, ...) HW_PRINTF(2, 3);
static int rfail(const rctx *c, const char *fmt, ...) {
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return hw_fail("%s: %s: %s", c->path, c->where, msg);
}

static int rfail_h5(const rctx *c, const char *what) {
    h5_walk w;
    return rfail(c, "%s (%s)", what, h5_reason(&w));
}

static void set_where(rctx *c, const char *grp, const char *name) {
    snprintf(c->where, sizeof c->where, "%s/%s", grp, name);
}

static int r_exists(hid_t loc, const char *name) {
    return H5Lexists(loc, name, H5P_DEFAULT) > 0;
}

/* Reads dataset NAME under LOC (whose path is GRP) of class CLS and rank
 * RANK into a new buffer of element type MTYPE. EXPECT[i] >= 0 pins
 * dims[i]. OPTIONAL: absence returns 0 with *out = NULL and dims 0.
 * The buffer has at least one element even when the dataset is empty. */
static int r_data(rctx *c, hid_t loc, const char *grp, const char *name, hid_t mtype, H5T_class_t cls, int rank,
                  const long *expect, hsize_t *dims, void **out, int optional) {
    hid_t ds = -1, sp = -1, ft = -1;
    *out = NULL;
    for (int i = 0; i < rank; i++) dims[i] = 0;
    set_where(c, grp, name);
    if (!r_exists(loc, name)) return optional ? 0 : rfail(c, "missing dataset");
    if ((ds = H5Dopen2(loc, name, H5P_DEFAULT)) < 0) return rfail_h5(c, "cannot open dataset");
    int rc = -1;
    sp = H5Dget_space(ds);
    ft = H5Dget_type(ds);
    if (sp < 0 || ft < 0) {
        rfail_h5(c, "cannot read dataset header");
        goto out;
    }
    int nd = H5Sget_simple_extent_ndims(sp);
    if (nd != rank) {
        rfail(c, "has rank %d, expected %d", nd, rank);
        goto out;
    }
    H5Sget_simple_extent_dims(sp, dims, NULL);
    if (H5Tget_class(ft) != cls) {
        rfail(c, "has the wrong element type");
        goto out;
    }
    for (int i = 0; i < rank; i++)
        if (expect[i] >= 0 && dims[i] != (hsize_t)expect[i]) {
            rfail(c, "dimension %d is %llu, expected %ld (inconsistent shapes)", i, (unsigned long long)dims[i],
                  expect[i]);
            goto out;
        }
    hsize_t total = 1;
    for (int i = 0; i < rank; i++) total *= dims[i];
    size_t es = H5Tget_size(mtype);
    if (total > ((hsize_t)1 << 40) / es) {
        rfail(c, "implausibly large (%llu elements)", (unsigned long long)total);
        goto out;
    }
    *out = hw_malloc((size_t)(total ? total : 1) * es);
    if (total && H5Dread(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, *out) < 0) {
        rfail_h5(c, "read failed: corrupt or truncated");
        free(*out);
        *out = NULL;
        goto out;
    }
    rc = 0;
out:
    if (ft >= 0) H5Tclose(ft);
    if (sp >= 0) H5Sclose(sp);
    H5Dclose(ds);
    return rc;
}

static int r_1d(rctx *c, hid_t loc, const char *grp, const char *name, hid_t mtype, H5T_class_t cls, long n,
                hsize_t *out_n, void **out, int optional) {
    long e[1] = {n};
    hsize_t d[1];
    int rc = r_data(c, loc, grp, name, mtype, cls, 1, e, d, out, optional);
    if (out_n) *out_n = d[0];
    return rc;
}

static int r_2d(rctx *c, hid_t loc, const char *grp, const char *name, hid_t mtype, H5T_class_t cls, long n,
                long m, hsize_t *out_n, void **out, int optional) {
    long e[2] = {n, m};
    hsize_t d[2];
    int rc = r_data(c, loc, grp, name, mtype, cls, 2, e, d, out, optional);
    if (out_n) *out_n = d[0];
    return rc;
}

/* Reads a fixed-length string dataset of N entries (N < 0: any) into a new
 * array of heap strings. */
static int r_strings(rctx *c, hid_t loc, const char *grp, const char *name, long n, hsize_t *out_n, char ***out) {
    hid_t ds = -1, ft = -1, mt = -1, sp = -1;
    char *buf = NULL;
    int rc = -1;
    *out = NULL;
    set_where(c, grp, name);
    if (!r_exists(loc, name)) return rfail(c, "missing dataset");
    if ((ds = H5Dopen2(loc, name, H5P_DEFAULT)) < 0) return rfail_h5(c, "cannot open dataset");
    ft = H5Dget_type(ds);
    sp = H5Dget_space(ds);
    if (ft < 0 || sp < 0) {
        rfail_h5(c, "cannot read dataset header");
        goto out;
    }
    if (H5Tget_class(ft) != H5T_STRING || H5Tis_variable_str(ft) != 0) {
        rfail(c, "is not a fixed-length string dataset");
        goto out;
    }
    if (H5Sget_simple_extent_ndims(sp) != 1) {
        rfail(c, "is not one-dimensional");
        goto out;
    }
    hsize_t d;
    H5Sget_simple_extent_dims(sp, &d, NULL);
    if (n >= 0 && d != (hsize_t)n) {
        rfail(c, "has %llu entries, expected %ld (inconsistent shapes)", (unsigned long long)d, n);
        goto out;
    }
    size_t w = H5Tget_size(ft);
    if (w < 1 || w > (1u << 24) || d > ((hsize_t)1 << 36) / w) {
        rfail(c, "implausible string width %zu", w);
        goto out;
    }
    if ((mt = str_type(w)) < 0) {
        rfail_h5(c, "cannot make string type");
        goto out;
    }
    buf = hw_malloc((size_t)(d ? d : 1) * w); /* d x w */
    if (d && H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
        rfail_h5(c, "read failed: corrupt or truncated");
        goto out;
    }
    char **s = hw_malloc(sizeof(char *) * (d ? d : 1));
    for (hsize_t i = 0; i < d; i++) s[i] = strndup(buf + i * w, w), HW_ASSERT(s[i]);
    *out = s;
    if (out_n) *out_n = d;
    rc = 0;
out:
    free(buf);
    if (mt >= 0) H5Tclose(mt);
    if (ft >= 0) H5Tclose(ft);
    if (sp >= 0) H5Sclose(sp);
    H5Dclose(ds);
    return rc;
}

/* Reads a scalar attribute NAME of LOC (path GRP) as MTYPE of class CLS. */
static int r_attr(rctx *c, hid_t loc, const char *grp, const char *name, hid_t mtype, H5T_class_t cls, void *out) {
    snprintf(c->where, sizeof c->where, "%s@%s", grp[0] ? grp : "/", name);
    if (H5Aexists(loc, name) <= 0) return rfail(c, "missing attribute");
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0) return rfail_h5(c, "cannot open attribute");
    hid_t t = H5Aget_type(a);
    int rc = 0;
    if (t < 0 || H5Tget_class(t) != cls) rc = rfail(c, "has the wrong type");
    else if (H5Aread(a, mtype, out) < 0) rc = rfail_h5(c, "read failed");
    if (t >= 0) H5Tclose(t);
    H5Aclose(a);
    return rc;
}

static int r_attr_i64(rctx *c, hid_t loc, const char *grp, const char *name, int64_t *out) {
    return r_attr(c, loc, grp, name, H5T_NATIVE_INT64, H5T_INTEGER, out);
}

static int r_attr_str(rctx *c, hid_t loc, const char *grp, const char *name, char **out) {
    *out = NULL;
    snprintf(c->where, sizeof c->where, "%s@%s", grp[0] ? grp : "/", name);
    if (H5Aexists(loc, name) <= 0) return rfail(c, "missing attribute");
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0) return rfail_h5(c, "cannot open attribute");
    hid_t t = H5Aget_type(a), mt = -1;
    int rc = -1;
    if (t < 0 || H5Tget_class(t) != H5T_STRING || H5Tis_variable_str(t) != 0) {
        rfail(c, "is not a fixed-length string");
        goto out;
    }
    size_t w = H5Tget_size(t);
    char *buf = hw_calloc(w + 1, 1);
    if ((mt = str_type(w)) < 0 || H5Aread(a, mt, buf) < 0) {
        free(buf);
        rfail_h5(c, "read failed");
        goto out;
    }
    *out = buf;
    rc = 0;
out:
    if (mt >= 0) H5Tclose(mt);
    if (t >= 0) H5Tclose(t);
    H5Aclose(a);
    return rc;
}

static hid_t r_group(rctx *c, hid_t loc, const char *grp, const char *name) {
    set_where(c, grp, name);
    if (!r_exists(loc, name)) {
        rfail(c, "missing group");
        return -1;
    }
    hid_t g = H5Gopen2(loc, name, H5P_DEFAULT);
    if (g < 0) rfail_h5(c, "cannot open group");
    return g;
}

/* Reads a run_points group. NEED_MEAS: measured and cv are required. */
static int r_points(rctx *c, hid_t loc, const char *path, int ngenes, int nobj, int need_meas, run_points *p) {
    hsize_t n;
    void *v;
    memset(p, 0, sizeof *p);
    if (r_2d(c, loc, path, "genomes", H5T_NATIVE_INT16, H5T_INTEGER, -1, ngenes, &n, &v, 0) < 0) return -1;
    p->genomes = v;
    p->n = (int)n;
    if (n > (hsize_t)1 << 30) return rfail(c, "too many rows");
    long N = (long)n;
    if (r_strings(c, loc, path, "strings", N, NULL, &p->strings) < 0) goto fail;
    if (r_2d(c, loc, path, "objectives", H5T_NATIVE_DOUBLE, H5T_FLOAT, N, nobj, NULL, &v, 0) < 0) goto fail;
    p->obj = v;
    if (r_2d(c, loc, path, "measured", H5T_NATIVE_UINT8, H5T_INTEGER, N, nobj, NULL, &v, !need_meas) < 0) goto fail;
    p->measured = v;
    if (r_1d(c, loc, path, "cv", H5T_NATIVE_DOUBLE, H5T_FLOAT, N, NULL, &v, !need_meas) < 0) goto fail;
    p->cv = v;
    if (r_1d(c, loc, path, "generation", H5T_NATIVE_INT32, H5T_INTEGER, N, NULL, &v, 1) < 0) goto fail;
    p->generation = v;
    if (r_1d(c, loc, path, "island", H5T_NATIVE_INT32, H5T_INTEGER, N, NULL, &v, 1) < 0) goto fail;
    p->island = v;
    if (r_2d(c, loc, path, "pred_mean", H5T_NATIVE_DOUBLE, H5T_FLOAT, N, nobj, NULL, &v, 1) < 0) goto fail;
    p->pred_mean = v;
    if (r_2d(c, loc, path, "pred_std", H5T_NATIVE_DOUBLE, H5T_FLOAT, N, nobj, NULL, &v, 1) < 0) goto fail;
    p->pred_std = v;
    if (p->measured)
        for (long i = 0; i < N * nobj; i++)
            if (p->measured[i] > 1) {
                set_where(c, path, "measured");
                rfail(c, "value %d is not 0 or 1", p->measured[i]);
                goto fail;
            }
    return 0;
fail:
    if (!p->strings) p->n = 0; /* strings array shorter than n: keep free safe */
    return -1;
}

static int r_count(rctx *c, hid_t g, const char *path, int64_t *out) {
    if (r_attr_i64(c, g, path, "count", out) < 0) return -1;
    if (*out < 0 || *out > 100000) return rfail(c, "count %lld out of range", (long long)*out);
    return 0;
}

static int read_body(rctx *c, hid_t f, run_snapshot *s) {
    hid_t g = -1, h = -1, q = -1;
    char path[64];
    void *v;
    hsize_t n;
    int64_t i64;
    int rc = -1;

    if (r_attr_i64(c, f, "", "format_version", &i64) < 0) goto fail;
    if (i64 != RUNFILE_FORMAT_VERSION) {
        rfail(c, "format version %lld, this hwnas reads version %d", (long long)i64, RUNFILE_FORMAT_VERSION);
        goto fail;
    }
    if (r_attr_str(c, f, "", "space", &s->space_name) < 0) goto fail;
    if (r_attr_i64(c, f, "", "ngenes", &i64) < 0) goto fail;
    if (i64 < 1 || i64 > 4096) {
        rfail(c, "ngenes %lld out of range", (long long)i64);
        goto fail;
    }
    s->ngenes = (int)i64;
    if (r_attr_i64(c, f, "", "nobj", &i64) < 0) goto fail;
    if (i64 < 1 || i64 > 64) {
        rfail(c, "nobj %lld out of range", (long long)i64);
        goto fail;
    }
    s->nobj = (int)i64;
    if (r_attr(c, f, "", "seed", H5T_NATIVE_UINT64, H5T_INTEGER, &s->seed) < 0) goto fail;
    if (r_attr(c, f, "", "wall_s", H5T_NATIVE_DOUBLE, H5T_FLOAT, &s->wall_s) < 0) goto fail;
    if (r_attr(c, f, "", "meas_seq", H5T_NATIVE_UINT64, H5T_INTEGER, &s->meas_seq) < 0) goto fail;
    if (H5Aexists(f, "finished") > 0) { /* optional: absent in runs that have not finished */
        if (r_attr_i64(c, f, "", "finished", &i64) < 0) goto fail;
        s->finished = i64 != 0;
    }
    /* optional: what the run ran on (absent in older files) */
    if (H5Aexists(f, "config_path") > 0 && r_attr_str(c, f, "", "config_path", &s->config_path) < 0) goto fail;
    if (H5Aexists(f, "host") > 0 && r_attr_str(c, f, "", "host", &s->host) < 0) goto fail;
    if (H5Aexists(f, "stopped_by") > 0 && r_attr_str(c, f, "", "stopped_by", &s->stopped_by) < 0) goto fail;
    if (H5Aexists(f, "cli_overrides") > 0 && r_attr_str(c, f, "", "cli_overrides", &s->cli_overrides) < 0) goto fail;
    if (H5Aexists(f, "config_hash") > 0 && r_attr_str(c, f, "", "config_hash", &s->config_hash) < 0) goto fail;
    if (H5Aexists(f, "threads") > 0) {
        if (r_attr_i64(c, f, "", "threads", &i64) < 0) goto fail;
        s->threads = i64 > 0 && i64 < 1 << 20 ? (int)i64 : 0;
    }
    if (r_exists(f, "data_tables")) {
        if ((g = r_group(c, f, "", "data_tables")) < 0 ||
            r_strings(c, g, "/data_tables", "path", -1, &n, &s->table_paths) < 0)
            goto fail;
        s->ntables = (int)n;
        if (n > 64 || r_strings(c, g, "/data_tables", "hash", (long)n, NULL, &s->table_hashes) < 0) {
            if (n > 64) rfail(c, "%llu data tables", (unsigned long long)n);
            goto fail;
        }
        H5Gclose(g), g = -1;
    }
    {
        char **cfg;
        if (r_strings(c, f, "", "config", 1, NULL, &cfg) < 0) goto fail;
        s->config_text = cfg[0];
        free(cfg);
    }
    const int m = s->nobj, ng = s->ngenes;

    if ((g = r_group(c, f, "", "objectives")) < 0) goto fail;
    if (r_strings(c, g, "/objectives", "names", m, NULL, &s->obj_names) < 0) goto fail;
    if (r_1d(c, g, "/objectives", "maximise", H5T_NATIVE_UINT8, H5T_INTEGER, m, NULL, &v, 0) < 0) goto fail;
    s->obj_maximise = v;
    for (int k = 0; k < m; k++)
        if (s->obj_maximise[k] > 1) {
            rfail(c, "direction %d is not 0 or 1", s->obj_maximise[k]);
            goto fail;
        }
    H5Gclose(g), g = -1;

    if ((g = r_group(c, f, "", "islands")) < 0 || r_count(c, g, "/islands", &i64) < 0) goto fail;
    s->islands = hw_calloc(i64 ? i64 : 1, sizeof(run_island));
    for (int i = 0; i < i64; i++) {
        run_island *is = &s->islands[i];
        s->nislands = i + 1;
        snprintf(path, sizeof path, "/islands/%d", i);
        if ((h = r_group(c, g, "/islands", path + 9)) < 0) goto fail;
        if (r_attr_i64(c, h, path, "generation", &is->generation) < 0) goto fail;
        if (r_points(c, h, path, ng, m, 1, &is->pop) < 0) goto fail;
        if (r_1d(c, h, path, "engine_state", H5T_NATIVE_UINT8, H5T_INTEGER, -1, &n, &v, 0) < 0) goto fail;
        is->engine_state = v;
        is->engine_state_len = n;
        if (r_1d(c, h, path, "rng", H5T_NATIVE_UINT64, H5T_INTEGER, 4, NULL, &v, 0) < 0) goto fail;
        memcpy(is->rng, v, sizeof is->rng);
        free(v);
        H5Gclose(h), h = -1;
    }
    H5Gclose(g), g = -1;

    if ((g = r_group(c, f, "", "archive")) < 0 || r_points(c, g, "/archive", ng, m, 0, &s->archive) < 0) goto fail;
    H5Gclose(g), g = -1;
    if ((g = r_group(c, f, "", "evaluated")) < 0 || r_points(c, g, "/evaluated", ng, m, 1, &s->evaluated) < 0)
        goto fail;
    H5Gclose(g), g = -1;

    if ((g = r_group(c, f, "", "predictor")) < 0) goto fail;
    if ((h = r_group(c, g, "/predictor", "trainsets")) < 0 || r_count(c, h, "/predictor/trainsets", &i64) < 0)
        goto fail;
    s->trainsets = hw_calloc(i64 ? i64 : 1, sizeof(run_trainset));
    for (int t = 0; t < i64; t++) {
        run_trainset *ts = &s->trainsets[t];
        s->ntrainsets = t + 1;
        snprintf(path, sizeof path, "/predictor/trainsets/%d", t);
        if ((q = r_group(c, h, "/predictor/trainsets", path + 21)) < 0) goto fail;
        if (r_attr_str(c, q, path, "target", &ts->target) < 0 || r_attr_str(c, q, path, "device", &ts->device) < 0)
            goto fail;
        hsize_t d2[2];
        long e2[2] = {-1, -1};
        if (r_data(c, q, path, "features", H5T_NATIVE_FLOAT, H5T_FLOAT, 2, e2, d2, &v, 0) < 0) goto fail;
        ts->features = v;
        if (d2[1] < 1 || d2[0] > (hsize_t)1 << 30) {
            rfail(c, "bad shape %llux%llu", (unsigned long long)d2[0], (unsigned long long)d2[1]);
            goto fail;
        }
        long N = (long)d2[0];
        ts->d = (int)d2[1];
        if (r_1d(c, q, path, "values", H5T_NATIVE_DOUBLE, H5T_FLOAT, N, NULL, &v, 0) < 0) goto fail;
        ts->values = v;
        if (r_1d(c, q, path, "t_start", H5T_NATIVE_DOUBLE, H5T_FLOAT, N, NULL, &v, 0) < 0) goto fail;
        ts->t_start = v;
        if (r_1d(c, q, path, "t_end", H5T_NATIVE_DOUBLE, H5T_FLOAT, N, NULL, &v, 0) < 0) goto fail;
        ts->t_end = v;
        /* n is set only once every string column exists, so a failure
         * half-way leaves a snapshot run_snapshot_free can walk. */
        char **sa = NULL, **sb = NULL, **sr = NULL;
        if (r_strings(c, q, path, "arch", N, NULL, &sa) < 0) goto fail;
        ts->arch = sa;
        ts->n = 0;
        if (r_strings(c, q, path, "board", N, NULL, &sb) < 0 || r_strings(c, q, path, "runner", N, NULL, &sr) < 0) {
            for (long i = 0; i < N; i++) free(sa[i]);
            if (sb) {
                for (long i = 0; i < N; i++) free(sb[i]);
                free(sb);
            }
            free(sa);
            ts->arch = NULL;
            goto fail;
        }
        ts->board = sb, ts->runner = sr, ts->n = (int)N;
        H5Gclose(q), q = -1;
    }
    H5Gclose(h), h = -1;
    if ((h = r_group(c, g, "/predictor", "models")) < 0 || r_count(c, h, "/predictor/models", &i64) < 0) goto fail;
    s->models = hw_calloc(i64 ? i64 : 1, sizeof(run_model));
    for (int k = 0; k < i64; k++) {
        run_model *md = &s->models[k];
        s->nmodels = k + 1;
        snprintf(path, sizeof path, "/predictor/models/%d", k);
        if ((q = r_group(c, h, "/predictor/models", path + 18)) < 0) goto fail;
        if (r_attr_str(c, q, path, "target", &md->target) < 0 || r_attr_str(c, q, path, "device", &md->device) < 0 ||
            r_attr_i64(c, q, path, "version", &md->version) < 0)
            goto fail;
        if (r_1d(c, q, path, "bytes", H5T_NATIVE_UINT8, H5T_INTEGER, -1, &n, &v, 0) < 0) goto fail;
        md->bytes = v;
        md->len = n;
        H5Gclose(q), q = -1;
    }
    H5Gclose(h), h = -1;
    H5Gclose(g), g = -1;

    {
        void *gen = NULL, *meas = NULL, *hv = NULL, *ratio = NULL, *fs = NULL, *wall = NULL;
        long N = -1;
        int e = (g = r_group(c, f, "", "history")) < 0 ||
                r_1d(c, g, "/history", "generation", H5T_NATIVE_INT64, H5T_INTEGER, -1, &n, &gen, 0) < 0 ||
                (N = (long)n, 0) ||
                r_1d(c, g, "/history", "measurements", H5T_NATIVE_INT64, H5T_INTEGER, N, NULL, &meas, 0) < 0 ||
                r_1d(c, g, "/history", "hv", H5T_NATIVE_DOUBLE, H5T_FLOAT, N, NULL, &hv, 0) < 0 ||
                r_1d(c, g, "/history", "hv_ratio", H5T_NATIVE_DOUBLE, H5T_FLOAT, N, NULL, &ratio, 0) < 0 ||
                r_1d(c, g, "/history", "front_size", H5T_NATIVE_INT64, H5T_INTEGER, N, NULL, &fs, 0) < 0 ||
                r_1d(c, g, "/history", "wall_s", H5T_NATIVE_DOUBLE, H5T_FLOAT, N, NULL, &wall, 0) < 0;
        if (!e) {
            s->history = hw_calloc(N ? N : 1, sizeof(run_history_row));
            s->nhistory = (int)N;
            for (long i = 0; i < N; i++) {
                run_history_row *r = &s->history[i];
                r->generation = ((int64_t *)gen)[i];
                r->measurements = ((int64_t *)meas)[i];
                r->hv = ((double *)hv)[i];
                r->hv_ratio = ((double *)ratio)[i];
                r->front_size = ((int64_t *)fs)[i];
                r->wall_s = ((double *)wall)[i];
            }
        }
        free(gen), free(meas), free(hv), free(ratio), free(fs), free(wall);
        if (e) goto fail;
        H5Gclose(g), g = -1;
    }

    {
        void *id = NULL, *prio = NULL, *state = NULL;
        char **dev = NULL, **arch = NULL;
        long N = -1;
        int e = (g = r_group(c, f, "", "dispatcher")) < 0 || (h = r_group(c, g, "/dispatcher", "jobs")) < 0 ||
                r_1d(c, h, "/dispatcher/jobs", "id", H5T_NATIVE_UINT64, H5T_INTEGER, -1, &n, &id, 0) < 0 ||
                (N = (long)n, 0) || r_strings(c, h, "/dispatcher/jobs", "device", N, NULL, &dev) < 0 ||
                r_strings(c, h, "/dispatcher/jobs", "arch", N, NULL, &arch) < 0 ||
                r_1d(c, h, "/dispatcher/jobs", "priority", H5T_NATIVE_INT32, H5T_INTEGER, N, NULL, &prio, 0) < 0 ||
                r_1d(c, h, "/dispatcher/jobs", "state", H5T_NATIVE_INT32, H5T_INTEGER, N, NULL, &state, 0) < 0;
        if (!e) {
            s->jobs = hw_calloc(N ? N : 1, sizeof(run_job));
            s->njobs = (int)N;
            for (long i = 0; i < N; i++) {
                s->jobs[i].id = ((uint64_t *)id)[i];
                s->jobs[i].device = dev[i];
                s->jobs[i].arch = arch[i];
                s->jobs[i].priority = ((int32_t *)prio)[i];
                s->jobs[i].state = ((int32_t *)state)[i];
                if (s->jobs[i].state != RUN_JOB_PENDING && s->jobs[i].state != RUN_JOB_INFLIGHT) {
                    set_where(c, "/dispatcher/jobs", "state");
                    e = rfail(c, "job %ld: unknown state %d", i, s->jobs[i].state);
                }
            }
        } else {
            for (long i = 0; dev && i < N; i++) free(dev[i]);
            for (long i = 0; arch && i < N; i++) free(arch[i]);
        }
        free(dev), free(arch), free(id), free(prio), free(state);
        if (e) goto fail;
        H5Gclose(h), h = -1;
        H5Gclose(g), g = -1;
    }

    if ((g = r_group(c, f, "", "ranks")) < 0 ||
        r_2d(c, g, "/ranks", "rng", H5T_NATIVE_UINT64, H5T_INTEGER, -1, 4, &n, &v, 0) < 0)
        goto fail;
    s->rank_rng = v;
    s->nranks = (int)n;
    H5Gclose(g), g = -1;

    {
        void *seq = NULL, *val = NULL, *t0 = NULL, *t1 = NULL;
        char **col[5] = {NULL};
        static const char *const snames[5] = {"arch", "device", "target", "board", "runner"};
        long N = -1;
        int e = (g = r_group(c, f, "", "journal")) < 0 ||
                r_1d(c, g, "/journal", "seq", H5T_NATIVE_UINT64, H5T_INTEGER, -1, &n, &seq, 0) < 0 ||
                (N = (long)n, 0) || r_1d(c, g, "/journal", "value", H5T_NATIVE_DOUBLE, H5T_FLOAT, N, NULL, &val, 0) < 0 ||
                r_1d(c, g, "/journal", "t_start", H5T_NATIVE_DOUBLE, H5T_FLOAT, N, NULL, &t0, 0) < 0 ||
                r_1d(c, g, "/journal", "t_end", H5T_NATIVE_DOUBLE, H5T_FLOAT, N, NULL, &t1, 0) < 0;
        for (int k = 0; k < 5 && !e; k++) e = r_strings(c, g, "/journal", snames[k], N, NULL, &col[k]) < 0;
        if (!e) {
            s->meas = hw_calloc(N ? N : 1, sizeof(run_measurement));
            s->nmeas = (int)N;
            for (long i = 0; i < N; i++) {
                run_measurement *mm = &s->meas[i];
                mm->seq = ((uint64_t *)seq)[i];
                mm->value = ((double *)val)[i];
                mm->t_start = ((double *)t0)[i];
                mm->t_end = ((double *)t1)[i];
                mm->arch = col[0][i], mm->device = col[1][i], mm->target = col[2][i];
                mm->board = col[3][i], mm->runner = col[4][i];
                if (mm->seq > s->meas_seq) {
                    set_where(c, "/journal", "seq");
                    e = rfail(c, "entry %ld: seq %llu beyond meas_seq %llu", i, (unsigned long long)mm->seq,
                              (unsigned long long)s->meas_seq);
                }
            }
        } else {
            for (int k = 0; k < 5; k++) {
                for (long i = 0; col[k] && i < N; i++) free(col[k][i]);
            }
        }
        for (int k = 0; k < 5; k++) free(col[k]);
        free(seq), free(val), free(t0), free(t1);
        if (e) goto fail;
        H5Gclose(g), g = -1;
    }

    if (r_1d(c, f, "", "engine_global", H5T_NATIVE_UINT8, H5T_INTEGER, -1, &n, &v, 0) < 0) goto fail;
    s->engine_global = v;
    s->engine_global_len = n;
    rc = 0;
fail:
    if (q >= 0) H5Gclose(q);
    if (h >= 0) H5Gclose(h);
    if (g >= 0) H5Gclose(g);
    return rc;
}

int runfile_read(const char *path, run_snapshot **out) {
    *out = NULL;
    h5_quiet q;
    quiet_on(&q);
    rctx c = {path, "/"};
    run_snapshot *s = run_snapshot_new();
    int rc = -1;
    hid_t fapl = make_fapl();
    hid_t f = -1;
    struct stat st;
    if (stat(path, &st) < 0) { /* before any open: a FIFO would block it */
        hw_fail("%s: cannot open: %s", path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        hw_fail("%s: not a regular file; a run file must be one", path);
        goto out;
    }
    if (H5Fis_hdf5(path) <= 0) {
        FILE *fp = fopen(path, "rb");
        if (!fp) hw_fail("%s: cannot open: %s", path, strerror(errno));
        else hw_fail("%s: not an HDF5 file (or truncated)", path), fclose(fp);
        goto out;
    }
    f = fapl < 0 ? -1 : H5Fopen(path, H5F_ACC_RDONLY, fapl);
    if (f < 0) {
        h5_walk w;
        hw_fail("%s: cannot open as HDF5: %s (truncated or corrupt)", path, h5_reason(&w));
        goto out;
    }
    if (read_body(&c, f, s) < 0) goto out;
    rc = 0;
out:
    if (f >= 0) H5Fclose(f);
    if (fapl >= 0) H5Pclose(fapl);
    quiet_off(&q);
    if (rc < 0) h5_quiet_exit_once();
    if (rc < 0) run_snapshot_free(s);
    else *out = s;
    return rc;
}

/* ---- memory ---------------------------------------------------------------- */

run_snapshot *run_snapshot_new(void) {
    return hw_calloc(1, sizeof(run_snapshot));
}

static void free_strs(char **s, int n) {
    if (!s) return;
    for (int i = 0; i < n; i++) free(s[i]);
    free(s);
}

void run_points_clear(run_points *p) {
    free(p->genomes);
    free_strs(p->strings, p->n);
    free(p->obj);
    free(p->measured);
    free(p->cv);
    free(p->generation);
    free(p->island);
    free(p->pred_mean);
    free(p->pred_std);
    memset(p, 0, sizeof *p);
}

void run_measurement_clear(run_measurement *m) {
    free(m->arch);
    free(m->device);
    free(m->target);
    free(m->board);
    free(m->runner);
    memset(m, 0, sizeof *m);
}

void run_snapshot_free(run_snapshot *s) {
    if (!s) return;
    free(s->config_text);
    free(s->space_name);
    free_strs(s->obj_names, s->obj_names ? s->nobj : 0);
    free(s->obj_maximise);
    for (int i = 0; i < s->nislands; i++) {
        run_points_clear(&s->islands[i].pop);
        free(s->islands[i].engine_state);
    }
    free(s->islands);
    run_points_clear(&s->archive);
    run_points_clear(&s->evaluated);
    for (int t = 0; t < s->ntrainsets; t++) {
        run_trainset *ts = &s->trainsets[t];
        free(ts->target), free(ts->device), free(ts->features), free(ts->values);
        free_strs(ts->arch, ts->n), free_strs(ts->board, ts->n), free_strs(ts->runner, ts->n);
        free(ts->t_start), free(ts->t_end);
    }
    free(s->trainsets);
    for (int k = 0; k < s->nmodels; k++) {
        free(s->models[k].target), free(s->models[k].device), free(s->models[k].bytes);
    }
    free(s->models);
    free(s->history);
    for (int k = 0; k < s->njobs; k++) free(s->jobs[k].device), free(s->jobs[k].arch);
    free(s->jobs);
    free(s->rank_rng);
    for (int k = 0; k < s->nmeas; k++) run_measurement_clear(&s->meas[k]);
    free(s->meas);
    free(s->engine_global);
    free(s->host);
    free(s->stopped_by);
    free(s->cli_overrides);
    free(s->config_path);
    free(s->config_hash);
    free_strs(s->table_paths, s->table_paths ? s->ntables : 0);
    free_strs(s->table_hashes, s->table_hashes ? s->ntables : 0);
    free(s);
}

/* Copies the line starting at P (without the newline, at most 60 chars). */
static void line_at(const char *p, char *buf, size_t n) {
    size_t k = 0;
    while (p[k] && p[k] != '\n' && k + 1 < n && k < 60) buf[k] = p[k], k++;
    buf[k] = 0;
}

int runfile_check_config(const char *path, const run_snapshot *s, const char *config_text) {
    const char *a = s->config_text, *b = config_text;
    if (!strcmp(a, b)) return 0;
    int line = 1;
    const char *la = a, *lb = b;
    while (*a && *a == *b) {
        if (*a == '\n') line++, la = a + 1, lb = b + 1;
        a++, b++;
    }
    char x[64], y[64];
    line_at(la, x, sizeof x);
    line_at(lb, y, sizeof y);
    return hw_fail("%s: written by another config (line %d differs: '%s' in the run file, '%s' now)", path, line, x,
                   y);
}

int run_snapshot_obj_index(const run_snapshot *s, const char *name) {
    for (int k = 0; k < s->nobj; k++)
        if (!strcmp(s->obj_names[k], name)) return k;
    return -1;
}
