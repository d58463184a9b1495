/* dist: the rare cases of the ziggurats, and Poisson. See dist.h. */
#include "dist.h"

#include <math.h>

/* Applies bit 8 of the draw that chose the layer, as the fast path does. */
static inline double with_sign(double x, uint64_t u)
{
    return (u & 0x100) ? -x : x;
}

/* The normal tail beyond R, exactly (Marsaglia 1964): x = -log(U1)/R is
 * an exponential proposal for the excess over R, accepted with
 * probability exp(-x^2/2), i.e. when -2 log(U2) > x^2. */
static double normal_tail(hp_pcg64 *r)
{
    for (;;) {
        double x = -log(hp_uniform(r)) * HP_ZIG_NOR_INV_R;
        double y = -log(hp_uniform(r));
        if (y + y > x * x)
            return HP_ZIG_NOR_R + x;
    }
}

/* Finishes a draw that missed hp_normal's fast path. A rejected draw
 * restarts with a fresh layer (retrying in the same layer would bias
 * towards layers with more rejections); retries use the fast path too. */
double hp_normal_slow(hp_pcg64 *r, uint64_t u)
{
    for (;;) {
        unsigned i = (unsigned)(u & 0xff);
        uint64_t m = u >> 11;
        double x = (double)(int64_t)m * hp_zig_nor_w[i];
        if (m < hp_zig_nor_k[i])
            return with_sign(x, u);
        if (i == 0)
            return with_sign(normal_tail(r), u);
        /* Wedge: a uniform height in the layer, under the curve or not. */
        double y = hp_zig_nor_f[i] + (hp_zig_nor_f[i + 1] - hp_zig_nor_f[i]) * hp_uniform(r);
        if (y < exp(-0.5 * x * x))
            return with_sign(x, u);
        u = hp_pcg64_next(r);
    }
}

/* As hp_normal_slow, but the exponential tail beyond R is the whole
 * distribution shifted by R (memorylessness), so a tail draw just adds R
 * and starts again. */
double hp_exponential_slow(hp_pcg64 *r, uint64_t u)
{
    double shift = 0.0;
    for (;;) {
        unsigned i = (unsigned)(u & 0xff);
        uint64_t m = u >> 11;
        double x = (double)(int64_t)m * hp_zig_exp_w[i];
        if (m < hp_zig_exp_k[i])
            return shift + x;
        if (i == 0) {
            shift += HP_ZIG_EXP_R;
        } else {
            double y = hp_zig_exp_f[i] + (hp_zig_exp_f[i + 1] - hp_zig_exp_f[i]) * hp_uniform(r);
            if (y < exp(-x))
                return shift + x;
        }
        u = hp_pcg64_next(r);
    }
}

/* Small lambda: count uniforms until their product drops to exp(-lambda)
 * (Knuth). Exact and table-free; lambda + 1 uniforms on average, so at
 * most 11 below the switch to PTRS. */
static uint64_t poisson_mult(hp_pcg64 *r, double lambda)
{
    double limit = exp(-lambda), p = hp_uniform(r);
    uint64_t k = 0;
    while (p > limit) {
        p *= hp_uniform(r);
        k++;
    }
    return k;
}

/* log(k!) without lgamma(), whose glibc version writes the global signgam
 * and so races between OpenMP threads (lgamma_r is not standard C).
 * A table below 16, correctly rounded; above, Stirling's series to the
 * x^-9 term, whose truncation error is below 1e-16 there. */
static double log_factorial(double k)
{
    static const double small[16] = {
        0.0, 0.0, 0.6931471805599453, 1.791759469228055, 3.1780538303479458,
        4.787491742782046, 6.579251212010101, 8.525161361065415,
        10.60460290274525, 12.801827480081469, 15.104412573075516,
        17.502307845873887, 19.987214495661885, 22.552163853123425,
        25.19122118273868, 27.89927138384089,
    };
    if (k < 16)
        return small[(int)k];
    double x = k + 1, x2 = 1.0 / (x * x);
    double series = (1.0 / 12 - x2 * (1.0 / 360 - x2 * (1.0 / 1260 - x2 * (1.0 / 1680
                    - x2 * (1.0 / 1188))))) / x;
    return (x - 0.5) * log(x) - x + 0.9189385332046728 + series;   /* + log(2 pi)/2 */
}

/* PTRS, transformed rejection with squeeze (Hormann 1993, "The transformed
 * rejection method for generating Poisson random variables"): exact for
 * lambda >= 10, and a bounded number of uniform pairs per variate
 * (1.33 on average at lambda = 10, 1.13 for large lambda). The
 * final test compares log-probabilities of size lambda*log(lambda) in
 * double, so it stays exact to far better than sampling error for
 * lambda up to ~1e12. */
static uint64_t poisson_ptrs(hp_pcg64 *r, double lambda)
{
    double slam = sqrt(lambda);
    double b = 0.931 + 2.53 * slam;
    double a = -0.059 + 0.02483 * b;
    double invalpha = 1.1239 + 1.1328 / (b - 3.4);
    double vr = 0.9277 - 3.6224 / (b - 2);

    for (;;) {
        double u = hp_uniform(r) - 0.5, v = hp_uniform(r);
        double us = 0.5 - fabs(u);
        double k = floor((2 * a / us + b) * u + lambda + 0.43);
        if (us >= 0.07 && v <= vr)      /* squeeze; k >= 0 here for lambda >= 10 */
            return k >= 0x1p64 ? UINT64_MAX : (uint64_t)k;
        if (k < 0 || (us < 0.013 && v > us))
            continue;
        /* log(lambda) only here: the squeeze above accepts most draws. */
        if (log(v * invalpha / (a / (us * us) + b)) <= -lambda + k * log(lambda) - log_factorial(k))
            return k >= 0x1p64 ? UINT64_MAX : (uint64_t)k;
    }
}

/* NaN and lambda <= 0 give 0 rather than undefined behaviour; +inf
 * saturates. */
uint64_t hp_poisson(hp_pcg64 *r, double lambda)
{
    if (!(lambda > 0))
        return 0;
    if (lambda < 10)
        return poisson_mult(r, lambda);
    if (isinf(lambda))
        return UINT64_MAX;
    return poisson_ptrs(r, lambda);
}

/* Marsaglia and Tsang (2000), "A simple method for generating gamma
 * variables": d = a - 1/3, v = (1 + c x)^3 with x normal, accepted by a
 * squeeze or the exact log test. Shapes below 1 boost to a + 1 and scale
 * by U^(1/a). */
double hp_gamma(hp_pcg64 *r, double a)
{
    if (a < 1)
        return hp_gamma(r, a + 1) * pow(hp_uniform(r), 1 / a);
    double d = a - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x = hp_normal(r), v = 1.0 + c * x;
        if (v <= 0)
            continue;
        v = v * v * v;
        double u = hp_uniform(r);
        if (u < 1.0 - 0.0331 * x * x * x * x || log(u) < 0.5 * x * x + d * (1.0 - v + log(v)))
            return d * v;
    }
}
