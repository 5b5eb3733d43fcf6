/* cmd_search.c: `hwnas search CONFIG [options]`.
 *
 * Loads the config, builds the space and the ground-truth evaluator, runs
 * the search (search.h), then prints the front as a table, writes it as
 * CSV and optionally a JSON summary. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include <mpi.h>

#include <sys/stat.h>
#include <unistd.h>

#include "ckpt.h"
#include "engine.h"
#include "engine_ckpt.h"
#include "eval_table.h"
#include "fsutil.h"
#include "hw_err.h"
#include "journal.h"
#include "progress.h"
#include "runfront.h"
#include "search.h"
#include "search_check.h"
#include "warmstart.h"

static void mpi_abort_hook(void) { MPI_Abort(MPI_COMM_WORLD, 1); }

/* The front of the run's measured points EV (the run file's /evaluated):
 * runfront_front, as `hwnas front RUN.h5` selects and orders it, printed
 * with runfront_table and written as c->front_csv with runfront_csv (the
 * bytes of `hwnas front RUN.h5 --csv`). 0, or -1 with a message. */
static int write_front(const search_config *c, const run_points *ev) {
    char names[HW_MAX_OBJ][sizeof c->obj[0].name], *np[HW_MAX_OBJ];
    uint8_t maximise[HW_MAX_OBJ];
    for (int k = 0; k < c->n_obj; k++) {
        snprintf(names[k], sizeof names[k], "%s", c->obj[k].name);
        np[k] = names[k];
        maximise[k] = c->obj[k].direction == OBJ_MAXIMIZE;
    }
    run_snapshot h = {.nobj = c->n_obj, .obj_names = np, .obj_maximise = maximise};
    int *idx, n;
    if (runfront_front(&h, ev, 0, &idx, &n)) return -1;
    printf("\nPareto front (%d points, measured):\n", n);
    runfront_table(stdout, &h, ev, idx, n, RUNFRONT_NO_KNEE);
    hw_buf csv = {0};
    runfront_csv(&csv, &h, ev, idx, n, RUNFRONT_NO_KNEE);
    free(idx);
    int rc = hw_mkdir_p(c->out_dir);
    if (!rc) rc = hw_write_file_atomic(c->front_csv, csv.p, csv.len);
    hw_buf_free(&csv);
    return rc;
}

static int write_summary(const char *path, const search_config *c, const engine_report *rep) {
    const search_result *r = &rep->res;
    hw_buf b = {0};
    hw_buf_printf(&b, "{\n  \"config\": ");
    hw_buf_json_str(&b, ycfg_path(c->doc));
    hw_buf_printf(&b, ",\n  \"space\": \"%s\",\n  \"objectives\": [", c->space_name);
    for (int k = 0; k < c->n_obj; k++) {
        hw_buf_printf(&b, "%s", k ? ", " : "");
        hw_buf_json_str(&b, c->obj[k].name);
    }
    hw_buf_printf(&b, "],\n  \"seed\": %llu,\n  \"generations\": %d,\n  \"evaluations\": %ld,\n"
                      "  \"measurements\": %ld,\n  \"front_size\": %d,\n  \"hv\": ",
                  (unsigned long long)c->seed, r->generations, r->evaluations, r->measurements, r->front_size);
    hw_buf_json_num(&b, r->hv);
    hw_buf_printf(&b, ",\n  \"hv_ratio\": ");
    hw_buf_json_num(&b, r->hv_ratio);
    hw_buf_printf(&b, ",\n  \"true_hv\": ");
    hw_buf_json_num(&b, r->true_hv);
    hw_buf_printf(&b, ",\n  \"failed_measurements\": %ld,\n  \"free_lookups\": %ld,\n  \"board_hours\": ",
                  r->failed, r->free_lookups);
    hw_buf_json_num(&b, (rep->board_s - rep->ft_s) / 3600);
    hw_buf_printf(&b, ",\n  \"true_front_size\": %d,\n  \"true_front_found\": %d,\n"
                      "  \"true_front_outside_ref\": %d,\n  \"wall_s\": ",
                  r->true_front_size, r->true_front_found, r->true_front_outside);
    hw_buf_json_num(&b, r->wall_s);
    hw_buf_printf(&b, ",\n  \"history\": [");
    for (int i = 0; i < r->n_history; i++) {
        const search_history_row *h = &r->history[i];
        hw_buf_printf(&b,
                      "%s\n    {\"generation\": %d, \"evaluations\": %ld, \"measurements\": %ld, \"failed\": %ld, "
                      "\"board_s\": ",
                      i ? "," : "", h->generation, h->evaluations, h->measurements, h->failed);
        hw_buf_json_num(&b, h->board_s);
        hw_buf_printf(&b, ", \"front_size\": %d, \"hv\": ", h->front_size);
        hw_buf_json_num(&b, h->hv);
        hw_buf_printf(&b, ", \"hv_ratio\": ");
        hw_buf_json_num(&b, h->hv_ratio);
        hw_buf_printf(&b, ", \"wall_s\": ");
        hw_buf_json_num(&b, h->wall_s);
        hw_buf_printf(&b, "}");
    }
    hw_buf_printf(&b, "\n  ]");
    engine_report_json(&b, rep);
    hw_buf_printf(&b, "\n}\n");
    int rc = hw_write_file_atomic(path, b.p, b.len);
    hw_buf_free(&b);
    return rc;
}

