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
 * the processes to t + dt. Random components: each has its own
 * stream, so a change in one never moves the draws of another. */
#include "scenario.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asic.h"
#include "asic.h"
#include "date.h"
#include "dist.h"
#include "hashrate_fleet.h"
#include "hpc.h"
#include "miner.h"
#include "network.h"
#include "ou.h"
#include "policy.h"
#include "price.h"
#include "rng.h"
#include "valuation.h"

#define DT (1.0 / 365.25)
#define DAY_S 86400.0
#define N_HALVINGS 4
#define HP_TRACE_CHAINS 64      /* allocations a trace can follow (HP_LIST_MAX) */
#define HP_EMA_90 (2.0 / 91.0)   /* weight of today in a 90-day exponential mean */
#define HP_ASIC_QUOTE_DAYS 7     /* the refresh's ASIC price is re-quoted weekly */

/* Component ids: append only, never renumber (draws depend on them). */
enum { RNG_PRICE, RNG_NETWORK, RNG_FEES, RNG_POWER, RNG_AI_MARKET, RNG_EVENTS,
       RNG_BLOCK_LUCK, RNG_AI_BUST };

/* Output variables, in result-array order. */
enum {
    V_PRICE_MEAN, V_PRICE_END, V_FEE_MEAN, V_LEASE_MEAN,
    V_HASHRATE_END, V_DIFFICULTY_END, V_HASHPRICE_MEAN, V_SUBSIDY_END, V_BLOCKS,
    V_MINING_REV, V_ENERGY, V_MINING_OPEX, V_HPC_REV, V_HPC_OPEX, V_CAPEX_BUILD,
    V_NET_CF, V_BTC_MINED, V_MW_MINING, V_MW_LEASED,
    V_NPV, V_HALVING_DAY,
    V_POWER_MEAN, V_GPU_MEAN, V_BUST_SHARE, V_NET_REVENUE, V_CAPEX_GPU, V_CAPEX_REFRESH,
    V_DAYS_CURTAILED, V_DEFAULTS, V_NPV_HPC, V_TERMINAL, V_MW_ONLINE, V_TERMINAL_MINING,
    V_TERMINAL_HPC, V_NET_MW_ONLINE, V_FULL_COST_NEW, V_CASH_COST_BEST, N_VARS
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
    [V_MINING_OPEX] = {"cashflow/mining_opex", HP_SHAPE_ALLOC_PATH_YEAR, "USD", "other mining opex: fixed per MW, plus the variable cost on days mined", 1},
    [V_HPC_REV] = {"cashflow/hpc_revenue", HP_SHAPE_ALLOC_PATH_YEAR, "USD", "AI/HPC revenue: colocation rent or GPU cloud sales", 1},
    [V_HPC_OPEX] = {"cashflow/hpc_opex", HP_SHAPE_ALLOC_PATH_YEAR, "USD", "AI/HPC opex: (1 - NOI margin) x revenue", 1},
    [V_CAPEX_BUILD] = {"cashflow/capex_build", HP_SHAPE_ALLOC_PATH_YEAR, "USD", "conversion capex of tranches under construction", 1},
    [V_NET_CF] = {"cashflow/net_cash_flow", HP_SHAPE_ALLOC_PATH_YEAR, "USD", "net cash flow: revenues less costs and capex (build, GPUs, fleet refresh)", 1},
    [V_BTC_MINED] = {"cashflow/btc_mined", HP_SHAPE_ALLOC_PATH_YEAR, "BTC", "BTC mined by the firm after pool fee", 1},
    [V_MW_MINING] = {"cashflow/mw_mining", HP_SHAPE_ALLOC_PATH_YEAR, "MW", "average capacity mining", 0},
    [V_MW_LEASED] = {"cashflow/mw_leased", HP_SHAPE_ALLOC_PATH_YEAR, "MW", "average capacity earning AI/HPC revenue: leased (colocation) or operating (GPU cloud)", 0},
    [V_NPV] = {"valuation/npv", HP_SHAPE_ALLOC_PATH, "USD", "net present value of daily net cash flows, plus the discounted terminal value", 0},
    [V_HALVING_DAY] = {"network/halving_day", HP_SHAPE_ALLOC_PATH_HALVING, "day", "day index (0 = start_date) of each halving; -1 not reached", 0},
    [V_POWER_MEAN] = {"market/power_price_mean", HP_SHAPE_PATH_YEAR, "USD/MWh", "mean power price paid by the miner", 0},
    [V_GPU_MEAN] = {"market/gpu_index_mean", HP_SHAPE_PATH_YEAR, "USD/MW/yr", "mean GPU rental index (revenue of a MW at full utilization)", 0},
    [V_BUST_SHARE] = {"market/ai_bust_share", HP_SHAPE_PATH_YEAR, "1", "share of the year's days in an AI bust", 0},
    [V_NET_REVENUE] = {"network/revenue", HP_SHAPE_ALLOC_PATH_YEAR, "USD", "network revenue: (subsidy + fees) of all blocks x BTC price", 0},
    [V_CAPEX_GPU] = {"cashflow/capex_gpu", HP_SHAPE_ALLOC_PATH_YEAR, "USD", "GPU capex (GPU cloud: at delivery and at each GPU life's end)", 1},
    [V_CAPEX_REFRESH] = {"cashflow/capex_refresh", HP_SHAPE_ALLOC_PATH_YEAR, "USD", "fleet refresh capex of the MW that mine: machines bought for the efficiency gain and to replace worn ones", 1},
    [V_DAYS_CURTAILED] = {"cashflow/days_curtailed", HP_SHAPE_ALLOC_PATH_YEAR, "day", "curtailment in whole-fleet days: sum over days of the share of mining MW switched off", 1},
    [V_DEFAULTS] = {"cashflow/tenant_defaults", HP_SHAPE_ALLOC_PATH_YEAR, "1", "tenant defaults (colocation)", 1},
    [V_NPV_HPC] = {"valuation/npv_hpc", HP_SHAPE_ALLOC_PATH, "USD", "NPV of the AI/HPC business alone: revenue less opex, build and GPU capex, plus its terminal value", 0},
    [V_TERMINAL] = {"valuation/terminal_value", HP_SHAPE_ALLOC_PATH, "USD", "terminal value at the horizon, both lines, undiscounted", 0},
    [V_MW_ONLINE] = {"cashflow/mw_online", HP_SHAPE_ALLOC_PATH_YEAR, "MW", "average mining capacity online (not curtailed)", 0},
    [V_TERMINAL_MINING] = {"valuation/terminal_value_mining", HP_SHAPE_ALLOC_PATH, "USD", "mining fleet at the horizon: max(multiple x last 365 days' NOI after refresh, salvage), undiscounted", 0},
    [V_TERMINAL_HPC] = {"valuation/terminal_value_hpc", HP_SHAPE_ALLOC_PATH, "USD", "data centre at the horizon: max(multiple x last 365 days' NOI, salvage), undiscounted", 0},
    [V_NET_MW_ONLINE] = {"network/mw_online_end", HP_SHAPE_ALLOC_PATH_YEAR, "MW", "fleet model: power of the others' machines running on the last day of the year; 0 for other models", 0},
    [V_FULL_COST_NEW] = {"network/full_cost_new", HP_SHAPE_ALLOC_PATH_YEAR, "USD/PH/s/day", "fleet model: mean full cost of a machine ordered (power at the median site, opex, machine and site annuities); 0 for other models", 0},
    [V_CASH_COST_BEST] = {"network/cash_cost_best", HP_SHAPE_ALLOC_PATH_YEAR, "USD/PH/s/day", "fleet model: mean power cost of the newest cohort at the median site; 0 for other models", 0},
};

/* The optimal policy's lines (allocation.policy = "optimal"), after the
 * static ones in the layout the engine sees. */
enum { P_NPV, P_NPV_HPC, P_TERMINAL, P_TRANCHES, P_FIRST_DAY, P_MW_OUT, P_STARTED, P_NET_CF,
       NP_VARS };
