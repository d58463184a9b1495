/* hpc: allocation sweep, tranche plan, AI market and the per-path tranche
 * state machine (see hpc.h). */
#include "hpc.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "ou.h"
#include "registry.h"

const hp_param hp_allocation_params[] = {
    {"allocation.fractions", HP_DOUBLE_LIST, "", "[0.0, 0.1, 0.2, 0.3, 0.5]", 0, 1, NULL,
     "fractions f of power capacity converted to AI/HPC, compared on common random numbers (VanEck: 0.2)"},
    {"allocation.ramp_start", HP_DATE, "", "\"2026-01-01\"", 0, 0, NULL,
     "date the conversion ramp starts"},
    {"allocation.ramp_end", HP_DATE, "", "\"2027-12-31\"", 0, 0, NULL,
     "date by which f * C has left mining (VanEck: 20% by 2027; docs/sources.md#vaneck-2024)"},
    {"allocation.policy", HP_CHOICE, "", "\"static\"", 0, 0, "static|optimal",
     "static: only the allocations above, each converting by the ramp; optimal: also a policy "
     "learned by least-squares Monte Carlo that starts tranches when they pay (policy.*, docs/policy.md)"},
    {"allocation.tranche_mw", HP_DOUBLE, "MW", "100.0", 1e-3, 1e6, NULL,
     "size of one conversion tranche (deals phase in 40-250 MW blocks; docs/sources.md#colocation-summary)"},
    HP_PARAM_END
};

const hp_param hp_hpc_params[] = {
    {"hpc.mode", HP_CHOICE, "", "\"colocation\"", 0, 0, ("" HP_HPC_MODES(HP_REGISTRY_WORD)) + 1,
     "how converted capacity earns: colocation = leased to AI tenants; gpu_cloud = owns GPUs and "
     "sells compute (VanEck's $9.11M per MW-yr is this scale; docs/sources.md#vaneck-2024-reconstruction)"},
    {"hpc.build_months", HP_DOUBLE, "months", "12.0", 0, 120, NULL,
     "median build time of a tranche (TeraWulf 10-12, Cipher-Fluidstack about 12 months; docs/sources.md#build-times)"},
    {"hpc.build_sigma", HP_DOUBLE, "", "0.0", 0, 3, NULL,
     "log-sd of the lognormal build time (deals 8-24 months, IREN claims 6-8 weeks: about 0.35; "
     "docs/sources.md#build-times; 0 = always the median)"},
    {"hpc.cancel_prob", HP_DOUBLE, "", "0.0", 0, 1, NULL,
     "probability a tranche is cancelled before delivery, on a uniform day of its build (28% of "
     "data centers late, 25% of leased miner capacity delivered by mid-2026; "
     "docs/sources.md#goldman-on-time-2026, docs/sources.md#vaneck-2026)"},
    {"hpc.search_months", HP_DOUBLE, "months", "0.0", 0, 600, NULL,
     "colocation: mean time a delivered or released tranche waits for a tenant (73% of capacity "
     "preleased, vacancy 1.4-2.3%; docs/sources.md#jll-vacancy-2025; 0 = signs at delivery)"},
    {"hpc.default_hazard", HP_DOUBLE, "1/yr", "0.0", 0, 100, NULL,
     "colocation: yearly hazard of tenant default (backstopped leases: Google backstops of "
     "$1.4-3.2B; docs/sources.md#colocation-summary; assumption)"},
    {"hpc.capex_usd_per_mw", HP_DOUBLE, "USD/MW", "10.0e6", 0, 1e9, NULL,
     "conversion capex per MW, excluding GPUs (deal disclosures $8-11M/MW; docs/sources.md#deal-capex)"},
    {"hpc.term_years", HP_DOUBLE, "yr", "12.0", 0.1, 50, NULL,
     "lease term (10-15 years; CORZ-CoreWeave 12; docs/sources.md#colocation-summary)"},
    {"hpc.escalator", HP_DOUBLE, "1/yr", "0.03", -0.5, 1, NULL,
     "annual rent escalator (Hut 8 River Bend 3%; docs/sources.md#hut8-river-bend-2025)"},
    {"hpc.noi_margin", HP_DOUBLE, "", "0.85", 0, 1, NULL,
     "net operating income over rent; opex is the rest (80-90%; docs/sources.md#colocation-summary)"},
    {"hpc.contracts", HP_RECORDS, "", "()", 0, 0, NULL,
     "leases already signed: AI/HPC capacity from day 0 in every allocation; allocation f converts "
     "f x (capacity - contracted MW) more (docs/firm.md \"Signed contracts\")"},
    {"hpc.contracts.name", HP_STRING, "", "\"\"", 0, 0, NULL,
     "counterparty or deal name"},
    {"hpc.contracts.mw", HP_DOUBLE, "MW", NULL, 1e-9, 1e6, NULL,
     "capacity leased"},
    {"hpc.contracts.rate_usd_per_mw_year", HP_DOUBLE, "USD/MW/yr", NULL, 0, 1e10, NULL,
     "rent in the contract's first year"},
    {"hpc.contracts.start", HP_DATE, "", NULL, 0, 0, NULL,
     "first day of rent; before time.start_date for a lease already running"},
    {"hpc.contracts.term_years", HP_DOUBLE, "yr", NULL, 0.01, 100, NULL,
     "lease term from start"},
    {"hpc.contracts.escalator", HP_DOUBLE, "1/yr", "0.0", -0.5, 1, NULL,
     "rent rise on each anniversary of start"},
    {"hpc.contracts.default_hazard", HP_DOUBLE, "1/yr", "0.0", 0, 100, NULL,
     "yearly hazard that the tenant defaults (times ai_market.bust_default_factor in a bust)"},
    {"hpc.contracts.capex_usd_per_mw", HP_DOUBLE, "USD/MW", "0.0", 0, 1e9, NULL,
     "build capex still to pay, spread evenly over the days before start (0: built, or sunk)"},
    HP_PARAM_END
};

