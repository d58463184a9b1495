/* price: the BTC price process (README "Price models").
 *
 * price.model selects one of six processes for x = ln S (S in USD), all on
 * daily steps of dt years:
 *   gbm         x += (mu - sigma^2/2) dt + sigma sqrt(dt) Z
 *   merton      gbm diffusion plus compound-Poisson normal jumps, drift
 *               compensated so that E[S_t] = S_0 exp(mu t)
 *   regime      two-state Markov chain (bull, bear), each state a gbm with its
 *               own mu and sigma; geometric sojourns with mean = duration
 *   garch       GARCH(1,1) daily variance h: x += mu dt - h/2 + sqrt(h) Z,
 *               h' = omega + alpha eps^2 + beta h
 *   bootstrap   stationary block bootstrap (Politis & Romano 1994) of daily
 *               log returns of a CSV, optionally re-centred
 *   historical  the CSV's prices from time.start_date on
 *
 * Model constants live in hp_price (built once, read-only, shared by
 * threads); the per-path state in hp_price_path (on the caller's stack).
 * Every draw comes from the generator handed to hp_price_step (the scenario
 * passes the PRICE component stream). The Gaussian draw Z of a day is the
 * first draw of that day; hp_price_step returns it (for bootstrap and
 * historical, the day's standardized return) so that the caller can
 * correlate other shocks with the price shock. */
#ifndef HP_PRICE_H
#define HP_PRICE_H

#include <math.h>
#include <stdint.h>

#include "config.h"
#include "dist.h"
#include "history.h"
#include "hp_err.h"
#include "rng.h"

typedef enum hp_price_kind {
    HP_PRICE_GBM, HP_PRICE_MERTON, HP_PRICE_REGIME, HP_PRICE_GARCH,
    HP_PRICE_BOOTSTRAP, HP_PRICE_HISTORICAL
} hp_price_kind;

typedef struct hp_price {
    hp_price_kind kind;
    double log_s0;
    /* gbm, merton (compensated), regime per state [bull, bear] */
    double drift_dt;            /* (mu - sigma^2/2) dt (merton: - lambda k dt) */
    double vol_sqrt_dt;         /* sigma sqrt(dt)                             */
    /* merton */
    double jump_gap_days;       /* mean days between jumps, 1/(lambda dt); 0: none */
    double jump_mean, jump_sd;  /* log jump size ~ N(jump_mean, jump_sd^2)    */
    /* regime: index 0 bull, 1 bear */
    double reg_drift_dt[2], reg_vol_sqrt_dt[2];
    double reg_inv_log_stay[2]; /* 1 / ln(1 - p_switch), 0 when p_switch = 1 */
    double reg_p_bull0;         /* probability of starting in bull           */
    /* garch (daily units) */
    double mu_dt, omega, alpha, beta, h0;
    /* bootstrap: source returns and their standardized values */
    double *ret, *ret_z;        /* [n_ret] owned                             */
    long n_ret;
    double boot_inv_log_stay;   /* 1 / ln(1 - 1/L), 0 when L = 1             */
    double ret_mean, ret_sd;    /* of the (re-centred) source returns        */
    /* historical: ln S and the standardized return of each day */
    double *hist_x, *hist_z;    /* [n_days + 1], [n_days] owned              */
    long n_days;
} hp_price;

/* Per-path state. */
typedef struct hp_price_path {
    double x;                   /* ln S today                                */
    double h;                   /* garch: today's daily variance             */
    double next_jump;           /* merton: time of the next jump (days)      */
    long day;                   /* days stepped so far                       */
    long i, left;               /* bootstrap: source index, days left in block;
                                 * regime: left = days left in the sojourn    */
    int regime;                 /* 0 bull, 1 bear                             */
} hp_price_path;

extern const hp_param hp_price_params[];

/* Reads price.* for a daily step of dt years; the run covers n_days from
 * day number `start`. CSVs are loaded through `hist` (kept by the caller,
 * freed after hp_price_free). */
int hp_price_init(hp_price *p, const hp_config *cfg, double dt, int32_t start,
                  long n_days, hp_history_set *hist, hp_err *err);
void hp_price_free(hp_price *p);

/* Starts a path at ln S_0 (draws only for regime "stationary" starts, the
 * first merton jump time and the first bootstrap block). */
void hp_price_path_init(const hp_price *p, hp_price_path *st, hp_pcg64 *r);

/* Rare branches of hp_price_step, out of line. */
void hp_price_jumps(const hp_price *p, hp_price_path *st, hp_pcg64 *r);
void hp_price_regime_switch(const hp_price *p, hp_price_path *st, hp_pcg64 *r);
void hp_price_new_block(const hp_price *p, hp_price_path *st, hp_pcg64 *r);

/* Steps st->x from today to tomorrow; returns the day's price shock. */
static inline double hp_price_step(const hp_price *p, hp_price_path *st, hp_pcg64 *r)
{
    double z;
    switch (p->kind) {
    case HP_PRICE_GBM:
    default:
        z = hp_normal(r);
        st->x += p->drift_dt + p->vol_sqrt_dt * z;
        break;
    case HP_PRICE_MERTON:
        z = hp_normal(r);
        st->x += p->drift_dt + p->vol_sqrt_dt * z;
        if (st->next_jump < (double)(st->day + 1))
            hp_price_jumps(p, st, r);
        break;
    case HP_PRICE_REGIME: {
        int k = st->regime;
        z = hp_normal(r);
        st->x += p->reg_drift_dt[k] + p->reg_vol_sqrt_dt[k] * z;
        if (--st->left == 0)
            hp_price_regime_switch(p, st, r);
        break;
    }
    case HP_PRICE_GARCH: {
        z = hp_normal(r);
        double h = st->h, eps = sqrt(h) * z;
        st->x += p->mu_dt - 0.5 * h + eps;
        st->h = p->omega + p->alpha * eps * eps + p->beta * h;
        break;
    }
    case HP_PRICE_BOOTSTRAP:
        if (st->left == 0)
            hp_price_new_block(p, st, r);
        z = p->ret_z[st->i];
        st->x += p->ret[st->i];
        if (++st->i == p->n_ret)
            st->i = 0;          /* circular, as Politis & Romano */
        st->left--;
        break;
    case HP_PRICE_HISTORICAL:
        z = p->hist_z[st->day < p->n_days ? st->day : p->n_days - 1];
        st->x = p->hist_x[st->day < p->n_days ? st->day + 1 : p->n_days];
        break;
    }
    st->day++;
    return z;
}

#endif
