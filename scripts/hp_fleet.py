"""hp_fleet: calibration of the fleet hashrate model, and its runs through the engine.

Shared by scripts/calibrate.py (--fits fleet) and scripts/backtest.py
(Debian's /usr/bin/python3 with numpy and scipy). The model is docs/network.md's; the
simulations are the engine's own (`hashpivot trace`), never a Python copy.

The method, for a history CSV (docs/sources.md#history-data) and a window
[d0, d1] (everything below uses only rows up to d1, so a back-test cut at
d1 never sees what follows):

1. Frontier efficiency. Machines are delivered at the efficiency of the
   flagship of a year before their delivery (DELIVERY_LAG: buyers take
   last year's models as well as the newest): FLAGSHIPS (sourced,
   docs/sources.md) lists Bitmain's, with the date each was announced. A
   log-linear fit through those announced by d1 gives
   network.fleet.frontier_j_th on the start date and frontier_gain.
   Vintages before d1 take the efficiency delivered at their date
   (log-linear between flagships).
2. Start cohorts (network.fleet.cohort_j_th, cohort_share). Machines added
   in each 28-day block of the max_age_years before the start are the rise
   of the 28-day mean hashrate (falls add nothing), at that block's
   flagship efficiency; the capacity at the window's start is one more
   cohort. Blocks are merged by calendar year (TH-weighted efficiency).
3. Growth cap (network.fleet.max_growth): the largest 365-day log growth
   of the 28-day mean hashrate in the window.
4. Buyers' drift, investment speed and noise (network.fleet.hashprice_drift,
   kappa, noise_sd): from start dates every 91 days (the first a year into
   the window, the last half a year before its end), the engine runs
   deterministically (no noise, no block luck) for up to two years, never
   past d1, driven by the CSV's prices and fees; its errors, ln(simulated /
   actual) of the 28-day mean hashrate at every block and every start, are
   scored by a Student-t likelihood whose scale grows with the horizon as
   the engine's OU noise does (section "the likelihood fit" below), with
   the scale and the tails fitted jointly (profiled out). (g, ln kappa)
   maximise it plus a normal prior on g centred on 0 (no drift expected
   beyond the halvings), by scipy's Nelder-Mead from two starts. The
   prior's sd is chosen from PRIOR_SDS by forward cross-validation before
   d1: fits on windows of the same length ending one and two years before
   d1 forecast the origins after them (never past d1), scored by the same
   likelihood. noise_sd is the normal sd with the fitted Student-t's 5-95%
   band (noise_days = 365 is an assumption). With noise_model "walk" the
   likelihood's variance is that of a 30-day OU plus a random walk on the
   same shocks, and both scales (noise_sd, walk_sd) are fitted: a variance
   that grows with the horizon. With noise_model "jump" (the engine's OU
   plus its supply shocks, network.fleet.jump_*) the likelihood is the
   mixture over the number of shocks in jump_negll (normal tails), and the
   OU's scale and the shocks' rate, mean and sd are fitted (jump_sign
   "down" constrains the mean to lower the multiplier: outages and bans).
   jump_days, JUMP_DAYS unless the caller gives one, is an assumption.
   order_sd stays 0.
5. (method "grid", the earlier fit, kept to reproduce its numbers) g on a
   grid (-0.30 to +0.45, step 0.075), kappa by golden section on the median
   absolute error; noise_sd from the robust sd (1.4826 MAD) of the errors a
   year ahead.

Lead time, power prices, retirement, ASIC prices and costs keep their
sourced defaults (docs/network.md says why).
"""
import datetime as dt
import math
import os
import subprocess
import tempfile

import numpy as np

# The error model (step 4's likelihood), its constants and FitError: this
# module's names too, so callers keep using hp_fleet.fit_noise and the like.
from hp_fleet_noise import (BLOCK, DT, JUMP_BOUNDS, JUMP_DAYS, JUMP_NODES, JUMP_SIGNS,  # noqa: F401
                            NOISE_MODELS, START_VAR, WALK_OU_DAYS, FitError, block_times,
                            fit_jump_noise, fit_noise, flat_errors, jump_negll, jump_scorer,
                            noise_sd_for_band, noise_variance, t_negll)

