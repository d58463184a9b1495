"""`hashpivot run --target-se`: the path count a standard error needs.

    test_run_target.py HASHPIVOT_BINARY SOURCE_DIR

Runs the default config (3-year horizon, for time) until the standard error
of the mean paired gain of 20% over 0% is below a target, with 1 thread and
with 2 threads and another block size: the same path count and the same
datasets. The file is an ordinary results file with that many paths; its
target_se_* attributes record the rule; the error recomputed from the file
(scripts/hp_stats.py) is the one printed, below the target, and was not
below it one step earlier. Then the cap, and the refusals."""
import os
import re
import subprocess
import sys
import tempfile

import h5py
import numpy as np

from pycheck import check, done

sys.path.insert(0, os.path.join(sys.argv[2], "scripts"))
from hp_stats import mean_est  # noqa: E402

bin_, root = sys.argv[1], sys.argv[2]
cfg = os.path.join(root, "configs", "default.cfg")
STAT, SE, STEP = "mean(npv[0.2] - npv[0])", 1.8e8, 50
BASE = ["--set", "time.horizon_years=3.0", "--target-se", f"{STAT}={SE:g}", "--target-step", str(STEP),
        "--max-paths", "3000"]


def run(out, *extra):
    return subprocess.run([bin_, "run", cfg, "-o", out, *BASE, *extra], capture_output=True, text=True)


def datasets(path):
    """Every dataset's values but the config text and the resume record."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and not name.startswith(("config/", "progress/")):
                out[name] = obj[()]
        f.visititems(visit)
    return out


def same(a, b):
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k], equal_nan=a[k].dtype.kind == "f")
                                        for k in a)


with tempfile.TemporaryDirectory() as tmp:
    f1, f2 = os.path.join(tmp, "j1.h5"), os.path.join(tmp, "j2.h5")
    p1 = run(f1, "-j", "1")
    p2 = run(f2, "-j", "2", "--set", "simulation.block_size=37")
    check(p1.returncode == 0 and p2.returncode == 0, f"both runs succeed ({p1.stderr.strip()[-300:]})")
    m = re.search(r"^target: (.*) = (\S+) \+- (\S+) \(SE target (\S+) reached at (\d+) paths, checked every (\d+)\)$",
                  p1.stdout.strip().splitlines()[-1])
    check(m is not None, f"the last stdout line states the target ({p1.stdout.strip().splitlines()[-1]})")
    check(p1.stdout.strip().splitlines()[-1] == p2.stdout.strip().splitlines()[-1],
          "1 and 2 threads: the same closing line")
    with h5py.File(f1, "r") as a, h5py.File(f2, "r") as b:
        n = int(a.attrs["n_paths"])
        check(n == int(b.attrs["n_paths"]) and n % STEP == 0 and 0 < n < 3000,
              f"the same path count, a whole number of steps ({n}, {int(b.attrs['n_paths'])})")
        check(a["valuation/npv"].shape[1] == n, "the datasets hold exactly n_paths paths")
        check(a.attrs["status"] == "complete", "the file is complete")
        for k in ("target_se_statistic", "target_se_wanted", "target_se_step", "target_se_max_paths",
                  "target_se_reached", "target_se_estimate", "target_se_se"):
            check(k in a.attrs and a.attrs[k] == b.attrs[k], f"attribute {k} written, the same for both")
        check(a.attrs["target_se_statistic"] == STAT and a.attrs["target_se_wanted"] == SE
              and int(a.attrs["target_se_step"]) == STEP and int(a.attrs["target_se_reached"]) == 1,
              "the rule recorded")
        check(re.search(rf"^\s*n_paths = {n};", a["config/resolved"][()].decode(), re.M) is not None,
              "the resolved config says the path count (re-running it gives this file)")
        npv, alloc = a["valuation/npv"][()], list(a["allocation"][()])
        gain = npv[alloc.index(0.2)] - npv[alloc.index(0.0)]
    check(same(datasets(f1), datasets(f2)), "1 and 2 threads (block sizes default and 37): identical datasets")
    est, _ = mean_est(gain)
    before, _ = mean_est(gain[:n - STEP])
    if m:
        check(m.group(1) == STAT and int(m.group(5)) == n, "the line names the statistic and the count")
        check(abs(float(m.group(3)) - est.se) <= 1e-3 * est.se and abs(float(m.group(2)) - est.value) <= 1e-5 * abs(est.value),
              f"printed {m.group(2)} +- {m.group(3)} = hp_stats.py on the file {est.value:.6g} +- {est.se:.4g}")
    check(est.se < SE, f"the error reached is below the target ({est.se:.4g} < {SE:g})")
    check(not before.se < SE, f"and was not one step earlier ({before.se:.4g} at {n - STEP} paths)")
    print(f"{STAT} < {SE:g}: {n} paths, se {est.se:.4g}")

    # the cap: an error out of reach stops at --max-paths, says so, exit 0
    capped = os.path.join(tmp, "cap.h5")
    p = subprocess.run([bin_, "run", cfg, "-o", capped, "--set", "time.horizon_years=3.0", "--target-se",
                        f"{STAT}=1", "--target-step", "40", "--max-paths", "100", "-j", "2"],
                       capture_output=True, text=True)
    check(p.returncode == 0 and "NOT reached: cap at 100 paths" in p.stdout
          and "ABOVE the target" in p.stderr, "the cap: 100 paths, said on stdout and stderr")
    with h5py.File(capped, "r") as f:
        check(int(f.attrs["n_paths"]) == 100 and int(f.attrs["target_se_reached"]) == 0,
              "the cap: n_paths 100, target_se_reached 0")

    def refused(args, status, want, name):
        p = subprocess.run([bin_, "run", cfg, "-o", os.path.join(tmp, "x.h5"), *args],
                           capture_output=True, text=True)
        lines = p.stderr.strip().splitlines()
        check(p.returncode == status and len(lines) == 1 and want in lines[0],
              f"{name}: exit {status}, one line with '{want}' (got {p.returncode}: {lines})")

    refused(["-n", "100", "--target-se", "mean(npv[0])=1e8"], 2, "exclude each other", "-n with --target-se")
    refused(["--max-paths", "100"], 2, "go with --target-se", "--max-paths alone")
    refused(["--target-se", "mean(npv[0])=1e8", "--target-step", "0"], 2, "--target-step", "a zero step")
    refused(["--target-se", "mean(npv[0])"], 1, "--target-se", "no value")
    refused(["--target-se", "mean(npv[0])=0"], 1, "must be a positive number", "a zero target")
    refused(["--target-se", "mean(npv[0.25])=1e8"], 1, "0.25", "an allocation the config lacks")
    refused(["--target-se", "mean(npv[0])=1e8", "-o", f1], 1, "exists; use --force", "an existing file")
    p = subprocess.run([bin_, "validate", cfg, "--target-se", "mean(npv[0])=1"], capture_output=True, text=True)
    check(p.returncode == 2 and "does not take --target-se" in p.stderr, "validate refuses --target-se")

done()
