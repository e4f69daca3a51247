#include "check/check_summary.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace memsafe::tools {
namespace {

TestResult Result(std::string name, TestOutcome outcome, double seconds = 1.0, std::string command = "") {
  TestResult result;
  result.name = std::move(name);
  result.outcome = outcome;
  result.seconds = seconds;
  result.command = std::move(command);
  result.canary = result.name.rfind("canary.", 0) == 0;
  return result;
}

PresetRun Ran(const std::string& tools, const std::vector<TestResult>& results) {
  PresetRun run;
  run.label = "p";
  run.tools = tools;
  run.configured = run.built = run.tested = true;
  run.counts = CountResults(results);
  return run;
}

TEST(CheckSummaryTest, CleanRunWithCaughtCanariesPasses) {
  PresetRun run = Ran("address", {Result("a", TestOutcome::kPassed), Result("canary.address.x", TestOutcome::kPassed)});
  EXPECT_TRUE(JudgeRun(&run));
  EXPECT_EQ(Verdict(run), "ok");
}

TEST(CheckSummaryTest, FailureTimeoutCrashAndNotRunEachFailThePreset) {
  for (TestOutcome bad : {TestOutcome::kFailed, TestOutcome::kTimeout, TestOutcome::kCrashed, TestOutcome::kNotRun}) {
    PresetRun run = Ran("address", {Result("a", bad), Result("canary.address.x", TestOutcome::kPassed)});
    EXPECT_FALSE(JudgeRun(&run)) << OutcomeName(bad);
    EXPECT_EQ(Verdict(run), "FAILED");
    ASSERT_EQ(run.problems.size(), 1u);
    EXPECT_NE(run.problems[0].find("1 of"), std::string::npos) << run.problems[0];
  }
}

TEST(CheckSummaryTest, ARunWhoseVerdictsCannotBeTrustedFailsThePreset) {
  PresetRun run = Ran("address", {Result("a", TestOutcome::kPassed), Result("canary.address.x", TestOutcome::kPassed)});
  run.unsound = {"tests defined more than once: a (their logs and verdicts would mix; give each its own name)"};
  EXPECT_FALSE(JudgeRun(&run)) << "every test passed, but two of them wrote the same logs";
  EXPECT_EQ(Verdict(run), "unsound");
  ASSERT_EQ(run.problems.size(), 1u);
  EXPECT_NE(run.problems[0].find("defined more than once"), std::string::npos) << run.problems[0];
}

TEST(CheckSummaryTest, AProgramRelinkedWhileTheTestsRanFailsThePreset) {
  PresetRun run = Ran("thread", {Result("a", TestOutcome::kPassed), Result("canary.thread.x", TestOutcome::kPassed)});
  run.changed_during_run = {"/b/tests/unit/pool_test"};
  EXPECT_FALSE(JudgeRun(&run)) << "every test passed, but some may have run another build";
  EXPECT_EQ(Verdict(run), "tree changed");
  ASSERT_EQ(run.problems.size(), 1u);
  EXPECT_NE(run.problems[0].find("changed while its tests ran"), std::string::npos) << run.problems[0];
  EXPECT_NE(run.problems[0].find("/b/tests/unit/pool_test"), std::string::npos) << run.problems[0];
}

// A project whose tests are behind a switch of its own builds none under memsafe's
// presets: canaries alone must not pass, and the message names the switches found.
TEST(CheckSummaryTest, APresetThatRanOnlyCanariesFailsNamingTheTestSwitches) {
  PresetRun run = Ran("address", {Result("canary.address.x", TestOutcome::kPassed)});
  run.test_switches = {"FOO_BUILD_TESTS (CMakeLists.txt:3)"};
  EXPECT_FALSE(JudgeRun(&run));
  EXPECT_EQ(Verdict(run), "no tests");
  ASSERT_EQ(run.problems.size(), 1u);
  EXPECT_NE(run.problems[0].find("no test of the project ran, only memsafe's 1 canaries"), std::string::npos)
      << run.problems[0];
  EXPECT_NE(run.problems[0].find("FOO_BUILD_TESTS (CMakeLists.txt:3)"), std::string::npos) << run.problems[0];
  PresetRun shard = Ran("address", {Result("canary.address.x", TestOutcome::kPassed)});
  shard.sharded = true;
  EXPECT_TRUE(JudgeRun(&shard)) << "one shard may hold none of a small project's tests";
  PresetRun cached = Ran("address", {Result("canary.address.x", TestOutcome::kPassed)});
  AddCachedResults({"a"}, {}, &cached);
  EXPECT_TRUE(JudgeRun(&cached)) << "a test taken from the cache ran before";
}

TEST(CheckSummaryTest, JsonSummaryHasTheTableAndTheProjectTestsApartFromCanaries) {
  PresetRun clean = Ran("address", {Result("a", TestOutcome::kPassed), Result("b", TestOutcome::kPassed),
                                    Result("canary.address.x", TestOutcome::kPassed)});
  clean.label = "asan";
  JudgeRun(&clean);
  PresetRun failed =
      Ran("thread", {Result("a", TestOutcome::kFailed), Result("canary.thread.x", TestOutcome::kFailed)});
  failed.label = "tsan";
  failed.native = 1;
  JudgeRun(&failed);
  const nlohmann::json json = nlohmann::json::parse(FormatSummaryJson({clean, failed}));
  ASSERT_EQ(json["presets"].size(), 2u);
  EXPECT_EQ(json["presets"][0]["preset"], "asan");
  EXPECT_EQ(json["presets"][0]["result"], "ok");
  EXPECT_EQ(json["presets"][0]["tests"], 3);
  EXPECT_EQ(json["presets"][0]["project_tests"], 2);
  EXPECT_EQ(json["presets"][0]["native_tests"], 0);
  EXPECT_EQ(json["presets"][1]["native_tests"], 1) << "a test Valgrind did not run is not hidden in project_tests";
  EXPECT_EQ(json["presets"][0]["canaries_caught"], 1);
  EXPECT_EQ(json["presets"][1]["failures"], 2);
  EXPECT_EQ(json["presets"][1]["canaries"], 1);
  EXPECT_EQ(json["presets"][1]["canaries_caught"], 0);
  EXPECT_EQ(json["presets"][1]["result"], Verdict(failed));
  EXPECT_FALSE(json["presets"][1]["problems"].empty());
  EXPECT_FALSE(json["presets"][0].contains("shard"));
  EXPECT_TRUE(json["presets"][0]["overhead"].is_null()) << "not measured is not zero";
}

// The nightly runs a preset as shards, each its own summary: each row says which shard
// of which preset it is, so that the history puts them back together.
TEST(CheckSummaryTest, AShardsRowNamesItsPresetAndShard) {
  PresetRun shard = Ran("valgrind", {Result("canary.valgrind.x", TestOutcome::kPassed)});
  shard.label = "valgrind shard 2/3";
  shard.sharded = true;
  shard.shard = "2/3";
  shard.overhead = 12.5;
  JudgeRun(&shard);
  const nlohmann::json json = nlohmann::json::parse(FormatSummaryJson({shard}));
  EXPECT_EQ(json["presets"][0]["preset"], "valgrind shard 2/3");
  EXPECT_EQ(json["presets"][0]["shard"], "2/3");
  EXPECT_EQ(json["presets"][0]["shard_of"], "valgrind");
  EXPECT_EQ(json["presets"][0]["overhead"], 12.5);
}

TEST(CheckSummaryTest, SkippedTestsAreCountedAndShownButDoNotFail) {
  PresetRun run = Ran("address", {Result("a", TestOutcome::kSkipped), Result("b", TestOutcome::kDisabled),
                                  Result("canary.address.x", TestOutcome::kPassed)});
  EXPECT_TRUE(JudgeRun(&run));
  EXPECT_EQ(run.counts.skipped, 2);
  const std::string table = FormatSummary({run});
  EXPECT_NE(table.find("SKIPPED"), std::string::npos);
  EXPECT_NE(table.find("p: skipped: a, b"), std::string::npos) << table;
  EXPECT_NE(FormatSummaryMarkdown({run}).find("| skipped |"), std::string::npos);
}

TEST(CheckSummaryTest, ResultsFromTheCacheAreCountedAndSaidSo) {
  PresetRun run = Ran("address", {Result("canary.address.x", TestOutcome::kPassed)});
  std::vector<std::string> passed(40, "cached pass");
  AddCachedResults(passed, {"SkipsUnderThisTool"}, &run);
  EXPECT_EQ(run.counts.run, 41);
  EXPECT_EQ(run.counts.skipped, 1);
  EXPECT_TRUE(JudgeRun(&run)) << "a cached skip, like a fresh one, does not fail the preset";
  const std::string table = FormatSummary({run});
  EXPECT_NE(table.find("p: 40 of 41 results and 1 of 1 skips from the cache"), std::string::npos) << table;
  EXPECT_NE(table.find("p: skipped: SkipsUnderThisTool (cached)"), std::string::npos) << table;
}

TEST(CheckSummaryTest, ToolPresetWithoutACanaryOrWithAMissedOneFails) {
  PresetRun none = Ran("thread", {Result("a", TestOutcome::kPassed)});
  EXPECT_FALSE(JudgeRun(&none));
  EXPECT_EQ(Verdict(none), "no canaries");
  PresetRun missed =
      Ran("thread", {Result("a", TestOutcome::kPassed), Result("canary.thread.x", TestOutcome::kFailed)});
  EXPECT_FALSE(JudgeRun(&missed));
  EXPECT_EQ(missed.problems.size(), 2u);  // the failed test, and the canary not caught
  // A preset without a memory tool (the fast run) needs no canary.
  PresetRun fast = Ran("", {Result("a", TestOutcome::kPassed)});
  EXPECT_TRUE(JudgeRun(&fast));
}

TEST(CheckSummaryTest, MissingProgramsAndFailedStepsAreNeverGreen) {
  PresetRun missing;
  missing.label = "valgrind";
  missing.tools = "valgrind";
  missing.missing = {"valgrind"};
  EXPECT_FALSE(JudgeRun(&missing));
  EXPECT_EQ(Verdict(missing), "missing tools");
  EXPECT_NE(missing.problems[0].find("missing valgrind"), std::string::npos);
  PresetRun unbuilt;
  unbuilt.configured = true;
  EXPECT_FALSE(JudgeRun(&unbuilt));
  EXPECT_EQ(Verdict(unbuilt), "build failed");
  PresetRun untested;
  untested.configured = untested.built = true;
  EXPECT_FALSE(JudgeRun(&untested));
  EXPECT_EQ(Verdict(untested), "no results");
}

TEST(CheckSummaryTest, OverheadComparesCasesAndValgrindBatchesWithTheFastRun) {
  const std::string bash = "/usr/bin/bash \"/src/cmake/memsafe-run.sh\" \"--tool\" \"none\" ";
  const std::vector<TestResult> fast = {
      Result("Suite.A", TestOutcome::kPassed, 1.0, bash + "\"/b/dev/pool_test\" \"--gtest_filter=Suite.A\""),
      Result("Suite.B", TestOutcome::kPassed, 2.0, bash + "\"/b/dev/pool_test\" \"--gtest_filter=Suite.B\""),
      Result("Suite.Slow", TestOutcome::kPassed, 4.0, bash + "\"/b/dev/pool_test\" \"--gtest_filter=Suite.Slow\""),
  };
  // A sanitizer preset runs the same cases: 3x slower.
  const std::vector<TestResult> asan = {Result("Suite.A", TestOutcome::kPassed, 3.0),
                                        Result("Suite.B", TestOutcome::kPassed, 6.0)};
  ASSERT_TRUE(ToolOverhead(fast, asan));
  EXPECT_DOUBLE_EQ(*ToolOverhead(fast, asan), 3.0);
  // A Valgrind batch runs A and B in one process; Slow runs apart.
  const std::vector<TestResult> valgrind = {Result("pool_test", TestOutcome::kPassed, 30.0),
                                            Result("pool_test.Suite.Slow", TestOutcome::kPassed, 40.0)};
  ASSERT_TRUE(ToolOverhead(fast, valgrind));
  EXPECT_DOUBLE_EQ(*ToolOverhead(fast, valgrind), 70.0 / 7.0);
  EXPECT_FALSE(ToolOverhead({}, asan));
  std::string executable, filter;
  GtestCaseOfCommand(fast[1].command, &executable, &filter);
  EXPECT_EQ(executable, "pool_test");
  EXPECT_EQ(filter, "Suite.B");
}

}  // namespace
}  // namespace memsafe::tools
