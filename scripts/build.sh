#!/usr/bin/env bash
# Configures and builds hashpivot into build/ (Release). Extra arguments go
# to cmake's configure step, e.g. scripts/build.sh -DHP_WERROR=ON.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${HP_BUILD_DIR:-$root/build}
cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build "$dir" -j"$(nproc)" >/dev/null
