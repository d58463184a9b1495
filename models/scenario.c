/* scenario: the hashpivot model as the engine sees it (an hp_model).
 *
 * It composes the price, network, fee, miner, HPC and valuation pieces into
 * one daily loop per path. The market (price, hashrate trend, fees, AI lease
 * rate) is drawn once per path and shared by every allocation (common random
 * numbers). When the miner is part of the network, each allocation has its
 * own chain, because converting capacity lowers network hashrate and so
 * moves difficulty, blocks and halving dates.
 *
 * Day d uses the state at t = d * dt (the start values on day 0), then steps
 * the processes to t + dt. Random components (MODEL.md 3): each has its own
 * stream, so a change in one never moves the draws of another. */
#include "scenario.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "dist.h"
#include "hpc.h"
#include "miner.h"
#include "network.h"
#include "ou.h"
#include "price.h"
#include "rng.h"
#include "valuation.h"

#define DT (1.0 / 365.25)
#define DAY_S 86400.0
#define N_HALVINGS 4

enum { RNG_PRICE, RNG_NETWORK, RNG_FEES, RNG_POWER, RNG_AI_MARKET, RNG_EVENTS };

/* Output variables, in result-array order. */
enum {
    V_PRICE_MEAN, V_PRICE_END, V_FEE_MEAN, V_LEASE_MEAN,
    V_HASHRATE_END, V_DIFFICULTY_END, V_HASHPRICE_MEAN, V_SUBSIDY_END, V_BLOCKS,
    V_MINING_REV, V_ENERGY, V_MINING_OPEX, V_HPC_REV, V_HPC_OPEX, V_CAPEX_BUILD,
    V_NET_CF, V_BTC_MINED, V_MW_MINING, V_MW_LEASED,
    V_NPV, V_HALVING_DAY, N_VARS
};

static const hp_var scenario_vars[N_VARS] = {
    [V_PRICE_MEAN] = {"market/btc_price_mean", HP_SHAPE_PATH_YEAR, "USD", "mean daily BTC price in the year", 0},
    [V_PRICE_END] = {"market/btc_price_end", HP_SHAPE_PATH_YEAR, "USD", "BTC price on the last day of the year", 0},
    [V_FEE_MEAN] = {"market/fee_mean", HP_SHAPE_PATH_YEAR, "BTC/block", "mean transaction fees per block", 0},
    [V_LEASE_MEAN] = {"market/lease_rate_mean", HP_SHAPE_PATH_YEAR, "USD/MW/yr", "mean market AI/HPC colocation lease rate", 0},
    [V_HASHRATE_END] = {"network/hashrate_end", HP_SHAPE_ALLOC_PATH_YEAR, "EH/s", "network hashrate on the last day of the year", 0},
    [V_DIFFICULTY_END] = {"network/difficulty_end", HP_SHAPE_ALLOC_PATH_YEAR, "1", "difficulty at the end of the year", 0},
    [V_HASHPRICE_MEAN] = {"network/hashprice_mean", HP_SHAPE_ALLOC_PATH_YEAR, "USD/PH/s/day", "mean hashprice: network revenue per PH/s per day", 0},
    [V_SUBSIDY_END] = {"network/subsidy_end", HP_SHAPE_ALLOC_PATH_YEAR, "BTC/block", "block subsidy at the end of the year", 0},
    [V_BLOCKS] = {"network/blocks", HP_SHAPE_ALLOC_PATH_YEAR, "blocks", "blocks mined by the network in the year", 1},
    [V_MINING_REV] = {"cashflow/mining_revenue", HP_SHAPE_ALLOC_PATH_YEAR, "USD", "mining revenue after pool fee", 1},
    [V_ENERGY] = {"cashflow/mining_energy_cost", HP_SHAPE_ALLOC_PATH_YEAR, "USD", "energy cost of mining", 1},
    [V_MINING_OPEX] = {"cashflow/mining_opex", HP_SHAPE_ALLOC_PATH_YEAR, "USD", "other fixed mining opex", 1},
    [V_HPC_REV] = {"cashflow/hpc_revenue", HP_SHAPE_ALLOC_PATH_YEAR, "USD", "AI/HPC lease revenue", 1},
    [V_HPC_OPEX] = {"cashflow/hpc_opex", HP_SHAPE_ALLOC_PATH_YEAR, "USD", "AI/HPC opex: (1 - NOI margin) x revenue", 1},
    [V_CAPEX_BUILD] = {"cashflow/capex_build", HP_SHAPE_ALLOC_PATH_YEAR, "USD", "conversion capex of tranches under construction", 1},
    [V_NET_CF] = {"cashflow/net_cash_flow", HP_SHAPE_ALLOC_PATH_YEAR, "USD", "net cash flow: revenues less costs and capex", 1},
    [V_BTC_MINED] = {"cashflow/btc_mined", HP_SHAPE_ALLOC_PATH_YEAR, "BTC", "BTC mined by the firm after pool fee", 1},
    [V_MW_MINING] = {"cashflow/mw_mining", HP_SHAPE_ALLOC_PATH_YEAR, "MW", "average capacity mining", 0},
    [V_MW_LEASED] = {"cashflow/mw_leased", HP_SHAPE_ALLOC_PATH_YEAR, "MW", "average capacity leased to AI/HPC tenants", 0},
    [V_NPV] = {"valuation/npv", HP_SHAPE_ALLOC_PATH, "USD", "net present value of daily net cash flows", 0},
    [V_HALVING_DAY] = {"network/halving_day", HP_SHAPE_ALLOC_PATH_HALVING, "day", "day index (0 = start_date) of each halving; -1 not reached", 0},
};

