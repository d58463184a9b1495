/* miner: the mining fleet of the firm (MODEL.md 6). */
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
} hp_miner;

extern const hp_param hp_miner_params[];

/* Reads miner.*. */
int hp_miner_init(hp_miner *m, const hp_config *cfg, hp_err *err);

/* Hashrate of one MW of mining capacity at time t years, in H/s, uptime
 * included: 10^6 W / (e J/TH) = TH/s, times 10^12. */
double hp_miner_hs_per_mw(const hp_miner *m, double t_years);

#endif
