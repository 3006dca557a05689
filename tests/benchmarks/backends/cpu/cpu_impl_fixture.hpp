// The CPU backend's tests run once per implementation (Eigen, oneDNN): this fixture makes the backend of the
// parameter's implementation, and the oneDNN run skips, with the build's reason, where oneDNN is not built.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "benchmarks/backends/cpu/cpu_backend.hpp"
#include "layers/layer.hpp"

namespace layer_energy::test {

inline const char* impl_name(bench::CpuImpl impl) { return impl == bench::CpuImpl::eigen ? "eigen" : "onednn"; }

class CpuImplFixture : public ::testing::TestWithParam<bench::CpuImpl> {
 protected:
  void SetUp() override {
    std::string why;
    if (GetParam() == bench::CpuImpl::onednn && !bench::cpu_onednn_built(&why)) GTEST_SKIP() << why;
  }
  std::unique_ptr<bench::Backend> backend(int threads = 0) const {
    bench::CpuBackendOptions options;
    options.threads = threads;
    options.impl = GetParam();
    return bench::make_cpu_backend(options);
  }
};

// Test names end in the implementation: Impl/CpuImplTest.ConvMatchesNaiveReference/eigen.
inline std::string impl_param_name(const ::testing::TestParamInfo<bench::CpuImpl>& param) {
  return impl_name(param.param);
}

// Each layer (invalid by layers::validate) is refused by prepare() with exactly validate's reason.
inline void expect_refused_with_validate_reason(bench::Backend& backend, const std::vector<layers::Layer>& invalid) {
  for (const layers::Layer& layer : invalid) {
    const std::string problem = layers::validate(layer);
    ASSERT_FALSE(problem.empty()) << "the test's shape is valid: " << layers::case_name(layer);
    try {
      backend.prepare(layer, layers::Precision::fp32, layers::Layout::nchw, 1);
      ADD_FAILURE() << "accepted " << problem;
    } catch (const bench::UnsupportedLayer& e) {
      EXPECT_EQ(std::string(e.what()), problem);
    }
  }
}

}  // namespace layer_energy::test
