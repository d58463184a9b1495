/* policy: keys, decision calendar, state and training payoff of the
 * optimal conversion policy (policy.h, docs/policy.md). */
#include "policy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const hp_param hp_policy_params[] = {
    {"policy.max_fraction", HP_DOUBLE, "", "0.0", 0, 1, NULL,
     "optimal policy: it converts at most this share of capacity, in whole tranches of "
     "allocation.tranche_mw (0 = the largest of allocation.fractions)"},
    {"policy.decision_months", HP_INT, "months", "1", 1, 120, NULL,
     "optimal policy: months between decision dates (a board that meets monthly)"},
    {"policy.max_per_decision", HP_INT, "tranches", "0", 0, 1000, NULL,
     "optimal policy: tranches that may start on one decision date, a build-pipeline limit "
     "(0 = no limit)"},
    {"policy.training_paths", HP_INT, "paths", "4096", 256, 10000000, NULL,
     "optimal policy: training paths of the least-squares Monte Carlo (memory: paths x dates x 5 doubles)"},
    {"policy.training_seed", HP_INT, "", "0", 0, 9.2e18, NULL,
     "optimal policy: seed of the training paths (0 = simulation.seed with its top bit flipped); "
     "recorded in the file"},
    {"policy.degree", HP_INT, "", "2", 1, 5, NULL,
     "optimal policy: total degree of the Hermite basis in the 4 state variables"},
    HP_PARAM_END
};

/* Decision days: first + round(t x months x 365.25 / 12), up to the last
 * day from which a median build still delivers a year before the horizon. */
static int build_calendar(hp_conv *c, int months)
{
    int last = c->n_days - (int)lround(c->build_days) - 365;
    double step = months * 365.25 / 12;
    int n = 0;
    while (last >= 0 && (int)lround(n * step) <= last)
        n++;
    c->day = malloc((size_t)(n > 0 ? n : 1) * sizeof(int));
    if (c->day == NULL)
        return -1;
    for (int t = 0; t < n; t++)
        c->day[t] = (int)lround(t * step);
    c->n_dates = n;
    return 0;
}

int hp_conv_init(hp_conv *c, const hp_config *cfg, const hp_hpc *h, double capacity_mw,
                 int n_days, const double *disc, const hp_valuation *val, uint64_t run_seed,
                 hp_err *err)
{
    memset(c, 0, sizeof *c);
    c->on = strcmp(hp_cfg_string(cfg, "allocation.policy"), "optimal") == 0;
    if (!c->on)
        return 0;
    double frac = hp_cfg_double(cfg, "policy.max_fraction");
    if (frac == 0)
        for (int a = 0; a < h->n_alloc; a++)
            frac = h->alloc[a] > frac ? h->alloc[a] : frac;
    c->tranche_mw = hp_cfg_double(cfg, "allocation.tranche_mw");
    double free_mw = frac * capacity_mw;
    if (free_mw > capacity_mw - h->contracted_mw)
        free_mw = capacity_mw - h->contracted_mw;
    double r = floor(free_mw / c->tranche_mw + 1e-9);
    if (!(r >= 1))
        return hp_cfg_fail(cfg, err, "policy.max_fraction",
                           "the optimal policy has no tranche to convert: %.4g MW of %.4g MW "
                           "free is less than one tranche of %.4g MW",
                           free_mw, capacity_mw, c->tranche_mw);
    int max_r = HP_LSMC_MAX_RIGHTS < HP_MAX_TRANCHES - h->n_contracts
              ? HP_LSMC_MAX_RIGHTS : HP_MAX_TRANCHES - h->n_contracts;
    if (r > max_r)
        return hp_cfg_fail(cfg, err, "allocation.tranche_mw",
                           "the optimal policy would have %.0f tranches, more than %d: "
                           "use larger tranches", r, max_r);
    c->n_rights = (int)r;
    c->first_tranche = h->n_contracts;
    c->max_per_date = (int)hp_cfg_int(cfg, "policy.max_per_decision");
    if (c->max_per_date == 0 || c->max_per_date > c->n_rights)
        c->max_per_date = c->n_rights;
    c->n_regimes = h->bust_days > 0 ? 2 : 1;
    c->degree = (int)hp_cfg_int(cfg, "policy.degree");
    c->train_paths = (uint64_t)hp_cfg_int(cfg, "policy.training_paths");
    int64_t ts = hp_cfg_int(cfg, "policy.training_seed");
    c->train_seed = ts != 0 ? (uint64_t)ts : run_seed ^ (UINT64_C(1) << 63);

    c->n_days = n_days;
    c->disc = disc;
    c->build_days = h->build_days;
    c->search_days = h->search_now || !(h->search_dt[0] > 0) ? 0 : 1.0 / h->search_dt[0];
    c->capex_usd_mw = h->capex_usd_mw;
    c->cancel_prob = h->cancel_prob;
    c->escalator = h->escalator;
    c->noi_margin = h->noi_margin;
    c->term_days = h->term_days;
    c->gpu = h->gpu;
    c->gpu_upkeep_day = h->gpu ? h->gpu_capex_usd_mw / h->gpu_life_days : 0;
    c->hpc_multiple = val->terminal ? val->hpc_multiple : 0;
    c->mining_multiple = val->terminal ? val->mining_multiple : 0;
    c->tv_first_day = n_days > 365 ? n_days - 365 : 0;
    c->tv_year_scale = 365.25 / (n_days - c->tv_first_day);
    c->disc_sum = malloc((size_t)(n_days + 1) * sizeof(double));
    if (c->disc_sum == NULL || build_calendar(c, (int)hp_cfg_int(cfg, "policy.decision_months")) != 0)
        return hp_fail(err, NULL, 0, NULL, "out of memory");
    if (c->n_dates == 0)
        return hp_cfg_fail(cfg, err, "time.horizon_years",
                           "the optimal policy has no decision date: the horizon is shorter than "
                           "a build (%.0f days) and a year", c->build_days);
    c->disc_sum[0] = 0;
    for (int d = 0; d < n_days; d++)
        c->disc_sum[d + 1] = c->disc_sum[d] + disc[d];
    return 0;
}

