/*
 * scn_impl.h — private to scenarios/: the loader's context, the schema of
 * the scenario language (one table for the unknown-key check and --set),
 * and the typed readers every part of the loader shares.
 *
 * Invariant: every reader either stores a valid value and returns 0, or
 * fills c->err with the first error (file:line: key: problem) and returns
 * SCN_EBADINPUT; nothing is read after the first error.
 */
#ifndef KIMSIM_SCN_IMPL_H
#define KIMSIM_SCN_IMPL_H

#include <libconfig.h>
#include <stdarg.h>
#include <stdbool.h>

#include "scn.h"

/* Sizes beyond these are rejected before anything is allocated. */
#define SCN_MAX_ITEMS  10000       /* case types, municipalities, posts, drivers */
#define SCN_MAX_STR    200         /* bytes in a name, id, carrier, reference */
#define SCN_MAX_TEXT   2000        /* bytes in the description */
#define SCN_MAX_PATH   4096        /* bytes in a file name */
#define SCN_MAX_SLOTS  10000000L   /* slots of one post */
#define SCN_MAX_VALUES 1000000     /* empirical values, profile points */
#define SCN_MAX_TRACE  10000000    /* replayed arrivals */
#define SCN_MAX_CASES  10000000    /* initial waiting or open cases per municipality */
#define SCN_MAX_RATE   100000.0    /* arrivals per day of one municipality */
#define SCN_MAX_DAYS   1000000.0   /* horizon */
#define SCN_MAX_SAMPLES 1000000.0  /* time-series points per replication */
#define SCN_MAX_WAITING 100000000L /* max_waiting: cases on the waiting list */
#define SCN_MAX_RESULTS (4L << 30) /* bytes of the results of all replications */
#define SCN_PATH       512         /* key paths in messages */

/* ------------------------------------------------------------------ */
/* Schema                                                               */
/* ------------------------------------------------------------------ */
typedef enum scn_type {
    SCN_T_NUM,          /* real; integers accepted */
    SCN_T_INT,          /* integer (int or int64) */
    SCN_T_STR,
    SCN_T_NUM_OR_STR,   /* warmup_days: a number or "auto" */
    SCN_T_STRS,         /* array of strings: serves, municipalities */
    SCN_T_GROUP,        /* { ... } with keys `sub` */
    SCN_T_ITEMS,        /* ( {...}, ... ) addressed by id */
    SCN_T_LIST,         /* ( {...}, ... ) addressed by [index] */
    SCN_T_RAW           /* a list read by its own code (profile, arrivals) */
} scn_type;

typedef struct scn_key {
    const char *name;
    scn_type type;
    const struct scn_key *sub;  /* GROUP, ITEMS, LIST: keys of the group */
    const char *what;           /* ITEMS: "post", for messages */
} scn_key;

/* NULL-name-terminated tables (schema.c). */
extern const scn_key scn_top_keys[];
extern const scn_key scn_dist_keys[];       /* union over all kinds */
extern const scn_key scn_driver_keys[];     /* union over all kinds */
const scn_key *scn_key_find(const scn_key *keys, const char *name);
/* Closest name in `keys` (edit distance <= 2 or a third of the name), or
 * NULL: for "did you mean" hints. */
const char *scn_key_suggest(const scn_key *keys, const char *name);
size_t scn_edit_distance(const char *a, const char *b);

/* ------------------------------------------------------------------ */
/* Context and errors                                                   */
/* ------------------------------------------------------------------ */
typedef struct scn_index {      /* keys sorted by strcmp, for bsearch */
    struct scn_entry { const char *key; size_t idx; } *e;
    size_t n;
} scn_index;

typedef struct scn_kind {       /* the items of one list, by id and name */
    const char *list;           /* "posts" */
    const char *what;           /* "post" */
    scn_index by_id, by_name;
} scn_kind;

typedef struct scn_ctx {
    const char *file;           /* the scenario as named by the caller */
    const char *dir;            /* its folder with a trailing '/', or "" */
    scn_err *err;
    kim_scenario *sc;
    scn_kind ct, mu, po;        /* case types, municipalities, posts */
    const char *option;         /* "--set" or "--vary": the override being applied */
    char **labels;              /* "--set K=V" of each override applied: */
    size_t n_labels;            /* the hooks of the settings they wrote */
} scn_ctx;

/* Fills c->err (unless already filled) with "<where>: <path>: <problem>",
 * where <where> is "file:line" of s, "file" when s has no line, or
 * "--set K=V" (or "--vary K=V") when s was written by an override.  Returns SCN_EBADINPUT. */
