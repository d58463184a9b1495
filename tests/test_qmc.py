"""The Sobol sampler (simulation.sampler = "sobol") on a smooth config: gbm
price, trend hashrate, the fleet outside the network, no AI busts. One run
of R scrambles of M points and one pseudo-random run of R M paths, same
seed.

  - Error: the variance of the R scramble means of NPV (R - 1 degrees of
    freedom) must be below the variance of an M-path pseudo-random mean
    (sd^2 / M from all R M pseudo paths) by more than sampling noise can
    explain: S^2_qmc / (sd^2 / M) < chi2_{0.001}(R - 1) / (R - 1). If QMC
    were no better, that would happen with probability 0.001 (normal
    scramble means); the measured ratio is printed.
  - Unbiased: the Sobol mean and the pseudo mean agree within 4 standard
    errors (between-scramble se for Sobol, iid se for pseudo).
  - The summary prints the between-scramble standard error for Sobol runs:
    the printed interval of the mean is +-1.96 sd(scramble means) / sqrt(R)
    (to the 3 digits printed), not the iid one; compare.py, whose errors
    assume independent paths, warns.

    test_qmc.py HASHPIVOT SOURCE_DIR"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

R, M = 16, 256
CHI2_001_15 = 3.483       # chi2 quantile 0.001 at 15 degrees of freedom (scipy.stats.chi2.ppf)
SMOOTH = ['price.model="gbm"', 'network.hashrate_model="trend"', "miner.in_network=false",
          "ai_market.bust_intensity=0.0", "time.horizon_years=2.0"]

fails = 0


def check(ok, msg):
    global fails
    print(("ok   " if ok else "FAIL ") + msg)
    fails += not ok


def run(bin_, cfg, sampler, out):
    cmd = [bin_, "run", cfg, "-n", str(R * M), "-s", "11", "-j", "2", "--quiet", "-o", out,
           "--set", f'simulation.sampler="{sampler}"', "--set", f"simulation.qmc_points={M}"]
    for kv in SMOOTH:
        cmd += ["--set", kv]
    p = subprocess.run(cmd, check=True, capture_output=True, text=True)
    with h5py.File(out, "r") as f:
        return f["valuation/npv"][()], f["allocation"][()], p.stdout


def money(t):
    """'-$1.30B' -> -1.3e9."""
    t = t.strip()
    sign = -1 if t.startswith("-") else 1
    t = t.lstrip("-$")
    scale = {"B": 1e9, "M": 1e6, "k": 1e3}.get(t[-1], 1)
    return sign * float(t.rstrip("BMk")) * scale


def first_mean_interval(out):
    """The interval under the mean of the first allocation row of the NPV block."""
    lines = out.splitlines()
    i = next(k for k, l in enumerate(lines) if l.startswith("NPV ["))
    ci = lines[i + 3]
    a, b = ci[ci.index("[") + 1:ci.index("]")].split(",")
    return money(a), money(b)


def main():
    bin_, root = sys.argv[1], sys.argv[2]
    assert R - 1 == 15
    cfg = os.path.join(root, "configs", "default.cfg")
    with tempfile.TemporaryDirectory() as tmp:
        q, alloc, q_out = run(bin_, cfg, "sobol", os.path.join(tmp, "q.h5"))
        p, _, p_out = run(bin_, cfg, "pseudo", os.path.join(tmp, "p.h5"))
        cmp_ = subprocess.run([sys.executable, os.path.join(root, "scripts", "compare.py"),
                               os.path.join(tmp, "p.h5"), os.path.join(tmp, "q.h5")],
                              capture_output=True, text=True)
    check(cmp_.returncode == 0 and cmp_.stdout.count("WARNING") == 1 and "q.h5: sampler sobol" in cmp_.stdout,
          "compare.py warns that the Sobol file's iid errors do not hold (and only for it)")
    for a in range(len(alloc)):
        means = q[a].reshape(R, M).mean(axis=1)
        s2_qmc = means.var(ddof=1)
        s2_mc = p[a].var(ddof=1) / M
        bound = CHI2_001_15 / (R - 1)
        check(s2_qmc / s2_mc < bound,
              f"alloc {alloc[a]:g}: variance of a {M}-point mean, Sobol / pseudo = {s2_qmc / s2_mc:.3f} "
              f"(RMS error ratio {np.sqrt(s2_mc / s2_qmc):.1f}x), must be < {bound:.3f}")
        se_q = np.sqrt(s2_qmc / R)
        se_p = p[a].std(ddof=1) / np.sqrt(R * M)
        diff = q[a].mean() - p[a].mean()
        check(abs(diff) < 4 * np.hypot(se_q, se_p),
              f"alloc {alloc[a]:g}: Sobol mean - pseudo mean = {diff / 1e6:.1f} $M, "
              f"4 se = {4 * np.hypot(se_q, se_p) / 1e6:.1f} $M")
    # The summary's 95% interval of the mean NPV at 0%: +-1.96 se between
    # scrambles, not the iid se (3 significant digits printed).
    lo, hi = first_mean_interval(q_out)
    se_q = q[0].reshape(R, M).mean(axis=1).std(ddof=1) / np.sqrt(R)
    se_iid = q[0].std(ddof=1) / np.sqrt(R * M)
    half = (hi - lo) / 2 / 1.96
    check("Sampler sobol" in q_out and "Sampler sobol" not in p_out, "the summary names the Sobol sampler")
    check(abs(half - se_q) < 0.25 * se_q and abs(half - se_iid) > 0.5 * se_iid,
          f"printed se of the mean {half / 1e6:.1f} $M: between scrambles {se_q / 1e6:.1f} $M, "
          f"iid {se_iid / 1e6:.1f} $M")
    print(f"{fails} failed")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
