#!/usr/bin/python3
"""Fit hashpivot's price and hashrate-trend parameters to a daily history CSV.

usage: calibrate.py CSV --from YYYY-MM-DD --to YYYY-MM-DD [-o FRAGMENT]
                    [--model NAME] [--groups price,network] [--hash-window DAYS]
                    [--sigma-long VOL] [--implied-vol VOL] [--sets] [--quiet]

CSV has the layout of the daily history (docs/sources.md#history-data: header
with at least date and price_usd; hashrate_ths for the network fit), one row
per calendar day. Time is in years of 365.25 days: a daily step is
dt = 1/365.25. Fits, each with standard errors:

  gbm      mu, sigma from the mean and variance of daily log returns
           (mu is the drift of E[S]: mu = mean/dt + sigma^2/2)
  merton   maximum likelihood of the Poisson mixture of normals (diffusion
           sigma, jump intensity lambda per year, log jump mean and sd),
           Nelder-Mead on unconstrained parameters, SEs from the numerical
           Hessian of the log-likelihood
  garch    GARCH(1,1) on r_t = mu dt - h_t/2 + sqrt(h_t) z_t (the model's own
           form), Gaussian maximum likelihood, same optimiser and SEs;
           reported as alpha, beta, sigma_long (annualized long-run vol) and
           sigma0 (annualized conditional vol on the day after the window).
           The default model (configs/default.cfg) anchors the volatility to
           the market: --sigma-long VOL fixes the long-run level (variance
           targeting: omega = VOL^2 dt (1 - alpha - beta), alpha and beta
           fitted given it) and --implied-vol VOL writes sigma0 = VOL, today's
           implied volatility, instead of the window's filtered value
  network  trend of ln hashrate: non-overlapping means of DAYS days (default
           28: the daily series is an estimate from one day's blocks, its
           noise swamps the daily signal), increments annualized and
           corrected for averaging (a daily-observed GBM gives back its own
           g and sigma for any DAYS; DAYS = 1 uses the raw daily data)
  fleet    (only when named in --fits) the fleet hashrate model
           (network.hashrate_model = "fleet", docs/network.md): frontier
           efficiency from the Bitmain flagships announced by --to, start
           cohorts from the rise of hashrate, the growth cap from the
           fastest one-year growth; then the buyers' hashprice drift g,
           kappa and the online noise jointly, by maximum likelihood of the
           in-sample errors of two-year engine runs from rolling origins in
           the window (a Student-t whose scale grows with the horizon as
           the engine's noise does; scale and tails fitted), with a normal
           prior on g centred on 0 whose sd is chosen by forward
           cross-validation on data before --to (scipy's Nelder-Mead: a
           continuous optimisation, not a grid). --fleet-method grid gives
           the earlier grid search on the median |error|. The method is
           scripts/hp_fleet.py's docstring; it runs the engine
           (build/hashpivot, or --hashpivot) and needs the columns
           difficulty, blocks, subsidy_btc, fees_btc, and scipy. Written
           under network.fleet: the start cohorts and frontier are those of
           the day after --to.

With a difficulty column, the summary also prints the realised trend of
hashprice beyond the halvings over the window (least-squares slope of
ln(price / difficulty) a year), to set beside the fleet's fitted buyers'
drift, which is an expectation of that same quantity.

Writes a libconfig fragment (stdout or -o) with the groups `price` (every
price key: model, s0_usd = last close, mu, sigma and the merton and garch
subgroups) and `network` (growth, sigma), standard errors as comments.
`hashpivot validate FRAGMENT` accepts it alone; to combine it with a
scenario, @include it from a config that does not define those groups
(--groups picks which to write), or pass --sets to print the same values as
`--set key=value` arguments. Needs only numpy.
"""

import argparse
import csv
import datetime as _dt
import math
import sys

import numpy as np

DT = 1.0 / 365.25
KMAX = 40          # most Poisson terms kept in the Merton density


