/* Network, miner and HPC variants: closed forms in the
 * deterministic limit, and distributional checks with fixed seeds whose
 * tolerances are 4 standard errors (false-failure rate about 6e-5 each).
 *
 *   - hash cost units, curtailment rule (unit and through the engine);
 *   - equilibrium hashrate: fixed point, exponential approach, growth cap;
 *   - block luck: Poisson mean and variance, exact retarget inside a day,
 *     subsidy split at a halving;
 *   - GPU cloud revenue, GPU capex at delivery and each life's end, NPV of
 *     the HPC business with its terminal value;
 *   - tenant default and tenant search times exponential;
 *   - lognormal build time and cancellation;
 *   - AI bust: long-run share of days, lease cut;
 *   - power price log-OU: mean and the energy-cost identity. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dist.h"
#include "hpc.h"
#include "miner.h"
#include "network.h"
#include "rng.h"
#include "scenario.h"
#include "testutil.h"

#define DT (1.0 / 365.25)

/* A model built from overrides (testutil), its paths at seed 1234. */
typedef tu_sim sim;
#define sim_open tu_sim_open
#define sim_close tu_sim_close
#define var tu_sim_var
static void sim_path(sim *s, uint64_t path) { tu_sim_path(s, 1234, path); }

/* Sum of q^d for d in [lo, hi]. */
static double geo(double q, int lo, int hi)
{
    if (hi < lo)
        return 0;
    return q == 1.0 ? hi - lo + 1 : (pow(q, lo) - pow(q, hi + 1)) / (1 - q);
}

/* Steady-state hashrate of Core's retarget at difficulty D (one block per
 * 600 * 2016/2015 s), so difficulty never moves in deterministic runs. */
static double steady_hs(double D) { return D * HP_TWO32 * 2015.0 / (600.0 * 2016.0); }

/* Shared settings of the deterministic runs: 3 years from 2026-01-01, far
 * from a halving (subsidy 1.5625 BTC throughout), nothing random. */
#define DET_SETS \
    "time.start_date=\"2026-01-01\"", "time.horizon_years=3.0", \
    "price.model=gbm", "price.sigma=0.0", "network.height0=1060000", "network.difficulty0=1e14", \
    "network.sigma=0.0", "network.growth=0.0", \
    "fees.btc_per_block0=0.1", "fees.mean_btc_per_block=0.1", "fees.sigma=0.0", \
    "miner.in_network=false", "miner.refresh_rule=fixed_gain", "miner.asic_life_years=0.0", "miner.efficiency_gain=0.0", "ai_market.sigma=0.0", \
    "miner.curtail=false", "miner.power_spread=0.0", \
    "correlation.price_hashrate=0.0"

static void test_units(void)
{
    /* 25 J/TH at $45/MWh: 25 kW per PH/s, 0.6 MWh a day, $27; plus
     * $17,000 per PH/s over 4 x 365.25 days. Per H/s: 1e-15 of that. */
    double c = hp_hash_cost_usd_day(25, 45, 17, 4);
    CHECK_REL(c, (27.0 + 17000.0 / 1461.0) * 1e-15, 1e-13);
    hp_miner m = {0};
    m.uptime = 0.9;
    m.variable_usd_mwh = 5;
    /* A MW burns 0.9 x 24 = 21.6 MWh a day; at $45 + $5 that is $1,080. */
    CHECK(hp_miner_mines(&m, 1080.0 / 1e17, 1e17, 45.0) == 1);
    CHECK(hp_miner_mines(&m, 1079.0 / 1e17, 1e17, 45.0) == 0);
}

/* Curtailment: BTC falls at 50% a year, so mining turns unprofitable on a
 * known day; from then on the fleet earns and burns nothing. */
