/* test_firm: the firm's fleet on its cost curve (docs/firm.md "Fleet").
 *
 *   - spread sites: each bin pays the mean price of its lognormal quantile
 *     band, so the fleet's mean is p_med e^(s^2/2) (closed form, 1e-12);
 *   - the threshold search: sites on = those with price <= theta, from any
 *     starting guess;
 *   - partial curtailment in the deterministic limit: BTC falls at 50% a
 *     year, each site switches off on its own day; revenue, energy, opex,
 *     MW online and curtailed fleet-days against sums computed here (1e-9);
 *   - exit: sites below cash cost for exit_months months retire on the day
 *     the closed form gives; opex, energy, mw_mining, mw_retired and the
 *     terminal value (retired MW at salvage) against sums computed here;
 *   - conversion order: dearest first, cheapest first, as listed, a named
 *     site first: the energy of the MW left (closed form);
 *   - the firm's online hashrate in the network (in_network): year-end
 *     network hashrate = others + online MW x H/s per MW;
 *   - the power factor X (ou): energy = 24 uptime x C x days x mean power
 *     price on every path, and E[X] against its closed form (4 SE);
 *   - config errors name file, line and key. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "miner.h"
#include "network.h"
#include "scenario.h"
#include "testutil.h"

#define DT (1.0 / 365.25)
#define TOL 1e-9

/* A model built from overrides (testutil), its paths at seed 99. */
typedef tu_sim sim;
#define sim_open tu_sim_open
#define sim_close tu_sim_close
#define var tu_sim_var
static void sim_path(sim *s, uint64_t path) { tu_sim_path(s, 99, path); }

/* Steady-state hashrate of Core's retarget at difficulty D. */
static double steady_hs(double D) { return D * HP_TWO32 * 2015.0 / (600.0 * 2016.0); }

/* 3 years from 2026-01-01 (365, 365, 366 days), subsidy 1.5625 BTC, fees
 * 0.1 BTC a block, nothing random, the fleet a price taker. */
#define DET_SETS \
    "time.start_date=\"2026-01-01\"", "time.horizon_years=3.0", \
    "price.model=gbm", "price.sigma=0.0", "network.height0=1060000", "network.difficulty0=1e14", \
    "network.sigma=0.0", "network.growth=0.0", \
    "fees.btc_per_block0=0.1", "fees.mean_btc_per_block=0.1", "fees.sigma=0.0", \
    "miner.in_network=false", "miner.refresh_rule=fixed_gain", "miner.asic_life_years=0.0", "miner.efficiency_gain=0.0", "ai_market.sigma=0.0", \
    "correlation.price_hashrate=0.0", "miner.efficiency_j_th=20.0", "miner.uptime=0.9", \
    "miner.pool_fee=0.02", "miner.opex_usd_mw_year=50000.0", "miner.variable_usd_mwh=5.0"

#define SITES3 "miner.sites=({ name = \"b\"; mw = 200.0; power_usd_mwh = 45.0; }, " \
                             "{ name = \"c\"; mw = 300.0; power_usd_mwh = 80.0; }, " \
                             "{ name = \"a\"; mw = 100.0; power_usd_mwh = 30.0; })"

/* SITES3 in price order, and the deterministic world's constants: H/s per
 * MW, MWh a MW burns a day, blocks a day at the steady retarget. */
static const double SITE_MW[3] = {100, 200, 300}, SITE_P[3] = {30, 45, 80};
#define DET_HS_MW (1e18 * 0.9 / 20)
#define DET_BURN (0.9 * 24)
#define DET_B (144.0 * 2015 / 2016)

/* Revenue of a MW for a day per dollar of BTC price at difficulty D
 * (subsidy 1.5625 + fees 0.1, pool fee 2%). */
static double det_u(double D) { return 86400 / (D * HP_TWO32) * 1.6625 * 0.98 * DET_HS_MW; }

static const int YEAR_FIRST[3] = {0, 365, 730}, YEAR_LAST[3] = {364, 729, 1095};

static int year_of(int d) { return d < 365 ? 0 : d < 730 ? 1 : 2; }

