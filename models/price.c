/* price: BTC price process parameters (see price.h). */
#include "price.h"

#include <math.h>

const hp_param hp_price_params[] = {
    {"price.model", HP_CHOICE, "", "\"gbm\"", 0, 0, "gbm",
     "price process: gbm = geometric Brownian motion (MODEL.md 4)"},
    {"price.s0_usd", HP_DOUBLE, "USD", "87500.0", 1e-6, 1e12, NULL,
     "BTC price on start_date (late Dec 2025 about $83k-91k; parameters.md 4a)"},
    {"price.mu", HP_DOUBLE, "1/yr", "0.15", -5, 5, NULL,
     "expected log-return drift: E[S_t] = S_0 exp(mu t)"},
    {"price.sigma", HP_DOUBLE, "1/sqrt(yr)", "0.55", 0, 5, NULL,
     "annualized volatility (2018-2023 daily log returns of shared/data: 0.62; 1-year realized 2025: 0.46; parameters.md 4b)"},
    HP_PARAM_END
};

/* Only gbm exists in this version; the choice list keeps the key stable. */
int hp_price_init(hp_price *p, const hp_config *cfg, double dt, hp_err *err)
{
    double mu = hp_cfg_double(cfg, "price.mu");
    double sigma = hp_cfg_double(cfg, "price.sigma");
    p->log_s0 = log(hp_cfg_double(cfg, "price.s0_usd"));
    p->drift_dt = (mu - 0.5 * sigma * sigma) * dt;
    p->vol_sqrt_dt = sigma * sqrt(dt);
    (void)err;
    return 0;
}
