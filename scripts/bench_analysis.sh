#!/usr/bin/env bash
# Cost of the analysis commands on this machine (numbers, not pass/fail):
#   - the default's tornado, K = 6 keys as scripts/update_docs.py draws it
#     (`hashpivot sensitivity`, 2K + 1 in-process runs) at
#     HP_BENCH_TORNADO_PATHS paths (default 1000), against the same 2K + 1
#     runs as plain `hashpivot run`s writing HDF5, and against K + 1 plain
#     runs (issue 9's measure); then the same six keys plus the other four
#     valuation keys (K = 10: the levels of valuation keys are revalued on
#     the base case's paths, not simulated) against K + 1 plain runs;
#   - the revalued route of `solve` and `gsa` (only valuation keys vary: the
#     base case's paths are simulated once, recorded, and replayed) against
#     --simulate-all: solve of the discount rate and of the break-even lease
#     rate at HP_BENCH_SOLVE_PATHS paths (default 1000), a gsa over three
#     valuation keys (Morris and Sobol, -n HP_BENCH_GSA_PATHS, default 200,
#     -r 4 -N 8 --bootstrap 200),
#     and the README's tornado and that of the lease rate and capex alone
#     (HP_BENCH_TORNADO_PATHS), each route's time and whether their stdout
#     is byte for byte the same;
#   - a path's quasi-random normals (Sobol, scrambling, inverse normal,
#     Brownian bridge) against the same number of PCG64 normals;
#   - the Sobol sampler's RMS errors against pseudo-random at equal paths
#     (scripts/bench_qmc.py: HP_BENCH_QMC_R replications, default 16, of
#     HP_BENCH_QMC_N paths, default 1024), on CONFIG and its smooth variant.
#   scripts/bench_analysis.sh [CONFIG]
# HP_BENCH_TORNADO_ONLY=1 stops after the tornadoes; HP_BENCH_REVALUE_ONLY=1
# runs only the solve and gsa routes.
# Times are wall clock and CPU (user + sys) of the child processes: on a
# shared machine the CPU time is the steadier figure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cfg=${1:-$root/configs/default.cfg}
dir=${HP_BUILD_DIR:-$root/build}     # as scripts/build.sh
bin=$dir/hashpivot
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tn=${HP_BENCH_TORNADO_PATHS:-1000}
# scripts/update_docs.py's TORNADO_KEYS: the README's tornado.
vary=(--vary ai_market.lease0_usd_per_mw_year=1.4e6:2.1e6 --vary hpc.capex_usd_per_mw=8e6:12e6
      --vary valuation.discount_rate=0.08:0.12 --vary miner.power_usd_mwh=35:55
      --vary price.mu=0.05:0.25 --vary hpc.build_months=9:18)
K=6
# Of these, the valuation keys (models/scenario_value.c): their levels are
# revalued on the base case's paths, the other keys' simulated.
KR=3
# The other valuation keys (models/scenario_value.c): nothing simulated
# reads them, so their levels cost a replay of each path's valuation.
vary_val=(--vary valuation.hpc_noi_multiple=12:18 --vary valuation.mining_noi_multiple=2:6
          --vary valuation.hpc_salvage_usd_per_mw=4e5:5.5e5 --vary valuation.mining_salvage_usd_per_mw=1e5:2.5e5)
KV=10

# timed_out FILE COMMAND...: prints "wall cpu" seconds of COMMAND, its stdout
# into FILE.
timed_out() {
  /usr/bin/python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
with open(sys.argv[1], "w") as out:
    subprocess.run(sys.argv[2:], check=True, stdout=out, stderr=subprocess.DEVNULL)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{time.monotonic() - t:.2f} {r.ru_utime + r.ru_stime:.2f}")
PY
}
# timed COMMAND...: the same, stdout discarded.
timed() { timed_out /dev/null "$@"; }

if [[ ${HP_BENCH_REVALUE_ONLY:-0} != 1 ]]; then
echo "tornado of $K keys, $tn paths, $cfg:"
read -r tw tc < <(timed "$bin" sensitivity "$cfg" -n "$tn" -o "$tmp/s.h5" --quiet "${vary[@]}")
echo "  hashpivot sensitivity ($((2 * K + 1)) levels in process, $((2 * KR)) revalued): wall ${tw} s, cpu ${tc} s"
pw=0; pc=0
for ((i = 0; i < 2 * K + 1; i++)); do
  read -r w c < <(timed "$bin" run "$cfg" -n "$tn" -o "$tmp/r.h5" --force --quiet)
  pw=$(/usr/bin/python3 -c "print(round($pw + $w, 2))"); pc=$(/usr/bin/python3 -c "print(round($pc + $c, 2))")
done
echo "  $((2 * K + 1)) x hashpivot run (HDF5): wall ${pw} s, cpu ${pc} s"
/usr/bin/python3 - "$tw" "$tc" "$pw" "$pc" "$K" <<'PY'
import sys
tw, tc, pw, pc, K = map(float, sys.argv[1:])
per_w, per_c = pw / (2 * K + 1), pc / (2 * K + 1)
print(f"  tornado / {2*K+1:.0f} plain runs: wall {tw / pw:.2f}, cpu {tc / pc:.2f}")
print(f"  tornado / {K+1:.0f} plain runs (K + 1): wall {tw / (per_w * (K + 1)):.2f}, cpu {tc / (per_c * (K + 1)):.2f}")
PY

