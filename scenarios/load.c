/*
 * load.c — scn_load and scn_load_string: file -> libconfig tree -> --set
 * overrides -> kim_scenario, and the top-level keys of DESIGN.md §4.
 *
 * Invariant: the caller's scenario is written only on success; on any
 * error everything built so far is released and *out is zeroed, so the
 * caller has nothing to free.
 */
#include "scn_impl.h"
#include "../sim/sim.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_FILE_BYTES (256L * 1024 * 1024)

const char *const scn_queue_names[] = { "priority", "fifo", NULL };
const char *const scn_assign_names[] = { "home-first", "least-loaded", NULL };
const char *const scn_drop_names[] = { "finish", "reassign", NULL };

/* ------------------------------------------------------------------ */
/* Top-level keys                                                       */
/* ------------------------------------------------------------------ */

static int read_warmup(scn_ctx *c, const config_setting_t *root)
{
    const config_setting_t *w = config_setting_get_member(root, "warmup_days");
    kim_scenario *sc = c->sc;
    if (w && config_setting_type(w) == CONFIG_TYPE_STRING) {
        if (strcmp(config_setting_get_string(w), "auto") == 0) {
            sc->warmup_auto = true;
            return 0;
        }
        return scn_fail(c, w, "warmup_days", "must be a number of days or "
                        "\"auto\", got \"%.40s\"", config_setting_get_string(w));
    }
    if (scn_opt_num(c, root, "", "warmup_days", &sc->warmup_days, 0.0,
                    INFINITY, 0))
        return SCN_EBADINPUT;
    if (sc->warmup_days < sc->horizon_days) return 0;
    return scn_fail(c, w, "warmup_days", "must be < horizon_days (%.10g), got %.15g",
                    sc->horizon_days, sc->warmup_days);
}

static int read_rng(scn_ctx *c, const config_setting_t *root)
{
    const char *rng = "mt19937";
    if (scn_opt_str(c, root, "", "rng", &rng, SCN_MAX_STR, 0)) return SCN_EBADINPUT;
    if (!sim_rng_type(rng))
        return scn_fail(c, config_setting_get_member(root, "rng"), "rng",
                        "GSL has no generator \"%s\" (e.g. \"mt19937\", "
                        "\"ranlxd2\", \"taus2\")", rng);
    c->sc->rng = sim_xstrdup(rng);
    return 0;
}

static int read_sampling(scn_ctx *c, const config_setting_t *root)
{
    kim_scenario *sc = c->sc;
    if (scn_opt_num(c, root, "", "sample_days", &sc->sample_days, 0.0,
                    INFINITY, 0))
        return SCN_EBADINPUT;
    if (sc->sample_days == 0.0 ||
        sc->horizon_days / sc->sample_days <= SCN_MAX_SAMPLES)
        return 0;
    return scn_fail(c, config_setting_get_member(root, "sample_days"),
                    "sample_days", "gives %.15g samples per replication, at most "
                    "%.0f are allowed (0 turns sampling off)",
                    sc->horizon_days / sc->sample_days, SCN_MAX_SAMPLES);
}

static int read_top(scn_ctx *c, const config_setting_t *root)
{
    kim_scenario *sc = c->sc;
    const char *name = NULL, *desc = NULL;
    long long reps = sc->replications, seed = (long long)sc->seed;
    long long max_waiting = KIM_MAX_WAITING_DEFAULT;
    if (scn_opt_str(c, root, "", "name", &name, SCN_MAX_STR, SCN_REQ) ||
        scn_opt_str(c, root, "", "description", &desc, SCN_MAX_TEXT, SCN_EMPTY_OK) ||
        scn_opt_num(c, root, "", "horizon_days", &sc->horizon_days, 0.0,
                    SCN_MAX_DAYS, SCN_REQ | SCN_LO_OPEN) ||
        read_warmup(c, root) ||
        scn_opt_int(c, root, "", "replications", &reps, 1, 10000000, 0) ||
        scn_opt_int(c, root, "", "seed", &seed, 0, INT64_MAX, 0) ||
        read_rng(c, root) || read_sampling(c, root) ||
        scn_opt_int(c, root, "", "max_waiting", &max_waiting, 1, SCN_MAX_WAITING, 0))
        return SCN_EBADINPUT;
    sc->name = sim_xstrdup(name);
    char at[SCN_PATH];
    scn_where(c, config_setting_get_member(root, "name"), at, sizeof at);
    sc->name_at = sim_xstrdup(at);
    sc->description = sim_xstrdup(desc ? desc : "");
    sc->replications = (long)reps;
    sc->seed = (uint64_t)seed;
    sc->max_waiting = (long)max_waiting;
    return 0;
}

