/* test_rng: PCG64 against the C++ pcg library, bit for bit.
 *
 * The reference is tests/pcg_ref (pcg_random.hpp's pcg64), run as a
 * subprocess for 10^6 outputs per case; tests/data/pcg64_kat.txt holds a
 * few of its answers so that a broken reference cannot pass silently. */
#include "check.h"
#include "dist.h"
#include "rng.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef HP_PCG_REF
#error "HP_PCG_REF must name the pcg_ref program (tests/rng.cmake sets it)"
#endif
#ifndef HP_PCG64_KAT
#error "HP_PCG64_KAT must name tests/data/pcg64_kat.txt (tests/rng.cmake sets it)"
#endif

#define N_REF 1000000

static uint64_t mine[N_REF], ref[N_REF];

/* 0x-hex for the command line, which must carry 128-bit values. */
static const char *hex128(hp_u128 v, char buf[40])
{
    snprintf(buf, 40, "0x%016" PRIx64 "%016" PRIx64, (uint64_t)(v >> 64), (uint64_t)v);
    return buf;
}

/* Reads a 0x-hex or decimal number of up to 128 bits; NULL if malformed. */
static const char *parse_u128(const char *s, hp_u128 *out)
{
    unsigned base = 10;
    hp_u128 v = 0;
    while (*s == ' ' || *s == '\t')
        s++;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    const char *start = s;
    for (;; s++) {
        unsigned d;
        if (*s >= '0' && *s <= '9')
            d = (unsigned)(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = (unsigned)(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            d = (unsigned)(*s - 'A' + 10);
        else
            break;
        v = v * base + d;
    }
    if (s == start)
        return NULL;
    *out = v;
    return s;
}

/* n outputs of the reference after seeding and advancing; 0 on success. */
static int run_ref(uint64_t *out, size_t n, hp_u128 initstate, hp_u128 initseq, hp_u128 delta)
{
    char cmd[512], a[40], b[40], c[40];
    snprintf(cmd, sizeof cmd, "'%s' %zu %s %s %s", HP_PCG_REF, n,
             hex128(initstate, a), hex128(initseq, b), hex128(delta, c));
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t got = fread(out, sizeof out[0], n, p);
    int status = pclose(p);
    return got == n && status == 0 ? 0 : -1;
}

/* Compares all N_REF outputs of r with the reference's for the same setup. */
static void check_against_ref(const char *what, hp_pcg64 *r,
                              hp_u128 initstate, hp_u128 initseq, hp_u128 delta)
{
    for (size_t i = 0; i < N_REF; i++)
        mine[i] = hp_pcg64_next(r);
    int rc = run_ref(ref, N_REF, initstate, initseq, delta);
    CHECK_MSG(rc == 0, "%s: running %s failed", what, HP_PCG_REF);
    if (rc != 0)
        return;
    size_t i = 0;
    while (i < N_REF && mine[i] == ref[i])
        i++;
    CHECK_MSG(i == N_REF, "%s: output %zu is 0x%016" PRIx64 ", pcg64 gives 0x%016" PRIx64,
              what, i, i < N_REF ? mine[i] : 0, i < N_REF ? ref[i] : 0);
}

/* Seeding and skip-ahead against pcg64(initstate, initseq).advance(delta). */
static void check_seed_advance(hp_u128 initstate, hp_u128 initseq, hp_u128 delta)
{
    char what[160], a[40], b[40], c[40];
    snprintf(what, sizeof what, "seed %s stream %s advance %s",
             hex128(initstate, a), hex128(initseq, b), hex128(delta, c));
    hp_pcg64 r;
    hp_pcg64_seed(&r, initstate, initseq);
    hp_pcg64_advance(&r, delta);
    check_against_ref(what, &r, initstate, initseq, delta);
}

/* The stream map of rng.h: component = pcg64 stream, start = hashed state. */
static void check_stream(uint64_t seed, uint64_t path, uint32_t component)
{
    char what[160];
    snprintf(what, sizeof what, "hp_rng_stream(seed %" PRIu64 ", path %" PRIu64
             ", component %" PRIu32 ")", seed, path, component);
    hp_pcg64 r;
    hp_rng_stream(&r, seed, path, component);
    check_against_ref(what, &r, hp_rng_stream_initstate(seed, path, component), component, 0);
}

/* Neighbouring paths must be independent: over S seeds, the mean of P
 * paths' sums of D normals is N(0, 1/(P D)) exactly when paths (and draws)
 * are independent, so z^2 averages 1 with standard error sqrt(2/S). The
 * first stream map (skip-ahead by path * 2^64) gave 3.3 here. */
static void check_paths_independent(uint32_t component)
{
    enum { S = 200, P = 2000, D = 16 };
    double chi = 0;
    for (int s = 0; s < S; s++) {
        double sum = 0;
        for (int i = 0; i < P; i++) {
            hp_pcg64 r;
            hp_rng_stream(&r, 777 + (uint64_t)s, (uint64_t)i, component);
            for (int d = 0; d < D; d++)
                sum += hp_normal(&r);
        }
        double z = sum / sqrt((double)P * D);
        chi += z * z;
    }
    double mean = chi / S, se = sqrt(2.0 / S);
    CHECK_MSG(fabs(mean - 1) < 4 * se, "component %" PRIu32 ": mean z^2 of path means %.3f, "
              "expected 1 +- %.3f (4 SE): neighbouring paths are correlated", component, mean, 4 * se);
}

/* Distinct paths get distinct starting states (the high word is a bijection). */
static void check_starts_distinct(void)
{
    enum { N = 4096 };
    static uint64_t hi[N];
    for (uint64_t i = 0; i < N; i++)
        hi[i] = (uint64_t)(hp_rng_stream_initstate(5, i, 0) >> 64);
    int dup = 0;
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++)
            dup += hi[i] == hi[j];
    CHECK_MSG(dup == 0, "%d paths share a starting state", dup);
    CHECK(hp_rng_stream_initstate(5, 0, 0) != hp_rng_stream_initstate(5, 0, 1));
    CHECK(hp_rng_stream_initstate(5, 0, 0) != hp_rng_stream_initstate(6, 0, 0));
}

/* advance(k) lands where k calls of next do, and advance(-k) undoes it. */
static void check_advance_vs_steps(uint64_t k)
{
    hp_pcg64 a, b;
    hp_pcg64_seed(&a, 0x853c49e6748fea9bULL, 0xda3e39cb94b95bdbULL);
    b = a;
    hp_pcg64 start = a;
    for (uint64_t i = 0; i < k; i++)
        hp_pcg64_next(&a);
    hp_pcg64_advance(&b, k);
    CHECK_MSG(a.state == b.state && a.inc == b.inc, "advance(%" PRIu64 ") != %" PRIu64 " steps", k, k);
    CHECK(hp_pcg64_next(&a) == hp_pcg64_next(&b));
    hp_pcg64_advance(&b, -(hp_u128)(k + 1));
    CHECK_MSG(b.state == start.state, "advance(-%" PRIu64 ") does not undo advance(%" PRIu64 ")",
              k + 1, k + 1);
}

/* Each line of the KAT file: initstate initseq delta, then outputs. */
static void check_kat_file(void)
{
    FILE *f = fopen(HP_PCG64_KAT, "r");
    CHECK_MSG(f != NULL, "cannot open %s", HP_PCG64_KAT);
    if (!f)
        return;
    char line[1024];
    int lines = 0, lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        const char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '#' || *s == '\n' || *s == '\0')
            continue;
        hp_u128 initstate, initseq, delta, want;
        s = parse_u128(s, &initstate);
        if (s)
            s = parse_u128(s, &initseq);
        if (s)
            s = parse_u128(s, &delta);
        CHECK_MSG(s != NULL, "%s:%d: malformed line", HP_PCG64_KAT, lineno);
        if (!s)
            continue;
        hp_pcg64 r;
        hp_pcg64_seed(&r, initstate, initseq);
        hp_pcg64_advance(&r, delta);
        int n = 0;
        const char *next;
        while ((next = parse_u128(s, &want)) != NULL) {
            uint64_t got = hp_pcg64_next(&r);
            CHECK_MSG(got == (uint64_t)want, "%s:%d: output %d is 0x%016" PRIx64
                      ", expected 0x%016" PRIx64, HP_PCG64_KAT, lineno, n, got, (uint64_t)want);
            s = next;
            n++;
        }
        CHECK_MSG(n > 0, "%s:%d: no outputs", HP_PCG64_KAT, lineno);
        lines++;
    }
    fclose(f);
    CHECK_MSG(lines >= 3, "%s: only %d known-answer lines", HP_PCG64_KAT, lines);
}

