/* sobol: quasi-Monte Carlo building blocks.
 *
 *  - A Sobol sequence in up to 21,201 dimensions with Joe & Kuo's direction
 *    numbers (new-joe-kuo-6.21201, "Constructing Sobol sequences with
 *    better two-dimensional projections", SIAM J. Sci. Comput. 30, 2008;
 *    the table and its BSD licence are in sim/joe_kuo/). Points come in
 *    Gray-code order, as in Joe & Kuo's sobol.cc and scipy: point i is the
 *    XOR of the direction numbers of the set bits of i ^ (i >> 1), so any
 *    point is computed directly from its index (a path needs no other).
 *  - Owen-type scrambling: each coordinate's 32 binary digits go through a
 *    nested permutation (each digit flipped as a function of the seed and
 *    the digits above it: Burley, "Practical hash-based Owen scrambling",
 *    JCGT 2020, with the hash of Vegdahl 2021), then a random digital
 *    shift. Both keep the net's stratification, and the shift makes every
 *    scrambled point exactly uniform on the 2^-32 grid, so estimates are
 *    unbiased across scrambles; independent scrambles, keyed by (seed,
 *    replicate, dimension), give error bars. A coordinate is the midpoint
 *    of its 2^-32 cell, never 0 or 1.
 *  - The inverse normal distribution function (Wichura's AS 241, about 16
 *    digits).
 *  - A Brownian bridge over n unit steps: the first normal sets the end
 *    point, the next ones the midpoints of ever finer intervals, so the
 *    leading (best distributed) Sobol dimensions carry most of a path's
 *    variance.
 *
 * How the scenario uses it (simulation.sampler = "sobol", models/scenario.c):
 * it draws three correlated daily shocks per path (price, hashrate, lease
 * rate). With M = simulation.qmc_points per scramble, path p is point
 * p % M of scramble p / M, so the engine's path index alone decides a
 * path's normals (threads, blocks, ranks and resume cannot move them).
 * Before its day loop the scenario calls hp_qmc_normals() once to fill
 * z[factor][day] (3 x n_days doubles of scratch) and then reads z[f][d]
 * where the pseudo-random sampler calls hp_normal() for those three
 * shocks. Everything else (jumps, events, block luck, fees, power) stays on
 * the PCG64 streams. Bridge step k of factor f uses Sobol
 * dimension k * n_factors + f, so the three end points take dimensions 0,
 * 1, 2. 4,748 days x 3 factors = 14,244 dimensions; beyond 21,201 the
 * finest bridge steps are pseudo-random (hash of seed, replicate, index,
 * dimension) rather than quasi-random. */
#ifndef HP_SOBOL_H
#define HP_SOBOL_H

#include <stddef.h>
#include <stdint.h>
#include "hp_err.h"

#define HP_SOBOL_MAX_DIMS 21201

typedef struct hp_sobol {
    int dims;
    uint32_t *v;        /* [32][dims]: v[k * dims + d] = direction number k+1 of
                           dimension d, 32 bits (bit-major, so that a whole
                           point is a few XORs of contiguous rows)         */
} hp_sobol;

int hp_sobol_init(hp_sobol *s, int dims, hp_err *err);
void hp_sobol_free(hp_sobol *s);

/* Coordinate d of unscrambled point i, as a 32-bit fraction. */
uint32_t hp_sobol_bits(const hp_sobol *s, uint32_t i, int d);
/* Every coordinate of unscrambled point i: x[0..dims). */
void hp_sobol_point_bits(const hp_sobol *s, uint32_t i, uint32_t *x);

/* The scramble of dimension d in replicate rep of a seed: the keys of the
 * nested permutation and of the digital shift. */
typedef struct hp_scramble {
    uint32_t perm, shift;
} hp_scramble;

hp_scramble hp_scramble_key(uint64_t seed, uint32_t rep, uint32_t d);
uint32_t hp_scramble_apply(uint32_t x, hp_scramble k);

/* Scrambled coordinate d of point i, in (0, 1). */
double hp_sobol_uniform(const hp_sobol *s, uint64_t seed, uint32_t rep, uint32_t i, int d);

/* Inverse of the standard normal distribution function, 0 < p < 1. */
double hp_norm_ppf(double p);

/* A Brownian bridge over n unit time steps. */
typedef struct hp_bridge {
    int n;
    int *mid, *left, *right;    /* [n]: step k sets W[mid] from W[left], W[right] */
    double *wl, *wr, *sd;       /* [n]                                            */
} hp_bridge;

int hp_bridge_init(hp_bridge *b, int n, hp_err *err);
void hp_bridge_free(hp_bridge *b);

/* z[0..n): independent standard normals in the bridge's order (z[0] sets
 * the end point); dw[0..n): the n unit increments, independent standard
 * normals too (the map is orthogonal). work: n + 1 doubles. */
void hp_bridge_increments(const hp_bridge *b, const double *z, double *dw, double *work);

/* Daily standard normals of n_factors factors over n_days from scrambled
 * Sobol points, one Brownian bridge per factor. */
typedef struct hp_qmc {
    int n_days, n_factors, n_dims, sobol_dims;
    hp_sobol sob;
    hp_bridge bridge;
} hp_qmc;

int hp_qmc_init(hp_qmc *q, int n_days, int n_factors, hp_err *err);
void hp_qmc_free(hp_qmc *q);

/* Doubles of workspace hp_qmc_normals needs. */
size_t hp_qmc_work_size(const hp_qmc *q);

/* z[f * n_days + d]: the normal of factor f on day d for point `index` of
 * scramble `rep` of a seed. work: hp_qmc_work_size(q) doubles. */
void hp_qmc_normals(const hp_qmc *q, uint64_t seed, uint32_t rep, uint32_t index, double *z,
                    double *work);

#endif