const hp_param hp_ai_market_params[] = {
    {"ai_market.lease0_usd_per_mw_year", HP_DOUBLE, "USD/MW/yr", "1.8e6", 0, 1e9, NULL,
     "market colocation lease rate on start_date (deals $1.2-2.1M, central $1.8M per MW-yr; docs/sources.md#colocation-summary)"},
    {"ai_market.trend_growth", HP_DOUBLE, "1/yr", "0.0", -1, 1, NULL,
     "drift of the log lease-rate trend (CBRE +6.5% in 2025 against supply catching up: flat base case; docs/sources.md#cbre-rents)"},
    {"ai_market.kappa", HP_DOUBLE, "1/yr", "0.5", 0, 100, NULL,
     "speed at which ln L returns to its trend"},
    {"ai_market.sigma", HP_DOUBLE, "1/sqrt(yr)", "0.15", 0, 5, NULL,
     "volatility of ln L (assumption; CBRE rents rose 6-19% a year 2022-2025: docs/sources.md#cbre-rents)"},
    {"ai_market.bust_intensity", HP_DOUBLE, "1/yr", "0.0", 0, 100, NULL,
     "arrival rate of an AI bust (0 = never; assumption, docs/model.md section 9)"},
    {"ai_market.bust_mean_years", HP_DOUBLE, "yr", "2.0", 1.0 / 365.25, 100, NULL,
     "mean duration of a bust, exponential (H100 rents fell 40% within 2025 then recovered "
     "in 5 months; docs/sources.md#gpu-rent-history; assumption)"},
    {"ai_market.bust_lease_cut", HP_DOUBLE, "", "0.30", 0, 0.999, NULL,
     "fraction the lease-rate trend and GPU index lose during a bust (H100 $2.85 to $1.70, -40%; docs/sources.md#gpu-rent-history)"},
    {"ai_market.bust_default_factor", HP_DOUBLE, "", "3.0", 0, 1000, NULL,
     "multiplier on the tenant default hazard during a bust (assumption)"},
    {"ai_market.bust_search_factor", HP_DOUBLE, "", "3.0", 1e-3, 1000, NULL,
     "multiplier on the mean tenant search time during a bust (assumption)"},
    HP_PARAM_END
};

