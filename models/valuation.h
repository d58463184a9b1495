/* valuation: discounting of daily cash flows. NPV sums each
 * day's net cash flow times (1 + r)^-(d+1)/365.25; the optional terminal
 * value, multiple x NOI of the last 365 days (annualized when the run is
 * shorter), is discounted with the last day's factor. NOI = revenues less
 * energy and opex, before capex. */
#ifndef HP_VALUATION_H
#define HP_VALUATION_H

#include "config.h"

extern const hp_param hp_valuation_params[];

/* Fills disc[d] = (1 + r)^-(d+1)/365.25 for d < n_days: a day's flow is
 * discounted from the end of that day. */
void hp_discount_factors(double rate, int n_days, double *disc);

#endif
