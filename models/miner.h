/* miner: the mining fleet of the firm.
 *
 * Power price: fixed, or log-OU (ln p reverts to ln p_bar at speed kappa,
 * volatility sigma, sampled exactly; p_bar is the median level and the day-0
 * value). Curtailment: on a day where the fleet's revenue per MWh (at the
 * day's difficulty, subsidy, fees and price) is below the power price plus
 * the variable cost, the fleet is off: no revenue, no energy or variable
 * cost, and (in_network) no hashrate. Fleet refresh: the fleet's efficiency
 * gain adds hashrate at constant power; each TH/s so added costs
 * refresh_usd_per_th (a capex line). */
#ifndef HP_MINER_H
#define HP_MINER_H

#include "config.h"
#include "hp_err.h"

typedef struct hp_miner {
    double capacity_mw;          /* C: mining + converting + HPC            */
    double efficiency_j_th;      /* fleet efficiency on start_date           */
    double efficiency_gain;      /* fractional improvement per year          */
    double uptime;               /* share of the day the fleet hashes        */
    double pool_fee;             /* share of rewards kept by the pool        */
    double power_usd_mwh;        /* fixed power price                        */
    double opex_usd_mw_year;     /* fixed opex per MW of mining capacity     */
    int in_network;              /* the fleet is part of network hashrate    */
    int power_ou;                /* power price is log-OU, not fixed         */
    double power_log_mean;       /* ln p_bar                                 */
    double power_decay;          /* exp(-kappa dt)                           */
    double power_vol;            /* exact OU step sd of ln p                 */
    int curtail;                 /* switch off on unprofitable days          */
    double variable_usd_mwh;     /* variable cost besides power, USD/MWh     */
    double refresh_usd_th;       /* capex per TH/s of hashrate gained        */
} hp_miner;

extern const hp_param hp_miner_params[];

/* Reads miner.* for daily steps of dt years. */
int hp_miner_init(hp_miner *m, const hp_config *cfg, double dt, hp_err *err);

/* Hashrate of one MW of mining capacity at time t years, in H/s, uptime
 * included: 10^6 W / (e J/TH) = TH/s, times 10^12. */
double hp_miner_hs_per_mw(const hp_miner *m, double t_years);

/* Fleet refresh capex of one MW of mining capacity over [t, t + dt], USD:
 * k * (TH/s per MW at t + dt - TH/s per MW at t), uptime excluded (the
 * machines are bought whether they run or not). */
double hp_miner_refresh_usd_per_mw(const hp_miner *m, double t_years, double dt);

/* Curtailment rule: 1 when mining a day is worth its variable cost.
 * usd_per_hs_day: revenue of one H/s for a day after pool fee;
 * hs_per_mw: H/s of one MW (uptime included); the MW burns uptime * 24 MWh. */
static inline int hp_miner_mines(const hp_miner *m, double usd_per_hs_day, double hs_per_mw,
                                 double power_usd_mwh)
{
    return usd_per_hs_day * hs_per_mw >=
           m->uptime * 24.0 * (power_usd_mwh + m->variable_usd_mwh);
}

#endif
