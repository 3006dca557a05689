#!/usr/bin/env bash
# Installs the build and test dependencies of layer-energy from the distribution's packages, and says which ones
# this release lacks or has too old: for those CMake fetches a pinned release (LAYER_ENERGY_FETCH=ON, the default)
# or, with OFF, stops naming the fix. Idempotent; Debian 11/12 and Ubuntu 20.04-24.04. Never installs CUDA or
# drivers. Exit 1 only when the build cannot start at all (no CMake >= 3.18, no root and no sudo).
# LAYER_ENERGY_OPTIONAL_DEPS=OFF leaves out the optional packages below (CI jobs that build without them).
set -euo pipefail

# package[:minimum]. The minimums are cmake/Dependencies.cmake's; a release whose package is older is not given it
# (CMake would not take it).
packages=(
  build-essential git cmake:3.18
  libbenchmark-dev:1.5.0 libgtest-dev:1.10 libgmock-dev:1.10
  libeigen3-dev:3.3 libfmt-dev:7.1 nlohmann-json3-dev:3.9.1 libcli11-dev:2.1
  python3-matplotlib python3-numpy
)
# What CMake calls each library, for the message about one this release lacks.
declare -A cmake_name=([libbenchmark-dev]=benchmark [libgtest-dev]=GTest [libgmock-dev]=GTest [libeigen3-dev]=Eigen3
  [libfmt-dev]=fmt [nlohmann-json3-dev]=nlohmann_json [libcli11-dev]=CLI11)

# Optional: installed where the release's archive has it. libdnnl-dev: oneDNN, the CPU backend's conv/FC
# (LAYER_ENERGY_ONEDNN=AUTO finds it; without it the backend uses Eigen). libonnx-dev with libprotobuf-dev (which
# Debian's libonnx-dev needs but does not depend on): the ONNX import, --onnx=FILE (LAYER_ENERGY_ONNX=AUTO);
# python3-onnx: scripts/make-test-onnx.py, which writes its test fixtures.
optional=(libdnnl-dev libonnx-dev libprotobuf-dev python3-onnx)
[ "${LAYER_ENERGY_OPTIONAL_DEPS:-ON}" = OFF ] && optional=()

say() { echo "install-deps: $*" >&2; }
arch=$(dpkg --print-architecture)
# This machine's instance only (a cross build may have added another architecture's).
installed_version() {
  { dpkg-query -W -f='${Status} ${Version} ${Architecture}\n' "$1" 2>/dev/null || true; } |
    awk -v arch="$arch" '$3 == "installed" && ($5 == arch || $5 == "all") && !found {print $4; found = 1}'
}
# The version apt would install; empty when the package lists do not know the package.
candidate_version() {
  { LC_ALL=C apt-cache policy "$1" 2>/dev/null || true; } | awk '/Candidate:/ && $2 != "(none)" {print $2}'
}
at_least() { [ -z "$2" ] || dpkg --compare-versions "$1" ge "$2"; }
lists_present() { compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; }
cmake_on_path_ok() {
  local v
  v=$(cmake --version 2>/dev/null | awk 'NR == 1 {print $3}') || true
  [ -n "$v" ] && dpkg --compare-versions "$v" ge 3.18
}

fatal=0
notes=()  # said at the end, once
# One line for a package this release lacks (`what`: "is not in this release's archive", "is 6.1.2", ...).
lacking() {
  local p=$1 min=$2 what=$3
  if [ "$p" = cmake ]; then
    notes+=("cmake $what; CMake >= 3.18 is needed: python3 -m pip install --user 'cmake>=3.18,<4' (docs/running.md)")
    fatal=1
  elif [ -n "${cmake_name[$p]:-}" ] && [ "${LAYER_ENERGY_FETCH:-ON}" != OFF ]; then
    notes+=("$p $what: CMake fetches a pinned ${cmake_name[$p]} release (LAYER_ENERGY_FETCH=ON)")
  elif [ -n "${cmake_name[$p]:-}" ]; then
    local fix="install ${cmake_name[$p]} >= $min yourself, or use LAYER_ENERGY_FETCH=ON"
    notes+=("$p $what: with LAYER_ENERGY_FETCH=OFF $fix")
  else
    notes+=("$p $what")
  fi
}

# Packages not installed yet; one installed too old is reported and left alone (CMake fetches instead).
missing=()
old=()
for entry in "${packages[@]}"; do
  p=${entry%%:*} min=
  [ "$p" != "$entry" ] && min=${entry#*:}
  [ "$p" = cmake ] && cmake_on_path_ok && continue
  v=$(installed_version "$p")
  if [ -z "$v" ]; then
    missing+=("$entry")
  elif ! at_least "$v" "$min"; then
    old+=("$p:$min:$v")
  fi
done
for p in "${optional[@]}"; do
  [ -n "$(installed_version "$p")" ] || missing+=("$p")
done

# Of `missing`, the packages the lists offer at their minimum go to `installable`; the rest are reported, or kept in
# `unknown` while there are no package lists yet. With lists present a package they lack is not worth an apt-get
# update on every run.
installable=()
unknown=()
sort_missing() {
  local fresh=$1 entry p min v
  installable=() unknown=() notes=() fatal=0
  for entry in "${old[@]}"; do
    IFS=: read -r p min v <<<"$entry"
    lacking "$p" "$min" "is $v, older than $min"
  done
  for entry in "${missing[@]}"; do
    p=${entry%%:*} min=
    [ "$p" != "$entry" ] && min=${entry#*:}
    v=$(candidate_version "$p")
    if [ -n "$v" ] && at_least "$v" "$min"; then
      installable+=("$p")
    elif [ -z "$fresh" ] && ! lists_present; then
      unknown+=("$entry")
    elif [ -n "$v" ]; then
      lacking "$p" "$min" "is $v here, older than $min"
    elif [[ " ${optional[*]} " == *" $p "* ]]; then
      notes+=("$p not in this release's archive (optional)")
    else
      lacking "$p" "$min" "is not in this release's archive"
    fi
  done
}
sort_missing ""

sudo=""
if [ $((${#installable[@]} + ${#unknown[@]})) -gt 0 ] && [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || {
    say "not root and no sudo; install: ${installable[*]} ${unknown[*]}"
    exit 1
  }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
if [ $((${#installable[@]} + ${#unknown[@]})) -gt 0 ]; then
  $sudo apt-get update -qq
  sort_missing fresh
fi
if [ ${#installable[@]} -gt 0 ]; then
  say "installing ${installable[*]}"
  $sudo apt-get install -y -qq --no-install-recommends "${installable[@]}"
elif [ ${#missing[@]} -eq 0 ] && [ ${#old[@]} -eq 0 ]; then
  say "all packages present"
fi

# A libgtest-dev with its sources only (no library to link) is as good as none to CMake.
for p in libgtest-dev libgmock-dev; do
  lib=${p%-dev}
  if [ -n "$(installed_version "$p")" ] && ! dpkg -L "$p:$arch" 2>/dev/null | grep -E "/$lib\.(a|so)\$" >/dev/null; then
    lacking "$p" 1.10 "ships only the sources (/usr/src/googletest)"
  fi
done
for note in "${notes[@]}"; do say "$note"; done
exit $fatal
