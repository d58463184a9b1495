/* The deterministic limit: every volatility zero, so each
 * cash-flow line and the NPV are sums of geometric series that this test
 * computes on its own, and the engine must match them to 1e-9 relative.
 *
 * Set-up: 3 calendar years from 2026-01-01 (365 + 365 + 366 days), price
 * growing at mu, network hashrate constant at the steady state of Core's
 * retarget (one block per 600 * 2016/2015 s, so difficulty never moves),
 * starting 1,680 blocks before the halving at 1,050,000, constant fees, a
 * fleet whose efficiency improves, and allocations 0 and 25%: one 25 MW
 * tranche that starts building on 2026-03-01, is delivered 183 days later,
 * signs at the market lease rate, escalates once, and re-signs at expiry.
 * The fleet refresh costs REFRESH USD per TH/s the efficiency gain adds, and
 * each line's terminal value, max(multiple x the last 365 days' NOI,
 * salvage x MW), is discounted from the last day: geometric series too. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "network.h"
#include "scenario.h"
#include "testutil.h"

#define DT (1.0 / 365.25)
#define TOL 1e-9

static const double S0 = 50000, MU = 0.10;
static const double D0 = 1e14;
static const double FEE = 0.1;
static const double CAP = 100, E0 = 20, GAIN = 0.05, UPTIME = 0.9, POOL = 0.02;
static const double POWER = 50, OPEX = 100000;
static const double CAPEX = 8e6, ESC = 0.03, NOI = 0.8;
static const double L0 = 1.5e6, LG = 0.02, RATE = 0.08;
static const int START = 59;          /* 2026-03-01 */
static const int BUILD = 183;         /* round(6 months * 365.25 / 12) */
static const int TERM = 548;          /* round(1.5 years * 365.25) */
static const int YEAR_FIRST[3] = {0, 365, 730}, YEAR_LAST[3] = {364, 729, 1095};
static const double REFRESH = 20.0, TVM_HPC = 8.0, TVM_MINING = 3.0;
static const double SALVAGE_HPC = 2e5, SALVAGE_MINING = 1e5;
static const int TV_FIRST = 1096 - 365;   /* the terminal value's NOI window */

/* sum_{d=lo}^{hi} q^d, 0 for an empty range. */
static double geo(double q, int lo, int hi)
{
    if (hi < lo)
        return 0;
    if (q == 1.0)
        return hi - lo + 1;
    return (pow(q, lo) - pow(q, hi + 1)) / (1 - q);
}

/* A line c * q^d on days [lo, hi]: its sum within year y, its present
 * value sum c q^d v^(d+1), and its sum over the terminal-value window. */
typedef struct line { double year[3], pv, win; } line;

static void add_piece(line *ln, double c, double q, int lo, int hi)
{
    double v = pow(1 + RATE, -1.0 / 365.25);
    for (int y = 0; y < 3; y++) {
        int a = lo > YEAR_FIRST[y] ? lo : YEAR_FIRST[y];
        int b = hi < YEAR_LAST[y] ? hi : YEAR_LAST[y];
        ln->year[y] += c * geo(q, a, b);
    }
    ln->pv += c * v * geo(q * v, lo, hi);
    ln->win += c * geo(q, lo > TV_FIRST ? lo : TV_FIRST, hi);
}

static void check_line(const char *what, const double *got, const line *want, int alloc)
{
    for (int y = 0; y < 3; y++) {
        double g = got[alloc * 3 + y], w = want->year[y];
        CHECK_MSG(fabs(g - w) <= TOL * fabs(w) + 1e-6, "%s alloc %d year %d: got %.15g want %.15g",
                  what, alloc, y, g, w);
    }
}

