#include "baseline.h"

#include <string>

#include <gtest/gtest.h>

namespace memsafe::tools {
namespace {

TEST(BaselineTest, PeakIsTheLargestHeapPlusExtraOfAnySnapshot) {
  const std::string massif =
      "desc: (none)\ncmd: x\ntime_unit: i\n#-----------\nsnapshot=0\n#-----------\ntime=0\n"
      "mem_heap_B=0\nmem_heap_extra_B=0\nmem_stacks_B=0\nheap_tree=empty\n"
      "#-----------\nsnapshot=1\n#-----------\ntime=10\nmem_heap_B=1000\nmem_heap_extra_B=24\n"
      "mem_stacks_B=0\nheap_tree=peak\n"
      "#-----------\nsnapshot=2\n#-----------\ntime=20\nmem_heap_B=900\nmem_heap_extra_B=200\n"
      "mem_stacks_B=0\nheap_tree=empty\n";
  std::uint64_t peak = 0;
  ASSERT_TRUE(PeakFromMassif(massif, &peak));
  EXPECT_EQ(peak, 1100u);
  EXPECT_FALSE(PeakFromMassif("", &peak));
}

BaselineFile OneScenario() {
  BaselineFile file;
  file.threshold_percent = 10;
  file.rationale = "why";
  file.environment["compiler"] = "gcc 12.2.0";
  file.scenarios["pool"] = Measurement{"pool", 1000, 1000, 5000};
  return file;
}

TEST(BaselineTest, WrittenFileReadsBack) {
  BaselineFile read;
  std::string error;
  ASSERT_TRUE(ReadBaseline(WriteBaseline(OneScenario()), &read, &error)) << error;
  EXPECT_EQ(read.threshold_percent, 10);
  EXPECT_EQ(read.environment.at("compiler"), "gcc 12.2.0");
  EXPECT_EQ(read.scenarios.at("pool").peak_rss_kib, 5000u);
}

TEST(BaselineTest, MalformedFilesAreErrors) {
  BaselineFile read;
  std::string error;
  EXPECT_FALSE(ReadBaseline("{\"threshold_percent\": 10", &read, &error));
  EXPECT_FALSE(ReadBaseline("{\"scenarios\": {}}", &read, &error));
  EXPECT_FALSE(ReadBaseline("{\"threshold_percent\": 0, \"scenarios\": {}}", &read, &error));
  EXPECT_FALSE(ReadBaseline("{\"threshold_percent\": 10, \"scenarios\": {\"x\": {}}}", &read, &error));
}

int Failures(const std::vector<Verdict>& verdicts) {
  int failed = 0;
  for (const Verdict& v : verdicts) failed += v.failed ? 1 : 0;
  return failed;
}

TEST(BaselineTest, ComparisonFailsBeyondTheThresholdOnly) {
  const BaselineFile base = OneScenario();
  EXPECT_EQ(Failures(Compare(base, {Measurement{"pool", 1100, 1100, 5400}}, true)), 0);  // +10%, +8%
  const std::vector<Verdict> heap = Compare(base, {Measurement{"pool", 1200, 1200, 5000}}, true);
  ASSERT_EQ(Failures(heap), 1);
  EXPECT_EQ(heap[0].what, "peak heap (bytes)");
  EXPECT_DOUBLE_EQ(heap[0].delta_percent, 20.0);
  EXPECT_EQ(Failures(Compare(base, {Measurement{"pool", 1000, 1000, 6000}}, true)), 1);  // RSS +20%
}

TEST(BaselineTest, GrowthOverTimeAndUnknownScenariosFail) {
  const BaselineFile base = OneScenario();
  const std::vector<Verdict> growth = Compare(base, {Measurement{"pool", 1000, 1500, 5000}}, true);
  ASSERT_EQ(Failures(growth), 1);
  EXPECT_EQ(growth[2].what, "peak heap at 2x vs 1x");
  // "new" is not in the baseline (1) and "pool" was not measured (1); with --only names
  // only the first counts.
  EXPECT_EQ(Failures(Compare(base, {Measurement{"new", 1, 1, 1}}, true)), 2);
  EXPECT_EQ(Failures(Compare(base, {Measurement{"new", 1, 1, 1}}, false)), 1);
}

// A check of the whole baseline that measured fewer scenarios than the baseline holds
// (a program left out of --scenarios) fails, naming each scenario left out.
TEST(BaselineTest, ABaselineScenarioNoProgramMeasuredFailsTheCheck) {
  BaselineFile base = OneScenario();
  base.scenarios["report"] = Measurement{"report", 2000, 2000, 8000};
  const std::vector<Verdict> verdicts = Compare(base, {Measurement{"pool", 1000, 1000, 5000}}, true);
  ASSERT_EQ(Failures(verdicts), 1);
  EXPECT_EQ(verdicts.back().scenario, "report");
  EXPECT_NE(verdicts.back().what.find("not measured"), std::string::npos);
  EXPECT_EQ(Failures(Compare(base, {Measurement{"pool", 1000, 1000, 5000}}, false)), 0);
}

TEST(BaselineTest, ScenariosComeFromEveryProgramAndANameFromOneOnly) {
  std::vector<ScenarioProgram> found;
  std::string error;
  ASSERT_TRUE(
      ScenariosFromListings({{"lib", "pool\tthe pool\nstring\tstrings\n"}, {"tool", "report\tlogs\n"}}, &found, &error))
      << error;
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[1].scenario, "string");
  EXPECT_EQ(found[1].program, "lib");
  EXPECT_EQ(found[2].program, "tool");

  EXPECT_FALSE(ScenariosFromListings({{"lib", "pool\tx\n"}, {"tool", "pool\ty\n"}}, &found, &error));
  EXPECT_NE(error.find("'pool' is defined by both lib and tool"), std::string::npos) << error;
  EXPECT_FALSE(ScenariosFromListings({{"lib", "pool\tx\n"}, {"empty", "\n"}}, &found, &error));
  EXPECT_NE(error.find("empty --list printed no scenario"), std::string::npos) << error;
}

}  // namespace
}  // namespace memsafe::tools
