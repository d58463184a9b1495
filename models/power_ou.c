/* power model ou: a common factor X multiplies every site's price; ln X
 * is an Ornstein-Uhlenbeck process around 0 (X_0 = 1), sampled exactly:
 *   ln X' = ln X e^(-kappa dt) + sigma sqrt((1 - e^(-2 kappa dt)) / (2 kappa)) Z,
 * Z from the power stream. Each site's price p_i X keeps its place on the
 * cost curve; E[X_t] = exp(v (1 - e^(-2 kappa t)) / 2), v = sigma^2 / (2 kappa). */
#include "miner.h"

#include <math.h>

#include "dist.h"
#include "ou.h"

const hp_param hp_power_ou_params[] = {
    {"miner.power_kappa", HP_DOUBLE, "1/yr", "1.0", 0, 365, NULL,
     "ou: mean-reversion speed of ln X, the factor on every site's power price (half-life 8 months: contracts reprice yearly; assumption)"},
    {"miner.power_sigma", HP_DOUBLE, "1/sqrt(yr)", "0.30", 0, 10, NULL,
     "ou: volatility of ln X (TeraWulf 4.1 to 8.1 c/kWh in a year, miners' range $30-80/MWh; "
     "docs/sources.md#terawulf-power-2025, docs/sources.md#power-range)"},
    HP_PARAM_END
};

static int ou_init(hp_miner *m, const hp_config *cfg, double dt, hp_err *err)
{
    double kappa = hp_cfg_double(cfg, "miner.power_kappa");
    m->power_decay = exp(-kappa * dt);
    m->power_vol = hp_ou_vol(hp_cfg_double(cfg, "miner.power_sigma"), kappa, dt);
    return 0;
}

static void ou_step(const hp_miner *m, hp_power_path *ps, hp_pcg64 *r)
{
    ps->lx = ps->lx * m->power_decay + m->power_vol * hp_normal(r);
    ps->factor = exp(ps->lx);
}

const hp_power_model hp_power_ou = {"ou", ou_init, ou_step};
