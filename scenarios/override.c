/*
 * override.c — --set KEY=VALUE applied to the libconfig tree before it is
 * converted, so an override passes exactly the checks a file value does.
 *
 * Keys are paths of the schema (schema.c): "horizon_days",
 * "targets.wait_days", "posts.<id>.fte", "case_types.<id>.duration.median",
 * "drivers.[0].factor" (items by id, or by [index]).  A group on the path
 * that is absent is created; a key the schema does not know, or an item
 * that does not exist, is an error naming the --set.
 *
 * Invariant: every setting an override writes or creates carries the
 * assignment as its hook, so a later error about it says "--set K=V"
 * instead of a line of the file.
 */
#include "scn_impl.h"
#include "../sim/sim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fails with "--set K=V: problem". */
static int set_fail(scn_ctx *c, const char *a, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int set_fail(scn_ctx *c, const char *a, const char *fmt, ...)
{
    char what[SCN_PATH];
    va_list ap;
    if (c->err->code != SCN_OK) return SCN_EBADINPUT;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    c->err->code = SCN_EBADINPUT;
    snprintf(c->err->msg, sizeof c->err->msg, "%s %s: %.300s", c->option, a, what);
    return SCN_EBADINPUT;
}

/* The hook is the label "--set K=V" (or "--vary K=V"), which the
 * loader's messages then name instead of a line of the file. */
static void mark(config_setting_t *s, const char *label)
{
    config_setting_set_hook(s, (void *)label);
}

/* ------------------------------------------------------------------ */
/* Items                                                                */
/* ------------------------------------------------------------------ */

/* "[N]" -> N; -1 when seg is not of that form. */
static long bracket_index(const char *seg)
{
    char *end;
    if (seg[0] != '[' || seg[1] < '0' || seg[1] > '9') return -1;
    long i = strtol(seg + 1, &end, 10);
    return (end[0] == ']' && end[1] == '\0') ? i : -1;
}

static void known_ids(const config_setting_t *list, char *dst, size_t len)
{
    size_t used = 0;
    int n = list ? config_setting_length(list) : 0;
    dst[0] = '\0';
    for (int i = 0; i < n; i++) {
        char *id = scn_tree_id(config_setting_get_elem(list, (unsigned)i));
        if (id && used + strlen(id) + 8 >= len) {
            snprintf(dst + used, len - used, ", ...");
            free(id);
            return;
        }
        if (id) used += (size_t)snprintf(dst + used, len - used, "%s%s",
                                         used ? ", " : "", id);
        free(id);
    }
}

/* The item of `list` that seg names ("[N]", or an id unless by_index). */
static config_setting_t *find_item(const config_setting_t *list, const char *seg,
                                   bool by_index)
{
    long want = bracket_index(seg);
    int n = list && config_setting_is_list(list) ? config_setting_length(list) : 0;
    if (want >= 0) return want < n ? config_setting_get_elem(list, (unsigned)want) : NULL;
    for (int i = 0; i < n && !by_index; i++) {
        config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
        char *id = config_setting_is_group(e) ? scn_tree_id(e) : NULL;
        bool hit = id && strcmp(id, seg) == 0;
        free(id);
        if (hit) return e;
    }
    return NULL;
}

static int missing_item(scn_ctx *c, const char *a, const scn_key *k,
                        const config_setting_t *list, const char *seg)
{
    char known[240];
    if (k->type == SCN_T_LIST)
        return set_fail(c, a, "no %s %s (address drivers by index: %s.[0], "
                        "%s.[1], ...; the scenario has %d)", k->what, seg, k->name,
                        k->name, list ? config_setting_length(list) : 0);
    known_ids(list, known, sizeof known);
    return set_fail(c, a, "no %s with id '%s' (known: %s)", k->what, seg,
                    *known ? known : "none");
}

/* ------------------------------------------------------------------ */
/* Values                                                               */
/* ------------------------------------------------------------------ */

static bool parse_number(const char *v, double *x, bool *integral)
{
    char *end;
    if (!*v) return false;
    *x = strtod(v, &end);
    if (*end) return false;
    errno = 0;
    strtoll(v, &end, 10);
    *integral = *end == '\0' && errno != ERANGE;   /* beyond 64 bits: a real */
    return true;
}

/* "a", "*" or "[a, b]" -> an array of strings ("[]" -> empty). */
static void set_strings(config_setting_t *arr, const char *v, const char *label)
{
    size_t n = strlen(v);
    char *buf = sim_xstrdup(v), *s = buf;
    if (n >= 2 && v[0] == '[' && v[n - 1] == ']') {
        buf[n - 1] = '\0';
        s++;
        if (!s[strspn(s, " ")]) s = NULL;
    }
    for (char *next; s; s = next) {
        next = strchr(s, ',');
        if (next) *next++ = '\0';
        while (*s == ' ') s++;
        size_t len = strlen(s);
        while (len && s[len - 1] == ' ') s[--len] = '\0';
        if (len >= 2 && s[0] == '"' && s[len - 1] == '"') { s[len - 1] = '\0'; s++; }
        config_setting_t *e = config_setting_add(arr, NULL, CONFIG_TYPE_STRING);
        config_setting_set_string(e, s);
        mark(e, label);
    }
    free(buf);
}

/* The libconfig type the value gets: a number if it reads as one (an
 * integer when the key or the value it replaces is one), else a string. */
static int value_type(const config_setting_t *old, scn_type type, const char *v)
{
    double x;
    bool integral = false;
    if (type == SCN_T_STR) return CONFIG_TYPE_STRING;
    if (type == SCN_T_STRS) return CONFIG_TYPE_ARRAY;
    if (!parse_number(v, &x, &integral)) return CONFIG_TYPE_STRING;
    bool was_int = old && (config_setting_type(old) == CONFIG_TYPE_INT ||
                           config_setting_type(old) == CONFIG_TYPE_INT64);
    return integral && (type == SCN_T_INT || was_int) ? CONFIG_TYPE_INT64
                                                       : CONFIG_TYPE_FLOAT;
}

static void set_scalar(config_setting_t *parent, const char *name, scn_type type,
                       const char *v, const char *label)
{
    config_setting_t *s = config_setting_get_member(parent, name);
    int t = value_type(s, type, v);
    if (s && config_setting_type(s) != t) {
        config_setting_remove(parent, name);
        s = NULL;
    }
    if (!s) s = config_setting_add(parent, name, t);
    SIM_ASSERT(s != NULL);
    if (t == CONFIG_TYPE_STRING) config_setting_set_string(s, v);
    else if (t == CONFIG_TYPE_INT64) config_setting_set_int64(s, strtoll(v, NULL, 10));
    else if (t == CONFIG_TYPE_FLOAT) config_setting_set_float(s, strtod(v, NULL));
    else {
        while (config_setting_length(s) > 0) config_setting_remove_elem(s, 0);
        set_strings(s, v, label);
    }
    mark(s, label);
}

/* ------------------------------------------------------------------ */
/* Paths                                                                */
/* ------------------------------------------------------------------ */

/* Next segment of a dotted key (in place); NULL at the end. */
static char *next_seg(char **rest)
{
    char *seg = *rest, *dot;
    if (!seg) return NULL;
    dot = strchr(seg, '.');
    if (dot) *dot = '\0';
    *rest = dot ? dot + 1 : NULL;
    return seg;
}

/* Walks key (modified in place) from the root and writes the value. */
static int walk(scn_ctx *c, config_setting_t *cur, char *key, const char *v,
                const char *a, const char *label)
{
    const scn_key *keys = scn_top_keys;
    char *rest = key, *seg;
    while ((seg = next_seg(&rest))) {
        const scn_key *k = scn_key_find(keys, seg);
        config_setting_t *child = config_setting_get_member(cur, seg);
        if (!k) {
            const char *hint = scn_key_suggest(keys, seg);
            if (hint)
                return set_fail(c, a, "unknown key '%s' (did you mean '%s'?)", seg,
                                hint);
            return set_fail(c, a, "unknown key '%s'", seg);
        }
        if (k->type == SCN_T_RAW)
            return set_fail(c, a, "'%s' cannot be set with --set; edit the file", seg);
        if (k->type == SCN_T_ITEMS || k->type == SCN_T_LIST) {
            char *id = next_seg(&rest);
            if (!id || !rest)
                return set_fail(c, a, "address a key of one %s, e.g. %s.%s.<key>",
                                k->what, seg, k->type == SCN_T_LIST ? "[0]" : "<id>");
            cur = find_item(child, id, k->type == SCN_T_LIST);
            if (!cur) return missing_item(c, a, k, child, id);
            if (!config_setting_is_group(cur))      /* the loader says where */
                return set_fail(c, a, "%s.%s is %s in the scenario, not a group { ... }",
                                seg, id, scn_type_words(cur));
            keys = k->sub;
        } else if (k->type == SCN_T_GROUP) {
            if (!rest)
                return set_fail(c, a, "'%s' is a group; set one of its keys, e.g. "
                                "%s.%s", seg, seg, k->sub[0].name);
            if (child && !config_setting_is_group(child))
                return set_fail(c, a, "'%s' is %s in the scenario, not a group",
                                seg, scn_type_words(child));
            if (!child) mark(child = config_setting_add(cur, seg, CONFIG_TYPE_GROUP), label);
            cur = child;
            keys = k->sub;
        } else {
            if (rest) return set_fail(c, a, "'%s' has no keys", seg);
            set_scalar(cur, seg, k->type, v, label);
        }
    }
    return 0;
}

static int apply_one(scn_ctx *c, config_setting_t *root, const char *a, const char *label)
{
    const char *eq = strchr(a, '=');
    if (!eq || eq == a)
        return set_fail(c, a, "expected KEY=VALUE, e.g. posts.drk-hueckelhoven.fte=1.5");
    if ((size_t)(eq - a) >= SCN_PATH) return set_fail(c, a, "key is too long");
    char key[SCN_PATH];
    memcpy(key, a, (size_t)(eq - a));
    key[eq - a] = '\0';
    if (key[0] == '.' || key[eq - a - 1] == '.' || strstr(key, ".."))
        return set_fail(c, a, "empty part in the key");
    return walk(c, root, key, eq + 1, a, label);
}

int scn_apply_overrides(scn_ctx *c, config_t *cfg, const scn_override *ov,
                        size_t n_ov)
{
    c->labels = sim_xcalloc(n_ov + 1, sizeof *c->labels);
    for (size_t i = 0; i < n_ov; i++) {
        c->option = ov[i].option ? ov[i].option : "--set";
        size_t n = strlen(c->option) + strlen(ov[i].assignment) + 2;
        char *label = c->labels[c->n_labels++] = sim_xmalloc(n);
        snprintf(label, n, "%s %s", c->option, ov[i].assignment);
        if (apply_one(c, config_root_setting(cfg), ov[i].assignment, label))
            return SCN_EBADINPUT;
    }
    return 0;
}