int scn_fail(scn_ctx *c, const config_setting_t *s, const char *path,
             const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int scn_vfail(scn_ctx *c, const config_setting_t *s, const char *path,
              const char *fmt, va_list ap);
/* Where s was given, as messages say it: "file:line", "file", or the
 * "--set K=V" (or "--vary K=V") of an override that wrote it. */
void scn_where(const scn_ctx *c, const config_setting_t *s, char *buf, size_t n);
/* Writes "prefix.key" (or "key" when prefix is empty) to dst[SCN_PATH]. */
void scn_join(char *dst, const char *prefix, const char *key);
/* Words for the type of s: "a string", "a list", ... */
const char *scn_type_words(const config_setting_t *s);

/* ------------------------------------------------------------------ */
/* Typed readers                                                        */
/* ------------------------------------------------------------------ */
/* Flags of the readers: key must be present; bounds are exclusive; an
 * empty string is allowed. */
enum { SCN_REQ = 1, SCN_LO_OPEN = 2, SCN_HI_OPEN = 4, SCN_EMPTY_OK = 8 };

/* Rejects a key of group g that `keys` does not name. */
int scn_check_keys(scn_ctx *c, const config_setting_t *g, const char *prefix,
                   const scn_key *keys);
/* The number in s (int, int64 or float) into *out; finite. */
int scn_number(scn_ctx *c, const config_setting_t *s, const char *path,
               double *out);
/* Checks lo <= x <= hi (strict with SCN_LO_OPEN / SCN_HI_OPEN). */
int scn_range(scn_ctx *c, const config_setting_t *s, const char *path,
              double x, double lo, double hi, int flags);
/* Key `key` of group g: leaves *out alone when absent (unless SCN_REQ). */
int scn_opt_num(scn_ctx *c, const config_setting_t *g, const char *prefix,
                const char *key, double *out, double lo, double hi, int flags);
int scn_opt_int(scn_ctx *c, const config_setting_t *g, const char *prefix,
                const char *key, long long *out, long long lo, long long hi,
                int flags);
/* A string of at most `max` bytes of valid UTF-8 without control
 * characters; *out is borrowed from the tree. */
int scn_opt_str(scn_ctx *c, const config_setting_t *g, const char *prefix,
                const char *key, const char **out, size_t max, int flags);
int scn_check_str(scn_ctx *c, const config_setting_t *s, const char *path,
                  const char *v, size_t max);
/* The same check on any text: 0 when fine, else 1 with why[len] filled. */
int scn_text_problem(const char *v, size_t max, char *why, size_t len);
/* One of names[0..) (NULL-terminated); *out is its index. */
int scn_opt_enum(scn_ctx *c, const config_setting_t *g, const char *prefix,
                 const char *key, const char *const *names, int *out);
/* A group { ... }; *out NULL when absent. */
int scn_opt_group(scn_ctx *c, const config_setting_t *g, const char *prefix,
                  const char *key, const config_setting_t **out, int flags);
/* A list of groups ( {...}, ... ) of at most SCN_MAX_ITEMS; *n = 0 and
 * *out = NULL when absent. */
int scn_opt_items(scn_ctx *c, const config_setting_t *g, const char *key,
                  const config_setting_t **out, size_t *n, int flags);
/* The id an item of a list has in the tree: its `id`, else kim_make_id of
 * its `name`; NULL when it has neither as a string.  Caller frees. */
char *scn_tree_id(const config_setting_t *item);

/* ------------------------------------------------------------------ */
/* Parts of the loader                                                  */
/* ------------------------------------------------------------------ */
/* Reads a distribution group at `path` into *d (dist.c). */
int scn_read_dist(scn_ctx *c, const config_setting_t *g, const char *path,
                  kim_dist *d);
/* Indexes of one kind (refs.c): build after the items are read; rejects
 * duplicate ids and names. */
int scn_kind_build(scn_ctx *c, scn_kind *k, const config_setting_t *list,
                   const char *const *ids, const char *const *names, size_t n);
void scn_kind_fini(scn_kind *k);
/* Index of the item `ref` names (id first, then name), or -1. */
long scn_resolve(const scn_kind *k, const char *ref);
/* Resolves `ref`, or fails with "no post 'x' (known: ...)". */
int scn_ref(scn_ctx *c, const config_setting_t *s, const char *path,
            const scn_kind *k, const char *ref, size_t *out);
/* A references array ["a", "b"] or ["*"]: *all, or owned indices. */
int scn_refs(scn_ctx *c, const config_setting_t *s, const char *path,
             const scn_kind *k, bool *all, size_t **out, size_t *n);
/* The ids of a kind, comma-separated, cut to fit dst[len]. */
void scn_known(const scn_kind *k, char *dst, size_t len);

extern const char *const scn_queue_names[];      /* by kim_queue_policy */
extern const char *const scn_assign_names[];     /* by kim_assign_policy */
extern const char *const scn_drop_names[];       /* by kim_drop_policy */

/* Each reads one part of the tree into c->sc (items.c, drivers.c,
 * trace.c, validate.c). */
int scn_read_case_types(scn_ctx *c, const config_setting_t *root);
int scn_read_munis(scn_ctx *c, const config_setting_t *root);
int scn_read_posts(scn_ctx *c, const config_setting_t *root);
int scn_read_drivers(scn_ctx *c, const config_setting_t *root);   /* drivers.c */
int scn_read_trace(scn_ctx *c, const config_setting_t *root);     /* trace.c */
int scn_validate(scn_ctx *c, const config_setting_t *root);       /* validate.c */
/* Applies the overrides to the tree (override.c). */
int scn_apply_overrides(scn_ctx *c, config_t *cfg, const scn_override *ov,
                        size_t n_ov);
/* Rewrites decimal integer literals outside int32 so libconfig 1.5 does
 * not truncate them: appends 'L' (int64) or ".0" (beyond int64). */
char *scn_widen_ints(const char *text);                           /* text.c */
/* The first integer literal of text that scn_widen_ints would widen (it
 * needs more than 32 bits), with its line and length; NULL if none. */
const char *scn_wide_int(const char *text, unsigned *line, size_t *len);
/* The next `@include "FILE"` at a line start at or after *s, outside
 * comments and strings: FILE into name[n], its line into *line, *s past
 * it; 0 when there is none. */
int scn_next_include(const char *text, const char **s, char *name, size_t n,
                     unsigned *line);
/* Reads a whole text file into a new string (caller frees); NULL with err
 * filled when it cannot (load.c).  `what` names it in messages. */
char *scn_read_file(const char *path, const char *what, scn_err *err);
/* Joins a file name to the scenario's folder unless it is absolute. */
char *scn_resolve_path(const scn_ctx *c, const char *name);

#endif
