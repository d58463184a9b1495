#!/usr/bin/env bash
# The MPI build: mpirun with 1, 2 and 3 ranks (3 oversubscribes a 2-core
# machine on purpose) writes datasets identical to the serial build's, at
# sizes that make many chunks and many waves (tens of thousands of paths;
# blocks of 16, 40 and the default 256 paths): the sizes at which parallel
# HDF5's collective writes used to hang or crash. MPI is called from the
# main thread only, under the thread level it asked for (funneled), with
# several OpenMP threads per rank. SIGTERM to the ranks stops them cleanly
# (status incomplete), SIGKILL leaves a file --resume finishes, and a run
# interrupted under any rank count resumes under any other, serial
# included, to the uninterrupted results; the same for quasi-Monte Carlo
# (sampler sobol). Every MPI run is bounded by
# `timeout`: a hang fails the test instead of stalling it. About 1-2
# minutes on 2 cores.
#   test_mpi.sh HASHPIVOT_MPI SOURCE_DIR MPIEXEC [HASHPIVOT_SERIAL]
# Without a serial binary the reference is the MPI binary run without
# mpirun (one rank), and cross-build resumes are skipped.
set -u
mbin=$1; root=$2; mpiexec=$3; sbin=${4:-}
tmp=$(mktemp -d)
trap 'mountpoint -q "$tmp/mnt" 2>/dev/null && umount "$tmp/mnt"; rm -rf "$tmp"' EXIT
source "$root/tests/resume_lib.sh"
cfg=$root/configs/default.cfg
common=(-n 2000 -s 9 --set time.horizon_years=4.0 --set simulation.block_size=40
        --set output.checkpoint_s=0)
blocks=50
# Root may run mpirun only when it says so; a 2-core machine runs 3 ranks
# only oversubscribed; no binding, so that each rank's threads spread.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpirun=(timeout 300 "$mpiexec" --oversubscribe --bind-to none)
t0=$SECONDS

if [[ -n $sbin && -x $sbin ]]; then
  ref_bin=$sbin
  "$sbin" --version | grep -q "HDF5 serial" || { echo "FAIL: $sbin is not a serial build"; exit 1; }
else
  ref_bin=$mbin; sbin=
  echo "note: no serial binary given; the reference is the MPI binary without mpirun"
fi
"$ref_bin" run "$cfg" "${common[@]}" -j 2 --quiet -o "$tmp/ref.h5" >/dev/null || { echo "reference run failed"; exit 1; }

# --- 1, 2, 3 ranks: identical datasets, ranks x threads and the thread
# level printed ---
for np in 1 2 3; do
  "${mpirun[@]}" -np $np "$mbin" run "$cfg" "${common[@]}" -j 1 -o "$tmp/np$np.h5" >/dev/null 2>"$tmp/np$np.err"; rc=$?
  ok "$np ranks: exit 0 (rc $rc: $(tail -1 "$tmp/np$np.err"))" $rc
  grep -q "^hashpivot: $np rank.* x 1 thread = $np workers.*MPI threads: funneled" "$tmp/np$np.err"
  ok "$np ranks: startup line shows ranks x threads and MPI_THREAD_FUNNELED granted as asked" $?
  same_results "$tmp/ref.h5" "$tmp/np$np.h5"
  ok "$np ranks: datasets identical to the serial run" $?
done
ok "3 ranks on $(nproc) cores: oversubscription reported" \
  $([[ $(nproc) -ge 3 ]] || grep -q oversubscribed "$tmp/np3.err"; echo $?)

# --- many chunks and waves: the sizes that hung or crashed parallel HDF5.
# Two threads per rank: the tasks run on every thread, MPI and HDF5 only on
# the main one (par.c aborts the job with a message otherwise). ---
big() {  # big NAME NP PATHS BLOCK YEARS THREADS
  local name=$1 np=$2 n=$3 bs=$4 years=$5 j=$6 r
  local args=(run "$cfg" -n "$n" -s 3 --quiet --set time.horizon_years="$years" --set simulation.block_size="$bs")
  "$ref_bin" "${args[@]}" -j 2 -o "$tmp/$name.ref.h5" >/dev/null || { ok "$name: serial reference" 1; return; }
  "${mpirun[@]}" -np "$np" "$mbin" "${args[@]}" -j "$j" -o "$tmp/$name.h5" >/dev/null 2>"$tmp/$name.err"; r=$?
  ok "$name: $np ranks x $j threads, $n paths in blocks of $bs: exit 0 within the time limit (rc $r: $(tail -1 "$tmp/$name.err"))" $r
  same_results "$tmp/$name.ref.h5" "$tmp/$name.h5"
  ok "$name: identical to the serial run" $?
  rm -f "$tmp/$name".*h5
}
big b12k 2 12000 40 0.5 1
big b20k 3 20000 256 0.5 1
big b30k 3 30000 16 0.25 1
big b100k 2 100000 256 0.25 2
echo "ranks and sizes: $((SECONDS - t0)) s"

