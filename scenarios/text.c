/*
 * text.c — a pre-pass over the scenario text before libconfig parses it.
 *
 * Why: libconfig 1.5 reads a decimal integer literal beyond 32 bits
 * without an 'L' suffix as a truncated int (seed = 20230101234 became
 * -1244735246, silently).  Later versions promote such literals to int64.
 * This pass gives 1.5 the same behaviour: it appends 'L' to literals that
 * fit in 64 bits and ".0" to larger ones (so they read as reals, and an
 * integer key rejects them instead of wrapping).
 *
 * Hex literals beyond 32 bits get the 'L' as well.  Included files
 * (@include) are read by libconfig itself, so this pass cannot widen
 * them: scn_wide_int finds such a literal there, and the loader refuses
 * it rather than let it wrap.
 *
 * Invariant: only characters are appended, and only after an integer
 * literal outside strings and comments, so line numbers and every other
 * token are unchanged.
 */
#include "scn_impl.h"
#include "../sim/sim.h"

#include <stdint.h>
#include <string.h>

static bool word_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '*';
}

/* Is the digit at s part of a name, a real or a hex literal rather than
 * the start of a decimal integer? */
static bool inside_word(const char *text, const char *s)
{
    if (s == text) return false;
    if (word_char(s[-1])) return true;
    if (s[-1] != '-' && s[-1] != '+') return false;
    return s - 1 > text && (word_char(s[-2]) || s[-2] == '-');
}

/* Can ch start nothing: no string, comment or literal (and not the end)? */
static bool plain(char ch)
{
    return ch && ch != '"' && ch != '#' && ch != '/' && (ch < '0' || ch > '9');
}

/* Copies a string literal or comment starting at *s; returns the end. */
static const char *skip_opaque(const char *s)
{
    if (*s == '"') {
        for (s++; *s && *s != '"'; s++)
            if (*s == '\\' && s[1]) s++;
        return *s ? s + 1 : s;
    }
    if (*s == '#' || (s[0] == '/' && s[1] == '/')) {
        while (*s && *s != '\n') s++;
        return s;
    }
    if (s[0] == '/' && s[1] == '*') {
        const char *e = strstr(s + 2, "*/");
        return e ? e + 2 : s + strlen(s);
    }
    return NULL;
}

static int hex_value(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* The suffix the hex literal digits[0..n) (after "0x") needs: 'L' beyond
 * 32 bits, as for decimals; "" when it fits, or is too large for 64
 * bits (libconfig then reads it as it does today). */
static const char *hex_suffix(const char *digits, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (v >> 60) return "";
        v = v << 4 | (uint64_t)hex_value(digits[i]);
    }
    return v > 0x7fffffffu && v <= (uint64_t)INT64_MAX ? "L" : "";
}

/* The suffix a decimal literal digits[0..n) (negative when neg) needs. */
static const char *suffix(const char *digits, size_t n, bool neg)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (v > (UINT64_MAX - 9) / 10) return ".0";
        v = v * 10 + (uint64_t)(digits[i] - '0');
    }
    if (v <= (neg ? 2147483648u : 2147483647u)) return "";
    if (v <= (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX)) return "L";
    return ".0";
}

/* Finds the next integer literal at or after *s outside strings and
 * comments, copying what it passes to *o when o is not NULL.  Returns the
 * suffix the literal needs ("" for none) and sets *lit, *end to it, or
 * returns NULL at the end of the text. */
static const char *next_int(const char *text, const char **s, char **o,
                            const char **lit, const char **end)
{
    while (**s) {
        const char *p = *s, *e = skip_opaque(p);
        if (!e && (*p < '0' || *p > '9' || inside_word(text, p))) {
            e = p + 1;
            while (plain(*e)) e++;          /* and the run of plain characters after it */
        }
        if (e) {
            if (o) { memcpy(*o, p, (size_t)(e - p)); *o += e - p; }
            *s = e;
            continue;
        }
        const char *add;
        if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && hex_value(p[2]) >= 0) {
            e = p + 2;
            while (hex_value(*e) >= 0) e++;
            add = word_char(*e) ? "" : hex_suffix(p + 2, (size_t)(e - p - 2));
        } else {
            e = p;
            while (*e >= '0' && *e <= '9') e++;
            add = word_char(*e) || *e == 'e' || *e == 'E'
                ? "" : suffix(p, (size_t)(e - p), p > text && p[-1] == '-');
        }
        if (o) { memcpy(*o, p, (size_t)(e - p)); *o += e - p; }
        *s = e;
        *lit = p;
        *end = e;
        return add;
    }
    return NULL;
}

char *scn_widen_ints(const char *text)
{
    size_t n = strlen(text);
    char *out = sim_xmalloc(n + n / 4 + 3), *o = out;  /* >= 10 digits per ".0" */
    const char *s = text, *lit, *end, *add;
    while ((add = next_int(text, &s, &o, &lit, &end))) {
        memcpy(o, add, strlen(add));
        o += strlen(add);
    }
    *o = '\0';
    return out;
}

const char *scn_wide_int(const char *text, unsigned *line, size_t *len)
{
    const char *s = text, *lit, *end, *add;
    while ((add = next_int(text, &s, NULL, &lit, &end))) {
        if (!*add) continue;
        *line = 1;
        for (const char *p = text; p < lit; p++) *line += *p == '\n';
        *len = (size_t)(end - lit);
        return lit;
    }
    return NULL;
}

int scn_next_include(const char *text, const char **s, char *name, size_t n,
                     unsigned *line)
{
    const char *p = *s;
    while (*p) {
        if (p == text || p[-1] == '\n') {       /* a line start: libconfig's rule */
            const char *q = p + strspn(p, " \t");
            if (strncmp(q, "@include", 8) == 0 && (q[8] == ' ' || q[8] == '\t')) {
                q += 8 + strspn(q + 8, " \t");
                if (*q == '"') {
                    size_t k = 0;
                    for (q++; *q && *q != '"' && *q != '\n'; q++) {
                        if (*q == '\\' && q[1]) q++;
                        if (k + 1 < n) name[k++] = *q;
                    }
                    name[k] = '\0';
                    *line = 1;
                    for (const char *t = text; t < p; t++) *line += *t == '\n';
                    *s = *q ? q + 1 : q;
                    return 1;
                }
            }
        }
        const char *e = skip_opaque(p);
        p = e ? e : p + 1;
    }
    *s = p;
    return 0;
}