const hp_param hp_gpu_params[] = {
    {"gpu_cloud.revenue0_usd_per_mw_year", HP_DOUBLE, "USD/MW/yr", "9.7e6", 0, 1e10, NULL,
     "GPU rental revenue of a MW at full utilization on start_date (IREN-Microsoft $9.7M per "
     "MW-yr, VanEck $9.11M; docs/sources.md#iren-microsoft-2025)"},
    {"gpu_cloud.drift", HP_DOUBLE, "1/yr", "-0.15", -5, 5, NULL,
     "log drift of the GPU rental index (H100 $2.85 early 2024 to $1.70 Oct 2025, back to "
     "$2.35-2.95 in 2026; docs/sources.md#gpu-rent-history)"},
    {"gpu_cloud.sigma", HP_DOUBLE, "1/sqrt(yr)", "0.25", 0, 5, NULL,
     "volatility of ln GPU rental index (swings of -40% and +40% within a year; docs/sources.md#gpu-rent-history)"},
    {"gpu_cloud.utilization", HP_DOUBLE, "", "0.85", 0, 1, NULL,
     "share of GPU capacity sold (assumption; contracted clouds near 1)"},
    {"gpu_cloud.capex_usd_per_mw", HP_DOUBLE, "USD/MW", "29.0e6", 0, 1e10, NULL,
     "GPU capex per MW at delivery and at each GPU life's end (IREN's $5.8B Dell GB300 order "
     "for 200 MW; docs/sources.md#gpu-capex-gb300)"},
    {"gpu_cloud.life_years", HP_DOUBLE, "yr", "6.0", 0.1, 100, NULL,
     "GPU life before replacement (CoreWeave 6 years, Nebius 4, Amazon 5; docs/sources.md#gpu-depreciation)"},
    HP_PARAM_END
};

#define HP_HPC_MODE(name) static const hp_hpc_mode mode_##name = {#name, 0};
HP_HPC_MODE(colocation)
#undef HP_HPC_MODE
static const hp_hpc_mode mode_gpu_cloud = {"gpu_cloud", 1};
#define HP_HPC_ENTRY(name) &mode_##name,
static const void *const hpc_modes[] = { HP_HPC_MODES(HP_HPC_ENTRY) };
#undef HP_HPC_ENTRY

/* The signed contracts, in run days; they must fit in the capacity and
 * still run on start_day. */
static int read_contracts(hp_hpc *h, const hp_config *cfg, double capacity_mw,
                          int32_t start_day, hp_err *err)
{
    size_t n = hp_cfg_records(cfg, "hpc.contracts");
    h->n_contracts = (int)n;
    h->contracts = calloc(n > 0 ? n : 1, sizeof *h->contracts);
    if (h->contracts == NULL)
        return hp_fail(err, NULL, 0, NULL, "out of memory");
    h->contracted_mw = 0;
    for (size_t i = 0; i < n; i++) {
        hp_contract *c = &h->contracts[i];
        c->mw = hp_cfg_rec_double(cfg, "hpc.contracts", i, "mw");
        c->rate = hp_cfg_rec_double(cfg, "hpc.contracts", i, "rate_usd_per_mw_year");
        c->start_day = hp_cfg_rec_date(cfg, "hpc.contracts", i, "start") - start_day;
        c->end_day = c->start_day +
            (int)lround(hp_cfg_rec_double(cfg, "hpc.contracts", i, "term_years") * 365.25);
        c->escalator = hp_cfg_rec_double(cfg, "hpc.contracts", i, "escalator");
        c->hazard = hp_cfg_rec_double(cfg, "hpc.contracts", i, "default_hazard");
        if (c->end_day <= 0)
            return hp_cfg_rec_fail(cfg, err, "hpc.contracts", i, "term_years",
                                   "the lease ends before time.start_date");
        h->contracted_mw += c->mw;
    }
    if (h->contracted_mw > capacity_mw * (1 + 1e-12))
        return hp_cfg_fail(cfg, err, "hpc.contracts", "contracts lease %.10g MW, more than "
                           "miner.capacity_mw (%.10g MW)", h->contracted_mw, capacity_mw);
    return 0;
}

/* Allocation a's tranches: the contracts first (tranche k = contract k in
 * every allocation), then the conversion: tranche k (1-based) of n starts
 * when the ramp reaches min(k T, target). */
static int plan_tranches(hp_hpc *h, const hp_config *cfg, int a, double target_mw,
                         double tranche_mw, int ramp_start, int ramp_end)
{
    int n = target_mw > 0 ? (int)ceil(target_mw / tranche_mw - 1e-9) : 0;
    int nc = h->n_contracts;
    h->n_tranches[a] = nc + n;
    h->plan[a] = calloc((size_t)(nc + n > 0 ? nc + n : 1), sizeof(hp_tranche_plan));
    if (h->plan[a] == NULL)
        return -1;
    for (int k = 0; k < nc; k++) {
        hp_tranche_plan *p = &h->plan[a][k];
        p->mw = h->contracts[k].mw;
        p->start_day = 0;
        p->capex_usd_mw = hp_cfg_rec_double(cfg, "hpc.contracts", (size_t)k, "capex_usd_per_mw");
        p->contract = k;
    }
    for (int k = 1; k <= n; k++) {
        double upper = fmin(k * tranche_mw, target_mw);
        double lower = (k - 1) * tranche_mw;
        double day = ramp_start + upper / target_mw * (ramp_end - ramp_start);
        int start = (int)ceil(day - 1e-9);
        hp_tranche_plan *p = &h->plan[a][nc + k - 1];
        p->mw = upper - lower;
        p->start_day = start < 0 ? 0 : start;
        p->capex_usd_mw = h->capex_usd_mw;
        p->contract = -1;
    }
    if (nc + n > h->max_tranches)
        h->max_tranches = nc + n;
    return 0;
}

