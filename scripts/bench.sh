#!/usr/bin/env bash
# Speed and memory of the engine on this machine (numbers, not pass/fail):
#   - path-days/s per thread at 1 thread and at all threads, and the
#     2-thread speedup;
#   - the floor loop (draws + exp only) and the ratio engine/floor;
#   - the share of wall time spent writing HDF5;
#   - peak RSS at 10^4 and 10^5 paths (must not grow with paths);
#   - an optimal-policy run against a static run of the same size;
#   - the analyses (scripts/bench_analysis.sh): a tornado against plain
#     runs, and quasi-random normals against PCG64 normals.
#   scripts/bench.sh [CONFIG]     (default configs/default.cfg)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
cfg=${1:-$root/configs/default.cfg}
bin=$root/build/hashpivot
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
all=$(nproc)
n=${HP_BENCH_PATHS:-10000}
reps=${HP_BENCH_REPS:-3}   # each timing is the best of reps runs (noise on shared machines)

# Runs hashpivot, returns its "timing:" line; peak RSS in KiB on fd 3.
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

days=$("$bin" validate "$cfg" | awk -F'= ' '/^ *horizon_years/ {gsub(/;.*/,"",$2); print int($2*365.25+0.5)}')
echo "config: $cfg ($days days per path), $all cores"
echo
echo "engine, $n paths:"


rate() { sed -E 's/.* ([0-9.e+]+) path-days\/s per (thread|worker).*/\1/' <<<"$1"; }
# best LABEL COMMAND...: runs COMMAND reps times, keeps the fastest line.
best() {
  local label=$1 line top="" r; shift
  for ((i = 0; i < reps; i++)); do
    line=$("$@")
    r=$(rate "$line")
    if [[ -z $top ]] || /usr/bin/python3 -c "import sys; sys.exit(not float('$r') > float('$top'))"; then
      top=$r; keep=$line
    fi
  done
  echo "  $label: $keep" >&2
  echo "$keep"
}
e1=$(best "engine, 1 thread" run "$bin" run "$cfg" -n "$n" -j 1 -o "$tmp/a.h5" --force)
eN=$(best "engine, $all threads" run "$bin" run "$cfg" -n "$n" -j "$all" -o "$tmp/b.h5" --force)
f1=$(best "floor, 1 thread" "$root/build/tests/bench_floor" "$n" 1 "$days")
fN=$(best "floor, $all threads" "$root/build/tests/bench_floor" "$n" "$all" "$days")
/usr/bin/python3 - "$(rate "$e1")" "$(rate "$eN")" "$(rate "$f1")" "$all" <<'PY'
import sys
e1, eN, f1, n = map(float, sys.argv[1:])
print(f"\nengine/floor at 1 thread: {e1 / f1:.2f}   (target >= 0.4)")
print(f"speedup at {int(n)} threads: {eN * n / e1:.2f}   (target >= 1.8 at 2)")
PY

echo
echo "memory:"
for p in 10000 100000; do
  r=$(run "$bin" run "$cfg" -n "$p" -j "$all" -o "$tmp/m.h5" --force)
  echo "  $p paths: ${r##*| }   file $(du -k "$tmp/m.h5" | cut -f1) KiB"
done

echo
echo "optimal policy (allocation.policy = \"optimal\", docs/policy.md), $n paths, $all threads:"
# Wall time of the whole command (training included), against a static run of the same size.
wall() { /usr/bin/python3 -c 'import subprocess, sys, time
t = time.monotonic(); subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(f"{time.monotonic() - t:.2f}")' "$@"; }
ts=$(wall "$bin" run "$cfg" -n "$n" -j "$all" -o "$tmp/s.h5" --force)
to=$(wall "$bin" run "$cfg" -n "$n" -j "$all" -o "$tmp/o.h5" --force --set 'allocation.policy="optimal"')
/usr/bin/python3 -c "import sys; s, o = map(float, sys.argv[1:]); print(f'  static {s:.1f} s, optimal {o:.1f} s: ratio {o / s:.2f}   (design estimate 1.6)')" "$ts" "$to"

echo
"$root/scripts/bench_analysis.sh" "$cfg"
