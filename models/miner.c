/* miner: fleet parameters and hashrate per MW (see miner.h). */
#include "miner.h"

#include <math.h>

const hp_param hp_miner_params[] = {
    {"miner.capacity_mw", HP_DOUBLE, "MW", "7600.0", 0, 1e6, NULL,
     "power capacity C (VanEck 2024: $13.9B / $9.11M per MW-yr = 1,526 MW = 20% of about 7.6 GW; parameters.md 1)"},
    {"miner.efficiency_j_th", HP_DOUBLE, "J/TH", "22.0", 1, 1000, NULL,
     "fleet efficiency on start_date (public fleets 16-19 J/TH, network 28.2 J/TH in 2024; parameters.md 4g)"},
    {"miner.efficiency_gain", HP_DOUBLE, "1/yr", "0.08", 0, 0.9, NULL,
     "fractional efficiency improvement per year (S21 17.5 to S23 9.7 J/TH over about 3 years at the frontier)"},
    {"miner.uptime", HP_DOUBLE, "", "0.95", 0, 1, NULL,
     "share of time the fleet hashes (maintenance, demand response)"},
    {"miner.pool_fee", HP_DOUBLE, "", "0.015", 0, 1, NULL,
     "pool fee as a share of rewards (FPPS pools 1-2.5%)"},
    {"miner.power_usd_mwh", HP_DOUBLE, "USD/MWh", "45.0", 0, 10000, NULL,
     "power price (CCAF 2025 median delivered electricity $45/MWh; parameters.md 4h)"},
    {"miner.opex_usd_mw_year", HP_DOUBLE, "USD/MW/yr", "92000.0", 0, 1e9, NULL,
     "other fixed opex per MW mining ((55.5 - 45) $/MWh all-in less power, times 8,766 h; parameters.md 4h)"},
    {"miner.in_network", HP_BOOL, "", "true", 0, 0, NULL,
     "the fleet is part of network hashrate (true for all public miners, about 29% of the network; parameters.md 4c)"},
    HP_PARAM_END
};

/* Reads miner.*; ranges were checked by the loader. */
int hp_miner_init(hp_miner *m, const hp_config *cfg, hp_err *err)
{
    m->capacity_mw = hp_cfg_double(cfg, "miner.capacity_mw");
    m->efficiency_j_th = hp_cfg_double(cfg, "miner.efficiency_j_th");
    m->efficiency_gain = hp_cfg_double(cfg, "miner.efficiency_gain");
    m->uptime = hp_cfg_double(cfg, "miner.uptime");
    m->pool_fee = hp_cfg_double(cfg, "miner.pool_fee");
    m->power_usd_mwh = hp_cfg_double(cfg, "miner.power_usd_mwh");
    m->opex_usd_mw_year = hp_cfg_double(cfg, "miner.opex_usd_mw_year");
    m->in_network = hp_cfg_bool(cfg, "miner.in_network");
    (void)err;
    return 0;
}

/* Efficiency improves geometrically: e(t) = e0 (1 - gain)^t. */
double hp_miner_hs_per_mw(const hp_miner *m, double t_years)
{
    double e = m->efficiency_j_th * pow(1.0 - m->efficiency_gain, t_years);
    return 1e6 / e * 1e12 * m->uptime;
}
