/*
 * journal.c — the journal of a run (DIR/.journal): every finished
 * replication's results, time series and case trace, kept so that an
 * interrupted run resumes, shards merge, and MPI ranks hand their work to
 * rank 0.
 *
 * Layout: each writer (one thread of one process or rank) appends to its
 * own four logs, STEM.ts, STEM.cases, STEM.rep and STEM.res, STEM = rRtTgG
 * (rank, thread, a generation that makes the name new).  A replication's
 * time series, trace and replications.csv rows, formatted as the final
 * files hold them, are contiguous byte ranges of the .ts / .cases / .rep
 * logs; its record, one line in the .res log, gives (variant,
 * replication), the ranges, the run facts and every metric as the hex of
 * its bits (exact), and ends with a checksum of the line.  The final files
 * are these ranges concatenated in (variant, replication) order.
 *
 * Invariant: a replication is finished exactly when a whole record with a
 * right checksum exists; the record is appended only after its ranges are
 * on disk (fsync), and is itself fsync'd, so a crash or kill -9 loses at
 * most the replications in flight (a torn last line fails its checksum and
 * is ignored).  The replication threads only append and hand the record
 * over; one syncer thread does the fsyncs and appends the records, a batch
 * at a time (group commit), so no replication thread waits for the disk.
 * Appending to a few logs instead of making files per replication keeps
 * the file system out of the hot path.
 */
#define _GNU_SOURCE         /* copy_file_range, sync_file_range */
#include "cli.h"
#include "../sim/sim.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { IOBUF = 1 << 18 };   /* stdio buffer of a log */
enum { NLOG = 3 };          /* text logs: time series, cases, replication rows */

typedef struct jloc {       /* where a finished replication is */
    long log;               /* -1: not finished */
    long long off[NLOG], len[NLOG]; /* ranges in the .ts, .cases and .rep logs */
} jloc;

typedef struct jrec {       /* a record waiting for the syncer */
    size_t v;
    unsigned long r;
    jloc l;
    char *line;             /* whole line, checksum and newline included */
    size_t len;
} jrec;

struct cli_journal {
    pthread_mutex_t lock;   /* guards logs, writers, queues, the syncer state */
    char **logs; size_t n_logs;     /* stems, "DIR/.journal/r0t1g0" */
    int *in[NLOG];          /* .ts / .cases / .rep opened for copying, per log; -1 */
    jloc **loc;             /* [variant][replication]: finished (on disk) */
    jloc **ready;           /* ... or committed: rows with the kernel, maybe
                               not on disk yet (enough to assemble outputs) */
    size_t n_v;
    /* Writers and the syncer thread */
    cli_jwriter **writers; size_t n_writers;
    pthread_cond_t work, room;
    pthread_t syncer;
    int running, stop, err;
    size_t pending;         /* records queued, all writers */
    /* Called by the syncer after each batch it made finished */
    void (*on_batch)(void *);
    void *on_batch_ctx;
};

struct cli_jwriter {
    long log;
    FILE *f[NLOG];          /* .ts, .cases, .rep: appended by the writer's thread */
    int res;                /* .res: appended by the syncer */
    long long start[NLOG];  /* offsets where the current replication began */
    char *buf;              /* NLOG x IOBUF for f[] */
    jrec *q; size_t n_q, cap_q;     /* queued records (journal lock) */
};

static const char *const exts[NLOG] = { "ts", "cases", "rep" };

/* The log of kind ext ("ts", "cases" or "rep"). */
static int log_kind(const char *ext)
{
    for (int k = 1; k < NLOG; k++)
        if (!strcmp(ext, exts[k])) return k;
    return 0;
}

/* ------------------------------------------------------------------ */
/* The index                                                            */
/* ------------------------------------------------------------------ */

