# Finds each third-party package; with LAYER_ENERGY_FETCH=ON a missing one is fetched at a pinned release,
# with OFF the configure step stops and names it.
include(FetchContent)

function(layer_energy_require package repository tag)
  find_package(${package} CONFIG QUIET)
  if(${package}_FOUND)
    message(STATUS "layer-energy: ${package} ${${package}_VERSION} found")
    set(${package}_VERSION "${${package}_VERSION}" PARENT_SCOPE)
    return()
  endif()
  if(NOT LAYER_ENERGY_FETCH)
    message(FATAL_ERROR "layer-energy: package '${package}' not found and LAYER_ENERGY_FETCH=OFF. "
                        "Install it (scripts/install-deps.sh) or configure with -DLAYER_ENERGY_FETCH=ON.")
  endif()
  message(STATUS "layer-energy: ${package} not found; fetching ${repository} at ${tag}")
  string(TOLOWER ${package} name)
  FetchContent_Declare(${name} GIT_REPOSITORY ${repository} GIT_TAG ${tag} GIT_SHALLOW TRUE)
  FetchContent_MakeAvailable(${name})
endfunction()

set(BENCHMARK_ENABLE_TESTING OFF CACHE BOOL "" FORCE)
set(BENCHMARK_ENABLE_GTEST_TESTS OFF CACHE BOOL "" FORCE)
set(JSON_BuildTests OFF CACHE BOOL "" FORCE)
set(EIGEN_BUILD_DOC OFF CACHE BOOL "" FORCE)
set(BUILD_TESTING OFF CACHE BOOL "" FORCE)

layer_energy_require(fmt https://github.com/fmtlib/fmt.git 9.1.0)
layer_energy_require(nlohmann_json https://github.com/nlohmann/json.git v3.11.3)
layer_energy_require(CLI11 https://github.com/CLIUtils/CLI11.git v2.4.1)
layer_energy_require(Eigen3 https://gitlab.com/libeigen/eigen.git 3.4.0)
layer_energy_require(benchmark https://github.com/google/benchmark.git v1.8.3)
if(LAYER_ENERGY_TESTS)
  layer_energy_require(GTest https://github.com/google/googletest.git v1.14.0)
endif()

find_package(Threads REQUIRED)

# Google Benchmark's API differs between 1.7 and 1.8 (skip messages, min_time syntax): gate on its version.
if(benchmark_VERSION AND benchmark_VERSION VERSION_LESS 1.8)
  set(LAYER_ENERGY_BENCHMARK_HAS_SKIP 0)
else()
  set(LAYER_ENERGY_BENCHMARK_HAS_SKIP 1)
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
