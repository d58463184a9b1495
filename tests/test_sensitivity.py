"""hashpivot sensitivity: the base case equals a plain `hashpivot run` bit
for bit; the file is read knowing only its attributes and axes; every
statistic agrees with numpy on the stored base case; the levels share the
base case's paths (common random numbers: the paired change has a far
smaller error than either mean); every level equals a plain `hashpivot run
--set KEY=VALUE` bit for bit, also the levels of valuation keys, which are
revalued on the base case's paths rather than simulated; a variant whose
config is another's is simulated once; results do not depend on threads; bad input fails with one
line.
    test_sensitivity.py HASHPIVOT_BINARY SOURCE_DIR"""
import math
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

from pycheck import check, done

bin_, root = sys.argv[1], sys.argv[2]
cfg = os.path.join(root, "configs", "default.cfg")
N = 300
# A 4-year horizon keeps the test fast; the allocations are the default's.
# Builds without random length or cancellation, so capex changes NPV by
# the same amount on every path (section 3).
SHORT = ["--set", "time.horizon_years=4.0", "--set", "hpc.build_sigma=0.0", "--set", "hpc.cancel_prob=0.0"]
VARY = ["--vary", "hpc.capex_usd_per_mw=8e6:12e6", "--vary", "ai_market.lease0_usd_per_mw_year=1.4e6:2.1e6",
        "--vary", "price.garch.sigma_long=0.4:0.6"]


def hp(*args, ok=True):
    r = subprocess.run([bin_, *args], capture_output=True, text=True)
    if ok and r.returncode != 0:
        print(r.stdout, r.stderr)
        raise SystemExit(f"hashpivot {args[0]} failed")
    return r


tmp = tempfile.mkdtemp()
run_h5, s1, s2 = (os.path.join(tmp, n) for n in ("run.h5", "s1.h5", "s2.h5"))
hp("run", cfg, "-n", str(N), "-o", run_h5, "--quiet", *SHORT)
r1 = hp("sensitivity", cfg, "-n", str(N), "-o", s1, "-j", "1", "--quiet", *SHORT, *VARY)
hp("sensitivity", cfg, "-n", str(N), "-o", s2, "-j", "2", "--quiet", *SHORT, *VARY)

with h5py.File(run_h5, "r") as f:
    run_npv = f["valuation/npv"][()]

