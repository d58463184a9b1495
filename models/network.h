/* network: Bitcoin's protocol arithmetic and the network state of a path.
 *
 * The subsidy and the retarget follow Bitcoin Core: subsidy in integer
 * satoshis, 50 BTC >> (height / 210000), zero after 64 halvings
 * (GetBlockSubsidy); every 2016 blocks the difficulty is multiplied by
 * 1,209,600 s / actual timespan with the timespan clamped to [T/4, 4T]
 * (CalculateNextWorkRequired). As in Core, the actual timespan runs from
 * the first to the last block of the epoch: 2015 intervals, not 2016, so a
 * constant hashrate settles at 600 * 2016/2015 s per block, not 600 s.
 * Not modelled: the compact (nBits) rounding of the target, timestamps.
 *
 * Blocks are a continuous quantity (the expected number per day); a day is
 * cut into segments at every retarget and halving it crosses, so blocks
 * before a crossing use the old difficulty or subsidy and the rest the new.
 * With block_luck the number of blocks is Poisson instead (integer heights).
 *
 * The hashrate models (trend, equilibrium, historical, fleet) and the fee
 * process are described beside their structs below, in hashrate_fleet.h
 * and in docs/network.md. */
#ifndef HP_NETWORK_H
#define HP_NETWORK_H

#include <stdint.h>
#include <math.h>

#include "config.h"
#include "hashrate_fleet.h"
#include "history.h"
#include "rng.h"

#define HP_HALVING_INTERVAL  210000
#define HP_RETARGET_INTERVAL 2016
#define HP_TARGET_SPACING_S  600.0
#define HP_TARGET_TIMESPAN_S 1209600.0   /* 14 days */
#define HP_DAY_S             86400.0
#define HP_COIN_SAT          100000000LL
#define HP_TWO32             4294967296.0

/* Chain state: height and epoch position are fractional (expected blocks). */
typedef struct hp_chain {
    double height;            /* blocks mined so far                       */
    double difficulty;
    double epoch_blocks;      /* blocks into the current 2016-block epoch  */
    double epoch_time_s;      /* seconds since the epoch's first block was
                                 due (Core measures from that block)      */
} hp_chain;

/* What one simulated day did to the chain. */
typedef struct hp_chain_day {
    double blocks;            /* blocks mined in the day                   */
    double subsidy_btc;       /* sum of block subsidies in the day         */
    int halvings;             /* halvings in the day: the change of the
                                 height's era min(height / 210000, 64)   */
} hp_chain_day;

/* Block subsidy at a height, in satoshis (Core's GetBlockSubsidy; the
 * shift is undefined past 63, hence the cut-off). Inline: the daily loop
 * asks for it on every chain every day. */
static inline int64_t hp_subsidy_sat(int64_t height)
{
    int64_t halvings = height / HP_HALVING_INTERVAL;
    if (halvings >= 64)
        return 0;
    return (50 * HP_COIN_SAT) >> halvings;
}

/* New difficulty after an epoch whose first-to-last-block span was
 * actual_timespan_s seconds (Core's clamp to [T/4, 4T]). */
double hp_retarget(double difficulty, double actual_timespan_s);

/* Starts a chain at an integer height; the blocks already mined in the
 * current epoch are assumed to have come at the rate `hashrate_hs`. */
void hp_chain_init(hp_chain *c, int64_t height, double difficulty, double hashrate_hs);

/* The same, with the epoch clock known: `epoch_elapsed_s` seconds from the
 * epoch's first block to the start (from history). Where it is not finite,
 * hp_chain_init's assumption is used. */
void hp_chain_init_clock(hp_chain *c, int64_t height, double difficulty, double hashrate_hs,
                         double epoch_elapsed_s);

/* Seconds from the first block of the epoch under way at the start of day
 * `start` to that instant, from the history's daily block counts: the
 * epoch's first block is the (height0 % 2016)-th block back from the start,
 * placed within its day as if the day's blocks were evenly spread. NAN when
 * the history has no block counts or does not reach back to that block,
 * or when height0 starts an epoch (no block of it is mined yet). */
