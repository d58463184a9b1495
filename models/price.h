/* price: the BTC price process (docs/model.md section 5).
 *
 * price.model selects one process for x = ln S (S in USD), all on daily
 * steps of dt years; each is a plug-in, one file models/price_NAME.c and one
 * line in models/price_models.h:
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
 * The day's standard normal Z of a Gaussian model comes from the caller
 * (hp_price_step): quasi-random when the run samples with Sobol points,
 * else the first draw of the day from the generator handed in (the
 * scenario passes the PRICE component stream). Every other draw (jumps,
 * regime switches, bootstrap blocks) comes from that generator. The step
 * returns the day's shock (Z, or for bootstrap and historical the day's
 * standardized return) so that the caller can correlate other shocks with
 * the price shock. */
#ifndef HP_PRICE_H
#define HP_PRICE_H

#include <math.h>
#include <stdint.h>
#include <stddef.h>

#include "config.h"
#include "dist.h"
#include "history.h"
#include "hp_err.h"
#include "price_models.h"
#include "rng.h"

typedef struct hp_price hp_price;
typedef struct hp_price_path hp_price_path;

/* One price model (see models/price_models.h). */
typedef struct hp_price_model {
    const char *name;            /* the price.model word (first: registry.h) */
    /* Reads the model's keys into p; p->log_s0 and p->mu are already set.
     * The run has n_days from day number `start`; CSVs come through hist. */
    int (*init)(hp_price *p, const hp_config *cfg, double dt, int32_t start, long n_days,
                hp_history_set *hist, hp_err *err);
    /* What a path draws before day 0 (NULL: nothing). */
    void (*path_init)(const hp_price *p, hp_price_path *st, hp_pcg64 *r);
    /* Steps st->x from day st->day to the next with the day's standard
     * normal z (0 when not gaussian); returns the day's shock. */
    double (*step)(const hp_price *p, hp_price_path *st, hp_pcg64 *r, double z);
    int gaussian;                /* the step is driven by z (else z is unused) */
} hp_price_model;

struct hp_price {
    const hp_price_model *model;
    double log_s0;
    double mu;                  /* price.mu, drift of E[S] (1/yr)             */
    void *impl;                 /* a model's own constants (malloc); freed here  */
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
};

/* Per-path state; models use the fields they need, aux for new ones. */
struct hp_price_path {
    double x;                   /* ln S today                                */
    double h;                   /* garch: today's daily variance             */
    double next_jump;           /* merton: time of the next jump (days)      */
    long day;                   /* days stepped so far                       */
    long i, left;               /* bootstrap: source index, days left in block;
                                 * regime: left = days left in the sojourn    */
    int regime;                 /* 0 bull, 1 bear                             */
    double aux[4];              /* free for models without fields here        */
};

/* Keys common to the models (model, s0_usd, mu, csv); each model declares
 * its own in its file. */
extern const hp_param hp_price_params[];

/* Every model's struct and keys, from the registry. */
#define HP_PRICE_DECLARE(name) \
    extern const hp_price_model hp_price_##name; \
    extern const hp_param hp_price_##name##_params[];
HP_PRICE_MODELS(HP_PRICE_DECLARE)
#undef HP_PRICE_DECLARE

/* Reads price.* for a daily step of dt years; the run covers n_days from
 * day number `start`. CSVs are loaded through `hist` (kept by the caller,
 * freed after hp_price_free). */
int hp_price_init(hp_price *p, const hp_config *cfg, double dt, int32_t start,
                  long n_days, hp_history_set *hist, hp_err *err);
void hp_price_free(hp_price *p);

/* Starts a path at ln S_0 (draws only for regime "stationary" starts, the
 * first merton jump time and the first bootstrap block). */
void hp_price_path_init(const hp_price *p, hp_price_path *st, hp_pcg64 *r);

/* Steps st->x from today to tomorrow; returns the day's price shock. The
 * day's standard normal is *z when z is not NULL (the caller's quasi-random
 * normal), else the day's first draw from r; a model that is not Gaussian
 * draws none. */
static inline double hp_price_step(const hp_price *p, hp_price_path *st, hp_pcg64 *r,
                                   const double *z)
{
    double normal = !p->model->gaussian ? 0 : z != NULL ? *z : hp_normal(r);
    double shock = p->model->step(p, st, r, normal);
    st->day++;
    return shock;
}

/* ---- for model files ---- */

/* 1 / ln(1 - p) for geometric sojourns with daily end probability p, 0
 * when p = 1 (every sojourn lasts one day). */
double hp_price_inv_log_stay(double p);
/* A geometric number of days >= 1, P(K = k) = q^(k-1) (1 - q) with
 * ln q = 1 / inv: inversion of one uniform. */
long hp_price_geometric_days(hp_pcg64 *r, double inv);
/* Mean and standard deviation (n - 1) of v[0..n). */
void hp_price_mean_sd(const double *v, long n, double *mean, double *sd);
/* price.csv, loaded once through hist; NULL with err set if it has no prices. */
const hp_history *hp_price_history(const hp_config *cfg, hp_history_set *hist, hp_err *err);

#endif
