/* The fleet hashrate model (models/hashrate_fleet.h): the cost curve in
 * closed form and through the engine.
 *
 *   - one cohort, uniform power prices on [a, b]: the share of sites that
 *     run at hashprice h is (h / 0.024 e - a) / (b - a), exactly; the
 *     daily table agrees within its interpolation bound;
 *   - the operating margin E[max(h - 0.024 e p, 0)] against quadrature;
 *   - through the engine: day 0 reproduces the start hashrate; a -50%
 *     price shock shuts the share of sites the closed form says, on the
 *     day it happens (difficulty has not moved yet);
 *   - MW online against the cohorts;
 *   - a retarget moves the smoothed tightness by the difficulty's step;
 *   - retirement: a cohort below retire_share for retire_months reviews
 *     keeps only the sites that cover their cost; machines past
 *     max_age_years go;
 *   - the online noise: the variance of ln of the multiplier at several
 *     horizons against its closed form, for noise_model "ou" and "walk"
 *     (20,000 paths of fixed seeds, within 4 standard errors);
 *   - the registry: every network.hashrate_model choice has a backend. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "dist.h"
#include "rng.h"
#include "hashrate_fleet.h"
#include "network.h"
#include "scenario.h"
#include "testutil.h"

#define DT (1.0 / 365.25)

/* One cohort of 20 J/TH, power uniform on [30, 80] USD/MWh, no
 * investment, no noise, no retirement. */
#define ONE_COHORT \
    "network.hashrate_model=\"fleet\"", "network.fleet.cohort_j_th=[20.0]", \
    "network.fleet.cohort_share=[1.0]", "network.fleet.power_quantiles_usd_mwh=[30.0, 80.0]", \
    "network.fleet.kappa=0.0", "network.fleet.noise_sd=0.0", "network.fleet.order_sd=0.0", \
    "network.fleet.retire_share=0.0", "network.fleet.max_age_years=100.0", \
    "network.fleet.frontier_j_th=20.0", "network.fleet.anticipation=0.0", \
    "network.fleet.switch_days=0.0"

static hp_fleet fleet_of(const char *const *sets, size_t n)
{
    hp_config *cfg = tu_config(sets, n);
    hp_fleet f;
    hp_err err = {0};
    if (hp_fleet_init(&f, cfg, 3 * 365, &err) != 0) {
        fprintf(stderr, "fleet: %s\n", err.msg);
        exit(1);
    }
    hp_config_free(cfg);
    return f;
}

/* Share and table, one cohort, uniform power. */
static void test_uniform_share(void)
{
    const char *sets[] = {ONE_COHORT};
    hp_fleet f = fleet_of(sets, sizeof sets / sizeof sets[0]);
    const double e = 20, a = 30, b = 80, c = 0.024 * e;   /* USD/PH/day per USD/MWh */
    for (double h = 0.1; h < 100; h *= 1.07) {
        double x = h / c, want = x <= a ? 0 : x >= b ? 1 : (x - a) / (b - a);
        CHECK_MSG(fabs(hp_fleet_share(&f, e, h) - want) < 1e-15, "h %g: %.17g vs %.17g", h,
                  hp_fleet_share(&f, e, h), want);
    }
    /* The table: one cohort of 1e6 TH/s started at h0 = 48 (x = 100, all run). */
    void *mem = calloc(1, hp_fleet_state_bytes(&f));
    double th = 1e6;
    /* The network at its difficulty's hashrate: no retarget ahead. */
    hp_fleet_state *s = hp_fleet_start(&f, mem, th * 1e12, 48.0, 141e12 * 4294967296.0 / 600.0,
                                       900000, 141e12, 0.02);
    CHECK(s != NULL);
    CHECK_REL(s->installed_th, th, 1e-12);
    /* Linear interpolation in ln h of a function linear in h, and of its
     * kinks at a and b: within STEP^2/8 |F''| (F'' in ln p <= b / (b - a))
     * in the middle, and a quarter step times the jump of slope (b/(b - a))
     * near a kink. The cohort sits between two bins: twice that. */
    double worst_mid = 0, worst = 0;
    for (double x = 20; x < 100; x += 0.05) {
        double h = x * c, want = x <= a ? 0 : x >= b ? 1 : (x - a) / (b - a);
        double got = hp_fleet_supply_th(&f, s, log(h)) / th;
        double dev = fabs(got - want);
        worst = fmax(worst, dev);
        if (x > a * exp(2 * HP_FLEET_STEP) && x < b * exp(-2 * HP_FLEET_STEP))
            worst_mid = fmax(worst_mid, dev);
    }
    double bound_mid = 2 * HP_FLEET_STEP * HP_FLEET_STEP / 8 * b / (b - a);
    double bound = 2 * HP_FLEET_STEP / 4 * b / (b - a);
    printf("uniform power: table vs exact share, worst %.2e (bound %.2e), away from kinks %.2e "
           "(bound %.2e)\n", worst, bound, worst_mid, bound_mid);
    CHECK(worst <= bound);
    CHECK(worst_mid <= bound_mid);
    /* MW online: TH x J/TH x share, exact. */
    CHECK_REL(hp_fleet_mw_online(&f, s, 0.024 * 20 * 55), th * 20 * 0.5 * 1e-6, 1e-12);
    free(mem);
    hp_fleet_free(&f);
}

