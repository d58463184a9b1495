"""The command lines of solve and gsa: the last line of solve is
`KEY = VALUE ± SE`; gsa reads the `uncertain` group, writes /gsa whose
design runs are real runs of the model (one is re-run with `hashpivot run`
and compared); --help works; bad input fails with one line naming the
file, line and key.
    test_analysis_cli.py HASHPIVOT_BINARY SOURCE_DIR"""
import os
import re
import subprocess
import sys
import tempfile

import h5py
import numpy as np

from pycheck import check, done

bin_, root = sys.argv[1], sys.argv[2]
cfg = os.path.join(root, "configs", "default.cfg")
SHORT = ["--set", "time.horizon_years=4.0", "-n", "200", "--quiet"]


def hp(*args):
    return subprocess.run([bin_, *args], capture_output=True, text=True)


# solve: the last stdout line.
r = hp("solve", cfg, *SHORT, "--vary", "hpc.capex_usd_per_mw=1e6:3e7", "--target", "mean(npv[0.2]-npv[0])=0")
last = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""
m = re.fullmatch(r"hpc\.capex_usd_per_mw = (\S+) ± (\S+)", last)
check(r.returncode == 0 and m is not None, f"solve's last line: {last!r} (rc {r.returncode}, {r.stderr!r})")
if m:
    v, se = float(m.group(1)), float(m.group(2))
    check(1e6 < v < 3e7 and 0 < se < 0.1 * v, f"root {v} ± {se}")
check("SE by the delta method" in r.stdout, "says how the SE was computed")

for cmd in ("solve", "sensitivity", "gsa"):
    r = hp(cmd, "--help")
    check(r.returncode == 0 and r.stdout.startswith(f"usage: hashpivot {cmd}"), f"{cmd} --help")
r = hp("--help")
check(all(f"\n  {c} " in r.stdout for c in ("solve", "sensitivity", "gsa")), "main usage lists them")

# Bad input: exit status, one line naming the cause.
usage = [(["--vary", "price.mu=0:1"], "needs --target"),
         (["--target", "mean(npv[0.2])=0"], "needs --vary"),
         (["--vary", "price.mu=0:1", "--vary", "price.sigma=0:1", "--target", "mean(npv[0.2])=0"], "exactly one key"),
         (["--vary", "price.mu=0:1", "--target", "mean(npv[0.2])=0", "-o", "x.h5"], "writes no file"),
         (["--vary", "price.mu=0:1", "--target", "mean(npv[0.2])=0", "--se", "bootstrap"], "not delta or batches")]
for extra, msg in usage:
    r = hp("solve", cfg, *extra)
    check(r.returncode == 2 and msg in r.stderr, f"usage error {extra}: {r.returncode} {r.stderr!r}")
fail = [(["--vary", "price.mu=0:1", "--target", "mean(npv[0.2]-npv[0])"], "expected '= value'"),
        (["--vary", "price.mu=0:1", "--target", "mean(npv[0.25]-npv[0])=0"], "no allocation 0.25"),
        (["--vary", "price.mu=0:1", "--target", "mean(npv[0.2]-npv[0]=0"], "expected ')'"),
        (["--vary", "network.height0=1:2", "--target", "mean(npv[0.2])=0"], "real-valued key"),
        (["--vary", "hpc.capex_usd_per_mw=1e8:2e8", "--target", "mean(npv[0.2]-npv[0])=0"], "not bracketed")]
for extra, msg in fail:
    r = hp("solve", cfg, *SHORT, *extra)
    lines = r.stderr.strip().splitlines()
    check(r.returncode == 1 and len(lines) == 1 and msg in lines[0], f"{extra}: {r.returncode} {r.stderr!r}")

# gsa: a config with an `uncertain` group (which run and validate accept).
tmp = tempfile.mkdtemp()
gcfg = os.path.join(tmp, "gsa.cfg")
with open(gcfg, "w") as f:
    f.write(f'@include "{cfg}"\n'
            "uncertain = {\n"
            "  hpc = { capex_usd_per_mw = (\"uniform\", 8.0e6, 12.0e6); };\n"
            "  ai_market = { lease0_usd_per_mw_year = (\"triangular\", 1.2e6, 1.8e6, 2.1e6); };\n"
            "  price = { mu = (\"loguniform\", 0.02, 0.3); };\n"
            "};\n")
