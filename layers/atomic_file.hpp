// Whole files written so that no reader, kill or full disk ever sees half of one: the text goes to PATH.tmp, which is
// flushed and renamed over PATH. Every file the tools write at once (results amended, models, reports, predictions,
// simulated runs) goes through here.
#pragma once

#include <string>

namespace layer_energy::layers {

// False when the text could not be written or renamed into place; PATH is then as it was and PATH.tmp is removed.
bool write_file_atomically(const std::string& path, const std::string& text);

}  // namespace layer_energy::layers
