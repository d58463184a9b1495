/* scenario: the hashpivot model, packaged as an hp_model. */
#ifndef HP_SCENARIO_H
#define HP_SCENARIO_H

#include "model.h"

extern const hp_model hp_scenario_model;

extern const hp_param hp_time_params[];
extern const hp_param hp_correlation_params[];

#endif