static void test_curtailment(void)
{
    char hs[64];
    const double D = 1e14, H = steady_hs(D);
    snprintf(hs, sizeof hs, "network.hashrate0_ehs=%.17e", H * 1e-18);
    const char *sets[] = {
        DET_SETS, hs, "price.s0_usd=160000.0", "price.mu=-0.5",
        "miner.capacity_mw=100.0", "miner.efficiency_j_th=20.0", "miner.uptime=0.9",
        "miner.pool_fee=0.02", "miner.power_usd_mwh=45.0", "miner.variable_usd_mwh=5.0",
        "miner.opex_usd_mw_year=50000.0", "miner.curtail=true",
        "allocation.fractions=[0.0]", "miner.exit_months=0",   /* exit: test_firm */
    };
    sim s;
    sim_open(&s, sets, sizeof sets / sizeof sets[0]);
    sim_path(&s, 0);
    /* Revenue of one H/s a day at the steady state, after pool fee, is
     * 86400 / (D 2^32) (1.5625 + 0.1) S 0.98; one MW gives 1e18 x 0.9 / 20 H/s. */
    const double hs_mw = 1e18 * 0.9 / 20;
    const double k = 86400 / (D * HP_TWO32) * 1.6625 * 0.98 * hs_mw;   /* x S */
    const double cost = 0.9 * 24 * 50;
    int first_off = -1;
    for (int d = 0; d < 1096 && first_off < 0; d++)
        if (k * 160000 * exp(-0.5 * d * DT) < cost)
            first_off = d;
    CHECK(first_off > 365 && first_off < 730);            /* inside year 2 */
    const double *off = var(&s, "cashflow/days_curtailed");
    CHECK_NEAR(off[0], 0, 0);
    CHECK_NEAR(off[1], 730 - first_off, 0);
    CHECK_NEAR(off[2], 366, 0);
    const double *rev = var(&s, "cashflow/mining_revenue");
    const double *energy = var(&s, "cashflow/mining_energy_cost");
    const double *opex = var(&s, "cashflow/mining_opex");
    double q = exp(-0.5 * DT);
    CHECK_REL(rev[1], 100 * k * 160000 * geo(q, 365, first_off - 1), 1e-9);
    CHECK_NEAR(rev[2], 0, 0);
    CHECK_REL(energy[1], 100 * 0.9 * 24 * 45 * (first_off - 365), 1e-12);
    CHECK_NEAR(energy[2], 0, 0);
    /* Fixed opex is paid every day, the variable cost only on days mined. */
    CHECK_REL(opex[1], 100 * (50000 / 365.25 * 365 + 0.9 * 24 * 5 * (first_off - 365)), 1e-12);
    CHECK_REL(opex[2], 100 * 50000 / 365.25 * 366, 1e-12);
    sim_close(&s);
}

/* Equilibrium: constant revenue and cost, so H* is constant and ln H
 * approaches it geometrically: gap_d = gap_0 (1 - frac)^d, frac =
 * 1 - exp(-kappa dt); the pull is capped at max_growth dt per day. */
static void test_equilibrium(void)
{
    const double S = 60000, sub = 1.5625, F = 0.1;
    const double c = hp_hash_cost_usd_day(20, 40, 15, 4);
    const double Hstar = 144 * (sub + F) * S / c;
    const double KU = 3.0, KD = 1.0;
    struct { double h0; double cap; } cases[] = {
        {Hstar, 5.0},                  /* fixed point                      */
        {Hstar * exp(-0.5), 20.0},     /* below: kappa_up, cap never binds */
        {Hstar * exp(0.4), 20.0},      /* above: kappa_down                */
        {Hstar * exp(-3.0), 0.5},      /* far below: the cap binds all year 1 */
    };
    for (int i = 0; i < 4; i++) {
        char h0[64], cap[64], d0[64];
        snprintf(h0, sizeof h0, "network.hashrate0_ehs=%.17e", cases[i].h0 * 1e-18);
        snprintf(cap, sizeof cap, "network.max_growth=%.17g", cases[i].cap);
        snprintf(d0, sizeof d0, "network.difficulty0=%.17e", cases[i].h0 * 600 / HP_TWO32);
        const char *sets[] = {
            DET_SETS, h0, cap, d0, "price.s0_usd=60000.0", "price.mu=0.0",
            "network.hashrate_model=\"equilibrium\"", "network.kappa_up=3.0",
            "network.kappa_down=1.0", "network.efficiency_j_th=20.0",
            "network.efficiency_gain=0.0", "network.power_usd_mwh=40.0",
            "network.asic_usd_per_th=15.0", "network.asic_life_years=4.0",
            "miner.capacity_mw=10.0", "allocation.fractions=[0.0]",
        };
        sim s;
        sim_open(&s, sets, sizeof sets / sizeof sets[0]);
        sim_path(&s, 0);
        const double *he = var(&s, "network/hashrate_end");
        const int last[3] = {364, 729, 1095};
        double g0 = log(Hstar / cases[i].h0);
        for (int y = 0; y < 3; y++) {
            double want;
            if (i == 3) {
                /* capped: ln H grows 0.5 dt a day; gap stays > cap/kappa */
                want = log(cases[i].h0) + last[y] * 0.5 * DT;
                if (y > 0)
                    break;
            } else {
                double frac = -expm1(-(g0 > 0 ? KU : KD) * DT);
                want = log(Hstar) - g0 * pow(1 - frac, last[y]);
            }
            CHECK_MSG(fabs(log(he[y] * 1e18) - want) < 1e-9, "case %d year %d: ln H %.12g want %.12g",
                      i, y, log(he[y] * 1e18), want);
        }
        sim_close(&s);
    }
}

