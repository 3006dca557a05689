#!/usr/bin/env bash
# Installs the build and test dependencies of layer-energy from the distribution's packages.
# Idempotent; Debian 12 and Ubuntu 20.04-24.04. Never installs CUDA or drivers.
set -euo pipefail

packages=(
  build-essential cmake git
  libbenchmark-dev libgtest-dev
  libeigen3-dev libfmt-dev nlohmann-json3-dev libcli11-dev
  python3-matplotlib python3-numpy
)

# Optional: installed where the release's archive has it. libdnnl-dev: oneDNN, the CPU backend's conv/FC
# (LAYER_ENERGY_ONEDNN=AUTO finds it; without it the backend uses Eigen). libonnx-dev with libprotobuf-dev (which
# Debian's libonnx-dev needs but does not depend on): the ONNX import, --onnx=FILE (LAYER_ENERGY_ONNX=AUTO);
# python3-onnx: scripts/make-test-onnx.py, which writes its test fixtures.
optional=(libdnnl-dev libonnx-dev libprotobuf-dev python3-onnx)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=()
for p in "${packages[@]}"; do
  installed "$p" || missing+=("$p")
done
wanted=()
for p in "${optional[@]}"; do
  installed "$p" || wanted+=("$p")
done
# With package lists present, an optional package they do not know is not asked for (no apt-get update each run).
if apt-cache show cmake >/dev/null 2>&1; then
  known=()
  for p in "${wanted[@]}"; do
    if apt-cache show "$p" >/dev/null 2>&1; then known+=("$p"); else echo "install-deps: $p not in this release's archive (optional)" >&2; fi
  done
  wanted=("${known[@]}")
fi
if [ ${#missing[@]} -eq 0 ] && [ ${#wanted[@]} -eq 0 ]; then
  echo "install-deps: all packages present" >&2
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
for p in "${wanted[@]}"; do
  if apt-cache show "$p" >/dev/null 2>&1; then missing+=("$p"); else echo "install-deps: $p not in this release's archive (optional)" >&2; fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${missing[*]}" >&2
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