def die(msg):
    sys.stderr.write("calibrate.py: %s\n" % msg)
    sys.exit(1)


# ---- data -------------------------------------------------------------------

def read_csv(path, d0, d1):
    """Rows of [d0, d1] as (dates, {column: array}); checks consecutive days."""
    try:
        f = open(path, newline="", encoding="utf-8-sig")
    except OSError as e:
        die("%s: cannot open: %s" % (path, e.strerror))
    with f:
        rd = csv.reader(f)
        header = next(rd, None)
        if header is None or "date" not in [h.strip() for h in header]:
            die("%s:1: date: no header with a 'date' column" % path)
        header = [h.strip() for h in header]
        idx = {h: i for i, h in enumerate(header)}
        dates, cols = [], {h: [] for h in header if h != "date"}
        prev = None
        for line, row in enumerate(rd, start=2):
            if not row or all(not c.strip() for c in row):
                continue
            if len(row) != len(header):
                die("%s:%d: %d fields, the header has %d" % (path, line, len(row), len(header)))
            try:
                day = _dt.date.fromisoformat(row[idx["date"]].strip())
            except ValueError:
                die("%s:%d: date: '%s' is not a date YYYY-MM-DD" % (path, line, row[idx["date"]]))
            if prev is not None and day != prev + _dt.timedelta(days=1):
                die("%s:%d: date: %s follows %s: dates must be consecutive days"
                    % (path, line, day, prev))
            prev = day
            if day < d0 or day > d1:
                continue
            dates.append(day)
            for h in cols:
                cols[h].append(row[idx[h]].strip())
    if not dates:
        die("%s: no rows between %s and %s" % (path, d0, d1))
    if dates[0] != d0 or dates[-1] != d1:
        die("%s: holds %s to %s of the requested %s to %s"
            % (path, dates[0], dates[-1], d0, d1))
    out = {}
    for h in ("price_usd", "hashrate_ths", "difficulty"):
        if h in cols:
            try:
                v = np.array([float(x) for x in cols[h]])
            except ValueError:
                die("%s: %s: a value is not a number" % (path, h))
            if not np.all(np.isfinite(v) & (v > 0)):
                die("%s: %s: values must be positive numbers" % (path, h))
            out[h] = v
    if "price_usd" not in out:
        die("%s:1: price_usd: column missing from the header" % path)
    return dates, out


# ---- optimisation -------------------------------------------------------------

def nelder_mead(f, x0, step, ftol=1e-6, xtol=1e-6, max_iter=5000):
    """Minimises f from x0 (Nelder-Mead, standard coefficients) until the
    simplex spans less than ftol in f and xtol in x; restarts once from the
    optimum with a smaller simplex, against a collapsed simplex."""
    x0 = np.asarray(x0, float)
    for _ in range(2):
        n = len(x0)
        simplex = [x0] + [x0 + step * e for e in np.eye(n)]
        fv = [f(x) for x in simplex]
        for _ in range(max_iter):
            order = np.argsort(fv)
            simplex = [simplex[i] for i in order]
            fv = [fv[i] for i in order]
            if fv[-1] - fv[0] <= ftol and \
               max(np.max(np.abs(s - simplex[0])) for s in simplex) < xtol:
                break
            c = np.mean(simplex[:-1], axis=0)
            xr = c + (c - simplex[-1])
            fr = f(xr)
            if fr < fv[0]:
                xe = c + 2 * (c - simplex[-1])
                fe = f(xe)
                simplex[-1], fv[-1] = (xe, fe) if fe < fr else (xr, fr)
            elif fr < fv[-2]:
                simplex[-1], fv[-1] = xr, fr
            else:
                xc = c + 0.5 * (simplex[-1] - c) if fr >= fv[-1] else c + 0.5 * (xr - c)
                fc = f(xc)
                if fc < min(fr, fv[-1]):
                    simplex[-1], fv[-1] = xc, fc
                else:
                    simplex = [simplex[0]] + [simplex[0] + 0.5 * (s - simplex[0])
                                              for s in simplex[1:]]
                    fv = [fv[0]] + [f(s) for s in simplex[1:]]
        best = int(np.argmin(fv))
        x0 = simplex[best]
        step = step * 0.1
    return x0


