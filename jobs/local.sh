#!/usr/bin/env bash
# Runs a sweep on this machine under mpirun: rank 0 coordinates, the other ranks train.
#
#   jobs/local.sh SPEC OUT [RANKS]
#   TPSWEEP_SPEC=jobs/demo.yaml TPSWEEP_OUT=results/demo TPSWEEP_RANKS=3 jobs/local.sh
#
# RANKS defaults to the number of cores + 1 (rank 0 mostly sleeps). Resume: run the same command
# again; stored trials are kept and the rest run (tpsweep run resumes when pointed at the same OUT).
# Environment: TPSWEEP_BIN (the tpsweep binary; default `tpsweep` on PATH, else this checkout's
# .build/release/tpsweep), TPSWEEP_ARGS (more `tpsweep run` options, e.g. "--max-retries 2"),
# MPIRUN (default mpirun).
set -euo pipefail

spec=${1:-${TPSWEEP_SPEC:-}}
out=${2:-${TPSWEEP_OUT:-}}
ranks=${3:-${TPSWEEP_RANKS:-$(($(nproc) + 1))}}
if [ -z "$spec" ] || [ -z "$out" ]; then
  echo "usage: $0 SPEC OUT [RANKS]   (or TPSWEEP_SPEC, TPSWEEP_OUT, TPSWEEP_RANKS)" >&2
  exit 2
fi
[ -f "$spec" ] || { echo "$0: no spec file $spec" >&2; exit 2; }

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${TPSWEEP_BIN:-$(command -v tpsweep || echo "$repo/.build/release/tpsweep")}
[ -x "$bin" ] || { echo "$0: no tpsweep binary at $bin (swift build -c release, or set TPSWEEP_BIN)" >&2; exit 2; }

# One BLAS thread per rank: a training step is GEMM-bound and the ranks already fill the cores.
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
# Open MPI refuses root unless told; containers and CI machines often run as root.
if [ "$(id -u)" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
# The shared-memory/TCP transport: fast start-up on one machine (override by setting it).
export OMPI_MCA_pml=${OMPI_MCA_pml:-ob1}

# Forward what the ranks need (mpirun copies the whole environment locally, but not on hosts
# added through a hostfile).
forward=()
for v in OPENBLAS_NUM_THREADS OMP_NUM_THREADS MKL_NUM_THREADS PATH LD_LIBRARY_PATH SWIFT_BACKTRACE; do
  [ -n "${!v:-}" ] && forward+=(-x "$v")
done

mkdir -p "$out"
read -r -a extra <<< "${TPSWEEP_ARGS:-}"
echo "local.sh: $ranks ranks, spec $spec, results in $out (rerun the same command to resume)"
"${MPIRUN:-mpirun}" -np "$ranks" --oversubscribe "${forward[@]}" \
  "$bin" run "$spec" --out "$out" --blas-threads 1 "${extra[@]}"
