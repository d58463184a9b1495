"""hp_fleet_noise: the fleet fit's error model (scripts/hp_fleet.py step 4).

The likelihood of the deterministic runs' forecast errors under the
engine's online noise (OU, OU plus a random walk, or OU plus supply
shocks), with the noise's scales and tails fitted to the errors. hp_fleet
profiles these out when it fits the buyers' drift and kappa; it re-exports
every name here, so callers use hp_fleet.fit_noise and the like.
"""
import math

import numpy as np

DT = 1.0 / 365.25
BLOCK = 28            # days per block of the hashrate means


class FitError(Exception):
    """A CSV or window the method cannot use; the message says why."""


# The model's forecast error at a horizon is the online noise plus the error
# of the start state, so the in-sample errors of the deterministic runs are
# scored by the density the simulation itself would give them:
#
#   e(t) ~ scale(t) x Student-t(nu),  scale(t)^2 = V(t) + START_VAR
#
# V(t) the variance of ln of the online multiplier t days after a start at 0
# (models/hashrate_fleet.h, hp_fleet_path_step), for noise_model
#
#   "ou"    V = s^2 (1 - exp(-2 t / tau))               (s = noise_sd, tau = noise_days)
#   "walk"  V = t a^2 + 2 a b (1 - phi^t) / (1 - phi) + b^2 (1 - phi^2t) / (1 - phi^2)
#           (the OU plus a random walk on the same shocks: a = walk_sd / sqrt(365.25)
#           a day, b = s sqrt(1 - phi^2), phi = exp(-1 / tau))
#
# t the middle of each 28-day block after the start. Student-t, not normal:
# supply shocks outside the model (the 2021 China ban) sit in the fit windows;
# nu is fitted, so the data say how heavy the tails are. The noise (s, the
# walk's sd, nu) is profiled out (a cheap inner fit on the errors), so the
# engine runs depend only on the buyers' drift g and kappa, which scipy's
# Nelder-Mead fits on the profiled likelihood plus a normal prior on g
# (centre PRIOR_DRIFT, sd chosen by cross-validation before the cut). The
# errors of one run are correlated, so this is a composite likelihood: its
# point estimates are what we use, its curvature is not a standard error.

START_VAR = 1.0 / (144 * 7)   # variance of ln of a 7-day mean of blocks x difficulty (Poisson 144/day)
WALK_OU_DAYS = 30.0           # noise_model "walk": correlation time of its OU part (assumption:
                              # outages, weather and relocations pass within weeks)
JUMP_DAYS = 120.0             # noise_model "jump": default decay time of a supply shock (assumption:
                              # the 2021 China ban's hashrate was back in about six months); a
                              # constant: callers pass their own as fit(jump_days=...)
NOISE_MODELS = ("ou", "walk", "jump")
JUMP_NODES = (24, 8)          # Gauss-Legendre nodes over a shock's age: one shock; each of two


def block_times(n):
    """Days from the start to the middle of each of n 28-day blocks."""
    return np.arange(n) * BLOCK + BLOCK / 2.0


def noise_variance(t, model, noise_sd, walk_sd, noise_days):
    """V(t): variance of ln of the online multiplier t days after a start at 0
    (the comment above; the engine's discrete steps, exact at whole days)."""
    t = np.asarray(t, dtype=float)
    phi = math.exp(-1.0 / noise_days)
    ou = noise_sd * noise_sd * -np.expm1(-2.0 * t / noise_days)
    if model == "ou":
        return ou
    if model != "walk":
        raise FitError("noise model '%s': %s" % (model, " or ".join(NOISE_MODELS)))
    a = walk_sd * math.sqrt(DT)
    b = noise_sd * math.sqrt(-math.expm1(-2.0 / noise_days))
    return t * a * a + 2.0 * a * b * -np.expm1(-t / noise_days) / (1.0 - phi) + ou


def flat_errors(errs):
    """(errors, days from the start to each block's middle) flattened over starts."""
    e = np.concatenate(errs)
    t = np.concatenate([block_times(len(x)) for x in errs])
    return e, t


def t_negll(e, t, noise, nu, model, noise_days, jump_days=None):
    """Negative log-likelihood of errors e at horizons t (days) under
    scale^2 = V(t) + START_VAR, Student-t(nu); noise = (s, walk_sd); for
    "jump", noise = (s, 0, rate, mean, sd) and jump_negll's mixture
    (shocks decaying over jump_days, JUMP_DAYS if None)."""
    from scipy.stats import t as student
    if model == "jump":
        return jump_negll(e, t, noise, noise_days, jump_days)
    sc = np.sqrt(noise_variance(t, model, noise[0], noise[1], noise_days) + START_VAR)
    return float(-np.sum(student.logpdf(e / sc, nu) - np.log(sc)))