def hessian(f, x, rel=1e-4):
    """Central-difference Hessian of f at x."""
    x = np.asarray(x, float)
    n = len(x)
    h = rel * np.maximum(np.abs(x), 1e-3)
    H = np.empty((n, n))
    for i in range(n):
        for j in range(i, n):
            ei = np.zeros(n)
            ej = np.zeros(n)
            ei[i] = h[i]
            ej[j] = h[j]
            v = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (4 * h[i] * h[j])
            H[i, j] = H[j, i] = v
    return H


def covariance(negll, x):
    """Inverse Hessian of the negative log-likelihood (asymptotic covariance)."""
    H = hessian(negll, x)
    try:
        C = np.linalg.inv(H)
    except np.linalg.LinAlgError:
        return np.full((len(x), len(x)), np.nan)
    return C


# ---- fits ---------------------------------------------------------------------

def fit_gbm(r):
    n = len(r)
    m, v = r.mean(), r.var(ddof=1)
    sigma2 = v / DT
    se_sigma2 = sigma2 * math.sqrt(2.0 / (n - 1))
    mu = m / DT + 0.5 * sigma2
    se_mu = math.sqrt(v / n / DT ** 2 + (0.5 * se_sigma2) ** 2)
    sigma = math.sqrt(sigma2)
    return {"mu": (mu, se_mu), "sigma": (sigma, sigma / math.sqrt(2.0 * (n - 1)))}


def merton_negll(theta, r):
    """theta = (a, sigma, lambda, jm, js): a = daily drift of ln S between jumps."""
    a, sigma, lam, jm, js = theta
    if sigma <= 0 or lam < 0 or js <= 0:
        return 1e300
    m = lam * DT
    # Terms up to the first k with P(N > k) < 1e-13 (k >= 4).
    kmax, p, cdf = 0, math.exp(-m), math.exp(-m)
    while kmax < KMAX and (kmax < 4 or 1 - cdf > 1e-13):
        kmax += 1
        p *= m / kmax
        cdf += p
    k = np.arange(kmax + 1)
    logw = -m + k * math.log(m) - np.array([math.lgamma(i + 1) for i in k]) if m > 0 \
        else np.where(k == 0, 0.0, -np.inf)
    var = sigma * sigma * DT + k * js * js
    mean = a + k * jm
    z = r[:, None] - mean[None, :]
    lp = logw[None, :] - 0.5 * np.log(2 * math.pi * var)[None, :] - 0.5 * z * z / var[None, :]
    mx = lp.max(axis=1)
    ll = mx + np.log(np.exp(lp - mx[:, None]).sum(axis=1))
    return -float(ll.sum())


def fit_merton(r, lam_max):
    """MLE with lambda <= lam_max per year; starting points from the
    moments, the best of a few jump sizes."""
    sd = r.std()
    best = None

    def lam_of(u2):
        return lam_max / (1 + math.exp(-u2))

    for lam0, js0 in ((5.0, 3 * sd), (30.0, 1.5 * sd), (200.0, sd)):
        lam0 = min(lam0, 0.5 * lam_max)
        u0 = np.array([r.mean() / sd, math.log(0.7 * sd / math.sqrt(DT)),
                       math.log(lam0 / (lam_max - lam0)), 0.0, math.log(js0)])

        def f(u):
            return merton_negll((u[0] * sd, math.exp(u[1]), lam_of(u[2]), u[3] * sd,
                                 math.exp(u[4])), r)
        u = nelder_mead(f, u0, np.array([0.1, 0.1, 0.3, 0.3, 0.2]))
        val = f(u)
        if best is None or val < best[0]:
            best = (val, u)
    u = best[1]
    theta = np.array([u[0] * sd, math.exp(u[1]), lam_of(u[2]), u[3] * sd, math.exp(u[4])])
    C = covariance(lambda t: merton_negll(t, r), theta)
    se = np.sqrt(np.abs(np.diag(C)))
    a, sigma, lam, jm, js = theta
    kappa = math.expm1(jm + 0.5 * js * js)
    mu = a / DT + 0.5 * sigma * sigma + lam * kappa
    # delta method for mu = a/dt + sigma^2/2 + lam (e^(jm + js^2/2) - 1)
    g = np.array([1 / DT, sigma, kappa, lam * (kappa + 1), lam * (kappa + 1) * js])
    se_mu = math.sqrt(max(float(g @ C @ g), 0.0))
    return {"mu": (mu, se_mu), "sigma": (sigma, se[1]), "lambda": (lam, se[2]),
            "jump_mean": (jm, se[3]), "jump_sd": (js, se[4]), "negll": best[0]}


