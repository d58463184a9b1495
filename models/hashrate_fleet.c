/* hashrate_fleet: supply of hashrate from a fleet cost curve (see
 * hashrate_fleet.h and docs/network.md). */
#include "hashrate_fleet.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "network.h"

#define DT_YEARS (1.0 / 365.25)
#define MONTH_YEARS (HP_FLEET_MONTH_DAYS / 365.25)
#define BLOCKS_PER_YEAR (144.0 * 365.25)

const hp_param hp_fleet_params[] = {
    {"network.fleet.cohort_j_th", HP_DOUBLE_LIST, "J/TH", "[32.0, 25.0, 17.5, 13.5]", 1, 1e4, NULL,
     "fleet: efficiency of each start cohort of the others' machines (S19 class 30-34 J/TH, S19 XP 21.5, "
     "S21 17.5, S21 XP 13.5; docs/sources.md#bitmain-flagships)"},
    {"network.fleet.cohort_share", HP_DOUBLE_LIST, "", "[0.10, 0.25, 0.35, 0.30]", 0, 1, NULL,
     "fleet: share of installed TH/s in each start cohort, same length as cohort_j_th, summing to 1 "
     "(docs/sources.md#fleet-start-mix-2026)"},
    {"network.fleet.power_quantiles_usd_mwh", HP_DOUBLE_LIST, "USD/MWh",
     "[5.0, 28.0, 33.0, 37.0, 41.0, 45.0, 49.0, 53.0, 59.0, 67.0, 90.0]", 1e-3, 1e5, NULL,
     "fleet: site power prices at probabilities 0, 1/(n-1), ..., 1, linear between (CCAF median "
     "$45/MWh delivered, miners' range $30-80, ends assumed; docs/sources.md#fleet-power-quantiles)"},
    {"network.fleet.frontier_j_th", HP_DOUBLE, "J/TH", "12.5", 0.01, 1e4, NULL,
     "fleet: efficiency of machines delivered on start_date: the log-linear trend of Bitmain's "
     "flagships (S9 to S23 Hydro) a year earlier, as buyers also take last year's models "
     "(docs/sources.md#bitmain-flagships)"},
    {"network.fleet.frontier_gain", HP_DOUBLE, "1/yr", "0.225", 0, 2, NULL,
     "fleet: yearly log decline of the delivered efficiency (the same trend; "
     "docs/sources.md#bitmain-flagships)"},
    {"network.fleet.lead_months", HP_INT, "months", "6", 0, 60, NULL,
     "fleet: months of 30 days from order to delivery and installation (queues six months ahead in "
     "2021; docs/sources.md#asic-lead-time)"},
    {"network.fleet.kappa", HP_DOUBLE, "1/yr", "19.4", 0, 100, NULL,
     "fleet: orders per year, as a share of the network, per unit of (profitability index - 1) "
     "(fit 2020-2023, at the search bound: the cap binds whenever PI > 1; docs/sources.md#fit-network-fleet)"},
    {"network.fleet.max_growth", HP_DOUBLE, "1/yr", "0.77", 0, 100, NULL,
     "fleet: cap on orders per year as a share of the network: chips and sites (largest one-year "
     "growth 2020-2023; docs/sources.md#fit-network-fleet)"},
    {"network.fleet.hurdle_rate", HP_DOUBLE, "1/yr", "0.10", 0, 5, NULL,
     "fleet: rate at which buyers annuitize machines and sites (cost of capital)"},
    {"network.fleet.hashprice_drift", HP_DOUBLE, "1/yr", "0.15", -5, 5, NULL,
     "fleet: log growth of hashprice buyers expect over a machine's life, halvings apart "
     "(fit 2020-2023; docs/sources.md#fit-network-fleet)"},
    {"network.fleet.opex_usd_mwh", HP_DOUBLE, "USD/MWh", "10.5", 0, 1e4, NULL,
     "fleet: fixed opex besides power, per MWh of capacity (CCAF all-in $55.5/MWh less $45 power; "
     "docs/sources.md#mining-opex-per-mw)"},
    {"network.fleet.site_usd_per_mw", HP_DOUBLE, "USD/MW", "500000.0", 0, 1e9, NULL,
     "fleet: capex of a mining site per MW (Needham $0.3-0.8M, CoinShares $0.7-1.0M; "
     "docs/sources.md#needham-capex-2024)"},
    {"network.fleet.site_life_years", HP_DOUBLE, "yr", "10.0", 0.1, 100, NULL,
     "fleet: years a site's capex is spread over (assumption)"},
    {"network.fleet.retire_share", HP_DOUBLE, "", "0.1", 0, 1, NULL,
     "fleet: a cohort retires when fewer than this share of its sites covered their power cost at "
     "the month's mean hashprice for retire_months months in a row (assumption)"},
    {"network.fleet.retire_months", HP_INT, "months", "6", 1, 1200, NULL,
     "fleet: months of 30 days a cohort stays below retire_share before it retires (assumption)"},
    {"network.fleet.max_age_years", HP_DOUBLE, "yr", "8.0", 0.1, 100, NULL,
     "fleet: end of life: a cohort this old scraps its idle machines; those at sites that cover "
     "their power run on (start cohorts' ages from the frontier path; assumption)"},
    {"network.fleet.anticipation", HP_DOUBLE, "", "0.5", 0, 1, NULL,
     "fleet: weight, in logs, of the hashprice after the next retarget (revenue at 144 blocks a day) "
     "against today's in the daily decision to run (assumption: hedged and take-or-pay power, and "
     "miners who look through a dip the retarget ends; 0 = today's hashprice only)"},
    {"network.fleet.switch_days", HP_DOUBLE, "day", "7.0", 0, 365, NULL,
     "fleet: time constant with which running machines follow the decision hashprice "
     "(0 = at once; assumption: hashrate took one to two weeks to settle after the 2020 and 2024 "
     "halvings)"},
    {"network.fleet.noise_sd", HP_DOUBLE, "", "0.135", 0, 5, NULL,
     "fleet: stationary sd of ln of the online multiplier: what the cost curve does not explain "
     "(bans, relocations, weather, outages; fit 2020-2023 to the one-year-ahead errors; "
     "docs/sources.md#fit-network-fleet)"},
    {"network.fleet.noise_days", HP_DOUBLE, "day", "365.0", 1, 1e5, NULL,
     "fleet: correlation time of the online multiplier (assumption: shocks last about a year)"},
    {"network.fleet.noise_model", HP_CHOICE, "", "\"ou\"", 0, 0, "ou|walk",
     "fleet: structure of the online multiplier's noise: \"ou\" (ln of it an OU, stationary sd "
     "noise_sd, correlation time noise_days) or \"walk\" (that OU plus a random walk of sd walk_sd "
     "per sqrt(year) driven by the same daily shocks: capacity shocks that accumulate; "
     "docs/network.md)"},
    {"network.fleet.walk_sd", HP_DOUBLE, "1/sqrt(yr)", "0.0", 0, 5, NULL,
     "fleet: noise_model \"walk\": sd of the random walk in ln of the online multiplier after one "
     "year (its variance grows as walk_sd^2 t)"},
    {"network.fleet.jump_rate", HP_DOUBLE, "1/yr", "0.0", 0, 52, NULL,
     "fleet: rate (Poisson, per year) of transient supply shocks in ln of the online multiplier "
     "(a ban, a grid order: hashrate off in weeks, back as machines relocate; 0 = none; "
     "docs/network.md \"Supply shocks\")"},
    {"network.fleet.jump_mean", HP_DOUBLE, "", "0.0", -5, 5, NULL,
     "fleet: mean of a supply shock's size, in ln of the online multiplier (-0.69 halves the "
     "hashrate online); needs jump_rate > 0"},
    {"network.fleet.jump_sd", HP_DOUBLE, "", "0.0", 0, 5, NULL,
     "fleet: sd of a supply shock's size (normal in ln of the online multiplier); needs jump_rate > 0"},
    {"network.fleet.jump_days", HP_DOUBLE, "day", "120.0", 1, 1e5, NULL,
     "fleet: time constant with which a supply shock decays (ln of its part of the multiplier "
     "falls by exp(-1 / jump_days) a day; assumption: the 2021 China ban's hashrate was back in "
     "about six months)"},
    {"network.fleet.order_sd", HP_DOUBLE, "", "0.0", 0, 5, NULL,
     "fleet: stationary sd of ln of the orders' multiplier around the rule (its median is 1)"},
    {"network.fleet.order_days", HP_DOUBLE, "day", "365.0", 1, 1e5, NULL,
     "fleet: correlation time of the orders' multiplier (an AR(1) across monthly reviews)"},
    HP_PARAM_END
};