int hp_hpc_add_policy_slot(hp_hpc *h, int n_rights, double tranche_mw)
{
    int a = h->n_alloc, nc = h->n_contracts;
    if (h->n_slots > a)
        return 0;
    h->plan[a] = calloc((size_t)(nc + n_rights > 0 ? nc + n_rights : 1), sizeof(hp_tranche_plan));
    if (h->plan[a] == NULL)
        return -1;
    h->n_slots = a + 1;
    h->n_tranches[a] = nc + n_rights;
    for (int k = 0; k < nc + n_rights; k++) {
        hp_tranche_plan *p = &h->plan[a][k];
        if (k < nc) {
            *p = h->plan[0][k];           /* the contracts, as in every allocation */
            continue;
        }
        p->mw = tranche_mw;
        p->start_day = HP_TRANCHE_UNDECIDED;
        p->capex_usd_mw = h->capex_usd_mw;
        p->contract = -1;
    }
    if (nc + n_rights > h->max_tranches)
        h->max_tranches = nc + n_rights;
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
    h->n_alloc = h->n_slots = (int)n;
    h->alloc = malloc(n * sizeof(double));
    h->n_tranches = calloc(n + 1, sizeof(int));           /* + the policy slot */
    h->plan = calloc(n + 1, sizeof(hp_tranche_plan *));
    if (h->alloc == NULL || h->n_tranches == NULL || h->plan == NULL)
        return hp_fail(err, NULL, 0, NULL, "out of memory");
    const hp_hpc_mode *mode = hp_registry_pick(hpc_modes, sizeof hpc_modes / sizeof *hpc_modes,
                                               cfg, "hpc.mode", "HPC mode", err);
    if (mode == NULL)
        return -1;
    h->gpu = mode->gpu;
    h->build_days = hp_cfg_double(cfg, "hpc.build_months") * 365.25 / 12;
    h->build_sigma = hp_cfg_double(cfg, "hpc.build_sigma");
    h->cancel_prob = hp_cfg_double(cfg, "hpc.cancel_prob");
    double search_years = hp_cfg_double(cfg, "hpc.search_months") / 12;
    double search_factor = hp_cfg_double(cfg, "ai_market.bust_search_factor");
    h->search_now = !(search_years > 0);
    h->search_dt[0] = h->search_now ? 0 : dt / search_years;
    h->search_dt[1] = h->search_now ? 0 : dt / (search_years * search_factor);
    double hazard = hp_cfg_double(cfg, "hpc.default_hazard");
    h->default_dt[0] = hazard * dt;
    h->default_dt[1] = hazard * hp_cfg_double(cfg, "ai_market.bust_default_factor") * dt;
    h->unit_dt[0] = dt;
    h->unit_dt[1] = hp_cfg_double(cfg, "ai_market.bust_default_factor") * dt;
    double bust_rate = hp_cfg_double(cfg, "ai_market.bust_intensity");
    h->bust_days = bust_rate > 0 ? 1 / (bust_rate * dt) : 0;
    h->bust_len_days = hp_cfg_double(cfg, "ai_market.bust_mean_years") / dt;
    h->bust_log_cut = log1p(-hp_cfg_double(cfg, "ai_market.bust_lease_cut"));
    double g0 = hp_cfg_double(cfg, "gpu_cloud.revenue0_usd_per_mw_year");
    if (h->gpu && !(g0 > 0))
        return hp_cfg_fail(cfg, err, "gpu_cloud.revenue0_usd_per_mw_year",
                           "gpu_cloud mode needs a positive rental revenue");
    h->log_gpu0 = log(g0 > 0 ? g0 : 1.0);
    double gs = hp_cfg_double(cfg, "gpu_cloud.sigma");
    h->gpu_drift_dt = hp_cfg_double(cfg, "gpu_cloud.drift") * dt;
    h->gpu_vol_sqrt_dt = gs * sqrt(dt);
    h->utilization = hp_cfg_double(cfg, "gpu_cloud.utilization");
    h->gpu_capex_usd_mw = hp_cfg_double(cfg, "gpu_cloud.capex_usd_per_mw");
    h->gpu_life_days = (int)lround(hp_cfg_double(cfg, "gpu_cloud.life_years") * 365.25);
    if (h->gpu_life_days < 1)
        h->gpu_life_days = 1;
    h->term_days = (int)lround(hp_cfg_double(cfg, "hpc.term_years") * 365.25);
    if (h->term_days < 1)
        h->term_days = 1;
    h->capex_usd_mw = hp_cfg_double(cfg, "hpc.capex_usd_per_mw");
    h->escalator = hp_cfg_double(cfg, "hpc.escalator");
    h->noi_margin = hp_cfg_double(cfg, "hpc.noi_margin");
    double kappa = hp_cfg_double(cfg, "ai_market.kappa");
    h->lease0 = hp_cfg_double(cfg, "ai_market.lease0_usd_per_mw_year");
    h->lease_trend_dt = hp_cfg_double(cfg, "ai_market.trend_growth") * dt;
    h->lease_decay = exp(-kappa * dt);
    h->lease_vol = hp_ou_vol(hp_cfg_double(cfg, "ai_market.sigma"), kappa, dt);
    h->max_tranches = 0;
    if (read_contracts(h, cfg, capacity_mw, start_day, err) != 0)
        return -1;
    double tranche = hp_cfg_double(cfg, "allocation.tranche_mw"), largest = 0;
    double free_mw = capacity_mw - h->contracted_mw;
    for (int a = 0; a < h->n_alloc; a++)
        largest = fmax(largest, frac[a] * (free_mw > 0 ? free_mw : 0));
    /* Every tranche is stepped every day: their number bounds the time and
     * memory of a path, so it is checked before any work. */
    if (ceil(largest / tranche - 1e-9) > HP_MAX_TRANCHES)
        return hp_cfg_fail(cfg, err, "allocation.tranche_mw",
                           "%g MW tranches split the largest allocation (%g MW) into %.0f; at most "
                           "%d per allocation are simulated: use tranches of at least %.3g MW",
                           tranche, largest, ceil(largest / tranche - 1e-9), HP_MAX_TRANCHES,
                           largest / HP_MAX_TRANCHES);
    for (int a = 0; a < h->n_alloc; a++) {
        h->alloc[a] = frac[a];
        if (plan_tranches(h, cfg, a, frac[a] * (free_mw > 0 ? free_mw : 0), tranche, ramp_start,
                          ramp_end) != 0)
            return hp_fail(err, NULL, 0, NULL, "out of memory");
    }
    (void)n_days;
    return 0;
}

