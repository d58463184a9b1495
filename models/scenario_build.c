/* scenario_build.c: the scenario model built from a config (hp_model
 * create and destroy), with its output variables, its parameter tables and
 * the names of its daily trace. The daily loop is in scenario.c. */
#include "scenario.h"
#include "scenario_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const hp_var hp_scenario_vars[N_VARS] = {
    [V_PRICE_MEAN] = {"market/btc_price_mean", HP_SHAPE_PATH_YEAR, "USD", "mean daily BTC price in the year", 0},
    [V_PRICE_END] = {"market/btc_price_end", HP_SHAPE_PATH_YEAR, "USD", "BTC price on the last day of the year", 0},
    [V_FEE_MEAN] = {"market/fee_mean", HP_SHAPE_PATH_YEAR, "BTC/block", "mean transaction fees per block", 0},
    [V_LEASE_MEAN] = {"market/lease_rate_mean", HP_SHAPE_PATH_YEAR, "USD/MW/yr", "mean market AI/HPC colocation lease rate", 0},
    [V_HASHRATE_END] = {"network/hashrate_end", HP_SHAPE_ALLOC_PATH_YEAR, "EH/s", "network hashrate on the last day of the year", 0},
    [V_DIFFICULTY_END] = {"network/difficulty_end", HP_SHAPE_ALLOC_PATH_YEAR, "1", "difficulty at the end of the year", 0},
    [V_HASHPRICE_MEAN] = {"network/hashprice_mean", HP_SHAPE_ALLOC_PATH_YEAR, "USD/PH/s/day", "mean hashprice: network revenue per PH/s per day", 0},
    [V_SUBSIDY_END] = {"network/subsidy_end", HP_SHAPE_ALLOC_PATH_YEAR, "BTC/block", "block subsidy at the end of the year", 0},
    [V_BLOCKS] = {"network/blocks", HP_SHAPE_ALLOC_PATH_YEAR, "blocks", "blocks mined by the network in the year", 1},
    [V_MINING_REV] = {"cashflow/mining_revenue", HP_SHAPE_ALLOC_PATH_YEAR, "USD", "mining revenue after pool fee", 1},
    [V_ENERGY] = {"cashflow/mining_energy_cost", HP_SHAPE_ALLOC_PATH_YEAR, "USD", "energy cost of mining", 1},
    [V_MINING_OPEX] = {"cashflow/mining_opex", HP_SHAPE_ALLOC_PATH_YEAR, "USD", "other mining opex: fixed per MW, plus the variable cost on days mined", 1},
    [V_HPC_REV] = {"cashflow/hpc_revenue", HP_SHAPE_ALLOC_PATH_YEAR, "USD", "AI/HPC revenue: colocation rent or GPU cloud sales", 1},
    [V_HPC_OPEX] = {"cashflow/hpc_opex", HP_SHAPE_ALLOC_PATH_YEAR, "USD", "AI/HPC opex: (1 - NOI margin) x revenue", 1},
    [V_CAPEX_BUILD] = {"cashflow/capex_build", HP_SHAPE_ALLOC_PATH_YEAR, "USD", "conversion capex of tranches under construction", 1},
    [V_NET_CF] = {"cashflow/net_cash_flow", HP_SHAPE_ALLOC_PATH_YEAR, "USD", "net cash flow: revenues less costs and capex (build, GPUs, fleet refresh)", 1},
    [V_BTC_MINED] = {"cashflow/btc_mined", HP_SHAPE_ALLOC_PATH_YEAR, "BTC", "BTC mined by the firm after pool fee", 1},
    [V_MW_MINING] = {"cashflow/mw_mining", HP_SHAPE_ALLOC_PATH_YEAR, "MW", "average capacity mining (online or curtailed): not converted, not retired", 0},
    [V_MW_LEASED] = {"cashflow/mw_leased", HP_SHAPE_ALLOC_PATH_YEAR, "MW", "average capacity earning AI/HPC revenue: leased (colocation) or operating (GPU cloud)", 0},
    [V_NPV] = {"valuation/npv", HP_SHAPE_ALLOC_PATH, "USD", "net present value of daily net cash flows, plus the discounted terminal value", 0},
    [V_HALVING_DAY] = {"network/halving_day", HP_SHAPE_ALLOC_PATH_HALVING, "day", "day index (0 = start_date) of each halving; -1 not reached", 0},
    [V_POWER_MEAN] = {"market/power_price_mean", HP_SHAPE_PATH_YEAR, "USD/MWh", "mean power price paid by the miner", 0},
    [V_GPU_MEAN] = {"market/gpu_index_mean", HP_SHAPE_PATH_YEAR, "USD/MW/yr", "mean GPU rental index (revenue of a MW at full utilization)", 0},
    [V_BUST_SHARE] = {"market/ai_bust_share", HP_SHAPE_PATH_YEAR, "1", "share of the year's days in an AI bust", 0},
    [V_NET_REVENUE] = {"network/revenue", HP_SHAPE_ALLOC_PATH_YEAR, "USD", "network revenue: (subsidy + fees) of all blocks x BTC price", 0},
    [V_CAPEX_GPU] = {"cashflow/capex_gpu", HP_SHAPE_ALLOC_PATH_YEAR, "USD", "GPU capex (GPU cloud: at delivery and at each GPU life's end)", 1},
    [V_CAPEX_REFRESH] = {"cashflow/capex_refresh", HP_SHAPE_ALLOC_PATH_YEAR, "USD", "fleet refresh capex of the MW that mine: machines bought for the efficiency gain and to replace worn ones, and (miner.reequip) for retired sites that come back", 1},
    [V_DAYS_CURTAILED] = {"cashflow/days_curtailed", HP_SHAPE_ALLOC_PATH_YEAR, "day", "curtailment in whole-fleet days: sum over days of the share of mining MW switched off", 1},
    [V_DEFAULTS] = {"cashflow/tenant_defaults", HP_SHAPE_ALLOC_PATH_YEAR, "1", "tenant defaults (colocation)", 1},
    [V_NPV_HPC] = {"valuation/npv_hpc", HP_SHAPE_ALLOC_PATH, "USD", "NPV of the AI/HPC business alone: revenue less opex, build and GPU capex, plus its terminal value", 0},
    [V_TERMINAL] = {"valuation/terminal_value", HP_SHAPE_ALLOC_PATH, "USD", "terminal value at the horizon, both lines, undiscounted", 0},
    [V_MW_ONLINE] = {"cashflow/mw_online", HP_SHAPE_ALLOC_PATH_YEAR, "MW", "average mining capacity online (not curtailed)", 0},
    [V_TERMINAL_MINING] = {"valuation/terminal_value_mining", HP_SHAPE_ALLOC_PATH, "USD", "mining fleet at the horizon: max(multiple x last 365 days' NOI after refresh, salvage), undiscounted", 0},
    [V_TERMINAL_HPC] = {"valuation/terminal_value_hpc", HP_SHAPE_ALLOC_PATH, "USD", "data centre at the horizon: max(multiple x last 365 days' NOI, salvage), undiscounted", 0},
    [V_NET_MW_ONLINE] = {"network/mw_online_end", HP_SHAPE_ALLOC_PATH_YEAR, "MW", "fleet model: power of the others' machines running on the last day of the year; 0 for other models", 0},
    [V_FULL_COST_NEW] = {"network/full_cost_new", HP_SHAPE_ALLOC_PATH_YEAR, "USD/PH/s/day", "fleet model: mean full cost of a machine ordered (power at the median site, opex, machine and site annuities); 0 for other models", 0},
    [V_MW_RETIRED] = {"cashflow/mw_retired", HP_SHAPE_ALLOC_PATH_YEAR, "MW", "average capacity retired from mining (miner.exit_months: sites below cash cost for months, machines gone, powered site kept)", 0},
    [V_CASH_COST_BEST] = {"network/cash_cost_best", HP_SHAPE_ALLOC_PATH_YEAR, "USD/PH/s/day", "fleet model: mean power cost of the newest cohort at the median site; 0 for other models", 0},
};

