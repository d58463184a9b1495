/* Out-of-sample back-test of the hashrate models (validation 6c).
 *
 * Fit on 2016-01-01 .. 2021-12-31 of shared/data, simulate 2022-01-01 ..
 * 2023-12-31 driven by the actual prices, subsidies and fees, and report
 * how often the actual hashrate (7-day trailing mean of hashrate_ths, which
 * is noisy day by day) lies inside the simulated 5-95% band, for `trend` and
 * for `equilibrium`. The models are built by hp_network_init from config
 * keys and stepped by the engine's own code (hp_hash_eq_step, the trend
 * step), so the back-test exercises the engine's code path.
 *
 * Fits use non-overlapping 28-day means (daily estimates carry about 8%
 * Poisson noise from the block count):
 *   trend:  y_k = ln H_(k+1) - ln H_k;  sigma^2 = var(y) / (dt f), with
 *           f = (2L^2 + 1) / (3L) the variance of the difference of two
 *           consecutive L-day means of a random walk, per day (L = 28);
 *           g = mean(y) / (L dt) + sigma^2 / 2.
 *   equilibrium: ln c(t) = a + b t (t in years since 2016-01-01); for each
 *           (a, b) on a grid, y_k = beta_up gap+ + beta_down gap- by least
 *           squares with beta >= 0, gap = ln R_k - ln c(t_k) - ln H_k, R the
 *           revenue at 144 blocks a day; beta = 1 - exp(-kappa L dt). The
 *           growth cap is the largest 365-day log growth in the window.
 *           In the model's parameters: asic_usd_per_th = 0, power $50/MWh,
 *           efficiency e0 = exp(a + b t0) / (24e-18 x 50) on the start day,
 *           efficiency_gain = 1 - exp(b).
 * A self-check fits the trend model to synthetic paths of known g and sigma
 * and requires the mean estimates within 4 standard errors.
 *
 *   test_backtest CSV      exit 77 (skipped) when CSV is absent */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "date.h"
#include "dist.h"
#include "history.h"
#include "network.h"
#include "rng.h"
#include "testutil.h"

#define SKIP 77
#define DT (1.0 / 365.25)
#define L 28
#define N_PATHS 2000
#define POWER 50.0

typedef struct trend_fit { double g, sigma; } trend_fit;
typedef struct eq_fit { double a, b, kup, kdown, sigma, cap; } eq_fit;

/* Means of consecutive L-day blocks of x[lo .. hi), logged. */
static int block_logs(const double *x, long lo, long hi, double *out)
{
    int n = (int)((hi - lo) / L);
    for (int k = 0; k < n; k++) {
        double s = 0;
        for (int j = 0; j < L; j++)
            s += x[lo + (long)k * L + j];
        out[k] = log(s / L);
    }
    return n;
}

static double avg_factor(void) { return (2.0 * L * L + 1) / (3.0 * L); }

static trend_fit fit_trend(const double *lh, int n)
{
    double m = 0, v = 0;
    for (int k = 0; k + 1 < n; k++)
        m += lh[k + 1] - lh[k];
    m /= n - 1;
    for (int k = 0; k + 1 < n; k++)
        v += (lh[k + 1] - lh[k] - m) * (lh[k + 1] - lh[k] - m);
    v /= n - 2;
    trend_fit f;
    double s2 = v / (DT * avg_factor());
    f.sigma = sqrt(s2);
    f.g = m / (L * DT) + s2 / 2;
    return f;
}

