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
 * before a crossing use the old difficulty or subsidy and the rest the new. */
#ifndef HP_NETWORK_H
#define HP_NETWORK_H

#include <stdint.h>
#include "config.h"

#define HP_HALVING_INTERVAL  210000
#define HP_RETARGET_INTERVAL 2016
#define HP_TARGET_SPACING_S  600.0
#define HP_TARGET_TIMESPAN_S 1209600.0   /* 14 days */
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
    int halvings;             /* halving heights crossed in the day        */
} hp_chain_day;

/* Block subsidy at a height, in satoshis (Core's GetBlockSubsidy). */
int64_t hp_subsidy_sat(int64_t height);

/* New difficulty after an epoch whose first-to-last-block span was
 * actual_timespan_s seconds (Core's clamp to [T/4, 4T]). */
double hp_retarget(double difficulty, double actual_timespan_s);

/* Starts a chain at an integer height; the blocks already mined in the
 * current epoch are assumed to have come at the rate `hashrate_hs`. */
void hp_chain_init(hp_chain *c, int64_t height, double difficulty, double hashrate_hs);

/* Advances the chain by `seconds` at a constant network hashrate. */
void hp_chain_advance(hp_chain *c, double hashrate_hs, double seconds, hp_chain_day *out);

/* Hashrate trend model: ln H += (g - s^2/2) dt + s sqrt(dt) Z. */
typedef struct hp_hashrate_trend {
    double drift_dt;          /* (g - s^2/2) dt */
    double vol_sqrt_dt;       /* s sqrt(dt)     */
} hp_hashrate_trend;

/* Fees per block: ln F is Ornstein-Uhlenbeck around ln F_bar, sampled exactly. */
typedef struct hp_fee_process {
    double log_mean;          /* ln F_bar */
    double decay;             /* exp(-kappa dt) */
    double vol;               /* sigma sqrt((1 - exp(-2 kappa dt)) / (2 kappa)) */
} hp_fee_process;

extern const hp_param hp_network_params[];
extern const hp_param hp_fee_params[];

#endif
