/* bench_qmc: the cost of a path's quasi-random normals (hp_qmc_normals:
 * Sobol coordinates, scrambling, inverse normal, Brownian bridge) against
 * the same number of ziggurat normals from PCG64.
 *   bench_qmc DAYS FACTORS PATHS */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "dist.h"
#include "rng.h"
#include "sobol.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
    int days = argc > 1 ? atoi(argv[1]) : 4748, nf = argc > 2 ? atoi(argv[2]) : 3;
    int paths = argc > 3 ? atoi(argv[3]) : 200;
    hp_qmc q;
    hp_err err = {0};
    if (hp_qmc_init(&q, days, nf, &err) != 0) {
        fprintf(stderr, "bench_qmc: %s\n", err.msg);
        return 1;
    }
    double *z = malloc((size_t)days * nf * sizeof *z), *w = malloc(hp_qmc_work_size(&q) * sizeof *w);
    volatile double sink = 0;
    double t0 = now();
    for (int p = 0; p < paths; p++) {
        hp_qmc_normals(&q, 1, 0, (uint32_t)p, z, w);
        sink += z[p % days];
    }
    double t_qmc = (now() - t0) / paths;
    hp_pcg64 g;
    hp_rng_stream(&g, 1, 0, 0);
    t0 = now();
    for (int p = 0; p < paths; p++)
        for (int i = 0; i < days * nf; i++)
            z[i] = hp_normal(&g);
    double t_mc = (now() - t0) / paths;
    sink += z[0];
    printf("normals per path %d (%d days x %d factors): Sobol+scramble+AS241+bridge %.0f us (%.1f ns each), "
           "PCG64 ziggurat %.0f us (%.1f ns each)\n", days * nf, days, nf, 1e6 * t_qmc,
           1e9 * t_qmc / (days * nf), 1e6 * t_mc, 1e9 * t_mc / (days * nf));
    hp_qmc_free(&q);
    free(z);
    free(w);
    return 0;
}
