/* gen_ziggurat: writes the ziggurat tables of dist.h, sim/ziggurat_tables.h.
 *
 * Usage: gen_ziggurat OUTPUT.h
 *
 * The tables are committed as source, not generated at build time: they are
 * computed here in long double, and where long double is only a double
 * (arm64 macOS, MSVC) 251 of the 256 normal widths come out different and
 * so does every normal draw. A build must give the same draws everywhere,
 * so the sources hold the numbers and this program is kept as the test
 * that they are what the algorithm gives (tests/rng.cmake: regenerate on a
 * machine with an 80-bit or wider long double and compare bit for bit).
 * It refuses to run where long double is narrower than 64 bits of mantissa.
 *
 * Two 256-layer ziggurats (Marsaglia & Tsang 2000): the standard normal
 * with f(x) = exp(-x^2/2) and the standard exponential with f(x) = exp(-x),
 * both on x >= 0 and unnormalised (f(0) = 1). Layer 0 is the base strip
 * [0, R] x [0, f(R)] plus the tail beyond R, drawn as one pseudo-rectangle
 * of width x_0 = V / f(R); layer i >= 1 is [0, x_i] x [f(x_i), f(x_{i+1})]
 * with x_1 = R and x_256 = 0. Every layer has area V.
 *
 * One 64-bit draw u feeds the fast path: layer i = u & 0xff, bit 8 is the
 * sign (normal only) and m = u >> 11 the 53-bit position in the layer, so
 *   x = m * w[i]           w[i] = x_i / 2^53
 *   accept at once if m < k[i],  k[i] = ceil(2^53 * x_{i+1} / x_i)
 * (k[i] is the first m whose x reaches the inner edge x_{i+1}, so the
 * integer test is the exact geometric one). Wedges use f[i] = f(x_i),
 * with f[0] = 0 and f[256] = f(0) = 1.
 *
 * Layers are equal in area only if the stack closes exactly at f(0) = 1,
 * so R is refined here (in long double) until it does, and V is taken as
 * V(R) = R f(R) + tail(R); both must agree with the published constants. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef long double ld;

#define LAYERS 256

typedef struct zig {
    const char *name;      /* infix of the generated table names */
    const char *macro;     /* the same, for the generated macro names */
    const char *what;
    ld r_pub, v_pub;       /* published R and V */
    ld (*f)(ld x);
    ld (*finv)(ld y);
    ld (*tail)(ld r);      /* integral of f from r to infinity */
} zig;

static ld nor_f(ld x)    { return expl(-0.5L * x * x); }
static ld nor_finv(ld y) { return sqrtl(-2.0L * logl(y)); }
static ld nor_tail(ld r) { return sqrtl(acosl(-1.0L) / 2.0L) * erfcl(r / sqrtl(2.0L)); }
static ld exp_f(ld x)    { return expl(-x); }
static ld exp_finv(ld y) { return -logl(y); }
static ld exp_tail(ld r) { return expl(-r); }

/* The area of each layer follows from R, so only R is a free parameter. */
static ld area(const zig *z, ld r)
{
    return r * z->f(r) + z->tail(r);
}

/* Builds x_1 .. x_255 from R and returns how far the top layer misses
 * f(0) = 1: positive when the layers are too thick (R too small). */
static ld closure(const zig *z, ld r, ld x[LAYERS + 1])
{
    ld v = area(z, r);
    x[0] = v / z->f(r);
    x[1] = r;
    for (int i = 1; i < LAYERS - 1; i++) {
        ld y = z->f(x[i]) + v / x[i];
        if (y >= 1.0L)
            return 1.0L;   /* overshot before the last layer */
        x[i + 1] = z->finv(y);
    }
    x[LAYERS] = 0.0L;
    return z->f(x[LAYERS - 1]) + v / x[LAYERS - 1] - 1.0L;
}

/* Bisection rather than Newton: the closure is a steep, one-signed
 * function of R and a hundred halvings cost nothing at build time. */
