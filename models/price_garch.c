/* price model garch: GARCH(1,1) in the daily variance h,
 *   x += mu dt - h/2 + sqrt(h) Z,   h' = omega + alpha eps^2 + beta h,
 * eps = sqrt(h) Z, omega = sigma_long^2 dt (1 - alpha - beta). Given h,
 * E[e^(-h/2 + eps)] = 1, so E[S_t] = S_0 e^(mu t) exactly, whatever the
 * path of h; E[h_t] = hbar + (alpha + beta)^t (h_0 - hbar), hbar =
 * sigma_long^2 dt. */
#include "price.h"

const hp_param hp_price_garch_params[] = {
    {"price.garch.alpha", HP_DOUBLE, "", "0.097", 0, 1, NULL,
     "garch: weight of yesterday's squared shock (2018-2023 MLE: 0.097, se 0.016)"},
    {"price.garch.beta", HP_DOUBLE, "", "0.852", 0, 1, NULL,
     "garch: persistence of the variance; alpha + beta < 1 (2018-2023 MLE: 0.852, se 0.021)"},
    {"price.garch.sigma_long", HP_DOUBLE, "1/sqrt(yr)", "0.50", 1e-6, 5, NULL,
     "garch: long-run annualized volatility; omega = sigma_long^2 dt (1 - alpha - beta) (assumption anchored "
     "to the market: implied 37-42 late 2025, docs/sources.md#btc-vol-late-2025; realized 40-55% in 2023-24, "
     "docs/sources.md#btc-vol-cycles, 0.43-0.60 in 2022-23, docs/sources.md#fit-price-recent; the 2018-2023 MLE, 0.755, "
     "is a more volatile era)"},
    {"price.garch.sigma0", HP_DOUBLE, "1/sqrt(yr)", "0.40", 0, 10, NULL,
     "garch: annualized volatility on start_date, today's implied level; 0 = sigma_long (DVOL 37 and "
     "BVIV 42 in late 2025: docs/sources.md#btc-vol-late-2025)"},
    HP_PARAM_END
};

static int garch_init(hp_price *p, const hp_config *cfg, double dt, int32_t start,
                      long n_days, hp_history_set *hist, hp_err *err)
{
    p->alpha = hp_cfg_double(cfg, "price.garch.alpha");
    p->beta = hp_cfg_double(cfg, "price.garch.beta");
    if (!(p->alpha + p->beta < 1))
        return hp_cfg_fail(cfg, err, "price.garch.beta", "alpha + beta = %g: the variance "
                           "has no long-run level unless alpha + beta < 1", p->alpha + p->beta);
    double sl = hp_cfg_double(cfg, "price.garch.sigma_long");
    double s0 = hp_cfg_double(cfg, "price.garch.sigma0");
    p->mu_dt = p->mu * dt;
    p->omega = sl * sl * dt * (1 - p->alpha - p->beta);
    p->h0 = (s0 > 0 ? s0 * s0 : sl * sl) * dt;
    return 0;
}

static void garch_path_init(const hp_price *p, hp_price_path *st, hp_pcg64 *r)
{
    st->h = p->h0;
}

static double garch_step(const hp_price *p, hp_price_path *st, hp_pcg64 *r, double z)
{
    double h = st->h, eps = sqrt(h) * z;
    st->x += p->mu_dt - 0.5 * h + eps;
    st->h = p->omega + p->alpha * eps * eps + p->beta * h;
    return z;
}

const hp_price_model hp_price_garch = {"garch", garch_init, garch_path_init, garch_step, 1};
