/* sobol: direction numbers and points against scipy's (known answers in
 * tests/data/sobol_kat.txt, tests/gen_sobol_kat.py); stratification of
 * every one-dimensional projection after scrambling; the inverse normal
 * against erfc; the Brownian bridge is orthogonal; scrambled Sobol beats
 * pseudo-random at equal n on smooth integrands, and its estimates are
 * unbiased across scrambles. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dist.h"
#include "rng.h"
#include "sobol.h"

#ifndef HP_SOBOL_KAT
#error "HP_SOBOL_KAT must name tests/data/sobol_kat.txt (tests/analytics.cmake sets it)"
#endif

/* 4,748 days x 3 factors: what 13 years of the scenario need. */
#define DAYS 4748
#define FACTORS 3

static void kat(const hp_sobol *s)
{
    FILE *f = fopen(HP_SOBOL_KAT, "r");
    CHECK_MSG(f != NULL, "cannot open %s", HP_SOBOL_KAT);
    if (f == NULL)
        return;
    uint64_t h = 0xcbf29ce484222325u;
    for (int d = 0; d < s->dims; d++)
        for (int k = 0; k < 32; k++)
            h = (h ^ s->v[(size_t)k * s->dims + d]) * 0x100000001b3u;
    char line[1024];
    int rows = 0, points = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        char *p = line, *end;
        if (strncmp(line, "digest ", 7) == 0) {
            uint64_t want = strtoull(line + 7, NULL, 16);
            CHECK_MSG(h == want, "direction-number digest %016llx, scipy's %016llx",
                      (unsigned long long)h, (unsigned long long)want);
        } else if (strncmp(line, "v ", 2) == 0) {
            long d = strtol(p + 2, &end, 10);
            for (int k = 0; k < 32; k++) {
                unsigned long want = strtoul(p = end, &end, 10);
                uint32_t got = s->v[(size_t)k * s->dims + (size_t)d];
                CHECK_MSG(got == want, "dimension %ld, v_%d: %u, scipy %lu", d, k + 1, got, want);
            }
            rows++;
        } else if (strncmp(line, "point ", 6) == 0) {
            long i = strtol(p + 6, &end, 10);
            for (int d = 0; d < 8; d++) {
                unsigned long want = strtoul(p = end, &end, 10);
                CHECK_MSG(hp_sobol_bits(s, (uint32_t)i, d) == want, "point %ld dimension %d", i, d);
            }
            points++;
        }
    }
    fclose(f);
    CHECK(rows > 80 && points == 64);
}

/* Every one-dimensional projection of the first 2^10 scrambled points
 * puts exactly one point in each of 1,024 equal intervals, in every
 * dimension a 13-year path needs; and the first two dimensions, a (0,2)
 * net, one in each 32 x 32 cell. */
static void stratification(const hp_sobol *s)
{
    /* A whole point at once equals its coordinates one by one. */
    uint32_t *x = malloc((size_t)s->dims * sizeof *x);
    int same = 1;
    for (uint32_t i = 0; i < 70000; i += 6997) {
        hp_sobol_point_bits(s, i, x);
        for (int d = 0; d < s->dims; d++)
            same &= x[d] == hp_sobol_bits(s, i, d);
    }
    CHECK(same);
    free(x);
    enum { M = 1024 };
    unsigned char *seen = malloc(M);
    int bad = 0;
    for (int d = 0; d < DAYS * FACTORS; d++) {
        memset(seen, 0, M);
        for (uint32_t i = 0; i < M; i++)
            seen[(int)(hp_sobol_uniform(s, 20260101, 3, i, d) * M)]++;
        for (int j = 0; j < M; j++)
            bad += seen[j] != 1;
    }
    CHECK_MSG(bad == 0, "%d intervals without exactly one point", bad);
    memset(seen, 0, M);
    for (uint32_t i = 0; i < M; i++) {
        int a = (int)(hp_sobol_uniform(s, 7, 0, i, 0) * 32), b = (int)(hp_sobol_uniform(s, 7, 0, i, 1) * 32);
        seen[a * 32 + b]++;
    }
    bad = 0;
    for (int j = 0; j < M; j++)
        bad += seen[j] != 1;
    CHECK_MSG(bad == 0, "2-D: %d cells without exactly one point", bad);
    free(seen);
    /* Scrambles differ by replicate and seed, and are reproducible. */
    CHECK(hp_sobol_uniform(s, 1, 0, 5, 9) != hp_sobol_uniform(s, 1, 1, 5, 9));
    CHECK(hp_sobol_uniform(s, 1, 0, 5, 9) != hp_sobol_uniform(s, 2, 0, 5, 9));
    CHECK(hp_sobol_uniform(s, 1, 0, 5, 9) == hp_sobol_uniform(s, 1, 0, 5, 9));
}