static int refine(const zig *z, ld *r_out, ld x[LAYERS + 1])
{
    ld lo = z->r_pub * (1 - 1e-9L), hi = z->r_pub * (1 + 1e-9L);
    if (!(closure(z, lo, x) > 0 && closure(z, hi, x) < 0))
        return -1;
    for (int it = 0; it < 200 && lo < hi; it++) {
        ld mid = lo + (hi - lo) / 2;
        if (mid <= lo || mid >= hi)
            break;
        if (closure(z, mid, x) > 0)
            lo = mid;
        else
            hi = mid;
    }
    *r_out = lo;
    closure(z, lo, x);
    return 0;
}

/* %.17g round-trips every double, so the tables are exactly what was computed. */
static int emit(FILE *out, const zig *z)
{
    ld x[LAYERS + 1], r;
    if (refine(z, &r, x) != 0) {
        fprintf(stderr, "gen_ziggurat: %s: R = %.17Lg does not bracket the closure\n",
                z->name, z->r_pub);
        return -1;
    }
    ld v = area(z, r);
    if (fabsl(r / z->r_pub - 1) > 1e-12L || fabsl(v / z->v_pub - 1) > 1e-11L) {
        fprintf(stderr, "gen_ziggurat: %s: refined R = %.21Lg, V = %.21Lg stray from "
                "the published constants\n", z->name, r, v);
        return -1;
    }

    fprintf(out, "/* %s: R = %.21Lg, V = %.21Lg */\n", z->what, r, v);
    fprintf(out, "#define HP_ZIG_%s_R     %.17g\n", z->macro, (double)r);
    fprintf(out, "#define HP_ZIG_%s_INV_R %.17g\n\n", z->macro, (double)(1.0L / r));

    fprintf(out, "static const uint64_t hp_zig_%s_k[%d] = {\n", z->name, LAYERS);
    for (int i = 0; i < LAYERS; i++) {
        ld k = ceill(ldexpl(x[i + 1] / x[i], 53));
        fprintf(out, "    UINT64_C(%llu),\n", (unsigned long long)k);
    }
    fprintf(out, "};\n\nstatic const double hp_zig_%s_w[%d] = {\n", z->name, LAYERS);
    for (int i = 0; i < LAYERS; i++)
        fprintf(out, "    %.17g,\n", (double)ldexpl(x[i], -53));
    fprintf(out, "};\n\nstatic const double hp_zig_%s_f[%d] = {\n    0.0,\n", z->name, LAYERS + 1);
    for (int i = 1; i < LAYERS; i++)
        fprintf(out, "    %.17g,\n", (double)z->f(x[i]));
    fprintf(out, "    1.0,\n};\n\n");
    return 0;
}

int main(int argc, char **argv)
{
    static const zig zigs[] = {
        { "nor", "NOR", "standard normal, f(x) = exp(-x*x/2)",
          3.6541528853610088L, 0.00492867323399L, nor_f, nor_finv, nor_tail },
        { "exp", "EXP", "standard exponential, f(x) = exp(-x)",
          7.69711747013104972L, 0.0039496598225815571993L, exp_f, exp_finv, exp_tail },
    };
    if (argc != 2) {
        fprintf(stderr, "usage: gen_ziggurat OUTPUT.h\n");
        return 2;
    }
    if (LDBL_MANT_DIG < 64) {
        fprintf(stderr, "gen_ziggurat: long double has %d mantissa bits here; the committed tables "
                "need 64 (x86 extended precision) to be reproduced\n", LDBL_MANT_DIG);
        return 77;
    }
    FILE *out = fopen(argv[1], "w");
    if (!out) {
        perror(argv[1]);
        return 1;
    }
    fprintf(out, "/* Generated by sim/gen_ziggurat.c in 80-bit long double: do not edit.\n"
                 " * Committed so that every platform draws the same numbers; the test\n"
                 " * ziggurat_tables_current regenerates and compares. See gen_ziggurat.c\n"
                 " * for the layout; dist.h and dist.c are the only users. */\n"
                 "#ifndef HP_ZIGGURAT_TABLES_H\n#define HP_ZIGGURAT_TABLES_H\n\n"
                 "#include <stdint.h>\n\n");
    for (size_t i = 0; i < sizeof zigs / sizeof zigs[0]; i++)
        if (emit(out, &zigs[i]) != 0) {
            fclose(out);
            remove(argv[1]);
            return 1;
        }
    fprintf(out, "#endif\n");
    if (fclose(out) != 0) {
        perror(argv[1]);
        remove(argv[1]);
        return 1;
    }
    return 0;
}