COLUMNS = ("price_usd", "difficulty", "hashrate_ths", "blocks", "subsidy_btc", "fees_btc")

# Bitmain flagships: (model, first volume shipping as a year fraction, J/TH,
# date announced, docs/sources.md id). The fit for a cut uses those
# announced by it.
FLAGSHIPS = (
    ("Antminer S9", 2016.46, 98.0, "2016-06-01", "hashrate-index-s9"),
    ("Antminer S17 (7 nm)", 2019.30, 42.0, "2018-09-22", "minersunion-7nm-2018"),
    ("Antminer S19 Pro", 2020.36, 29.5, "2020-02-27", "miningstore-s19-series"),
    ("Antminer S19 XP", 2022.55, 21.5, "2021-11-15", "miningstore-s19-series"),
    ("Antminer S21", 2024.00, 17.5, "2023-09-01", "bitmain-antminer-specs"),
    ("Antminer S21 XP", 2024.75, 13.5, "2024-06-01", "bitmain-antminer-specs"),
    ("Antminer S23 Hydro", 2026.10, 9.7, "2025-10-01", "bitmain-antminer-specs"),
)


def year_of(day):
    """A date as a year fraction (mid-day)."""
    return day.year + (day.timetuple().tm_yday - 0.5) / 365.25


# ---- data -------------------------------------------------------------------------

class History:
    """The whole CSV: dates and the columns the method needs, consecutive days."""

    def __init__(self, path):
        import csv
        try:
            f = open(path, newline="", encoding="utf-8-sig")
        except OSError as e:
            raise FitError("%s: cannot open: %s" % (path, e.strerror))
        with f:
            rd = csv.reader(f)
            header = [h.strip() for h in next(rd, [])]
            for c in ("date",) + COLUMNS:
                if c not in header:
                    raise FitError("%s:1: %s: column missing from the header" % (path, c))
            idx = {h: i for i, h in enumerate(header)}
            dates, vals = [], {c: [] for c in COLUMNS}
            for line, row in enumerate(rd, start=2):
                if not row or all(not c.strip() for c in row):
                    continue
                try:
                    day = dt.date.fromisoformat(row[idx["date"]].strip())
                except (ValueError, IndexError):
                    raise FitError("%s:%d: date: not a date YYYY-MM-DD" % (path, line))
                if dates and day != dates[-1] + dt.timedelta(days=1):
                    raise FitError("%s:%d: date: %s follows %s: dates must be consecutive days"
                                   % (path, line, day, dates[-1]))
                dates.append(day)
                for c in COLUMNS:
                    try:
                        v = float(row[idx[c]])
                    except (ValueError, IndexError):
                        raise FitError("%s:%d: %s: not a number" % (path, line, c))
                    if not (v > 0 or (c == "fees_btc" and v >= 0)):
                        raise FitError("%s:%d: %s: must be positive" % (path, line, c))
                    vals[c].append(v)
        if len(dates) < 2 * 365:
            raise FitError("%s: %d days; the method needs at least two years" % (path, len(dates)))
        self.path = path
        self.dates = dates
        self.first = dates[0]
        for c in COLUMNS:
            setattr(self, c, np.array(vals[c]))
        self.hashprice = (self.subsidy_btc + self.fees_btc) * self.price_usd / \
            (self.difficulty * 2.0 ** 32 / 600.0 * 1e-15) / self.blocks * 144.0
        # 7-day trailing mean of hashrate (the back-test's "actual").
        c = np.concatenate([[0.0], np.cumsum(self.hashrate_ths)])
        i = np.arange(len(dates))
        lo = np.maximum(0, i - 6)
        self.h7 = (c[i + 1] - c[lo]) / (i + 1 - lo)

    def index(self, day):
        i = (day - self.first).days
        if i < 0 or i >= len(self.dates):
            raise FitError("%s: holds %s to %s, not %s" % (self.path, self.first, self.dates[-1], day))
        return i

    def height_after(self, i):
        """Block height at the end of day i: from the last halving day on
        or before i (its subsidy total splits its blocks between the two
        subsidies), plus the blocks of the days since."""
        per = self.subsidy_btc / self.blocks
        era = np.round(np.log2(50.0 / per)).astype(int)   # mixed days round to one side
        for k in range(i, 0, -1):
            s_old = 50.0 / 2 ** era[k - 1]
            s_new = s_old / 2
            if abs(per[k] - s_old) > 1e-9 * s_old:
                n_new = (self.blocks[k] * s_old - self.subsidy_btc[k]) / (s_old - s_new)
                if not (-0.5 < n_new < self.blocks[k] + 0.5):
                    raise FitError("%s: %s: subsidy_btc does not split into two subsidies"
                                   % (self.path, self.dates[k]))
                h = (era[k - 1] + 1) * 210000 + int(round(n_new))
                return h + int(round(self.blocks[k + 1:i + 1].sum()))
        raise FitError("%s: no halving on or before %s: the start height is unknown"
                       % (self.path, self.dates[i]))