/* Phi^-1 by Halley's method on erfc (accurate in the lower tail), from AS
 * 241's value: the reference; the upper half by symmetry. */
static double ppf_ref(double p)
{
    if (p > 0.5)
        return -ppf_ref(1 - p);
    double z = hp_norm_ppf(p);
    for (int it = 0; it < 3; it++) {
        double u = (0.5 * erfc(-z / sqrt(2)) - p) / (exp(-0.5 * z * z) / sqrt(2 * M_PI));
        z -= u / (1 + 0.5 * z * u);
    }
    return z;
}

static void inverse_normal(void)
{
    double worst = 0;
    for (int i = 1; i < 2000; i++) {
        double p = i / 2000.0;
        worst = fmax(worst, fabs(hp_norm_ppf(p) - ppf_ref(p)) / fmax(1, fabs(ppf_ref(p))));
    }
    for (double p = 1e-300; p < 0.01; p *= 1.7)
        worst = fmax(worst, fabs(hp_norm_ppf(p) - ppf_ref(p)) / fabs(ppf_ref(p)));
    CHECK_MSG(worst < 1e-14, "inverse normal: worst relative error %.3g", worst);
    CHECK_NEAR(hp_norm_ppf(0.975), 1.959963984540054, 1e-15);
    CHECK(hp_norm_ppf(0.5) == 0);
}

/* The bridge maps iid normals to iid normal increments: as a matrix it is
 * orthogonal, M^T M = I. */
static void bridge(void)
{
    const int sizes[] = {1, 2, 3, 37, 365};
    for (size_t c = 0; c < sizeof sizes / sizeof sizes[0]; c++) {
        int n = sizes[c];
        hp_bridge b;
        hp_err err = {0};
        CHECK(hp_bridge_init(&b, n, &err) == 0);
        double *M = calloc((size_t)n * n, sizeof *M), *z = calloc((size_t)n, sizeof *z);
        double *w = malloc((size_t)(n + 1) * sizeof *w);
        for (int k = 0; k < n; k++) {
            memset(z, 0, (size_t)n * sizeof *z);
            z[k] = 1;
            hp_bridge_increments(&b, z, M + (size_t)k * n, w);   /* column k */
        }
        double worst = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                double dot = 0;
                for (int d = 0; d < n; d++)
                    dot += M[(size_t)i * n + d] * M[(size_t)j * n + d];
                worst = fmax(worst, fabs(dot - (i == j)));
            }
        CHECK_MSG(worst < 1e-12, "bridge of %d steps: |M^T M - I| = %.3g", n, worst);
        /* The first normal alone sets the end point: W(n) = sqrt(n) z0. */
        double sum = 0;
        for (int d = 0; d < n; d++)
            sum += M[d];
        CHECK_NEAR(sum, sqrt(n), 1e-12);
        free(M);
        free(z);
        free(w);
        hp_bridge_free(&b);
    }
}

/* An Asian-style payoff of a lognormal path over 64 days:
 * f = mean_t exp(sigma W_t / sqrt(64) - sigma^2 t / 128), E f = 1. */
static double payoff(const double *dw, int n)
{
    const double sigma = 0.8;
    double w = 0, sum = 0;
    for (int t = 0; t < n; t++) {
        w += dw[t];
        sum += exp(sigma * w / sqrt(n) - 0.5 * sigma * sigma * (t + 1) / n);
    }
    return sum / n;
}

