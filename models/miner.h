/* miner: the mining fleet of the firm, on a cost curve of its sites
 * (docs/firm.md "Fleet").
 *
 * The fleet's C MW sit on sites, each with its own power price p_i
 * (USD/MWh): the sites of miner.sites, or, without them, a lognormal spread
 * of power prices around miner.power_usd_mwh cut into miner.power_bins
 * sites of equal MW. A common factor X_t (miner.power_model: fixed, X = 1;
 * or ou, ln X a log-OU around 0) multiplies every site's price.
 *
 * Curtailment (miner.curtail): on a day, a MW of site i mines when the
 * revenue of its hashrate covers its power and variable cost,
 *     R >= X p_i + v,    R = usd_per_hs_day * hs_per_mw / (24 uptime),
 * so the sites with p_i <= (R - v) / X mine and the others are off: the
 * fleet curtails site by site, not all at once. Sites are sorted by p_i once,
 * and each allocation keeps the cumulative MW and MW x price of its sites in
 * that order, so a day costs one threshold search (from yesterday's answer)
 * and two array reads, whatever the number of sites.
 *
 * Conversion: converted MW leave the sites in a declared order
 * (miner.convert_order: dearest power first, cheapest first, or as listed;
 * miner.convert_site names a site to go first), so converting also moves
 * the mining fleet's average power cost.
 *
 * Fleet refresh (miner.refresh_rule), the fleet's TH/s per MW over time
 * and the machines it buys:
 *   - frontier (default): machines wear out after L = asic_life_years, a
 *     share dt/L of the fleet a day, and are replaced by machines of the
 *     network's frontier efficiency on the day (e_f(t) =
 *     network.fleet.frontier_j_th exp(-frontier_gain t), what the others'
 *     fleet takes delivery of: models/hashrate_fleet.h), th_f = 10^6 / e_f
 *     TH/s per MW, if a frontier MW repays its price within
 *     refresh_payback_years (hp_refresh_day); else the worn machines run on.
 *     Per MW, TH/s T_(d+1) = T_d + (th_f(t_d) - T_d) dt/L on a day that
 *     refreshes: the fleet follows the frontier with a lag of L, and at a
 *     steady frontier decline g its J/TH is (1 + g L) times the frontier's
 *     (1.9 at g = 0.225, L = 4: 19 J/TH at 2026, as MARA, Riot, CleanSpark
 *     report; docs/firm.md "Fleet refresh");
 *   - fixed_gain: efficiency improves by efficiency_gain a year whatever
 *     the frontier does; the gain and (asic_life_years > 0) the worn
 *     machines at their old TH/s per MW are bought.
 * Each TH/s bought costs the ASIC market price at the day's 90-day smoothed
 * hashprice (models/asic.h), or a fixed refresh_usd_per_th, on the MW that
 * mine that day only. */
#ifndef HP_MINER_H
#define HP_MINER_H

#include <math.h>

#include "config.h"
#include "hp_err.h"
#include "power_models.h"
#include "rng.h"

typedef struct hp_miner hp_miner;

/* Per-path state of the power-price factor X (one per path). */
typedef struct hp_power_path {
    double lx;                   /* ln X                                     */
    double factor;               /* X today                                  */
} hp_power_path;

/* A power-price model: one file models/power_NAME.c, one line in
 * models/power_models.h. */
typedef struct hp_power_model {
    const char *name;            /* the miner.power_model word              */
    /* Reads the model's keys into m. */
    int (*init)(hp_miner *m, const hp_config *cfg, double dt, hp_err *err);
    /* Steps ps to tomorrow (ps->factor = X tomorrow). */
    void (*step)(const hp_miner *m, hp_power_path *ps, hp_pcg64 *r);
} hp_power_model;

struct hp_miner {
    double capacity_mw;          /* C: mining + converting + HPC            */
    double efficiency_j_th;      /* fleet efficiency on start_date           */
    double efficiency_gain;      /* fixed_gain: fractional improvement a year */
    int refresh_frontier;        /* refresh_rule frontier (else fixed_gain)  */
    double frontier_j_th;        /* frontier: e_f(0), J/TH                    */
    double frontier_gain;        /* frontier: yearly log decline of e_f       */
    double refresh_share_day;    /* frontier: dt / L, fleet share worn a day  */
    double payback_days;         /* frontier: refresh_payback_years in days   */
    double uptime;               /* share of the day the fleet hashes        */
    double pool_fee;             /* share of rewards kept by the pool        */
    double opex_usd_mw_year;     /* fixed opex per MW of mining capacity     */
    int in_network;              /* the fleet is part of network hashrate    */
    int curtail;                 /* sites switch off on unprofitable days    */
    double variable_usd_mwh;     /* variable cost besides power, USD/MWh     */
    int refresh_market;          /* refresh at the ASIC market price (asic.*) */
    double refresh_usd_th;       /* else: capex per TH/s bought              */
    double asic_life_years;      /* machines wear out after this; 0: never   */
    int exit_months;             /* months below cash cost before a site
                                  * leaves mining; 0: never (curtail only)  */
    int reequip;                 /* retired sites come back when frontier
                                  * machines repay (frontier, exit only)    */
    /* Sites, sorted by power price (ascending). */
    int n_sites;
    double *site_price;          /* [n] USD/MWh at X = 1                     */
    double *site_mw;             /* [n] MW                                   */
    int *convert_order;          /* [n] sorted indices, first converted first */
    char **site_name;            /* [n] names ("" for spread bins)           */
    double price_mean;           /* MW-weighted mean site price, USD/MWh     */
    /* Power-price factor. */
    const hp_power_model *power;
    double power_decay;          /* ou: exp(-kappa dt)                       */
    double power_vol;            /* ou: exact OU step sd of ln X             */
};

