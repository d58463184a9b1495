/* miner: fleet parameters and hashrate per MW (see miner.h). */
#include "miner.h"

#include <math.h>
#include <string.h>

#include "ou.h"

const hp_param hp_miner_params[] = {
    {"miner.capacity_mw", HP_DOUBLE, "MW", "7600.0", 0, 1e6, NULL,
     "power capacity C (VanEck 2024: $13.9B / $9.11M per MW-yr = 1,526 MW = 20% of about 7.6 GW; docs/sources.md#vaneck-2024-reconstruction)"},
    {"miner.efficiency_j_th", HP_DOUBLE, "J/TH", "22.0", 1, 1000, NULL,
     "fleet efficiency on start_date (public fleets 16-19 J/TH, network 28.2 J/TH in 2024; "
     "docs/sources.md#fleet-efficiency-2025, docs/sources.md#ccaf-2025-efficiency)"},
    {"miner.efficiency_gain", HP_DOUBLE, "1/yr", "0.08", 0, 0.9, NULL,
     "fractional efficiency improvement per year (S21 17.5 to S23 9.7 J/TH over about 3 years at the frontier; docs/sources.md#antminer-s23)"},
    {"miner.uptime", HP_DOUBLE, "", "0.95", 0, 1, NULL,
     "share of time the fleet hashes (maintenance, demand response)"},
    {"miner.pool_fee", HP_DOUBLE, "", "0.015", 0, 1, NULL,
     "pool fee as a share of rewards (FPPS pools 1-2.5%)"},
    {"miner.power_usd_mwh", HP_DOUBLE, "USD/MWh", "45.0", 0, 10000, NULL,
     "power price (CCAF 2025 median delivered electricity $45/MWh; docs/sources.md#ccaf-2025-power)"},
    {"miner.opex_usd_mw_year", HP_DOUBLE, "USD/MW/yr", "92000.0", 0, 1e9, NULL,
     "other fixed opex per MW mining ((55.5 - 45) $/MWh all-in less power, times 8,766 h; docs/sources.md#mining-opex-per-mw)"},
    {"miner.in_network", HP_BOOL, "", "true", 0, 0, NULL,
     "the fleet is part of network hashrate (true for all public miners, about 29% of the network; docs/sources.md#jpmorgan-miner-share)"},
    {"miner.power_model", HP_CHOICE, "", "\"fixed\"", 0, 0, "fixed|ou",
     "power price: fixed at power_usd_mwh, or ou = log Ornstein-Uhlenbeck around it"},
    {"miner.power_kappa", HP_DOUBLE, "1/yr", "1.0", 0, 365, NULL,
     "ou: mean-reversion speed of ln power price (half-life 8 months: contracts reprice yearly; assumption)"},
    {"miner.power_sigma", HP_DOUBLE, "1/sqrt(yr)", "0.30", 0, 10, NULL,
     "ou: volatility of ln power price (TeraWulf 4.1 to 8.1 c/kWh in a year, miners' range $30-80/MWh; "
     "docs/sources.md#terawulf-power-2025, docs/sources.md#power-range)"},
    {"miner.curtail", HP_BOOL, "", "false", 0, 0, NULL,
     "switch the fleet off on days its revenue per MWh is below power price plus variable cost"},
    {"miner.variable_usd_mwh", HP_DOUBLE, "USD/MWh", "0.0", 0, 10000, NULL,
     "variable cost per MWh besides power, saved when curtailed, booked in mining opex (maintenance; assumption)"},
    {"miner.refresh_usd_per_th", HP_DOUBLE, "USD/TH", "0.0", 0, 1e6, NULL,
     "fleet refresh capex per TH/s of hashrate the efficiency gain adds (ASICs $10-30/TH mid-2025; docs/sources.md#asic-price-2025; 0 = free)"},
    HP_PARAM_END
};

/* Reads miner.*; ranges were checked by the loader. */
int hp_miner_init(hp_miner *m, const hp_config *cfg, double dt, hp_err *err)
{
    m->capacity_mw = hp_cfg_double(cfg, "miner.capacity_mw");
    m->efficiency_j_th = hp_cfg_double(cfg, "miner.efficiency_j_th");
    m->efficiency_gain = hp_cfg_double(cfg, "miner.efficiency_gain");
    m->uptime = hp_cfg_double(cfg, "miner.uptime");
    m->pool_fee = hp_cfg_double(cfg, "miner.pool_fee");
    m->power_usd_mwh = hp_cfg_double(cfg, "miner.power_usd_mwh");
    m->opex_usd_mw_year = hp_cfg_double(cfg, "miner.opex_usd_mw_year");
    m->in_network = hp_cfg_bool(cfg, "miner.in_network");
    m->power_ou = strcmp(hp_cfg_string(cfg, "miner.power_model"), "ou") == 0;
    double kp = hp_cfg_double(cfg, "miner.power_kappa");
    m->power_log_mean = log(m->power_usd_mwh > 0 ? m->power_usd_mwh : 1e-12);
    m->power_decay = exp(-kp * dt);
    m->power_vol = hp_ou_vol(hp_cfg_double(cfg, "miner.power_sigma"), kp, dt);
    if (m->power_ou && !(m->power_usd_mwh > 0))
        return hp_cfg_fail(cfg, err, "miner.power_usd_mwh",
                           "power_model = \"ou\" needs a positive power price (its log reverts to it)");
    m->curtail = hp_cfg_bool(cfg, "miner.curtail");
    m->variable_usd_mwh = hp_cfg_double(cfg, "miner.variable_usd_mwh");
    m->refresh_usd_th = hp_cfg_double(cfg, "miner.refresh_usd_per_th");
    return 0;
}

/* Efficiency improves geometrically: e(t) = e0 (1 - gain)^t. */
double hp_miner_hs_per_mw(const hp_miner *m, double t_years)
{
    double e = m->efficiency_j_th * pow(1.0 - m->efficiency_gain, t_years);
    return 1e6 / e * 1e12 * m->uptime;
}

/* Installed TH/s per MW at t: 10^6 W / e(t). */
static double th_per_mw(const hp_miner *m, double t_years)
{
    return 1e6 / (m->efficiency_j_th * pow(1.0 - m->efficiency_gain, t_years));
}

/* Priced on the hashrate gained, not on whole machines replaced. */
double hp_miner_refresh_usd_per_mw(const hp_miner *m, double t_years, double dt)
{
    return m->refresh_usd_th * (th_per_mw(m, t_years + dt) - th_per_mw(m, t_years));
}
