"""hp_cashflow: IRR and payback of converting, path by path.

The conversion decision's incremental cash flows on one path are
  d_y = net_cash_flow[f, y] - net_cash_flow[baseline, y]   for each calendar year y,
plus, at the horizon, the difference of the terminal values
(valuation/terminal_value, undiscounted; absent or zero when the config has
no terminal multiple). Timing follows the NPV's daily discounting: day d's
flow is discounted by (1 + r)^-((d + 1) / 365.25) and the terminal value
with the last day's factor; a year's flow, known only as a sum, is placed
at the mean of its days' times (exact for a flow spread evenly over the
year), (days before the year + (days in it + 1) / 2) / 365.25 years.

IRR: the rate r at which the incremental NPV, V(r) = sum_y d_y (1 + r)^-t_y
+ dTV (1 + r)^-T, is zero, searched over r in [RATE_MIN, RATE_MAX] (-99% to
+1000% a year). In u = ln(1 + r), V is a sum of exponentials, so it has no
more roots than its flows, in time order, have sign changes (Descartes'
rule of signs, which holds for exponential sums). Hence:
  - flows that change sign once, from negative to positive (an
    investment: the usual case), give exactly one root; V decreases through
    it, so it is bracketed by the range's ends and found by safeguarded
    Newton steps (bisection when a step leaves the bracket) to 1e-13 in u;
  - flows that change sign more often are scanned on RATE_GRID points of u
    evenly spaced over the range, then solved the same way in the cell
    where V changes sign. A pair of roots closer than one cell (1.8% in
    ln(1 + r)) can be missed.
Each path falls in one class:
  IRR_UNIQUE     V changes sign once in the range, from positive to negative
  IRR_LOSES      V < 0 at every rate of the range: IRR = -inf ("below -99%")
  IRR_GAINS      V > 0 at every rate of the range: IRR = +inf ("above 1000%")
  IRR_AMBIGUOUS  several roots, or one where V rises (a loan, not an
                 investment), or no incremental flow at all: no IRR (NaN)

Payback: the first time the cumulative undiscounted incremental cash flow
(terminal value excluded) turns positive, in years from the start date,
interpolated within that year as if its flow were spread evenly; +inf
("never") if it does not within the horizon.
"""
import numpy as np

RATE_MIN, RATE_MAX, RATE_GRID = -0.99, 10.0, 401
IRR_UNIQUE, IRR_LOSES, IRR_GAINS, IRR_AMBIGUOUS = 0, 1, 2, 3
IRR_CLASSES = ("unique", "loses at every rate", "gains at every rate", "ambiguous")


def year_times(days_in_year):
    """Times in years of each year's flows (mean of its days' discount
    times) and of the terminal value (the last day)."""
    days = np.asarray(days_in_year, dtype=float)
    before = np.concatenate([[0.0], np.cumsum(days)[:-1]])
    return (before + (days + 1) / 2) / 365.25, float(days.sum()) / 365.25


def _value(f, times, u):
    """V at u (one value of u per row of f) and dV/du."""
    e = f * np.exp(-np.outer(u, times))
    return e.sum(axis=1), -(e * times).sum(axis=1)


def _solve(f, times, lo, hi):
    """The root in u of each row of f between lo (V > 0) and hi (V <= 0):
    Newton from the middle, bisection whenever a step leaves the bracket."""
    u = 0.5 * (lo + hi)
    todo = np.arange(len(f))
    for _ in range(200):
        if len(todo) == 0:
            break
        v, dv = _value(f[todo], times, u[todo])
        above = v > 0
        lo[todo] = np.where(above, u[todo], lo[todo])
        hi[todo] = np.where(above, hi[todo], u[todo])
        with np.errstate(divide="ignore", invalid="ignore"):
            step = u[todo] - v / dv
        inside = np.isfinite(step) & (step > lo[todo]) & (step < hi[todo])
        new = np.where(inside, step, 0.5 * (lo[todo] + hi[todo]))
        done = (np.abs(new - u[todo]) < 1e-13) | (hi[todo] - lo[todo] < 1e-13) | (v == 0)
        u[todo] = np.where(v == 0, u[todo], new)
        todo = todo[~done]
    return u


