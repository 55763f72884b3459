#!/usr/bin/env bash
# A sweep as one PBS (PBS Pro / OpenPBS / Torque) job: one MPI rank per slot of the allocation,
# rank 0 coordinates, the others train.
#
#   qsub -v TPSWEEP_SPEC=jobs/m20-fashion-mnist.yaml,TPSWEEP_OUT=results/m20 jobs/pbs.sh
#   qsub -l select=8:ncpus=32:mpiprocs=32 -v TPSWEEP_SPEC=...,TPSWEEP_OUT=... jobs/pbs.sh
#
# (qsub passes no arguments to a script: spec and output folder come through -v; run directly,
# `jobs/pbs.sh SPEC OUT` works too.) Options on the qsub command line override the #PBS lines.
# Resume: submit the same command again; tpsweep run keeps every trial stored in OUT and runs the
# rest. The job is rerunnable (-r y), so a node failure requeues it and it resumes the same way.
#
# Environment: TPSWEEP_BIN (default: `tpsweep` on PATH, else .build/release/tpsweep under the
# submission directory), TPSWEEP_ARGS (more `tpsweep run` options), MPIRUN (default mpirun).
#
#PBS -N tpsweep
#PBS -l select=2:ncpus=32:mpiprocs=32
#PBS -l walltime=24:00:00
#PBS -j oe
#PBS -r y
set -euo pipefail

# PBS starts the job in the home folder: paths are relative to where qsub ran.
cd "${PBS_O_WORKDIR:-.}"
spec=${1:-${TPSWEEP_SPEC:-}}
out=${2:-${TPSWEEP_OUT:-}}
if [ -z "$spec" ] || [ -z "$out" ]; then
  echo "usage: qsub -v TPSWEEP_SPEC=SPEC,TPSWEEP_OUT=OUT jobs/pbs.sh" >&2
  exit 2
fi
[ -f "$spec" ] || { echo "pbs.sh: no spec file $spec (relative to $PWD)" >&2; exit 2; }
bin=${TPSWEEP_BIN:-$(command -v tpsweep || echo "$PWD/.build/release/tpsweep")}
[ -x "$bin" ] || { echo "pbs.sh: no tpsweep binary at $bin (set TPSWEEP_BIN)" >&2; exit 2; }
nodefile=${PBS_NODEFILE:?not inside a PBS job (submit with qsub)}
ranks=$(wc -l < "$nodefile")   # one line per MPI slot (mpiprocs)

# One BLAS thread per rank: a training step is GEMM-bound and the ranks already fill the cores.
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}
# Ranks on other nodes start from a fresh shell: forward what they need.
forward=()
for v in OPENBLAS_NUM_THREADS OMP_NUM_THREADS MKL_NUM_THREADS SWIFT_BACKTRACE PATH LD_LIBRARY_PATH; do
  [ -n "${!v:-}" ] && forward+=(-x "$v")
done

mkdir -p "$out"
read -r -a extra <<< "${TPSWEEP_ARGS:-}"
echo "pbs.sh: job ${PBS_JOBID:-?}, $ranks ranks, spec $spec, results in $out"
"${MPIRUN:-mpirun}" -np "$ranks" --hostfile "$nodefile" "${forward[@]}" \
  "$bin" run "$spec" --out "$out" --blas-threads 1 "${extra[@]}"