/* The optimal policy's lines (allocation.policy = "optimal"), after the
 * static ones in the layout the engine sees. */
static const hp_var policy_vars[NP_VARS] = {
    [P_NPV] = {"policy/npv", HP_SHAPE_PATH, "USD", "optimal policy: net present value, as valuation/npv, on the same paths", 0},
    [P_NPV_HPC] = {"policy/npv_hpc", HP_SHAPE_PATH, "USD", "optimal policy: NPV of the AI/HPC business alone, as valuation/npv_hpc", 0},
    [P_TERMINAL] = {"policy/terminal_value", HP_SHAPE_PATH, "USD", "optimal policy: terminal value at the horizon, undiscounted", 0},
    [P_TRANCHES] = {"policy/tranches_started", HP_SHAPE_PATH, "1", "optimal policy: conversion tranches started over the horizon", 0},
    [P_FIRST_DAY] = {"policy/first_start_day", HP_SHAPE_PATH, "day", "optimal policy: day index of the first tranche started; -1 never", 0},
    [P_MW_OUT] = {"policy/mw_converted", HP_SHAPE_PATH_YEAR, "MW", "optimal policy: average capacity out of mining (contracted, in build or converted)", 0},
    [P_STARTED] = {"policy/tranches_started_year", HP_SHAPE_PATH_YEAR, "1", "optimal policy: conversion tranches started in the year", 0},
    [P_NET_CF] = {"policy/net_cash_flow", HP_SHAPE_PATH_YEAR, "USD", "optimal policy: net cash flow, as cashflow/net_cash_flow", 0},
};

