/* network: subsidy, retarget and the day-by-day chain (see network.h). */
#include "network.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "ou.h"

const hp_param hp_network_params[] = {
    {"network.hashrate_model", HP_CHOICE, "", "\"trend\"", 0, 0, "trend|equilibrium|historical|fleet",
     "hashrate process: trend = geometric drift with noise; equilibrium = entry and exit toward "
     "revenue / all-in cost of a hash; historical = replay of network.csv; fleet = supply from "
     "a cost curve of machine cohorts and sites, with investment and retirement (docs/network.md)"},
    {"network.height0", HP_INT, "blocks", "930000", 0, 6.93e6, NULL,
     "block height on start_date (955,584 on 2026-06-26 less 144/day back to 2026-01-01; docs/sources.md#start-state-2026)"},
    {"network.difficulty0", HP_DOUBLE, "", "141.67e12", 1, 1e20, NULL,
     "difficulty on start_date (141.67T, late Jan 2026; docs/sources.md#difficulty-2026-01)"},
    {"network.hashrate0_ehs", HP_DOUBLE, "EH/s", "1014.0", 1e-6, 1e9, NULL,
     "network hashrate on start_date (D * 2^32 / 600 at 141.67T; docs/sources.md#start-state-2026); "
     "historical: unused, the CSV gives it"},
    {"network.growth", HP_DOUBLE, "1/yr", "0.20", -1, 5, NULL,
     "trend: expected log growth of network hashrate (CoinShares: 1 to 2 ZH/s by 2027 is the high case; "
     "docs/sources.md#coinshares-hashrate-2024)"},
    {"network.sigma", HP_DOUBLE, "1/sqrt(yr)", "0.25", 0, 5, NULL,
     "trend, equilibrium: volatility of ln hashrate (assumption; the 2018-2023 fit on 28-day means is 0.37: "
     "docs/sources.md#fit-hashrate-trend)"},
    {"network.kappa_up", HP_DOUBLE, "1/yr", "0.8", 0, 1e4, NULL,
     "equilibrium: speed at which hashrate enters when below H* (fit on 2016-2021: 0.80; docs/sources.md#fit-network-equilibrium)"},
    {"network.kappa_down", HP_DOUBLE, "1/yr", "1.0", 0, 1e4, NULL,
     "equilibrium: speed at which hashrate leaves when above H* (2016-2021 fit: 0, exits too rare to "
     "identify; 2025-26: -23% in 8 months as hashprice fell to $28-35/PH/day; "
     "docs/sources.md#difficulty-2026-06-13, docs/sources.md#hashprice-history)"},
    {"network.max_growth", HP_DOUBLE, "1/yr", "1.0", 0, 20, NULL,
     "equilibrium: cap on the yearly log growth of the pull toward H* (fabs and sites take time; "
     "largest 365-day log growth 2.3 in 2016-2021, up to 0.9 in 2022-2023; docs/sources.md#fit-network-equilibrium)"},
    {"network.efficiency_j_th", HP_DOUBLE, "J/TH", "25.0", 0.01, 1e6, NULL,
     "equilibrium: network average efficiency on start_date (CCAF 28.2 J/TH in 2024, -24% a year; "
     "docs/sources.md#ccaf-2025-efficiency)"},
    {"network.efficiency_gain", HP_DOUBLE, "1/yr", "0.10", 0, 0.9, NULL,
     "equilibrium: fractional yearly improvement of network efficiency (S21 17.5 to S23 9.7 J/TH in "
     "about 3 years; docs/sources.md#antminer-s23)"},
    {"network.power_usd_mwh", HP_DOUBLE, "USD/MWh", "45.0", 0, 10000, NULL,
     "equilibrium: power price of the marginal miner (CCAF 2025 median $45/MWh; docs/sources.md#ccaf-2025-power)"},
    {"network.asic_usd_per_th", HP_DOUBLE, "USD/TH", "17.0", 0, 1e6, NULL,
     "equilibrium: ASIC price per TH/s (mid-2025 $10-30/TH; docs/sources.md#asic-price-2025)"},
    {"network.asic_life_years", HP_DOUBLE, "yr", "4.0", 0.05, 50, NULL,
     "equilibrium: years an ASIC's price is spread over (assumption: 3-5 years; with the defaults "
     "the all-in cost, $38.6/PH/day, is about the start hashprice $39/PH/day; docs/sources.md#breakeven-hashprice)"},
    {"network.csv", HP_STRING, "", "\"\"", 0, 0, NULL,
     "historical hashrate, fees.model = historical: daily history CSV (e.g. the one of docs/sources.md#history-data)"},
    {"network.history_series", HP_CHOICE, "", "\"hashrate\"", 0, 0, "hashrate|difficulty",
     "historical: replay the CSV's hashrate_ths, or the hashrate its difficulty implies (D * 2^32 / 600, smoother)"},
    {"network.block_luck", HP_BOOL, "", "false", 0, 0, NULL,
     "Poisson number of blocks per day instead of the expected number"},
    HP_PARAM_END
};

