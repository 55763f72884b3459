#!/usr/bin/env bash
# Coordinator throughput with near-empty trials at 4 ranks (rank 0 coordinates, 3 train):
# jobs/bench-overhead.yaml (5000 trials that train almost nothing) run REPEATS times; prints each
# run's trials/s as the sweep measured it, the median, and the machine's load average.
# Usage: benchmarks/coordinator_overhead.sh [REPEATS (default 5)] [RANKS (default 4)]
set -euo pipefail
# shellcheck source=benchmarks/sweep_run_common.sh
source "$(dirname "$0")/sweep_run_common.sh"
repeats="${1:-5}" ranks="${2:-4}"
spec="$ROOT/jobs/bench-overhead.yaml"
before="$(load)"
rates=()
for r in $(seq 1 "$repeats"); do
  rate="$(run_sweep "$ranks" "$spec" "overhead-$r")"
  echo "run $r: $rate trials/s"
  rates+=("$rate")
done
echo "coordinator throughput, $ranks ranks, $(grep -m1 '^seeds:' "$spec" | awk '{print $2}') near-empty trials per run, median of $repeats: $(median "${rates[@]}") trials/s (goal >= 1000)"
echo "load average before: $before, after: $(load) ($(nproc) cores)"
