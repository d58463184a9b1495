#!/usr/bin/env bash
# Results depend only on config and seed: -j 1 vs -j 2 and two block sizes
# must give identical datasets (h5diff finds no difference), and another
# seed must not. Extra arguments (e.g. --set simulation.sampler=...) go to
# every run; then a run without them must differ too (they change results).
set -u
bin=$1; root=$2; extra=("${@:3}")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cfg=$root/configs/default.cfg
common=(-n 150 -s 7 --quiet --set time.horizon_years=4.0 "${extra[@]}")
fails=0; passed=0

"$bin" run "$cfg" "${common[@]}" -j 1 --set simulation.block_size=64 -o "$tmp/a.h5" >/dev/null || exit 1
"$bin" run "$cfg" "${common[@]}" -j 2 --set simulation.block_size=64 -o "$tmp/b.h5" >/dev/null || exit 1
"$bin" run "$cfg" "${common[@]}" -j 2 --set simulation.block_size=100 -o "$tmp/c.h5" >/dev/null || exit 1
"$bin" run "$cfg" "${common[@]}" -j 1 --set simulation.block_size=7 -o "$tmp/d.h5" >/dev/null || exit 1
"$bin" run "$cfg" -n 150 -s 8 --quiet --set time.horizon_years=4.0 "${extra[@]}" -o "$tmp/e.h5" >/dev/null || exit 1
if [[ ${#extra[@]} -gt 0 ]]; then
  "$bin" run "$cfg" -n 150 -s 7 --quiet --set time.horizon_years=4.0 -o "$tmp/f.h5" >/dev/null || exit 1
fi

# /config and /progress are left out: they record the block size, which
# legitimately differs (and /progress holds one checksum per block).
groups=$(h5ls "$tmp/a.h5" | awk '$2 == "Group" && $1 != "config" && $1 != "progress" {print "/" $1}')
same() {
  for g in $groups; do
    h5diff -q "$1" "$2" "$g" "$g" || return 1
  done
}
for other in b c d; do
  if same "$tmp/a.h5" "$tmp/$other.h5"; then passed=$((passed + 1))
  else fails=$((fails + 1)); echo "FAIL: a.h5 and $other.h5 differ"; h5diff -r "$tmp/a.h5" "$tmp/$other.h5" /valuation /valuation | head; fi
done
if same "$tmp/a.h5" "$tmp/e.h5"; then fails=$((fails + 1)); echo "FAIL: another seed gave the same results"
else passed=$((passed + 1)); fi
if [[ ${#extra[@]} -gt 0 ]]; then
  if same "$tmp/a.h5" "$tmp/f.h5"; then fails=$((fails + 1)); echo "FAIL: ${extra[*]} changed nothing"
  else passed=$((passed + 1)); fi
fi
echo "groups compared: $groups"
echo "$passed passed, $fails failed"
[[ $fails -eq 0 ]]
