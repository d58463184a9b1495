/* The registry of power-price models (miner.power_model): one line per
 * model. Model NAME lives in models/power_NAME.c, which defines `const
 * hp_power_model hp_power_NAME` and its keys `hp_power_NAME_params[]`. */
#ifndef HP_POWER_MODELS_H
#define HP_POWER_MODELS_H

#define HP_POWER_MODELS(X) \
    X(fixed)               \
    X(ou)

#endif
