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
              Hancock 2005); interval CVaR +- 1.96 se. With fewer than one
              whole value in the tail (alpha n < 1, hp_tail_has_se) q is the
              minimum, min(X - q, 0) is 0 everywhere and that se would be 0:
              se and interval are NaN instead (any sampler).
  paired      the same statistics of the differences x_i - y_i on one path.

Quasi-Monte Carlo files (sampler sobol, root attribute qmc_points = M; a
Scrambles object here) have paths that are not independent: path p is a
point of scramble p // M, and only whole scrambles (M written paths) are
independent replicates. sample_stats(..., scr=Scrambles) then follows the
C summary (sim/summary.c): the se of the mean, of P(x < 0), P(x > 0) and
of CVaR is sd(the R whole scrambles' estimates, ddof 1) / sqrt(R), the
interval +-t se with t = t975(R - 1), Student's 97.5% quantile (shares
clipped to [0, 1]; Wilson's on the pooled count
where every scramble has the same share, whose se would be 0); a scramble's
CVaR estimate is q + mean(min(x - q, 0)) / alpha with q the pooled tail
boundary. A quantile's interval is Woodruff's: with se_F the between-
scramble se of the share of values <= the pooled estimate Q(p), the pooled
order statistics of ranks floor((n - 1)(p - d)) and ceil((n - 1)(p + d)),
d = t se_F (an open end beyond [0, 1]; the distribution-free interval
where se_F = 0). With fewer than two whole scrambles there is no se (NaN).

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
from scipy.special import bdtr, ndtr, stdtr, stdtrit

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


def tail_has_se(n, alpha):
    """Does the alpha tail of n values hold a whole value (hp_tail_has_se)?"""
    return alpha > 0 and math.floor(alpha * n) >= 1


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
    if not tail_has_se(n, alpha):
        return Est(float(value), NAN, NAN, NAN)
    se = float(np.std(y, ddof=1)) / math.sqrt(n) / alpha
    return normal_est(value, se)


def t975(df):
    """Student's t_{0.975, df} as sim/stats.c computes it (hp_t975): exact
    for df 1 and 2, else Abramowitz & Stegun 26.7.5 to the 1/df^4 term
    (4e-3 off at df = 3, 1e-6 at 15), so both sides print the same."""
    if df < 1:
        return NAN
    if df == 1:
        return 12.706204736174707
    if df == 2:
        return 0.95 / math.sqrt(2 * 0.975 * 0.025)
    z, v = Z95, float(df)
    z2 = z * z
    g1 = (z2 + 1) * z / 4
    g2 = ((5 * z2 + 16) * z2 + 3) * z / 96
    g3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384
    g4 = ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160
    return z + (g1 + (g2 + (g3 + g4 / v) / v) / v) / v


class Scrambles:
    """The scramble layout of a quasi-Monte Carlo sample: value i is path
    paths[i] (0-based path index, in order), of scramble paths[i] // m; a
    scramble with all m paths present is whole."""

    def __init__(self, paths, m):
        self.m = int(m)
        self.g = np.asarray(paths, dtype=np.int64) // self.m
        counts = np.bincount(self.g) if len(self.g) else np.zeros(0, dtype=np.int64)
        self.whole = counts == self.m
        self.r = int(np.count_nonzero(self.whole))
        self.t = t975(self.r - 1)       # the intervals' multiplier of se

    def estimates(self, y):
        """The whole scrambles' means of y (one value per path)."""
        sums = np.bincount(self.g, weights=np.asarray(y, dtype=float), minlength=len(self.whole))
        return sums[self.whole] / self.m

    def se(self, y):
        """sd(the whole scrambles' means of y) / sqrt(R); NaN for R < 2."""
        if self.r < 2:
            return NAN
        return float(np.std(self.estimates(y), ddof=1)) / math.sqrt(self.r)


def share_between(event, scr):
    """P(event) over the paths with the between-scramble se; Wilson's
    interval on the pooled count where every scramble has the same share."""
    event = np.asarray(event, dtype=bool)
    return share_se_est(int(np.count_nonzero(event)), len(event), scr.se(event), scr.t)


