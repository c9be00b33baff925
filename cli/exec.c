/*
 * exec.c — runs the replications of every variant on a pool of threads
 * (and, built with MPI, across ranks), each thread journalling what it
 * finishes (journal.c) so an interrupted run can resume.
 *
 * Invariants: a replication's results depend only on (scenario, variant,
 * replication index), never on the thread or rank that ran it, so every
 * output is byte-identical for any -j, --shard split or number of ranks.
 * Replication r belongs to shard K/N when r % N == K-1; the shard's m
 * replications of a variant (the i-th is r = i N + K-1) go to the ranks
 * in contiguous blocks, the i-th to rank i * ranks / m, so that rank 0's
 * block comes first and its files grow during the run (write.c).  With
 * an empty run->journal nothing is written: results stay in memory.
 *
 * Signals: SIGINT and SIGTERM only set cli_signal_seen while kimsim can
 * stop cleanly on them (cli_signals_catch): the pool stops taking
 * replications, the final write abandons its files (write.c); one that
 * was ignored when kimsim started stays ignored.
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
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t cli_signal_seen;

typedef struct pool {
    cli_run *run;
    int rank, ranks, show_progress;
    size_t n, total_all, done_before;
    size_t *tv;                  /* variant of each pending task */
    unsigned long *tr;           /* replication of each pending task */
    atomic_size_t next, done;
    atomic_int failed;
    pthread_mutex_t lock;
    double last_print;
    double cpu_seconds;          /* the replication threads' CPU time (lock) */
} pool;

typedef struct worker_arg {
    pool *pl;
    int thread;
} worker_arg;

/* The time series of a replication is formatted into `rows` and handed
 * to the journal's log in large pieces: per row only the waiting and open
 * counts are formatted, the rest is copied from text made once per
 * replication (prefix), per variant (each group's field), per sample (the
 * head: prefix and day) or when capacity changes (the row's tail). */
/* The end of a group's time-series rows, "slots,filled_fte\n": it changes
 * only with capacity, so it is made again only then.  len 0: not yet. */
typedef struct row_tail {
    long slots;
    double filled;
    size_t len;
    char text[64];               /* at most 21 + 1 + 32 + 1 bytes */
} row_tail;

typedef struct obs_ctx {
    FILE *ts, *cases;
    char prefix[1024];           /* "scenario,variant,replication," quoted */
    size_t prefix_len;
    const kim_scenario *sc;
    const cli_variant *var;      /* whose group fields these are */
    char **field;                /* per group: the quoted label and ',' */
    size_t *field_len, n_fields;
    row_tail *tail;              /* per group: its rows' last two fields */
    char head[1024 + 64];        /* prefix and the sample's day */
    char *rows;                  /* pending time-series text */
    size_t n_rows, cap_rows;
    int ts_err;                  /* a write of rows failed */
    int ts_logged;               /* this replication's rows went to the log */
} obs_ctx;

/* ------------------------------------------------------------------ */
/* Observers: time series and case trace into the journal               */
/* ------------------------------------------------------------------ */

/* Rows go to the journal in pieces larger than its stdio buffer, which
 * stdio then writes without copying them into the buffer first. */
enum { ROWS_FLUSH = 1 << 20, SLACK = 32 };

/* Copies n bytes from s to p, rounding short copies up to SLACK bytes:
 * the sources are at least SLACK bytes long and the row buffer keeps
 * SLACK bytes spare, so a fixed-size copy (two vector moves) replaces a
 * call for most fields. */
static inline char *put_bytes(char *p, const char *s, size_t n)
{
    if (n <= SLACK) memcpy(p, s, SLACK);
    else memcpy(p, s, n);
    return p + n;
}

static void flush_rows(obs_ctx *o)
{
    if (o->n_rows && fwrite(o->rows, 1, o->n_rows, o->ts) != o->n_rows) o->ts_err = 1;
    o->ts_logged |= o->n_rows > 0;
    o->n_rows = 0;
}

