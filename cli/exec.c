/*
 * exec.c — runs the replications of every variant on a pool of threads,
 * journalling each finished replication so an interrupted run can resume.
 *
 * Invariants: a replication's results depend only on (scenario, variant,
 * replication index), never on the thread that ran it, so every output is
 * byte-identical for any -j.  A replication counts as finished only when
 * its .res journal file exists; that file is renamed into place after its
 * time series and case files are on disk (fsync), so a crash or kill -9
 * loses at most the replications in flight.
 */
#include "cli.h"
#include "../sim/sim.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

volatile sig_atomic_t cli_signal_seen;

typedef struct pool {
    cli_run *run;
    size_t n, total_all, done_before;
    size_t *tv;                  /* variant of each pending task */
    unsigned long *tr;           /* replication of each pending task */
    atomic_size_t next, done;
    atomic_ullong events;
    atomic_int failed;
    pthread_mutex_t lock;
    double last_print;
} pool;

typedef struct obs_ctx {
    FILE *ts, *cases;
    char prefix[1024];           /* "scenario,variant,replication," quoted */
    const kim_scenario *sc;
} obs_ctx;

/* ------------------------------------------------------------------ */
/* Journal file names                                                   */
/* ------------------------------------------------------------------ */

void cli_journal_path(const cli_run *run, size_t v, unsigned long r,
                      const char *ext, char *buf, size_t n)
{
    snprintf(buf, n, "%s/v%03zu-r%07lu.%s", run->journal, v, r + 1, ext);
}

static int write_res(const cli_run *run, size_t v, unsigned long r)
{
    char path[4200], tmp[4300];
    cli_journal_path(run, v, r, "res", path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    const an_variant *res = &run->v[v].res;
    FILE *f = fopen(tmp, "w");
    if (!f) return -1;
    const kim_run_info *in = &res->info[r];
    fprintf(f, "%llu %a %llu\n", (unsigned long long)in->events, in->warmup_days,
            (unsigned long long)in->seed);
    const double *x = an_values(res, r, 0);
    size_t n = res->groups->n * KIM_N_METRICS;
    for (size_t i = 0; i < n; i++) fprintf(f, "%a\n", x[i]);
    int bad = fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) { unlink(tmp); return -1; }
    return 0;
}