cli_journal *cli_journal_new(const cli_run *run)
{
    cli_journal *j = sim_xcalloc(1, sizeof *j);
    pthread_mutex_init(&j->lock, NULL);
    pthread_cond_init(&j->work, NULL);
    pthread_cond_init(&j->room, NULL);
    j->n_v = run->n_v;
    j->loc = sim_xcalloc(run->n_v + 1, sizeof *j->loc);
    j->ready = sim_xcalloc(run->n_v + 1, sizeof *j->ready);
    for (size_t v = 0; v < run->n_v; v++) {
        size_t n = run->v[v].res.n_reps;
        j->loc[v] = sim_xcalloc(n + 1, sizeof **j->loc);
        j->ready[v] = sim_xcalloc(n + 1, sizeof **j->ready);
        for (size_t r = 0; r < n; r++) j->loc[v][r].log = j->ready[v][r].log = -1;
    }
    return j;
}

void cli_journal_free(cli_journal *j)
{
    if (!j) return;
    cli_journal_stop(j);
    for (size_t i = 0; i < j->n_logs; i++) {
        for (int k = 0; k < NLOG; k++)
            if (j->in[k][i] >= 0) close(j->in[k][i]);
        free(j->logs[i]);
    }
    for (int k = 0; k < NLOG; k++) free(j->in[k]);
    for (size_t v = 0; v < j->n_v; v++) {
        free(j->loc[v]);
        free(j->ready[v]);
    }
    free(j->loc);
    free(j->ready);
    free(j->logs);
    pthread_cond_destroy(&j->work);
    pthread_cond_destroy(&j->room);
    pthread_mutex_destroy(&j->lock);
    free(j);
}

static long add_log(cli_journal *j, const char *stem)
{
    pthread_mutex_lock(&j->lock);
    long id = (long)j->n_logs++;
    j->logs = sim_xrealloc(j->logs, j->n_logs * sizeof *j->logs);
    for (int k = 0; k < NLOG; k++) {
        j->in[k] = sim_xrealloc(j->in[k], j->n_logs * sizeof *j->in[k]);
        j->in[k][id] = -1;
    }
    j->logs[id] = sim_xstrdup(stem);
    pthread_mutex_unlock(&j->lock);
    return id;
}

int cli_journal_has(const cli_run *run, size_t v, unsigned long r)
{
    return run->jr && run->jr->loc[v][r].log >= 0;
}

int cli_journal_ready(const cli_run *run, size_t v, unsigned long r)
{
    return run->jr && run->jr->ready[v][r].log >= 0;
}

/* len bytes at off of fd to the end of `to`: in the kernel where the file
 * system can (copy_file_range), else through a buffer. */
static int copy_range(int fd, off_t off, long long len, FILE *to)
{
    if (fflush(to) != 0) return -1;
    while (len > 0) {
        ssize_t n = copy_file_range(fd, &off, fileno(to), NULL, (size_t)len, 0);
        if (n <= 0) break;
        len -= n;
    }
    char buf[1 << 16];
    while (len > 0) {
        ssize_t n = pread(fd, buf, len < (long long)sizeof buf ? (size_t)len : sizeof buf, off);
        if (n <= 0 || fwrite(buf, 1, (size_t)n, to) != (size_t)n) return -1;
        off += n;
        len -= n;
    }
    return 0;
}

/* The read descriptor of log `log`'s file of kind k, opened when first
 * needed; -1 when it cannot be.  Writers may be adding logs meanwhile. */
static int log_fd(cli_journal *j, int k, long log)
{
    pthread_mutex_lock(&j->lock);
    int fd = j->in[k][log];
    if (fd < 0) {
        char path[4300];
        snprintf(path, sizeof path, "%s.%s", j->logs[log], exts[k]);
        fd = j->in[k][log] = open(path, O_RDONLY);
    }
    pthread_mutex_unlock(&j->lock);
    return fd;
}

/* Appends the ts / cases / rep range of (v, r) to `to`: its length, or -1
 * when the replication is not in the journal or a log cannot be read. */
