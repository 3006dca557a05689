#include "power/source.hpp"

#include <chrono>

namespace layer_energy::power {

const char* unit_of(Quantity q) { return q == Quantity::power_w ? "W" : "J"; }
const char* kind_of(Quantity q) { return q == Quantity::power_w ? "power" : "energy"; }

double now_s() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace layer_energy::power
