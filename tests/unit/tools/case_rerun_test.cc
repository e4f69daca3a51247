#include "case_rerun.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace memsafe::tools {
namespace {

// GoogleTest's output of a run of four cases that a finding stopped inside the second.
constexpr const char* kStoppedInSecond =
    "Running main() from gtest_main.cc\n"
    "[==========] Running 4 tests from 1 test suite.\n"
    "[----------] Global test environment set-up.\n"
    "[ RUN      ] PoolTest.Grows\n"
    "[       OK ] PoolTest.Grows (0 ms)\n"
    "[ RUN      ] PoolTest.Shrinks\n";

TEST(CaseRerunTest, CasesNotRunYetRunWithTheGivenFilterKept) {
  std::string why;
  const auto next = NextCaseRun(
      {.output = kStoppedInSecond, .argv = {"./unit", "--gtest_filter=Pool*-PoolTest.Slow", "--gtest_color=no"}},
      &why);
  ASSERT_TRUE(next) << why;
  EXPECT_EQ(*next, (std::vector<std::string>{"./unit", "--gtest_color=no",
                                             "--gtest_filter=Pool*-PoolTest.Slow:PoolTest.Grows:PoolTest.Shrinks"}));
  EXPECT_EQ(why, "stopped in PoolTest.Shrinks after 2 of 4 cases");
}

TEST(CaseRerunTest, FilterComesFromTheEnvironmentWhenTheCommandGivesNone) {
  std::string why;
  auto next = NextCaseRun({.output = kStoppedInSecond, .argv = {"./unit"}, .env_filter = "Pool*"}, &why);
  ASSERT_TRUE(next) << why;
  EXPECT_EQ(next->back(), "--gtest_filter=Pool*-PoolTest.Grows:PoolTest.Shrinks");
  next = NextCaseRun({.output = kStoppedInSecond, .argv = {"./unit"}}, &why);
  ASSERT_TRUE(next) << why;
  EXPECT_EQ(next->back(), "--gtest_filter=*-PoolTest.Grows:PoolTest.Shrinks");
  // A flag on the command line wins over the variable, as in GoogleTest.
  next = NextCaseRun({.output = kStoppedInSecond, .argv = {"./unit", "--gtest_filter=-X.Y"}, .env_filter = "Pool*"},
                     &why);
  ASSERT_TRUE(next) << why;
  EXPECT_EQ(next->back(), "--gtest_filter=*-X.Y:PoolTest.Grows:PoolTest.Shrinks");
}

// The second run (after the first's output) stopped again: every case either run ran
// is left out of the third.
TEST(CaseRerunTest, EveryRunsCasesAreLeftOut) {
  const std::string first = kStoppedInSecond;
  const std::string output = first +
                             "[==========] Running 2 tests from 1 test suite.\n"
                             "[ RUN      ] PoolTest.Clears\n"
                             "[  FAILED  ] PoolTest.Clears (1 ms)\n"
                             "[ RUN      ] PoolTest.Moves\n";
  std::string why;
  const auto next = NextCaseRun({.output = output, .last_run_at = first.size(), .argv = {"./unit"}}, &why);
  EXPECT_FALSE(next) << (next ? next->back() : "");
  EXPECT_EQ(why, "every case ran");

  // The same with a fifth case: it is what is left.
  std::string five = output;
  five.replace(five.find("Running 4"), 9, "Running 5");
  const auto fifth = NextCaseRun({.output = five, .last_run_at = first.size(), .argv = {"./unit"}}, &why);
  ASSERT_TRUE(fifth) << why;
  EXPECT_EQ(fifth->back(), "--gtest_filter=*-PoolTest.Grows:PoolTest.Shrinks:PoolTest.Clears:PoolTest.Moves");
}

TEST(CaseRerunTest, NothingToRerunOrNoSafeWayTo) {
  std::string why;
  // Every case ended (a leak reported at exit): the program did not stop inside a case.
  EXPECT_FALSE(NextCaseRun({.output = std::string(kStoppedInSecond) + "[       OK ] PoolTest.Shrinks (1 ms)\n",
                            .argv = {"./unit"}},
                           &why));
  EXPECT_EQ(why, "the run did not stop inside a case");
  // An earlier run's unfinished case does not count for the latest run.
  const std::string first = kStoppedInSecond;
  EXPECT_FALSE(NextCaseRun({.output = first + "[==========] Running 1 test from 1 test suite.\n",
                            .last_run_at = first.size(),
                            .argv = {"./unit"}},
                           &why));
  EXPECT_EQ(why, "the run did not stop inside a case");
  EXPECT_FALSE(NextCaseRun({.output = "All tests passed (3 assertions in 2 test cases)\n", .argv = {"./catch"}}, &why));
  EXPECT_NE(why.find("not GoogleTest's output"), std::string::npos) << why;
  EXPECT_FALSE(NextCaseRun({.output = kStoppedInSecond, .argv = {"./unit", "--gtest_repeat=3"}}, &why));
  EXPECT_NE(why.find("repeats"), std::string::npos) << why;
  EXPECT_FALSE(NextCaseRun({.output = kStoppedInSecond, .argv = {"./unit"}, .sharded = true}, &why));
  EXPECT_NE(why.find("sharded"), std::string::npos) << why;
}

}  // namespace
}  // namespace memsafe::tools
