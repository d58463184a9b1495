#!/usr/bin/env bash
# Interrupt and resume, serial build: SIGTERM/SIGINT stop cleanly (status
# incomplete, exit 128+signal, the final name never holds a partial file),
# --resume finishes with results identical to an uninterrupted run, a
# SIGKILL leaves a file that resumes or is refused with one clear line, a
# flag set on a block that is not on disk is caught, and files that must
# not be resumed are refused.
#   test_resume.sh HASHPIVOT SOURCE_DIR PYTHON
set -u
bin=$1; root=$2; py=$3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
source "$root/tests/resume_lib.sh"
cfg=$root/configs/default.cfg
# 50 blocks of 40 paths; block size and seed are recorded in the file.
common=(-n 2000 -s 5 --set time.horizon_years=4.0 --set simulation.block_size=40)
blocks=50

"$bin" run "$cfg" "${common[@]}" -j 2 --quiet -o "$tmp/ref.h5" >/dev/null || { echo "reference run failed"; exit 1; }

# start NAME: a run in the background, $pid set; waits for 2 blocks on disk.
start() {
  "$bin" run "$cfg" "${common[@]}" -j 1 --quiet -o "$tmp/$1.h5" >/dev/null 2>"$tmp/$1.err" &
  pid=$!
  wait_blocks "$tmp/$1.h5.partial" 2 "$pid"
  ok "$1: the run is still going with 2 blocks on disk" $?
}

# --- SIGTERM, the batch system's time limit ---
start a
kill -TERM "$pid"; wait "$pid"; rc=$?
ok "SIGTERM: exit status 143 (got $rc)" $([[ $rc -eq 143 ]]; echo $?)
one_line "$tmp/a.err" "interrupted after [0-9]+ of 2000 paths.*a\.h5\.partial.*--resume"
ok "SIGTERM: one line naming the partial file and --resume" $?
ok "SIGTERM: no file under the final name" $([[ ! -e $tmp/a.h5 ]]; echo $?)
ok "SIGTERM: status incomplete" $([[ $(status_of "$tmp/a.h5.partial") == incomplete ]]; echo $?)
n=$(blocks_done "$tmp/a.h5.partial")
ok "SIGTERM: some blocks recorded, not all ($n of $blocks)" $([[ $n -ge 2 && $n -lt $blocks ]]; echo $?)

# A new run does not silently replace the interrupted one.
"$bin" run "$cfg" "${common[@]}" --quiet -o "$tmp/a.h5" >/dev/null 2>"$tmp/refuse.err"; rc=$?
one_line "$tmp/refuse.err" "interrupted run left .*a\.h5\.partial.*--resume.*--force"; msg=$?
ok "a fresh run over a partial file is refused (rc $rc)" $([[ $rc -ne 0 && $msg -eq 0 ]]; echo $?)
ok "the refused run left the partial file as it was" $([[ $(blocks_done "$tmp/a.h5.partial") -eq $n ]]; echo $?)

"$bin" run --resume "$tmp/a.h5" -j 2 --quiet >/dev/null 2>"$tmp/a2.err"; rc=$?
ok "resume: exit 0 (got $rc: $(cat "$tmp/a2.err"))" $rc
ok "resume: final file, no partial left" $([[ -e $tmp/a.h5 && ! -e $tmp/a.h5.partial ]]; echo $?)
ok "resume: status complete" $([[ $(status_of "$tmp/a.h5") == complete ]]; echo $?)
ok "resume: no progress record in the finished file" $(! h5ls "$tmp/a.h5" | grep -q progress; echo $?)
same_results "$tmp/ref.h5" "$tmp/a.h5"
ok "SIGTERM + resume gives the uninterrupted results" $?