const hp_param hp_fee_params[] = {
    {"fees.model", HP_CHOICE, "", "\"ou\"", 0, 0, "ou|historical",
     "fee process: ou = log Ornstein-Uhlenbeck; historical = fees_btc / blocks of network.csv"},
    {"fees.btc_per_block0", HP_DOUBLE, "BTC/block", "0.025", 0, 100, NULL,
     "fees per block on start_date (about 0.8% of revenue at 3.125 BTC subsidy; docs/sources.md#fee-share-2025)"},
    {"fees.mean_btc_per_block", HP_DOUBLE, "BTC/block", "0.05", 1e-9, 100, NULL,
     "long-run level the log-OU fee process reverts to (2016-2023 median about 0.1-0.3 BTC/block)"},
    {"fees.kappa", HP_DOUBLE, "1/yr", "2.0", 0, 365, NULL,
     "mean-reversion speed of ln fees (half-life about 4 months)"},
    {"fees.sigma", HP_DOUBLE, "1/sqrt(yr)", "1.0", 0, 20, NULL,
     "volatility of ln fees (fee spikes of 2017, 2021 and 2023)"},
    HP_PARAM_END
};

/* The units chain: J/TH -> W per H/s (1e-12), x 24 h -> Wh, x 1e-6 -> MWh. */
double hp_hash_cost_usd_day(double e_j_th, double power_usd_mwh,
                            double asic_usd_th, double life_years)
{
    return e_j_th * 1e-12 * 24.0 * 1e-6 * power_usd_mwh +
           asic_usd_th * 1e-12 / (365.25 * life_years);
}

/* The history rows of the run, checked to cover every day. */
static const hp_history *network_history(const hp_config *cfg, int32_t start, int n_days,
                                         hp_history_set *hist, hp_err *err)
{
    const hp_history *h = hp_history_get(hist, cfg, "network.csv", err);
    if (h == NULL || hp_history_cover(h, start, n_days, cfg, "time.start_date", err) != 0)
        return NULL;
    return h;
}

/* The hashrate backends: the one place a model's name maps to its code. */
static const struct hash_backend {
    const char *name;
    hp_hash_kind kind;
} hash_backends[] = {
    {"trend", HP_HASH_TREND},
    {"equilibrium", HP_HASH_EQUILIBRIUM},
    {"historical", HP_HASH_HISTORICAL},
    {"fleet", HP_HASH_FLEET},              /* hashrate_fleet.c */
};

int hp_hash_kind_of(const char *name, hp_hash_kind *kind)
{
    for (size_t i = 0; i < sizeof hash_backends / sizeof hash_backends[0]; i++)
        if (strcmp(name, hash_backends[i].name) == 0) {
            *kind = hash_backends[i].kind;
            return 0;
        }
    return -1;
}

