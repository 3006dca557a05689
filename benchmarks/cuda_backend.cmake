# The CUDA backend (cuDNN conv, cuBLAS FC, cuRAND fills). Included from benchmarks/CMakeLists.txt when
# cmake/Cuda.cmake found the toolkit, cuBLAS, cuRAND and cuDNN (LAYER_ENERGY_HAVE_CUDA).
#
# Plain C++ only, no .cu files: the libraries do every piece of device work, so this builds with whatever nvcc a
# machine has (or none: only the host compiler, headers and libraries are needed). CUDA headers reach these sources
# as SYSTEM include directories (layer_energy_cudnn; imported CUDA:: targets are SYSTEM too), so -Wpedantic -Werror
# stays on for our code without tripping on cuda_fp16.h. benchmarks/cuda_backend.hpp includes no CUDA header, so
# the CUDA libraries are private to this target (linked into whatever links it).
add_library(layer_energy_cuda_backend STATIC
  ${CMAKE_CURRENT_LIST_DIR}/cuda_backend.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cuda_common.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cuda_conv.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cuda_fc.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cuda_kernel_record.cpp)
target_include_directories(layer_energy_cuda_backend PUBLIC ${PROJECT_SOURCE_DIR})
target_include_directories(layer_energy_cuda_backend SYSTEM PRIVATE ${CUDAToolkit_INCLUDE_DIRS})
target_link_libraries(layer_energy_cuda_backend
  PUBLIC layer_energy_layers
  PRIVATE layer_energy_cudnn CUDA::cudart CUDA::cublas CUDA::curand)
target_compile_definitions(layer_energy_cuda_backend PRIVATE
  LAYER_ENERGY_HAVE_CUPTI=$<BOOL:${LAYER_ENERGY_HAVE_CUPTI}> LAYER_ENERGY_CUPTI_MISSING="${LAYER_ENERGY_CUPTI_MISSING}")
if(LAYER_ENERGY_HAVE_CUPTI)
  target_include_directories(layer_energy_cuda_backend SYSTEM PRIVATE ${CUPTI_INCLUDE_DIR})
  target_link_libraries(layer_energy_cuda_backend PRIVATE ${CUPTI_LIBRARY})
endif()
layer_energy_warnings(layer_energy_cuda_backend)
