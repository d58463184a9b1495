"""The Sobol sampler (simulation.sampler = "sobol") on a smooth config: gbm
price, trend hashrate, the fleet outside the network, no AI busts. One run
of R scrambles of M points and one pseudo-random run of R M paths, same
seed.

  - Error: the variance of the R scramble means of NPV (R - 1 degrees of
    freedom) must be below the variance of an M-path pseudo-random mean
    (sd^2 / M from all R M pseudo paths) by more than sampling noise can
    explain: S^2_qmc / (sd^2 / M) < chi2_{0.001}(R - 1) / (R - 1). If QMC
    were no better, that would happen with probability 0.001 (normal
    scramble means); the measured ratio is printed.
  - Unbiased: the Sobol mean and the pseudo mean agree within 4 standard
    errors (between-scramble se for Sobol, iid se for pseudo).
  - The summary prints the between-scramble standard error for Sobol runs:
    the printed interval of the mean is +-t sd(scramble means) / sqrt(R)
    (to the 3 digits printed; t = Student's t_{0.975, R - 1}, from scipy
    here), not the iid one.
  - So do the shares and CVaR: recomputed here from valuation/npv and the
    scramble grouping (path p in scramble p // qmc_points, the file's root
    attribute), each printed interval equals estimate +-t se_between
    (shares clipped to [0, 1]) to the digits printed, for P(loss) and CVaR
    5% of every allocation and P(beats baseline) and CVaR of every paired
    gain. se_between = sd(per-scramble estimates, ddof 1) / sqrt(R); a
    scramble's CVaR estimate is q + mean(min(x - q, 0)) / alpha with q the
    tail order statistic of all paths (rank floor(alpha n)). A share the
    same in every scramble (P(beats 0%) = 0 at 50% here) prints
    Wilson's interval on the pooled count instead, with a non-zero end.
  - Quantiles (5/50/95% of every allocation and gain): Woodruff's
    interval, recomputed here: se_F = the between-scramble se of the
    share of values <= the pooled estimate, ends the sorted values of rank
    floor((n - 1)(p - t se_F)) and ceil((n - 1)(p + t se_F)).
  - compare.py and report.py use the same between-scramble errors on
    Sobol files (their JSON output, full precision, against the numpy
    recomputation), no longer warn, and treat a pseudo and a Sobol run of
    one seed as independent (different shocks on path i). Unpaired, B - A's
    interval is +-t se at the Welch-Satterthwaite degrees of freedom, not
    +-1.96 se (two Sobol seeds: about 25-30 df, t about 2.05).

    test_qmc.py HASHPIVOT SOURCE_DIR"""
import os
import subprocess
import sys
import tempfile

import json

import h5py
import numpy as np
from scipy.stats import t as student_t

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from hp_stats import quantile_ci_ranks  # noqa: E402

R, M = 16, 256
CHI2_001_15 = 3.483       # chi2 quantile 0.001 at 15 degrees of freedom (scipy.stats.chi2.ppf)
SMOOTH = ['price.model="gbm"', 'network.hashrate_model="trend"', "miner.in_network=false",
          "ai_market.bust_intensity=0.0", "time.horizon_years=2.0"]

fails = 0


def check(ok, msg):
    global fails
    print(("ok   " if ok else "FAIL ") + msg)
    fails += not ok


def run(bin_, cfg, sampler, out, extra=(), seed=11):
    cmd = [bin_, "run", cfg, "-n", str(R * M), "-s", str(seed), "-j", "2", "--quiet", "-o", out,
           "--set", f'simulation.sampler="{sampler}"', "--set", f"simulation.qmc_points={M}"]
    for kv in SMOOTH + list(extra):
        cmd += ["--set", kv]
    p = subprocess.run(cmd, check=True, capture_output=True, text=True)
    with h5py.File(out, "r") as f:
        return f["valuation/npv"][()], f["allocation"][()], p.stdout


def money(t):
    """'-$1.30B' -> -1.3e9."""
    t = t.strip()
    sign = -1 if t.startswith("-") else 1
    t = t.lstrip("-$")
    scale = {"B": 1e9, "M": 1e6, "k": 1e3}.get(t[-1], 1)
    return sign * float(t.rstrip("BMk")) * scale