/* Root mean square error over R estimates of E f = 1 from N paths:
 * scrambled Sobol with a bridge (one scramble per estimate) against
 * PCG64 normals. Then the Sobol estimates are unbiased: their mean is
 * within 4 standard errors of 1. */
static void integration(void)
{
    enum { R = 32, N = 1024, NDAYS = 64 };
    hp_qmc q;
    hp_err err = {0};
    CHECK(hp_qmc_init(&q, NDAYS, 1, &err) == 0);
    double z[NDAYS], work[3 * NDAYS + 2];
    CHECK(hp_qmc_work_size(&q) <= sizeof work / sizeof work[0]);
    double se_qmc = 0, se_mc = 0, sum_qmc = 0, sum2_qmc = 0;
    for (int r = 0; r < R; r++) {
        double est_qmc = 0, est_mc = 0;
        hp_pcg64 g;
        hp_rng_stream(&g, 99, (uint64_t)r, 0);
        for (uint32_t i = 0; i < N; i++) {
            hp_qmc_normals(&q, 99, (uint32_t)r, i, z, work);
            est_qmc += payoff(z, NDAYS);
            for (int d = 0; d < NDAYS; d++)
                z[d] = hp_normal(&g);
            est_mc += payoff(z, NDAYS);
        }
        est_qmc /= N;
        est_mc /= N;
        se_qmc += (est_qmc - 1) * (est_qmc - 1);
        se_mc += (est_mc - 1) * (est_mc - 1);
        sum_qmc += est_qmc;
        sum2_qmc += est_qmc * est_qmc;
    }
    double rmse_qmc = sqrt(se_qmc / R), rmse_mc = sqrt(se_mc / R);
    double mean = sum_qmc / R, sd = sqrt((sum2_qmc - R * mean * mean) / (R - 1));
    printf("E f = 1 from %d paths of %d days: RMSE Sobol+bridge %.3g, PCG64 %.3g (ratio %.1f)\n", N, NDAYS,
           rmse_qmc, rmse_mc, rmse_mc / rmse_qmc);
    CHECK_MSG(rmse_qmc < rmse_mc / 4, "QMC %.3g vs MC %.3g", rmse_qmc, rmse_mc);
    CHECK_MSG(fabs(mean - 1) < 4 * sd / sqrt(R), "QMC mean %.6g, se %.3g", mean, sd / sqrt(R));
    hp_qmc_free(&q);

    /* A smooth function of 12 uniforms, no bridge: prod (1 + (u - 1/2)). */
    hp_sobol s;
    CHECK(hp_sobol_init(&s, 12, &err) == 0);
    se_qmc = se_mc = 0;
    for (int r = 0; r < R; r++) {
        double a = 0, b = 0;
        hp_pcg64 g;
        hp_rng_stream(&g, 5, (uint64_t)r, 1);
        for (uint32_t i = 0; i < N; i++) {
            double fa = 1, fb = 1;
            for (int d = 0; d < 12; d++) {
                fa *= 1 + (hp_sobol_uniform(&s, 5, (uint32_t)r, i, d) - 0.5);
                fb *= 1 + (hp_uniform(&g) - 0.5);
            }
            a += fa;
            b += fb;
        }
        se_qmc += (a / N - 1) * (a / N - 1);
        se_mc += (b / N - 1) * (b / N - 1);
    }
    printf("12-dimensional product: RMSE Sobol %.3g, PCG64 %.3g\n", sqrt(se_qmc / R), sqrt(se_mc / R));
    CHECK(sqrt(se_qmc / R) < sqrt(se_mc / R) / 4);
    hp_sobol_free(&s);
}

int main(void)
{
    hp_sobol s;
    hp_err err = {0};
    CHECK(hp_sobol_init(&s, HP_SOBOL_MAX_DIMS + 1, &err) != 0 && err.set);
    CHECK(hp_sobol_init(&s, HP_SOBOL_MAX_DIMS, &err) == 0);
    kat(&s);
    stratification(&s);
    hp_sobol_free(&s);
    inverse_normal();
    bridge();
    integration();
    return CHECK_DONE();
}
