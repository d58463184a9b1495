/* The conversion of one tranche as an optimal-stopping problem with one
 * factor, valued by the engine's least-squares Monte Carlo (sim/lsmc).
 * tests/test_lsmc_convert.py runs this program and compares its value
 * with the lattice solution of the same problem (tests/lsmc_convert_ref.py,
 * whose docstring states the problem in full).
 *
 * One MW mines at a fixed margin (hashprice held fixed). On any month j
 * before the last build can finish, the firm may start converting it:
 * capex spread over the build, the mining margin given up from j to the
 * horizon, and on delivery a lease at that month's market rate L for the
 * term, escalating each anniversary, re-signed at the market rate when a
 * term ends. L follows the model's AI market (log-OU around a trend,
 * models/hpc.h), sampled exactly once a month. The payoff of converting
 * on month j depends on L after j: the regression learns its expectation.
 *
 * Usage: lsmc_convert CASE N_TRAIN N_EVAL THREADS
 * CASE 1: 12-year lease (the default config's term), margin $200k/MW-yr.
 * CASE 2: 5-year leases re-signed at market, margin $110k/MW-yr.
 * Prints one JSON object: the parameters, the LSMC estimate and the
 * fitted exercise boundary per decision month. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "lsmc.h"
#include "rng.h"

#define TRAIN_SEED 10101ULL
#define EVAL_SEED 10102ULL
#define MAX_MONTHS 600

typedef struct convert {
    /* parameters (names as in lsmc_convert_ref.KEYS) */
    int horizon_months, build_months, term_months;
    double rate, escalator, noi_margin, capex_usd_per_mw, lease0_usd_per_mw_year;
    double trend_growth, kappa, sigma, margin_usd_per_mw_year;
    /* derived */
    int n_dates;                 /* H - b decision months                */
    double decay, vol;           /* exact monthly OU step of x           */
    double ann[MAX_MONTHS];      /* PV at 0 of a lease signed on month s, per unit rate */
    double cost[MAX_MONTHS];     /* PV at 0 of capex + margin given up, converting on j */
} convert;

static void convert_init(convert *c)
{
    int H = c->horizon_months, b = c->build_months, T = c->term_months;
    double disc[MAX_MONTHS];
    for (int i = 0; i < H; i++)
        disc[i] = pow(1 + c->rate, -(i + 1) / 12.0);
    for (int s = 0; s < H; s++) {
        double a = 0;
        for (int i = s; i < s + T && i < H; i++)
            a += pow(1 + c->escalator, (i - s) / 12) * disc[i];
        c->ann[s] = a / 12;
    }
    c->n_dates = H - b;
    for (int j = 0; j < c->n_dates; j++) {
        double capex = 0, margin = 0;
        for (int i = j; i < j + b; i++)
            capex += disc[i];
        for (int i = j; i < H; i++)
            margin += disc[i];
        c->cost[j] = c->capex_usd_per_mw / b * capex + c->margin_usd_per_mw_year / 12 * margin;
    }
    c->decay = exp(-c->kappa / 12);
    c->vol = c->sigma * sqrt((1 - c->decay * c->decay) / (2 * c->kappa));
}

/* One path: x monthly, then each decision month's realized payoff; the
 * control is the payoff less its expectation given x_j (lognormal L). */
static void convert_simulate(const void *ctx, uint64_t seed, uint64_t path, double *state,
                             double *payoff, int8_t *regime, double *control, void *scratch)
{
    const convert *c = ctx;
    double lnL[MAX_MONTHS];
    hp_pcg64 r;
    hp_rng_stream(&r, seed, path, 0);
    double x = 0, ln0 = log(c->lease0_usd_per_mw_year);
    for (int i = 0; i < c->horizon_months; i++) {
        lnL[i] = ln0 + c->trend_growth * i / 12.0 + x;
        x = c->decay * x + c->vol * hp_normal(&r);
    }
    for (int j = 0; j < c->n_dates; j++) {
        double rent = 0, expected = 0;
        double xj = lnL[j] - ln0 - c->trend_growth * j / 12.0;
        for (int s = j + c->build_months; s < c->horizon_months; s += c->term_months) {
            rent += exp(lnL[s]) * c->ann[s];
            if (control != NULL) {
                double ah = pow(c->decay, s - j);
                double v = c->sigma * c->sigma * (1 - ah * ah) / (2 * c->kappa);
                expected += exp(ln0 + c->trend_growth * s / 12.0 + ah * xj + 0.5 * v) * c->ann[s];
            }
        }
        state[j] = lnL[j];
        payoff[j] = c->noi_margin * rent - c->cost[j];
        regime[j] = 0;
        if (control != NULL)
            control[j] = c->noi_margin * (rent - expected);
    }
}

