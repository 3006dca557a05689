// Runs a command line and captures its exit code, stdout and stderr (for end-to-end tests of the binaries).
#pragma once

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace layer_energy::test {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline CommandResult run_command(const std::string& command) {
  // A file of its own per call: ctest -j runs several of these tests at once.
  std::string err_path = ::testing::TempDir() + "run_command_stderr_XXXXXX";
  const int fd = ::mkstemp(&err_path[0]);
  if (fd >= 0) ::close(fd);
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>" + err_path).c_str(), "r");
  if (!pipe) return result;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.out.append(buffer, n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(err_path);
  std::stringstream text;
  text << err.rdbuf();
  result.err = text.str();
  std::remove(err_path.c_str());
  return result;
}

// The command line that starts `binary`, one of this build's executables. A cross-compiled build's binaries cannot
// run here directly: LAYER_ENERGY_TOOL_LAUNCHER (tests/CMakeLists.txt) is then the emulator, else empty.
inline std::string tool_command(const std::string& binary) {
  const std::string launcher = LAYER_ENERGY_TOOL_LAUNCHER;
  return launcher.empty() ? binary : launcher + " " + binary;
}

inline std::string layer_bench_path() { return std::string(LAYER_ENERGY_BINARY_DIR) + "/layer_bench"; }
inline std::string layer_bench_command() { return tool_command(layer_bench_path()); }
inline std::string fixture(const std::string& relative) { return std::string(LAYER_ENERGY_FIXTURES) + "/" + relative; }

}  // namespace layer_energy::test