/* Each group's CSV field, made once per variant a thread runs. */
static void group_fields(obs_ctx *o, const cli_variant *v)
{
    for (size_t g = 0; g < o->n_fields; g++) free(o->field[g]);
    o->n_fields = v->groups.n;
    o->field = sim_xrealloc(o->field, (o->n_fields + 1) * sizeof *o->field);
    o->field_len = sim_xrealloc(o->field_len, (o->n_fields + 1) * sizeof *o->field_len);
    o->tail = sim_xrealloc(o->tail, (o->n_fields + 1) * sizeof *o->tail);
    for (size_t g = 0; g < o->n_fields; g++) {
        o->field[g] = sim_xcalloc(2 * strlen(v->groups.label[g]) + 3 + SLACK, 1);
        char *e = an_fmt_field(o->field[g], v->groups.label[g]);
        *e++ = ',';
        o->field_len[g] = (size_t)(e - o->field[g]);
        o->tail[g].len = 0;
    }
    o->var = v;
}

/* A sample's rows, one per group (district, municipalities, posts). */
static void on_sample(void *ctx, double day, const kim_sample *rows, size_t n)
{
    obs_ctx *o = ctx;
    char *e = put_bytes(o->head, o->prefix, o->prefix_len);
    e = an_fmt_num(e, day);
    *e++ = ',';
    size_t head_len = (size_t)(e - o->head);
    SIM_ASSERT(n <= o->n_fields);
    for (size_t g = 0; g < n; g++) {
        const kim_sample *s = &rows[g];
        size_t need = head_len + o->field_len[g] + 2 * 22 + sizeof o->tail->text + SLACK;
        if (o->n_rows + need > o->cap_rows) {
            if (o->n_rows >= ROWS_FLUSH || need > o->cap_rows) flush_rows(o);
            if (need > o->cap_rows) {
                o->cap_rows = need > ROWS_FLUSH ? 2 * need : 2 * ROWS_FLUSH;
                o->rows = sim_xrealloc(o->rows, o->cap_rows);
            }
        }
        char *p = o->rows + o->n_rows;
        p = put_bytes(p, o->head, head_len);
        p = put_bytes(p, o->field[g], o->field_len[g]);
        p = an_fmt_long(p, s->waiting);
        *p++ = ',';
        p = an_fmt_long(p, s->open);
        *p++ = ',';
        row_tail *t = &o->tail[g];
        if (!t->len || t->slots != s->slots ||
            memcmp(&t->filled, &s->filled_fte, sizeof t->filled) != 0) {
            char *te = an_fmt_long(t->text, s->slots);
            *te++ = ',';
            te = an_fmt_num(te, s->filled_fte);
            *te++ = '\n';
            t->len = (size_t)(te - t->text);
            t->slots = s->slots;
            t->filled = s->filled_fte;
        }
        p = put_bytes(p, t->text, t->len);
        o->n_rows = (size_t)(p - o->rows);
    }
    if (o->n_rows >= ROWS_FLUSH) flush_rows(o);
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
    o->prefix_len = strlen(o->prefix);
}

/* ------------------------------------------------------------------ */
/* Workers                                                              */
/* ------------------------------------------------------------------ */

/* One thread's workspaces: a model per variant, made when first needed,
 * and its journal writer, opened at its first replication (the journal
 * owns and closes it). */
typedef struct worker_ws {
    kim_model **models;
    cli_jwriter *jw;
    int thread;
    obs_ctx oc;
} worker_ws;

