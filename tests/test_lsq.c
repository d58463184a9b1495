/* The regression core (sim/lsq): Hermite basis values and layout, the
 * Jacobi eigen-solver, exact recovery of coefficients, agreement with the
 * closed-form simple regression, rank-deficient and badly scaled designs,
 * and block accumulation merged in order. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dist.h"
#include "lsq.h"
#include "rng.h"

static void test_basis(void)
{
    hp_basis b;
    CHECK(hp_basis_init(&b, 2, 3) == 0);
    CHECK(b.k == 10);
    /* graded order: 1; x, y; x^2, xy, y^2; x^3, x^2y, xy^2, y^3 */
    static const uint8_t want[10][2] = {{0, 0}, {1, 0}, {0, 1}, {2, 0}, {1, 1}, {0, 2},
                                        {3, 0}, {2, 1}, {1, 2}, {0, 3}};
    CHECK(memcmp(b.pow, want, sizeof want) == 0);
    double z[2] = {0.7, -1.3}, out[10];
    hp_basis_eval(&b, z, out);
    double x = z[0], y = z[1];
    double he2x = x * x - 1, he2y = y * y - 1, he3x = x * x * x - 3 * x, he3y = y * y * y - 3 * y;
    double ref[10] = {1, x, y, he2x, x * y, he2y, he3x, he2x * y, x * he2y, he3y};
    for (int i = 0; i < 10; i++)
        CHECK_NEAR(out[i], ref[i], 1e-14);
    hp_basis_free(&b);

    CHECK(hp_basis_init(&b, 4, 3) == 0);
    CHECK(b.k == 35);
    hp_basis_free(&b);
    CHECK(hp_basis_init(&b, 1, 4) == 0);
    double w = 1.9, o4[5];
    hp_basis_eval(&b, &w, o4);
    CHECK_NEAR(o4[4], pow(w, 4) - 6 * w * w + 3, 1e-13);
    hp_basis_free(&b);
    CHECK(hp_basis_init(&b, HP_BASIS_MAX_VARS + 1, 2) != 0);
}

static void test_eigen(void)
{
    enum { N = 7 };
    hp_pcg64 r;
    hp_pcg64_seed(&r, 11, 3);
    double a[N * N], a0[N * N], v[N * N];
    for (int i = 0; i < N; i++)
        for (int j = 0; j <= i; j++)
            a[i * N + j] = a[j * N + i] = hp_normal(&r);
    memcpy(a0, a, sizeof a);
    hp_sym_eigen(a, v, N);
    double worst = 0, orth = 0;
    for (int e = 0; e < N; e++)
        for (int i = 0; i < N; i++) {
            double av = 0;
            for (int j = 0; j < N; j++)
                av += a0[i * N + j] * v[j * N + e];
            worst = fmax(worst, fabs(av - a[e * N + e] * v[i * N + e]));
        }
    for (int e = 0; e < N; e++)
        for (int f = 0; f < N; f++) {
            double d = 0;
            for (int i = 0; i < N; i++)
                d += v[i * N + e] * v[i * N + f];
            orth = fmax(orth, fabs(d - (e == f)));
        }
    CHECK_MSG(worst < 1e-12, "|A v - l v| = %g", worst);
    CHECK_MSG(orth < 1e-12, "|V'V - I| = %g", orth);
}

/* y = beta . basis(z) exactly, 2 variables, degree 3: beta comes back. */
static void test_exact_recovery(void)
{
    hp_basis b;
    hp_basis_init(&b, 2, 3);
    hp_normal_eq ne;
    CHECK(hp_normal_eq_init(&ne, b.k, 2) == 0);
    double beta0[10], x[10], y[2], beta[20];
    for (int i = 0; i < 10; i++)
        beta0[i] = (i % 3 - 1) * (0.5 + i);
    hp_pcg64 r;
    hp_pcg64_seed(&r, 5, 7);
    for (int p = 0; p < 2000; p++) {
        double z[2] = {hp_normal(&r), hp_normal(&r)};
        hp_basis_eval(&b, z, x);
        y[0] = 0;
        for (int i = 0; i < 10; i++)
            y[0] += beta0[i] * x[i];
        y[1] = -2 * y[0];
        hp_normal_eq_add(&ne, x, y, 1.0);
    }
    hp_lsq_fit fit;
    CHECK(hp_lsq_solve(&ne, beta, &fit) == 0);
    CHECK(fit.rank == 10 && fit.dropped == 0);
    CHECK_MSG(fit.cond > 1 && fit.cond < 100, "cond %g", fit.cond);
    for (int i = 0; i < 10; i++) {
        CHECK_NEAR(beta[i], beta0[i], 1e-10);
        CHECK_NEAR(beta[10 + i], -2 * beta0[i], 1e-10);
    }
    hp_normal_eq_free(&ne);
    hp_basis_free(&b);
}

/* Simple regression against its closed form (slope = cov / var), with
 * noise; also split into 7 blocks merged in order. */
