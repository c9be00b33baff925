/*
 * write.c — a run's files: summary, replications, verdict, time series,
 * cases, manifest (DESIGN.md §7), each written atomically.
 *
 * Invariant: the files depend only on the variants' results and the
 * journal, in (variant, replication) order — never on timing or threads —
 * except the manifest's clock and thread fields.  They are published as
 * one set (files.c): a failure or a signal before publishing leaves the
 * previous files, and the files of an earlier run that this one does not
 * make are removed only then.
 */
#include "cli.h"
#include "../sim/sim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef int (*writer_fn)(FILE *, const an_variant *, size_t);

static int write_with(const char *dir, const char *name, writer_fn fn,
                      const cli_variant *v, size_t n)
{
    an_variant *vs = sim_xcalloc(n + 1, sizeof *vs);
    for (size_t i = 0; i < n; i++) vs[i] = v[i].res;
    cli_out out;
    int rc = cli_out_open(&out, dir, name);
    errno = 0;
    if (rc == 0 && fn(out.f, vs, n) != 0) {
        int err = errno ? errno : EIO;
        cli_out_abort(&out);
        fprintf(stderr, "kimsim: cannot write %s/%s: %s\n", dir, name, strerror(err));
        rc = -1;
    } else if (rc == 0) {
        rc = cli_out_commit(&out);
    }
    free(vs);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Files assembled from the journal                                    */
/* ------------------------------------------------------------------ */

/* The three kinds, in the journal's log names. */
enum { PART_TS, PART_CASES, PART_REP, N_PART_KINDS };
static const char *const part_ext[N_PART_KINDS] = { "ts", "cases", "rep" };
static const char *const part_name[N_PART_KINDS] = {
    "timeseries.csv", "cases.csv", "replications.csv" };
static const char *const part_header[N_PART_KINDS] = {
    "scenario,variant,replication,day,group,waiting,open,slots,filled_fte\n",
    "scenario,variant,replication,case,municipality,case_type,priority,"
    "arrival_day,start_day,end_day,outcome,post\n",
    "scenario,variant,replication,seed,group,metric,value\n" };

/* One such file of one scenario file (variants [v0, v1)): its replications
 * appended in (variant, replication) order, (v, r) the next to append.
 * Invariant: every replication before (v, r) is in the file, once. */
struct cli_part {
    cli_out out;                /* out.f NULL: not made, or given up */
    int kind;
    size_t v, v1;
    unsigned long r;
    size_t fv;                  /* (fv, fr) <= (v, r): the next whose journal */
    unsigned long fr;           /* text may leave the page cache */
    int grew;                   /* text appended since the last fsync */
    int in_journal;             /* its file is the journal's: records may name it */
    int err;                    /* errno of a write; -1: a journal read failed */
};

/* Does scenario file f's folder get this kind of file? */
static int part_made(const cli_run *run, size_t f, int kind)
{
    if (kind == PART_TS)
        return run->v[run->first_of_file[f]].sc.sample_days > 0.0 &&
               !(run->o->ts_limit && run->o->ts_reps == 0);
    if (kind == PART_CASES) return run->o->trace;
    return 1;
}

static const char *file_dir(const cli_run *run, size_t f, char *buf, size_t n)
{
    if (run->o->n_files == 1) return run->dir;
    snprintf(buf, n, "%s/%s", run->dir, run->v[run->first_of_file[f]].sc.name);
    return buf;
}

/* Opens part k of file f, header written; its temporary file lives in the
 * journal folder, so an interrupted or killed run leaves nothing in the
 * output folder itself. */
static int part_open(cli_run *run, size_t f, int kind)
{
    struct cli_part *p = &run->parts[f * N_PART_KINDS + kind];
    char sub[4200], tag[32];
    const char *dir = file_dir(run, f, sub, sizeof sub);
    snprintf(tag, sizeof tag, "f%zu-", f);
    if (dir != run->dir && cli_mkdirs(dir) != 0) {
        fprintf(stderr, "kimsim: cannot create %s\n", dir);
        return -1;
    }
    p->in_journal = cli_dir_exists(run->journal);      /* merge: none */
    const char *tmp_dir = p->in_journal ? run->journal : dir;
    if (cli_out_open_in(&p->out, tmp_dir, tag, dir, part_name[kind]) != 0) return -1;
    p->out.keep = p->in_journal;
    p->kind = kind;
    p->v = p->fv = run->first_of_file[f];
    p->v1 = run->first_of_file[f + 1];
    p->r = p->fr = 0;
    fputs(part_header[kind], p->out.f);
    return 0;
}

/* A signal seen while the files are written (not while they grow during
 * the run, where the pool stops instead). */
enum { WRITE_INTERRUPTED = -2 };

/* Appends the replications finished in order; stops at the first that is
 * not (yet) in the journal.  1 when the part is complete, 0 when not,
 * -1 after an error; with `interruptible`, WRITE_INTERRUPTED once a
 * signal is seen. */
static int part_advance(cli_run *run, struct cli_part *p, int interruptible)
{
    if (p->err) return -1;
    /* text copied out earlier and now on disk leaves the page cache */
    while (p->fv < p->v || (p->fv == p->v && p->fr < p->r)) {
        if (p->fr >= run->v[p->fv].res.n_reps) {
            p->fv++;
            p->fr = 0;
            continue;
        }
        if (cli_in_shard(run->o, p->fr)) {
            if (!cli_journal_has(run, p->fv, p->fr)) break;
            cli_journal_forget(run, p->fv, p->fr, part_ext[p->kind]);
        }
        p->fr++;
    }
    while (p->v < p->v1) {
        if (p->r >= run->v[p->v].res.n_reps) {
            p->v++;
            p->r = 0;
            continue;
        }
        if (!cli_in_shard(run->o, p->r)) { p->r++; continue; }
        if (!cli_journal_ready(run, p->v, p->r)) return 0;
        if (interruptible && cli_signal_seen) return WRITE_INTERRUPTED;
        long long n = cli_journal_copy(run, p->v, p->r, part_ext[p->kind], p->out.f,
                                       p->out.tmp);
        if (n < 0) {
            p->err = ferror(p->out.f) ? (errno ? errno : EIO) : -1;
            return -1;
        }
        p->grew |= n > 0;
        p->r++;
    }
    return 1;
}

/* One part per scenario file and kind, none open yet. */
static void parts_alloc(cli_run *run)
{
    run->n_parts = run->o->n_files * N_PART_KINDS;
    run->parts = sim_xcalloc(run->n_parts, sizeof *run->parts);
}

void cli_assemble_start(cli_run *run)
{
    if (!run->journal[0] || cli_mpi_rank() != 0 || run->parts) return;
    parts_alloc(run);
    for (size_t f = 0; f < run->o->n_files; f++)
        for (int k = 0; k < N_PART_KINDS; k++)
            if (part_made(run, f, k)) part_open(run, f, k);   /* else, or failed: at the end */
}

int cli_assembling(const cli_run *run)
{
    /* a --shard run keeps its journal for merge, and publishing moves the
     * files out of it: its writers keep their text in their logs */
    return run->parts && !run->o->shard_n;
}

/* Appends what the batch made ready; the text is on disk when it returns
 * 0, as the journal's records may name these files. */
int cli_assemble(void *arg)
{
    cli_run *run = arg;
    int err = 0;
    for (size_t i = 0; i < run->n_parts; i++) {
        struct cli_part *p = &run->parts[i];
        if (!p->out.f) continue;
        part_advance(run, p, 0);
        if (!p->grew) continue;
        p->grew = 0;
        /* what this batch appended must be on disk, or no record may
         * name it: a failed append or fsync fails the batch */
        if (p->err || fflush(p->out.f) != 0 || fsync(fileno(p->out.f)) != 0) {
            if (!p->err) p->err = errno ? errno : EIO;
            if (!err) err = p->err > 0 ? p->err : EIO;
        }
    }
    if (err) errno = err;
    return err ? -1 : 0;
}

void cli_assemble_abort(cli_run *run)
{
    for (size_t i = 0; i < run->n_parts; i++) {
        cli_out *out = &run->parts[i].out;
        if (out->f) cli_out_abort(out);     /* in the journal (keep), records may name it */
    }
    free(run->parts);
    run->parts = NULL;
    run->n_parts = 0;
}

/* Completes part `kind` of file f (opening it if the run did not) and
 * commits it. */
static int part_finish(cli_run *run, size_t f, int kind)
{
    if (!run->parts) parts_alloc(run);
    struct cli_part *p = &run->parts[f * N_PART_KINDS + kind];
    if (!p->out.f && part_open(run, f, kind) != 0) return -1;
    int rc = part_advance(run, p, 1);
    if (rc == 1) return cli_out_commit(&p->out);
    if (rc == WRITE_INTERRUPTED) {
        cli_out_abort(&p->out);
        return WRITE_INTERRUPTED;
    }
    if (p->err > 0) {
        fprintf(stderr, "kimsim: cannot write %s: %s\n", p->out.path, strerror(p->err));
    } else {
        unsigned long r = p->v < p->v1 ? p->r : 0;
        fprintf(stderr, "kimsim: cannot read replication %lu from %s for %s\n", r + 1,
                run->journal, p->out.path);
    }
    cli_out_abort(&p->out);
    return -1;
}

static void iso_time(double t, char *buf, size_t n)
{
    time_t s = (time_t)t;
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int cli_write_manifest(const cli_run *run, const char *dir, size_t v0, size_t v1, int complete)
{
    cli_out out;
    if (cli_out_open(&out, dir, "manifest.txt") != 0) return -1;
    FILE *f = out.f;
    char t0[64], t1[64];
    iso_time(run->started, t0, sizeof t0);
    iso_time(run->ended, t1, sizeof t1);
    fprintf(f, "kimsim_version: %s\ncommand:", KIMSIM_VERSION);
    for (int i = 0; i < run->o->argc; i++) fprintf(f, " %s", run->o->argv[i]);
    fprintf(f, "\nstarted: %s\nended: %s\nwall_seconds: %.3f\nreplication_seconds: %.3f\n",
            t0, t1, run->ended - run->started, run->exec_seconds);
    fprintf(f, "replication_cpu_seconds: %.3f\njournal_cpu_seconds: %.3f\n",
            run->rep_cpu_seconds, run->journal_cpu_seconds);
    fprintf(f, "threads: %d\nranks: %d\n",
            run->o->jobs ? run->o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN), cli_mpi_size());
    if (run->o->shard_n) fprintf(f, "shard: %d/%d\n", run->o->shard_k, run->o->shard_n);
    if (run->o->ts_limit) fprintf(f, "timeseries_replications: %ld\n", run->o->ts_reps);
    unsigned long long events = 0, overloaded = 0;
    for (size_t v = v0; v < v1; v++) {
        const cli_variant *var = &run->v[v];
        unsigned long done = 0;
        for (size_t r = 0; r < var->res.n_reps; r++)
            if (var->res.info[r].events) { events += var->res.info[r].events; done++; }
        for (size_t r = 0; r < var->res.n_reps; r++) overloaded += var->res.info[r].overloaded;
        fprintf(f, "scenario: %s\n  file: %s\n  variant: %s\n  hash: %016llx\n"
                   "  seed: %llu\n  replications: %ld\n  finished: %lu\n",
                var->sc.name, var->sc.source ? var->sc.source : "", var->label,
                (unsigned long long)var->hash, (unsigned long long)var->sc.seed,
                var->sc.replications, done);
        if (var->sc.warmup_auto) fprintf(f, "  warmup_auto_days: %.10g\n", var->sc.warmup_days);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    fprintf(f, "events: %llu\noverloaded_replications: %llu\npeak_rss_kib: %ld\ncomplete: %s\n",
            events, overloaded, ru.ru_maxrss, complete ? "yes" : "no");
    return cli_out_commit(&out);
}

/* 0 while no signal has come, else WRITE_INTERRUPTED: checked between
 * files (and while parts are copied), so a signal abandons the write. */
static int unless_signalled(int rc)
{
    return rc ? rc : cli_signal_seen ? WRITE_INTERRUPTED : 0;
}

/* The files kimsim makes in a run's folder and its scenario sub-folders
 * (DESIGN.md §7): the only ones a new run removes there. */
static const char *const run_files[] = {
    "summary.csv", "replications.csv", "verdict.csv", "timeseries.csv", "cases.csv",
    "comparison.csv", "manifest.txt" };

/* The files of scenario file f (variants [v0, v1)) into dir. */
static int write_scenario(cli_run *run, size_t f, const char *dir, size_t v0, size_t v1)
{
    const cli_variant *v = &run->v[v0];
    size_t n = v1 - v0;
    int rc = unless_signalled(write_with(dir, "summary.csv", an_write_summary, v, n));
    for (int k = 0; k < N_PART_KINDS; k++)
        if (!rc && part_made(run, f, k)) rc = unless_signalled(part_finish(run, f, k));
    if (!rc) rc = unless_signalled(write_with(dir, "verdict.csv", an_write_verdicts, v, n));
    if (!rc && n > 1) rc = unless_signalled(cli_write_comparison(dir, v, n));  /* first = baseline */
    if (!rc) rc = unless_signalled(cli_write_manifest(run, dir, v0, v1, 1));
    /* files of an earlier run that this one does not make */
    if (!rc && n < 2) {
        cli_out_drop(dir, "comparison.csv");
    }
    if (!rc && !part_made(run, f, PART_TS)) {
        cli_out_drop(dir, "timeseries.csv");
    }
    if (!rc && !run->o->trace) {
        cli_out_drop(dir, "cases.csv");
    }
    return rc;
}

/* Is name the folder of one of this run's scenario files? */
static int makes_folder(const cli_run *run, const char *name)
{
    for (size_t f = 0; run->o->n_files > 1 && f < run->o->n_files; f++)
        if (!strcmp(run->v[run->first_of_file[f]].sc.name, name)) return 1;
    return 0;
}

/* The scenario folders of an earlier run in the folder (the "scenario:"
 * lines of its manifest.txt, when they name more than one scenario: a
 * run of several files) that this run does not make: their files go at
 * publishing, then the folders if nothing else is in them. */
static void drop_old_folders(const cli_run *run)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/manifest.txt", run->dir);
    char *text = cli_read_text(path);
    if (!text) return;
    const char **names = NULL;
    size_t n = 0;
    int several = 0;
    for (char *line = text, *next; *line; line = next) {
        next = line + strcspn(line, "\n");
        if (*next) *next++ = '\0';
        if (strncmp(line, "scenario: ", 10)) continue;
        names = sim_xrealloc(names, (n + 1) * sizeof *names);
        names[n] = line + 10;
        several |= strcmp(names[0], names[n++]) != 0;
    }
    for (size_t i = 0; several && i < n; i++) {
        const char *name = names[i];
        char sub[4200];
        struct stat st;
        if (!name[0] || name[0] == '.' || strchr(name, '/') || makes_folder(run, name))
            continue;
        snprintf(sub, sizeof sub, "%s/%s", run->dir, name);
        if (lstat(sub, &st) != 0 || !S_ISDIR(st.st_mode)) continue;
        for (size_t k = 0; k < sizeof run_files / sizeof *run_files; k++)
            cli_out_drop(sub, run_files[k]);
        cli_out_drop_dir(sub);
    }
    free(names);
    free(text);
}

static int write_all(cli_run *run)
{
    const cli_opts *o = run->o;
    drop_old_folders(run);
    if (o->n_files == 1) return write_scenario(run, 0, run->dir, 0, run->n_v);
    for (size_t f = 0; f < o->n_files; f++) {
        char sub[4200];
        size_t v0 = run->first_of_file[f];
        snprintf(sub, sizeof sub, "%s/%s", run->dir, run->v[v0].sc.name);
        if (cli_mkdirs(sub) != 0) {
            fprintf(stderr, "kimsim: cannot create %s\n", sub);
            return -1;
        }
        int rc = write_scenario(run, f, sub, v0, run->first_of_file[f + 1]);
        if (rc) return rc;
    }
    int rc = unless_signalled(write_with(run->dir, "summary.csv", an_write_summary, run->v,
                                         run->n_v));
    if (!rc) rc = unless_signalled(write_with(run->dir, "verdict.csv", an_write_verdicts,
                                              run->v, run->n_v));
    if (!rc) rc = unless_signalled(cli_write_manifest(run, run->dir, 0, run->n_v, 1));
    /* the top level of several files holds the combined files only */
    for (size_t i = 0; !rc && i < sizeof run_files / sizeof *run_files; i++)
        if (strcmp(run_files[i], "summary.csv") && strcmp(run_files[i], "verdict.csv") &&
            strcmp(run_files[i], "manifest.txt"))
            cli_out_drop(run->dir, run_files[i]);
    return rc;
}

/* Stale temporaries of killed runs: in the folder, the scenario folders
 * and a --shard run's journal (which stays; its records name only logs). */
static void sweep(const cli_run *run)
{
    cli_out_sweep(run->dir);
    for (size_t f = 0; run->o->n_files > 1 && f < run->o->n_files; f++) {
        char sub[4200];
        snprintf(sub, sizeof sub, "%s/%s", run->dir, run->v[run->first_of_file[f]].sc.name);
        cli_out_sweep(sub);
    }
    if (run->o->shard_n && run->journal[0]) cli_out_sweep(run->journal);
}

/* Every file, published together: on any failure or signal none replaces
 * the previous run's (files.c).  A signal that comes while they are
 * renamed into place comes too late to stop the run: it completes.  After
 * a signal the signals stay caught, so that a second one cannot cut short
 * the caller's marking the run incomplete. */
int cli_write_files(cli_run *run)
{
    cli_signals_catch();
    cli_out_hold();
    int rc = write_all(run);
    cli_assemble_abort(run);          /* parts not committed: a failure */
    if (!rc) cli_test_stall("publish");
    rc = unless_signalled(rc);
    if (rc == WRITE_INTERRUPTED) {
        cli_out_discard();
        return 128 + cli_signal_seen;
    }
    rc = rc ? -1 : cli_out_publish();
    if (rc) cli_out_discard();        /* a no-op after publishing */
    else sweep(run);
    cli_signals_restore();
    return rc;
}

int cli_write_interrupted(cli_run *run, int sig)
{
    char ident[4200];
    snprintf(ident, sizeof ident, "%s/ident", run->journal);
    cli_assemble_abort(run);
    if (run->journal[0] && access(ident, F_OK) == 0) {
        cli_write_manifest(run, run->dir, 0, run->n_v, 0);
        fprintf(stderr, "kimsim: interrupted; finished replications are kept in %s "
                        "(continue with --resume)\n", run->dir);
    } else {
        if (run->journal[0]) cli_rm_tree(run->journal);
        fprintf(stderr, "kimsim: interrupted; nothing written (rerun with --force)\n");
    }
    return 128 + sig;
}

void cli_print_tables(const cli_run *run)
{
    int colour = isatty(1) && !getenv("NO_COLOR");
    for (size_t v = 0; v < run->n_v; v++) {
        if (v) fputc('\n', stdout);
        an_print_table(stdout, &run->v[v].res, colour);
    }
    fflush(stdout);
}
