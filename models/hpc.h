/* hpc: conversion of mining power to AI/HPC.
 *
 * For each allocation f of the sweep, f * C MW leave mining in tranches of
 * tranche_mw along a linear ramp: a tranche starts its build on the day the
 * ramp reaches the tranche's upper edge, so converted capacity never runs
 * ahead of the ramp and equals f * C on ramp_end. A tranche leaves mining
 * when its build starts and costs capex_usd_per_mw * MW spread evenly over
 * its build.
 *
 * Per path, each tranche draws (from its own generator, the same for
 * tranche k of every allocation: common random numbers):
 *   - its build time, lognormal: median build_months, log-sd build_sigma;
 *   - whether it is cancelled (probability cancel_prob) and, if so, the day
 *     within the build it is: capex stops, the MW go back to mining.
 * On delivery:
 *   - colocation: the tranche waits for a tenant, an exponential time of
 *     mean search_months (search_months * bust_search_factor during an AI
 *     bust; 0 = signs at delivery), then signs at the day's market lease
 *     rate L for term_years, rent rising by the escalator each anniversary.
 *     The tenant defaults with hazard default_hazard per year (times
 *     bust_default_factor during a bust). After a default or at expiry the
 *     tranche goes back to the market (a new search).
 *   - gpu_cloud: the tranche sells compute; revenue per MW-year is the GPU
 *     rental index G times utilization. GPUs cost gpu_cloud.capex_usd_per_mw
 *     on delivery and again every gpu_cloud.life_years.
 * Opex in both modes is (1 - noi_margin) x revenue.
 *
 * Signed contracts (hpc.contracts): leases the firm already has. Their MW
 * are AI/HPC capacity from day 0 in every allocation (they never mine);
 * allocation f converts f x (C - contracted MW) more, so f = 0 is the firm
 * as it stands. A contract pays its rate from its start date (before the
 * run: a running lease, escalated by each anniversary since; after: built
 * until then, its remaining capex spread over the wait), rising by its own
 * escalator, for its term; its tenant defaults with its own hazard (times
 * bust_default_factor in a bust). At expiry or default the MW go to the
 * market like a delivered tranche. Contract k is tranche k of every
 * allocation, so its draws are common to all of them.
 *
 * AI market: ln L = trend(t) + dev, dev an exact OU step; ln G is a random
 * walk with drift. Both take the day's AI-market shock (correlated with
 * price and hashrate by the scenario). A bust regime arrives with an
 * intensity per year, lasts an exponential time, and while it lasts cuts L
 * and G by bust_lease_cut and scales search times and default hazard.
 * Time-varying hazards are handled exactly on the day grid: each waiting
 * tranche draws an Exp(1) threshold and the event happens on the first day
 * the integrated hazard (common to the path) passes it. */
#ifndef HP_HPC_H
#define HP_HPC_H

#include <limits.h>
#include <math.h>
#include "config.h"
#include "hp_err.h"
#include "hpc_models.h"
#include "rng.h"

/* An HPC mode (models/hpc_models.h). */
typedef struct hp_hpc_mode {
    const char *name;            /* the hpc.mode word (first: registry.h)  */
    int gpu;                     /* owns GPUs and sells compute            */
} hp_hpc_mode;

/* Tranches per allocation at most: each is stepped every day, so their
 * number bounds the time and memory of a path (allocation.tranche_mw = 0.001
 * of a 7.6 GW fleet would be 3.8 million: hours for a handful of paths). */
#define HP_MAX_TRANCHES 1000

/* A tranche start the policy has not decided yet (start_day). */
#define HP_TRANCHE_UNDECIDED INT_MAX

/* One tranche's planned start (the same on every path; the optimal
 * policy's tranches are HP_TRANCHE_UNDECIDED until a path decides). */
