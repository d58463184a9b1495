#!/usr/bin/python3
"""Out-of-sample back-test of the default network model (fleet) on a history CSV.

usage: backtest.py --csv FILE --cut YYYY-MM-DD [--years 2] [--paths 2000]
                   [--fit-years 4] [--json OUT] [--seed S] [--hashpivot BIN]
                   [--method likelihood|grid] [--noise-model ou|walk|jump]
                   [--jump-days DAYS] [--jump-sign any|down] [--prior-sd SD]
                   [--params JSON]

Fits the fleet hashrate model on the CSV's rows from --fit-years before the
cut to the cut (scripts/hp_fleet.py, the method of `calibrate.py --fits
fleet`; its cross-validation also reads the years before the window, never
a row after the cut), then simulates the following --years with the engine's own code
(`hashpivot trace`) driven by the CSV's actual prices and fees, with block
luck so that the simulated hashrate is measured as the CSV's is (blocks x
difficulty), from the chain's state at the cut (height, difficulty, the
7-day mean hashrate). It compares the simulated 7-day mean hashrate with the
actual 7-day mean of hashrate_ths:

  month_end     the last day of each month after the cut
  median_bias   median over paths / actual - 1, at each month end
  band_ratio    95% / 5% quantile of the paths, at each month end
  coverage      1 when the actual lies inside the 5-95% band that day
  coverage_all  share of all days with the actual inside the band

and prints and writes them (--json). Any CSV with the history's columns
(date, price_usd, difficulty, hashrate_ths, blocks, subsidy_btc, fees_btc;
docs/sources.md#history-data) works; the fit uses no row after the cut.
"""
import argparse
import calendar
import datetime as dt
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hp_fleet  # noqa: E402


def die(msg):
    sys.stderr.write("backtest.py: %s\n" % msg)
    sys.exit(1)


