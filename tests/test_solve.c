/* solve: the break-even capex of a deterministic scenario against its
 * closed form, to 1e-6; a P(...) target on a random scenario lands on the
 * step of its common-random-numbers sample function; the two standard
 * errors (delta method, batches) agree in size.
 *
 * Closed form. The deterministic scenario of test_deterministic.c (every
 * volatility zero; 3 years; one 25 MW tranche built over BUILD = 183 days
 * from day START = 59) spends capex c per MW at 25 c / BUILD a day, and
 * nothing else in the model depends on c. So the gain of 25% over 0% is
 *     G(c) = G(0) - c K,   K = 25 / BUILD x sum_{d=START}^{START+BUILD-1} v^(d+1),
 * v = 1.08^(-1/365.25) the daily discount factor, and the break-even capex
 * is c* = G(0) / K. G(0) is the model's (test_deterministic checks that
 * NPV against its own closed form to 1e-9); K is computed here; the
 * linearity is checked at a second point. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "check.h"
#include "driver.h"
#include "network.h"
#include "scenario.h"

static const char *det_sets[] = {
    "time.start_date=\"2026-01-01\"", "time.horizon_years=3.0",
    "price.s0_usd=50000.0", "price.mu=0.1", "price.sigma=0.0",
    "network.height0=1048320", "network.difficulty0=1e14", NULL /* hashrate, below */,
    "network.growth=0.0", "network.sigma=0.0",
    "fees.btc_per_block0=0.1", "fees.mean_btc_per_block=0.1", "fees.kappa=1.0", "fees.sigma=0.0",
    "miner.capacity_mw=100.0", "miner.efficiency_j_th=20.0", "miner.refresh_rule=fixed_gain", "miner.asic_life_years=0.0", "miner.efficiency_gain=0.05",
    "miner.uptime=0.9", "miner.pool_fee=0.02", "miner.power_usd_mwh=50.0",
    "miner.opex_usd_mw_year=100000.0", "miner.in_network=false",
    "miner.curtail=false", "miner.power_spread=0.0", "miner.refresh_price=fixed",
    "allocation.fractions=[0.0, 0.25]", "allocation.ramp_start=\"2026-03-01\"",
    "allocation.ramp_end=\"2026-03-01\"", "allocation.tranche_mw=25.0",
    "hpc.build_months=6.0", "hpc.capex_usd_per_mw=8e6", "hpc.term_years=1.5",
    "hpc.escalator=0.03", "hpc.noi_margin=0.8",
    "ai_market.lease0_usd_per_mw_year=1.5e6", "ai_market.trend_growth=0.02",
    "ai_market.kappa=1.0", "ai_market.sigma=0.0",
    "correlation.price_hashrate=0.0", "valuation.discount_rate=0.08",
    "miner.refresh_usd_per_th=20.0", "valuation.hpc_noi_multiple=8.0",
    "valuation.mining_noi_multiple=3.0",
    "simulation.n_paths=4L", "price.model=gbm",
};

/* The gain of 25% over 0% at capex c, on path 0. */
static double gain_at(const hp_an *a, double c)
{
    char set[96];
    snprintf(set, sizeof set, "hpc.capex_usd_per_mw=%.17g", c);
    const char *sets[1] = {set};
    hp_config *cfg;
    hp_err err = {0};
    void *m = hp_an_build(a, sets, 1, &cfg, &err);
    if (m == NULL) {
        fprintf(stderr, "%s\n", err.msg);
        abort();
    }
    hp_var_slice ctx;
    hp_reducer r;
    double npv[2];
    hp_reducer_var(a->model->layout(m), "valuation/npv", 1.0, &ctx, &r, &err);
    hp_pathrun(a->model, m, a->seed, 0, 1, 1, &r, npv, &err);
    hp_an_destroy(a, m, cfg);
    return npv[1] - npv[0];
}

