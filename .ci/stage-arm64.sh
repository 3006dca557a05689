#!/usr/bin/env bash
# CI stage: cross-compiles for aarch64 (the Jetson boards' CPU) with Debian's cross toolchain and arm64 multiarch
# packages (CUDA, oneDNN and ONNX off; warnings as errors), links layer_bench and the analysis tools, and runs the
# fast tests under qemu-user. Standalone, from the repository root: bash .ci/stage-arm64.sh
# Environment: BUILD_DIR (default build-arm64), JOBS (default nproc).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build-arm64}
jobs=${JOBS:-$(nproc)}

# Not built here, minutes emulated (the native stages of .ci/run cover them): the tests that run the CPU backend's
# kernels, in process or through layer_bench, and test_analysis_model (three fits of the model grid, pinned accuracy
# figures). Every other tests/**/test_*.cpp is built and run under qemu: power/, layers/, reporters/ and analysis/
# (the tools, layer_bench --list_power and energy_simulate are started through the emulator:
# tests/support/run_command.hpp).
native_only_tests=(
  test_cpu_backend test_cpu_tensor_ops test_cpu_impl_flag test_case_run test_harness_gbench
  test_layer_bench_e2e test_layer_bench_memory test_trace_roundtrip test_analysis_model
)
# Only defined where the CUDA backend is built (not in this cross build): it tests the backend's internals.
cuda_only_tests=(test_cuda_lt_matmul)
# Left out by name: the whole fit twice, at 1 and 3 threads, takes a minute emulated, and qemu on an x86 host keeps
# x86's memory ordering, so it could not show an aarch64 ordering bug anyway (the native sanitizer stages cover it).
slow_emulated='^FitThreads\.TheModelDoesNotDependOnTheThreadCount$'
tools=(layer_bench energy_fit energy_predict energy_compare energy_simulate)

start=$(date +%s)
last=$start
step() {
  local now
  now=$(date +%s)
  echo "stage-arm64: $1: $((now - last)) s (total $((now - start)) s)"
  last=$now
}
# Runs a command with its output in LOG, shown (the last 100 lines) only when it fails.
quiet() {
  local log=$1
  shift
  local rc=0
  "$@" >"$log" 2>&1 || rc=$?
  if [ $rc -ne 0 ]; then
    tail -n 100 "$log" >&2
    echo "stage-arm64: failed (exit $rc), full output in $log" >&2
    exit $rc
  fi
}

qemu_tests=()
while IFS= read -r source; do
  name=$(basename "$source" .cpp)
  [[ " ${native_only_tests[*]} ${cuda_only_tests[*]} " == *" $name "* ]] || qemu_tests+=("$name")
done < <(find tests -name 'test_*.cpp' -not -path 'tests/fixtures/*' | sort)

# The cross toolchain, the emulator and the arm64 builds of the compiled dependencies; Eigen, nlohmann_json and
# CLI11 are header-only and arch-independent, so the host's packages serve.
host_packages=(crossbuild-essential-arm64 cmake ninja-build libeigen3-dev nlohmann-json3-dev libcli11-dev)
arm64_packages=(libbenchmark-dev:arm64 libgtest-dev:arm64 libgmock-dev:arm64 libfmt-dev:arm64)
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=()
installed qemu-user || installed qemu-user-static || missing+=(qemu-user)
for p in "${host_packages[@]}" "${arm64_packages[@]}"; do
  installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "stage-arm64: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    $sudo dpkg --add-architecture arm64
  fi
  $sudo apt-get update -qq
  echo "stage-arm64: installing ${missing[*]}" >&2
  quiet /tmp/stage-arm64-apt.log $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
step "packages"

# Ninja: a Makefile build of several --target goals runs them one after another (.NOTPARALLEL), a core idle.
# LAYER_ENERGY_CPU_NATIVE=OFF: -march=native means the build machine, not the board. -O1: a third less compile time
# than -O3, to keep .ci/run under 30 minutes (the -O3 build is the host's Release stage).
mkdir -p "$build_dir"
quiet "$build_dir/stage-configure.log" cmake -S . -B "$build_dir" -G Ninja \
  -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG" \
  -DLAYER_ENERGY_FETCH=OFF -DLAYER_ENERGY_WERROR=ON -DLAYER_ENERGY_CUDA=OFF -DLAYER_ENERGY_ONEDNN=OFF \
  -DLAYER_ENERGY_ONNX=OFF -DLAYER_ENERGY_CPU_NATIVE=OFF
step "configure (aarch64, warnings as errors)"

quiet "$build_dir/stage-build.log" cmake --build "$build_dir" -j "$jobs" --target "${tools[@]}" "${qemu_tests[@]}"
step "build ${#tools[@]} tools and ${#qemu_tests[@]} test executables"

# The executables not built register as <name>_NOT_BUILT without a label, so the label filter leaves them out.
echo "stage-arm64: not built, CPU backend kernels (native stages only): ${native_only_tests[*]}"
echo "stage-arm64: not run, slow emulated: $slow_emulated"
ctest --test-dir "$build_dir" --output-on-failure --no-tests=error -j "$jobs" -L '^(unit|sampler|gpu)$' \
  -E "$slow_emulated"
step "tests under qemu-aarch64"