def garch_filter(theta, r, h1):
    """Residuals eps_t and variances h_t (h has one more: the day after).
    A plain-float loop: numpy element access would be several times slower."""
    c, omega, alpha, beta = (float(v) for v in theta)
    rl = r.tolist() if isinstance(r, np.ndarray) else r
    h = [float(h1)]
    eps = []
    ht = float(h1)
    for rt in rl:
        e = rt - c + 0.5 * ht
        eps.append(e)
        ht = omega + alpha * e * e + beta * ht
        h.append(ht)
    return np.array(eps), np.array(h)


def garch_negll(theta, r, h1):
    c, omega, alpha, beta = theta
    if omega <= 0 or alpha < 0 or beta < 0 or alpha + beta >= 1:
        return 1e300
    eps, h = garch_filter(theta, r, h1)
    hh = h[:-1]
    return float(0.5 * np.sum(np.log(2 * math.pi * hh) + eps * eps / hh))


def fit_garch(r, sigma_long=None):
    """GARCH(1,1) MLE; with sigma_long (annualized) the long-run variance is
    fixed (variance targeting) and omega follows alpha + beta."""
    v = r.var()
    h1 = v
    target = sigma_long ** 2 * DT if sigma_long is not None else None

    def unpack(u):
        p = 1 / (1 + math.exp(-u[2]))          # alpha + beta in (0, 1)
        s = 1 / (1 + math.exp(-u[3]))          # alpha share
        level = target if target is not None else v * math.exp(u[1])
        return np.array([u[0] * math.sqrt(v), level * (1 - p), p * s, p * (1 - s)])

    best = None
    for p0, s0 in ((0.95, 0.1), (0.9, 0.2), (0.98, 0.05)):
        u0 = np.array([r.mean() / math.sqrt(v), 0.0, math.log(p0 / (1 - p0)), math.log(s0 / (1 - s0))])
        u = nelder_mead(lambda x: garch_negll(unpack(x), r, h1), u0,
                        np.array([0.05, 0.2, 0.5, 0.5]))
        val = garch_negll(unpack(u), r, h1)
        if best is None or val < best[0]:
            best = (val, u)
    theta = unpack(best[1])
    if target is None:
        C = covariance(lambda t: garch_negll(t, r, h1), theta)
    else:
        # omega is tied to alpha + beta: the free parameters are (c, alpha, beta).
        def negll3(t3):
            return garch_negll(np.array([t3[0], target * (1 - t3[1] - t3[2]), t3[1], t3[2]]), r, h1)
        C3 = covariance(negll3, theta[[0, 2, 3]])
        C = np.zeros((4, 4))
        idx = [0, 2, 3]
        for i in range(3):
            for j in range(3):
                C[idx[i], idx[j]] = C3[i, j]
    se = np.sqrt(np.abs(np.diag(C)))
    c, omega, alpha, beta = theta
    pers = 1 - alpha - beta
    sl2 = omega / pers / DT
    # delta method for sigma_long = sqrt(omega / (1 - alpha - beta) / dt)
    sl = math.sqrt(sl2)
    g = np.array([0.0, 1 / (pers * DT), omega / (pers ** 2 * DT), omega / (pers ** 2 * DT)]) / (2 * sl)
    se_sl = math.sqrt(max(float(g @ C @ g), 0.0)) if target is None else float("nan")
    _, h = garch_filter(theta, r, h1)
    return {"mu": (c / DT, se[0] / DT), "alpha": (alpha, se[2]), "beta": (beta, se[3]),
            "sigma_long": (sl, se_sl), "sigma0": (math.sqrt(h[-1] / DT), float("nan")),
            "negll": best[0]}


