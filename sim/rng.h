/* rng: PCG64 (pcg_setseq_128_xsl_rr_64, the C++ `pcg64`) with O(log n)
 * skip-ahead, and the mapping from (seed, path, component) to a stream.
 *
 * Reproducibility rests here: the generator of path i and component c is
 * PCG64 stream number c, started at a 128-bit state that is a bijective
 * hash of (seed, i, c). It depends on nothing else, whatever thread, rank
 * or block simulates the path, and changing how one component consumes
 * draws never moves another component's draws.
 *
 * Why a hash and not skip-ahead by i * 2^64 (the first design): windows
 * 2^64 steps apart in one LCG sequence share their low state bits up to a
 * constant, and the outputs of neighbouring paths were measurably
 * correlated (the variance of a mean over 2,000 paths came out 3x the
 * independent value; tests/test_rng.c keeps that check). Hashed starting
 * points are unrelated positions in the 2^128 cycle; two paths overlap
 * with probability about n_paths^2 * draws / 2^128. */
#ifndef HP_RNG_H
#define HP_RNG_H

#include <stdint.h>

typedef __uint128_t hp_u128;

typedef struct hp_pcg64 {
    hp_u128 state;
    hp_u128 inc;     /* stream selector, always odd */
} hp_pcg64;

#define HP_PCG64_MULT ((((hp_u128)2549297995355413924ULL) << 64) + 4865540595714422341ULL)

/* Seeds like pcg-c's pcg_setseq_128_srandom_r and C++ pcg64(initstate, initseq). */
void hp_pcg64_seed(hp_pcg64 *r, hp_u128 initstate, hp_u128 initseq);

/* Moves the generator delta steps ahead in O(log delta) (Brown, 1994). */
void hp_pcg64_advance(hp_pcg64 *r, hp_u128 delta);

/* Next 64-bit output: step the LCG, then the XSL-RR output of the new state. */
static inline uint64_t hp_pcg64_next(hp_pcg64 *r)
{
    r->state = r->state * HP_PCG64_MULT + r->inc;
    uint64_t x = (uint64_t)(r->state >> 64) ^ (uint64_t)r->state;
    unsigned rot = (unsigned)(r->state >> 122);
    return (x >> rot) | (x << ((-rot) & 63u));
}

/* The initstate hp_rng_stream seeds stream `component` with. */
hp_u128 hp_rng_stream_initstate(uint64_t seed, uint64_t path, uint32_t component);

/* The generator of one path and one model component (see the file comment). */
void hp_rng_stream(hp_pcg64 *r, uint64_t seed, uint64_t path, uint32_t component);

#endif
