"""hp_stats: Monte Carlo statistics with their errors, as sim/stats.h defines them.

Every estimate is an Est(value, se, lo, hi): a standard error and a 95%
interval. The definitions are those of sim/stats.h (the C side of
`hashpivot sensitivity`, `solve`, `gsa` and the summary), so a number here
and the same number from the C side agree:

  mean        sample mean; se = sd / sqrt(n), sd with n - 1; interval
              mean +- 1.96 se.
  P(event)    k / n; se = sqrt(p (1 - p) / n); interval: Wilson's score
              interval (inside [0, 1], sensible at p = 0 or 1).
  quantile    numpy's linear interpolation ("type 7"); interval: the order
              statistics x(l), x(u) with P(l <= B < u) >= 95% for
              B ~ Binomial(n, p), the distribution-free interval (David &
              Nagaraja, Order Statistics, 2003, 7.1): -inf / +inf when n is
              too small to give that end; se = (x(u) - x(l)) / (2 x 1.96).
  CVaR        minus the mean of the worst alpha share (Acerbi & Tasche 2002:
              the boundary value gets the fractional weight); se from the
              influence function, sqrt(Var[min(X - q, 0)] / n) / alpha with
              q the order statistic of rank floor(alpha n) (Manistre &
              Hancock 2005); interval CVaR +- 1.96 se.
  paired      the same statistics of the differences x_i - y_i on one path.

Memory: a sample of n values costs one copy of it (8 n bytes: 8 MB at 10^6
paths). Quantiles and the tail are exact order statistics found by
selection (numpy's introselect, np.partition), not by sorting.
Runs on Debian's python3 with numpy and scipy (the binomial distribution
function, scipy.special.bdtr).
"""
import functools
import math
from typing import NamedTuple

import numpy as np
from scipy.special import bdtr

Z95 = 1.959963984540054   # two-sided 95% normal quantile (HP_Z95)
CONF = 0.95
ALPHA = 0.05              # tail share of VaR and CVaR
PROBS = (0.05, 0.5, 0.95)
NAN = float("nan")


class Est(NamedTuple):
    """An estimate, its standard error and its 95% interval."""
    value: float
    se: float
    lo: float
    hi: float

    def neg(self):
        """The estimate of minus the quantity (its interval flips)."""
        return Est(-self.value, self.se, -self.hi, -self.lo)


NONE = Est(NAN, NAN, NAN, NAN)


def normal_est(value, se):
    """value +- 1.96 se."""
    return Est(float(value), float(se), float(value - Z95 * se), float(value + Z95 * se))


def mean_est(x):
    """Mean of x with se = sd / sqrt(n); also returns sd (n - 1; 0 for n < 2)."""
    n = len(x)
    if n == 0:
        return NONE, NAN
    sd = float(np.std(x, ddof=1)) if n > 1 else 0.0
    return normal_est(float(np.mean(x)), sd / math.sqrt(n)), sd


def prob_est(k, n):
    """k events in n trials: k / n, its binomial se and Wilson's interval."""
    if n == 0:
        return NONE
    p, z2 = k / n, Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    # The interval holds p and lies in [0, 1]; rounding can put an end a hair
    # outside either (at k = n, centre + half came out below 1 = p), as in
    # sim/stats.c.
    lo = min(max(0.0, centre - half), p)
    hi = max(min(1.0, centre + half), p)
    return Est(p, math.sqrt(p * (1 - p) / n), lo, hi)


def binom_cdf(k, n, p):
    """P(B <= k), B ~ Binomial(n, p)."""
    if k >= n or p <= 0:
        return 1.0
    if p >= 1:
        return 0.0
    return float(bdtr(k, n, p))


@functools.lru_cache(maxsize=256)
def quantile_ci_ranks(n, p, conf=CONF):
    """0-based ranks (lo, hi) of the order statistics bounding the
    distribution-free conf interval of the p quantile (hp_quantile_ci_ranks):
    [x(lo), x(hi)] covers it with probability >= conf. lo = -1: no finite
    lower end; hi = n: no finite upper end."""
    if n == 0:
        return -1, 0
    tail = (1 - conf) / 2
    # Largest j in [1, n] with F(j - 1) <= tail (0 if none).
    lo, hi = 0, n
    while lo < hi:
        mid = lo + (hi - lo + 1) // 2
        if binom_cdf(mid - 1, n, p) <= tail:
            lo = mid
        else:
            hi = mid - 1
    l = lo
    # Smallest j in [1, n] with F(j - 1) >= 1 - tail (n + 1 if none).
    lo, hi = 1, n + 1
    while lo < hi:
        mid = lo + (hi - lo) // 2
        if binom_cdf(mid - 1, n, p) >= 1 - tail:
            hi = mid
        else:
            lo = mid + 1
    return l - 1, lo - 1