def first_mean_interval(out):
    """The interval under the mean of the first allocation row of the NPV block."""
    lines = out.splitlines()
    i = next(k for k, l in enumerate(lines) if l.startswith("NPV ["))
    ci = lines[i + 3]
    a, b = ci[ci.index("[") + 1:ci.index("]")].split(",")
    return money(a), money(b)


Z95 = 1.959963984540054
T15 = float(student_t.ppf(0.975, R - 1))   # 2.1314: intervals of R = 16 replicates
ALPHA = 0.05
PROBS = (0.05, 0.5, 0.95)
# Column widths of the summary table (sim/summary_print.c): "alloc", then
# mean, 5%, 50%, 95%, CVaR (money) and a share, each after one space.
WIDTHS = [7, 20, 20, 20, 20, 20, 17]


def cells(line):
    out, pos = [], 0
    for w in WIDTHS:
        out.append(line[pos:pos + w].strip())
        pos += w
    return out


def interval(cell):
    a, b = cell[cell.index("[") + 1:cell.index("]")].split(",")
    return a.strip(), b.strip()


def share(t):
    return float(t.rstrip("%")) / 100


def money_unit(v):
    """Half a unit of the third significant digit of v (the print rounding)."""
    return 0.5 * 10 ** (np.floor(np.log10(abs(v))) - 2) if v != 0 else 0.005


def block_rows(out, title_start):
    """{allocation label: (value cells, interval cells)} of a summary block."""
    lines = out.splitlines()
    i = next(k for k, l in enumerate(lines) if l.startswith(title_start)) + 2
    rows = {}
    while i + 1 < len(lines) and lines[i].strip() and lines[i][:7].strip().endswith("%"):
        rows[lines[i][:7].strip()] = (cells(lines[i]), cells(lines[i + 1]))
        i += 2
    return rows


def between(x, est):
    """se from the spread of per-scramble estimates est(scramble values)."""
    g = np.array([est(s) for s in x.reshape(R, M)])
    return g.std(ddof=1) / np.sqrt(R)


FALLBACKS = []       # shares the same in every scramble: Wilson's interval


def check_share(name, printed, x, event):
    p = event(x).mean()
    se = between(x, lambda s: event(s).mean())
    lo, hi = max(0.0, p - T15 * se), min(1.0, p + T15 * se)
    plo, phi = (share(t) for t in interval(printed[1]))
    n, z2 = x.size, Z95 * Z95          # Wilson's interval, the iid one
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    wilson = (max(0.0, centre - half), min(1.0, centre + half))

    def near(a, b):
        return abs(a - b) <= 0.0005 + 1e-12
    if se == 0:
        FALLBACKS.append(name)
        ok = (near(share(printed[0]), p) and near(plo, wilson[0]) and near(phi, wilson[1])
              and phi > plo and wilson[1] > wilson[0])
        check(ok, f"{name} = {p:.4f}, the same in all {R} scrambles: printed [{plo:.3f}, {phi:.3f}], "
                  f"Wilson on the pooled count [{wilson[0]:.5f}, {wilson[1]:.5f}], not zero-width")
        return False
    ok = near(share(printed[0]), p) and near(plo, lo) and near(phi, hi)
    check(ok, f"{name} = {p:.4f}: printed [{plo:.3f}, {phi:.3f}], between scrambles "
              f"[{lo:.4f}, {hi:.4f}] (se {se:.4f}; Wilson [{wilson[0]:.4f}, {wilson[1]:.4f}])")
    return near(plo, wilson[0]) and near(phi, wilson[1])


def woodruff(x, p):
    """(estimate, lo, hi, se_F) of the p quantile of x: Woodruff's interval
    from the R scrambles, or None for the interval when se_F = 0."""
    srt = np.sort(x)
    n = x.size
    q = float(np.quantile(x, p))
    se_f = between(x, lambda s: (s <= q).mean())
    if se_f == 0:
        return q, None, None, 0.0
    d = T15 * se_f
    lo = -np.inf if p - d < 0 else srt[int(np.floor((n - 1) * (p - d)))]
    hi = np.inf if p + d > 1 else srt[int(np.ceil((n - 1) * (p + d)))]
    return q, lo, hi, se_f