def share_se_est(k, n, se, t):
    """k / n with a between-scramble se: +-t se clipped to [0, 1];
    Wilson's interval where se is 0 (the same share in every scramble)."""
    if n == 0:
        return NONE
    if se == 0:
        return prob_est(k, n)
    p = k / n
    return Est(p, se, max(0.0, p - t * se), min(1.0, p + t * se))


def between_est(value, se, t):
    """value +- t se."""
    return Est(float(value), float(se), float(value - t * se), float(value + t * se))


def diff_independent(a, df_a, b, df_b):
    """b - a of two independent estimates (Est) with se sqrt(se_a^2 + se_b^2)
    and its 95% interval; df_a, df_b are the degrees of freedom of each se
    (math.inf for an iid se, R - 1 for a between-scramble se of R whole
    scrambles). Returns (Est, df).

    Two iid ses (pseudo-random runs, df inf): +-1.96 se, the normal interval
    of a difference of two means of many independent paths (mean_est's own
    interval; the sd's own error is negligible at the path counts of a run).
    Otherwise at least one se is a between-scramble se on few degrees of
    freedom, and the sum of the variances is not a scaled chi-square: the
    interval is +-t se with Student's t at the Welch-Satterthwaite degrees
    of freedom (se_a^2 + se_b^2)^2 / (se_a^4 / df_a + se_b^4 / df_b)
    (Welch 1947), fractional, computed exactly (scipy.special.stdtrit)."""
    diff = b.value - a.value
    va, vb = a.se ** 2, b.se ** 2
    se = math.sqrt(va + vb)
    den = (va * va / df_a if va > 0 else 0.0) + (vb * vb / df_b if vb > 0 else 0.0)
    df = (va + vb) ** 2 / den if den > 0 else math.inf
    t = Z95 if math.isinf(df) else float(stdtrit(df, 0.975))
    return Est(float(diff), float(se), float(diff - t * se), float(diff + t * se)), df


def p_two_sided(z, df):
    """The probability of a |z| at least this large when the true difference
    is 0: 2 P(Z < -|z|) for a normal z (df inf: an iid se on many paths),
    2 P(T_df < -|z|) for Student's t (a between-scramble se on R - 1
    degrees of freedom, or Welch's fractional df); NaN for a NaN z."""
    if z is None or math.isnan(z) or not df > 0:
        return NAN
    a = -abs(z)
    return float(2.0 * (ndtr(a) if math.isinf(df) else stdtr(df, a)))


def mean_between(x, scr):
    """The mean of x with the between-scramble se (scr None: iid se)."""
    m, _ = mean_est(x)
    return m if scr is None or len(x) == 0 else between_est(m.value, scr.se(x), scr.t)


def woodruff_ranks(n, p, se_f, t):
    """0-based ranks (lo, hi) of Woodruff's interval ends (d = t se_f):
    -1 / n for an open end."""
    d = t * se_f
    lo = -1 if p - d < 0 else int(math.floor((n - 1) * (p - d)))
    hi = n if p + d > 1 else int(math.ceil((n - 1) * (p + d)))
    return lo, hi


def quantiles_between(x, s, probs, scr, share_se=None):
    """The quantiles at probs of x (s: its Sample with the estimates' and
    the distribution-free ends' ranks selected) with Woodruff's intervals
    from the scrambles scr. share_se(v): the between-scramble se of the
    estimated CDF at v (default: of the share of x <= v, x one value per
    path of scr)."""
    if share_se is None:
        def share_se(v):
            return scr.se(x <= v)
    n = s.n
    if n == 0:
        return [NONE for _ in probs]
    iid = [quantile_est(s, p) for p in probs]
    if scr.r < 2:
        return [Est(e.value, NAN, NAN, NAN) for e in iid]
    ends, ranks = [], []
    for p, e in zip(probs, iid):
        se_f = share_se(e.value)
        ends.append(woodruff_ranks(n, p, se_f, scr.t) if se_f > 0 else None)
        ranks += [r for r in (ends[-1] or ()) if 0 <= r < n]
    part = np.partition(x, sorted(set(ranks))) if ranks else x
    out = []
    for e, rk in zip(iid, ends):
        if rk is None:          # the same count in every scramble
            out.append(e)
            continue
        lo = -math.inf if rk[0] < 0 else float(part[rk[0]])
        hi = math.inf if rk[1] >= n else float(part[rk[1]])
        se = (hi - lo) / (2 * scr.t) if math.isfinite(lo) and math.isfinite(hi) else NAN
        out.append(Est(e.value, se, lo, hi))
    return out