const hp_param hp_time_params[] = {
    {"time.start_date", HP_DATE, "", "\"2026-01-01\"", 0, 0, NULL,
     "first simulated day (issue 2: 13 years from 2026-01-01)"},
    {"time.horizon_years", HP_DOUBLE, "yr", "13.0", 1.0 / 365.25, 100, NULL,
     "simulated horizon; days = round(365.25 x years) (VanEck: 13 years; parameters.md 1)"},
    HP_PARAM_END
};

const hp_param hp_correlation_params[] = {
    {"correlation.price_hashrate", HP_DOUBLE, "", "0.2", -1, 1, NULL,
     "correlation of daily price and hashrate shocks (28-day changes 2018-2023: 0.21)"},
    {"correlation.price_lease", HP_DOUBLE, "", "0.0", -1, 1, NULL,
     "correlation of daily price and AI lease-rate shocks"},
    {"correlation.hashrate_lease", HP_DOUBLE, "", "0.0", -1, 1, NULL,
     "correlation of daily hashrate and AI lease-rate shocks"},
    HP_PARAM_END
};

static const hp_param *const scenario_params[] = {
    hp_time_params, hp_price_params, hp_network_params, hp_fee_params,
    hp_miner_params, hp_allocation_params, hp_hpc_params, hp_ai_market_params,
    hp_correlation_params, hp_valuation_params, NULL
};

typedef struct scenario {
    hp_layout layout;
    hp_summary_item summary[3];
    int n_days;
    int *year;                  /* [n_years] */
    int *days_in_year;          /* [n_years] */
    int *year_end_day;          /* [n_years] last day index of each year */
    int64_t halving_height[N_HALVINGS];
    size_t off[N_VARS];         /* offsets in a path's result array */
    hp_price price;
    hp_hashrate_trend hash;
    hp_fee_process fee;
    double fee0_log;
    hp_miner miner;
    hp_hpc hpc;
    double l21, l22, l31, l32, l33;   /* Cholesky factor of the correlation */
    int64_t height0;
    double difficulty0, hashrate0_hs;
    double log_hash_market0;    /* ln of hashrate the model drives        */
    int n_net;                  /* chains per path: n_alloc or 1          */
    double *disc;               /* [n_days] discount factors              */
    double *hs_per_mw;          /* [n_days] H/s per MW of mining capacity */
    double energy_usd_mw_day, opex_usd_mw_day;
} scenario;

/* Per-path state of one tranche. */
typedef struct tranche_state {
    int phase;                  /* 0 planned, 1 building, 2 leased        */
    int next_day;               /* next phase change or anniversary       */
    int sign_day, end_day, anniversary;
    double rate;                /* USD/MW/yr currently paid               */
} tranche_state;