int main(void)
{
    const hp_u128 big = ((hp_u128)0x0123456789abcdefULL << 64) | 0xfedcba9876543210ULL;

    check_kat_file();

    /* Seeding: the pcg demo pair, zeros, all-ones, and 128-bit arguments
     * (the top bit of initseq is shifted out of inc, as in pcg). */
    check_seed_advance(42, 54, 0);
    check_seed_advance(0, 0, 0);
    check_seed_advance(UINT64_MAX, UINT64_MAX, 0);
    check_seed_advance(0xcafef00dd15ea5e5ULL, 0x8000000000000001ULL, 0);
    check_seed_advance(big, ~(hp_u128)0, 0);

    /* Skip-ahead: small strides, one path window, odd 128-bit strides, and
     * the wrap-around (2^128 - 1 is one step back). */
    const hp_u128 deltas[] = {
        1, 2, 3, 1000, 123456789, (hp_u128)1 << 64, ((hp_u128)1 << 64) + 1,
        big, (hp_u128)1 << 127, ~(hp_u128)0,
    };
    for (size_t i = 0; i < sizeof deltas / sizeof deltas[0]; i++)
        check_seed_advance(42, 54, deltas[i]);
    check_seed_advance(0xdeadbeefdeadbeefULL, 0xffffffff00000000ULL, 1000003);

    /* Stream map: hashed starts for the first, a middle and the last path. */
    check_stream(20240601, 0, 0);
    check_stream(20240601, 1, 0);
    check_stream(20240601, 7, 3);
    check_stream(20240601, (1ULL << 63) + 5, 2);
    check_stream(UINT64_MAX, UINT64_MAX, UINT32_MAX);
    check_starts_distinct();
    check_paths_independent(0);
    check_paths_independent(3);

    /* Different components and paths must not share a start. */
    hp_pcg64 a, b;
    hp_rng_stream(&a, 1, 0, 0);
    hp_rng_stream(&b, 1, 0, 1);
    CHECK(hp_pcg64_next(&a) != hp_pcg64_next(&b));
    hp_rng_stream(&a, 1, 0, 0);
    hp_rng_stream(&b, 1, 1, 0);
    CHECK(hp_pcg64_next(&a) != hp_pcg64_next(&b));

    const uint64_t ks[] = { 0, 1, 2, 3, 5, 64, 1000, 65537, 1000003 };
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++)
        check_advance_vs_steps(ks[i]);

    return CHECK_DONE();
}
