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
 * files hold them, are contiguous byte ranges of files in the journal
 * folder; its record, one line in the .res log, gives (variant,
 * replication), the run facts, every metric as the hex of its bits
 * (exact), each range as (file name, offset, length), and ends with a
 * checksum of the line.  The final files are these ranges concatenated in
 * (variant, replication) order.
 *
 * Written once: while rank 0 assembles the final files (write.c), a
 * writer hands its replication's rows to the syncer in memory
 * (cli_jwriter_give) instead of its logs; the syncer appends those that
 * are next in order straight to the files being assembled (which then
 * hold the range the record names) and the others to its own spill logs
 * (rRs0gG.ts ...).  So most rows reach the disk once, not twice.
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
#define _GNU_SOURCE         /* copy_file_range */
#include "journal_impl.h"
#include "../sim/sim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *const jr_exts[NLOG] = { "ts", "cases", "rep" };

int jr_kind(const char *ext)
{
    for (int k = 1; k < NLOG; k++)
        if (!strcmp(ext, jr_exts[k])) return k;
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
    }
    for (int k = 0; k < NLOG; k++) j->spill[k] = -1;
    j->rank = cli_mpi_rank();
    snprintf(j->dir, sizeof j->dir, "%s", run->journal);
    return j;
}

void cli_journal_free(cli_journal *j)
{
    if (!j) return;
    cli_journal_stop(j);
    for (size_t i = 0; i < j->n_files; i++) {
        if (j->files[i].fd >= 0) close(j->files[i].fd);
        free(j->files[i].path);
    }
    free(j->files);
    for (size_t v = 0; v < j->n_v; v++) {
        free(j->loc[v]);
        free(j->ready[v]);
    }
    free(j->loc);
    free(j->ready);
    pthread_cond_destroy(&j->work);
    pthread_cond_destroy(&j->room);
    pthread_mutex_destroy(&j->lock);
    free(j);
}

int jr_file_id(cli_journal *j, const char *path, int is_log)
{
    for (size_t i = 0; i < j->n_files; i++)
        if (!strcmp(j->files[i].path, path)) return (int)i;
    j->files = sim_xrealloc(j->files, (j->n_files + 1) * sizeof *j->files);
    j->files[j->n_files] = (jfile){ sim_xstrdup(path), -1, is_log, -1 };
    return (int)j->n_files++;
}

static int add_file(cli_journal *j, const char *path, int is_log)
{
    pthread_mutex_lock(&j->lock);
    int id = jr_file_id(j, path, is_log);
    pthread_mutex_unlock(&j->lock);
    return id;
}

int cli_journal_has(const cli_run *run, size_t v, unsigned long r)
{
    return run->jr && run->jr->loc[v][r].set;
}