static const hp_var policy_vars[NP_VARS] = {
    [P_NPV] = {"policy/npv", HP_SHAPE_PATH, "USD", "optimal policy: net present value, as valuation/npv, on the same paths", 0},
    [P_NPV_HPC] = {"policy/npv_hpc", HP_SHAPE_PATH, "USD", "optimal policy: NPV of the AI/HPC business alone, as valuation/npv_hpc", 0},
    [P_TERMINAL] = {"policy/terminal_value", HP_SHAPE_PATH, "USD", "optimal policy: terminal value at the horizon, undiscounted", 0},
    [P_TRANCHES] = {"policy/tranches_started", HP_SHAPE_PATH, "1", "optimal policy: conversion tranches started over the horizon", 0},
    [P_FIRST_DAY] = {"policy/first_start_day", HP_SHAPE_PATH, "day", "optimal policy: day index of the first tranche started; -1 never", 0},
    [P_MW_OUT] = {"policy/mw_converted", HP_SHAPE_PATH_YEAR, "MW", "optimal policy: average capacity out of mining (contracted, in build or converted)", 0},
    [P_STARTED] = {"policy/tranches_started_year", HP_SHAPE_PATH_YEAR, "1", "optimal policy: conversion tranches started in the year", 0},
    [P_NET_CF] = {"policy/net_cash_flow", HP_SHAPE_PATH_YEAR, "USD", "optimal policy: net cash flow, as cashflow/net_cash_flow", 0},
};

