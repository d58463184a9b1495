/* The registry of HPC modes (hpc.mode): one line per mode. A mode is how a
 * delivered tranche earns; the modes share the tranche state machine of
 * models/hpc.c, which branches on hp_hpc_mode.gpu. */
#ifndef HP_HPC_MODELS_H
#define HP_HPC_MODELS_H

#define HP_HPC_MODES(X) \
    X(colocation)       \
    X(gpu_cloud)

#endif