/* Block luck at the chain level. */
static void test_block_luck(void)
{
    hp_pcg64 r;
    hp_rng_stream(&r, 99, 0, 0);
    const double D = 1e12, H = D * HP_TWO32 / 600;   /* 144 blocks a day */
    const int N = 10000;
    /* A day far from any event: Poisson(144). */
    double sum = 0, sum2 = 0;
    for (int i = 0; i < N; i++) {
        hp_chain c;
        hp_chain_day day;
        hp_chain_init(&c, 2016 * 100 + 1, D, H);
        hp_chain_advance_luck(&c, H, 86400, &r, &day);
        CHECK(day.blocks == floor(day.blocks) && c.height == 2016 * 100 + 1 + day.blocks);
        sum += day.blocks;
        sum2 += day.blocks * day.blocks;
    }
    double mean = sum / N, var_ = (sum2 - N * mean * mean) / (N - 1);
    /* SE of the mean sqrt(lambda/N); of the variance sqrt((lambda + 2 lambda^2)/N). */
    CHECK_NEAR(mean, 144, 4 * sqrt(144.0 / N));
    CHECK_NEAR(var_, 144, 4 * sqrt((144.0 + 2 * 144.0 * 144.0) / N));

    /* A fast epoch ends 72 blocks into the day: clamped to x4, then one
     * block per 240 s. E[blocks] = 72 + (86400 - 72 x 60) / 240 = 414;
     * Var = 342 (Poisson) + Var(T_72) / 240^2 = 342 + 72 x 60^2 / 240^2. */
    const double Hf = 10 * H;
    sum = sum2 = 0;
    for (int i = 0; i < N; i++) {
        hp_chain c;
        hp_chain_day day;
        hp_chain_init(&c, 2016 * 10 - 72, D, Hf);
        c.epoch_time_s = 1943 * 60.0;       /* the epoch so far ran at Hf */
        hp_chain_advance_luck(&c, Hf, 86400, &r, &day);
        CHECK(c.difficulty == 4 * D);
        sum += day.blocks;
        sum2 += day.blocks * day.blocks;
    }
    mean = sum / N;
    CHECK_NEAR(mean, 414, 4 * sqrt((342 + 4.5) / N));

    /* A halving inside the day: the subsidy splits at the exact height. */
    for (int i = 0; i < 100; i++) {
        hp_chain c;
        hp_chain_day day;
        hp_chain_init(&c, 1050000 - 50, 1e12, H);
        hp_chain_advance_luck(&c, H, 86400, &r, &day);
        double before = day.blocks < 50 ? day.blocks : 50;
        CHECK_NEAR(day.subsidy_btc, before * 3.125 + (day.blocks - before) * 1.5625, 1e-9);
        CHECK(day.halvings == (day.blocks >= 50));
    }
}