/* ---- the site distribution ------------------------------------------------ */

/* F(p): linear between quantiles q[j] at probability j / (n - 1). */
static double power_cdf(const hp_fleet *f, double p)
{
    if (!(p > f->q[0]))
        return 0.0;
    if (p >= f->q[f->n_q - 1])
        return 1.0;
    int j = 0;
    while (p >= f->q[j + 1])
        j++;
    return (j + (p - f->q[j]) / (f->q[j + 1] - f->q[j])) / (f->n_q - 1);
}

double hp_fleet_share(const hp_fleet *f, double e, double hp)
{
    return power_cdf(f, hp / (HP_FLEET_MWH_PER_PH_DAY * e));
}

/* Over a segment [a, b] of power prices (uniform, mass 1/(n-1)), the mean
 * of max(h - c p, 0) is: 0 when h/c <= a; h - c (a + b)/2 when h/c >= b;
 * c (h/c - a)^2 / (2 (b - a)) between. */
double hp_fleet_margin(const hp_fleet *f, double e, double hp)
{
    double c = HP_FLEET_MWH_PER_PH_DAY * e, x = hp / c, sum = 0;
    for (int j = 0; j + 1 < f->n_q; j++) {
        double a = f->q[j], b = f->q[j + 1];
        if (x <= a)
            break;
        sum += x >= b ? hp - c * f->q_mid[j] : c * (x - a) * (x - a) * f->q_inv2w[j];
    }
    return sum / (f->n_q - 1);
}

