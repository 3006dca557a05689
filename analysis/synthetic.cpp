#include "analysis/synthetic.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>

namespace layer_energy::analysis {

double true_energy(const SyntheticTruth& truth, const layers::Layer& layer) {
  const double macs = layers::macs(layer);
  const double alpha = layer.type == layers::LayerType::conv
                           ? law_alpha(truth.conv_law, static_cast<double>(layer.conv.K))
                           : truth.fc_alpha;
  return truth.offset_J + alpha * macs + truth.per_byte_J * layers::bytes(layer, layers::Precision::fp32);
}

std::vector<layers::Layer> random_layers(std::size_t conv, std::size_t fc, unsigned seed) {
  std::mt19937_64 rng(seed);
  const auto pick = [&rng](const std::vector<int64_t>& v) {
    return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)];
  };
  const std::vector<int64_t> ks = {8,   12,  16,  20,  24,  32,  40,  48,  56,  64,  72,  80,  96,  100, 112,
                                   128, 144, 160, 192, 200, 224, 256, 288, 320, 384, 448, 512, 640, 768, 1024};
  std::vector<layers::Layer> out;
  out.reserve(conv + fc);
  for (std::size_t i = 0; i < conv; ++i) {
    layers::Layer l;
    l.type = layers::LayerType::conv;
    layers::ConvShape& c = l.conv;
    c.N = pick({1, 2, 4, 8});
    c.C = std::uniform_int_distribution<int64_t>(3, 512)(rng);
    c.H = c.W = std::uniform_int_distribution<int64_t>(7, 112)(rng);
    c.K = pick(ks);
    c.R = c.S = pick({1, 3, 5});
    c.stride = pick({1, 1, 2});
    c.pad = c.R / 2;
    out.push_back(l);
  }
  for (std::size_t i = 0; i < fc; ++i) {
    layers::Layer l;
    l.type = layers::LayerType::fc;
    l.fc.N = pick({1, 2, 8, 16, 32, 64, 128});
    l.fc.in = std::uniform_int_distribution<int64_t>(64, 4096)(rng);
    l.fc.out = std::uniform_int_distribution<int64_t>(10, 4096)(rng);
    out.push_back(l);
  }
  return out;
}

std::vector<Sample> synthetic_samples(const SyntheticTruth& truth, const std::vector<layers::Layer>& layers,
                                      unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> gauss(0.0, 1.0);
  std::vector<Sample> out;
  out.reserve(layers.size());
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const layers::Layer& l = layers[i];
    Sample s;
    s.f = features_of(l, layers::macs(l), layers::bytes(l, layers::Precision::fp32));
    s.energy = true_energy(truth, l) * std::max(0.05, 1 + truth.noise * gauss(rng));
    s.noise = truth.noise;
    s.group = static_cast<int>(i);
    out.push_back(s);
  }
  return out;
}

std::string synthetic_result_json(const SyntheticTruth& truth, const std::vector<layers::Layer>& layers,
                                  int repetitions, unsigned seed) {
  using nlohmann::json;
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> gauss(0.0, 1.0);
  json doc;
  doc["context"] = {{"date", "2024-01-01T00:00:00+00:00"},
                    {"library_build_type", "release"},
                    {"board", "synthetic board"},
                    {"power_source", "replay"},
                    {"precision", "fp32"},
                    {"backend", "cpu"}};
  json benchmarks = json::array();
  for (const layers::Layer& l : layers) {
    const std::string name = layers::case_name(l);
    const double energy = true_energy(truth, l);
    for (int r = 0; r < repetitions; ++r) {
      json e = {{"name", name},
                {"family_index", 0},
                {"per_family_instance_index", 0},
                {"run_name", name},
                {"run_type", "iteration"},
                {"repetitions", repetitions},
                {"repetition_index", r},
                {"threads", 1},
                {"iterations", 100},
                {"real_time", 1000.0},
                {"cpu_time", 10.0},
                {"time_unit", "us"}};
      const double e_j = energy * std::max(0.05, 1 + truth.noise * gauss(rng));
      e["energy_J"] = e_j;
      e["energy_dynamic_J"] = 0.8 * e_j;
      e["energy_err_J"] = 0.01 * e_j;
      e["macs"] = layers::macs(l);
      e["bytes"] = layers::bytes(l, layers::Precision::fp32);
      if (l.type == layers::LayerType::conv) {
        const layers::ConvShape& c = l.conv;
        for (const auto& kv : std::vector<std::pair<const char*, int64_t>>{{"N", c.N},
                                                                           {"C", c.C},
                                                                           {"H", c.H},
                                                                           {"W", c.W},
                                                                           {"K", c.K},
                                                                           {"R", c.R},
                                                                           {"S", c.S},
                                                                           {"stride", c.stride},
                                                                           {"pad", c.pad},
                                                                           {"groups", c.groups}})
          e[kv.first] = static_cast<double>(kv.second);
      } else {
        e["N"] = static_cast<double>(l.fc.N);
        e["in"] = static_cast<double>(l.fc.in);
        e["out"] = static_cast<double>(l.fc.out);
      }
      benchmarks.push_back(e);
    }
  }
  doc["benchmarks"] = benchmarks;
  return doc.dump(2);
}

}  // namespace layer_energy::analysis
