#!/usr/bin/env bash
# Interrupt and resume, serial build: SIGTERM/SIGINT stop cleanly (status
# incomplete, exit 128+signal, the final name never holds a partial file),
# --resume finishes with results identical to an uninterrupted run; blocks
# flagged complete are checked against their checksums, not trusted (a
# false flag, a damaged block); a file killed while closing is finished;
# two runs to the same name do not destroy each other's file; no symbolic
# link is followed; a changed input refuses the resume; files that must not
# be resumed are refused with one line; a quasi-Monte Carlo (sobol) run
# resumes to its uninterrupted results too. (SIGKILL at every point of a run,
# and a full disk: test_faults.sh.)
#   test_resume.sh HASHPIVOT SOURCE_DIR PYTHON
set -u
bin=$(realpath "$1"); root=$(realpath "$2"); py=$3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
source "$root/tests/resume_lib.sh"
cfg=$root/configs/default.cfg
# 50 blocks of 40 paths; block size and seed are recorded in the file. A
# checkpoint after every wave, so that blocks reach the disk at once.
common=(-n 2000 -s 5 --set time.horizon_years=4.0 --set simulation.block_size=40
        --set output.checkpoint_s=0)
blocks=50

"$bin" run "$cfg" "${common[@]}" -j 2 --quiet -o "$tmp/ref.h5" >/dev/null || { echo "reference run failed"; exit 1; }

# start NAME [extra run options]: a run in the background, $pid set; waits
# for 2 blocks on disk.
start() {
  local name=$1; shift
  "$bin" run "$cfg" "${common[@]}" -j 1 --quiet "$@" -o "$tmp/$name.h5" >/dev/null 2>"$tmp/$name.err" &
  pid=$!
  wait_blocks "$tmp/$name.h5.partial" 2 "$pid"
  ok "$name: the run is still going with 2 blocks on disk" $?
}