# ---- the method -------------------------------------------------------------------

def flagships_known(cut):
    return [f for f in FLAGSHIPS if dt.date.fromisoformat(f[3]) <= cut]


def frontier_fit(cut):
    """(slope of ln J/TH per year, intercept) through the flagships
    announced by `cut`; needs two."""
    pts = flagships_known(cut)
    if len(pts) < 2:
        raise FitError("fewer than two flagships announced by %s: no frontier trend" % cut)
    t = np.array([p[1] for p in pts])
    y = np.log([p[2] for p in pts])
    b, a = np.polyfit(t, y, 1)
    return b, a


def delivered_at(t, cut):
    """Efficiency of the machines delivered at year t: the flagship of
    DELIVERY_LAG years before (buyers take last year's models as well as
    the newest)."""
    return flagship_at(t - DELIVERY_LAG, cut)


def flagship_at(t, cut):
    """Flagship efficiency at year t (log-linear between the flagships
    announced by `cut`, the fitted trend beyond them)."""
    pts = flagships_known(cut)
    ts = [p[1] for p in pts]
    if ts[0] <= t <= ts[-1]:
        return math.exp(np.interp(t, ts, np.log([p[2] for p in pts])))
    b, a = frontier_fit(cut)
    return math.exp(a + b * t)


def vintages(hist, i_end, cut, max_age_years):
    """Start cohorts on the day after i_end: [(J/TH, share of TH)], least
    efficient first, at most 16 (calendar years of additions)."""
    n_back = min(int(max_age_years * 365.25), i_end + 1 - BLOCK) // BLOCK
    if n_back < 1:
        raise FitError("%s: the start cohorts need hashrate history before %s"
                       % (hist.path, hist.dates[i_end]))
    i0 = i_end + 1 - n_back * BLOCK
    means = [hist.hashrate_ths[i0 + k * BLOCK - BLOCK:i0 + k * BLOCK].mean() for k in range(n_back + 1)]
    by_year = {}
    t0 = year_of(hist.dates[i0])
    by_year[hist.dates[i0].year - 1] = [means[0], means[0] * delivered_at(t0, cut)]
    for k in range(1, n_back + 1):
        add = means[k] - means[k - 1]
        if add <= 0:
            continue
        day = hist.dates[i0 + k * BLOCK - 1]
        e = delivered_at(year_of(day), cut)
        y = by_year.setdefault(day.year, [0.0, 0.0])
        y[0] += add
        y[1] += add * e
    coh = [(v[1] / v[0], v[0]) for v in by_year.values() if v[0] > 0]
    coh.sort(key=lambda c: -c[0])
    coh = coh[-16:]
    total = sum(c[1] for c in coh)
    return [(e, th / total) for e, th in coh]


def max_growth(hist, i0, i1):
    """Largest 365-day log growth of the 28-day mean hashrate in the window:
    the fastest the industry has added machines and sites."""
    c = np.concatenate([[0.0], np.cumsum(hist.hashrate_ths)])
    m = lambda i: (c[i + 1] - c[i + 1 - BLOCK]) / BLOCK
    return max(math.log(m(i + 365) / m(i)) for i in range(max(i0, BLOCK), i1 - 365 + 1))


