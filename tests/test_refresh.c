/* test_refresh: miner.refresh_rule "frontier" (models/miner.h, docs/firm.md
 * "Fleet refresh") against closed forms.
 *
 *   - the frontier th_f(t) = 10^6 / e_f(0) e^(g t) and the day's purchase
 *     th_f dt / L;
 *   - the payback rule, its threshold hashprice solved by hand: a hair
 *     above it the day's worn share is replaced (T moves dt/L of the way to
 *     th_f), a hair below nothing is bought and T stays;
 *   - the no-gate schedule T(t) = (A/c) e^(g t) + (th_0 - A/c) e^(-t/L),
 *     c = 1 + g L, against the daily recurrence (to O(dt));
 *   - through the engine, a deterministic world where the rule always
 *     refreshes: capex_refresh per year = C k sum_d th_f(t_d) dt/L, a
 *     geometric sum; where it never does (payback 0): no capex and
 *     btc_mined, energy equal to fixed_gain at gain 0, exactly;
 *   - frontier with asic_life_years = 0 is a config error naming the key. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "miner.h"
#include "scenario.h"
#include "testutil.h"

#define DT (1.0 / 365.25)

/* One site at $45/MWh (+ $5 variable), 20 J/TH fleet, frontier 10 J/TH
 * declining 0.2 a year, machines of 4 years, 90% uptime, 2% pool fee. */
#define BASE_SETS \
    "miner.sites=({ name = \"s\"; mw = 600.0; power_usd_mwh = 45.0; })", \
    "miner.capacity_mw=600.0", "miner.efficiency_j_th=20.0", "miner.uptime=0.9", \
    "miner.pool_fee=0.02", "miner.variable_usd_mwh=5.0", "network.fleet.frontier_j_th=10.0", \
    "network.fleet.frontier_gain=0.2", "miner.asic_life_years=4.0", \
    "miner.refresh_rule=frontier", "miner.refresh_payback_years=2.0"

static void test_rule(void)
{
    const char *sets[] = {BASE_SETS};
    hp_config *cfg = tu_config(sets, sizeof sets / sizeof *sets);
    hp_miner m;
    hp_err err = {0};
    CHECK_MSG(hp_miner_init(&m, cfg, DT, &err) == 0, "%s", err.msg);
    CHECK(m.refresh_frontier);
    CHECK_REL(hp_miner_frontier_th_per_mw(&m, 0), 1e5, 1e-15);
    CHECK_REL(hp_miner_frontier_th_per_mw(&m, 2.5), 1e5 * exp(0.5), 1e-14);
    CHECK_REL(hp_miner_refresh_th_per_mw(&m, 2.5, DT), 1e5 * exp(0.5) * DT / 4, 1e-14);
    CHECK_REL(hp_miner_hs_per_mw(&m, 0), 1e6 / 20 * 1e12 * 0.9, 1e-15);

    /* The rule at t = 0, k = $10/TH, payback 730.5 days: per unit of the
     * worn share, (1e5 hp 1e-3 0.98 - 24 (45 + 5)) 0.9 x 730.5 >= 1e5 x 10,
     * so hp* = (1200 + 1e6 / (0.9 x 730.5)) / 98 USD/PH/day. */
    double hp_star = (1200 + 1e6 / (0.9 * 730.5)) / 98;
    double bought = hp_miner_refresh_th_per_mw(&m, 0, DT);
    hp_refresh_chain r;
    hp_refresh_start(&m, &r);
    CHECK_REL(r.th_mw, 5e4, 1e-15);
    hp_refresh_day(&m, &r, bought, hp_star * (1 + 1e-9), 10.0, 1.0);
    CHECK_REL(r.bought_th, 1e5 * DT / 4, 1e-14);
    CHECK_REL(r.th_mw, 5e4 + (1e5 - 5e4) * DT / 4, 1e-14);
    hp_refresh_start(&m, &r);
    hp_refresh_day(&m, &r, bought, hp_star * (1 - 1e-9), 10.0, 1.0);
    CHECK(r.bought_th == 0);
    CHECK(r.th_mw == 5e4);
    /* The power factor moves the threshold: at X = 2 the power is
     * 24 (90 + 5) a MW-day. */
    hp_refresh_start(&m, &r);
    hp_refresh_day(&m, &r, bought, hp_star * (1 + 1e-9), 10.0, 2.0);
    CHECK(r.bought_th == 0);
    double hp_star2 = (24 * 95 + 1e6 / (0.9 * 730.5)) / 98;
    hp_refresh_day(&m, &r, bought, hp_star2 * (1 + 1e-9), 10.0, 2.0);
    CHECK(r.bought_th > 0);

    /* Refreshing every day follows the lag ODE's solution to O(dt). */
    hp_refresh_start(&m, &r);
    double worst = 0;
    for (int d = 0; d < 13 * 365; d++) {
        double t = d * DT;
        double want = hp_miner_hs_per_mw(&m, t) / (1e12 * 0.9);
        double rel = fabs(r.th_mw / want - 1);
        worst = rel > worst ? rel : worst;
        hp_refresh_day(&m, &r, hp_miner_refresh_th_per_mw(&m, t, DT), 1e6, 0.0, 1.0);
    }
    CHECK_MSG(worst < 5e-4, "recurrence vs ODE: %g", worst);
    /* The steady lag: J/TH of the fleet / frontier's -> 1 + g L = 1.8. */
    double t = 40;
    CHECK_REL(hp_miner_frontier_th_per_mw(&m, t) / (hp_miner_hs_per_mw(&m, t) / (1e12 * 0.9)),
              1.8, 1e-6);
    hp_miner_free(&m);
    hp_config_free(cfg);
}

