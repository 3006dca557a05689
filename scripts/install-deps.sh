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

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present" >&2
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