/* The inverse of F: the price below which a share u of sites lie. */
static double power_quantile(const hp_fleet *f, double u)
{
    double m = u * (f->n_q - 1);
    int j = (int)m;
    return j + 1 < f->n_q ? f->q[j] + (m - j) * (f->q[j + 1] - f->q[j]) : f->q[f->n_q - 1];
}

/* ---- set-up ------------------------------------------------------------------ */

static double frontier_at(const hp_fleet *f, double t_years)
{
    return f->frontier0 * exp(-f->frontier_gain * t_years);
}

/* Reads a list, checking its length against `n_want` (0: any). */
static int read_list(const hp_config *cfg, const char *key, int n_max, int n_want, double *out,
                     int *n_out, hp_err *err)
{
    const double *v;
    size_t n = hp_cfg_list(cfg, key, &v);
    if ((int)n > n_max)
        return hp_cfg_fail(cfg, err, key, "at most %d values, got %zu", n_max, n);
    if (n_want > 0 && (int)n != n_want)
        return hp_cfg_fail(cfg, err, key, "needs %d values (one per cohort of network.fleet.cohort_j_th), "
                           "got %zu", n_want, n);
    memcpy(out, v, n * sizeof(double));
    *n_out = (int)n;
    return 0;
}

/* Start cohorts, least efficient (oldest) first, shares summing to 1. */
static int read_cohorts(hp_fleet *f, const hp_config *cfg, hp_err *err)
{
    int n = 0;
    if (read_list(cfg, "network.fleet.cohort_j_th", HP_FLEET_MAX_INIT, 0, f->init_e, &f->n_init, err) != 0 ||
        read_list(cfg, "network.fleet.cohort_share", HP_FLEET_MAX_INIT, f->n_init, f->init_share, &n, err) != 0)
        return -1;
    double sum = 0;
    for (int k = 0; k < n; k++)
        sum += f->init_share[k];
    if (fabs(sum - 1.0) > 1e-6)
        return hp_cfg_fail(cfg, err, "network.fleet.cohort_share", "shares sum to %.9g, not 1", sum);
    for (int k = 0; k < n; k++)
        f->init_share[k] /= sum;
    for (int i = 1; i < n; i++)            /* insertion sort by e, descending */
        for (int k = i; k > 0 && f->init_e[k] > f->init_e[k - 1]; k--) {
            double t = f->init_e[k]; f->init_e[k] = f->init_e[k - 1]; f->init_e[k - 1] = t;
            t = f->init_share[k]; f->init_share[k] = f->init_share[k - 1]; f->init_share[k - 1] = t;
        }
    /* A cohort's age is how long ago the frontier had its efficiency. */
    for (int k = 0; k < n; k++) {
        double age = f->frontier_gain > 0 ? log(f->init_e[k] / f->frontier0) / f->frontier_gain : 0;
        f->init_age_years[k] = age > 0 ? age : 0;
    }
    return 0;
}