def month_ends(first, last):
    """Last days of the months between first and last (inclusive)."""
    out = []
    y, m = first.year, first.month
    while True:
        d = dt.date(y, m, calendar.monthrange(y, m)[1])
        if d > last:
            return out
        if d >= first:
            out.append(d)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def seven_day_mean(x):
    """Trailing 7-day mean along the last axis (fewer days at the start)."""
    c = np.concatenate([np.zeros(x.shape[:-1] + (1,)), np.cumsum(x, axis=-1)], axis=-1)
    n = x.shape[-1]
    i = np.arange(n)
    lo = np.maximum(0, i - 6)
    return (c[..., i + 1] - c[..., lo]) / (i + 1 - lo)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--csv", required=True)
    ap.add_argument("--cut", required=True, help="last day the fit may see, YYYY-MM-DD")
    ap.add_argument("--years", type=float, default=2.0, help="years simulated after the cut (default 2)")
    ap.add_argument("--paths", type=int, default=2000)
    ap.add_argument("--fit-years", type=float, default=4.0,
                    help="years of history before the cut the fit uses (default 4: one halving cycle)")
    ap.add_argument("--seed", type=int, default=20220101)
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--hashpivot", help="the hashpivot binary (default build/hashpivot or $HASHPIVOT)")
    ap.add_argument("--params", help="skip the fit: take the parameters from a --json file of an "
                    "earlier back-test (its 'params')")
    ap.add_argument("--method", default="likelihood", choices=["likelihood", "grid"],
                    help="fleet fit method (scripts/hp_fleet.py; default likelihood, grid is the "
                    "earlier grid search on the median |error|)")
    ap.add_argument("--noise-model", default="ou", choices=["ou", "walk", "jump"],
                    help="the noise structure fitted and simulated (network.fleet.noise_model; "
                    "default ou, walk = a random walk plus a 30-day OU, jump = the OU plus "
                    "transient supply shocks, network.fleet.jump_*)")
    ap.add_argument("--jump-days", type=float, default=hp_fleet.JUMP_DAYS,
                    help="--noise-model jump: decay time of a supply shock, days (default %g, an "
                    "assumption; network.fleet.jump_days)" % hp_fleet.JUMP_DAYS)
    ap.add_argument("--jump-sign", default="any", choices=list(hp_fleet.JUMP_SIGNS),
                    help="--noise-model jump: 'down' constrains the shocks to lower the hashrate "
                    "online (jump_mean <= 0: outages, bans); default any (unconstrained)")
    ap.add_argument("--prior-sd", type=float,
                    help="the buyers' drift prior sd, given instead of cross-validated (skips the "
                    "cross-validation folds, about 6/7 of the fit's engine runs)")
    ap.add_argument("--quiet", action="store_true", help="no fit progress on stderr")
    args = ap.parse_args(argv)
    try:
        cut = dt.date.fromisoformat(args.cut)
    except ValueError:
        die("--cut: '%s' is not a date YYYY-MM-DD" % args.cut)
    if not args.years > 0 or args.paths < 20 or not args.fit_years >= 2:
        die("--years must be > 0, --paths >= 20, --fit-years >= 2")
    if not 1 <= args.jump_days <= 1e5:
        die("--jump-days must be in [1, 1e5]")
    if args.prior_sd is not None and not args.prior_sd > 0:
        die("--prior-sd must be > 0")

    try:
        hist = hp_fleet.History(args.csv)
        i_cut = hist.index(cut)
        n_days = min(int(round(args.years * 365.25)), len(hist.dates) - 1 - i_cut)
        if n_days < 28:
            die("%s: fewer than 28 days after %s" % (args.csv, cut))
        d0 = max(hist.first, cut - dt.timedelta(days=int(round(args.fit_years * 365.25)) - 1))
        log = None if args.quiet else (lambda m: sys.stderr.write(m + "\n"))
        if args.params:
            with open(args.params) as f:
                old = json.load(f)
            params, report = old["params"], dict(old.get("fit", {}), reused=args.params)
        else:
            params, report = hp_fleet.fit(args.csv, d0, cut, binary=args.hashpivot, log=log,
                                           method=args.method, noise_model=args.noise_model,
                                           prior_sd=args.prior_sd, jump_days=args.jump_days,
                                           jump_sign=args.jump_sign)
        binary = hp_fleet.find_hashpivot(args.hashpivot)
        cfg = hp_fleet.start_settings(hist, i_cut + 1, cut, dict(params, block_luck=True), n_days)
        h, b, d = hp_fleet.run_trace(binary, cfg, args.paths, seed=args.seed)
    except hp_fleet.FitError as e:
        die(str(e))

    sim = seven_day_mean(hp_fleet.observed(h, b, d, True))           # [path, day], TH/s
    act = hist.h7[i_cut + 1:i_cut + 1 + n_days]
    q05, q50, q95 = np.quantile(sim, [0.05, 0.5, 0.95], axis=0)
    inside = (act >= q05) & (act <= q95)
    days = [cut + dt.timedelta(days=k + 1) for k in range(n_days)]
    ends = month_ends(days[0], days[-1])
    res = {"csv": os.path.abspath(args.csv), "cut": str(cut), "fit_from": str(d0),
           "days": n_days, "paths": args.paths, "seed": args.seed,
           "params": params, "fit": {k: v for k, v in report.items()},
           "month_end": [], "median_bias": [], "band_ratio": [], "coverage": [],
           "actual_ehs": [], "median_ehs": [], "q05_ehs": [], "q95_ehs": []}
    for e in ends:
        k = (e - days[0]).days
        res["month_end"].append(str(e))
        res["median_bias"].append(float(q50[k] / act[k] - 1))
        res["band_ratio"].append(float(q95[k] / q05[k]))
        res["coverage"].append(int(inside[k]))
        for key, v in (("actual_ehs", act[k]), ("median_ehs", q50[k]), ("q05_ehs", q05[k]),
                       ("q95_ehs", q95[k])):
            res[key].append(float(v * 1e-6))
    res["coverage_all"] = float(np.mean(inside))
    res["max_abs_bias"] = float(max(abs(x) for x in res["median_bias"]))

    print("back-test of the fleet model: fit %s to %s, %d paths, %d days after the cut"
          % (d0, cut, args.paths, n_days))
    print("fit: kappa %.3f/yr, max growth %.3f/yr, hashprice drift %+.3f/yr, noise %s: sd %.3f "
          "(%g days), walk sd %.3f/sqrt(yr), order sd %.3f"
          % (params["kappa"], params["max_growth"], params["hashprice_drift"],
             params.get("noise_model", "ou"), params["noise_sd"], params["noise_days"],
             params.get("walk_sd", 0.0), params["order_sd"]))
    if params.get("jump_rate", 0.0) > 0:
        print("supply shocks: %.3f/yr, size %+.3f (sd %.3f) in ln of the online multiplier, decay %g "
              "days, sign %s" % (params["jump_rate"], params["jump_mean"], params["jump_sd"],
                                 params["jump_days"], params.get("jump_sign", "any")))
    if report.get("method") == "likelihood":
        print("fit method likelihood: prior sd of the drift %s (cross-validation negll %s), "
              "error scale %.3f, Student-t nu %.1f, in-sample median |error| %.3f, negll %.2f"
              % (report["prior_sd"], ", ".join("%s: %.1f" % kv for kv in report["cv_scores"].items()),
                 report["scale"], report["nu"], report["median_abs_error"], report["objective"]))
    print("%-10s %9s %9s %9s %9s %8s %6s %7s" % ("month end", "actual", "median", "5%", "95%",
                                               "bias", "95/5", "inside"))
    for i, e in enumerate(res["month_end"]):
        print("%-10s %9.1f %9.1f %9.1f %9.1f %+7.1f%% %6.2f %7s"
              % (e, res["actual_ehs"][i], res["median_ehs"][i], res["q05_ehs"][i], res["q95_ehs"][i],
                 100 * res["median_bias"][i], res["band_ratio"][i], "yes" if res["coverage"][i] else "no"))
    print("EH/s (7-day means). Daily coverage of the 5-95%% band: %.1f%% of %d days; largest |median "
          "bias| %.1f%%; band ratio at the end %.2f"
          % (100 * res["coverage_all"], n_days, 100 * res["max_abs_bias"], res["band_ratio"][-1]))
    if args.json:
        tmp = args.json + ".partial"
        with open(tmp, "w") as f:
            json.dump(res, f, indent=1)
            f.write("\n")
        os.replace(tmp, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
