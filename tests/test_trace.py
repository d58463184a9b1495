#!/usr/bin/python3
"""`hashpivot trace`: the .npy file against `hashpivot run` on the same seed.

usage: test_trace.py HASHPIVOT SOURCE_DIR

A short run of configs/default.cfg (fleet hashrate model, the firm in the
network: one chain per allocation) is traced and run with the same seed:
the trace's shape and fields, and per path, allocation and year its blocks
summed against network/blocks, its last hashrate against
network/hashrate_end, its mean price against market/btc_price_mean. The
file must not depend on -j; an existing file is kept without --force;
--first P traces the run's paths from P (rows equal those of a full trace).
"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pycheck import check, done  # noqa: E402


def main():
    binary, root = sys.argv[1], sys.argv[2]
    cfg = os.path.join(root, "configs", "default.cfg")
    common = ["-n", "40", "-s", "7", "--set", "time.horizon_years=2.0"]
    with tempfile.TemporaryDirectory() as tmp:
        npy, npy2, h5 = (os.path.join(tmp, n) for n in ("a.npy", "b.npy", "r.h5"))
        r = subprocess.run([binary, "trace", cfg, "-o", npy, "-j", "1"] + common,
                           capture_output=True, text=True)
        check(r.returncode == 0, "trace runs: " + r.stderr.strip())
        r = subprocess.run([binary, "trace", cfg, "-o", npy2, "-j", "2"] + common,
                           capture_output=True, text=True)
        check(r.returncode == 0, "trace runs on 2 threads")
        check(open(npy, "rb").read() == open(npy2, "rb").read(), "the file does not depend on -j")
        r = subprocess.run([binary, "trace", cfg, "-o", npy] + common, capture_output=True, text=True)
        check(r.returncode != 0 and "exists" in r.stderr, "an existing file is kept without --force")
        npy3 = os.path.join(tmp, "c.npy")
        r = subprocess.run([binary, "trace", cfg, "-o", npy3, "-j", "1", "--first", "37"] + common[2:]
                           + ["-n", "2"], capture_output=True, text=True)
        check(r.returncode == 0, "trace --first runs: " + r.stderr.strip())
        part = np.load(npy3)
        check(part.shape[0] == 2 and part.tobytes() == np.load(npy)[37:39].tobytes(),
              "--first 37 -n 2 gives rows 37 and 38 of the full trace")
        r = subprocess.run([binary, "run", cfg, "--first", "3", "-o", npy3 + ".h5"] + common,
                           capture_output=True, text=True)
        check(r.returncode == 2 and "--first" in r.stderr, "run refuses --first")
        r = subprocess.run([binary, "run", cfg, "-o", h5, "--quiet"] + common,
                           capture_output=True, text=True)
        check(r.returncode == 0, "run runs")
        t = np.load(npy)
        with h5py.File(h5, "r") as h:
            n_alloc = len(h["allocation"])
            days = h["days_in_year"][...]
            check(t.shape == (40, int(days.sum())), "shape (paths, days) %s" % (t.shape,))
            want = ["market/btc_price", "market/fee_btc_per_block"] + [
                "chain%d/%s" % (n, v) for n in range(n_alloc)
                for v in ("hashrate", "difficulty", "blocks", "hashprice")]
            check(list(t.dtype.names) == want, "fields %s" % (t.dtype.names,))
            ends = np.cumsum(days)
            starts = ends - days
            blocks = h["network/blocks"][...]
            hend = h["network/hashrate_end"][...]
            pmean = h["market/btc_price_mean"][...]
            worst_b = worst_h = worst_p = 0.0
            for y in range(len(days)):
                sl = slice(starts[y], ends[y])
                worst_p = max(worst_p, np.max(np.abs(t["market/btc_price"][:, sl].mean(axis=1) /
                                                     pmean[:, y] - 1)))
                for a in range(n_alloc):
                    b = t["chain%d/blocks" % a][:, sl].sum(axis=1)
                    worst_b = max(worst_b, np.max(np.abs(b / blocks[a, :, y] - 1)))
                    he = t["chain%d/hashrate" % a][:, ends[y] - 1] * 1e-18
                    worst_h = max(worst_h, np.max(np.abs(he / hend[a, :, y] - 1)))
            check(worst_b < 1e-12, "blocks per year equal network/blocks (worst %.1e)" % worst_b)
            check(worst_h < 1e-12, "last hashrate equals network/hashrate_end (worst %.1e)" % worst_h)
            check(worst_p < 1e-12, "mean price equals market/btc_price_mean (worst %.1e)" % worst_p)
    done()


if __name__ == "__main__":
    main()
