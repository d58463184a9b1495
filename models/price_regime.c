/* price model regime: two states, bull and bear, each a gbm with its own
 * mu and sigma; a state lasts a geometric number of days with mean 1/p,
 * p = 1 - exp(-dt/years). Index 0 is bull, 1 bear. */
#include "price.h"

#include <stdio.h>
#include <string.h>

const hp_param hp_price_regime_params[] = {
    {"price.regime.bull_mu", HP_DOUBLE, "1/yr", "0.9", -10, 10, NULL,
     "regime: drift of E[S] in the bull state (assumption, cf. 2020-21 and 2023 rallies in the daily history)"},
    {"price.regime.bull_sigma", HP_DOUBLE, "1/sqrt(yr)", "0.6", 0, 5, NULL,
     "regime: annualized volatility in the bull state (assumption)"},
    {"price.regime.bull_years", HP_DOUBLE, "yr", "2.0", 1.0 / 365.25, 100, NULL,
     "regime: mean duration of a bull state; daily switch probability 1 - exp(-dt/years) (assumption: ~4-year cycles)"},
    {"price.regime.bear_mu", HP_DOUBLE, "1/yr", "-0.7", -10, 10, NULL,
     "regime: drift of E[S] in the bear state (assumption, cf. 2018 and 2022 in the daily history)"},
    {"price.regime.bear_sigma", HP_DOUBLE, "1/sqrt(yr)", "0.8", 0, 5, NULL,
     "regime: annualized volatility in the bear state (assumption)"},
    {"price.regime.bear_years", HP_DOUBLE, "yr", "1.0", 1.0 / 365.25, 100, NULL,
     "regime: mean duration of a bear state (assumption: 2018 and 2022 bears lasted about a year)"},
    {"price.regime.start", HP_CHOICE, "", "\"stationary\"", 0, 0, "stationary|bull|bear",
     "regime: state on start_date; stationary draws bull with probability bull_years / (bull_years + bear_years)"},
    HP_PARAM_END
};

static int regime_init(hp_price *p, const hp_config *cfg, double dt, int32_t start,
                       long n_days, hp_history_set *hist, hp_err *err)
{
    static const char *const st[2] = {"bull", "bear"};
    double years[2];
    for (int k = 0; k < 2; k++) {
        char key[64];
        snprintf(key, sizeof key, "price.regime.%s_mu", st[k]);
        double m = hp_cfg_double(cfg, key);
        snprintf(key, sizeof key, "price.regime.%s_sigma", st[k]);
        double s = hp_cfg_double(cfg, key);
        snprintf(key, sizeof key, "price.regime.%s_years", st[k]);
        years[k] = hp_cfg_double(cfg, key);
        p->reg_drift_dt[k] = (m - 0.5 * s * s) * dt;
        p->reg_vol_sqrt_dt[k] = s * sqrt(dt);
        p->reg_inv_log_stay[k] = hp_price_inv_log_stay(-expm1(-dt / years[k]));
    }
    const char *s0 = hp_cfg_string(cfg, "price.regime.start");
    p->reg_p_bull0 = strcmp(s0, "bull") == 0 ? 1 : strcmp(s0, "bear") == 0 ? 0
                     : years[0] / (years[0] + years[1]);
    return 0;
}

static void regime_path_init(const hp_price *p, hp_price_path *st, hp_pcg64 *r)
{
    st->regime = p->reg_p_bull0 >= 1 ? 0 : p->reg_p_bull0 <= 0 ? 1
                 : hp_uniform(r) < p->reg_p_bull0 ? 0 : 1;
    st->left = hp_price_geometric_days(r, p->reg_inv_log_stay[st->regime]);
}

/* The sojourn ended today; tomorrow is in the other state. */
static void regime_switch(const hp_price *p, hp_price_path *st, hp_pcg64 *r)
{
    st->regime = 1 - st->regime;
    st->left = hp_price_geometric_days(r, p->reg_inv_log_stay[st->regime]);
}

static double regime_step(const hp_price *p, hp_price_path *st, hp_pcg64 *r, double z)
{
    int k = st->regime;
    st->x += p->reg_drift_dt[k] + p->reg_vol_sqrt_dt[k] * z;
    if (--st->left == 0)
        regime_switch(p, st, r);
    return z;
}

const hp_price_model hp_price_regime = {"regime", regime_init, regime_path_init, regime_step, 1};