const hp_param hp_time_params[] = {
    {"time.start_date", HP_DATE, "", "\"2026-01-01\"", 0, 0, NULL,
     "first simulated day (issue 2: 13 years from 2026-01-01)"},
    {"time.horizon_years", HP_DOUBLE, "yr", "13.0", 1.0 / 365.25, 100, NULL,
     "simulated horizon; days = round(365.25 x years) (VanEck: 13 years; docs/sources.md#vaneck-2024)"},
    HP_PARAM_END
};

const hp_param hp_correlation_params[] = {
    {"correlation.price_hashrate", HP_DOUBLE, "", "0.2", -1, 1, NULL,
     "correlation of daily price and hashrate shocks (28-day changes 2018-2023: 0.21)"},
    {"correlation.price_lease", HP_DOUBLE, "", "0.0", -1, 1, NULL,
     "correlation of daily price and AI lease-rate shocks"},
    {"correlation.hashrate_lease", HP_DOUBLE, "", "0.0", -1, 1, NULL,
     "correlation of daily hashrate and AI lease-rate shocks"},
    HP_PARAM_END
};

#define PRICE_TABLE(name) hp_price_##name##_params,
#define POWER_TABLE(name) hp_power_##name##_params,
const hp_param *const hp_scenario_params[] = {
    hp_time_params, hp_price_params, HP_PRICE_MODELS(PRICE_TABLE) hp_network_params, hp_fleet_params,
    hp_fee_params,
    hp_asic_params, hp_miner_params, HP_POWER_MODELS(POWER_TABLE) hp_allocation_params, hp_hpc_params,
    hp_ai_market_params,
    hp_gpu_params, hp_correlation_params, hp_valuation_params, hp_policy_params, NULL
};

static const char *const trace_market[T_MARKET] = {"market/btc_price", "market/fee_btc_per_block"};
static const char *const trace_chain[T_CHAIN] = {"hashrate", "difficulty", "blocks", "hashprice"};

int hp_scenario_trace_vars(const void *model, const char *const **names)
{
    const scenario *s = model;
    *names = (const char *const *)s->trace_names;
    return s->n_trace;
}

