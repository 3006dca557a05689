// The RAPL powercap source against fixture trees (tests/fixtures/sysfs/rapl-*), and copies of them that a test
// changes: counters near their wrap, unreadable energy files, missing zones.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "power/rail_selection.hpp"
#include "power/rapl_source.hpp"
#include "source_poll.hpp"
#include "temp_tree.hpp"
#include "unprivileged.hpp"

namespace layer_energy::power {
namespace {

using test::Poll;
using test::poll;
using test::TempTree;

const std::string kIntel = std::string(LAYER_ENERGY_FIXTURES) + "/sysfs/rapl-intel";
const std::string kAmd = std::string(LAYER_ENERGY_FIXTURES) + "/sysfs/rapl-amd";
const std::string kZones = "/sys/class/powercap/";
constexpr std::uint64_t kIntelPackageMax = 262143328850ULL;

std::size_t rail_index(const PowerSource& source, const std::string& name) {
  const auto& rails = source.rails();
  const auto it = std::find_if(rails.begin(), rails.end(), [&](const Rail& r) { return r.name == name; });
  EXPECT_NE(it, rails.end()) << "no rail " << name;
  return static_cast<std::size_t>(it - rails.begin());
}

// The value of rail `name` in one poll; NaN-free: fails the test when absent.
double value_of(const PowerSource& source, const Poll& p, const std::string& name) {
  const std::size_t index = rail_index(source, name);
  for (const Reading& r : p.readings) {
    if (r.rail == index) return r.value;
  }
  ADD_FAILURE() << "no reading of " << name;
  return -1.0;
}

std::vector<std::string> names(const std::vector<Rail>& rails, bool default_total_only) {
  std::vector<std::string> out;
  for (const Rail& r : rails) {
    if (!default_total_only || r.default_total) out.push_back(r.name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool one_line(const std::string& s) {
  return !s.empty() && s.find('\n') == std::string::npos;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Replaces a zone's energy_uj with a directory: open() works, read() fails with EISDIR, even for root.
void make_energy_a_directory(const TempTree& tree, const std::string& zone) {
  const std::string path = tree / (kZones + zone + "/energy_uj");
  ASSERT_EQ(::unlink(path.c_str()), 0) << path;
  ASSERT_EQ(::mkdir(path.c_str(), 0755), 0) << path;
}

// Feeds raw readings one second apart (a wrap at these ranges is plausible in that time); 0 when refused.
class Feed {
 public:
  explicit Feed(std::uint64_t max_range_uj) : counter_(max_range_uj) {}
  std::uint64_t operator()(std::uint64_t raw_uj, double dt_s = 1.0) {
    t_s_ += dt_s;
    const auto total = counter_.update(raw_uj, t_s_, &why_);
    return total ? *total : 0;
  }
  const std::string& why() const { return why_; }

 private:
  RaplCounter counter_;
  double t_s_ = 0.0;
  std::string why_;
};

TEST(RaplCounter, CountsWithoutWrap) {
  Feed c(1000);
  EXPECT_EQ(c(100), 100u);  // the first reading starts the total
  EXPECT_EQ(c(350), 350u);
  EXPECT_EQ(c(350), 350u);  // same raw value: no energy, not the raw value re-added
}

TEST(RaplCounter, WrapsAtMaxRangeInclusive) {
  Feed c(1000);
  c(990);
  EXPECT_EQ(c(5), 990u + 10u + 1u + 5u);  // 990 -> 1000 -> 0 -> 5
  Feed d(1000);
  d(1000);
  EXPECT_EQ(d(0), 1001u);  // the maximum is a value the counter takes; 0 follows it one step later
}

TEST(RaplCounter, AccumulatesPastTheRangeIn64Bits) {
  Feed c(kIntelPackageMax);
  std::uint64_t raw = 0;
  c(raw);
  const std::uint64_t step = kIntelPackageMax / 3;  // 87 kJ: 87 W over 1000 s
  for (int i = 0; i < 30; ++i) {
    raw = (raw + step) % (kIntelPackageMax + 1);
    c(raw, 1000.0);
  }
  EXPECT_EQ(c(raw, 1000.0), 30 * step);  // ten wraps, far beyond 2^32 and beyond max_energy_range_uj
}

TEST(RaplCounter, StepBackFarFromTheTopIsNoWrap) {
  // 10 W for 0.1 s, then the counter reads 5 J: folding that as a wrap would add 262 kJ (2.6 MW).
  Feed c(kIntelPackageMax);
  c(123456789012ULL);
  EXPECT_EQ(c(123457789012ULL, 0.1), 123457789012ULL);
  EXPECT_EQ(c(5000000, 0.1), 0u);
  EXPECT_TRUE(contains(c.why(), "stepped back from 123457789012 to 5000000 uJ")) << c.why();
  EXPECT_TRUE(contains(c.why(), "reset or bad read")) << c.why();
  EXPECT_TRUE(one_line(c.why())) << c.why();
  // The next reading follows on from 5 J: the counter was reset there; counting goes on from it, the total intact.
  EXPECT_EQ(c(6000000, 0.1), 123457789012ULL + 1000000);
  EXPECT_EQ(c(7000000, 0.1), 123457789012ULL + 2000000);
}

TEST(RaplCounter, BadReadInBetweenIsRefusedAndIgnored) {
  Feed c(kIntelPackageMax);
  c(50000000000ULL);
  EXPECT_EQ(c(17, 0.1), 0u);  // a bad read
  // The next reading follows on from the last good one (2 J over 0.2 s), not from the bad one.
  EXPECT_EQ(c(50002000000ULL, 0.1), 50002000000ULL);
  EXPECT_EQ(c(50003000000ULL, 0.1), 50003000000ULL);
}

TEST(RaplCounter, WrapMustFitTheElapsedTime) {
  // From mid-range back to 1 J is a 132 kJ wrap: 1.3 kW over 100 s is possible, 13 kW over 10 s is not.
  const std::uint64_t mid = kIntelPackageMax / 2;
  const std::uint64_t wrap = kIntelPackageMax - mid + 1 + 1000000;
  Feed slow(kIntelPackageMax);
  slow(mid);
  EXPECT_EQ(slow(1000000, 100.0), mid + wrap);
  Feed fast(kIntelPackageMax);
  fast(mid);
  EXPECT_EQ(fast(1000000, 10.0), 0u);
  // Near the top a wrap of a few joules within a poll is plausible.
  Feed top(kIntelPackageMax);
  top(kIntelPackageMax - 1000000);
  EXPECT_EQ(top(1000000, 0.1), kIntelPackageMax - 1000000 + 1000000 + 1 + 1000000);
}

TEST(RaplCounter, ImpossibleJumpForwardIsRefused) {
  Feed c(kIntelPackageMax);
  c(1000);
  EXPECT_EQ(c(200000000000ULL, 0.1), 0u);  // 200 kJ in 0.1 s
  EXPECT_TRUE(contains(c.why(), "jumped")) << c.why();
  EXPECT_EQ(c(1000 + 1000000, 0.1), 1000u + 1000000);
}

TEST(RaplSource, IntelRailsAndDefaultTotal) {
  auto source = make_rapl_source(kIntel);
  ASSERT_EQ(source->unusable_reason(), "");
  EXPECT_EQ(source->name(), "rapl");
  const auto& rails = source->rails();
  // psys (contains the packages) and the intel-rapl-mmio duplicate of package-0 are not rails.
  EXPECT_EQ(names(rails, false), (std::vector<std::string>{"core-0", "core-1", "dram-0", "dram-1", "package-0",
                                                           "package-1", "uncore-0", "uncore-1"}));
  EXPECT_EQ(names(rails, true), (std::vector<std::string>{"dram-0", "dram-1", "package-0", "package-1"}));
  for (const Rail& r : rails) {
    EXPECT_EQ(r.quantity, Quantity::energy_j) << r.name;
    EXPECT_FALSE(r.edge_only) << r.name;
    EXPECT_DOUBLE_EQ(r.resolution, 1e-6) << r.name;
  }
  // The default selection is exactly packages + dram: core/uncore would count their energy twice.
  std::vector<std::string> selected;
  for (std::size_t i : select_rails(rails, "")) selected.push_back(rails[i].name);
  std::sort(selected.begin(), selected.end());
  EXPECT_EQ(selected, (std::vector<std::string>{"dram-0", "dram-1", "package-0", "package-1"}));
  EXPECT_DOUBLE_EQ(source->update_period_s(), 0.001);
  EXPECT_EQ(source->board(), "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz");
  const auto context = source->context();
  ASSERT_EQ(context.count("rapl_update_s"), 1u);
  EXPECT_TRUE(contains(context.at("rapl_update_s"), "1 ms"));
  EXPECT_TRUE(contains(context.at("rapl_zones"), "dram-1=intel-rapl:1:2")) << context.at("rapl_zones");
  EXPECT_TRUE(contains(context.at("rapl_skipped"), "intel-rapl:2 (psys")) << context.at("rapl_skipped");
}

TEST(RaplSource, PsysOnRequestIsNeverInTheTotal) {
  RaplOptions options;
  options.include_psys = true;
  auto source = make_rapl_source(kIntel, options);
  ASSERT_EQ(source->unusable_reason(), "");
  const Rail& psys = source->rails()[rail_index(*source, "psys")];
  EXPECT_FALSE(psys.default_total);
  EXPECT_EQ(names(source->rails(), true), (std::vector<std::string>{"dram-0", "dram-1", "package-0", "package-1"}));
}

TEST(RaplSource, AmdPackageAndCore) {
  auto source = make_rapl_source(kAmd);
  ASSERT_EQ(source->unusable_reason(), "");
  EXPECT_EQ(names(source->rails(), false), (std::vector<std::string>{"core-0", "package-0"}));
  EXPECT_EQ(names(source->rails(), true), (std::vector<std::string>{"package-0"}));
  EXPECT_EQ(source->board(), "AMD Ryzen 9 7950X 16-Core Processor");
  EXPECT_TRUE(contains(source->context().at("rapl_max_energy_range_uj"), "package-0:65532610987"));
}

TEST(RaplSource, ReadingsAreJoulesFromMicrojoules) {
  auto source = make_rapl_source(kIntel);
  ASSERT_EQ(source->unusable_reason(), "");
  const double before = now_s();
  const Poll p = poll(*source);
  const double after = now_s();
  EXPECT_TRUE(p.failures.empty());
  ASSERT_EQ(p.readings.size(), source->rails().size());
  EXPECT_DOUBLE_EQ(value_of(*source, p, "package-0"), 123456.789012);
  EXPECT_DOUBLE_EQ(value_of(*source, p, "dram-0"), 9876.543210);
  EXPECT_DOUBLE_EQ(value_of(*source, p, "package-1"), 98765.432109);
  EXPECT_DOUBLE_EQ(value_of(*source, p, "uncore-1"), 2345.678901);
  for (const Reading& r : p.readings) {
    EXPECT_GE(r.t_s, before);
    EXPECT_LE(r.t_s, after);
  }
  auto amd = make_rapl_source(kAmd);
  EXPECT_DOUBLE_EQ(value_of(*amd, poll(*amd), "package-0"), 31415.926535);
}

TEST(RaplSource, WrapInsideAWindowAddsTheRightEnergy) {
  TempTree tree(kIntel);
  const std::string package0 = kZones + "intel-rapl:0/energy_uj";
  tree.write(package0, std::to_string(kIntelPackageMax - 1000) + "\n");
  // dram-0 starts near its own top too: jumping there between two polls would be an impossible 55 kJ step.
  const std::string dram0 = kZones + "intel-rapl:0:2/energy_uj";
  tree.write(dram0, "65712999600\n");
  auto source = make_rapl_source(tree.path());
  ASSERT_EQ(source->unusable_reason(), "");
  const Poll first = poll(*source);
  const double start = value_of(*source, first, "package-0");
  const double dram_start = value_of(*source, first, "dram-0");
  tree.write(package0, "500\n");
  const double wrapped = value_of(*source, poll(*source), "package-0");
  EXPECT_NEAR(wrapped - start, 1501e-6, 1e-9);  // 1000 up to the maximum, 1 to wrap to 0, 500 after
  tree.write(package0, "2500\n");
  EXPECT_NEAR(value_of(*source, poll(*source), "package-0") - start, 3501e-6, 1e-9);
  // dram-0 wraps at its own, smaller range (65712999613), not at the package's and not at 2^32.
  tree.write(dram0, "7\n");
  EXPECT_NEAR(value_of(*source, poll(*source), "dram-0") - dram_start, 21e-6, 1e-9);
}

TEST(RaplSource, CounterResetIsAReadFailureNotEnergy) {
  TempTree tree(kIntel);
  const std::string package0 = kZones + "intel-rapl:0/energy_uj";
  auto source = make_rapl_source(tree.path());
  ASSERT_EQ(source->unusable_reason(), "");
  const double start = value_of(*source, poll(*source), "package-0");  // 123456.789012 J, mid-range
  tree.write(package0, "5000000\n");
  const Poll reset = poll(*source);
  ASSERT_EQ(reset.failures.size(), 1u);
  EXPECT_EQ(reset.failures[0].rail, rail_index(*source, "package-0"));
  EXPECT_TRUE(contains(reset.failures[0].why, "intel-rapl:0/energy_uj")) << reset.failures[0].why;
  EXPECT_TRUE(contains(reset.failures[0].why, "stepped back")) << reset.failures[0].why;
  EXPECT_TRUE(one_line(reset.failures[0].why)) << reset.failures[0].why;
  EXPECT_EQ(reset.readings.size(), source->rails().size() - 1);
  tree.write(package0, "6000000\n");
  EXPECT_NEAR(value_of(*source, poll(*source), "package-0") - start, 1.0, 1e-9);  // 1 J after the reset, no 262 kJ
}

TEST(RaplSource, SameRawValueTwiceKeepsTheTotal) {
  TempTree tree(kIntel);
  const std::string package0 = kZones + "intel-rapl:0/energy_uj";
  tree.write(package0, std::to_string(kIntelPackageMax - 10) + "\n");
  auto source = make_rapl_source(tree.path());
  ASSERT_EQ(source->unusable_reason(), "");
  poll(*source);
  tree.write(package0, "40\n");
  const double first = value_of(*source, poll(*source), "package-0");
  const double second = value_of(*source, poll(*source), "package-0");
  EXPECT_EQ(first, second);
  EXPECT_GT(second, 40e-6);  // the accumulated total, not the raw value
}

TEST(RaplSource, UnreadablePackageCounterMakesTheSourceUnusable) {
  TempTree tree(kIntel);
  make_energy_a_directory(tree, "intel-rapl:1");
  auto source = make_rapl_source(tree.path());
  const std::string reason = source->unusable_reason();
  EXPECT_TRUE(one_line(reason)) << reason;
  EXPECT_EQ(reason.rfind("rapl: ", 0), 0u) << reason;
  EXPECT_TRUE(contains(reason, "intel-rapl:1/energy_uj")) << reason;
  EXPECT_TRUE(source->rails().empty());
  const Poll p = poll(*source);
  EXPECT_TRUE(p.readings.empty());
  EXPECT_TRUE(p.failures.empty());
}

TEST(RaplSource, UnreadableCoreCounterIsSkippedAndSaid) {
  TempTree tree(kIntel);
  make_energy_a_directory(tree, "intel-rapl:0:0");
  auto source = make_rapl_source(tree.path());
  ASSERT_EQ(source->unusable_reason(), "");
  const auto all = names(source->rails(), false);
  EXPECT_EQ(std::count(all.begin(), all.end(), "core-0"), 0);
  EXPECT_EQ(std::count(all.begin(), all.end(), "core-1"), 1);
  EXPECT_TRUE(contains(source->context().at("rapl_skipped"), "intel-rapl:0:0")) << source->context().at("rapl_skipped");
}

TEST(RaplSource, FailedReadIsReportedAndCountingResumes) {
  TempTree tree(kIntel);
  auto source = make_rapl_source(tree.path());
  ASSERT_EQ(source->unusable_reason(), "");
  const double start = value_of(*source, poll(*source), "dram-0");
  make_energy_a_directory(tree, "intel-rapl:0:2");
  const Poll broken = poll(*source);
  ASSERT_EQ(broken.failures.size(), 1u);
  EXPECT_EQ(broken.failures[0].rail, rail_index(*source, "dram-0"));
  EXPECT_TRUE(one_line(broken.failures[0].why)) << broken.failures[0].why;
  EXPECT_TRUE(contains(broken.failures[0].why, "intel-rapl:0:2/energy_uj")) << broken.failures[0].why;
  EXPECT_EQ(broken.readings.size(), source->rails().size() - 1);  // the others go on
  const std::string path = tree / (kZones + "intel-rapl:0:2/energy_uj");
  ASSERT_EQ(::rmdir(path.c_str()), 0);
  tree.write(kZones + "intel-rapl:0:2/energy_uj", "9876544210\n");
  EXPECT_NEAR(value_of(*source, poll(*source), "dram-0") - start, 1000e-6, 1e-9);
}

// The reason make_rapl_source gives to a user who is not root (unprivileged.hpp). Empty: the check cannot run here,
// including when that user cannot enter the tree.
std::string reason_as_unprivileged(const std::string& root) {
  return test::as_unprivileged([&root] {
    return ::access(root.c_str(), X_OK) == 0 ? make_rapl_source(root)->unusable_reason() : std::string();
  });
}

TEST(RaplSource, RootOnlyCounterNamesTheFix) {
  TempTree tree(kIntel);
  ASSERT_EQ(::chmod(tree.path().c_str(), 0755), 0);  // mkdtemp's 0700 would hide the whole tree from "nobody"
  // Linux >= 5.10 makes energy_uj 0400 root:root.
  for (const char* zone : {"intel-rapl:0", "intel-rapl:0:0", "intel-rapl:0:1", "intel-rapl:0:2", "intel-rapl:1",
                           "intel-rapl:1:0", "intel-rapl:1:1", "intel-rapl:1:2", "intel-rapl:2"}) {
    test::make_root_only(tree / (kZones + zone + "/energy_uj"));
  }
  const std::string reason = reason_as_unprivileged(tree.path());
  if (reason.empty()) GTEST_SKIP() << "cannot drop to an unprivileged user here";
  EXPECT_TRUE(one_line(reason)) << reason;
  EXPECT_TRUE(contains(reason, "intel-rapl:0/energy_uj is readable by root only")) << reason;
  EXPECT_TRUE(contains(reason, "run as root")) << reason;
  EXPECT_TRUE(contains(reason, "udev rule")) << reason;
  EXPECT_TRUE(contains(reason, "chmod o+r /sys/class/powercap/%k/energy_uj")) << reason;
}

TEST(RaplSource, NoPowercapSaysWhy) {
  auto source = make_rapl_source(std::string(LAYER_ENERGY_FIXTURES) + "/sysfs/no-such-board");
  const std::string reason = source->unusable_reason();
  EXPECT_TRUE(one_line(reason)) << reason;
  EXPECT_TRUE(contains(reason, "no-such-board/sys/class/powercap/intel-rapl:* zones")) << reason;
  EXPECT_TRUE(contains(reason, "driver is not loaded")) << reason;
  EXPECT_TRUE(source->rails().empty());
  EXPECT_TRUE(poll(*source).readings.empty());
}

TEST(RaplSource, MmioDuplicatesAloneAreNotUsed) {
  TempTree tree(kIntel);
  for (const char* zone : {"intel-rapl:0", "intel-rapl:0:0", "intel-rapl:0:1", "intel-rapl:0:2", "intel-rapl:1",
                           "intel-rapl:1:0", "intel-rapl:1:1", "intel-rapl:1:2", "intel-rapl:2"}) {
    const std::string link = tree / (kZones + zone);
    ASSERT_EQ(::unlink(link.c_str()), 0) << link;
  }
  auto source = make_rapl_source(tree.path());
  EXPECT_TRUE(contains(source->unusable_reason(), "intel-rapl:* zones")) << source->unusable_reason();
}

TEST(RaplSource, PsysAloneIsNoPackage) {
  TempTree tree(kIntel);
  for (const char* zone : {"intel-rapl:0", "intel-rapl:0:0", "intel-rapl:0:1", "intel-rapl:0:2", "intel-rapl:1",
                           "intel-rapl:1:0", "intel-rapl:1:1", "intel-rapl:1:2"}) {
    const std::string link = tree / (kZones + zone);
    ASSERT_EQ(::unlink(link.c_str()), 0) << link;
  }
  auto source = make_rapl_source(tree.path());
  EXPECT_TRUE(contains(source->unusable_reason(), "no package zone")) << source->unusable_reason();
  EXPECT_TRUE(contains(source->unusable_reason(), "psys")) << source->unusable_reason();
}

}  // namespace
}  // namespace layer_energy::power
