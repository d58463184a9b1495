#!/usr/bin/env bash
# Installs the Debian packages hashpivot needs, if any are missing.
# Idempotent: does nothing when all are present. Needs root to install;
# otherwise prints the apt-get line to run and exits non-zero.
#   scripts/setup.sh          packages for the serial build and the scripts
#   scripts/setup.sh --mpi    also OpenMPI and the parallel HDF5
#   scripts/setup.sh --slurm  also Slurm (slurmctld, slurmd), for the test
#                             that submits scripts/slurm/hashpivot.sbatch
set -euo pipefail

# zlib1g-dev: the writer compresses HDF5 chunks itself (HDF5's deflate
# filter, applied by the simulating threads; libhdf5-dev pulls it in too).
pkgs=(build-essential cmake pkg-config git
      libhdf5-dev hdf5-tools libconfig-dev libpcg-cpp-dev zlib1g-dev
      python3 python3-h5py python3-numpy python3-matplotlib python3-xarray python3-h5netcdf
      # the report's and compare's error bars: the binomial distribution of the
      # quantile intervals (scipy.special.bdtr)
      python3-scipy
      # clang and its runtime (libFuzzer, sanitizers) for scripts/fuzz.sh: the
      # config loader and the results readers fuzzed for a bounded time in CI
      clang libclang-rt-dev)
for arg in "$@"; do
  case $arg in
    --mpi) pkgs+=(libhdf5-openmpi-dev openmpi-bin) ;;
    --slurm) pkgs+=(slurmctld slurmd slurm-client) ;;
    *) echo "setup: unknown option $arg" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "setup: missing Debian packages: ${missing[*]}" >&2
  echo "setup: run as root:  apt-get update && $cmd" >&2
  exit 1
fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
