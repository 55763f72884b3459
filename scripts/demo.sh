#!/usr/bin/env bash
# Sets up a fresh machine, builds in release mode and runs the demo sweep under MPI: the README's
# first command. Six learning rules on Fashion-MNIST, a few minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release
out=results/demo
# Open MPI refuses root unless told; these machines run everything as root.
if [ "$(id -u)" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
export OMPI_MCA_pml=ob1
# Rank 0 coordinates and mostly sleeps; ranks 1 and 2 train, one per core.
mpirun -np 3 --oversubscribe .build/release/tpsweep run jobs/demo.yaml --out "$out" --progress-interval 10
.build/release/tpsweep report "$out"
echo "results: $out/sweep.h5 (summary table, links to every trial) and $out/trials/*.h5 — layout in docs/hdf5-layout.md"
