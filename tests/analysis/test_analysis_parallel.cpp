// The fit's speed-ups must not change what it computes: parallel jobs, subsampled rows, flattened trees, and the
// time corrector added to an existing roofline fit.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

#include "analysis/boosted_trees.hpp"
#include "analysis/fit_pipeline.hpp"
#include "analysis/model_json.hpp"
#include "analysis/parallel.hpp"
#include "analysis/row_sample.hpp"
#include "analysis/simulator/device_specs.hpp"
#include "analysis/simulator/sim_grids.hpp"
#include "analysis/simulator/sim_json.hpp"

using namespace layer_energy::analysis;
namespace sim = layer_energy::sim;

namespace {

// LAYER_ENERGY_THREADS for the scope of one test.
class ThreadsEnv {
 public:
  explicit ThreadsEnv(const std::string& value) { ::setenv("LAYER_ENERGY_THREADS", value.c_str(), 1); }
  ~ThreadsEnv() { ::unsetenv("LAYER_ENERGY_THREADS"); }
};

std::string simulated_file(const std::string& tag, std::size_t layers) {
  const std::string path = ::testing::TempDir() + "parallel_" + tag + "_" + std::to_string(::getpid()) + ".json";
  sim::RunOptions options;
  options.repetitions = 2;
  std::ofstream(path) << sim::result_json(sim::gpu_device(sim::gpu_preset("h200")), sim::random_layers(layers, 3),
                                          options);
  return path;
}

std::string fitted_model_text(const std::string& path) {
  FitRequest request;
  request.files = {path};
  request.options.poly = true;
  return model_to_json(run_fit(request).model).dump();
}

}  // namespace

TEST(ParallelFor, RunsEveryJobOnceOnAtMostTheThreadCount) {
  const ThreadsEnv env("3");
  EXPECT_EQ(analysis_threads(), 3u);
  std::vector<std::atomic<int>> runs(100);
  std::atomic<std::size_t> max_worker{0};
  parallel_for(runs.size(), [&](std::size_t i, std::size_t worker) {
    ++runs[i];
    std::size_t seen = max_worker.load();
    while (worker > seen && !max_worker.compare_exchange_weak(seen, worker)) {
    }
  });
  for (const auto& r : runs) EXPECT_EQ(r.load(), 1);
  EXPECT_LT(max_worker.load(), 3u);
}

TEST(ParallelFor, NestedCallRunsInlineOnItsThread) {
  const ThreadsEnv env("2");
  std::atomic<int> inner_nonzero_worker{0}, inner_runs{0};
  parallel_for(4, [&](std::size_t, std::size_t) {
    parallel_for(5, [&](std::size_t, std::size_t worker) {
      ++inner_runs;
      if (worker != 0) ++inner_nonzero_worker;
    });
  });
  EXPECT_EQ(inner_runs.load(), 20);
  EXPECT_EQ(inner_nonzero_worker.load(), 0);
}

TEST(ParallelFor, RethrowsAJobsException) {
  const ThreadsEnv env("2");
  EXPECT_THROW(parallel_for(10,
                            [](std::size_t i, std::size_t) {
                              if (i == 7) throw std::runtime_error("job 7");
                            }),
               std::runtime_error);
  // The pool is usable afterwards (no thread left marked as inside a job).
  std::atomic<int> runs{0};
  parallel_for(6, [&](std::size_t, std::size_t) { ++runs; });
  EXPECT_EQ(runs.load(), 6);
}

TEST(RowSample, SmallSetsAreKeptWhole) {
  const std::vector<int> rows = {5, 1, 9};
  EXPECT_EQ(row_sample(rows, 3), rows);
}

TEST(RowSample, CapsDeterministicallyToASortedSubset) {
  std::vector<int> rows;
  for (int i = 0; i < 5000; ++i) rows.push_back(3 * i);
  const std::vector<int> a = row_sample(rows, 700);
  ASSERT_EQ(a.size(), 700u);
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
  EXPECT_EQ(std::set<int>(a.begin(), a.end()).size(), 700u);
  for (const int r : a) EXPECT_EQ(r % 3, 0);
  // The order of the input does not matter; the same rows give the same sample.
  std::vector<int> reversed(rows.rbegin(), rows.rend());
  EXPECT_EQ(row_sample(reversed, 700), a);
  // Spread over the range, not the first rows: both halves are represented about equally.
  const auto low = std::count_if(a.begin(), a.end(), [](int r) { return r < 7500; });
  EXPECT_GT(low, 280);
  EXPECT_LT(low, 420);
}

TEST(FlattenedTrees, PredictLikeTheNodeWalk) {
  // Residual-like targets with structure in two variables, and a single-leaf tree among deeper ones.
  std::vector<TreeInput> x;
  std::vector<double> y;
  std::vector<int> rows;
  for (int i = 0; i < 600; ++i) {
    TreeInput t{};
    for (int j = 0; j < kTreeVars; ++j) t[static_cast<std::size_t>(j)] = std::sin(0.37 * i * (j + 1)) * (j + 2);
    x.push_back(t);
    y.push_back(0.3 * (t[0] > 0.5) - 0.2 * (t[2] < -1) + 0.01 * std::cos(i));
    rows.push_back(i);
  }
  TreeOptions options;
  options.rounds = 40;
  BoostedTrees flat = fit_boosted_trees(x, y, rows, options);
  ASSERT_FALSE(flat.empty());
  BoostedTrees walk;
  walk.nodes = flat.nodes, walk.roots = flat.roots;  // not flattened: predict() walks the nodes
  walk.roots.push_back(static_cast<int>(walk.nodes.size()));
  walk.nodes.push_back(TreeNode{-1, 0, -1, -1, 0.125});  // a tree that is one leaf
  BoostedTrees with_leaf = walk;
  with_leaf.flatten();
  for (int i = 0; i < 600; i += 7) {
    TreeInput probe = x[static_cast<std::size_t>(i)];
    probe[1] += 0.05;  // between the training values too
    EXPECT_DOUBLE_EQ(with_leaf.predict(probe), walk.predict(probe)) << i;
  }
  TreeInput nan_input{};
  nan_input.fill(std::nan(""));
  EXPECT_DOUBLE_EQ(with_leaf.predict(nan_input), walk.predict(nan_input));  // NaN goes right in both
}

TEST(FitThreads, TheModelDoesNotDependOnTheThreadCount) {
  const std::string path = simulated_file("threads", 240);
  std::string one, three;
  {
    const ThreadsEnv env("1");
    one = fitted_model_text(path);
  }
  {
    const ThreadsEnv env("3");
    three = fitted_model_text(path);
  }
  std::remove(path.c_str());
  EXPECT_EQ(one, three);
}
