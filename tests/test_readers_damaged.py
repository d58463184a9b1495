"""scripts/report.py and scripts/compare.py on damaged and foreign files:
every trial ends either normally (exit 0: the damage missed what they
read) or with exactly one line on stderr naming the file and a non-zero
exit; never a Python traceback, never a crash.

Trials (all deterministic): the file truncated at 12 lengths; 24 single
bytes flipped (fixed seed, 16 in the first 8 KiB where HDF5 keeps the
superblock and root metadata); 27 foreign HDF5 files built with h5py,
each a results file with one attribute or dataset of the wrong type or
shape; 3 files with a damaged global heap collection (where string
attributes live, unchecksummed: HDF5 1.10 would crash on them, so the
readers check the collections first); files that are not HDF5 at all.
The analysis files the report reads with --sensitivity and --gsa get the
same treatment: truncations, flips and foreign variants of each.

Both scripts run in one child process (runner below), so matplotlib is
imported once and a crash inside HDF5 still shows as a failed trial.
    test_readers_damaged.py HASHPIVOT_BINARY SOURCE_DIR"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np

from pycheck import check, done

bin_, root = sys.argv[1], sys.argv[2]
scripts = os.path.join(root, "scripts")

# Runs main() of report.py and of compare.py (good file as A, the trial as
# B) on every results file named on stdin, and report.py with the good
# results file and the trial as --sensitivity or --gsa on lines
# "sensitivity PATH" or "gsa PATH"; one JSON line per trial on stdout.
RUNNER = r"""
import contextlib, io, json, os, sys, traceback
sys.path.insert(0, sys.argv[1])
import matplotlib
matplotlib.use("Agg")
import compare, report
good, outdir = sys.argv[2], sys.argv[3]
for line in sys.stdin.read().split("\n"):
    if not line:
        continue
    flag, _, path = line.rpartition(" ") if line.startswith(("sensitivity ", "gsa ")) else ("", "", line)
    res = {"path": path}
    calls = ((("report", lambda: report.main([path, "-o", outdir])),
              ("compare", lambda: compare.main([good, path]))) if not flag else
             (("report", lambda: report.main([good, "-o", outdir, "--" + flag, path])),))
    for name, call in calls:
        err, out = io.StringIO(), io.StringIO()
        try:
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
                rc = call()
        except SystemExit as e:
            rc = e.code if isinstance(e.code, int) else 1
        except BaseException:
            rc, err = "traceback", io.StringIO(traceback.format_exc())
        res[name] = {"rc": rc, "stderr": err.getvalue()}
    print(json.dumps(res), flush=True)
