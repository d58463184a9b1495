#!/usr/bin/env bash
# Faults over the whole life of a run (issue 13, "How we will know"):
#
# 1. SIGKILL at N points spread over a run (fault_inject.c kills the
#    process just before its k-th change to the file system: a write, a
#    truncate, an fsync, a rename...), densely in creation and closing.
#    After every kill, either `--resume` finishes the run with datasets
#    identical to an uninterrupted run (h5diff of every group), or the kill
#    came while the file was being created and --resume refuses it with one
#    line that says to start over with --force.
# 2. A full disk: the run writes into a small tmpfs (mounted here; root
#    only) of several sizes, from too small to create the file to just
#    short of the whole file. It never exits 0 with a damaged file; it
#    names the cause; when it had checkpointed blocks it keeps them, and
#    --resume (with room again) gives the uninterrupted result.
#
# Takes about 60-90 s on 2 shared cores (each run is 200 paths, 2 years,
# 20 blocks; the kill runs are short).
#   test_faults.sh HASHPIVOT SOURCE_DIR LIBFAULT_INJECT
set -u
bin=$(realpath "$1"); root=$(realpath "$2"); shim=$(realpath "$3")
# On /dev/shm when there is one: a kill acts on the process's system
# calls, whatever the file system, and fsync costs nothing there.
tmp=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
mnt=$tmp/mnt
cleanup() {
  mountpoint -q "$mnt" 2>/dev/null && umount "$mnt"
  rm -rf "$tmp"
}
trap cleanup EXIT
source "$root/tests/resume_lib.sh"
# The sanitizer build's runtime must come first; the shim goes before it
# otherwise, which is harmless here.
export ASAN_OPTIONS=${ASAN_OPTIONS:-}:verify_asan_link_order=0
cfg=$root/configs/default.cfg
# 20 blocks of 10 paths, a checkpoint after every wave of 2 blocks (-j 1).
run_args=(run "$cfg" -n 200 -s 5 -j 1 --quiet --set time.horizon_years=2.0
          --set simulation.block_size=10 --set output.checkpoint_s=0)
t0=$SECONDS
"$bin" "${run_args[@]}" -o "$tmp/ref.h5" >/dev/null || { echo "reference run failed"; exit 1; }

# --- 1. SIGKILL before change k ---
HP_FAULT_LOG=$tmp/count.log LD_PRELOAD=$shim "$bin" "${run_args[@]}" -o "$tmp/count.h5" >/dev/null ||
  { echo "counting run failed"; exit 1; }
total=$(awk '$1 == "changes" {print $2}' "$tmp/count.log")
created=$(awk '$1 == "fsync" {print $2; exit}' "$tmp/count.log")        # end of creation
last_ckpt=$(awk '$1 == "fsync" {f[++n] = $2} END {print f[n - 2]}' "$tmp/count.log")  # before status, dir
same_results "$tmp/ref.h5" "$tmp/count.h5"
ok "the run under the fault library gives the reference results" $?
echo "a run makes $total changes; creation ends at change $created, the last checkpoint at $last_ckpt"
points=$(
  { for k in 1 2 3 4; do echo $k; done
    for i in 1 2 3; do echo $((created * i / 4)); done
    for k in $((created - 2)) $((created - 1)) $created $((created + 1)) $((created + 2)); do echo $k; done
    for i in 1 2 3 4 5 6 7 8 9; do echo $((created + (last_ckpt - created) * i / 10)); done
    for ((k = last_ckpt - 3; k <= total; k++)); do echo $k; done
  } | sort -n | uniq)
tried=0; resumed=0; refused=0; finished=0
for k in $points; do
  rm -f "$tmp"/k.h5*
  # in a subshell whose stderr takes bash's "Killed" report
  (HP_FAULT_KILL_AT=$k LD_PRELOAD=$shim "$bin" "${run_args[@]}" -o "$tmp/k.h5" >/dev/null 2>"$tmp/k.err"
   exit $?) 2>/dev/null
  rc=$?
  tried=$((tried + 1))
  if [[ $rc -eq 0 && $k -gt $last_ckpt && -e $tmp/k.h5 ]]; then
    # The number of changes is not the same in every run (on a loaded
    # machine a kill run made fewer than the counting run's 2704; the cause
    # is not known yet), so a kill point past the run's own last change
    # never fires: the run must then have finished with the whole result.
    same_results "$tmp/ref.h5" "$tmp/k.h5"; ok "kill before change $k (past the run's last change): the final file is the full result" $?
    finished=$((finished + 1)); continue
  fi
  if [[ $rc -ne 137 ]]; then
    ok "kill before change $k: the process was killed (rc $rc: $(tail -1 "$tmp/k.err"))" 1; continue
  fi
  if [[ -e $tmp/k.h5 ]]; then
    # killed after the rename: the final name must hold the whole result
    same_results "$tmp/ref.h5" "$tmp/k.h5"; ok "kill before change $k: the final file is the full result" $?
    ok "kill before change $k: no partial file beside the final one" $([[ ! -e $tmp/k.h5.partial ]]; echo $?)
    finished=$((finished + 1)); continue
  fi
  "$bin" run --resume "$tmp/k.h5" -j 1 --quiet >/dev/null 2>"$tmp/r.err"; rc=$?
  if [[ $rc -eq 0 ]]; then
    same_results "$tmp/ref.h5" "$tmp/k.h5"
    ok "kill before change $k: --resume gives the uninterrupted result" $?
    resumed=$((resumed + 1))
  elif [[ $k -le $created ]] && one_line "$tmp/r.err" "cannot resume: .*--force"; then
    refused=$((refused + 1))
    sed "s|$tmp/||g; s|^|  refused: |" "$tmp/r.err" >>"$tmp/refusals"
  else
    ok "kill before change $k (creation ends at $created): --resume failed: $(cat "$tmp/r.err")" 1
  fi
