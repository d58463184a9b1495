/* policy: the conversion as a real option (allocation.policy = "optimal").
 *
 * Beside the static allocations, the scenario runs one more slot whose
 * conversion tranches start when a learned policy says so: on monthly
 * decision dates the firm may start the next tranche(s), up to a cap,
 * given the state of the path (lease rate against what a MW earns mining,
 * hashprice, BTC price, power-price factor) and the number already
 * started. The policy is learned by least-squares Monte Carlo
 * (sim/lsmc.h) on training paths of an independent seed; the evaluation
 * follows it on the run's own paths, so its NPV and the static ones are
 * paired (docs/policy.md).
 *
 * This file holds what the scenario's daily loop need not know: the keys,
 * the decision calendar, the state vector, and the training payoff of a
 * tranche computed from a training path's daily arrays (a price-taker
 * approximation: it only chooses the policy; the evaluation runs the full
 * model). It knows nothing of HDF5. */
#ifndef HP_POLICY_H
#define HP_POLICY_H

#include <stdint.h>
#include "config.h"
#include "hp_err.h"
#include "hpc.h"
#include "lsmc.h"
#include "model.h"
#include "valuation.h"

extern const hp_param hp_policy_params[];

/* State variables the regressions see, in order. */
enum { HP_PS_RATIO, HP_PS_HASHPRICE, HP_PS_PRICE, HP_PS_POWER, HP_PS_N };

typedef struct hp_conv {
    int on;                      /* allocation.policy = "optimal"             */
    int n_rights;                /* tranches the policy may start            */
    double tranche_mw;
    int first_tranche;           /* index of the first right in the slot (after contracts) */
    int n_dates;
    int *day;                    /* [n_dates] decision day indices           */
    int max_per_date;
    int n_regimes;               /* 2 with AI busts (regime = bust flag), else 1 */
    int degree;
    uint64_t train_seed, train_paths;
    /* What the training payoff needs, copied from the other models. */
    int n_days;
    const double *disc;          /* [n_days], the scenario's                 */
    double *disc_sum;            /* [n_days + 1] prefix sums of disc         */
    double build_days, search_days, capex_usd_mw, escalator, noi_margin, cancel_prob;
    int term_days, gpu;
    double gpu_upkeep_day;       /* gpu_cloud: GPU capex per MW per day      */
    double hpc_multiple, mining_multiple, tv_year_scale;
    int tv_first_day;
    hp_policy pol;               /* the trained policy (when trained)        */
    int trained;
    /* The policy's tables for the results file (hp_conv_tables). */
    double *tab_day;             /* [n_dates]                                */
    double *tab_boundary;        /* [n_dates][n_rights][n_regimes]           */
    double *tab_kind;            /* same                                     */
    char tab_text[1024];
    hp_table tables[4];
} hp_conv;

/* Daily arrays of one training path (the policy slot mining at full
 * capacity, on its own chain) and its decision-date states. */
typedef struct hp_conv_capture {
    double *margin;              /* [n_days] discounted mining NOI per MW mining */
    double *ai;                  /* [n_days] AI revenue of a MW: lease rate, or GPU
                                    index x utilization (USD/MW/yr)          */
    double *state;               /* [n_dates * HP_PS_N]                      */
    int8_t *regime;              /* [n_dates]                                */
    double noi_tv_mining_mw;     /* mining NOI per MW in the terminal window */
} hp_conv_capture;

/* Reads allocation.policy and policy.*; `disc` must outlive c. Nothing to
 * do (c->on = 0) in static mode. */
int hp_conv_init(hp_conv *c, const hp_config *cfg, const hp_hpc *h, double capacity_mw,
                 int n_days, const double *disc, const hp_valuation *val, uint64_t run_seed,
                 hp_err *err);
void hp_conv_free(hp_conv *c);

/* Bytes of a capture's arrays; lays them out from `base` when not NULL. */
size_t hp_conv_capture_layout(const hp_conv *c, void *base, hp_conv_capture *cap);

/* The state vector of a decision date. */
void hp_conv_state(double *state, double ai_usd_mw_yr, double mining_usd_mw_yr,
                   double hashprice, double price, double power_factor);

/* The training payoff of starting a tranche on each decision date, USD
 * discounted to day 0 (feature[t]), from a captured path (whose margin
 * array it turns into suffix sums). */
void hp_conv_features(const hp_conv *c, const hp_conv_capture *cap, double *feature);

/* After training: the tables the results file gets (decision days, the
 * exercise boundary as a ratio of AI to mining revenue per MW, its kind,
 * and a text record of the training). Returns how many, -1 when out of
 * memory; c->tables holds them. */
int hp_conv_tables(hp_conv *c);

/* Tranches to start on date t holding r rights in regime g. */
int hp_conv_decide(const hp_conv *c, int t, int r, int g, const double *state);

#endif