/* GPU cloud in the deterministic limit: revenue 50 MW x G0 e^(g d dt) x u,
 * GPUs bought at delivery and every 365 days, NPV of the HPC business with
 * a terminal value. */
static void test_gpu_cloud(void)
{
    const char *sets[] = {
        DET_SETS, "price.s0_usd=60000.0", "price.mu=0.0", "network.hashrate0_ehs=1000.0",
        "miner.capacity_mw=100.0", "allocation.fractions=[0.0, 0.5]",
        "allocation.ramp_start=\"2026-03-01\"", "allocation.ramp_end=\"2026-03-01\"",
        "allocation.tranche_mw=50.0", "hpc.mode=\"gpu_cloud\"", "hpc.build_months=6.0",
        "hpc.capex_usd_per_mw=7.5e6", "hpc.noi_margin=0.7",
        "gpu_cloud.revenue0_usd_per_mw_year=9e6", "gpu_cloud.drift=-0.1",
        "gpu_cloud.sigma=0.0", "gpu_cloud.utilization=0.8", "gpu_cloud.capex_usd_per_mw=30e6",
        "gpu_cloud.life_years=1.0", "valuation.discount_rate=0.1",
        "valuation.hpc_noi_multiple=8.0", "valuation.hpc_salvage_usd_per_mw=3e5",
    };
    sim s;
    sim_open(&s, sets, sizeof sets / sizeof sets[0]);
    sim_path(&s, 3);
    const int first[3] = {0, 365, 730}, last[3] = {364, 729, 1095};
    const int start = 59, deliver = 59 + 183;
    const double q = exp(-0.1 * DT), r0 = 50 * 9e6 * 0.8 / 365.25;
    const double v = pow(1.1, -1.0 / 365.25);
    const double *rev = var(&s, "cashflow/hpc_revenue"), *opex = var(&s, "cashflow/hpc_opex");
    const double *gpu = var(&s, "cashflow/capex_gpu"), *build = var(&s, "cashflow/capex_build");
    const double *mw = var(&s, "cashflow/mw_leased");
    for (int y = 0; y < 3; y++) {
        int lo = first[y] > deliver ? first[y] : deliver;
        CHECK_NEAR(rev[y], 0, 0);                               /* allocation 0 */
        CHECK_REL(rev[3 + y], r0 * geo(q, lo, last[y]), 1e-12);
        CHECK_REL(opex[3 + y], 0.3 * rev[3 + y], 1e-12);
        CHECK_REL(gpu[3 + y], 50 * 30e6, 1e-15);                 /* days 242, 607, 972 */
        CHECK_REL(mw[3 + y], 50.0 * (last[y] - lo + 1) / (last[y] - first[y] + 1), 1e-12);
    }
    CHECK_REL(build[3], 50 * 7.5e6, 1e-12);
    /* Terminal value: 8 x the window's NOI less the GPUs' upkeep (capex over
     * their 365-day life), or the salvage of 50 MW if more: here the GPUs
     * cost more than they earn, so the line is worth its salvage. */
    double noi = (0.7 * r0 * geo(q, 1096 - 365, 1095) - 50 * 30e6 / 365 * 365) * 365.25 / 365;
    double tv = fmax(8 * noi, 50 * 3e5);
    CHECK(8 * noi < 50 * 3e5);
    CHECK_REL(var(&s, "valuation/terminal_value_hpc")[1], tv, 1e-12);
    double npv = 0.7 * r0 * v * geo(q * v, deliver, 1095)
               - 50 * 7.5e6 / 183 * v * geo(v, start, deliver - 1)
               - 50 * 30e6 * (pow(v, deliver + 1) + pow(v, deliver + 366) + pow(v, deliver + 731))
               + tv * pow(v, 1096);
    CHECK_REL(var(&s, "valuation/npv_hpc")[1], npv, 1e-10);
    sim_close(&s);
}

