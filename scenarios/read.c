/*
 * read.c — typed readers over the libconfig tree and the error messages
 * they give.
 *
 * Invariant: a reader returns 0 only after the value passed every check
 * (type, finiteness, range, length, UTF-8); otherwise c->err holds one
 * message "where: key.path: problem" and the reader returns SCN_EBADINPUT.
 */
#include "scn_impl.h"
#include "../sim/sim.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Messages                                                             */
/* ------------------------------------------------------------------ */

void scn_where(const scn_ctx *c, const config_setting_t *s, char *buf, size_t n)
{
    const char *file = c->file;
    if (s && config_setting_get_hook(s)) {
        snprintf(buf, n, "%s", (const char *)config_setting_get_hook(s));
        return;
    }
    if (s && config_setting_source_file(s)) file = config_setting_source_file(s);
    if (s && config_setting_source_line(s) > 0)
        snprintf(buf, n, "%s:%u", file, (unsigned)config_setting_source_line(s));
    else
        snprintf(buf, n, "%s", file);
}

int scn_vfail(scn_ctx *c, const config_setting_t *s, const char *path,
              const char *fmt, va_list ap)
{
    char loc[SCN_PATH], what[SCN_PATH];
    if (c->err->code != SCN_OK) return SCN_EBADINPUT;
    scn_where(c, s, loc, sizeof loc);
    vsnprintf(what, sizeof what, fmt, ap);
    c->err->code = SCN_EBADINPUT;
    if (path && *path)
        snprintf(c->err->msg, sizeof c->err->msg, "%.200s: %s: %.300s", loc, path,
                 what);
    else
        snprintf(c->err->msg, sizeof c->err->msg, "%.200s: %.300s", loc, what);
    return SCN_EBADINPUT;
}

int scn_fail(scn_ctx *c, const config_setting_t *s, const char *path,
             const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = scn_vfail(c, s, path, fmt, ap);
    va_end(ap);
    return rc;
}

void scn_join(char *dst, const char *prefix, const char *key)
{
    /* snprintf(dst, SCN_PATH, "%s.%s", prefix, key) without printf: every
     * key read makes its path (a state's scenario has thousands) */
    size_t room = SCN_PATH - 1, n = 0;
    if (prefix && *prefix) {
        n = strlen(prefix);
        if (n > room) n = room;
        memcpy(dst, prefix, n);
        if (n < room) dst[n++] = '.';
    }
    size_t k = strlen(key);
    if (k > room - n) k = room - n;
    memcpy(dst + n, key, k);
    dst[n + k] = '\0';
}

const char *scn_type_words(const config_setting_t *s)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_GROUP:  return "a group { ... }";
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:  return "an integer";
    case CONFIG_TYPE_FLOAT:  return "a number";
    case CONFIG_TYPE_STRING: return "a string";
    case CONFIG_TYPE_BOOL:   return "true/false";
    case CONFIG_TYPE_ARRAY:  return "an array [ ... ]";
    case CONFIG_TYPE_LIST:   return "a list ( ... )";
    default:                 return "nothing";
    }
}

int scn_check_keys(scn_ctx *c, const config_setting_t *g, const char *prefix,
                   const scn_key *keys)
{
    char path[SCN_PATH];
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(m), *hint;
        if (scn_key_find(keys, name)) continue;
        scn_join(path, prefix, name);
        hint = scn_key_suggest(keys, name);
        if (hint)
            return scn_fail(c, m, path, "unknown key '%s' (did you mean '%s'?)",
                            name, hint);
        return scn_fail(c, m, path, "unknown key '%s'", name);
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Numbers                                                              */
/* ------------------------------------------------------------------ */

int scn_number(scn_ctx *c, const config_setting_t *s, const char *path,
               double *out)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:   *out = config_setting_get_int(s); return 0;
    case CONFIG_TYPE_INT64: *out = (double)config_setting_get_int64(s); return 0;
    case CONFIG_TYPE_FLOAT:
        *out = config_setting_get_float(s);
        if (isfinite(*out)) return 0;
        return scn_fail(c, s, path, "must be a finite number, got %g", *out);
    case CONFIG_TYPE_STRING:
        return scn_fail(c, s, path, "must be a number, got a string (\"%.40s\")",
                        config_setting_get_string(s));
    default:
        return scn_fail(c, s, path, "must be a number, got %s",
                        scn_type_words(s));
    }
}

