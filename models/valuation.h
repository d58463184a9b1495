/* valuation: discounting of daily cash flows and going-concern values at
 * the horizon (docs/firm.md "Valuation").
 *
 * NPV sums each day's net cash flow times (1 + r)^-(d+1)/365.25. At the
 * horizon each business line gets a terminal value, discounted with the
 * last day's factor:
 *     TV = max(multiple x NOI of the last 365 days (annualized),
 *              salvage per MW x the line's MW),
 * so a line whose NOI is negative (or worth less than its site) is shut
 * down and sold, never valued below its salvage. The data centre's NOI is
 * rent (or GPU sales) less opex, less the yearly GPU replacement in
 * gpu_cloud mode; the mining fleet's is revenue less energy, opex and the
 * fleet refresh (machines are what it consumes). */
#ifndef HP_VALUATION_H
#define HP_VALUATION_H

#include "config.h"

typedef struct hp_valuation {
    double discount_rate;
    int terminal;                /* add terminal values at the horizon   */
    double hpc_multiple, mining_multiple;           /* x yearly NOI      */
    double hpc_salvage_usd_mw, mining_salvage_usd_mw;
} hp_valuation;

extern const hp_param hp_valuation_params[];

/* Reads valuation.*. */
void hp_valuation_init(hp_valuation *v, const hp_config *cfg);

/* Fills disc[d] = (1 + r)^-(d+1)/365.25 for d < n_days: a day's flow is
 * discounted from the end of that day. */
void hp_discount_factors(double rate, int n_days, double *disc);

/* Going-concern value of a line: multiple x yearly NOI, or its salvage
 * value when that is more (the line is shut down and its site sold). */
static inline double hp_line_value(double multiple, double noi_year, double salvage)
{
    double v = multiple * noi_year;
    return v > salvage ? v : salvage;
}

#endif