static void test_spread(void)
{
    const char *sets[] = {"miner.capacity_mw=1000.0", "miner.power_usd_mwh=45.0",
                          "miner.power_spread=0.3", "miner.power_bins=20"};
    hp_config *cfg = tu_config(sets, 4);
    hp_miner m;
    hp_err err = {0};
    CHECK_MSG(hp_miner_init(&m, cfg, DT, &err) == 0, "%s", err.msg);
    CHECK(m.n_sites == 20);
    CHECK_REL(m.price_mean, 45.0 * exp(0.5 * 0.3 * 0.3), 1e-12);
    for (int k = 0; k < 20; k++)
        CHECK_REL(m.site_mw[k], 50.0, 1e-15);
    for (int k = 1; k < 20; k++)
        CHECK(m.site_price[k] > m.site_price[k - 1]);
    /* The middle bins straddle the median: 45 lies between bins 9 and 10. */
    CHECK(m.site_price[9] < 45.0 && m.site_price[10] > 45.0);
    /* Threshold search from any guess. */
    for (int guess = 0; guess <= 20; guess++) {
        CHECK(hp_miner_sites_on(&m, m.site_price[7], guess) == 8);
        CHECK(hp_miner_sites_on(&m, m.site_price[7] - 1e-9, guess) == 7);
        CHECK(hp_miner_sites_on(&m, 0.0, guess) == 0);
        CHECK(hp_miner_sites_on(&m, 1e9, guess) == 20);
        CHECK(hp_miner_sites_on(&m, NAN, guess) == 0);
    }
    /* The network's view: online hashrate of a curve at a revenue. */
    double cum_mw[21], cum_mwp[21];
    hp_miner_curve(&m, 1000.0, cum_mw, cum_mwp);
    CHECK_REL(cum_mw[20], 1000.0, 1e-15);
    CHECK_REL(cum_mwp[20], 1000.0 * m.price_mean, 1e-12);
    double hs_mw = 1e17, burn = 24 * m.uptime;
    int k = 20;
    /* Revenue exactly covering bin 4's price: bins 0..4 mine. */
    double usd_hs = burn * m.site_price[4] / hs_mw;
    double on = hp_miner_online_hs(&m, cum_mw, usd_hs * (1 + 1e-12), hs_mw, 1.0, &k);
    CHECK(k == 5);
    CHECK_REL(on, 250.0 * hs_mw, 1e-12);
    /* The same revenue with power twice as dear (X = 2) covers fewer bins. */
    on = hp_miner_online_hs(&m, cum_mw, usd_hs * (1 + 1e-12), hs_mw, 2.0, &k);
    CHECK(k == hp_miner_sites_on(&m, m.site_price[4] / 2 * (1 + 1e-12), 0));
    hp_miner_free(&m);
    hp_config_free(cfg);
}

/* Partial curtailment, deterministic: S falls at 50% a year from $160k.
 * Site i mines on day d iff u S_d >= 24 uptime (p_i + v), u = revenue of a
 * MW per dollar of BTC price. */
