#!/usr/bin/python3
"""scripts/calibrate.py on synthetic data with known parameters.

usage: test_calibrate.py CALIBRATE_PY HASHPIVOT DEFAULT_CFG

Three CSVs are simulated with fixed seeds (numpy): a gbm price with a gbm
hashrate, a Merton jump diffusion, and a GARCH(1,1) in the model's own form
(as models/price.c steps it). The script's fragment must recover every parameter within
K = 4 of its own reported standard errors (a false alarm about once in
16,000 checks per parameter), and `hashpivot validate` must accept the
fragment alone, @included in default.cfg in place of its price group, and as
--set arguments, with the fitted values in the resolved config.
"""

import math
import os
import re
import shlex
import subprocess
import sys
import tempfile
import datetime as dt

import numpy as np

K = 4.0
DT = 1 / 365.25
failures = 0


def check(cond, msg):
    global failures
    if not cond:
        failures += 1
        print("FAIL: " + msg)
    else:
        print("ok:   " + msg)


def write_csv(path, prices, hashrate=None, start=dt.date(2000, 1, 1)):
    with open(path, "w") as f:
        f.write("date,price_usd" + (",hashrate_ths" if hashrate is not None else "") + "\n")
        for i, p in enumerate(prices):
            d = start + dt.timedelta(days=i)
            f.write("%s,%.17g" % (d.isoformat(), p))
            if hashrate is not None:
                f.write(",%.17g" % hashrate[i])
            f.write("\n")
    return start, start + dt.timedelta(days=len(prices) - 1)


def parse_fragment(text):
    """{dotted key: (value, se or None)} from the fragment's lines."""
    out, stack = {}, []
    for line in text.splitlines():
        s = line.split("#", 1)[0].strip()
        m = re.match(r"(\w+)\s*=\s*\{", s)
        if m:
            stack.append(m.group(1))
            continue
        if s.startswith("}"):
            stack.pop()
            continue
        m = re.match(r"(\w+)\s*=\s*([^;]+);", s)
        if m:
            se = re.search(r"# se ([-0-9.eE+]+)", line)
            v = m.group(2).strip()
            val = v.strip('"') if v.startswith('"') else float(v)
            out[".".join(stack + [m.group(1)])] = (val, float(se.group(1)) if se else None)
    return out


def calibrate(script, csv, d0, d1, *extra):
    cmd = ["/usr/bin/python3", script, csv, "--from", d0.isoformat(), "--to", d1.isoformat(),
           "--quiet"] + list(extra)
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        print(res.stderr)
        raise SystemExit("calibrate.py failed: %s" % " ".join(cmd))
    return res.stdout


def within(fit, key, true):
    v, se = fit[key]
    ok = se is not None and se > 0 and abs(v - true) <= K * se
    check(ok, "%s = %.5g, true %.5g, se %.3g (%.2f se)" % (key, v, true, se or float("nan"),
                                                           (v - true) / se if se else float("nan")))


