/* price: the keys common to the price models, the registry lookup and the
 * helpers model files share (see price.h). Each model is in its own file,
 * models/price_NAME.c. */
#include "price.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"

/* Defaults of the models' fitted parameters are scripts/calibrate.py on
 * the daily history (docs/sources.md#history-data), 2018-01-01 ..
 * 2023-12-31, except where a line says "assumption". */
const hp_param hp_price_params[] = {
    {"price.model", HP_CHOICE, "", "\"garch\"", 0, 0,
     ("" HP_PRICE_MODELS(HP_REGISTRY_WORD)) + 1,
     "price process (docs/firm.md \"Price\"; the default is garch anchored to implied volatility)"},
    {"price.s0_usd", HP_DOUBLE, "USD", "87500.0", 1e-6, 1e12, NULL,
     "BTC price on start_date, all models but historical (late Nov 2025 about $83k-91k; docs/sources.md#btc-price-nov-2025)"},
    {"price.mu", HP_DOUBLE, "1/yr", "0.16", -5, 5, NULL,
     "drift of E[S]: E[S_t] = S_0 exp(mu t) for gbm, merton, garch; bootstrap re-centring target "
     "(assumption: the 3.7% T-bill rate, docs/sources.md#tbill-3m-dec-2025, plus 0.25 x the 0.50 "
     "long-run volatility; median growth about mu - 0.5^2/2 = 3.5%/yr; docs/firm.md \"Price\")"},
    {"price.csv", HP_STRING, "", "\"\"", 0, 0, NULL,
     "bootstrap, historical: daily history CSV with date and price_usd columns (e.g. the one of docs/sources.md#history-data)"},
    HP_PARAM_END
};

#define HP_PRICE_ENTRY(name) &hp_price_##name,
static const void *const models[] = { HP_PRICE_MODELS(HP_PRICE_ENTRY) };
#undef HP_PRICE_ENTRY

int hp_price_init(hp_price *p, const hp_config *cfg, double dt, int32_t start,
                  long n_days, hp_history_set *hist, hp_err *err)
{
    memset(p, 0, sizeof *p);
    p->model = hp_registry_pick(models, sizeof models / sizeof *models, cfg, "price.model",
                                "price model", err);
    if (p->model == NULL)
        return -1;
    p->mu = hp_cfg_double(cfg, "price.mu");
    p->log_s0 = log(hp_cfg_double(cfg, "price.s0_usd"));
    return p->model->init(p, cfg, dt, start, n_days, hist, err);
}

void hp_price_free(hp_price *p)
{
    free(p->impl);
    free(p->ret);
    free(p->ret_z);
    free(p->hist_x);
    free(p->hist_z);
    p->impl = NULL;
    p->ret = p->ret_z = p->hist_x = p->hist_z = NULL;
}

void hp_price_path_init(const hp_price *p, hp_price_path *st, hp_pcg64 *r)
{
    memset(st, 0, sizeof *st);
    st->x = p->log_s0;
    st->next_jump = DBL_MAX;
    if (p->model->path_init != NULL)
        p->model->path_init(p, st, r);
}

/* ---- helpers for model files ---- */

double hp_price_inv_log_stay(double p)
{
    return p >= 1 ? 0 : 1 / log1p(-p);
}

long hp_price_geometric_days(hp_pcg64 *r, double inv)
{
    double k = floor(log(hp_uniform(r)) * inv);
    return k < 1e15 ? 1 + (long)k : (long)1e15;
}

void hp_price_mean_sd(const double *v, long n, double *mean, double *sd)
{
    double m = 0, ss = 0;
    for (long i = 0; i < n; i++)
        m += v[i];
    m = n > 0 ? m / (double)n : 0;
    for (long i = 0; i < n; i++)
        ss += (v[i] - m) * (v[i] - m);
    *mean = m;
    *sd = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
}

const hp_history *hp_price_history(const hp_config *cfg, hp_history_set *hist, hp_err *err)
{
    const hp_history *h = hp_history_get(hist, cfg, "price.csv", err);
    if (h == NULL || hp_history_require(h, HP_HIST_PRICE, err) != 0)
        return NULL;
    return h;
}
