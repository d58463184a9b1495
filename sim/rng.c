/* rng: PCG64 seeding, skip-ahead and the per-path stream map. See rng.h. */
#include "rng.h"

/* One LCG step; the output function is applied only by hp_pcg64_next. */
static inline void pcg64_step(hp_pcg64 *r)
{
    r->state = r->state * HP_PCG64_MULT + r->inc;
}

/* Same order of steps as pcg-c, so that a given (initstate, initseq)
 * reproduces the reference sequences bit for bit: the state is stepped
 * once before and once after adding initstate, so that nearby seeds do
 * not start from nearby states. */
void hp_pcg64_seed(hp_pcg64 *r, hp_u128 initstate, hp_u128 initseq)
{
    r->state = 0;
    r->inc = (initseq << 1) | 1u;
    pcg64_step(r);
    r->state += initstate;
    pcg64_step(r);
}

/* delta steps of s -> a*s + c compose to s -> A*s + C; squaring the
 * one-step map log2(delta) times builds (A, C) without ever walking the
 * sequence (Brown, "Random number generation with arbitrary strides",
 * 1994). Everything wraps mod 2^128, so a "negative" delta
 * (2^128 - k) moves k steps back. */
void hp_pcg64_advance(hp_pcg64 *r, hp_u128 delta)
{
    hp_u128 cur_mult = HP_PCG64_MULT, cur_plus = r->inc;
    hp_u128 acc_mult = 1, acc_plus = 0;

    while (delta > 0) {
        if (delta & 1u) {
            acc_mult *= cur_mult;
            acc_plus = acc_plus * cur_mult + cur_plus;
        }
        cur_plus = (cur_mult + 1) * cur_plus;
        cur_mult *= cur_mult;
        delta >>= 1;
    }
    r->state = acc_mult * r->state + acc_plus;
}

/* SplitMix64's finalizer: a bijection of 64-bit words with full avalanche. */
static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* The starting state's high word is a bijection of the path for a given
 * (seed, component), so no two paths of a run share a start; the low word
 * spreads it over all 128 bits (see rng.h for why not skip-ahead). */
hp_u128 hp_rng_stream_initstate(uint64_t seed, uint64_t path, uint32_t component)
{
    uint64_t key = mix64(seed ^ mix64(0x9e3779b97f4a7c15ULL * ((uint64_t)component + 1)));
    uint64_t hi = mix64(key + path * 0xd1b54a32d192ed03ULL);
    uint64_t lo = mix64(hi ^ 0x8bb84b93962eacc9ULL ^ key);
    return ((hp_u128)hi << 64) | lo;
}

void hp_rng_stream(hp_pcg64 *r, uint64_t seed, uint64_t path, uint32_t component)
{
    hp_pcg64_seed(r, hp_rng_stream_initstate(seed, path, component), component);
}
