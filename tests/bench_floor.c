/* bench_floor: the floor the engine is measured against.
 *
 * Per path-day it does only what the model cannot avoid: the four normal
 * draws (price, hashrate, fees, AI lease rate) from the same per-component
 * streams, and the four exp() that turn log-states into levels. The ratio
 * of the engine's path-days/s to this loop's is the figure we steer by.
 *   bench_floor PATHS THREADS DAYS   prints path-days/s per thread */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>

#include "dist.h"
#include "progress.h"
#include "rng.h"

int main(int argc, char **argv)
{
    long paths = argc > 1 ? atol(argv[1]) : 1000;
    int threads = argc > 2 ? atoi(argv[2]) : 1;
    int days = argc > 3 ? atoi(argv[3]) : 4748;
    double sink = 0, t0 = hp_now();
    #pragma omp parallel for schedule(dynamic, 16) num_threads(threads) reduction(+:sink)
    for (long p = 0; p < paths; p++) {
        hp_pcg64 r[4];
        for (int c = 0; c < 4; c++)
            hp_rng_stream(&r[c], 1, (uint64_t)p, (uint32_t)c);
        double x = 11, h = 60, f = -3, l = 14, acc = 0;
        for (int d = 0; d < days; d++) {
            acc += exp(x) + exp(h) + exp(f) + exp(l);
            x += 1e-4 * hp_normal(&r[0]);
            h += 1e-4 * hp_normal(&r[1]);
            f = -3 + (f + 3) * 0.95 + 0.1 * hp_normal(&r[2]);
            l += 1e-4 * hp_normal(&r[3]);
        }
        sink += acc;
    }
    double el = hp_now() - t0;
    printf("floor: %.4g path-days/s per thread (%ld paths x %d days, %d threads, %.2f s) [%g]\n",
           (double)paths * days / el / threads, paths, days, threads, el, sink > 0 ? 1.0 : 0.0);
    return 0;
}