double hp_history_epoch_elapsed_s(const hp_history *h, int32_t start, int64_t height0);

/* Advances the chain by `seconds` at a constant network hashrate, cutting
 * the period at every retarget and halving it crosses. */
void hp_chain_advance_cut(hp_chain *c, double hashrate_hs, double seconds, hp_chain_day *out);

/* The same; the common period, which crosses neither a retarget nor a
 * halving, inline. It does the floating-point operations of the first
 * segment of hp_chain_advance_cut in the same order (bit-identical
 * results: tests/golden/), so only the call and the loop are saved; the
 * divisions stay (x / y and x * (1 / y) differ in the last bit). */
static inline void hp_chain_advance_era(hp_chain *c, double hashrate_hs, double seconds,
                                        int64_t era, double next_halving, hp_chain_day *out);
static inline void hp_chain_advance(hp_chain *c, double hashrate_hs, double seconds,
                                    hp_chain_day *out)
{
    int64_t era = (int64_t)c->height / HP_HALVING_INTERVAL;
    hp_chain_advance_era(c, hashrate_hs, seconds, era,
                         (double)((era + 1) * HP_HALVING_INTERVAL), out);
}

/* hp_chain_advance with the height's era known: era = (int64_t)height /
 * 210000 and next_halving = (double)((era + 1) x 210000), which a caller
 * that steps the chain daily keeps until the height reaches next_halving
 * (the same values, so the same bits, without the division and
 * conversions each day). */
static inline void hp_chain_advance_era(hp_chain *c, double hashrate_hs, double seconds,
                                        int64_t era, double next_halving, hp_chain_day *out)
{
    double blocks_per_s = hashrate_hs / (c->difficulty * HP_TWO32);
    double seg = blocks_per_s * seconds;
    double to_halving = next_halving - c->height;
    if (!(seg < HP_RETARGET_INTERVAL - c->epoch_blocks && seg < to_halving)) {
        hp_chain_advance_cut(c, hashrate_hs, seconds, out);   /* a boundary, or NaN */
        return;
    }
    int64_t sub_sat = era >= 64 ? 0 : (50 * HP_COIN_SAT) >> era;
    out->blocks = 0.0 + seg;                    /* as the cut's sums from 0 */
    out->subsidy_btc = 0.0 + seg * (double)sub_sat / (double)HP_COIN_SAT;
    c->epoch_time_s += seg / blocks_per_s;
    c->height += seg;
    c->epoch_blocks += seg;
    /* The height may still reach the next era by rounding: counted as the
     * cut counts it, the change of min(era, 64), which can only be from
     * era to era + 1 here (seg < to_halving <= 210000). */
    out->halvings = c->height >= next_halving && era < 64;
}

/* Advances the chain by `seconds` with a Poisson number of blocks
 * (block_luck): blocks arrive as a Poisson process at rate H / (D 2^32).
 * At a retarget or halving the arrival time of the crossing block is drawn
 * exactly (the k-th of n uniform arrivals sits at a Beta(k, n - k + 1)
 * fraction of the span, drawn from two gammas in O(1)) and the rest of the
 * span is a fresh Poisson draw at the new rate (memoryless). Heights stay
 * integers. */
void hp_chain_advance_luck(hp_chain *c, double hashrate_hs, double seconds,
                           hp_pcg64 *r, hp_chain_day *out);

/* Hashrate models. */
typedef enum hp_hash_kind {
    HP_HASH_TREND, HP_HASH_EQUILIBRIUM, HP_HASH_HISTORICAL, HP_HASH_FLEET
} hp_hash_kind;
typedef enum hp_fee_kind { HP_FEES_OU, HP_FEES_HISTORICAL } hp_fee_kind;

/* Hashrate trend model: ln H += (g - s^2/2) dt + s sqrt(dt) Z. */
typedef struct hp_hashrate_trend {
    double drift_dt;          /* (g - s^2/2) dt */
    double vol_sqrt_dt;       /* s sqrt(dt)     */
} hp_hashrate_trend;

