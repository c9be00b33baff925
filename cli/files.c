/*
 * files.c — output files that are never half-written: each is written to
 * a temporary name beside its final one, flushed to disk (fsync) and
 * renamed over it, so a reader sees the old file or the new, never a mix.
 *
 * A set of files is published together: between cli_out_hold() and
 * cli_out_publish() a committed file stays under its temporary name (and a
 * dropped one stays), and only when every file of the set is on disk are
 * they renamed into place, one rename each (which needs no space); after a
 * failure cli_out_discard() removes the temporaries.  A rename that fails
 * while publishing undoes the ones before it (the replaced files are kept
 * under a second name until all are in place).  So a full disk, a write
 * error or a file that cannot be replaced leaves the previous run's files
 * as they were, not a mix of old and new.
 *
 * Temporaries that live in a journal (keep) are never removed here: the
 * journal's records may name them, and --resume reads them back.  Those a
 * killed process left beside the results are removed by the next run that
 * publishes there (cli_out_sweep).
 */
#include "cli.h"
#include "../sim/sim.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

double cli_wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double cli_thread_cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The set being held, in order: a file (tmp renamed to path), a file the
 * new run does not make (path removed), or a folder removed once empty.
 * `old` names the file that path held before publishing (a hard link, or
 * path itself moved aside where links are not supported) until the set is
 * committed; keep: tmp is a journal file that records may name, so it
 * stays when the set is given up. */
enum { HELD_FILE, HELD_DROP, HELD_RMDIR };
enum { OLD_NONE, OLD_LINKED, OLD_MOVED };
static struct held {
    char *tmp, *path, *old;
    int kind, keep, old_state;
} *held;
static size_t n_held;
static int holding;

void cli_out_hold(void)
{
    holding = 1;
}

static void hold(int kind, const char *tmp, const char *path, int keep)
{
    for (size_t i = 0; kind != HELD_FILE && i < n_held; i++)
        if (held[i].kind == kind && !strcmp(held[i].path, path)) return;   /* once */
    held = sim_xrealloc(held, (n_held + 1) * sizeof *held);
    held[n_held] = (struct held){ tmp ? sim_xstrdup(tmp) : NULL, sim_xstrdup(path), NULL,
                                  kind, keep, OLD_NONE };
    n_held++;
}

static void release_held(void)
{
    for (size_t i = 0; i < n_held; i++) {
        free(held[i].tmp);
        free(held[i].path);
        free(held[i].old);
    }
    free(held);
    held = NULL;
    n_held = 0;
    holding = 0;
}

/* Publishing in three steps, so that a failure leaves the previous files:
 * (1) every file to be replaced or removed gets a second name beside it
 * (.NAME.tmpPID.old), (2) the renames and removals, (3) the second names
 * go.  A failure in (1) changes nothing; one in (2) undoes the steps
 * before it.  Only a crash inside (2) can leave a mix (and .old files,
 * which a later run's cli_out_sweep removes). */
static int keep_old(struct held *h)
{
    struct stat st;
    if (h->kind == HELD_RMDIR || lstat(h->path, &st) != 0)
        return errno == ENOENT || h->kind == HELD_RMDIR ? 0 : -1;
    if (S_ISDIR(st.st_mode)) return 0;      /* not a file of ours: the rename fails */
    const char *base = strrchr(h->path, '/');
    size_t dir_len = base ? (size_t)(base - h->path) + 1 : 0;
    size_t n = strlen(h->path) + 48;
    h->old = sim_xmalloc(n);
    snprintf(h->old, n, "%.*s.%s.tmp%ld.old", (int)dir_len, h->path,
             h->path + dir_len, (long)getpid());
    for (int tries = 0; tries < 2; tries++) {
        if (link(h->path, h->old) == 0) { h->old_state = OLD_LINKED; return 0; }
        if (errno != EEXIST || unlink(h->old) != 0) break;  /* a killed run's, same PID */
    }
    if (errno != EEXIST && rename(h->path, h->old) == 0) { h->old_state = OLD_MOVED; return 0; }
    return -1;
}

static int put(const struct held *h)
{
    if (h->kind == HELD_FILE) return rename(h->tmp, h->path);
    if (h->kind == HELD_DROP && h->old_state == OLD_LINKED) return unlink(h->path);
    return 0;           /* nothing there, moved aside already, or a folder (step 3) */
}

/* Undoes held[i]; done: its put() happened. */
static void undo(const struct held *h, int done)
{
    if (done && h->kind == HELD_FILE && h->keep) rename(h->path, h->tmp);
    else if (done && h->kind == HELD_FILE && h->old_state == OLD_NONE) unlink(h->path);
    if (h->old_state == OLD_LINKED && !done) unlink(h->old);
    else if (h->old_state != OLD_NONE) rename(h->old, h->path);
}

int cli_out_publish(void)
{
    size_t i = 0, done = 0;
    int err = 0;
    while (i < n_held && keep_old(&held[i]) == 0) i++;
    if (i < n_held) err = errno;
    while (!err && done < n_held && put(&held[done]) == 0) done++;
    if (!err && done < n_held) err = errno;
    if (!err) {
        for (size_t k = 0; k < n_held; k++) {
            if (held[k].old_state != OLD_NONE) unlink(held[k].old);
            if (held[k].kind == HELD_RMDIR) {
                cli_out_sweep(held[k].path);
                rmdir(held[k].path);        /* a folder with other files stays */
            }
        }
        release_held();
        return 0;
    }
    fprintf(stderr, "kimsim: cannot write %s: %s\n", held[i < n_held ? i : done].path,
            strerror(err));
    for (size_t k = i < n_held ? i + 1 : n_held; k-- > 0;) undo(&held[k], k < done);
    cli_out_discard();
    return -1;
}

