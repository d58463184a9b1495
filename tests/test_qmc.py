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
  - So do the shares and CVaR: recomputed here from valuation/npv and the
    scramble grouping (path p in scramble p // qmc_points, the file's root
    attribute), each printed interval equals estimate +-1.96 se_between
    (shares clipped to [0, 1]) to the digits printed, for P(loss) and CVaR
    5% of every allocation and P(beats baseline) and CVaR of every paired
    gain. se_between = sd(per-scramble estimates, ddof 1) / sqrt(R); a
    scramble's CVaR estimate is q + mean(min(x - q, 0)) / alpha with q the
    tail order statistic of all paths (rank floor(alpha n)).

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


Z95 = 1.959963984540054
ALPHA = 0.05
# Column widths of the summary table (sim/summary_print.c): "alloc", then
# mean, 5%, 50%, 95%, CVaR (money) and a share, each after one space.
WIDTHS = [7, 20, 20, 20, 20, 20, 17]


def cells(line):
    out, pos = [], 0
    for w in WIDTHS:
        out.append(line[pos:pos + w].strip())
        pos += w
    return out


def interval(cell):
    a, b = cell[cell.index("[") + 1:cell.index("]")].split(",")
    return a.strip(), b.strip()


def share(t):
    return float(t.rstrip("%")) / 100


def money_unit(v):
    """Half a unit of the third significant digit of v (the print rounding)."""
    return 0.5 * 10 ** (np.floor(np.log10(abs(v))) - 2) if v != 0 else 0.005


def block_rows(out, title_start):
    """{allocation label: (value cells, interval cells)} of a summary block."""
    lines = out.splitlines()
    i = next(k for k, l in enumerate(lines) if l.startswith(title_start)) + 2
    rows = {}
    while i + 1 < len(lines) and lines[i].strip() and lines[i][:7].strip().endswith("%"):
        rows[lines[i][:7].strip()] = (cells(lines[i]), cells(lines[i + 1]))
        i += 2
    return rows


def between(x, est):
    """se from the spread of per-scramble estimates est(scramble values)."""
    g = np.array([est(s) for s in x.reshape(R, M)])
    return g.std(ddof=1) / np.sqrt(R)


def check_share(name, printed, x, event):
    p = event(x).mean()
    se = between(x, lambda s: event(s).mean())
    lo, hi = max(0.0, p - Z95 * se), min(1.0, p + Z95 * se)
    plo, phi = (share(t) for t in interval(printed[1]))
    n, z2 = x.size, Z95 * Z95          # Wilson's interval, the iid one
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)

    def near(a, b):
        return abs(a - b) <= 0.0005 + 1e-12
    ok = near(share(printed[0]), p) and near(plo, lo) and near(phi, hi)
    check(ok, f"{name} = {p:.4f}: printed [{plo:.3f}, {phi:.3f}], between scrambles "
              f"[{lo:.4f}, {hi:.4f}] (se {se:.4f}; Wilson [{centre - half:.4f}, {centre + half:.4f}])")
    return near(plo, centre - half) and near(phi, centre + half)


def check_cvar(name, printed, x):
    srt = np.sort(x)
    q = srt[min(int(np.floor(ALPHA * x.size)), x.size - 1)]
    y = np.minimum(x - q, 0.0)
    cvar = -(q + y.mean() / ALPHA)
    se = between(x, lambda s: np.minimum(s - q, 0.0).mean()) / ALPHA
    se_iid = y.std(ddof=1) / np.sqrt(x.size) / ALPHA
    want = [cvar, cvar - Z95 * se, cvar + Z95 * se]
    iid = [cvar, cvar - Z95 * se_iid, cvar + Z95 * se_iid]
    got = [money(printed[0])] + [money(t) for t in interval(printed[1])]

    def near(gs, ws):
        return all(abs(g - w) <= 1.0001 * max(money_unit(g), money_unit(w)) for g, w in zip(gs, ws))
    ok = near(got, want)
    check(ok, f"{name} = {cvar / 1e6:.2f} $M: printed [{got[1] / 1e6:.2f}, {got[2] / 1e6:.2f}] $M, "
              f"between scrambles [{want[1] / 1e6:.3f}, {want[2] / 1e6:.3f}] $M "
              f"(se {se / 1e6:.3f} $M; iid se {se_iid / 1e6:.3f} $M)")
    return near(got, iid)


def check_between_errors(q, alloc, base, out):
    """Every allocation's P(loss) and CVaR, every gain's P(beats) and CVaR."""
    npv = block_rows(out, "NPV [")
    gain = block_rows(out, "NPV gain over ")
    n_checks, iid_match = 0, 0
    for a, f in enumerate(alloc):
        key = f"{100 * f:.4g}%"
        v, ci = npv[key]
        n_checks += 2
        iid_match += check_share(f"P(loss), alloc {f:g}", (v[6], ci[6]), q[a], lambda s: s < 0)
        iid_match += check_cvar(f"CVaR 5%, alloc {f:g}", (v[5], ci[5]), q[a])
        if a == base:
            continue
        v, ci = gain[key]
        d = q[a] - q[base]
        n_checks += 2
        iid_match += check_share(f"P(beats {alloc[base]:g}), alloc {f:g}", (v[6], ci[6]), d,
                                 lambda s: s > 0)
        iid_match += check_cvar(f"CVaR 5% of the gain, alloc {f:g}", (v[5], ci[5]), d)
    check(iid_match <= n_checks // 4,
          f"the iid intervals would match the print in only {iid_match} of these {n_checks} checks "
          "(so they tell the two apart)")
    check("SE of means, CVaR and shares: the spread of the 16 scrambles' estimates" in out,
          "the header says the shares' and CVaR's errors are between scrambles")


def main():
    bin_, root = sys.argv[1], sys.argv[2]
    assert R - 1 == 15
    cfg = os.path.join(root, "configs", "default.cfg")
    with tempfile.TemporaryDirectory() as tmp:
        q, alloc, q_out = run(bin_, cfg, "sobol", os.path.join(tmp, "q.h5"))
        with h5py.File(os.path.join(tmp, "q.h5"), "r") as f:
            check(int(f.attrs["qmc_points"]) == M, f"the file records qmc_points = {M}")
            base = int(f.attrs["baseline_allocation"])
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
    check_between_errors(q, alloc, base, q_out)
    print(f"{fails} failed")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
