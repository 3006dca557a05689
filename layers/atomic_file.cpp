#include "layers/atomic_file.hpp"

#include <cstdio>
#include <fstream>

namespace layer_energy::layers {

bool write_file_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  bool written = false;
  {
    std::ofstream out(tmp, std::ios::trunc | std::ios::binary);
    out << text;
    written = static_cast<bool>(out.flush());
  }
  if (written && std::rename(tmp.c_str(), path.c_str()) == 0) return true;
  std::remove(tmp.c_str());
  return false;
}

}  // namespace layer_energy::layers