static int read_power(hp_fleet *f, const hp_config *cfg, hp_err *err)
{
    const char *key = "network.fleet.power_quantiles_usd_mwh";
    if (read_list(cfg, key, HP_FLEET_MAX_QUANTILES, 0, f->q, &f->n_q, err) != 0)
        return -1;
    if (f->n_q < 2)
        return hp_cfg_fail(cfg, err, key, "needs at least 2 quantiles (the lowest and highest price)");
    for (int j = 1; j < f->n_q; j++)
        if (!(f->q[j] > f->q[j - 1]))
            return hp_cfg_fail(cfg, err, key, "quantiles must increase strictly (%g then %g)",
                               f->q[j - 1], f->q[j]);
    f->q_median = power_quantile(f, 0.5);
    for (int j = 0; j + 1 < f->n_q; j++) {
        f->q_mid[j] = 0.5 * (f->q[j] + f->q[j + 1]);
        f->q_inv2w[j] = 0.5 / (f->q[j + 1] - f->q[j]);
    }
    /* F on the ln-p grid; the last node is at or above q[n-1], so F = 1 there. */
    f->ln_p0 = log(f->q[0]);
    f->n_phi = (int)ceil((log(f->q[f->n_q - 1]) - f->ln_p0) / HP_FLEET_STEP) + 1;
    f->phi = malloc((size_t)f->n_phi * sizeof(double));
    if (f->phi == NULL)
        return hp_fail(err, NULL, 0, NULL, "out of memory");
    for (int i = 0; i < f->n_phi; i++)
        f->phi[i] = power_cdf(f, exp(f->ln_p0 + i * HP_FLEET_STEP));
    f->phi[f->n_phi - 1] = 1.0;
    return 0;
}

int hp_fleet_init(hp_fleet *f, const hp_config *cfg, int n_days, hp_err *err)
{
    memset(f, 0, sizeof *f);
    f->frontier0 = hp_cfg_double(cfg, "network.fleet.frontier_j_th");
    f->frontier_gain = hp_cfg_double(cfg, "network.fleet.frontier_gain");
    f->lead_months = (int)hp_cfg_int(cfg, "network.fleet.lead_months");
    f->kappa = hp_cfg_double(cfg, "network.fleet.kappa");
    f->max_growth = hp_cfg_double(cfg, "network.fleet.max_growth");
    f->hurdle_rate = hp_cfg_double(cfg, "network.fleet.hurdle_rate");
    f->drift = hp_cfg_double(cfg, "network.fleet.hashprice_drift");
    f->opex_usd_mwh = hp_cfg_double(cfg, "network.fleet.opex_usd_mwh");
    f->site_usd_mw = hp_cfg_double(cfg, "network.fleet.site_usd_per_mw");
    f->site_life_years = hp_cfg_double(cfg, "network.fleet.site_life_years");
    f->retire_share = hp_cfg_double(cfg, "network.fleet.retire_share");
    f->retire_months = (int)hp_cfg_int(cfg, "network.fleet.retire_months");
    f->max_age_years = hp_cfg_double(cfg, "network.fleet.max_age_years");
    double sd = hp_cfg_double(cfg, "network.fleet.noise_sd");
    f->noise_decay = exp(-1.0 / hp_cfg_double(cfg, "network.fleet.noise_days"));
    f->noise_vol = sd * sqrt(1.0 - f->noise_decay * f->noise_decay);
    f->walk_vol = 0;
    if (strcmp(hp_cfg_string(cfg, "network.fleet.noise_model"), "walk") == 0)
        f->walk_vol = hp_cfg_double(cfg, "network.fleet.walk_sd") * sqrt(DT_YEARS);
    else if (hp_cfg_double(cfg, "network.fleet.walk_sd") != 0)
        return hp_cfg_fail(cfg, err, "network.fleet.walk_sd",
                           "a random walk needs network.fleet.noise_model = \"walk\"");
    /* Supply shocks: a size without a rate is a mistake, said so. */
    f->jump_prob = hp_cfg_double(cfg, "network.fleet.jump_rate") * DT_YEARS;
    f->jump_mean = hp_cfg_double(cfg, "network.fleet.jump_mean");
    f->jump_sd = hp_cfg_double(cfg, "network.fleet.jump_sd");
    f->jump_decay = exp(-1.0 / hp_cfg_double(cfg, "network.fleet.jump_days"));
    if (f->jump_prob == 0 && (f->jump_mean != 0 || f->jump_sd != 0))
        return hp_cfg_fail(cfg, err, f->jump_mean != 0 ? "network.fleet.jump_mean"
                                                        : "network.fleet.jump_sd",
                           "a supply shock's size needs network.fleet.jump_rate > 0");
    f->order_sd = hp_cfg_double(cfg, "network.fleet.order_sd");
    f->anticipation = hp_cfg_double(cfg, "network.fleet.anticipation");
    double sw = hp_cfg_double(cfg, "network.fleet.switch_days");
    f->switch_frac = sw > 0 ? -expm1(-1.0 / sw) : 1.0;
    f->order_rho = exp(-HP_FLEET_MONTH_DAYS / hp_cfg_double(cfg, "network.fleet.order_days"));
    f->ln_blocks_unit = log(86400.0 * 1e15 / HP_TWO32);
    if (hp_asic_init(&f->asic, cfg, err) != 0 || read_cohorts(f, cfg, err) != 0 ||
        read_power(f, cfg, err) != 0)
        return -1;
    f->q_retire = power_quantile(f, f->retire_share);
    /* Fixed costs of a new machine per PH/s per day: opex and the site
     * scale with its power (e kW per PH/s); the machine with its price. */
    f->fixed_per_j_th = HP_FLEET_MWH_PER_PH_DAY * f->opex_usd_mwh +
                        f->site_usd_mw * 1e-3 * hp_annuity_factor(f->hurdle_rate, f->site_life_years) / 365.25;
    f->asic_per_usd_th = 1000.0 * hp_annuity_factor(f->hurdle_rate, f->asic.life_years) / 365.25;

    /* The grid spans the cash costs of every machine the run can hold:
     * from the frontier at the last delivery at the cheapest site, to the
     * least efficient start cohort at the dearest. */
    double e_min = frontier_at(f, (n_days + HP_FLEET_MONTH_DAYS) * DT_YEARS);
    double e_max = f->frontier0;
    for (int k = 0; k < f->n_init; k++) {
        e_min = fmin(e_min, f->init_e[k]);
        e_max = fmax(e_max, f->init_e[k]);
    }
    f->ln_h0 = log(HP_FLEET_MWH_PER_PH_DAY * e_min * f->q[0]) - HP_FLEET_STEP;
    double top = log(HP_FLEET_MWH_PER_PH_DAY * e_max) + f->ln_p0 + f->n_phi * HP_FLEET_STEP;
    f->n_grid = (int)ceil((top - f->ln_h0) / HP_FLEET_STEP) + 2;
    f->max_cohorts = f->n_init + n_days / HP_FLEET_MONTH_DAYS + 2;
    /* The frontier at each review, and lead_months beyond the last. */
    int n_front = n_days / HP_FLEET_MONTH_DAYS + f->lead_months + 2;
    f->front = malloc(2 * (size_t)n_front * sizeof(double));   /* and asic_floor */
    if (f->front == NULL)
        return hp_fail(err, NULL, 0, NULL, "out of memory");
    f->asic_floor = f->front + n_front;
    for (int m = 0; m < n_front; m++) {
        f->front[m] = frontier_at(f, m * MONTH_YEARS);
        f->asic_floor[m] = hp_asic_floor_usd_per_th(&f->asic, m * MONTH_YEARS);
    }
    /* The same expressions order_rate and revenue_factor evaluated at each
     * review, so the cached values are the same bits. */
    f->rev_a = f->lead_months * MONTH_YEARS;
    f->rev_b = f->rev_a + f->asic.life_years;
    f->exp_rev_a = exp(f->drift * f->rev_a);
    f->exp_rev_b = exp(f->drift * f->rev_b);
    return 0;
}