typedef struct hp_tranche_plan {
    double mw;
    int start_day;       /* build starts, capacity leaves mining */
    double capex_usd_mw; /* build capex per MW, spread over the build */
    int contract;        /* index in hp_hpc.contracts, or -1      */
} hp_tranche_plan;

/* A signed lease (hpc.contracts), in run days. */
typedef struct hp_contract {
    double mw;
    double rate;         /* rent in the first contract year, USD/MW/yr */
    int start_day;       /* first day of rent; < 0: before the run   */
    int end_day;         /* first day without it                      */
    double escalator;    /* per anniversary                            */
    double hazard;       /* tenant default, per year                   */
} hp_contract;

typedef struct hp_hpc {
    int n_alloc;
    double *alloc;               /* [n_alloc] fractions of capacity        */
    /* Slots: the n_alloc static allocations, then (allocation.policy =
     * optimal) one more whose conversion tranches a policy starts. */
    int n_slots;
    int *n_tranches;             /* [n_slots]                              */
    hp_tranche_plan **plan;      /* [n_slots][n_tranches[a]]               */
    int max_tranches;
    int n_contracts;
    hp_contract *contracts;      /* [n_contracts]: tranches 0.. of every allocation */
    double contracted_mw;
    int gpu;                     /* mode gpu_cloud (else colocation)       */
    double build_days;           /* median build time, days                */
    double build_sigma;          /* log-sd of the build time               */
    double cancel_prob;
    int term_days;
    double capex_usd_mw;
    double escalator;            /* per anniversary                        */
    double noi_margin;
    int search_now;              /* search_months = 0: sign at delivery    */
    double search_dt[2];         /* search hazard per day [normal, bust]   */
    double default_dt[2];        /* default hazard per day [normal, bust]  */
    double unit_dt[2];           /* unit hazard per day [normal, bust]: contracts */
    /* AI market: L = L0 x exp(trend(t) + dev), dev is OU, trend = g t.
     * L0 only scales: a market lease's rent is L0 x (its factor, from
     * the path), so that a path's amounts are linear in L0 bit for bit
     * (models/scenario_value.c revalues them). */
    double lease0;
    double lease_trend_dt;       /* g dt                                   */
    double lease_decay;          /* exp(-kappa dt)                         */
    double lease_vol;            /* sigma sqrt((1 - exp(-2 kappa dt)) / (2 kappa)) */
    /* Bust regime. */
    double bust_days;            /* mean days between busts; 0: never      */
    double bust_len_days;        /* mean days a bust lasts                 */
    double bust_log_cut;         /* ln(1 - cut)                            */
    /* GPU cloud. */
    double log_gpu0;             /* ln G0, USD/MW/yr at full utilization   */
    double gpu_drift_dt, gpu_vol_sqrt_dt;
    double utilization;
    double gpu_capex_usd_mw;
    int gpu_life_days;
} hp_hpc;

extern const hp_param hp_allocation_params[];
extern const hp_param hp_hpc_params[];
extern const hp_param hp_ai_market_params[];
extern const hp_param hp_gpu_params[];

/* Reads allocation.*, hpc.*, ai_market.* and gpu_cloud.* and plans the
 * tranches for a run from start_day (days since 1970). */
int hp_hpc_init(hp_hpc *h, const hp_config *cfg, double capacity_mw,
                int32_t start_day, int n_days, double dt, hp_err *err);

/* Adds the policy slot: the contracts, then n_rights undecided tranches of
 * tranche_mw. Returns -1 when out of memory. */
int hp_hpc_add_policy_slot(hp_hpc *h, int n_rights, double tranche_mw);
void hp_hpc_free(hp_hpc *h);

/* ---- per-path state ---- */

