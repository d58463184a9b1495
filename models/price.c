/* price: BTC price process parameters and set-up (see price.h). */
#include "price.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"

/* Defaults of the variants are fitted on the daily history (docs/sources.md#history-data),
 * 2018-01-01 .. 2023-12-31, by scripts/calibrate.py (docs/sources.md#fit-price-2018-2023),
 * except where a line says "assumption". */
const hp_param hp_price_params[] = {
    {"price.model", HP_CHOICE, "", "\"gbm\"", 0, 0, "gbm|merton|regime|garch|bootstrap|historical",
     "price process (README \"Price models\")"},
    {"price.s0_usd", HP_DOUBLE, "USD", "87500.0", 1e-6, 1e12, NULL,
     "BTC price on start_date, all models but historical (late Nov 2025 about $83k-91k; docs/sources.md#btc-price-nov-2025)"},
    {"price.mu", HP_DOUBLE, "1/yr", "0.15", -5, 5, NULL,
     "drift of E[S]: E[S_t] = S_0 exp(mu t) for gbm, merton, garch; bootstrap re-centring target (assumption)"},
    {"price.sigma", HP_DOUBLE, "1/sqrt(yr)", "0.55", 0, 5, NULL,
     "gbm: annualized volatility (2018-2023 daily log returns: 0.71, docs/sources.md#fit-price-2018-2023; "
     "1-year realized 2025: 0.46, docs/sources.md#btc-vol-1y-realised)"},
    {"price.csv", HP_STRING, "", "\"\"", 0, 0, NULL,
     "bootstrap, historical: daily history CSV with date and price_usd columns (e.g. the one of docs/sources.md#history-data)"},

    {"price.merton.sigma", HP_DOUBLE, "1/sqrt(yr)", "0.213", 0, 5, NULL,
     "merton: volatility of the diffusion part, jumps excluded (2018-2023 MLE: 0.213, se 0.017)"},
    {"price.merton.lambda", HP_DOUBLE, "1/yr", "316.0", 0, 3652.5, NULL,
     "merton: jump intensity, jumps per year (2018-2023 MLE: 316, se 32: frequent small jumps; rare-jump fit with lambda <= 12: README)"},
    {"price.merton.jump_mean", HP_DOUBLE, "", "-0.00075", -5, 5, NULL,
     "merton: mean of the log jump size ln(S+/S-) (2018-2023 MLE: -0.00075, se 0.001)"},
    {"price.merton.jump_sd", HP_DOUBLE, "", "0.0367", 0, 5, NULL,
     "merton: standard deviation of the log jump size (2018-2023 MLE: 0.0367, se 0.0019)"},

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

    {"price.garch.alpha", HP_DOUBLE, "", "0.097", 0, 1, NULL,
     "garch: weight of yesterday's squared shock (2018-2023 MLE: 0.097, se 0.016)"},
    {"price.garch.beta", HP_DOUBLE, "", "0.852", 0, 1, NULL,
     "garch: persistence of the variance; alpha + beta < 1 (2018-2023 MLE: 0.852, se 0.021)"},
    {"price.garch.sigma_long", HP_DOUBLE, "1/sqrt(yr)", "0.755", 1e-6, 5, NULL,
     "garch: long-run annualized volatility; omega = sigma_long^2 dt (1 - alpha - beta) (2018-2023 MLE: 0.755, se 0.043)"},
    {"price.garch.sigma0", HP_DOUBLE, "1/sqrt(yr)", "0.0", 0, 10, NULL,
     "garch: annualized volatility on start_date; 0 = sigma_long (end-2023 fit: 0.51; late 2025 realized ~0.3-0.46, docs/sources.md#btc-vol-late-2025)"},

    {"price.bootstrap.block_days", HP_DOUBLE, "day", "20.0", 1, 36525, NULL,
     "bootstrap: mean block length L; blocks are geometric with mean L (assumption: longer than the ~14-day half-life of the garch fit's volatility clusters)"},
    {"price.bootstrap.from", HP_STRING, "", "\"\"", 0, 0, NULL,
     "bootstrap: first day (YYYY-MM-DD) of the source window of price.csv; \"\" = first day of the file"},
    {"price.bootstrap.to", HP_STRING, "", "\"\"", 0, 0, NULL,
     "bootstrap: last day (YYYY-MM-DD) of the source window; \"\" = last day of the file"},
    {"price.bootstrap.recentre", HP_BOOL, "", "true", 0, 0, NULL,
     "bootstrap: shift source log returns to mean (mu - s^2/2) dt, s their annualized volatility; false keeps the history's drift"},
    HP_PARAM_END
};