long long cli_journal_copy(const cli_run *run, size_t v, unsigned long r, const char *ext,
                           FILE *to)
{
    if (!cli_journal_ready(run, v, r)) return -1;
    cli_journal *j = run->jr;
    const jloc *l = &j->ready[v][r];
    int k = log_kind(ext);
    if (l->len[k] == 0) return 0;
    int fd = log_fd(j, k, l->log);
    if (fd < 0) return -1;
    return copy_range(fd, (off_t)l->off[k], l->len[k], to) != 0 ? -1 : l->len[k];
}

/* Drops the ts / cases / rep range of (v, r) from the page cache, once it
 * is on disk (finished) and copied into the outputs: the kernel frees
 * those pages now, on the syncer's thread while replications run, rather
 * than all at once when the journal is removed (tens of milliseconds of
 * a run's end for 150 MB of time series). */
void cli_journal_forget(const cli_run *run, size_t v, unsigned long r, const char *ext)
{
    if (!cli_journal_has(run, v, r)) return;
    cli_journal *j = run->jr;
    const jloc *l = &j->loc[v][r];
    int k = log_kind(ext);
    if (l->len[k] == 0) return;
    int fd = log_fd(j, k, l->log);      /* open already: its text was copied */
    if (fd >= 0) posix_fadvise(fd, (off_t)l->off[k], (off_t)l->len[k], POSIX_FADV_DONTNEED);
}

void cli_journal_on_batch(cli_journal *j, void (*fn)(void *), void *ctx)
{
    j->on_batch = fn;
    j->on_batch_ctx = ctx;
}

/* ------------------------------------------------------------------ */
/* Writers                                                              */
/* ------------------------------------------------------------------ */

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* Creates STEM.res with O_EXCL for the first free generation, so a
 * resumed run never appends to the logs of an earlier one. */
static int create_res(const char *dir, int rank, int thread, char *stem, size_t n)
{
    for (int g = 0; g < 100000; g++) {
        char path[4300];
        snprintf(stem, n, "%s/r%dt%dg%d", dir, rank, thread, g);
        snprintf(path, sizeof path, "%s.res", stem);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND, 0666);
        if (fd >= 0 || errno != EEXIST) return fd;
    }
    return -1;
}

static int close_writer(cli_jwriter *w)
{
    int bad = 0;
    for (int k = 0; k < NLOG; k++)
        if (w->f[k]) bad |= fclose(w->f[k]) != 0;
    bad |= close(w->res) != 0;
    for (size_t i = 0; i < w->n_q; i++) free(w->q[i].line);
    free(w->q);
    free(w->buf);
    free(w);
    return bad ? -1 : 0;
}

cli_jwriter *cli_jwriter_open(cli_run *run, int rank, int thread)
{
    char stem[4200], path[4300];
    int res = create_res(run->journal, rank, thread, stem, sizeof stem);
    if (res < 0) return NULL;
    cli_jwriter *w = sim_xcalloc(1, sizeof *w);
    w->res = res;
    w->buf = sim_xmalloc(NLOG * (size_t)IOBUF);
    for (int k = 0; k < NLOG; k++) {
        snprintf(path, sizeof path, "%s.%s", stem, exts[k]);
        if (!(w->f[k] = fopen(path, "w"))) { close_writer(w); return NULL; }
        setvbuf(w->f[k], w->buf + k * IOBUF, _IOFBF, IOBUF);
    }
    cli_journal *j = run->jr;
    w->log = add_log(j, stem);
    pthread_mutex_lock(&j->lock);
    j->writers = sim_xrealloc(j->writers, (j->n_writers + 1) * sizeof *j->writers);
    j->writers[j->n_writers++] = w;
    pthread_mutex_unlock(&j->lock);
    return w;
}

FILE *cli_jwriter_file(cli_jwriter *w, const char *ext)
{
    return w->f[log_kind(ext)];
}

void cli_jwriter_begin(cli_jwriter *w)
{
    for (int k = 0; k < NLOG; k++) w->start[k] = (long long)ftello(w->f[k]);
}