# ---- engine runs --------------------------------------------------------------------

def find_hashpivot(explicit=None):
    cand = explicit or os.environ.get("HASHPIVOT") or \
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "hashpivot")
    if not os.access(cand, os.X_OK):
        raise FitError("%s: no hashpivot binary (build it, or give --hashpivot or $HASHPIVOT)" % cand)
    return cand


def fl(x):
    """A libconfig float literal: repr keeps every digit and always has a
    '.' or an exponent (a bare integer would be read as an int)."""
    return repr(float(x))


def start_settings(hist, i_start, cut, params, days):
    """Config lines for a run from day i_start (the state at the end of
    the day before), `days` long, with the fleet parameters `params`."""
    i_prev = i_start - 1
    coh = vintages(hist, i_prev, cut, params["max_age_years"])
    b, a = frontier_fit(cut)
    t = year_of(hist.dates[i_start])
    csv = os.path.abspath(hist.path)
    lines = [
        'time = { start_date = "%s"; horizon_years = %s; };' % (hist.dates[i_start], fl(days / 365.25)),
        'price = { model = "historical"; csv = "%s"; };' % csv,
        'fees = { model = "historical"; };',
        'miner = { in_network = false; };',
        'allocation = { fractions = [0.0]; };',
        'network = {',
        '  hashrate_model = "fleet"; csv = "%s";' % csv,
        # The difficulty in force at the end of the day before: the CSV's on
        # day i_start (a retarget inside day i_prev shows as a blend there).
        '  height0 = %dL; difficulty0 = %s; hashrate0_ehs = %s;'
        % (hist.height_after(i_prev), fl(hist.difficulty[i_start]), fl(hist.h7[i_prev] * 1e-6)),
        '  block_luck = %s;' % ("true" if params.get("block_luck") else "false"),
        '  fleet = {',
        '    cohort_j_th = [%s];' % ", ".join(fl(e) for e, _ in coh),
        '    cohort_share = [%s];' % ", ".join(fl(s) for _, s in coh),
        '    frontier_j_th = %s; frontier_gain = %s;' % (fl(math.exp(a + b * (t - DELIVERY_LAG))), fl(-b)),
    ]
    for k in ("kappa", "max_growth", "hashprice_drift", "noise_sd", "noise_days", "order_sd",
              "max_age_years"):
        lines.append('    %s = %s;' % (k, fl(params[k])))
    if params.get("noise_model", "ou") == "walk":
        lines.append('    noise_model = "walk"; walk_sd = %s;' % fl(params.get("walk_sd", 0.0)))
    if params.get("jump_rate", 0.0) > 0:
        # noise_model "jump" is the engine's OU plus its supply shocks.
        lines.append('    jump_rate = %s; jump_mean = %s; jump_sd = %s; jump_days = %s;'
                     % tuple(fl(params[k]) for k in ("jump_rate", "jump_mean", "jump_sd", "jump_days")))

    lines += ['  };', '};']
    return "\n".join(lines) + "\n"


def run_trace(binary, cfg_text, n_paths, seed=1):
    """Daily hashrate (H/s) and blocks of every path: ([paths, days], [paths, days], difficulty)."""
    with tempfile.TemporaryDirectory() as tmp:
        cfg = os.path.join(tmp, "run.cfg")
        out = os.path.join(tmp, "trace.npy")
        with open(cfg, "w") as f:
            f.write(cfg_text)
        p = subprocess.run([binary, "trace", cfg, "-o", out, "-n", str(n_paths), "-s", str(seed),
                            "-j", "1", "--quiet"], capture_output=True, text=True)
        if p.returncode != 0:
            raise FitError("hashpivot trace failed: %s" % (p.stderr.strip() or p.stdout.strip()))
        a = np.load(out)
        return a["chain0/hashrate"], a["chain0/blocks"], a["chain0/difficulty"]


