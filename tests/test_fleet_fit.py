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


def observed_se(f, u, h=1e-3):
    """Standard errors at the estimate u from the observed information: the
    inverse of f's Hessian (f a negative log-likelihood), by central
    differences of step h."""
    n = len(u)
    H = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            di, dj = np.eye(n)[i] * h, np.eye(n)[j] * h
            H[i, j] = (f(u + di + dj) - f(u + di - dj) - f(u - di + dj) + f(u - di - dj)) / (4 * h * h)
    return np.sqrt(np.diag(np.linalg.inv(H)))


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
    n, se = len(u), observed_se(f, u)
    check(abs(f(u) - nll) < 1e-9, "%s: fit_noise returns the likelihood at its estimate" % model)
    for k in range(n):
        check(abs(u[k] - truth[k]) < K * se[k], "%s: %s %.4f within %g se (%.4f) of %.4f"
              % (model, names[k], u[k], K, se[k], truth[k]))
    check(all(f(u) <= f(u + d) for d in np.vstack([0.05 * np.eye(n), -0.05 * np.eye(n)])),
          "%s: the estimate is a local minimum of the negative log-likelihood" % model)


def synthetic_jump(rng, s, rate, mu, sd, tau, runs, jump_days=hp_fleet.JUMP_DAYS):
    """Errors drawn as jump_negll models them: each block's error from its
    marginal (the OU's normal plus K ~ Poisson(rate t) shocks of uniform
    ages in [0, t], sizes N(mu, sd^2), decayed as exp(-age / jump_days))."""
    errs = []
    t = hp_fleet.block_times(26)
    v0 = hp_fleet.noise_variance(t, "ou", s, 0.0, tau) + hp_fleet.START_VAR
    for _ in range(runs):
        e = np.sqrt(v0) * rng.standard_normal(26)
        for i in range(26):
            for _ in range(rng.poisson(rate * t[i] / 365.25)):
                age = rng.uniform(0.0, t[i])
                e[i] += (mu + sd * rng.standard_normal()) * math.exp(-age / jump_days)
        errs.append(e)
    return errs


def recovers_jump(s, rate, mu, sd, tau, seed, runs=100, sign="any"):
    """fit_noise ("jump") recovers the OU scale and the shocks' rate and
    size within K se (observed information in ln s, ln rate, mean, ln sd).
    mu is the shocks' mean in the errors ln(simulated / actual): > 0 for
    shocks that lower the hashrate online."""
    errs = synthetic_jump(np.random.default_rng(seed), s, rate, mu, sd, tau, runs)
    noise, nu, nll = hp_fleet.fit_noise(errs, tau, "jump", jump_sign=sign)
    check(math.isinf(nu) and noise[1] == 0.0, "jump: normal tails, no walk")
    e, t = hp_fleet.flat_errors(errs)
    u = np.array([math.log(noise[0]), math.log(noise[2]), noise[3], math.log(noise[4])])
    truth = np.array([math.log(s), math.log(rate), mu, math.log(sd)])
    names = ["ln s", "ln rate", "mean", "ln sd"]

    score = hp_fleet.jump_scorer(e, t, tau)

    def f(x):
        return score((math.exp(x[0]), 0.0, math.exp(x[1]), x[2], math.exp(x[3])))
    n, se = len(u), observed_se(f, u)
    check(abs(f(u) - nll) < 1e-9, "jump: fit_noise returns the likelihood at its estimate")
    for k in range(n):
        check(abs(u[k] - truth[k]) < K * se[k], "jump: %s %.4f within %g se (%.4f) of %.4f"
              % (names[k], u[k], K, se[k], truth[k]))
    check(all(f(u) <= f(u + d) + 1e-9 for d in np.vstack([0.05 * np.eye(n), -0.05 * np.eye(n)])),
          "jump: the estimate is a local minimum of the negative log-likelihood")
    return errs, noise, nll


def jump_sign_down(tau):
    """jump_sign "down" (jump_mean <= 0: the errors' shock mean >= 0). On
    shocks that do lower the hashrate (mean +0.6 in the errors) the
    constraint does not bind: the same estimate and likelihood as "any",
    the truth within K se. On shocks that raise it (-0.6) it binds: the
    mean sits at 0, the likelihood is no higher than the free fit's, and
    no feasible step of 0.05 in any coordinate improves it."""
    errs, free, nll_free = recovers_jump(0.08, 0.5, 0.6, 0.2, tau, 20210613)
    _, down, nll_down = recovers_jump(0.08, 0.5, 0.6, 0.2, tau, 20210613, sign="down")
    check(abs(nll_down - nll_free) < 1e-6 and abs(down[3] - free[3]) < 1e-3,
          "jump down, falling shocks: the constraint does not bind (negll %.6f and %.6f, mean "
          "%.4f and %.4f)" % (nll_down, nll_free, down[3], free[3]))
    errs = synthetic_jump(np.random.default_rng(20190613), 0.08, 0.5, -0.6, 0.2, tau, 100)
    free, _, nll_free = hp_fleet.fit_noise(errs, tau, "jump")
    down, _, nll_down = hp_fleet.fit_noise(errs, tau, "jump", jump_sign="down")
    check(free[3] < -0.3, "jump any, rising shocks: the free fit finds them (mean %.3f)" % free[3])
    check(down[3] == 0.0, "jump down, rising shocks: the mean sits at its bound 0 (%.4f)" % down[3])
    check(nll_down >= nll_free, "jump down: negll %.3f no lower than the free fit's %.3f"
          % (nll_down, nll_free))
    e, t = hp_fleet.flat_errors(errs)
    score = hp_fleet.jump_scorer(e, t, tau)

    def f(x):
        return score((math.exp(x[0]), 0.0, math.exp(x[1]), x[2], math.exp(x[3])))
    u = np.array([math.log(down[0]), math.log(down[2]), down[3], math.log(down[4])])
    steps = [d for d in np.vstack([0.05 * np.eye(4), -0.05 * np.eye(4)]) if u[2] + d[2] >= 0]
    check(abs(f(u) - nll_down) < 1e-9 and all(f(u) <= f(u + d) + 1e-9 for d in steps),
          "jump down: a local minimum on the feasible side (%d steps)" % len(steps))
    try:
        hp_fleet.fit_noise(errs, tau, "jump", jump_sign="up")
        check(False, "jump sign 'up' is rejected")
    except hp_fleet.FitError as err:
        check("any or down" in str(err), "jump sign 'up' is rejected: %s" % err)


