/* ou: exact one-step coefficients of an Ornstein-Uhlenbeck process.
 * y_{t+dt} = m + (y_t - m) decay + vol Z, with decay = exp(-kappa dt) and
 * vol = sigma sqrt((1 - exp(-2 kappa dt)) / (2 kappa)); kappa = 0 is the
 * random-walk limit sigma sqrt(dt). */
#ifndef HP_OU_H
#define HP_OU_H

#include <math.h>

/* Standard deviation of one exact OU step. */
static inline double hp_ou_vol(double sigma, double kappa, double dt)
{
    if (kappa <= 0)
        return sigma * sqrt(dt);
    return sigma * sqrt(-expm1(-2 * kappa * dt) / (2 * kappa));
}

#endif
