/* gsa: Morris screening and Sobol indices of a Monte Carlo statistic over
 * the config's uncertain inputs (see gsa.h). */
#include "gsa.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "rng.h"
#include "sobol.h"

#define MORRIS_LEVELS 4

/* Streams of the analysis's own randomness (design, bootstrap), apart from
 * the model's: the model uses (seed, path, component < 2^16). */
enum { RNG_MORRIS = 0x6a5a0001u, RNG_BOOT_SOBOL, RNG_BOOT_MORRIS };

static uint64_t rand_below(hp_pcg64 *g, uint64_t n)
{
    return (uint64_t)(hp_uniform(g) * (double)n);     /* n << 2^53: bias negligible */
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Percentile interval of B bootstrap values (sorted in place) and their sd. */
static void percentile(double *v, int B, double *lo, double *hi, double *sd)
{
    hp_moments m = {0};
    for (int i = 0; i < B; i++)
        hp_moments_add(&m, v[i]);
    qsort(v, (size_t)B, sizeof *v, cmp_double);
    *lo = v[(int)floor(0.025 * (B - 1))];
    *hi = v[(int)ceil(0.975 * (B - 1))];
    *sd = hp_moments_sd(&m);
}

/* ---- Sobol indices ------------------------------------------------------------ */

int hp_saltelli_design(int N, int k, uint64_t seed, double *A, double *B, hp_err *err)
{
    hp_sobol s;
    if (hp_sobol_init(&s, 2 * k, err) != 0)
        return -1;
    for (int j = 0; j < N; j++)
        for (int i = 0; i < k; i++) {
            A[(size_t)j * k + i] = hp_sobol_uniform(&s, seed, 0, (uint32_t)j, i);
            B[(size_t)j * k + i] = hp_sobol_uniform(&s, seed, 0, (uint32_t)j, k + i);
        }
    hp_sobol_free(&s);
    return 0;
}

/* The estimators on rows idx[0..N) (a bootstrap resample, or 0..N-1). */
static void estimate(int N, int k, const double *yA, const double *yB, const double *yAB, const int *idx,
                     double *S1, double *ST, double *mean, double *var)
{
    hp_moments m = {0};
    for (int j = 0; j < N; j++) {
        hp_moments_add(&m, yA[idx[j]]);
        hp_moments_add(&m, yB[idx[j]]);
    }
    double V = m.n > 0 ? m.m2 / (double)m.n : 0;   /* the variance of f over both samples */
    for (int i = 0; i < k; i++) {
        const double *yi = yAB + (size_t)i * N;
        double s1 = 0, st = 0;
        for (int j = 0; j < N; j++) {
            int r = idx[j];
            s1 += yB[r] * (yi[r] - yA[r]);                 /* Saltelli et al. 2010 */
            st += (yA[r] - yi[r]) * (yA[r] - yi[r]);       /* Jansen 1999          */
        }
        S1[i] = V > 0 ? s1 / N / V : NAN;
        ST[i] = V > 0 ? 0.5 * st / N / V : NAN;
    }
    if (mean != NULL)
        *mean = m.mean;
    if (var != NULL)
        *var = V;
}

void hp_sobol_indices(int N, int k, const double *yA, const double *yB, const double *yAB,
                      int bootstrap, uint64_t seed, hp_sobol_idx *out, double *mean, double *variance)
{
    int *idx = malloc((size_t)N * sizeof *idx);
    double *S1 = malloc((size_t)k * sizeof *S1), *ST = malloc((size_t)k * sizeof *ST);
    double *b1 = malloc((size_t)k * (size_t)(bootstrap > 0 ? bootstrap : 1) * sizeof *b1);
    double *bt = malloc((size_t)k * (size_t)(bootstrap > 0 ? bootstrap : 1) * sizeof *bt);
    for (int j = 0; j < N; j++)
        idx[j] = j;
    estimate(N, k, yA, yB, yAB, idx, S1, ST, mean, variance);
    for (int i = 0; i < k; i++)
        out[i] = (hp_sobol_idx){S1[i], NAN, NAN, NAN, ST[i], NAN, NAN, NAN};
    hp_pcg64 g;
    hp_rng_stream(&g, seed, 0, RNG_BOOT_SOBOL);
    for (int b = 0; b < bootstrap; b++) {
        for (int j = 0; j < N; j++)
            idx[j] = (int)rand_below(&g, (uint64_t)N);
        estimate(N, k, yA, yB, yAB, idx, S1, ST, NULL, NULL);
        for (int i = 0; i < k; i++) {
            b1[(size_t)i * bootstrap + b] = S1[i];
            bt[(size_t)i * bootstrap + b] = ST[i];
        }
    }
    for (int i = 0; i < k && bootstrap > 1; i++) {
        percentile(b1 + (size_t)i * bootstrap, bootstrap, &out[i].S1_lo, &out[i].S1_hi, &out[i].S1_se);
        percentile(bt + (size_t)i * bootstrap, bootstrap, &out[i].ST_lo, &out[i].ST_hi, &out[i].ST_se);
    }
    free(idx);
    free(S1);
    free(ST);
    free(b1);
    free(bt);
}

/* ---- Morris ----------------------------------------------------------------------- */

void hp_morris_design(int r, int k, uint64_t seed, double *X, int *order, double *sign, double *delta)
{
    const int p = MORRIS_LEVELS;
    const double d = p / (2.0 * (p - 1));
    hp_pcg64 g;
    hp_rng_stream(&g, seed, 0, RNG_MORRIS);
    *delta = d;
    double *x = malloc((size_t)k * sizeof *x), *dir = malloc((size_t)k * sizeof *dir);
    for (int t = 0; t < r; t++) {
        int *ord = order + (size_t)t * k;
        for (int i = 0; i < k; i++)
            ord[i] = i;
        for (int i = k - 1; i > 0; i--) {              /* Fisher-Yates */
            int j = (int)rand_below(&g, (uint64_t)i + 1), tmp = ord[i];
            ord[i] = ord[j];
            ord[j] = tmp;
        }
        /* Base on {0, 1/(p-1), ..., 1 - delta}; an input moving down starts
         * delta higher, so every point stays on the grid in [0, 1]. */
        for (int i = 0; i < k; i++) {
            double base = (double)rand_below(&g, p / 2) / (p - 1);
            dir[i] = hp_uniform(&g) < 0.5 ? 1 : -1;
            x[i] = dir[i] > 0 ? base : base + d;
        }
        double *row = X + (size_t)t * (k + 1) * k;
        memcpy(row, x, (size_t)k * sizeof *x);
        for (int j = 1; j <= k; j++) {
            int i = ord[j - 1];
            x[i] += dir[i] * d;
            sign[(size_t)t * k + j - 1] = dir[i];
            memcpy(row + (size_t)j * k, x, (size_t)k * sizeof *x);
        }
    }
    free(x);
    free(dir);
}

/* mu, mu*, sigma of the effects ee[t * k + i] over trajectories tr[0..r). */
static void summarise(int r, int k, const double *ee, const int *tr, int i, hp_morris_idx *m)
{
    hp_moments all = {0}, abs_ = {0};
    for (int t = 0; t < r; t++) {
        double e = ee[(size_t)tr[t] * k + i];
        hp_moments_add(&all, e);
        hp_moments_add(&abs_, fabs(e));
    }
    m->mu = all.mean;
    m->mu_star = abs_.mean;
    m->sigma = hp_moments_sd(&all);
}

void hp_morris_indices(int r, int k, const double *y, const int *order, const double *sign, double delta,
                       int bootstrap, uint64_t seed, double *ee, hp_morris_idx *out)
{
    for (int t = 0; t < r; t++)
        for (int j = 1; j <= k; j++) {
            int i = order[(size_t)t * k + j - 1];
            double dy = y[(size_t)t * (k + 1) + j] - y[(size_t)t * (k + 1) + j - 1];
            ee[(size_t)t * k + i] = dy / (sign[(size_t)t * k + j - 1] * delta);
        }
    int *tr = malloc((size_t)r * sizeof *tr);
    double *bs = malloc((size_t)(bootstrap > 0 ? bootstrap : 1) * sizeof *bs);
    for (int t = 0; t < r; t++)
        tr[t] = t;
    for (int i = 0; i < k; i++) {
        summarise(r, k, ee, tr, i, &out[i]);
        out[i].mu_star_lo = out[i].mu_star_hi = NAN;
    }
    hp_pcg64 g;
    hp_rng_stream(&g, seed, 0, RNG_BOOT_MORRIS);
    for (int i = 0; i < k && bootstrap > 1 && r > 1; i++) {
        for (int b = 0; b < bootstrap; b++) {
            for (int t = 0; t < r; t++)
                tr[t] = (int)rand_below(&g, (uint64_t)r);
            hp_morris_idx m;
            summarise(r, k, ee, tr, i, &m);
            bs[b] = m.mu_star;
        }
        double sd;
        percentile(bs, bootstrap, &out[i].mu_star_lo, &out[i].mu_star_hi, &sd);
    }
    free(tr);
    free(bs);
}
