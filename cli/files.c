/*
 * files.c — output files that are never half-written: each is written to
 * a temporary name beside its final one, flushed to disk (fsync) and
 * renamed over it, so a reader sees the old file or the new, never a mix.
 */
#include "cli.h"

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

int cli_out_open(cli_out *out, const char *dir, const char *name)
{
    snprintf(out->path, sizeof out->path, "%s/%s", dir, name);
    snprintf(out->tmp, sizeof out->tmp, "%s/.%s.tmp%ld", dir, name, (long)getpid());
    out->f = fopen(out->tmp, "w");
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
