#!/usr/bin/python3
"""Liveness of every shipped config, and plausibility of the default world.

usage: test_liveness.py HASHPIVOT SOURCE_DIR [PATHS] [--plausibility-only]
                        [--configs A.cfg,B.cfg]

Every configs/*.cfg (or those --configs names) runs PATHS paths (default
10,000) with its own seed.
Liveness (issue 8, item 3): in no path, allocation and year does the network
mine fewer than half the blocks the year's days would give at one block per
ten minutes, unless the config declares itself a death-spiral stress test
with a line `# stress: death-spiral`. The count is a minimum over all
path-years, not a statistic: no sampling tolerance.

Plausibility (--plausibility-only) of configs/default.cfg with the fleet
hashrate model, per calendar year, on the pure-mining allocation:
  - the median (over paths) of the year's mean hashprice lies within 0.5x
    and 2x the median full cost of a machine ordered that year
    (network/full_cost_new: power at the median site, opex, machine and site
    annuities);
  - the 5% quantile of the year's mean hashprice is at least half the
    median power cost of the newest cohort (network/cash_cost_best).
With 10,000 paths the standard error of a median is about
1.25 sd / sqrt(n) = 1.25% of its spread, and of a 5% quantile about
sqrt(0.05 x 0.95 / n) / density, a few percent of it: far inside the 2x
bounds, so the check does not flip with the seed. The script prints every
year's figures.
"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pycheck import check, done  # noqa: E402


def run(binary, cfg, out, paths):
    p = subprocess.run([binary, "run", cfg, "-n", str(paths), "-j", str(os.cpu_count() or 1),
                        "-o", out, "--force", "--quiet"], capture_output=True, text=True)
    if p.returncode != 0:
        print(p.stdout, p.stderr)
    return p.returncode == 0


def main():
    argv = sys.argv[1:]
    only = None
    if "--configs" in argv:
        i = argv.index("--configs")
        only = argv[i + 1].split(",")
        del argv[i:i + 2]
    args = [a for a in argv if not a.startswith("--")]
    only_plausibility = "--plausibility-only" in argv
    binary, root = args[0], args[1]
    paths = int(args[2]) if len(args) > 2 else 10000
    cfgs = sorted(f for f in os.listdir(os.path.join(root, "configs")) if f.endswith(".cfg"))
    check(len(cfgs) >= 5, "at least five shipped configs")
    if only is not None:
        missing = [c for c in only if c not in cfgs]
        check(not missing, "--configs names shipped configs (%s)" % ", ".join(missing))
        cfgs = [c for c in cfgs if c in only]
    if only_plausibility:
        cfgs = ["default.cfg"]
    with tempfile.TemporaryDirectory() as tmp:
        for name in cfgs:
            path = os.path.join(root, "configs", name)
            with open(path) as f:
                stress = any(line.strip() == "# stress: death-spiral" for line in f)
            out = os.path.join(tmp, name + ".h5")
            ok = run(binary, path, out, paths)
            check(ok, "%s runs %d paths" % (name, paths))
            if not ok:
                continue
            with h5py.File(out, "r") as h:
                blocks = h["network/blocks"][...]            # [alloc, path, year]
                days = h["days_in_year"][...]
                years = h["year"][...]
                need = 0.5 * 144 * days
                worst = (blocks / need[None, None, :]).min()
                a, p, y = np.unravel_index(np.argmin(blocks / need[None, None, :]), blocks.shape)
                print("%s: fewest blocks in a year %.0f (path %d, %d, allocation %d): %.2f of half "
                      "the expected%s" % (name, blocks[a, p, y], p, years[y], a, worst,
                                          " (declared stress test)" if stress else ""))
                if not stress and not only_plausibility:
                    check(worst >= 1.0, "%s: every path-year mines at least half its expected blocks"
                          % name)
                if name == "default.cfg" and only_plausibility:
                    plausibility(h)
    done()


def plausibility(h):
    base = list(h["allocation"][...]).index(0.0)
    hp = h["network/hashprice_mean"][base]           # [path, year]
    full = h["network/full_cost_new"][base]
    cash = h["network/cash_cost_best"][base]
    years = h["year"][...]
    check(np.all(full > 0), "default.cfg uses the fleet model (full costs reported)")
    print("year  median hashprice  full cost new  ratio   5%% hashprice  cash cost best  ratio")
    for y, yr in enumerate(years):
        med, fc = np.median(hp[:, y]), np.median(full[:, y])
        q05, cc = np.quantile(hp[:, y], 0.05), np.median(cash[:, y])
        print("%d  %15.2f  %13.2f  %5.2f  %13.2f  %14.2f  %5.2f"
              % (yr, med, fc, med / fc, q05, cc, q05 / cc))
        check(0.5 <= med / fc <= 2.0, "%d: median hashprice within 0.5x-2x the full cost of a new "
              "machine (%.2f)" % (yr, med / fc))
        check(q05 >= 0.5 * cc, "%d: 5%% quantile of hashprice at least half the newest cohort's "
              "cash cost (%.2f)" % (yr, q05 / cc))


if __name__ == "__main__":
    main()