with h5py.File(s1, "r") as f:
    check(f.attrs["filetype"] == "hashpivot-analysis" and f.attrs["analysis"] == "sensitivity",
          "root attributes name the file")
    check(f.attrs["status"] == "complete" and int(f.attrs["n_paths"]) == N, "status and n_paths")
    check(list(f.attrs["format_version"]) == [1, 0], "format version")
    check("horizon_years = 4.0;" in f["config/resolved"][()].decode(), "resolved config stored")
    g = f["sensitivity"]
    # Knowing only the file: each dataset's dimensions are named axes.
    axes = {}
    for name, d in g.items():
        check("long_name" in d.attrs, f"{name} has long_name")
        if d.attrs.get("CLASS", b"") == b"DIMENSION_SCALE":
            axes[name] = d[()]
    for name, d in g.items():
        if name in axes:
            continue
        dims = [g[ref].name.split("/")[-1] for ref in (d.attrs["DIMENSION_LIST"][i][0] for i in range(d.ndim))]
        check(all(len(axes[a]) == n for a, n in zip(dims, d.shape)), f"{name}: shape {d.shape} matches axes {dims}")
    keys = [k.decode() for k in axes["key"]]
    levels = [v.decode() for v in axes["level"]]
    alloc = list(axes["allocation"])
    check(keys == ["hpc.capex_usd_per_mw", "ai_market.lease0_usd_per_mw_year", "price.garch.sigma_long"],
          "keys in order")
    check(levels == ["low", "base", "high"], "levels")
    check([u.decode() for u in g["unit"][()]] == ["USD/MW", "USD/MW/yr", "1/sqrt(yr)"], "units of the keys")
    value = g["value"][()]
    check(np.allclose(value, [[8e6, 10e6, 12e6], [1.4e6, 1.8e6, 2.1e6], [0.4, 0.5, 0.6]]), "key values")
    base = g["base_npv"][()]
    b = int(g.attrs["baseline_allocation"])
    check(alloc[b] == 0.0 and g.attrs["tornado_allocation"] == 0.2, "baseline and tornado allocation")

    # 1. The base case is `hashpivot run`, bit for bit.
    check(base.shape == run_npv.shape and np.array_equal(base, run_npv),
          "base case NPV equals hashpivot run's valuation/npv bit for bit")

    # 2. Statistics of the base level against numpy, for every key (the base
    #    level is the same run for all of them).
    gain = base - base[b]
    for k in range(len(keys)):
        for a in range(len(alloc)):
            x, y = base[a], gain[a]
            check(math.isclose(g["npv_mean"][k, 1, a], x.mean(), rel_tol=1e-12, abs_tol=1e-3), f"npv mean {k} {a}")
            check(math.isclose(g["npv_mean_se"][k, 1, a], x.std(ddof=1) / math.sqrt(N), rel_tol=1e-9),
                  f"npv se {k} {a}")
            q = np.percentile(x, [5, 50, 95])
            check(np.allclose(g["npv_quantile"][k, 1, a], q, rtol=1e-12), f"npv quantiles {k} {a}")
            lo, hi = g["npv_quantile_lo"][k, 1, a], g["npv_quantile_hi"][k, 1, a]
            check(np.all(lo <= q) and np.all(q <= hi), f"quantile intervals bracket {k} {a}")
            srt = np.sort(x)
            m = 0.05 * N
            tail = (srt[:int(m)].sum() + (m - int(m)) * srt[int(m)]) / m
            check(math.isclose(g["npv_cvar"][k, 1, a], -tail, rel_tol=1e-12), f"cvar {k} {a}")
            check(math.isclose(g["npv_p_negative"][k, 1, a], np.mean(x < 0)), f"P(loss) {k} {a}")
            check(math.isclose(g["gain_mean"][k, 1, a], y.mean(), rel_tol=1e-12, abs_tol=1e-3), f"gain {k} {a}")
            check(math.isclose(g["gain_p_positive"][k, 1, a], np.mean(y > 0)), f"P(beats) {k} {a}")
            check(g["npv_change_mean"][k, 1, a] == 0 and g["gain_change_mean"][k, 1, a] == 0,
                  f"no change at the base level {k} {a}")

    # 3. Common random numbers: the levels run on the base case's paths.
    #    Capex enters NPV linearly and changes nothing random, so the change
    #    of NPV at 20% is the same on every path (se ~ 0) and its mean is
    #    the difference of the means.
    a20 = alloc.index(0.2)
    chg, chg_se = g["npv_change_mean"][0, 0, a20], g["npv_change_se"][0, 0, a20]
    check(math.isclose(chg, g["npv_mean"][0, 0, a20] - g["npv_mean"][0, 1, a20], rel_tol=1e-6),
          "change = difference of means")
    check(chg > 0 and chg_se < 1e-6 * chg, f"capex change paired exactly: {chg} +- {chg_se}")
    #    The lease rate's change has an error far below either mean's.
    check(g["gain_change_se"][1, 2, a20] < 0.2 * g["gain_mean_se"][1, 2, a20], "paired error is small")
    #    The swing is gain(high) - gain(low), path by path.
    check(math.isclose(g["gain_swing_mean"][1, a20], g["gain_mean"][1, 2, a20] - g["gain_mean"][1, 0, a20],
                       rel_tol=1e-9), "swing = high - low")

# 4. Threads do not matter.
with h5py.File(s1, "r") as f1, h5py.File(s2, "r") as f2:
    same = all(np.array_equal(f1["sensitivity"][n][()], f2["sensitivity"][n][()], equal_nan=True)
               for n in f1["sensitivity"] if f1["sensitivity"][n].dtype.kind == "f")
    check(same, "-j 1 and -j 2 give identical datasets")

# 5. Every level is a plain run: for each key and level, `hashpivot run
#    --set KEY=VALUE` on the same seed and paths writes the same NPV, bit
#    for bit, as the file's low_npv / high_npv.
def levels_are_plain_runs(path):
    with h5py.File(path, "r") as f:
        g = f["sensitivity"]
        names = [k.decode() for k in g["key"][()]]
        value, low, high = g["value"][()], g["low_npv"][()], g["high_npv"][()]
        check(low.shape == high.shape == (len(names), len(alloc), N), f"low_npv, high_npv shape {low.shape}")
        check(np.array_equal(g["base_npv"][()], run_npv), f"{path}: base case equals hashpivot run")
        for k, key in enumerate(names):
            for lev, arr in ((0, low), (2, high)):
                out = os.path.join(tmp, "lev.h5")
                hp("run", cfg, "-n", str(N), "-o", out, "--quiet", "--force", *SHORT, "--set",
                   f"{key}={float(value[k, lev])!r}")
                with h5py.File(out, "r") as r:
                    check(np.array_equal(arr[k], r["valuation/npv"][()]),
                          f"{key} = {float(value[k, lev])!r}: the level equals hashpivot run --set bit for bit")