def iid_interval(x, p):
    """The distribution-free order-statistic interval (scripts/hp_stats.py)."""
    srt = np.sort(x)
    lo, hi = quantile_ci_ranks(x.size, p)
    return (-np.inf if lo < 0 else srt[lo]), (np.inf if hi >= x.size else srt[hi])


def near_money(g, w):
    if not np.isfinite(w):
        return g == w
    return abs(g - w) <= 1.0001 * max(money_unit(g), money_unit(w))


def money_inf(t):
    return {"-inf": -np.inf, "inf": np.inf}.get(t.strip()) if t.strip() in ("-inf", "inf") else money(t)


def check_quantile(name, printed, x, p):
    """A printed quantile cell against Woodruff's interval; True when the
    iid interval would also match the print."""
    q, lo, hi, se_f = woodruff(x, p)
    got = [money(printed[0])] + [money_inf(t) for t in interval(printed[1])]
    ilo, ihi = iid_interval(x, p)
    if lo is None:
        FALLBACKS.append(name)
        lo, hi = ilo, ihi
    ok = all(near_money(g, w) for g, w in zip(got, (q, lo, hi)))
    check(ok, f"{name} = {q / 1e6:.1f} $M: printed [{got[1] / 1e6:.1f}, {got[2] / 1e6:.1f}] $M, Woodruff "
              f"[{lo / 1e6:.2f}, {hi / 1e6:.2f}] $M (se_F {se_f:.4f}; iid [{ilo / 1e6:.1f}, {ihi / 1e6:.1f}])")
    return near_money(got[1], ilo) and near_money(got[2], ihi), (hi - lo) / (ihi - ilo)


def check_cvar(name, printed, x):
    srt = np.sort(x)
    q = srt[min(int(np.floor(ALPHA * x.size)), x.size - 1)]
    y = np.minimum(x - q, 0.0)
    cvar = -(q + y.mean() / ALPHA)
    se = between(x, lambda s: np.minimum(s - q, 0.0).mean()) / ALPHA
    se_iid = y.std(ddof=1) / np.sqrt(x.size) / ALPHA
    want = [cvar, cvar - T15 * se, cvar + T15 * se]
    iid = [cvar, cvar - Z95 * se_iid, cvar + Z95 * se_iid]
    got = [money(printed[0])] + [money(t) for t in interval(printed[1])]

    def near(gs, ws):
        return all(abs(g - w) <= 1.0001 * max(money_unit(g), money_unit(w)) for g, w in zip(gs, ws))
    ok = near(got, want)
    check(ok, f"{name} = {cvar / 1e6:.2f} $M: printed [{got[1] / 1e6:.2f}, {got[2] / 1e6:.2f}] $M, "
              f"between scrambles [{want[1] / 1e6:.3f}, {want[2] / 1e6:.3f}] $M "
              f"(se {se / 1e6:.3f} $M; iid se {se_iid / 1e6:.3f} $M)")
    return near(got, iid)


