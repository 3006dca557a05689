# The CPU backend: oneDNN where cmake/Dependencies.cmake found it (LAYER_ENERGY_HAVE_ONEDNN), and Eigen GEMM on a
# std::thread pool always (the fallback, and --cpu_impl=eigen). Included from benchmarks/CMakeLists.txt.
#
# oneDNN brings its own threading runtime (Debian's and Ubuntu's libdnnl use libgomp); the backend sets that
# runtime's thread count at run time (cpu_onednn_layer.cpp) and links no OpenMP of its own.
#
# The Eigen kernels use no OpenMP on purpose: the backend splits every layer into tiles over its own pool of `threads` std::threads and
# runs Eigen's GEMM single-threaded inside each tile (EIGEN_DONT_PARALLELIZE). That honours the thread count without
# Eigen's process-wide setNbThreads, behaves the same whether or not the compiler ships OpenMP, avoids nested
# OpenMP teams inside the pool, and stays clean under ThreadSanitizer (libgomp is not instrumented).
#
# LAYER_ENERGY_CPU_NATIVE (default ON): compile the backend's kernels for the build machine's SIMD (-march=native,
# or -mcpu=native where only that is accepted), so that CPU energy is measured on the vector units a deployed
# framework would use rather than on baseline SSE2. Turn it off to build binaries for another machine.
option(LAYER_ENERGY_CPU_NATIVE "Compile the CPU backend for this machine's SIMD (-march=native)" ON)

add_library(layer_energy_cpu_backend STATIC
  ${CMAKE_CURRENT_LIST_DIR}/cpu_backend.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu_common.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu_conv.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu_fc.cpp)
target_include_directories(layer_energy_cpu_backend PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(layer_energy_cpu_backend PUBLIC layer_energy_layers Eigen3::Eigen Threads::Threads)
layer_energy_warnings(layer_energy_cpu_backend)
target_compile_definitions(layer_energy_cpu_backend PRIVATE LAYER_ENERGY_HAVE_ONEDNN=$<BOOL:${LAYER_ENERGY_HAVE_ONEDNN}>
                                                             LAYER_ENERGY_ONEDNN_MISSING="${LAYER_ENERGY_ONEDNN_MISSING}")
if(LAYER_ENERGY_HAVE_ONEDNN)
  target_sources(layer_energy_cpu_backend PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/cpu_onednn_layer.cpp
    ${CMAKE_CURRENT_LIST_DIR}/cpu_onednn_conv.cpp
    ${CMAKE_CURRENT_LIST_DIR}/cpu_onednn_fc.cpp)
  target_link_libraries(layer_energy_cpu_backend PRIVATE DNNL::dnnl ${CMAKE_DL_LIBS})
endif()

if(LAYER_ENERGY_CPU_NATIVE)
  include(CheckCXXCompilerFlag)
  check_cxx_compiler_flag(-march=native LAYER_ENERGY_HAS_MARCH_NATIVE)
  if(LAYER_ENERGY_HAS_MARCH_NATIVE)
    target_compile_options(layer_energy_cpu_backend PRIVATE -march=native)
    # GCC 12's AVX-512 intrinsics (_mm512_undefined_ps, inlined into Eigen's GEMM kernels) trip a false
    # -Wmaybe-uninitialized (GCC bug 105593); silence it for the one file that instantiates Eigen's GEMM.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/cpu_common.cpp PROPERTIES COMPILE_OPTIONS
                                  -Wno-maybe-uninitialized)
    endif()
  else()
    check_cxx_compiler_flag(-mcpu=native LAYER_ENERGY_HAS_MCPU_NATIVE)
    if(LAYER_ENERGY_HAS_MCPU_NATIVE)
      target_compile_options(layer_energy_cpu_backend PRIVATE -mcpu=native)
    endif()
  endif()
endif()
