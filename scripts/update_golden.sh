#!/usr/bin/env bash
# Regenerates the golden digests, tests/golden/<config>.digest, from the
# current build: one line per dataset of each shipped config's run at a
# fixed seed and path count (tests/golden_digest.py says what is hashed).
# Use it when an output changes on purpose, and commit the digests alone,
# saying why:
#   scripts/update_golden.sh [HASHPIVOT]      (default: build/hashpivot)
#   git add tests/golden && git commit -m "golden: <what changed and why>"
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build/hashpivot}
[[ -x $bin ]] || { echo "update_golden: no $bin; build first (scripts/build.sh)" >&2; exit 1; }
exec /usr/bin/python3 "$root/tests/golden_digest.py" "$bin" "$root" --update
