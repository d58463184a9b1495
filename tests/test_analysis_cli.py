"""The command lines of solve (and gsa): the last line of solve is
`KEY = VALUE ± SE`, --help works, and bad input fails with one line.
    test_analysis_cli.py HASHPIVOT_BINARY SOURCE_DIR"""
import os
import re
import subprocess
import sys
import tempfile

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

for cmd in ("solve", "sensitivity"):
    r = hp(cmd, "--help")
    check(r.returncode == 0 and r.stdout.startswith(f"usage: hashpivot {cmd}"), f"{cmd} --help")
r = hp("--help")
check("hashpivot solve CONFIG" in r.stdout and "hashpivot sensitivity CONFIG" in r.stdout, "main usage lists them")

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
done()