static void test_partial_curtailment(void)
{
    char hs[64];
    const double D = 1e14, H = steady_hs(D);
    snprintf(hs, sizeof hs, "network.hashrate0_ehs=%.17e", H * 1e-18);
    const char *sets[] = {
        DET_SETS, hs, "price.s0_usd=160000.0", "price.mu=-0.5", "miner.capacity_mw=600.0",
        SITES3, "miner.curtail=true", "allocation.fractions=[0.0]", "miner.exit_months=0",
    };
    sim s;
    sim_open(&s, sets, sizeof sets / sizeof sets[0]);
    sim_path(&s, 0);
    const double *mw = SITE_MW, *p = SITE_P, hs_mw = DET_HS_MW, burn = DET_BURN, b = DET_B;
    const double u = det_u(D);
    double rev[3] = {0}, energy[3] = {0}, opex[3] = {0}, online[3] = {0}, curt[3] = {0};
    int off_day[3] = {-1, -1, -1};
    for (int d = 0; d < 1096; d++) {
        double S = 160000 * exp(-0.5 * d * DT);
        int y = year_of(d);
        double on = 0;
        for (int i = 0; i < 3; i++) {
            if (u * S >= burn * (p[i] + 5)) {
                on += mw[i];
                rev[y] += mw[i] * hs_mw / H * b * 1.6625 * 0.98 * S;
                energy[y] += burn * mw[i] * p[i];
            } else if (off_day[i] < 0) {
                off_day[i] = d;
            }
        }
        online[y] += on;
        opex[y] += 600 * 50000 / 365.25 + on * burn * 5;
        curt[y] += (600 - on) / 600;
    }
    /* The three sites switch off on three different days of the run. */
    CHECK(off_day[2] > 0 && off_day[2] < off_day[1] && off_day[1] < off_day[0] && off_day[0] < 1096);
    const double *r = var(&s, "cashflow/mining_revenue"), *e = var(&s, "cashflow/mining_energy_cost");
    const double *o = var(&s, "cashflow/mining_opex"), *mo = var(&s, "cashflow/mw_online");
    const double *c = var(&s, "cashflow/days_curtailed");
    for (int y = 0; y < 3; y++) {
        double days = YEAR_LAST[y] - YEAR_FIRST[y] + 1;
        CHECK_REL(r[y], rev[y], TOL);
        CHECK_NEAR(e[y], energy[y], TOL * energy[y] + 1e-6);
        CHECK_REL(o[y], opex[y], TOL);
        CHECK_NEAR(mo[y], online[y] / days, TOL * 600);
        CHECK_NEAR(c[y], curt[y], TOL * 366);
    }
    sim_close(&s);
}

/* Exit (miner.exit_months = M), deterministic: S falls at 50% a year from
 * $250k, so
 * a MW's revenue R_d = u S_d falls and the month's threshold, theta_j =
 * mean over month j's 30 days of R / (24 uptime) - v (X = 1), falls with
 * it. Site i is below cash cost in month j when p_i > theta_j; the first
 * such month j_i starts a run that never ends, so the site retires at the
 * review closing month j_i + M - 1 (day 30 (j_i + M) - 1) and is gone from
 * the next day: no energy, opex or refresh, counted in mw_retired. The
 * month means come from the closed form of a geometric series, not from
 * day sums. At the horizon the retired sites are worth the salvage per MW,
 * added to the value of the sites that still mine (a multiple of their
 * last 365 days' NOI). */