def main():
    script, hashpivot, default_cfg = sys.argv[1:4]
    tmp = tempfile.mkdtemp(prefix="hp_calib_")
    rng = np.random.default_rng(20240817)

    # 1. gbm price and gbm hashrate, 12 years of days.
    n = int(12 * 365.25)
    mu, sigma, g, s = 0.3, 0.7, 0.5, 0.35
    x = np.log(20000) + np.concatenate([[0], np.cumsum((mu - sigma ** 2 / 2) * DT +
                                                       sigma * math.sqrt(DT) * rng.standard_normal(n - 1))])
    h = np.log(1e8) + np.concatenate([[0], np.cumsum((g - s ** 2 / 2) * DT +
                                                     s * math.sqrt(DT) * rng.standard_normal(n - 1))])
    csv1 = os.path.join(tmp, "gbm.csv")
    d0, d1 = write_csv(csv1, np.exp(x), np.exp(h))
    frag1 = calibrate(script, csv1, d0, d1, "--fits", "gbm,network")
    fit = parse_fragment(frag1)
    within(fit, "price.mu", mu)
    within(fit, "price.sigma", sigma)
    within(fit, "network.growth", g)
    within(fit, "network.sigma", s)
    check(fit["price.s0_usd"][0] == float("%.6g" % math.exp(x[-1])), "s0_usd is the last close")
    fit_daily = parse_fragment(calibrate(script, csv1, d0, d1, "--hash-window", "1",
                                         "--fits", "gbm,network"))
    within(fit_daily, "network.growth", g)
    within(fit_daily, "network.sigma", s)
    # A sub-window: --from/--to select rows.
    sub = parse_fragment(calibrate(script, csv1, d0 + dt.timedelta(days=100),
                                   d0 + dt.timedelta(days=1100), "--groups", "price",
                                   "--fits", "gbm"))
    r_sub = np.diff(x[100:1101])
    check(abs(sub["price.sigma"][0] - r_sub.std(ddof=1) / math.sqrt(DT)) < 1e-5 * sigma,
          "--from/--to window: sigma = sample sd of its returns")

    # 2. Merton, 20 years: frequent enough jumps to identify them.
    n = int(20 * 365.25)
    sm, lam, jm, js, mum = 0.45, 20.0, -0.04, 0.09, 0.2
    kappa = math.exp(jm + js ** 2 / 2) - 1
    nj = rng.poisson(lam * DT, n - 1)
    jumps = nj * jm + np.sqrt(nj) * js * rng.standard_normal(n - 1)
    r = (mum - sm ** 2 / 2 - lam * kappa) * DT + sm * math.sqrt(DT) * rng.standard_normal(n - 1) + jumps
    csv2 = os.path.join(tmp, "merton.csv")
    d0, d1 = write_csv(csv2, 30000 * np.exp(np.concatenate([[0], np.cumsum(r)])))
    frag2 = calibrate(script, csv2, d0, d1, "--groups", "price", "--fits", "merton")
    fit = parse_fragment(frag2)
    within(fit, "price.merton.sigma", sm)
    within(fit, "price.merton.lambda", lam)
    within(fit, "price.merton.jump_mean", jm)
    within(fit, "price.merton.jump_sd", js)

    # 3. GARCH(1,1) in the model's form, 16 years.
    n = int(16 * 365.25)
    a, b, sl, mug = 0.10, 0.85, 0.7, 0.2
    omega = sl ** 2 * DT * (1 - a - b)
    hh = sl ** 2 * DT
    r = np.empty(n - 1)
    for t in range(n - 1):
        e = math.sqrt(hh) * rng.standard_normal()
        r[t] = mug * DT - hh / 2 + e
        hh = omega + a * e * e + b * hh
    csv3 = os.path.join(tmp, "garch.csv")
    d0, d1 = write_csv(csv3, 10000 * np.exp(np.concatenate([[0], np.cumsum(r)])))
    frag3 = calibrate(script, csv3, d0, d1, "--groups", "price", "--model", "garch",
                      "--fits", "garch")
    fit = parse_fragment(frag3)
    within(fit, "price.garch.alpha", a)
    within(fit, "price.garch.beta", b)
    within(fit, "price.garch.sigma_long", sl)
    check(fit["price.model"][0] == "garch", "--model sets price.model")
    # The market-anchored fit: the long-run level given (variance targeting),
    # alpha and beta fitted with it; sigma0 the implied volatility given.
    frag3m = calibrate(script, csv3, d0, d1, "--groups", "price", "--fits", "garch",
                       "--sigma-long", "0.7", "--implied-vol", "0.45")
    fitm = parse_fragment(frag3m)
    within(fitm, "price.garch.alpha", a)
    within(fitm, "price.garch.beta", b)
    check(fitm["price.garch.sigma_long"][0] == 0.7, "--sigma-long is written as given")
    check(fitm["price.garch.sigma0"][0] == 0.45, "--implied-vol is written as sigma0")
    check(fitm["price.model"][0] == "garch", "price.model defaults to garch")
    # Variance targeting at the true level is at least as precise on beta.
    check(fitm["price.garch.beta"][1] <= fit["price.garch.beta"][1] * 1.05,
          "targeted beta se %.3g <= free se %.3g" % (fitm["price.garch.beta"][1],
                                                   fit["price.garch.beta"][1]))
    res = subprocess.run(["/usr/bin/python3", script, csv3, "--from", d0.isoformat(), "--to",
                          d1.isoformat(), "--implied-vol", "-1"], capture_output=True, text=True)
    check(res.returncode != 0 and "--implied-vol must be" in res.stderr,
          "a negative --implied-vol is refused (%s)" % res.stderr.strip())

    # 4. hashpivot accepts the fragment: alone, @included, and as --set.
    f1 = os.path.join(tmp, "fragment.cfg")
    with open(f1, "w") as f:
        f.write(frag1)
    fit1 = parse_fragment(frag1)
    want = "sigma = %s;" % ("%.6g" % fit1["price.sigma"][0])

    def validate(cfg, *sets):
        res = subprocess.run([hashpivot, "validate", cfg] + list(sets), capture_output=True, text=True)
        return res.returncode, res.stdout + res.stderr

    rc, out = validate(f1)
    check(rc == 0 and want in out, "hashpivot validate FRAGMENT (%s)" % (out.strip()[-200:] if rc else "ok"))
    for name, text in (("merton", frag2), ("garch", frag3)):
        fn = os.path.join(tmp, name + ".cfg")
        with open(fn, "w") as f:
            f.write(text)
        rc, out = validate(fn)
        check(rc == 0 and ("%s = {" % name) in out,
              "hashpivot validate the %s fragment (%s)" % (name, out.strip()[-200:] if rc else "ok"))

    # default.cfg with its price group replaced by an @include of the price group.
    fp = os.path.join(tmp, "price_only.cfg")
    with open(fp, "w") as f:
        f.write(calibrate(script, csv1, *fit_dates(csv1), "--groups", "price", "--fits", "gbm"))
    base = open(default_cfg).read()
    stripped, nsub = re.subn(r"(?ms)^price\s*=\s*\{.*?^\};\s*$", '@include "%s"' % fp, base)
    check(nsub == 1, "default.cfg has one top-level price group to replace")
    comb = os.path.join(tmp, "combined.cfg")
    with open(comb, "w") as f:
        f.write(stripped)
    rc, out = validate(comb)
    check(rc == 0 and want in out, "default.cfg + @include fragment (%s)" % (out.strip()[-300:] if rc else "ok"))

    sets = shlex.split(calibrate(script, csv1, *fit_dates(csv1), "--sets", "--fits", "gbm,network"))
    rc, out = validate(default_cfg, *sets)
    check(rc == 0 and want in out, "default.cfg + --sets (%s)" % (out.strip()[-300:] if rc else "ok"))

    # 5. The realised trend of hashprice beyond the halvings, ln(price /
    # difficulty), printed beside the fits: exact on a straight line, and
    # the least-squares slope cov(t, y) / var(t) on a wiggling one.
    n = 4 * 365 + 1
    t = np.arange(n) * DT
    for wiggle in (0.0, 0.3):
        y = 0.1 - 0.25 * t + wiggle * np.sin(2 * math.pi * t / 1.7)
        diff = 1e12 * np.exp(0.02 * t)
        price = diff * np.exp(y)
        cd = os.path.join(tmp, "hashprice.csv")
        with open(cd, "w") as f:
            f.write("date,price_usd,difficulty\n")
            for i in range(n):
                f.write("%s,%.17g,%.17g\n" % ((dt.date(2016, 1, 1) + dt.timedelta(days=i)).isoformat(),
                                              price[i], diff[i]))
        res = subprocess.run(["/usr/bin/python3", script, cd, "--from", "2016-01-01", "--to",
                              (dt.date(2016, 1, 1) + dt.timedelta(days=n - 1)).isoformat(),
                              "--fits", "gbm"], capture_output=True, text=True)
        m = re.search(r"ln\(price / difficulty\): realised trend ([-+0-9.]+)/yr", res.stderr)
        yl = np.log(price) - np.log(diff)
        want = float(np.sum((t - t.mean()) * (yl - yl.mean())) / np.sum((t - t.mean()) ** 2))
        check(res.returncode == 0 and m is not None and abs(float(m.group(1)) - want) < 6e-5,
              "realised hashprice trend %s/yr, least squares %+.5f (wiggle %g)"
              % (m.group(1) if m else "missing", want, wiggle))
        if wiggle == 0:
            check(abs(want + 0.25) < 1e-9, "a straight line's slope is its drift")

    # 6. Errors name the file and line.
    bad = os.path.join(tmp, "gap.csv")
    with open(bad, "w") as f:
        f.write("date,price_usd\n2020-01-01,1\n2020-01-03,2\n")
    res = subprocess.run(["/usr/bin/python3", script, bad, "--from", "2020-01-01", "--to",
                          "2020-01-03"], capture_output=True, text=True)
    check(res.returncode != 0 and "%s:3: date:" % bad in res.stderr,
          "a gap in dates is an error naming file:line (%s)" % res.stderr.strip())

    for fn in os.listdir(tmp):
        os.unlink(os.path.join(tmp, fn))
    os.rmdir(tmp)
    print("%d failed" % failures)
    return 1 if failures else 0


def fit_dates(csv):
    with open(csv) as f:
        lines = f.read().split()
    return (dt.date.fromisoformat(lines[1].split(",")[0]), dt.date.fromisoformat(lines[-1].split(",")[0]))


if __name__ == "__main__":
    sys.exit(main())