void hp_fleet_free(hp_fleet *f)
{
    free(f->phi);
    free(f->front);
    f->phi = NULL;
    f->front = NULL;
    f->asic_floor = NULL;
}

size_t hp_fleet_state_bytes(const hp_fleet *f)
{
    return sizeof(hp_fleet_state) + (size_t)f->n_grid * sizeof(double) +
           (size_t)f->max_cohorts * sizeof(hp_fleet_cohort) +
           (size_t)(f->lead_months > 0 ? f->lead_months : 1) * sizeof(double);
}

/* ---- the supply table ---------------------------------------------------------- */

/* clamp(v, lo, hi) - lo: the part of a share v that lies in [lo, hi]
 * (written as two selects, which vectorize). */
static inline double band(double v, double lo, double hi)
{
    double t = v - lo, w = hi - lo;
    t = t > 0 ? t : 0;
    return t < w ? t : w;
}

/* Adds to the table dth TH/s of cohort c's sites whose power
 * price lies between the quantiles lo and hi of F (0, 1: every site; a
 * negative dth removes them). The cohort's offset on the grid, o =
 * (ln(0.024 e) + ln p0 - ln h0) / STEP, splits it between bins b = floor(o)
 * and b + 1: at node g its sites run in the share (1 - w) F[g - b] +
 * w F[g - b - 1], F = 0 below the power grid and 1 above, each term
 * clamped to [lo, hi]. */