def jump_days_is_a_parameter():
    """The shocks' decay time is the caller's (fit_noise(jump_days=...)),
    not a module setting: a fit with jump_days 45 on errors drawn with it
    scores them with 45 (not JUMP_DAYS), and scripts/backtest.py --jump-days
    leaves hp_fleet's constants as they were."""
    import backtest
    errs = synthetic_jump(np.random.default_rng(45), 0.08, 0.5, 0.6, 0.2, 365.0, 60, jump_days=45.0)
    noise, _, nll = hp_fleet.fit_noise(errs, 365.0, "jump", jump_days=45.0)
    e, t = hp_fleet.flat_errors(errs)
    with45 = hp_fleet.jump_negll(e, t, noise, 365.0, 45.0)
    default = hp_fleet.jump_negll(e, t, noise, 365.0)
    check(abs(nll - with45) < 1e-9 and abs(nll - default) > 1e-3,
          "fit_noise(jump_days=45) scores with 45 days (negll %.4f; with the default %.4f)"
          % (with45, default))
    before = {k: v for k, v in vars(hp_fleet).items() if k.isupper()}
    try:
        backtest.main(["--csv", "/nonexistent/history.csv", "--cut", "2021-12-31",
                       "--noise-model", "jump", "--jump-days", "45", "--quiet"])
    except SystemExit:
        pass
    after = {k: v for k, v in vars(hp_fleet).items() if k.isupper()}
    check(after == before, "backtest.py --jump-days 45 leaves hp_fleet's constants unchanged "
          "(JUMP_DAYS %g)" % hp_fleet.JUMP_DAYS)


def profile_rejects_bad_grids():
    """scripts/fleet_profile.py refuses a kappa outside the engine's range
    with one line, before reading any file."""
    import fleet_profile
    try:
        fleet_profile.main(["--csv", "/nonexistent.csv", "--cut", "2021-12-31", "--drifts", "0",
                            "--kappas", "500"])
        check(False, "fleet_profile.py rejects kappa 500")
    except SystemExit as err:
        check("kappas in [0.05, 100]" in str(err.code), "fleet_profile.py rejects kappa 500: %s"
              % err.code)


def jump_density_integrates():
    """The mixture jump_negll scores is a density: at a few horizons its
    integral over e is 1 (trapezoid on a fine grid) and its mean is the
    closed form rate t mu tau (1 - exp(-t / tau)) / t = rate mu tau (1 - exp(-t / tau))
    (a shock of age a contributes mu exp(-a / tau); E K = rate t) up to the
    K >= 2 truncation, below 1e-3 here."""
    grid = np.linspace(-4.0, 3.0, 28001)
    tau = hp_fleet.JUMP_DAYS
    for t in (14.0, 182.0, 714.0):
        noise = (0.1, 0.0, 0.2, -0.7, 0.2)
        g = grid[::7]
        dens = np.exp(hp_fleet.jump_scorer(g, np.full(len(g), t), 365.0, per_error=True)(noise))
        total = np.trapz(dens, g)
        mean = np.trapz(dens * g, g)
        want = 0.2 / 365.25 * (-0.7) * tau * -math.expm1(-t / tau)
        check(abs(total - 1) < 1e-4, "jump: the mixture integrates to 1 at %g days (%.6f)" % (t, total))
        check(abs(mean - want) < 1e-3, "jump: its mean at %g days %.5f, closed form %.5f" % (t, mean, want))


def main():
    recovers("ou", 0.3, 0.0, 6.0, 365.0, 20211231)
    # The walk: a short OU (30 days) plus a random walk of 0.2 / sqrt(yr).
    recovers("walk", 0.08, 0.2, 6.0, hp_fleet.WALK_OU_DAYS, 20191231)
    # The OU plus supply shocks: rare large falls that decay (JUMP_DAYS).
    jump_density_integrates()
    recovers_jump(0.08, 0.5, -0.6, 0.2, 365.0, 20210521)
    jump_sign_down(365.0)
    jump_days_is_a_parameter()
    profile_rejects_bad_grids()
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