extern const hp_param hp_miner_params[];

#define HP_POWER_DECLARE(name) \
    extern const hp_power_model hp_power_##name; \
    extern const hp_param hp_power_##name##_params[];
HP_POWER_MODELS(HP_POWER_DECLARE)
#undef HP_POWER_DECLARE

/* Reads miner.* for daily steps of dt years and lays out the sites. */
int hp_miner_init(hp_miner *m, const hp_config *cfg, double dt, hp_err *err);
void hp_miner_free(hp_miner *m);

/* Hashrate of one MW of mining capacity at time t years, in H/s, uptime
 * included: TH/s per MW (10^6 W / e J/TH for one efficiency e; the cohort
 * mix above for frontier) times 10^12. */
double hp_miner_hs_per_mw(const hp_miner *m, double t_years);

/* TH/s of machines one MW of mining capacity buys over [t, t + dt].
 * frontier: (1/L) int_t^{t+dt} th_f, the worn 1/L of the fleet replaced at
 * the frontier. fixed_gain: the efficiency gain, TH/s per MW at t + dt less
 * at t, plus (asic_life_years L > 0) the worn machines replaced, TH/s per
 * MW at t - L x dt / L (those bought L years before). Uptime excluded:
 * machines are bought whole. Times an ASIC price per TH/s, the refresh
 * capex of a MW that mines. */
double hp_miner_refresh_th_per_mw(const hp_miner *m, double t_years, double dt);

/* TH/s per MW of frontier machines at t years (uptime excluded). */
double hp_miner_frontier_th_per_mw(const hp_miner *m, double t_years);

/* ---- refresh_rule frontier: one chain's fleet, day by day ---- */

typedef struct hp_refresh_chain {
    double th_mw;                /* installed TH/s per MW (uptime excluded) */
    double bought_th;            /* TH/s per MW bought today                */
} hp_refresh_chain;

static inline void hp_refresh_start(const hp_miner *m, hp_refresh_chain *r)
{
    r->th_mw = 1e6 / m->efficiency_j_th;
    r->bought_th = 0;
}

/* The day's review: `bought` = dt/L th_f, the frontier TH/s per MW that
 * replacing today's worn share takes (hp_miner_refresh_th_per_mw), at
 * usd_per_th a TH/s. It is bought if its cash margin, on the smoothed
 * hashprice (USD per PH/s per day, before pool fee) at the fleet's mean
 * site price times the power factor, repays it within payback_days:
 *     (bought hp 10^-3 (1 - fee) - share 24 (X p_mean + v)) uptime P >= bought k
 * (both sides per MW of fleet, share = dt/L); then T moves share of the way
 * to th_f. Else nothing is bought and T stays. */
static inline double hp_refresh_cost(const hp_miner *m, double power_factor)
{
    return m->refresh_share_day * 24.0 * (power_factor * m->price_mean + m->variable_usd_mwh);
}

/* hp_refresh_day with the day's power term, hp_refresh_cost(m, X), given:
 * it is the same for every chain, so the daily loop computes it once. */
static inline void hp_refresh_decide(const hp_miner *m, hp_refresh_chain *r, double bought,
                                     double hashprice_usd_ph_day, double usd_per_th,
                                     double refresh_cost)
{
    double margin = (bought * hashprice_usd_ph_day * 1e-3 * (1.0 - m->pool_fee) - refresh_cost) *
                    m->uptime;
    if (margin * m->payback_days >= bought * usd_per_th) {
        r->bought_th = bought;
        r->th_mw += bought - m->refresh_share_day * r->th_mw;
    } else {
        r->bought_th = 0;
    }
}

static inline void hp_refresh_day(const hp_miner *m, hp_refresh_chain *r, double bought,
                                  double hashprice_usd_ph_day, double usd_per_th,
                                  double power_factor)
{
    hp_refresh_decide(m, r, bought, hashprice_usd_ph_day, usd_per_th, hp_refresh_cost(m, power_factor));
}

/* Starts a path's power factor at X = 1. */
static inline void hp_power_path_init(hp_power_path *ps)
{
    ps->lx = 0;
    ps->factor = 1;
}

/* ---- the cost curve of one allocation's mining sites ---- */

/* cum_mw[k], cum_mwp[k] (k = 0..n_sites): MW and MW x price (USD/MWh at
 * X = 1) of the k cheapest sites still mining when mining_mw of the
 * fleet's capacity is left, the rest having been converted in the declared
 * order. Called when an allocation's mining capacity changes. */
