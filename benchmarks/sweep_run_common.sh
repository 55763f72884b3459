# shellcheck shell=bash
# Shared by the sweep benchmarks (coordinator_overhead.sh, parallel_efficiency.sh); sourced, not run.
# Builds tpsweep if needed, sets up mpirun as the tests run it (docs: toolchain.md), and runs one
# sweep into a fresh folder, printing the throughput the sweep itself measured: trials stored per
# second from the first trial handed out to the last one on disk, so MPI start-up and planning
# are left out.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TPSWEEP="${TPSWEEP_BIN:-$ROOT/.build/release/tpsweep}"
if [ -z "${TPSWEEP_BIN:-}" ]; then
  (cd "$ROOT" && swift build -c release --product tpsweep >/dev/null) || { echo "build failed" >&2; exit 2; }
fi
command -v mpirun >/dev/null || { echo "mpirun not found: run scripts/setup.sh" >&2; exit 2; }

export OMPI_MCA_pml=ob1 OMPI_MCA_ess_singleton_isolated=1 SWIFT_BACKTRACE=enable=no OPENBLAS_NUM_THREADS=1
if [ "$(id -u)" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi

# Every run writes below one scratch folder, removed only at the end: deleting thousands of files
# between runs would slow the next run's file creation (ext4 skips recently freed inodes).
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/tpsweep-bench.XXXXXX")"
trap 'rm -rf "$SCRATCH"' EXIT

# run_sweep NP SPEC NAME: runs SPEC under `mpirun -np NP` into $SCRATCH/NAME; prints trials/s.
run_sweep() {
  local np="$1" spec="$2" out="$SCRATCH/$3" log
  log="$(mpirun -np "$np" --oversubscribe "$TPSWEEP" run "$spec" --out "$out" --progress-interval 0 2>&1)" || {
    echo "$log" >&2; echo "tpsweep run failed (np $np)" >&2; exit 1; }
  echo "$log" | sed -n 's/.*stored [0-9]* trials in [0-9.]* s: \([0-9.]*\) trials\/s.*/\1/p' | tail -1
}

# median V1 V2 …
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }

load() { cut -d' ' -f1-3 /proc/loadavg; }
