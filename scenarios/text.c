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
 * Invariant: only characters are appended, and only after a decimal
 * integer literal outside strings and comments, so line numbers and every
 * other token are unchanged.
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

char *scn_widen_ints(const char *text)
{
    size_t n = strlen(text);
    char *out = sim_xmalloc(n + n / 4 + 3), *o = out;  /* >= 10 digits per ".0" */
    const char *s = text;
    while (*s) {
        const char *end = skip_opaque(s);
        if (end) {
            memcpy(o, s, (size_t)(end - s));
            o += end - s;
            s = end;
            continue;
        }
        if (*s < '0' || *s > '9' || inside_word(text, s)) {
            *o++ = *s++;
            continue;
        }
        const char *d = s;
        while (*s >= '0' && *s <= '9') s++;
        memcpy(o, d, (size_t)(s - d));
        o += s - d;
        if (word_char(*s) || *s == 'e' || *s == 'E') continue;
        const char *add = suffix(d, (size_t)(s - d), d > text && d[-1] == '-');
        memcpy(o, add, strlen(add));
        o += strlen(add);
    }
    *o = '\0';
    return out;
}