/* Group `key` of the root (NULL when absent), its keys checked. */
static int top_group(scn_ctx *c, const config_setting_t *root, const char *key,
                     const config_setting_t **g)
{
    if (scn_opt_group(c, root, "", key, g, 0)) return SCN_EBADINPUT;
    return *g ? scn_check_keys(c, *g, key, scn_key_find(scn_top_keys, key)->sub)
              : 0;
}

static int read_caseload_targets(scn_ctx *c, const config_setting_t *root)
{
    kim_targets *t = &c->sc->targets;
    const config_setting_t *cl, *tg;
    if (top_group(c, root, "caseload", &cl) || top_group(c, root, "targets", &tg))
        return SCN_EBADINPUT;
    if (cl && scn_opt_num(c, cl, "caseload", "per_fte", &c->sc->caseload_per_fte,
                          0.0, 1e5, SCN_LO_OPEN))
        return SCN_EBADINPUT;
    if (!tg) return 0;
    if (scn_opt_num(c, tg, "targets", "wait_days", &t->wait_days, 0.0, INFINITY, 0) ||
        scn_opt_num(c, tg, "targets", "wait_quantile", &t->wait_quantile, 0.0, 1.0,
                    SCN_LO_OPEN | SCN_HI_OPEN) ||
        scn_opt_num(c, tg, "targets", "max_utilization", &t->max_utilization,
                    0.0, 1.0, SCN_LO_OPEN) ||
        scn_opt_num(c, tg, "targets", "max_reneged_share", &t->max_reneged_share,
                    0.0, 1.0, 0) ||
        scn_opt_num(c, tg, "targets", "max_backlog_growth_per_month",
                    &t->max_backlog_growth_per_month, 0.0, 1e9, 0))
        return SCN_EBADINPUT;
    return 0;
}

static int read_policy_cost(scn_ctx *c, const config_setting_t *root)
{
    kim_scenario *sc = c->sc;
    const config_setting_t *po, *co;
    int q = (int)sc->queue, a = (int)sc->assign, d = (int)sc->capacity_drop;
    if (top_group(c, root, "policy", &po) || top_group(c, root, "cost", &co))
        return SCN_EBADINPUT;
    if (po && (scn_opt_enum(c, po, "policy", "queue", scn_queue_names, &q) ||
               scn_opt_enum(c, po, "policy", "assign", scn_assign_names, &a) ||
               scn_opt_enum(c, po, "policy", "capacity_drop", scn_drop_names, &d)))
        return SCN_EBADINPUT;
    sc->queue = (kim_queue_policy)q;
    sc->assign = (kim_assign_policy)a;
    sc->capacity_drop = (kim_drop_policy)d;
    /* 1e9 EUR per post and year: far above any salary, low enough that
     * cost_eur sums of a state's posts over decades stay finite */
    if (co && (scn_opt_num(c, co, "cost", "per_fte_year", &sc->cost_per_fte_year,
                           0.0, 1e9, 0) ||
               scn_opt_num(c, co, "cost", "top_up_per_fte_year",
                           &sc->cost_top_up_per_fte_year, 0.0, 1e9, 0)))
        return SCN_EBADINPUT;
    return 0;
}