def observed(hashrate, blocks, difficulty, block_luck):
    """The engine's hashrate as the CSV measures it, TH/s: blocks x
    difficulty x 2^32 / 86400 with block luck, the hashrate itself without."""
    if block_luck:
        return blocks * difficulty * 2.0 ** 32 / 86400.0 * 1e-12
    return hashrate * 1e-12


# ---- fits ---------------------------------------------------------------------------

def fit_starts(hist, i0, i1):
    """Start days of the in-sample runs: every 91 days from a year into the
    window to half a year before its end."""
    return list(range(i0 + 365, i1 - 182 + 1, 91))


def block_means(x, n):
    """Means of consecutive BLOCK-day blocks of the first n days (axis -1)."""
    k = n // BLOCK
    return x[..., :k * BLOCK].reshape(x.shape[:-1] + (k, BLOCK)).mean(axis=-1)


HORIZON = 730        # days of each in-sample run: the back-test's horizon
DELIVERY_LAG = 1.0   # years the delivered mix lags the flagship (assumption)
NOISE_DAYS = 365.0   # correlation time of the online multiplier (assumption)


def deterministic_errors(binary, hist, i0, i1, cut, params):
    """ln(simulated / actual) of the 28-day mean hashrate, per start (a list
    of arrays, one entry per block of up to two years)."""
    out = []
    p = dict(params, noise_sd=0.0, walk_sd=0.0, jump_rate=0.0, order_sd=0.0, block_luck=False)
    for s in fit_starts(hist, i0, i1):
        n = min(HORIZON, i1 + 1 - s)
        h, b, d = run_trace(binary, start_settings(hist, s, cut, p, n), 1)
        sim = block_means(observed(h, b, d, False)[0], n)
        act = block_means(hist.hashrate_ths[s:s + n], n)
        out.append(np.log(sim / act))
    return out


def golden(f, lo, hi, tol=0.02, max_iter=40):
    """Minimum of a unimodal f on [lo, hi] by golden-section search; returns (x, f(x))."""
    g = (math.sqrt(5) - 1) / 2
    a, b = lo, hi
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(max_iter):
        if b - a < tol:
            break
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = f(d)
    return (c, fc) if fc < fd else (d, fd)


def robust_sd(x):
    """1.4826 x the median absolute deviation: the sd of normal data,
    unmoved by a minority of outliers."""
    x = np.asarray(x)
    return 1.4826 * float(np.median(np.abs(x - np.median(x))))


# ---- the likelihood fit -------------------------------------------------------------
#
# The errors' density and the noise fit are in hp_fleet_noise (re-exported
# here); below, the buyers' drift g and kappa maximise the profiled
# likelihood plus a normal prior on g.

PRIOR_DRIFT = 0.0             # buyers expect no hashprice drift beyond the halvings (the null)
PRIOR_SDS = (0.03, 0.1, math.inf)   # candidate prior sds of g, chosen by cross-validation
CV_FOLDS = (1, 2)             # validation years: fits ending 1 and 2 years before the cut


KAPPA_BOUNDS = (0.05, 20.0)
DRIFT_BOUNDS = (-0.6, 0.8)


def drift_penalty(g, prior_sd):
    """The drift's prior term of the objective: -ln of a normal prior centred
    on PRIOR_DRIFT with sd prior_sd (inf: a flat prior, 0)."""
    return 0.0 if math.isinf(prior_sd) else 0.5 * ((g - PRIOR_DRIFT) / prior_sd) ** 2


def profile_point(binary, hist, i0, i1, cut, params):
    """The likelihood at params' (hashprice_drift, kappa) with the noise
    profiled out: the deterministic runs' errors on [i0, i1] and the noise
    fitted to them. Returns (negll, noise scales, nu, errors)."""
    errs = deterministic_errors(binary, hist, i0, i1, cut, params)
    s, nu, nll = fit_noise(errs, params["noise_days"], params.get("noise_model", "ou"),
                           params.get("jump_days"), params.get("jump_sign", "any"))
    return nll, s, nu, errs