/* Frees what hp_hpc_init allocated (safe on a partly built struct). */
void hp_hpc_free(hp_hpc *h)
{
    if (h->plan != NULL)
        for (int a = 0; a < h->n_slots; a++)
            free(h->plan[a]);
    free(h->plan);
    free(h->n_tranches);
    free(h->alloc);
    free(h->contracts);
    h->plan = NULL;
    h->n_tranches = NULL;
    h->alloc = NULL;
    h->contracts = NULL;
}

/* ---- per-path state ---- */

/* Days to the next regime change: exponential with the state's mean, at
 * least one day (the regime is set at the start of a day). */
static int regime_days(double mean_days, hp_pcg64 *r)
{
    double days = ceil(hp_exponential(r) * mean_days);
    return days < 1 ? 1 : days > 1e9 ? 1000000000 : (int)days;
}

/* The first bust arrives after an exponential wait (never when the
 * intensity is zero). */
void hp_ai_path_init(const hp_hpc *h, hp_ai_path *m, hp_pcg64 *bust)
{
    memset(m, 0, sizeof *m);
    m->lease_trend = 0;
    m->log_gpu = h->log_gpu0;
    m->next_switch = h->bust_days > 0 ? regime_days(h->bust_days, bust) : INT_MAX;
}

/* Toggles the regime and draws how long the new one lasts. */
void hp_ai_switch(const hp_hpc *h, hp_ai_path *m, int d, hp_pcg64 *bust)
{
    m->bust = !m->bust;
    int len = regime_days(m->bust ? h->bust_len_days : h->bust_days, bust);
    m->next_switch = len > INT_MAX - d ? INT_MAX : d + len;
}