/* The record line of (v, r): fields, checksum, newline; malloc'd.  The
 * metrics are the 16 hex digits of each double's bits (exact, and ~400 per
 * replication are written: printf's %a cost more than the replication's
 * time series). */
static char *hex64(char *p, uint64_t x)
{
    static const char digit[] = "0123456789abcdef";
    for (int i = 15; i >= 0; i--, x >>= 4) p[i] = digit[x & 15];
    return p + 16;
}

static char *record(const cli_run *run, const jloc *l, size_t v, unsigned long r, size_t *len)
{
    const an_variant *res = &run->v[v].res;
    const kim_run_info *in = &res->info[r];
    size_t n = res->groups->n * KIM_N_METRICS;
    char *line = sim_xmalloc(128 + 2 * sizeof *in + NLOG * 48 + 17 * n + 18), *p = line;
    p += sprintf(p, "R %zu %lu ", v, r);
    const unsigned char *b = (const unsigned char *)in;
    for (size_t i = 0; i < sizeof *in; i++) {
        *p++ = "0123456789abcdef"[b[i] >> 4];
        *p++ = "0123456789abcdef"[b[i] & 15];
    }
    for (int k = 0; k < NLOG; k++) p += sprintf(p, " %lld %lld", l->off[k], l->len[k]);
    p += sprintf(p, " %zu", n);
    const double *x = an_values(res, r, 0);
    for (size_t i = 0; i < n; i++) {
        uint64_t bits;
        memcpy(&bits, &x[i], sizeof bits);
        *p++ = ' ';
        p = hex64(p, bits);
    }
    uint64_t sum = fnv1a(line, (size_t)(p - line));
    *p++ = ' ';
    p = hex64(p, sum);
    *p++ = '\n';
    *len = (size_t)(p - line);
    return line;
}

/* Hands (v, r) to the syncer: its rows are with the kernel, its record
 * queued.  Waits while the syncer is far behind (bounded memory). */
