#!/usr/bin/env bash
# Speed and memory of the engine on this machine (numbers, not pass/fail).
#   scripts/bench.sh [CONFIG...]     (default: every configs/*.cfg)
# For each config, one line of a table:
#   - ns per path-day per worker at 1 thread and at all threads (wall clock
#     of `hashpivot run`, best of HP_BENCH_REPS runs: the machine may be
#     shared, and the fastest run is the one least disturbed);
#   - the floor from the same session (tests/bench_floor.c: the four normal
#     draws and four exp() a path-day cannot avoid), at the config's days;
#   - the ratio engine/floor at 1 thread (issue 11 target: <= 3);
#   - the speedup at all threads (target >= 1.9 at 2 where the floor scales);
#   - the share of wall time in HDF5 writes at all threads (target <= 10%).
# Then, for every config, instructions per path-day from callgrind (the
# difference of two small runs, so set-up and per-block costs cancel: the
# figure that is stable on a noisy machine); for the first config, peak RSS
# at 10^4 and 10^5 paths (must not grow with paths), an optimal-policy run against a static
# run of the same size (docs/policy.md), and the analyses
# (scripts/bench_analysis.sh).
# Environment: HP_BENCH_PATHS (paths per timed run, default 4000),
# HP_BENCH_REPS (default 3), HP_BENCH_CALLGRIND (0 skips callgrind),
# HP_BENCH_FULL (0 skips memory and analyses), HP_BUILD_DIR (default build/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
dir=${HP_BUILD_DIR:-$root/build}     # as scripts/build.sh
bin=$dir/hashpivot
floor=$dir/tests/bench_floor
if (($# > 0)); then
  cfgs=("$@")
else                                  # the default first: callgrind and memory use it
  cfgs=("$root/configs/default.cfg")
  for c in "$root"/configs/*.cfg; do [[ $c == */default.cfg ]] || cfgs+=("$c"); done
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
all=$(nproc)
n=${HP_BENCH_PATHS:-4000}
reps=${HP_BENCH_REPS:-3}

# run COMMAND...: runs hashpivot, prints its "timing:" line and, after a
# "|", the children's peak RSS in KiB.
run() {
  /usr/bin/python3 - "$@" <<'PY'
import resource, subprocess, sys
p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
if p.returncode:
    sys.stderr.write(p.stderr); sys.exit(p.returncode)
line = [l for l in p.stderr.splitlines() if l.startswith("timing:")][0]
print(line, "| peak RSS %d KiB" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
}

rate() { sed -E 's/.* ([0-9.e+]+) path-days\/s per (thread|worker).*/\1/' <<<"$1"; }
hdf5() { sed -E 's/.*\(([0-9.]+)%\) in HDF5.*/\1/' <<<"$1"; }
# best COMMAND...: runs COMMAND reps times, prints the fastest line.
best() {
  local line top="" keep="" r i
  for ((i = 0; i < reps; i++)); do
    line=$("$@")
    r=$(rate "$line")
    if [[ -z $top ]] || /usr/bin/python3 -c "import sys; sys.exit(not float('$r') > float('$top'))"; then
      top=$r; keep=$line
    fi
  done
  echo "$keep"
}
# wall COMMAND...: seconds of wall time of the whole command.
wall() { /usr/bin/python3 -c 'import subprocess, sys, time
t = time.monotonic(); subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(f"{time.monotonic() - t:.2f}")' "$@"; }
days_of() {
  "$bin" validate "$1" | awk -F'= ' '/^ *horizon_years/ {gsub(/;.*/,"",$2); print int($2*365.25+0.5)}'
}

echo "$n paths per run, best of $reps, $all cores; ns per path-day per worker (wall clock)"
printf '%-20s %9s %9s %9s %9s %7s %8s %7s\n' config "engine@1" "engine@$all" "floor@1" "floor@$all" \
  "ratio@1" "speedup" "HDF5@$all"
for cfg in "${cfgs[@]}"; do
  days=$(days_of "$cfg")
  e1=$(best run "$bin" run "$cfg" -n "$n" -j 1 -o "$tmp/a.h5" --force)
  eN=$(best run "$bin" run "$cfg" -n "$n" -j "$all" -o "$tmp/b.h5" --force)
  f1=$(best "$floor" "$n" 1 "$days")
  fN=$(best "$floor" "$n" "$all" "$days")
  /usr/bin/python3 - "$(basename "$cfg" .cfg)" "$(rate "$e1")" "$(rate "$eN")" "$(rate "$f1")" \
    "$(rate "$fN")" "$(hdf5 "$eN")" "$all" <<'PY'
import sys
name = sys.argv[1]
e1, eN, f1, fN, h5, k = map(float, sys.argv[2:])
ns = lambda r: 1e9 / r
print(f"{name:<20s} {ns(e1):9.1f} {ns(eN):9.1f} {ns(f1):9.1f} {ns(fN):9.1f} {f1 / e1:7.2f} "
      f"{eN * k / e1:8.2f} {h5:6.1f}%")
PY
done
echo "(ratio: engine/floor time at 1 thread, target <= 3; speedup: engine at $all threads,"
echo " target >= 1.9 where the floor's own speedup allows; HDF5: share of wall time in writes)"

if [[ ${HP_BENCH_CALLGRIND:-1} != 0 ]] && command -v valgrind >/dev/null; then
  # Instructions per path-day of every config: callgrind at 1 thread, 60
  # paths minus 20 paths, over 40 x days (set-up and per-run costs cancel).
  # Deterministic for a given build and machine: the figure to compare on a
  # shared machine, where wall clock is not.
  ir() {
    valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.$2" \
      "$bin" run "$1" -n "$2" -j 1 -o "$tmp/cg.h5" --force --quiet 2>&1 |
      sed -nE 's/.*Collected : ([0-9]+).*/\1/p'
  }
  echo
  echo "callgrind, instructions per path-day (60 paths minus 20 paths, 1 thread):"
  for c in "${cfgs[@]}"; do
    days=$(days_of "$c")
    lo=$(ir "$c" 20)
    hi=$(ir "$c" 60)
    printf '  %-20s %6d\n' "$(basename "$c" .cfg)" $(( (hi - lo) / (40 * days) ))
  done
fi

cfg=${cfgs[0]}
if [[ ${HP_BENCH_FULL:-1} != 0 ]]; then
  echo
  echo "memory, $(basename "$cfg"):"
  for p in 10000 100000; do
    r=$(run "$bin" run "$cfg" -n "$p" -j "$all" -o "$tmp/m.h5" --force)
    echo "  $p paths: ${r##*| }   file $(du -k "$tmp/m.h5" | cut -f1) KiB"
  done
  echo
  echo "optimal policy (allocation.policy = \"optimal\", docs/policy.md), $n paths, $all threads:"
  # Wall time of the whole command (training included), against a static run of the same size.
  ts=$(wall "$bin" run "$cfg" -n "$n" -j "$all" -o "$tmp/s.h5" --force)
  to=$(wall "$bin" run "$cfg" -n "$n" -j "$all" -o "$tmp/o.h5" --force --set 'allocation.policy="optimal"')
  /usr/bin/python3 -c "import sys; s, o = map(float, sys.argv[1:]); print(f'  static {s:.1f} s, optimal {o:.1f} s: ratio {o / s:.2f}   (design estimate 1.6)')" "$ts" "$to"
  echo
  "$root/scripts/bench_analysis.sh" "$cfg"
fi
