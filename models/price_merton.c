/* price model merton: a gbm diffusion plus compound-Poisson normal jumps of
 * log size N(jump_mean, jump_sd^2), arriving at lambda per year in
 * continuous time; the drift less lambda (E[e^J] - 1) keeps
 * E[S_t] = S_0 e^(mu t) exact. */
#include "price.h"

#include <float.h>

const hp_param hp_price_merton_params[] = {
    {"price.merton.sigma", HP_DOUBLE, "1/sqrt(yr)", "0.213", 0, 5, NULL,
     "merton: volatility of the diffusion part, jumps excluded (2018-2023 MLE: 0.213, se 0.017)"},
    {"price.merton.lambda", HP_DOUBLE, "1/yr", "316.0", 0, 3652.5, NULL,
     "merton: jump intensity, jumps per year (2018-2023 MLE: 316, se 32: frequent small jumps; rare-jump fit with lambda <= 12: docs/analysis.md, Calibration)"},
    {"price.merton.jump_mean", HP_DOUBLE, "", "-0.00075", -5, 5, NULL,
     "merton: mean of the log jump size ln(S+/S-) (2018-2023 MLE: -0.00075, se 0.001)"},
    {"price.merton.jump_sd", HP_DOUBLE, "", "0.0367", 0, 5, NULL,
     "merton: standard deviation of the log jump size (2018-2023 MLE: 0.0367, se 0.0019)"},
    HP_PARAM_END
};

static int merton_init(hp_price *p, const hp_config *cfg, double dt, int32_t start,
                       long n_days, hp_history_set *hist, hp_err *err)
{
    double sigma = hp_cfg_double(cfg, "price.merton.sigma");
    double lambda = hp_cfg_double(cfg, "price.merton.lambda");
    p->jump_mean = hp_cfg_double(cfg, "price.merton.jump_mean");
    p->jump_sd = hp_cfg_double(cfg, "price.merton.jump_sd");
    /* E[e^J] - 1: the compensator keeps E[S_t] = S_0 e^(mu t) exact. */
    double kappa = expm1(p->jump_mean + 0.5 * p->jump_sd * p->jump_sd);
    if (!isfinite(kappa))
        return hp_cfg_fail(cfg, err, "price.merton.jump_mean",
                           "E[exp(jump)] overflows: jump_mean + jump_sd^2/2 is too large");
    p->drift_dt = (p->mu - 0.5 * sigma * sigma - lambda * kappa) * dt;
    p->vol_sqrt_dt = sigma * sqrt(dt);
    p->jump_gap_days = lambda > 0 ? 1 / (lambda * dt) : 0;
    return 0;
}

static void merton_path_init(const hp_price *p, hp_price_path *st, hp_pcg64 *r)
{
    if (p->jump_gap_days > 0)
        st->next_jump = hp_exponential(r) * p->jump_gap_days;
}

/* Adds every jump due by the end of today (Poisson arrivals in continuous
 * time: the count in each day is exactly Poisson(lambda dt)). Rare: out of
 * the common path. */
static void merton_jumps(const hp_price *p, hp_price_path *st, hp_pcg64 *r)
{
    double end = (double)(st->day + 1);
    while (st->next_jump < end) {
        st->x += p->jump_mean + p->jump_sd * hp_normal(r);
        st->next_jump += hp_exponential(r) * p->jump_gap_days;
    }
}

static double merton_step(const hp_price *p, hp_price_path *st, hp_pcg64 *r, double z)
{
    st->x += p->drift_dt + p->vol_sqrt_dt * z;
    if (st->next_jump < (double)(st->day + 1))
        merton_jumps(p, st, r);
    return z;
}

const hp_price_model hp_price_merton = {"merton", merton_init, merton_path_init, merton_step, 1};
