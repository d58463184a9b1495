/* price model gbm: geometric Brownian motion,
 *   x += (mu - sigma^2/2) dt + sigma sqrt(dt) Z,
 * so E[S_t] = S_0 e^(mu t) and ln S_t is normal. */
#include "price.h"

const hp_param hp_price_gbm_params[] = {
    {"price.sigma", HP_DOUBLE, "1/sqrt(yr)", "0.55", 0, 5, NULL,
     "gbm: annualized volatility (2018-2023 daily log returns: 0.71, docs/sources.md#fit-price-2018-2023; "
     "1-year realized 2025: 0.46, docs/sources.md#btc-vol-1y-realised)"},
    HP_PARAM_END
};

static int gbm_init(hp_price *p, const hp_config *cfg, double dt, int32_t start, long n_days,
                    hp_history_set *hist, hp_err *err)
{
    double sigma = hp_cfg_double(cfg, "price.sigma");
    p->drift_dt = (p->mu - 0.5 * sigma * sigma) * dt;
    p->vol_sqrt_dt = sigma * sqrt(dt);
    return 0;
}

static double gbm_step(const hp_price *p, hp_price_path *st, hp_pcg64 *r, double z)
{
    st->x += p->drift_dt + p->vol_sqrt_dt * z;
    return z;
}

const hp_price_model hp_price_gbm = {"gbm", gbm_init, NULL, gbm_step, 1};
