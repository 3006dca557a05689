#include "benchmarks/harness/interrupt.hpp"

#include <csignal>

namespace layer_energy::bench {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void on_signal(int signal_number) {
  g_interrupted = 1;
  std::signal(signal_number, SIG_DFL);  // a second Ctrl-C really stops
}

}  // namespace

void install_interrupt_handlers() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}

bool interrupted() { return g_interrupted != 0; }

}  // namespace layer_energy::bench