static void table_add(const hp_fleet *f, hp_fleet_state *s, const hp_fleet_cohort *c, double dth,
                      double lo, double hi)
{
    const double *phi = f->phi;
    const int n_phi = f->n_phi, n = f->n_grid, b = c->bin;
    const double w = c->w;
    double *th = s->supply;
    if (b >= n)
        return;
    /* Node b (j = 0: F[-1] = 0), then j = 1 .. n_phi - 1, node b + n_phi
     * (F[n_phi] = 1), then the tail where every site runs. A whole cohort
     * (lo = 0, hi = 1) needs no clamping: that loop is branch-free. */
    double v0 = (1 - w) * band(phi[0], lo, hi);
    th[b] += dth * v0;
    int end = b + n_phi < n ? b + n_phi : n;
    const double *ph = phi - b;                        /* ph[g] = phi[g - b] */
    if (lo == 0 && hi == 1) {
        for (int g = b + 1; g < end; g++)
            th[g] += dth * ((1 - w) * ph[g] + w * ph[g - 1]);
    } else {
        for (int g = b + 1; g < end; g++)
            th[g] += dth * ((1 - w) * band(ph[g], lo, hi) + w * band(ph[g - 1], lo, hi));
    }
    if (end >= n)
        return;
    double v1 = (1 - w) * (hi - lo) + w * band(phi[n_phi - 1], lo, hi);
    th[end] += dth * v1;
    double dt_all = dth * (hi - lo);
    for (int g = end + 1; g < n; g++)                  /* all sites run */
        th[g] += dt_all;
}

/* The month's hashprice below which fewer than retire_share of the sites
 * the cohort kept cover their power: 0.024 e F^-1(retire_share f_cut). */
static void cohort_under(const hp_fleet *f, hp_fleet_cohort *c)
{
    c->h_under = HP_FLEET_MWH_PER_PH_DAY * c->e * power_quantile(f, f->retire_share * c->f_cut);
}

static void cohort_place(const hp_fleet *f, hp_fleet_cohort *c)
{
    double o = (log(HP_FLEET_MWH_PER_PH_DAY * c->e) + f->ln_p0 - f->ln_h0) / HP_FLEET_STEP;
    c->bin = (int)floor(o);
    c->w = o - c->bin;
}

/* ---- investment ------------------------------------------------------------------ */

/* Mean over [a, b] years from now of (subsidy + fee) / (subsidy now + fee)
 * times exp(drift tau): the subsidy steps down at each halving height,
 * reached at 144 blocks a day. */
static double revenue_factor(const hp_fleet *f, double height, double fee, double a, double b)
{
    int64_t h = (int64_t)height;
    double now = (double)hp_subsidy_sat(h) / HP_COIN_SAT + fee;
    if (!(now > 0))
        return 0;
    const double x = f->drift;
    const int flat = !(fabs(x) > 1e-12);
    double sum = 0, t = a;
    double e_t = flat ? 0 : a == f->rev_a ? f->exp_rev_a : exp(x * a);   /* exp(x t), carried on */
    int64_t era = (int64_t)(height + a * BLOCKS_PER_YEAR) / HP_HALVING_INTERVAL;
    while (t < b) {
        double t_next = ((double)((era + 1) * HP_HALVING_INTERVAL) - height) / BLOCKS_PER_YEAR;
        double hi = t_next < b ? t_next : b;
        double sub = era >= 64 ? 0 : (double)((50 * HP_COIN_SAT) >> era) / HP_COIN_SAT;
        double e_hi = flat ? 0 : hi == f->rev_b ? f->exp_rev_b : exp(x * hi);
        double integral = flat ? hi - t : (e_hi - e_t) / x;
        sum += (sub + fee) / now * integral;
        t = hi;
        e_t = e_hi;
        era++;
    }
    return sum / (b - a);
}

/* Orders per year as a share of the network, and the full cost of a new
 * machine (USD/PH/day at the median site), from the smoothed hashprice:
 * kappa (PI - 1) times the orders' multiplier `mult`, at most max_growth
 * (the multiplier moves demand; chips and sites cap supply). */
static double order_rate(const hp_fleet *f, const hp_fleet_state *s, int month, double height,
                         double fee, double mult, double *full_cost)
{
    double e = f->front[month + f->lead_months];
    double hp_life = s->ema_hp * revenue_factor(f, height, fee, f->rev_a, f->rev_b);
    double margin = hp_fleet_margin(f, e, hp_life);
    double fixed = e * f->fixed_per_j_th +
                   hp_asic_usd_per_th_above(&f->asic, s->ema_hp, f->asic_floor[month]) * f->asic_per_usd_th;
    *full_cost = fixed + HP_FLEET_MWH_PER_PH_DAY * e * f->q_median;
    if (!(fixed > 0))
        return f->max_growth;
    double rate = f->kappa * (margin / fixed - 1.0) * mult;
    return rate <= 0 ? 0 : rate < f->max_growth ? rate : f->max_growth;
}