int cli_journal_ready(const cli_run *run, size_t v, unsigned long r)
{
    return run->jr && run->jr->ready[v][r].set;
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

/* The read descriptor of file `id`, opened when first needed; -1 when it
 * cannot be.  Writers may be adding files meanwhile. */
static int file_fd(cli_journal *j, int id)
{
    pthread_mutex_lock(&j->lock);
    jfile *f = &j->files[id];
    if (f->fd < 0) f->fd = open(f->path, O_RDONLY);
    int fd = f->fd;
    pthread_mutex_unlock(&j->lock);
    return fd;
}

/* Appends the ts / cases / rep range of (v, r) to `to` (the file at
 * to_path): its length, or -1 when the replication is not in the journal
 * or a file cannot be read.  Text given in memory goes straight into `to`,
 * which from then on is where the replication's record says it is. */
long long cli_journal_copy(const cli_run *run, size_t v, unsigned long r, const char *ext,
                           FILE *to, const char *to_path)
{
    if (!cli_journal_ready(run, v, r)) return -1;
    cli_journal *j = run->jr;
    jloc *l = &j->ready[v][r];
    int k = jr_kind(ext);
    if (l->len[k] == 0) return 0;
    if (l->file[k] == JMEM) {
        jrec *q = &j->round[l->off[k]];
        long long at = (long long)ftello(to);
        if (at < 0 || fwrite(q->text[k], 1, (size_t)l->len[k], to) != (size_t)l->len[k])
            return -1;
        free(q->text[k]);
        q->text[k] = NULL;
        q->l.file[k] = l->file[k] = add_file(j, to_path, 0);
        q->l.off[k] = l->off[k] = at;
        return l->len[k];
    }
    int fd = file_fd(j, l->file[k]);
    if (fd < 0) return -1;
    return copy_range(fd, (off_t)l->off[k], l->len[k], to) != 0 ? -1 : l->len[k];
}

/* Drops the ts / cases / rep range of (v, r) from the page cache, once it
 * is on disk (finished) and copied into the outputs: the kernel frees
 * those pages now, on the syncer's thread while replications run, rather
 * than all at once when the journal is removed (tens of milliseconds of
 * a run's end for 150 MB of time series).  Text in a file being
 * assembled stays. */
void cli_journal_forget(const cli_run *run, size_t v, unsigned long r, const char *ext)
{
    if (!cli_journal_has(run, v, r)) return;
    cli_journal *j = run->jr;
    const jloc *l = &j->loc[v][r];
    int k = jr_kind(ext);
    if (l->len[k] == 0) return;
    pthread_mutex_lock(&j->lock);
    int is_log = j->files[l->file[k]].is_log;
    pthread_mutex_unlock(&j->lock);
    if (!is_log) return;
    int fd = file_fd(j, l->file[k]);      /* open already: its text was copied */
    if (fd >= 0) posix_fadvise(fd, (off_t)l->off[k], (off_t)l->len[k], POSIX_FADV_DONTNEED);
}

void cli_journal_on_batch(cli_journal *j, int (*fn)(void *), void *ctx)
{
    j->on_batch = fn;
    j->on_batch_ctx = ctx;
}

/* ------------------------------------------------------------------ */
/* Writers                                                              */
/* ------------------------------------------------------------------ */

uint64_t jr_fnv1a(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* Creates STEM.res with O_EXCL for the first free generation, so a
 * resumed run never appends to the logs of an earlier one: STEM =
 * DIR/rR<role>Ig<G>, role 't' for thread I's writer, 's' for the syncer. */
static int create_res(const char *dir, int rank, char role, int i, char *stem, size_t n)
{
    for (int g = 0; g < 100000; g++) {
        char path[4300];
        snprintf(stem, n, "%s/r%d%c%dg%d", dir, rank, role, i, g);
        snprintf(path, sizeof path, "%s.res", stem);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND, 0666);
        if (fd >= 0 || errno != EEXIST) return fd;
    }
    return -1;
}

static int close_writer(cli_jwriter *w)
{
    int bad = 0;
    for (int k = 0; k < NLOG; k++) {
        if (w->f[k]) bad |= fclose(w->f[k]) != 0;
        free(w->given[k]);
    }
    bad |= close(w->res) != 0;
    for (size_t i = 0; i < w->n_q; i++) {
        for (int k = 0; k < NLOG; k++) free(w->q[i].text[k]);
        free(w->q[i].line);
    }
    free(w->q);
    free(w->buf);
    free(w);
    return bad ? -1 : 0;
}

cli_jwriter *cli_jwriter_open(cli_run *run, int rank, int thread)
{
    char stem[4200], path[4300];
    int res = create_res(run->journal, rank, 't', thread, stem, sizeof stem);
    if (res < 0) return NULL;
    cli_jwriter *w = sim_xcalloc(1, sizeof *w);
    w->res = res;
    w->buf = sim_xmalloc(NLOG * (size_t)IOBUF);
    cli_journal *j = run->jr;
    for (int k = 0; k < NLOG; k++) {
        snprintf(path, sizeof path, "%s.%s", stem, jr_exts[k]);
        if (!(w->f[k] = fopen(path, "w"))) { close_writer(w); return NULL; }
        /* The time series arrives in chunks of up to 1 MB (cli/exec.c
         * flush_rows): unbuffered, fwrite hands each to write(2) whole
         * instead of copying most of it through the buffer first (its
         * slot of buf is left unused). */
        if (k == jr_kind("ts")) setvbuf(w->f[k], NULL, _IONBF, 0);
        else setvbuf(w->f[k], w->buf + k * IOBUF, _IOFBF, IOBUF);
        w->file[k] = add_file(j, path, 1);
    }
    pthread_mutex_lock(&j->lock);
    j->writers = sim_xrealloc(j->writers, (j->n_writers + 1) * sizeof *j->writers);
    j->writers[j->n_writers++] = w;
    pthread_mutex_unlock(&j->lock);
    return w;
}

FILE *cli_jwriter_file(cli_jwriter *w, const char *ext)
{
    return w->f[jr_kind(ext)];
}

void cli_jwriter_begin(cli_jwriter *w)
{
    for (int k = 0; k < NLOG; k++) w->start[k] = (long long)ftello(w->f[k]);
}

void cli_jwriter_give(cli_jwriter *w, const char *ext, char *text, size_t len)
{
    int k = jr_kind(ext);
    free(w->given[k]);
    w->given[k] = len ? text : NULL;
    w->given_len[k] = len;
    if (!len) free(text);
}

/* The record line of (v, r) up to its ranges: fields and metrics, with
 * room for the ranges, the checksum and the newline (placed by the
 * syncer, see finish_line); malloc'd.  The metrics are the 16 hex digits
 * of each double's bits (exact, and ~400 per replication are written:
 * printf's %a cost more than the replication's time series). */
static char *hex64(char *p, uint64_t x)
{
    static const char pair[513] =       /* the two digits of each byte */
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
        "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
        "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
        "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
        "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
        "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
        "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
        "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
    for (int i = 14; i >= 0; i -= 2, x >>= 8) memcpy(p + i, pair + 2 * (x & 255), 2);
    return p + 16;
}

enum { RANGES_ROOM = NLOG * (4200 + 48) + 20 };

static char *record(const cli_run *run, size_t v, unsigned long r, size_t *len)
{
    const an_variant *res = &run->v[v].res;
    const kim_run_info *in = &res->info[r];
    size_t n = res->groups->n * KIM_N_METRICS;
    char *line = sim_xmalloc(128 + 2 * sizeof *in + 17 * n + RANGES_ROOM), *p = line;
    p += sprintf(p, "R %zu %lu ", v, r);
    const unsigned char *b = (const unsigned char *)in;
    for (size_t i = 0; i < sizeof *in; i++) {
        *p++ = "0123456789abcdef"[b[i] >> 4];
        *p++ = "0123456789abcdef"[b[i] & 15];
    }
    p += sprintf(p, " %zu", n);
    const double *x = an_values(res, r, 0);
    for (size_t i = 0; i < n; i++) {
        uint64_t bits;
        memcpy(&bits, &x[i], sizeof bits);
        *p++ = ' ';
        p = hex64(p, bits);
    }
    *len = (size_t)(p - line);
    return line;
}

/* Completes q's line with its ranges (file names relative to the
 * journal folder; "-" for none), the checksum and the newline. */
static void finish_line(cli_journal *j, jrec *q)
{
    char *p = q->line + q->len;
    for (int k = 0; k < NLOG; k++) {
        const char *name = "-";
        if (q->l.len[k] > 0) {
            const char *path = j->files[q->l.file[k]].path, *slash = strrchr(path, '/');
            name = slash ? slash + 1 : path;
        }
        p += sprintf(p, " %s %lld %lld", name, q->l.len[k] > 0 ? q->l.off[k] : 0, q->l.len[k]);
    }
    uint64_t sum = jr_fnv1a(q->sum, q->line + q->len, (size_t)(p - q->line) - q->len);
    *p++ = ' ';
    p = hex64(p, sum);
    *p++ = '\n';
    q->len = (size_t)(p - q->line);
}

/* Hands (v, r) to the syncer: its rows are with the kernel or given, its
 * record queued.  Waits while the syncer is far behind (bounded memory). */
int cli_jwriter_commit(cli_jwriter *w, cli_run *run, size_t v, unsigned long r)
{
    jrec q = { .v = v, .r = r, .l = { .set = 1 }, .w = w };
    size_t bytes = 0;
    for (int k = 0; k < NLOG; k++) {
        q.l.file[k] = w->file[k];
        q.l.off[k] = w->start[k];
        q.l.len[k] = (long long)ftello(w->f[k]) - w->start[k];
        if (q.l.len[k] > 0 && (fflush(w->f[k]) != 0 || ferror(w->f[k]))) {
            for (int i = 0; i < k; i++) free(q.text[i]);
            return -1;
        }
        if (w->given[k]) {
            SIM_ASSERT(q.l.len[k] == 0);    /* a kind is given or logged, not both */
            q.text[k] = w->given[k];
            q.l.len[k] = (long long)w->given_len[k];
            bytes += w->given_len[k];
            w->given[k] = NULL;
        }
    }
    q.line = record(run, v, r, &q.len);
    q.sum = jr_fnv1a(FNV_START, q.line, q.len);
    cli_journal *j = run->jr;
    pthread_mutex_lock(&j->lock);
    while ((j->pending >= 256 || (j->pending && j->pending_bytes + bytes > HELD_MAX)) &&
           !j->err)
        pthread_cond_wait(&j->room, &j->lock);
    if (w->n_q == w->cap_q) {
        w->cap_q = w->cap_q ? 2 * w->cap_q : 16;
        w->q = sim_xrealloc(w->q, w->cap_q * sizeof *w->q);
    }
    w->q[w->n_q++] = q;
    j->pending++;
    j->pending_bytes += bytes;
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

/* Creates the syncer's spill logs, STEM.ts / .cases / .rep, beside an
 * empty STEM.res that makes the stem new (create_res).  0 or an errno. */
static int open_spill(cli_journal *j)
{
    char stem[4200], path[4300];
    int res = create_res(j->dir, j->rank, 's', 0, stem, sizeof stem);
    if (res < 0) return errno ? errno : EEXIST;
    close(res);
    for (int k = 0; k < NLOG; k++) {
        snprintf(path, sizeof path, "%s.%s", stem, jr_exts[k]);
        j->spill[k] = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0666);
        if (j->spill[k] < 0) {
            int err = errno;
            for (int i = 0; i < k; i++) {
                close(j->spill[i]);
                j->spill[i] = -1;
            }
            return err;
        }
        j->spill_file[k] = add_file(j, path, 1);
        j->spill_size[k] = 0;
    }
    return 0;
}

/* Given text that no file being assembled took (out of order, or none is
 * assembled) goes to the spill logs, on disk before any record names it.
 * 0 or an errno. */
static int spill(cli_journal *j)
{
    int wrote[NLOG] = { 0 }, err = 0;
    for (size_t i = 0; i < j->n_round && !err; i++) {
        jrec *q = &j->round[i];
        for (int k = 0; k < NLOG && !err; k++) {
            if (!q->text[k]) continue;
            if (j->spill[0] < 0 && (err = open_spill(j)) != 0) break;
            if (write_all(j->spill[k], q->text[k], (size_t)q->l.len[k]) != 0) {
                err = errno ? errno : EIO;
                break;
            }
            free(q->text[k]);
            q->text[k] = NULL;
            q->l.file[k] = j->spill_file[k];
            q->l.off[k] = j->spill_size[k];
            j->spill_size[k] += q->l.len[k];
            wrote[k] = 1;
        }
    }
    for (int k = 0; k < NLOG && !err; k++)
        if (wrote[k] && fsync(j->spill[k]) != 0) err = errno;
    return err;
}

/* One writer's records of the round: its logged rows on disk, then the
 * records, then on disk too; only then are they in the index.  0 or an
 * errno. */
static int flush_writer(cli_journal *j, cli_jwriter *w)
{
    int err = 0, logged[NLOG] = { 0 }, any = 0;
    for (size_t i = 0; i < j->n_round; i++) {
        jrec *q = &j->round[i];
        if (q->w != w) continue;
        any = 1;
        for (int k = 0; k < NLOG; k++)
            if (q->l.len[k] > 0 && q->l.file[k] == w->file[k]) logged[k] = 1;
    }
    if (!any) return 0;
    for (int k = 0; k < NLOG && !err; k++)
        if (logged[k] && fsync(fileno(w->f[k])) != 0) err = errno;
    for (size_t i = 0; i < j->n_round && !err; i++) {
        jrec *q = &j->round[i];
        if (q->w != w) continue;
        pthread_mutex_lock(&j->lock);   /* writers may be adding files */
        finish_line(j, q);
        pthread_mutex_unlock(&j->lock);
        if (write_all(w->res, q->line, q->len) != 0) err = errno ? errno : EIO;
    }
    if (!err && fsync(w->res) != 0) err = errno;
    for (size_t i = 0; i < j->n_round && !err; i++)
        if (j->round[i].w == w) j->loc[j->round[i].v][j->round[i].r] = j->round[i].l;
    return err;
}

/* Group commit: a round of fsyncs begins at most every SYNC_GAP_MS (or
 * when SYNC_BATCH records or half of HELD_MAX bytes wait, or at the
 * stop), so that short replications share their fsyncs instead of
 * queueing one round each. */
enum { SYNC_GAP_MS = 10, SYNC_BATCH = 128 };

/* A round: every writer's queue at once becomes committed (the files
 * being assembled grow, on_batch, placing given text), then the rest of
 * the given text is spilled, and the records are made finished. */
static int sync_round(cli_journal *j)
{
    size_t nw = j->n_writers, n = 0;
    cli_jwriter **ws = sim_xcalloc(nw + 1, sizeof *ws);   /* writers may be added */
    for (size_t i = 0; i < nw; i++) n += j->writers[i]->n_q;
    j->round = sim_xcalloc(n + 1, sizeof *j->round);
    j->n_round = 0;
    for (size_t i = 0; i < nw; i++) {
        cli_jwriter *w = ws[i] = j->writers[i];
        for (size_t k = 0; k < w->n_q; k++) {
            jrec *q = &j->round[j->n_round];
            *q = w->q[k];
            jloc l = q->l;
            for (int kind = 0; kind < NLOG; kind++)
                if (q->text[kind]) {
                    l.file[kind] = JMEM;
                    l.off[kind] = (long long)j->n_round;
                }
            j->ready[q->v][q->r] = l;
            j->n_round++;
        }
        free(w->q);
        w->q = NULL;
        w->n_q = w->cap_q = 0;
    }
    j->pending = j->pending_bytes = 0;
    pthread_cond_broadcast(&j->room);
    pthread_mutex_unlock(&j->lock);
    int err = 0;
    if (j->on_batch && j->on_batch(j->on_batch_ctx) != 0) err = errno ? errno : EIO;
    if (!err) err = spill(j);
    for (size_t i = 0; i < j->n_round; i++) {
        jrec *q = &j->round[i];
        if (!err) j->ready[q->v][q->r] = q->l;      /* where its text is now */
        else j->ready[q->v][q->r].set = 0;
    }
    for (size_t i = 0; i < nw && !err; i++) err = flush_writer(j, ws[i]);
    for (size_t i = 0; i < j->n_round; i++) {
        for (int k = 0; k < NLOG; k++) free(j->round[i].text[k]);
        free(j->round[i].line);
    }
    free(j->round);
    j->round = NULL;
    j->n_round = 0;
    free(ws);
    pthread_mutex_lock(&j->lock);
    return err;
}

static void *syncer(void *arg)
{
    double cpu0 = cli_thread_cpu_seconds();
    cli_journal *j = arg;
    pthread_setname_np(pthread_self(), "kimsim-sync");
    struct timespec next = { 0, 0 };
    pthread_mutex_lock(&j->lock);
    for (;;) {
        while (!j->pending && !j->stop) pthread_cond_wait(&j->work, &j->lock);
        while (!j->stop && j->pending < SYNC_BATCH && j->pending_bytes < HELD_MAX / 2 &&
               pthread_cond_timedwait(&j->work, &j->lock, &next) != ETIMEDOUT) {}
        if (!j->pending) break;
        clock_gettime(CLOCK_REALTIME, &next);
        next.tv_nsec += SYNC_GAP_MS * 1000000L;
        if (next.tv_nsec >= 1000000000L) {
            next.tv_sec++;
            next.tv_nsec -= 1000000000L;
        }
        int err = sync_round(j);
        if (err && !j->err) j->err = err;
    }
    j->cpu_seconds += cli_thread_cpu_seconds() - cpu0;
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

double cli_journal_cpu_seconds(const cli_journal *j)
{
    return j ? j->cpu_seconds : 0.0;
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
    for (int k = 0; k < NLOG; k++) {
        if (j->spill[k] >= 0 && close(j->spill[k]) != 0 && !j->err) j->err = errno ? errno : EIO;
        j->spill[k] = -1;
    }
    return j->err;
}
