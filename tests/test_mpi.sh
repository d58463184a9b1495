#!/usr/bin/env bash
# The MPI build: mpirun with 1, 2 and 3 ranks (3 oversubscribes a 2-core
# machine on purpose) writes datasets identical to the serial build's;
# SIGTERM to the ranks stops them cleanly (status incomplete), and a run
# interrupted under any rank count resumes under any other, serial
# included, to the uninterrupted results.
#   test_mpi.sh HASHPIVOT_MPI SOURCE_DIR MPIEXEC [HASHPIVOT_SERIAL]
# Without a serial binary the reference is the MPI binary run without
# mpirun (one rank, MPI-IO), and cross-build resumes are skipped.
set -u
mbin=$1; root=$2; mpiexec=$3; sbin=${4:-}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
source "$root/tests/resume_lib.sh"
cfg=$root/configs/default.cfg
common=(-n 2000 -s 9 --set time.horizon_years=4.0 --set simulation.block_size=40)
blocks=50
# Root may run mpirun only when it says so; a 2-core machine runs 3 ranks
# only oversubscribed; no binding, so that each rank's threads spread.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpirun=("$mpiexec" --oversubscribe --bind-to none)

if [[ -n $sbin && -x $sbin ]]; then
  ref_bin=$sbin
  "$sbin" --version | grep -q "HDF5 serial" || { echo "FAIL: $sbin is not a serial build"; exit 1; }
else
  ref_bin=$mbin; sbin=
  echo "note: no serial binary given; the reference is the MPI binary without mpirun"
fi
"$ref_bin" run "$cfg" "${common[@]}" -j 2 --quiet -o "$tmp/ref.h5" >/dev/null || { echo "reference run failed"; exit 1; }

# --- 1, 2, 3 ranks: identical datasets, ranks x threads printed ---
for np in 1 2 3; do
  "${mpirun[@]}" -np $np "$mbin" run "$cfg" "${common[@]}" -j 1 -o "$tmp/np$np.h5" >/dev/null 2>"$tmp/np$np.err"
  ok "$np ranks: exit 0 ($(tail -1 "$tmp/np$np.err"))" $?
  grep -q "^hashpivot: $np rank.* x 1 thread = $np workers" "$tmp/np$np.err"
  ok "$np ranks: startup line shows ranks x threads" $?
  same_results "$tmp/ref.h5" "$tmp/np$np.h5"
  ok "$np ranks: datasets identical to the serial run" $?
done
grep -q "oversubscribed" "$tmp/np3.err"
ok "3 ranks on $(nproc) cores: oversubscription reported" $([[ $(nproc) -ge 3 ]] || grep -q oversubscribed "$tmp/np3.err"; echo $?)

# mpi_start NAME NP: an MPI run in the background ($pid: mpirun), waiting
# for 2 blocks on disk.
mpi_start() {
  "${mpirun[@]}" -np "$2" "$mbin" run "$cfg" "${common[@]}" -j 1 --quiet -o "$tmp/$1.h5" \
    >/dev/null 2>"$tmp/$1.err" &
  pid=$!
  wait_blocks "$tmp/$1.h5.partial" 2 "$pid"
  ok "$1: the run is still going with 2 blocks on disk" $?
}

# SIGTERM to the ranks themselves, as Slurm does at the time limit
# (mpirun would wait odls_base_sigkill_timeout before passing it on).
term_ranks() {
  local ranks
  ranks=$(pgrep -P "$1")
  [[ -n $ranks ]] && kill -TERM $ranks
  wait "$1"
}

# --- MPI interrupted, finished serially ---
mpi_start a 2
term_ranks "$pid"; rc=$?
ok "2 ranks, SIGTERM: mpirun exits non-zero (got $rc)" $([[ $rc -ne 0 ]]; echo $?)
grep -q "interrupted after [0-9]* of 2000 paths.*--resume" "$tmp/a.err"
ok "2 ranks, SIGTERM: the interruption is reported" $?
ok "2 ranks, SIGTERM: status incomplete, no final file" \
  $([[ $(status_of "$tmp/a.h5.partial") == incomplete && ! -e $tmp/a.h5 ]]; echo $?)
n=$(blocks_done "$tmp/a.h5.partial")
ok "2 ranks, SIGTERM: some blocks recorded, not all ($n of $blocks)" $([[ $n -ge 2 && $n -lt $blocks ]]; echo $?)
"$ref_bin" run --resume "$tmp/a.h5" --quiet >/dev/null 2>"$tmp/a2.err"
ok "resume of the 2-rank run with $(basename "$(dirname "$ref_bin")")/hashpivot: $(cat "$tmp/a2.err")" $?
same_results "$tmp/ref.h5" "$tmp/a.h5"
ok "2 ranks interrupted + resumed: identical results" $?

# --- MPI interrupted (3 ranks), finished with 2 ranks ---
mpi_start b 3
term_ranks "$pid"
"${mpirun[@]}" -np 2 "$mbin" run --resume "$tmp/b.h5" --quiet >/dev/null 2>"$tmp/b2.err"
ok "resume of a 3-rank run with 2 ranks" $?
same_results "$tmp/ref.h5" "$tmp/b.h5"
ok "3 ranks interrupted + 2 ranks resumed: identical results" $?

# --- serial interrupted, finished with 3 ranks ---
if [[ -n $sbin ]]; then
  "$sbin" run "$cfg" "${common[@]}" -j 1 --quiet -o "$tmp/c.h5" >/dev/null 2>"$tmp/c.err" &
  pid=$!
  wait_blocks "$tmp/c.h5.partial" 2 "$pid"
  ok "serial: the run is still going with 2 blocks on disk" $?
  kill -TERM "$pid"; wait "$pid"
  "${mpirun[@]}" -np 3 "$mbin" run --resume "$tmp/c.h5" --quiet >/dev/null 2>"$tmp/c2.err"
  ok "resume of a serial run with 3 ranks: $(tail -1 "$tmp/c2.err")" $?
  same_results "$tmp/ref.h5" "$tmp/c.h5"
  ok "serial interrupted + 3 ranks resumed: identical results" $?
fi

echo "$passed passed, $fails failed"
[[ $fails -eq 0 ]]