static const char *const kind_names[] = {
    "gbm", "merton", "regime", "garch", "bootstrap", "historical"
};

/* 1 / ln(1 - p) for geometric sojourns with daily end probability p, 0 when
 * p = 1 (every sojourn lasts one day). */
static double inv_log_stay(double p)
{
    return p >= 1 ? 0 : 1 / log1p(-p);
}

/* A geometric number of days >= 1 with P(K = k) = q^(k-1) (1 - q),
 * ln q = 1 / inv: inversion of one uniform. */
static long geometric_days(hp_pcg64 *r, double inv)
{
    double k = floor(log(hp_uniform(r)) * inv);
    return k < 1e15 ? 1 + (long)k : (long)1e15;
}

/* Reads a YYYY-MM-DD string parameter, "" giving `dflt`. */
static int date_or(const hp_config *cfg, const char *key, int32_t dflt, int32_t *day, hp_err *err)
{
    const char *s = hp_cfg_string(cfg, key);
    *day = dflt;
    if (s[0] == '\0')
        return 0;
    if (hp_date_parse(s, day) != 0)
        return hp_cfg_fail(cfg, err, key, "'%s' is not a date YYYY-MM-DD", s);
    return 0;
}

/* Mean and standard deviation (n - 1) of v[0..n). */
static void mean_sd(const double *v, long n, double *mean, double *sd)
{
    double m = 0, ss = 0;
    for (long i = 0; i < n; i++)
        m += v[i];
    m = n > 0 ? m / (double)n : 0;
    for (long i = 0; i < n; i++)
        ss += (v[i] - m) * (v[i] - m);
    *mean = m;
    *sd = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
}

/* Loads price.csv and checks it has prices. */
static const hp_history *price_history(const hp_config *cfg, hp_history_set *hist, hp_err *err)
{
    const hp_history *h = hp_history_get(hist, cfg, "price.csv", err);
    if (h == NULL || hp_history_require(h, HP_HIST_PRICE, err) != 0)
        return NULL;
    return h;
}

/* Bootstrap: the window's log returns, re-centred if asked. */
static int init_bootstrap(hp_price *p, const hp_config *cfg, double dt,
                          hp_history_set *hist, hp_err *err)
{
    const hp_history *h = price_history(cfg, hist, err);
    if (h == NULL)
        return -1;
    int32_t from, to;
    if (date_or(cfg, "price.bootstrap.from", h->day0, &from, err) ||
        date_or(cfg, "price.bootstrap.to", h->day0 + (int32_t)h->n - 1, &to, err))
        return -1;
    long i0 = hp_history_index(h, from), i1 = hp_history_index(h, to);
    if (i0 < 0 || i1 < 0)
        return hp_cfg_fail(cfg, err, i0 < 0 ? "price.bootstrap.from" : "price.bootstrap.to",
                           "%s is not in %s", hp_cfg_string(cfg, i0 < 0 ? "price.bootstrap.from"
                           : "price.bootstrap.to"), h->path);
    if (i1 - i0 < 2)
        return hp_cfg_fail(cfg, err, "price.bootstrap.to",
                           "the source window needs at least 3 days (2 returns)");
    const double *s = hp_history_col(h, HP_HIST_PRICE);
    p->n_ret = i1 - i0;
    p->ret = malloc((size_t)p->n_ret * sizeof(double));
    p->ret_z = malloc((size_t)p->n_ret * sizeof(double));
    if (p->ret == NULL || p->ret_z == NULL)
        return hp_fail(err, NULL, 0, NULL, "out of memory");
    for (long i = 0; i < p->n_ret; i++)
        p->ret[i] = log(s[i0 + i + 1] / s[i0 + i]);
    mean_sd(p->ret, p->n_ret, &p->ret_mean, &p->ret_sd);
    if (hp_cfg_bool(cfg, "price.bootstrap.recentre")) {
        /* Same median growth as a gbm with this mu and the source's vol. */
        double var_yr = p->ret_sd * p->ret_sd / dt;
        double target = (hp_cfg_double(cfg, "price.mu") - 0.5 * var_yr) * dt;
        for (long i = 0; i < p->n_ret; i++)
            p->ret[i] += target - p->ret_mean;
        p->ret_mean = target;
    }
    for (long i = 0; i < p->n_ret; i++)
        p->ret_z[i] = p->ret_sd > 0 ? (p->ret[i] - p->ret_mean) / p->ret_sd : 0;
    p->boot_inv_log_stay = inv_log_stay(1 / hp_cfg_double(cfg, "price.bootstrap.block_days"));
    return 0;
}

