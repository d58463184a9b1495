/* network: subsidy, retarget and the day-by-day chain (see network.h). */
#include "network.h"

#include <math.h>

const hp_param hp_network_params[] = {
    {"network.hashrate_model", HP_CHOICE, "", "\"trend\"", 0, 0, "trend",
     "hashrate process: trend = geometric drift with noise (MODEL.md 5)"},
    {"network.height0", HP_INT, "blocks", "930000", 0, 6.93e6, NULL,
     "block height on start_date (955,584 on 2026-06-26 less 144/day back to 2026-01-01; parameters.md 3)"},
    {"network.difficulty0", HP_DOUBLE, "", "141.67e12", 1, 1e20, NULL,
     "difficulty on start_date (141.67T, late Jan 2026; parameters.md 4c)"},
    {"network.hashrate0_ehs", HP_DOUBLE, "EH/s", "1014.0", 1e-6, 1e9, NULL,
     "network hashrate on start_date (D * 2^32 / 600 at 141.67T; parameters.md 3)"},
    {"network.growth", HP_DOUBLE, "1/yr", "0.20", -1, 5, NULL,
     "expected log growth of network hashrate (CoinShares: 1 to 2 ZH/s by 2027 is the high case; parameters.md 4c)"},
    {"network.sigma", HP_DOUBLE, "1/sqrt(yr)", "0.25", 0, 5, NULL,
     "volatility of ln hashrate (2016-2023 weekly-smoothed hashrate, scripts/calibrate notes)"},
    HP_PARAM_END
};

const hp_param hp_fee_params[] = {
    {"fees.btc_per_block0", HP_DOUBLE, "BTC/block", "0.025", 0, 100, NULL,
     "fees per block on start_date (about 0.8% of revenue at 3.125 BTC subsidy; parameters.md 3)"},
    {"fees.mean_btc_per_block", HP_DOUBLE, "BTC/block", "0.05", 1e-9, 100, NULL,
     "long-run level the log-OU fee process reverts to (2016-2023 median about 0.1-0.3 BTC/block)"},
    {"fees.kappa", HP_DOUBLE, "1/yr", "2.0", 0, 365, NULL,
     "mean-reversion speed of ln fees (half-life about 4 months)"},
    {"fees.sigma", HP_DOUBLE, "1/sqrt(yr)", "1.0", 0, 20, NULL,
     "volatility of ln fees (fee spikes of 2017, 2021 and 2023)"},
    HP_PARAM_END
};

/* Core's GetBlockSubsidy: the shift is undefined past 63, hence the cut-off. */
int64_t hp_subsidy_sat(int64_t height)
{
    int64_t halvings = height / HP_HALVING_INTERVAL;
    if (halvings >= 64)
        return 0;
    return (50 * HP_COIN_SAT) >> halvings;
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

/* Cuts the period at every retarget and halving crossed. The epoch clock
 * starts one interval late (it counts from the first block's timestamp), so
 * it is set to minus one interval when an epoch begins. */
void hp_chain_advance(hp_chain *c, double hashrate_hs, double seconds, hp_chain_day *out)
{
    double left_s = seconds;
    out->blocks = 0;
    out->subsidy_btc = 0;
    out->halvings = 0;
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
            return;
        }
        if (event & 2) {
            c->height = next_halving;     /* exact: no drift at the boundary */
            out->halvings++;
        } else {
            c->height += seg;
        }
        if (event & 1) {
            c->difficulty = hp_retarget(c->difficulty, c->epoch_time_s);
            c->height = (double)(((int64_t)(c->height + 0.5) / HP_RETARGET_INTERVAL) * HP_RETARGET_INTERVAL);
            c->epoch_blocks = 0;
            c->epoch_time_s = -c->difficulty * HP_TWO32 / hashrate_hs;
        } else {
            c->epoch_blocks += seg;
        }
        if (left_s <= 0)
            return;
    }
}