const hp_param hp_time_params[] = {
    {"time.start_date", HP_DATE, "", "\"2026-01-01\"", 0, 0, NULL,
     "first simulated day (issue 2: 13 years from 2026-01-01)"},
    {"time.horizon_years", HP_DOUBLE, "yr", "13.0", 1.0 / 365.25, 100, NULL,
     "simulated horizon; days = round(365.25 x years) (VanEck: 13 years; docs/sources.md#vaneck-2024)"},
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

#define PRICE_TABLE(name) hp_price_##name##_params,
#define POWER_TABLE(name) hp_power_##name##_params,
static const hp_param *const scenario_params[] = {
    hp_time_params, hp_price_params, HP_PRICE_MODELS(PRICE_TABLE) hp_network_params, hp_fleet_params,
    hp_fee_params,
    hp_asic_params, hp_miner_params, HP_POWER_MODELS(POWER_TABLE) hp_allocation_params, hp_hpc_params,
    hp_ai_market_params,
    hp_gpu_params, hp_correlation_params, hp_valuation_params, hp_policy_params, NULL
};

typedef struct scenario {
    hp_layout layout;           /* what simulate() fills: every slot (the
                                 * static allocations, then the policy's) */
    hp_layout xlayout;          /* policy on: what the engine sees         */
    hp_var xvars[N_VARS + NP_VARS];
    size_t xoff[N_VARS + NP_VARS];  /* offsets in the engine's result array */
    double *slot_alloc;         /* [n_slots] the layout's fractions (NaN: policy) */
    hp_conv conv;               /* the optimal policy (conv.on)            */
    int pslot;                  /* the policy's slot, or -1                */
    hp_summary_item summary[3];
    char start_date[16];        /* "YYYY-MM-DD" of day 0, for the layout  */
    int n_days;
    int *year;                  /* [n_years] */
    int *days_in_year;          /* [n_years] */
    int *year_end_day;          /* [n_years] last day index of each year */
    int64_t halving_height[N_HALVINGS];
    size_t off[N_VARS];         /* offsets in a path's result array */
    hp_history_set hist;        /* CSVs loaded once, shared read-only by
                                 * price and network models              */
    hp_input_file inputs[HP_HISTORY_SET_MAX];   /* the same, for the layout */
    hp_price price;
    hp_network net;             /* hashrate model, chain start, fees      */
    hp_miner miner;
    hp_hpc hpc;
    double l21, l22, l31, l32, l33;   /* Cholesky factor of the correlation */
    double log_hash_market0;    /* ln of hashrate the model drives        */
    int n_net;                  /* chains per path: n_alloc or 1          */
    double *disc;               /* [n_days] discount factors              */
    double *hs_per_mw;          /* [n_days] H/s per MW of mining capacity */
    double *others_hs;          /* historical: [n_days] hashrate of the
                                 * others (network less the firm's fleet) */
    double *refresh_th_mw;      /* [n_days] TH/s a mining MW buys, or NULL  */
    hp_asic asic;               /* ASIC price per TH/s against hashprice    */
    double opex_usd_mw_day;     /* fixed mining opex per MW                */
    double var_usd_mw_day;      /* variable mining cost per MW on a day mined */
    double burn_mwh_day;        /* MWh a mining MW burns in a day: 24 uptime */
    int n_curve;                /* n_sites + 1: entries of a fleet curve    */
    hp_valuation val;           /* discount rate, terminal-value keys       */
    int tv_first_day;           /* the NOI window: tv_first_day .. n_days-1 */
    double gpu_upkeep_day;      /* gpu_cloud: GPU capex per MW per day of life */
    double tv_year_scale;       /* 365.25 / window days                    */
    hp_fleet_state *fleet0;     /* fleet model: the start state every chain copies */
    int n_trace;                /* daily trace: variables and their names  */
    char **trace_names;
} scenario;

/* The daily sums of each allocation: its lines for the year (Y_NPV and
 * Y_NPV_HPC: for the path), kept in the workspace, one allocation's
 * together, and stored into the path's results at year end (path end).
 * The results start at zero, so the sums are the same additions in the
 * same order as adding into the results directly (bit-identical), without
 * an offset lookup and a strided store per line per day. */
enum { Y_MINING_REV, Y_ENERGY, Y_MINING_OPEX, Y_HPC_REV, Y_HPC_OPEX, Y_CAPEX_BUILD,
       Y_CAPEX_REFRESH, Y_NET_CF, Y_BTC_MINED, Y_MW_MINING, Y_MW_ONLINE, Y_MW_LEASED,
       Y_DAYS_CURTAILED, Y_HASHPRICE_MEAN, Y_NET_REVENUE, Y_BLOCKS, Y_CAPEX_GPU, Y_DEFAULTS,
       N_YEAR_SUMS, Y_NPV = N_YEAR_SUMS, Y_NPV_HPC, N_YSUM };
static const int ysum_var[N_YSUM] = {
    V_MINING_REV, V_ENERGY, V_MINING_OPEX, V_HPC_REV, V_HPC_OPEX, V_CAPEX_BUILD,
    V_CAPEX_REFRESH, V_NET_CF, V_BTC_MINED, V_MW_MINING, V_MW_ONLINE, V_MW_LEASED,
    V_DAYS_CURTAILED, V_HASHPRICE_MEAN, V_NET_REVENUE, V_BLOCKS, V_CAPEX_GPU, V_DEFAULTS,
    V_NPV, V_NPV_HPC
};

/* The market's sums for the year (price, fees, lease rate, power, GPU
 * index, bust days), in the same way. */
enum { M_PRICE, M_FEE, M_LEASE, M_POWER, M_GPU, M_BUST, N_MSUM };
static const int msum_var[N_MSUM] = {
    V_PRICE_MEAN, V_FEE_MEAN, V_LEASE_MEAN, V_POWER_MEAN, V_GPU_MEAN, V_BUST_SHARE
};

/* Workspace of one thread, carved from the engine's scratch buffer. */
typedef struct work {
    hp_chain *chain;            /* [n_net]                 */
    hp_chain_day *cday;         /* [n_net]                 */
    double *net_btc;            /* [n_net] subsidy + fees  */
    double *net_hs;             /* [n_net] hashrate used   */
    double *net_usd;            /* [n_net] (subsidy + fees) x price, USD/day */
    double *hashprice;          /* [n_net] USD per PH/s per day            */
    double *lh;                 /* [n_net] ln of the hashrate the model drives */
    int *k_on;                  /* [n_net] sites mining today (cheapest first) */
    double *hp_ema;             /* [n_net] 90-day smoothed hashprice, USD/PH/day */
    double *sub_btc;            /* [n_net] block subsidy at the chain's height, BTC */
    double *sub_until;          /* [n_net] height of the next halving: sub_btc holds below it */
    double *firm_usd;           /* [n_net] fleet: the firm's decision revenue,
                                 * USD per H/s a day, smoothed             */
    double *asic_usd_th;        /* [n_net] price of a TH/s the refresh buys today */
    hp_pcg64 *luck;             /* [n_net] block-luck generators, equal at start */
    hp_alloc_hpc *as;           /* [n_alloc]               */
    hp_tranche *ts;             /* [n_alloc * max_tranches] */
    double *noi_tv_mining;      /* [n_alloc] mining NOI after refresh in the
                                 * terminal-value window                    */
    double *noi_tv_hpc;         /* [n_alloc] HPC NOI (less GPU upkeep) there */
    double *cum_mw, *cum_mwp;   /* [n_alloc * n_curve] each allocation's
                                 * cost curve: MW, MW x price (hp_miner_curve) */
    double *curve_mw;           /* [n_alloc] mining MW the curve was built for */
    hp_fleet_state **fleet;     /* [n_net] the others' fleet per chain      */
    char *fleet_mem;            /* [n_net * fleet state bytes]             */
    double *iout;               /* policy on: every slot's results          */
    int *pol;                   /* policy on: tranches started, first start
                                 * day (-1 none), then [n_years] started  */
    hp_conv_capture cap;        /* policy on: a training path's arrays      */
    char *cap_mem;
    double *ysum;               /* [n_alloc * N_YSUM] the year's sums (ysum_var);
                                 * n_alloc counts the policy's slot        */
} work;

static size_t align16(size_t n) { return (n + 15) & ~(size_t)15; }

/* Bytes of workspace a thread needs; also lays it out when w != NULL.
 * Each array starts on a 16-byte boundary. */
static size_t work_layout(const scenario *s, void *base, work *w)
{
    size_t na = (size_t)s->layout.n_alloc, nn = (size_t)s->n_net, nc = (size_t)s->n_curve;
    size_t nt = na * (size_t)(s->hpc.max_tranches > 0 ? s->hpc.max_tranches : 1);
    size_t fleet_bytes = s->net.kind == HP_HASH_FLEET ? hp_fleet_state_bytes(&s->net.fleet) : 0;
    work dummy;
    if (w == NULL)
        w = &dummy;
    struct { void **at; size_t bytes; } part[] = {
        {(void **)&w->chain, nn * sizeof(hp_chain)},
        {(void **)&w->cday, nn * sizeof(hp_chain_day)},
        {(void **)&w->net_btc, nn * sizeof(double)},
        {(void **)&w->net_hs, nn * sizeof(double)},
        {(void **)&w->net_usd, nn * sizeof(double)},
        {(void **)&w->hashprice, nn * sizeof(double)},
        {(void **)&w->as, na * sizeof(hp_alloc_hpc)},
        {(void **)&w->ts, nt * sizeof(hp_tranche)},
        {(void **)&w->lh, nn * sizeof(double)},
        {(void **)&w->k_on, nn * sizeof(int)},
        {(void **)&w->hp_ema, nn * sizeof(double)},
        {(void **)&w->sub_btc, nn * sizeof(double)},
        {(void **)&w->sub_until, nn * sizeof(double)},
        {(void **)&w->firm_usd, nn * sizeof(double)},
        {(void **)&w->asic_usd_th, nn * sizeof(double)},
        {(void **)&w->luck, nn * sizeof(hp_pcg64)},
        {(void **)&w->noi_tv_mining, na * sizeof(double)},
        {(void **)&w->noi_tv_hpc, na * sizeof(double)},
        {(void **)&w->cum_mw, na * nc * sizeof(double)},
        {(void **)&w->cum_mwp, na * nc * sizeof(double)},
        {(void **)&w->curve_mw, na * sizeof(double)},
        {(void **)&w->fleet, nn * sizeof(hp_fleet_state *)},
        {(void **)&w->fleet_mem, nn * align16(fleet_bytes)},
        {(void **)&w->iout, s->conv.on ? hp_layout_path_size(&s->layout) * sizeof(double) : 0},
        {(void **)&w->pol, s->conv.on ? (size_t)(s->layout.n_years + 2) * sizeof(int) : 0},
        {(void **)&w->cap_mem, s->conv.on ? hp_conv_capture_layout(&s->conv, NULL, NULL) : 0},
        {(void **)&w->ysum, na * N_YSUM * sizeof(double)},
    };
    size_t total = 0;
    for (size_t i = 0; i < sizeof part / sizeof *part; i++) {
        *part[i].at = base != NULL ? (char *)base + total : NULL;
        total += align16(part[i].bytes);
    }
    if (base != NULL && s->conv.on)
        hp_conv_capture_layout(&s->conv, w->cap_mem, &w->cap);
    return total;
}

/* Starts a path: chains at the initial state, the hashrate the model
 * drives, the tranches (hpc), the block-luck generators (one copy per
 * chain, so allocations share their luck draws while their rates agree),
 * halvings unset. */
static void path_init(const scenario *s, work *w, double *out, hp_pcg64 *events,
                      const hp_pcg64 *luck)
{
    const hp_layout *l = &s->layout;
    const hp_network *nw = &s->net;
    for (int n = 0; n < s->n_net; n++) {
        hp_network_chain_start(nw, &w->chain[n]);
        w->lh[n] = s->log_hash_market0;
        w->luck[n] = *luck;
    }
    hp_hpc_path_init(&s->hpc, s->miner.capacity_mw, events, w->ts, w->as);
    for (int n = 0; n < s->n_net; n++) {
        w->k_on[n] = s->miner.n_sites;
        w->asic_usd_th[n] = s->miner.refresh_usd_th;
        w->sub_until[n] = -INFINITY;           /* computed on day 0 */
    }
    for (int a = 0; a < l->n_alloc; a++) {
        w->noi_tv_mining[a] = w->noi_tv_hpc[a] = 0;
        size_t c = (size_t)a * (size_t)s->n_curve;
        hp_miner_curve(&s->miner, w->as[a].mining_mw, &w->cum_mw[c], &w->cum_mwp[c]);
        w->curve_mw[a] = w->as[a].mining_mw;
    }
    memset(out, 0, hp_layout_path_size(l) * sizeof(double));
    memset(w->ysum, 0, (size_t)l->n_alloc * N_YSUM * sizeof(double));
    double *hd = out + s->off[V_HALVING_DAY];
    for (int i = 0; i < l->n_alloc * N_HALVINGS; i++)
        hd[i] = -1;
}

/* Fleet model: each chain's fleet starts from the same state. */
static void fleet_path_init(const scenario *s, work *w)
{
    const hp_fleet *f = &s->net.fleet;
    size_t bytes = align16(hp_fleet_state_bytes(f));
    for (int n = 0; n < s->n_net; n++)
        w->fleet[n] = hp_fleet_copy(f, w->fleet_mem + (size_t)n * bytes, s->fleet0);
}

/* The chain's block subsidy (BTC), recomputed only when it crosses a halving. */
static inline double fleet_subsidy(hp_fleet_state *st, double height)
{
    if (height >= st->next_halving) {
        int64_t h = (int64_t)height;
        st->next_halving = (double)((h / HP_HALVING_INTERVAL + 1) * HP_HALVING_INTERVAL);
        st->sub_btc = (double)hp_subsidy_sat(h) / (double)HP_COIN_SAT;
    }
    return st->sub_btc;
}

/* Fleet model: the others' hashrate on chain n today. The hashprice is the
 * one miners see at the start of the day: the chain's difficulty and
 * subsidy, the day's fees and price; ln(subsidy + fees) is computed once a
 * day (chains share it unless a halving separates them). */
static double fleet_others(const scenario *s, const work *w, int n, const hp_fleet_path *fp,
                           double F, double S, double x, double *reward, double *ln_reward)
{
    const hp_chain *ch = &w->chain[n];
    hp_fleet_state *st = w->fleet[n];
    double r = fleet_subsidy(st, ch->height) + F;
    if (r != *reward) {
        *reward = r;
        *ln_reward = log(r);
    }
    double ln_hp = hp_fleet_ln_hashprice(&s->net.fleet, st, ch->difficulty, *ln_reward, x);
    double hp = DAY_S * 1e15 / HP_TWO32 * st->inv_d * r * S;
    return hp_fleet_hashrate(&s->net.fleet, st, fp, ln_hp, hp);
}

/* Fleet model: what the fleets report changes only at reviews, so the
 * year's sums add value x days at each review and year end: days
 * *acc_day .. d (inclusive) go to year y. */
static void fleet_account(const scenario *s, const work *w, double *out, int y, int d, int *acc_day)
{
    double days = d + 1 - *acc_day;
    if (!(days > 0))
        return;
    *acc_day = d + 1;
    for (int a = 0; a < s->layout.n_alloc; a++) {
        const hp_fleet_state *st = w->fleet[s->n_net > 1 ? a : 0];
        size_t i = (size_t)a * s->layout.n_years + y;
        out[s->off[V_FULL_COST_NEW] + i] += st->full_cost_new * days;
        out[s->off[V_CASH_COST_BEST] + i] += st->cash_cost_best * days;
    }
}

/* Fleet model, last day of year y: the year's sums, and the MW running. */
static void fleet_year_end(const scenario *s, const work *w, double *out, int y, int d, int *acc_day)
{
    fleet_account(s, w, out, y, d, acc_day);
    for (int a = 0; a < s->layout.n_alloc; a++) {
        const hp_fleet_state *st = w->fleet[s->n_net > 1 ? a : 0];
        out[s->off[V_NET_MW_ONLINE] + (size_t)a * s->layout.n_years + y] =
            hp_fleet_mw_online(&s->net.fleet, st, st->hp_last);
    }
}

/* Stores the year's sums of every allocation and of the market into year
 * y of the results (which are still zero there) and restarts them. */
static void year_sums_store(const scenario *s, work *w, double *msum, double *out, int y)
{
    const hp_layout *l = &s->layout;
    for (int a = 0; a < l->n_alloc; a++) {
        double *ys = w->ysum + (size_t)a * N_YSUM;
        size_t i = (size_t)a * (size_t)l->n_years + (size_t)y;
        for (int q = 0; q < N_YEAR_SUMS; q++) {
            out[s->off[ysum_var[q]] + i] = ys[q];
            ys[q] = 0;
        }
    }
    for (int q = 0; q < N_MSUM; q++) {
        out[s->off[msum_var[q]] + (size_t)y] = msum[q];
        msum[q] = 0;
    }
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
    out[s->off[V_POWER_MEAN] + y] /= days;
    out[s->off[V_GPU_MEAN] + y] /= days;
    out[s->off[V_BUST_SHARE] + y] /= days;
    for (int a = 0; a < l->n_alloc; a++) {
        size_t i = (size_t)a * ny + y;
        int n = s->n_net > 1 ? a : 0;
        out[s->off[V_HASHRATE_END] + i] = w->net_hs[n] * 1e-18;
        out[s->off[V_DIFFICULTY_END] + i] = w->chain[n].difficulty;
        out[s->off[V_HASHPRICE_MEAN] + i] /= days;
        out[s->off[V_SUBSIDY_END] + i] =
            (double)hp_subsidy_sat((int64_t)w->chain[n].height) / (double)HP_COIN_SAT;
        out[s->off[V_MW_MINING] + i] /= days;
        out[s->off[V_MW_ONLINE] + i] /= days;
        out[s->off[V_MW_LEASED] + i] /= days;
        out[s->off[V_FULL_COST_NEW] + i] /= days;
        out[s->off[V_CASH_COST_BEST] + i] /= days;
    }
}

/* Trace variables: the market, then per chain (chain n is allocation n
 * when the firm is in the network, else the one network). */
enum { T_PRICE, T_FEE, T_MARKET };
enum { T_HASHRATE, T_DIFFICULTY, T_BLOCKS, T_HASHPRICE, T_CHAIN };
static const char *const trace_market[T_MARKET] = {"market/btc_price", "market/fee_btc_per_block"};
static const char *const trace_chain[T_CHAIN] = {"hashrate", "difficulty", "blocks", "hashprice"};

/* Day d of the trace: the day's price and fees; per chain the hashrate
 * (H/s) and the difficulty at the start of the day, its blocks, and the
 * hashprice earned (USD per PH/s per day). */
static void trace_day(const scenario *s, const work *w, const double *difficulty0, double S,
                      double F, double *t)
{
    t[T_PRICE] = S;
    t[T_FEE] = F;
    for (int n = 0; n < s->n_net; n++) {
        double *c = t + T_MARKET + n * T_CHAIN;
        c[T_HASHRATE] = w->net_hs[n];
        c[T_DIFFICULTY] = difficulty0[n];
        c[T_BLOCKS] = w->cday[n].blocks;
        c[T_HASHPRICE] = w->hashprice[n];
    }
}

/* Decision date t (day d) of the policy's slot: the state from its chain
 * (the hashprice its difficulty pays today) and the market. A training
 * path (cap) records it; an evaluation path starts the tranches the policy
 * says (the next ones in order: tranche k is the k-th converted, with the
 * generator of tranche k of every static allocation). */
static void policy_date(const scenario *s, work *w, int t, int d, int y, double S, double F,
                        double X, double hs_mw, const hp_ai_path *ai, hp_conv_capture *cap,
                        int *rights)
{
    const hp_conv *c = &s->conv;
    const hp_hpc *h = &s->hpc;
    const int P = s->pslot;
    const hp_chain *ch = &w->chain[s->n_net > 1 ? P : 0];
    double sub = (double)hp_subsidy_sat((int64_t)ch->height) / (double)HP_COIN_SAT;
    double hashprice = DAY_S * 1e15 / HP_TWO32 / ch->difficulty * (sub + F) * S;   /* USD/PH/day */
    double mining = hashprice * hs_mw * 1e-15 * 365.25 * (1 - s->miner.pool_fee);    /* USD/MW/yr */
    double aiv = h->gpu ? ai->gpu * h->utilization : ai->lease;
    double state[HP_PS_N];
    hp_conv_state(state, aiv, mining, hashprice, S, X);
    int g = c->n_regimes > 1 ? ai->bust : 0;
    if (cap != NULL) {
        memcpy(cap->state + (size_t)t * HP_PS_N, state, sizeof state);
        cap->regime[t] = (int8_t)g;
        return;
    }
    int m = hp_conv_decide(c, t, *rights, g, state);
    if (m <= 0)
        return;
    hp_tranche *ts = &w->ts[(size_t)P * (size_t)h->max_tranches];
    for (int j = 0; j < m; j++)
        hp_hpc_start(&ts[c->first_tranche + (c->n_rights - *rights) + j], d);
    *rights -= m;
    w->as[P].next_day = d;                 /* the slot's events run today */
    if (w->pol[1] < 0)
        w->pol[1] = d;
    w->pol[0] += m;
    w->pol[2 + y] += m;
}

/* One path, day by day; with `trace`, its daily series too; `train`: a
 * training path of the policy, its arrays captured in the workspace. */
static void simulate(const void *model, uint64_t seed, uint64_t path, double *out, void *scratch,
                     double *trace, int train)
{
    const scenario *s = model;
    const hp_layout *l = &s->layout;
    const int na = l->n_alloc, nnet = s->n_net;
    const hp_network *nw = &s->net;
    const hp_miner *mi = &s->miner;
    const hp_hpc *hpc = &s->hpc;
    work w;
    work_layout(s, scratch, &w);

    hp_pcg64 r_price, r_net, r_fee, r_ai, r_power, r_events, r_luck, r_bust;
    hp_rng_stream(&r_price, seed, path, RNG_PRICE);
    hp_rng_stream(&r_net, seed, path, RNG_NETWORK);
    hp_rng_stream(&r_fee, seed, path, RNG_FEES);
    hp_rng_stream(&r_ai, seed, path, RNG_AI_MARKET);
    hp_rng_stream(&r_power, seed, path, RNG_POWER);
    hp_rng_stream(&r_events, seed, path, RNG_EVENTS);
    hp_rng_stream(&r_luck, seed, path, RNG_BLOCK_LUCK);
    hp_rng_stream(&r_bust, seed, path, RNG_AI_BUST);
    path_init(s, &w, out, &r_events, &r_luck);
    hp_ai_path ai;
    hp_ai_path_init(hpc, &ai, &r_bust);

    hp_price_path ps;                           /* ps.x = ln S     */
    hp_price_path_init(&s->price, &ps, &r_price);
    double x = ps.x;
    double lf = nw->fee0_log;                   /* ln F (fees ou)  */
    hp_power_path pw;                           /* X, on every site's price */
    hp_power_path_init(&pw);
    const double keep = 1 - mi->pool_fee;
    const double noi = hpc->noi_margin;
    const int in_net = mi->in_network, eq = nw->kind == HP_HASH_EQUILIBRIUM;
    const int hist_net = nw->kind == HP_HASH_HISTORICAL, fleet = nw->kind == HP_HASH_FLEET;
    hp_fleet_path fp;
    double reward = -1, ln_reward = 0;          /* fleet: ln(subsidy + F) cache */
    int acc_day = 0;                            /* fleet: outputs summed to here */
    hp_fleet_path_init(&fp);
    if (fleet)
        fleet_path_init(s, &w);
    const double gpu_usd_day = hpc->utilization / 365.25;   /* x G x MW */
    const double day_hs = DAY_S / HP_TWO32;     /* blocks a day per (H/s / D) */
    const int P = s->pslot;                     /* the policy's slot, or -1 */
    hp_conv_capture *cap = train ? &w.cap : NULL;
    int rights = P >= 0 ? s->conv.n_rights : 0, pt = 0;
    if (P >= 0) {
        memset(w.pol, 0, (size_t)(l->n_years + 2) * sizeof(int));
        w.pol[1] = -1;
    }

    double msum[N_MSUM] = {0};                  /* the market's sums for year y */
    int y = 0;
    for (int d = 0; d < s->n_days; d++) {
        const double S = exp(x);
        const double F = nw->hist_fee != NULL ? nw->hist_fee[d] : exp(lf);
        const double X = pw.factor;
        const double hs_mw = s->hs_per_mw[d];
        /* The others' hashrate: shared, except in equilibrium and fleet (per chain). */
        const double Hm = hist_net ? s->others_hs[d] : fleet ? 0 : exp(w.lh[0]);
        hp_ai_today(hpc, &ai, d, &r_bust);
        if (P >= 0 && pt < s->conv.n_dates && d == s->conv.day[pt]) {
            policy_date(s, &w, pt, d, y, S, F, X, hs_mw, &ai, cap, &rights);
            pt++;
        }

        for (int a = 0; a < na; a++) {
            if (!hp_hpc_due(&w.as[a], d, &ai))
                continue;
            hp_hpc_events(hpc, a, mi->capacity_mw,
                          &w.ts[(size_t)a * (size_t)hpc->max_tranches], &w.as[a], d, &ai);
            if (w.as[a].mining_mw != w.curve_mw[a]) {   /* MW converted or back */
                size_t c = (size_t)a * (size_t)s->n_curve;
                hp_miner_curve(mi, w.as[a].mining_mw, &w.cum_mw[c], &w.cum_mwp[c]);
                w.curve_mw[a] = w.as[a].mining_mw;
            }
        }

        /* The network: one chain, or one per allocation. The firm's sites
         * mine unless curtailed: revenue of their hashrate at the day's
         * difficulty and subsidy against each site's power plus variable
         * cost (w.k_on: the sites that mine, cheapest first). */
        double d0[HP_TRACE_CHAINS];
        for (int n = 0; n < nnet; n++) {
            hp_chain *ch = &w.chain[n];
            if (trace != NULL && n < HP_TRACE_CHAINS)
                d0[n] = ch->difficulty;
            double usd_hs = 0;
            if (mi->curtail) {
                if (ch->height >= w.sub_until[n]) {    /* day 0, or a halving passed */
                    int64_t h = (int64_t)ch->height;
                    w.sub_btc[n] = (double)hp_subsidy_sat(h) / (double)HP_COIN_SAT;
                    w.sub_until[n] = (double)((h / HP_HALVING_INTERVAL + 1) * HP_HALVING_INTERVAL);
                }
                usd_hs = day_hs / ch->difficulty * (w.sub_btc[n] + F) * S * keep;
                if (fleet) {
                    /* The firm's sites on the others' curve: they decide on
                     * the same decision hashprice (today's blended with the
                     * one after the coming retarget) with the same switching
                     * inertia. Switched on and off at once on today's
                     * hashprice, a firm holding a third of the network came
                     * back in full on the day after a retarget cut, mined
                     * the epoch in two days, and the next retarget (x4)
                     * stopped it again: difficulty cycled between two
                     * levels and blocks ran at a third of the pace for a
                     * year (tested: liveness). */
                    double dec = usd_hs * w.fleet[n]->tight_mult;
                    w.firm_usd[n] = d == 0 ? dec
                                  : w.firm_usd[n] + nw->fleet.switch_frac * (dec - w.firm_usd[n]);
                    usd_hs = w.firm_usd[n];
                }
            }
            double firm = hp_miner_online_hs(mi, &w.cum_mw[(size_t)n * (size_t)s->n_curve],
                                             usd_hs, hs_mw, X, &w.k_on[n]);
            double others = fleet ? fleet_others(s, &w, n, &fp, F, S, x, &reward, &ln_reward)
                          : eq && n > 0 ? exp(w.lh[n]) : Hm;
            double H = in_net ? others + firm : others;
            if (fleet)
                hp_fleet_settle(&nw->fleet, w.fleet[n], ch->difficulty, H);
            hp_chain_day *cd = &w.cday[n];
            if (nw->block_luck)
                hp_chain_advance_luck(ch, H, DAY_S, &w.luck[n], cd);
            else
                hp_chain_advance(ch, H, DAY_S, cd);
            w.net_hs[n] = H;
            w.net_btc[n] = cd->subsidy_btc + cd->blocks * F;
            w.net_usd[n] = w.net_btc[n] * S;
            w.hashprice[n] = w.net_usd[n] / (H * 1e-15);
            if (mi->refresh_market) {
                /* ASIC price at the smoothed hashprice (an exponential mean
                 * with the centre of mass of a 90-day trailing mean),
                 * quoted weekly like a price index: a day's lag on a
                 * 90-day mean, and a log and an exp a week, not a day. */
                double hp = w.hashprice[n];
                w.hp_ema[n] = d == 0 ? hp : w.hp_ema[n] + HP_EMA_90 * (hp - w.hp_ema[n]);
                if (d % HP_ASIC_QUOTE_DAYS == 0)
                    w.asic_usd_th[n] = hp_asic_usd_per_th(&s->asic, w.hp_ema[n]);
            }
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

        if (trace != NULL)
            trace_day(s, &w, d0, S, F, trace + (size_t)d * (size_t)s->n_trace);

        /* Cash flows of each allocation. */
        const double *disc = s->disc;
        const double burn_x = s->burn_mwh_day * X;          /* USD per MW at price 1 */
        const double refresh_th = s->refresh_th_mw != NULL ? s->refresh_th_mw[d] : 0.0;
        const int in_tv = d >= s->tv_first_day;
        const double gpu_upkeep_day = s->gpu_upkeep_day;
        for (int a = 0; a < na; a++) {
            hp_alloc_hpc *as = &w.as[a];
            double *ys = w.ysum + (size_t)a * N_YSUM;
            int n = nnet > 1 ? a : 0;
            const double *cum_mw = &w.cum_mw[(size_t)a * (size_t)s->n_curve];
            const double *cum_mwp = &w.cum_mwp[(size_t)a * (size_t)s->n_curve];
            int k = w.k_on[n];
            double mw = as->mining_mw, online = cum_mw[k];
            double hm = online * hs_mw;
            double btc = hm / w.net_hs[n] * w.net_btc[n] * keep;
            double rev = btc * S;
            double energy = burn_x * cum_mwp[k];
            double opex = mw * s->opex_usd_mw_day + online * s->var_usd_mw_day;
            double hpc_rev = as->rent_day + as->gpu_mw * ai.gpu * gpu_usd_day;
            double hpc_opex = (1 - noi) * hpc_rev;
            double refresh = online * refresh_th * w.asic_usd_th[n];
            double hpc_noi = hpc_rev - hpc_opex;
            double noi_all = rev - energy - opex + hpc_noi;
            double hpc_cf = hpc_noi - as->capex_day - as->gpu_capex;
            double net = noi_all - as->capex_day - as->gpu_capex - refresh;
            ys[Y_MINING_REV] += rev;
            ys[Y_ENERGY] += energy;
            ys[Y_MINING_OPEX] += opex;
            ys[Y_HPC_REV] += hpc_rev;
            ys[Y_HPC_OPEX] += hpc_opex;
            ys[Y_CAPEX_BUILD] += as->capex_day;
            if (refresh_th != 0)
                ys[Y_CAPEX_REFRESH] += refresh;
            ys[Y_NET_CF] += net;
            ys[Y_BTC_MINED] += btc;
            ys[Y_MW_MINING] += mw;
            ys[Y_MW_ONLINE] += online;
            ys[Y_MW_LEASED] += as->leased_mw + as->gpu_mw;
            if (mi->curtail && online < mw)
                ys[Y_DAYS_CURTAILED] += (mw - online) / mw;
            ys[Y_NPV] += net * disc[d];
            ys[Y_NPV_HPC] += hpc_cf * disc[d];
            ys[Y_HASHPRICE_MEAN] += w.hashprice[n];
            ys[Y_NET_REVENUE] += w.net_usd[n];
            ys[Y_BLOCKS] += w.cday[n].blocks;
            if (as->gpu_capex != 0 || as->defaults != 0) {
                /* One-day items the day's events left to book. */
                ys[Y_CAPEX_GPU] += as->gpu_capex;
                ys[Y_DEFAULTS] += as->defaults;
                as->gpu_capex = 0;
                as->defaults = 0;
            }
            if (in_tv) {
                w.noi_tv_mining[a] += rev - energy - opex - refresh;
                w.noi_tv_hpc[a] += hpc_noi - as->gpu_mw * gpu_upkeep_day;
            }
            if (cap != NULL && a == P) {
                cap->margin[d] = mw > 0 ? (rev - energy - opex - refresh) / mw * disc[d] : 0;
                cap->ai[d] = hpc->gpu ? ai.gpu * hpc->utilization : ai.lease;
            }
        }
        msum[M_PRICE] += S;
        msum[M_FEE] += F;
        msum[M_LEASE] += ai.lease;
        msum[M_POWER] += X * mi->price_mean;
        msum[M_GPU] += ai.gpu;
        msum[M_BUST] += ai.bust;
        if (fleet && d == s->year_end_day[y])
            fleet_year_end(s, &w, out, y, d, &acc_day);
        if (d == s->year_end_day[y]) {
            year_sums_store(s, &w, msum, out, y);
            year_close(s, &w, out, y, S);
            y++;
        }

        /* Step the market to the next day with correlated shocks. */
        double z1 = hp_price_step(&s->price, &ps, &r_price);
        double z2 = hp_normal(&r_net), z3 = hp_normal(&r_ai);
        double e2 = s->l21 * z1 + s->l22 * z2;
        double e3 = s->l31 * z1 + s->l32 * z2 + s->l33 * z3;
        x = ps.x;
        if (eq) {
            /* Entry and exit toward H* = 144 (subsidy + F) S / c_d; chains
             * share the target unless a halving separates them. */
            double sub_prev = -1, target = 0;
            for (int n = 0; n < nnet; n++) {
                double sub = (double)hp_subsidy_sat((int64_t)w.chain[n].height) / (double)HP_COIN_SAT;
                if (sub != sub_prev) {
                    target = hp_hash_eq_log_target(nw, d, HP_BLOCKS_TARGET_DAY * (sub + F) * S);
                    sub_prev = sub;
                }
                w.lh[n] = hp_hash_eq_step(&nw->eq, w.lh[n], w.net_hs[n], target, e2);
            }
        } else if (fleet) {
            /* Monthly reviews: retirements, deliveries, orders. */
            hp_fleet_path_step(&nw->fleet, &fp, d, e2);
            if (hp_fleet_review_day(d)) {
                fleet_account(s, &w, out, y, d, &acc_day);
                for (int n = 0; n < nnet; n++)
                    hp_fleet_review(&nw->fleet, w.fleet[n], &fp, d, w.chain[n].height, F);
            }
        } else if (!hist_net) {
            w.lh[0] += nw->trend.drift_dt + nw->trend.vol_sqrt_dt * e2;
        }
        if (nw->hist_fee == NULL)
            lf = nw->fee.log_mean + (lf - nw->fee.log_mean) * nw->fee.decay +
                 nw->fee.vol * hp_normal(&r_fee);
        mi->power->step(mi, &pw, &r_power);
        hp_ai_step(hpc, &ai, e3);
    }

    for (int a = 0; a < na; a++) {
        out[s->off[V_NPV] + a] = w.ysum[(size_t)a * N_YSUM + Y_NPV];
        out[s->off[V_NPV_HPC] + a] = w.ysum[(size_t)a * N_YSUM + Y_NPV_HPC];
    }

    /* Terminal values at the horizon: each line at a multiple of its last
     * 365 days' NOI, or at salvage when that is more. */
    if (s->val.terminal) {
        const hp_valuation *vl = &s->val;
        double v = s->disc[s->n_days - 1], yr = s->tv_year_scale;
        for (int a = 0; a < na; a++) {
            double mw_mining = w.as[a].mining_mw, mw_hpc = mi->capacity_mw - mw_mining;
            double tvm = hp_line_value(vl->mining_multiple, yr * w.noi_tv_mining[a],
                                       vl->mining_salvage_usd_mw * mw_mining);
            double tvh = hp_line_value(vl->hpc_multiple, yr * w.noi_tv_hpc[a],
                                       vl->hpc_salvage_usd_mw * mw_hpc);
            out[s->off[V_TERMINAL_MINING] + a] = tvm;
            out[s->off[V_TERMINAL_HPC] + a] = tvh;
            out[s->off[V_TERMINAL] + a] = tvm + tvh;
            out[s->off[V_NPV] + a] += (tvm + tvh) * v;
            out[s->off[V_NPV_HPC] + a] += tvh * v;
        }
    }
    if (cap != NULL)
        cap->noi_tv_mining_mw = w.as[P].mining_mw > 0 ? w.noi_tv_mining[P] / w.as[P].mining_mw : 0;
}

/* Policy on: the engine's result array from every slot's. The static
 * allocations' rows come first in each variable, so each is a prefix; the
 * policy's slot gives the policy's lines. */
static void policy_export(const scenario *s, const work *w, double *out)
{
    const hp_layout *il = &s->layout, *xl = &s->xlayout;
    const double *in = w->iout;
    const int P = s->pslot, ny = il->n_years;
    for (int v = 0; v < N_VARS; v++)
        memcpy(out + s->xoff[v], in + s->off[v], hp_var_size(xl, &scenario_vars[v]) * sizeof(double));
    const size_t *xo = s->xoff + N_VARS;
    out[xo[P_NPV]] = in[s->off[V_NPV] + P];
    out[xo[P_NPV_HPC]] = in[s->off[V_NPV_HPC] + P];
    out[xo[P_TERMINAL]] = in[s->off[V_TERMINAL] + P];
    out[xo[P_TRANCHES]] = w->pol[0];
    out[xo[P_FIRST_DAY]] = w->pol[1];
    for (int y = 0; y < ny; y++) {
        size_t i = (size_t)P * ny + y;
        out[xo[P_MW_OUT] + y] = s->miner.capacity_mw - in[s->off[V_MW_MINING] + i];
        out[xo[P_STARTED] + y] = w->pol[2 + y];
        out[xo[P_NET_CF] + y] = in[s->off[V_NET_CF] + i];
    }
}

/* One path, with its daily trace when trace is not NULL. */
static void scenario_simulate_trace(const void *model, uint64_t seed, uint64_t path,
                                    double *out, void *scratch, double *trace)
{
    const scenario *s = model;
    if (!s->conv.on) {
        simulate(model, seed, path, out, scratch, trace, 0);
        return;
    }
    work w;
    work_layout(s, scratch, &w);
    simulate(model, seed, path, w.iout, scratch, trace, 0);
    policy_export(s, &w, out);
}

static void scenario_simulate_path(const void *model, uint64_t seed, uint64_t path,
                                   double *out, void *scratch)
{
    scenario_simulate_trace(model, seed, path, out, scratch, NULL);
}

/* A training path of the policy (hp_stopping.simulate): the run's model
 * with the policy's slot mining, its decision-date states, and the payoff
 * of starting a tranche on each date. */
static void policy_train_path(const void *ctx, uint64_t seed, uint64_t path, double *state,
                              double *feature, int8_t *regime, double *control, void *scratch)
{
    (void)control;
    const scenario *s = ctx;
    work w;
    work_layout(s, scratch, &w);
    simulate(s, seed, path, w.iout, scratch, NULL, 1);
    memcpy(state, w.cap.state, (size_t)s->conv.n_dates * HP_PS_N * sizeof(double));
    memcpy(regime, w.cap.regime, (size_t)s->conv.n_dates);
    hp_conv_features(&s->conv, &w.cap, feature);
}

/* Learns the policy (hp_model.prepare): training paths of their own seed,
 * backward induction by least squares (sim/lsmc.h). */
static int scenario_prepare(void *model, int threads, int quiet, hp_err *err)
{
    scenario *s = model;
    hp_conv *c = &s->conv;
    if (!c->on || c->trained)
        return 0;
    hp_stopping pb = {
        .n_dates = c->n_dates, .n_rights = c->n_rights, .max_per_date = c->max_per_date,
        .n_state = HP_PS_N, .n_regimes = c->n_regimes, .n_features = 1, .weights = NULL,
        .payoff_known = 0, .has_control = 0, .scratch_bytes = work_layout(s, NULL, NULL),
        .simulate = policy_train_path, .simulate_from = NULL, .ctx = s,
    };
    hp_lsmc_opts o = { .degree = c->degree, .threads = threads, .min_obs_per_basis = 0 };
    double t0 = omp_get_wtime();
    if (hp_lsmc_train(&pb, c->train_seed, c->train_paths, &o, &c->pol, err) != 0)
        return -1;
    c->trained = 1;
    int n_tables = hp_conv_tables(c);
    if (n_tables < 0)
        return hp_fail(err, NULL, 0, NULL, "out of memory");
    s->xlayout.n_tables = n_tables;
    s->xlayout.tables = c->tables;
    if (!quiet)
        fprintf(stderr, "policy: trained on %llu paths (seed %llu), %d decision dates, %d tranches "
                "of %.0f MW, in %.1f s; in-sample value of the conversions $%.4gB\n",
                (unsigned long long)c->train_paths, (unsigned long long)c->train_seed, c->n_dates,
                c->n_rights, c->tranche_mw, omp_get_wtime() - t0, c->pol.in_sample * 1e-9);
    return 0;
}

static int scenario_trace_vars(const void *model, const char *const **names)
{
    const scenario *s = model;
    *names = (const char *const *)s->trace_names;
    return s->n_trace;
}

/* Names of the trace variables: market ones, then chain<n>/<name>. */
static int build_trace_names(scenario *s)
{
    s->n_trace = T_MARKET + s->n_net * T_CHAIN;
    s->trace_names = calloc((size_t)s->n_trace, sizeof(char *));
    if (s->trace_names == NULL)
        return -1;
    for (int v = 0; v < s->n_trace; v++) {
        char buf[64];
        if (v < T_MARKET)
            snprintf(buf, sizeof buf, "%s", trace_market[v]);
        else
            snprintf(buf, sizeof buf, "chain%d/%s", (v - T_MARKET) / T_CHAIN,
                     trace_chain[(v - T_MARKET) % T_CHAIN]);
        if ((s->trace_names[v] = strdup(buf)) == NULL)
            return -1;
    }
    return 0;
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

/* Fleet model: the start state all chains copy, built once: cohorts scaled
 * so that the supply at the day-0 hashprice is the others' start hashrate. */
static int fleet_template(scenario *s, const hp_config *cfg, double others_hs, hp_err *err)
{
    const hp_fleet *f = &s->net.fleet;
    double F = s->net.hist_fee != NULL ? s->net.hist_fee[0] : exp(s->net.fee0_log);
    double sub = (double)hp_subsidy_sat(s->net.height0) / (double)HP_COIN_SAT;
    double hp0 = DAY_S * 1e15 / HP_TWO32 / s->net.difficulty0 * (sub + F) * exp(s->price.log_s0);
    void *mem = malloc(hp_fleet_state_bytes(f));
    if (mem == NULL)
        return hp_fail(err, NULL, 0, NULL, "out of memory");
    s->fleet0 = hp_fleet_start(f, mem, others_hs, hp0, s->net.hashrate0_hs, (double)s->net.height0,
                               s->net.difficulty0, F);
    if (s->fleet0 == NULL) {
        free(mem);
        return hp_cfg_fail(cfg, err, "network.fleet.cohort_j_th",
                           "no site of any cohort covers its power cost at the start hashprice "
                           "($%.4g/PH/day): the start hashrate cannot be supplied", hp0);
    }
    return 0;
}

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
    if (hp_price_init(&s->price, cfg, DT, start, s->n_days, &s->hist, err) != 0 ||
        hp_miner_init(&s->miner, cfg, DT, err) != 0 ||
        hp_asic_init(&s->asic, cfg, err) != 0 ||
        hp_network_init(&s->net, cfg, DT, start, s->n_days, &s->hist, err) != 0 ||
        hp_hpc_init(&s->hpc, cfg, s->miner.capacity_mw, start, s->n_days, DT, err) != 0 ||
        build_cholesky(s, cfg, err) != 0)
        goto fail;

    int64_t era = s->net.height0 / HP_HALVING_INTERVAL;
    for (int i = 0; i < N_HALVINGS; i++)
        s->halving_height[i] = (era + 1 + i) * HP_HALVING_INTERVAL;

    s->disc = malloc((size_t)s->n_days * sizeof(double));
    s->hs_per_mw = malloc((size_t)s->n_days * sizeof(double));
    int refresh = s->miner.refresh_market || s->miner.refresh_usd_th > 0;
    if (refresh)
        s->refresh_th_mw = malloc((size_t)s->n_days * sizeof(double));
    if (s->net.kind == HP_HASH_HISTORICAL)
        s->others_hs = malloc((size_t)s->n_days * sizeof(double));
    if (s->disc == NULL || s->hs_per_mw == NULL ||
        (refresh && s->refresh_th_mw == NULL) ||
        (s->net.kind == HP_HASH_HISTORICAL && s->others_hs == NULL)) {
        hp_fail(err, NULL, 0, NULL, "out of memory");
        goto fail;
    }
    hp_discount_factors(hp_cfg_double(cfg, "valuation.discount_rate"), s->n_days, s->disc);
    s->gpu_upkeep_day = s->hpc.gpu ? s->hpc.gpu_capex_usd_mw / s->hpc.gpu_life_days : 0;
    for (int d = 0; d < s->n_days; d++) {
        s->hs_per_mw[d] = hp_miner_hs_per_mw(&s->miner, d * DT);
        if (s->refresh_th_mw != NULL)
            s->refresh_th_mw[d] = hp_miner_refresh_th_per_mw(&s->miner, d * DT, DT);
    }
    s->burn_mwh_day = s->miner.uptime * 24.0;
    s->n_curve = s->miner.n_sites + 1;
    s->opex_usd_mw_day = s->miner.opex_usd_mw_year / 365.25;
    s->var_usd_mw_day = s->miner.uptime * 24.0 * s->miner.variable_usd_mwh;
    hp_valuation_init(&s->val, cfg);
    s->tv_first_day = s->n_days > 365 ? s->n_days - 365 : 0;
    s->tv_year_scale = 365.25 / (s->n_days - s->tv_first_day);
    s->pslot = -1;
    if (hp_conv_init(&s->conv, cfg, &s->hpc, s->miner.capacity_mw, s->n_days, s->disc, &s->val,
                     (uint64_t)hp_cfg_int(cfg, "simulation.seed"), err) != 0)
        goto fail;
    if (s->conv.on) {
        s->slot_alloc = malloc((size_t)(s->hpc.n_alloc + 1) * sizeof(double));
        if (s->slot_alloc == NULL
            || hp_hpc_add_policy_slot(&s->hpc, s->conv.n_rights, s->conv.tranche_mw) != 0) {
            hp_fail(err, NULL, 0, NULL, "out of memory");
            goto fail;
        }
        memcpy(s->slot_alloc, s->hpc.alloc, (size_t)s->hpc.n_alloc * sizeof(double));
        s->slot_alloc[s->hpc.n_alloc] = NAN;
        s->pslot = s->hpc.n_alloc;
    }

    /* The hashrate model drives the others' hashrate when the firm's own
     * fleet is part of the network, the whole network otherwise. The
     * fleet's mining MW are its capacity less the MW of signed leases. */
    s->n_net = s->miner.in_network ? s->hpc.n_slots : 1;
    double others = s->net.hashrate0_hs;
    const double mining_mw0 = s->miner.capacity_mw - s->hpc.contracted_mw;
    if (s->miner.in_network && s->net.kind != HP_HASH_HISTORICAL) {   /* historical: below */
        double own = mining_mw0 * s->hs_per_mw[0];
        others -= own;
        if (!(others > 0)) {
            hp_cfg_fail(cfg, err, "miner.capacity_mw",
                        "the fleet's hashrate (%.4g EH/s) is not below network.hashrate0_ehs "
                        "(%.4g EH/s), yet miner.in_network is true",
                        own * 1e-18, s->net.hashrate0_hs * 1e-18);
            goto fail;
        }
    }
    s->log_hash_market0 = others > 0 ? log(others) : 0;
    if (s->net.kind == HP_HASH_FLEET && fleet_template(s, cfg, others, err) != 0)
        goto fail;
    /* Historical: the CSV's network includes the fleet at full capacity. */
    for (int d = 0; s->others_hs != NULL && d < s->n_days; d++) {
        double own = s->miner.in_network ? mining_mw0 * s->hs_per_mw[d] : 0;
        s->others_hs[d] = s->net.hist_hs[d] - own;
        if (!(s->others_hs[d] > 0)) {
            hp_cfg_fail(cfg, err, "miner.capacity_mw",
                        "the fleet's hashrate (%.4g EH/s) is not below the network.csv hashrate "
                        "(%.4g EH/s) on day %d, yet miner.in_network is true",
                        own * 1e-18, s->net.hist_hs[d] * 1e-18, d);
            goto fail;
        }
    }

    if (s->n_net > HP_TRACE_CHAINS || build_trace_names(s) != 0) {
        hp_fail(err, NULL, 0, NULL, s->n_net > HP_TRACE_CHAINS ? "more than %d allocations with "
                "miner.in_network" : "out of memory (%d)", HP_TRACE_CHAINS);
        goto fail;
    }
    hp_layout *l = &s->layout;
    l->n_alloc = s->hpc.n_slots;
    l->alloc = s->conv.on ? s->slot_alloc : s->hpc.alloc;
    l->n_halvings = N_HALVINGS;
    l->halving_height = s->halving_height;
    l->n_days = s->n_days;
    l->n_vars = N_VARS;
    l->vars = scenario_vars;
    l->baseline_alloc = -1;
    for (int a = 0; a < s->hpc.n_alloc; a++)
        if (l->alloc[a] == 0.0)
            l->baseline_alloc = a;
    double per_year = 365.25 / s->n_days;
    s->summary[0] = (hp_summary_item){"NPV", "valuation/npv", 1.0, 1};   /* paired with 0% */
    s->summary[1] = (hp_summary_item){"Mining revenue per year", "totals/mining_revenue", per_year, 0};
    s->summary[2] = (hp_summary_item){"HPC revenue per year", "totals/hpc_revenue", per_year, 0};
    l->n_summary = 3;
    l->summary = s->summary;
    int y0, m0, d0;
    hp_civil_from_days(start, &y0, &m0, &d0);
    snprintf(s->start_date, sizeof s->start_date, "%04d-%02d-%02d", y0, m0, d0);
    l->start_date = s->start_date;
    l->horizon_years = hp_cfg_double(cfg, "time.horizon_years");
    for (int i = 0; i < s->hist.n; i++)
        s->inputs[i] = (hp_input_file){ s->hist.h[i]->path, s->hist.h[i]->sha256 };
    l->n_inputs = s->hist.n;
    l->inputs = s->inputs;
    size_t off = 0;
    for (int v = 0; v < N_VARS; v++) {
        s->off[v] = off;
        off += hp_var_size(l, &scenario_vars[v]);
    }
    if (s->conv.on) {
        /* The engine sees the static allocations, then the policy's lines. */
        hp_layout *x = &s->xlayout;
        *x = *l;
        x->n_alloc = s->hpc.n_alloc;
        x->alloc = s->hpc.alloc;
        memcpy(s->xvars, scenario_vars, sizeof scenario_vars);
        memcpy(s->xvars + N_VARS, policy_vars, sizeof policy_vars);
        x->n_vars = N_VARS + NP_VARS;
        x->vars = s->xvars;
        off = 0;
        for (int v = 0; v < x->n_vars; v++) {
            s->xoff[v] = off;
            off += hp_var_size(x, &s->xvars[v]);
        }
    }
    return s;
fail:
    scenario_destroy(s);
    return NULL;
}

static const hp_layout *scenario_layout(const void *model)
{
    const scenario *s = model;
    return s->conv.on ? &s->xlayout : &s->layout;
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
    hp_network_free(&s->net);
    free(s->fleet0);
    for (int v = 0; s->trace_names != NULL && v < s->n_trace; v++)
        free(s->trace_names[v]);
    free(s->trace_names);
    hp_miner_free(&s->miner);
    free(s->others_hs);
    free(s->refresh_th_mw);
    hp_price_free(&s->price);
    hp_history_set_free(&s->hist);
    free(s->year);
    free(s->days_in_year);
    free(s->year_end_day);
    free(s->disc);
    free(s->hs_per_mw);
    hp_conv_free(&s->conv);
    free(s->slot_alloc);
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
    .trace_vars = scenario_trace_vars,
    .simulate_trace = scenario_simulate_trace,
    .prepare = scenario_prepare,
};
