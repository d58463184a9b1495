/* price model bootstrap: stationary block bootstrap (Politis & Romano 1994)
 * of the daily log returns of price.csv between `from` and `to`: blocks
 * start at a uniform day of the window, last a geometric number of days
 * with mean L, and wrap around. Re-centred, the returns are shifted so
 * their mean is (mu - s^2/2) dt, s their annualized volatility: the median
 * growth of a gbm with price.mu. The day's shock is the standardized
 * return. */
#include "price.h"

#include <stdlib.h>

#include "date.h"

const hp_param hp_price_bootstrap_params[] = {
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

/* The window's log returns, re-centred if asked. */
static int bootstrap_init(hp_price *p, const hp_config *cfg, double dt, int32_t start,
                          long n_days, hp_history_set *hist, hp_err *err)
{
    const hp_history *h = hp_price_history(cfg, hist, err);
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
    hp_price_mean_sd(p->ret, p->n_ret, &p->ret_mean, &p->ret_sd);
    if (hp_cfg_bool(cfg, "price.bootstrap.recentre")) {
        /* Same median growth as a gbm with this mu and the source's vol. */
        double var_yr = p->ret_sd * p->ret_sd / dt;
        double target = (p->mu - 0.5 * var_yr) * dt;
        for (long i = 0; i < p->n_ret; i++)
            p->ret[i] += target - p->ret_mean;
        p->ret_mean = target;
    }
    for (long i = 0; i < p->n_ret; i++)
        p->ret_z[i] = p->ret_sd > 0 ? (p->ret[i] - p->ret_mean) / p->ret_sd : 0;
    p->boot_inv_log_stay =
        hp_price_inv_log_stay(1 / hp_cfg_double(cfg, "price.bootstrap.block_days"));
    return 0;
}

/* A new block at a uniform start with a geometric length. */
static void bootstrap_new_block(const hp_price *p, hp_price_path *st, hp_pcg64 *r)
{
    st->i = (long)(((hp_u128)hp_pcg64_next(r) * (hp_u128)p->n_ret) >> 64);
    st->left = hp_price_geometric_days(r, p->boot_inv_log_stay);
}

/* The first block is drawn on day 0 (st->left = 0 at the start). */
static double bootstrap_step(const hp_price *p, hp_price_path *st, hp_pcg64 *r, double normal)
{
    if (st->left == 0)
        bootstrap_new_block(p, st, r);
    double z = p->ret_z[st->i];
    st->x += p->ret[st->i];
    if (++st->i == p->n_ret)
        st->i = 0;              /* circular, as Politis & Romano */
    st->left--;
    return z;
}

const hp_price_model hp_price_bootstrap = {"bootstrap", bootstrap_init, NULL, bootstrap_step, 0};
