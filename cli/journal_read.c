/*
 * journal_read.c — reading a journal back (DIR/.journal, see journal.c):
 * for --resume, for merge, and for rank 0 after an MPI run; and removing
 * it once the files are written.
 *
 * Invariant: a record enters the index only when its checksum is right,
 * it fits the run, and every range it names lies inside its file; a
 * torn or foreign line is skipped, so its replication runs again.
 */
#include "journal_impl.h"
#include "../sim/sim.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* The size of file `id` as the scan found it (journal lock held). */
static long long file_size(cli_journal *j, int id)
{
    jfile *f = &j->files[id];
    if (f->size < 0) {
        struct stat st;
        f->size = stat(f->path, &st) == 0 ? (long long)st.st_size : 0;
    }
    return f->size;
}

/* One record line (checksum already checked) of the journal folder dir
 * into the run; 1 when new, 0 when (v, r) was already there, -1 when it
 * does not fit the run. */
static int take_record(cli_run *run, const char *dir, int values, char *line)
{
    size_t v, n;
    unsigned long r;
    jloc l = { .set = 1 };
    char hex[256];
    kim_run_info info;
    int used = 0;
    if (sscanf(line, "R %zu %lu %255s %zu%n", &v, &r, hex, &n, &used) != 4 ||
        unhex_info(hex, &info) != 0)
        return -1;
    if (v >= run->n_v || r >= run->v[v].res.n_reps ||
        n != run->v[v].res.groups->n * KIM_N_METRICS)
        return -1;
    cli_journal *j = run->jr;
    if (j->loc[v][r].set) return 0;
    /* the metrics (" " and 16 hex digits each) are read only if the
     * record is whole */
    char *p = line + used, *end, *metrics = p;
    if (strnlen(p, 17 * n) < 17 * n) return -1;
    for (size_t i = 0; i < n; i++)
        if (p[17 * i] != ' ' || strspn(p + 17 * i + 1, "0123456789abcdef") < 16) return -1;
    p += 17 * n;
    for (int k = 0; k < NLOG; k++) {    /* its rows must be there too */
        char name[256];
        int m = 0;
        if (sscanf(p, " %255s %lld %lld%n", name, &l.off[k], &l.len[k], &m) != 3 ||
            l.off[k] < 0 || l.len[k] < 0 || strchr(name, '/') || !strcmp(name, "..") ||
            (l.len[k] > 0 && !strcmp(name, "-")))
            return -1;
        p += m;
        if (l.len[k] == 0) continue;
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        pthread_mutex_lock(&j->lock);
        l.file[k] = jr_file_id(j, path, 1);
        long long size = file_size(j, l.file[k]);
        pthread_mutex_unlock(&j->lock);
        if (l.off[k] + l.len[k] > size) return -1;
    }
    if (*p) return -1;
    if (values) {
        double *x = an_values(&run->v[v].res, r, 0);
        p = metrics;
        for (size_t i = 0; i < n; i++, p = end) {
            uint64_t bits = strtoull(p, &end, 16);
            memcpy(&x[i], &bits, sizeof bits);
        }
        run->v[v].res.info[r] = info;
    }
    j->ready[v][r] = j->loc[v][r] = l;
    return 1;
}

/* The records of one .res log; counts records already known in *dups. */
static int scan_log(cli_run *run, const char *dir, const char *res, int values, size_t *dups)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, res);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0) {
        char *sum = strrchr(line, ' ');
        if (line[len - 1] != '\n' || !sum) continue;        /* torn */
        unsigned long long want = strtoull(sum + 1, NULL, 16);
        if (jr_fnv1a(FNV_START, line, (size_t)(sum - line)) != want) continue;
        *sum = '\0';
        if (take_record(run, dir, values, line) == 0) ++*dups;
    }
    free(line);
    fclose(f);
    return 0;
}

int cli_journal_scan(cli_run *run, const char *dir, int values, int except_rank,
                     size_t *dups)
{
    if (!run->jr) run->jr = cli_journal_new(run);
    DIR *d = opendir(dir);
    if (!d) return -1;
    struct dirent *e;
    int rc = 0;
    char skip[32];          /* "r<rank>", then the role letter */
    size_t n_skip = (size_t)snprintf(skip, sizeof skip, "r%d", except_rank);
    while (!rc && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 5 || e->d_name[0] != 'r' || strcmp(e->d_name + n - 4, ".res")) continue;
        if (except_rank >= 0 && !strncmp(e->d_name, skip, n_skip) &&
            (e->d_name[n_skip] == 't' || e->d_name[n_skip] == 's'))
            continue;
        rc = scan_log(run, dir, e->d_name, values, dups);
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