def check_between_errors(q, alloc, base, out):
    """Every allocation's quantiles, P(loss) and CVaR, every gain's
    quantiles, P(beats) and CVaR."""
    npv = block_rows(out, "NPV [")
    gain = block_rows(out, "NPV gain over ")
    n_checks, iid_match, nq, q_iid, widths = 0, 0, 0, 0, []

    def quants(tag, v, ci, x):
        nonlocal nq, q_iid
        for k, p in enumerate(PROBS):
            same, w = check_quantile(f"{100 * p:g}% {tag}", (v[2 + k], ci[2 + k]), x, p)
            nq += 1
            q_iid += same
            widths.append(w)
    for a, f in enumerate(alloc):
        key = f"{100 * f:.4g}%"
        v, ci = npv[key]
        quants(f"NPV, alloc {f:g}", v, ci, q[a])
        n_checks += 2
        iid_match += check_share(f"P(loss), alloc {f:g}", (v[6], ci[6]), q[a], lambda s: s < 0)
        iid_match += check_cvar(f"CVaR 5%, alloc {f:g}", (v[5], ci[5]), q[a])
        if a == base:
            continue
        v, ci = gain[key]
        d = q[a] - q[base]
        quants(f"gain, alloc {f:g}", v, ci, d)
        n_checks += 2
        iid_match += check_share(f"P(beats {alloc[base]:g}), alloc {f:g}", (v[6], ci[6]), d,
                                 lambda s: s > 0)
        iid_match += check_cvar(f"CVaR 5% of the gain, alloc {f:g}", (v[5], ci[5]), d)
    check(iid_match <= n_checks // 4,
          f"the iid intervals would match the print in only {iid_match} of these {n_checks} checks "
          "(so they tell the two apart)")
    check("SE of means, CVaR and shares: the spread of the 16 scrambles' estimates" in out
          and "Quantiles: Woodruff's interval" in out,
          "the header says the shares', CVaR's and quantiles' errors are between scrambles")
    check(q_iid <= nq // 3, f"the iid quantile intervals would match the print in only {q_iid} of {nq} "
          f"(Woodruff / iid width: median {np.median(widths):.2f}, range {min(widths):.2f} to "
          f"{max(widths):.2f})")
    check(len(FALLBACKS) >= 1, f"the Wilson fallback was exercised: {', '.join(FALLBACKS) or 'never'}")


def close(a, b):
    """Full-precision agreement (numpy and the scripts sum differently)."""
    if not (np.isfinite(a) and np.isfinite(b)):
        return a == b
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1.0)


def check_compare_json(path, qa, qb, alloc):
    """compare.py on two Sobol runs of one seed (paired): B - A's mean,
    quantiles and P(B > A) with between-scramble errors."""
    with open(path) as fh:
        doc = json.load(fh)
    check(doc["paired"], "compare.py pairs two Sobol runs of one seed and layout")
    recs = [r for t in doc["tables"] for r in t["records"] if r["variable"] == "valuation/npv"]
    bad = []
    for a, rec in enumerate(recs):
        d = qb[a] - qa[a]
        se = between(d, np.mean)
        ma = qa[a].mean()
        want = {"diff": d.mean(), "diff_se": se, "diff_lo": d.mean() - T15 * se,
                "p": float(2 * student_t.sf(abs(d.mean() / se), 15)),   # R - 1 = 15 df
                "mean_a_se": between(qa[a], np.mean), "mean_a": ma}
        for k, p in enumerate(PROBS):
            qv, lo, hi, _ = woodruff(d, p)
            if lo is None:
                lo, hi = iid_interval(d, p)
            key = f"diff_q{round(100 * p):02d}"
            want.update({key: qv, f"{key}_lo": lo, f"{key}_hi": hi})
        pp = (d > 0).mean()
        sp = between(d, lambda s: (s > 0).mean())
        if sp > 0:
            want.update({"p_b_higher": pp, "p_b_higher_lo": max(0.0, pp - T15 * sp),
                         "p_b_higher_hi": min(1.0, pp + T15 * sp)})
        for k, w in want.items():
            g = rec[k]
            tol = 1e-6 if k.endswith(("_lo", "_hi", "_se")) and not k.startswith("diff_q") else 1e-9
            if not (close(g, w) or abs(g - w) <= tol * max(abs(w), 1e-300)):
                bad.append(f"alloc {alloc[a]:g} {k}: {g!r} != {w!r}")
    check(not bad and len(recs) == len(alloc),
          f"compare.py JSON: B - A's mean, se, quantile intervals and P(B > A) between scrambles, "
          f"{len(recs)} allocations" + (f"; {bad[:4]}" if bad else ""))


