/* valuation: discount factors (see valuation.h). */
#include "valuation.h"

#include <math.h>

const hp_param hp_valuation_params[] = {
    {"valuation.discount_rate", HP_DOUBLE, "1/yr", "0.10", -0.5, 5, NULL,
     "annual discount rate (the NPV reconstruction of VanEck's $37.6B implies about 10%; docs/sources.md#vaneck-2024-reconstruction)"},
    {"valuation.terminal_multiple", HP_DOUBLE, "", "0.0", 0, 1000, NULL,
     "terminal value at the horizon = this x net operating income of the last 365 days, "
     "discounted with the last day (VanEck 2026: mid-teens multiple on NOI; docs/sources.md#vaneck-2026; 0 = none)"},
    HP_PARAM_END
};

/* exp/log form keeps every factor to one rounding, whatever d. */
void hp_discount_factors(double rate, int n_days, double *disc)
{
    double lr = log1p(rate);
    for (int d = 0; d < n_days; d++)
        disc[d] = exp(-lr * (d + 1) / 365.25);
}