static int run_task(cli_run *run, worker_ws *ws, size_t v, unsigned long r)
{
    cli_variant *var = &run->v[v];
    obs_ctx *oc = &ws->oc;
    kim_observer obs = { oc, NULL, NULL };
    oc->sc = &var->sc;
    make_prefix(oc, var, r);
    if (oc->var != var) group_fields(oc, var);
    oc->ts_logged = 0;
    if (run->journal[0]) {
        if (!ws->jw && !(ws->jw = cli_jwriter_open(run, cli_mpi_rank(), ws->thread))) return -1;
        cli_jwriter_begin(ws->jw);
        oc->ts = cli_jwriter_file(ws->jw, "ts");
        oc->cases = cli_jwriter_file(ws->jw, "cases");
        if (var->sc.sample_days > 0.0 && (!run->o->ts_limit || (long)r < run->o->ts_reps))
            obs.sample = on_sample;         /* --timeseries N: replications 1..N */
        if (run->o->trace) obs.trace = on_trace;
    }
    if (!ws->models[v]) ws->models[v] = kim_model_new(&var->sc);
    if (kim_model_run(ws->models[v], r, &obs, an_values(&var->res, r, 0),
                      &var->res.info[r]) == KIM_RUN_OVERLOADED)
        var->res.info[r].overloaded = 1;    /* counted at the end and in the manifest */
    if (!run->journal[0]) return 0;
    /* its replications.csv rows, formatted here in parallel, not at the end */
    size_t n_rep;
    char *rep = an_format_replication(&var->res, r, &n_rep);
    if (cli_assembling(run)) {
        /* written once, by the syncer: straight into the files being
         * assembled when this replication is next there */
        if (oc->ts_logged) {
            flush_rows(oc);
        } else if (oc->n_rows) {
            /* a copy the size of the text, not the buffer itself: the
             * copy (~15 us) reuses memory the syncer freed, where a new
             * 2 MB buffer per replication costs ~25 page faults (~35 us) */
            cli_jwriter_give(ws->jw, "ts", memcpy(sim_xmalloc(oc->n_rows), oc->rows, oc->n_rows),
                             oc->n_rows);
            oc->n_rows = 0;
        }
        cli_jwriter_give(ws->jw, "rep", rep, n_rep);
    } else {
        flush_rows(oc);
        FILE *f = cli_jwriter_file(ws->jw, "rep");
        int bad = fwrite(rep, 1, n_rep, f) != n_rep;
        free(rep);
        if (bad) return -1;
    }
    if (oc->ts_err) return -1;
    return cli_jwriter_commit(ws->jw, run, v, r);
}

static void progress(pool *pl, int final)
{
    if (!pl->show_progress) return;
    double now = cli_wall_seconds();
    pthread_mutex_lock(&pl->lock);
    if (final || now - pl->last_print >= 0.25) {
        size_t done = pl->done_before + atomic_load(&pl->done);
        double el = now - pl->run->started;
        double rate = (double)atomic_load(&pl->done) / (el > 1e-9 ? el : 1e-9);
        double eta = rate > 0 ? (double)(pl->total_all - done) / rate : 0.0;
        fprintf(stderr, "\rkimsim: %zu/%zu replications, %.1f s elapsed, ETA %.1f s   %s",
                done, pl->total_all, el, eta, final ? "\n" : "");
        pl->last_print = now;
    }
    pthread_mutex_unlock(&pl->lock);
}

static void *worker(void *arg)
{
    double cpu0 = cli_thread_cpu_seconds();
    worker_ws ws;
    memset(&ws, 0, sizeof ws);
    pool *pl = ((worker_arg *)arg)->pl;
    ws.thread = ((worker_arg *)arg)->thread;
    ws.models = sim_xcalloc(pl->run->n_v + 1, sizeof *ws.models);
    for (;;) {
        if (cli_signal_seen || atomic_load(&pl->failed)) break;
        size_t i = atomic_fetch_add(&pl->next, 1);
        if (i >= pl->n) break;
        errno = 0;
        if (run_task(pl->run, &ws, pl->tv[i], pl->tr[i]) != 0) {
            atomic_store(&pl->failed, errno ? errno : EIO);
            break;
        }
        atomic_fetch_add(&pl->done, 1);
        progress(pl, 0);
    }
    for (size_t v = 0; v < pl->run->n_v; v++) kim_model_free(ws.models[v]);
    for (size_t g = 0; g < ws.oc.n_fields; g++) free(ws.oc.field[g]);
    free(ws.oc.field);
    free(ws.oc.field_len);
    free(ws.oc.tail);
    free(ws.oc.rows);
    free(ws.models);
    double cpu = cli_thread_cpu_seconds() - cpu0;
    pthread_mutex_lock(&pl->lock);
    pl->cpu_seconds += cpu;
    pthread_mutex_unlock(&pl->lock);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Signals                                                              */
/* ------------------------------------------------------------------ */

static void on_signal(int sig)
{
    cli_signal_seen = sig;
}

static const int caught_signals[2] = { SIGINT, SIGTERM };
static struct sigaction saved[2];
static int catching;

void cli_signals_catch(void)
{
    if (catching) return;
    struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 2; i++) {
        sigaction(caught_signals[i], NULL, &saved[i]);
        if (saved[i].sa_handler != SIG_IGN)         /* POSIX: an ignored one stays so */
            sigaction(caught_signals[i], &sa, NULL);
    }
    catching = 1;
}