/* Least squares of y on (x1, x2) without intercept, coefficients >= 0 and < 1. */
static double ols2(const double *x1, const double *x2, const double *y, int n, double *b1, double *b2)
{
    double s11 = 0, s22 = 0, s12 = 0, s1y = 0, s2y = 0;
    for (int k = 0; k < n; k++) {
        s11 += x1[k] * x1[k]; s22 += x2[k] * x2[k]; s12 += x1[k] * x2[k];
        s1y += x1[k] * y[k]; s2y += x2[k] * y[k];
    }
    double det = s11 * s22 - s12 * s12;
    *b1 = det > 0 ? (s22 * s1y - s12 * s2y) / det : 0;
    *b2 = det > 0 ? (s11 * s2y - s12 * s1y) / det : 0;
    if (*b1 < 0 || *b2 < 0 || det <= 0) {
        /* On the boundary: one coefficient at zero, the other alone. */
        double c1 = s11 > 0 ? fmax(0, s1y / s11) : 0, c2 = s22 > 0 ? fmax(0, s2y / s22) : 0;
        double sse1 = -2 * c1 * s1y + c1 * c1 * s11, sse2 = -2 * c2 * s2y + c2 * c2 * s22;
        *b1 = sse1 <= sse2 ? c1 : 0;
        *b2 = sse1 <= sse2 ? 0 : c2;
    }
    *b1 = fmin(*b1, 1 - 1e-12);
    *b2 = fmin(*b2, 1 - 1e-12);
    double sse = 0;
    for (int k = 0; k < n; k++) {
        double e = y[k] - *b1 * x1[k] - *b2 * x2[k];
        sse += e * e;
    }
    return sse;
}