/* Historical: ln S of each run day (plus the day after, if held) and the
 * standardized daily returns. */
static int init_historical(hp_price *p, const hp_config *cfg, int32_t start,
                           long n_days, hp_history_set *hist, hp_err *err)
{
    const hp_history *h = price_history(cfg, hist, err);
    if (h == NULL)
        return -1;
    const char *key = hp_history_index(h, start) < 0 ? "time.start_date" : "time.horizon_years";
    if (hp_history_cover(h, start, n_days, cfg, key, err) != 0)
        return -1;
    const double *s = hp_history_col(h, HP_HIST_PRICE);
    long i0 = hp_history_index(h, start);
    p->n_days = n_days;
    p->hist_x = malloc((size_t)(n_days + 1) * sizeof(double));
    p->hist_z = malloc((size_t)n_days * sizeof(double));
    if (p->hist_x == NULL || p->hist_z == NULL)
        return hp_fail(err, NULL, 0, NULL, "out of memory");
    for (long d = 0; d < n_days; d++)
        p->hist_x[d] = log(s[i0 + d]);
    /* The step after the last day is never used; hold the price if the file ends. */
    p->hist_x[n_days] = i0 + n_days < h->n ? log(s[i0 + n_days]) : p->hist_x[n_days - 1];
    for (long d = 0; d < n_days; d++)
        p->hist_z[d] = p->hist_x[d + 1] - p->hist_x[d];
    double m, sd;
    mean_sd(p->hist_z, n_days - 1, &m, &sd);
    for (long d = 0; d < n_days; d++)
        p->hist_z[d] = d < n_days - 1 && sd > 0 ? (p->hist_z[d] - m) / sd : 0;
    p->log_s0 = p->hist_x[0];
    return 0;
}