/* E[max(h - c p, 0)] by the midpoint rule on a fine grid of p. */
static void test_margin(void)
{
    const char *sets[] = {"network.fleet.power_quantiles_usd_mwh=[5.0, 28.0, 33.0, 45.0, 90.0]"};
    hp_fleet f = fleet_of(sets, 1);
    const double q[5] = {5, 28, 33, 45, 90};
    for (double h = 1; h < 60; h *= 1.3) {
        const double e = 17.5, c = 0.024 * e;
        double sum = 0;
        for (int j = 0; j < 4; j++) {
            const int n = 20000;
            for (int i = 0; i < n; i++) {
                double p = q[j] + (i + 0.5) * (q[j + 1] - q[j]) / n;
                sum += fmax(h - c * p, 0) / n / 4;
            }
        }
        CHECK_NEAR(hp_fleet_margin(&f, e, h), sum, 1e-6 * (1 + sum));
    }
    hp_fleet_free(&f);
}

/* Writes a price history: constant s0, then s0 * jump from day k on. */
static void write_prices(const char *path, int days, double s0, int k, double jump)
{
    FILE *fp = fopen(path, "w");
    fprintf(fp, "date,price_usd\n");
    for (int d = 0; d < days; d++) {
        int y = 2026, m = 1, dd = 1 + d;
        static const int mlen[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        while (dd > mlen[m - 1]) { dd -= mlen[m - 1]; m++; if (m > 12) { m = 1; y++; } }
        fprintf(fp, "%04d-%02d-%02d,%.10g\n", y, m, dd, d < k ? s0 : s0 * jump);
    }
    fclose(fp);
}

/* Through the engine: the start hashrate, then a -50% price shock. */
static void test_shock(void)
{
    const char *csv = "test_fleet_prices.csv";
    const int k = 5;                        /* the shock's day: mid-epoch */
    write_prices(csv, 60, 80000, k, 0.5);
    char price_csv[128];
    snprintf(price_csv, sizeof price_csv, "price.csv=\"%s\"", csv);
    const char *sets[] = {
        ONE_COHORT, "time.start_date=\"2026-01-01\"", "fees.sigma=0.0", "ai_market.sigma=0.0",
        "price.model=\"historical\"", price_csv,
        "time.horizon_years=0.1", "miner.in_network=false", "allocation.fractions=[0.0]",
        "network.height0=930000L", "fees.btc_per_block0=0.02", "fees.mean_btc_per_block=0.02",
    };
    hp_config *cfg = tu_config(sets, sizeof sets / sizeof sets[0]);
    hp_err err = {0};
    void *m = hp_scenario_model.create(cfg, &err);
    CHECK_MSG(m != NULL, "%s", err.msg);
    if (m == NULL)
        return;
    const char *const *names;
    int nv = hp_scenario_model.trace_vars(m, &names);
    int n_days = hp_scenario_model.layout(m)->n_days;
    double *tr = calloc((size_t)nv * n_days, sizeof(double));
    double *out = calloc(hp_layout_path_size(hp_scenario_model.layout(m)), sizeof(double));
    void *ws = malloc(hp_scenario_model.scratch_bytes(m));
    hp_scenario_model.simulate_trace(m, 1, 0, out, ws, tr);
    CHECK(strcmp(names[2], "chain0/hashrate") == 0 && strcmp(names[3], "chain0/difficulty") == 0);
    double H0 = hp_cfg_double(cfg, "network.hashrate0_ehs") * 1e18;
    CHECK_REL(tr[2], H0, 1e-12);                           /* day 0 */
    /* Hashprice on day 0 and on the shock day, at the same difficulty. */
    double D = tr[3], sub = 3.125, F = 0.02;
    double hp0 = 86400.0 / (D * 4294967296.0) * (sub + F) * 80000 * 1e15;
    CHECK(tr[(size_t)k * nv + 3] == D);                    /* no retarget yet */
    double hpk = hp0 * 0.5, c = 0.024 * 20;
    double share0 = fmin(1, fmax(0, (hp0 / c - 30) / 50)), sharek = fmin(1, fmax(0, (hpk / c - 30) / 50));
    double ratio = tr[(size_t)k * nv + 2] / tr[(size_t)(k - 1) * nv + 2];
    printf("-50%% price: hashprice %.2f -> %.2f $/PH/day, sites running %.4f -> %.4f, "
           "hashrate ratio %.4f (closed form %.4f)\n", hp0, hpk, share0, sharek, ratio, sharek / share0);
    CHECK(sharek < share0 && sharek > 0);
    CHECK_NEAR(ratio, sharek / share0, 2 * HP_FLEET_STEP / 4 * 80.0 / 50.0 / share0);
    free(tr);
    free(out);
    free(ws);
    hp_scenario_model.destroy(m);
    hp_config_free(cfg);
    unlink(csv);
}

/* With anticipation a, sites decide on hp x tight^a, tight = (D 2^32 / 600)
 * / H averaged over about two weeks (weekly means, HP_FLEET_TIGHT_FRAC of
 * the gap a week): the shock day again, through the engine. */
static void test_anticipation(void)
{
    const char *csv = "test_fleet_prices2.csv";
    const int k = 5;
    write_prices(csv, 60, 80000, k, 0.5);
    char price_csv[128];
    snprintf(price_csv, sizeof price_csv, "price.csv=\"%s\"", csv);
    const char *sets[] = {
        ONE_COHORT, "network.fleet.anticipation=0.5", "time.start_date=\"2026-01-01\"",
        "fees.sigma=0.0", "ai_market.sigma=0.0", "price.model=\"historical\"", price_csv,
        "time.horizon_years=0.1", "miner.in_network=false", "allocation.fractions=[0.0]",
        "network.height0=930000L", "fees.btc_per_block0=0.02", "fees.mean_btc_per_block=0.02",
    };
    hp_config *cfg = tu_config(sets, sizeof sets / sizeof sets[0]);
    hp_err err = {0};
    void *m = hp_scenario_model.create(cfg, &err);
    CHECK_MSG(m != NULL, "%s", err.msg);
    if (m == NULL)
        return;
    const char *const *names;
    int nv = hp_scenario_model.trace_vars(m, &names);
    int n_days = hp_scenario_model.layout(m)->n_days;
    double *tr = calloc((size_t)nv * n_days, sizeof(double));
    double *out = calloc(hp_layout_path_size(hp_scenario_model.layout(m)), sizeof(double));
    void *ws = malloc(hp_scenario_model.scratch_bytes(m));
    hp_scenario_model.simulate_trace(m, 1, 0, out, ws, tr);
    const double c = 0.024 * 20, two32 = 4294967296.0;
    /* The smoothed ln tight: from the start (the configured network
     * hashrate against the start difficulty), then a two-week average of
     * each day's after the day's hashrate is known. */
    double H0 = hp_cfg_double(cfg, "network.hashrate0_ehs") * 1e18;
    double lt = log(tr[3] * two32 / 600.0 / H0), worst = 0, share0 = 0, week = 0;
    for (int d = 0; d <= k + 3; d++) {
        double D = tr[(size_t)d * nv + 3], S = tr[(size_t)d * nv + 0];
        double hp = 86400.0 / (D * two32) * 3.145 * S * 1e15;
        double share = fmin(1, fmax(0, (hp * exp(0.5 * lt) / c - 30) / 50));
        if (d == 0)
            share0 = share;
        else if (d >= k - 1)
            worst = fmax(worst, fabs(tr[(size_t)d * nv + 2] / tr[2] * share0 - share));
        week += D * two32 / 600.0 / tr[(size_t)d * nv + 2];
        if ((d + 1) % HP_FLEET_TIGHT_DAYS == 0) {
            lt += HP_FLEET_TIGHT_FRAC * (log(week / HP_FLEET_TIGHT_DAYS) - lt);
            week = 0;
        }
    }
    printf("anticipation 0.5: running share against hp x tight^0.5 around the shock, worst %.2e\n", worst);
    CHECK(worst < 2 * HP_FLEET_STEP / 4 * 80.0 / 50.0);
    free(tr);
    free(out);
    free(ws);
    hp_scenario_model.destroy(m);
    hp_config_free(cfg);
    unlink(csv);
}

/* A retarget moves the tightness by the difficulty's step: the reading of
 * the network's pace is unchanged, the difficulty it is compared with is
 * not (else the lagged reading counts a retarget twice). The decision
 * multiplier follows. */
static void test_retarget_rebase(void)
{
    const char *sets[] = {ONE_COHORT, "network.fleet.anticipation=0.5"};
    hp_fleet f = fleet_of(sets, sizeof sets / sizeof sets[0]);
    void *mem = calloc(1, hp_fleet_state_bytes(&f));
    const double D = 141e12, net = D * 4294967296.0 / 600.0 / 1.6;   /* tight 1.6 */
    hp_fleet_state *s = hp_fleet_start(&f, mem, 1e6 * 1e12, 48.0, net, 900000, D, 0.02);
    CHECK(s != NULL);
    CHECK_REL(s->ln_tight, log(1.6), 1e-12);
    CHECK_REL(s->tight_mult, sqrt(1.6), 1e-12);
    (void)hp_fleet_ln_hashprice(&f, s, D, log(3.145), log(80000.0));   /* day 0: no step */
    CHECK_REL(s->ln_tight, log(1.6), 1e-12);
    s->week_tight = 3 * 1.6;                                          /* three days read */
    (void)hp_fleet_ln_hashprice(&f, s, D / 1.6, log(3.145), log(80000.0));
    printf("retarget by 1/1.6: ln tight %.3g (want 0), decision multiplier %.6f (want 1)\n",
           s->ln_tight, s->tight_mult);
    CHECK(fabs(s->ln_tight) < 1e-12);
    CHECK(fabs(s->tight_mult - 1) < 1e-12);
    CHECK_REL(s->week_tight, 3.0, 1e-12);
    free(mem);
    hp_fleet_free(&f);
}

/* The fast exp against libm's. */
static void test_fast_exp(void)
{
    double worst = 0;
    for (double x = -700; x < 700; x += 0.0137)
        worst = fmax(worst, fabs(hp_fleet_fast_exp(x) / exp(x) - 1));
    printf("fast exp: worst relative error %.2e over -700 .. 700\n", worst);
    CHECK(worst < 1e-13);
}

/* The fast exp's rounding to an integer (1.5 x 2^52 added and taken away)
 * against nearbyint, which it replaced: the same bits wherever the two
 * could disagree (ties to even, both signs, near zero and the ends), so
 * outputs did not move (tests/golden). The reference is the fast exp as it
 * was, with nearbyint. */
static double fast_exp_nearbyint(double x)
{
    double kf = nearbyint(x * 1.4426950408889634);
    double r = x - kf * 0.6931471805599453 - kf * 2.3190468138462996e-17;
    double p = 1.0 / 6227020800.0;
    static const double c[13] = {1.0 / 479001600, 1.0 / 39916800, 1.0 / 3628800, 1.0 / 362880,
                                 1.0 / 40320, 1.0 / 5040, 1.0 / 720, 1.0 / 120, 1.0 / 24,
                                 1.0 / 6, 0.5, 1.0, 1.0};
    for (int i = 0; i < 13; i++)
        p = p * r + c[i];
    int64_t k = (int64_t)kf + 1023;
    uint64_t bits = (uint64_t)k << 52;
    double scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

static void test_fast_exp_rounding(void)
{
    long differ = 0, n = 0;
    for (double x = -700; x < 700; x += 0.000731, n++)
        differ += memcmp(&(double){hp_fleet_fast_exp(x)}, &(double){fast_exp_nearbyint(x)},
                         sizeof(double)) != 0;
    for (int j = -1009; j <= 1009; j++)         /* x ln 2 at halves: ties */
        for (int s = -2; s <= 2; s++, n++) {
            double x = nextafter((j + 0.5) * 0.6931471805599453, s < 0 ? -INFINITY : INFINITY);
            if (s == 0)
                x = (j + 0.5) * 0.6931471805599453;
            differ += memcmp(&(double){hp_fleet_fast_exp(x)}, &(double){fast_exp_nearbyint(x)},
                             sizeof(double)) != 0;
        }
    for (double x = -1e-300; x < 1e-300; x += 1e-301, n++)
        differ += hp_fleet_fast_exp(x) != fast_exp_nearbyint(x);
    printf("fast exp: %ld of %ld values differ from the nearbyint version\n", differ, n);
    CHECK(differ == 0);
}

/* The fast log against libm's. */
static void test_fast_log(void)
{
    double worst = 0;
    for (double x = 1e-30; x < 1e30; x *= 1.37)
        worst = fmax(worst, fabs(hp_fleet_fast_log(x) - log(x)));
    printf("fast log: worst absolute error %.2e over 1e-30 .. 1e30\n", worst);
    CHECK(worst < 1e-8);
}

/* Var(ln mult) after n days from 0 (models/hashrate_fleet.h): the OU's
 * b^2 (1 - phi^2n) / (1 - phi^2), the walk's n a^2, and their cross term
 * 2 a b (1 - phi^n) / (1 - phi) (one shock drives both). */
static double noise_var(const hp_fleet *f, int n)
{
    double phi = f->noise_decay, a = f->walk_vol, b = f->noise_vol;
    return n * a * a + 2 * a * b * (1 - pow(phi, n)) / (1 - phi) +
           b * b * (1 - pow(phi, 2.0 * n)) / (1 - phi * phi);
}

/* The sample variance of ln mult over N paths at horizons 30, 91, 365 and
 * 730 days against noise_var, within 4 standard errors of a normal
 * variance, sqrt(2 / (N - 1)) sigma^2; the multiplier is exp of it. */
static void check_noise(const char *const *sets, size_t n_sets, const char *name)
{
    hp_fleet f = fleet_of(sets, n_sets);
    enum { N = 20000, NH = 4 };
    const int hz[NH] = {30, 91, 365, 730};
    double sum[NH] = {0}, sum2[NH] = {0}, worst_exp = 0;
    for (uint64_t path = 0; path < N; path++) {
        hp_pcg64 r;
        hp_rng_stream(&r, 20221231, path, 0);
        hp_fleet_path p;
        hp_fleet_path_init(&p);
        for (int d = 0, k = 0; d < hz[NH - 1]; d++) {
            hp_fleet_path_step(&f, &p, d, hp_normal(&r));
            if (d + 1 == hz[k]) {
                double x = p.ln_noise + p.ln_walk;
                sum[k] += x;
                sum2[k] += x * x;
                worst_exp = fmax(worst_exp, fabs(p.mult / exp(x) - 1));
                k++;
            }
        }
    }
    for (int k = 0; k < NH; k++) {
        double mean = sum[k] / N, var = (sum2[k] - N * mean * mean) / (N - 1);
        double want = noise_var(&f, hz[k]), se = sqrt(2.0 / (N - 1)) * want;
        printf("%s noise, %3d days: var %.5f, closed form %.5f (se %.5f); mean %+.4f\n", name, hz[k],
               var, want, se, mean);
        CHECK_MSG(fabs(var - want) < 4 * se, "%s: variance at %d days", name, hz[k]);
        CHECK_MSG(fabs(mean) < 4 * sqrt(want / N), "%s: mean at %d days", name, hz[k]);
    }
    CHECK(worst_exp < 1e-12);
    hp_fleet_free(&f);
}

static void test_noise_variance(void)
{
    const char *ou[] = {ONE_COHORT, "network.fleet.noise_sd=0.3", "network.fleet.noise_days=365.0"};
    check_noise(ou, sizeof ou / sizeof ou[0], "ou");
    const char *walk[] = {ONE_COHORT, "network.fleet.noise_model=\"walk\"",
                          "network.fleet.noise_sd=0.1", "network.fleet.noise_days=30.0",
                          "network.fleet.walk_sd=0.25"};
    check_noise(walk, sizeof walk / sizeof walk[0], "walk");
    /* The walk's variance grows linearly: a year's is walk_sd^2 plus the
     * short OU's, about 0.25^2 + 0.1^2 + the cross term. */
    hp_fleet f = fleet_of(walk, sizeof walk / sizeof walk[0]);
    CHECK(fabs(f.walk_vol - 0.25 / sqrt(365.25)) < 1e-15);
    CHECK(noise_var(&f, 730) > 1.9 * 0.25 * 0.25);
    hp_fleet_free(&f);
    /* A walk_sd with the OU is a mistake, said so. */
    const char *bad[] = {ONE_COHORT, "network.fleet.walk_sd=0.2"};
    hp_config *cfg = tu_config(bad, sizeof bad / sizeof bad[0]);
    hp_fleet g;
    hp_err err = {0};
    CHECK(hp_fleet_init(&g, cfg, 365, &err) != 0);
    CHECK(strstr(err.msg, "network.fleet.walk_sd") != NULL);
    printf("walk_sd with the OU: %s\n", err.msg);
    hp_config_free(cfg);
}

/* Supply shocks (hp_fleet_path_jump): the sample mean and variance of
 * their part of ln mult over N paths at 30, 91, 365 and 730 days against
 * the closed forms E y_n = m (1 - psi^n) / (1 - psi) and Var y_n =
 * v (1 - psi^2n) / (1 - psi^2), within 4 standard errors (the mean's
 * sqrt(var / N); the variance's sqrt((m4 - var^2) / N) from the sample's
 * fourth central moment: the shocks are far from normal). With the
 * diffusive noise off, the multiplier is exp of the shocks' part. */
static void test_supply_shocks(void)
{
    const char *sets[] = {ONE_COHORT, "network.fleet.noise_sd=0.0", "network.fleet.jump_rate=2.0",
                          "network.fleet.jump_mean=-0.5", "network.fleet.jump_sd=0.3",
                          "network.fleet.jump_days=120.0"};
    hp_fleet f = fleet_of(sets, sizeof sets / sizeof sets[0]);
    CHECK(fabs(f.jump_prob - 2.0 / 365.25) < 1e-15 && fabs(f.jump_decay - exp(-1 / 120.0)) < 1e-15);
    enum { N = 20000, NH = 4 };
    const int hz[NH] = {30, 91, 365, 730};
    static double y[NH][N];
    double worst_exp = 0;
    for (uint64_t path = 0; path < N; path++) {
        hp_pcg64 r, rj;
        hp_rng_stream(&r, 20210521, path, 0);
        hp_rng_stream(&rj, 20210521, path, 1);
        hp_fleet_path p;
        hp_fleet_path_init(&p);
        for (int d = 0, k = 0; d < hz[NH - 1]; d++) {
            hp_fleet_path_jump(&f, &p, &rj);
            hp_fleet_path_step(&f, &p, d, hp_normal(&r));
            if (d + 1 == hz[k]) {
                y[k][path] = p.ln_jump;
                worst_exp = fmax(worst_exp, fabs(p.mult / exp(p.ln_noise + p.ln_jump) - 1));
                k++;
            }
        }
    }
    double psi = f.jump_decay, m = f.jump_prob * f.jump_mean;
    double v = f.jump_prob * (f.jump_mean * f.jump_mean + f.jump_sd * f.jump_sd);
    for (int k = 0; k < NH; k++) {
        double mean = 0, var = 0, m4 = 0;
        for (int i = 0; i < N; i++)
            mean += y[k][i] / N;
        for (int i = 0; i < N; i++) {
            double e = y[k][i] - mean;
            var += e * e / (N - 1);
            m4 += e * e * e * e / N;
        }
        double want_mean = m * (1 - pow(psi, hz[k])) / (1 - psi);
        double want_var = v * (1 - pow(psi, 2.0 * hz[k])) / (1 - psi * psi);
        double se_mean = sqrt(var / N), se_var = sqrt((m4 - var * var) / N);
        printf("supply shocks, %3d days: mean %+.5f, closed form %+.5f (se %.5f); var %.5f, closed "
               "form %.5f (se %.5f)\n", hz[k], mean, want_mean, se_mean, var, want_var, se_var);
        CHECK_MSG(fabs(mean - want_mean) < 4 * se_mean, "shocks: mean at %d days", hz[k]);
        CHECK_MSG(fabs(var - want_var) < 4 * se_var, "shocks: variance at %d days", hz[k]);
    }
    CHECK(worst_exp < 1e-12);
    hp_fleet_free(&f);
    /* A shock's size without a rate is a mistake, said so. */
    const char *bad[] = {ONE_COHORT, "network.fleet.jump_mean=-0.7"};
    hp_config *cfg = tu_config(bad, sizeof bad / sizeof bad[0]);
    hp_fleet g;
    hp_err err = {0};
    CHECK(hp_fleet_init(&g, cfg, 365, &err) != 0);
    CHECK(strstr(err.msg, "network.fleet.jump_mean") != NULL);
    printf("jump_mean without a rate: %s\n", err.msg);
    hp_config_free(cfg);
}

/* Every choice of network.hashrate_model has a backend; others do not. */
static void test_registry(void)
{
    const char *choices = NULL;
    for (const hp_param *p = hp_network_params; p->key != NULL; p++)
        if (strcmp(p->key, "network.hashrate_model") == 0)
            choices = p->choices;
    CHECK(choices != NULL);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", choices);
    int n = 0;
    for (char *t = strtok(buf, "|"); t != NULL; t = strtok(NULL, "|"), n++) {
        hp_hash_kind k;
        CHECK_MSG(hp_hash_kind_of(t, &k) == 0, "%s has no backend", t);
    }
    CHECK(n == 4);
    hp_hash_kind k;
    CHECK(hp_hash_kind_of("fleets", &k) != 0);
}

/* hp_fleet_mw_online (its quantile search carried from cohort to cohort)
 * against the cohort-by-cohort sum of hp_fleet_share it replaces, bit for
 * bit: cohorts of random efficiency in random order (the search restarts
 * when a price falls below its segment), random cuts, hashprices below,
 * inside and above every cohort's range. */
static void test_mw_online_exact(void)
{
    const char *sets[] = {"network.hashrate_model=\"fleet\"",
                          "network.fleet.power_quantiles_usd_mwh=[20.0, 30.0, 45.0, 60.0, 90.0]"};
    hp_fleet f = fleet_of(sets, sizeof sets / sizeof sets[0]);
    void *mem = calloc(1, hp_fleet_state_bytes(&f));
    hp_fleet_state *s = hp_fleet_start(&f, mem, 500e18, 48.0, 600e18, 900000, 100e12, 0.02);
    CHECK(s != NULL);
    hp_pcg64 r;
    hp_rng_stream(&r, 11, 0, 0);
    int bad = 0, tried = 0;
    for (int rep = 0; rep < 200; rep++) {
        s->n_coh = 1 + (int)(hp_uniform(&r) * (f.max_cohorts - 1));
        s->first = (int)(hp_uniform(&r) * s->n_coh);
        for (int k = 0; k < s->n_coh; k++) {
            s->coh[k].e = rep % 2 ? 150.0 - k * 0.7 : 5 + 150 * hp_uniform(&r);
            s->coh[k].th_full = 1e6 * hp_uniform(&r);
            s->coh[k].f_cut = hp_uniform(&r) < 0.3 ? hp_uniform(&r) : 1.0;
        }
        for (double hp = 0.05; hp < 500; hp *= 1.3) {
            double w = 0;
            for (int k = s->first; k < s->n_coh; k++) {
                const hp_fleet_cohort *c = &s->coh[k];
                double run = hp_fleet_share(&f, c->e, hp);
                w += c->th_full * c->e * (run < c->f_cut ? run : c->f_cut);
            }
            double got = hp_fleet_mw_online(&f, s, hp);
            bad += memcmp(&got, &(double){w * 1e-6}, sizeof got) != 0;
            tried++;
        }
    }
    printf("MW online, carried search against hp_fleet_share: %d of %d differ\n", bad, tried);
    CHECK(bad == 0);
    free(mem);
    hp_fleet_free(&f);
}

int main(void)
{
    test_uniform_share();
    test_mw_online_exact();
    test_margin();
    test_shock();
    test_anticipation();
    test_retarget_rebase();
    test_fast_log();
    test_fast_exp();
    test_fast_exp_rounding();
    test_noise_variance();
    test_supply_shocks();
    test_registry();
    return CHECK_DONE();
}