def fit_drift_kappa(binary, hist, i0, i1, cut, params, prior_sd, say):
    """Maximum penalised likelihood of (hashprice_drift, kappa) on [i0, i1];
    returns (params with g, kappa, noise fitted, report)."""
    from scipy.optimize import minimize
    cache = {}

    def evaluate(x):
        key = (round(float(x[0]), 5), round(float(x[1]), 5))
        if key not in cache:
            p = dict(params, hashprice_drift=key[0], kappa=math.exp(key[1]))
            nll, s, nu, errs = profile_point(binary, hist, i0, i1, cut, p)
            cache[key] = (nll + drift_penalty(key[0], prior_sd), s, nu, errs)
        return cache[key]
    lo = np.array([DRIFT_BOUNDS[0], math.log(KAPPA_BOUNDS[0])])
    hi = np.array([DRIFT_BOUNDS[1], math.log(KAPPA_BOUNDS[1])])
    best = None
    # Two starts (no drift, and the growth of hashprice buyers saw in a boom),
    # each a wide simplex: the objective is continuous but not smooth (monthly
    # reviews, a tabulated cost curve), so the simplex must step over ripples.
    for x0 in ((PRIOR_DRIFT, 0.0), (0.2, math.log(3.0))):
        simplex = np.array([x0, (x0[0] + 0.15, x0[1]), (x0[0], x0[1] + 0.8)])
        r = minimize(lambda x: evaluate(x)[0], x0, method="Nelder-Mead", bounds=list(zip(lo, hi)),
                     options={"initial_simplex": simplex, "xatol": 0.02, "fatol": 0.1,
                              "maxfev": 60})
        if best is None or r.fun < best.fun:
            best = r
    obj, s, nu, errs = evaluate(best.x)
    g, kappa = round(float(best.x[0]), 5), math.exp(round(float(best.x[1]), 5))
    out = dict(params, hashprice_drift=g, kappa=kappa)
    # The fitted scales are the engine's noise parameters (V(t) is the
    # engine's variance from a start at 0), widened so that the normal
    # noise has the fitted Student-t's 5-95% band.
    out["noise_sd"] = noise_sd_for_band(s[0], nu)
    out["walk_sd"] = noise_sd_for_band(s[1], nu)
    jump = ""
    if params.get("noise_model") == "jump":
        # The errors are ln(simulated / actual), the multiplier's ln with its
        # sign turned: a shock that raises the error (a ban: the actual
        # falls) lowers the multiplier.
        out.update(jump_rate=s[2], jump_mean=-s[3], jump_sd=s[4], jump_days=params["jump_days"])
        jump = ", shocks %.3f/yr of %+.3f (sd %.3f) in ln of the multiplier" % (s[2], -s[3], s[4])
    e, _ = flat_errors(errs)
    say("  prior sd %s: drift %+.3f /yr, kappa %.3f /yr, scale %.3f, walk scale %.3f, nu %.1f, "
        "noise_sd %.3f, walk_sd %.3f%s; objective %.2f (%d engine evaluations); median |error| %.3f"
        % (prior_sd, g, kappa, s[0], s[1], nu, out["noise_sd"], out["walk_sd"], jump, obj, len(cache),
           float(np.median(np.abs(e)))))
    return out, {"objective": obj, "scale": s[0], "walk_scale": s[1], "nu": nu, "noise": list(s),
                 "median_abs_error": float(np.median(np.abs(e))), "evaluations": len(cache)}


def first_halving(hist):
    """Index of the CSV's first day with a halving (a change of the subsidy per block)."""
    per = hist.subsidy_btc / hist.blocks
    k = np.nonzero(np.abs(np.diff(per)) > 1e-9 * per[1:])[0]
    if len(k) == 0:
        raise FitError("%s: no halving in the CSV: start heights are unknown" % hist.path)
    return int(k[0]) + 1