done
sort "$tmp/refusals" 2>/dev/null | uniq -c
echo "SIGKILL: $tried kills, $resumed resumed identical, $finished finished before the kill, $refused refused at creation"
ok "every kill after creation resumed or had finished" $([[ $((resumed + finished + refused)) -eq $tried ]]; echo $?)
# A refused file is started over with --force.
(HP_FAULT_KILL_AT=$((created / 2)) LD_PRELOAD=$shim "$bin" "${run_args[@]}" -o "$tmp/c.h5" >/dev/null 2>&1
 exit $?) 2>/dev/null
"$bin" "${run_args[@]}" -o "$tmp/c.h5" >/dev/null 2>"$tmp/c.err"
one_line "$tmp/c.err" "interrupted run left .*c\.h5\.partial.*--force"
ok "a new run over a file killed while being created is refused, pointing to --force" $?
"$bin" "${run_args[@]}" --force -o "$tmp/c.h5" >/dev/null 2>&1
same_results "$tmp/ref.h5" "$tmp/c.h5"
ok "--force starts it over" $?
echo "SIGKILL part: $((SECONDS - t0)) s"

# --- creation is bounded and interruptible ---
# A size no disk holds is refused before anything is written.
"$bin" run "$cfg" -n 1099511627776 --quiet -o "$tmp/huge.h5" >/dev/null 2>"$tmp/huge.err"; rc=$?
one_line "$tmp/huge.err" "need at least .* free|n_paths"; msg=$?
ok "-n 1099511627776: refused at once with one line (rc $rc: $(cat "$tmp/huge.err"))" \
  $([[ $rc -ne 0 && $msg -eq 0 && ! -e $tmp/huge.h5.partial ]]; echo $?)
# A large file being created (every chunk is written as fill first) stops
# on SIGTERM within seconds, and leaves nothing behind.
"$bin" run "$cfg" -n 1000000 --set simulation.block_size=4 --quiet -o "$tmp/big.h5" >/dev/null 2>"$tmp/big.err" &
pid=$!
i=0
while [[ $i -lt 200 && ! -e $tmp/big.h5.partial ]]; do sleep 0.05; i=$((i + 1)); done
sleep 1
kill -TERM "$pid"; t1=$SECONDS; wait "$pid"; rc=$?
one_line "$tmp/big.err" "interrupted while creating .*big\.h5\.partial; nothing was simulated"; msg=$?
ok "SIGTERM while creating: exit 143 within 10 s (rc $rc after $((SECONDS - t1)) s: $(cat "$tmp/big.err"))" \
  $([[ $rc -eq 143 && $msg -eq 0 && $((SECONDS - t1)) -le 10 ]]; echo $?)
ok "SIGTERM while creating: nothing left behind" $([[ ! -e $tmp/big.h5 && ! -e $tmp/big.h5.partial ]]; echo $?)

# --- 2. a full disk ---
if [[ $(id -u) -ne 0 ]] || ! mkdir -p "$mnt" || ! mount -t tmpfs -o size=64k tmpfs "$mnt" 2>/dev/null; then
  echo "disk full: skipped (mounting a tmpfs needs root)"
else
  umount "$mnt"
  size=$(stat -c %s "$tmp/ref.h5")
  for pct in 2 45 70 90 99; do
    bytes=$(( (size * pct / 100 + 4095) / 4096 * 4096 ))
    mount -t tmpfs -o size=$bytes tmpfs "$mnt" || { ok "mount a tmpfs of $bytes bytes" 1; continue; }
    "$bin" "${run_args[@]}" -o "$mnt/d.h5" >/dev/null 2>"$tmp/d.err"; rc=$?
    what="disk of $bytes bytes ($pct% of the file)"
    ok "$what: non-zero exit (rc $rc)" $([[ $rc -ne 0 ]]; echo $?)
    ok "$what: no file under the final name" $([[ ! -e $mnt/d.h5 ]]; echo $?)
    one_line "$tmp/d.err" "No space left on device|need at least .* free"; r=$?
    ok "$what: one line naming the cause: $(cat "$tmp/d.err")" $r
    echo "$what: $(cat "$tmp/d.err")"
    if [[ -e $mnt/d.h5.partial ]]; then
      n=$(blocks_done "$mnt/d.h5.partial")
      grep -q "kept in .*d\.h5\.partial.*--resume" "$tmp/d.err"; r=$?
      ok "$what: the partial file is kept ($n blocks checkpointed) and the message says so" $r
      cp "$mnt/d.h5.partial" "$tmp/d.h5.partial"
      "$bin" run --resume "$tmp/d.h5" -j 1 --quiet >/dev/null 2>"$tmp/dr.err"; r=$?
      ok "$what: --resume with room again: $(cat "$tmp/dr.err")" $r
      same_results "$tmp/ref.h5" "$tmp/d.h5"; ok "$what: resumed to the uninterrupted result" $?
      rm -f "$tmp"/d.h5*
    else
      # refused up front, failed while creating, or before the first checkpoint
      grep -Eq "need at least|while creating the file|nothing was checkpointed yet" "$tmp/d.err"; r=$?
      ok "$what: nothing kept, and the message says why" $r
    fi
    umount "$mnt"
  done
fi
echo "total: $((SECONDS - t0)) s"
echo "$passed passed, $fails failed"
[[ $fails -eq 0 ]]