# resume NAME: --resume; passes when it exits 0 with the reference results.
resume() {
  local r
  "$bin" run --resume "$tmp/$1.h5" -j 2 --quiet >/dev/null 2>"$tmp/$1.rerr"; r=$?
  ok "$1: resume exits 0 (got $r: $(cat "$tmp/$1.rerr"))" $r
  same_results "$tmp/ref.h5" "$tmp/$1.h5"
  ok "$1: resumed to the uninterrupted results" $?
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
cp "$tmp/a.h5.partial" "$tmp/p.h5.partial"     # kept for the refusals below

# A new run does not silently replace the interrupted one.
"$bin" run "$cfg" "${common[@]}" --quiet -o "$tmp/a.h5" >/dev/null 2>"$tmp/refuse.err"; rc=$?
one_line "$tmp/refuse.err" "interrupted run left .*a\.h5\.partial.*--resume.*--force"; msg=$?
ok "a fresh run over a partial file is refused (rc $rc)" $([[ $rc -ne 0 && $msg -eq 0 ]]; echo $?)
ok "the refused run left the partial file as it was" $([[ $(blocks_done "$tmp/a.h5.partial") -eq $n ]]; echo $?)

resume a
ok "resume: final file, no partial left" $([[ -e $tmp/a.h5 && ! -e $tmp/a.h5.partial ]]; echo $?)
ok "resume: status complete" $([[ $(status_of "$tmp/a.h5") == complete ]]; echo $?)
ok "resume: every block flagged in the finished file" $([[ $(blocks_done "$tmp/a.h5") -eq $blocks ]]; echo $?)

# --- SIGINT (Ctrl-C); resumed by the .partial name ---
start b
kill -INT "$pid"; wait "$pid"; rc=$?
ok "SIGINT: exit status 130 (got $rc)" $([[ $rc -eq 130 ]]; echo $?)
"$bin" run --resume "$tmp/b.h5.partial" --quiet >/dev/null 2>"$tmp/b2.err"; rc=$?
ok "resume by the .partial name (rc $rc: $(cat "$tmp/b2.err"))" $rc
same_results "$tmp/ref.h5" "$tmp/b.h5"
ok "SIGINT + resume gives the uninterrupted results" $?

# --- SIGKILL in the middle ---
start c
kill -KILL "$pid"; wait "$pid" 2>/dev/null
ok "SIGKILL: no file under the final name" $([[ ! -e $tmp/c.h5 ]]; echo $?)
resume c

# --- quasi-Monte Carlo (sampler sobol, scrambles of 256 paths, the last
# one partial): SIGKILL in the middle, resumed to the uninterrupted sobol
# results (a path's normals depend only on the seed and its index) ---
qmc=(--set 'simulation.sampler="sobol"' --set simulation.qmc_points=256)
"$bin" run "$cfg" "${common[@]}" "${qmc[@]}" -j 2 --quiet -o "$tmp/qref.h5" >/dev/null; rc=$?
ok "sobol: reference run (rc $rc)" $rc
same_results "$tmp/ref.h5" "$tmp/qref.h5" >/dev/null
ok "sobol: results differ from the pseudo-random ones (the sampler is on)" $([[ $? -ne 0 ]]; echo $?)
start q "${qmc[@]}"
kill -KILL "$pid"; wait "$pid" 2>/dev/null
"$bin" run --resume "$tmp/q.h5" -j 2 --quiet >/dev/null 2>"$tmp/q.rerr"; rc=$?
ok "sobol, SIGKILL: resume exits 0 (got $rc: $(cat "$tmp/q.rerr"))" $rc
same_results "$tmp/qref.h5" "$tmp/q.h5"
ok "sobol, SIGKILL + resume gives the uninterrupted sobol results" $?

# --- a flag on disk for a block that is not: the block is redone ---
cp "$tmp/p.h5.partial" "$tmp/d.h5.partial"
"$py" - "$tmp/d.h5.partial" <<'PY' || exit 1
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    flags = f["progress/block_done"]
    assert flags[-1] == 0
    flags[-1] = 1
PY
"$bin" run --resume "$tmp/d.h5" >/dev/null 2>"$tmp/d2.err"; rc=$?
ok "false flag: resume succeeds (rc $rc)" $rc
grep -q "1 block(s) flagged complete failed verification" "$tmp/d2.err"
ok "false flag: reported" $?
same_results "$tmp/ref.h5" "$tmp/d.h5"
ok "false flag: results identical" $?

# --- a damaged block (one value changed, as a bad disk or a stray write
# would): its checksum no longer matches, it is redone, not trusted ---
cp "$tmp/p.h5.partial" "$tmp/e.h5.partial"
"$py" - "$tmp/e.h5.partial" <<'PY' || exit 1
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r+") as f:
    assert f["progress/block_done"][0] == 1
    d = f["valuation/npv"]
    row = d[0, :40]
    row[7] = np.nan
    d[0, :40] = row
PY
"$bin" run --resume "$tmp/e.h5" >/dev/null 2>"$tmp/e2.err"; rc=$?
ok "damaged block: resume succeeds (rc $rc)" $rc
grep -q "1 block(s) flagged complete failed verification" "$tmp/e2.err"
ok "damaged block: caught by its checksum" $?
same_results "$tmp/ref.h5" "$tmp/e.h5"
ok "damaged block: results identical (no NaN kept)" $?

# --- killed while closing: complete, but not renamed yet ---
cp "$tmp/ref.h5" "$tmp/f.h5.partial"
"$bin" run --resume "$tmp/f.h5" >/dev/null 2>"$tmp/f.err"; rc=$?
grep -q "complete but was not renamed" "$tmp/f.err"; msg=$?
ok "killed while closing: resume finishes it (rc $rc, $(tail -1 "$tmp/f.err"))" $([[ $rc -eq 0 && $msg -eq 0 ]]; echo $?)
ok "killed while closing: renamed" $([[ -e $tmp/f.h5 && ! -e $tmp/f.h5.partial ]]; echo $?)
same_results "$tmp/ref.h5" "$tmp/f.h5"
ok "killed while closing: results identical" $?

# --- two runs to the same name (the first one paused meanwhile, so that
# it is surely still writing) ---
start g
kill -STOP "$pid"
"$bin" run "$cfg" "${common[@]}" --quiet --force -o "$tmp/g.h5" >/dev/null 2>"$tmp/g2.err"; rc=$?
one_line "$tmp/g2.err" "g\.h5\.partial: another hashpivot run is writing it"; msg=$?
ok "a second run with --force does not take the partial file of a running one (rc $rc)" \
  $([[ $rc -ne 0 && $msg -eq 0 ]]; echo $?)
"$bin" run --resume "$tmp/g.h5" --quiet >/dev/null 2>"$tmp/g3.err"; rc=$?
one_line "$tmp/g3.err" "cannot resume: another hashpivot run is writing it"; msg=$?
ok "--resume of a file a run is writing is refused (rc $rc: $(cat "$tmp/g3.err"))" $([[ $rc -ne 0 && $msg -eq 0 ]]; echo $?)
kill -CONT "$pid"
wait "$pid"; rc=$?
ok "the first run finished undisturbed (rc $rc)" $rc
same_results "$tmp/ref.h5" "$tmp/g.h5"
ok "the first run's results are whole" $?

# --- symbolic links are never followed ---
echo "precious" >"$tmp/victim"
# a link at the partial name (--force removes the link, not its target)
ln -s "$tmp/victim" "$tmp/h.h5.partial"
"$bin" run "$cfg" -n 40 -s 5 --set time.horizon_years=1.0 --quiet --force -o "$tmp/h.h5" >/dev/null 2>&1; rc=$?
ok "a link at the partial name: the run succeeds with --force (rc $rc)" $rc
ok "a link at the partial name: its target is untouched" $([[ $(cat "$tmp/victim") == precious ]]; echo $?)
# a link at the final name (--force replaces the link)
ln -s "$tmp/victim" "$tmp/i.h5"
"$bin" run "$cfg" -n 40 -s 5 --set time.horizon_years=1.0 --quiet -o "$tmp/i.h5" >/dev/null 2>"$tmp/i.err"; rc=$?
one_line "$tmp/i.err" "i\.h5: exists; use --force"; msg=$?
ok "a link at the final name counts as a file there (rc $rc)" $([[ $rc -ne 0 && $msg -eq 0 ]]; echo $?)
"$bin" run "$cfg" -n 40 -s 5 --set time.horizon_years=1.0 --quiet --force -o "$tmp/i.h5" >/dev/null 2>&1
ok "a link at the final name: replaced by the file, its target untouched" \
  $([[ ! -L $tmp/i.h5 && $(cat "$tmp/victim") == precious ]]; echo $?)
# no probe file: links at "<out>.tmp.<pid>" for the next few hundred pids
# (the name the writability probe used) are left alone
last=$(cat /proc/sys/kernel/ns_last_pid 2>/dev/null || echo 0)
for ((p = last + 1; p <= last + 400; p++)); do ln -s "$tmp/victim" "$tmp/j.h5.tmp.$p"; done
"$bin" run "$cfg" -n 40 -s 5 --set time.horizon_years=1.0 --quiet -o "$tmp/j.h5" >/dev/null 2>&1; rc=$?
ok "no probe file follows a planted link (rc $rc)" $([[ $rc -eq 0 && $(cat "$tmp/victim") == precious ]]; echo $?)
rm -f "$tmp"/j.h5.tmp.*

# --- a changed input refuses the resume ---
mkdir -p "$tmp/w1" "$tmp/w2"
"$py" - "$tmp/w1/hist.csv" "$tmp/w2/hist.csv" <<'PY' || exit 1
import sys, datetime
for k, path in enumerate(sys.argv[1:]):
    with open(path, "w") as f:
        f.write("date,price_usd\n")
        day, p = datetime.date(2020, 1, 1), 10000.0
        for i in range(400):
            f.write(f"{day + datetime.timedelta(days=i)},{p:.2f}\n")
            p *= 1.01 if (i * 7 + k) % 3 else 0.985
PY
boot=(--set price.model=bootstrap --set 'price.csv="hist.csv"')
(cd "$tmp/w1" && "$bin" run "$cfg" "${common[@]}" "${boot[@]}" -j 2 --quiet -o "$tmp/kref.h5" >/dev/null) ||
  ok "bootstrap reference run" 1
(cd "$tmp/w1" && exec "$bin" run "$cfg" "${common[@]}" "${boot[@]}" -j 1 --quiet -o "$tmp/k.h5" \
  >/dev/null 2>"$tmp/k.err") &
pid=$!
wait_blocks "$tmp/k.h5.partial" 2 "$pid"; ok "k: the run is still going with 2 blocks on disk" $?
kill -TERM "$pid"; wait "$pid"
(cd "$tmp/w2" && "$bin" run --resume "$tmp/k.h5" --quiet >/dev/null 2>"$tmp/k2.err"); rc=$?
one_line "$tmp/k2.err" "cannot resume: input hist\.csv changed since the run started"; msg=$?
ok "another hist.csv (relative path, another directory): resume refused (rc $rc)" $([[ $rc -ne 0 && $msg -eq 0 ]]; echo $?)
mkdir -p "$tmp/w3"
(cd "$tmp/w3" && "$bin" run --resume "$tmp/k.h5" --quiet >/dev/null 2>"$tmp/k3.err"); rc=$?
one_line "$tmp/k3.err" "hist\.csv.*No such file"; msg=$?
ok "hist.csv missing: resume refused (rc $rc: $(cat "$tmp/k3.err"))" $([[ $rc -ne 0 && $msg -eq 0 ]]; echo $?)
(cd "$tmp/w1" && "$bin" run --resume "$tmp/k.h5" --quiet >/dev/null 2>"$tmp/k4.err"); rc=$?
ok "the same hist.csv: resume succeeds (rc $rc)" $rc
same_results "$tmp/kref.h5" "$tmp/k.h5"
ok "the same hist.csv: results identical" $?
"$py" - "$tmp/k.h5" "$tmp/w1/hist.csv" "$cfg" <<'PY'; ok "the file records the SHA-256 of the config and hist.csv" $?
import sys, hashlib, h5py
with h5py.File(sys.argv[1], "r") as f:
    lines = f["config/inputs"][()].decode().splitlines()
want = {p: hashlib.sha256(open(q, "rb").read()).hexdigest() for p, q in
        (("hist.csv", sys.argv[2]), (sys.argv[3], sys.argv[3]))}
got = {l[66:]: l[:64] for l in lines}
sys.exit(0 if all(got.get(p) == h for p, h in want.items()) else 1)
PY

# --- refusals: one line each, the partial file kept ---
cp "$tmp/p.h5.partial" "$tmp/m.h5.partial"
"$py" - "$tmp/m.h5.partial" <<'PY' || exit 1
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    f.attrs["git_commit"] = "0123456789ab"
PY
"$bin" run --resume "$tmp/m.h5" --quiet >/dev/null 2>"$tmp/m.err"
one_line "$tmp/m.err" "commit 0123456789ab.*resume with the same build"
ok "another build's file is refused" $?
ok "the refused file is kept" $([[ -e $tmp/m.h5.partial ]]; echo $?)

cp "$tmp/p.h5.partial" "$tmp/n.h5.partial"
"$py" - "$tmp/n.h5.partial" <<'PY' || exit 1
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    del f["progress"]
PY
"$bin" run --resume "$tmp/n.h5" --quiet >/dev/null 2>"$tmp/n.err"
one_line "$tmp/n.err" "cannot resume: no progress record, so the run was killed while creating the file; start over with --force"
ok "a file without its progress record (killed while being created) is refused, pointing to --force" $?

"$bin" run --resume "$tmp/a.h5" --quiet >/dev/null 2>"$tmp/o.err"; rc=$?
one_line "$tmp/o.err" "no .*a\.h5\.partial: the run finished"; msg=$?
ok "resuming a finished run is refused (rc $rc)" $([[ $rc -eq 1 && $msg -eq 0 ]]; echo $?)

echo "not hdf5" >"$tmp/q.h5.partial"
"$bin" run --resume "$tmp/q.h5" --quiet >/dev/null 2>"$tmp/q.err"
one_line "$tmp/q.err" "q\.h5\.partial: cannot resume: not a hashpivot results file \(not an HDF5 file\).*--force"
ok "an unreadable partial file is refused" $?

"$bin" run --resume "$tmp/nothing.h5" --quiet >/dev/null 2>"$tmp/r.err"
one_line "$tmp/r.err" "nothing\.h5\.partial: cannot resume: No such file"
ok "a missing file is refused" $?

"$bin" run --resume "$tmp/m.h5" "$cfg" >/dev/null 2>&1; rc=$?
ok "--resume with a CONFIG is a usage error (rc $rc)" $([[ $rc -eq 2 ]]; echo $?)
"$bin" run --resume "$tmp/m.h5" -n 10 >/dev/null 2>&1; rc=$?
ok "--resume with -n is a usage error (rc $rc)" $([[ $rc -eq 2 ]]; echo $?)

echo "$passed passed, $fails failed"
[[ $fails -eq 0 ]]