def cv_prior_sd(binary, hist, i0, i1, cut, params, fit_days, say):
    """The prior sd of the buyers' drift by forward cross-validation before
    the cut: for each fold k in CV_FOLDS, fit on the fit_days ending k years
    before the cut, then score (Student-t negll, the fold's own s and nu) the
    deterministic runs from the origins of the following year(s), every 91
    days up to half a year before the cut, never past the cut. Returns
    (best prior sd, {prior sd: summed validation negll})."""
    scores = {sd: 0.0 for sd in PRIOR_SDS}
    for k in CV_FOLDS:
        j1 = i1 - int(round(k * 365.25))
        # The first origin (a year into the window) needs a known height:
        # after the CSV's first halving day.
        j0 = max(j1 - fit_days, first_halving(hist) + 1 - 365)
        t_end = hist.dates[j1]
        if j1 - j0 < 2 * 365:
            say("  fold ending %s: less than two years after the CSV's first halving, skipped" % t_end)
            continue
        if len(flagships_known(t_end)) < 2:
            say("  fold ending %s: fewer than two flagships announced, no frontier: skipped" % t_end)
            continue
        starts = list(range(j1 + 1, i1 - 182 + 1, 91))
        fold = dict(params, max_growth=max_growth(hist, j0, j1))
        for sd in PRIOR_SDS:
            p, rep = fit_drift_kappa(binary, hist, j0, j1, t_end, fold, sd, say)
            errs = []
            for st in starts:
                n = min(HORIZON, i1 + 1 - st)
                q = dict(p, noise_sd=0.0, walk_sd=0.0, jump_rate=0.0, order_sd=0.0, block_luck=False)
                h, b, d = run_trace(binary, start_settings(hist, st, cut, q, n), 1)
                sim = block_means(observed(h, b, d, False)[0], n)
                errs.append(np.log(sim / block_means(hist.hashrate_ths[st:st + n], n)))
            e, t = flat_errors(errs)
            v = t_negll(e, t, rep["noise"], rep["nu"], p.get("noise_model", "ou"), p["noise_days"],
                        p.get("jump_days"))
            scores[sd] += v
            say("  fold %s..%s, prior sd %s: validation negll %.2f on %d starts"
                % (hist.dates[j0], t_end, sd, v, len(starts)))
    best = min(PRIOR_SDS, key=lambda sd: (scores[sd], sd))
    return best, scores


def base_params(noise_model="ou", jump_days=JUMP_DAYS, jump_sign="any"):
    """The fit's starting parameters for a noise model: the fixed ones
    (max_age_years 8, no order noise), the noise's correlation time and,
    for "jump", the shocks' decay time and sign; the caller sets
    max_growth from its window and the searched (hashprice_drift, kappa)."""
    params = {"max_age_years": 8.0, "kappa": 0.5, "max_growth": 1.5, "hashprice_drift": 0.0,
              "noise_sd": 0.0, "noise_days": NOISE_DAYS, "order_sd": 0.0,
              "noise_model": noise_model, "walk_sd": 0.0}
    if noise_model == "walk":
        params["noise_days"] = WALK_OU_DAYS
    elif noise_model == "jump":
        if not 1.0 <= jump_days <= 1e5:
            raise FitError("jump_days %g: must be in [1, 1e5] days" % jump_days)
        if jump_sign not in JUMP_SIGNS:
            raise FitError("jump sign '%s': %s" % (jump_sign, " or ".join(JUMP_SIGNS)))
        params.update(jump_rate=0.0, jump_mean=0.0, jump_sd=0.0, jump_days=float(jump_days),
                      jump_sign=jump_sign)
    elif noise_model != "ou":
        raise FitError("noise model '%s': %s" % (noise_model, " or ".join(NOISE_MODELS)))
    return params


