/* gsa: the Sobol estimators on the Ishigami function, whose indices are
 * known in closed form (Ishigami & Homma 1990; Saltelli et al., Global
 * Sensitivity Analysis: The Primer, 2008, 4.5): at N = 2^14 every S1 and
 * ST within 0.01; Morris on a linear function gives its coefficients
 * exactly, with sigma 0, and flags the interaction of the Ishigami x3. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gsa.h"

static double ishigami(const double *u)
{
    const double a = 7, b = 0.1;
    double x1 = -M_PI + 2 * M_PI * u[0], x2 = -M_PI + 2 * M_PI * u[1], x3 = -M_PI + 2 * M_PI * u[2];
    return sin(x1) + a * sin(x2) * sin(x2) + b * pow(x3, 4) * sin(x1);
}

static void sobol_ishigami(void)
{
    enum { N = 1 << 14, K = 3 };
    const double a = 7, b = 0.1, pi4 = pow(M_PI, 4), pi8 = pow(M_PI, 8);
    const double V1 = 0.5 * pow(1 + b * pi4 / 5, 2), V2 = a * a / 8, V13 = 8 * b * b * pi8 / 225;
    const double V = a * a / 8 + b * pi4 / 5 + b * b * pi8 / 18 + 0.5;
    const double S1[K] = {V1 / V, V2 / V, 0}, ST[K] = {(V1 + V13) / V, V2 / V, V13 / V};
    double *A = malloc(N * K * sizeof *A), *B = malloc(N * K * sizeof *B), row[K];
    double *yA = malloc(N * sizeof *yA), *yB = malloc(N * sizeof *yB), *yAB = malloc(K * N * sizeof *yAB);
    hp_err err = {0};
    CHECK(hp_saltelli_design(N, K, 20260101, A, B, &err) == 0);
    for (int j = 0; j < N; j++) {
        yA[j] = ishigami(A + j * K);
        yB[j] = ishigami(B + j * K);
        for (int i = 0; i < K; i++) {
            memcpy(row, A + j * K, sizeof row);
            row[i] = B[j * K + i];
            yAB[i * N + j] = ishigami(row);
        }
    }
    hp_sobol_idx idx[K];
    double mean, var;
    hp_sobol_indices(N, K, yA, yB, yAB, 200, 7, idx, &mean, &var);
    for (int i = 0; i < K; i++) {
        printf("x%d: S1 %.4f (exact %.4f) [%.4f, %.4f]   ST %.4f (exact %.4f) [%.4f, %.4f]\n", i + 1, idx[i].S1,
               S1[i], idx[i].S1_lo, idx[i].S1_hi, idx[i].ST, ST[i], idx[i].ST_lo, idx[i].ST_hi);
        CHECK_NEAR(idx[i].S1, S1[i], 0.01);
        CHECK_NEAR(idx[i].ST, ST[i], 0.01);
        CHECK(idx[i].S1_lo <= idx[i].S1 && idx[i].S1 <= idx[i].S1_hi && idx[i].S1_hi - idx[i].S1_lo < 0.1);
        CHECK(idx[i].ST_lo <= idx[i].ST && idx[i].ST <= idx[i].ST_hi && idx[i].ST_hi - idx[i].ST_lo < 0.1);
    }
    CHECK_REL(var, V, 0.02);
    CHECK_NEAR(mean, a / 2, 0.02);
    free(A); free(B); free(yA); free(yB); free(yAB);
}

static void morris(void)
{
    enum { R = 20, K = 4 };
    const double c[K] = {3, -2, 0.5, 0};
    double X[R * (K + 1) * K], sign[R * K], y[R * (K + 1)], ee[R * K], delta;
    int order[R * K];
    hp_morris_design(R, K, 11, X, order, sign, &delta);
    CHECK_NEAR(delta, 2.0 / 3, 1e-15);
    int ok = 1;
    for (int t = 0; t < R; t++)
        for (int j = 0; j <= K; j++) {
            const double *x = X + (t * (K + 1) + j) * K;
            for (int i = 0; i < K; i++) {
                double lv = x[i] * 3;             /* a level of the 4-level grid */
                ok &= x[i] >= 0 && x[i] <= 1 && fabs(lv - nearbyint(lv)) < 1e-12;
                if (j > 0) {
                    double moved = x[i] - x[i - K];
                    ok &= i == order[t * K + j - 1] ? fabs(moved - sign[t * K + j - 1] * delta) < 1e-12
                                                    : moved == 0;
                }
            }
            y[t * (K + 1) + j] = c[0] * x[0] + c[1] * x[1] + c[2] * x[2] + c[3] * x[3];
        }
    CHECK_MSG(ok, "Morris design: points off the grid or steps not one input by +-delta");
    hp_morris_idx m[K];
    hp_morris_indices(R, K, y, order, sign, delta, 100, 3, ee, m);
    for (int i = 0; i < K; i++) {
        CHECK_NEAR(m[i].mu, c[i], 1e-12);
        CHECK_NEAR(m[i].mu_star, fabs(c[i]), 1e-12);
        CHECK_NEAR(m[i].sigma, 0, 1e-12);
    }
    /* Ishigami: x3 acts only through its interaction with x1. */
    double yi[R * 4];
    double Xi[R * 4 * 3], si[R * 3], ei[R * 3];
    int oi[R * 3];
    hp_morris_design(R, 3, 5, Xi, oi, si, &delta);
    for (int p = 0; p < R * 4; p++)
        yi[p] = ishigami(Xi + p * 3);
    hp_morris_idx mi[3];
    hp_morris_indices(R, 3, yi, oi, si, delta, 100, 3, ei, mi);
    CHECK(mi[2].mu_star > 1 && mi[2].sigma > 1 && mi[2].mu_star_lo <= mi[2].mu_star && mi[2].mu_star <= mi[2].mu_star_hi);
}

int main(void)
{
    sobol_ishigami();
    morris();
    return CHECK_DONE();
}
