/* price model historical: the CSV's closes from time.start_date on, the
 * same on every path (back-tests). The day's shock is the standardized
 * daily log return. The run fails, naming the key, if its days leave the
 * file. */
#include "price.h"

#include <stdlib.h>

const hp_param hp_price_historical_params[] = {
    HP_PARAM_END
};

/* ln S of each run day (plus the day after, if held) and the standardized
 * daily returns. */
static int historical_init(hp_price *p, const hp_config *cfg, double dt, int32_t start,
                           long n_days, hp_history_set *hist, hp_err *err)
{
    const hp_history *h = hp_price_history(cfg, hist, err);
    if (h == NULL)
        return -1;
    const char *key = hp_history_index(h, start) < 0 ? "time.start_date" : "time.horizon_years";
    if (hp_history_cover(h, start, n_days, cfg, key, err) != 0)
        return -1;
    const double *s = hp_history_col(h, HP_HIST_PRICE);
    long i0 = hp_history_index(h, start);
    p->n_days = n_days;
    p->hist_x = malloc((size_t)(n_days + 1) * sizeof(double));
    p->hist_z = malloc((size_t)n_days * sizeof(double));
    if (p->hist_x == NULL || p->hist_z == NULL)
        return hp_fail(err, NULL, 0, NULL, "out of memory");
    for (long d = 0; d < n_days; d++)
        p->hist_x[d] = log(s[i0 + d]);
    /* The step after the last day is never used; hold the price if the file ends. */
    p->hist_x[n_days] = i0 + n_days < h->n ? log(s[i0 + n_days]) : p->hist_x[n_days - 1];
    for (long d = 0; d < n_days; d++)
        p->hist_z[d] = p->hist_x[d + 1] - p->hist_x[d];
    double m, sd;
    hp_price_mean_sd(p->hist_z, n_days - 1, &m, &sd);
    for (long d = 0; d < n_days; d++)
        p->hist_z[d] = d < n_days - 1 && sd > 0 ? (p->hist_z[d] - m) / sd : 0;
    p->log_s0 = p->hist_x[0];
    return 0;
}

static double historical_step(const hp_price *p, hp_price_path *st, hp_pcg64 *r, double normal)
{
    long d = st->day < p->n_days ? st->day : p->n_days - 1;
    st->x = p->hist_x[st->day < p->n_days ? st->day + 1 : p->n_days];
    return p->hist_z[d];
}

const hp_price_model hp_price_historical = {"historical", historical_init, NULL, historical_step, 0};
