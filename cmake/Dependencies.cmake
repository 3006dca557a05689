# Finds each third-party package at its minimum version; with LAYER_ENERGY_FETCH=ON a missing or too old one is
# fetched at a pinned release, with OFF the configure step stops with one line naming the fix. The minimums are the
# oldest versions tested (Debian 11's, except Google Benchmark: 1.5.0, bridged in reporters/gbench_compat.hpp).
include(FetchContent)
include(CheckCXXSourceCompiles)

# `fix`: what a user without FETCH does. `${package}_UNUSABLE`, when set by the caller, is why an installed copy is
# not even read (its config would stop the configure). Sets ${package}_FETCHED, and ${package}_VERSION when found.
function(layer_energy_require package minimum repository tag fix)
  set(why "${${package}_UNUSABLE}")
  if(NOT why)
    find_package(${package} ${minimum} CONFIG QUIET)
    if(${package}_FOUND)
      message(STATUS "layer-energy: ${package} ${${package}_VERSION} found")
      set(${package}_VERSION "${${package}_VERSION}" PARENT_SCOPE)
      set(${package}_FETCHED OFF PARENT_SCOPE)
      return()
    endif()
    set(why "${package} >= ${minimum} not found")
    if(${package}_CONSIDERED_VERSIONS)
      set(why "${package} ${${package}_CONSIDERED_VERSIONS} found, older than the ${minimum} needed")
    endif()
  endif()
  if(NOT LAYER_ENERGY_FETCH)
    message(FATAL_ERROR "layer-energy: ${why} (LAYER_ENERGY_FETCH=OFF): ${fix}, or configure with "
                        "-DLAYER_ENERGY_FETCH=ON to fetch ${package} ${tag}.")
  endif()
  string(TOLOWER ${package} name)
  string(TOUPPER ${package} upper)
  if(FETCHCONTENT_SOURCE_DIR_${upper})  # FetchContent's own override: a source tree already here (CI, offline)
    message(STATUS "layer-energy: ${why}; building it from ${FETCHCONTENT_SOURCE_DIR_${upper}}")
  else()
    message(STATUS "layer-energy: ${why}; fetching ${repository} at ${tag}")
  endif()
  FetchContent_Declare(${name} GIT_REPOSITORY ${repository} GIT_TAG ${tag} GIT_SHALLOW TRUE)
  FetchContent_MakeAvailable(${name})
  set(${package}_FETCHED ON PARENT_SCOPE)
endfunction()

# Debian 11's and Ubuntu 20.04's GTest config also declares GTest::gmock, whose libgmock.a comes with libgmock-dev,
# and stops the configure with CMake's own error when that file is missing; a source-only libgtest-dev has no
# library at all. The config that find_package would read first is checked beforehand, so the answer names the fix.
function(layer_energy_check_gtest_config)
  set(dirs "")
  if(GTest_DIR AND EXISTS "${GTest_DIR}/GTestConfig.cmake")
    set(dirs "${GTest_DIR}")
  else()
    foreach(prefix IN LISTS CMAKE_PREFIX_PATH CMAKE_SYSTEM_PREFIX_PATH)
      foreach(libdir lib/${CMAKE_LIBRARY_ARCHITECTURE} lib64 lib)
        list(APPEND dirs "${prefix}/${libdir}/cmake/GTest")
      endforeach()
    endforeach()
  endif()
  foreach(dir IN LISTS dirs)
    if(NOT EXISTS "${dir}/GTestConfig.cmake")
      continue()
    endif()
    get_filename_component(libdir "${dir}/../.." ABSOLUTE)
    foreach(library gtest gmock)
      file(GLOB found "${libdir}/lib${library}.*")
      if(NOT found)
        set(GTest_UNUSABLE "the GTest config in ${dir} needs lib${library} in ${libdir}, which is not there"
            PARENT_SCOPE)
        return()
      endif()
    endforeach()
    return()
  endforeach()