void cli_signals_restore(void)
{
    if (!catching) return;
    for (int i = 0; i < 2; i++) sigaction(caught_signals[i], &saved[i], NULL);
    catching = 0;
}

void cli_test_stall(const char *point)
{
    const char *want = getenv("KIMSIM_TEST_STALL");
    if (!want || strcmp(want, point)) return;
    struct timespec ten_ms = { 0, 10000000 };
    for (int i = 0; i < 3000 && !cli_signal_seen; i++) nanosleep(&ten_ms, NULL);
}

/* ------------------------------------------------------------------ */
/* Planning: which replications this process runs                      */
/* ------------------------------------------------------------------ */

static int jobs_default(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

int cli_in_shard(const cli_opts *o, unsigned long r)
{
    return !o->shard_n || (long)(r % (unsigned long)o->shard_n) == o->shard_k - 1;
}

/* Is replication r (of a variant with n_reps) of the shard this rank's? */
static int rank_owns(const cli_opts *o, unsigned long r, unsigned long n_reps, int rank,
                     int ranks)
{
    unsigned long n = o->shard_n ? (unsigned long)o->shard_n : 1;
    unsigned long k = o->shard_n ? (unsigned long)o->shard_k - 1 : 0;
    unsigned long m = n_reps > k ? (n_reps - k + n - 1) / n : 0;   /* the shard's */
    if (m == 0) return rank == 0;
    return (long)((unsigned long long)(r / n) * (unsigned long)ranks / m) == rank;
}

/* Pending tasks: this rank's replications of the shard that the journal
 * does not hold yet (after an interrupted run, with --resume). */
static void plan(pool *pl)
{
    cli_run *run = pl->run;
    const cli_opts *o = run->o;
    for (size_t v = 0; v < run->n_v; v++) {
        an_variant *res = &run->v[v].res;
        for (unsigned long r = 0; r < res->n_reps; r++) {
            if (!cli_in_shard(o, r) || !rank_owns(o, r, res->n_reps, pl->rank, pl->ranks))
                continue;
            pl->total_all++;
            if (cli_journal_has(run, v, r)) {
                pl->done_before++;
                continue;
            }
            pl->tv[pl->n] = v;
            pl->tr[pl->n] = r;
            pl->n++;
        }
    }
}

/* Under MPI: every rank ends with every replication's results.  Each rank
 * zeroes the replications of the shard that other ranks own, then a
 * bitwise OR over ranks leaves each slot with its owner's bytes (slots
 * outside the shard are NaN on every rank, and x | x = x). */
static void share_results(cli_run *run, int rank, int ranks)
{
    for (size_t v = 0; v < run->n_v; v++) {
        an_variant *res = &run->v[v].res;
        size_t row = res->groups->n * KIM_N_METRICS;
        for (unsigned long r = 0; r < res->n_reps; r++) {
            if (!cli_in_shard(run->o, r) || rank_owns(run->o, r, res->n_reps, rank, ranks))
                continue;
            memset(an_values(res, r, 0), 0, row * sizeof(double));
            memset(&res->info[r], 0, sizeof res->info[r]);
        }
        cli_mpi_share(res->values, res->n_reps * row * sizeof(double));
        cli_mpi_share(res->info, res->n_reps * sizeof *res->info);
    }
}

static unsigned long long count_events(const cli_run *run)
{
    unsigned long long ev = 0;
    for (size_t v = 0; v < run->n_v; v++)
        for (size_t r = 0; r < run->v[v].res.n_reps; r++) ev += run->v[v].res.info[r].events;
    return ev;
}

/* Runs the pool's tasks on `jobs` threads, SIGINT/SIGTERM caught
 * (cli_execute): a signal stops the taking of new tasks, tasks in flight
 * finish. */
static void run_pool(pool *pl, int jobs)
{
    if ((size_t)jobs > pl->n) jobs = pl->n ? (int)pl->n : 1;
    pthread_t *th = sim_xcalloc((size_t)jobs, sizeof *th);
    worker_arg *args = sim_xcalloc((size_t)jobs, sizeof *args);
    int started = 0;
    for (int i = 0; i < jobs; i++) args[i] = (worker_arg){ pl, i };
    for (int i = 1; i < jobs; i++)
        if (pthread_create(&th[started], NULL, worker, &args[i]) == 0) started++;
    worker(&args[0]);
    for (int i = 0; i < started; i++) pthread_join(th[i], NULL);
    free(th);
    free(args);
    progress(pl, 1);
}

/* The journal's index: what an earlier run finished (--resume), else
 * empty.  0, or -1 when the journal cannot be read. */
static int open_journal(cli_run *run)
{
    if (!run->journal[0] || run->jr) return 0;
    if (!run->o->resume) {
        run->jr = cli_journal_new(run);
        return 0;
    }
    size_t dups = 0;
    return cli_journal_scan(run, run->journal, 1, -1, &dups);
}

/* After an MPI run: results from every rank, and rank 0's index of every
 * rank's journal (their logs are in the shared output folder).  Rank 0's
 * own records are in its index already (written this run, or read at
 * --resume); the results came by MPI. */
static void gather_ranks(cli_run *run, int rank, int ranks)
{
    share_results(run, rank, ranks);
    if (rank != 0 || !run->journal[0]) return;
    size_t dups = 0;
    cli_journal_scan(run, run->journal, 0, 0, &dups);
}

/* SIGINT/SIGTERM are caught from here on; with a journal they stay caught
 * for the final write (cli_write_files restores them), in memory
 * (recommend) they are restored at the end. */
int cli_execute(cli_run *run)
{
    cli_signals_catch();
    double t0 = cli_wall_seconds();
    size_t total = 0;
    for (size_t v = 0; v < run->n_v; v++) total += run->v[v].res.n_reps;
    pool pl = { .run = run, .rank = cli_mpi_rank(), .ranks = cli_mpi_size() };
    pl.show_progress = !run->o->quiet && pl.rank == 0 && isatty(2);
    int failed = open_journal(run) != 0 ? errno ? errno : EIO : 0;
    pl.tv = sim_xcalloc(total + 1, sizeof *pl.tv);
    pl.tr = sim_xcalloc(total + 1, sizeof *pl.tr);
    pthread_mutex_init(&pl.lock, NULL);
    if (!failed && run->jr) {
        cli_assemble_start(run);          /* the final files grow as replications finish */
        cli_journal_on_batch(run->jr, cli_assemble, run);
        if (cli_journal_start(run->jr) != 0) failed = errno ? errno : EAGAIN;
    }
    if (!failed) {
        plan(&pl);
        run_pool(&pl, run->o->jobs ? run->o->jobs : jobs_default());
        failed = atomic_load(&pl.failed);
        int err = cli_journal_stop(run->jr);
        if (!failed) failed = err;
    }
    if (failed)
        fprintf(stderr, "kimsim: cannot write the journal in %s: %s\n", run->journal,
                strerror(failed));
    int flags[2] = { failed, cli_signal_seen };
    if (pl.ranks > 1) {
        cli_mpi_wait_all();
        cli_mpi_max_ints(flags, 2);
        gather_ranks(run, pl.rank, pl.ranks);
    }
    run->interrupted = flags[1];
    run->events = count_events(run);
    run->exec_seconds += cli_wall_seconds() - t0;
    run->rep_cpu_seconds += pl.cpu_seconds;
    run->journal_cpu_seconds += cli_journal_cpu_seconds(run->jr);
    free(pl.tv);
    free(pl.tr);
    pthread_mutex_destroy(&pl.lock);
    if (!run->journal[0]) cli_signals_restore();
    return flags[0] ? CLI_EFAIL : 0;
}