echo "tornado of $KV keys (the $K above and the other valuation keys), $tn paths:"
read -r vw vc < <(timed "$bin" sensitivity "$cfg" -n "$tn" -o "$tmp/v.h5" --quiet "${vary[@]}" "${vary_val[@]}")
echo "  hashpivot sensitivity ($((2 * KV + 1)) levels): wall ${vw} s, cpu ${vc} s"
/usr/bin/python3 - "$vw" "$vc" "$pw" "$pc" "$K" "$KV" <<'PY'
import sys
vw, vc, pw, pc, K, KV = map(float, sys.argv[1:])
per_w, per_c = pw / (2 * K + 1), pc / (2 * K + 1)
print(f"  tornado / {KV+1:.0f} plain runs (K + 1): wall {vw / (per_w * (KV + 1)):.2f}, cpu {vc / (per_c * (KV + 1)):.2f}")
PY
[[ ${HP_BENCH_TORNADO_ONLY:-0} == 1 ]] && exit 0
echo
fi

# routes LABEL ARGS...: the same analysis revalued and with --simulate-all;
# prints each route's wall and cpu seconds and whether stdout is the same.
routes() {
  local label=$1; shift
  read -r fw fc < <(timed_out "$tmp/fast.txt" "$bin" "$@")
  read -r sw sc < <(timed_out "$tmp/slow.txt" "$bin" "$@" --simulate-all)
  local same=no
  cmp -s "$tmp/fast.txt" "$tmp/slow.txt" && same=yes
  echo "  $label:"
  echo "    revalued wall ${fw} s, cpu ${fc} s; --simulate-all wall ${sw} s, cpu ${sc} s;" \
       "cpu ratio $(/usr/bin/python3 -c "print(f'{$sc / max($fc, 1e-9):.1f}')"); same stdout: $same"
}

sn=${HP_BENCH_SOLVE_PATHS:-1000}
echo "solve and gsa over valuation keys, revalued against --simulate-all, $cfg:"
routes "solve --vary valuation.discount_rate=0.05:0.2 --target mean(npv[0.2]-npv[0])=0 -n $sn -j 2" \
  solve "$cfg" --vary valuation.discount_rate=0.05:0.2 --target "mean(npv[0.2]-npv[0])=0" -n "$sn" -j 2 --quiet
cat > "$tmp/gsa.cfg" <<EOF
@include "$cfg"
uncertain = { valuation = { discount_rate = ("uniform", 0.06, 0.16);
                            hpc_noi_multiple = ("uniform", 12.0, 18.0);
                            mining_noi_multiple = ("uniform", 2.0, 6.0); }; };
EOF
gn=${HP_BENCH_GSA_PATHS:-200}
routes "gsa of 3 valuation keys, -n $gn -r 4 -N 8 --bootstrap 200 -j 2 (56 runs)" \
  gsa "$tmp/gsa.cfg" -n "$gn" -r 4 -N 8 --bootstrap 200 -j 2 --quiet --force -o "$tmp/g.h5"
routes "solve --vary ai_market.lease0_usd_per_mw_year=2e5:2.5e6 --target mean(npv[0.2]-npv[0])=0 -n $sn -j 2" \
  solve "$cfg" --vary ai_market.lease0_usd_per_mw_year=2e5:2.5e6 --target "mean(npv[0.2]-npv[0])=0" -n "$sn" -j 2 --quiet
routes "sensitivity, the README's $K keys ($((2 * KR)) of $((2 * K + 1)) levels revalued), -n $tn -j 2" \
  sensitivity "$cfg" -n "$tn" -j 2 --quiet --force -o "$tmp/t.h5" "${vary[@]}"
routes "sensitivity, the lease rate and capex (4 of 5 levels revalued), -n $tn -j 2" \
  sensitivity "$cfg" -n "$tn" -j 2 --quiet --force -o "$tmp/t.h5" "${vary[@]:0:4}"
[[ ${HP_BENCH_REVALUE_ONLY:-0} == 1 ]] && exit 0

echo
echo "quasi-random normals:"
"$dir/tests/bench_qmc" 4748 3 200 | sed 's/^/  /'

# Issue 9's measure of simulation.sampler = "sobol": RMS errors at equal
# paths against pseudo-random, on the config and on its smooth variant.
qr=${HP_BENCH_QMC_R:-16}; qn=${HP_BENCH_QMC_N:-1024}
echo
/usr/bin/python3 "$root/scripts/bench_qmc.py" "$bin" "$cfg" -R "$qr" -N "$qn" -j "$(nproc)"
/usr/bin/python3 "$root/scripts/bench_qmc.py" "$bin" "$cfg" -R "$qr" -N "$qn" -j "$(nproc)" --smooth