static void test_simple_regression(void)
{
    enum { N = 5000, NB = 7 };
    hp_normal_eq all, blk[NB], merged;
    hp_normal_eq_init(&all, 2, 1);
    hp_normal_eq_init(&merged, 2, 1);
    for (int i = 0; i < NB; i++)
        hp_normal_eq_init(&blk[i], 2, 1);
    hp_pcg64 r;
    hp_pcg64_seed(&r, 99, 1);
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (int p = 0; p < N; p++) {
        double t = 3 + 2 * hp_normal(&r);
        double y = 1.5 - 0.8 * t + hp_normal(&r);
        double x[2] = {1, t};
        hp_normal_eq_add(&all, x, &y, 1.0);
        hp_normal_eq_add(&blk[p * NB / N], x, &y, 1.0);
        sx += t; sy += y; sxx += t * t; sxy += t * y;
    }
    for (int i = 0; i < NB; i++)
        hp_normal_eq_merge(&merged, &blk[i]);
    double slope = (sxy - sx * sy / N) / (sxx - sx * sx / N);
    double icept = (sy - slope * sx) / N;
    double b1[2], b2[2];
    hp_lsq_fit fit;
    hp_lsq_solve(&all, b1, &fit);
    CHECK_REL(b1[1], slope, 1e-11);
    CHECK_REL(b1[0], icept, 1e-10);
    hp_lsq_solve(&merged, b2, &fit);
    CHECK_REL(b2[1], slope, 1e-11);
    CHECK_REL(b2[0], icept, 1e-10);
    CHECK(merged.n == N);
    hp_normal_eq_free(&all);
    hp_normal_eq_free(&merged);
    for (int i = 0; i < NB; i++)
        hp_normal_eq_free(&blk[i]);
}

/* A duplicated column (rank 2 of 3), an all-zero column, and columns
 * scaled by 1e6 and 1e-6: fitted values stay the least-squares ones. */
static void test_degenerate(void)
{
    hp_normal_eq dup, zero, scaled, plain;
    hp_normal_eq_init(&dup, 3, 1);
    hp_normal_eq_init(&zero, 3, 1);
    hp_normal_eq_init(&scaled, 3, 1);
    hp_normal_eq_init(&plain, 3, 1);
    hp_pcg64 r;
    hp_pcg64_seed(&r, 3, 3);
    for (int p = 0; p < 1000; p++) {
        double t = hp_normal(&r), y = 2 + 3 * t - t * t + 0.1 * hp_normal(&r);
        double xd[3] = {1, t, t}, xz[3] = {1, 0, t};
        double xs[3] = {1, 1e6 * t, 1e-6 * t * t}, xp[3] = {1, t, t * t};
        hp_normal_eq_add(&dup, xd, &y, 1.0);
        hp_normal_eq_add(&zero, xz, &y, 1.0);
        hp_normal_eq_add(&scaled, xs, &y, 1.0);
        hp_normal_eq_add(&plain, xp, &y, 1.0);
    }
    double b[3], bl[2];
    hp_lsq_fit fit;
    /* Reference: the 2-column fit (1, t). */
    hp_normal_eq two;
    hp_normal_eq_init(&two, 2, 1);
    two.n = dup.n;
    two.xtx[0] = dup.xtx[0]; two.xtx[1] = dup.xtx[1]; two.xtx[3] = dup.xtx[4];
    two.xty[0] = dup.xty[0]; two.xty[1] = dup.xty[1];
    hp_lsq_solve(&two, bl, &fit);
    CHECK(fit.rank == 2);

    hp_lsq_solve(&dup, b, &fit);
    CHECK(fit.rank == 2 && fit.dropped == 0);
    CHECK_NEAR(b[0], bl[0], 1e-9);
    CHECK_NEAR(b[1], bl[1] / 2, 1e-9);       /* minimum norm: split evenly */
    CHECK_NEAR(b[2], bl[1] / 2, 1e-9);

    hp_lsq_solve(&zero, b, &fit);
    CHECK(fit.dropped == 1 && fit.rank == 2);
    CHECK(b[1] == 0);
    CHECK_NEAR(b[0], bl[0], 1e-9);
    CHECK_NEAR(b[2], bl[1], 1e-9);

    double bs[3], bp[3], fs, fp;
    hp_lsq_solve(&plain, bp, &fit);
    fp = fit.cond;
    hp_lsq_solve(&scaled, bs, &fit);
    fs = fit.cond;
    CHECK_REL(bs[0], bp[0], 1e-9);
    CHECK_REL(bs[1] * 1e6, bp[1], 1e-9);
    CHECK_REL(bs[2] * 1e-6, bp[2], 1e-9);
    CHECK_REL(fs, fp, 1e-9);                 /* the scaling does not show */
    CHECK(fp < 10);

    hp_normal_eq empty;
    hp_normal_eq_init(&empty, 3, 1);
    hp_lsq_solve(&empty, b, &fit);
    CHECK(fit.rank == 0 && fit.dropped == 3 && b[0] == 0 && b[2] == 0);
    hp_normal_eq_free(&empty);
    hp_normal_eq_free(&two);
    hp_normal_eq_free(&dup);
    hp_normal_eq_free(&zero);
    hp_normal_eq_free(&scaled);
    hp_normal_eq_free(&plain);
}

int main(void)
{
    test_basis();
    test_eigen();
    test_exact_recovery();
    test_simple_regression();
    test_degenerate();
    return CHECK_DONE();
}
