/* price: the BTC price process (MODEL.md 4). Version 1: gbm. */
#ifndef HP_PRICE_H
#define HP_PRICE_H

#include "config.h"
#include "hp_err.h"

/* x = ln S moves by drift_dt + vol_sqrt_dt * Z per day. */
typedef struct hp_price {
    double log_s0;
    double drift_dt;       /* (mu - sigma^2/2) dt */
    double vol_sqrt_dt;    /* sigma sqrt(dt)      */
} hp_price;

extern const hp_param hp_price_params[];

/* Reads price.* for a daily step of dt years. */
int hp_price_init(hp_price *p, const hp_config *cfg, double dt, hp_err *err);

#endif
