# The suite's git SHA for the benchmark context, taken at every build (not at configure time: an incremental build
# after a commit must not report the configured commit). cmake/WriteVersion.cmake writes
# <build>/generated/layer_energy_version.hpp, touching it only when the SHA changed.
set(LAYER_ENERGY_VERSION_DIR ${CMAKE_BINARY_DIR}/generated)
add_custom_target(layer_energy_version
  COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${CMAKE_CURRENT_SOURCE_DIR}
          -DOUT=${LAYER_ENERGY_VERSION_DIR}/layer_energy_version.hpp -P ${CMAKE_CURRENT_LIST_DIR}/WriteVersion.cmake
  BYPRODUCTS ${LAYER_ENERGY_VERSION_DIR}/layer_energy_version.hpp
  COMMENT "" VERBATIM)
