/* The registry of BTC price models: one line per model. Model NAME lives in
 * models/price_NAME.c, which defines `const hp_price_model hp_price_NAME`
 * and its own keys `const hp_param hp_price_NAME_params[]` (price.NAME.*,
 * or an empty table). Adding a model: that file and one line here. */
#ifndef HP_PRICE_MODELS_H
#define HP_PRICE_MODELS_H

#define HP_PRICE_MODELS(X) \
    X(gbm)                 \
    X(merton)              \
    X(regime)              \
    X(garch)               \
    X(bootstrap)           \
    X(historical)

#endif
