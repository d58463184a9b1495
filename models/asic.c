/* asic: ASIC price per TH/s as a function of hashprice and time (see asic.h). */
#include "asic.h"

#include <math.h>

const hp_param hp_asic_params[] = {
    {"asic.ref_hashprice", HP_DOUBLE, "USD/PH/day", "100.0", 1e-6, 1e6, NULL,
     "hashprice at which asic.ref_usd_per_th holds (a reference point of the power law, not a forecast)"},
    {"asic.ref_usd_per_th", HP_DOUBLE, "USD/TH", "28.0", 0, 1e6, NULL,
     "ASIC price per TH/s at asic.ref_hashprice (log-log fit through Hashrate Index prices: $119/TH May 2021, "
     "$15.7 Dec 2022, $20 Jul 2023, $10-30 mid-2025; docs/sources.md#hashrate-index-asic-prices)"},
    {"asic.elasticity", HP_DOUBLE, "", "1.11", 0, 10, NULL,
     "d ln(ASIC price) / d ln(90-day mean hashprice) (same fit, se 0.13; docs/network.md)"},
    {"asic.floor_usd_per_th", HP_DOUBLE, "USD/TH", "5.0", 0, 1e6, NULL,
     "lowest ASIC price per TH/s whatever the hashprice (assumption: half the low end of the mid-2025 "
     "$10-30/TH range; docs/sources.md#hashrate-index-asic-prices), at the start (t = 0); it falls as "
     "exp(-asic.floor_decline t)"},
    {"asic.floor_decline", HP_DOUBLE, "1/yr", "0.225", 0, 2, NULL,
     "rate at which the floor per TH/s falls: the cost of making a TH/s falls with chip efficiency, so "
     "the floor is a constant price per watt of frontier machine ($5/TH at 12.5 J/TH = $0.40/W) when it "
     "equals the frontier's gain, network.fleet.frontier_gain 0.225 (Bitmain flagships 2016-2026; "
     "docs/sources.md#bitmain-flagships, docs/sources.md#asic-floor-per-watt). 0 = the floor fixed in USD/TH"},
    {"asic.life_years", HP_DOUBLE, "yr", "4.0", 0.05, 50, NULL,
     "economic life over which a machine's price is recovered (assumption: 3-5 years in miners' "
     "depreciation schedules)"},
    HP_PARAM_END
};

int hp_asic_init(hp_asic *a, const hp_config *cfg, hp_err *err)
{
    (void)err;
    a->ref_hashprice = hp_cfg_double(cfg, "asic.ref_hashprice");
    a->ref_usd_per_th = hp_cfg_double(cfg, "asic.ref_usd_per_th");
    a->elasticity = hp_cfg_double(cfg, "asic.elasticity");
    a->floor_usd_per_th = hp_cfg_double(cfg, "asic.floor_usd_per_th");
    a->floor_decline = hp_cfg_double(cfg, "asic.floor_decline");
    a->life_years = hp_cfg_double(cfg, "asic.life_years");
    return 0;
}

/* The floor at t years; decline 0 returns the parameter itself, so a
 * fixed floor costs no exp and is bit-for-bit the old one. */
double hp_asic_floor_usd_per_th(const hp_asic *a, double t_years)
{
    if (a->floor_decline == 0)
        return a->floor_usd_per_th;
    return a->floor_usd_per_th * exp(-a->floor_decline * t_years);
}

/* The power law is evaluated as exp(e ln(hp/hp_ref)) so that e = 0 gives
 * k_ref exactly; a non-positive hashprice has no log and means "nothing to
 * earn": the floor. */
double hp_asic_usd_per_th(const hp_asic *a, double hp, double t_years)
{
    return hp_asic_usd_per_th_above(a, hp, hp_asic_floor_usd_per_th(a, t_years));
}

double hp_asic_usd_per_th_above(const hp_asic *a, double hp, double floor)
{
    if (!(hp > 0))
        return floor;
    double k = a->ref_usd_per_th * exp(a->elasticity * log(hp / a->ref_hashprice));
    return k > floor ? k : floor;
}

/* r / (1 - (1 + r)^-n), written with expm1/log1p so a tiny rate does not
 * lose digits; the limit at r = 0 is 1/n. */
double hp_annuity_factor(double rate, double years)
{
    if (rate == 0)
        return 1.0 / years;
    return rate / -expm1(-years * log1p(rate));
}

double hp_asic_capex_usd_ph_day(const hp_asic *a, double hp, double t_years, double rate)
{
    return hp_asic_usd_per_th(a, hp, t_years) * 1000.0 * hp_annuity_factor(rate, a->life_years) / 365.25;
}
