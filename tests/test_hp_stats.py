"""The report's statistics, cash-flow measures, config reader and tables,
against numbers computed here independently (numpy, scipy), closed forms
and hand examples; and the 95% intervals' coverage over 400 seeded
replications of a known distribution, with the design and band of
tests/test_stats.c (n = 10,000 standard normals; the count of covers is
Binomial(400, 0.95), sd 1.1 points, so each must lie in 93-97%).
Needs no simulation run.
    test_hp_stats.py HASHPIVOT_BINARY SOURCE_DIR"""
import json
import math
import os
import sys

import numpy as np
from scipy import optimize, stats

from pycheck import check, done

root = sys.argv[2]
sys.path.insert(0, os.path.join(root, "scripts"))
import hp_cashflow as hc  # noqa: E402
import hp_config  # noqa: E402
import hp_stats as hs  # noqa: E402
from hp_table import Col, Table, cell, json_text  # noqa: E402


NAN = float("nan")


def close(a, b, tol, what):
    check(abs(a - b) <= tol, f"{what}: {a!r} vs {b!r}")


# ---- quantile intervals: ranks against the binomial distribution, vectorised ----------

def ref_ranks(n, p, conf=0.95):
    """lo = largest j with F(j - 1) <= tail, minus 1 (-1 if none); hi =
    smallest j with F(j - 1) >= 1 - tail, minus 1 (n if none); j in 1..n."""
    tail = (1 - conf) / 2
    f = stats.binom.cdf(np.arange(n), n, p)          # F(j - 1), j = 1..n
    lo = np.flatnonzero(f <= tail)
    hi = np.flatnonzero(f >= 1 - tail)
    return (int(lo[-1]) if len(lo) else -1), (int(hi[0]) if len(hi) else n)


for n in (1, 2, 10, 37, 100, 1000, 2000, 10000):
    for p in (0.05, 0.25, 0.5, 0.95):
        got, want = hs.quantile_ci_ranks(n, p), ref_ranks(n, p)
        check(got == want, f"ranks n={n} p={p}: {got} vs {want}")
        lo, hi = got
        if lo >= 0 and hi < n:   # the interval holds at least 95%
            cover = stats.binom.cdf(hi, n, p) - stats.binom.cdf(lo, n, p)
            check(cover >= 0.95 - 1e-12, f"n={n} p={p}: coverage {cover:.4f} >= 0.95")
check(hs.quantile_ci_ranks(100, 0.5) == (39, 60), "median of 100: x(40), x(61), the classical interval")
check(hs.quantile_ci_ranks(10, 0.05)[0] == -1 and hs.quantile_ci_ranks(10, 0.95)[1] == 10,
      "n = 10 gives no lower bound for q05 and no upper bound for q95")

# Values and interval ends against np.sort and np.percentile, ties included.
rng = np.random.default_rng(11)
for n in (1, 2, 3, 19, 20, 50, 999):
    x = np.round(rng.standard_t(3, n), 1)          # heavy tails and ties
    srt = np.sort(x)
    st = hs.sample_stats(x)
    for p, q in zip(hs.PROBS, st["q"]):
        close(q.value, float(np.percentile(x, 100 * p)), 1e-12 * (1 + abs(q.value)), f"quantile {p} n={n}")
        lo, hi = ref_ranks(n, p)
        check(q.lo == (srt[lo] if lo >= 0 else -math.inf) and q.hi == (srt[hi] if hi < n else math.inf),
              f"interval of q{p} n={n}: order statistics {lo}, {hi}")
    close(st["var"].value, -float(np.percentile(x, 5)), 1e-12 * (1 + abs(st["var"].value)), f"VaR n={n}")
    m, sd = float(np.mean(x)), float(np.std(x, ddof=1)) if n > 1 else 0.0
    close(st["mean"].value, m, 1e-12, f"mean n={n}")
    close(st["mean"].se, sd / math.sqrt(n), 1e-12, f"se n={n}")
    # CVaR: weights 1 on the first floor(alpha n) sorted values, the rest on the next.
    a = 0.05 * n
    w = np.clip(a - np.arange(n), 0.0, 1.0)
    close(st["cvar"].value, -float(np.dot(w, srt) / a), 1e-12 * (1 + abs(st["cvar"].value)), f"CVaR n={n}")
    q = srt[min(int(math.floor(a)), n - 1)]
    y = np.minimum(srt - q, 0)
    if a < 1:   # no whole value in the tail: no se (it was a zero-width 0)
        check(math.isnan(st["cvar"].se) and math.isnan(st["cvar"].lo) and math.isnan(st["cvar"].hi),
              f"CVaR n={n}: alpha n = {a:g} < 1 has no se")
        continue
    se = np.std(y, ddof=1) / math.sqrt(n) / 0.05
    close(st["cvar"].se, se, 1e-12 * (1 + se), f"CVaR se n={n}")
    check(st["cvar"].se > 0, f"CVaR se n={n} > 0")
