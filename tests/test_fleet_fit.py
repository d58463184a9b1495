#!/usr/bin/python3
"""The likelihood of the fleet fit (scripts/hp_fleet.py) on synthetic errors.

usage: test_fleet_fit.py SCRIPTS_DIR

Errors drawn (numpy, fixed seed) as the fit models them, an OU started at 0
of stationary scale s seen through Student-t(nu) tails plus the start
state's variance, at the 28-day blocks of 60 two-year runs: fit_noise must
recover s and nu within K = 4 standard errors (from the observed information
of its own likelihood), the band-matched normal sd must use Student's 95%
point (t_0.95 = 2.015 at nu = 5, the published table), and first_halving
must find the day the subsidy per block halves.
"""
import math
import sys

import numpy as np

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, __import__("os").path.dirname(__import__("os").path.abspath(__file__)))
import hp_fleet  # noqa: E402
from pycheck import check, done  # noqa: E402

K = 4.0


def main():
    rng = np.random.default_rng(20211231)
    s, nu, tau = 0.3, 6.0, 365.0
    errs = []
    for _ in range(60):
        t = hp_fleet.block_times(26)
        sc = np.sqrt(s * s * -np.expm1(-2 * t / tau) + hp_fleet.START_VAR)
        errs.append(sc * rng.standard_t(nu, size=26))
    s_hat, nu_hat, nll = hp_fleet.fit_noise(errs, tau)
    e, w = hp_fleet.errors_and_weights(errs, tau)
    # Observed information in (ln s, ln(nu - 2)), central differences.
    u = np.array([math.log(s_hat), math.log(nu_hat - 2)])

    def f(x):
        return hp_fleet.t_negll(e, w, math.exp(x[0]), 2 + math.exp(x[1]))
    h = 1e-3
    H = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            di, dj = np.eye(2)[i] * h, np.eye(2)[j] * h
            H[i, j] = (f(u + di + dj) - f(u + di - dj) - f(u - di + dj) + f(u - di - dj)) / (4 * h * h)
    se = np.sqrt(np.diag(np.linalg.inv(H)))
    check(abs(f(u) - nll) < 1e-9, "fit_noise returns the likelihood at its estimate")
    check(abs(math.log(s_hat / s)) < K * se[0],
          "scale %.4f within %g se (%.4f in ln s) of %.2f" % (s_hat, K, se[0], s))
    check(abs(math.log((nu_hat - 2) / (nu - 2))) < K * se[1],
          "nu %.2f within %g se (%.3f in ln(nu - 2)) of %.0f" % (nu_hat, K, se[1], nu))
    check(all(f(u) <= f(u + d) for d in (np.array([0.05, 0]), np.array([-0.05, 0]),
                                         np.array([0, 0.2]), np.array([0, -0.2]))),
          "the estimate is a local minimum of the negative log-likelihood")
    r = hp_fleet.noise_sd_for_band(1.0, 5.0)
    check(abs(r - 2.015048 / 1.644854) < 1e-5, "band-matched sd at nu = 5 is t_0.95 / z_0.95 (%.6f)" % r)
    check(abs(hp_fleet.noise_sd_for_band(0.3, 1e6) - 0.3) < 1e-5, "and the scale itself as nu grows")

    class Hist:
        path = "synthetic"
        subsidy_btc = np.array([144 * 25.0] * 5 + [72 * 25.0 + 72 * 12.5] + [144 * 12.5] * 4)
        blocks = np.full(10, 144.0)
    check(hp_fleet.first_halving(Hist) == 5, "first_halving finds the mixed day")
    done()


if __name__ == "__main__":
    main()
