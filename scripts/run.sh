#!/usr/bin/env bash
# One command from a fresh clone to a result: installs what is missing,
# builds, and runs the default scenario (or the config given) into results/.
#   scripts/run.sh [CONFIG] [hashpivot run options...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
cfg=${1:-$root/configs/default.cfg}
shift || true
cd "$root"
exec "$root/build/hashpivot" run "$cfg" --force "$@"