/* Reads the hashrate model, the chain start and the fee process. */
int hp_network_init(hp_network *nw, const hp_config *cfg, double dt, int32_t start,
                    int n_days, hp_history_set *hist, hp_err *err)
{
    const char *model = hp_cfg_string(cfg, "network.hashrate_model");
    if (hp_hash_kind_of(model, &nw->kind) != 0)
        return hp_cfg_fail(cfg, err, "network.hashrate_model", "unknown hashrate model \"%s\"", model);
    if (nw->kind == HP_HASH_FLEET && hp_fleet_init(&nw->fleet, cfg, n_days, err) != 0)
        return -1;
    nw->block_luck = hp_cfg_bool(cfg, "network.block_luck");
    nw->height0 = hp_cfg_int(cfg, "network.height0");
    nw->difficulty0 = hp_cfg_double(cfg, "network.difficulty0");
    nw->hashrate0_hs = hp_cfg_double(cfg, "network.hashrate0_ehs") * 1e18;
    nw->epoch_elapsed_s = NAN;

    double g = hp_cfg_double(cfg, "network.growth");
    double sh = hp_cfg_double(cfg, "network.sigma");
    nw->trend.drift_dt = (g - 0.5 * sh * sh) * dt;
    nw->trend.vol_sqrt_dt = sh * sqrt(dt);

    hp_hashrate_eq *eq = &nw->eq;
    eq->up_frac = -expm1(-hp_cfg_double(cfg, "network.kappa_up") * dt);
    eq->down_frac = -expm1(-hp_cfg_double(cfg, "network.kappa_down") * dt);
    eq->max_step = hp_cfg_double(cfg, "network.max_growth") * dt;
    eq->vol_sqrt_dt = sh * sqrt(dt);
    eq->e0_j_th = hp_cfg_double(cfg, "network.efficiency_j_th");
    eq->gain = hp_cfg_double(cfg, "network.efficiency_gain");
    eq->power_usd_mwh = hp_cfg_double(cfg, "network.power_usd_mwh");
    eq->asic_usd_th = hp_cfg_double(cfg, "network.asic_usd_per_th");
    eq->life_years = hp_cfg_double(cfg, "network.asic_life_years");
    if (nw->kind == HP_HASH_EQUILIBRIUM) {
        if (!(hp_hash_cost_usd_day(eq->e0_j_th, eq->power_usd_mwh, eq->asic_usd_th,
                                   eq->life_years) > 0))
            return hp_cfg_fail(cfg, err, "network.power_usd_mwh",
                               "equilibrium hashrate needs a positive cost of a hash "
                               "(power price and ASIC price are both zero)");
        nw->log_cost = malloc((size_t)n_days * sizeof(double));
        if (nw->log_cost == NULL)
            return hp_fail(err, NULL, 0, NULL, "out of memory");
        for (int d = 0; d < n_days; d++) {
            double e = eq->e0_j_th * pow(1.0 - eq->gain, d * dt);
            nw->log_cost[d] = log(hp_hash_cost_usd_day(e, eq->power_usd_mwh, eq->asic_usd_th,
                                                        eq->life_years));
        }
    }

    const char *fees = hp_cfg_string(cfg, "fees.model");
    nw->fee_kind = strcmp(fees, "historical") == 0 ? HP_FEES_HISTORICAL : HP_FEES_OU;
    double kf = hp_cfg_double(cfg, "fees.kappa");
    nw->fee.log_mean = log(hp_cfg_double(cfg, "fees.mean_btc_per_block"));
    nw->fee.decay = exp(-kf * dt);
    nw->fee.vol = hp_ou_vol(hp_cfg_double(cfg, "fees.sigma"), kf, dt);
    double f0 = hp_cfg_double(cfg, "fees.btc_per_block0");
    nw->fee0_log = f0 > 0 ? log(f0) : log(1e-12);

    if (nw->kind == HP_HASH_HISTORICAL) {
        const hp_history *h = network_history(cfg, start, n_days, hist, err);
        if (h == NULL)
            return -1;
        int by_difficulty = strcmp(hp_cfg_string(cfg, "network.history_series"), "difficulty") == 0;
        hp_hist_col col = by_difficulty ? HP_HIST_DIFFICULTY : HP_HIST_HASHRATE;
        if (hp_history_require(h, col, err) != 0)
            return -1;
        const double *v = hp_history_col(h, col);
        long i0 = hp_history_index(h, start);
        nw->hist_hs = malloc((size_t)n_days * sizeof(double));
        if (nw->hist_hs == NULL)
            return hp_fail(err, NULL, 0, NULL, "out of memory");
        for (int d = 0; d < n_days; d++)
            nw->hist_hs[d] = by_difficulty ? v[i0 + d] * HP_TWO32 / HP_TARGET_SPACING_S
                                           : v[i0 + d] * 1e12;
        nw->hashrate0_hs = nw->hist_hs[0];
        nw->epoch_elapsed_s = hp_history_epoch_elapsed_s(h, start, nw->height0);
    }
    if (nw->fee_kind == HP_FEES_HISTORICAL) {
        const hp_history *h = network_history(cfg, start, n_days, hist, err);
        if (h == NULL || hp_history_require(h, HP_HIST_FEES, err) != 0 ||
            hp_history_require(h, HP_HIST_BLOCKS, err) != 0)
            return -1;
        const double *fee = hp_history_col(h, HP_HIST_FEES), *blocks = hp_history_col(h, HP_HIST_BLOCKS);
        long i0 = hp_history_index(h, start);
        nw->hist_fee = malloc((size_t)n_days * sizeof(double));
        if (nw->hist_fee == NULL)
            return hp_fail(err, NULL, 0, NULL, "out of memory");
        for (int d = 0; d < n_days; d++)
            nw->hist_fee[d] = fee[i0 + d] / blocks[i0 + d];
    }
    return 0;
}

