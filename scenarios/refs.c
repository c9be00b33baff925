/*
 * refs.c — ids and names of case types, municipalities and posts, and the
 * references between them (serves, drivers, trace rows).
 *
 * Invariant: after scn_kind_build succeeded, ids are unique and names are
 * unique within a kind, no name is another item's id, and scn_resolve finds an item by its id first and
 * by its name second, in O(log n).
 */
#include "scn_impl.h"
#include "../sim/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int entry_cmp(const void *a, const void *b)
{
    const struct scn_entry *x = a, *y = b;
    int d = strcmp(x->key, y->key);
    if (d) return d;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Sorts keys[0..n) into ix; returns the index of an item whose key an
 * earlier item already has, or -1 (and *first is that earlier item). */
static long index_build(scn_index *ix, const char *const *keys, size_t n,
                        size_t *first)
{
    ix->e = sim_xcalloc(n ? n : 1, sizeof *ix->e);
    ix->n = n;
    for (size_t i = 0; i < n; i++) ix->e[i] = (struct scn_entry){ keys[i], i };
    qsort(ix->e, n, sizeof *ix->e, entry_cmp);
    for (size_t i = 1; i < n; i++)
        if (strcmp(ix->e[i - 1].key, ix->e[i].key) == 0) {
            *first = ix->e[i - 1].idx;
            return (long)ix->e[i].idx;
        }
    return -1;
}

static long index_find(const scn_index *ix, const char *key)
{
    size_t lo = 0, hi = ix->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int d = strcmp(ix->e[mid].key, key);
        if (d == 0) {
            while (mid > 0 && strcmp(ix->e[mid - 1].key, key) == 0) mid--;
            return (long)ix->e[mid].idx;
        }
        if (d < 0) lo = mid + 1;
        else hi = mid;
    }
    return -1;
}

/* Fails on a duplicate: item `dup` repeats the key of item `first`. */
static int duplicate(scn_ctx *c, const scn_kind *k, const config_setting_t *list,
                     const char *what, const char *key, long dup, size_t first)
{
    char path[SCN_PATH];
    const config_setting_t *e = config_setting_get_elem(list, (unsigned)dup);
    const config_setting_t *f = config_setting_get_elem(list, (unsigned)first);
    snprintf(path, sizeof path, "%s.[%ld]", k->list, dup);
    return scn_fail(c, e, path, "%s \"%s\" is used twice (also %s.[%zu], line %u)",
                    what, key, k->list, first, config_setting_source_line(f));
}

int scn_kind_build(scn_ctx *c, scn_kind *k, const config_setting_t *list,
                   const char *const *ids, const char *const *names, size_t n)
{
    size_t first = 0;
    long dup = index_build(&k->by_name, names, n, &first);
    if (dup >= 0)
        return duplicate(c, k, list, "name", names[dup], dup, first);
    dup = index_build(&k->by_id, ids, n, &first);
    if (dup >= 0)
        return duplicate(c, k, list, "id", ids[dup], dup, first);
    /* a reference is an id or a name: one item's name may not be
     * another's id, or the reference would silently mean the latter */
    for (size_t i = 0; i < n; i++) {
        long j = index_find(&k->by_id, names[i]);
        if (j < 0 || (size_t)j == i) continue;
        char path[SCN_PATH];
        const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
        snprintf(path, sizeof path, "%s.[%zu]", k->list, i);
        return scn_fail(c, e, path, "name \"%s\" is the id of %s.[%ld] (line %u): a "
                        "reference to it would be ambiguous; rename one or give it "
                        "another id", names[i], k->list, j,
                        config_setting_source_line(config_setting_get_elem(list, (unsigned)j)));
    }
    return 0;
}

void scn_kind_fini(scn_kind *k)
{
    free(k->by_id.e);
    free(k->by_name.e);
    k->by_id = k->by_name = (scn_index){ NULL, 0 };
}

long scn_resolve(const scn_kind *k, const char *ref)
{
    long i = index_find(&k->by_id, ref);
    return i >= 0 ? i : index_find(&k->by_name, ref);
}

