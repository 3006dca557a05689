#!/usr/bin/env bash
# A short check on a CUDA machine: build (Release, no fetching), GPU tests, --list_power, the quick grid with the
# machine's power source, and the PyTorch comparison. Writes everything under OUT (default ./gpu-smoke).
#   scripts/gpu-smoke.sh [OUT]
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:-${OUT:-gpu-smoke}}
mkdir -p "$out"
jobs=$(nproc)
{
  nvidia-smi --query-gpu=name,driver_version,pci.bus_id --format=csv || true
  cmake -S . -B build-gpu -DCMAKE_BUILD_TYPE=Release -DLAYER_ENERGY_FETCH=OFF -DLAYER_ENERGY_CUDA=ON \
    -DLAYER_ENERGY_ANALYSIS=OFF
  cmake --build build-gpu -j "$jobs" --target layer_bench test_gpu_backend test_nvml_source test_device_state
} > "$out/build.log" 2>&1 || { echo "build failed: see $out/build.log"; tail -40 "$out/build.log"; exit 1; }
./build-gpu/tests/test_gpu_backend > "$out/gpu_tests.txt" 2>&1
echo "gpu tests: exit $?"; grep -E "PASSED|FAILED|SKIPPED" "$out/gpu_tests.txt" | head -20
./build-gpu/tests/test_nvml_source > "$out/nvml_tests.txt" 2>&1; echo "nvml tests: exit $?"
./build-gpu/layer_bench --list_power > "$out/list_power.txt" 2>&1; cat "$out/list_power.txt"
timeout "${QUICK_TIMEOUT:-240}" ./build-gpu/layer_bench --grid=quick --energy_rel_err="${REL_ERR:-0.05}" --idle_s=3 \
  --benchmark_out="$out/quick.json" > "$out/quick.txt" 2>&1
echo "quick grid: exit $?"; tail -45 "$out/quick.txt"
if python3 -c "import torch" 2>/dev/null; then
  timeout 120 python3 scripts/compare-pytorch.py "$out/quick.json" > "$out/pytorch.md" 2>&1
  echo "pytorch comparison: exit $?"; tail -45 "$out/pytorch.md"
fi
