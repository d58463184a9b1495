#!/usr/bin/env bash
# The batch template for real: a one-node Slurm cluster on this machine
# (slurmctld and slurmd from Debian's slurm-wlm, a private slurm.conf,
# auth/none, ports of its own), then
#   1. sbatch scripts/slurm/hashpivot.sbatch with 2 tasks x 2 cpus: the log
#      shows 2 ranks x 2 threads, the results equal the reference;
#   2. a job stopped by SIGTERM to its steps (what --signal and the time
#      limit do), then the same sbatch line again with afterany: it
#      resumes and the results equal the reference;
#   3. the same line once more: the output is complete and is this run, so
#      the job does nothing and succeeds; with another seed it is not, so
#      the job fails and says why, leaving the file alone.
# Exits 77 (skipped) when Slurm is not installed or cannot start here.
#   test_slurm.sh HASHPIVOT_MPI SOURCE_DIR REFERENCE_BIN
set -u
mbin=$(realpath "$1"); root=$(realpath "$2"); ref_bin=$(realpath "$3")
skip() { echo "skipped: $*"; exit 77; }
for t in slurmctld slurmd sbatch srun scancel sinfo squeue; do
  command -v $t >/dev/null || skip "$t not installed (scripts/setup.sh --slurm installs Slurm)"
done
[[ $(id -u) -eq 0 ]] || skip "slurmd must run as root"

tmp=$(mktemp -d)
pids=()
cleanup() {
  scancel --quiet --full --user=root >/dev/null 2>&1
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
source "$root/tests/resume_lib.sh"
cfg=$root/configs/default.cfg
common=(-n 2000 -s 9 --set time.horizon_years=4.0 --set simulation.block_size=40
        --set output.checkpoint_s=0)
"$ref_bin" run "$cfg" "${common[@]}" --quiet -o "$tmp/ref.h5" >/dev/null || { echo "reference run failed"; exit 1; }

# --- the cluster: 4 CPUs declared on this node (config_overrides), so a
# 2 tasks x 2 cpus job fits even on a 2-core machine (oversubscribed) ---
host=$(hostname)
port=$((20000 + $$ % 20000))
mkdir -p "$tmp/state" "$tmp/spool"
cat >"$tmp/slurm.conf" <<EOF
ClusterName=hptest
SlurmctldHost=$host
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/none
CredType=cred/none
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
SlurmdParameters=config_overrides
ReturnToService=2
KillWait=30
NodeName=$host CPUs=4 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$tmp/slurm.conf
slurmctld -D -i >"$tmp/slurmctld.out" 2>&1 & pids+=($!)
slurmd -D >"$tmp/slurmd.out" 2>&1 & pids+=($!)
for ((i = 0; i < 100; i++)); do
  [[ $(sinfo -h -o %t 2>/dev/null) == idle ]] && break
  sleep 0.2
done
if [[ $(sinfo -h -o %t 2>/dev/null) != idle ]]; then
  tail -3 "$tmp/slurmctld.log" "$tmp/slurmd.log" 2>/dev/null
  skip "the local Slurm cluster did not come up (node state: $(sinfo -h -o %t 2>&1))"
fi
echo "slurm: $(sinfo -V) cluster up on $host, ports $port-$((port + 1))"

sbatch_args=(--nodes=1 --ntasks-per-node=2 --cpus-per-task=2 --time=10 --chdir="$tmp")
export HASHPIVOT=$mbin

# job_state JOBID: "STATE EXITCODE" once the job has ended (polls faster
# than sbatch --wait; the record stays MinJobAge = 300 s).
job_state() {
  local i info
  for ((i = 0; i < 1200; i++)); do
    info=$(scontrol -o show job "$1" 2>/dev/null)
    if [[ $info =~ JobState=([A-Z_]+) ]] && [[ ! ${BASH_REMATCH[1]} =~ ^(PENDING|CONFIGURING|RUNNING|COMPLETING)$ ]]; then
      [[ $info =~ ExitCode=([0-9:]+) ]]
      echo "${info##*JobState=}" | cut -d' ' -f1 | tr '\n' ' '
      echo "${BASH_REMATCH[1]}"
      return 0
    fi
    sleep 0.2
  done
  echo "TIMEOUT ?"
}

# job NAME [sbatch options] [-- run options]: submits the template for
# $tmp/NAME.h5 (NAME up to its first "_"); $jid.
job() {
  local name=$1 opts=() extra=(); shift
  while [[ $# -gt 0 && $1 != -- ]]; do opts+=("$1"); shift; done
  [[ $# -gt 0 ]] && { shift; extra=("$@"); }
  jid=$(sbatch --parsable "${sbatch_args[@]}" "${opts[@]}" --output="$tmp/$name.log" \
    "$root/scripts/slurm/hashpivot.sbatch" "$cfg" "$tmp/${name%%_*}.h5" "${common[@]}" "${extra[@]}")
}

# --- 1. a whole job ---
job one
state=$(job_state "$jid")
ok "job 1: $state" $([[ $state == "COMPLETED 0:0" ]]; echo $?)
[[ $state == "COMPLETED 0:0" ]] || cat "$tmp/one.log"
grep -q "^hashpivot: 2 ranks x 2 threads = 4 workers" "$tmp/one.log"
ok "job 1: log shows 2 ranks x 2 threads (cpus-per-task drives OMP_NUM_THREADS)" $?
same_results "$tmp/ref.h5" "$tmp/one.h5"
ok "job 1: results identical to the reference" $?

# --- 2. stopped by SIGTERM, then resumed by the same sbatch line ---
job two_a
ok "job 2 submitted" $?
for ((i = 0; i < 600 && $(blocks_done "$tmp/two.h5.partial") < 2; i++)); do sleep 0.05; done
scancel --signal=TERM "$jid"
state=$(job_state "$jid")
ok "job 2: ended non-zero by SIGTERM ($state)" $([[ $state == FAILED* ]]; echo $?)
ok "job 2: stopped with status incomplete, no final file" \
  $([[ $(status_of "$tmp/two.h5.partial") == incomplete && ! -e $tmp/two.h5 ]]; echo $?)
grep -q "interrupted after .*--resume" "$tmp/two_a.log"
ok "job 2: the log says how to resume" $?
job two_b --dependency=afterany:"$jid"
state=$(job_state "$jid")
ok "job 3 (afterany job 2): $state" $([[ $state == "COMPLETED 0:0" ]]; echo $?)
grep -q "resuming .*two.h5.partial" "$tmp/two_b.log"
ok "job 3: resumed the partial file" $?
same_results "$tmp/ref.h5" "$tmp/two.h5"
ok "job 2 + 3: results identical to the reference" $?
job two_c
state=$(job_state "$jid")
ok "job 4: a finished output of the same run is left alone ($state)" \
  $([[ $state == "COMPLETED 0:0" ]] && grep -q "is complete; nothing to do" "$tmp/two_c.log"; echo $?)
job two_d -- -s 10
state=$(job_state "$jid")
ok "job 5: a finished output of another run (seed 10) fails the job ($state)" \
  $([[ $state == FAILED* ]] && grep -q "complete but holds another run" "$tmp/two_d.log"; echo $?)
same_results "$tmp/ref.h5" "$tmp/two.h5"
ok "job 5: the finished output is untouched" $?

echo "$passed passed, $fails failed"
[[ $fails -eq 0 ]]