def hashprice_trend(P, D):
    """Realised drift of hashprice beyond the halvings over the window.

    Hashprice at difficulty D is P (subsidy + fees per block) x 86400 x
    10^15 / (D 2^32) USD per PH/s per day, so with the block reward held
    fixed (what the fleet's buyers' drift network.fleet.hashprice_drift
    scales, beside the subsidy schedule they know) it moves as P / D.
    Returns the least-squares slope of ln(P / D) on time, per year: the
    drift the buyers would have seen had they extrapolated the window."""
    y = np.log(P) - np.log(D)
    t = np.arange(len(y)) * DT
    return float(np.polyfit(t, y, 1)[0])


def fit_hashrate(H, window):
    """g, sigma of ln H += (g - sigma^2/2) dt + sigma sqrt(dt) Z from
    non-overlapping `window`-day means of H."""
    n = len(H) // window
    if n < 3:
        die("hashrate: fewer than 3 windows of %d days" % window)
    m = np.log(H[:n * window].reshape(n, window).mean(axis=1))
    d = np.diff(m)
    # Increments of block means of a daily random walk have variance
    # sigma^2 dt (2 W^2 + 1) / (3 W) (not sigma^2 dt W) and lag-1
    # correlation (W^2 - 1) / (2 (2 W^2 + 1)).
    w = float(window)
    scale = DT * (2 * w * w + 1) / (3 * w)
    rho1 = (w * w - 1) / (2 * (2 * w * w + 1))
    s2 = d.var(ddof=1) / scale
    s = math.sqrt(s2)
    k = len(d)
    years = (len(H) - 1) * DT
    g = d.mean() / (w * DT) + 0.5 * s2
    se_s = s / math.sqrt(2.0 * k) * math.sqrt(1 + 2 * rho1 * rho1)
    return {"growth": (g, s / math.sqrt(years)), "sigma": (s, se_s),
            "log_growth": (g - 0.5 * s2, s / math.sqrt(years))}


# ---- output -------------------------------------------------------------------

def fmt(v):
    return "%.6g" % v if abs(v) >= 1e-4 or v == 0 else "%.6e" % v


def fl(v):
    """A libconfig float literal (always with a '.' or exponent)."""
    s = fmt(v)
    return s if any(c in s for c in ".eEn") else s + ".0"


def se_note(se):
    return "se %s" % fmt(se) if se == se else "no se"


