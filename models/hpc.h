/* hpc: conversion of mining power to AI/HPC colocation (MODEL.md 7).
 *
 * For each allocation f of the sweep, f * C MW leave mining in tranches of
 * tranche_mw along a linear ramp: a tranche starts its build on the day the
 * ramp reaches the tranche's upper edge, so converted capacity never runs
 * ahead of the ramp and equals f * C on ramp_end. A tranche leaves mining
 * when its build starts, costs capex_usd_per_mw * MW spread evenly over the
 * build, and on delivery signs a lease at the day's market lease rate L_t
 * for term_years, rent rising by the escalator on each anniversary; at
 * expiry it re-signs at the market rate of that day. */
#ifndef HP_HPC_H
#define HP_HPC_H

#include "config.h"
#include "hp_err.h"

/* One tranche's fixed schedule (the same on every path in this version). */
typedef struct hp_tranche_plan {
    double mw;
    int start_day;       /* build starts, capacity leaves mining */
    int deliver_day;     /* lease signed, rent starts            */
} hp_tranche_plan;

typedef struct hp_hpc {
    int n_alloc;
    double *alloc;               /* [n_alloc] fractions of capacity        */
    int *n_tranches;             /* [n_alloc]                              */
    hp_tranche_plan **plan;      /* [n_alloc][n_tranches[a]]               */
    int max_tranches;
    int build_days;
    int term_days;
    double capex_usd_mw;
    double escalator;            /* per anniversary                        */
    double noi_margin;
    /* AI market: ln L = trend(t) + dev, dev is OU, trend = ln L0 + g t. */
    double log_lease0;
    double lease_trend_dt;       /* g dt                                   */
    double lease_decay;          /* exp(-kappa dt)                         */
    double lease_vol;            /* sigma sqrt((1 - exp(-2 kappa dt)) / (2 kappa)) */
} hp_hpc;

extern const hp_param hp_allocation_params[];
extern const hp_param hp_hpc_params[];
extern const hp_param hp_ai_market_params[];

/* Reads allocation.*, hpc.* and ai_market.* and plans the tranches for a
 * run of n_days from start_day (days since 1970). */
int hp_hpc_init(hp_hpc *h, const hp_config *cfg, double capacity_mw,
                int32_t start_day, int n_days, double dt, hp_err *err);
void hp_hpc_free(hp_hpc *h);

#endif
