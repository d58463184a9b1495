/* scenario_impl.h: the scenario model's private types, shared by
 * scenario.c (the daily loop of one path) and scenario_build.c (the model
 * built from a config, its output variables and parameters). Nothing
 * outside models/scenario*.c includes it. */
#ifndef HP_SCENARIO_IMPL_H
#define HP_SCENARIO_IMPL_H

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
#include "sobol.h"
#include "valuation.h"

#define DT (1.0 / 365.25)
#define DAY_S 86400.0
#define N_HALVINGS 4
#define HP_TRACE_CHAINS 64      /* allocations a trace can follow (HP_LIST_MAX) */
#define HP_EMA_90 (2.0 / 91.0)   /* weight of today in a 90-day exponential mean */
#define HP_ASIC_QUOTE_DAYS 7     /* the refresh's ASIC price is re-quoted weekly */

/* The daily Gaussian shocks a sampler feeds (simulation.sampler), in the
 * order of their Sobol dimensions: price, hashrate, lease rate. */
enum { Q_PRICE, Q_HASHRATE, Q_LEASE, HP_QMC_FACTORS };

/* Component ids: append only, never renumber (draws depend on them). */
enum { RNG_PRICE, RNG_NETWORK, RNG_FEES, RNG_POWER, RNG_AI_MARKET, RNG_EVENTS,
       RNG_BLOCK_LUCK, RNG_AI_BUST, RNG_SUPPLY_SHOCK };

/* Output variables, in result-array order. */
enum {
    V_PRICE_MEAN, V_PRICE_END, V_FEE_MEAN, V_LEASE_MEAN,
    V_HASHRATE_END, V_DIFFICULTY_END, V_HASHPRICE_MEAN, V_SUBSIDY_END, V_BLOCKS,
    V_MINING_REV, V_ENERGY, V_MINING_OPEX, V_HPC_REV, V_HPC_OPEX, V_CAPEX_BUILD,
    V_NET_CF, V_BTC_MINED, V_MW_MINING, V_MW_LEASED,
    V_NPV, V_HALVING_DAY,
    V_POWER_MEAN, V_GPU_MEAN, V_BUST_SHARE, V_NET_REVENUE, V_CAPEX_GPU, V_CAPEX_REFRESH,
    V_DAYS_CURTAILED, V_DEFAULTS, V_NPV_HPC, V_TERMINAL, V_MW_ONLINE, V_TERMINAL_MINING,
    V_TERMINAL_HPC, V_NET_MW_ONLINE, V_FULL_COST_NEW, V_CASH_COST_BEST, V_MW_RETIRED, N_VARS
};

/* The optimal policy's lines (allocation.policy = "optimal"), after the
 * static ones in the layout the engine sees. */
enum { P_NPV, P_NPV_HPC, P_TERMINAL, P_TRANCHES, P_FIRST_DAY, P_MW_OUT, P_STARTED, P_NET_CF,
       NP_VARS };

/* Trace variables: the market, then per chain (chain n is allocation n
 * when the firm is in the network, else the one network). */
enum { T_PRICE, T_FEE, T_MARKET };
enum { T_HASHRATE, T_DIFFICULTY, T_BLOCKS, T_HASHPRICE, T_CHAIN };

/* The year's sums of each allocation (work.ysum; Y_NPV and Y_NPV_HPC: for
 * the path) and of the market (M_*), stored into the results at year end
 * (scenario_year.c). */
enum { Y_MINING_REV, Y_ENERGY, Y_MINING_OPEX, Y_HPC_REV, Y_HPC_OPEX, Y_CAPEX_BUILD,
       Y_CAPEX_REFRESH, Y_NET_CF, Y_BTC_MINED, Y_MW_MINING, Y_MW_ONLINE, Y_MW_LEASED,
       Y_DAYS_CURTAILED, Y_HASHPRICE_MEAN, Y_NET_REVENUE, Y_BLOCKS, Y_CAPEX_GPU, Y_DEFAULTS,
       Y_MW_RETIRED, N_YEAR_SUMS, Y_NPV = N_YEAR_SUMS, Y_NPV_HPC, N_YSUM };