/* Reads a finished replication back; 0 when it was there and whole. */
static int read_res(cli_run *run, size_t v, unsigned long r)
{
    char path[4200];
    cli_journal_path(run, v, r, "res", path, sizeof path);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    an_variant *res = &run->v[v].res;
    kim_run_info *in = &res->info[r];
    unsigned long long ev, seed;
    int ok = fscanf(f, "%llu %la %llu", &ev, &in->warmup_days, &seed) == 3;
    double *x = an_values(res, r, 0);
    size_t n = res->groups->n * KIM_N_METRICS;
    for (size_t i = 0; ok && i < n; i++) ok = fscanf(f, "%la", &x[i]) == 1;
    fclose(f);
    in->events = ev;
    in->seed = seed;
    return ok ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* Observers: time series and case trace into the journal               */
/* ------------------------------------------------------------------ */

static void on_sample(void *ctx, double day, const char *group, long waiting,
                      long open, long slots, double filled)
{
    obs_ctx *o = ctx;
    fputs(o->prefix, o->ts);
    fprintf(o->ts, "%.10g,", day);
    an_csv_field(o->ts, group);
    fprintf(o->ts, ",%ld,%ld,%ld,%.10g\n", waiting, open, slots, filled);
}

static void on_trace(void *ctx, uint64_t no, size_t muni, size_t type, int prio,
                     double arrival, double start, double end, const char *outcome,
                     long post)
{
    obs_ctx *o = ctx;
    const kim_scenario *sc = o->sc;
    fputs(o->prefix, o->cases);
    fprintf(o->cases, "%llu,", (unsigned long long)no);
    an_csv_field(o->cases, sc->munis[muni].name);
    fputc(',', o->cases);
    an_csv_field(o->cases, sc->case_types[type].name);
    fprintf(o->cases, ",%d,%.10g,", prio, arrival);
    if (!isnan(start)) fprintf(o->cases, "%.10g", start);
    fputc(',', o->cases);
    if (!isnan(end)) fprintf(o->cases, "%.10g", end);
    fprintf(o->cases, ",%s,", outcome);
    if (post >= 0) an_csv_field(o->cases, sc->posts[post].name);
    fputc('\n', o->cases);
}

static void make_prefix(obs_ctx *o, const cli_variant *v, unsigned long r)
{
    FILE *f = fmemopen(o->prefix, sizeof o->prefix, "w");
    an_csv_field(f, v->sc.name);
    fputc(',', f);
    an_csv_field(f, v->label);
    fprintf(f, ",%lu,", r + 1);
    fclose(f);
}

static FILE *open_journal(const cli_run *run, size_t v, unsigned long r, const char *ext)
{
    char path[4200];
    cli_journal_path(run, v, r, ext, path, sizeof path);
    return fopen(path, "w");
}

static int close_synced(FILE *f)
{
    if (!f) return 0;
    int bad = fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0;
    return (fclose(f) != 0 || bad) ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* Workers                                                              */
/* ------------------------------------------------------------------ */

static int run_task(pool *pl, kim_model **models, size_t v, unsigned long r)
{
    cli_run *run = pl->run;
    cli_variant *var = &run->v[v];
    obs_ctx oc = { .sc = &var->sc };
    kim_observer obs = { &oc, NULL, NULL };
    int journal = run->journal[0] != '\0';
    make_prefix(&oc, var, r);
    if (journal && var->sc.sample_days > 0.0) {
        if (!(oc.ts = open_journal(run, v, r, "ts"))) return -1;
        obs.sample = on_sample;
    }
    if (journal && run->o->trace) {
        if (!(oc.cases = open_journal(run, v, r, "cases"))) { fclose(oc.ts); return -1; }
        obs.trace = on_trace;
    }
    if (!models[v]) models[v] = kim_model_new(&var->sc);
    kim_model_run(models[v], r, &obs, an_values(&var->res, r, 0), &var->res.info[r]);
    int bad = close_synced(oc.ts);
    bad |= close_synced(oc.cases);
    if (bad || (journal && write_res(run, v, r) != 0)) return -1;
    atomic_fetch_add(&pl->events, var->res.info[r].events);
    return 0;
}

static void progress(pool *pl, int final)
{
    if (pl->run->o->quiet || !isatty(2)) return;
    double now = cli_wall_seconds();
    pthread_mutex_lock(&pl->lock);
    if (final || now - pl->last_print >= 0.25) {
        size_t done = pl->done_before + atomic_load(&pl->done);
        double el = now - pl->run->started;
        double rate = atomic_load(&pl->done) / (el > 1e-9 ? el : 1e-9);
        double eta = rate > 0 ? (double)(pl->total_all - done) / rate : 0.0;
        fprintf(stderr, "\rkimsim: %zu/%zu replications, %.1f s elapsed, ETA %.1f s   %s",
                done, pl->total_all, el, eta, final ? "\n" : "");
        pl->last_print = now;
    }
    pthread_mutex_unlock(&pl->lock);
}

static void *worker(void *arg)
{
    pool *pl = arg;
    kim_model **models = sim_xcalloc(pl->run->n_v + 1, sizeof *models);
    for (;;) {
        if (cli_signal_seen || atomic_load(&pl->failed)) break;
        size_t i = atomic_fetch_add(&pl->next, 1);
        if (i >= pl->n) break;
        if (run_task(pl, models, pl->tv[i], pl->tr[i]) != 0) {
            atomic_store(&pl->failed, errno ? errno : EIO);
            break;
        }
        atomic_fetch_add(&pl->done, 1);
        progress(pl, 0);
    }
    for (size_t v = 0; v < pl->run->n_v; v++) kim_model_free(models[v]);
    free(models);
    return NULL;
}

static void on_signal(int sig)
{
    cli_signal_seen = sig;
}

static int jobs_default(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* Pending tasks: this shard's replications without a journal entry. */
static void plan(pool *pl)
{
    cli_run *run = pl->run;
    const cli_opts *o = run->o;
    for (size_t v = 0; v < run->n_v; v++) {
        an_variant *res = &run->v[v].res;
        for (unsigned long r = 0; r < res->n_reps; r++) {
            if (o->shard_n && (long)(r % (unsigned long)o->shard_n) != o->shard_k - 1) continue;
            pl->total_all++;
            if (o->resume && run->journal[0] && read_res(run, v, r) == 0) {
                pl->done_before++;
                atomic_fetch_add(&pl->events, res->info[r].events);
                continue;
            }
            pl->tv[pl->n] = v;
            pl->tr[pl->n] = r;
            pl->n++;
        }
    }
}

int cli_execute(cli_run *run)
{
    size_t total = 0;
    for (size_t v = 0; v < run->n_v; v++) total += run->v[v].res.n_reps;
    pool pl = { .run = run };
    pl.tv = sim_xcalloc(total + 1, sizeof *pl.tv);
    pl.tr = sim_xcalloc(total + 1, sizeof *pl.tr);
    pthread_mutex_init(&pl.lock, NULL);
    plan(&pl);
    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    int jobs = run->o->jobs ? run->o->jobs : jobs_default();
    if ((size_t)jobs > pl.n) jobs = pl.n ? (int)pl.n : 1;
    pthread_t *th = sim_xcalloc((size_t)jobs, sizeof *th);
    for (int i = 1; i < jobs; i++) pthread_create(&th[i], NULL, worker, &pl);
    worker(&pl);
    for (int i = 1; i < jobs; i++) pthread_join(th[i], NULL);
    progress(&pl, 1);
    free(th);
    run->events = atomic_load(&pl.events);
    run->interrupted = cli_signal_seen;
    int failed = atomic_load(&pl.failed);
    if (failed)
        fprintf(stderr, "kimsim: cannot write the journal in %s: %s\n", run->journal,
                strerror(failed));
    free(pl.tv);
    free(pl.tr);
    pthread_mutex_destroy(&pl.lock);
    return failed ? CLI_EFAIL : 0;
}