/* The fitted boundary on month j, in x = ln L - ln L0 - g j/12; NAN when
 * converting pays nowhere in the training paths' range. */
static double boundary(const convert *c, const hp_policy *pol, int j)
{
    int found;
    double b = hp_policy_boundary(pol, j, 1, 0, 0, 200, &found);
    if (found == 0)
        return NAN;
    return b - log(c->lease0_usd_per_mw_year) - c->trend_growth * j / 12.0;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s CASE N_TRAIN N_EVAL THREADS\n", argv[0]);
        return 2;
    }
    convert c = {.horizon_months = 156, .build_months = 12, .term_months = 144, .rate = 0.10,
                 .escalator = 0.03, .noi_margin = 0.85, .capex_usd_per_mw = 10e6,
                 .lease0_usd_per_mw_year = 1.8e6, .trend_growth = 0.0, .kappa = 0.5,
                 .sigma = 0.15, .margin_usd_per_mw_year = 0.2e6};
    int which = atoi(argv[1]);
    if (which == 2) {
        c.term_months = 60;
        c.margin_usd_per_mw_year = 0.11e6;
    } else if (which != 1) {
        fprintf(stderr, "%s: CASE is 1 or 2\n", argv[0]);
        return 2;
    }
    uint64_t n_train = strtoull(argv[2], NULL, 10), n_eval = strtoull(argv[3], NULL, 10);
    int threads = atoi(argv[4]);
    convert_init(&c);
    hp_stopping pb = {.n_dates = c.n_dates, .n_rights = 1, .n_state = 1, .n_regimes = 1,
                      .payoff_known = 0, .has_control = 1, .simulate = convert_simulate,
                      .ctx = &c};
    hp_lsmc_opts opts = {.degree = 4, .threads = threads};
    hp_policy pol;
    hp_lsmc_eval ev;
    hp_err err = {0};
    double t0 = omp_get_wtime();
    if (hp_lsmc_train(&pb, TRAIN_SEED, n_train, &opts, &pol, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    double t1 = omp_get_wtime();
    int *used = malloc(n_eval * sizeof(int));
    if (used == NULL ||
        hp_lsmc_evaluate(&pb, &pol, EVAL_SEED, 0, n_eval, threads, &ev, NULL, used, &err) != 0) {
        fprintf(stderr, "%s\n", used == NULL ? "out of memory" : err.msg);
        return 1;
    }
    double t2 = omp_get_wtime();
    uint64_t converted = 0;
    for (uint64_t i = 0; i < n_eval; i++)
        converted += (uint64_t)used[i];
    double worst = 0;
    for (int j = 0; j < c.n_dates; j++)
        worst = fmax(worst, pol.fit[j].cond);

    printf("{\"params\": {\"horizon_months\": %d, \"build_months\": %d, \"term_months\": %d, "
           "\"rate\": %.17g, \"escalator\": %.17g, \"noi_margin\": %.17g, "
           "\"capex_usd_per_mw\": %.17g, \"lease0_usd_per_mw_year\": %.17g, "
           "\"trend_growth\": %.17g, \"kappa\": %.17g, \"sigma\": %.17g, "
           "\"margin_usd_per_mw_year\": %.17g},\n",
           c.horizon_months, c.build_months, c.term_months, c.rate, c.escalator, c.noi_margin,
           c.capex_usd_per_mw, c.lease0_usd_per_mw_year, c.trend_growth, c.kappa, c.sigma,
           c.margin_usd_per_mw_year);
    printf(" \"n_train\": %llu, \"n_eval\": %llu, \"threads\": %d, \"degree\": %d,\n",
           (unsigned long long)n_train, (unsigned long long)n_eval, threads, opts.degree);
    printf(" \"value\": %.17g, \"se\": %.17g, \"in_sample\": %.17g,\n",
           ev.value.mean, ev.value.se, pol.in_sample);
    printf(" \"controlled\": %.17g, \"controlled_se\": %.17g,\n",
           ev.controlled.mean, ev.controlled.se);
    printf(" \"control\": %.17g, \"control_se\": %.17g,\n", ev.control.mean, ev.control.se);
    printf(" \"share_converted\": %.17g, \"worst_condition\": %.17g,\n",
           (double)converted / (double)n_eval, worst);
    printf(" \"train_seconds\": %.3f, \"eval_seconds\": %.3f,\n", t1 - t0, t2 - t1);
    printf(" \"boundary\": [");
    for (int j = 0; j < c.n_dates; j++) {
        double b = boundary(&c, &pol, j);
        if (isnan(b))
            printf("%snull", j ? ", " : "");
        else
            printf("%s%.4f", j ? ", " : "", b);
    }
    printf("]}\n");
    free(used);
    hp_policy_free(&pol);
    return 0;
}