/* Equilibrium model: the gap g = ln H* - ln H closes by the exact
 * exponential step g (1 - exp(-kappa dt)), kappa_up when H < H*, kappa_down
 * above; the pull is capped at max_growth dt; noise s sqrt(dt) Z is added. */
typedef struct hp_hashrate_eq {
    double up_frac;           /* 1 - exp(-kappa_up dt)   */
    double down_frac;         /* 1 - exp(-kappa_down dt) */
    double max_step;          /* max_growth dt           */
    double vol_sqrt_dt;       /* s sqrt(dt)              */
    double e0_j_th, gain;     /* network efficiency and its yearly gain */
    double power_usd_mwh, asic_usd_th, life_years;
} hp_hashrate_eq;

/* Fees per block: ln F is Ornstein-Uhlenbeck around ln F_bar, sampled exactly. */
typedef struct hp_fee_process {
    double log_mean;          /* ln F_bar */
    double decay;             /* exp(-kappa dt) */
    double vol;               /* sigma sqrt((1 - exp(-2 kappa dt)) / (2 kappa)) */
} hp_fee_process;

/* Network constants of a run (read-only, shared by threads). */
typedef struct hp_network {
    hp_hash_kind kind;
    int block_luck;           /* Poisson blocks per day                    */
    int64_t height0;
    double difficulty0, hashrate0_hs;
    double epoch_elapsed_s;   /* historical: the start's epoch clock from the
                                 CSV's block counts; NAN: hashrate0 assumed */
    hp_hashrate_trend trend;
    hp_hashrate_eq eq;
    hp_fleet fleet;           /* fleet: cost curve, cohorts, investment   */
    double *log_cost;         /* equilibrium: [n_days] ln c_d, USD per (H/s) per day */
    double *hist_hs;          /* historical: [n_days] network hashrate, H/s */
    hp_fee_kind fee_kind;
    hp_fee_process fee;
    double fee0_log;          /* ln F on day 0 (ou)                        */
    double *hist_fee;         /* fees historical: [n_days] BTC per block    */
} hp_network;

/* Expected blocks per day the equilibrium revenue is counted at. */
#define HP_BLOCKS_TARGET_DAY 144.0

/* All-in cost of one H/s for one day, USD: energy
 * e J/TH * 1e-12 W * 24 h * p USD/MWh * 1e-6 MWh/Wh, plus hardware
 * k USD/TH * 1e-12 spread over life years of 365.25 days. */
double hp_hash_cost_usd_day(double e_j_th, double power_usd_mwh,
                            double asic_usd_th, double life_years);

/* The backend of a network.hashrate_model name; -1 when there is none. */
int hp_hash_kind_of(const char *name, hp_hash_kind *kind);

/* Reads network.* and fees.* for a run of n_days from day number `start`;
 * CSVs are loaded through `hist` (kept by the caller). */
int hp_network_init(hp_network *nw, const hp_config *cfg, double dt, int32_t start,
                    int n_days, hp_history_set *hist, hp_err *err);
void hp_network_free(hp_network *nw);

/* Starts a path's chain at the run's start state. */
void hp_network_chain_start(const hp_network *nw, hp_chain *c);

/* Equilibrium: ln H* of day d for a daily revenue at 144 blocks. */
static inline double hp_hash_eq_log_target(const hp_network *nw, int d, double revenue_usd_day)
{
    return log(revenue_usd_day) - nw->log_cost[d];
}

/* Equilibrium: the next ln of the hashrate the model drives, from today's
 * network total h_total and target ln H*; `shock` is the day's N(0,1). */
static inline double hp_hash_eq_step(const hp_hashrate_eq *eq, double log_driven,
                                     double h_total, double log_target, double shock)
{
    double gap = log_target - log(h_total);
    double pull = gap * (gap > 0 ? eq->up_frac : eq->down_frac);
    if (pull > eq->max_step)
        pull = eq->max_step;
    return log_driven + pull + eq->vol_sqrt_dt * shock;
}

extern const hp_param hp_network_params[];
extern const hp_param hp_fee_params[];

#endif