/* Per-path state of one allocation. */
typedef struct alloc_state {
    int next_event;             /* first day something changes            */
    double mining_mw, leased_mw;
    double capex_day, rent_day; /* USD/day                                */
} alloc_state;

/* Workspace of one thread, carved from the engine's scratch buffer. */
typedef struct work {
    hp_chain *chain;            /* [n_net]                 */
    hp_chain_day *cday;         /* [n_net]                 */
    double *net_btc;            /* [n_net] subsidy + fees  */
    double *net_hs;             /* [n_net] hashrate used   */
    alloc_state *as;            /* [n_alloc]               */
    tranche_state *ts;          /* [n_alloc * max_tranches] */
} work;

static size_t align16(size_t n) { return (n + 15) & ~(size_t)15; }

/* Bytes of workspace a thread needs; also lays it out when w != NULL. */
static size_t work_layout(const scenario *s, void *base, work *w)
{
    size_t na = (size_t)s->layout.n_alloc, nn = (size_t)s->n_net;
    size_t nt = na * (size_t)(s->hpc.max_tranches > 0 ? s->hpc.max_tranches : 1);
    size_t sz[6] = {
        align16(nn * sizeof(hp_chain)), align16(nn * sizeof(hp_chain_day)),
        align16(nn * sizeof(double)), align16(nn * sizeof(double)),
        align16(na * sizeof(alloc_state)), align16(nt * sizeof(tranche_state)),
    };
    size_t total = 0;
    void *p[6];
    for (int i = 0; i < 6; i++) {
        p[i] = base != NULL ? (char *)base + total : NULL;
        total += sz[i];
    }
    if (w != NULL) {
        w->chain = p[0];
        w->cday = p[1];
        w->net_btc = p[2];
        w->net_hs = p[3];
        w->as = p[4];
        w->ts = p[5];
    }
    return total;
}

/* Signs (or re-signs) a lease at the market rate of day d. */
static void lease_sign(tranche_state *t, int d, double market_rate, int term_days)
{
    t->phase = 2;
    t->rate = market_rate;
    t->sign_day = d;
    t->end_day = d + term_days;
    t->anniversary = 1;
    int next = d + (int)lround(365.25);
    t->next_day = next < t->end_day ? next : t->end_day;
}

/* Moves one tranche through every change due by day d. */
static void tranche_update(const scenario *s, const hp_tranche_plan *p,
                           tranche_state *t, int d, double market_rate)
{
    while (t->next_day <= d) {
        if (t->phase == 0) {
            t->phase = 1;
            t->next_day = p->deliver_day;
        } else if (t->phase == 1 || d >= t->end_day) {
            lease_sign(t, d, market_rate, s->hpc.term_days);
        } else {
            t->rate *= 1 + s->hpc.escalator;
            t->anniversary++;
            int next = t->sign_day + (int)lround(t->anniversary * 365.25);
            t->next_day = next < t->end_day ? next : t->end_day;
        }
    }
}

/* Applies the day's tranche changes of one allocation and recomputes its
 * aggregates from scratch (no drift from repeated += and -=). Runs only on
 * days where something changes. */
static void alloc_events(const scenario *s, int a, alloc_state *as,
                         tranche_state *ts, int d, double market_rate)
{
    const hp_tranche_plan *plan = s->hpc.plan[a];
    int nt = s->hpc.n_tranches[a];
    int capex_days = s->hpc.build_days > 0 ? s->hpc.build_days : 1;
    double converted = 0, leased = 0, capex = 0, rent = 0;
    int next = s->n_days;
    for (int k = 0; k < nt; k++) {
        tranche_state *t = &ts[k];
        int capex_end = plan[k].start_day + capex_days;
        tranche_update(s, &plan[k], t, d, market_rate);
        if (t->phase >= 1)
            converted += plan[k].mw;
        if (t->phase == 2) {
            leased += plan[k].mw;
            rent += plan[k].mw * t->rate / 365.25;
        }
        if (d >= plan[k].start_day && d < capex_end)
            capex += plan[k].mw * s->hpc.capex_usd_mw / capex_days;
        if (capex_end > d && capex_end < next)
            next = capex_end;
        if (t->next_day < next)
            next = t->next_day;
    }
    as->mining_mw = s->miner.capacity_mw - converted;
    if (as->mining_mw < 0)
        as->mining_mw = 0;
    as->leased_mw = leased;
    as->capex_day = capex;
    as->rent_day = rent;
    as->next_event = next > d ? next : d + 1;
}