def _lerp(a, b, t):
    """hp_quantile_sorted's interpolation; an infinite end is kept as is."""
    if t == 0 or a == b:
        return a
    return a + t * (b - a)


def _quantile_ranks(n, p):
    h = (n - 1) * p
    k = int(math.floor(h))
    return (n - 1, n - 1, 0.0) if k >= n - 1 else (k, k + 1, h - k)


def tail_rank(n, alpha):
    """Rank of the boundary value of the alpha tail (hp_tail_rank)."""
    k = int(math.floor(alpha * n))
    return k if k < n else n - 1


class Sample:
    """Order statistics of one sample by selection: one partitioned copy of
    x, never sorted. x may hold +-inf (as "never" or "above any rate"), not
    NaN."""

    def __init__(self, x, ranks):
        self.n = len(x)
        ranks = sorted({r for r in ranks if 0 <= r < self.n})
        self.part = np.partition(np.asarray(x, dtype=float), ranks) if ranks else np.asarray(x, dtype=float)

    def at(self, r):
        return float(self.part[r])


def needed_ranks(n, probs=PROBS, alpha=ALPHA):
    """Every rank the quantiles at probs, their intervals and the alpha tail use."""
    ranks = []
    for p in probs:
        a, b, _ = _quantile_ranks(n, p)
        lo, hi = quantile_ci_ranks(n, p)
        ranks += [a, b, lo, hi]
    if alpha is not None:
        ranks.append(tail_rank(n, alpha))
    return ranks


def quantile_est(s, p):
    """The p quantile of a Sample with its interval and se."""
    n = s.n
    if n == 0:
        return NONE
    a, b, t = _quantile_ranks(n, p)
    lo, hi = quantile_ci_ranks(n, p)
    value = _lerp(s.at(a), s.at(b), t)
    xlo = -math.inf if lo < 0 else s.at(lo)
    xhi = math.inf if hi >= n else s.at(hi)
    se = (xhi - xlo) / (2 * Z95) if math.isfinite(xlo) and math.isfinite(xhi) else NAN
    return Est(value, se, xlo, xhi)


def tail_mean_est(x, s, alpha=ALPHA):
    """Acerbi-Tasche mean of the worst alpha share of x (s: its Sample with
    the tail rank selected), with the influence-function se."""
    n = s.n
    if n == 0 or not alpha > 0:
        return NONE
    m = alpha * n
    k = int(math.floor(m))
    total = float(np.sum(s.part[:k])) if k > 0 else 0.0
    if k < n:
        total += (m - k) * s.at(k)
    value = total / m
    q = s.at(tail_rank(n, alpha))
    y = np.minimum(np.asarray(x, dtype=float) - q, 0.0)
    se = float(np.std(y, ddof=1)) / math.sqrt(n) / alpha if n > 1 else 0.0
    return normal_est(value, se)


def sample_stats(x, probs=PROBS, alpha=ALPHA):
    """Every statistic of one sample (finite values), as a dict of Est and
    numbers: n, sd, mean, q (a list, one Est per prob), p_neg = P(x < 0),
    p_pos = P(x > 0), cvar = -(tail mean), var = -(alpha quantile)."""
    x = np.asarray(x, dtype=float)
    n = len(x)
    mean, sd = mean_est(x)
    s = Sample(x, needed_ranks(n, probs, alpha) if n else [])
    out = {"n": n, "sd": sd, "mean": mean, "probs": list(probs),
           "q": [quantile_est(s, p) for p in probs],
           "p_neg": prob_est(int(np.count_nonzero(x < 0)), n),
           "p_pos": prob_est(int(np.count_nonzero(x > 0)), n),
           "cvar": tail_mean_est(x, s, alpha).neg(), "alpha": alpha}
    out["var"] = quantile_est(s, alpha).neg() if n else NONE
    return out


def quantiles(x, probs=PROBS):
    """Quantiles of x (may hold +-inf) with their intervals."""
    x = np.asarray(x, dtype=float)
    n = len(x)
    s = Sample(x, needed_ranks(n, probs, None) if n else [])
    return [quantile_est(s, p) for p in probs]
