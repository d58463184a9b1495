/* miner: fleet parameters, the sites' cost curve and hashrate per MW (see
 * miner.h). */
#include "miner.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"

const hp_param hp_miner_params[] = {
    {"miner.capacity_mw", HP_DOUBLE, "MW", "7600.0", 0, 1e6, NULL,
     "power capacity C (VanEck 2024: $13.9B / $9.11M per MW-yr = 1,526 MW = 20% of about 7.6 GW; docs/sources.md#vaneck-2024-reconstruction)"},
    {"miner.efficiency_j_th", HP_DOUBLE, "J/TH", "22.0", 1, 1000, NULL,
     "fleet efficiency on start_date (public fleets 16-19 J/TH, network 28.2 J/TH in 2024; "
     "docs/sources.md#fleet-efficiency-2025, docs/sources.md#ccaf-2025-efficiency)"},
    {"miner.refresh_rule", HP_CHOICE, "", "\"frontier\"", 0, 0, "frontier|fixed_gain",
     "how the fleet's efficiency moves: frontier = worn machines (asic_life_years) are replaced by machines "
     "of the network's frontier (network.fleet.frontier_j_th, frontier_gain), so the fleet is a mix of the "
     "last asic_life_years of the frontier, as public miners' fleets are (CleanSpark 22.3 to 16.2 J/TH "
     "mid-2024 to mid-2025, Riot 21.9 J/TH end 2024; docs/sources.md#miner-fleet-efficiency-2024-2025); "
     "fixed_gain = efficiency_gain a year whatever the frontier does"},
    {"miner.efficiency_gain", HP_DOUBLE, "1/yr", "0.08", 0, 0.9, NULL,
     "refresh_rule fixed_gain: fractional efficiency improvement per year (S21 17.5 to S23 9.7 J/TH over about 3 years at the frontier; docs/sources.md#antminer-s23)"},
    {"miner.uptime", HP_DOUBLE, "", "0.95", 0, 1, NULL,
     "share of time the fleet hashes (maintenance, demand response)"},
    {"miner.pool_fee", HP_DOUBLE, "", "0.015", 0, 1, NULL,
     "pool fee as a share of rewards (FPPS pools 1-2.5%)"},
    {"miner.power_usd_mwh", HP_DOUBLE, "USD/MWh", "45.0", 0, 10000, NULL,
     "median power price of the fleet's sites when miner.sites is empty (CCAF 2025 median delivered electricity $45/MWh; docs/sources.md#ccaf-2025-power)"},
    {"miner.power_spread", HP_DOUBLE, "", "0.30", 0, 3, NULL,
     "log-sd of the sites' power prices around power_usd_mwh when miner.sites is empty (0.30: 5-95% range $27-74/MWh at $45, "
     "miners' $30-80/MWh; docs/sources.md#power-range)"},
    {"miner.power_bins", HP_INT, "", "20", 1, 64, NULL,
     "sites of equal MW the power-price spread is cut into; each pays the mean price of its quantile band"},
    {"miner.sites", HP_RECORDS, "", "()", 0, 0, NULL,
     "the fleet's sites, each with its MW and power price; their MW must add up to capacity_mw; () = a spread around power_usd_mwh"},
    {"miner.sites.name", HP_STRING, "", "\"\"", 0, 0, NULL,
     "site name (for miner.convert_site and messages)"},
    {"miner.sites.mw", HP_DOUBLE, "MW", NULL, 1e-9, 1e6, NULL,
     "site power capacity"},
    {"miner.sites.power_usd_mwh", HP_DOUBLE, "USD/MWh", NULL, 0, 10000, NULL,
     "site power price (e.g. Riot 34, MARA 40, TeraWulf 81 USD/MWh in 2025; docs/sources.md#riot-power, "
     "docs/sources.md#mara-q3-2025, docs/sources.md#terawulf-power-2025)"},
    {"miner.convert_order", HP_CHOICE, "", "\"dearest\"", 0, 0, "dearest|cheapest|listed",
     "order in which converted MW leave the sites: dearest power first, cheapest first, or as listed in miner.sites"},
    {"miner.convert_site", HP_STRING, "", "\"\"", 0, 0, NULL,
     "a site (miner.sites name) converted before all others; \"\" = none"},
    {"miner.opex_usd_mw_year", HP_DOUBLE, "USD/MW/yr", "92000.0", 0, 1e9, NULL,
     "other fixed opex per MW mining ((55.5 - 45) $/MWh all-in less power, times 8,766 h; docs/sources.md#mining-opex-per-mw)"},
    {"miner.in_network", HP_BOOL, "", "true", 0, 0, NULL,
     "the fleet is part of network hashrate (true for all public miners, about 29% of the network; docs/sources.md#jpmorgan-miner-share)"},
    {"miner.power_model", HP_CHOICE, "", "\"fixed\"", 0, 0,
     ("" HP_POWER_MODELS(HP_REGISTRY_WORD)) + 1,
     "power price factor X on every site's price: fixed (X = 1), or ou = log Ornstein-Uhlenbeck around 1"},
    {"miner.curtail", HP_BOOL, "", "true", 0, 0, NULL,
     "switch off, day by day, the sites whose power plus variable cost exceeds their revenue per MWh"},
    {"miner.variable_usd_mwh", HP_DOUBLE, "USD/MWh", "0.0", 0, 10000, NULL,
     "variable cost per MWh besides power, saved when curtailed, booked in mining opex (maintenance; assumption)"},
    {"miner.refresh_price", HP_CHOICE, "", "\"market\"", 0, 0, "market|fixed",
     "price of the machines the fleet refresh buys: market = asic.* price per TH/s at the 90-day "
     "smoothed hashprice of the day (models/asic.h); fixed = refresh_usd_per_th"},
    {"miner.refresh_usd_per_th", HP_DOUBLE, "USD/TH", "0.0", 0, 1e6, NULL,
     "refresh_price fixed: capex per TH/s bought, on the MW that mine (ASICs $10-30/TH mid-2025; docs/sources.md#asic-price-2025; 0 = free)"},
    {"miner.refresh_payback_years", HP_DOUBLE, "yr", "2.0", 0, 100, NULL,
     "refresh_rule frontier: the day's worn machines are replaced only if a MW of frontier machines "
     "repays their price within this time from its cash margin (the day's 90-day smoothed hashprice "
     "after pool fee, less the fleet's mean site power and variable cost); else the worn machines run "
     "on (assumption: half the machines' life)"},
    {"miner.asic_life_years", HP_DOUBLE, "yr", "4.0", 0, 100, NULL,
     "machines wear out after L years: each year 1/L of the fleet is replaced at the day's ASIC price, "
     "by frontier machines (refresh_rule frontier, which needs L > 0) or at the TH/s per MW of L years "
     "before (fixed_gain; 0 = never: the refresh buys only the efficiency gain). 4: as asic.life_years "
     "(assumption)"},
    {"miner.exit_months", HP_INT, "months", "12", 0, HP_EXIT_MAX_MONTHS, NULL,
     "a site whose revenue stays below its power and variable cost this many 30-day months in a row "
     "leaves mining (machines scrapped, energy, opex and refresh stop; the powered site "
     "is kept for conversion and salvage, and comes back only by miner.reequip); 0 = never. Needs miner.curtail. 12: miners sold or "
     "closed sites about a year into the 2022 bear (assumption; docs/sources.md#miner-exits-2022)"},
    {"miner.reequip", HP_BOOL, "", "false", 0, 0, NULL,
     "a retired site comes back: at each month close, the retired sites (cheapest first) whose MW "
     "of frontier machines would repay their ASIC price within refresh_payback_years, at the "
     "smoothed hashprice of the refresh rule, their own power price and fixed opex, are "
     "re-equipped (capex booked as refresh capex) and mine again, as the others' fleet invests "
     "when a machine pays. Needs refresh_rule frontier and exit_months > 0. Off: on configs/default.cfg it "
     "keeps the fleet mining but lowers pure mining's mean NPV, the rule being a price taker's "
     "(docs/firm.md \"Exit\")"},
    HP_PARAM_END
};

