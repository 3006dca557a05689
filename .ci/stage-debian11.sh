#!/usr/bin/env bash
# CI stage: the README's commands on the oldest userland the suite supports, in a Debian 11 (bullseye) chroot: GCC
# 10.2, CMake 3.18.4, Google Benchmark 1.5.2, GTest 1.10, Eigen 3.3.9, fmt 7.1.3, nlohmann_json 3.9.1 (CUDA, oneDNN
# and ONNX off). Debian 11's own packages come from scripts/install-deps.sh run inside it, as on a user's machine;
# CLI11, which Debian 11 lacks, from bookworm's cli11 source package on the same mirror, built through the CMake
# fetch path (FETCHCONTENT_SOURCE_DIR_CLI11, nothing downloaded from elsewhere). Then scripts/test.sh, every test
# but the gpu label.
#   .ci/stage-debian11.sh        from the repository root, as root. Idempotent: the chroot is kept (.ci-cache/) and
#                                reused; mounts are undone on exit.
# Environment: DEBIAN11_ROOT (the chroot, default .ci-cache/debian11), DEBIAN_MIRROR (default deb.debian.org).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
root=${DEBIAN11_ROOT:-$repo/.ci-cache/debian11}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
cli11_source=cli11=2.1.2+ds-1  # bookworm's; Debian 11 has no CLI11 package
start=$(date +%s)
step() { echo "=== debian 11: $1 ($(($(date +%s) - start)) s)"; }

[ "$(id -u)" -eq 0 ] || { echo "stage-debian11: needs root (debootstrap, mount, chroot)" >&2; exit 1; }

# Everything mounted under the chroot, deepest first.
mounts_under_root() { awk -v r="$root/" 'index($2 "/", r) == 1 {print $2}' /proc/mounts | sort -r; }
unmount_all() {
  local m
  for m in $(mounts_under_root); do umount "$m" 2>/dev/null || umount -l "$m"; done
}
trap unmount_all EXIT
unmount_all  # left by a run that was killed

step "host tools (debootstrap)"
if ! command -v debootstrap >/dev/null; then
  apt-get install -y -qq debootstrap >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq debootstrap; }
fi

# The chroot is reused only when it was finished for this suite and mirror.
stamp="bullseye minbase $mirror"
if [ "$(cat "$root/.layer-energy-chroot" 2>/dev/null)" != "$stamp" ]; then
  step "chroot: debootstrap --variant=minbase bullseye"
  [ -z "$(mounts_under_root)" ] || { echo "stage-debian11: still mounted under $root" >&2; exit 1; }
  rm -rf --one-file-system "$root"
  mkdir -p "$root"
  debootstrap --variant=minbase bullseye "$root" "$mirror" >"$root.debootstrap.log" 2>&1 || {
    tail -20 "$root.debootstrap.log" >&2
    exit 1
  }
  # A throwaway system: no fsync per file, no translations.
  echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/unsafe-io"
  echo 'Acquire::Languages "none";' >"$root/etc/apt/apt.conf.d/90-no-languages"
  echo "deb-src $mirror bookworm main" >"$root/etc/apt/sources.list.d/bookworm-src.list"
  echo "$stamp" >"$root/.layer-energy-chroot"
fi

mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
mount -t sysfs -o ro sysfs "$root/sys"
mkdir -p "$root/src"
mount --bind "$repo" "$root/src"
mount -o remount,bind,ro "$root/src"  # the stage leaves the work tree as it was
in_chroot() {
  chroot "$root" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    "$@"
}

step "dependencies: scripts/install-deps.sh in the chroot"
in_chroot env LAYER_ENERGY_OPTIONAL_DEPS=OFF bash /src/scripts/install-deps.sh

shopt -s nullglob
cli11_dirs=("$root"/opt/cli11/CLI11-*)
if [ ${#cli11_dirs[@]} -eq 0 ]; then
  step "CLI11: apt-get source $cli11_source (bookworm)"
  mkdir -p "$root/opt/cli11"
  in_chroot apt-get update -qq
  in_chroot sh -c "cd /opt/cli11 && apt-get source -qq --download-only -o APT::Sandbox::User=root $cli11_source"
  tar -xf "$root"/opt/cli11/cli11_*.orig.tar.* -C "$root/opt/cli11"
  cli11_dirs=("$root"/opt/cli11/CLI11-*)
fi
cli11_dir=${cli11_dirs[0]}

# -O1: a third less compile time than -O3 (9.8 s against 13.8 s for four heavy translation units), to keep .ci/run
# under 30 minutes; what this stage checks is the old toolchain's headers, APIs and warnings, and the -O3 build is the
# host's Release stage.
step "build and test: scripts/test.sh (-O1; CUDA, oneDNN, ONNX off; ctest -LE gpu)"
in_chroot env BUILD_DIR=/build JOBS="$(nproc)" LAYER_ENERGY_FETCH=ON LAYER_ENERGY_WERROR=ON CTEST_ARGS="-LE gpu" \
  CMAKE_ARGS="-DLAYER_ENERGY_CUDA=OFF -DLAYER_ENERGY_ONEDNN=OFF -DLAYER_ENERGY_ONNX=OFF \
-DFETCHCONTENT_FULLY_DISCONNECTED=ON -DFETCHCONTENT_SOURCE_DIR_CLI11=${cli11_dir#"$root"} \
-DCMAKE_CXX_FLAGS_RELEASE=-O1 -DCMAKE_CXX_FLAGS=-DNDEBUG" \
  bash /src/scripts/test.sh

step "done"