SMALL = ["--set", "time.horizon_years=2.0", "-n", "40", "--quiet"]
r = hp("validate", gcfg)
check(r.returncode == 0, f"validate accepts the uncertain group: {r.stderr!r}")
out = os.path.join(tmp, "g.h5")
r = hp("gsa", gcfg, *SMALL, "-r", "3", "-N", "4", "--bootstrap", "50", "-o", out)
check(r.returncode == 0 and "Morris screening" in r.stdout and "Sobol indices" in r.stdout, f"gsa ran: {r.stderr!r}")
with h5py.File(out, "r") as f:
    check(f.attrs["filetype"] == "hashpivot-analysis" and f.attrs["analysis"] == "gsa", "gsa file attributes")
    g = f["gsa"]
    keys = [k.decode() for k in g["input"][()]]
    check(keys == ["hpc.capex_usd_per_mw", "ai_market.lease0_usd_per_mw_year", "price.mu"], f"inputs {keys}")
    check([d.decode() for d in g["distribution"][()]] == ["uniform", "triangular", "loguniform"], "distributions")
    mo, so = g["morris"], g["sobol"]
    check(mo["x"].shape == (3 * 4, 3) and mo["y"].shape == (12,) and np.all(mo["mu_star"][()] >= 0), "morris shapes")
    check(so["y_AB"].shape == (3, 4) and so["x_A"].shape == (4, 3) and np.all(np.isfinite(so["ST"][()])), "sobol shapes")
    xa = so["x_A"][()]
    lo, hi = g["low"][()], g["high"][()]
    check(np.all((xa >= lo) & (xa <= hi)), "design inside the distributions")
    y0, x0 = so["y_A"][0], xa[0]
    check(g.attrs["statistic"] == "mean(npv[0.2] - npv[0])", "statistic recorded")
# The first design point, run by hand: the same statistic, to rounding.
run_h5 = os.path.join(tmp, "p0.h5")
sets = [a for k, v in zip(keys, x0) for a in ("--set", f"{k}={v!r}")]
r = hp("run", gcfg, *SMALL, *sets, "-o", run_h5)
check(r.returncode == 0, f"run accepts the uncertain group: {r.stderr!r}")
with h5py.File(run_h5, "r") as f:
    npv = f["valuation/npv"][()]
    a = list(f["axes/allocation"][()])
gain = (npv[a.index(0.2)] - npv[a.index(0.0)]).mean()
check(abs(gain - y0) <= 1e-9 * abs(y0), f"design point re-run: {gain} vs {y0}")
r = hp("gsa", gcfg, *SMALL, "--method", "morris", "-r", "2", "-o", os.path.join(tmp, "m.h5"))
with h5py.File(os.path.join(tmp, "m.h5"), "r") as f:
    check("morris" in f["gsa"] and "sobol" not in f["gsa"], "--method morris writes only morris")

# Bad `uncertain` groups: one line naming the file, the line and the key.
bad = [('hpc = { nope = ("uniform", 1.0, 2.0); };', 2, "hpc.nope", "unknown key"),
       ('hpc = { capex_usd_per_mw = ("normal", 1.0, 2.0); };', 2, "hpc.capex_usd_per_mw", "unknown distribution"),
       ('hpc = { capex_usd_per_mw = ("uniform", 1.0); };', 2, "hpc.capex_usd_per_mw", "takes two numbers"),
       ('hpc = { capex_usd_per_mw = ("uniform", 2.0, 1.0); };', 2, "hpc.capex_usd_per_mw", "low must be below high"),
       ('price = { sigma = ("uniform", -1.0, 1.0); };', 2, "price.sigma", "leaves the key's range"),
       ('price = { mu = ("triangular", 0.0, 0.5, 0.3); };', 2, "price.mu", "mode must lie"),
       ('allocation = { fractions = ("uniform", 0.0, 1.0); };', 2, "allocation.fractions", "not a number"),
       ('simulation = { seed = ("uniform", 1.0, 2.0); };', 2, "simulation.seed", "cannot be varied"),
       ('', 1, "uncertain", "declares no input")]
for body, line, key, msg in bad:
    with open(gcfg, "w") as f:
        f.write(f'@include "{cfg}"\nuncertain = {{\n{body}\n}};\n' if body else f'@include "{cfg}"\nuncertain = {{ }};\n')
    r = hp("gsa", gcfg, *SMALL, "-r", "2", "-o", os.path.join(tmp, "bad.h5"))
    want = f"{gcfg}:{line + 1 if body else 2}: {key}: "
    lines = r.stderr.strip().splitlines()
    check(r.returncode == 1 and len(lines) == 1 and want in lines[0] and msg in lines[0],
          f"{body!r}: {r.returncode} {r.stderr!r} (want {want!r}, {msg!r})")
with open(gcfg, "w") as f:
    f.write(f'@include "{cfg}"\n')
r = hp("gsa", gcfg, *SMALL, "-o", os.path.join(tmp, "bad.h5"))
check(r.returncode == 1 and "needs a group of input distributions" in r.stderr, f"no uncertain group: {r.stderr!r}")
r = subprocess.run([bin_, "solve", cfg, "--vary", "price.mu=0:1", "--target", "mean(npv[0.2])=0"],
                   capture_output=True, text=True, env={**os.environ, "OMPI_COMM_WORLD_SIZE": "2"})
check(r.returncode == 1 and "not MPI ranks" in r.stderr, f"refuses to run as MPI ranks: {r.stderr!r}")
done()