int scn_range(scn_ctx *c, const config_setting_t *s, const char *path,
              double x, double lo, double hi, int flags)
{
    bool lo_ok = (flags & SCN_LO_OPEN) ? x > lo : x >= lo;
    bool hi_ok = (flags & SCN_HI_OPEN) ? x < hi : x <= hi;
    if (lo_ok && hi_ok) return 0;
    if (isinf(hi))
        return scn_fail(c, s, path, "must be %s %.10g, got %.15g",
                        (flags & SCN_LO_OPEN) ? ">" : ">=", lo, x);
    if (isinf(lo))
        return scn_fail(c, s, path, "must be %s %.10g, got %.15g",
                        (flags & SCN_HI_OPEN) ? "<" : "<=", hi, x);
    return scn_fail(c, s, path, "must be in %c%.10g, %.10g%c, got %.15g",
                    (flags & SCN_LO_OPEN) ? '(' : '[', lo, hi,
                    (flags & SCN_HI_OPEN) ? ')' : ']', x);
}

/* Member `key` of g into *m; fails when absent and required. */
static int member(scn_ctx *c, const config_setting_t *g, const char *prefix,
                  const char *key, int flags, const config_setting_t **m)
{
    char path[SCN_PATH];
    *m = config_setting_get_member(g, key);
    if (*m || !(flags & SCN_REQ)) return 0;
    scn_join(path, prefix, key);
    return scn_fail(c, g, path, "missing (required)");
}

int scn_opt_num(scn_ctx *c, const config_setting_t *g, const char *prefix,
                const char *key, double *out, double lo, double hi, int flags)
{
    const config_setting_t *m;
    char path[SCN_PATH];
    double x;
    if (member(c, g, prefix, key, flags, &m) || !m) return c->err->code;
    scn_join(path, prefix, key);
    if (scn_number(c, m, path, &x) || scn_range(c, m, path, x, lo, hi, flags))
        return SCN_EBADINPUT;
    *out = x;
    return 0;
}

int scn_opt_int(scn_ctx *c, const config_setting_t *g, const char *prefix,
                const char *key, long long *out, long long lo, long long hi,
                int flags)
{
    const config_setting_t *m;
    char path[SCN_PATH];
    long long x;
    if (member(c, g, prefix, key, flags, &m) || !m) return c->err->code;
    scn_join(path, prefix, key);
    if (config_setting_type(m) == CONFIG_TYPE_INT) x = config_setting_get_int(m);
    else if (config_setting_type(m) == CONFIG_TYPE_INT64)
        x = config_setting_get_int64(m);
    else if (config_setting_type(m) == CONFIG_TYPE_FLOAT) {
        /* a whole number too large for 64 bits reads as a real (text.c) */
        double v = config_setting_get_float(m);
        if (v == floor(v) && fabs(v) >= 0x1p63)
            return scn_fail(c, m, path, "must be in [%lld, %lld], got %.15g", lo, hi, v);
        return scn_fail(c, m, path, "must be a whole number, got %.15g", v);
    }
    else
        return scn_fail(c, m, path, "must be a whole number, got %s",
                        scn_type_words(m));
    if (x < lo || x > hi)
        return scn_fail(c, m, path, "must be in [%lld, %lld], got %lld", lo, hi, x);
    *out = x;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Strings                                                              */
/* ------------------------------------------------------------------ */

/* Length of the UTF-8 sequence at s (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0 when it is invalid. */
static size_t utf8_len(const unsigned char *s)
{
    if (s[0] < 0x80) return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) return (s[1] & 0xc0) == 0x80 ? 2 : 0;
    if (s[0] >= 0xe0 && s[0] <= 0xef) {
        if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80) return 0;
        if (s[0] == 0xe0 && s[1] < 0xa0) return 0;
        if (s[0] == 0xed && s[1] > 0x9f) return 0;
        return 3;
    }
    if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
            (s[3] & 0xc0) != 0x80) return 0;
        if (s[0] == 0xf0 && s[1] < 0x90) return 0;
        if (s[0] == 0xf4 && s[1] > 0x8f) return 0;
        return 4;
    }
    return 0;
}

int scn_text_problem(const char *v, size_t max, char *why, size_t len)
{
    size_t n = strlen(v);
    if (n > max) {
        snprintf(why, len, "must be at most %zu bytes, got %zu", max, n);
        return 1;
    }
    for (size_t i = 0; i < n;) {
        size_t k = utf8_len((const unsigned char *)v + i);
        if (k == 0) {
            snprintf(why, len, "is not valid UTF-8 (byte %zu)", i + 1);
            return 1;
        }
        if (k == 1 && ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)) {
            snprintf(why, len, "must not contain control characters");
            return 1;
        }
        i += k;
    }
    return 0;
}