/* Frees the per-day tables (safe on a partly built struct). */
void hp_network_free(hp_network *nw)
{
    hp_fleet_free(&nw->fleet);
    free(nw->log_cost);
    free(nw->hist_hs);
    free(nw->hist_fee);
    nw->log_cost = nw->hist_hs = nw->hist_fee = NULL;
}

/* Core works on the target (inverse of difficulty): target * actual / T. */
double hp_retarget(double difficulty, double actual_timespan_s)
{
    double span = actual_timespan_s;
    if (span < HP_TARGET_TIMESPAN_S / 4)
        span = HP_TARGET_TIMESPAN_S / 4;
    if (span > HP_TARGET_TIMESPAN_S * 4)
        span = HP_TARGET_TIMESPAN_S * 4;
    return difficulty * HP_TARGET_TIMESPAN_S / span;
}

/* The blocks of the current epoch so far are taken to have come at today's
 * rate; the epoch clock starts at its first block (Core's span), so one
 * interval less than the blocks mined. */
void hp_chain_init(hp_chain *c, int64_t height, double difficulty, double hashrate_hs)
{
    double interval_s = difficulty * HP_TWO32 / hashrate_hs;
    c->height = (double)height;
    c->difficulty = difficulty;
    c->epoch_blocks = (double)(height % HP_RETARGET_INTERVAL);
    c->epoch_time_s = c->epoch_blocks > 0 ? (c->epoch_blocks - 1) * interval_s : -interval_s;
}

/* A replay knows when the epoch began: the clock is set from history
 * instead of from one day's hashrate (which made the first retarget of a
 * mid-epoch replay come out +6.48% against +1.65% on chain). */
void hp_chain_init_clock(hp_chain *c, int64_t height, double difficulty, double hashrate_hs,
                         double epoch_elapsed_s)
{
    hp_chain_init(c, height, difficulty, hashrate_hs);
    if (isfinite(epoch_elapsed_s) && c->epoch_blocks > 0)
        c->epoch_time_s = epoch_elapsed_s;
}

double hp_history_epoch_elapsed_s(const hp_history *h, int32_t start, int64_t height0)
{
    const double *blocks = hp_history_col(h, HP_HIST_BLOCKS);
    double mined = (double)(height0 % HP_RETARGET_INTERVAL);   /* blocks of the epoch so far */
    long i = hp_history_index(h, start);
    if (blocks == NULL || mined == 0 || i < 0)
        return NAN;
    /* Walk back day by day until the day holding the epoch's first block. */
    double after = 0;                  /* blocks on the days after day i - 1 */
    for (long d = i - 1; d >= 0; d--) {
        double b = blocks[d];
        if (after + b >= mined) {
            double k = mined - after;                       /* k-th block from the day's end */
            double at_s = (b - k + 0.5) / b * HP_DAY_S;     /* its time within the day */
            return (double)(i - d) * HP_DAY_S - at_s;
        }
        after += b;
    }
    return NAN;
}

void hp_network_chain_start(const hp_network *nw, hp_chain *c)
{
    hp_chain_init_clock(c, nw->height0, nw->difficulty0, nw->hashrate0_hs, nw->epoch_elapsed_s);
}

/* The subsidy era of a height: halvings before it, at most 64 (Core's
 * GetBlockSubsidy has none after the 64th: the subsidy is zero for good). */
static int64_t subsidy_era(double height)
{
    int64_t era = (int64_t)height / HP_HALVING_INTERVAL;
    return era < 64 ? era : 64;
}

/* Cuts the period at every retarget and halving crossed. The epoch clock
 * starts one interval late (it counts from the first block's timestamp), so
 * it is set to minus one interval when an epoch begins.
 *
 * Halvings are counted as changes of the height's subsidy era over the
 * period, not as events of the loop: the epoch position and the height are
 * accumulated separately, so at a height that is both a retarget and a
 * halving height (every 1,260,000 blocks) either may be reached first by
 * rounding, and the height is then snapped onto the boundary. The era of
 * the height is what the subsidy of the next block follows, so counting its
 * changes cannot disagree with the subsidy. */
