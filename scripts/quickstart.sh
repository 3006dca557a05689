#!/usr/bin/env bash
# One command on a fresh machine: install dependencies, build (Release), run the conv cases of the default grid
# on whatever backend and power source this machine has. Extra arguments go to layer_bench.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)" --target layer_bench
exec ./build/layer_bench --benchmark_filter=Conv "$@"
