/*
 * journal_impl.h — private to cli/journal.c and cli/journal_read.c: the
 * journal's index and writers (the layout and invariant are described at
 * the top of journal.c).
 */
#ifndef KIMSIM_JOURNAL_IMPL_H
#define KIMSIM_JOURNAL_IMPL_H

#include "cli.h"

#include <pthread.h>
#include <stdint.h>

enum { IOBUF = 1 << 18 };   /* stdio buffer of a log */
enum { NLOG = 3 };          /* text logs: time series, cases, replication rows */
enum { HELD_MAX = 32 << 20 };   /* bytes of given text queued for the syncer, at most
                                   (unless a single replication has more) */

enum { JMEM = -2 };         /* jloc.file: text in memory, off = its record */

typedef struct jloc {       /* where a replication's text is */
    int set;                /* 0: not there */
    int file[NLOG];         /* per kind: a file of the journal's table (or JMEM) */
    long long off[NLOG], len[NLOG]; /* its range there; len 0: none */
} jloc;

typedef struct jrec {       /* a record waiting for the syncer */
    size_t v;
    unsigned long r;
    jloc l;
    char *text[NLOG];       /* given text (cli_jwriter_give), until placed */
    char *line;             /* the line up to its ranges, with room for them */
    size_t len;
    uint64_t sum;           /* checksum of line[0, len) so far */
    cli_jwriter *w;
} jrec;

typedef struct jfile {      /* a file that records name */
    char *path;
    int fd;                 /* for reading, opened when first needed; -1 */
    int is_log;             /* a log, not a file being assembled */
    long long size;         /* when scanned */
} jfile;

struct cli_journal {
    pthread_mutex_t lock;   /* guards logs, writers, queues, the syncer state */
    jfile *files; size_t n_files;   /* every file records name */
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
    size_t pending_bytes;   /* ... and the text given with them */
    jrec *round; size_t n_round;    /* the syncer's batch (JMEM indexes it) */
    int spill[NLOG];        /* the syncer's logs for given text out of order; -1 */
    int spill_file[NLOG];
    long long spill_size[NLOG];
    int rank;
    char dir[4096];         /* the journal folder */
    double cpu_seconds;     /* the syncer thread's CPU time, once it ended */
    /* Called by the syncer after each batch it made committed */
    int (*on_batch)(void *);
    void *on_batch_ctx;
};

struct cli_jwriter {
    int file[NLOG];         /* .ts, .cases, .rep in the journal's table */
    FILE *f[NLOG];          /* ... appended by the writer's thread */
    int res;                /* .res: appended by the syncer */
    long long start[NLOG];  /* offsets where the current replication began */
    char *given[NLOG];      /* its text handed over instead (cli_jwriter_give) */
    size_t given_len[NLOG];
    char *buf;              /* NLOG x IOBUF for f[] */
    jrec *q; size_t n_q, cap_q;     /* queued records (journal lock) */
};

/* The file name extensions of the kinds, and the kind of one. */
extern const char *const jr_exts[NLOG];
int jr_kind(const char *ext);

/* The index of `path` in j's file table, added when new (journal lock
 * held). */
int jr_file_id(cli_journal *j, const char *path, int is_log);

/* FNV-1a, the records' checksum: jr_fnv1a(FNV_START, s, n), continued
 * over more bytes by passing the last value back. */
#define FNV_START 0xcbf29ce484222325ull
uint64_t jr_fnv1a(uint64_t h, const char *s, size_t n);

#endif

