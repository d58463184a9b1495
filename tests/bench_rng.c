/* bench_rng: nanoseconds per hp_pcg64_next, hp_uniform, hp_normal,
 * hp_exponential and hp_poisson. Not a test; run it on a Release build:
 *   cmake --build build --target bench_rng && build/tests/bench_rng [N] */
#include "dist.h"
#include "rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The sums are printed so that the compiler cannot drop the loops. */
#define BENCH(label, n, expr) do { \
    hp_pcg64 r_; hp_rng_stream(&r_, 1, 0, 0); \
    double sum_ = 0, t_ = now(); \
    for (long i_ = 0; i_ < (n); i_++) { hp_pcg64 *r = &r_; sum_ += (double)(expr); } \
    t_ = now() - t_; \
    printf("%-22s %6.2f ns   (checksum %g)\n", label, 1e9 * t_ / (double)(n), sum_); \
} while (0)

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 100000000L;
    BENCH("hp_pcg64_next", n, hp_pcg64_next(r) >> 11);
    BENCH("hp_uniform", n, hp_uniform(r));
    BENCH("hp_normal", n, hp_normal(r));
    BENCH("hp_exponential", n, hp_exponential(r));
    BENCH("hp_poisson(3)", n / 10, hp_poisson(r, 3.0));
    BENCH("hp_poisson(144)", n / 10, hp_poisson(r, 144.0));
    return 0;
}