void hp_miner_curve(const hp_miner *m, double mining_mw, double *cum_mw, double *cum_mwp);

/* The same with the sites n_keep.. (price order) retired: what
 * conversion left of them does not mine. n_keep = n_sites: none. */
void hp_miner_curve_kept(const hp_miner *m, double mining_mw, int n_keep, double *cum_mw,
                         double *cum_mwp);

/* ---- exit: sites that stay below cash cost leave mining ---- */

#define HP_EXIT_MONTH_DAYS 30        /* as the others' fleet reviews      */
#define HP_EXIT_MAX_MONTHS 120

/* Per chain: the month's sums and the last exit_months monthly thresholds
 * (a ring). */
typedef struct hp_exit_chain {
    double rev_sum;              /* sum of R_d, USD per MW-day               */
    double x_sum;                /* sum of the power factor X_d              */
    int days, months;            /* days in the month; months closed         */
    double theta[HP_EXIT_MAX_MONTHS];  /* ring: month m at m % exit_months   */
} hp_exit_chain;

static inline void hp_exit_start(hp_exit_chain *e)
{
    e->rev_sum = e->x_sum = 0;
    e->days = e->months = 0;
}

/* Adds a day: R = decision revenue of a MW mining all day (USD), X the
 * power factor. */
static inline void hp_exit_day(hp_exit_chain *e, double rev_mw_day, double power_factor)
{
    e->rev_sum += rev_mw_day;
    e->x_sum += power_factor;
    e->days++;
}

/* Closes the month: records its threshold theta (USD/MWh at X = 1) and
 * returns the number of sites (cheapest first) that keep mining: those
 * not priced above theta in every one of the last exit_months months
 * (n_sites until exit_months months have closed). */
int hp_exit_month(const hp_miner *m, hp_exit_chain *e);

/* Restarts the exit clock (after a re-equip): the sites that mine need
 * exit_months new months below cash cost before they retire. */
static inline void hp_exit_restart(hp_exit_chain *e)
{
    e->months = 0;
}

/* ---- re-equip: retired sites come back with frontier machines ---- */

/* The highest site power price (USD/MWh at X = 1) at which a MW of
 * frontier machines, th_f TH/s at usd_per_th a TH/s, repays them within
 * payback_days from its margin over full cost, on the smoothed hashprice
 * of the refresh rule (USD per PH/s per day, before pool fee):
 *     (th_f m 10^-3 (1 - fee) - 24 (X p + v)) uptime P - (opex / 365.25) P >= th_f k.
 * Fixed opex counts (a retired site does not pay it; a re-equipped one
 * does), unlike the refresh rule, whose MW pay it either way. -inf when
 * nothing can repay (payback 0). The sites re-equipped are those priced
 * at most this, cheapest first (hp_miner_sites_on). */
double hp_reequip_threshold(const hp_miner *m, double th_f, double hashprice_usd_ph_day,
                            double usd_per_th, double power_factor);

/* Sites mining today: the number k of sites whose power price is at most
 * theta, found from yesterday's answer `k` (the threshold moves little from
 * a day to the next). theta NaN: none. */
static inline int hp_miner_sites_on(const hp_miner *m, double theta, int k)
{
    if (!(theta == theta))
        return 0;
    while (k < m->n_sites && m->site_price[k] <= theta)
        k++;
    while (k > 0 && m->site_price[k - 1] > theta)
        k--;
    return k;
}

/* The price threshold of a day: a site mines when its price p_i <= theta,
 * i.e. usd_per_hs_day * hs_per_mw >= 24 uptime (X p_i + v). Without
 * curtailment every site mines (+inf). */
static inline double hp_miner_threshold(const hp_miner *m, double usd_per_hs_day,
                                        double hs_per_mw, double power_factor)
{
    if (!m->curtail)
        return INFINITY;
    double burn = 24.0 * m->uptime;
    return (usd_per_hs_day * hs_per_mw - burn * m->variable_usd_mwh) / (burn * power_factor);
}

/* The firm's hashrate online on a day (H/s), for the network: the MW of an
 * allocation's curve (cum_mw) at the sites that mine, given the revenue of
 * one H/s for the day after pool fee. *k carries the day's site count from
 * one call to the next (start it at n_sites) and is left at today's. */
static inline double hp_miner_online_hs(const hp_miner *m, const double *cum_mw,
                                        double usd_per_hs_day, double hs_per_mw,
                                        double power_factor, int *k)
{
    *k = hp_miner_sites_on(m, hp_miner_threshold(m, usd_per_hs_day, hs_per_mw, power_factor), *k);
    return cum_mw[*k] * hs_per_mw;
}

/* Curtailment rule of a single MW at price power_usd_mwh: 1 when mining a
 * day is worth its variable cost (the rule above, one site). */
static inline int hp_miner_mines(const hp_miner *m, double usd_per_hs_day, double hs_per_mw,
                                 double power_usd_mwh)
{
    return usd_per_hs_day * hs_per_mw >=
           m->uptime * 24.0 * (power_usd_mwh + m->variable_usd_mwh);
}

#endif