/* The deterministic world of test_firm, a price taker that never curtails,
 * 3 years of 365, 365, 366 days; the machines at a fixed $k/TH. */
#define DET_SETS \
    "time.start_date=\"2026-01-01\"", "time.horizon_years=3.0", \
    "price.model=gbm", "price.sigma=0.0", "network.height0=1060000", "network.difficulty0=1e14", \
    "network.hashrate_model=trend", "network.sigma=0.0", "network.growth=0.0", \
    "fees.btc_per_block0=0.1", "fees.mean_btc_per_block=0.1", "fees.sigma=0.0", \
    "miner.in_network=false", "ai_market.sigma=0.0", "correlation.price_hashrate=0.0", \
    "miner.curtail=false", "allocation.fractions=[0.0]", "miner.opex_usd_mw_year=50000.0", \
    "miner.refresh_price=fixed", "miner.refresh_usd_per_th=1.0"

static const int YEAR_FIRST[3] = {0, 365, 730}, YEAR_DAYS[3] = {365, 365, 366};

static void test_engine(void)
{
    /* Always refreshed: a frontier MW earns far more than $1/TH in two
     * years at a hashprice of about $29/PH/day. */
    const char *on_sets[] = {BASE_SETS, DET_SETS};
    tu_sim s;
    tu_sim_open(&s, on_sets, sizeof on_sets / sizeof *on_sets);
    tu_sim_path(&s, 7, 0);
    const double *cap = tu_sim_var(&s, "cashflow/capex_refresh");
    double q = exp(0.2 * DT), a = 1e5 * DT / 4;
    for (int y = 0; y < 3; y++) {
        int d0 = YEAR_FIRST[y], d1 = d0 + YEAR_DAYS[y];
        double want = 600 * 1.0 * a * (pow(q, d1) - pow(q, d0)) / (q - 1);
        CHECK_REL(cap[y], want, 1e-11);
    }
    tu_sim_close(&s);

    /* Never refreshed (payback 0): the fleet stays at 20 J/TH, as
     * fixed_gain with no gain, and buys nothing. */
    const char *off_sets[] = {BASE_SETS, DET_SETS, "miner.refresh_payback_years=0.0"};
    const char *fix_sets[] = {BASE_SETS, DET_SETS, "miner.refresh_rule=fixed_gain",
                              "miner.efficiency_gain=0.0", "miner.asic_life_years=0.0"};
    tu_sim off, fix;
    tu_sim_open(&off, off_sets, sizeof off_sets / sizeof *off_sets);
    tu_sim_open(&fix, fix_sets, sizeof fix_sets / sizeof *fix_sets);
    tu_sim_path(&off, 7, 0);
    tu_sim_path(&fix, 7, 0);
    const char *names[] = {"cashflow/btc_mined", "cashflow/mining_energy_cost", "cashflow/mining_revenue"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        for (int y = 0; y < 3; y++)
            CHECK_MSG(tu_sim_var(&off, names[i])[y] == tu_sim_var(&fix, names[i])[y],
                      "%s year %d", names[i], y);
    for (int y = 0; y < 3; y++)
        CHECK(tu_sim_var(&off, "cashflow/capex_refresh")[y] == 0);
    tu_sim_close(&off);
    tu_sim_close(&fix);
}

static void test_errors(void)
{
    const char *sets[] = {BASE_SETS, "miner.asic_life_years=0.0"};
    hp_config *cfg = tu_config(sets, sizeof sets / sizeof *sets);
    hp_miner m;
    hp_err err = {0};
    CHECK(hp_miner_init(&m, cfg, DT, &err) != 0);
    CHECK_MSG(strstr(err.msg, "miner.asic_life_years") != NULL, "%s", err.msg);
    hp_miner_free(&m);
    hp_config_free(cfg);
}

int main(void)
{
    test_rule();
    test_engine();
    test_errors();
    return CHECK_DONE();
}