void scn_known(const scn_kind *k, char *dst, size_t len)
{
    size_t used = 0;
    dst[0] = '\0';
    for (size_t i = 0; i < k->by_id.n; i++) {
        const char *id = k->by_id.e[i].key;
        if (used + strlen(id) + 8 >= len) {
            snprintf(dst + used, len - used, ", ...");
            return;
        }
        used += (size_t)snprintf(dst + used, len - used, "%s%s", i ? ", " : "", id);
    }
}

/* The id or name of k closest to ref, when close enough to be a typo. */
static const char *closest(const scn_kind *k, const char *ref)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1, limit = strlen(ref) / 3;
    if (limit < 2) limit = 2;
    for (int pass = 0; pass < 2; pass++) {
        const scn_index *ix = pass ? &k->by_name : &k->by_id;
        for (size_t i = 0; i < ix->n; i++) {
            size_t d = scn_edit_distance(ref, ix->e[i].key);
            if (d < best_d) { best_d = d; best = ix->e[i].key; }
        }
    }
    return best_d <= limit ? best : NULL;
}

int scn_ref(scn_ctx *c, const config_setting_t *s, const char *path,
            const scn_kind *k, const char *ref, size_t *out)
{
    char known[200];
    long i = scn_resolve(k, ref);
    if (i >= 0) { *out = (size_t)i; return 0; }
    const char *hint = closest(k, ref);
    scn_known(k, known, sizeof known);
    if (hint)
        return scn_fail(c, s, path, "no %s '%s' (did you mean '%s'? known: %s)",
                        k->what, ref, hint, known);
    return scn_fail(c, s, path, "no %s '%s' (known: %s)", k->what, ref, known);
}

/* The i-th string of a references setting (a string, array or list). */
static int ref_at(scn_ctx *c, const config_setting_t *s, const char *path,
                  size_t i, const char **out)
{
    const config_setting_t *e = config_setting_type(s) == CONFIG_TYPE_STRING
                                    ? s : config_setting_get_elem(s, (unsigned)i);
    if (config_setting_type(e) != CONFIG_TYPE_STRING)
        return scn_fail(c, e, path, "must list names or ids as strings, got %s",
                        scn_type_words(e));
    *out = config_setting_get_string(e);
    return scn_check_str(c, e, path, *out, SCN_MAX_STR);
}

int scn_refs(scn_ctx *c, const config_setting_t *s, const char *path,
             const scn_kind *k, bool *all, size_t **out, size_t *n)
{
    int type = config_setting_type(s);
    size_t len = type == CONFIG_TYPE_STRING ? 1 : (size_t)config_setting_length(s);
    const char *ref = NULL;
    *all = false;
    *out = NULL;
    *n = 0;
    if (type != CONFIG_TYPE_STRING && type != CONFIG_TYPE_ARRAY &&
        type != CONFIG_TYPE_LIST)
        return scn_fail(c, s, path, "must be an array [\"...\", ...], got %s",
                        scn_type_words(s));
    if (len == 0)
        return scn_fail(c, s, path, "must name at least one %s (or \"*\" for all)",
                        k->what);
    if (len > SCN_MAX_ITEMS)
        return scn_fail(c, s, path, "has %zu entries, at most %d are allowed",
                        len, SCN_MAX_ITEMS);
    if (ref_at(c, s, path, 0, &ref)) return SCN_EBADINPUT;
    if (strcmp(ref, "*") == 0 && len == 1) { *all = true; return 0; }
    bool *seen = sim_xcalloc(k->by_id.n ? k->by_id.n : 1, sizeof *seen);
    size_t *idx = sim_xmalloc(len * sizeof *idx);
    int rc = 0;
    for (size_t i = 0; i < len && !rc; i++) {
        rc = ref_at(c, s, path, i, &ref);
        if (!rc && strcmp(ref, "*") == 0)
            rc = scn_fail(c, s, path, "\"*\" (all) cannot be combined with names");
        if (!rc) rc = scn_ref(c, s, path, k, ref, &idx[i]);
        if (!rc && seen[idx[i]])
            rc = scn_fail(c, s, path, "names %s '%s' twice", k->what, ref);
        if (!rc) seen[idx[i]] = true;
    }
    free(seen);
    if (rc) { free(idx); return rc; }
    *out = idx;
    *n = len;
    return 0;
}
