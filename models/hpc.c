/* hpc: allocation sweep, tranche plan and AI lease market (see hpc.h). */
#include "hpc.h"
#include "ou.h"

#include <math.h>
#include <stdlib.h>

const hp_param hp_allocation_params[] = {
    {"allocation.fractions", HP_DOUBLE_LIST, "", "[0.0, 0.1, 0.2, 0.3, 0.5]", 0, 1, NULL,
     "fractions f of power capacity converted to AI/HPC, compared on common random numbers (VanEck: 0.2)"},
    {"allocation.ramp_start", HP_DATE, "", "\"2026-01-01\"", 0, 0, NULL,
     "date the conversion ramp starts"},
    {"allocation.ramp_end", HP_DATE, "", "\"2027-12-31\"", 0, 0, NULL,
     "date by which f * C has left mining (VanEck: 20% by 2027; parameters.md 1)"},
    {"allocation.tranche_mw", HP_DOUBLE, "MW", "100.0", 1e-3, 1e6, NULL,
     "size of one conversion tranche (deals phase in 40-250 MW blocks; parameters.md 5a)"},
    HP_PARAM_END
};

const hp_param hp_hpc_params[] = {
    {"hpc.mode", HP_CHOICE, "", "\"colocation\"", 0, 0, "colocation",
     "how converted capacity earns: colocation = leased to AI tenants (MODEL.md 7)"},
    {"hpc.build_months", HP_DOUBLE, "months", "12.0", 0, 120, NULL,
     "build time of a tranche (TeraWulf 10-12, Cipher-Fluidstack about 12 months; parameters.md 5c)"},
    {"hpc.capex_usd_per_mw", HP_DOUBLE, "USD/MW", "10.0e6", 0, 1e9, NULL,
     "conversion capex per MW, excluding GPUs (deal disclosures $8-11M/MW; parameters.md 5b)"},
    {"hpc.term_years", HP_DOUBLE, "yr", "12.0", 0.1, 50, NULL,
     "lease term (10-15 years; CORZ-CoreWeave 12; parameters.md 5a)"},
    {"hpc.escalator", HP_DOUBLE, "1/yr", "0.03", -0.5, 1, NULL,
     "annual rent escalator (Hut 8 River Bend 3%; parameters.md 5a)"},
    {"hpc.noi_margin", HP_DOUBLE, "", "0.85", 0, 1, NULL,
     "net operating income over rent; opex is the rest (80-90%; parameters.md 5a)"},
    HP_PARAM_END
};

const hp_param hp_ai_market_params[] = {
    {"ai_market.lease0_usd_per_mw_year", HP_DOUBLE, "USD/MW/yr", "1.8e6", 0, 1e9, NULL,
     "market colocation lease rate on start_date (deals $1.2-2.1M, central $1.8M per MW-yr; parameters.md 5a)"},
    {"ai_market.trend_growth", HP_DOUBLE, "1/yr", "0.0", -1, 1, NULL,
     "drift of the log lease-rate trend (CBRE +6.5% in 2025 against supply catching up: flat base case)"},
    {"ai_market.kappa", HP_DOUBLE, "1/yr", "0.5", 0, 100, NULL,
     "speed at which ln L returns to its trend"},
    {"ai_market.sigma", HP_DOUBLE, "1/sqrt(yr)", "0.15", 0, 5, NULL,
     "volatility of ln L (CBRE rates moved 6-13% a year 2022-2025; parameters.md 5a)"},
    HP_PARAM_END
};

/* Tranche k (1-based) of n starts when the ramp reaches min(k T, fC). */
static int plan_tranches(hp_hpc *h, int a, double target_mw, double tranche_mw,
                         int ramp_start, int ramp_end)
{
    int n = target_mw > 0 ? (int)ceil(target_mw / tranche_mw - 1e-9) : 0;
    h->n_tranches[a] = n;
    h->plan[a] = calloc((size_t)(n > 0 ? n : 1), sizeof(hp_tranche_plan));
    if (h->plan[a] == NULL)
        return -1;
    for (int k = 1; k <= n; k++) {
        double upper = fmin(k * tranche_mw, target_mw);
        double lower = (k - 1) * tranche_mw;
        double day = ramp_start + upper / target_mw * (ramp_end - ramp_start);
        int start = (int)ceil(day - 1e-9);
        hp_tranche_plan *p = &h->plan[a][k - 1];
        p->mw = upper - lower;
        p->start_day = start < 0 ? 0 : start;
        p->deliver_day = p->start_day + h->build_days;
    }
    if (n > h->max_tranches)
        h->max_tranches = n;
    return 0;
}

/* Reads the three groups and plans tranches for every allocation. */
int hp_hpc_init(hp_hpc *h, const hp_config *cfg, double capacity_mw,
                int32_t start_day, int n_days, double dt, hp_err *err)
{
    const double *frac;
    size_t n = hp_cfg_list(cfg, "allocation.fractions", &frac);
    int ramp_start = hp_cfg_date(cfg, "allocation.ramp_start") - start_day;
    int ramp_end = hp_cfg_date(cfg, "allocation.ramp_end") - start_day;
    if (ramp_end < ramp_start)
        return hp_cfg_fail(cfg, err, "allocation.ramp_end", "ramp ends before it starts");
    for (size_t i = 1; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (frac[i] == frac[j])
                return hp_cfg_fail(cfg, err, "allocation.fractions",
                                   "fraction %g appears twice", frac[i]);
    h->n_alloc = (int)n;
    h->alloc = malloc(n * sizeof(double));
    h->n_tranches = calloc(n, sizeof(int));
    h->plan = calloc(n, sizeof(hp_tranche_plan *));
    if (h->alloc == NULL || h->n_tranches == NULL || h->plan == NULL)
        return hp_fail(err, NULL, 0, NULL, "out of memory");
    h->build_days = (int)lround(hp_cfg_double(cfg, "hpc.build_months") * 365.25 / 12);
    h->term_days = (int)lround(hp_cfg_double(cfg, "hpc.term_years") * 365.25);
    if (h->term_days < 1)
        h->term_days = 1;
    h->capex_usd_mw = hp_cfg_double(cfg, "hpc.capex_usd_per_mw");
    h->escalator = hp_cfg_double(cfg, "hpc.escalator");
    h->noi_margin = hp_cfg_double(cfg, "hpc.noi_margin");
    double kappa = hp_cfg_double(cfg, "ai_market.kappa");
    h->log_lease0 = log(hp_cfg_double(cfg, "ai_market.lease0_usd_per_mw_year"));
    h->lease_trend_dt = hp_cfg_double(cfg, "ai_market.trend_growth") * dt;
    h->lease_decay = exp(-kappa * dt);
    h->lease_vol = hp_ou_vol(hp_cfg_double(cfg, "ai_market.sigma"), kappa, dt);
    h->max_tranches = 0;
    double tranche = hp_cfg_double(cfg, "allocation.tranche_mw");
    for (int a = 0; a < h->n_alloc; a++) {
        h->alloc[a] = frac[a];
        if (plan_tranches(h, a, frac[a] * capacity_mw, tranche, ramp_start, ramp_end) != 0)
            return hp_fail(err, NULL, 0, NULL, "out of memory");
    }
    (void)n_days;
    return 0;
}

/* Frees what hp_hpc_init allocated (safe on a partly built struct). */
void hp_hpc_free(hp_hpc *h)
{
    if (h->plan != NULL)
        for (int a = 0; a < h->n_alloc; a++)
            free(h->plan[a]);
    free(h->plan);
    free(h->n_tranches);
    free(h->alloc);
}
