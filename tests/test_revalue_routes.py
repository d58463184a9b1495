"""solve, gsa and sensitivity revalue the base case's recorded paths when
only valuation keys vary (hp_model.valuation_key): their whole outputs
(stdout, and every dataset and attribute of the analysis file) are the
same bits as with --simulate-all, which simulates every run; stderr says
which route was taken, and a key that moves the paths is simulated.
    test_revalue_routes.py HASHPIVOT_BINARY SOURCE_DIR"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

from pycheck import check, done

bin_, root = sys.argv[1], sys.argv[2]
cfg = os.path.join(root, "configs", "default.cfg")
SHORT = ["--set", "time.horizon_years=4.0", "-n", "120"]
tmp = tempfile.mkdtemp()


def hp(*args):
    return subprocess.run([bin_, *args], capture_output=True, text=True)


def routes(*args):
    """The command revalued, then with --simulate-all."""
    return hp(*args), hp(*args, "--simulate-all")


def as_bytes(v):
    v = np.asarray(v)
    return repr(v.tolist()).encode() if v.dtype.kind == "O" else v.tobytes()


def h5_items(path, skip=()):
    """Every dataset's bytes and every attribute, by name (minus skip)."""
    items = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            for k, v in obj.attrs.items():
                if k not in skip and k not in ("DIMENSION_LIST", "REFERENCE_LIST"):  # object references
                    items[f"{name}@{k}"] = as_bytes(v)
            if isinstance(obj, h5py.Dataset):
                items[name] = as_bytes(obj[()])
        f.visititems(visit)
    return items


REVALUED, SIMULATED = "revalued on the base case's recorded paths", "every run simulated"

# solve: a mean (chunked), a quantile (the whole sample), batches (paths
# from an offset), on the discount rate and on a terminal multiple.
for extra in (["--vary", "valuation.discount_rate=0.05:0.3", "--target", "mean(npv[0.2]-npv[0])=5e9"],
              ["--vary", "valuation.discount_rate=0.05:0.3", "--target", "quantile(npv[0.2]-npv[0],0.3)=4e9"],
              ["--vary", "valuation.hpc_noi_multiple=0:20", "--target", "P(npv[0.2]>npv[0])=0.5",
               "--se", "batches", "--batches", "3"]):
    fast, slow = routes("solve", cfg, *SHORT, *extra)
    check(fast.returncode == 0 and slow.returncode == 0, f"solve {extra}: {fast.stderr[-300:]!r} {slow.stderr[-300:]!r}")
    check(fast.stdout == slow.stdout and fast.stdout.count("\n") >= 5,
          f"solve {extra}: the same output bit for bit\n{fast.stdout}\n{slow.stdout}")
    strip = lambda e: [l for l in e.splitlines() if not l.startswith("solve: valuation key") and
                       not l.startswith("solve: every run")]
    check(strip(fast.stderr) == strip(slow.stderr), f"solve {extra}: the same iterations")
    check(REVALUED in fast.stderr and SIMULATED in slow.stderr, f"solve {extra}: route said {fast.stderr[:200]!r}")

# --record-mib: a budget that keeps only some paths (the rest simulated),
# and one that keeps none; both give the same bits as simulating all.
import re
solve_dr = ["solve", cfg, *SHORT, "--vary", "valuation.discount_rate=0.05:0.3",
            "--target", "mean(npv[0.2]-npv[0])=5e9"]
full = hp(*solve_dr, "--simulate-all")
part = hp(*solve_dr, "--record-mib", "1")
kept = re.search(r"\((\d+) of 120 kept", part.stderr)
check(part.returncode == 0 and kept is not None and 0 < int(kept.group(1)) < 120,
      f"--record-mib 1 keeps some of the paths: {part.stderr[:300]!r}")
check(part.stdout == full.stdout and full.stdout.count("\n") >= 5, "--record-mib 1: the same output bit for bit")
none = hp(*solve_dr, "--record-mib", "0")
check(none.returncode == 0 and "every run simulated (--record-mib 0)" in none.stderr and none.stdout == full.stdout,
      f"--record-mib 0 simulates every run: {none.stderr[:300]!r}")
bad = hp("sensitivity", cfg, *SHORT, "--vary", "valuation.discount_rate=0.07:0.13", "--record-mib", "8")
check(bad.returncode == 2 and "--record-mib is for solve and gsa" in bad.stderr, f"sensitivity refuses --record-mib: {bad.stderr!r}")

# solve on a key that moves the paths: simulated, said so.
r = hp("solve", cfg, *SHORT, "--vary", "hpc.build_months=1:60", "--target", "mean(npv[0.2]-npv[0])=0")
check("every run simulated (the key is not a valuation key" in r.stderr,
      f"solve on the build time is simulated: {r.stderr[:300]!r}")

