#include "check/ctest_results.h"

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace memsafe::tools {
namespace {

// Captured from CTest 3.25 (`ctest -T Test`) on a project whose tests end in every way
// CTest knows: tests/unit/tools/testdata/ctest/outcomes/Test.xml.
std::vector<TestResult> Captured() {
  std::ifstream in(std::string(MEMSAFE_TEST_SOURCE_DIR) + "/tests/unit/tools/testdata/ctest/outcomes/Test.xml");
  std::ostringstream text;
  text << in.rdbuf();
  std::string error;
  std::optional<std::vector<TestResult>> results = ParseCtestTestXml(text.str(), &error);
  EXPECT_TRUE(results) << error;
  return results.value_or(std::vector<TestResult>{});
}

const TestResult& Named(const std::vector<TestResult>& results, const std::string& name) {
  for (const TestResult& result : results) {
    if (result.name == name) return result;
  }
  static const TestResult none;
  ADD_FAILURE() << "no test " << name;
  return none;
}

TEST(CtestResultsTest, TellsEveryWayATestEnds) {
  const std::vector<TestResult> results = Captured();
  ASSERT_EQ(results.size(), 13u);
  EXPECT_EQ(Named(results, "passes").outcome, TestOutcome::kPassed);
  EXPECT_EQ(Named(results, "fails").outcome, TestOutcome::kFailed);
  EXPECT_EQ(Named(results, "fails").exit_value, 1);
  EXPECT_EQ(Named(results, "skipped_by_code").outcome, TestOutcome::kSkipped);
  EXPECT_EQ(Named(results, "skipped_by_output").outcome, TestOutcome::kSkipped);
  EXPECT_EQ(Named(results, "times_out").outcome, TestOutcome::kTimeout);
  EXPECT_EQ(Named(results, "launcher_timeout").outcome, TestOutcome::kTimeout);
  EXPECT_EQ(Named(results, "crashes").outcome, TestOutcome::kCrashed);
  EXPECT_EQ(Named(results, "crashes").detail, "SEGFAULT");
  EXPECT_EQ(Named(results, "killed").outcome, TestOutcome::kCrashed);
  EXPECT_EQ(Named(results, "not_run").outcome, TestOutcome::kNotRun);
  EXPECT_EQ(Named(results, "needs_file").outcome, TestOutcome::kNotRun);
  EXPECT_EQ(Named(results, "disabled").outcome, TestOutcome::kDisabled);
  // A test's own exit 124 is a failure, not a timeout: only a real timeout says so.
  EXPECT_EQ(Named(results, "fails_with_124").outcome, TestOutcome::kFailed);
  EXPECT_EQ(Named(results, "fails_with_124").exit_value, 124);
  const TestResult& canary = Named(results, "canary.address.example");
  EXPECT_TRUE(canary.canary);
  EXPECT_EQ(canary.labels, (std::vector<std::string>{"canary", "canary-address"}));
  EXPECT_GT(Named(results, "times_out").seconds, 0.9);
}

TEST(CtestResultsTest, CountsFailSkippedNotRunAndCanaries) {
  const ResultCounts counts = CountResults(Captured());
  EXPECT_EQ(counts.run, 8);     // passes, fails, 124, two timeouts, two crashes, the canary
  EXPECT_EQ(counts.failed, 8);  // fails, 124, two timeouts, two crashes, two not run
  EXPECT_EQ(counts.timeouts, 2);
  EXPECT_EQ(counts.crashes, 2);
  EXPECT_EQ(counts.not_run, 2);
  EXPECT_EQ(counts.skipped, 3);  // two skips and the disabled test
  EXPECT_EQ(counts.canaries, 1);
  EXPECT_EQ(counts.caught, 1);
  EXPECT_NE(std::find(counts.failed_names.begin(), counts.failed_names.end(), "crashes (crashed: SEGFAULT)"),
            counts.failed_names.end());
  EXPECT_NE(std::find(counts.failed_names.begin(), counts.failed_names.end(), "times_out (timeout)"),
            counts.failed_names.end());
}

TEST(CtestResultsTest, ForeignOrBrokenXmlIsAnError) {
  std::string error;
  EXPECT_FALSE(ParseCtestTestXml("<Site><Testing><Test", &error));
  EXPECT_NE(error.find("malformed"), std::string::npos);
  EXPECT_FALSE(ParseCtestTestXml("<testsuite/>", &error));
  EXPECT_FALSE(
      ParseCtestTestXml(R"(<Site><Testing><Test Status="weird"><Name>x</Name></Test></Testing></Site>)", &error));
  EXPECT_NE(error.find("weird"), std::string::npos);
  const std::optional<std::vector<TestResult>> none = ParseCtestTestXml("<Site><Testing/></Site>", &error);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace memsafe::tools