/* Tenant default and search: one 25 MW tranche delivered on day 0. With
 * immediate re-leasing, the first default day is the first d with
 * d lambda dt >= E, so P(no default in days 0..364) = exp(-364 lambda dt).
 * A tenant search of mean m years signs on the first d with d dt / m >= E. */
static void test_tenants(void)
{
    const int N = 8000;
    const char *base[] = {
        DET_SETS, "price.s0_usd=60000.0", "price.mu=0.0", "network.hashrate0_ehs=1000.0",
        "miner.capacity_mw=100.0", "allocation.fractions=[0.25]",
        "allocation.ramp_start=\"2026-01-01\"", "allocation.ramp_end=\"2026-01-01\"",
        "allocation.tranche_mw=25.0", "hpc.build_months=0.0", "hpc.term_years=50.0",
    };
    size_t nb = sizeof base / sizeof base[0];
    const char *sets[32];
    memcpy(sets, base, nb * sizeof *sets);

    sets[nb] = "hpc.default_hazard=1.5";
    sets[nb + 1] = "hpc.search_months=0.0";
    sim s;
    sim_open(&s, sets, nb + 2);
    int none = 0;
    double count = 0;
    for (int p = 0; p < N; p++) {
        sim_path(&s, (uint64_t)p);
        const double *def = var(&s, "cashflow/tenant_defaults");
        none += def[0] == 0;
        count += def[0] + def[1];
    }
    double p0 = exp(-364 * 1.5 * DT);
    CHECK_NEAR((double)none / N, p0, 4 * sqrt(p0 * (1 - p0) / N));
    /* Defaults over 730 days form a renewal process with Exp(1.5/yr) gaps
     * rounded up to whole days (+0.5 day each, a 0.2% bias): mean count
     * 1.5 x 730/365.25 within 4 SE (Poisson variance) plus that bias. */
    double mu = 1.5 * 730 / 365.25;
    CHECK_NEAR(count / N, mu, 4 * sqrt(mu / N) + 0.002 * mu);
    sim_close(&s);

    sets[nb] = "hpc.default_hazard=0.0";
    sets[nb + 1] = "hpc.search_months=6.0";
    sim_open(&s, sets, nb + 2);
    int waiting = 0;
    for (int p = 0; p < N; p++) {
        sim_path(&s, (uint64_t)p);
        waiting += var(&s, "cashflow/mw_leased")[0] == 0;
    }
    p0 = exp(-364 * DT / 0.5);
    CHECK_NEAR((double)waiting / N, p0, 4 * sqrt(p0 * (1 - p0) / N));
    sim_close(&s);
}

/* Build time lognormal (median 183 days, log-sd 0.4) and cancellation with
 * probability 0.3: the delivery day is read off the leased MW-days, a
 * cancellation off the build capex (stopped early, never leased). */
