#!/usr/bin/env bash
# Every shipped config (configs/*.cfg) passes `hashpivot validate` and runs
# briefly (20 paths, 2 years) to a complete results file.
#   test_configs.sh HASHPIVOT SOURCE_DIR
set -euo pipefail
bin=$1 root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
for cfg in "$root"/configs/*.cfg; do
  name=$(basename "$cfg" .cfg)
  "$bin" validate "$cfg" > "$tmp/$name.txt" || { echo "FAIL: validate $cfg"; exit 1; }
  grep -q '^time = {' "$tmp/$name.txt" || { echo "FAIL: $cfg: no resolved config printed"; exit 1; }
  "$bin" run "$cfg" -n 20 -j 1 --set time.horizon_years=2.0 -o "$tmp/$name.h5" --quiet \
    > "$tmp/$name.out" || { echo "FAIL: run $cfg"; exit 1; }
  grep -q 'status complete' "$tmp/$name.out" || { echo "FAIL: $cfg: run not complete"; cat "$tmp/$name.out"; exit 1; }
  n=$((n + 1))
done
[ "$n" -ge 5 ] || { echo "FAIL: only $n configs found in $root/configs"; exit 1; }
echo "$n shipped configs validate and run"
