/*
 * write.c — a run's files: summary, replications, verdict, time series,
 * cases, manifest (DESIGN.md §7), each written atomically.
 *
 * Invariant: the files depend only on the variants' results and the
 * journal, in (variant, replication) order — never on timing or threads —
 * except the manifest's clock and thread fields.
 */
#include "cli.h"
#include "../sim/sim.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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
    if (rc == 0 && fn(out.f, vs, n) != 0) {
        cli_out_abort(&out);
        fprintf(stderr, "kimsim: cannot write %s/%s\n", dir, name);
        rc = -1;
    } else if (rc == 0) {
        rc = cli_out_commit(&out);
    }
    free(vs);
    return rc;
}

/* replications.csv is the largest table and takes longest to format; it
 * is formatted into its temporary file on a second thread while the other
 * files are written, and committed (fsync, held for publishing) by the
 * calling thread once joined, so the commit bookkeeping stays on one
 * thread. */
typedef struct bg_table {
    const char *dir;
    an_variant *vs;
    size_t n;
    cli_out out;
    int rc;                       /* 0, or -1 with nothing left open */
} bg_table;

static void *format_replications(void *arg)
{
    bg_table *b = arg;
    b->rc = cli_out_open(&b->out, b->dir, "replications.csv");
    if (b->rc == 0 && an_write_replications(b->out.f, b->vs, b->n) != 0) {
        cli_out_abort(&b->out);
        fprintf(stderr, "kimsim: cannot write %s/replications.csv\n", b->dir);
        b->rc = -1;
    }
    return NULL;
}

static int start_replications(bg_table *b, pthread_t *th, const char *dir,
                              const cli_variant *v, size_t n)
{
    b->dir = dir;
    b->n = n;
    b->vs = sim_xcalloc(n + 1, sizeof *b->vs);
    for (size_t i = 0; i < n; i++) b->vs[i] = v[i].res;
    if (pthread_create(th, NULL, format_replications, b) == 0) return 1;
    format_replications(b);          /* no thread to be had: in line */
    return 0;
}

/* Joins the table's thread; commits the file when `commit`, else drops it. */
static int finish_replications(bg_table *b, pthread_t th, int threaded, int commit)
{
    if (threaded) pthread_join(th, NULL);
    free(b->vs);
    if (b->rc != 0) return -1;
    if (commit) return cli_out_commit(&b->out);
    cli_out_abort(&b->out);
    return 0;
}

static int in_shard(const cli_opts *o, unsigned long r)
{
    return !o->shard_n || (long)(r % (unsigned long)o->shard_n) == o->shard_k - 1;
}

/* Header, then each replication's journal file of kind `ext` in order. */
static int concat_journal(const cli_run *run, const char *dir, const char *name,
                          const char *header, const char *ext, size_t v0, size_t v1)
{
    cli_out out;
    if (cli_out_open(&out, dir, name) != 0) return -1;
    fputs(header, out.f);
    for (size_t v = v0; v < v1; v++)
        for (unsigned long r = 0; r < run->v[v].res.n_reps; r++) {
            if (!in_shard(run->o, r)) continue;
            if (cli_journal_copy(run, v, r, ext, out.f) != 0) {
                int e = ferror(out.f) ? (errno ? errno : EIO) : 0;
                cli_out_abort(&out);
                if (e) {
                    fprintf(stderr, "kimsim: cannot write %s/%s: %s\n", dir, name, strerror(e));
                    return -1;
                }
                fprintf(stderr, "kimsim: cannot read replication %lu from %s for %s/%s\n",
                        r + 1, run->journal, dir, name);
                return -1;
            }
        }
    return cli_out_commit(&out);
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
    fprintf(f, "threads: %d\nranks: %d\n",
            run->o->jobs ? run->o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN), cli_mpi_size());
    if (run->o->shard_n) fprintf(f, "shard: %d/%d\n", run->o->shard_k, run->o->shard_n);
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
                (unsigned long long)scn_hash(&var->sc), (unsigned long long)var->sc.seed,
                var->sc.replications, done);
        if (var->sc.warmup_auto) fprintf(f, "  warmup_auto_days: %.10g\n", var->sc.warmup_days);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    fprintf(f, "events: %llu\noverloaded_replications: %llu\npeak_rss_kib: %ld\ncomplete: %s\n",
            events, overloaded, ru.ru_maxrss, complete ? "yes" : "no");
    return cli_out_commit(&out);
}

/* The files of variants [v0, v1) of one scenario file into dir. */
static int write_scenario(const cli_run *run, const char *dir, size_t v0, size_t v1)
{
    const cli_variant *v = &run->v[v0];
    size_t n = v1 - v0;
    bg_table table = { 0 };
    pthread_t th;
    int threaded = start_replications(&table, &th, dir, v, n);
    int rc = write_with(dir, "summary.csv", an_write_summary, v, n);
    if (!rc) rc = write_with(dir, "verdict.csv", an_write_verdicts, v, n);
    if (!rc && v->sc.sample_days > 0.0)
        rc = concat_journal(run, dir, "timeseries.csv",
                            "scenario,variant,replication,day,group,waiting,open,slots,filled_fte\n",
                            "ts", v0, v1);
    if (!rc && run->o->trace)
        rc = concat_journal(run, dir, "cases.csv",
                            "scenario,variant,replication,case,municipality,case_type,priority,"
                            "arrival_day,start_day,end_day,outcome,post\n", "cases", v0, v1);
    if (!rc && n > 1) rc = cli_write_comparison(dir, v, n);   /* first variant = baseline */
    if (finish_replications(&table, th, threaded, rc == 0) != 0) rc = -1;
    if (!rc) rc = cli_write_manifest(run, dir, v0, v1, 1);
    /* files of an earlier run that this one does not make */
    if (!rc && n < 2) {
        cli_out_drop(dir, "comparison.csv");
    }
    if (!rc && v->sc.sample_days <= 0.0) {
        cli_out_drop(dir, "timeseries.csv");
    }
    if (!rc && !run->o->trace) {
        cli_out_drop(dir, "cases.csv");
    }
    return rc;
}

static int write_all(cli_run *run)
{
    const cli_opts *o = run->o;
    if (o->n_files == 1) return write_scenario(run, run->dir, 0, run->n_v);
    for (size_t f = 0; f < o->n_files; f++) {
        char sub[4200];
        size_t v0 = run->first_of_file[f];
        snprintf(sub, sizeof sub, "%s/%s", run->dir, run->v[v0].sc.name);
        if (cli_mkdirs(sub) != 0) {
            fprintf(stderr, "kimsim: cannot create %s\n", sub);
            return -1;
        }
        if (write_scenario(run, sub, v0, run->first_of_file[f + 1]) != 0) return -1;
    }
    int rc = write_with(run->dir, "summary.csv", an_write_summary, run->v, run->n_v);
    if (!rc) rc = write_with(run->dir, "verdict.csv", an_write_verdicts, run->v, run->n_v);
    if (!rc) rc = cli_write_manifest(run, run->dir, 0, run->n_v, 1);
    return rc;
}

/* Every file, published together: on any failure none replaces the
 * previous run's (files.c). */
int cli_write_outputs(cli_run *run)
{
    cli_out_hold();
    if (write_all(run) != 0) {
        cli_out_discard();
        return -1;
    }
    return cli_out_publish();
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
