#!/usr/bin/python3
"""Quasi-Monte Carlo against pseudo-random at equal paths (numbers, not
pass/fail): issue 9's benchmark of simulation.sampler.

    bench_qmc.py HASHPIVOT CONFIG [-R 16] [-N 1024] [-j 2] [--horizon Y]
                 [--smooth] [--set key=value]...

R independent replications of N paths each, with seeds 1..R, once with
sampler "pseudo" and once with "sobol" (qmc_points = N, so a replication is
exactly one scramble of N points: equal work). For each estimator, its
spread across the R replications: for the mean NPV and the paired gain
mean(npv[a] - npv[0]) (unbiased under both samplers) the standard
deviation of the R estimates, which is their RMS error; for the 5%
quantile the RMS error against the quantile of all 2 R N paths pooled
(bias included). Ratio = pseudo / sobol: > 1 means QMC helps (1.41 is
worth twice the paths). Then the time cost: total wall seconds of the
sobol runs over the pseudo runs.

--smooth sets the smooth variant of the config: gbm price, trend hashrate,
the fleet outside the network (no per-allocation retargets), no AI busts,
fixed power; what remains rough (tranche events, block luck, curtailment,
halvings) is still there.

The ratios carry sampling noise: with R replications a variance ratio is
known to about a factor exp(+-2 sqrt(2 / (R - 1))) (95%), so at R = 16
ratios of RMS error between 0.7 and 1.4 are not distinguishable from 1."""
import argparse
import math
import os
import resource
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

SMOOTH = ['price.model="gbm"', 'network.hashrate_model="trend"', "miner.in_network=false",
          "ai_market.bust_intensity=0.0", 'miner.power_model="fixed"']


def run(args, sampler, seed, out):
    cmd = [args.bin, "run", args.config, "-n", str(args.N), "-s", str(seed), "-j", str(args.j),
           "--quiet", "--force", "-o", out, "--set", f'simulation.sampler="{sampler}"',
           "--set", f"simulation.qmc_points={args.N}"]
    if args.horizon:
        cmd += ["--set", f"time.horizon_years={args.horizon}"]
    for kv in (SMOOTH if args.smooth else []) + args.set:
        cmd += ["--set", kv]
    t, r0 = time.monotonic(), resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    dt = (time.monotonic() - t, r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime)
    with h5py.File(out, "r") as f:
        npv = f["valuation/npv"][()]
        alloc = f["allocation"][()]
    return npv, alloc, dt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("config")
    ap.add_argument("-R", type=int, default=16)
    ap.add_argument("-N", type=int, default=1024)
    ap.add_argument("-j", type=int, default=2)
    ap.add_argument("--horizon", type=float, default=0)
    ap.add_argument("--smooth", action="store_true")
    ap.add_argument("--set", action="append", default=[])
    args = ap.parse_args()
    res = {}
    times = {}
    with tempfile.TemporaryDirectory() as tmp:
        for sampler in ("pseudo", "sobol"):
            res[sampler], times[sampler] = [], np.zeros(2)
            for r in range(args.R):
                npv, alloc, dt = run(args, sampler, r + 1, os.path.join(tmp, "r.h5"))
                res[sampler].append(npv)
                times[sampler] += dt
    a0 = int(np.argmin(np.abs(alloc)))
    a20 = int(np.argmin(np.abs(alloc - 0.2)))
    pooled = np.concatenate([x for s in res for x in res[s]], axis=1)
    q_true = np.quantile(pooled, 0.05, axis=1)
    name = os.path.basename(args.config) + (" (smooth: " + ", ".join(SMOOTH) + ")" if args.smooth else "")
    print(f"QMC vs pseudo-random, {name}: R = {args.R} replications x N = {args.N} paths"
          + (f", horizon {args.horizon:g} years" if args.horizon else "") + "; RMS error in $M")
    print(f"  {'estimator':34s} {'pseudo':>10s} {'sobol':>10s} {'ratio':>7s}")
    rows = []
    for a in sorted({a0, a20}):
        rows.append((f"mean NPV [{alloc[a]:g}]", lambda x, a=a: x[a].mean(), None))
        rows.append((f"5% quantile NPV [{alloc[a]:g}]", lambda x, a=a: np.quantile(x[a], 0.05), q_true[a]))
    if a20 != a0:
        rows.append((f"mean(npv[{alloc[a20]:g}] - npv[{alloc[a0]:g}])",
                     lambda x: (x[a20] - x[a0]).mean(), None))
    for label, est, truth in rows:
        err = {}
        for s in res:
            e = np.array([est(x) for x in res[s]])
            err[s] = e.std(ddof=1) if truth is None else math.sqrt(np.mean((e - truth) ** 2))
        ratio = err["pseudo"] / err["sobol"] if err["sobol"] > 0 else float("inf")
        print(f"  {label:34s} {err['pseudo'] / 1e6:10.1f} {err['sobol'] / 1e6:10.1f} {ratio:7.2f}")
    (pw, pc), (qw, qc) = times["pseudo"], times["sobol"]
    print(f"  time ({args.j} threads): wall pseudo {pw:.1f} s, sobol {qw:.1f} s (ratio {qw / pw:.2f}); "
          f"cpu pseudo {pc:.1f} s, sobol {qc:.1f} s (ratio {qc / pc:.2f})")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
