# The suite's git SHA for the benchmark context.
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}
                OUTPUT_VARIABLE LAYER_ENERGY_GIT_SHA OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT LAYER_ENERGY_GIT_SHA)
  set(LAYER_ENERGY_GIT_SHA "unknown")
endif()