/* The budget and reference-point flags (--max-measurements, --reference),
 * as given or as a run file keeps them (/@cli_overrides: the flags in the
 * same spelling, e.g. "--max-measurements 60 --reference 85,12.5"). */
typedef struct overrides {
    int has_mm, nref;   /* nref 0: no --reference */
    long mm;
    double ref[HW_MAX_OBJ];
} overrides;

/* Parses "A,B[,C]" (one finite number per objective) into o->ref; -1 with a
 * message naming the flag and value. */
static int parse_reference(const char *s, int n_obj, overrides *o) {
    const char *p = s;
    o->nref = 0;
    while (1) {
        char *end;
        double v = strtod(p, &end);
        if (end == p || !isfinite(v) || (*end && *end != ','))
            return hw_fail("--reference '%s': '%.*s' is not a number", s, (int)strcspn(p, ","), p);
        if (o->nref == HW_MAX_OBJ) return hw_fail("--reference '%s': more than %d values", s, HW_MAX_OBJ);
        o->ref[o->nref++] = v;
        if (!*end) break;
        p = end + 1;
    }
    if (o->nref != n_obj)
        return hw_fail("--reference '%s': %d values for %d objectives (one per objective, in their order and units)", s,
                       o->nref, n_obj);
    return 0;
}

static void format_overrides(const overrides *o, char *buf, size_t n) {
    size_t k = 0;
    buf[0] = 0;
    if (o->has_mm) k += (size_t)snprintf(buf + k, n - k, "--max-measurements %ld", o->mm);
    for (int i = 0; i < o->nref && k < n; i++)
        k += (size_t)snprintf(buf + k, n - k, "%s%.17g", i ? "," : k ? " --reference " : "--reference ", o->ref[i]);
}

/* The overrides a run file keeps (written by format_overrides). */
static int parse_overrides(const char *s, int n_obj, overrides *o) {
    memset(o, 0, sizeof *o);
    const char *mm = s ? strstr(s, "--max-measurements ") : NULL, *rf = s ? strstr(s, "--reference ") : NULL;
    if (mm) o->has_mm = 1, o->mm = strtol(mm + 19, NULL, 10);
    if (rf) {
        char tmp[256];
        snprintf(tmp, sizeof tmp, "%.*s", (int)strcspn(rf + 12, " "), rf + 12);
        if (parse_reference(tmp, n_obj, o)) return hw_fail_prefix("run file /@cli_overrides");
    }
    return 0;
}

