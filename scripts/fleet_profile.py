#!/usr/bin/python3
"""Profile of the fleet fit's objective over the buyers' drift and kappa.

usage: fleet_profile.py --csv FILE --cut YYYY-MM-DD --drifts G1,G2,.. --kappas K1,K2,..
                        [--fit-years 4] [--noise-model ou|walk|jump]
                        [--jump-sign any|down] [--prior-sd SD] [--hashpivot BIN]

For each (drift, kappa) on the grid, on the window backtest.py fits (the
--fit-years before the cut), runs the engine deterministically from every
in-sample start (hp_fleet.deterministic_errors), profiles the noise out
(hp_fleet.fit_noise, as the fit does) and prints the negative
log-likelihood, the drift's prior penalty at --prior-sd (0.03 by default,
what cross-validation chose for the OU model at the 2021 cut), their sum (the fit's
objective), the median |error| and the fitted noise. docs/network.md
("Why kappa sits at its bound") uses it to show where the objective is
flat.
"""
import argparse
import datetime as dt
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hp_fleet  # noqa: E402


def floats(text):
    try:
        return [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("'%s': not a comma-separated list of numbers" % text)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--csv", required=True)
    ap.add_argument("--cut", required=True, type=dt.date.fromisoformat)
    ap.add_argument("--drifts", required=True, type=floats, help="buyers' drifts, 1/yr")
    ap.add_argument("--kappas", required=True, type=floats, help="kappas, 1/yr")
    ap.add_argument("--fit-years", type=float, default=4.0)
    ap.add_argument("--noise-model", default="jump", choices=list(hp_fleet.NOISE_MODELS))
    ap.add_argument("--jump-sign", default="any", choices=list(hp_fleet.JUMP_SIGNS))
    ap.add_argument("--prior-sd", type=float, default=0.03)
    ap.add_argument("--hashpivot")
    args = ap.parse_args(argv)
    lo, hi = hp_fleet.KAPPA_BOUNDS[0], 100.0
    if not args.drifts or not args.kappas or not all(lo <= k <= hi for k in args.kappas):
        sys.exit("fleet_profile.py: --drifts and --kappas must be non-empty, kappas in [%g, %g]"
                 % (lo, hi))
    if not args.prior_sd > 0:
        sys.exit("fleet_profile.py: --prior-sd must be > 0")
    try:
        hist = hp_fleet.History(args.csv)
        i1 = hist.index(args.cut)
        i0 = max(0, i1 - int(round(args.fit_years * 365.25)) + 1)
        binary = hp_fleet.find_hashpivot(args.hashpivot)
        # The fit's own starting parameters and objective (hp_fleet.fit).
        base = hp_fleet.base_params(args.noise_model, jump_sign=args.jump_sign)
        base["max_growth"] = hp_fleet.max_growth(hist, i0, i1)
        print("window %s to %s, noise %s (sign %s), growth cap %.3f/yr, prior sd %g"
              % (hist.dates[i0], args.cut, args.noise_model, args.jump_sign, base["max_growth"],
                 args.prior_sd))
        print("%8s %7s %8s %7s %9s %7s  %s" % ("drift", "kappa", "negll", "prior", "objective",
                                              "med|e|", "noise"))
        for g in args.drifts:
            for k in args.kappas:
                p = dict(base, hashprice_drift=g, kappa=k)
                nll, noise, nu, errs = hp_fleet.profile_point(binary, hist, i0, i1, args.cut, p)
                pen = hp_fleet.drift_penalty(g, args.prior_sd)
                e, _ = hp_fleet.flat_errors(errs)
                print("%+8.3f %7.2f %8.2f %7.2f %9.2f %7.3f  %s%s"
                      % (g, k, nll, pen, nll + pen, float(np.median(np.abs(e))),
                         " ".join("%.3f" % x for x in noise),
                         "" if math.isinf(nu) else " nu %.1f" % nu), flush=True)
    except hp_fleet.FitError as err:
        sys.exit("fleet_profile.py: %s" % err)
    return 0


if __name__ == "__main__":
    sys.exit(main())
