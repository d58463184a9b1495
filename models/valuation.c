/* valuation: discount factors and terminal-value keys (see valuation.h). */
#include "valuation.h"

#include <math.h>

const hp_param hp_valuation_params[] = {
    {"valuation.discount_rate", HP_DOUBLE, "1/yr", "0.10", -0.5, 5, NULL,
     "annual discount rate (the NPV reconstruction of VanEck's $37.6B implies about 10%; docs/sources.md#vaneck-2024-reconstruction)"},
    {"valuation.terminal", HP_BOOL, "", "true", 0, 0, NULL,
     "add each line's going-concern value at the horizon: max(multiple x NOI of the last 365 days, salvage)"},
    {"valuation.hpc_noi_multiple", HP_DOUBLE, "", "15.0", 0, 1000, NULL,
     "data centre value per USD of yearly NOI (VanEck 2026: mid-teens infrastructure multiple, docs/sources.md#vaneck-2026; "
     "JLL colocation cap rates 6-7%, 1/cap = 14-17x, docs/sources.md#capex-benchmarks-2026)"},
    {"valuation.mining_noi_multiple", HP_DOUBLE, "", "4.0", 0, 1000, NULL,
     "mining fleet value per USD of yearly NOI after fleet refresh (uncontracted miners trade at 2-6x, metric unclear; "
     "docs/sources.md#vaneck-2026; the middle, an assumption)"},
    {"valuation.hpc_salvage_usd_per_mw", HP_DOUBLE, "USD/MW", "475000.0", 0, 1e9, NULL,
     "value of a MW of data centre shut down: a good powered site ($400-550k per MW; docs/sources.md#powered-land-2025)"},
    {"valuation.mining_salvage_usd_per_mw", HP_DOUBLE, "USD/MW", "175000.0", 0, 1e9, NULL,
     "value of a MW of mining site shut down: a poor powered site ($100-250k per MW; docs/sources.md#powered-land-2025)"},
    HP_PARAM_END
};

void hp_valuation_init(hp_valuation *v, const hp_config *cfg)
{
    v->discount_rate = hp_cfg_double(cfg, "valuation.discount_rate");
    v->terminal = hp_cfg_bool(cfg, "valuation.terminal");
    v->hpc_multiple = hp_cfg_double(cfg, "valuation.hpc_noi_multiple");
    v->mining_multiple = hp_cfg_double(cfg, "valuation.mining_noi_multiple");
    v->hpc_salvage_usd_mw = hp_cfg_double(cfg, "valuation.hpc_salvage_usd_per_mw");
    v->mining_salvage_usd_mw = hp_cfg_double(cfg, "valuation.mining_salvage_usd_per_mw");
}

/* exp/log form keeps every factor to one rounding, whatever d. */
void hp_discount_factors(double rate, int n_days, double *disc)
{
    double lr = log1p(rate);
    for (int d = 0; d < n_days; d++)
        disc[d] = exp(-lr * (d + 1) / 365.25);
}
