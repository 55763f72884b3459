#!/usr/bin/env bash
# Sets up a fresh machine, builds in release mode and runs the demo: the README's first command.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release
mkdir -p results
./.build/release/tpsweep train --config jobs/demo-train.yaml --json results/demo-train.json
echo "result: results/demo-train.json"
