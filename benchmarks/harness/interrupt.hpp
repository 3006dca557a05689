// SIGINT/SIGTERM stop a sweep cleanly: the running case finishes, the rest are skipped, the result file is complete.
#pragma once

namespace layer_energy::bench {

// First signal: sets the flag (a second one ends the process the default way).
void install_interrupt_handlers();
bool interrupted();

}  // namespace layer_energy::bench