static void test_exit(void)
{
    char hs[64];
    const double D = 1e14, H = steady_hs(D);
    const int M = 3;
    snprintf(hs, sizeof hs, "network.hashrate0_ehs=%.17e", H * 1e-18);
    const char *sets[] = {
        DET_SETS, hs, "price.s0_usd=250000.0", "price.mu=-0.5", "miner.capacity_mw=600.0",
        SITES3, "miner.curtail=true", "allocation.fractions=[0.0]", "miner.exit_months=3",
        "valuation.terminal=true", "valuation.mining_noi_multiple=4.0",
        "valuation.mining_salvage_usd_per_mw=175000.0",
    };
    sim s;
    sim_open(&s, sets, sizeof sets / sizeof sets[0]);
    sim_path(&s, 0);
    const double *mw = SITE_MW, *p = SITE_P, hs_mw = DET_HS_MW, burn = DET_BURN, b = DET_B;
    const double u = det_u(D);
    /* Month j's mean of S: S0 q^(30 j) (1 - q^30) / (30 (1 - q)), q = e^(-0.5 dt). */
    const double q = exp(-0.5 * DT);
    int gone[3];                                  /* first day without the site */
    for (int i = 0; i < 3; i++) {
        int j = 0;
        while (u * 250000 * pow(q, 30.0 * j) * (1 - pow(q, 30)) / (30 * (1 - q)) / burn - 5 >= p[i])
            j++;
        gone[i] = 30 * (j + M);
    }
    /* Sites c and b retire within the run, on different days; a does not. */
    CHECK_MSG(gone[2] > 30 && gone[2] < gone[1] && gone[1] < 1096 && gone[0] >= 1096,
              "retire days %d %d %d", gone[0], gone[1], gone[2]);
    double opex[3] = {0}, mining[3] = {0}, retired[3] = {0}, energy[3] = {0}, noi_tv = 0;
    for (int d = 0; d < 1096; d++) {
        double S = 250000 * exp(-0.5 * d * DT);
        int y = year_of(d);
        double on = 0, held = 0, rev = 0, en = 0;
        for (int i = 0; i < 3; i++) {
            if (d >= gone[i])
                continue;
            held += mw[i];
            if (u * S >= burn * (p[i] + 5)) {
                on += mw[i];
                rev += mw[i] * hs_mw / H * b * 1.6625 * 0.98 * S;
                en += burn * mw[i] * p[i];
            }
        }
        double ox = held * 50000 / 365.25 + on * burn * 5;
        opex[y] += ox;
        energy[y] += en;
        mining[y] += held;
        retired[y] += 600 - held;
        if (d >= 1096 - 365)
            noi_tv += rev - en - ox;
    }
    const double *o = var(&s, "cashflow/mining_opex"), *mm = var(&s, "cashflow/mw_mining");
    const double *mr = var(&s, "cashflow/mw_retired"), *e = var(&s, "cashflow/mining_energy_cost");
    for (int y = 0; y < 3; y++) {
        double days = YEAR_LAST[y] - YEAR_FIRST[y] + 1;
        CHECK_REL(o[y], opex[y], TOL);
        CHECK_NEAR(e[y], energy[y], TOL * energy[y] + 1e-6);
        CHECK_NEAR(mm[y], mining[y] / days, TOL * 600);
        CHECK_NEAR(mr[y], retired[y] / days, TOL * 600);
    }
    /* Retirement is for good: the last year ends with only site a. */
    CHECK_NEAR(mr[2] * 366, retired[2], 1e-6);
    double tv = 4.0 * noi_tv * 365.25 / 365;
    if (tv < 175000.0 * 100)
        tv = 175000.0 * 100;
    CHECK_REL(var(&s, "valuation/terminal_value_mining")[0], tv + 175000.0 * 500, TOL);
    sim_close(&s);

    /* M = 0: the same world never retires a site. */
    sets[sizeof sets / sizeof sets[0] - 4] = "miner.exit_months=0";
    sim_open(&s, sets, sizeof sets / sizeof sets[0]);
    sim_path(&s, 0);
    for (int y = 0; y < 3; y++)
        CHECK(var(&s, "cashflow/mw_retired")[y] == 0 && var(&s, "cashflow/mw_mining")[y] == 600);
    sim_close(&s);
}

/* Conversion order: 300 of 600 MW leave mining on day 0; no curtailment,
 * so the energy of a day is 24 uptime x sum of MW x price of what is left. */
static void test_convert_order(void)
{
    static const struct { const char *order, *site; double left_mwp; } cases[] = {
        {"dearest", "", 100 * 30 + 200 * 45},         /* c (80) goes */
        {"cheapest", "", 300 * 80},                   /* a (30) and b (45) go */
        {"listed", "", 100 * 30 + 200 * 80},          /* b, then 100 of c */
        {"dearest", "a", 200 * 45 + 100 * 80},        /* a, then 200 of c */
    };
    char hs[64];
    snprintf(hs, sizeof hs, "network.hashrate0_ehs=%.17e", steady_hs(1e14) * 1e-18);
    for (size_t t = 0; t < sizeof cases / sizeof *cases; t++) {
        char order[64], site[64];
        snprintf(order, sizeof order, "miner.convert_order=%s", cases[t].order);
        snprintf(site, sizeof site, "miner.convert_site=\"%s\"", cases[t].site);
        const char *sets[] = {
            DET_SETS, hs, "price.s0_usd=100000.0", "price.mu=0.0", "miner.capacity_mw=600.0",
            SITES3, order, site, "miner.curtail=false", "allocation.fractions=[0.0, 0.5]",
            "allocation.ramp_start=\"2026-01-01\"", "allocation.ramp_end=\"2026-01-01\"",
            "allocation.tranche_mw=300.0", "hpc.build_months=0.0",
        };
        sim s;
        sim_open(&s, sets, sizeof sets / sizeof sets[0]);
        sim_path(&s, 0);
        const double *e = var(&s, "cashflow/mining_energy_cost");
        const double *mm = var(&s, "cashflow/mw_mining");
        for (int y = 0; y < 3; y++) {
            double days = YEAR_LAST[y] - YEAR_FIRST[y] + 1;
            CHECK_REL(e[0 * 3 + y], 0.9 * 24 * (100 * 30 + 200 * 45 + 300 * 80) * days, TOL);
            CHECK_MSG(fabs(e[1 * 3 + y] - 0.9 * 24 * cases[t].left_mwp * days) <=
                      TOL * e[1 * 3 + y], "%s/%s year %d: %.10g vs %.10g", cases[t].order,
                      cases[t].site, y, e[3 + y], 0.9 * 24 * cases[t].left_mwp * days);
            CHECK_REL(mm[3 + y], 300.0, TOL);
        }
        sim_close(&s);
    }
}