/* Names of the trace variables: market ones, then chain<n>/<name>. */
static int build_trace_names(scenario *s)
{
    s->n_trace = T_MARKET + s->n_net * T_CHAIN;
    s->trace_names = calloc((size_t)s->n_trace, sizeof(char *));
    if (s->trace_names == NULL)
        return -1;
    for (int v = 0; v < s->n_trace; v++) {
        char buf[64];
        if (v < T_MARKET)
            snprintf(buf, sizeof buf, "%s", trace_market[v]);
        else
            snprintf(buf, sizeof buf, "chain%d/%s", (v - T_MARKET) / T_CHAIN,
                     trace_chain[(v - T_MARKET) % T_CHAIN]);
        if ((s->trace_names[v] = strdup(buf)) == NULL)
            return -1;
    }
    return 0;
}

/* Calendar years covered by the run, and the days of each. */
static int build_years(scenario *s, int32_t start)
{
    int y0, y1, m, dd;
    hp_civil_from_days(start, &y0, &m, &dd);
    hp_civil_from_days(start + s->n_days - 1, &y1, &m, &dd);
    int ny = y1 - y0 + 1;
    s->year = calloc((size_t)ny, sizeof(int));
    s->days_in_year = calloc((size_t)ny, sizeof(int));
    s->year_end_day = calloc((size_t)ny, sizeof(int));
    if (s->year == NULL || s->days_in_year == NULL || s->year_end_day == NULL)
        return -1;
    for (int i = 0; i < ny; i++) {
        s->year[i] = y0 + i;
        int first = hp_days_from_civil(y0 + i, 1, 1) - start;
        int last = hp_days_from_civil(y0 + i, 12, 31) - start;
        if (first < 0) first = 0;
        if (last > s->n_days - 1) last = s->n_days - 1;
        s->days_in_year[i] = last - first + 1;
        s->year_end_day[i] = last;
    }
    s->layout.n_years = ny;
    s->layout.year = s->year;
    s->layout.days_in_year = s->days_in_year;
    return 0;
}

/* Cholesky of the 3x3 correlation of (price, hashrate, lease) shocks. */
static int build_cholesky(scenario *s, const hp_config *cfg, hp_err *err)
{
    double r12 = hp_cfg_double(cfg, "correlation.price_hashrate");
    double r13 = hp_cfg_double(cfg, "correlation.price_lease");
    double r23 = hp_cfg_double(cfg, "correlation.hashrate_lease");
    double d2 = 1 - r12 * r12;
    if (!(d2 > 0))
        return hp_cfg_fail(cfg, err, "correlation.price_hashrate",
                           "correlation matrix is not positive definite (|rho| must be < 1)");
    s->l21 = r12;
    s->l22 = sqrt(d2);
    s->l31 = r13;
    s->l32 = (r23 - r12 * r13) / s->l22;
    double d3 = 1 - s->l31 * s->l31 - s->l32 * s->l32;
    if (!(d3 > 0))
        return hp_cfg_fail(cfg, err, "correlation.hashrate_lease",
                           "correlation matrix of (price, hashrate, lease) shocks is not "
                           "positive definite (determinant %.3g)", d2 * d3);
    s->l33 = sqrt(d3);
    return 0;
}


/* Fleet model: the start state all chains copy, built once: cohorts scaled
 * so that the supply at the day-0 hashprice is the others' start hashrate. */
static int fleet_template(scenario *s, const hp_config *cfg, double others_hs, hp_err *err)
{
    const hp_fleet *f = &s->net.fleet;
    double F = s->net.hist_fee != NULL ? s->net.hist_fee[0] : exp(s->net.fee0_log);
    double sub = (double)hp_subsidy_sat(s->net.height0) / (double)HP_COIN_SAT;
    double hp0 = DAY_S * 1e15 / HP_TWO32 / s->net.difficulty0 * (sub + F) * exp(s->price.log_s0);
    void *mem = malloc(hp_fleet_state_bytes(f));
    if (mem == NULL)
        return hp_fail(err, NULL, 0, NULL, "out of memory");
    s->fleet0 = hp_fleet_start(f, mem, others_hs, hp0, s->net.hashrate0_hs, (double)s->net.height0,
                               s->net.difficulty0, F);
    if (s->fleet0 == NULL) {
        free(mem);
        return hp_cfg_fail(cfg, err, "network.fleet.cohort_j_th",
                           "no site of any cohort covers its power cost at the start hashprice "
                           "($%.4g/PH/day): the start hashrate cannot be supplied", hp0);
    }
    return 0;
}

