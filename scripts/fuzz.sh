#!/usr/bin/env bash
# Fuzzes the config loader and the results-file readers (libFuzzer, clang
# from Debian; tests/fuzz/ says what each target checks).
#   scripts/fuzz.sh [SECONDS]     explore: each target SECONDS (default 60),
#                                 random seeds, in fork mode
#   scripts/fuzz.sh --seed S      the CI run: each target a fixed number of
#                                 inputs (about a minute each) from seed S,
#                                 in one process: the same tree gives the
#                                 same inputs, so a red CI run replays here
# Builds build-fuzz/ (clang, -DHP_FUZZ=ON: ASan + UBSan + coverage), runs
# each target from its seed corpus (tests/fuzz/<target>/, and configs/ for
# the config loader) in libFuzzer's fork mode, which keeps going after a
# finding, then replays every finding alone to name it: its kind (crash
# type, timeout, leak) and the innermost hashpivot function on its stack.
# A finding listed in tests/fuzz/known.txt (kind and function, with the
# reason it is not fixed here) is reported and tolerated; any other fails
# the run. To keep a finding as a regression case, copy it from
# build-fuzz/findings/ into tests/fuzz/<target>/ once it is fixed (ctest
# replays those in every build), or into tests/fuzz/open/ until then.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=60 seed=
if [[ ${1:-} == --seed ]]; then
  seed=${2:?fuzz: --seed needs a number}
elif [[ -n ${1:-} ]]; then
  secs=$1
fi
# Inputs per target in --seed mode: about a minute each on a 2-core machine
# (the results target opens an HDF5 file and prints its summary per input).
declare -A runs=([config]=6000 [results]=400)
dir=$root/build-fuzz
command -v clang >/dev/null || { echo "fuzz: clang is missing (scripts/setup.sh installs it)" >&2; exit 1; }
CC=clang CXX=clang++ cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHP_FUZZ=ON >/dev/null
cmake --build "$dir" -j"$(nproc)" --target fuzz_config fuzz_results >/dev/null
export LSAN_OPTIONS=suppressions=$root/tests/fuzz/lsan.supp
export ASAN_OPTIONS=detect_leaks=1
known=$root/tests/fuzz/known.txt
rm -rf "$dir/findings"
new=0; tolerated=0

# kind and innermost hashpivot function of one finding, from its replay.
name_finding() {
  local log=$1 kind fn
  kind=$(grep -m1 -oE 'ERROR: (libFuzzer: [a-z-]+|AddressSanitizer: [A-Za-z-]+|LeakSanitizer|UndefinedBehaviorSanitizer)' "$log" |
         sed -E 's/ERROR: (libFuzzer|AddressSanitizer): //; s/ERROR: LeakSanitizer/leak/; s/ERROR: UndefinedBehaviorSanitizer/ubsan/')
  fn=$(grep -m1 -oE ' in [A-Za-z_][A-Za-z0-9_]* [^ ]*/(sim|models)/[^ ]*' "$log" | awk '{print $2}')
  echo "${kind:-unknown} ${fn:-none}"
}

for target in config results; do
  work=$dir/corpus/$target; art=$dir/findings/$target
  [[ -n $seed ]] && rm -rf "$work"    # the seeds alone: a corpus grown by earlier runs would change the inputs
  mkdir -p "$work" "$art"
  seeds=("$root/tests/fuzz/$target")
  [[ $target == config ]] && seeds+=("$root/configs")
  if [[ -n $seed ]]; then
    # One process, a fixed seed and count: deterministic for a given tree
    # (libFuzzer reads the corpus in a fixed order). It stops at the first
    # finding, which is judged below.
    echo "== fuzz_$target: ${runs[$target]} inputs from seed $seed"
    (cd "$work" && "$dir/tests/fuzz_$target" -seed="$seed" -runs="${runs[$target]}" \
        -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$art/" \
        "$work" "${seeds[@]}" >"$dir/fuzz_$target.log" 2>&1) || true
  else
    echo "== fuzz_$target: ${secs} s"
    # Fork mode with the ignore flags runs the whole time and writes every
    # finding to $art; findings are judged below, one by one.
    (cd "$work" && "$dir/tests/fuzz_$target" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$art/" \
        "$work" "${seeds[@]}" >"$dir/fuzz_$target.log" 2>&1) || true
  fi
  grep -E '^#[0-9]+.*cov' "$dir/fuzz_$target.log" | tail -1 || true
  for f in "$art"/*; do
    [[ -e $f ]] || continue
    log=$f.log
    "$dir/tests/fuzz_$target" -timeout=10 -rss_limit_mb=2048 "$f" >"$log" 2>&1 || true
    key=$(name_finding "$log")
    if [[ -f $known ]] && grep -v '^#' "$known" | awk '{print $1, $2}' | grep -qxF "$key"; then
      tolerated=$((tolerated + 1))
      echo "known   $target: $key ($(basename "$f"); tests/fuzz/known.txt)"
    else
      new=$((new + 1))
      echo "FINDING $target: $key: $f (report: $log)"
    fi
  done
done
echo "fuzz: $new new finding(s), $tolerated known"
[[ $new -eq 0 ]]