/* The AI market of a path, shared by every allocation. */
typedef struct hp_ai_path {
    double lease_trend, lease_dev;   /* ln(L / L0) = trend + dev (+ cut in a bust) */
    double log_gpu;                  /* ln G (+ cut in a bust)                */
    int bust;                        /* 1 during a bust                       */
    int next_switch;                 /* day the regime next changes           */
    double cum_search, cum_default;  /* integrated hazards up to today        */
    double cum_unit;                 /* integrated unit hazard (x bust factor) */
    double lease, gpu;               /* today's L and G, USD/MW/yr            */
    double lease_f;                  /* today's L / L0                        */
} hp_ai_path;

enum { HP_TR_PLANNED, HP_TR_BUILDING, HP_TR_SEARCHING, HP_TR_LEASED,
       HP_TR_OPERATING, HP_TR_CANCELLED };

/* Per-path state of one tranche. */
typedef struct hp_tranche {
    hp_pcg64 rng;                /* the tranche's own events generator     */
    int phase;
    int start_day;               /* build start (HP_TRANCHE_UNDECIDED: none yet) */
    int build;                   /* build time drawn for the path, days    */
    int cancel_after;            /* cancelled this many days into the build; -1 never */
    int next_day;                /* next anniversary or expiry (leased)    */
    int wake;                    /* next dated change of any kind          */
    int capex_end;               /* first day without build capex          */
    int deliver_day, cancel_day; /* cancel_day < 0: not cancelled          */
    int sign_day, end_day, anniversary;
    int gpu_next;                /* next GPU purchase                      */
    double rate;                 /* rent, USD/MW/yr: a contract's; a market
                                  * lease's, as a factor of L0 (L / L0)   */
    double escalator;            /* the lease's, per anniversary           */
    int contract;                /* under a signed contract: its default
                                  * threshold is on cum_unit              */
    double search_at;            /* cum_search at which a tenant signs     */
    double default_at;           /* cum_default (contract: cum_unit) at
                                  * which the tenant fails                 */
    /* What the tranche adds to its allocation's aggregates, kept from its
     * last change so an event day steps only the tranches due: */
    int hazard;                  /* HP_HZ_*: the integrated hazard it waits on */
    double hazard_at;            /* ... and the level that wakes it        */
    double mw_converted, mw_leased, mw_gpu;   /* its MW in each, or 0      */
    double rent_day, capex_day;  /* USD/day, or 0: a contract's, or (a
                                  * market tranche) per USD of L0 and of
                                  * hpc.capex_usd_per_mw                  */
} hp_tranche;

/* The integrated hazard a tranche waits on (hp_tranche.hazard): none, the
 * search for a tenant, its tenant's default, a contract tenant's default. */
enum { HP_HZ_NONE, HP_HZ_SEARCH, HP_HZ_DEFAULT, HP_HZ_UNIT, HP_HZ_N };

/* Per-path aggregates of one allocation, recomputed on event days. */
typedef struct hp_alloc_hpc {
    int next_day;
    double next_search, next_default, next_default_unit;
    double mining_mw;            /* capacity left mining                   */
    double leased_mw;            /* colocation leased                      */
    double gpu_mw;               /* GPU cloud operating                    */
    double rent_day;             /* contracted rent, USD/day: L0 x rent_mkt
                                  * + rent_con                            */
    double capex_day;            /* build capex, USD/day: capex_usd_mw x
                                  * capex_mkt + capex_con                 */
    double rent_mkt, rent_con;   /* market leases' rent per USD/MW/yr of L0,
                                  * signed contracts' rent, USD/day        */
    double capex_mkt, capex_con; /* the conversion's MW built per day (x
                                  * hpc.capex_usd_per_mw), contracts' capex */
    double gpu_capex;            /* GPU purchases not yet booked, USD      */
    double defaults;             /* tenant defaults not yet booked         */
} hp_alloc_hpc;

/* An allocation's rent and build capex per day from their market
 * factors (hp_alloc_hpc): simulate and revalue compute them alike. */
static inline double hp_hpc_rent_day(const hp_hpc *h, double rent_mkt, double rent_con)
{
    return h->lease0 * rent_mkt + rent_con;
}
static inline double hp_hpc_capex_day(const hp_hpc *h, double capex_mkt, double capex_con)
{
    return h->capex_usd_mw * capex_mkt + capex_con;
}

