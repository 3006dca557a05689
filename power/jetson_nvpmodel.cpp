#include "power/jetson_nvpmodel.hpp"

#include <cctype>
#include <cstdlib>

#include "power/sysfs.hpp"

namespace layer_energy::power::jetson {
namespace {

// The "pmode:NNNN" line of /var/lib/nvpmodel/status (first line when there is none); empty when absent.
std::string nvpmodel_status(const std::string& root) {
  const auto text = sysfs::read_text(sysfs::join(root, "/var/lib/nvpmodel/status"));
  if (!text) return {};
  std::string first;
  std::size_t start = 0;
  while (start < text->size()) {
    std::size_t stop = text->find('\n', start);
    if (stop == std::string::npos) stop = text->size();
    std::string line = text->substr(start, stop - start);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    if (first.empty()) first = line;
    if (line.rfind("pmode:", 0) == 0) return line;
    start = stop + 1;
  }
  return first;
}

// The NAME of "< POWER_MODEL ID=<id> NAME=<name> >" in /etc/nvpmodel.conf; empty when not found.
std::string nvpmodel_name(const std::string& root, long mode_id) {
  const auto text = sysfs::read_text(sysfs::join(root, "/etc/nvpmodel.conf"));
  if (!text) return {};
  std::size_t start = 0;
  while (start < text->size()) {
    std::size_t stop = text->find('\n', start);
    if (stop == std::string::npos) stop = text->size();
    const std::string line = text->substr(start, stop - start);
    start = stop + 1;
    const auto model = line.find("POWER_MODEL");
    const auto id = line.find("ID=");
    const auto name = line.find("NAME=");
    if (model == std::string::npos || id == std::string::npos || name == std::string::npos) continue;
    char* end = nullptr;
    const long value = std::strtol(line.c_str() + id + 3, &end, 10);
    if (end == line.c_str() + id + 3 || value != mode_id) continue;
    std::string result;
    for (std::size_t i = name + 5;
         i < line.size() && line[i] != '>' && !std::isspace(static_cast<unsigned char>(line[i])); ++i) {
      result += line[i];
    }
    return result;
  }
  return {};
}

}  // namespace

Nvpmodel read_nvpmodel(const std::string& sysfs_root) {
  Nvpmodel nvpmodel;
  nvpmodel.status = nvpmodel_status(sysfs_root);
  const auto colon = nvpmodel.status.find(':');
  if (nvpmodel.status.rfind("pmode:", 0) == 0 && colon + 1 < nvpmodel.status.size()) {
    char* end = nullptr;
    const long id = std::strtol(nvpmodel.status.c_str() + colon + 1, &end, 10);
    if (end != nvpmodel.status.c_str() + colon + 1) nvpmodel.mode = nvpmodel_name(sysfs_root, id);
  }
  return nvpmodel;
}

}  // namespace layer_energy::power::jetson