/* simulation.sampler: "sobol" builds the quasi-random normals of the three
 * daily shocks (price, hashrate, lease rate) over the horizon; "pseudo"
 * leaves s->qmc NULL (the PCG64 streams). */
static int build_sampler(scenario *s, const hp_config *cfg, hp_err *err)
{
    if (strcmp(hp_cfg_string(cfg, "simulation.sampler"), "sobol") != 0)
        return 0;
    int64_t m = hp_cfg_int(cfg, "simulation.qmc_points");
    if ((m & (m - 1)) != 0)
        return hp_cfg_fail(cfg, err, "simulation.qmc_points", "%lld is not a power of two: a "
                           "scramble's points are a Sobol net only in blocks of 2^k", (long long)m);
    s->qmc = malloc(sizeof *s->qmc);
    if (s->qmc == NULL)
        return hp_fail(err, NULL, 0, NULL, "out of memory");
    if (hp_qmc_init(s->qmc, s->n_days, HP_QMC_FACTORS, err) != 0) {
        free(s->qmc);
        s->qmc = NULL;
        return -1;
    }
    s->qmc_points = (uint64_t)m;
    return 0;
}

/* Builds the model from a validated config. */
void *hp_scenario_create(const hp_config *cfg, hp_err *err)
{
    scenario *s = calloc(1, sizeof *s);
    if (s == NULL) {
        hp_fail(err, NULL, 0, NULL, "out of memory");
        return NULL;
    }
    int32_t start = hp_cfg_date(cfg, "time.start_date");
    s->n_days = (int)lround(hp_cfg_double(cfg, "time.horizon_years") * 365.25);
    if (s->n_days < 1)
        s->n_days = 1;
    if (build_years(s, start) != 0) {
        hp_fail(err, NULL, 0, NULL, "out of memory");
        goto fail;
    }
    if (hp_price_init(&s->price, cfg, DT, start, s->n_days, &s->hist, err) != 0 ||
        hp_miner_init(&s->miner, cfg, DT, err) != 0 ||
        hp_asic_init(&s->asic, cfg, err) != 0 ||
        hp_network_init(&s->net, cfg, DT, start, s->n_days, &s->hist, err) != 0 ||
        hp_hpc_init(&s->hpc, cfg, s->miner.capacity_mw, start, s->n_days, DT, err) != 0 ||
        build_cholesky(s, cfg, err) != 0 ||
        build_sampler(s, cfg, err) != 0)
        goto fail;

    int64_t era = s->net.height0 / HP_HALVING_INTERVAL;
    for (int i = 0; i < N_HALVINGS; i++)
        s->halving_height[i] = (era + 1 + i) * HP_HALVING_INTERVAL;

    s->disc = malloc((size_t)s->n_days * sizeof(double));
    s->cum_disc = malloc(((size_t)s->n_days + 1) * sizeof(double));
    s->hs_per_mw = malloc((size_t)s->n_days * sizeof(double));
    int refresh = s->miner.refresh_market || s->miner.refresh_usd_th > 0 ||
                  s->miner.refresh_frontier;
    if (refresh)
        s->refresh_th_mw = malloc((size_t)s->n_days * sizeof(double));
    if (s->net.kind == HP_HASH_HISTORICAL)
        s->others_hs = malloc((size_t)s->n_days * sizeof(double));
    if (s->disc == NULL || s->cum_disc == NULL || s->hs_per_mw == NULL ||
        (refresh && s->refresh_th_mw == NULL) ||
        (s->net.kind == HP_HASH_HISTORICAL && s->others_hs == NULL)) {
        hp_fail(err, NULL, 0, NULL, "out of memory");
        goto fail;
    }
    hp_discount_factors(hp_cfg_double(cfg, "valuation.discount_rate"), s->n_days, s->disc);
    long double cum = 0;                  /* each prefix sum rounded once */
    for (int d = 0; d <= s->n_days; d++) {
        s->cum_disc[d] = (double)cum;
        if (d < s->n_days)
            cum += s->disc[d];
    }
    s->gpu_upkeep_day = s->hpc.gpu ? s->hpc.gpu_capex_usd_mw / s->hpc.gpu_life_days : 0;
    for (int d = 0; d < s->n_days; d++) {
        s->hs_per_mw[d] = hp_miner_hs_per_mw(&s->miner, d * DT);
        if (s->refresh_th_mw != NULL)
            s->refresh_th_mw[d] = hp_miner_refresh_th_per_mw(&s->miner, d * DT, DT);
    }
    s->burn_mwh_day = s->miner.uptime * 24.0;
    s->n_curve = s->miner.n_sites + 1;
    s->opex_usd_mw_day = s->miner.opex_usd_mw_year / 365.25;
    s->var_usd_mw_day = s->miner.uptime * 24.0 * s->miner.variable_usd_mwh;
    hp_valuation_init(&s->val, cfg);
    s->tv_first_day = s->n_days > 365 ? s->n_days - 365 : 0;
    s->tv_year_scale = 365.25 / (s->n_days - s->tv_first_day);
    s->pslot = -1;
    if (hp_conv_init(&s->conv, cfg, &s->hpc, s->miner.capacity_mw, s->n_days, s->disc, &s->val,
                     (uint64_t)hp_cfg_int(cfg, "simulation.seed"), err) != 0)
        goto fail;
    if (s->conv.on) {
        s->slot_alloc = malloc((size_t)(s->hpc.n_alloc + 1) * sizeof(double));
        if (s->slot_alloc == NULL
            || hp_hpc_add_policy_slot(&s->hpc, s->conv.n_rights, s->conv.tranche_mw) != 0) {
            hp_fail(err, NULL, 0, NULL, "out of memory");
            goto fail;
        }
        memcpy(s->slot_alloc, s->hpc.alloc, (size_t)s->hpc.n_alloc * sizeof(double));
        s->slot_alloc[s->hpc.n_alloc] = NAN;
        s->pslot = s->hpc.n_alloc;
    }

    /* The hashrate model drives the others' hashrate when the firm's own
     * fleet is part of the network, the whole network otherwise. The
     * fleet's mining MW are its capacity less the MW of signed leases. */
    s->n_net = s->miner.in_network ? s->hpc.n_slots : 1;
    double others = s->net.hashrate0_hs;
    const double mining_mw0 = s->miner.capacity_mw - s->hpc.contracted_mw;
    if (s->miner.in_network && s->net.kind != HP_HASH_HISTORICAL) {   /* historical: below */
        double own = mining_mw0 * s->hs_per_mw[0];
        others -= own;
        if (!(others > 0)) {
            hp_cfg_fail(cfg, err, "miner.capacity_mw",
                        "the fleet's hashrate (%.4g EH/s) is not below network.hashrate0_ehs "
                        "(%.4g EH/s), yet miner.in_network is true",
                        own * 1e-18, s->net.hashrate0_hs * 1e-18);
            goto fail;
        }
    }
    s->log_hash_market0 = others > 0 ? log(others) : 0;
    if (s->net.kind == HP_HASH_FLEET && fleet_template(s, cfg, others, err) != 0)
        goto fail;
    /* Historical: the CSV's network includes the fleet at full capacity. */
    for (int d = 0; s->others_hs != NULL && d < s->n_days; d++) {
        double own = s->miner.in_network ? mining_mw0 * s->hs_per_mw[d] : 0;
        s->others_hs[d] = s->net.hist_hs[d] - own;
        if (!(s->others_hs[d] > 0)) {
            hp_cfg_fail(cfg, err, "miner.capacity_mw",
                        "the fleet's hashrate (%.4g EH/s) is not below the network.csv hashrate "
                        "(%.4g EH/s) on day %d, yet miner.in_network is true",
                        own * 1e-18, s->net.hist_hs[d] * 1e-18, d);
            goto fail;
        }
    }

    if (s->n_net > HP_TRACE_CHAINS || build_trace_names(s) != 0) {
        hp_fail(err, NULL, 0, NULL, s->n_net > HP_TRACE_CHAINS ? "more than %d allocations with "
                "miner.in_network" : "out of memory (%d)", HP_TRACE_CHAINS);
        goto fail;
    }
    hp_layout *l = &s->layout;
    l->n_alloc = s->hpc.n_slots;
    l->alloc = s->conv.on ? s->slot_alloc : s->hpc.alloc;
    l->n_halvings = N_HALVINGS;
    l->halving_height = s->halving_height;
    l->n_days = s->n_days;
    l->qmc_points = s->qmc_points;
    l->n_vars = N_VARS;
    l->vars = hp_scenario_vars;
    l->baseline_alloc = -1;
    for (int a = 0; a < s->hpc.n_alloc; a++)
        if (l->alloc[a] == 0.0)
            l->baseline_alloc = a;
    double per_year = 365.25 / s->n_days;
    s->summary[0] = (hp_summary_item){"NPV", "valuation/npv", 1.0, 1};   /* paired with 0% */
    s->summary[1] = (hp_summary_item){"Mining revenue per year", "totals/mining_revenue", per_year, 0};
    s->summary[2] = (hp_summary_item){"HPC revenue per year", "totals/hpc_revenue", per_year, 0};
    l->n_summary = 3;
    l->summary = s->summary;
    int y0, m0, d0;
    hp_civil_from_days(start, &y0, &m0, &d0);
    snprintf(s->start_date, sizeof s->start_date, "%04d-%02d-%02d", y0, m0, d0);
    l->start_date = s->start_date;
    l->horizon_years = hp_cfg_double(cfg, "time.horizon_years");
    for (int i = 0; i < s->hist.n; i++)
        s->inputs[i] = (hp_input_file){ s->hist.h[i]->path, s->hist.h[i]->sha256 };
    l->n_inputs = s->hist.n;
    l->inputs = s->inputs;
    size_t off = 0;
    for (int v = 0; v < N_VARS; v++) {
        s->off[v] = off;
        off += hp_var_size(l, &hp_scenario_vars[v]);
    }
    if (s->conv.on) {
        /* The engine sees the static allocations, then the policy's lines. */
        hp_layout *x = &s->xlayout;
        *x = *l;
        x->n_alloc = s->hpc.n_alloc;
        x->alloc = s->hpc.alloc;
        memcpy(s->xvars, hp_scenario_vars, sizeof hp_scenario_vars);
        memcpy(s->xvars + N_VARS, policy_vars, sizeof policy_vars);
        x->n_vars = N_VARS + NP_VARS;
        x->vars = s->xvars;
        off = 0;
        for (int v = 0; v < x->n_vars; v++) {
            s->xoff[v] = off;
            off += hp_var_size(x, &s->xvars[v]);
        }
    }
    return s;
fail:
    hp_scenario_destroy(s);
    return NULL;
}

/* Frees the model (safe on a partly built one). */
void hp_scenario_destroy(void *model)
{
    scenario *s = model;
    if (s == NULL)
        return;
    hp_hpc_free(&s->hpc);
    hp_network_free(&s->net);
    free(s->fleet0);
    for (int v = 0; s->trace_names != NULL && v < s->n_trace; v++)
        free(s->trace_names[v]);
    free(s->trace_names);
    hp_miner_free(&s->miner);
    free(s->others_hs);
    free(s->refresh_th_mw);
    hp_price_free(&s->price);
    hp_history_set_free(&s->hist);
    free(s->year);
    free(s->days_in_year);
    free(s->year_end_day);
    free(s->disc);
    free(s->cum_disc);
    free(s->hs_per_mw);
    hp_conv_free(&s->conv);
    free(s->slot_alloc);
    if (s->qmc != NULL)
        hp_qmc_free(s->qmc);
    free(s->qmc);
    free(s);
}