/* In the network: the others' hashrate is constant (trend 0, sigma 0) and
 * the firm adds its online MW; at a price where only site a (30 USD/MWh)
 * mines, the year-end hashrate is others + 100 MW x H/s per MW. */
static void test_in_network(void)
{
    const double D = 1e14, H = steady_hs(D), hs_mw = 1e18 * 0.9 / 20;
    const double u = 86400 / (D * HP_TWO32) * 1.6625 * 0.98 * hs_mw;
    /* S between the break-evens of site a (35 with v) and b (50). */
    const double S = 0.9 * 24 * 42 / u;
    char hs[64], s0[64];
    snprintf(hs, sizeof hs, "network.hashrate0_ehs=%.17e", H * 1e-18);
    snprintf(s0, sizeof s0, "price.s0_usd=%.17g", S);
    const char *sets[] = {
        DET_SETS, hs, s0, "price.mu=0.0", "miner.capacity_mw=600.0", SITES3,
        "miner.curtail=true", "miner.in_network=true", "allocation.fractions=[0.0]",
        "network.hashrate_model=trend",
    };
    sim s;
    sim_open(&s, sets, sizeof sets / sizeof sets[0]);
    sim_path(&s, 0);
    const double *he = var(&s, "network/hashrate_end"), *mo = var(&s, "cashflow/mw_online");
    double others = H - 600 * hs_mw;      /* the fleet is in hashrate0 at full power */
    /* Difficulty moves once the network shrinks, so only the first days are
     * at the start difficulty; the site count is what the test pins. */
    CHECK_REL(he[0], (others + 100 * hs_mw) * 1e-18, 1e-12);
    CHECK(mo[0] >= 100 - 1e-9);
    sim_close(&s);
}

/* Power factor X (ou) with sites and no curtailment: energy = 24 uptime x
 * sum_d X_d x sum_i MW_i p_i = 24 uptime x C x days x power_price_mean,
 * path by path; E[X_t] = exp(v (1 - e^(-2 kappa t)) / 2), v = sigma^2 /
 * (2 kappa), checked on the last year's mean to 4 SE. */
static void test_power_factor(void)
{
    char hs[64];
    snprintf(hs, sizeof hs, "network.hashrate0_ehs=%.17e", steady_hs(1e14) * 1e-18);
    const char *sets[] = {
        DET_SETS, hs, "price.s0_usd=100000.0", "price.mu=0.0", "miner.capacity_mw=600.0",
        SITES3, "miner.curtail=false", "allocation.fractions=[0.0]",
        "miner.power_model=ou", "miner.power_kappa=2.0", "miner.power_sigma=0.4",
    };
    sim s;
    sim_open(&s, sets, sizeof sets / sizeof sets[0]);
    const int N = 2000;
    const double pbar = (100 * 30 + 200 * 45 + 300 * 80) / 600.0;
    double sum = 0, sum2 = 0;
    for (int p = 0; p < N; p++) {
        sim_path(&s, (uint64_t)p);
        const double *pm = var(&s, "market/power_price_mean");
        const double *e = var(&s, "cashflow/mining_energy_cost");
        CHECK_REL(e[2], 0.9 * 24 * 600 * 366 * pm[2], 1e-12);
        sum += pm[2] / pbar;
        sum2 += (pm[2] / pbar) * (pm[2] / pbar);
    }
    double want = 0, v = 0.4 * 0.4 / 4;
    for (int d = 730; d <= 1095; d++)
        want += exp(v * (1 - exp(-4 * d * DT)) / 2) / 366;
    double m = sum / N, se = sqrt((sum2 / N - m * m) / (N - 1));
    CHECK_NEAR(m, want, 4 * se);
    sim_close(&s);
}