/* Starts a path: chains at the initial state, tranches planned, halvings unset. */
static void path_init(const scenario *s, work *w, double *out)
{
    const hp_layout *l = &s->layout;
    for (int n = 0; n < s->n_net; n++)
        hp_chain_init(&w->chain[n], s->height0, s->difficulty0, s->hashrate0_hs);
    for (int a = 0; a < l->n_alloc; a++) {
        tranche_state *ts = &w->ts[(size_t)a * (size_t)s->hpc.max_tranches];
        for (int k = 0; k < s->hpc.n_tranches[a]; k++) {
            memset(&ts[k], 0, sizeof ts[k]);
            ts[k].next_day = s->hpc.plan[a][k].start_day;
        }
        w->as[a].next_event = 0;
    }
    memset(out, 0, hp_layout_path_size(l) * sizeof(double));
    double *hd = out + s->off[V_HALVING_DAY];
    for (int i = 0; i < l->n_alloc * N_HALVINGS; i++)
        hd[i] = -1;
}

/* Closes year y: sums become means, end-of-year states are recorded. */
static void year_close(const scenario *s, const work *w, double *out, int y, double price)
{
    const hp_layout *l = &s->layout;
    int ny = l->n_years;
    double days = s->days_in_year[y];
    out[s->off[V_PRICE_MEAN] + y] /= days;
    out[s->off[V_PRICE_END] + y] = price;
    out[s->off[V_FEE_MEAN] + y] /= days;
    out[s->off[V_LEASE_MEAN] + y] /= days;
    for (int a = 0; a < l->n_alloc; a++) {
        size_t i = (size_t)a * ny + y;
        int n = s->n_net > 1 ? a : 0;
        out[s->off[V_HASHRATE_END] + i] = w->net_hs[n] * 1e-18;
        out[s->off[V_DIFFICULTY_END] + i] = w->chain[n].difficulty;
        out[s->off[V_HASHPRICE_MEAN] + i] /= days;
        out[s->off[V_SUBSIDY_END] + i] =
            (double)hp_subsidy_sat((int64_t)w->chain[n].height) / (double)HP_COIN_SAT;
        out[s->off[V_MW_MINING] + i] /= days;
        out[s->off[V_MW_LEASED] + i] /= days;
    }
}

