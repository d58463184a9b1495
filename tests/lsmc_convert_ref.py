"""Lattice solution of the one-tranche, one-factor conversion problem.

The problem (the same one tests/lsmc_convert.c simulates), on a monthly
grid i = 0 .. H-1, month i's cash flow discounted by (1 + r)^-((i+1)/12):

  lease rate  ln L_i = ln L0 + g i/12 + x_i,  x_0 = 0,
              x_{i+1} = a x_i + s Z,  a = exp(-kappa/12),
              s = sigma sqrt((1 - a^2) / (2 kappa))   (the exact monthly step
              of the model's log-OU AI market);
  decision    on months j = 0 .. H-b-1 the firm may start converting one MW:
              capex K/b in each of months j .. j+b-1, and the fixed mining
              margin m/12 is given up in every month from j to the horizon;
  leases      signed on delivery (month j+b) at that month's L for T months,
              rent L (1 + esc)^floor(age/12) / 12 a month times the NOI
              margin, re-signed at the market rate when a term ends, cut at
              the horizon.

G_j, the value of converting on month j discounted to time 0, depends on
lease rates after j; its conditional expectation given x_j is closed-form
(L is lognormal):  E[L_s | x_j] = L0 e^{g s/12} exp(a^(s-j) x_j + v_(s-j)/2),
v_h = sigma^2 (1 - a^(2h)) / (2 kappa). The option to convert solves

  V_J = 0,   V_j(x) = max(Ghat_j(x), E[V_{j+1}(a x + s Z)]),   value V_0(0).

On a uniform grid in x, V_{j+1} is replaced by its piecewise-linear
interpolant, whose Gaussian expectation is exact: a hat function's
expectation is a second difference of Psi(t) = E[(Y - t)^+] =
(mu - t) Phi((mu - t)/s) + s phi((mu - t)/s). The transition matrix is the
same every month (a and s are constant), so it is built once (banded,
+-12 s) and each month is one sparse product. Kinks of V are integrated
exactly; the only error is the O(h^2) interpolation, which value() checks
by halving h.

Run as a script with a JSON object of parameters on stdin to print the
value, the immediate-exercise value and the boundary."""
import json
import sys

import numpy as np
from scipy import sparse
from scipy.special import ndtr

KEYS = ("horizon_months", "build_months", "term_months", "rate", "escalator",
        "noi_margin", "capex_usd_per_mw", "lease0_usd_per_mw_year", "trend_growth",
        "kappa", "sigma", "margin_usd_per_mw_year")


def schedule(p):
    """Discount factors, lease annuities A[s], capex and margin PVs per date."""
    H, b, T = p["horizon_months"], p["build_months"], p["term_months"]
    i = np.arange(H)
    disc = (1 + p["rate"]) ** (-(i + 1) / 12)
    ann = np.zeros(H)
    for s in range(H):
        k = np.arange(s, min(s + T, H))
        ann[s] = np.sum((1 + p["escalator"]) ** ((k - s) // 12) * disc[k]) / 12
    J = H - b
    cap = np.array([p["capex_usd_per_mw"] / b * disc[j:j + b].sum() for j in range(J)])
    mar = np.array([p["margin_usd_per_mw_year"] / 12 * disc[j:].sum() for j in range(J)])
    return J, ann, cap, mar


def ghat(p, sched, j, x):
    """E[G_j | x_j = x]."""
    _, ann, cap, mar = sched
    k, sg = p["kappa"], p["sigma"]
    a = np.exp(-k / 12)
    out = np.full_like(np.asarray(x, dtype=float), -cap[j] - mar[j])
    s = j + p["build_months"]
    while s < p["horizon_months"]:
        h = s - j
        v = sg * sg * (1 - a ** (2 * h)) / (2 * k)
        level = p["lease0_usd_per_mw_year"] * np.exp(p["trend_growth"] * s / 12)
        out = out + p["noi_margin"] * level * np.exp(a ** h * x + 0.5 * v) * ann[s]
        s += p["term_months"]
    return out


def transition(x, a, s):
    """Q with (Q V)_i = E[V_lin(a x_i + s Z)], V_lin the piecewise-linear
    interpolant of V on the grid x, extended flat beyond its ends."""
    n, h = len(x), x[1] - x[0]
    rows, cols, vals = [], [], []
    for i in range(n):
        mu = a * x[i]
        lo = max(int(np.floor((mu - 12 * s - x[0]) / h)), 0)
        hi = min(int(np.ceil((mu + 12 * s - x[0]) / h)) + 1, n)
        d = (mu - x[lo:hi]) / s
        psi = (mu - x[lo:hi]) * ndtr(d) + s * np.exp(-0.5 * d * d) / np.sqrt(2 * np.pi)
        w = np.zeros(hi - lo)
        # Hats ramp up and down: R(x_{l-1}) - 2 R(x_l) + R(x_{l+1}), over h.
        w[1:-1] = (psi[:-2] - 2 * psi[1:-1] + psi[2:]) / h
        # End functions: 1 - R(x_0)/h + R(x_1)/h and (R(x_{n-2}) - R(x_{n-1}))/h.
        # A band edge inside the grid is 12 s from the mean: weight 0 there.
        w[0] = 1 - (psi[0] - psi[1]) / h if lo == 0 else 0.0
        w[-1] = (psi[-2] - psi[-1]) / h if hi == n else 0.0
        rows.append(np.full(hi - lo, i))
        cols.append(np.arange(lo, hi))
        vals.append(w)
    return sparse.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                             shape=(n, n))


def solve(p, n_grid=4001, width=10.0):
    """Backward induction on n_grid points over +-width stationary sd of x.
    Returns (value, immediate-exercise value, boundary[j]): the boundary is
    the smallest x at which converting beats waiting (nan: never)."""
    sched = schedule(p)
    J = sched[0]
    k = p["kappa"]
    a = np.exp(-k / 12)
    s = p["sigma"] * np.sqrt((1 - a * a) / (2 * k))
    half = width * p["sigma"] / np.sqrt(2 * k)
    x = np.linspace(-half, half, n_grid)
    Q = transition(x, a, s)
    V = np.zeros(n_grid)
    bound = np.full(J, np.nan)
    for j in range(J - 1, -1, -1):
        C = Q @ V
        G = ghat(p, sched, j, x)
        ex = np.nonzero(G > C)[0]
        if len(ex):
            # linear root of G - C between the last waiting and first converting node
            e = ex[0]
            if e > 0:
                d0, d1 = (G - C)[e - 1], (G - C)[e]
                bound[j] = x[e - 1] + (x[e] - x[e - 1]) * d0 / (d0 - d1)
            else:
                bound[j] = x[0]
        V = np.maximum(G, C)
    mid = n_grid // 2          # x = 0, where every path starts
    return float(V[mid]), float(ghat(p, sched, 0, 0.0)), bound


def value(p, n_grid=1001):
    """The value on n_grid and 2 n_grid - 1 points, extrapolated (the error
    is O(h^2): Richardson), with a third of the change as its error bound;
    the immediate-exercise value and the finer grid's boundary."""
    v1, g0, _ = solve(p, n_grid)
    v2, _, b2 = solve(p, 2 * n_grid - 1)
    return v2 + (v2 - v1) / 3, abs(v2 - v1) / 3, g0, b2


if __name__ == "__main__":
    params = json.load(sys.stdin)
    v, err, g0, bound = value({k: params[k] for k in KEYS})
    print(json.dumps({"value": v, "grid_error": err, "convert_now": g0,
                      "boundary": [None if np.isnan(b) else b for b in bound]}))