/* Fleet refresh at the ASIC market price: BTC rises at 30% a year, so
 * hashprice h_d = K S_d moves; the smoothed hashprice is the 90-day
 * exponential mean m_d = m_(d-1) + 2/91 (h_d - m_(d-1)), m_0 = h_0, the
 * ASIC price k(m_d) is quoted on days d = 0, 7, 14, ... and held between,
 * and the refresh of day d is online MW x (TH/MW(d+1) - TH/MW(d) + TH/MW(d - L)
 * dt/L) x k(m_d), k(h) = max(floor, k_ref (h / h_ref)^e). */
static void test_refresh_market(void)
{
    char hs[64];
    const double D = 1e14, H = steady_hs(D);
    snprintf(hs, sizeof hs, "network.hashrate0_ehs=%.17e", H * 1e-18);
    const char *sets[] = {
        DET_SETS, hs, "price.s0_usd=80000.0", "price.mu=0.3", "miner.capacity_mw=600.0", SITES3,
        "miner.curtail=false", "allocation.fractions=[0.0]", "miner.refresh_rule=fixed_gain", "miner.asic_life_years=0.0", "miner.efficiency_gain=0.1",
        "miner.refresh_price=market", "miner.asic_life_years=4.0", "asic.ref_hashprice=100.0",
        "asic.ref_usd_per_th=28.0", "asic.elasticity=1.11", "asic.floor_usd_per_th=5.0",
        "valuation.terminal=true", "valuation.mining_noi_multiple=4.0",
        "valuation.mining_salvage_usd_per_mw=175000.0",
    };
    sim s;
    sim_open(&s, sets, sizeof sets / sizeof sets[0]);
    sim_path(&s, 0);
    const double b = 144.0 * 2015 / 2016, hs_mw = 1e18 * 0.9 / 20 / 1.0, burn = 0.9 * 24;
    double want[3] = {0}, m = 0, noi = 0, k = 0;
    for (int d = 0; d < 1096; d++) {
        double S = 80000 * exp(0.3 * d * DT);
        double h = b * 1.6625 * S / (H * 1e-15);
        m = d == 0 ? h : m + 2.0 / 91.0 * (h - m);
        if (d % 7 == 0) {              /* re-quoted weekly */
            k = 28.0 * pow(m / 100.0, 1.11);
            if (k < 5.0)
                k = 5.0;
        }
        double th0 = 1e6 / (20 * pow(0.9, d * DT)), th1 = 1e6 / (20 * pow(0.9, (d + 1) * DT));
        double th_old = 1e6 / (20 * pow(0.9, d * DT - 4));     /* bought 4 years before */
        double refresh = 600 * (th1 - th0 + th_old * DT / 4) * k;
        want[year_of(d)] += refresh;
        if (d >= 1096 - 365) {        /* the terminal value's window */
            double hs_d = hs_mw / pow(0.9, d * DT);
            double rev = 600 * hs_d / H * b * 1.6625 * 0.98 * S;
            noi += rev - burn * (100 * 30 + 200 * 45 + 300 * 80) - 600 * 50000 / 365.25 -
                   600 * burn * 5 - refresh;
        }
    }
    const double *r = var(&s, "cashflow/capex_refresh");
    for (int y = 0; y < 3; y++)
        CHECK_REL(r[y], want[y], TOL);
    /* Hashprice grows, so later years pay more per TH/s than the floor. */
    CHECK(r[2] > r[0]);
    /* A going concern: the mining line is worth 4 x its yearly NOI after
     * refresh (valuation.mining_noi_multiple), more than its salvage. */
    noi *= 365.25 / 365;
    CHECK(4 * noi > 175000.0 * 600);
    CHECK_REL(var(&s, "valuation/terminal_value_mining")[0], 4 * noi, TOL);
    CHECK_NEAR(var(&s, "valuation/terminal_value_hpc")[0], 0, 0);
    sim_close(&s);
}

/* Signed contracts, deterministic: a 1,000 MW firm with a running lease
 * (200 MW at $1.6M/MW-yr from 2024-07-01 for 12 years, 3% escalator) and
 * one starting mid-2026 (100 MW at $1.8M for one year, $9M/MW of capex
 * still to pay). Allocation 0.25 converts 0.25 x (1,000 - 300) = 175 MW
 * more on day 0, leased at the market rate. Rents step on anniversaries
 * round(365.25 j) days after each lease's start. */