endfunction()

set(BENCHMARK_ENABLE_TESTING OFF CACHE BOOL "" FORCE)
set(BENCHMARK_ENABLE_GTEST_TESTS OFF CACHE BOOL "" FORCE)
set(JSON_BuildTests OFF CACHE BOOL "" FORCE)
set(EIGEN_BUILD_DOC OFF CACHE BOOL "" FORCE)
set(BUILD_TESTING OFF CACHE BOOL "" FORCE)
set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)

set(apt "scripts/install-deps.sh")
layer_energy_require(fmt 7.1 https://github.com/fmtlib/fmt.git 9.1.0 "install libfmt-dev (${apt})")
layer_energy_require(nlohmann_json 3.9.1 https://github.com/nlohmann/json.git v3.11.3
  "install nlohmann-json3-dev (${apt})")
layer_energy_require(CLI11 2.1 https://github.com/CLIUtils/CLI11.git v2.4.1
  "install libcli11-dev (${apt}; Debian 11 and Ubuntu 20.04 have none: install a CLI11 release with its CMake files)")
layer_energy_require(Eigen3 3.3 https://gitlab.com/libeigen/eigen.git 3.4.0 "install libeigen3-dev (${apt})")
layer_energy_require(benchmark 1.5.0 https://github.com/google/benchmark.git v1.8.3
  "install libbenchmark-dev (${apt})")
if(LAYER_ENERGY_TESTS)
  layer_energy_check_gtest_config()
  layer_energy_require(GTest 1.10 https://github.com/google/googletest.git v1.14.0
    "install libgtest-dev and libgmock-dev (${apt}); a libgtest-dev with only sources in /usr/src/googletest: \
cmake -S /usr/src/googletest -B /tmp/gtest && cmake --build /tmp/gtest && sudo cmake --install /tmp/gtest")
endif()

find_package(Threads REQUIRED)

# Google Benchmark's API differs between 1.7 and 1.8 (skip messages, min_time syntax): gate on its version.
if(benchmark_FETCHED OR NOT benchmark_VERSION VERSION_LESS 1.8)
  set(LAYER_ENERGY_BENCHMARK_HAS_SKIP 1)
else()
  set(LAYER_ENERGY_BENCHMARK_HAS_SKIP 0)
endif()

# What 1.5 lacks of the API layer_bench uses (reporters/gbench_compat.hpp bridges it), tested against the library
# found. A fetched release (1.8.3) has all of it, and cannot be linked before it is built.
function(layer_energy_benchmark_has variable code)
  if(benchmark_FETCHED)
    set(${variable} 1 PARENT_SCOPE)
    return()
  endif()
  set(CMAKE_REQUIRED_LIBRARIES benchmark::benchmark)
  set(CMAKE_REQUIRED_QUIET ON)
  check_cxx_source_compiles("#include <benchmark/benchmark.h>\nint main() { ${code}; }" ${variable})
  if(${variable})
    set(${variable} 1 PARENT_SCOPE)
  else()
    set(${variable} 0 PARENT_SCOPE)
  endif()
endfunction()
layer_energy_benchmark_has(LAYER_ENERGY_BENCHMARK_HAS_CUSTOM_CONTEXT "benchmark::AddCustomContext(\"k\", \"v\")")
layer_energy_benchmark_has(LAYER_ENERGY_BENCHMARK_HAS_SHUTDOWN "benchmark::Shutdown()")
if(NOT LAYER_ENERGY_BENCHMARK_HAS_CUSTOM_CONTEXT OR NOT LAYER_ENERGY_BENCHMARK_HAS_SHUTDOWN)
  message(STATUS "layer-energy: Google Benchmark ${benchmark_VERSION} without AddCustomContext/Shutdown: bridged "
                 "(reporters/gbench_compat.hpp)")
endif()

# dnnl_FOUND, dnnl_VERSION and the DNNL::dnnl target from the header and library alone.
function(layer_energy_find_dnnl_without_config)
  find_path(LAYER_ENERGY_DNNL_INCLUDE_DIR oneapi/dnnl/dnnl.hpp)
  find_library(LAYER_ENERGY_DNNL_LIBRARY dnnl)
  if(NOT LAYER_ENERGY_DNNL_INCLUDE_DIR OR NOT LAYER_ENERGY_DNNL_LIBRARY)
    return()
  endif()
  file(STRINGS "${LAYER_ENERGY_DNNL_INCLUDE_DIR}/oneapi/dnnl/dnnl_version.h" parts
       REGEX "#define DNNL_VERSION_(MAJOR|MINOR|PATCH) ")
  set(version "")
  foreach(line IN LISTS parts)
    string(REGEX REPLACE ".*DNNL_VERSION_[A-Z]+ +([0-9]+).*" "\\1" number "${line}")
    list(APPEND version "${number}")
  endforeach()
  list(JOIN version "." version)
  if(NOT TARGET DNNL::dnnl)
    add_library(DNNL::dnnl UNKNOWN IMPORTED GLOBAL)
    set_target_properties(DNNL::dnnl PROPERTIES IMPORTED_LOCATION "${LAYER_ENERGY_DNNL_LIBRARY}"
                                                INTERFACE_INCLUDE_DIRECTORIES "${LAYER_ENERGY_DNNL_INCLUDE_DIR}")
  endif()
  set(dnnl_FOUND TRUE PARENT_SCOPE)
  set(dnnl_VERSION "${version}" PARENT_SCOPE)
  set(DNNL_CPU_RUNTIME "not read: no dnnl-config.cmake" PARENT_SCOPE)
endfunction()

# oneDNN, optional (LAYER_ENERGY_ONEDNN=AUTO|ON|OFF): the CPU backend's conv and FC where found, Eigen otherwise.
# LAYER_ENERGY_ONEDNN_MISSING is the one line layer_bench gives for --cpu_impl=onednn in a build without it.
# The backend uses the 2.x API (operation descriptors; 3.0 replaced them), so a 3.x install is not taken.
set(LAYER_ENERGY_HAVE_ONEDNN OFF)
if(LAYER_ENERGY_ONEDNN STREQUAL "OFF")
  set(LAYER_ENERGY_ONEDNN_MISSING "this build has no oneDNN (configured with LAYER_ENERGY_ONEDNN=OFF)")
else()
  # Debian's and Ubuntu's dnnl-config.cmake requires OpenCL (their build has the OpenCL GPU runtime), and a missing
  # REQUIRED dependency there stops the whole configure. The CPU engine needs none of it: without OpenCL the library
  # and header are found directly.
  find_package(OpenCL QUIET)
  if(OpenCL_FOUND)
    find_package(dnnl CONFIG QUIET)
  endif()
  if(NOT dnnl_FOUND)
    layer_energy_find_dnnl_without_config()
  endif()
  if(NOT dnnl_FOUND)
    set(LAYER_ENERGY_ONEDNN_MISSING
        "this build has no oneDNN (not found at configure time; install libdnnl-dev and reconfigure)")
  elseif(dnnl_VERSION VERSION_LESS 2.0 OR NOT dnnl_VERSION VERSION_LESS 3.0)
    set(LAYER_ENERGY_ONEDNN_MISSING "this build has no oneDNN (found ${dnnl_VERSION}; the CPU backend needs 2.x)")
  else()
    set(LAYER_ENERGY_HAVE_ONEDNN ON)
    set(LAYER_ENERGY_ONEDNN_MISSING "")
    message(STATUS "layer-energy: oneDNN ${dnnl_VERSION} found (CPU runtime ${DNNL_CPU_RUNTIME})")
  endif()
  if(NOT LAYER_ENERGY_HAVE_ONEDNN)
    if(LAYER_ENERGY_ONEDNN STREQUAL "ON")
      message(FATAL_ERROR "layer-energy: LAYER_ENERGY_ONEDNN=ON but ${LAYER_ENERGY_ONEDNN_MISSING}")
    endif()
    message(STATUS "layer-energy: CPU backend without oneDNN: ${LAYER_ENERGY_ONEDNN_MISSING}")
  endif()
endif()

# ONNX import (layers/onnx/, --onnx=FILE), optional (LAYER_ENERGY_ONNX=AUTO|ON|OFF): libonnx's protobuf classes and
# shape inference. LAYER_ENERGY_ONNX_MISSING is the one line import_onnx throws in a build without it.
# Debian's libonnx-dev ships ONNXConfig.cmake, whose onnx_proto target links protobuf::libprotobuf without finding
# it and whose headers include protobuf's, yet the package does not depend on libprotobuf-dev: protobuf is found here
# (CMake's FindProtobuf module, which defines protobuf::libprotobuf) and its absence is reported on its own.
set(LAYER_ENERGY_ONNX AUTO CACHE STRING
    "ONNX import (--onnx=FILE): AUTO (when libonnx and protobuf are found), ON, OFF")
set_property(CACHE LAYER_ENERGY_ONNX PROPERTY STRINGS AUTO ON OFF)
set(LAYER_ENERGY_HAVE_ONNX OFF)
if(LAYER_ENERGY_ONNX STREQUAL "OFF")
  set(LAYER_ENERGY_ONNX_MISSING "this build has no ONNX import (configured with LAYER_ENERGY_ONNX=OFF)")
else()
  find_package(ONNX CONFIG QUIET)
  if(ONNX_FOUND AND TARGET onnx AND TARGET onnx_proto)
    find_package(Protobuf QUIET)
    # ONNX_INCLUDE_DIRS is wrong on multiarch layouts (/usr/lib/include); the target's own directories are right.
    get_target_property(onnx_include_dirs onnx INTERFACE_INCLUDE_DIRECTORIES)
    find_file(LAYER_ENERGY_ONNX_SHAPE_INFERENCE_H onnx/shape_inference/implementation.h PATHS ${onnx_include_dirs}
              NO_DEFAULT_PATH)
  endif()
  if(NOT ONNX_FOUND OR NOT TARGET onnx OR NOT TARGET onnx_proto)
    set(LAYER_ENERGY_ONNX_MISSING
        "this build has no ONNX import (libonnx not found at configure time; install libonnx-dev and reconfigure)")
  elseif(NOT LAYER_ENERGY_ONNX_SHAPE_INFERENCE_H)
    set(LAYER_ENERGY_ONNX_MISSING "this build has no ONNX import (ONNX ${ONNX_VERSION} found without its \
shape-inference header; install libonnx-dev and reconfigure)")
  elseif(NOT Protobuf_FOUND OR NOT TARGET protobuf::libprotobuf)
    set(LAYER_ENERGY_ONNX_MISSING "this build has no ONNX import (ONNX ${ONNX_VERSION} found but not protobuf's \
C++ headers and library; install libprotobuf-dev and reconfigure)")
  else()
    set(LAYER_ENERGY_HAVE_ONNX ON)
    set(LAYER_ENERGY_ONNX_MISSING "")
    message(STATUS "layer-energy: ONNX ${ONNX_VERSION} found (protobuf ${Protobuf_VERSION})")
  endif()
  if(NOT LAYER_ENERGY_HAVE_ONNX)
    if(LAYER_ENERGY_ONNX STREQUAL "ON")
      message(FATAL_ERROR "layer-energy: LAYER_ENERGY_ONNX=ON but ${LAYER_ENERGY_ONNX_MISSING}")
    endif()
    message(STATUS "layer-energy: no ONNX import: ${LAYER_ENERGY_ONNX_MISSING}")
  endif()
endif()