/* Tranche k of every allocation gets the same generator, so the k-th
 * tranches of two allocations share their build times, cancellations and
 * tenant events (common random numbers). The first three draws of each
 * generator are its build time and cancellation. */
/* A signed contract at the start of a path: its lease (running since its
 * start, escalated by each anniversary passed) or its build until start.
 * e_default is the tenant's Exp(1) default threshold; the contract's hazard
 * turns it into an amount of unit hazard from the lease's start. */
static void contract_start(const hp_contract *c, hp_tranche *t, double e_default)
{
    t->contract = 1;
    t->escalator = c->escalator;
    t->cancel_day = -1;
    t->default_at = c->hazard > 0 ? e_default / c->hazard : INFINITY;
    t->rate = c->rate;
    t->sign_day = c->start_day;
    t->end_day = c->end_day;
    if (c->start_day > 0) {               /* built until its start */
        t->phase = HP_TR_BUILDING;
        t->deliver_day = c->start_day;
        t->capex_end = c->start_day;
        t->wake = 0;
        return;
    }
    t->phase = HP_TR_LEASED;
    t->deliver_day = t->capex_end = 0;
    t->anniversary = 1;
    for (;;) {
        int next = c->start_day + (int)lround(t->anniversary * 365.25);
        if (next > 0 || next >= c->end_day) {
            t->next_day = next < c->end_day ? next : c->end_day;
            break;
        }
        t->rate *= 1 + c->escalator;      /* an anniversary before the run */
        t->anniversary++;
    }
    t->wake = t->next_day;
}

/* Build start, delivery, end of capex and cancellation of a tranche whose
 * start day is known. */
static void schedule(hp_tranche *t, int start)
{
    t->start_day = start;
    t->wake = start;
    t->deliver_day = start + t->build;
    t->capex_end = start + (t->build > 0 ? t->build : 1);
    t->cancel_day = t->cancel_after >= 0 ? start + t->cancel_after : -1;
}

void hp_hpc_start(hp_tranche *t, int d)
{
    if (t->phase == HP_TR_PLANNED && t->start_day == HP_TRANCHE_UNDECIDED)
        schedule(t, d);
}

static void tranche_share(const hp_hpc *h, const hp_tranche_plan *p, hp_tranche *t, int d);

void hp_hpc_path_init(const hp_hpc *h, double capacity_mw, hp_pcg64 *events,
                      hp_tranche *ts, hp_alloc_hpc *as)
{
    for (int k = 0; k < h->max_tranches; k++) {
        hp_pcg64 g;
        uint64_t s1 = hp_pcg64_next(events), s2 = hp_pcg64_next(events);
        hp_pcg64_seed(&g, s1, s2);
        double z = hp_normal(&g), u_cancel = hp_uniform(&g), u_when = hp_uniform(&g);
        double e_default = k < h->n_contracts ? hp_exponential(&g) : 0;
        long build = lround(h->build_days * exp(h->build_sigma * z));
        if (build > 100000)
            build = 100000;               /* a 270-year build is never delivered anyway */
        for (int a = 0; a < h->n_slots; a++) {
            if (k >= h->n_tranches[a])
                continue;
            const hp_tranche_plan *p = &h->plan[a][k];
            hp_tranche *t = &ts[(size_t)a * (size_t)h->max_tranches + (size_t)k];
            memset(t, 0, sizeof *t);
            t->rng = g;
            if (p->contract >= 0) {
                contract_start(&h->contracts[p->contract], t, e_default);
                tranche_share(h, p, t, 0);
                continue;
            }
            t->phase = HP_TR_PLANNED;
            t->build = (int)build;
            t->cancel_after = u_cancel < h->cancel_prob ? (int)floor(u_when * (double)build) : -1;
            if (p->start_day == HP_TRANCHE_UNDECIDED) {
                t->start_day = t->wake = HP_TRANCHE_UNDECIDED;
                t->cancel_day = -1;
            } else {
                schedule(t, p->start_day);
            }
            tranche_share(h, p, t, 0);
        }
    }
    for (int a = 0; a < h->n_slots; a++) {
        memset(&as[a], 0, sizeof as[a]);
        as[a].mining_mw = capacity_mw;
        as[a].next_day = 0;
        as[a].next_search = as[a].next_default = as[a].next_default_unit = INFINITY;
    }
}