/* One path, day by day. */
static void scenario_simulate_path(const void *model, uint64_t seed, uint64_t path,
                                   double *out, void *scratch)
{
    const scenario *s = model;
    const hp_layout *l = &s->layout;
    const int na = l->n_alloc, ny = l->n_years, nnet = s->n_net;
    work w;
    work_layout(s, scratch, &w);
    path_init(s, &w, out);

    hp_pcg64 r_price, r_net, r_fee, r_ai;
    hp_rng_stream(&r_price, seed, path, RNG_PRICE);
    hp_rng_stream(&r_net, seed, path, RNG_NETWORK);
    hp_rng_stream(&r_fee, seed, path, RNG_FEES);
    hp_rng_stream(&r_ai, seed, path, RNG_AI_MARKET);

    double x = s->price.log_s0;                 /* ln S            */
    double lh = s->log_hash_market0;            /* ln H (market)   */
    double lf = s->fee0_log;                    /* ln F            */
    double lease_dev = 0, lease_trend = s->hpc.log_lease0;
    const double keep = 1 - s->miner.pool_fee;
    const double noi = s->hpc.noi_margin;
    const int in_net = s->miner.in_network;

    int y = 0;
    for (int d = 0; d < s->n_days; d++) {
        const double S = exp(x), Hm = exp(lh), F = exp(lf);
        const double L = exp(lease_trend + lease_dev);
        const double hs_mw = s->hs_per_mw[d];

        for (int a = 0; a < na; a++)
            if (d >= w.as[a].next_event)
                alloc_events(s, a, &w.as[a], &w.ts[(size_t)a * (size_t)s->hpc.max_tranches], d, L);

        /* The network: one chain, or one per allocation. */
        for (int n = 0; n < nnet; n++) {
            double H = in_net ? Hm + w.as[n].mining_mw * hs_mw : Hm;
            hp_chain_day *cd = &w.cday[n];
            hp_chain_advance(&w.chain[n], H, DAY_S, cd);
            w.net_hs[n] = H;
            w.net_btc[n] = cd->subsidy_btc + cd->blocks * F;
            if (cd->halvings > 0) {
                int64_t era = (int64_t)w.chain[n].height / HP_HALVING_INTERVAL;
                for (int k = 0; k < cd->halvings; k++) {
                    int64_t h = (era - k) * HP_HALVING_INTERVAL;
                    for (int i = 0; i < N_HALVINGS; i++)
                        if (s->halving_height[i] == h)
                            for (int a = (nnet > 1 ? n : 0); a < (nnet > 1 ? n + 1 : na); a++)
                                out[s->off[V_HALVING_DAY] + (size_t)a * N_HALVINGS + i] = d;
                }
            }
        }

        /* Cash flows of each allocation. */
        const double *disc = s->disc;
        for (int a = 0; a < na; a++) {
            const alloc_state *as = &w.as[a];
            int n = nnet > 1 ? a : 0;
            size_t i = (size_t)a * ny + y;
            double hm = as->mining_mw * hs_mw;
            double btc = hm / w.net_hs[n] * w.net_btc[n] * keep;
            double rev = btc * S;
            double energy = as->mining_mw * s->energy_usd_mw_day;
            double opex = as->mining_mw * s->opex_usd_mw_day;
            double hpc_opex = (1 - noi) * as->rent_day;
            double net = rev - energy - opex + as->rent_day - hpc_opex - as->capex_day;
            out[s->off[V_MINING_REV] + i] += rev;
            out[s->off[V_ENERGY] + i] += energy;
            out[s->off[V_MINING_OPEX] + i] += opex;
            out[s->off[V_HPC_REV] + i] += as->rent_day;
            out[s->off[V_HPC_OPEX] + i] += hpc_opex;
            out[s->off[V_CAPEX_BUILD] + i] += as->capex_day;
            out[s->off[V_NET_CF] + i] += net;
            out[s->off[V_BTC_MINED] + i] += btc;
            out[s->off[V_MW_MINING] + i] += as->mining_mw;
            out[s->off[V_MW_LEASED] + i] += as->leased_mw;
            out[s->off[V_NPV] + a] += net * disc[d];
            out[s->off[V_HASHPRICE_MEAN] + i] += w.net_btc[n] * S / (w.net_hs[n] * 1e-15);
            out[s->off[V_BLOCKS] + i] += w.cday[n].blocks;
        }
        out[s->off[V_PRICE_MEAN] + y] += S;
        out[s->off[V_FEE_MEAN] + y] += F;
        out[s->off[V_LEASE_MEAN] + y] += L;
        if (d == s->year_end_day[y]) {
            year_close(s, &w, out, y, S);
            y++;
        }

        /* Step the market to the next day with correlated shocks. */
        double z1 = hp_normal(&r_price), z2 = hp_normal(&r_net), z3 = hp_normal(&r_ai);
        double e2 = s->l21 * z1 + s->l22 * z2;
        double e3 = s->l31 * z1 + s->l32 * z2 + s->l33 * z3;
        x += s->price.drift_dt + s->price.vol_sqrt_dt * z1;
        lh += s->hash.drift_dt + s->hash.vol_sqrt_dt * e2;
        lf = s->fee.log_mean + (lf - s->fee.log_mean) * s->fee.decay + s->fee.vol * hp_normal(&r_fee);
        lease_trend += s->hpc.lease_trend_dt;
        lease_dev = lease_dev * s->hpc.lease_decay + s->hpc.lease_vol * e3;
    }
}