static void test_contracts(void)
{
    char hs[64];
    snprintf(hs, sizeof hs, "network.hashrate0_ehs=%.17e", steady_hs(1e14) * 1e-18);
    const char *sets[] = {
        DET_SETS, hs, "price.s0_usd=100000.0", "price.mu=0.0", "miner.capacity_mw=1000.0",
        "miner.power_spread=0.0", "miner.power_usd_mwh=40.0", "miner.curtail=false",
        "allocation.fractions=[0.0, 0.25]", "allocation.ramp_start=\"2026-01-01\"",
        "allocation.ramp_end=\"2026-01-01\"", "allocation.tranche_mw=175.0",
        "hpc.build_months=0.0", "hpc.search_months=0.0", "hpc.term_years=5.0", "hpc.escalator=0.02",
        "hpc.noi_margin=0.9", "ai_market.lease0_usd_per_mw_year=1.5e6", "ai_market.trend_growth=0.0",
        "hpc.capex_usd_per_mw=8e6",
        "hpc.contracts=({ name = \"CoreWeave\"; mw = 200.0; rate_usd_per_mw_year = 1.6e6; "
        "start = \"2024-07-01\"; term_years = 12.0; escalator = 0.03; }, "
        "{ name = \"later\"; mw = 100.0; rate_usd_per_mw_year = 1.8e6; start = \"2026-07-01\"; "
        "term_years = 1.0; capex_usd_per_mw = 9e6; })",
    };
    sim s;
    sim_open(&s, sets, sizeof sets / sizeof sets[0]);
    sim_path(&s, 0);
    /* The running lease: start day -549; anniversaries at -549 + round(365.25 j). */
    const int s1 = -549, s2 = 181, e2 = 181 + 365;
    for (int a = 0; a < 2; a++) {
        double rev[3] = {0}, capex[3] = {0}, leased[3] = {0};
        for (int d = 0; d < 1096; d++) {
            int y = year_of(d), j = 0;
            while (s1 + lround((j + 1) * 365.25) <= d)
                j++;
            double r = 200 * 1.6e6 * pow(1.03, j);
            double mw = 200;
            if (d < s2) {
                capex[y] += 100 * 9e6 / s2;
            } else if (d < e2) {
                r += 100 * 1.8e6;              /* one year: no anniversary */
                mw += 100;
            } else {
                int k = 0;                     /* then the market, from e2 */
                while (e2 + lround((k + 1) * 365.25) <= d)
                    k++;
                r += 100 * 1.5e6 * pow(1.02, k);
                mw += 100;
            }
            if (a == 1) {
                if (d == 0)
                    capex[0] += 175 * 8e6;     /* a build of 0 days pays on day 0 */
                int k = 0;                     /* the conversion, leased on day 0 */
                while (lround((k + 1) * 365.25) <= d)
                    k++;
                r += 175 * 1.5e6 * pow(1.02, k);
                mw += 175;
            }
            rev[y] += r / 365.25;
            leased[y] += mw;
        }
        const double *hr = var(&s, "cashflow/hpc_revenue"), *cb = var(&s, "cashflow/capex_build");
        const double *ml = var(&s, "cashflow/mw_leased"), *mm = var(&s, "cashflow/mw_mining");
        const double *e = var(&s, "cashflow/mining_energy_cost");
        for (int y = 0; y < 3; y++) {
            double days = YEAR_LAST[y] - YEAR_FIRST[y] + 1, left = a ? 525 : 700;
            CHECK_REL(hr[a * 3 + y], rev[y], TOL);
            CHECK_NEAR(cb[a * 3 + y], capex[y], TOL * 9e8);
            CHECK_REL(ml[a * 3 + y], leased[y] / days, TOL);
            CHECK_REL(mm[a * 3 + y], left, TOL);
            CHECK_REL(e[a * 3 + y], left * 0.9 * 24 * 40 * days, TOL);
        }
    }
    sim_close(&s);
}