def fragment(args, fits, s0):
    out = []
    gbm, mer, gar = fits["gbm"], fits.get("merton"), fits.get("garch")
    out.append("# hashpivot calibration: scripts/calibrate.py %s --from %s --to %s"
               % (args.csv, args.d0, args.d1))
    out.append("# %d daily log returns, dt = 1/365.25 yr; standard errors (asymptotic) in comments."
               % fits["n"])
    out.append("# mu is the history's drift of E[S] (its se shows how little it says about the future).")
    if "price" in args.groups:
        out.append("price = {")
        out.append('  model = "%s";' % args.model)
        out.append("  s0_usd = %s;            # last close in the window" % fl(s0))
        out.append("  mu = %s;                # %s (gbm fit)" % (fl(gbm["mu"][0]), se_note(gbm["mu"][1])))
        out.append("  sigma = %s;             # %s" % (fl(gbm["sigma"][0]), se_note(gbm["sigma"][1])))
        if mer is not None:
            out.append("  merton = {")
            for k in ("sigma", "lambda", "jump_mean", "jump_sd"):
                note = se_note(mer[k][1])
                if k == "lambda" and mer[k][0] >= 0.999 * args.merton_lambda_max:
                    note = "at the --merton-lambda-max bound: se not valid"
                out.append("    %s = %s;   # %s" % (k, fl(mer[k][0]), note))
            out.append("  };                      # merton fit of mu: %s (%s)"
                       % (fmt(mer["mu"][0]), se_note(mer["mu"][1])))
        if gar is not None:
            out.append("  garch = {")
            for k in ("alpha", "beta"):
                out.append("    %s = %s;   # %s" % (k, fl(gar[k][0]), se_note(gar[k][1])))
            if args.sigma_long is not None:
                out.append("    sigma_long = %s;   # given (--sigma-long): alpha, beta fitted with it"
                           % fl(gar["sigma_long"][0]))
            else:
                out.append("    sigma_long = %s;   # %s" % (fl(gar["sigma_long"][0]),
                                                         se_note(gar["sigma_long"][1])))
            if args.implied_vol is not None:
                out.append("    sigma0 = %s;   # given (--implied-vol); filtered at the window's end: %s"
                           % (fl(args.implied_vol), fmt(gar["sigma0"][0])))
            else:
                out.append("    sigma0 = %s;   # conditional vol on the day after the window"
                           % fl(gar["sigma0"][0]))
            out.append("  };                      # garch fit of mu: %s (%s)"
                       % (fmt(gar["mu"][0]), se_note(gar["mu"][1])))
        out.append("};")
    if "network" in args.groups and ("network" in fits or "fleet" in fits):
        out.append("network = {")
        if "network" in fits:
            net = fits["network"]
            out.append("  growth = %s;   # %s; log growth g - sigma^2/2 = %s" % (
                fl(net["growth"][0]), se_note(net["growth"][1]), fmt(net["log_growth"][0])))
            out.append("  sigma = %s;    # %s; from %d-day means of hashrate_ths" % (
                fl(net["sigma"][0]), se_note(net["sigma"][1]), args.hash_window))
        if "fleet" in fits:
            out.append("  fleet = {                 # scripts/hp_fleet.py on the window; the start")
            out.append("                            # cohorts and frontier are those of the day after it")
            for k, v in fleet_keys(fits["fleet"]):
                out.append("    %s = %s;" % (k, v))
            out.append("  };")
        out.append("};")
    return "\n".join(out) + "\n"


def fleet_keys(fleet):
    """(key, libconfig value) of the fleet fit, under network.fleet."""
    p, rep = fleet
    coh = rep["cohorts_at_end"]
    kv = [("cohort_j_th", "[%s]" % ", ".join(fl(e) for e, _ in coh)),
          ("cohort_share", "[%s]" % ", ".join(fl(x) for _, x in coh)),
          ("frontier_j_th", fl(rep["frontier_at_end"])), ("frontier_gain", fl(-rep["frontier_slope"]))]
    kv += [(k, fl(p[k])) for k in ("kappa", "max_growth", "hashprice_drift", "noise_sd", "noise_days",
                                   "order_sd", "max_age_years")]
    if p.get("noise_model", "ou") == "walk":
        kv += [("noise_model", '"walk"'), ("walk_sd", fl(p["walk_sd"]))]
    if p.get("jump_rate", 0.0) > 0:
        kv += [(k, fl(p[k])) for k in ("jump_rate", "jump_mean", "jump_sd", "jump_days")]
    return kv


