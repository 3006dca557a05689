#!/usr/bin/env bash
# Builds and runs power_bench: the cost of one poll per power source, of one window integration, and the sampler's
# CPU use at its default poll rate (cpu_fraction; target < 0.01 of one core). Results go to standard output.
#   scripts/power-bench.sh                          Release build in build/, every case
#   scripts/power-bench.sh --benchmark_filter=Poll  extra arguments go to power_bench
# Environment: BUILD_DIR (default build), LAYER_ENERGY_FETCH (ON|OFF, default ON), LAYER_ENERGY_FIXTURES (fixture
# root, default the source tree's tests/fixtures), LAYER_ENERGY_SAMPLER_S (seconds per sampler case, default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" \
  -DLAYER_ENERGY_FETCH="${LAYER_ENERGY_FETCH:-ON}" >&2
cmake --build "$build_dir" -j "${JOBS:-$(nproc)}" --target power_bench >&2
# Bare seconds: Google Benchmark 1.7 rejects "0.2s", 1.8 accepts both.
exec "$build_dir/power_bench" --benchmark_min_time=0.2 "$@"
