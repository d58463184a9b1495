"""Coverage of the between-scramble intervals of randomised quasi-Monte
Carlo on a known distribution (issue 9: 93-97% over 400 seeded
replications).

Each replication draws R = 16 independently scrambled Sobol' point sets of
M = 256 points in D = 4 dimensions (scipy.stats.qmc.Sobol, LMS scrambling
plus a digital shift, seeds 1000 rep + r), maps them to normals and takes
Y = (Z_1 + ... + Z_4) / 2, exactly N(0, 1); path p is point p % M of
scramble p // M, the engine's layout. On these 4,096 values
scripts/hp_stats.py (whose between-scramble intervals equal the C
summary's: tests/test_qmc.py) gives:

  - the 5%, 50% and 95% quantiles with Woodruff's interval: se_F the
    spread over scrambles of the share of values <= the pooled estimate,
    ends the pooled order statistics at p -+ t se_F, t = t_{0.975, 15};
  - the mean and P(Y < 0) +- t sd(per-scramble estimates) / sqrt(16).

Each quantile interval must cover the true value Phi^-1(p) in 93% to 97%
of the 400 replications (the issue's target): the binomial sd of a 95%
coverage over 400 is 1.1%, so the band is about +-1.8 sd, and a z (1.96)
multiplier instead of Student's t (93.1% expected at 15 degrees of
freedom) would sit at its edge. The mean's and the share's intervals
(true values 0 and 1/2) must cover within 3 binomial sd of 95% (91.7% to
98.3%). The coverages are printed.

    test_woodruff_coverage.py SOURCE_DIR"""
import os
import sys

import numpy as np
from scipy.stats import norm, qmc

sys.path.insert(0, os.path.join(sys.argv[1], "scripts"))
from hp_stats import Scrambles, mean_between, quantiles, share_between  # noqa: E402

R, M, D, REPS = 16, 256, 4, 400
PROBS = (0.05, 0.5, 0.95)
LOW, HIGH = 0.93, 0.97                       # quantiles: the band
SD3 = 3 * np.sqrt(0.95 * 0.05 / REPS)        # mean and share: 3 binomial sd


def main():
    scr = Scrambles(np.arange(R * M), M)
    truth = list(norm.ppf(PROBS)) + [0.0, 0.5]
    names = [f"{100 * p:g}% quantile (Woodruff)" for p in PROBS] + ["mean", "P(Y < 0)"]
    hits = np.zeros(len(truth))
    widths = np.zeros(len(PROBS))
    for rep in range(REPS):
        u = np.concatenate([qmc.Sobol(D, scramble=True, seed=1000 * rep + r).random(M) for r in range(R)])
        y = norm.ppf(u).sum(axis=1) / np.sqrt(D)
        est = quantiles(y, PROBS, scr) + [mean_between(y, scr), share_between(y < 0, scr)]
        hits += [e.lo <= t <= e.hi for e, t in zip(est, truth)]
        widths += [e.hi - e.lo for e in est[:len(PROBS)]]
    fails = 0
    bands = [(LOW, HIGH)] * len(PROBS) + [(0.95 - SD3, 0.95 + SD3)] * 2
    for name, h, (low, high) in zip(names, hits / REPS, bands):
        ok = low <= h <= high
        fails += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {name}: covers the true value in {100 * h:.2f}% of {REPS} "
              f"replications (want {100 * low:.1f}% to {100 * high:.1f}%)")
    print("mean widths of the quantile intervals: "
          + ", ".join(f"{100 * p:g}% {w / REPS:.4f}" for p, w in zip(PROBS, widths)))
    print(f"{fails} failed")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