def jump_negll(e, t, noise, noise_days, jump_days=None):
    """Negative log-likelihood of errors e at horizons t (days) under the OU
    (scale s, normal) plus supply shocks ("Supply shocks" in
    docs/network.md): shocks arrive at `rate` a year, sizes N(mean, sd^2)
    in ln of the multiplier, each decaying as exp(-age / jump_days). Given
    K shocks in [0, t] their ages are uniform, so e is a mixture over K
    (Poisson(rate t)) of normals with mean mean sum c_i and variance
    V_ou(t) + START_VAR + sd^2 sum c_i^2, c_i = exp(-age_i / jump_days),
    integrated over the ages by Gauss-Legendre (JUMP_NODES[0] nodes for one
    shock, JUMP_NODES[1] a shock for two). K >= 2 is scored as two shocks
    (P(K >= 3) is below 1% for rate t < 0.44)."""
    return -float(np.sum(jump_scorer(e, t, noise_days, jump_days, per_error=True)(noise)))


def _lse(a, axis):
    """log sum exp along axis (the max taken out)."""
    m = np.max(a, axis=axis)
    return m + np.log(np.sum(np.exp(a - np.expand_dims(m, axis)), axis=axis))


def jump_scorer(e, t, noise_days, jump_days=None, per_error=False):
    """jump_negll for fixed errors and horizons as a function of noise
    (s, 0, rate, mean, sd): the quadrature's decays set up once
    (per_error: the log density of each error instead)."""
    jd = JUMP_DAYS if jump_days is None else jump_days
    e, t = np.atleast_1d(np.asarray(e, float)), np.atleast_1d(np.asarray(t, float))
    n = len(e)
    ou_shape = -np.expm1(-2.0 * t / noise_days)
    x1, w1 = np.polynomial.legendre.leggauss(JUMP_NODES[0])
    c1 = np.exp(-0.5 * (x1 + 1)[None, :] * t[:, None] / jd)             # [n, G1]
    lw1 = np.log(0.5 * w1)[None, :]                                       # weights summing to 1
    x2, w2 = np.polynomial.legendre.leggauss(JUMP_NODES[1])
    c = np.exp(-0.5 * (x2 + 1)[None, :] * t[:, None] / jd)
    c2 = (c[:, :, None] + c[:, None, :]).reshape(n, -1)
    q2 = (c[:, :, None] ** 2 + c[:, None, :] ** 2).reshape(n, -1)
    lw = np.log(0.5 * w2)
    lw2 = (lw[:, None] + lw[None, :]).reshape(1, -1)
    c1sq = c1 * c1
    ec = e[:, None]
    l2pi = math.log(2 * math.pi)

    def score(noise):
        s, _, rate, mu, sd = noise
        v0 = s * s * ou_shape + START_VAR
        lam = rate * t * DT
        l0 = -0.5 * (l2pi + np.log(v0) + e * e / v0)
        v1 = v0[:, None] + sd * sd * c1sq
        l1 = _lse(-0.5 * (l2pi + np.log(v1) + (ec - mu * c1) ** 2 / v1) + lw1, 1)
        v2 = v0[:, None] + sd * sd * q2
        l2 = _lse(-0.5 * (l2pi + np.log(v2) + (ec - mu * c2) ** 2 / v2) + lw2, 1)
        p1 = np.log(np.maximum(lam, 1e-300)) - lam
        p2 = np.log(np.maximum(-np.expm1(-lam) - lam * np.exp(-lam), 1e-300))
        ll = _lse(np.stack([l0 - lam, p1 + l1, p2 + l2]), 0)
        return ll if per_error else float(-np.sum(ll))
    return score


JUMP_BOUNDS = {"rate": (0.01, 12.0), "mean": (-3.0, 3.0), "sd": (1e-3, 3.0)}
JUMP_SIGNS = ("any", "down")  # "down": shocks only lower the hashrate online (jump_mean <= 0)