# --- SIGINT (Ctrl-C); resumed by the .partial name ---
start b
kill -INT "$pid"; wait "$pid"; rc=$?
ok "SIGINT: exit status 130 (got $rc)" $([[ $rc -eq 130 ]]; echo $?)
"$bin" run --resume "$tmp/b.h5.partial" --quiet >/dev/null 2>"$tmp/b2.err"
ok "resume by the .partial name: $(cat "$tmp/b2.err")" $?
same_results "$tmp/ref.h5" "$tmp/b.h5"
ok "SIGINT + resume gives the uninterrupted results" $?

# --- SIGKILL: no clean-up at all ---
start c
kill -KILL "$pid"; wait "$pid" 2>/dev/null
ok "SIGKILL: no file under the final name" $([[ ! -e $tmp/c.h5 ]]; echo $?)
"$bin" run --resume "$tmp/c.h5" --quiet >/dev/null 2>"$tmp/c2.err"; rc=$?
if [[ $rc -eq 0 ]]; then
  same_results "$tmp/ref.h5" "$tmp/c.h5"
  ok "SIGKILL + resume gives the uninterrupted results" $?
  echo "note: the file killed with SIGKILL was resumed"
else
  one_line "$tmp/c2.err" "cannot resume"
  ok "SIGKILL: resume refused with one clear line" $?
  echo "note: the file killed with SIGKILL could not be resumed: $(cat "$tmp/c2.err")"
fi

# --- a flag on disk for a block that is not: the block is redone ---
start d
kill -TERM "$pid"; wait "$pid"
cp "$tmp/d.h5.partial" "$tmp/e.h5.partial"
"$py" - "$tmp/d.h5.partial" <<'EOF' || exit 1
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    flags = f["progress/block_done"]
    assert flags[-1] == 0
    flags[-1] = 1
EOF
"$bin" run --resume "$tmp/d.h5" >/dev/null 2>"$tmp/d2.err"; rc=$?
ok "false flag: resume succeeds (rc $rc)" $rc
grep -q "1 block(s) flagged complete failed verification" "$tmp/d2.err"
ok "false flag: reported" $?
same_results "$tmp/ref.h5" "$tmp/d.h5"
ok "false flag: results identical" $?

# --- refusals: one line each, the partial file kept ---
"$py" - "$tmp/e.h5.partial" <<'EOF' || exit 1
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    f.attrs["git_commit"] = "0123456789ab"
EOF
"$bin" run --resume "$tmp/e.h5" --quiet >/dev/null 2>"$tmp/e.err"
one_line "$tmp/e.err" "commit 0123456789ab.*resume with the same build"
ok "another build's file is refused" $?
ok "the refused file is kept" $([[ -e $tmp/e.h5.partial ]]; echo $?)

"$bin" run --resume "$tmp/a.h5" --quiet >/dev/null 2>"$tmp/f.err"; rc=$?
one_line "$tmp/f.err" "no .*a\.h5\.partial: the run finished"; msg=$?
ok "resuming a finished run is refused (rc $rc)" $([[ $rc -eq 1 && $msg -eq 0 ]]; echo $?)

echo "not hdf5" >"$tmp/g.h5.partial"
"$bin" run --resume "$tmp/g.h5" --quiet >/dev/null 2>"$tmp/g.err"
one_line "$tmp/g.err" "g\.h5\.partial: cannot resume: not a hashpivot results file \(not an HDF5 file\)"
ok "an unreadable partial file is refused" $?

"$bin" run --resume "$tmp/nothing.h5" --quiet >/dev/null 2>"$tmp/h.err"
one_line "$tmp/h.err" "nothing\.h5\.partial: cannot resume: No such file"
ok "a missing file is refused" $?

"$bin" run --resume "$tmp/e.h5" "$cfg" >/dev/null 2>&1; rc=$?
ok "--resume with a CONFIG is a usage error (rc $rc)" $([[ $rc -eq 2 ]]; echo $?)
"$bin" run --resume "$tmp/e.h5" -n 10 >/dev/null 2>&1; rc=$?
ok "--resume with -n is a usage error (rc $rc)" $([[ $rc -eq 2 ]]; echo $?)

echo "$passed passed, $fails failed"
[[ $fails -eq 0 ]]