/* Starts the AI market of a path (draws the first bust from `bust`). */
void hp_ai_path_init(const hp_hpc *h, hp_ai_path *m, hp_pcg64 *bust);

/* Starts the tranches of every slot: ts is [n_slots * max_tranches];
 * tranche k's generator is seeded from two draws of `events`. */
void hp_hpc_path_init(const hp_hpc *h, double capacity_mw, hp_pcg64 *events,
                      hp_tranche *ts, hp_alloc_hpc *as);

/* Starts the build of an undecided tranche on day d (the policy's
 * decision); the slot's aggregates must then be recomputed that day
 * (as->next_day = d). */
void hp_hpc_start(hp_tranche *t, int d);

/* Rare branch of hp_ai_today: the regime changes on day d. */
void hp_ai_switch(const hp_hpc *h, hp_ai_path *m, int d, hp_pcg64 *bust);

/* Today's regime, lease rate and GPU index. */
static inline void hp_ai_today(const hp_hpc *h, hp_ai_path *m, int d, hp_pcg64 *bust)
{
    if (d >= m->next_switch)
        hp_ai_switch(h, m, d, bust);
    double cut = m->bust ? h->bust_log_cut : 0.0;
    m->lease_f = exp(m->lease_trend + m->lease_dev + cut);
    m->lease = h->lease0 * m->lease_f;
    if (h->gpu)
        m->gpu = exp(m->log_gpu + cut);
}

/* Steps the AI market to tomorrow with the day's AI shock. */
static inline void hp_ai_step(const hp_hpc *h, hp_ai_path *m, double shock)
{
    m->lease_trend += h->lease_trend_dt;
    m->lease_dev = m->lease_dev * h->lease_decay + h->lease_vol * shock;
    m->log_gpu += h->gpu_drift_dt + h->gpu_vol_sqrt_dt * shock;
    m->cum_search += h->search_dt[m->bust];
    m->cum_default += h->default_dt[m->bust];
    m->cum_unit += h->unit_dt[m->bust];
}

/* Whether allocation `as` has a change due on day d. */
static inline int hp_hpc_due(const hp_alloc_hpc *as, int d, const hp_ai_path *m)
{
    return d >= as->next_day || m->cum_search >= as->next_search ||
           m->cum_default >= as->next_default || m->cum_unit >= as->next_default_unit;
}

/* The earliest change of n allocations: in *min, the least next_day and
 * hazard levels (its other fields untouched), so that hp_hpc_due(min)
 * says whether any of them has a change due, in one test a day instead
 * of one per allocation. Each condition of hp_hpc_due holds for some
 * allocation exactly when it holds at the least threshold (a NaN one
 * never holds, and is never the least), the hazard levels being finite. */
static inline void hp_hpc_due_min(const hp_alloc_hpc *as, int n, hp_alloc_hpc *min)
{
    min->next_day = INT_MAX;
    min->next_search = min->next_default = min->next_default_unit = INFINITY;
    for (int a = 0; a < n; a++) {
        if (as[a].next_day < min->next_day)
            min->next_day = as[a].next_day;
        if (as[a].next_search < min->next_search)
            min->next_search = as[a].next_search;
        if (as[a].next_default < min->next_default)
            min->next_default = as[a].next_default;
        if (as[a].next_default_unit < min->next_default_unit)
            min->next_default_unit = as[a].next_default_unit;
    }
}

/* Applies the day's changes to allocation a's tranches (only those due
 * are stepped) and re-sums its aggregates in tranche order from each
 * tranche's kept share (no drift from repeated += and -=). */
void hp_hpc_events(const hp_hpc *h, int a, double capacity_mw, hp_tranche *ts,
                   hp_alloc_hpc *as, int d, const hp_ai_path *m);

#endif