/* Applies the budget/reference flags to cfg. On resume (snap != NULL) the
 * run keeps the values it was started with (its config's, or the flags it
 * kept in /@cli_overrides): a flag that would change them is refused, as
 * --seed is; flags not given are taken from the run file. */
static int apply_overrides(search_config *cfg, const overrides *given, const run_snapshot *snap, const char *run) {
    overrides o = *given;
    if (snap) {
        overrides kept;
        if (parse_overrides(snap->cli_overrides, cfg->n_obj, &kept)) return -1;
        long run_mm = kept.has_mm ? kept.mm : cfg->max_measurements;
        if (given->has_mm && given->mm != run_mm)
            return hw_fail("%s: --max-measurements %ld differs from the run's budget %ld; a resumed run keeps its "
                           "budget", run, given->mm, run_mm);
        for (int k = 0; given->nref && k < cfg->n_obj; k++) {
            double r = kept.nref ? kept.ref[k] : cfg->has_ref ? cfg->ref[k] : NAN;
            if (!(given->ref[k] == r))
                return hw_fail("%s: --reference differs from the run's reference point (objective '%s': %g, the run "
                               "has %g); a resumed run keeps its reference point",
                               run, cfg->obj[k].name, given->ref[k], r);
        }
        if (!o.has_mm && kept.has_mm) o.has_mm = 1, o.mm = kept.mm;
        if (!o.nref && kept.nref) {
            o.nref = kept.nref;
            memcpy(o.ref, kept.ref, sizeof o.ref);
        }
    }
    if (o.has_mm) cfg->max_measurements = o.mm;
    if (o.nref) {
        cfg->has_ref = 1;
        memcpy(cfg->ref, o.ref, sizeof o.ref);
    }
    format_overrides(&o, cfg->cli_overrides, sizeof cfg->cli_overrides);
    return 0;
}

/* This process's rank before MPI_Init (launchers set it in the
 * environment), so that pre-MPI messages are printed once; 0 if unknown. */
static int pre_mpi_rank(void) {
    static const char *vars[] = {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v) return atoi(v);
    }
    return 0;
}

/* What the run file means for this invocation (run_file_state). */
typedef struct run_state {
    int resume;        /* continue from the run file */
    int finished;      /* the run file holds a finished run: nothing to do */
    long gen, meas;    /* resume: last generation and measurements in the file */
    int replayed;      /* resume: measurements the journal adds to the file */
    int journaled;     /* no run file: measurements its journal holds */
} run_state;

/* Decides what the run file RUN means for this invocation, before MPI
 * starts (every rank, read-only: nothing is written or deleted here):
 * - RUN exists but is not a regular file (a FIFO, a directory): -1, bad input;
 * - a run to resume (--resume, or RUN exists without --fresh): checks it
 *   belongs to this config (and the budget/reference flags, given, keep
 *   its values: apply_overrides) and hands its snapshot to *snap_out (the engine
 *   resumes from it: the file is read once); a finished run (/@finished)
 *   sets ->finished and says so, once: it is never extended;
 * - no run file but RUN.journal holds measurements (a run that crashed
 *   before its first checkpoint): ->journaled counts them; the engine
 *   re-uses them (gts_set_journal) unless --fresh discards them. */