int scn_check_str(scn_ctx *c, const config_setting_t *s, const char *path,
                  const char *v, size_t max)
{
    char why[100];
    if (!scn_text_problem(v, max, why, sizeof why)) return 0;
    return scn_fail(c, s, path, "%s", why);
}

int scn_opt_str(scn_ctx *c, const config_setting_t *g, const char *prefix,
                const char *key, const char **out, size_t max, int flags)
{
    const config_setting_t *m;
    char path[SCN_PATH];
    if (member(c, g, prefix, key, flags, &m) || !m) return c->err->code;
    scn_join(path, prefix, key);
    if (config_setting_type(m) != CONFIG_TYPE_STRING)
        return scn_fail(c, m, path, "must be a string \"...\", got %s",
                        scn_type_words(m));
    const char *v = config_setting_get_string(m);
    if (!*v && !(flags & SCN_EMPTY_OK))
        return scn_fail(c, m, path, "must not be empty");
    if (scn_check_str(c, m, path, v, max)) return SCN_EBADINPUT;
    *out = v;
    return 0;
}

int scn_opt_enum(scn_ctx *c, const config_setting_t *g, const char *prefix,
                 const char *key, const char *const *names, int *out)
{
    const char *v = NULL;
    char path[SCN_PATH], list[SCN_PATH] = "";
    if (scn_opt_str(c, g, prefix, key, &v, SCN_MAX_STR, 0) || !v)
        return c->err->code;
    for (int i = 0; names[i]; i++) {
        if (strcmp(v, names[i]) == 0) { *out = i; return 0; }
        size_t len = strlen(list);
        snprintf(list + len, sizeof list - len, "%s\"%s\"", i ? ", " : "", names[i]);
    }
    scn_join(path, prefix, key);
    return scn_fail(c, config_setting_get_member(g, key), path,
                    "must be one of %s, got \"%s\"", list, v);
}

/* ------------------------------------------------------------------ */
/* Groups and lists                                                     */
/* ------------------------------------------------------------------ */

int scn_opt_group(scn_ctx *c, const config_setting_t *g, const char *prefix,
                  const char *key, const config_setting_t **out, int flags)
{
    const config_setting_t *m;
    char path[SCN_PATH];
    *out = NULL;
    if (member(c, g, prefix, key, flags, &m) || !m) return c->err->code;
    scn_join(path, prefix, key);
    if (!config_setting_is_group(m))
        return scn_fail(c, m, path, "must be a group { ... }, got %s",
                        scn_type_words(m));
    *out = m;
    return 0;
}

int scn_opt_items(scn_ctx *c, const config_setting_t *g, const char *key,
                  const config_setting_t **out, size_t *n, int flags)
{
    const config_setting_t *m;
    char path[SCN_PATH];
    *out = NULL;
    *n = 0;
    if (member(c, g, "", key, flags, &m) || !m) return c->err->code;
    if (!config_setting_is_list(m))
        return scn_fail(c, m, key, "must be a list ( { ... }, ... ), got %s",
                        scn_type_words(m));
    size_t len = (size_t)config_setting_length(m);
    if (len == 0 && (flags & SCN_REQ))
        return scn_fail(c, m, key, "must not be empty");
    if (len > SCN_MAX_ITEMS)
        return scn_fail(c, m, key, "has %zu entries, at most %d are allowed",
                        len, SCN_MAX_ITEMS);
    for (size_t i = 0; i < len; i++) {
        const config_setting_t *e = config_setting_get_elem(m, (unsigned)i);
        if (config_setting_is_group(e)) continue;
        snprintf(path, sizeof path, "%s.[%zu]", key, i);
        return scn_fail(c, e, path, "must be a group { ... }, got %s",
                        scn_type_words(e));
    }
    *out = m;
    *n = len;
    return 0;
}

char *scn_tree_id(const config_setting_t *item)
{
    const config_setting_t *id = config_setting_get_member(item, "id");
    const config_setting_t *name = config_setting_get_member(item, "name");
    if (id && config_setting_type(id) == CONFIG_TYPE_STRING)
        return sim_xstrdup(config_setting_get_string(id));
    if (name && config_setting_type(name) == CONFIG_TYPE_STRING)
        return kim_make_id(config_setting_get_string(name));
    return NULL;
}
