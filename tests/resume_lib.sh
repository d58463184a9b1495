# Shared by test_resume.sh, test_mpi.sh and test_slurm.sh (sourced).
# Needs: $tmp (scratch directory), h5dump, h5diff, h5ls.

# The partial file is read while a run writes it: hashpivot holds no HDF5
# (flock) lock on it, so readers need no HDF5_USE_FILE_LOCKING switch.
fails=0; passed=0

# ok NAME CONDITION-EXIT-STATUS: counts a check, prints failures.
ok() {
  local name=$1 status=$2
  if [[ $status -eq 0 ]]; then passed=$((passed + 1)); else fails=$((fails + 1)); echo "FAIL: $name"; fi
}

# Blocks flagged complete in a partial file (0 when it cannot be read yet).
blocks_done() {
  h5dump -y -A 0 -d /progress/block_done "$1" 2>/dev/null | sed -n '/DATA {/,/}/p' | grep -o '\b1\b' | wc -l
}

# wait_blocks FILE N PID: until FILE flags N blocks complete; fails when
# PID ends first or after 120 s.
wait_blocks() {
  local file=$1 n=$2 pid=$3 i
  for ((i = 0; i < 2400; i++)); do
    [[ $(blocks_done "$file") -ge $n ]] && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

# The root attribute `status` of a file.
status_of() {
  h5dump -a /status "$1" 2>/dev/null | sed -n 's/^ *(0): "\(.*\)"$/\1/p'
}

# same_results A B: every group (results, axes, config) holds the same
# values; root attributes (command line, creation time) may differ.
same_results() {
  local g groups
  groups=$(h5ls "$1" | awk '$2 == "Group" {print "/" $1}')
  [[ -n $groups ]] || return 1
  for g in $groups; do
    h5diff -q "$1" "$2" "$g" "$g" >/dev/null 2>&1 || { echo "  $1 and $2 differ in $g"; return 1; }
  done
}

# Exactly one line on stderr, matching a regex.
one_line() {
  [[ $(wc -l <"$1") -eq 1 ]] && grep -Eq -- "$2" "$1"
}
