// libFuzzer target: the layer CSV reader (--grid=FILE, energy_predict --layers) on arbitrary bytes. Every layer it
// accepts must be valid (layers::validate) and have a case name that parses back to the same geometry.
#include <cstdlib>
#include <exception>

#include "fuzz_input_file.hpp"
#include "layers/layer.hpp"
#include "layers/layer_csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace layer_energy;
  try {
    for (const layers::Layer& layer : layers::read_layer_csv(fuzz::write_input(data, size))) {
      if (!layers::validate(layer).empty()) std::abort();
      layers::Layer back;
      if (!layers::parse_case_name(layers::case_name(layer), &back)) std::abort();
      if (layers::case_name(back) != layers::case_name(layer)) std::abort();
    }
  } catch (const std::exception&) {
    // A bad CSV is one line naming the file and row: a normal outcome.
  }
  return 0;
}