static void test_build(void)
{
    const int N = 4000;
    const char *sets[] = {
        DET_SETS, "price.s0_usd=60000.0", "price.mu=0.0", "network.hashrate0_ehs=1000.0",
        "time.horizon_years=6.0",
        "miner.capacity_mw=100.0", "allocation.fractions=[0.25, 0.5]",
        "allocation.ramp_start=\"2026-01-01\"", "allocation.ramp_end=\"2026-01-01\"",
        "allocation.tranche_mw=25.0", "hpc.build_months=6.0", "hpc.build_sigma=0.4",
        "hpc.cancel_prob=0.3", "hpc.capex_usd_per_mw=1e6",
    };
    sim s;
    sim_open(&s, sets, sizeof sets / sizeof sets[0]);
    const hp_layout *l = s.l;
    int cancelled = 0, n_built = 0;
    double sl = 0, sl2 = 0;
    for (int p = 0; p < N; p++) {
        sim_path(&s, (uint64_t)p);
        const double *mw = var(&s, "cashflow/mw_leased");
        const double *cy = var(&s, "cashflow/capex_build");
        double leased_days = 0, capex = 0;
        for (int y = 0; y < l->n_years; y++) {
            leased_days += mw[y] * l->days_in_year[y] / 25;
            capex += cy[y];
        }
        if (capex < 25e6 * (1 - 1e-12)) {
            cancelled++;
            CHECK(leased_days == 0);
        } else if (leased_days > 0) {
            double build = l->n_days - leased_days;
            sl += log(build);
            sl2 += log(build) * log(build);
            n_built++;
        }
    }
    CHECK_NEAR((double)cancelled / N, 0.3, 4 * sqrt(0.3 * 0.7 / N));
    /* Almost every non-cancelled build ends inside 6 years (z < 6): 70%
     * of paths, binomial sd 0.5%. */
    CHECK(n_built > 0.66 * N);
    double m = sl / n_built, sd = sqrt((sl2 - n_built * m * m) / (n_built - 1));
    CHECK_NEAR(m, log(6 * 365.25 / 12), 4 * 0.4 / sqrt(n_built) + 0.003);   /* + day rounding */
    CHECK_NEAR(sd, 0.4, 4 * 0.4 / sqrt(2.0 * n_built) + 0.003);
    sim_close(&s);

    /* Common random numbers: tranche k of every allocation draws the same
     * build time and cancellation. */
    sim_open(&s, sets, sizeof sets / sizeof sets[0]);
    hp_hpc h = {0};
    hp_err err = {0};
    CHECK(hp_hpc_init(&h, s.cfg, 100, hp_cfg_date(s.cfg, "time.start_date"), s.l->n_days, DT, &err) == 0);
    CHECK(h.n_alloc == 2 && h.n_tranches[0] == 1 && h.n_tranches[1] == 2 && h.max_tranches == 2);
    hp_tranche ts[4];
    hp_alloc_hpc as[2];
    int differ = 0;
    for (int p = 0; p < 1000; p++) {
        hp_pcg64 r;
        hp_rng_stream(&r, 5, (uint64_t)p, 5);
        hp_hpc_path_init(&h, 100, &r, ts, as);
        CHECK(ts[0].deliver_day == ts[2].deliver_day && ts[0].cancel_day == ts[2].cancel_day);
        differ += ts[2].deliver_day != ts[3].deliver_day;
    }
    CHECK(differ > 900);                  /* tranches 0 and 1 draw apart */
    hp_hpc_free(&h);
    sim_close(&s);
}

/* AI bust: arrivals at 0.5/yr, mean length 1 yr; long-run share of days
 * in a bust 1 / (2 + 1). With flat trend and no noise the lease rate of a
 * path-year is exactly L0 (1 - cut x share). */
static void test_bust(void)
{
    const int N = 500;
    const char *sets[] = {
        DET_SETS, "price.s0_usd=60000.0", "price.mu=0.0", "network.hashrate0_ehs=1000.0",
        "time.horizon_years=30.0", "miner.capacity_mw=100.0", "allocation.fractions=[0.0]",
        "ai_market.bust_intensity=0.5", "ai_market.bust_mean_years=1.0",
        "ai_market.bust_lease_cut=0.4", "ai_market.trend_growth=0.0",
        "ai_market.lease0_usd_per_mw_year=1.5e6",
    };
    sim s;
    sim_open(&s, sets, sizeof sets / sizeof sets[0]);
    const hp_layout *l = s.l;
    double sum = 0, sum2 = 0;
    for (int p = 0; p < N; p++) {
        sim_path(&s, (uint64_t)p);
        const double *share = var(&s, "market/ai_bust_share");
        const double *lease = var(&s, "market/lease_rate_mean");
        double days = 0;
        /* Skip the first 10 years (the chain starts outside a bust). */
        for (int y = 10; y < l->n_years; y++)
            days += share[y] * l->days_in_year[y];
        int nd = 0;
        for (int y = 10; y < l->n_years; y++)
            nd += l->days_in_year[y];
        double f = days / nd;
        sum += f;
        sum2 += f * f;
        for (int y = 0; y < l->n_years; y++)
            CHECK_REL(lease[y], 1.5e6 * (1 - 0.4 * share[y]), 1e-12);
    }
    double m = sum / N, se = sqrt((sum2 / N - m * m) / (N - 1));
    /* Regime lengths are rounded up to whole days: +0.5 day on a mean of
     * 365 (bust) and 730 (normal) days, negligible against 4 SE. */
    CHECK_NEAR(m, 1.0 / 3.0, 4 * se);
    sim_close(&s);
}