int main(void)
{
    /* Steady-state hashrate: H = D 2^32 2015 / (600 * 2016). */
    double H = D0 * HP_TWO32 * 2015.0 / (600.0 * 2016.0);
    char hashrate[64];
    snprintf(hashrate, sizeof hashrate, "network.hashrate0_ehs=%.17g", H * 1e-18);
    const char *sets[] = {
        "time.start_date=\"2026-01-01\"", "time.horizon_years=3.0",
        "price.model=gbm", "price.s0_usd=50000.0", "price.mu=0.1", "price.sigma=0.0",
        "network.height0=1048320", "network.difficulty0=1e14", hashrate,
        "network.growth=0.0", "network.sigma=0.0",
        "fees.btc_per_block0=0.1", "fees.mean_btc_per_block=0.1", "fees.kappa=1.0", "fees.sigma=0.0",
        "miner.capacity_mw=100.0", "miner.efficiency_j_th=20.0", "miner.refresh_rule=fixed_gain", "miner.asic_life_years=0.0", "miner.efficiency_gain=0.05",
        "miner.uptime=0.9", "miner.pool_fee=0.02", "miner.power_usd_mwh=50.0",
        "miner.opex_usd_mw_year=100000.0", "miner.in_network=false",
        "miner.curtail=false", "miner.power_spread=0.0",
        "allocation.fractions=[0.0, 0.25]", "allocation.ramp_start=\"2026-03-01\"",
        "allocation.ramp_end=\"2026-03-01\"", "allocation.tranche_mw=25.0",
        "hpc.build_months=6.0", "hpc.capex_usd_per_mw=8e6", "hpc.term_years=1.5",
        "hpc.escalator=0.03", "hpc.noi_margin=0.8",
        "ai_market.lease0_usd_per_mw_year=1.5e6", "ai_market.trend_growth=0.02",
        "ai_market.kappa=1.0", "ai_market.sigma=0.0",
        "correlation.price_hashrate=0.0", "valuation.discount_rate=0.08",
        "miner.refresh_price=fixed", "miner.refresh_usd_per_th=20.0",
        "valuation.hpc_noi_multiple=8.0", "valuation.mining_noi_multiple=3.0",
        "valuation.hpc_salvage_usd_per_mw=2e5", "valuation.mining_salvage_usd_per_mw=1e5",
    };
    hp_config *cfg = tu_config(sets, sizeof sets / sizeof sets[0]);
    hp_err err = {0};
    void *m = hp_scenario_model.create(cfg, &err);
    CHECK_MSG(m != NULL, "%s", err.msg);
    if (m == NULL)
        return 1;
    const hp_layout *l = hp_scenario_model.layout(m);
    CHECK(l->n_days == 1096 && l->n_years == 3 && l->n_alloc == 2);
    double *out = calloc(hp_layout_path_size(l), sizeof(double));
    void *ws = malloc(hp_scenario_model.scratch_bytes(m));
    hp_scenario_model.simulate_path(m, 42, 7, out, ws);

    /* Network: b blocks a day; the halving falls inside day 11. */
    const double b = 144.0 * 2015.0 / 2016.0;
    const int hday = (int)floor(1680 / b);
    const double n_before = 1680 - hday * b;
    CHECK(hday == 11);
    const double btc_pre = b * (3.125 + FEE), btc_post = b * (1.5625 + FEE);
    const double btc_hday = n_before * 3.125 + (b - n_before) * 1.5625 + b * FEE;

    /* Mining: revenue_d = Cm K net_btc_d q^d, btc_d = Cm Kb net_btc_d qb^d. */
    const double qb = pow(1 - GAIN, -DT);                 /* efficiency gain */
    const double q = exp(MU * DT) * qb;                   /* and price growth */
    const double Kb = UPTIME * 1e18 / (E0 * H) * (1 - POOL);
    const double K = Kb * S0;
    const double energy_mw = UPTIME * 24 * POWER, opex_mw = OPEX / 365.25;
    const double L_sign1 = L0 * exp(LG * (START + BUILD) * DT);
    const double L_sign2 = L0 * exp(LG * (START + BUILD + TERM) * DT);
    const int deliver = START + BUILD, anniv = deliver + 365, expiry = deliver + TERM;

    for (int a = 0; a < 2; a++) {
        line rev = {0}, btc = {0}, energy = {0}, opex = {0}, hrev = {0}, hopex = {0};
        line capex = {0}, mw_mining = {0}, mw_leased = {0}, refresh = {0};
        /* Mining capacity: 100 MW, or 75 MW once the tranche starts. */
        int seg_lo[3] = {0, hday, hday + 1}, seg_hi[3] = {hday - 1, hday, 1095};
        double seg_btc[3] = {btc_pre, btc_hday, btc_post};
        for (int s = 0; s < 3; s++) {
            for (int part = 0; part < 2; part++) {
                int lo = seg_lo[s], hi = seg_hi[s];
                double cm = CAP;
                if (a == 1) {
                    if (part == 0) { hi = hi < START - 1 ? hi : START - 1; }
                    else { lo = lo > START ? lo : START; cm = CAP * 0.75; }
                } else if (part == 1) {
                    continue;
                }
                add_piece(&rev, cm * K * seg_btc[s], q, lo, hi);
                add_piece(&btc, cm * Kb * seg_btc[s], qb, lo, hi);
            }
        }
        double cm_late = a == 1 ? CAP * 0.75 : CAP;
        int late = a == 1 ? START : 0;
        if (a == 1) {
            add_piece(&energy, CAP * energy_mw, 1, 0, START - 1);
            add_piece(&opex, CAP * opex_mw, 1, 0, START - 1);
            add_piece(&mw_mining, CAP, 1, 0, START - 1);
        }
        add_piece(&energy, cm_late * energy_mw, 1, late, 1095);
        add_piece(&opex, cm_late * opex_mw, 1, late, 1095);
        add_piece(&mw_mining, cm_late, 1, late, 1095);
        /* Refresh: k (TH/s per MW at d+1 - at d), TH/s per MW = 1e6/E0 qb^d. */
        const double refresh_mw = REFRESH * 1e6 / E0 * (qb - 1);
        if (a == 1)
            add_piece(&refresh, CAP * refresh_mw, qb, 0, START - 1);
        add_piece(&refresh, cm_late * refresh_mw, qb, late, 1095);
        if (a == 1) {
            double mw = 25;
            add_piece(&capex, mw * CAPEX / BUILD, 1, START, deliver - 1);
            double r1 = mw * L_sign1 / 365.25, r2 = r1 * (1 + ESC), r3 = mw * L_sign2 / 365.25;
            add_piece(&hrev, r1, 1, deliver, anniv - 1);
            add_piece(&hrev, r2, 1, anniv, expiry - 1);
            add_piece(&hrev, r3, 1, expiry, 1095);
            add_piece(&hopex, (1 - NOI) * r1, 1, deliver, anniv - 1);
            add_piece(&hopex, (1 - NOI) * r2, 1, anniv, expiry - 1);
            add_piece(&hopex, (1 - NOI) * r3, 1, expiry, 1095);
            add_piece(&mw_leased, mw, 1, deliver, 1095);
        }
        check_line("mining_revenue", tu_var(l, out, "cashflow/mining_revenue"), &rev, a);
        check_line("btc_mined", tu_var(l, out, "cashflow/btc_mined"), &btc, a);
        check_line("mining_energy_cost", tu_var(l, out, "cashflow/mining_energy_cost"), &energy, a);
        check_line("mining_opex", tu_var(l, out, "cashflow/mining_opex"), &opex, a);
        check_line("hpc_revenue", tu_var(l, out, "cashflow/hpc_revenue"), &hrev, a);
        check_line("hpc_opex", tu_var(l, out, "cashflow/hpc_opex"), &hopex, a);
        check_line("capex_build", tu_var(l, out, "cashflow/capex_build"), &capex, a);
        check_line("capex_refresh", tu_var(l, out, "cashflow/capex_refresh"), &refresh, a);

        line net = {0};
        for (int y = 0; y < 3; y++) {
            net.year[y] = rev.year[y] - energy.year[y] - opex.year[y] + hrev.year[y] -
                          hopex.year[y] - capex.year[y] - refresh.year[y];
            mw_mining.year[y] /= YEAR_LAST[y] - YEAR_FIRST[y] + 1;
            mw_leased.year[y] /= YEAR_LAST[y] - YEAR_FIRST[y] + 1;
        }
        net.pv = rev.pv - energy.pv - opex.pv + hrev.pv - hopex.pv - capex.pv - refresh.pv;
        check_line("net_cash_flow", tu_var(l, out, "cashflow/net_cash_flow"), &net, a);
        check_line("mw_mining", tu_var(l, out, "cashflow/mw_mining"), &mw_mining, a);
        check_line("mw_leased", tu_var(l, out, "cashflow/mw_leased"), &mw_leased, a);
        /* Terminal values: each line at its multiple of the window's NOI
         * (mining after refresh), per year of 365.25 days, or its salvage
         * if more; discounted with the last day's factor v^1096. */
        const double v_last = pow(1 + RATE, -1096 / 365.25);
        double noi_mining = (rev.win - energy.win - opex.win - refresh.win) * 365.25 / 365;
        double noi_hpc = (hrev.win - hopex.win) * 365.25 / 365;
        double tv_mining = fmax(TVM_MINING * noi_mining, SALVAGE_MINING * cm_late);
        double tv_hpc = fmax(TVM_HPC * noi_hpc, SALVAGE_HPC * (CAP - cm_late));
        double tv = tv_mining + tv_hpc;
        /* Mining burns more power than it earns here: the fleet is shut
         * down and valued at salvage; the data centre is a going concern. */
        CHECK(noi_mining < 0 && tv_mining == SALVAGE_MINING * cm_late);
        CHECK(a == 0 || TVM_HPC * noi_hpc > SALVAGE_HPC * (CAP - cm_late));
        CHECK_REL(tu_var(l, out, "valuation/terminal_value_mining")[a], tv_mining, TOL);
        CHECK_MSG(fabs(tu_var(l, out, "valuation/terminal_value_hpc")[a] - tv_hpc) <= TOL * tv_hpc,
                  "alloc %d: %.15g vs %.15g", a, tu_var(l, out, "valuation/terminal_value_hpc")[a], tv_hpc);
        CHECK_REL(tu_var(l, out, "valuation/terminal_value")[a], tv, TOL);
        CHECK_REL(tu_var(l, out, "valuation/npv")[a], net.pv + tv * v_last, TOL);
        double npv_hpc = hrev.pv - hopex.pv - capex.pv + tv_hpc * v_last;
        CHECK_MSG(fabs(tu_var(l, out, "valuation/npv_hpc")[a] - npv_hpc) <= TOL * fabs(npv_hpc) + 1e-6,
                  "npv_hpc alloc %d: got %.15g want %.15g", a, tu_var(l, out, "valuation/npv_hpc")[a], npv_hpc);

        /* Network and halving, identical for both allocations here. */
        const double *hd = tu_var(l, out, "network/halving_day");
        CHECK(hd[a * 4 + 0] == hday && hd[a * 4 + 1] == -1);
        for (int y = 0; y < 3; y++) {
            double days = YEAR_LAST[y] - YEAR_FIRST[y] + 1;
            CHECK_REL(tu_var(l, out, "network/blocks")[a * 3 + y], b * days, TOL);
            CHECK_REL(tu_var(l, out, "network/difficulty_end")[a * 3 + y], D0, TOL);
            CHECK_REL(tu_var(l, out, "network/subsidy_end")[a * 3 + y], 1.5625, 0);
            CHECK_REL(tu_var(l, out, "network/hashrate_end")[a * 3 + y], H * 1e-18, TOL);
        }
    }

    /* Market lines. */
    for (int y = 0; y < 3; y++) {
        int lo = YEAR_FIRST[y], hi = YEAR_LAST[y];
        double days = hi - lo + 1;
        CHECK_REL(tu_var(l, out, "market/btc_price_mean")[y], S0 * geo(exp(MU * DT), lo, hi) / days, TOL);
        CHECK_REL(tu_var(l, out, "market/btc_price_end")[y], S0 * exp(MU * DT * hi), TOL);
        CHECK_REL(tu_var(l, out, "market/fee_mean")[y], FEE, TOL);
        CHECK_REL(tu_var(l, out, "market/lease_rate_mean")[y], L0 * geo(exp(LG * DT), lo, hi) / days, TOL);
    }

    free(out);
    free(ws);
    hp_scenario_model.destroy(m);
    hp_config_free(cfg);
    return CHECK_DONE();
}