def check_unpaired_json(path, xa, xb, alloc, df_a, df_b, what):
    """compare.py on two independent runs: B - A's interval is +-t se with
    Student's t at the Welch-Satterthwaite degrees of freedom (recomputed
    here with scipy), 1.96 only when both ses are iid (df_a = df_b = inf)."""
    with open(path) as fh:
        doc = json.load(fh)
    check(not doc["paired"], f"compare.py: {what} is an independent comparison")
    recs = [r for t in doc["tables"] for r in t["records"] if r["variable"] == "valuation/npv"]
    bad, dfs = [], []
    for a, rec in enumerate(recs):
        sa = between(xa[a], np.mean) if df_a < np.inf else xa[a].std(ddof=1) / np.sqrt(len(xa[a]))
        sb = between(xb[a], np.mean) if df_b < np.inf else xb[a].std(ddof=1) / np.sqrt(len(xb[a]))
        se = np.hypot(sa, sb)
        df = (sa ** 2 + sb ** 2) ** 2 / (sa ** 4 / df_a + sb ** 4 / df_b)
        dfs.append(df)
        d = xb[a].mean() - xa[a].mean()
        t = float(student_t.ppf(0.975, df))
        # p: the two-sided tail of Student's t at the same df, so p < 0.05
        # exactly when 0 lies outside [lo, hi].
        p = float(2 * student_t.sf(abs(d / se), df))
        if (p < 0.05) != (d - t * se > 0 or d + t * se < 0):
            bad.append(f"alloc {alloc[a]:g}: p {p} disagrees with the interval")
        for k, w in (("diff", d), ("diff_se", se), ("diff_lo", d - t * se), ("diff_hi", d + t * se),
                     ("diff_df", df), ("p", p)):
            g = rec.get(k)
            if g is None or not abs(g - w) <= 1e-6 * max(abs(w), 1e-300):
                bad.append(f"alloc {alloc[a]:g} {k}: {g!r} != {w!r}")
    check(not bad and len(recs) == len(alloc),
          f"compare.py JSON, {what}: B - A +- t se and p at Welch's df (here {min(dfs):.1f} to {max(dfs):.1f})"
          + (f"; {bad[:4]}" if bad else ""))


def check_report_json(outdir, q, alloc, base):
    """report.py's summary and gain tables (JSON, full precision)."""
    bad, n = [], 0
    for table, series in (("summary", lambda a: q[a]), ("gain", lambda a: q[a] - q[base])):
        with open(os.path.join(outdir, f"{table}.json")) as fh:
            recs = json.load(fh)["records"]
        for rec in recs:
            a = int(np.flatnonzero(np.isclose(alloc, rec["allocation"]))[0])
            x = series(a)
            se = between(x, np.mean)
            want = {"mean": x.mean(), "se": se, "mean_lo": x.mean() - T15 * se}
            for p in PROBS:
                qv, lo, hi, _ = woodruff(x, p)
                if lo is None:
                    lo, hi = iid_interval(x, p)
                key = f"q{round(100 * p):02d}"
                want.update({key: qv, f"{key}_lo": lo, f"{key}_hi": hi})
            share_key, ev = ("p_loss", x < 0) if table == "summary" else ("p_gain", x > 0)
            sp = between(x, lambda s, f=(np.less if table == "summary" else np.greater): f(s, 0).mean())
            want[f"{share_key}_se" if sp > 0 else share_key] = sp if sp > 0 else ev.mean()
            for k, w in want.items():
                n += 1
                if not abs(rec[k] - w) <= 1e-6 * max(abs(w), 1.0) and not rec[k] == w:
                    bad.append(f"{table} {alloc[a]:g} {k}: {rec[k]!r} != {w!r}")
    check(not bad and n > 0, f"report.py JSON: {n} means, se, quantile intervals and shares between "
                             "scrambles" + (f"; {bad[:4]}" if bad else ""))


def jnum(v):
    """A number of the report's strict JSON ("inf", "-inf", null for NaN)."""
    return float("nan") if v is None else float(v)