/* Reads the selected model's parameters and precomputes per-day constants. */
int hp_price_init(hp_price *p, const hp_config *cfg, double dt, int32_t start,
                  long n_days, hp_history_set *hist, hp_err *err)
{
    memset(p, 0, sizeof *p);
    const char *model = hp_cfg_string(cfg, "price.model");
    for (int k = 0; k < (int)(sizeof kind_names / sizeof *kind_names); k++)
        if (strcmp(model, kind_names[k]) == 0)
            p->kind = (hp_price_kind)k;
    double mu = hp_cfg_double(cfg, "price.mu");
    p->log_s0 = log(hp_cfg_double(cfg, "price.s0_usd"));

    switch (p->kind) {
    case HP_PRICE_GBM: {
        double sigma = hp_cfg_double(cfg, "price.sigma");
        p->drift_dt = (mu - 0.5 * sigma * sigma) * dt;
        p->vol_sqrt_dt = sigma * sqrt(dt);
        return 0;
    }
    case HP_PRICE_MERTON: {
        double sigma = hp_cfg_double(cfg, "price.merton.sigma");
        double lambda = hp_cfg_double(cfg, "price.merton.lambda");
        p->jump_mean = hp_cfg_double(cfg, "price.merton.jump_mean");
        p->jump_sd = hp_cfg_double(cfg, "price.merton.jump_sd");
        /* E[e^J] - 1: the compensator keeps E[S_t] = S_0 e^(mu t) exact. */
        double kappa = expm1(p->jump_mean + 0.5 * p->jump_sd * p->jump_sd);
        if (!isfinite(kappa))
            return hp_cfg_fail(cfg, err, "price.merton.jump_mean",
                               "E[exp(jump)] overflows: jump_mean + jump_sd^2/2 is too large");
        p->drift_dt = (mu - 0.5 * sigma * sigma - lambda * kappa) * dt;
        p->vol_sqrt_dt = sigma * sqrt(dt);
        p->jump_gap_days = lambda > 0 ? 1 / (lambda * dt) : 0;
        return 0;
    }
    case HP_PRICE_REGIME: {
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
            p->reg_inv_log_stay[k] = inv_log_stay(-expm1(-dt / years[k]));
        }
        const char *s0 = hp_cfg_string(cfg, "price.regime.start");
        p->reg_p_bull0 = strcmp(s0, "bull") == 0 ? 1 : strcmp(s0, "bear") == 0 ? 0
                         : years[0] / (years[0] + years[1]);
        return 0;
    }
    case HP_PRICE_GARCH: {
        p->alpha = hp_cfg_double(cfg, "price.garch.alpha");
        p->beta = hp_cfg_double(cfg, "price.garch.beta");
        if (!(p->alpha + p->beta < 1))
            return hp_cfg_fail(cfg, err, "price.garch.beta", "alpha + beta = %g: the variance "
                               "has no long-run level unless alpha + beta < 1", p->alpha + p->beta);
        double sl = hp_cfg_double(cfg, "price.garch.sigma_long");
        double s0 = hp_cfg_double(cfg, "price.garch.sigma0");
        p->mu_dt = mu * dt;
        p->omega = sl * sl * dt * (1 - p->alpha - p->beta);
        p->h0 = (s0 > 0 ? s0 * s0 : sl * sl) * dt;
        return 0;
    }
    case HP_PRICE_BOOTSTRAP:
        return init_bootstrap(p, cfg, dt, hist, err);
    case HP_PRICE_HISTORICAL:
        return init_historical(p, cfg, start, n_days, hist, err);
    }
    return 0;
}

void hp_price_free(hp_price *p)
{
    free(p->ret);
    free(p->ret_z);
    free(p->hist_x);
    free(p->hist_z);
    p->ret = p->ret_z = p->hist_x = p->hist_z = NULL;
}

/* Path start: ln S_0 and the draws that fix the first sojourn, jump or block. */
void hp_price_path_init(const hp_price *p, hp_price_path *st, hp_pcg64 *r)
{
    memset(st, 0, sizeof *st);
    st->x = p->log_s0;
    st->next_jump = DBL_MAX;
    switch (p->kind) {
    case HP_PRICE_MERTON:
        if (p->jump_gap_days > 0)
            st->next_jump = hp_exponential(r) * p->jump_gap_days;
        break;
    case HP_PRICE_REGIME:
        st->regime = p->reg_p_bull0 >= 1 ? 0 : p->reg_p_bull0 <= 0 ? 1
                     : hp_uniform(r) < p->reg_p_bull0 ? 0 : 1;
        st->left = geometric_days(r, p->reg_inv_log_stay[st->regime]);
        break;
    case HP_PRICE_GARCH:
        st->h = p->h0;
        break;
    default:
        break;              /* bootstrap draws its first block on day 0 */
    }
}

/* Merton: adds every jump due by the end of today (Poisson arrivals in
 * continuous time: the count in each day is exactly Poisson(lambda dt)). */
void hp_price_jumps(const hp_price *p, hp_price_path *st, hp_pcg64 *r)
{
    double end = (double)(st->day + 1);
    while (st->next_jump < end) {
        st->x += p->jump_mean + p->jump_sd * hp_normal(r);
        st->next_jump += hp_exponential(r) * p->jump_gap_days;
    }
}

/* Regime: the sojourn ended today; tomorrow is in the other state. */
void hp_price_regime_switch(const hp_price *p, hp_price_path *st, hp_pcg64 *r)
{
    st->regime = 1 - st->regime;
    st->left = geometric_days(r, p->reg_inv_log_stay[st->regime]);
}

/* Bootstrap: a new block at a uniform start with a geometric length. */
void hp_price_new_block(const hp_price *p, hp_price_path *st, hp_pcg64 *r)
{
    st->i = (long)(((hp_u128)hp_pcg64_next(r) * (hp_u128)p->n_ret) >> 64);
    st->left = geometric_days(r, p->boot_inv_log_stay);
}