def fit(hist_path, d0, d1, binary=None, defaults=None, log=None, method="likelihood",
        noise_model="ou", prior_sd=None, jump_days=JUMP_DAYS, jump_sign="any"):
    """Fits the fleet model on [d0, d1]; returns (params, report).
    method "likelihood" (the default, module docstring) or "grid" (the
    earlier grid search on the median |error|, kept to reproduce its
    published numbers). noise_model "ou" or "walk" (the likelihood's V(t);
    "walk" with noise_days WALK_OU_DAYS) or "jump" (the OU plus supply shocks,
    jump_negll). prior_sd: the drift's prior sd, given instead of chosen by
    cross-validation (None: cross-validated, the method). jump_days: the
    decay time of a supply shock, days (noise_model "jump"; an assumption,
    not fitted). jump_sign: "any" (the default, unconstrained) or "down" for
    shocks that only lower the hashrate online (jump_mean <= 0;
    fit_jump_noise; docs/network.md gives both back-tests)."""
    say = log or (lambda *a: None)
    hist = History(hist_path)
    i0, i1 = hist.index(d0), hist.index(d1)
    if i1 - i0 < 2 * 365:
        raise FitError("window %s to %s: the fleet fit needs at least two years" % (d0, d1))
    binary = find_hashpivot(binary)
    params = base_params(noise_model, jump_days, jump_sign)
    if method == "grid" and noise_model != "ou":
        raise FitError("the grid method fits the OU noise only")
    params.update(defaults or {})
    params["max_growth"] = max_growth(hist, i0, i1)
    say("max growth %.3f /yr" % params["max_growth"])
    if method == "grid":
        return fit_grid(binary, hist, i0, i1, d1, params, say)
    if method != "likelihood":
        raise FitError("fleet fit method '%s': likelihood or grid" % method)
    if prior_sd is None:
        prior_sd, scores = cv_prior_sd(binary, hist, i0, i1, d1, params, i1 - i0, say)
        say("cross-validation: prior sd of the buyers' drift %s" % prior_sd)
    else:
        scores = {}
        say("prior sd of the buyers' drift %s, given (no cross-validation)" % prior_sd)
    params, rep = fit_drift_kappa(binary, hist, i0, i1, d1, params, prior_sd, say)
    b, a = frontier_fit(d1)
    report = dict(rep, method="likelihood", prior_sd=prior_sd,
                  cv_scores={str(k): v for k, v in scores.items()},
                  frontier_slope=b,
                  frontier_at_end=math.exp(a + b * (year_of(d1 + dt.timedelta(days=1)) - DELIVERY_LAG)),
                  cohorts_at_end=vintages(hist, i1, d1, params["max_age_years"]),
                  flagships=[f[0] for f in flagships_known(d1)])
    return params, report


def fit_grid(binary, hist, i0, i1, d1, params, say):
    """The earlier method (steps 4 and 5 of the grid fit, docs/network.md)."""
    def mad(p):
        return float(np.median(np.abs(np.concatenate(deterministic_errors(binary, hist, i0, i1, d1, p)))))
    best = None
    for drift in np.arange(-0.30, 0.451, 0.075):
        lk, e = golden(lambda lk: mad(dict(params, hashprice_drift=drift, kappa=math.exp(lk))),
                       math.log(0.05), math.log(20.0), tol=0.1)
        say("  hashprice drift %+.3f: kappa %.3f, median |error| %.4f" % (drift, math.exp(lk), e))
        if best is None or e < best[0]:
            best = (e, float(drift), math.exp(lk))
    params["hashprice_drift"], params["kappa"] = best[1], best[2]
    errs = deterministic_errors(binary, hist, i0, i1, d1, params)
    year = [e[min(len(e), 365 // BLOCK) - 1] for e in errs]
    target = robust_sd(year)
    # An OU started at 0 has sd noise_sd sqrt(1 - exp(-2 t / tau)) at time t.
    params["noise_sd"] = target / math.sqrt(-math.expm1(-2 * 365.0 / params["noise_days"]))
    say("hashprice drift %+.3f /yr, kappa %.4f /yr: median |error of ln H| %.4f; robust sd a year "
        "ahead %.4f: noise_sd %.4f" % (params["hashprice_drift"], params["kappa"], best[0], target,
                                       params["noise_sd"]))
    b, a = frontier_fit(d1)
    report = {"median_abs_error": best[0], "robust_sd_12m": target, "n_starts": len(errs),
              "frontier_slope": b,
              "frontier_at_end": math.exp(a + b * (year_of(d1 + dt.timedelta(days=1)) - DELIVERY_LAG)),
              "cohorts_at_end": vintages(hist, i1, d1, params["max_age_years"]),
              "flagships": [f[0] for f in flagships_known(d1)], "method": "grid"}
    return params, report