# Quasi-Monte Carlo too: 16 paths in 4 scrambles have no whole value in the
# 5% tail (the between-scramble se was 0 there); 40 paths in 4 have two.
for n, has in ((16, False), (40, True)):
    xs = np.round(rng.standard_t(3, n), 1)
    c = hs.sample_stats(xs, scr=hs.Scrambles(np.arange(n), n // 4))["cvar"]
    check(math.isnan(c.se) != has and math.isnan(c.lo) != has and c.value == c.value,
          f"sobol CVaR n={n}: se {c.se}")
# Independent B - A: normal for two iid ses; Welch-Satterthwaite otherwise
# (equal ses on 15 df each: 30 df; an iid se beside a 15-df one: the
# between-scramble se's share decides).
ea, eb = hs.Est(1.0, 2.0, NAN, NAN), hs.Est(4.0, 2.0, NAN, NAN)
d, df = hs.diff_independent(ea, math.inf, eb, math.inf)
check(df == math.inf and d.value == 3.0 and d.hi == 3.0 + hs.Z95 * math.sqrt(8), "iid B - A: +-1.96 se")
d, df = hs.diff_independent(ea, 15, eb, 15)
close(df, 30.0, 1e-12, "Welch df of equal ses on 15 df each")
close(d.hi - d.value, float(stats.t.ppf(0.975, 30)) * math.sqrt(8), 1e-9, "Welch: t(30) se")
d, df = hs.diff_independent(hs.Est(0.0, 1.0, NAN, NAN), math.inf, hs.Est(0.0, 3.0, NAN, NAN), 15)
close(df, 15 * (10 / 9) ** 2, 1e-9, "Welch df, an iid se beside a 15-df se")
close(d.hi, float(stats.t.ppf(0.975, 15 * (10 / 9) ** 2)) * math.sqrt(10), 1e-9, "Welch: fractional df")
# quantiles_among over every path is quantiles between scrambles (its
# linearised ratio se is then the share's se); over a subset without
# scrambles, the iid quantiles of the subset.
xs = rng.standard_normal(640)
sc = hs.Scrambles(np.arange(640), 64)
check(hs.quantiles_among(xs, np.ones(640, bool), scr=sc) == hs.quantiles(xs, scr=sc),
      "quantiles_among, all defined: Woodruff's intervals of quantiles()")
keep = xs > -1
check(hs.quantiles_among(xs, keep) == hs.quantiles(xs[keep]), "quantiles_among without scrambles: iid")
t = hs.sample_stats(np.arange(1.0, 11.0), alpha=0.25)
close(t["cvar"].value, -1.8, 1e-15, "Acerbi-Tasche by hand: 1..10 at 25% is -(1 + 2 + 0.5 x 3) / 2.5")

# Wilson's interval against scipy's.
for k, n in ((0, 10), (10, 10), (3, 10), (0, 1), (480, 1000), (9997, 10000)):
    e = hs.prob_est(k, n)
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    close(e.lo, ci.low, 1e-12, f"Wilson low {k}/{n}")
    close(e.hi, ci.high, 1e-12, f"Wilson high {k}/{n}")
    close(e.se, math.sqrt(k / n * (1 - k / n) / n), 1e-15, f"binomial se {k}/{n}")

# The interval always holds p, rounding or not (at k = n, centre + half came
# out a hair below 1 and report.py's error bars went negative).
bad = [(k, n) for n in range(1, 2001) for k in (0, 1, n - 1, n)
       if not (hs.prob_est(k, n).lo <= k / n <= hs.prob_est(k, n).hi)]
check(not bad, f"Wilson's interval holds p for k in 0, 1, n-1, n and n up to 2,000 ({bad[:5]})")

# Infinite values (never, above any rate) are order statistics like others.
qs = hs.quantiles(np.array([3.0, 1.0, np.inf, 2.0, np.inf, -np.inf]), (0.0, 0.5, 0.9, 1.0))
check([q.value for q in qs] == [-np.inf, 2.5, np.inf, np.inf], f"quantiles with infinities {qs}")

# ---- coverage over 400 seeded replications ---------------------------------------------

REPS, N = 400, 10000
truth_q = [float(stats.norm.ppf(p)) for p in hs.PROBS]
truth_cvar = float(stats.norm.pdf(stats.norm.ppf(0.05)) / 0.05)
cover = {k: 0 for k in ("q05", "q50", "q95", "mean", "cvar", "p")}
est = {k: [] for k in ("q05", "mean", "cvar")}
se = {k: [] for k in ("q05", "mean", "cvar")}
rng = np.random.default_rng(20260101)
for rep in range(REPS):
    x = rng.standard_normal(N)
    st = hs.sample_stats(x)
    for k, q, tq in zip(("q05", "q50", "q95"), st["q"], truth_q):
        cover[k] += q.lo <= tq <= q.hi
    cover["mean"] += st["mean"].lo <= 0 <= st["mean"].hi
    cover["cvar"] += st["cvar"].lo <= truth_cvar <= st["cvar"].hi
    cover["p"] += st["p_neg"].lo <= 0.5 <= st["p_neg"].hi
    for k, e in (("q05", st["q"][0]), ("mean", st["mean"]), ("cvar", st["cvar"])):
        est[k].append(e.value)
        se[k].append(e.se)
print("coverage of 95% intervals in", REPS, "replications of n =", N, ":",
      ", ".join(f"{k} {v}" for k, v in cover.items()))
for k, v in cover.items():
    check(0.93 * REPS <= v <= 0.97 * REPS, f"{k}: interval covered in {v} of {REPS} (93-97%)")
for k in est:   # the standard errors against the spread of the estimates (4 sd of a sample sd: +-14%)
    ratio = float(np.std(est[k], ddof=1) / np.mean(se[k]))
    check(0.86 <= ratio <= 1.14, f"{k}: sd of estimates / mean se = {ratio:.3f}")

# ---- IRR and payback --------------------------------------------------------------------

days = np.array([365, 365, 365])
t_year, t_end = hc.year_times(days)
close(t_year[0], 183 / 365.25, 1e-15, "a year's flow sits at the mean of its days' discount times")
dt = 365 / 365.25
r, c = hc.irr(np.array([[-100.0, 110.0, 0.0]]), None, days)
close(r[0], 1.1 ** (1 / dt) - 1, 1e-12, "IRR of -100 then +110 a year (365 days) later")
check(c[0] == hc.IRR_UNIQUE, "one sign change: unique")


def v_of(f, times, rate):
    return float(np.sum(f * (1 + rate) ** -times))


# Conventional flows, and flows with several sign changes but one root: brentq.
rng = np.random.default_rng(5)
days13 = np.array([365, 365, 366, 365, 365, 365, 366, 365, 365, 365, 366, 365, 365])
ty, te = hc.year_times(days13)
flows = np.column_stack([-3 - rng.random(300), -7 - rng.random(300)] + [rng.normal(1.5, 1.2, 300) for _ in range(11)])
tv = rng.normal(2.0, 3.0, 300)
rate, cls = hc.irr(flows, tv, days13)
times = np.append(ty, te)
grid = np.expm1(np.linspace(math.log(0.01), math.log(11), 20001))
worst, counted = 0.0, [0, 0, 0, 0]
for f, tvi, r, c in zip(flows, tv, rate, cls):
    ff = np.append(f, tvi)
    vals = np.array([v_of(ff, times, g) for g in grid[::20]] + [v_of(ff, times, grid[-1])])
    pos = vals > 0
    flips = int(np.sum(pos[1:] != pos[:-1]))
    want = (hc.IRR_UNIQUE if flips == 1 and pos[0] else hc.IRR_GAINS if flips == 0 and pos[0]
            else hc.IRR_LOSES if flips == 0 else hc.IRR_AMBIGUOUS)
    check(c == want, f"class {c} vs {want} ({flips} sign changes on a fine grid)")
    counted[c] += 1
    if c == hc.IRR_UNIQUE:
        k = int(np.argmax(pos[1:] != pos[:-1]))
        g = np.append(grid[::20], grid[-1])
        root = optimize.brentq(lambda x: v_of(ff, times, x), g[k], g[k + 1], xtol=1e-14, rtol=1e-14)
        worst = max(worst, abs(root - r))
print("IRR classes of 300 random paths (unique, loses, gains, ambiguous):", counted,
      f"largest difference from brentq {worst:.2e}")
check(counted[hc.IRR_UNIQUE] > 200 and counted[hc.IRR_AMBIGUOUS] > 0, f"the sample exercises the classes {counted}")
check(worst < 1e-10, f"IRR equals brentq's root to 1e-10 ({worst:.2e})")

# Closed forms: two roots (10% and 20%), the ends of the range, a loan, nothing.
za, zb = 1.1 ** -dt, 1.2 ** -dt
two = -np.array([za * zb, -(za + zb), 1.0])      # -(z - za)(z - zb): roots at 10% and 20%
check(abs(v_of(two, t_year, 0.1)) < 1e-12 and abs(v_of(two, t_year, 0.2)) < 1e-12, "the two-root flows")
cases = [(two, hc.IRR_AMBIGUOUS, "two roots"), ([1.0, 2.0, 3.0], hc.IRR_GAINS, "all positive"),
         ([-1.0, -2.0, 0.0], hc.IRR_LOSES, "all negative"), ([100.0, -110.0, 0.0], hc.IRR_AMBIGUOUS, "a loan"),
         ([0.0, 0.0, 0.0], hc.IRR_AMBIGUOUS, "no flow"), ([-100.0, 0.5, 0.0], hc.IRR_LOSES, "root below -99%"),
         ([-1.0, 100.0, 0.0], hc.IRR_GAINS, "root above 1000%")]
rate, cls = hc.irr(np.array([c[0] for c in cases], dtype=float), None, days)
for (f, want, what), r, c in zip(cases, rate, cls):
    check(c == want, f"{what}: class {c}, want {want}")
    check((math.isnan(r) and want == hc.IRR_AMBIGUOUS) or (r == -math.inf and want == hc.IRR_LOSES)
          or (r == math.inf and want == hc.IRR_GAINS), f"{what}: rate {r}")

pb = hc.payback(np.array([[-100.0, 60.0, 60.0], [-100.0, 10.0, 10.0], [5.0, -1.0, 1.0], [-1.0, 0.0, 0.0]]), days)
close(pb[0], (730 + 40 / 60 * 365) / 365.25, 1e-12, "payback interpolated within its year")
check(math.isinf(pb[1]) and math.isinf(pb[3]), "never paid back: +inf")
close(pb[2], 0.0, 0, "a positive first flow pays back at once")

# ---- the config reader ---------------------------------------------------------------------

cfg = '''# header comment
@include "other.cfg"
a = {
  x = 1.0e6;          # first line of x's source
                      # second line of x's source
  y = 930000L;  // y's comment
  # the comment above z
  z = "s;#" "t";
  arr = [0.0, 0.1, 0.5];
  lst = ("uniform", 8.0, 12.0);
  b : { deep = true; };
};
w = 0x10; /* block */
'''
s = hp_config.settings(cfg)
check(sorted(s) == ["a.arr", "a.b.deep", "a.lst", "a.x", "a.y", "a.z", "w"], f"keys {sorted(s)}")
check(s["a.x"].value == 1e6 and s["a.y"].value == 930000.0 and s["w"].value == 16.0, "numbers as values")
check(s["a.z"].value == "s;#t" and s["a.arr"].value == (0.0, 0.1, 0.5), f"string and array {s['a.z'].value!r}")
check(s["a.lst"].value == ("uniform", 8.0, 12.0) and s["a.b.deep"].value is True, "list and boolean")
check(s["a.x"].comment == "first line of x's source second line of x's source", f"x: {s['a.x'].comment!r}")
check(s["a.y"].comment == "y's comment" and s["a.z"].comment == "the comment above z", "y, z comments")
check(s["w"].comment == "block" and s["a.x"].line == 4, f"w: {s['w'].comment!r}, x line {s['a.x'].line}")
resolved = "a = {\n  x = 1000000.0;  # USD/MW \u2014 meaning\n  y = 930000;  # meaning\n  z = \"st\";\n};\nw = 17;\n"
dflt = hp_config.settings("a = {\n  x = 5.0;\n  y = 930000;\n  z = \"st\";\n};\nw = 16;\n")
rows = hp_config.assumptions(resolved, cfg, "hashpivot run -n 3 --set w=17 cfg.cfg", dflt)
check([r["key"] for r in rows] == ["a.x", "w"], f"only the keys that differ: {rows}")
check(rows[0]["unit"] == "USD/MW" and rows[0]["set_in"] == "config line 4" and rows[0]["default"] == "5.0",
      f"a.x row {rows[0]}")
check(rows[1]["set_in"] == "command line: --set w=17", f"w row {rows[1]}")

# ---- tables: the printed cell is the record rounded; JSON is strict ------------------------

rec = {"v": 2.23e9, "se": 1.5e8, "lo": -np.inf, "hi": 3.1e9, "p": 0.888, "plo": 0.882, "phi": 0.894,
       "y": np.inf, "n": float("nan")}
check(cell(Col("m", "pm", ("v", "se"), True), rec) == "$2.23B ±150M", "value ± se")
check(cell(Col("m", "pm", ("v", "n"), True), rec) == "$2.23B (no se)", "value without an se")
check(cell(Col("q", "ci", ("v", "lo", "hi"), True), rec) == "$2.23B [-inf, $3.10B]", "value [lo, hi]")
check(cell(Col("p", "share_ci", ("p", "plo", "phi")), rec) == "88.8% [88.2%, 89.4%]", "probability [lo, hi]")
check(cell(Col("y", "years_ci", ("y", "y", "y"), False, ("-inf", "never")), rec) == "never [never, never]", "never")
t = Table("t", "T", [Col("m", "pm", ("v", "se"), True)], [rec])
obj = json.loads(json_text(t.json_obj()))
check(obj["records"][0]["lo"] == "-inf" and obj["records"][0]["n"] is None, "JSON: inf as a string, NaN as null")
check(t.csv_text().splitlines()[1].split(",")[2] == "-inf", "CSV: -inf")
done()