def sets(args, fits, s0):
    gbm, mer, gar = fits["gbm"], fits.get("merton"), fits.get("garch")
    kv = []
    if "price" in args.groups:
        kv += [("price.model", '"%s"' % args.model), ("price.s0_usd", fl(s0)),
               ("price.mu", fl(gbm["mu"][0])), ("price.sigma", fl(gbm["sigma"][0]))]
        if mer is not None:
            kv += [("price.merton." + k, fl(mer[k][0]))
                   for k in ("sigma", "lambda", "jump_mean", "jump_sd")]
        if gar is not None:
            kv += [("price.garch." + k, fl(gar[k][0])) for k in ("alpha", "beta", "sigma_long")]
            kv += [("price.garch.sigma0",
                    fl(args.implied_vol if args.implied_vol is not None else gar["sigma0"][0]))]
    if "network" in args.groups and "network" in fits:
        kv += [("network.growth", fl(fits["network"]["growth"][0])),
               ("network.sigma", fl(fits["network"]["sigma"][0]))]
    if "network" in args.groups and "fleet" in fits:
        kv += [("network.fleet." + k, v) for k, v in fleet_keys(fits["fleet"])]
    return " ".join("--set '%s=%s'" % (k, v) for k, v in kv) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("csv")
    ap.add_argument("--from", dest="d0", required=True, help="first day YYYY-MM-DD")
    ap.add_argument("--to", dest="d1", required=True, help="last day YYYY-MM-DD")
    ap.add_argument("-o", "--output", help="write the libconfig fragment here (default stdout)")
    ap.add_argument("--model", default="garch",
                    choices=["gbm", "merton", "regime", "garch", "bootstrap", "historical"],
                    help="price.model written in the fragment (default garch, the default model)")
    ap.add_argument("--sigma-long", type=float, default=None,
                    help="garch: fix the long-run annualized volatility (variance targeting) "
                         "and fit alpha, beta given it")
    ap.add_argument("--implied-vol", type=float, default=None,
                    help="garch: write sigma0 = this annualized implied volatility (today's "
                         "market level) instead of the window's filtered value")
    ap.add_argument("--groups", default="price,network",
                    help="comma-separated groups to write: price, network")
    ap.add_argument("--hash-window", type=int, default=28,
                    help="days per hashrate mean (default 28; 1 = raw daily)")
    ap.add_argument("--merton-lambda-max", type=float, default=365.25,
                    help="upper bound of the jump intensity per year (default 365.25; "
                         "a small bound such as 12 fits rare large jumps)")
    ap.add_argument("--fits", default="gbm,merton,garch,network",
                    help="comma-separated fits to run (default: gbm,merton,garch,network); "
                         "gbm is always run; fleet (the fleet hashrate model, which runs the "
                         "engine: minutes) is run only when named")
    ap.add_argument("--hashpivot", help="fleet: the hashpivot binary (default build/hashpivot "
                    "or $HASHPIVOT)")
    ap.add_argument("--fleet-method", default="likelihood", choices=["likelihood", "grid"],
                    help="fleet: the fit method (default likelihood; grid is the earlier grid "
                    "search on the median |error|)")
    ap.add_argument("--fleet-noise", default="ou", choices=["ou", "walk", "jump"],
                    help="fleet: the noise structure fitted (network.fleet.noise_model; default ou, "
                    "walk = a random walk plus a 30-day OU, its variance growing with the horizon, "
                    "jump = the OU plus transient supply shocks, network.fleet.jump_*)")
    ap.add_argument("--fleet-jump-sign", default="any", choices=["any", "down"],
                    help="fleet, --fleet-noise jump: 'down' constrains the supply shocks to lower "
                    "the hashrate online (jump_mean <= 0); default any (unconstrained)")
    ap.add_argument("--sets", action="store_true",
                    help="print --set arguments instead of a fragment")
    ap.add_argument("--quiet", action="store_true", help="no summary on stderr")
    args = ap.parse_args(argv)
    try:
        d0 = _dt.date.fromisoformat(args.d0)
        d1 = _dt.date.fromisoformat(args.d1)
    except ValueError as e:
        die("--from/--to: %s" % e)
    if d1 <= d0:
        die("--to must be after --from")
    args.groups = [g.strip() for g in args.groups.split(",") if g.strip()]
    for g in args.groups:
        if g not in ("price", "network"):
            die("--groups: unknown group '%s' (price, network)" % g)
    args.fits = [f.strip() for f in args.fits.split(",") if f.strip()]
    for f in args.fits:
        if f not in ("gbm", "merton", "garch", "network", "fleet"):
            die("--fits: unknown fit '%s' (gbm, merton, garch, network, fleet)" % f)
    if not args.merton_lambda_max > 0:
        die("--merton-lambda-max must be > 0")
    if args.hash_window < 1:
        die("--hash-window must be >= 1")
    for name, v in (("--sigma-long", args.sigma_long), ("--implied-vol", args.implied_vol)):
        if v is not None and not (0 < v < 10):
            die("%s must be an annualized volatility in (0, 10), got %g" % (name, v))

    _, cols = read_csv(args.csv, d0, d1)
    P = cols["price_usd"]
    r = np.diff(np.log(P))
    if len(r) < 30:
        die("need at least 30 daily returns, got %d" % len(r))
    fits = {"n": len(r), "gbm": fit_gbm(r)}
    if "merton" in args.fits:
        fits["merton"] = fit_merton(r, args.merton_lambda_max)
    if "garch" in args.fits:
        fits["garch"] = fit_garch(r, args.sigma_long)
    if "hashrate_ths" in cols and "network" in args.fits:
        fits["network"] = fit_hashrate(cols["hashrate_ths"], args.hash_window)
    elif "network" in args.groups and "network" in args.fits:
        sys.stderr.write("calibrate.py: no hashrate_ths column: network group left out\n")
    if "difficulty" in cols:
        fits["hashprice_trend"] = hashprice_trend(P, cols["difficulty"])
    if "fleet" in args.fits:
        import hp_fleet
        log = None if args.quiet else (lambda m: sys.stderr.write("fleet: " + m + "\n"))
        try:
            fits["fleet"] = hp_fleet.fit(args.csv, d0, d1, binary=args.hashpivot, log=log,
                                           method=args.fleet_method, noise_model=args.fleet_noise,
                                           jump_sign=args.fleet_jump_sign)
        except hp_fleet.FitError as e:
            die(str(e))

    text = sets(args, fits, P[-1]) if args.sets else fragment(args, fits, P[-1])
    if args.output:
        with open(args.output, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    if not args.quiet:
        g, m, ga = fits["gbm"], fits.get("merton"), fits.get("garch")
        e = sys.stderr
        e.write("gbm:    mu %.4f (se %.4f)  sigma %.4f (se %.4f)\n" % (g["mu"] + g["sigma"]))
        if m is not None:
            e.write("merton: sigma %.4f (%.4f)  lambda %.3f (%.3f)/yr  jump mean %.4f (%.4f)  "
                    "jump sd %.4f (%.4f)  total vol %.4f\n" % (
                        m["sigma"] + m["lambda"] + m["jump_mean"] + m["jump_sd"] +
                        (math.sqrt(m["sigma"][0] ** 2 + m["lambda"][0] *
                                   (m["jump_mean"][0] ** 2 + m["jump_sd"][0] ** 2)),)))
        if ga is not None:
            e.write("garch:  alpha %.4f (%.4f)  beta %.4f (%.4f)  sigma_long %.4f (%.4f)  "
                    "sigma0 %.4f\n" % (ga["alpha"] + ga["beta"] + ga["sigma_long"] + (ga["sigma0"][0],)))
        if "network" in fits:
            n = fits["network"]
            e.write("hashrate (%d-day means): growth %.4f (%.4f)  sigma %.4f (%.4f)\n"
                    % ((args.hash_window,) + n["growth"] + n["sigma"]))
        if "hashprice_trend" in fits:
            e.write("hashprice beyond the halvings, ln(price / difficulty): realised trend "
                    "%+.4f/yr (least squares)\n" % fits["hashprice_trend"])
        if "fleet" in fits:
            e.write("fleet:  buyers' hashprice drift %+.4f/yr (beside the realised trend above)\n"
                    % fits["fleet"][0]["hashprice_drift"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