# The lease rate and the conversion capex only scale cash flows: solve
# revalues, the same stdout as --simulate-all; not under the optimal policy.
for key in ("ai_market.lease0_usd_per_mw_year=2e5:2.5e6", "hpc.capex_usd_per_mw=1e6:3e7"):
    fast, slow = routes("solve", cfg, *SHORT, "--vary", key, "--target", "mean(npv[0.2]-npv[0])=0")
    check(fast.returncode == 0 and REVALUED in fast.stderr and SIMULATED in slow.stderr
          and fast.stdout == slow.stdout and fast.stdout.count("\n") >= 3,
          f"solve {key}: revalued, the same output: {fast.stderr[:300]!r}")

# gsa over valuation keys: the whole /gsa group, bit for bit.
gcfg = os.path.join(tmp, "gsa.cfg")
with open(gcfg, "w") as f:
    f.write(f'@include "{cfg}"\n'
            "uncertain = {\n"
            "  valuation = { discount_rate = (\"uniform\", 0.06, 0.16);\n"
            "                hpc_noi_multiple = (\"triangular\", 6.0, 10.0, 14.0);\n"
            "                mining_noi_multiple = (\"loguniform\", 1.0, 5.0); };\n"
            "};\n")
outs = [os.path.join(tmp, n) for n in ("fast.h5", "slow.h5")]
gsa = ["gsa", gcfg, "--set", "time.horizon_years=3.0", "-n", "60", "-r", "3", "-N", "4", "--bootstrap", "50"]
fast = hp(*gsa, "-o", outs[0])
slow = hp(*gsa, "-o", outs[1], "--simulate-all")
check(fast.returncode == 0 and slow.returncode == 0, f"gsa ran: {fast.stderr[-300:]!r} {slow.stderr[-300:]!r}")
check(fast.stdout == slow.stdout and "Sobol indices" in fast.stdout, "gsa: the same printed indices")
check(REVALUED in fast.stderr and SIMULATED in slow.stderr, f"gsa: route said {fast.stderr[:300]!r}")
if fast.returncode == 0 and slow.returncode == 0:
    # The file's provenance (command line, times) differs; /gsa must not.
    a, b = ({k: v for k, v in h5_items(o).items() if k.startswith("gsa")} for o in outs)
    check(len(a) > 30 and a == b, f"gsa: /gsa identical ({len(a)} items; differing: "
          f"{sorted(k for k in a if a.get(k) != b.get(k))[:5]})")

# gsa with one input that moves the paths: every run simulated.
mcfg = os.path.join(tmp, "mixed.cfg")
with open(mcfg, "w") as f:
    f.write(f'@include "{cfg}"\nuncertain = {{ valuation = {{ discount_rate = ("uniform", 0.06, 0.16); }};\n'
            '  hpc = { build_months = ("uniform", 9.0, 18.0); }; };\n')
r = hp("gsa", mcfg, "--set", "time.horizon_years=2.0", "-n", "20", "--method", "morris", "-r", "2",
       "-o", os.path.join(tmp, "mixed.h5"))
check(r.returncode == 0 and "every run simulated (not every key is a valuation key" in r.stderr,
      f"gsa with the build time is simulated: {r.stderr[:300]!r}")

# sensitivity: --simulate-all turns its revaluation off, same /sensitivity.
outs = [os.path.join(tmp, n) for n in ("sfast.h5", "sslow.h5")]
sens = ["sensitivity", cfg, *SHORT, "--vary", "valuation.discount_rate=0.07:0.13", "--vary",
        "valuation.mining_noi_multiple=1:5"]
fast = hp(*sens, "-o", outs[0])
slow = hp(*sens, "-o", outs[1], "--simulate-all")
check(fast.returncode == 0 and slow.returncode == 0, f"sensitivity ran: {slow.stderr[-300:]!r}")
check(fast.stdout == slow.stdout, "sensitivity: the same tornado")
check("4 levels revalued" in fast.stderr and "0 levels revalued" in slow.stderr,
      f"sensitivity: routes {fast.stderr[:200]!r} / {slow.stderr[:200]!r}")
if fast.returncode == 0 and slow.returncode == 0:
    # The route is recorded in two attributes; nothing else may differ.
    a, b = ({k: v for k, v in h5_items(o, skip=("revalued_levels", "simulated_runs")).items() if k.startswith("sensitivity")}
            for o in outs)
    check(len(a) > 10 and a == b, f"sensitivity: /sensitivity identical ({len(a)} items)")
done()
