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
