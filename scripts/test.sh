#!/usr/bin/env bash
# The whole test suite: set-up, a Release build with warnings as errors and
# its tests, then an ASan+UBSan build running the same tests.
#   scripts/test.sh            everything
#   scripts/test.sh --fast     Release build only (no sanitizer pass)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
jobs=$(nproc)

echo "== Release build (-Werror) and tests"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release -DHP_WERROR=ON >/dev/null
cmake --build "$root/build" -j"$jobs" >/dev/null
ctest --test-dir "$root/build" --output-on-failure -j"$jobs"

if [[ "${1:-}" != "--fast" ]]; then
  echo "== ASan + UBSan build and tests"
  cmake -S "$root" -B "$root/build-asan" -DCMAKE_BUILD_TYPE=Debug -DHP_SANITIZE=ON -DHP_WERROR=ON >/dev/null
  cmake --build "$root/build-asan" -j"$jobs" >/dev/null
  # HDF5 and OpenMP runtimes keep allocations until exit; leaks of ours are
  # caught by the tests' own clean-up checks under ASan's leak detector.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$root/build-asan" --output-on-failure -j"$jobs"
fi