void hp_chain_advance_cut(hp_chain *c, double hashrate_hs, double seconds, hp_chain_day *out)
{
    const int64_t era0 = subsidy_era(c->height);
    double left_s = seconds;
    out->blocks = 0;
    out->subsidy_btc = 0;
    for (;;) {
        double blocks_per_s = hashrate_hs / (c->difficulty * HP_TWO32);
        double seg = blocks_per_s * left_s;
        double to_epoch = HP_RETARGET_INTERVAL - c->epoch_blocks;
        int64_t era = (int64_t)c->height / HP_HALVING_INTERVAL;
        double next_halving = (double)((era + 1) * HP_HALVING_INTERVAL);
        double to_halving = next_halving - c->height;
        int event = 0;                    /* 1 retarget, 2 halving */
        if (to_epoch <= seg) { seg = to_epoch; event = 1; }
        if (to_halving <= seg) { seg = to_halving; event = to_halving == to_epoch ? 3 : 2; }
        double dt = seg / blocks_per_s;
        out->blocks += seg;
        out->subsidy_btc += seg * (double)hp_subsidy_sat((int64_t)c->height) / (double)HP_COIN_SAT;
        c->epoch_time_s += dt;
        left_s -= dt;
        if (event == 0) {
            c->height += seg;
            c->epoch_blocks += seg;
            break;
        }
        if (event & 2)
            c->height = next_halving;     /* exact: no drift at the boundary */
        else
            c->height += seg;
        if (event & 1) {
            c->difficulty = hp_retarget(c->difficulty, c->epoch_time_s);
            c->height = (double)(((int64_t)(c->height + 0.5) / HP_RETARGET_INTERVAL) * HP_RETARGET_INTERVAL);
            c->epoch_blocks = 0;
            c->epoch_time_s = -c->difficulty * HP_TWO32 / hashrate_hs;
        } else {
            c->epoch_blocks += seg;
        }
        if (left_s <= 0)
            break;
    }
    out->halvings = (int)(subsidy_era(c->height) - era0);
}

/* Poisson blocks: one draw for the whole span unless it reaches a retarget
 * or halving, which is then placed at its exact conditional time. */
void hp_chain_advance_luck(hp_chain *c, double hashrate_hs, double seconds,
                           hp_pcg64 *r, hp_chain_day *out)
{
    const int64_t era0 = subsidy_era(c->height);
    double left_s = seconds;
    out->blocks = 0;
    out->subsidy_btc = 0;
    while (left_s > 0) {
        double blocks_per_s = hashrate_hs / (c->difficulty * HP_TWO32);
        uint64_t n = hp_poisson(r, blocks_per_s * left_s);
        int64_t height = (int64_t)c->height;
        int64_t to_epoch = HP_RETARGET_INTERVAL - (int64_t)c->epoch_blocks;
        int64_t next_halving = (height / HP_HALVING_INTERVAL + 1) * HP_HALVING_INTERVAL;
        int64_t to_halving = next_halving - height;
        int64_t k = to_epoch < to_halving ? to_epoch : to_halving;
        double sub_btc = (double)hp_subsidy_sat(height) / (double)HP_COIN_SAT;
        if (n < (uint64_t)k) {
            out->blocks += (double)n;
            out->subsidy_btc += (double)n * sub_btc;
            c->height += (double)n;
            c->epoch_blocks += (double)n;
            c->epoch_time_s += left_s;
            break;
        }
        /* The k-th of n uniform arrivals in the span sits at a
         * Beta(k, n - k + 1) fraction of it: G_k / (G_k + G_(n-k+1)). */
        double gk = hp_gamma(r, (double)k), rest = hp_gamma(r, (double)(n - (uint64_t)k + 1));
        double t = left_s * gk / (gk + rest);
        out->blocks += (double)k;
        out->subsidy_btc += (double)k * sub_btc;
        c->height = (double)(height + k);
        c->epoch_time_s += t;
        left_s -= t;
        if (k == to_epoch) {
            c->difficulty = hp_retarget(c->difficulty, c->epoch_time_s);
            c->epoch_blocks = 0;
            /* The new epoch's clock starts at its first block: an
             * exponential wait at the new rate (memoryless). */
            c->epoch_time_s = -hp_exponential(r) * c->difficulty * HP_TWO32 / hashrate_hs;
        } else {
            c->epoch_blocks += (double)k;
        }
    }
    out->halvings = (int)(subsidy_era(c->height) - era0);
}