def check_report_irr(outdir, h5, alloc, base):
    """report.py's IRR quantiles on a Sobol file: Woodruff's interval of the
    distribution over the paths with a defined IRR, recomputed here from the
    per-scramble counts: F(Q) = c / d pooled (c paths with a defined IRR <= Q,
    d with a defined IRR), se_F = sd_s((c_s - F d_s) / (M d / n)) / sqrt(R),
    the linearised ratio (not the iid interval it had before)."""
    import hp_cashflow as hc
    from hp_results import Results
    with Results(h5) as r:
        days = r.days_in_year
        flows = {a: np.concatenate([fa - fb for fa, fb in r.path_blocks([("cashflow/net_cash_flow", a),
                                                                         ("cashflow/net_cash_flow", base)])])
                 for a in range(len(alloc)) if a != base}
        tv = r.row("valuation/terminal_value", base) if r.has("valuation/terminal_value") else None
        tvs = {a: r.row("valuation/terminal_value", a) - tv for a in flows} if tv is not None else {}
    with open(os.path.join(outdir, "irr.json")) as fh:
        recs = json.load(fh)["records"]
    bad, n_checked, wider = [], 0, 0
    for rec in recs:
        a = int(np.flatnonzero(np.isclose(alloc, rec["allocation"]))[0])
        rate, _ = hc.irr(flows[a], tvs.get(a), days)
        defined = ~np.isnan(rate)
        sub = np.sort(rate[defined])
        n = sub.size
        for p in PROBS:
            key = f"irr_q{round(100 * p):02d}"
            qv = float(np.quantile(sub, p)) if np.isfinite(sub).all() else jnum(rec[key])
            f = np.count_nonzero(sub <= qv) / n
            c = (defined & (rate <= qv)).reshape(R, M).sum(axis=1)
            d = defined.reshape(R, M).sum(axis=1)
            se_f = ((c - f * d) / (M * n / rate.size)).std(ddof=1) / np.sqrt(R)
            if se_f == 0:
                lo, hi = iid_interval(sub, p)
            else:
                w = T15 * se_f
                lo = -np.inf if p - w < 0 else sub[int(np.floor((n - 1) * (p - w)))]
                hi = np.inf if p + w > 1 else sub[int(np.ceil((n - 1) * (p + w)))]
                ilo, ihi = iid_interval(sub, p)
                wider += (hi - lo) != (ihi - ilo)
            for k, want in ((f"{key}_lo", lo), (f"{key}_hi", hi)):
                n_checked += 1
                got = jnum(rec[k])
                if not (got == want or abs(got - want) <= 1e-12 * max(abs(want), 1.0)):
                    bad.append(f"alloc {alloc[a]:g} {k}: {got!r} != {want!r}")
    check(not bad and n_checked > 0 and wider > 0,
          f"report.py JSON: {n_checked} IRR quantile interval ends are Woodruff's over the paths with a "
          f"defined IRR, between scrambles ({wider} differ from the iid interval)" + (f"; {bad[:4]}" if bad else ""))