enum { M_PRICE, M_FEE, M_LEASE, M_POWER, M_GPU, M_BUST, N_MSUM };

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
    hp_qmc *qmc;                /* sampler "sobol": the paths' daily normals;
                                 * NULL: "pseudo" (the PCG64 streams)     */
    uint64_t qmc_points;        /* sobol: paths per scramble              */
    hp_price price;
    hp_network net;             /* hashrate model, chain start, fees      */
    hp_miner miner;
    hp_hpc hpc;
    double l21, l22, l31, l32, l33;   /* Cholesky factor of the correlation */
    double log_hash_market0;    /* ln of hashrate the model drives        */
    int n_net;                  /* chains per path: n_alloc or 1          */
    double *disc;               /* [n_days] discount factors              */
    double *cum_disc;           /* [n_days + 1] sums of disc before each day */
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

/* Amounts of an allocation that change only at its HPC events and exit
 * reviews (hp_alloc_hpc and the MW it keeps mining): booked as amount per
 * day x days when they change and at year end (book_flush), not added
 * every day. Whatever changes hp_alloc_hpc, cum_mw or n_keep of an
 * allocation flushes its book before and sets it after (book_set). */
typedef struct alloc_book {
    int since;                  /* first day not yet booked               */
    double mw_mining;           /* MW mining, unless curtailed (kept_mining_mw) */
    double mw_retired;          /* held MW whose sites were retired       */
    double mw_leased;           /* HPC MW: leased, or GPU cloud           */
    double capex;               /* USD/day: build capex                   */
    double opex;                /* USD/day: fixed mining opex of mw_mining */
    double rent, rent_opex;     /* USD/day: rent and its opex             */
    double net, hpc_cf;         /* USD/day: their share of the net cash
                                 * flow and of the HPC cash flow          */
    double rent_mkt, rent_con;  /* rent and capex from their factors       */
    double capex_mkt, capex_con;/* (hp_alloc_hpc), for the record          */
} alloc_book;

/* A book's amounts per day from fixed mining opex and the rent's and
 * capex's factors, with model s's lease rate, capex per MW and NOI margin:
 * book_set and revalue (scenario_value.c) compute them alike. */
static inline void book_amounts(const scenario *s, alloc_book *b)
{
    b->capex = hp_hpc_capex_day(&s->hpc, b->capex_mkt, b->capex_con);
    b->rent = hp_hpc_rent_day(&s->hpc, b->rent_mkt, b->rent_con);
    b->rent_opex = (1 - s->hpc.noi_margin) * b->rent;
    double rent_noi = b->rent - b->rent_opex;
    b->hpc_cf = rent_noi - b->capex;
    b->net = rent_noi - b->opex - b->capex;
}

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
    int64_t *era;               /* [n_net] the height's subsidy era, height / 210000, below it */
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
    hp_exit_chain *exit;        /* [n_net] exit: the month's sums, thresholds */
    hp_refresh_chain *refresh;  /* [n_net] refresh_rule frontier: the fleet's TH/s per MW */
    double *hs_mw;              /* [n_net] H/s per MW of the chain's fleet today */
    int *n_keep;                /* [n_alloc] exit: sites (cheapest first)
                                 * not retired                              */
    char *fleet_mem;            /* [n_net * fleet state bytes]             */
    double *iout;               /* policy on: every slot's results          */
    int *pol;                   /* policy on: tranches started, first start
                                 * day (-1 none), then [n_years] started  */
    hp_conv_capture cap;        /* policy on: a training path's arrays      */
    char *cap_mem;
    double *qz;                 /* sobol: [HP_QMC_FACTORS * n_days] the path's
                                 * normals, factor-major                    */
    double *qwork;              /* sobol: hp_qmc_work_size doubles          */
    double *ysum;               /* [n_alloc * N_YSUM] the year's sums (ysum_var);
                                 * n_alloc counts the policy's slot        */
    alloc_book *book;           /* [n_alloc]                               */
    struct val_record *rec;     /* simulate_record: the path's valuation
                                 * record (scenario_value.c); else NULL    */
} work;

/* The valuation record of a path (hp_model.simulate_record): for each
 * allocation, every term its NPV sums (Y_NPV, Y_NPV_HPC) and its net cash
 * flow (Y_NET_CF) added, in the order the path added them, and what its
 * terminal value reads. revalue replays the terms with another model's
 * discount factors, valuation keys, lease rate L0 and capex per MW: the
 * same operations in the same order, so the same bits as that model's own
 * simulate(). A term is a day's flow (d1 = NPV_OP_DAY: amount x disc[d0];
 * the HPC sum only in gpu_cloud mode), an event's one-day item
 * (NPV_OP_EVENT: minus amount x disc[d0]), or a book's amounts per day
 * over days d0 .. d1 - 1 (x cum_disc[d1] - cum_disc[d0]): a book takes
 * BOOK_OPS entries, its fixed mining opex and the rent's and capex's
 * factors (book_amounts), the two after the first marked NPV_OP_MORE. */
