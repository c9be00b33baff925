/*
 * num.c — numbers as CSV text: exactly the bytes of printf("%.10g"), but
 * an order of magnitude faster for the values our files hold.
 *
 * A run of 1,000 replications writes ~3 million numbers; printf's %g costs
 * ~1,500 instructions each (it converts through multi-precision digits).
 * Here a double a = m * 2^q (m < 2^53) in [1e-4, 1e10) is scaled exactly
 * in 128-bit integers: N = m * 10^k with k = 9 - floor(log10 a) <= 13, so
 * N < 2^53 * 10^13 < 2^97, and the ten significant digits are N >> -q
 * rounded by the bits shifted out — exact arithmetic, so the rounding is
 * printf's (round half to even) whenever the discarded part is not exactly
 * one half; that tie, and every value outside the range (or NaN, inf,
 * -0), goes to snprintf.  tests/test_analysis.c compares both on millions
 * of values, ties and boundaries included.
 */
#include "an.h"
#include "../sim/sim.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

const char an_two_digits[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

const uint64_t an_pow10[20] = {
    1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
    100000000ull, 1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull,
    10000000000000ull, 100000000000000ull, 1000000000000000ull, 10000000000000000ull,
    100000000000000000ull, 1000000000000000000ull, 10000000000000000000ull,
};


char *an_fmt_field(char *p, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        size_t n = strlen(s);
        memcpy(p, s, n);
        return p + n;
    }
    *p++ = '"';
    for (; *s; s++) {
        if (*s == '"') *p++ = '"';
        *p++ = *s;
    }
    *p++ = '"';
    return p;
}

/* The ten significant digits of a in [1e-4, 1e10) and its decimal
 * exponent e (a ~ D * 10^(e-9)); 0 when printf must decide (a tie). */
static int digits10(double a, uint64_t *d, int *e)
{
    uint64_t bits;
    memcpy(&bits, &a, sizeof bits);
    int be = (int)(bits >> 52);                 /* a >= 1e-4: normal, positive */
    uint64_t m = (bits & ((1ull << 52) - 1)) | (1ull << 52);
    int s = 1075 - be;                          /* a = m / 2^s exactly */
    /* floor(log10 a) within one: log10(2) * binary exponent */
    int ex = (int)floor((double)(be - 1023) * 0.30102999566398120);
    for (int tries = 0; tries < 4; tries++) {
        int k = 9 - ex;
        if (k < 0 || k > 14 || s <= 0 || s > 120) return 0;
        unsigned __int128 n = (unsigned __int128)m * an_pow10[k];
        uint64_t dd = (uint64_t)(n >> s);
        if (dd < an_pow10[9]) { ex--; continue; }
        if (dd >= an_pow10[10]) { ex++; continue; }
        unsigned __int128 rest = n & (((unsigned __int128)1 << s) - 1);
        unsigned __int128 half = (unsigned __int128)1 << (s - 1);
        if (rest == half) return 0;             /* exact tie: printf's rule */
        if (rest > half && ++dd == an_pow10[10]) {
            dd = an_pow10[9];
            ex++;
        }
        *d = dd;
        *e = ex;
        return 1;
    }
    return 0;
}

/* x = D / 10^k for an integer D < 10^10 and k <= 4 (1.5, 0.85, 2.385):
 * x is the double nearest to that decimal, so %.10g prints the decimal
 * itself (x is within half an ulp of it, far inside the ten-digit grid).
 * Writes it, or returns NULL. */
static char *short_decimal(char *p, double x)
{
    static const double p10[] = { 1.0, 10.0, 100.0, 1000.0, 10000.0 };
    double a = fabs(x);
    if (!(a >= 1e-4 && a < 1e6)) return NULL;
    for (int k = 1; k <= 4; k++) {
        double dk = nearbyint(a * p10[k]);
        if (dk / p10[k] != a) continue;
        uint64_t d = (uint64_t)dk;
        char dig[24];
        int n = 0;
        do dig[n++] = (char)('0' + d % 10); while ((d /= 10) != 0);
        while (n <= k) dig[n++] = '0';          /* at least "0." before */
        int lo = 0;                             /* trailing zeros go */
        while (lo < k && dig[lo] == '0') lo++;
        if (x < 0) *p++ = '-';
        for (int i = n - 1; i >= k; i--) *p++ = dig[i];
        if (lo < k) {
            *p++ = '.';
            for (int i = k - 1; i >= lo; i--) *p++ = dig[i];
        }
        return p;
    }
    return NULL;
}

char *an_fmt_num(char *p, double x)
{
    if (x == floor(x) && fabs(x) < 1e10 && !(x == 0.0 && signbit(x)))
        return an_fmt_long(p, (long long)x);
    char *q = short_decimal(p, x);
    if (q) return q;
    double a = fabs(x);
    uint64_t d;
    int e;
    /* %g with precision 10 prints fixed notation for -4 <= e < 10 */
    if (!(a >= 1e-4 && a < 1e10) || !digits10(a, &d, &e) || e < -4 || e >= 10)
        return p + snprintf(p, 32, "%.10g", x);
    char dig[10];
    for (int i = 9; i >= 0; i--, d /= 10) dig[i] = (char)('0' + d % 10);
    int last = 9;                                /* trailing zeros go */
    while (last > 0 && dig[last] == '0') last--;
    if (x < 0) *p++ = '-';
    if (e >= 0) {
        for (int i = 0; i <= e; i++) *p++ = dig[i];
        if (last > e) {
            *p++ = '.';
            for (int i = e + 1; i <= last; i++) *p++ = dig[i];
        }
    } else {
        *p++ = '0';
        *p++ = '.';
        for (int i = -1; i > e; i--) *p++ = '0';
        for (int i = 0; i <= last; i++) *p++ = dig[i];
    }
    return p;
}

/* "%.*f" with d in 0..4 of |x| < 1e9 (at most 16 bytes).  y = |x| 10^d
 * is within y 2^-53 of the exact product, so unless y lies nearer than
 * y 2^-50 to a half (where printf's rounding of the exact value decides,
 * and snprintf is called), both round to the same integer R, and the text
 * is R with its last d digits after the point.  printf writes the sign of
 * any negative x, even when it rounds to zero ("-0.0"), and so does this. */
char *an_fmt_fixed(char *p, double x, int d)
{
    static const double p10[] = { 1.0, 10.0, 100.0, 1000.0, 10000.0 };
    double a = fabs(x);
    SIM_ASSERT(d >= 0 && d <= 4 && a < 1e9);
    double y = a * p10[d], f = y - floor(y);
    if (!(fabs(f - 0.5) > y * 0x1p-50)) return p + snprintf(p, 17, "%.*f", d, x);
    unsigned long long r = (unsigned long long)(f < 0.5 ? floor(y) : floor(y) + 1.0);
    if (signbit(x)) *p++ = '-';
    unsigned long long pd = an_pow10[d];
    p = an_fmt_long(p, (long long)(r / pd));
    if (d > 0) {
        *p++ = '.';
        unsigned long long fr = r % pd;
        for (int i = d - 1; i >= 0; i--, fr /= 10) p[i] = (char)('0' + fr % 10);
        p += d;
    }
    return p;
}
