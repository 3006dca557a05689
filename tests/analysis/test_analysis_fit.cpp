// The fitter on synthetic data from a known ground truth: parameters recovered, the true α(K) law picked, held-out
// predictions within 5%.
#include <gtest/gtest.h>

#include <cmath>

#include "analysis/fitter.hpp"
#include "analysis/synthetic.hpp"

namespace layer_energy::analysis {
namespace {

std::vector<Sample> conv_samples(const SyntheticTruth& truth, std::size_t n, unsigned seed) {
  return synthetic_samples(truth, random_layers(n, 0, seed), seed + 1);
}

LawFit law_of(const TypeFit& fit, Law law) {
  for (const LawFit& l : fit.laws)
    if (l.law == law) return l;
  ADD_FAILURE() << "law " << law_name(law) << " not fitted";
  return {};
}

struct LawCase {
  LawFit truth;
};

class TrueLaw : public ::testing::TestWithParam<LawCase> {};

TEST_P(TrueLaw, RecoveredAndPicked) {
  SyntheticTruth truth;
  truth.conv_law = GetParam().truth;
  truth.noise = 0.02;
  const std::vector<Sample> samples = conv_samples(truth, 600, 7);
  FitOptions options;
  options.poly = false;
  const TypeFit fit = fit_type(samples, options);
  ASSERT_EQ(fit.folds, 5);
  EXPECT_EQ(fit.chosen_law, truth.conv_law.law) << "picked " << law_name(fit.chosen_law);
  const LawFit got = law_of(fit, truth.conv_law.law);
  EXPECT_NEAR(got.a / truth.conv_law.a, 1.0, 0.03);
  if (truth.conv_law.law == Law::tile) {
    EXPECT_EQ(got.w, truth.conv_law.w);
  } else {
    EXPECT_NEAR(got.b, truth.conv_law.b, 0.03 * std::fabs(truth.conv_law.b) + 1e-3 * truth.conv_law.a);
  }
  // Held-out: the paper's form with the chosen law predicts unseen configurations within 5% (noise is 2%).
  EXPECT_LT(fit.cv.at("paper").mape, 5.0);
  EXPECT_GT(fit.cv.at("paper").r2, 0.99);
}

LawFit make(Law law, double a, double b, double w) {
  LawFit l;
  l.law = law, l.a = a, l.b = b, l.w = w;
  return l;
}

INSTANTIATE_TEST_SUITE_P(Laws, TrueLaw,
                         ::testing::Values(LawCase{make(Law::power, 4e-10, 0.45, 1)},
                                           LawCase{make(Law::inverse, 1e-11, 8e-10, 1)},
                                           LawCase{make(Law::tile, 2e-11, 0, 32)}),
                         [](const ::testing::TestParamInfo<LawCase>& param) {
                           return std::string(law_name(param.param.truth.law));
                         });

TEST(Fitter, FcSlopeRecoveredAndHeldOutWithinFivePercent) {
  SyntheticTruth truth;
  truth.fc_alpha = 3e-11;
  const std::vector<Sample> samples = synthetic_samples(truth, random_layers(0, 300, 3), 4);
  FitOptions options;
  const TypeFit fit = fit_type(samples, options);
  EXPECT_EQ(fit.type, layers::LayerType::fc);
  EXPECT_NEAR(fit.models.at("paper").law.a / truth.fc_alpha, 1.0, 0.01);
  EXPECT_LT(fit.cv.at("paper").mape, 5.0);
  EXPECT_LT(fit.cv.at(fit.chosen).mape, 5.0);
}

TEST(Fitter, AffineAndTrafficTermsRecovered) {
  SyntheticTruth truth;
  truth.conv_law = make(Law::power, 4e-10, 0.45, 1);
  truth.offset_J = 2e-4;
  truth.per_byte_J = 1e-10;
  const std::vector<Sample> samples = conv_samples(truth, 800, 11);
  const TypeFit fit = fit_type(samples, FitOptions{});
  // The paper's form has no offset: the traffic-and-shape model must beat it on held-out error.
  EXPECT_LT(fit.cv.at("traffic").mape, fit.cv.at("paper").mape);
  EXPECT_LT(fit.cv.at("traffic").mape, 5.0);
  const FittedModel& better = fit.models.at("traffic");
  EXPECT_NEAR(better.coef[0] / truth.offset_J, 1.0, 0.1);
  EXPECT_NEAR(better.coef[2] / truth.per_byte_J, 1.0, 0.1);
  EXPECT_NE(fit.chosen, "paper");
}

TEST(Fitter, PolynomialBaselineIsSparseAndPredicts) {
  SyntheticTruth truth;
  truth.conv_law = make(Law::power, 4e-10, 0.45, 1);
  const std::vector<Sample> samples = conv_samples(truth, 800, 5);
  const TypeFit fit = fit_type(samples, FitOptions{});
  const PolyModel& poly = fit.models.at("poly").poly;
  EXPECT_LT(poly.terms.size(), poly.candidates);
  // log E = log a + log MACs − b log K is within the polynomial family.
  EXPECT_LT(fit.cv.at("poly").mape, 5.0);
}

TEST(Fitter, WrongLawIsWorseThanTrueLaw) {
  // The test can fail: a tile law with w = 64 on K values that are mostly not multiples of 64.
  SyntheticTruth truth;
  truth.conv_law = make(Law::tile, 2e-11, 0, 64);
  truth.noise = 0.01;
  const TypeFit fit = fit_type(conv_samples(truth, 500, 21), FitOptions{});
  EXPECT_LT(fit.cv.at("law:tile").mape, fit.cv.at("law:power").mape);
  EXPECT_LT(fit.cv.at("law:tile").mape, fit.cv.at("law:inverse").mape);
}

}  // namespace
}  // namespace layer_energy::analysis