enum { NPV_OP_DAY = -1, NPV_OP_EVENT = -2, NPV_OP_MORE = -3, BOOK_OPS = 3 };
enum { TV_HELD, TV_KEPT, TV_NOI_MINING, TV_NOI_HPC, TV_N };
typedef struct npv_op {
    double npv, hpc;            /* amounts for Y_NPV and Y_NPV_HPC         */
    int32_t d0, d1;
} npv_op;
typedef struct val_record {
    size_t cap;                 /* entries per allocation: (2 + BOOK_OPS)
                                 * x n_days plus one a month bound them (a
                                 * day's flow; an event item at most once a
                                 * day; a book flush only when it moves
                                 * `since` forward, n_days times; a
                                 * re-equip's capex at most once a 30-day
                                 * month) */
    int32_t *n_ops;             /* [n_alloc]                               */
    npv_op *ops;                /* [n_alloc * cap]                         */
    double *tv;                 /* [n_alloc * TV_N] held MW, kept mining MW,
                                 * NOI sums of the terminal-value window   */
    double *lease_f;            /* [n_years] the year's sum of L / L0      */
} val_record;

/* Records a term of allocation a's NPV sums (recording paths only). */
static inline void rec_npv(work *w, int a, double npv, double hpc, int d0, int d1)
{
    if (w->rec == NULL)
        return;
    struct val_record *r = w->rec;
    r->ops[(size_t)a * r->cap + (size_t)r->n_ops[a]++] = (npv_op){npv, hpc, d0, d1};
}

/* Records a book's amounts (BOOK_OPS entries) over days d0 .. d1 - 1. */
static inline void rec_book(work *w, int a, const alloc_book *b, int d0, int d1)
{
    if (w->rec == NULL)
        return;
    struct val_record *r = w->rec;
    npv_op *op = r->ops + (size_t)a * r->cap + (size_t)r->n_ops[a];
    op[0] = (npv_op){b->opex, b->rent_mkt, d0, d1};
    op[1] = (npv_op){b->rent_con, b->capex_mkt, NPV_OP_MORE, NPV_OP_MORE};
    op[2] = (npv_op){b->capex_con, 0, NPV_OP_MORE, NPV_OP_MORE};
    r->n_ops[a] += BOOK_OPS;
}

/* MW allocation a still mines: its held MW (not converted), less the MW of
 * sites it retired (its cost curve, rebuilt at each exit, ends at the
 * MW of the sites kept). */
static inline double kept_mining_mw(const scenario *s, const work *w, int a)
{
    if (w->n_keep[a] >= s->miner.n_sites)
        return w->as[a].mining_mw;
    return w->cum_mw[(size_t)a * (size_t)s->n_curve + (size_t)s->miner.n_sites];
}

/* scenario_build.c */
extern const hp_var hp_scenario_vars[N_VARS];
extern const hp_param *const hp_scenario_params[];
void *hp_scenario_create(const hp_config *cfg, hp_err *err);
void hp_scenario_destroy(void *model);
int hp_scenario_trace_vars(const void *model, const char *const **names);

/* scenario.c */
size_t hp_scenario_work_layout(const scenario *s, void *base, work *w);

/* scenario_exit.c: exit and re-equip at the end of each 30-day month
 * (day d), per chain. */
void hp_scenario_exit_review(const scenario *s, work *w, int d, double power_factor);

/* scenario_year.c */
void book_set(const scenario *s, work *w, int a);
void book_flush(const scenario *s, work *w, int a, int upto);
void book_event_items(const scenario *s, work *w, int a, int d);
void year_sums_store(const scenario *s, work *w, double *msum, double *out, int y, int d);
void year_close(const scenario *s, const work *w, double *out, int y, double price);
void terminal_close(const scenario *s, int a, const double *tv, double *out);

/* scenario_value.c */
size_t hp_scenario_record_layout(const scenario *s, void *base, val_record *r);
int hp_scenario_valuation_key(const void *model, const char *key);
size_t hp_scenario_record_bytes(const void *model);
size_t hp_scenario_record_pack(const void *model, void *record);
void hp_scenario_revalue(const void *model, const void *record, const double *in, double *out);

#endif