#define HP_POWER_ENTRY(name) &hp_power_##name,
static const void *const power_models[] = { HP_POWER_MODELS(HP_POWER_ENTRY) };
#undef HP_POWER_ENTRY

/* Standard normal CDF. */
static double norm_cdf(double z)
{
    return 0.5 * erfc(-z / sqrt(2.0));
}

/* Standard normal quantile by bisection (set-up only): 0 and 1 give -inf
 * and +inf. */
static double norm_quantile(double p)
{
    if (p <= 0)
        return -INFINITY;
    if (p >= 1)
        return INFINITY;
    double lo = -40, hi = 40;
    for (int i = 0; i < 200 && hi - lo > 1e-15; i++) {
        double mid = 0.5 * (lo + hi);
        if (norm_cdf(mid) < p)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* Sites of one spread: n bins of C/n MW; bin j holds the prices between
 * the j/n and (j+1)/n quantiles of the lognormal p_med e^(s Z) and pays
 * their mean, p_med e^(s^2/2) n (Phi(z_(j+1) - s) - Phi(z_j - s)), so the
 * fleet's mean price is the lognormal's, p_med e^(s^2/2). */
static void spread_sites(double *price, double *mw, int n, double cap, double p_med, double s)
{
    for (int j = 0; j < n; j++) {
        mw[j] = cap / n;
        if (s == 0 || n == 1) {
            price[j] = s == 0 ? p_med : p_med * exp(0.5 * s * s);
            continue;
        }
        double z0 = norm_quantile((double)j / n), z1 = norm_quantile((double)(j + 1) / n);
        price[j] = p_med * exp(0.5 * s * s) * n * (norm_cdf(z1 - s) - norm_cdf(z0 - s));
    }
}

/* Sort key of the sites: price, then listed order (a stable sort). */
typedef struct site_key { double price; int listed; } site_key;

static int site_cmp(const void *a, const void *b)
{
    const site_key *x = a, *y = b;
    if (x->price != y->price)
        return x->price < y->price ? -1 : 1;
    return x->listed - y->listed;
}

/* Reads the sites (listed, or a spread), sorts them by price and sets the
 * conversion order. */
static int init_sites(hp_miner *m, const hp_config *cfg, hp_err *err)
{
    size_t ns = hp_cfg_records(cfg, "miner.sites");
    int n = ns > 0 ? (int)ns : (int)hp_cfg_int(cfg, "miner.power_bins");
    double *price = calloc((size_t)n, sizeof *price), *mw = calloc((size_t)n, sizeof *mw);
    site_key *key = calloc((size_t)n, sizeof *key);
    int *sorted_of = calloc((size_t)n, sizeof *sorted_of);   /* listed -> sorted index */
    m->site_price = calloc((size_t)n, sizeof *m->site_price);
    m->site_mw = calloc((size_t)n, sizeof *m->site_mw);
    m->convert_order = calloc((size_t)n, sizeof *m->convert_order);
    m->site_name = calloc((size_t)n, sizeof *m->site_name);
    int rc = -1;
    if (price == NULL || mw == NULL || key == NULL || sorted_of == NULL || m->site_price == NULL ||
        m->site_mw == NULL || m->convert_order == NULL || m->site_name == NULL) {
        hp_fail(err, NULL, 0, NULL, "out of memory");
        goto done;
    }
    m->n_sites = n;
    if (ns > 0) {
        double total = 0;
        for (int i = 0; i < n; i++) {
            mw[i] = hp_cfg_rec_double(cfg, "miner.sites", (size_t)i, "mw");
            price[i] = hp_cfg_rec_double(cfg, "miner.sites", (size_t)i, "power_usd_mwh");
            total += mw[i];
            const char *name = hp_cfg_rec_string(cfg, "miner.sites", (size_t)i, "name");
            for (int j = 0; j < i && name[0] != '\0'; j++)
                if (strcmp(name, hp_cfg_rec_string(cfg, "miner.sites", (size_t)j, "name")) == 0) {
                    hp_cfg_rec_fail(cfg, err, "miner.sites", (size_t)i, "name",
                                    "site name '%s' is used twice", name);
                    goto done;
                }
        }
        if (fabs(total - m->capacity_mw) > 1e-9 * m->capacity_mw) {
            hp_cfg_fail(cfg, err, "miner.sites", "the sites add up to %.10g MW but "
                        "miner.capacity_mw is %.10g MW: set capacity_mw = %.10g", total,
                        m->capacity_mw, total);
            goto done;
        }
    } else {
        spread_sites(price, mw, n, m->capacity_mw, hp_cfg_double(cfg, "miner.power_usd_mwh"),
                     hp_cfg_double(cfg, "miner.power_spread"));
    }
    for (int i = 0; i < n; i++)
        key[i] = (site_key){price[i], i};
    qsort(key, (size_t)n, sizeof *key, site_cmp);
    double wsum = 0, psum = 0;
    for (int k = 0; k < n; k++) {
        int i = key[k].listed;
        m->site_price[k] = key[k].price;
        m->site_mw[k] = mw[i];
        m->site_name[k] = strdup(ns > 0 ? hp_cfg_rec_string(cfg, "miner.sites", (size_t)i, "name")
                                        : "");
        if (m->site_name[k] == NULL) {
            hp_fail(err, NULL, 0, NULL, "out of memory");
            goto done;
        }
        wsum += mw[i];
        psum += mw[i] * key[k].price;
    }
    for (int k = 0; k < n; k++)
        sorted_of[key[k].listed] = k;
    m->price_mean = wsum > 0 ? psum / wsum : 0;

    const char *order = hp_cfg_string(cfg, "miner.convert_order");
    for (int j = 0; j < n; j++)
        m->convert_order[j] = strcmp(order, "dearest") == 0 ? n - 1 - j
                            : strcmp(order, "cheapest") == 0 ? j : sorted_of[j];
    const char *first = hp_cfg_string(cfg, "miner.convert_site");
    if (first[0] != '\0') {
        int k = 0;
        while (k < n && strcmp(m->site_name[k], first) != 0)
            k++;
        if (k == n) {
            hp_cfg_fail(cfg, err, "miner.convert_site", "no site named '%s' in miner.sites", first);
            goto done;
        }
        int j = 0;                  /* move site k to the front, the rest in order */
        while (m->convert_order[j] != k)
            j++;
        for (; j > 0; j--)
            m->convert_order[j] = m->convert_order[j - 1];
        m->convert_order[0] = k;
    }
    rc = 0;
done:
    free(price);
    free(mw);
    free(key);
    free(sorted_of);
    return rc;
}

/* Reads miner.*; ranges were checked by the loader. */
int hp_miner_init(hp_miner *m, const hp_config *cfg, double dt, hp_err *err)
{
    memset(m, 0, sizeof *m);
    m->capacity_mw = hp_cfg_double(cfg, "miner.capacity_mw");
    m->efficiency_j_th = hp_cfg_double(cfg, "miner.efficiency_j_th");
    m->efficiency_gain = hp_cfg_double(cfg, "miner.efficiency_gain");
    m->uptime = hp_cfg_double(cfg, "miner.uptime");
    m->pool_fee = hp_cfg_double(cfg, "miner.pool_fee");
    m->opex_usd_mw_year = hp_cfg_double(cfg, "miner.opex_usd_mw_year");
    m->in_network = hp_cfg_bool(cfg, "miner.in_network");
    m->curtail = hp_cfg_bool(cfg, "miner.curtail");
    m->variable_usd_mwh = hp_cfg_double(cfg, "miner.variable_usd_mwh");
    m->refresh_market = strcmp(hp_cfg_string(cfg, "miner.refresh_price"), "market") == 0;
    m->refresh_usd_th = hp_cfg_double(cfg, "miner.refresh_usd_per_th");
    m->asic_life_years = hp_cfg_double(cfg, "miner.asic_life_years");
    m->refresh_frontier = strcmp(hp_cfg_string(cfg, "miner.refresh_rule"), "frontier") == 0;
    /* The frontier is the network's, whatever the hashrate model: the
     * machines on sale are the same for the firm and the others. */
    m->frontier_j_th = hp_cfg_double(cfg, "network.fleet.frontier_j_th");
    m->frontier_gain = hp_cfg_double(cfg, "network.fleet.frontier_gain");
    m->payback_days = hp_cfg_double(cfg, "miner.refresh_payback_years") * 365.25;
    if (m->refresh_frontier && !(m->asic_life_years > 0))
        return hp_cfg_fail(cfg, err, "miner.asic_life_years", "miner.refresh_rule = \"frontier\" "
                           "replaces worn machines: it needs a machine life > 0 years (or set "
                           "miner.refresh_rule = \"fixed_gain\")");
    m->refresh_share_day = m->refresh_frontier ? dt / m->asic_life_years : 0;
    m->exit_months = m->curtail ? (int)hp_cfg_int(cfg, "miner.exit_months") : 0;
    m->reequip = m->refresh_frontier && m->exit_months > 0 && hp_cfg_bool(cfg, "miner.reequip");
    m->power = hp_registry_pick(power_models, sizeof power_models / sizeof *power_models, cfg,
                                "miner.power_model", "power-price model", err);
    if (m->power == NULL || m->power->init(m, cfg, dt, err) != 0)
        return -1;
    return init_sites(m, cfg, err);
}

void hp_miner_free(hp_miner *m)
{
    for (int k = 0; m->site_name != NULL && k < m->n_sites; k++)
        free(m->site_name[k]);
    free(m->site_name);
    free(m->site_price);
    free(m->site_mw);
    free(m->convert_order);
    m->site_name = NULL;
    m->site_price = m->site_mw = NULL;
    m->convert_order = NULL;
}

/* Converted MW (capacity - mining) come off the sites in convert_order;
 * what is left is summed in price order. */
void hp_miner_curve(const hp_miner *m, double mining_mw, double *cum_mw, double *cum_mwp)
{
    hp_miner_curve_kept(m, mining_mw, m->n_sites, cum_mw, cum_mwp);
}

/* Conversion first (it may take retired MW: the site is still the firm's),
 * then the retired sites' remainder is zeroed. */
void hp_miner_curve_kept(const hp_miner *m, double mining_mw, int n_keep, double *cum_mw,
                         double *cum_mwp)
{
    int n = m->n_sites;
    double converted = m->capacity_mw - mining_mw;
    for (int k = 0; k < n; k++)
        cum_mw[k + 1] = m->site_mw[k];
    for (int j = 0; j < n && converted > 0; j++) {
        int k = m->convert_order[j];
        double take = cum_mw[k + 1] < converted ? cum_mw[k + 1] : converted;
        cum_mw[k + 1] -= take;
        converted -= take;
    }
    for (int k = n_keep; k < n; k++)
        cum_mw[k + 1] = 0;
    cum_mw[0] = cum_mwp[0] = 0;
    for (int k = 0; k < n; k++) {
        cum_mwp[k + 1] = cum_mwp[k] + cum_mw[k + 1] * m->site_price[k];
        cum_mw[k + 1] += cum_mw[k];
    }
}

/* theta = (mean R / (24 uptime) - v) / mean X; the sites kept are those
 * priced at most the largest theta of the last exit_months months. A month
 * with no revenue at all (mean X > 0 always) gives theta < 0: every site
 * is below cash cost. */
int hp_exit_month(const hp_miner *m, hp_exit_chain *e)
{
    int M = m->exit_months;
    if (M <= 0 || e->days == 0)
        return m->n_sites;
    double burn = 24.0 * m->uptime;
    double theta = (e->rev_sum / e->days / burn - m->variable_usd_mwh) / (e->x_sum / e->days);
    e->theta[e->months % M] = theta;
    e->months++;
    e->rev_sum = e->x_sum = 0;
    e->days = 0;
    if (e->months < M)
        return m->n_sites;
    double best = e->theta[0];
    for (int i = 1; i < M; i++)
        best = e->theta[i] > best ? e->theta[i] : best;
    int k = m->n_sites;
    while (k > 0 && m->site_price[k - 1] > best)
        k--;
    return k;
}

/* ---- fleet refresh ---- */

/* frontier: th_f(t) = 10^6 / e_f(t) = (10^6 / e_f(0)) e^(g t). */
double hp_miner_frontier_th_per_mw(const hp_miner *m, double t_years)
{
    return 1e6 / m->frontier_j_th * exp(m->frontier_gain * t_years);
}

/* Installed TH/s per MW at t (uptime excluded). fixed_gain: 10^6 W / e(t),
 * e(t) = e0 (1 - gain)^t. frontier, refreshed every day (the lag ODE
 * T' = (th_f - T) / L from T(0) = th_0): with A = th_f(0), c = 1 + g L,
 *     T(t) = (A / c) e^(g t) + (th_0 - A / c) e^(-t / L). */
static double th_per_mw(const hp_miner *m, double t_years)
{
    if (!m->refresh_frontier)
        return 1e6 / (m->efficiency_j_th * pow(1.0 - m->efficiency_gain, t_years));
    double L = m->asic_life_years, c = 1.0 + m->frontier_gain * L;
    double a = hp_miner_frontier_th_per_mw(m, 0) / c;
    return a * exp(m->frontier_gain * t_years) + (1e6 / m->efficiency_j_th - a) * exp(-t_years / L);
}

double hp_miner_hs_per_mw(const hp_miner *m, double t_years)
{
    return th_per_mw(m, t_years) * 1e12 * m->uptime;
}

/* frontier: dt/L of the fleet replaced by frontier machines of t.
 * fixed_gain: the machines retired over [t, t + dt] are those bought L
 * years earlier, with the TH/s per MW of then: a 1/L share of the fleet a
 * year at TH/MW(t - L), so the efficiency the new machines bring is paid
 * once. */
double hp_miner_refresh_th_per_mw(const hp_miner *m, double t_years, double dt)
{
    double L = m->asic_life_years;
    if (m->refresh_frontier)
        return hp_miner_frontier_th_per_mw(m, t_years) * dt / L;
    double worn = L > 0 ? th_per_mw(m, t_years - L) * dt / L : 0;
    return th_per_mw(m, t_years + dt) - th_per_mw(m, t_years) + worn;
}

/* ---- re-equipping retired sites ---- */

/* Per MW of site at price p, over P = payback_days:
 *     (th_f m 10^-3 (1 - fee) - 24 (X p + v)) uptime P - (opex / 365.25) P >= th_f k,
 * solved for p. */
double hp_reequip_threshold(const hp_miner *m, double th_f, double hashprice_usd_ph_day,
                            double usd_per_th, double power_factor)
{
    double P = m->payback_days;
    if (!(P > 0) || !(m->uptime > 0) || !(power_factor > 0))
        return -INFINITY;                       /* nothing repays in no time */
    double opex_day = m->opex_usd_mw_year / 365.25;
    double rev_mwh = th_f * hashprice_usd_ph_day * 1e-3 * (1.0 - m->pool_fee) / 24.0;
    double capex_mwh = (th_f * usd_per_th + opex_day * P) / (24.0 * m->uptime * P);
    return (rev_mwh - capex_mwh - m->variable_usd_mwh) / power_factor;
}