void hp_conv_free(hp_conv *c)
{
    if (c->trained)
        hp_policy_free(&c->pol);
    free(c->day);
    free(c->disc_sum);
    free(c->tab_day);
    free(c->tab_boundary);
    free(c->tab_kind);
    memset(c, 0, sizeof *c);
}

size_t hp_conv_capture_layout(const hp_conv *c, void *base, hp_conv_capture *cap)
{
    size_t nd = (size_t)c->n_days, nt = (size_t)c->n_dates;
    size_t sizes[4] = { nd * sizeof(double), nd * sizeof(double),
                        nt * HP_PS_N * sizeof(double), nt };
    size_t total = 0;
    for (int i = 0; i < 4; i++) {
        if (base != NULL) {
            void *p = (char *)base + total;
            if (i == 0) cap->margin = p;
            else if (i == 1) cap->ai = p;
            else if (i == 2) cap->state = p;
            else cap->regime = p;
        }
        total += (sizes[i] + 15) & ~(size_t)15;
    }
    return total;
}

void hp_conv_state(double *state, double ai_usd_mw_yr, double mining_usd_mw_yr,
                   double hashprice, double price, double power_factor)
{
    state[HP_PS_RATIO] = log(ai_usd_mw_yr / mining_usd_mw_yr);
    state[HP_PS_HASHPRICE] = log(hashprice);
    state[HP_PS_PRICE] = log(price);
    state[HP_PS_POWER] = log(power_factor);
}

/* Discounted value of a constant flow (USD per day) over days [a, b). */
static double flow(const hp_conv *c, double usd_day, int a, int b)
{
    if (b > c->n_days)
        b = c->n_days;
    return a < b ? usd_day * (c->disc_sum[b] - c->disc_sum[a]) : 0;
}

/* Colocation from delivery: search, a lease at that day's market rate
 * escalating each anniversary, re-leased at market at the end of its term.
 * Returns the discounted NOI of a MW; *noi_end gets its NOI rate
 * (USD/MW/yr) on the last day, for the terminal value. */
static double colocation_value(const hp_conv *c, const double *ai, int deliver, double *noi_end)
{
    double v = 0;
    int n = c->n_days;
    *noi_end = 0;
    for (int sign = deliver + (int)lround(c->search_days); sign < n;
         sign += c->term_days + (int)lround(c->search_days)) {
        double rate = ai[sign] * c->noi_margin;
        int end = sign + c->term_days;
        for (int k = 0; sign + (int)lround(k * 365.25) < end && sign + (int)lround(k * 365.25) < n; k++) {
            int a = sign + (int)lround(k * 365.25), b = sign + (int)lround((k + 1) * 365.25);
            if (b > end)
                b = end;
            v += flow(c, rate / 365.25, a, b);
            if (a <= n - 1 && n - 1 < b)
                *noi_end = rate;
            rate *= 1 + c->escalator;
        }
    }
    return v;
}