def fit_jump_noise(errs, noise_days, jump_days=None, sign="any"):
    """((s, 0, rate, mean, sd), inf, negll): maximum likelihood of the OU's
    scale and the supply shocks' rate and size (jump_negll; shocks decaying
    over jump_days, JUMP_DAYS if None), normal tails. sign "down" constrains
    the shocks' mean to lower the multiplier: jump_mean <= 0, i.e. a mean
    >= 0 in the errors ln(simulated / actual), which the fit works in (a
    bound of L-BFGS-B: the likelihood is smooth through 0)."""
    from scipy.optimize import minimize
    if sign not in JUMP_SIGNS:
        raise FitError("jump sign '%s': %s" % (sign, " or ".join(JUMP_SIGNS)))
    down = sign == "down"
    e, t = flat_errors(errs)
    lo = np.array([math.log(1e-3), math.log(JUMP_BOUNDS["rate"][0]),
                   0.0 if down else JUMP_BOUNDS["mean"][0], math.log(JUMP_BOUNDS["sd"][0])])
    hi = np.array([math.log(5.0), math.log(JUMP_BOUNDS["rate"][1]), JUMP_BOUNDS["mean"][1],
                   math.log(JUMP_BOUNDS["sd"][1])])

    def unpack(u):
        u = np.clip(u, lo, hi)
        return (math.exp(u[0]), 0.0, math.exp(u[1]), float(u[2]), math.exp(u[3]))

    score = jump_scorer(e, t, noise_days, jump_days)

    def f(u):
        return score(unpack(u))
    best = None
    # The likelihood is smooth in these coordinates: quasi-Newton within the
    # bounds from three starts (a large rare shock, frequent small ones, no
    # drift in the shocks; "down" starts its means on the allowed side).
    for s0, r0, m0, sd0 in ((0.15, 0.3, -0.5, 0.2), (0.3, 1.0, 0.0, 0.3), (0.08, 0.2, -0.8, 0.1)):
        u0 = [math.log(s0), math.log(r0), abs(m0) if down else m0, math.log(sd0)]
        r = minimize(f, u0, method="L-BFGS-B", bounds=list(zip(lo, hi)),
                     options={"ftol": 1e-12, "gtol": 1e-7, "maxiter": 500})
        if best is None or r.fun < best.fun:
            best = r
    return unpack(best.x), math.inf, f(np.clip(best.x, lo, hi))


def fit_noise(errs, noise_days, model="ou", jump_days=None, jump_sign="any"):
    """((s, walk_sd), nu, negll): maximum likelihood of the error scale (the
    OU's s and, for "walk", the walk's sd) and tails; for "jump",
    fit_jump_noise's (shocks decaying over jump_days, of sign jump_sign)."""
    from scipy.optimize import minimize
    if model == "jump":
        return fit_jump_noise(errs, noise_days, jump_days, jump_sign)
    e, t = flat_errors(errs)
    walk = model == "walk"
    if model not in NOISE_MODELS:
        raise FitError("noise model '%s': %s" % (model, " or ".join(NOISE_MODELS)))
    lo = [math.log(1e-3)] + ([math.log(1e-3)] if walk else []) + [math.log(0.5)]
    hi = [math.log(5.0)] + ([math.log(5.0)] if walk else []) + [math.log(200.0)]

    def unpack(u):
        u = np.clip(u, lo, hi)
        return (math.exp(u[0]), math.exp(u[1]) if walk else 0.0), 2.0 + math.exp(u[-1])

    def f(u):
        noise, nu = unpack(u)
        return t_negll(e, t, noise, nu, model, noise_days)
    best = None
    starts = ((0.3, 3.0), (0.15, 20.0))
    for s0, nu0 in starts:
        for w0 in ((0.2, 0.05) if walk else (None,)):
            u0 = [math.log(s0)] + ([math.log(w0)] if walk else []) + [math.log(nu0)]
            r = minimize(f, u0, method="Nelder-Mead", options={"xatol": 1e-4, "fatol": 1e-6,
                                                                "maxiter": 4000})
            if best is None or r.fun < best.fun:
                best = r
    # Scales in [0.001, 5], nu in [2.5, 202]: at the upper end the tails are
    # normal for our purposes.
    noise, nu = unpack(best.x)
    return noise, nu, f(np.clip(best.x, lo, hi))


def noise_sd_for_band(s, nu):
    """The normal sd with the same 5-95% band as scale s x Student-t(nu):
    the engine's noise is Gaussian, the back-test's band is 5-95%."""
    from scipy.stats import norm, t as student
    if math.isinf(nu):
        return s
    return s * float(student.ppf(0.95, nu)) / float(norm.ppf(0.95))