/* A tranche goes (back) to the market: it signs when the integrated search
 * hazard has grown by an Exp(1) draw. */
static void search_start(hp_tranche *t, const hp_ai_path *m)
{
    t->phase = HP_TR_SEARCHING;
    t->search_at = m->cum_search + hp_exponential(&t->rng);
}

/* Signs a lease at the day's market rate; the tenant's default threshold
 * is drawn now. */
static void lease_sign(const hp_hpc *h, hp_tranche *t, int d, const hp_ai_path *m)
{
    t->phase = HP_TR_LEASED;
    t->rate = m->lease_f;
    t->escalator = h->escalator;
    t->contract = 0;
    t->sign_day = d;
    t->end_day = d + h->term_days;
    t->anniversary = 1;
    int next = d + (int)lround(365.25);
    t->next_day = next < t->end_day ? next : t->end_day;
    t->default_at = m->cum_default + hp_exponential(&t->rng);
}

/* A delivered tranche (or one whose lease ended) goes to work in the
 * run's mode: GPUs from today, or the search for a tenant. */
static void release(const hp_hpc *h, hp_tranche *t, int d, const hp_ai_path *m)
{
    t->contract = 0;
    if (h->gpu) {
        t->phase = HP_TR_OPERATING;
        t->gpu_next = d;
    } else {
        search_start(t, m);
    }
}

/* A contract's lease begins on its start day, at its own rate; its
 * tenant's default threshold counts from today's unit hazard. */
static void contract_sign(hp_tranche *t, int d, const hp_ai_path *m)
{
    t->phase = HP_TR_LEASED;
    t->anniversary = 1;
    int next = d + (int)lround(365.25);
    t->next_day = next < t->end_day ? next : t->end_day;
    t->default_at += m->cum_unit;
}

/* Has the tenant of a leased tranche defaulted by today? */
static int defaulted(const hp_tranche *t, const hp_ai_path *m)
{
    return (t->contract ? m->cum_unit : m->cum_default) >= t->default_at;
}

/* Moves one tranche through every change due by day d; returns the
 * tenant defaults and adds GPU purchases (USD) to *gpu_capex. */
static int tranche_update(const hp_hpc *h, const hp_tranche_plan *p, hp_tranche *t,
                          int d, const hp_ai_path *m, double *gpu_capex)
{
    int defaults = 0;
    for (;;) {
        switch (t->phase) {
        case HP_TR_PLANNED:
            if (d < t->start_day)
                return defaults;
            t->phase = HP_TR_BUILDING;
            continue;
        case HP_TR_BUILDING:
            if (t->cancel_day >= 0 && d >= t->cancel_day) {
                t->phase = HP_TR_CANCELLED;
                continue;
            }
            if (d < t->deliver_day)
                return defaults;
            if (t->contract)
                contract_sign(t, d, m);
            else
                release(h, t, d, m);
            continue;
        case HP_TR_SEARCHING:
            if (!h->search_now && m->cum_search < t->search_at)
                return defaults;
            lease_sign(h, t, d, m);
            continue;
        case HP_TR_LEASED:
            if (defaulted(t, m)) {
                defaults++;
                release(h, t, d, m);
            } else if (d >= t->end_day) {
                release(h, t, d, m);
            } else if (d >= t->next_day) {
                t->rate *= 1 + t->escalator;
                t->anniversary++;
                int next = t->sign_day + (int)lround(t->anniversary * 365.25);
                t->next_day = next < t->end_day ? next : t->end_day;
            } else {
                return defaults;
            }
            continue;
        case HP_TR_OPERATING:
            if (d < t->gpu_next)
                return defaults;
            *gpu_capex += p->mw * h->gpu_capex_usd_mw;
            t->gpu_next += h->gpu_life_days;
            continue;
        default:
            return defaults;
        }
    }
}

/* The next dated change of a tranche (INT_MAX: none). */
static int tranche_next_day(const hp_tranche *t, int d)
{
    int next = INT_MAX;
    switch (t->phase) {
    case HP_TR_PLANNED:
        next = t->start_day;
        break;
    case HP_TR_BUILDING:
        next = t->deliver_day;
        if (t->cancel_day >= 0 && t->cancel_day < next)
            next = t->cancel_day;
        break;
    case HP_TR_LEASED:
        next = t->next_day;
        break;
    case HP_TR_OPERATING:
        next = t->gpu_next;
        break;
    default:
        break;
    }
    if (t->phase != HP_TR_PLANNED && t->phase != HP_TR_CANCELLED &&
        t->capex_end > d && t->capex_end < next)
        next = t->capex_end;          /* build capex stops that day */
    return next;
}