def _sign_changes(f):
    """Sign changes along each row of f, zeros skipped, and the first
    nonzero sign (0 for a row of zeros)."""
    s = np.sign(f)
    idx = np.where(s != 0, np.arange(f.shape[1]), 0)
    np.maximum.accumulate(idx, axis=1, out=idx)        # last nonzero so far
    filled = np.take_along_axis(s, idx, axis=1)         # zeros take the previous sign
    changes = np.sum(filled[:, 1:] * filled[:, :-1] < 0, axis=1)
    first = np.take_along_axis(s, np.argmax(s != 0, axis=1)[:, None], axis=1)[:, 0]
    return changes, first


def irr(flows, tv, days_in_year):
    """IRR of each row of flows [paths, years] with terminal values tv
    [paths] (or None): (rates [paths], classes [paths])."""
    flows = np.asarray(flows, dtype=float)
    t_year, t_end = year_times(days_in_year)
    times = t_year
    if tv is not None:
        flows = np.column_stack([flows, tv])
        times = np.append(t_year, t_end)
    n = len(flows)
    u0, u1 = np.log1p(RATE_MIN), np.log1p(RATE_MAX)
    changes, first = _sign_changes(flows)
    cls = np.full(n, IRR_AMBIGUOUS, dtype=np.int8)
    cls[(changes == 0) & (first > 0)] = IRR_GAINS
    cls[(changes == 0) & (first < 0)] = IRR_LOSES
    lo, hi = np.full(n, np.nan), np.full(n, np.nan)
    # One change, negative first: one root, V falls through it.
    one = np.flatnonzero((changes == 1) & (first < 0))
    if len(one):
        v0, _ = _value(flows[one], times, np.full(len(one), u0))
        v1, _ = _value(flows[one], times, np.full(len(one), u1))
        cls[one[v0 <= 0]] = IRR_LOSES
        cls[one[v1 > 0]] = IRR_GAINS
        ok = one[(v0 > 0) & (v1 <= 0)]
        cls[ok], lo[ok], hi[ok] = IRR_UNIQUE, u0, u1
    # Several changes: scan the grid.
    many = np.flatnonzero(changes > 1)
    if len(many):
        u = np.linspace(u0, u1, RATE_GRID)
        pos = flows[many] @ np.exp(-np.outer(times, u)) > 0
        flips = pos[:, 1:] != pos[:, :-1]
        k = flips.sum(axis=1)
        cls[many[(k == 0) & pos[:, 0]]] = IRR_GAINS
        cls[many[(k == 0) & ~pos[:, 0]]] = IRR_LOSES
        sel = (k == 1) & pos[:, 0]
        c = np.argmax(flips[sel], axis=1)
        rows = many[sel]
        cls[rows], lo[rows], hi[rows] = IRR_UNIQUE, u[c], u[c + 1]
    rate = np.full(n, np.nan)
    rate[cls == IRR_GAINS] = np.inf
    rate[cls == IRR_LOSES] = -np.inf
    solve = np.flatnonzero(cls == IRR_UNIQUE)
    if len(solve):
        rate[solve] = np.expm1(_solve(flows[solve], times, lo[solve], hi[solve]))
    return rate, cls


def payback(flows, days_in_year):
    """Payback in years from the start of each row of flows [paths, years]:
    +inf where the cumulative flow never turns positive."""
    flows = np.asarray(flows, dtype=float)
    days = np.asarray(days_in_year, dtype=float)
    before = np.concatenate([[0.0], np.cumsum(days)[:-1]])
    cum = np.cumsum(flows, axis=1)
    ahead = cum > 0
    paid = ahead.any(axis=1)
    out = np.full(len(flows), np.inf)
    rows = np.flatnonzero(paid)
    y = np.argmax(ahead[rows], axis=1)
    prev = np.where(y > 0, cum[rows, np.maximum(y - 1, 0)], 0.0)   # <= 0
    frac = -prev / flows[rows, y]                                    # in [0, 1)
    out[rows] = (before[y] + frac * days[y]) / 365.25
    return out
