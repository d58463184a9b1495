#!/usr/bin/env bash
# Bad input: each case must give exactly one clear line on stderr naming
# file, line and key, a non-zero exit, and leave no output file behind.
set -u
bin=$1; root=$2
tmp=$(mktemp -d); trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
fails=0; passed=0

# expect NAME EXPECTED_REGEX -- command...
expect() {
  local name=$1 want=$2; shift 3
  rm -f "$tmp"/out.h5*
  "$@" >"$tmp/stdout" 2>"$tmp/stderr"; local rc=$?
  local lines; lines=$(wc -l <"$tmp/stderr")
  local left; left=$(ls "$tmp" | grep -c '^out\.h5' || true)
  if [[ $rc -ne 0 && $lines -eq 1 && $left -eq 0 ]] && grep -Eq -- "$want" "$tmp/stderr"; then
    passed=$((passed + 1))
  else
    fails=$((fails + 1))
    echo "FAIL $name: rc=$rc lines=$lines files_left=$left stderr:"; cat "$tmp/stderr"
  fi
}

good=$root/configs/default.cfg
mk() { sed "$1" "$good" >"$tmp/$2"; }   # a copy of the default with one edit

mk 's/^  s0_usd = 87500.0;/  s0_ud = 87500.0;/' typo.cfg
line=$(grep -n 's0_ud' "$tmp/typo.cfg" | cut -d: -f1)
expect "unknown key" "typo.cfg:$line: price.s0_ud: .*did you mean price.s0_usd" -- \
  "$bin" run "$tmp/typo.cfg" -n 4 -o "$tmp/out.h5"

mk 's/^  s0_usd = 87500.0;/  s0_usd = "87500";/' type.cfg
line=$(grep -n 's0_usd' "$tmp/type.cfg" | cut -d: -f1)
expect "wrong type" "type.cfg:$line: price.s0_usd: " -- "$bin" run "$tmp/type.cfg" -n 4 -o "$tmp/out.h5"

mk 's/^  uptime = 0.95;/  uptime = 1.5;/' range.cfg
line=$(grep -n 'uptime' "$tmp/range.cfg" | cut -d: -f1)
expect "out of range" "range.cfg:$line: miner.uptime: .*1.5" -- "$bin" run "$tmp/range.cfg" -n 4 -o "$tmp/out.h5"

# The sampler: an unknown word, and points per scramble that are not a
# power of two (a Sobol net comes in blocks of 2^k), each naming its line.
mk 's/^  block_size = 256; .*/  block_size = 256;\n  sampler = "halton";/' sampler.cfg
line=$(grep -n 'sampler' "$tmp/sampler.cfg" | cut -d: -f1)
expect "unknown sampler" "sampler.cfg:$line: simulation.sampler: .*halton" -- \
  "$bin" run "$tmp/sampler.cfg" -n 4 -o "$tmp/out.h5"
mk 's/^  block_size = 256; .*/  block_size = 256;\n  sampler = "sobol";\n  qmc_points = 1000;/' points.cfg
line=$(grep -n 'qmc_points' "$tmp/points.cfg" | cut -d: -f1)
expect "qmc_points not a power of two" "points.cfg:$line: simulation.qmc_points: 1000 is not a power of two" -- \
  "$bin" run "$tmp/points.cfg" -n 4 -o "$tmp/out.h5"
expect "qmc_points out of range" "--set: simulation.qmc_points: " -- \
  "$bin" run "$good" -n 4 --set simulation.qmc_points=1 -o "$tmp/out.h5"

# Commands whose errors assume independent paths refuse the Sobol sampler.
expect "sobol with --target-se" "simulation.sampler: .*--target-se" -- \
  "$bin" run "$tmp/points.cfg" --target-se "mean(npv[0])=1e9" --set simulation.qmc_points=16 -o "$tmp/out.h5"
expect "sobol with sensitivity" "simulation.sampler: .*independent paths" -- \
  "$bin" sensitivity "$tmp/points.cfg" -n 4 --set simulation.qmc_points=16 \
  --vary valuation.discount_rate=0.08:0.12 -o "$tmp/out.h5"

mk 's/^  seed = 20260101L;/  seed = 3000000000;/' overflow.cfg
line=$(grep -n 'seed = 3000000000' "$tmp/overflow.cfg" | cut -d: -f1)
expect "overflowed integer" "overflow.cfg:$line: simulation.seed: .*3000000000L" -- \
  "$bin" run "$tmp/overflow.cfg" -n 4 -o "$tmp/out.h5"

mk 's/^  start_date = "2026-01-01";/  start_date = "2026-02-30";/' date.cfg
line=$(grep -n 'start_date' "$tmp/date.cfg" | cut -d: -f1)
expect "bad date" "date.cfg:$line: time.start_date: " -- "$bin" run "$tmp/date.cfg" -n 4 -o "$tmp/out.h5"

mk 's/^  price_hashrate = 0.2;/  price_hashrate = 0.9;/; s/^  price_lease = 0.0;/  price_lease = 0.9;/; s/^  hashrate_lease = 0.0;/  hashrate_lease = -0.9;/' corr.cfg
expect "correlation not positive definite" "corr.cfg:[0-9]+: correlation\..*positive definite" -- \
  "$bin" run "$tmp/corr.cfg" -n 4 -o "$tmp/out.h5"