def main():
    bin_, root = sys.argv[1], sys.argv[2]
    assert R - 1 == 15
    cfg = os.path.join(root, "configs", "default.cfg")
    with tempfile.TemporaryDirectory() as tmp:
        q, alloc, q_out = run(bin_, cfg, "sobol", os.path.join(tmp, "q.h5"))
        with h5py.File(os.path.join(tmp, "q.h5"), "r") as f:
            check(int(f.attrs["qmc_points"]) == M, f"the file records qmc_points = {M}")
            base = int(f.attrs["baseline_allocation"])
        p, _, p_out = run(bin_, cfg, "pseudo", os.path.join(tmp, "p.h5"))
        q2, _, _ = run(bin_, cfg, "sobol", os.path.join(tmp, "q2.h5"), ["valuation.discount_rate=0.12"])
        q3, _, _ = run(bin_, cfg, "sobol", os.path.join(tmp, "q3.h5"), seed=12)
        scripts = os.path.join(root, "scripts")
        cmp_ = subprocess.run([sys.executable, os.path.join(scripts, "compare.py"),
                               os.path.join(tmp, "p.h5"), os.path.join(tmp, "q.h5"),
                               "--json", os.path.join(tmp, "pq.json")],
                              capture_output=True, text=True)
        if cmp_.returncode == 0:
            check_unpaired_json(os.path.join(tmp, "pq.json"), p, q, alloc, np.inf, R - 1, "pseudo against Sobol")
        cmp3 = subprocess.run([sys.executable, os.path.join(scripts, "compare.py"), os.path.join(tmp, "q.h5"),
                               os.path.join(tmp, "q3.h5"), "--json", os.path.join(tmp, "q3.json")],
                              capture_output=True, text=True)
        check(cmp3.returncode == 0 and "Welch" in cmp3.stdout,
              f"compare.py on two Sobol runs of different seeds runs and names Welch ({cmp3.stderr.strip()[-200:]})")
        if cmp3.returncode == 0:
            check_unpaired_json(os.path.join(tmp, "q3.json"), q, q3, alloc, R - 1, R - 1, "two Sobol seeds")
        check(cmp_.returncode == 0 and "WARNING" not in cmp_.stdout and "samplers differ" in cmp_.stdout
              and "**Sampler sobol** (B: 256 points per scramble, 16 whole scrambles)" in cmp_.stdout,
              "compare.py: pseudo against Sobol is an independent comparison, Sobol errors between "
              "scrambles, no warning")
        cmp2 = subprocess.run([sys.executable, os.path.join(scripts, "compare.py"), os.path.join(tmp, "q.h5"),
                               os.path.join(tmp, "q2.h5"), "--json", os.path.join(tmp, "c.json")],
                              capture_output=True, text=True)
        check(cmp2.returncode == 0, f"compare.py on two Sobol files runs ({cmp2.stderr.strip()[-200:]})")
        if cmp2.returncode == 0:
            check_compare_json(os.path.join(tmp, "c.json"), q, q2, alloc)
        rep_ = subprocess.run([sys.executable, os.path.join(scripts, "report.py"), os.path.join(tmp, "q.h5"),
                               "-o", os.path.join(tmp, "rep"), "--hashpivot", bin_],
                              capture_output=True, text=True)
        check(rep_.returncode == 0 and "WARNING" not in rep_.stderr,
              f"report.py on a Sobol file runs without the warning ({rep_.stderr.strip()[-200:]})")
        if rep_.returncode == 0:
            check_report_json(os.path.join(tmp, "rep"), q, alloc, base)
            check_report_irr(os.path.join(tmp, "rep"), os.path.join(tmp, "q.h5"), alloc, base)
    for a in range(len(alloc)):
        means = q[a].reshape(R, M).mean(axis=1)
        s2_qmc = means.var(ddof=1)
        s2_mc = p[a].var(ddof=1) / M
        bound = CHI2_001_15 / (R - 1)
        check(s2_qmc / s2_mc < bound,
              f"alloc {alloc[a]:g}: variance of a {M}-point mean, Sobol / pseudo = {s2_qmc / s2_mc:.3f} "
              f"(RMS error ratio {np.sqrt(s2_mc / s2_qmc):.1f}x), must be < {bound:.3f}")
        se_q = np.sqrt(s2_qmc / R)
        se_p = p[a].std(ddof=1) / np.sqrt(R * M)
        diff = q[a].mean() - p[a].mean()
        check(abs(diff) < 4 * np.hypot(se_q, se_p),
              f"alloc {alloc[a]:g}: Sobol mean - pseudo mean = {diff / 1e6:.1f} $M, "
              f"4 se = {4 * np.hypot(se_q, se_p) / 1e6:.1f} $M")
    # The summary's 95% interval of the mean NPV at 0%: +-1.96 se between
    # scrambles, not the iid se (3 significant digits printed).
    lo, hi = first_mean_interval(q_out)
    se_q = q[0].reshape(R, M).mean(axis=1).std(ddof=1) / np.sqrt(R)
    se_iid = q[0].std(ddof=1) / np.sqrt(R * M)
    half = (hi - lo) / 2 / T15
    check("Sampler sobol" in q_out and "Sampler sobol" not in p_out, "the summary names the Sobol sampler")
    check(abs(half - se_q) < 0.25 * se_q and abs(half - se_iid) > 0.5 * se_iid,
          f"printed se of the mean {half / 1e6:.1f} $M: between scrambles {se_q / 1e6:.1f} $M, "
          f"iid {se_iid / 1e6:.1f} $M")
    check_between_errors(q, alloc, base, q_out)
    print(f"{fails} failed")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