"""


def corrupt_copies(good, tmp):
    """Damaged copies of good: truncations and byte flips."""
    data = open(good, "rb").read()
    n = len(data)
    out = []
    for frac in (0, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999):
        p = os.path.join(tmp, f"trunc_{frac}.h5")
        open(p, "wb").write(data[:int(n * frac)])
        out.append(p)
    p = os.path.join(tmp, "trunc_last_byte.h5")
    open(p, "wb").write(data[:-1])
    out.append(p)
    rng = np.random.RandomState(20260101)
    offsets = list(rng.randint(0, min(n, 8192), 16)) + list(rng.randint(0, n, 8))
    for k, off in enumerate(offsets):
        b = bytearray(data)
        b[off] ^= 0xFF
        p = os.path.join(tmp, f"flip_{k}_{off}.h5")
        open(p, "wb").write(bytes(b))
        out.append(p)
    return out


def foreign_files(good, tmp):
    """Copies of good with one attribute or dataset replaced by a wrong one."""
    def edit(name, fn):
        p = os.path.join(tmp, f"foreign_{name}.h5")
        shutil.copy(good, p)
        with h5py.File(p, "r+") as f:
            fn(f)
        return p

    def set_attr(key, value):
        def fn(f):
            f.attrs[key] = value
        return fn

    def del_attr(key):
        def fn(f):
            del f.attrs[key]
        return fn

    def replace(name, value):
        def fn(f):
            del f[name]
            f[name] = value
        return fn

    out = [
        edit("filetype_array", set_attr("filetype", np.array([b"hashpivot-results"] * 2))),
        edit("filetype_int", set_attr("filetype", 7)),
        edit("version_text", set_attr("format_version", "1.0")),
        edit("version_short", set_attr("format_version", np.array([1], dtype=np.int32))),
        edit("version_old", set_attr("format_version", np.array([1, 0], dtype=np.int32))),
        edit("version_float", set_attr("format_version", np.array([1.5, 0.0]))),
        edit("seed_text", set_attr("seed", "seven")),
        edit("seed_missing", del_attr("seed")),
        edit("paths_array", set_attr("n_paths", np.array([16, 16], dtype=np.uint64))),
        edit("paths_negative", set_attr("n_paths", np.int64(-3))),
        edit("status_array", set_attr("status", np.array([b"complete", b"x"]))),
        edit("baseline_text", set_attr("baseline_allocation", "zero")),
        edit("baseline_range", set_attr("baseline_allocation", np.int32(99))),
        edit("days_text", set_attr("n_days", "731")),
        edit("horizon_text", set_attr("horizon_years", "two")),
        edit("horizon_array", set_attr("horizon_years", np.array([2.0, 3.0]))),
        edit("summary_int", set_attr("summary_items", 5)),
        edit("summary_bad_scale", set_attr("summary_items", "NPV|valuation/npv|abc")),
        edit("summary_missing_var", set_attr("summary_items", "NPV|valuation/nothing|1")),
        edit("alloc_missing", lambda f: f.__delitem__("axes/allocation")),
        edit("alloc_text", replace("axes/allocation", np.array([b"a", b"b", b"c", b"d", b"e"]))),
        edit("npv_1d", replace("valuation/npv", np.zeros(16))),
        edit("npv_shape", replace("valuation/npv", np.zeros((5, 3)))),
        edit("npv_group", lambda f: (f.__delitem__("valuation/npv"), f.create_group("valuation/npv"))),
        edit("year_mismatch", replace("axes/days_in_year", np.array([365], dtype=np.int32))),
        edit("totals_shape", replace("totals/mining_revenue", np.zeros((2, 2)))),
        edit("per_year_shape", replace("market/btc_price_end", np.zeros((4,)))),
        edit("npv_text", replace("valuation/npv", np.array([[b"x"] * 16] * 5))),
    ]
    plain = os.path.join(tmp, "plain.h5")
    with h5py.File(plain, "w") as f:
        f["x"] = np.zeros(3)
    empty = os.path.join(tmp, "empty.h5")
    open(empty, "wb").close()
    text = os.path.join(tmp, "text.h5")
    open(text, "w").write("hello\n")
    directory = os.path.join(tmp, "dir.h5")
    os.mkdir(directory)
    return out + [plain, empty, text, directory, os.path.join(tmp, "absent.h5")] + heap_files(good, tmp)


def heap_files(good, tmp):
    """Copies of good with its first global heap collection damaged: an
    object's size, an object's index, the collection's size."""
    data = open(good, "rb").read()
    at = data.find(b"GCOL\x01\x00\x00\x00")
    obj = at + 16 + 16 + (int.from_bytes(data[at + 24:at + 32], "little") + 7) // 8 * 8   # the second object
    out = []
    for name, off, value in (("heap_object_size", obj + 9, 0xFF), ("heap_object_index", obj + 1, 0xFF),
                             ("heap_collection_size", at + 13, 0x7F)):
        b = bytearray(data)
        b[off] = value
        p = os.path.join(tmp, f"{name}.h5")
        open(p, "wb").write(bytes(b))
        out.append(p)
    return out