/* Calendar years covered by the run, and the days of each. */
static int build_years(scenario *s, int32_t start)
{
    int y0, y1, m, dd;
    hp_civil_from_days(start, &y0, &m, &dd);
    hp_civil_from_days(start + s->n_days - 1, &y1, &m, &dd);
    int ny = y1 - y0 + 1;
    s->year = calloc((size_t)ny, sizeof(int));
    s->days_in_year = calloc((size_t)ny, sizeof(int));
    s->year_end_day = calloc((size_t)ny, sizeof(int));
    if (s->year == NULL || s->days_in_year == NULL || s->year_end_day == NULL)
        return -1;
    for (int i = 0; i < ny; i++) {
        s->year[i] = y0 + i;
        int first = hp_days_from_civil(y0 + i, 1, 1) - start;
        int last = hp_days_from_civil(y0 + i, 12, 31) - start;
        if (first < 0) first = 0;
        if (last > s->n_days - 1) last = s->n_days - 1;
        s->days_in_year[i] = last - first + 1;
        s->year_end_day[i] = last;
    }
    s->layout.n_years = ny;
    s->layout.year = s->year;
    s->layout.days_in_year = s->days_in_year;
    return 0;
}

/* Cholesky of the 3x3 correlation of (price, hashrate, lease) shocks. */
static int build_cholesky(scenario *s, const hp_config *cfg, hp_err *err)
{
    double r12 = hp_cfg_double(cfg, "correlation.price_hashrate");
    double r13 = hp_cfg_double(cfg, "correlation.price_lease");
    double r23 = hp_cfg_double(cfg, "correlation.hashrate_lease");
    double d2 = 1 - r12 * r12;
    if (!(d2 > 0))
        return hp_cfg_fail(cfg, err, "correlation.price_hashrate",
                           "correlation matrix is not positive definite (|rho| must be < 1)");
    s->l21 = r12;
    s->l22 = sqrt(d2);
    s->l31 = r13;
    s->l32 = (r23 - r12 * r13) / s->l22;
    double d3 = 1 - s->l31 * s->l31 - s->l32 * s->l32;
    if (!(d3 > 0))
        return hp_cfg_fail(cfg, err, "correlation.hashrate_lease",
                           "correlation matrix of (price, hashrate, lease) shocks is not "
                           "positive definite (determinant %.3g)", d2 * d3);
    s->l33 = sqrt(d3);
    return 0;
}

static void scenario_destroy(void *model);