static void cohort_append(const hp_fleet *f, hp_fleet_state *s, double th, double e, double t)
{
    if (!(th > 0) || s->n_coh >= f->max_cohorts)
        return;
    hp_fleet_cohort *c = &s->coh[s->n_coh++];
    *c = (hp_fleet_cohort){.th_full = th, .f_cut = 1, .e = e, .born_years = t};
    cohort_place(f, c);
    cohort_under(f, c);
    table_add(f, s, c, th, 0, 1);
    s->installed_th += th;
}

/* hp_fleet_share of each cohort, as power_cdf computes it, but the
 * quantile search starts from the segment the previous cohort's price
 * fell in when it lies at or above that segment's start: the quantiles do
 * not decrease, so the first segment whose end exceeds p is the same, and
 * newer cohorts (more efficient, a higher price to cover) mostly move it
 * up. Same bits (test_fleet compares it with hp_fleet_share). */
double hp_fleet_mw_online(const hp_fleet *f, const hp_fleet_state *s, double hp)
{
    const double *q = f->q;
    const int nq = f->n_q;
    double w = 0;
    int j = 0;
    for (int k = s->first; k < s->n_coh; k++) {
        const hp_fleet_cohort *c = &s->coh[k];
        double p = hp / (HP_FLEET_MWH_PER_PH_DAY * c->e), run;
        if (!(p > q[0]))
            run = 0.0;
        else if (p >= q[nq - 1])
            run = 1.0;
        else {
            if (!(q[j] <= p))
                j = 0;
            while (p >= q[j + 1])
                j++;
            run = (j + (p - q[j]) / (q[j + 1] - q[j])) / (nq - 1);
        }
        w += c->th_full * c->e * (run < c->f_cut ? run : c->f_cut);   /* TH/s x J/TH = W */
    }
    return w * 1e-6;
}

/* Reported at each review: the newest cohort's cash cost. */
static void review_stats(const hp_fleet *f, hp_fleet_state *s)
{
    double e_best = s->n_coh > s->first ? s->coh[s->n_coh - 1].e : f->frontier0;
    s->cash_cost_best = HP_FLEET_MWH_PER_PH_DAY * e_best * f->q_median;
}

/* ---- a chain's fleet --------------------------------------------------------------- */

/* The state and its arrays, in that order, in one block of `mem`. */
static hp_fleet_state *state_layout(const hp_fleet *f, void *mem)
{
    hp_fleet_state *s = mem;
    char *p = (char *)mem + sizeof *s;
    s->supply = (double *)p;
    p += (size_t)f->n_grid * sizeof(double);
    s->coh = (hp_fleet_cohort *)p;
    p += (size_t)f->max_cohorts * sizeof(hp_fleet_cohort);
    s->pipe = (double *)p;
    return s;
}

hp_fleet_state *hp_fleet_copy(const hp_fleet *f, void *mem, const hp_fleet_state *src)
{
    memcpy(mem, src, hp_fleet_state_bytes(f));
    return state_layout(f, mem);
}

hp_fleet_state *hp_fleet_start(const hp_fleet *f, void *mem, double others_hs, double hp0,
                               double network_hs, double height, double difficulty, double fee_btc)
{
    memset(mem, 0, hp_fleet_state_bytes(f));
    hp_fleet_state *s = state_layout(f, mem);

    /* Unit shares first, then scaled so that the day-0 table gives others_hs. */
    for (int k = 0; k < f->n_init; k++) {
        hp_fleet_cohort c = {.th_full = f->init_share[k], .f_cut = 1, .e = f->init_e[k],
                             .born_years = -f->init_age_years[k]};
        cohort_place(f, &c);
        cohort_under(f, &c);
        table_add(f, s, &c, c.th_full, 0, 1);
        s->coh[s->n_coh++] = c;
    }
    s->ln_tight = log(difficulty * (4294967296.0 / 600.0) / network_hs);
    s->tight_mult = exp(f->anticipation * s->ln_tight);
    double online = hp_fleet_supply_th(f, s, log(hp0) + f->anticipation * s->ln_tight);
    if (!(online > 0) || !(others_hs > 0))
        return NULL;
    double scale = others_hs * 1e-12 / online;
    for (int g = 0; g < f->n_grid; g++)
        s->supply[g] *= scale;
    for (int k = 0; k < s->n_coh; k++) {
        s->coh[k].th_full *= scale;
        s->installed_th += s->coh[k].th_full;
    }
    s->online_th = others_hs * 1e-12;
    s->ema_hp = hp0;
    s->d_cached = -1;
    /* Orders of the last lead_months, at the rule's rate on day 0. */
    double rate = order_rate(f, s, 0, height, fee_btc, 1.0, &s->full_cost_new);
    for (int m = 0; m < f->lead_months; m++)
        s->pipe[m] = rate * MONTH_YEARS * network_hs * 1e-12;
    review_stats(f, s);
    return s;
}

