#!/usr/bin/env bash
# Parallel efficiency on real short trials: jobs/bench-parallel.yaml with 1 worker (mpirun -np 2)
# and 2 workers (-np 3), alternating, REPEATS times each; efficiency = median throughput with 2
# workers / (2 × median throughput with 1). Throughputs are the sweep's own (first trial handed
# out to last trial on disk). Another process using part of a core slows the 2-worker runs only
# (the 1-worker runs have a core to spare), so read the figures with the load average printed.
# Usage: benchmarks/parallel_efficiency.sh [REPEATS (default 5)]
set -euo pipefail
# shellcheck source=benchmarks/sweep_run_common.sh
source "$(dirname "$0")/sweep_run_common.sh"
repeats="${1:-5}"
spec="$ROOT/jobs/bench-parallel.yaml"
before="$(load)"
one=() two=()
for r in $(seq 1 "$repeats"); do
  a="$(run_sweep 2 "$spec" "one-$r")"
  b="$(run_sweep 3 "$spec" "two-$r")"
  awk -v r="$r" -v a="$a" -v b="$b" \
    'BEGIN {printf "repeat %d: 1 worker %s trials/s, 2 workers %s trials/s, efficiency %.1f %%\n", r, a, b, 100 * b / (2 * a)}'
  one+=("$a") two+=("$b")
done
m1="$(median "${one[@]}")" m2="$(median "${two[@]}")"
echo "median of $repeats: 1 worker $m1 trials/s, 2 workers $m2 trials/s"
awk -v a="$m1" -v b="$m2" 'BEGIN {printf "parallel efficiency (2 workers vs 1): %.1f %% (goal >= 90 %%)\n", 100 * b / (2 * a)}'
echo "load average before: $before, after: $(load) ($(nproc) cores)"
