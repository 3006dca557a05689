# power_bench: the cost of reading each power source (fixture sysfs trees), of integrating one window, and the
# sampler's CPU use at its default poll rate. Run it with scripts/power-bench.sh.
add_executable(power_bench ${CMAKE_CURRENT_LIST_DIR}/power_bench.cpp)
target_link_libraries(power_bench PRIVATE layer_energy_power benchmark::benchmark)
target_compile_definitions(power_bench PRIVATE LAYER_ENERGY_FIXTURES="${PROJECT_SOURCE_DIR}/tests/fixtures")
layer_energy_warnings(power_bench)
set_target_properties(power_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR})