static eq_fit fit_eq(const double *lh, const double *lr, int n, double cap)
{
    double y[512], gp[512], gm[512];
    for (int k = 0; k + 1 < n; k++)
        y[k] = lh[k + 1] - lh[k];
    eq_fit best = {0};
    double best_sse = INFINITY;
    for (int ib = 0; ib <= 60; ib++) {
        double b = -0.6 + 0.01 * ib;
        for (int ia = 0; ia <= 500; ia++) {
            double a = -36 + 0.02 * ia;
            for (int k = 0; k + 1 < n; k++) {
                double t = ((double)k * L + L / 2.0) * DT;
                double gap = lr[k] - (a + b * t) - lh[k];
                gp[k] = gap > 0 ? gap : 0;
                gm[k] = gap < 0 ? gap : 0;
            }
            double b1, b2, sse = ols2(gp, gm, y, n - 1, &b1, &b2);
            if (sse < best_sse) {
                best_sse = sse;
                best.a = a;
                best.b = b;
                best.kup = -log1p(-b1) / (L * DT);
                best.kdown = -log1p(-b2) / (L * DT);
            }
        }
    }
    best.sigma = sqrt(best_sse / (n - 1 - 4) / (DT * avg_factor()));
    best.cap = cap;
    return best;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Simulates N_PATHS from ln h0 over the days of [i1, i1 + n) and returns
 * the share of days the actual ln H lies in the 5-95% band. */
static double coverage(const hp_network *nw, double lh0, const double *lr, const double *act,
                       int n, double *q_end)
{
    double *lh = malloc(N_PATHS * sizeof(double)), *tmp = malloc(N_PATHS * sizeof(double));
    hp_pcg64 *r = malloc(N_PATHS * sizeof(hp_pcg64));
    for (int p = 0; p < N_PATHS; p++) {
        lh[p] = lh0;
        hp_rng_stream(&r[p], 2022, (uint64_t)p, 1);
    }
    int inside = 0;
    for (int d = 0; d < n; d++) {
        memcpy(tmp, lh, N_PATHS * sizeof(double));
        qsort(tmp, N_PATHS, sizeof(double), cmp_double);
        double lo = tmp[(int)(0.05 * N_PATHS)], hi = tmp[(int)(0.95 * N_PATHS) - 1];
        inside += act[d] >= lo && act[d] <= hi;
        if (d == n - 1) {
            q_end[0] = lo;
            q_end[1] = tmp[N_PATHS / 2];
            q_end[2] = hi;
        }
        for (int p = 0; p < N_PATHS; p++) {
            double z = hp_normal(&r[p]);
            if (nw->kind == HP_HASH_EQUILIBRIUM)
                lh[p] = hp_hash_eq_step(&nw->eq, lh[p], exp(lh[p]),
                                        hp_hash_eq_log_target(nw, d, exp(lr[d])), z);
            else
                lh[p] += nw->trend.drift_dt + nw->trend.vol_sqrt_dt * z;
        }
    }
    free(lh);
    free(tmp);
    free(r);
    return (double)inside / n;
}

/* The trend fit recovers g and sigma from synthetic paths of the model. */
static void self_check(void)
{
    const double g = 1.0, sigma = 0.4;
    const int n_paths = 400, days = 6 * 365;
    double sg = 0, sg2 = 0, ss = 0, ss2 = 0;
    double *h = malloc(days * sizeof(double)), lh[128];
    hp_pcg64 r;
    hp_rng_stream(&r, 7, 0, 1);
    for (int p = 0; p < n_paths; p++) {
        double x = 0;
        for (int d = 0; d < days; d++) {
            h[d] = exp(x);
            x += (g - sigma * sigma / 2) * DT + sigma * sqrt(DT) * hp_normal(&r);
        }
        int n = block_logs(h, 0, days, lh);
        trend_fit f = fit_trend(lh, n);
        sg += f.g; sg2 += f.g * f.g;
        ss += f.sigma; ss2 += f.sigma * f.sigma;
    }
    double mg = sg / n_paths, ms = ss / n_paths;
    double seg = sqrt((sg2 / n_paths - mg * mg) / (n_paths - 1));
    double ses = sqrt((ss2 / n_paths - ms * ms) / (n_paths - 1));
    printf("self-check: g %.4f (true 1, SE %.4f), sigma %.4f (true 0.4, SE %.4f)\n", mg, seg, ms, ses);
    CHECK_NEAR(mg, g, 4 * seg);
    /* E[sigma_hat] < sigma by Jensen: about sigma / (4 (n - 2)) = 0.0013 here. */
    CHECK_NEAR(ms, sigma, 4 * ses + sigma / (4.0 * 75));
    free(h);
}

int main(int argc, char **argv)
{
    if (argc < 2 || access(argv[1], R_OK) != 0) {
        printf("SKIP: history CSV %s not found (shared data is not part of the repository)\n",
               argc < 2 ? "(none given)" : argv[1]);
        return SKIP;
    }
    self_check();
    hp_err err = {0};
    hp_history *h = hp_history_load(argv[1], &err);
    CHECK_MSG(h != NULL, "%s", err.msg);
    if (h == NULL)
        return CHECK_DONE();
    const long i0 = hp_history_index(h, hp_days_from_civil(2016, 1, 1));
    const long i1 = hp_history_index(h, hp_days_from_civil(2022, 1, 1));
    const long i2 = hp_history_index(h, hp_days_from_civil(2023, 12, 31)) + 1;
    const double *P = hp_history_col(h, HP_HIST_PRICE), *Hs = hp_history_col(h, HP_HIST_HASHRATE);
    const double *B = hp_history_col(h, HP_HIST_BLOCKS), *SUB = hp_history_col(h, HP_HIST_SUBSIDY);
    const double *FEE = hp_history_col(h, HP_HIST_FEES);
    double *hs = malloc((size_t)h->n * sizeof(double)), *R = malloc((size_t)h->n * sizeof(double));
    double *h7 = malloc((size_t)h->n * sizeof(double));
    for (long i = 0; i < h->n; i++) {
        hs[i] = Hs[i] * 1e12;
        R[i] = HP_BLOCKS_TARGET_DAY * (SUB[i] + FEE[i]) / B[i] * P[i];
        double s = 0;
        int m = 0;
        for (long j = i - 6; j <= i; j++)
            if (j >= 0) { s += Hs[j] * 1e12; m++; }
        h7[i] = s / m;
    }

    /* Fit on 2016-2021. */
    double lh[128], lr[128];
    int n = block_logs(hs, i0, i1, lh);
    block_logs(R, i0, i1, lr);
    trend_fit tf = fit_trend(lh, n);
    double cap = 0;
    for (long i = i0; i + 365 < i1; i++)
        cap = fmax(cap, log(h7[i + 365] / h7[i]));
    eq_fit ef = fit_eq(lh, lr, n, cap);
    printf("fit 2016-2021 (%d blocks of %d days):\n", n, L);
    printf("  trend:       growth %.3f /yr, sigma %.3f /sqrt(yr)\n", tf.g, tf.sigma);
    printf("  equilibrium: cost %.1f $/PH/day in 2016, %+.1f%%/yr, kappa_up %.3f, kappa_down %.3f /yr, "
           "sigma %.3f, cap %.2f /yr\n", exp(ef.a) * 1e15, 100 * expm1(ef.b), ef.kup, ef.kdown,
           ef.sigma, ef.cap);
    CHECK(isfinite(ef.a) && ef.kup > 0 && ef.sigma > 0 && tf.sigma > 0);

    /* Simulate 2022-2023 with the engine's network module. */
    int nd = (int)(i2 - i1);
    double t0 = (double)(i1 - i0) * DT;
    double e0 = exp(ef.a + ef.b * t0) / (24e-18 * POWER);
    char s_g[64], s_s[64], s_ku[64], s_kd[64], s_cap[64], s_e0[64], s_gain[64], s_se[64];
    snprintf(s_g, sizeof s_g, "network.growth=%.17e", tf.g);
    snprintf(s_s, sizeof s_s, "network.sigma=%.17e", tf.sigma);
    snprintf(s_ku, sizeof s_ku, "network.kappa_up=%.17e", ef.kup);
    snprintf(s_kd, sizeof s_kd, "network.kappa_down=%.17e", ef.kdown);
    snprintf(s_cap, sizeof s_cap, "network.max_growth=%.17e", ef.cap);
    snprintf(s_e0, sizeof s_e0, "network.efficiency_j_th=%.17e", e0);
    snprintf(s_gain, sizeof s_gain, "network.efficiency_gain=%.17e", -expm1(ef.b));
    snprintf(s_se, sizeof s_se, "network.sigma=%.17e", ef.sigma);
    const char *set_t[] = {"time.start_date=\"2022-01-01\"", "time.horizon_years=2.0", s_g, s_s};
    const char *set_e[] = {
        "time.start_date=\"2022-01-01\"", "time.horizon_years=2.0",
        "network.hashrate_model=\"equilibrium\"", s_ku, s_kd, s_cap, s_e0, s_gain, s_se,
        "network.power_usd_mwh=50.0", "network.asic_usd_per_th=0.0",
    };
    double *lrd = malloc((size_t)nd * sizeof(double)), *act = malloc((size_t)nd * sizeof(double));
    for (int d = 0; d < nd; d++) {
        lrd[d] = log(R[i1 + d]);
        act[d] = log(h7[i1 + d]);
    }
    const char *names[2] = {"trend", "equilibrium"};
    for (int k = 0; k < 2; k++) {
        hp_config *cfg = k == 0 ? tu_config(set_t, 4) : tu_config(set_e, sizeof set_e / sizeof set_e[0]);
        hp_network nw = {0};
        hp_history_set hist = {0};
        CHECK_MSG(hp_network_init(&nw, cfg, DT, hp_days_from_civil(2022, 1, 1), nd, &hist, &err) == 0,
                  "%s", err.msg);
        double q[3] = {0, 0, 0};
        double cov = coverage(&nw, log(h7[i1 - 1]), lrd, act, nd, q);
        printf("back-test 2022-2023, %s: actual inside the 5-95%% band on %.1f%% of %d days; "
               "end of 2023: band %.0f-%.0f EH/s, median %.0f, actual %.0f EH/s\n",
               names[k], 100 * cov, nd, exp(q[0]) * 1e-18, exp(q[2]) * 1e-18, exp(q[1]) * 1e-18,
               exp(act[nd - 1]) * 1e-18);
        CHECK(cov >= 0 && cov <= 1);
        hp_network_free(&nw);
        hp_history_set_free(&hist);
        hp_config_free(cfg);
    }
    free(hs); free(R); free(h7); free(lrd); free(act);
    hp_history_free(h);
    return CHECK_DONE();
}
