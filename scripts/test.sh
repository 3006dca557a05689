#!/usr/bin/env bash
# Configures, builds and runs the tests. The README's test command; .ci/run calls it too.
#   scripts/test.sh                      Release build in build/, every test
#   BUILD_DIR=d CMAKE_ARGS="..." BUILD_TARGETS="test_sampler" CTEST_ARGS="-L sampler" scripts/test.sh
# Environment: LAYER_ENERGY_FETCH (ON|OFF, default ON), LAYER_ENERGY_WERROR (ON|OFF, default OFF).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
jobs=${JOBS:-$(nproc)}
# shellcheck disable=SC2086
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" \
  -DLAYER_ENERGY_FETCH="${LAYER_ENERGY_FETCH:-ON}" -DLAYER_ENERGY_WERROR="${LAYER_ENERGY_WERROR:-OFF}" \
  ${CMAKE_ARGS:-}
# shellcheck disable=SC2086
cmake --build "$build_dir" -j "$jobs" ${BUILD_TARGETS:+--target $BUILD_TARGETS}
# From the build folder: ctest --test-dir is CMake 3.20+, and the suite supports 3.18.
# shellcheck disable=SC2086
(cd "$build_dir" && ctest --output-on-failure -j "$jobs" ${CTEST_ARGS:-})