# mpi_start NAME NP [RUN OPTIONS]: an MPI run in the background ($pid:
# mpirun), waiting for 2 blocks on disk.
mpi_start() {
  local name=$1 np=$2; shift 2
  "${mpirun[@]}" -np "$np" "$mbin" run "$cfg" "${common[@]}" "$@" -j 1 --quiet -o "$tmp/$name.h5" \
    >/dev/null 2>"$tmp/$name.err" &
  pid=$!
  wait_blocks "$tmp/$name.h5.partial" 2 "$pid"
  ok "$name: the run is still going with 2 blocks on disk" $?
}

# SIGTERM (or another signal) to the ranks themselves, as Slurm does at the
# time limit (mpirun would wait odls_base_sigkill_timeout before passing it
# on). $pid is timeout's; the ranks are mpirun's children.
signal_ranks() {
  local sig=$1 ranks
  ranks=$(pgrep -P "$(pgrep -P "$pid")")
  [[ -n $ranks ]] && kill -"$sig" $ranks
  wait "$pid"
}

# --- MPI interrupted, finished serially ---
mpi_start a 2
signal_ranks TERM; rc=$?
ok "2 ranks, SIGTERM: mpirun exits non-zero (got $rc)" $([[ $rc -ne 0 ]]; echo $?)
grep -q "interrupted after [0-9]* of 2000 paths.*--resume" "$tmp/a.err"
ok "2 ranks, SIGTERM: the interruption is reported" $?
ok "2 ranks, SIGTERM: status incomplete, no final file" \
  $([[ $(status_of "$tmp/a.h5.partial") == incomplete && ! -e $tmp/a.h5 ]]; echo $?)
n=$(blocks_done "$tmp/a.h5.partial")
ok "2 ranks, SIGTERM: some blocks recorded, not all ($n of $blocks)" $([[ $n -ge 2 && $n -lt $blocks ]]; echo $?)
"$ref_bin" run --resume "$tmp/a.h5" --quiet >/dev/null 2>"$tmp/a2.err"; rc=$?
ok "resume of the 2-rank run with $(basename "$(dirname "$ref_bin")")/hashpivot (rc $rc: $(cat "$tmp/a2.err"))" $rc
same_results "$tmp/ref.h5" "$tmp/a.h5"
ok "2 ranks interrupted + resumed: identical results" $?

# --- MPI interrupted (3 ranks), finished with 2 ranks ---
mpi_start b 3
signal_ranks TERM
"${mpirun[@]}" -np 2 "$mbin" run --resume "$tmp/b.h5" --quiet >/dev/null 2>"$tmp/b2.err"; rc=$?
ok "resume of a 3-rank run with 2 ranks (rc $rc: $(tail -1 "$tmp/b2.err"))" $rc
same_results "$tmp/ref.h5" "$tmp/b.h5"
ok "3 ranks interrupted + 2 ranks resumed: identical results" $?

# --- SIGKILL to the ranks (2), finished with 3 ranks ---
mpi_start k 2
signal_ranks KILL 2>/dev/null
"${mpirun[@]}" -np 3 "$mbin" run --resume "$tmp/k.h5" --quiet >/dev/null 2>"$tmp/k2.err"; rc=$?
ok "resume after SIGKILL of the ranks, with 3 ranks (rc $rc: $(tail -1 "$tmp/k2.err"))" $rc
same_results "$tmp/ref.h5" "$tmp/k.h5"
ok "2 ranks killed + 3 ranks resumed: identical results" $?

# --- serial interrupted, finished with 3 ranks ---
if [[ -n $sbin ]]; then
  "$sbin" run "$cfg" "${common[@]}" -j 1 --quiet -o "$tmp/c.h5" >/dev/null 2>"$tmp/c.err" &
  pid=$!
  wait_blocks "$tmp/c.h5.partial" 2 "$pid"
  ok "serial: the run is still going with 2 blocks on disk" $?
  kill -TERM "$pid"; wait "$pid"
  "${mpirun[@]}" -np 3 "$mbin" run --resume "$tmp/c.h5" --quiet >/dev/null 2>"$tmp/c2.err"; rc=$?
  ok "resume of a serial run with 3 ranks (rc $rc: $(tail -1 "$tmp/c2.err"))" $rc
  same_results "$tmp/ref.h5" "$tmp/c.h5"
  ok "serial interrupted + 3 ranks resumed: identical results" $?