def analysis_files(bin_, root, tmp):
    """A sensitivity and a gsa file, and damaged or foreign copies of them:
    lines for the runner ("sensitivity PATH", "gsa PATH")."""
    cfg = os.path.join(root, "configs", "default.cfg")
    small = ["-n", "16", "--quiet", "--set", "time.horizon_years=2.0"]
    sens, gcfg, gsa = (os.path.join(tmp, n) for n in ("an_sens.h5", "an_gsa.cfg", "an_gsa.h5"))
    subprocess.run([bin_, "sensitivity", cfg, "-o", sens, "--vary", "price.mu=0.05:0.25", *small], check=True,
                   stdout=subprocess.DEVNULL)
    with open(gcfg, "w") as fh:
        fh.write(f'@include "{cfg}"\nuncertain = {{ price = {{ mu = ("uniform", 0.0, 0.3); }}; '
                 'hpc = { capex_usd_per_mw = ("uniform", 8.0e6, 12.0e6); }; };\n')
    subprocess.run([bin_, "gsa", gcfg, "-o", gsa, "-r", "2", "-N", "2", "--bootstrap", "10", *small], check=True,
                   stdout=subprocess.DEVNULL)
    lines = []
    for flag, good in (("sensitivity", sens), ("gsa", gsa)):
        data = open(good, "rb").read()
        for frac in (0, 0.01, 0.1, 0.5, 0.9, 0.999):
            p = os.path.join(tmp, f"an_{flag}_trunc_{frac}.h5")
            open(p, "wb").write(data[:int(len(data) * frac)])
            lines.append(f"{flag} {p}")
        rng = np.random.RandomState(7)
        for k, off in enumerate(list(rng.randint(0, min(len(data), 8192), 6)) + list(rng.randint(0, len(data), 4))):
            b = bytearray(data)
            b[off] ^= 0xFF
            p = os.path.join(tmp, f"an_{flag}_flip_{k}_{off}.h5")
            open(p, "wb").write(bytes(b))
            lines.append(f"{flag} {p}")
    edits = [("sensitivity", sens, "no_swing", lambda f: f.__delitem__("sensitivity/gain_swing_mean")),
             ("sensitivity", sens, "mean_shape", lambda f: (f.__delitem__("sensitivity/gain_mean"),
                                                            f.create_dataset("sensitivity/gain_mean", data=np.zeros(3)))),
             ("sensitivity", sens, "key_numbers", lambda f: (f.__delitem__("sensitivity/unit"),
                                                             f.create_dataset("sensitivity/unit", data=np.zeros(1)))),
             ("sensitivity", sens, "filetype", lambda f: f.attrs.__setitem__("filetype", "something-else")),
             ("sensitivity", sens, "version", lambda f: f.attrs.__setitem__("format_version", np.array([2, 0], "i4"))),
             ("sensitivity", sens, "status", lambda f: f.attrs.__setitem__("status", "incomplete")),
             ("sensitivity", sens, "tornado_alloc", lambda f: f["sensitivity"].attrs.__setitem__("tornado_allocation", 0.77)),
             ("sensitivity", sens, "no_group", lambda f: f.__delitem__("sensitivity")),
             ("gsa", gsa, "no_s1", lambda f: f.__delitem__("gsa/sobol/S1")),
             ("gsa", gsa, "mu_shape", lambda f: (f.__delitem__("gsa/morris/mu"),
                                                 f.create_dataset("gsa/morris/mu", data=np.zeros(5)))),
             ("gsa", gsa, "neither", lambda f: (f.__delitem__("gsa/sobol"), f.__delitem__("gsa/morris"))),
             ("gsa", gsa, "no_group", lambda f: f.__delitem__("gsa"))]
    for flag, good, name, fn in edits:
        p = os.path.join(tmp, f"foreign_an_{flag}_{name}.h5")
        shutil.copy(good, p)
        with h5py.File(p, "r+") as f:
            fn(f)
        lines.append(f"{flag} {p}")
    return lines


# Damage to a dataset only report.py reads.
REPORT_ONLY = {"foreign_per_year_shape.h5"}

with tempfile.TemporaryDirectory() as tmp:
    good = os.path.join(tmp, "good.h5")
    subprocess.run([bin_, "run", os.path.join(root, "configs", "default.cfg"), "-n", "16", "--quiet",
                    "--set", "time.horizon_years=2.0", "-o", good], check=True, stdout=subprocess.DEVNULL)
    trials = corrupt_copies(good, tmp) + foreign_files(good, tmp) + analysis_files(bin_, root, tmp)
    env = dict(os.environ, MPLCONFIGDIR=os.path.join(tmp, "mpl"))
    p = subprocess.run([sys.executable, "-c", RUNNER, scripts, good, os.path.join(tmp, "rep")],
                       input="\n".join(trials) + "\n", capture_output=True, text=True, env=env)
    results = [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]
    check(p.returncode == 0 and len(results) == len(trials),
          f"runner finished every trial ({len(results)} of {len(trials)}, exit {p.returncode}): "
          f"{p.stderr[-2000:]}")
    refused = 0
    for res in results:
        name = os.path.basename(res["path"])
        for script in [k for k in ("report", "compare") if k in res]:
            r = res[script]
            lines = [ln for ln in r["stderr"].splitlines() if ln.strip()]
            if r["rc"] == 0:
                continue
            refused += 1
            ok = (r["rc"] != "traceback" and len(lines) == 1 and name in lines[0]
                  and lines[0].startswith(f"{script}.py: "))
            check(ok, f"{script}.py on {name}: exit {r['rc']}, stderr:\n{r['stderr'].rstrip()}")
        # A foreign file must be refused, not summarised.
        if name.startswith(("foreign_", "heap_")) or name in ("plain.h5", "empty.h5", "text.h5", "dir.h5", "absent.h5"):
            readers = ("report",) if name in REPORT_ONLY or name.startswith("foreign_an_") else ("report", "compare")
            for script in readers:
                check(res[script]["rc"] not in (0, "traceback"), f"{script}.py refuses {name}")
    print(f"{len(trials)} trials, {refused} refusals")

done()