/* What tranche t adds to its allocation's aggregates on day d, and the
 * hazard that wakes it. Called whenever the tranche changes and on each of
 * its wake days (capex stops on one), so the shares are those of today.
 * The expressions are those of the sums they enter, so the re-sum in
 * hp_hpc_events gives the same bits as summing from scratch. */
static void tranche_share(const hp_hpc *h, const hp_tranche_plan *p, hp_tranche *t, int d)
{
    int phase = t->phase;
    int active = phase != HP_TR_PLANNED && phase != HP_TR_CANCELLED;
    t->mw_converted = active ? p->mw : 0;
    t->mw_leased = t->mw_gpu = t->rent_day = t->capex_day = 0;
    t->hazard = HP_HZ_NONE;
    t->hazard_at = INFINITY;
    if (phase == HP_TR_LEASED) {
        t->mw_leased = p->mw;
        t->rent_day = p->mw * t->rate / 365.25;
        t->hazard = t->contract ? HP_HZ_UNIT : HP_HZ_DEFAULT;
        t->hazard_at = t->default_at;
    } else if (phase == HP_TR_OPERATING) {
        t->mw_gpu = p->mw;
    } else if (phase == HP_TR_SEARCHING) {
        t->hazard = HP_HZ_SEARCH;
        t->hazard_at = h->search_now ? -INFINITY : t->search_at;
    }
    if (active && d < t->capex_end)     /* a contract's, or MW a day to build */
        t->capex_day = (p->contract >= 0 ? p->mw * p->capex_usd_mw : p->mw) /
                       (double)(t->capex_end - t->start_day);
}

void hp_hpc_events(const hp_hpc *h, int a, double capacity_mw, hp_tranche *ts,
                   hp_alloc_hpc *as, int d, const hp_ai_path *m)
{
    const hp_tranche_plan *plan = h->plan[a];
    int nt = h->n_tranches[a];
    /* The level of each hazard today (HP_HZ_NONE: never reaches INFINITY). */
    const double cum[HP_HZ_N] = {0, m->cum_search, m->cum_default, m->cum_unit};
    double next_at[HP_HZ_N] = {INFINITY, INFINITY, INFINITY, INFINITY};
    double converted = 0, leased = 0, gpu_mw = 0;
    double capex_mkt = 0, capex_con = 0, rent_mkt = 0, rent_con = 0;
    int next = INT_MAX;
    for (int k = 0; k < nt; k++) {
        hp_tranche *t = &ts[k];
        /* Only tranches with a change due are stepped: a dated one, or the
         * hazard they wait on has reached their threshold. */
        if (d >= t->wake || cum[t->hazard] >= t->hazard_at) {
            as->defaults += tranche_update(h, &plan[k], t, d, m, &as->gpu_capex);
            t->wake = tranche_next_day(t, d);
            tranche_share(h, &plan[k], t, d);
        }
        /* Adding a 0 share leaves a sum's bits as they were. */
        converted += t->mw_converted;
        leased += t->mw_leased;
        gpu_mw += t->mw_gpu;
        /* A contract's own amounts, or the market's factors (a contract's
         * MW back on the market lease at its rate; capex is the plan's). */
        *(t->contract ? &rent_con : &rent_mkt) += t->rent_day;
        *(plan[k].contract >= 0 ? &capex_con : &capex_mkt) += t->capex_day;
        if (t->hazard_at < next_at[t->hazard])
            next_at[t->hazard] = t->hazard_at;
        if (t->wake < next)
            next = t->wake;
    }
    as->mining_mw = capacity_mw - converted;
    if (as->mining_mw < 0)
        as->mining_mw = 0;
    as->leased_mw = leased;
    as->gpu_mw = gpu_mw;
    as->rent_mkt = rent_mkt;
    as->rent_con = rent_con;
    as->capex_mkt = capex_mkt;
    as->capex_con = capex_con;
    as->rent_day = hp_hpc_rent_day(h, rent_mkt, rent_con);
    as->capex_day = hp_hpc_capex_day(h, capex_mkt, capex_con);
    as->next_day = next > d ? next : d + 1;
    as->next_search = next_at[HP_HZ_SEARCH];
    as->next_default = next_at[HP_HZ_DEFAULT];
    as->next_default_unit = next_at[HP_HZ_UNIT];
}
