// The result file's field names (../shared/design.md "Result JSON"), written by the harness and the simulator and
// read by resume, the console and analysis: one spelling for all of them.
#pragma once

namespace layer_energy::result_format {

namespace field {
// Google Benchmark's own, per entry.
constexpr const char* name = "name";
constexpr const char* run_name = "run_name";
constexpr const char* run_type = "run_type";
constexpr const char* aggregate_name = "aggregate_name";
constexpr const char* iterations = "iterations";
constexpr const char* repetitions = "repetitions";
constexpr const char* real_time = "real_time";
constexpr const char* time_unit = "time_unit";
constexpr const char* label = "label";
constexpr const char* error_occurred = "error_occurred";  // Google Benchmark 1.7
constexpr const char* error_message = "error_message";
constexpr const char* skipped = "skipped";  // Google Benchmark 1.8+
constexpr const char* skip_message = "skip_message";
// Counters the harness adds, per iteration where they are quantities.
constexpr const char* energy_J = "energy_J";
constexpr const char* energy_err_J = "energy_err_J";
constexpr const char* energy_dynamic_J = "energy_dynamic_J";
constexpr const char* energy_rail_prefix = "energy_J:";  // + rail name
constexpr const char* power_W = "power_W";
constexpr const char* samples = "samples";
constexpr const char* t0_s = "t0_s";
constexpr const char* t1_s = "t1_s";
constexpr const char* macs = "macs";
constexpr const char* bytes = "bytes";
constexpr const char* kernels = "kernels";
constexpr const char* gpu_clock_MHz = "gpu_clock_MHz";
constexpr const char* temp_C = "temp_C";
constexpr const char* throttled = "throttled";
constexpr const char* host_wait_cores = "host_wait_cores";  // this process's threads' run-queue wait ÷ the window
constexpr const char* contended = "contended";  // 1: the threads waited for a CPU (power/host_load.hpp)
}  // namespace field

namespace context_key {
constexpr const char* power_source = "power_source";
constexpr const char* idle_W = "idle_W";
constexpr const char* idle_W_after = "idle_W_after";
constexpr const char* idle_drift_W = "idle_drift_W";
constexpr const char* stuck_sensor_warnings = "stuck_sensor_warnings";
}  // namespace context_key

}  // namespace layer_energy::result_format