/* Power price log-OU started at p_bar: E[p_t] = p_bar exp(v (1 - e^(-2 kappa t)) / 2),
 * v = sigma^2 / (2 kappa); energy cost is MW x uptime x 24 x sum of p. */
static void test_power(void)
{
    const int N = 2000;
    const char *sets[] = {
        DET_SETS, "price.s0_usd=60000.0", "price.mu=0.0", "network.hashrate0_ehs=1000.0",
        "miner.capacity_mw=10.0", "miner.uptime=0.9", "allocation.fractions=[0.0]",
        "miner.power_model=\"ou\"", "miner.power_usd_mwh=50.0", "miner.power_kappa=2.0",
        "miner.power_sigma=0.4",
    };
    sim s;
    sim_open(&s, sets, sizeof sets / sizeof sets[0]);
    double sum = 0, sum2 = 0;
    for (int p = 0; p < N; p++) {
        sim_path(&s, (uint64_t)p);
        const double *pm = var(&s, "market/power_price_mean");
        const double *energy = var(&s, "cashflow/mining_energy_cost");
        CHECK_REL(energy[2], 10 * 0.9 * 24 * pm[2] * 366, 1e-12);
        sum += pm[2];
        sum2 += pm[2] * pm[2];
    }
    double want = 0, vv = 0.4 * 0.4 / 4;
    for (int d = 730; d <= 1095; d++)
        want += 50 * exp(vv * (1 - exp(-4 * d * DT)) / 2);
    want /= 366;
    double m = sum / N, se = sqrt((sum2 / N - m * m) / (N - 1));
    CHECK_NEAR(m, want, 4 * se);
    sim_close(&s);
}

/* The day's one test for the allocations' events (hp_hpc_due on their
 * hp_hpc_due_min) against testing each allocation: the same answer on
 * random thresholds, with ties, infinities of both signs and NaN, at
 * finite hazard levels (integrated hazards are finite). */
static void test_due_min(void)
{
    const double level[] = {-INFINITY, -1.0, 0.0, 0.5, 1.0, 2.0, INFINITY, NAN};
    const int nl = (int)(sizeof level / sizeof level[0]);
    hp_pcg64 r;
    hp_rng_stream(&r, 11, 0, 0);
    long n = 0, differ = 0, due = 0;
    for (int trial = 0; trial < 20000; trial++) {
        hp_alloc_hpc as[5], min;
        int na = 1 + (int)(hp_uniform(&r) * 5);
        for (int a = 0; a < na; a++) {
            as[a].next_day = (int)(hp_uniform(&r) * 8);
            as[a].next_search = level[(int)(hp_uniform(&r) * nl)];
            as[a].next_default = level[(int)(hp_uniform(&r) * nl)];
            as[a].next_default_unit = level[(int)(hp_uniform(&r) * nl)];
        }
        hp_hpc_due_min(as, na, &min);
        hp_ai_path m = {0};
        for (int d = 0; d < 8; d++, n++) {
            m.cum_search = level[1 + (int)(hp_uniform(&r) * 5)];
            m.cum_default = level[1 + (int)(hp_uniform(&r) * 5)];
            m.cum_unit = level[1 + (int)(hp_uniform(&r) * 5)];
            int any = 0;
            for (int a = 0; a < na; a++)
                any |= hp_hpc_due(&as[a], d, &m);
            due += any;
            differ += any != hp_hpc_due(&min, d, &m);
        }
    }
    printf("due_min: %ld of %ld days differ from the per-allocation test (%ld due)\n", differ, n, due);
    CHECK(differ == 0);
    CHECK(due > 0 && due < n);
}

int main(void)
{
    test_due_min();
    test_units();
    test_curtailment();
    test_equilibrium();
    test_block_luck();
    test_gpu_cloud();
    test_tenants();
    test_build();
    test_bust();
    test_power();
    return CHECK_DONE();
}