def sample_stats(x, probs=PROBS, alpha=ALPHA, scr=None):
    """Every statistic of one sample (finite values), as a dict of Est and
    numbers: n, sd, mean, q (a list, one Est per prob), p_neg = P(x < 0),
    p_pos = P(x > 0), cvar = -(tail mean), var = -(alpha quantile).
    scr: the Scrambles of a quasi-Monte Carlo sample (between-scramble
    errors), None for independent paths."""
    x = np.asarray(x, dtype=float)
    if scr is not None:
        return _sample_stats_between(x, probs, alpha, scr)
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


def _sample_stats_between(x, probs, alpha, scr):
    """sample_stats with between-scramble errors (see the module notes)."""
    n = len(x)
    mean, sd = mean_est(x)
    if n:
        mean = between_est(mean.value, scr.se(x), scr.t)
    s = Sample(x, needed_ranks(n, tuple(probs) + (alpha,), alpha) if n else [])
    qs = quantiles_between(x, s, tuple(probs) + (alpha,), scr)
    cvar = tail_mean_est(x, s, alpha)
    if tail_has_se(n, alpha):
        q = s.at(tail_rank(n, alpha))
        cvar = between_est(cvar.value, scr.se(np.minimum(x - q, 0.0)) / alpha, scr.t)
    return {"n": n, "sd": sd, "mean": mean, "probs": list(probs), "q": qs[:-1],
            "p_neg": share_between(x < 0, scr), "p_pos": share_between(x > 0, scr),
            "cvar": cvar.neg(), "alpha": alpha, "var": qs[-1].neg() if n else NONE}


def quantiles(x, probs=PROBS, scr=None):
    """Quantiles of x (may hold +-inf) with their intervals (Woodruff's
    with the Scrambles scr of a quasi-Monte Carlo sample)."""
    x = np.asarray(x, dtype=float)
    n = len(x)
    s = Sample(x, needed_ranks(n, probs, None) if n else [])
    if scr is not None:
        return quantiles_between(x, s, probs, scr)
    return [quantile_est(s, p) for p in probs]


def quantiles_among(x, defined, probs=PROBS, scr=None):
    """Quantiles of x over the paths where defined is true (x and defined:
    one value per path, in scr's order), with their intervals. Without scr,
    the distribution-free interval of the defined values (independent paths
    stay independent in a subset). With scr (Sobol), Woodruff's interval:
    the estimated CDF at v is a ratio, F(v) = #(defined, x <= v) / #defined,
    and its between-scramble se is that of its linearisation, the per-path
    values defined (1{x <= v} - F(v)) / share_defined (the same device as
    CVaR's; over all paths it is the se of the share of x <= v exactly).
    A scramble with few or no defined paths still counts."""
    x = np.asarray(x, dtype=float)
    defined = np.asarray(defined, dtype=bool)
    sub = x[defined]
    n = len(sub)
    if scr is None or n == 0:
        return quantiles(sub, probs)
    share = n / len(x)

    def share_se(v):
        f = np.count_nonzero(sub <= v) / n
        return scr.se(np.where(defined, (x <= v) - f, 0.0) / share)

    s = Sample(sub, needed_ranks(n, probs, None))
    return quantiles_between(sub, s, probs, scr, share_se)
