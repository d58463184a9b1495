/* dist: samplers on top of PCG64.
 *
 * Normals and exponentials use exact 256-layer ziggurats (Marsaglia & Tsang
 * 2000, with the exact tail and wedge tests); the tables, ziggurat_tables.h,
 * are committed source made by gen_ziggurat.c (kept as their test).
 * Uniforms exclude both 0 and 1 so that log(u) and log(1-u) are always
 * finite.
 *
 * hp_uniform, hp_normal and hp_exponential are inline: their common case is
 * one hp_pcg64_next, a table look-up, a compare and a multiply; the rare
 * wedge and tail cases (about 1% of normals) call out to dist.c. Every
 * sampler is a pure function of the generator state, so draws are
 * reproducible whatever thread calls them. */
#ifndef HP_DIST_H
#define HP_DIST_H

#include <stdint.h>
#include <string.h>
#include "rng.h"
#include "ziggurat_tables.h"

/* Internal to dist: the rare cases of hp_normal and hp_exponential, handed
 * the 64-bit draw that missed the fast path. */
double hp_normal_slow(hp_pcg64 *r, uint64_t u);
double hp_exponential_slow(hp_pcg64 *r, uint64_t u);

/* Uniform on the open interval (0,1), 53-bit resolution. */
static inline double hp_uniform(hp_pcg64 *r)
{
    /* k / 2^53 for k in 1 .. 2^53 - 1: every value exact, mean exactly 1/2;
     * redrawing k = 0 (p = 2^-53) keeps the 53 bits instead of giving one
     * up to a half-offset. */
    uint64_t k;
    do
        k = hp_pcg64_next(r) >> 11;
    while (k == 0);
    return (double)(int64_t)k * 0x1p-53;
}

/* Standard normal N(0,1). */
static inline double hp_normal(hp_pcg64 *r)
{
    /* Bits 0-7 pick the layer, bit 8 the sign, bits 11-63 the position. */
    uint64_t u = hp_pcg64_next(r);
    unsigned i = (unsigned)(u & 0xff);
    uint64_t m = u >> 11;
    if (m < hp_zig_nor_k[i]) {
        double x = (double)(int64_t)m * hp_zig_nor_w[i];
        uint64_t b;
        memcpy(&b, &x, sizeof b);
        b ^= (u & 0x100) << 55;      /* sign bit 8 -> IEEE sign bit 63 */
        memcpy(&x, &b, sizeof x);
        return x;
    }
    return hp_normal_slow(r, u);
}

/* Standard exponential Exp(1). */
static inline double hp_exponential(hp_pcg64 *r)
{
    uint64_t u = hp_pcg64_next(r);
    unsigned i = (unsigned)(u & 0xff);
    uint64_t m = u >> 11;
    if (m < hp_zig_exp_k[i])
        return (double)(int64_t)m * hp_zig_exp_w[i];
    return hp_exponential_slow(r, u);
}

/* Poisson with mean lambda >= 0 (0 when lambda == 0). */
uint64_t hp_poisson(hp_pcg64 *r, double lambda);

/* Gamma with shape a > 0 and scale 1 (Marsaglia & Tsang 2000: one normal
 * and one uniform per try, O(1) whatever a; a < 1 through
 * Gamma(a + 1) U^(1/a)). */
double hp_gamma(hp_pcg64 *r, double a);

#endif
