// The Jetson's power mode: the `pmode:NNNN` line of /var/lib/nvpmodel/status and the mode's NAME in
// /etc/nvpmodel.conf (both under the sysfs root). Read once per board by jetson::Board (power/jetson_board.hpp).
#pragma once

#include <string>

namespace layer_energy::power::jetson {

struct Nvpmodel {
  std::string status;  // the pmode line (else the first line); empty when the status file is absent
  std::string mode;    // the conf's NAME for the status's id; empty when not found
};

Nvpmodel read_nvpmodel(const std::string& sysfs_root);

}  // namespace layer_energy::power::jetson
