/*
 * files.c — output files that are never half-written: each is written to
 * a temporary name beside its final one, flushed to disk (fsync) and
 * renamed over it, so a reader sees the old file or the new, never a mix.
 *
 * A set of files is published together: between cli_out_hold() and
 * cli_out_publish() a committed file stays under its temporary name (and a
 * dropped one stays), and only when every file of the set is on disk are
 * they renamed into place, one rename each (which needs no space); after a
 * failure cli_out_discard() removes the temporaries.  So a full disk or a
 * write error leaves the previous run's files as they were, not a mix of
 * old and new.
 */
#include "cli.h"
#include "../sim/sim.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

/* The set being held: tmp[i] renamed to path[i] on publish, or path[i]
 * removed when tmp[i] is NULL (a file the new run does not make). */
static struct held { char *tmp, *path; } *held;
static size_t n_held;
static int holding;

void cli_out_hold(void)
{
    holding = 1;
}

static void hold(const char *tmp, const char *path)
{
    held = sim_xrealloc(held, (n_held + 1) * sizeof *held);
    held[n_held].tmp = tmp ? sim_xstrdup(tmp) : NULL;
    held[n_held++].path = sim_xstrdup(path);
}

static void release_held(void)
{
    for (size_t i = 0; i < n_held; i++) {
        free(held[i].tmp);
        free(held[i].path);
    }
    free(held);
    held = NULL;
    n_held = 0;
    holding = 0;
}

int cli_out_publish(void)
{
    int rc = 0;
    for (size_t i = 0; i < n_held; i++) {
        struct held *h = &held[i];
        if (h->tmp ? rename(h->tmp, h->path) == 0
                   : unlink(h->path) == 0 || errno == ENOENT)
            continue;
        fprintf(stderr, "kimsim: cannot write %s: %s\n", h->path, strerror(errno));
        if (h->tmp) unlink(h->tmp);
        rc = -1;
    }
    release_held();
    return rc;
}

void cli_out_discard(void)
{
    for (size_t i = 0; i < n_held; i++)
        if (held[i].tmp) unlink(held[i].tmp);
    release_held();
}

void cli_out_drop(const char *dir, const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (holding) hold(NULL, path);
    else unlink(path);
}

int cli_out_open(cli_out *out, const char *dir, const char *name)
{
    return cli_out_open_in(out, dir, "", dir, name);
}

int cli_out_open_in(cli_out *out, const char *tmp_dir, const char *tag, const char *dir,
                    const char *name)
{
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
        hold(out->tmp, out->path);
        return 0;
    }
    if (!err && rename(out->tmp, out->path) != 0) err = errno;
    if (err) {
        unlink(out->tmp);
        fprintf(stderr, "kimsim: cannot write %s: %s\n", out->path, strerror(err));
        return -1;
    }
    return 0;
}

void cli_out_abort(cli_out *out)
{
    if (out->f) fclose(out->f);
    out->f = NULL;
    unlink(out->tmp);
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
