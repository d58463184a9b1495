#!/usr/bin/python3
"""The likelihood of the fleet fit (scripts/hp_fleet.py) on synthetic errors.

usage: test_fleet_fit.py SCRIPTS_DIR

Errors drawn (numpy, fixed seed) as the fit models them, the noise's
variance V(t) from a start at 0 seen through Student-t(nu) tails plus the
start state's variance, at the 28-day blocks of 60 two-year runs, for both
noise models (an OU of stationary scale s; "walk", a short OU plus a random
walk on the same shocks): fit_noise must recover the parameters within K = 4
standard errors (from the observed information of its own likelihood);
noise_variance must equal the sum it closes, sum_j (a + b phi^j)^2; the band-matched normal sd must use Student's 95%
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


def synthetic(rng, model, s, walk, nu, tau, runs=60):
    """Errors of `runs` two-year runs drawn as the fit models them."""
    errs = []
    for _ in range(runs):
        t = hp_fleet.block_times(26)
        sc = np.sqrt(hp_fleet.noise_variance(t, model, s, walk, tau) + hp_fleet.START_VAR)
        errs.append(sc * rng.standard_t(nu, size=26))
    return errs


def recovers(model, s, walk, nu, tau, seed):
    """fit_noise recovers the parameters drawn with, within K se."""
    errs = synthetic(np.random.default_rng(seed), model, s, walk, nu, tau)
    (s_hat, w_hat), nu_hat, nll = hp_fleet.fit_noise(errs, tau, model)
    e, t = hp_fleet.flat_errors(errs)
    # Observed information in (ln s[, ln walk], ln(nu - 2)), central differences.
    walk_fit = model == "walk"
    u = np.array([math.log(s_hat)] + ([math.log(w_hat)] if walk_fit else []) + [math.log(nu_hat - 2)])
    names = ["ln s"] + (["ln walk_sd"] if walk_fit else []) + ["ln(nu - 2)"]
    truth = np.array([math.log(s)] + ([math.log(walk)] if walk_fit else []) + [math.log(nu - 2)])

    def f(x):
        w = math.exp(x[1]) if walk_fit else 0.0
        return hp_fleet.t_negll(e, t, (math.exp(x[0]), w), 2 + math.exp(x[-1]), model, tau)
    n, h = len(u), 1e-3
    H = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            di, dj = np.eye(n)[i] * h, np.eye(n)[j] * h
            H[i, j] = (f(u + di + dj) - f(u + di - dj) - f(u - di + dj) + f(u - di - dj)) / (4 * h * h)
    se = np.sqrt(np.diag(np.linalg.inv(H)))
    check(abs(f(u) - nll) < 1e-9, "%s: fit_noise returns the likelihood at its estimate" % model)
    for k in range(n):
        check(abs(u[k] - truth[k]) < K * se[k], "%s: %s %.4f within %g se (%.4f) of %.4f"
              % (model, names[k], u[k], K, se[k], truth[k]))
    check(all(f(u) <= f(u + d) for d in np.vstack([0.05 * np.eye(n), -0.05 * np.eye(n)])),
          "%s: the estimate is a local minimum of the negative log-likelihood" % model)


def main():
    recovers("ou", 0.3, 0.0, 6.0, 365.0, 20211231)
    # The walk: a short OU (30 days) plus a random walk of 0.2 / sqrt(yr).
    recovers("walk", 0.08, 0.2, 6.0, hp_fleet.WALK_OU_DAYS, 20191231)
    # V(t) against the sum it closes: sum_{j<n} (a + b phi^j)^2.
    tau, s, w = 30.0, 0.1, 0.25
    phi = math.exp(-1 / tau)
    a, b = w / math.sqrt(365.25), s * math.sqrt(1 - phi * phi)
    for n in (1, 7, 30, 365, 730):
        direct = sum((a + b * phi ** j) ** 2 for j in range(n))
        v = float(hp_fleet.noise_variance(n, "walk", s, w, tau))
        check(abs(v - direct) < 1e-12 * max(1.0, direct), "walk V(%d) = %.6f, the sum %.6f" % (n, v, direct))
    check(abs(float(hp_fleet.noise_variance(365, "walk", s, 0.0, tau))
              - float(hp_fleet.noise_variance(365, "ou", s, 0.0, tau))) < 1e-15,
          "walk with walk_sd 0 is the OU")
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