/* Builds the model from a validated config. */
static void *scenario_create(const hp_config *cfg, hp_err *err)
{
    scenario *s = calloc(1, sizeof *s);
    if (s == NULL) {
        hp_fail(err, NULL, 0, NULL, "out of memory");
        return NULL;
    }
    int32_t start = hp_cfg_date(cfg, "time.start_date");
    s->n_days = (int)lround(hp_cfg_double(cfg, "time.horizon_years") * 365.25);
    if (s->n_days < 1)
        s->n_days = 1;
    if (build_years(s, start) != 0) {
        hp_fail(err, NULL, 0, NULL, "out of memory");
        goto fail;
    }
    if (hp_price_init(&s->price, cfg, DT, err) != 0 ||
        hp_miner_init(&s->miner, cfg, err) != 0 ||
        hp_hpc_init(&s->hpc, cfg, s->miner.capacity_mw, start, s->n_days, DT, err) != 0 ||
        build_cholesky(s, cfg, err) != 0)
        goto fail;

    double g = hp_cfg_double(cfg, "network.growth");
    double sh = hp_cfg_double(cfg, "network.sigma");
    s->hash.drift_dt = (g - 0.5 * sh * sh) * DT;
    s->hash.vol_sqrt_dt = sh * sqrt(DT);
    double kf = hp_cfg_double(cfg, "fees.kappa");
    s->fee.log_mean = log(hp_cfg_double(cfg, "fees.mean_btc_per_block"));
    s->fee.decay = exp(-kf * DT);
    s->fee.vol = hp_ou_vol(hp_cfg_double(cfg, "fees.sigma"), kf, DT);
    double f0 = hp_cfg_double(cfg, "fees.btc_per_block0");
    s->fee0_log = f0 > 0 ? log(f0) : log(1e-12);

    s->height0 = hp_cfg_int(cfg, "network.height0");
    s->difficulty0 = hp_cfg_double(cfg, "network.difficulty0");
    s->hashrate0_hs = hp_cfg_double(cfg, "network.hashrate0_ehs") * 1e18;
    int64_t era = s->height0 / HP_HALVING_INTERVAL;
    for (int i = 0; i < N_HALVINGS; i++)
        s->halving_height[i] = (era + 1 + i) * HP_HALVING_INTERVAL;

    s->disc = malloc((size_t)s->n_days * sizeof(double));
    s->hs_per_mw = malloc((size_t)s->n_days * sizeof(double));
    if (s->disc == NULL || s->hs_per_mw == NULL) {
        hp_fail(err, NULL, 0, NULL, "out of memory");
        goto fail;
    }
    hp_discount_factors(hp_cfg_double(cfg, "valuation.discount_rate"), s->n_days, s->disc);
    for (int d = 0; d < s->n_days; d++)
        s->hs_per_mw[d] = hp_miner_hs_per_mw(&s->miner, d * DT);
    s->energy_usd_mw_day = s->miner.uptime * 24.0 * s->miner.power_usd_mwh;
    s->opex_usd_mw_day = s->miner.opex_usd_mw_year / 365.25;

    /* The hashrate model drives the others' hashrate when the firm's own
     * fleet is part of the network, the whole network otherwise. */
    s->n_net = s->miner.in_network ? s->hpc.n_alloc : 1;
    double others = s->hashrate0_hs;
    if (s->miner.in_network) {
        double own = s->miner.capacity_mw * s->hs_per_mw[0];
        others -= own;
        if (!(others > 0)) {
            hp_cfg_fail(cfg, err, "miner.capacity_mw",
                        "the fleet's hashrate (%.4g EH/s) is not below network.hashrate0_ehs "
                        "(%.4g EH/s), yet miner.in_network is true",
                        own * 1e-18, s->hashrate0_hs * 1e-18);
            goto fail;
        }
    }
    s->log_hash_market0 = log(others);

    hp_layout *l = &s->layout;
    l->n_alloc = s->hpc.n_alloc;
    l->alloc = s->hpc.alloc;
    l->n_halvings = N_HALVINGS;
    l->halving_height = s->halving_height;
    l->n_days = s->n_days;
    l->n_vars = N_VARS;
    l->vars = scenario_vars;
    l->baseline_alloc = -1;
    for (int a = 0; a < l->n_alloc; a++)
        if (l->alloc[a] == 0.0)
            l->baseline_alloc = a;
    double per_year = 365.25 / s->n_days;
    s->summary[0] = (hp_summary_item){"NPV", "valuation/npv", 1.0};
    s->summary[1] = (hp_summary_item){"Mining revenue per year", "totals/mining_revenue", per_year};
    s->summary[2] = (hp_summary_item){"HPC revenue per year", "totals/hpc_revenue", per_year};
    l->n_summary = 3;
    l->summary = s->summary;
    size_t off = 0;
    for (int v = 0; v < N_VARS; v++) {
        s->off[v] = off;
        off += hp_var_size(l, &scenario_vars[v]);
    }
    return s;
fail:
    scenario_destroy(s);
    return NULL;
}

static const hp_layout *scenario_layout(const void *model)
{
    return &((const scenario *)model)->layout;
}

static size_t scenario_scratch_bytes(const void *model)
{
    return work_layout(model, NULL, NULL);
}

/* Frees the model (safe on a partly built one). */
static void scenario_destroy(void *model)
{
    scenario *s = model;
    if (s == NULL)
        return;
    hp_hpc_free(&s->hpc);
    free(s->year);
    free(s->days_in_year);
    free(s->year_end_day);
    free(s->disc);
    free(s->hs_per_mw);
    free(s);
}

const hp_model hp_scenario_model = {
    .name = "hashpivot-scenario",
    .params = scenario_params,
    .create = scenario_create,
    .layout = scenario_layout,
    .scratch_bytes = scenario_scratch_bytes,
    .simulate_path = scenario_simulate_path,
    .destroy = scenario_destroy,
};