static void deterministic(const hp_param *const *tables)
{
    char hashrate[64];
    double H = 1e14 * HP_TWO32 * 2015.0 / (600.0 * 2016.0);
    snprintf(hashrate, sizeof hashrate, "network.hashrate0_ehs=%.17g", H * 1e-18);
    const char *sets[sizeof det_sets / sizeof det_sets[0]];
    memcpy(sets, det_sets, sizeof sets);
    sets[7] = hashrate;
    hp_an a = {.model = &hp_scenario_model, .tables = tables, .config = NULL, .sets = sets,
               .n_sets = sizeof sets / sizeof sets[0], .threads = 2,
               .record_budget = HP_RECORD_BUDGET_BYTES};
    hp_err err = {0};
    CHECK(hp_an_init(&a, &err) == 0);

    const int START = 59, BUILD = 183;
    const double v = pow(1.08, -1 / 365.25);
    double K = 0;
    for (int d = START; d < START + BUILD; d++)
        K += pow(v, d + 1);
    K *= 25.0 / BUILD;
    double G0 = gain_at(&a, 0), want = G0 / K;
    CHECK_REL(gain_at(&a, 7e6), G0 - 7e6 * K, 1e-9);      /* linear, slope K */
    CHECK(want > 1e6 && want < 5e7);

    hp_solve_opts o = {.se = HP_SE_DELTA, .quiet = 1};
    CHECK(hp_vary_parse(&a, "hpc.capex_usd_per_mw=1e6:5e7", &o.vary, &err) == 0);
    CHECK(hp_target_parse("mean(npv[0.25] - npv[0]) = 0", 1, "--target", &o.target, &err) == 0);
    hp_solve_result r;
    FILE *out = fopen("/dev/null", "w");
    CHECK_MSG(hp_solve(&a, &o, out, &r, &err) == 0, "%s", err.msg);
    CHECK_REL(r.root, want, 1e-6);
    CHECK(r.se == 0);                                   /* every path is the same */
    CHECK_REL(r.slope, -K, 1e-6);
    printf("deterministic break-even capex: %.10g (closed form %.10g), %d evaluations\n", r.root, want,
           r.evaluations);

    /* A value target: the capex at which the gain is $1M. */
    CHECK(hp_target_parse("mean(npv[0.25] - npv[0]) = 1e6", 1, "--target", &o.target, &err) == 0);
    CHECK(hp_solve(&a, &o, out, &r, &err) == 0);
    CHECK_REL(r.root, (G0 - 1e6) / K, 1e-6);

    /* Not bracketed: a clear failure naming both ends. */
    CHECK(hp_vary_parse(&a, "hpc.capex_usd_per_mw=1e8:2e8", &o.vary, &err) == 0);
    CHECK(hp_solve(&a, &o, out, &r, &err) != 0 && strstr(err.msg, "not bracketed"));
    fclose(out);
}

/* A random scenario: P(npv[0.2] > npv[0]) = 0.5 over the capex. */
static void probability(const hp_param *const *tables)
{
    const char *sets[] = {"time.horizon_years=4.0", "simulation.n_paths=400L"};
    hp_an a = {.model = &hp_scenario_model, .tables = tables, .sets = sets, .n_sets = 2, .threads = 2,
               .record_budget = HP_RECORD_BUDGET_BYTES};
    hp_err err = {0};
    CHECK(hp_an_init(&a, &err) == 0);
    hp_solve_opts o = {.se = HP_SE_DELTA, .quiet = 1, .batches = 8};
    CHECK(hp_vary_parse(&a, "hpc.capex_usd_per_mw=1e6:3e7", &o.vary, &err) == 0);
    CHECK(hp_target_parse("P(npv[0.2] > npv[0]) = 0.5", 1, "--target", &o.target, &err) == 0);
    FILE *out = fopen("/dev/null", "w");
    hp_solve_result r, rb;
    CHECK_MSG(hp_solve(&a, &o, out, &r, &err) == 0, "%s", err.msg);
    o.se = HP_SE_BATCHES;
    CHECK_MSG(hp_solve(&a, &o, out, &rb, &err) == 0, "%s", err.msg);
    fclose(out);
    /* The sample function steps across 0.5 at the root: a path changes
     * sides there. */
    hp_target t = o.target;
    double *x = malloc(400 * sizeof *x);
    double p[2];
    for (int side = 0; side < 2; side++) {
        char set[96];
        snprintf(set, sizeof set, "hpc.capex_usd_per_mw=%.17g", r.root * (side ? 1 + 1e-7 : 1 - 1e-7));
        const char *extra[1] = {set};
        hp_config *cfg;
        void *m = hp_an_build(&a, extra, 1, &cfg, &err);
        hp_reducer red = hp_target_reducer(&t);
        hp_target_bind(&t, hp_scenario_model.layout(m), "t", &err);
        hp_pathrun(&hp_scenario_model, m, a.seed, 0, 400, 2, &red, x, &err);
        p[side] = hp_target_stat(&t, x, 400).value;
        hp_an_destroy(&a, m, cfg);
    }
    free(x);
    CHECK_MSG(p[0] >= 0.5 && p[1] <= 0.5, "P just below the root %g, just above %g", p[0], p[1]);
    CHECK(rb.root == r.root);
    CHECK(r.se > 0 && rb.se > 0 && r.se < 3 * rb.se && rb.se < 3 * r.se);
    printf("P = 0.5 at capex %.6g: se %.3g (delta), %.3g (8 batches)\n", r.root, r.se, rb.se);
}

int main(void)
{
    const hp_param *tables[64];
    hp_run_params(&hp_scenario_model, tables, 64);
    deterministic(tables);
    probability(tables);
    return CHECK_DONE();
}