void hp_conv_features(const hp_conv *c, const hp_conv_capture *cap, double *feature)
{
    const int n = c->n_days;
    const double v_end = c->disc[n - 1];
    const double tv_mining = v_end * c->mining_multiple * c->tv_year_scale * cap->noi_tv_mining_mw;
    int b = (int)lround(c->build_days), b1 = b > 0 ? b : 1, half = b1 / 2;
    double *given_up = cap->margin;     /* suffix sums: discounted mining NOI from day d on */
    for (int d = n - 2; d >= 0; d--)
        given_up[d] += given_up[d + 1];
    for (int t = 0; t < c->n_dates; t++) {
        int d = c->day[t], deliver = d + b;
        double capex = -flow(c, c->capex_usd_mw / b1, d, d + b1);
        double noi_end = 0, hpc = 0;
        if (c->gpu) {
            for (int k = deliver; k < n; k++)
                hpc += c->disc[k] * (cap->ai[k] / 365.25 * c->noi_margin - c->gpu_upkeep_day);
            noi_end = deliver < n ? cap->ai[n - 1] * c->noi_margin - 365.25 * c->gpu_upkeep_day : 0;
        } else if (deliver < n) {
            hpc = colocation_value(c, cap->ai, deliver, &noi_end);
        }
        double tv_hpc = v_end * c->hpc_multiple * noi_end;
        double built = capex + hpc + tv_hpc - given_up[d] - tv_mining;
        /* Cancelled on a uniform day of the build: about half the capex
         * spent and half the build's mining lost, then it mines again. */
        double mid = d + half < n ? given_up[d + half] : 0;
        double cancelled = -flow(c, c->capex_usd_mw / b1, d, d + half) - (given_up[d] - mid);
        feature[t] = c->tranche_mw * ((1 - c->cancel_prob) * built + c->cancel_prob * cancelled);
    }
}

int hp_conv_decide(const hp_conv *c, int t, int r, int g, const double *state)
{
    if (!c->trained || r <= 0)
        return 0;
    return hp_policy_decide(&c->pol, t, r, g, state, NULL);
}

int hp_conv_tables(hp_conv *c)
{
    size_t nt = (size_t)c->n_dates, nr = (size_t)c->n_rights, ng = (size_t)c->n_regimes;
    c->tab_day = malloc(nt * sizeof(double));
    c->tab_boundary = malloc(nt * nr * ng * sizeof(double));
    c->tab_kind = malloc(nt * nr * ng * sizeof(double));
    if (c->tab_day == NULL || c->tab_boundary == NULL || c->tab_kind == NULL)
        return -1;
    for (size_t t = 0; t < nt; t++) {
        c->tab_day[t] = c->day[t];
        for (size_t k = 0; k < nr; k++)         /* k tranches started: right R - k */
            for (size_t g = 0; g < ng; g++) {
                int found = 0;
                double x = hp_policy_boundary(&c->pol, (int)t, (int)(nr - k), (int)g, HP_PS_RATIO,
                                              64, &found);
                size_t i = (t * nr + k) * ng + g;
                c->tab_boundary[i] = found == 0 ? NAN : exp(x);
                c->tab_kind[i] = found;
            }
    }
    snprintf(c->tab_text, sizeof c->tab_text,
             "policy = optimal\ntraining_seed = %llu\ntraining_paths = %llu\ndegree = %d\n"
             "rights = %d\ntranche_mw = %g\nmax_per_decision = %d\nregimes = %d\n"
             "state = ln(ai/mining), ln hashprice, ln btc_price, ln power_factor\n"
             "in_sample_usd = %.17g\n",
             (unsigned long long)c->train_seed, (unsigned long long)c->train_paths, c->degree,
             c->n_rights, c->tranche_mw, c->max_per_date, c->n_regimes, c->pol.in_sample);
    c->tables[0] = (hp_table){ "policy/decision_day", "day",
        "day index (0 = start_date) of each decision date", "decision", 1, {nt, 0, 0},
        c->tab_day, NULL };
    c->tables[1] = (hp_table){ "policy/boundary", "1",
        "exercise boundary: the ratio of AI revenue (lease rate) to mining revenue of a MW above "
        "which starting the next tranche pays, other state variables at their training means; "
        "NaN: never pays in the training range", "decision, tranches started, regime (0 normal, 1 AI bust)",
        3, {nt, nr, ng}, c->tab_boundary, NULL };
    c->tables[2] = (hp_table){ "policy/boundary_kind", "1",
        "1: crossing found; 0: never pays in the training range; 2: pays across the whole range",
        "decision, tranches started, regime", 3, {nt, nr, ng}, c->tab_kind, NULL };
    c->tables[3] = (hp_table){ "policy/training", "", "", "", 0, {0, 0, 0}, NULL, c->tab_text };
    return 4;
}
