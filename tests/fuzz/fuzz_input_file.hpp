// The readers under fuzz take a path: each input is written to one file per process and read back from there.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

namespace layer_energy::fuzz {

inline const std::string& input_path() {
  static const std::string path = "/tmp/layer-energy-fuzz-" + std::to_string(::getpid()) + ".txt";
  return path;
}

inline const std::string& write_input(const uint8_t* data, std::size_t size) {
  std::ofstream(input_path(), std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data),
                                                                        static_cast<std::streamsize>(size));
  return input_path();
}

}  // namespace layer_energy::fuzz