void hp_fleet_path_init(hp_fleet_path *p)
{
    p->ln_noise = 0;
    p->ln_walk = 0;
    p->ln_jump = 0;
    p->mult = 1;
    p->z_sum = 0;
    p->order_x = 0;
    p->order_mult = 1;                  /* exp(order_sd x 0) */
}


/* Keeps only the cohort's sites below the quantile f_new of F (0: all go). */
static void cohort_cut(const hp_fleet *f, hp_fleet_state *s, hp_fleet_cohort *c, double f_new)
{
    if (!(f_new < c->f_cut))
        return;
    table_add(f, s, c, -c->th_full, f_new, c->f_cut);
    s->installed_th -= c->th_full * (c->f_cut - f_new);
    c->f_cut = f_new;
    cohort_under(f, c);
}

/* Cohorts are oldest (least efficient) first, so those past max_age are a
 * prefix of the live ones: when a cohort reaches it, its machines that
 * stand idle at the month's hashprice are scrapped (end of life), those at
 * sites that still cover their power run on until the rule below retires
 * them (old machines at cheap power ran for years: S9s). So ageing never
 * removes running hashrate at a stroke. The cohorts that can be below
 * retire_share at a hashprice (fewer than retire_share of all their
 * original sites covering cost): their efficiency exceeds e* = hp / (0.024
 * p_share), p_share the retire_share quantile of power prices. Within that
 * prefix a cohort is below when the sites that cover cost, F(hp / 0.024 e),
 * are fewer than retire_share of the sites it kept. After retire_months
 * reviews in a row below, it keeps only the sites that cover cost at the
 * month's mean hashprice: machines at cheap power run on, the rest are
 * sold or scrapped. A cohort that left the prefix starts counting again. */
static void retire(const hp_fleet *f, hp_fleet_state *s, double hp_month, double t)
{
    if (s->aged_end < s->first)
        s->aged_end = s->first;
    for (; s->aged_end < s->n_coh && t - s->coh[s->aged_end].born_years > f->max_age_years; s->aged_end++) {
        hp_fleet_cohort *c = &s->coh[s->aged_end];
        cohort_cut(f, s, c, hp_fleet_share(f, c->e, hp_month));
    }
    double e_star = hp_month / (HP_FLEET_MWH_PER_PH_DAY * f->q_retire);
    int m = s->first;
    for (; m < s->n_coh && s->coh[m].e > e_star; m++) {
        hp_fleet_cohort *c = &s->coh[m];
        if (!(hp_month < c->h_under)) {
            c->months_under = 0;
            continue;
        }
        if (++c->months_under >= f->retire_months) {
            cohort_cut(f, s, c, hp_fleet_share(f, c->e, hp_month));
            c->months_under = 0;
        }
    }
    for (int k = m; k < s->under_end; k++)
        s->coh[k].months_under = 0;
    s->under_end = m;
    while (s->first < s->n_coh && !(s->coh[s->first].f_cut > 0))
        s->first++;
}

void hp_fleet_review(const hp_fleet *f, hp_fleet_state *s, const hp_fleet_path *p, int d,
                     double height, double fee_btc)
{
    double t = (d + 1) * DT_YEARS;
    double hp_month = s->month_days > 0 ? s->month_hp / s->month_days : s->ema_hp;
    s->ema_hp = hp_month;
    double net_th = s->month_days > 0 ? s->month_net / s->month_days * 1e-12 : s->installed_th;
    s->month_hp = 0;
    s->month_net = 0;
    s->month_days = 0;
    s->months++;
    retire(f, s, hp_month, t);

    double mult = p->order_mult;
    int month = (d + 1) / HP_FLEET_MONTH_DAYS;
    double rate = order_rate(f, s, month, height, fee_btc, mult, &s->full_cost_new);
    double order = rate * MONTH_YEARS * net_th;
    if (f->lead_months > 0) {
        cohort_append(f, s, s->pipe[s->pipe_head], f->front[month], t);
        s->pipe[s->pipe_head] = order;
        s->pipe_head = (s->pipe_head + 1) % f->lead_months;
    } else {
        cohort_append(f, s, order, f->front[month], t);
    }
    review_stats(f, s);
}