static int run_file_state(const char *run, int resume, int fresh, search_config *cfg, const space *sp,
                          const overrides *given, run_state *out, run_snapshot **snap_out) {
    struct stat st;
    *snap_out = NULL;
    int exists = stat(run, &st) == 0;
    memset(out, 0, sizeof *out);
    if (exists && !S_ISREG(st.st_mode)) return hw_fail("%s: not a regular file; a run file must be one", run);
    out->resume = resume || (!fresh && exists);
    if (out->resume) { /* bad run files are bad input: exit 2 on every rank, before MPI starts */
        run_snapshot *snap;
        if (ckpt_resume(run, &snap, &out->replayed)) return -1;
        int bad = eckpt_check(snap, cfg, sp, run) || apply_overrides(cfg, given, snap, run);
        out->gen = snap->nhistory ? (long)snap->history[snap->nhistory - 1].generation : -1;
        out->meas = snap->nhistory ? (long)snap->history[snap->nhistory - 1].measurements : 0;
        out->finished = !bad && snap->finished;
        if (bad || out->finished) run_snapshot_free(snap);
        else *snap_out = snap; /* read once: the engine resumes from it */
        if (bad) return -1;
        if (out->finished && pre_mpi_rank() == 0)
            fprintf(stderr, "hwnas: %s: this run finished at generation %ld with %ld measurements; nothing to do "
                            "(hwnas front %s shows it; --fresh starts a new run)\n",
                    run, out->gen, out->meas, run);
        return 0;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", run);
    char *sl = strrchr(dir, '/');
    if (sl) {
        *sl = 0;
        if (hw_mkdir_p(dir)) return -1;
    }
    char jp[4200];
    if (journal_path(run, jp, sizeof jp)) return -1;
    if (!fresh && access(jp, F_OK) == 0) {
        run_measurement *mm;
        if (journal_read_all(jp, &mm, &out->journaled, NULL)) return -1;
        for (int i = 0; i < out->journaled; i++) run_measurement_clear(&mm[i]);
        free(mm);
    }
    return 0;
}

/* Rank 0, after MPI_Init: takes the run-file lock for the life of the
 * process, then (only then) discards an old journal under --fresh and
 * says what happens to the run: one line even under --quiet. The verdict
 * goes to every rank; -1 (every rank) when another process holds the lock. */
static int run_file_claim(const char *run, const run_state *rs, int fresh, int rank, ckpt_lock **lock) {
    int ok = 1;
    if (rank == 0) {
        char jp[4200];
        if (ckpt_lock_acquire(run, lock) || journal_path(run, jp, sizeof jp)) ok = 0;
        else if (fresh && !rs->resume && unlink(jp) < 0 && errno != ENOENT) ok = !hw_fail("%s: cannot remove: %s", jp, strerror(errno));
        else if (rs->resume)
            fprintf(stderr, "hwnas: resuming from %s after generation %ld (%ld measurements, %d more from the journal)\n",
                    run, rs->gen, rs->meas, rs->replayed);
        else if (rs->journaled)
            fprintf(stderr, "hwnas: %s: a run that stopped before its first checkpoint journaled %d measurements; "
                            "its board and fine-tuned values are re-used (--fresh discards them)\n",
                    jp, rs->journaled);
    }
    MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return ok ? 0 : -1;
}

int cmd_search(int argc, char **argv) {
    const char *summary = NULL, *out_dir = NULL, *run_s = NULL, *resume_s = NULL, *warm_s = NULL, *ref_s = NULL;
    long seed = -1, gens = -1, every = -1, maxm = -1; /* -1: not given, the config's value stands */
    double mins = NAN;
    int quiet = 0, fresh = 0, bar = 0, first;
    const cli_opt opts[] = {
        CLI_STR("summary", "FILE.json", &summary,
                "write a JSON summary (generations, evaluations,\nmeasurements, front_size, hv, hv_ratio, wall_s, ...)"),
        CLI_INT("seed", "N", &seed, 0, LONG_MAX, "override algorithm.seed"),
        CLI_INT("generations", "N", &gens, 0, 100000000, "override algorithm.generations"),
        CLI_INT("max-measurements", "N", &maxm, 0, 1L << 40,
                "override algorithm.max_measurements (0: none); a resumed\nrun keeps its own (a different N is refused)"),
        CLI_STR("reference", "A,B[,C]", &ref_s,
                "override hypervolume.reference: one value per objective,\nin their order and units (e.g. 85,12.86); a resumed\n"
                "run keeps its own (a different point is refused)"),
        CLI_STR("out-dir", "DIR", &out_dir, "override output.dir"),
        CLI_STR("run", "RUN.h5", &run_s,
                "HDF5 run file for checkpoints and the measurement\njournal RUN.h5.journal (default output.run_file); if\n"
                "it exists the run resumes from it (see --fresh); a\njournal alone is re-used; a finished run is left as\n"
                "it is (exit 0); RUN.h5.lock keeps out a second search"),
        CLI_STR("resume", "RUN.h5", &resume_s,
                "resume from RUN.h5 (and keep checkpointing to it); CONFIG\nmust parse to the run's config (layout and path\n"
                "spelling aside); without CONFIG the run's own is used"),
        CLI_FLAG("fresh", &fresh, "start over even if the run file or journal exists"),
        CLI_INT("checkpoint-every", "N", &every, 0, 100000000, "checkpoint every N generations"),
        CLI_DOUBLE("checkpoint-minutes", "M", &mins, -HUGE_VAL, HUGE_VAL,
                   "checkpoint every M minutes"),
        CLI_STR("warm-start", "FILE", &warm_s,
                "start from measurements made before: a `hwnas measure`\nCSV, a run file's training sets (RUN.h5) or a table\n"
                "with columns arch and the objectives; they are not\nmeasured again nor charged to the budget"),
        CLI_FLAG("progress", &bar, "a one-line bar on stderr (when it is a terminal):\nmeasurements/budget, board time, HV ratio"),
        CLI_FLAG("quiet", &quiet, "no per-generation lines"),
        CLI_END};
    const cli_spec spec = {"search", "CONFIG [options]\n--resume RUN.h5 [options]   (the config stored in RUN.h5)",
                           "Runs a multi-objective architecture search described by the YAML file CONFIG\n"
                           "(keys: docs/config.md). One line per generation on stderr; the final Pareto\n"
                           "front on stdout and as CSV (output.dir/output.front_csv).\n"
                           "SIGUSR1, SIGTERM, SIGINT: stop at the next generation boundary (after a\n"
                           "checkpoint when there is a run file), write the front and summary so far,\n"
                           "exit 3; a second SIGINT stops at once (docs/cluster.md).",
                           opts, "exactly one CONFIG file", 0, 1};
    int st = cli_parse(&spec, argc, argv, 1, &first);
    if (st != CLI_CONTINUE) return st;
    if (first == argc && !resume_s) /* --resume RUN.h5 alone: the run's config */
        return cli_usage_error("search: expected exactly one CONFIG file (see hwnas search --help)");

    search_config *cfg = NULL;
    space *sp = NULL;
    run_snapshot *snap = NULL;
    eval_table *tab = NULL;
    pareto_archive *arch = NULL;
    double *front = NULL;
    hw_genome *front_g = NULL;
    uint64_t *front_ids = NULL;
    int *front_cls = NULL;
    search_result res = {0};
    run_points ev = {0}; /* rank 0: the run's measured points, for the front */
    int status = HW_EXIT_USAGE, clean_stop = 0; /* clean_stop: every rank fails here; finalize, do not abort */
    int reported = 0;
    ckpt_lock *lock = NULL;
    run_measurement *warm = NULL;
    int n_warm = 0;

    if (first < argc ? search_config_load(argv[first], &cfg) : eckpt_config_from_run(resume_s, &cfg)) goto fail;
    /* SIGUSR1/SIGTERM/SIGINT: stop at the next generation boundary (after a
     * checkpoint when there is a run file), exit 3 (docs/cluster.md) */
    if (ckpt_signals_install()) goto fail;
    if (seed >= 0) cfg->seed = (uint64_t)seed;
    overrides given = {.has_mm = maxm >= 0, .mm = maxm};
    if (ref_s && parse_reference(ref_s, cfg->n_obj, &given)) goto fail;
    if (gens >= 0) cfg->generations = (int)gens;
    if (out_dir) {
        size_t n = strlen(out_dir) + strlen(cfg->front_csv) + 2;
        const char *base = strrchr(cfg->front_csv, '/');
        char *fc = hw_malloc(n);
        snprintf(fc, n, "%s/%s", out_dir, base ? base + 1 : cfg->front_csv);
        free(cfg->front_csv);
        free(cfg->out_dir);
        cfg->front_csv = fc;
        cfg->out_dir = hw_strdup(out_dir);
    }
    if (every >= 0) cfg->ckpt_every_gens = (int)every;
    if (!isnan(mins)) cfg->ckpt_every_minutes = mins;
    if (search_check_start(cfg)) goto fail; /* supernet / board configs vs the space: exit 2 before MPI */
    /* tables loaded once: bad ones are bad input before MPI starts; the
     * engine's ground-truth server uses these */
    if (search_config_space(cfg, &sp) || (cfg->n_tables && eval_table_create(cfg, sp, &tab))) goto fail;
    /* run file: explicit --resume, or an existing --run/output.run_file */
    engine_options eo = {0};
    const char *run_path = resume_s ? resume_s : run_s ? run_s : (cfg->run_file[0] ? cfg->run_file : NULL);
    if (run_path && !cfg->sync && cfg->evaluator == EVAL_PREDICTOR) {
        hw_fail("%s: checkpoints need islands.sync: true (asynchronous rounds have no common boundary)",
                ycfg_path(cfg->doc));
        goto fail;
    }
    run_state rs = {0};
    if (run_path) {
        eo.run_path = run_path;
        eo.ckpt_every_gens = cfg->ckpt_every_gens;
        eo.ckpt_every_s = 60 * cfg->ckpt_every_minutes;
        if (resume_s && run_s && strcmp(resume_s, run_s)) {
            hw_fail("--resume %s and --run %s: give one run file", resume_s, run_s);
            goto fail;
        }
        if (run_file_state(run_path, resume_s != NULL, fresh, cfg, sp, &given, &rs, &snap)) goto fail;
        eo.resume = rs.resume;
        eo.snap = snap;
        eo.replayed = rs.replayed;
        if (rs.finished) {
            status = HW_EXIT_OK;
            goto fail;
        }
    }

    if (!rs.resume && apply_overrides(cfg, &given, NULL, NULL)) goto fail;
    progress *prog_check; /* an output.progress that cannot be opened is bad input before MPI starts */
    if (progress_create(cfg, sp, cfg->progress_file, 0, &prog_check)) goto fail;
    progress_free(prog_check);
    if (warm_s) { /* a bad file is bad input before MPI starts */
        if (warmstart_load(warm_s, cfg, sp, &warm, &n_warm)) goto fail;
        eo.warm = warm, eo.n_warm = n_warm, eo.warm_path = warm_s;
    }
    search_problem p = {.cfg = cfg, .sp = sp, .progress = quiet ? NULL : stderr};
    const int m = cfg->n_obj;
    if (tab && cfg->true_front && cfg->has_ref) {
        int k, n;
        if (search_true_front(tab, m, &front, &front_g, &k, &n)) goto fail;
        front_ids = hw_malloc((size_t)(k ? k : 1) * sizeof *front_ids);
        for (int i = 0; i < k; i++) front_ids[i] = space_hash(sp, &front_g[i]);
        p.true_front = front;
        p.true_front_ids = front_ids;
        p.true_front_n = k;
        double ref[HW_MAX_OBJ];
        for (int j = 0; j < m; j++) ref[j] = objective_to_min(&cfg->obj[j], cfg->ref[j]);
        front_cls = hw_malloc((size_t)(k ? k : 1) * sizeof *front_cls);
        p.true_front_classes = search_front_classes(front, k, m, ref, front_cls, &p.true_front_outside);
        p.true_front_class = front_cls;
        if (!quiet && pre_mpi_rank() == 0)
            fprintf(stderr, "hwnas: exact front from the table: %d points of %d feasible (%d distinct inside the "
                            "reference box, %d outside)\n", k, n, p.true_front_classes, p.true_front_outside);
    }
    status = HW_EXIT_FAIL;
    int inited = 0, rank = 0;
    MPI_Initialized(&inited);
    if (!inited) MPI_Init(NULL, NULL);
    hw_set_abort_hook(mpi_abort_hook);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank != 0) p.progress = NULL;
    if (run_path && run_file_claim(run_path, &rs, fresh, rank, &lock)) {
        status = HW_EXIT_USAGE; /* another search holds the run file: every rank stops cleanly */
        clean_stop = reported = 1;
        if (rank == 0) cli_report(status);
        goto fail;
    }
    engine_report rep;
    eo.tab = tab;
    eo.progress_bar = bar;
    if (engine_run(cfg, sp, MPI_COMM_WORLD, &p, &eo, &rep, &arch)) {
        int size;
        MPI_Comm_size(MPI_COMM_WORLD, &size);
        /* one process, or every rank stopped together: nobody to abort, no
         * MPI banner; rank 0 alone says why */
        clean_stop = size == 1 || rep.failed_together;
        reported = rank != 0 && rep.failed_together;
        res = rep.res;          /* the history so far: freed below */
        ev = rep.evaluated;
        goto fail;
    }
    res = rep.res;
    ev = rep.evaluated;
    if (rep.signal_stop) { /* the front and summary so far are written either way */
        if (rank == 0 && (write_front(cfg, &ev) || (summary && write_summary(summary, cfg, &rep))))
            goto fail;
        if (rank == 0 && rep.checkpointed_stop)
            fprintf(stderr, "hwnas: stopped by a signal after a checkpoint to %s; resume with --resume %s\n",
                    run_path, run_path);
        else if (rank == 0)
            fprintf(stderr, "hwnas: stopped by a signal after generation %d (no run file: nothing to resume); "
                            "the front so far is in %s\n", rep.signal_stop - 1, cfg->front_csv);
        status = HW_EXIT_CHECKPOINTED;
        goto fail;
    }
    if (rank != 0) {
        status = HW_EXIT_OK;
        goto fail;
    }
    /* the stop criteria were met and the final checkpoint written: a re-run
     * (or a Slurm requeue) must find a finished run, not extend it */
    if (run_path && ckpt_mark_finished(run_path)) goto fail;
    if (write_front(cfg, &ev)) goto fail;
    printf("\n%d generations, %ld evaluations, %ld measurements, front %d", res.generations, res.evaluations,
           res.measurements, res.front_size);
    if (isfinite(res.hv)) printf(", HV %.6f", res.hv);
    if (isfinite(res.hv_ratio)) printf(", HV ratio %.6f (true front %d/%d found)", res.hv_ratio, res.true_front_found,
                                       res.true_front_size);
    if (res.true_front_outside) printf(" (+%d true-front points outside the reference box)", res.true_front_outside);
    printf(", %.2f s\n", res.wall_s);
    engine_report_print(stdout, cfg, &rep);
    printf("front written to %s\n", cfg->front_csv);
    if (summary && write_summary(summary, cfg, &rep)) goto fail;
    status = HW_EXIT_OK;
fail:
    {
        int fin = 0, ini = 0;
        MPI_Initialized(&ini);
        /* before MPI_Init every rank fails alike: rank 0 alone says why */
        if (status != HW_EXIT_OK && status != HW_EXIT_CHECKPOINTED && !reported && (ini || pre_mpi_rank() == 0))
            cli_report(status);
        if (ini) MPI_Finalized(&fin);
        if (ini && !fin) {
            if (status != HW_EXIT_OK && status != HW_EXIT_CHECKPOINTED && !clean_stop)
                MPI_Abort(MPI_COMM_WORLD, status); /* never leave other ranks hanging */
            MPI_Finalize();
        }
    }
    ckpt_lock_release(lock);
    search_result_free(&res);
    run_points_clear(&ev);
    pareto_archive_free(arch);
    run_snapshot_free(snap);
    for (int i = 0; i < n_warm; i++) run_measurement_clear(&warm[i]);
    free(warm);
    free(front);
    free(front_g);
    free(front_ids);
    free(front_cls);
    eval_table_free(tab);
    space_free(sp);
    search_config_free(cfg);
    return status;
}
