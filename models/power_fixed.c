/* power model fixed: every site pays its own price every day (X = 1). */
#include "miner.h"

const hp_param hp_power_fixed_params[] = {
    HP_PARAM_END
};

static int fixed_init(hp_miner *m, const hp_config *cfg, double dt, hp_err *err)
{
    return 0;
}

static void fixed_step(const hp_miner *m, hp_power_path *ps, hp_pcg64 *r)
{
}

const hp_power_model hp_power_fixed = {"fixed", fixed_init, fixed_step};