int cli_jwriter_commit(cli_jwriter *w, cli_run *run, size_t v, unsigned long r)
{
    jrec q = { .v = v, .r = r, .l = { .log = w->log } };
    for (int k = 0; k < NLOG; k++) {
        q.l.off[k] = w->start[k];
        q.l.len[k] = (long long)ftello(w->f[k]) - w->start[k];
        if (q.l.len[k] > 0 && (fflush(w->f[k]) != 0 || ferror(w->f[k]))) return -1;
    }
    q.line = record(run, &q.l, v, r, &q.len);
    cli_journal *j = run->jr;
    pthread_mutex_lock(&j->lock);
    while (j->pending >= 256 && !j->err) pthread_cond_wait(&j->room, &j->lock);
    if (w->n_q == w->cap_q) {
        w->cap_q = w->cap_q ? 2 * w->cap_q : 16;
        w->q = sim_xrealloc(w->q, w->cap_q * sizeof *w->q);
    }
    w->q[w->n_q++] = q;
    j->pending++;
    int err = j->err;
    pthread_cond_signal(&j->work);
    pthread_mutex_unlock(&j->lock);
    if (err) errno = err;
    return err ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* The syncer: makes queued replications finished, a batch at a time   */
/* ------------------------------------------------------------------ */

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* One writer's batch: rows on disk, then the records, then on disk too;
 * only then are they in the index.  0 or an errno. */
static int flush_batch(cli_journal *j, cli_jwriter *w, jrec *q, size_t n)
{
    int err = 0;
    for (int k = 0; k < NLOG && !err; k++)
        for (size_t i = 0; i < n; i++)
            if (q[i].l.len[k] > 0) {
                if (fsync(fileno(w->f[k])) != 0) err = errno;
                break;
            }
    for (size_t i = 0; i < n && !err; i++)
        if (write_all(w->res, q[i].line, q[i].len) != 0) err = errno ? errno : EIO;
    if (!err && fsync(w->res) != 0) err = errno;
    for (size_t i = 0; i < n; i++) {
        if (!err) j->loc[q[i].v][q[i].r] = q[i].l;
        free(q[i].line);
    }
    free(q);
    return err;
}

/* Group commit: a round of fsyncs begins at most every SYNC_GAP_MS (or
 * when SYNC_BATCH records wait, or at the stop), so that short
 * replications share their fsyncs instead of queueing one round each. */
enum { SYNC_GAP_MS = 10, SYNC_BATCH = 128 };

static void *syncer(void *arg)
{
    cli_journal *j = arg;
    struct timespec next = { 0, 0 };
    pthread_mutex_lock(&j->lock);
    for (;;) {
        while (!j->pending && !j->stop) pthread_cond_wait(&j->work, &j->lock);
        while (!j->stop && j->pending < SYNC_BATCH &&
               pthread_cond_timedwait(&j->work, &j->lock, &next) != ETIMEDOUT) {}
        if (!j->pending) break;
        clock_gettime(CLOCK_REALTIME, &next);
        next.tv_nsec += SYNC_GAP_MS * 1000000L;
        if (next.tv_nsec >= 1000000000L) {
            next.tv_sec++;
            next.tv_nsec -= 1000000000L;
        }
        /* every writer's queue at once: their rows are with the kernel, so
         * the outputs can grow (on_batch) before the fsyncs make them
         * finished */
        size_t nw = j->n_writers;
        jrec **qs = sim_xcalloc(nw + 1, sizeof *qs);
        size_t *ns = sim_xcalloc(nw + 1, sizeof *ns);
        cli_jwriter **ws = sim_xcalloc(nw + 1, sizeof *ws);   /* writers may be added */
        for (size_t i = 0; i < nw; i++) {
            cli_jwriter *w = ws[i] = j->writers[i];
            qs[i] = w->q;
            ns[i] = w->n_q;
            w->q = NULL;
            w->n_q = w->cap_q = 0;
            j->pending -= ns[i];
            for (size_t k = 0; k < ns[i]; k++) j->ready[qs[i][k].v][qs[i][k].r] = qs[i][k].l;
        }
        pthread_cond_broadcast(&j->room);
        pthread_mutex_unlock(&j->lock);
        if (j->on_batch) j->on_batch(j->on_batch_ctx);
        int err = 0;
        for (size_t i = 0; i < nw; i++)
            if (ns[i]) {
                int e = flush_batch(j, ws[i], qs[i], ns[i]);
                if (e && !err) err = e;
            }
        free(qs);
        free(ns);
        free(ws);
        pthread_mutex_lock(&j->lock);
        if (err && !j->err) j->err = err;
    }
    pthread_cond_broadcast(&j->room);
    pthread_mutex_unlock(&j->lock);
    return NULL;
}

int cli_journal_start(cli_journal *j)
{
    j->stop = j->err = 0;
    j->running = pthread_create(&j->syncer, NULL, syncer, j) == 0;
    return j->running ? 0 : -1;
}

int cli_journal_stop(cli_journal *j)
{
    if (!j || !j->running) return j ? j->err : 0;
    pthread_mutex_lock(&j->lock);
    j->stop = 1;
    pthread_cond_signal(&j->work);
    pthread_mutex_unlock(&j->lock);
    pthread_join(j->syncer, NULL);
    j->running = 0;
    for (size_t i = 0; i < j->n_writers; i++)
        if (close_writer(j->writers[i]) != 0 && !j->err) j->err = errno ? errno : EIO;
    free(j->writers);
    j->writers = NULL;
    j->n_writers = 0;
    return j->err;
}

/* ------------------------------------------------------------------ */
/* Reading a journal                                                    */
/* ------------------------------------------------------------------ */

/* kim_run_info as the hex of its bytes: the journal is read back by the
 * same build (ident), and new fields need no new format. */
static int unhex_info(const char *hex, kim_run_info *in)
{
    unsigned char *b = (unsigned char *)in;
    if (strlen(hex) != 2 * sizeof *in) return -1;
    for (size_t i = 0; i < sizeof *in; i++) {
        unsigned x;
        if (sscanf(hex + 2 * i, "%2x", &x) != 1) return -1;
        b[i] = (unsigned char)x;
    }
    return 0;
}

/* One record line (checksum already checked) into the run; 1 when new,
 * 0 when (v, r) was already there, -1 when it does not fit the run. */
static int take_record(cli_run *run, long log, const long long size[NLOG], int values, char *line)
{
    size_t v, n;
    unsigned long r;
    jloc l = { .log = log };
    char hex[256];
    kim_run_info info;
    int used = 0;
    if (sscanf(line, "R %zu %lu %*s %lld %lld %lld %lld %lld %lld %zu%n", &v, &r, &l.off[0],
               &l.len[0], &l.off[1], &l.len[1], &l.off[2], &l.len[2], &n, &used) != 9 ||
        sscanf(line, "R %*u %*u %255s", hex) != 1 || unhex_info(hex, &info) != 0)
        return -1;
    if (v >= run->n_v || r >= run->v[v].res.n_reps ||
        n != run->v[v].res.groups->n * KIM_N_METRICS)
        return -1;
    for (int k = 0; k < NLOG; k++)  /* its rows must be there too */
        if (l.off[k] < 0 || l.len[k] < 0 || l.off[k] + l.len[k] > size[k]) return -1;
    if (run->jr->loc[v][r].log >= 0) return 0;
    run->jr->ready[v][r] = l;
    if (values) {
        an_variant *res = &run->v[v].res;
        double *x = an_values(res, r, 0);
        char *p = line + used, *end;
        for (size_t i = 0; i < n; i++, p = end) {
            uint64_t bits = strtoull(p, &end, 16);
            if (end != p + 17 || *p != ' ') return -1;
            memcpy(&x[i], &bits, sizeof bits);
        }
        res->info[r] = info;
    }
    run->jr->loc[v][r] = l;
    return 1;
}

/* The records of one .res log; counts records already known in *dups. */
static int scan_log(cli_run *run, const char *stem, int values, size_t *dups)
{
    char path[4300];
    snprintf(path, sizeof path, "%s.res", stem);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long long size[NLOG];
    for (int k = 0; k < NLOG; k++) {
        struct stat st;
        snprintf(path, sizeof path, "%s.%s", stem, exts[k]);
        size[k] = stat(path, &st) == 0 ? (long long)st.st_size : 0;
    }
    long log = add_log(run->jr, stem);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0) {
        char *sum = strrchr(line, ' ');
        if (line[len - 1] != '\n' || !sum) continue;        /* torn */
        unsigned long long want = strtoull(sum + 1, NULL, 16);
        if (fnv1a(line, (size_t)(sum - line)) != want) continue;
        *sum = '\0';
        if (take_record(run, log, size, values, line) == 0) ++*dups;
    }
    free(line);
    fclose(f);
    return 0;
}

int cli_journal_scan(cli_run *run, const char *dir, int values, size_t *dups)
{
    if (!run->jr) run->jr = cli_journal_new(run);
    DIR *d = opendir(dir);
    if (!d) return -1;
    struct dirent *e;
    int rc = 0;
    while (!rc && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 5 || e->d_name[0] != 'r' || strcmp(e->d_name + n - 4, ".res")) continue;
        char stem[4200];
        snprintf(stem, sizeof stem, "%s/%.*s", dir, (int)(n - 4), e->d_name);
        rc = scan_log(run, stem, values, dups);
    }
    closedir(d);
    return rc;
}

/* Renames the journal aside, then removes it: a run killed meanwhile
 * leaves DIR/.journal.done (removed by the next), never a journal with
 * half its logs that --resume would trust. */
int cli_journal_remove(const char *dir)
{
    char done[4200];
    snprintf(done, sizeof done, "%s.done", dir);
    if (cli_rm_tree(done) != 0) return -1;
    if (rename(dir, done) != 0) return errno == ENOENT ? 0 : -1;
    return cli_rm_tree(done);
}
