# Cross compiling for aarch64 Linux, the Jetson boards' CPU, on a Debian/Ubuntu x86_64 host: the cross toolchain
# (crossbuild-essential-arm64), the dependencies as arm64 multiarch packages (libbenchmark-dev:arm64, ...), and the
# binaries run through qemu-user. .ci/stage-arm64.sh is the worked example.
#   cmake -S . -B build-arm64 -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake \
#         -DLAYER_ENERGY_CUDA=OFF -DLAYER_ENERGY_CPU_NATIVE=OFF
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# The cross toolchain's own C and C++ runtime live under /usr/aarch64-linux-gnu; the multiarch packages put their
# libraries and CMake package files under /usr/lib/aarch64-linux-gnu (and arch-independent headers in /usr/include,
# /usr/share), reached from the root "/" through this library architecture, so /usr/lib/x86_64-linux-gnu is never
# searched for libraries or packages; programs (git, bash, python3) are the host's.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# ctest, gtest_discover_tests and the tests that start the tools run aarch64 binaries through this emulator. -L takes
# the dynamic loader from the cross toolchain, and LD_LIBRARY_PATH its libc and libstdc++ too: otherwise the loader
# finds the multiarch libc6:arm64 (another Debian revision) through ld.so.cache, and with that mix a two-thread fit
# of 4 s had not ended after 100 s under qemu 7.2. A -DCMAKE_CROSSCOMPILING_EMULATOR=... on the command line wins
# (another qemu, or empty on a host with binfmt_misc set up).
if(NOT DEFINED CMAKE_CROSSCOMPILING_EMULATOR)
  find_program(LAYER_ENERGY_QEMU_AARCH64 NAMES qemu-aarch64 qemu-aarch64-static)
  if(LAYER_ENERGY_QEMU_AARCH64)
    set(CMAKE_CROSSCOMPILING_EMULATOR ${LAYER_ENERGY_QEMU_AARCH64} -L /usr/aarch64-linux-gnu
                                      -E LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib)
  endif()
endif()
