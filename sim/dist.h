/* dist: samplers on top of PCG64.
 *
 * Normals and exponentials use exact 256-layer ziggurats (Marsaglia & Tsang
 * 2000, with the exact tail and wedge tests); tables are generated at build
 * time by gen_ziggurat.c. Uniforms exclude both 0 and 1 so that log(u) and
 * log(1-u) are always finite. */
#ifndef HP_DIST_H
#define HP_DIST_H

#include <stdint.h>
#include "rng.h"

/* Uniform on the open interval (0,1), 53-bit resolution. */
double hp_uniform(hp_pcg64 *r);

/* Standard normal N(0,1). */
double hp_normal(hp_pcg64 *r);

/* Standard exponential Exp(1). */
double hp_exponential(hp_pcg64 *r);

/* Poisson with mean lambda >= 0 (0 when lambda == 0). */
uint64_t hp_poisson(hp_pcg64 *r, double lambda);

#endif
