/* asic: the market price of mining machines (USD per TH/s) as a function
 * of hashprice and time.
 *
 * ASIC prices move with what a machine earns: the Hashrate Index's price
 * per TH/s was $119 at the May-2021 peak (hashprice about $360/PH/day over
 * the preceding 90 days), $15.7 in Dec 2022 ($69), $20 in Jul 2023 ($77),
 * $10-30 in mid-2025 ($52-57). A power law through those points, with a
 * floor for the cost of making the machine,
 *
 *     k(hp, t) = max(floor(t), k_ref (hp / hp_ref)^elasticity)   USD/TH
 *     floor(t) = floor_usd_per_th exp(-floor_decline t)
 * *
 * fits them within a factor 1.25 (elasticity 1.11, se 0.13: a machine
 * costs about the same number of days of its revenue in a boom and in a
 * bust). The fit regresses on the 90-day trailing mean of hashprice, so a
 * caller should pass a smoothed hashprice (docs/network.md, "ASIC prices";
 * scripts/calibrate.py --fits asic redoes the fit).
 *
 * The floor is what making a TH/s costs, and that falls with the chip's
 * efficiency: with floor_decline equal to the frontier's gain
 * (network.fleet.frontier_gain) the floor is a constant price per watt of
 * frontier machine, so a frontier MW never costs more than it does today.
 * A floor fixed per TH/s would make a frontier MW cost 15 times today's by
 * year 12, and stop every refresh. t is years from the start of the run.
 *
 * Units: hashprice in USD per PH/s per day, prices in USD per TH/s,
 * 1 PH/s = 1,000 TH/s, years of 365.25 days. */
#ifndef HP_ASIC_H
#define HP_ASIC_H

#include "config.h"
#include "hp_err.h"

typedef struct hp_asic {
    double ref_hashprice;     /* hp_ref, USD/PH/day                       */
    double ref_usd_per_th;    /* k_ref, USD/TH at hp_ref                  */
    double elasticity;        /* d ln k / d ln hp                         */
    double floor_usd_per_th;  /* lowest price at t = 0, USD/TH            */
    double floor_decline;     /* d ln floor / dt, 1/yr (0: fixed floor)   */
    double life_years;        /* economic life of a machine, yr           */
} hp_asic;

extern const hp_param hp_asic_params[];

/* Reads asic.*; ranges were checked by the loader. */
int hp_asic_init(hp_asic *a, const hp_config *cfg, hp_err *err);

/* The floor at t_years from the start, USD/TH: floor_usd_per_th
 * exp(-floor_decline t), exactly floor_usd_per_th when the decline is 0. */
double hp_asic_floor_usd_per_th(const hp_asic *a, double t_years);

/* Price of one TH/s of new machines at a (smoothed) hashprice, t_years
 * from the start, USD/TH. hp <= 0 gives the floor. */
double hp_asic_usd_per_th(const hp_asic *a, double hashprice_usd_ph_day, double t_years);
/* The same with the floor given (hp_asic_floor_usd_per_th of the day):
 * callers quoting several chains on one day compute the floor once. */
double hp_asic_usd_per_th_above(const hp_asic *a, double hashprice_usd_ph_day, double floor_usd_per_th);

/* Capital recovery factor: the level payment per year, for `years` years,
 * whose present value at `rate` per year is 1; 1/years at rate 0. */
double hp_annuity_factor(double rate, double years);

/* The machine's price spread over its life as a level daily charge per
 * PH/s, at `rate` per year: k(hp, t) x 1000 TH/PH x annuity / 365.25,
 * USD/PH/day. It is what a buyer must earn on top of cash costs. */
double hp_asic_capex_usd_ph_day(const hp_asic *a, double hashprice_usd_ph_day, double t_years,
                                double rate);

#endif