/* A contract's tenant defaults with its own hazard: with lambda = 0.5 a
 * year from the run's start, the default falls on the first day d with
 * d dt >= E / lambda, E ~ Exp(1): within year 0 with probability
 * 1 - exp(-364 lambda dt); then the MW are re-let at the market, whose
 * tenants (hpc.default_hazard = 0) never default. */
static void test_contract_default(void)
{
    char hs[64];
    snprintf(hs, sizeof hs, "network.hashrate0_ehs=%.17e", steady_hs(1e14) * 1e-18);
    const char *sets[] = {
        DET_SETS, hs, "price.s0_usd=100000.0", "price.mu=0.0", "miner.capacity_mw=300.0",
        "miner.power_spread=0.0", "allocation.fractions=[0.0]", "hpc.default_hazard=0.0",
        "hpc.contracts=({ mw = 200.0; rate_usd_per_mw_year = 1.6e6; start = \"2025-01-01\"; "
        "term_years = 12.0; default_hazard = 0.5; })",
    };
    sim s;
    sim_open(&s, sets, sizeof sets / sizeof sets[0]);
    const int N = 4000;
    double n0 = 0, later = 0;
    for (int p = 0; p < N; p++) {
        sim_path(&s, (uint64_t)p);
        const double *df = var(&s, "cashflow/tenant_defaults");
        n0 += df[0];
        later += df[1] + df[2];
        CHECK(df[0] + df[1] + df[2] <= 1);
    }
    double want0 = 1 - exp(-364 * 0.5 * DT);
    double want_later = exp(-364 * 0.5 * DT) - exp(-1095 * 0.5 * DT);
    CHECK_NEAR(n0 / N, want0, 4 * sqrt(want0 * (1 - want0) / N));
    CHECK_NEAR(later / N, want_later, 4 * sqrt(want_later * (1 - want_later) / N));
    sim_close(&s);
}

static void expect_create_fail(const char *const *sets, size_t n, const char *frag)
{
    hp_config *cfg = tu_config(sets, n);
    hp_err err = {0};
    void *m = hp_scenario_model.create(cfg, &err);
    CHECK(m == NULL);
    CHECK_MSG(strstr(err.msg, frag) != NULL, "'%s' not in '%s'", frag, err.msg);
    if (m != NULL)
        hp_scenario_model.destroy(m);
    hp_config_free(cfg);
}

static void test_errors(void)
{
    const char *sum[] = {"miner.capacity_mw=500.0", SITES3};
    expect_create_fail(sum, 2, "miner.sites: the sites add up to 600 MW but miner.capacity_mw is "
                               "500 MW: set capacity_mw = 600");
    const char *name[] = {"miner.capacity_mw=600.0", SITES3, "miner.convert_site=\"d\""};
    expect_create_fail(name, 3, "miner.convert_site: no site named 'd' in miner.sites");
    const char *dup[] = {"miner.capacity_mw=300.0",
                         "miner.sites=({ name = \"x\"; mw = 100.0; power_usd_mwh = 40.0; }, "
                         "{ name = \"x\"; mw = 200.0; power_usd_mwh = 50.0; })"};
    expect_create_fail(dup, 2, "miner.sites[2].name: site name 'x' is used twice");
    const char *big[] = {"miner.capacity_mw=300.0", "miner.power_spread=0.0",
                         "hpc.contracts=({ mw = 200.0; rate_usd_per_mw_year = 1e6; "
                         "start = \"2025-01-01\"; term_years = 5.0; }, { mw = 150.0; "
                         "rate_usd_per_mw_year = 1e6; start = \"2025-01-01\"; term_years = 5.0; })"};
    expect_create_fail(big, 3, "hpc.contracts: contracts lease 350 MW, more than miner.capacity_mw (300 MW)");
    const char *old[] = {"hpc.contracts=({ mw = 20.0; rate_usd_per_mw_year = 1e6; "
                         "start = \"2015-01-01\"; term_years = 10.0; })"};
    expect_create_fail(old, 1, "hpc.contracts[1].term_years: the lease ends before time.start_date");
}

int main(void)
{
    test_spread();
    test_partial_curtailment();
    test_exit();
    test_convert_order();
    test_in_network();
    test_power_factor();
    test_refresh_market();
    test_contracts();
    test_contract_default();
    test_errors();
    return CHECK_DONE();
}