static int convert(scn_ctx *c, const config_setting_t *root)
{
    if (scn_check_keys(c, root, "", scn_top_keys) || read_top(c, root) ||
        read_caseload_targets(c, root) ||
        read_policy_cost(c, root) || scn_read_case_types(c, root) ||
        scn_read_munis(c, root) || scn_read_posts(c, root) ||
        scn_read_drivers(c, root) || scn_read_trace(c, root) ||
        scn_validate(c, root))
        return SCN_EBADINPUT;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Entry points                                                         */
/* ------------------------------------------------------------------ */

/* Read by LeakSanitizer in sanitizer builds (make asan, make fuzz) and
 * unused otherwise: libconfig 1.5 leaks its scanner's buffers when a
 * syntax error stops the parser inside a string or token (`a = { "x"; };`),
 * memory kimsim never sees.  Only allocations by the scanner are
 * suppressed; tests/valgrind.supp says the same to valgrind. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:strbuf_append\nleak:libconfig_yylex\n";
}

char *scn_resolve_path(const scn_ctx *c, const char *name)
{
    if (name[0] == '/' || !c->dir[0]) return sim_xstrdup(name);
    char *p = sim_xmalloc(strlen(c->dir) + strlen(name) + 1);
    strcpy(p, c->dir);
    strcat(p, name);
    return p;
}

static int parse_error(const config_t *cfg, const char *name, scn_err *err)
{
    const char *file = config_error_file(cfg) ? config_error_file(cfg) : name;
    const char *text = config_error_text(cfg);
    bool mixed = strstr(text, "mismatched element type") != NULL;
    err->code = SCN_EBADINPUT;
    snprintf(err->msg, sizeof err->msg, "%s:%d: %s%s", file, config_error_line(cfg),
             text, mixed ? " (write every number of an array alike: 30.0, "
                           "not 30, next to 90.5)" : "");
    return SCN_EBADINPUT;
}

/* Checks the files text includes (and theirs), before libconfig reads
 * them: each must be a readable regular file (a FIFO would hang the
 * reader, a folder stops it inside its scanner with no file or line), and
 * may hold no integer that needs more than 32 bits, which libconfig 1.5
 * would cut silently in a file it reads itself (text.c).  Paths resolve
 * as libconfig resolves them: against the scenario's folder, even when
 * absolute (libconfig 1.5 prefixes its include folder to every name). */
static int check_includes(scn_ctx *c, const char *text, const char *file, int depth)
{
    const char *s = text;
    char name[4096];
    unsigned line;
    while (depth < 10 && scn_next_include(text, &s, name, sizeof name, &line)) {
        char *path = sim_xmalloc(strlen(c->dir) + strlen(name) + 1);
        sprintf(path, "%s%s", c->dir, name);        /* c->dir ends in '/' */
        struct stat st;
        const char *why = stat(path, &st) != 0 ? strerror(errno)
                        : S_ISDIR(st.st_mode) ? "is a folder"
                        : !S_ISREG(st.st_mode) ? "is not a regular file" : NULL;
        char *inc = why ? NULL : scn_read_file(path, "the included file", c->err);
        int rc = 0;
        unsigned at;
        size_t len;
        const char *wide;
        if (why) {
            c->err->code = SCN_EBADINPUT;
            snprintf(c->err->msg, sizeof c->err->msg, "%.200s:%u: @include \"%.200s\": %s",
                     file, line, name, why);
            rc = SCN_EBADINPUT;
        } else if (!inc) {
            rc = c->err->code;
        } else if ((wide = scn_wide_int(inc, &at, &len))) {
            c->err->code = SCN_EBADINPUT;
            snprintf(c->err->msg, sizeof c->err->msg, "%.200s:%u: %.*s needs more than "
                     "32 bits, which libconfig cuts in an included file: write %.*sL",
                     path, at, (int)len, wide, (int)len, wide);
            rc = SCN_EBADINPUT;
        } else {
            rc = check_includes(c, inc, path, depth + 1);
        }
        free(inc);
        free(path);
        if (rc) return rc;
    }
    return 0;
}

/* Parses text, applies the overrides and converts; dir ends in '/' or is
 * "" (the current folder). */
static int load_text(const char *text, const char *name, const char *dir,
                     const scn_override *ov, size_t n_ov, kim_scenario *out,
                     scn_err *err)
{
    config_t cfg;
    kim_scenario sc;
    char *wide = scn_widen_ints(text);
    scn_ctx c = { .file = name, .dir = dir, .err = err, .sc = &sc,
                  .ct = { "case_types", "case type", { 0 }, { 0 } },
                  .mu = { "municipalities", "municipality", { 0 }, { 0 } },
                  .po = { "posts", "post", { 0 }, { 0 } } };
    int rc;
    config_init(&cfg);
    if (dir[0]) config_set_include_dir(&cfg, dir);
    kim_scenario_defaults(&sc);
    if (check_includes(&c, text, name, 0)) rc = err->code;
    else if (!config_read_string(&cfg, wide)) rc = parse_error(&cfg, name, err);
    else rc = scn_apply_overrides(&c, &cfg, ov, n_ov);
    if (!rc) rc = convert(&c, config_root_setting(&cfg));
    config_destroy(&cfg);
    free(wide);
    for (size_t i = 0; i < c.n_labels; i++) free(c.labels[i]);
    free(c.labels);
    scn_kind_fini(&c.ct);
    scn_kind_fini(&c.mu);
    scn_kind_fini(&c.po);
    if (rc) {
        kim_scenario_fini(&sc);
        memset(out, 0, sizeof *out);
        return rc;
    }
    sc.source = sim_xstrdup(name);
    *out = sc;
    return 0;
}

int scn_load_string(const char *text, const char *name,
                    const scn_override *ov, size_t n_ov,
                    kim_scenario *out, scn_err *err)
{
    err->code = SCN_OK;
    err->msg[0] = '\0';
    return load_text(text, name, "", ov, n_ov, out, err);
}

/* Fills err for a file that cannot be read: a missing file, a folder, a
 * name too long or a symlink loop is bad input (the name given is wrong),
 * anything else a system failure. */
static void file_error(const char *path, const char *what, int e, scn_err *err)
{
    err->code = (e == ENOENT || e == ENOTDIR || e == EISDIR || e == ENAMETOOLONG ||
                 e == ELOOP) ? SCN_EBADINPUT : SCN_ESYSTEM;
    snprintf(err->msg, sizeof err->msg, "%s: cannot read %s: %s", path, what,
             strerror(e));
}

char *scn_read_file(const char *path, const char *what, scn_err *err)
{
    struct stat st;
    FILE *f = fopen(path, "rb");
    if (!f) { file_error(path, what, errno, err); return NULL; }
    int e = fstat(fileno(f), &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
    if (e) {
        file_error(path, what, e, err);
        fclose(f);
        return NULL;
    }
    if (st.st_size > MAX_FILE_BYTES) {
        err->code = SCN_EBADINPUT;
        snprintf(err->msg, sizeof err->msg, "%s: %s is larger than %ld MB", path,
                 what, MAX_FILE_BYTES >> 20);
        fclose(f);
        return NULL;
    }
    char *buf = sim_xmalloc((size_t)st.st_size + 1);
    size_t n = fread(buf, 1, (size_t)st.st_size, f);
    int failed = ferror(f);
    e = errno;
    fclose(f);
    buf[n] = '\0';
    if (failed) file_error(path, what, e, err);
    else if (strlen(buf) != n) {
        err->code = SCN_EBADINPUT;
        snprintf(err->msg, sizeof err->msg, "%s: %s contains a NUL byte (not a "
                 "text file?)", path, what);
    } else return buf;
    free(buf);
    return NULL;
}

int scn_load(const char *path, const scn_override *ov, size_t n_ov,
             kim_scenario *out, scn_err *err)
{
    const char *slash = strrchr(path, '/');
    char *text, *dir;
    int rc;
    err->code = SCN_OK;
    err->msg[0] = '\0';
    memset(out, 0, sizeof *out);
    text = scn_read_file(path, "the scenario", err);
    if (!text) return err->code;
    dir = sim_xstrdup(path);
    dir[slash ? (size_t)(slash - path) + 1 : 0] = '\0';
    rc = load_text(text, path, dir, ov, n_ov, out, err);
    free(dir);
    free(text);
    return rc;
}