expect "missing file" "$tmp/nope.cfg: " -- "$bin" run "$tmp/nope.cfg" -n 4 -o "$tmp/out.h5"

expect "unknown --set key" "--set: price.sigam: .*did you mean price.sigma" -- \
  "$bin" run "$good" -n 4 -o "$tmp/out.h5" --set price.sigam=0.5

mkdir "$tmp/ro"; chmod a-w "$tmp/ro"
if [[ $(id -u) -eq 0 ]]; then ro_target=/proc/hashpivot-test/out.h5; else ro_target=$tmp/ro/out.h5; fi
expect "unwritable output" "out.h5: " -- "$bin" run "$good" -n 4 -o "$ro_target"

# An existing file is never overwritten without --force, and stays intact.
echo "precious" >"$tmp/keep.h5"
"$bin" run "$good" -n 4 -o "$tmp/keep.h5" >"$tmp/stdout" 2>"$tmp/stderr"; rc=$?
if [[ $rc -ne 0 && $(wc -l <"$tmp/stderr") -eq 1 ]] && grep -q -- "--force" "$tmp/stderr" &&
   [[ $(cat "$tmp/keep.h5") == precious ]]; then passed=$((passed + 1))
else fails=$((fails + 1)); echo "FAIL existing output: rc=$rc"; cat "$tmp/stderr"; fi

# Hostile or odd input: refused before any work, in bounded time and
# memory (timeout 30 s each), one line in our own words.
hostile() { expect "$1" "$2" -- timeout -k 5 30 "${@:4}"; }   # hashpivot stops on SIGTERM only between waves
hostile "tiny tranches" "allocation.tranche_mw: 0.001 MW tranches .* at most 1000 per allocation" -- \
  "$bin" run "$good" -n 8 -o "$tmp/out.h5" --set allocation.tranche_mw=0.001
hostile "2^40 paths" "simulation.n_paths: 1099511627776 paths need at least .* free" -- \
  "$bin" run "$good" -n 1099511627776 -o "$tmp/out.h5"
hostile "huge blocks" "simulation.block_size: 1048576-path blocks need .* of memory" -- \
  "$bin" run "$good" -n 8 -j 64 --set simulation.block_size=1048576 -o "$tmp/out.h5"
hostile "config from /dev/zero" "^hashpivot: /dev/zero: cannot read config file: it is a device" -- \
  "$bin" validate /dev/zero
mkdir "$tmp/incdir"
printf 'simulation = {\n@include "%s"\n};\n' "$tmp/incdir" >"$tmp/incdir.cfg"
hostile "@include of a directory" "incdir.cfg:2: @include \"$tmp/incdir\": cannot read the included file: Is a directory" -- \
  "$bin" validate "$tmp/incdir.cfg"
hostile "history CSV is a directory" "--set: network.csv: \"$tmp/incdir\" is a directory, not a history CSV" -- \
  "$bin" run "$good" -n 8 -o "$tmp/out.h5" --set network.hashrate_model=historical --set "network.csv=$tmp/incdir"
hostile "-n not whole" "^hashpivot: -n: '1.5e3x' is not a whole number" -- "$bin" run "$good" -n 1.5e3x -o "$tmp/out.h5"
# The analyses read -n and -s as run does: the same words for the same error.
hostile "sensitivity -n not whole" "^hashpivot sensitivity: -n: '-5' is not a whole number" -- \
  "$bin" sensitivity "$good" -n -5 --vary valuation.discount_rate=0.08:0.12 -o "$tmp/out.h5"
hostile "solve -s too large" "^hashpivot solve: -s: '1e30' is too large" -- \
  "$bin" solve "$good" -s 1e30 --vary valuation.discount_rate=0.08:0.12 --target "mean(npv[0])=0"
hostile "unknown option" "^hashpivot: unknown option --frob \(hashpivot run --help" -- "$bin" run "$good" --frob

# Accepted in our own reading: integer elements in a float list, an exact
# integer in exponent form; and --help on every command.
accept() {
  local name=$1 want=$2; shift 3
  if timeout -k 5 30 "$@" >"$tmp/stdout" 2>"$tmp/stderr" && grep -Eq -- "$want" "$tmp/stdout" &&
     [[ ! -s $tmp/stderr ]]; then passed=$((passed + 1))
  else fails=$((fails + 1)); echo "FAIL $name:"; cat "$tmp/stderr"; fi
}
mk 's/^  fractions = .*/  fractions = [0, 0.2, 1];/' mixed.cfg
accept "integers in a float array" "^  fractions = \[0\.0, 0\.2, 1\.0\];" -- "$bin" validate "$tmp/mixed.cfg"
accept "-n 1e4" "^  n_paths = 10000;" -- "$bin" validate "$good" -n 1e4
accept "n_paths = 2.5e3 in a file" "^  n_paths = 2500;" -- "$bin" validate "$good" --set simulation.n_paths=2.5e3
for cmd in run validate params info sensitivity solve gsa; do
  accept "$cmd --help" "^usage: hashpivot $cmd" -- "$bin" "$cmd" --help
  accept "$cmd -h" "^usage: hashpivot $cmd" -- "$bin" "$cmd" -h
done
accept "run CONFIG --help" "^usage: hashpivot run" -- "$bin" run "$good" --help
accept "--help" "^usage: hashpivot COMMAND" -- "$bin" --help

echo "$passed passed, $fails failed"
[[ $fails -eq 0 ]]
