#!/usr/bin/env bash
# Sets up a fresh machine and runs every test: the README's second command, and what CI runs.
# Tests build in release mode: they train real networks on Fashion-MNIST, and the numerical
# kernels are what they check, so they run the code as users run it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export SWIFT_BACKTRACE=enable=no OPENBLAS_NUM_THREADS=1
swift build --build-tests -c release -Xswiftc -enable-testing
swift test --skip-build -c release -Xswiftc -enable-testing
# Python side: sweep files written by the Swift binaries, read back with h5py and pandas.
TPSWEEP_BIN_DIR="$(swift build -c release --show-bin-path)" \
TPSWEEP_STORE_FIXTURE="$(swift build -c release --show-bin-path)/store-fixture" \
  python3 -m pytest tests/python -q
