#!/usr/bin/env bash
# The whole test suite: set-up, a Release build with warnings as errors and
# its tests, the MPI build (OpenMPI + parallel HDF5) and its tests (ranks,
# resume, the Slurm template), then an ASan+UBSan build running the serial
# tests, then about a minute of fuzzing for each fuzz target, from a fixed
# seed so that a failure replays (scripts/fuzz.sh --seed).
#   scripts/test.sh            everything
#   scripts/test.sh --fast     Release build only (no sanitizer pass, no fuzzing)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh" --mpi --slurm
jobs=$(nproc)

echo "== Release build (-Werror) and tests"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release -DHP_WERROR=ON >/dev/null
cmake --build "$root/build" -j"$jobs" >/dev/null
ctest --test-dir "$root/build" --output-on-failure -j"$jobs"

echo "== MPI build (-DHP_MPI=ON: OpenMPI, parallel HDF5) and its tests"
# The serial binary above is the reference the MPI results must equal.
cmake -S "$root" -B "$root/build-mpi" -DCMAKE_BUILD_TYPE=Release -DHP_WERROR=ON -DHP_MPI=ON \
      -DHP_SERIAL_BIN="$root/build/hashpivot" >/dev/null
cmake --build "$root/build-mpi" -j"$jobs" --target hashpivot >/dev/null
ctest --test-dir "$root/build-mpi" --output-on-failure -L mpi

if [[ "${1:-}" != "--fast" ]]; then
  echo "== ASan + UBSan build and tests"
  cmake -S "$root" -B "$root/build-asan" -DCMAKE_BUILD_TYPE=Debug -DHP_SANITIZE=ON -DHP_WERROR=ON >/dev/null
  cmake --build "$root/build-asan" -j"$jobs" >/dev/null
  # HDF5 and OpenMP runtimes keep allocations until exit; leaks of ours are
  # caught by the tests' own clean-up checks under ASan's leak detector.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$root/build-asan" --output-on-failure -j"$jobs"

  echo "== Fuzzing: config loader and results readers, fixed seed"
  "$root/scripts/fuzz.sh" --seed 1
fi