fi

# --- quasi-Monte Carlo (sampler sobol; scrambles of 256 paths, the last
# one partial, so that scrambles straddle blocks and ranks): a path's
# normals depend only on the seed and its index, so 1 and 2 ranks give the
# serial sobol results, and so does a 2-rank run killed and resumed ---
qmc=(--set 'simulation.sampler="sobol"' --set simulation.qmc_points=256)
"$ref_bin" run "$cfg" "${common[@]}" "${qmc[@]}" -j 2 --quiet -o "$tmp/qref.h5" >/dev/null; rc=$?
ok "sobol: serial reference run (rc $rc)" $rc
same_results "$tmp/ref.h5" "$tmp/qref.h5" >/dev/null
ok "sobol: results differ from the pseudo-random ones (the sampler is on)" $([[ $? -ne 0 ]]; echo $?)
for np in 1 2; do
  "${mpirun[@]}" -np $np "$mbin" run "$cfg" "${common[@]}" "${qmc[@]}" -j 1 -o "$tmp/q$np.h5" \
    >/dev/null 2>"$tmp/q$np.err"; rc=$?
  ok "sobol, $np ranks: exit 0 (rc $rc: $(tail -1 "$tmp/q$np.err"))" $rc
  same_results "$tmp/qref.h5" "$tmp/q$np.h5"
  ok "sobol, $np ranks: datasets identical to the serial sobol run" $?
done
mpi_start qk 2 "${qmc[@]}"
signal_ranks KILL 2>/dev/null
"${mpirun[@]}" -np 2 "$mbin" run --resume "$tmp/qk.h5" --quiet >/dev/null 2>"$tmp/qk2.err"; rc=$?
ok "sobol: resume after SIGKILL of the 2 ranks, with 2 ranks (rc $rc: $(tail -1 "$tmp/qk2.err"))" $rc
same_results "$tmp/qref.h5" "$tmp/qk.h5"
ok "sobol: 2 ranks killed + 2 ranks resumed: identical to the uninterrupted sobol run" $?
mpi_start qt 2 "${qmc[@]}"
signal_ranks TERM
"$ref_bin" run --resume "$tmp/qt.h5" --quiet >/dev/null 2>"$tmp/qt2.err"; rc=$?
ok "sobol: resume of a 2-rank run stopped by SIGTERM, with one process (rc $rc: $(cat "$tmp/qt2.err"))" $rc
same_results "$tmp/qref.h5" "$tmp/qt.h5"
ok "sobol: 2 ranks interrupted + resumed by one process: identical to the uninterrupted sobol run" $?

# --- a full disk under MPI (a small tmpfs; root only): a clean failure on
# every rank, the checkpointed blocks kept, finished with room again ---
mnt=$tmp/mnt
if [[ $(id -u) -eq 0 ]] && mkdir -p "$mnt" && mount -t tmpfs -o size=$(( $(stat -c %s "$tmp/ref.h5") * 7 / 10 )) tmpfs "$mnt" 2>/dev/null; then
  "${mpirun[@]}" -np 2 "$mbin" run "$cfg" "${common[@]}" -j 1 --quiet -o "$mnt/d.h5" >/dev/null 2>"$tmp/d.err"; rc=$?
  grep -q "No space left on device.*kept in .*d\.h5\.partial" "$tmp/d.err"; msg=$?
  ok "2 ranks, full disk: exit 1, not a crash (rc $rc), the cause named and the blocks kept" \
    $([[ $rc -eq 1 && $msg -eq 0 && ! -e $mnt/d.h5 ]]; echo $?)
  cp "$mnt/d.h5.partial" "$tmp/d.h5.partial" 2>/dev/null
  umount "$mnt"
  "${mpirun[@]}" -np 2 "$mbin" run --resume "$tmp/d.h5" --quiet >/dev/null 2>"$tmp/d2.err"; rc=$?
  ok "2 ranks, full disk: resumed with room again (rc $rc: $(tail -1 "$tmp/d2.err"))" $rc
  same_results "$tmp/ref.h5" "$tmp/d.h5"
  ok "2 ranks, full disk: identical results" $?
else
  echo "full disk under MPI: skipped (mounting a tmpfs needs root)"
fi

echo "total: $((SECONDS - t0)) s"
echo "$passed passed, $fails failed"
[[ $fails -eq 0 ]]