void cli_out_discard(void)
{
    for (size_t i = 0; i < n_held; i++)
        if (held[i].tmp && !held[i].keep) unlink(held[i].tmp);
    release_held();
}

void cli_out_drop(const char *dir, const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (holding) hold(HELD_DROP, NULL, path, 0);
    else unlink(path);
}

void cli_out_drop_dir(const char *dir)
{
    if (holding) {
        hold(HELD_RMDIR, NULL, dir, 0);
    } else {
        cli_out_sweep(dir);
        rmdir(dir);
    }
}

/* ------------------------------------------------------------------ */
/* Temporaries a killed run left                                        */
/* ------------------------------------------------------------------ */

const char *const cli_out_names[] = {
    "summary.csv", "verdict.csv", "replications.csv", "timeseries.csv", "cases.csv",
    "comparison.csv", "manifest.txt", "recommendation.csv", "report.html", NULL };

/* The PID in a name cli_out makes, ".[fN-]NAME.tmpPID[.G|.old]", or 0. */
static long temporary_pid(const char *name)
{
    if (*name++ != '.') return 0;
    if (*name == 'f' && name[1 + strspn(name + 1, "0123456789")] == '-' &&
        strspn(name + 1, "0123456789") > 0)
        name += 2 + strspn(name + 1, "0123456789");
    for (size_t i = 0; cli_out_names[i]; i++) {
        size_t n = strlen(cli_out_names[i]);
        if (strncmp(name, cli_out_names[i], n) || strncmp(name + n, ".tmp", 4)) continue;
        char *end;
        long pid = strtol(name + n + 4, &end, 10);
        if (pid <= 0 || end == name + n + 4) return 0;
        if (*end == '.' && (!strcmp(end, ".old") ||
                            (end[1] && strspn(end + 1, "0123456789") == strlen(end + 1))))
            return pid;
        return *end ? 0 : pid;
    }
    return 0;
}

void cli_out_sweep(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        long pid = temporary_pid(e->d_name);
        /* a live process's (or one of another user's) temporaries are its own */
        if (!pid || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno == EPERM)
            continue;
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISREG(st.st_mode)) unlink(path);
    }
    closedir(d);
}

int cli_out_open(cli_out *out, const char *dir, const char *name)
{
    return cli_out_open_in(out, dir, "", dir, name);
}

int cli_out_open_in(cli_out *out, const char *tmp_dir, const char *tag, const char *dir,
                    const char *name)
{
    out->keep = 0;
    snprintf(out->path, sizeof out->path, "%s/%s", dir, name);
    /* a new file, never one that exists (a journal may name it) */
    for (int g = 0; g < 1000; g++) {
        int n = snprintf(out->tmp, sizeof out->tmp, "%s/.%s%s.tmp%ld", tmp_dir, tag, name,
                         (long)getpid());
        if (g) snprintf(out->tmp + n, sizeof out->tmp - (size_t)n, ".%d", g);
        out->f = fopen(out->tmp, "wx");
        if (out->f || errno != EEXIST) break;
    }
    if (!out->f) {
        fprintf(stderr, "kimsim: cannot write %s: %s\n", out->path, strerror(errno));
        return -1;
    }
    return 0;
}

int cli_out_commit(cli_out *out)
{
    int err = 0;
    if (fflush(out->f) != 0 || ferror(out->f)) err = errno ? errno : EIO;
    if (!err && fsync(fileno(out->f)) != 0) err = errno;
    if (fclose(out->f) != 0 && !err) err = errno ? errno : EIO;
    out->f = NULL;
    if (!err && holding) {
        hold(HELD_FILE, out->tmp, out->path, out->keep);
        return 0;
    }
    if (!err && rename(out->tmp, out->path) != 0) err = errno;
    if (err) {
        if (!out->keep) unlink(out->tmp);
        fprintf(stderr, "kimsim: cannot write %s: %s\n", out->path, strerror(err));
        return -1;
    }
    return 0;
}

void cli_out_abort(cli_out *out)
{
    if (out->f) fclose(out->f);
    out->f = NULL;
    if (!out->keep) unlink(out->tmp);
}

int cli_dir_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int cli_mkdirs(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
    return cli_dir_exists(buf) ? 0 : -1;
}

int cli_rm_tree(const char *path)
{
    DIR *d = opendir(path);
    if (!d) return errno == ENOENT ? 0 : -1;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        struct stat st;
        if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode)) rc |= cli_rm_tree(sub);
        else if (unlink(sub) != 0) rc = -1;
    }
    closedir(d);
    if (rmdir(path) != 0) rc = -1;
    return rc;
}

int cli_copy_into(FILE *to, const char *from_path)
{
    FILE *in = fopen(from_path, "r");
    if (!in) return -1;
    char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, to) != n) { fclose(in); return -1; }
    int bad_read = ferror(in);
    fclose(in);
    return bad_read ? -1 : 0;
}