levels_are_plain_runs(s1)
with h5py.File(s1, "r") as f:
    # The lease rate and capex only scale cash flows (valuation keys): their
    # levels revalued; the GARCH key's simulated.
    check(f["sensitivity"].attrs["simulated_runs"] == 3 and f["sensitivity"].attrs["revalued_levels"] == 4,
          "lease rate and capex revalued, the volatility's levels simulated")

# 5b. Valuation keys (nothing simulated reads them) are revalued on the
#     base case's paths, not simulated again, and still give each plain
#     run's bits; the one other key's levels are simulated.
s4 = os.path.join(tmp, "s4.h5")
VAL = ["--vary", "valuation.discount_rate=0.08:0.12", "--vary", "valuation.hpc_noi_multiple=12:18",
       "--vary", "valuation.mining_salvage_usd_per_mw=1e5:2.5e5", "--vary", "hpc.build_months=9:18"]
r4 = hp("sensitivity", cfg, "-n", str(N), "-o", s4, "-j", "2", *SHORT, *VAL)
check("sensitivity: 3 simulated runs of 300 paths" in r4.stderr and "6 levels revalued" in r4.stderr,
      f"3 runs simulated, 6 levels revalued: {r4.stderr!r}")
check(r4.stderr.count("a valuation key, revalued on the base case's paths") == 6, "each revalued level says so")
with h5py.File(s4, "r") as f:
    g = f["sensitivity"]
    check(g.attrs["simulated_runs"] == 3 and g.attrs["revalued_levels"] == 6, "the file records the counts")
    check(not np.array_equal(g["high_npv"][0], g["base_npv"][()]), "the discount rate moves NPV")
levels_are_plain_runs(s4)

# 6. A level whose config is the base case's (the default discount rate is
#    0.10) and a key given twice are simulated once, their paths reused.
s3 = os.path.join(tmp, "s3.h5")
r3 = hp("sensitivity", cfg, "-n", "40", "-o", s3, *SHORT, "--vary", "valuation.discount_rate=0.1:0.12",
        "--vary", "valuation.discount_rate=0.1:0.12")
check("sensitivity: 1 simulated run of 40 paths" in r3.stderr and "1 level revalued" in r3.stderr,
      f"1 run and 1 revaluation for 5 variants: {r3.stderr!r}")
check(r3.stderr.count("its paths reused") == 3, "three variants reuse another's paths")
with h5py.File(s3, "r") as f:
    g = f["sensitivity"]
    check(np.array_equal(g["low_npv"][0], g["base_npv"][()]) and np.array_equal(g["low_npv"][1], g["base_npv"][()]),
          "a level at the base value is the base case")
    check(np.array_equal(g["high_npv"][0], g["high_npv"][1]) and not np.array_equal(g["high_npv"][0], g["base_npv"][()]),
          "a key given twice: the same paths")
    check(g["gain_swing_mean"][0, 2] == g["gain_swing_mean"][1, 2], "and the same statistics")

# 7. The table: one row per key, longest bar (|swing| at 20%) first.
rows = [l.split()[0] for l in r1.stdout.splitlines() if l.startswith(("hpc.", "ai_market.", "price."))]
with h5py.File(s1, "r") as f:
    sw = abs(f["sensitivity/gain_swing_mean"][:, 2])
want = [keys[i] for i in np.argsort(-sw, kind="stable")]
check(rows == want, f"tornado order {rows}, want {want}")

# 8. Bad input: one line, non-zero status, no file left behind.
bad = [(["--vary", "price.nope=1:2"], "unknown key 'price.nope'"),
       (["--vary", "allocation.fractions=1:2"], "not a number"),
       (["--vary", "simulation.seed=1:2"], "cannot be varied"),
       (["--vary", "price.mu=0.3:0.1"], "LOW must be below HIGH"),
       (["--vary", "price.mu=0.1"], "is not KEY=LOW:HIGH"),
       (["--vary", "network.height0=1.5:2"], "integer key"),
       (["--vary", "price.sigma=-1:0.5"], "price.sigma"),
       ([], "needs --vary")]
for extra, msg in bad:
    out = os.path.join(tmp, "bad.h5")
    r = hp("sensitivity", cfg, "-n", "10", "-o", out, "--quiet", *extra, ok=False)
    check(r.returncode != 0 and msg in r.stderr and not os.path.exists(out) and not os.path.exists(out + ".partial"),
          f"{extra}: rc {r.returncode}, stderr {r.stderr!r}")
r = hp("sensitivity", cfg, "-n", "10", "-o", s1, "--quiet", *VARY, ok=False)
check(r.returncode == 1 and "exists; use --force" in r.stderr, "refuses to overwrite")
done()
