#include "case_rerun.h"

#include <gtest/gtest.h>

#include <algorithm>

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
      {.output = kStoppedInSecond, .argv = {"./unit", "--gtest_filter=Pool*-PoolTest.Slow", "--gtest_color=no"}}, &why);
  ASSERT_TRUE(next) << why;
  EXPECT_EQ(next->argv,
            (std::vector<std::string>{"./unit", "--gtest_color=no",
                                      "--gtest_filter=Pool*-PoolTest.Slow:PoolTest.Grows:PoolTest.Shrinks"}));
  EXPECT_EQ(why, "stopped in PoolTest.Shrinks after 2 of 4 cases: running the cases not run yet, for what they find");
}

TEST(CaseRerunTest, FilterComesFromTheEnvironmentWhenTheCommandGivesNone) {
  std::string why;
  auto next = NextCaseRun({.output = kStoppedInSecond, .argv = {"./unit"}, .env_filter = "Pool*"}, &why);
  ASSERT_TRUE(next) << why;
  EXPECT_EQ(next->argv.back(), "--gtest_filter=Pool*-PoolTest.Grows:PoolTest.Shrinks");
  next = NextCaseRun({.output = kStoppedInSecond, .argv = {"./unit"}}, &why);
  ASSERT_TRUE(next) << why;
  EXPECT_EQ(next->argv.back(), "--gtest_filter=*-PoolTest.Grows:PoolTest.Shrinks");
  // A flag on the command line wins over the variable, as in GoogleTest.
  next =
      NextCaseRun({.output = kStoppedInSecond, .argv = {"./unit", "--gtest_filter=-X.Y"}, .env_filter = "Pool*"}, &why);
  ASSERT_TRUE(next) << why;
  EXPECT_EQ(next->argv.back(), "--gtest_filter=*-X.Y:PoolTest.Grows:PoolTest.Shrinks");
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
  EXPECT_FALSE(next) << (next ? next->argv.back() : "");
  EXPECT_EQ(why, "every case ran");

  // The same with a fifth case: it is what is left.
  std::string five = output;
  five.replace(five.find("Running 4"), 9, "Running 5");
  const auto fifth = NextCaseRun({.output = five, .last_run_at = first.size(), .argv = {"./unit"}}, &why);
  ASSERT_TRUE(fifth) << why;
  EXPECT_EQ(fifth->argv.back(), "--gtest_filter=*-PoolTest.Grows:PoolTest.Shrinks:PoolTest.Clears:PoolTest.Moves");
}

TEST(CaseRerunTest, NothingToRerunOrNoSafeWayTo) {
  std::string why;
  // Every case ended (a leak reported at exit): the program did not stop inside a case.
  EXPECT_FALSE(NextCaseRun(
      {.output = std::string(kStoppedInSecond) + "[       OK ] PoolTest.Shrinks (1 ms)\n", .argv = {"./unit"}}, &why));
  EXPECT_EQ(why, "the run did not stop inside a case");
  // An earlier run's unfinished case does not count for the latest run.
  const std::string first = kStoppedInSecond;
  EXPECT_FALSE(NextCaseRun({.output = first + "[==========] Running 1 test from 1 test suite.\n",
                            .last_run_at = first.size(),
                            .argv = {"./unit"}},
                           &why));
  EXPECT_EQ(why, "the run did not stop inside a case");
  EXPECT_FALSE(NextCaseRun({.output = "All tests passed (3 assertions in 2 test cases)\n", .argv = {"./catch"}}, &why));
  EXPECT_EQ(why, "not GoogleTest's output");
  EXPECT_FALSE(NextCaseRun({.output = kStoppedInSecond, .argv = {"./unit", "--gtest_repeat=3"}}, &why));
  EXPECT_NE(why.find("repeats"), std::string::npos) << why;
  EXPECT_FALSE(NextCaseRun({.output = kStoppedInSecond, .argv = {"./unit"}, .sharded = true}, &why));
  EXPECT_NE(why.find("sharded"), std::string::npos) << why;
}

// A death test's child, or another GoogleTest program a case starts, prints "[ RUN ]"
// lines inside the case: they are not cases of this program.
TEST(CaseRerunTest, RunLinesInsideACaseAreAChildsNotCases) {
  const std::string output =
      "[==========] Running 3 tests from 1 test suite.\n"
      "[ RUN      ] S.A\n"
      "[ RUN      ] Fake.Child\n"
      "[       OK ] Fake.Child (0 ms)\n"
      "[       OK ] S.A (1 ms)\n"
      "[ RUN      ] S.B\n";
  std::string why;
  const auto next = NextCaseRun({.output = output, .argv = {"./unit"}}, &why);
  ASSERT_TRUE(next) << why;
  EXPECT_EQ(next->argv.back(), "--gtest_filter=*-S.A:S.B");
}

// "\r\n" endings: the latest run still starts where the launcher says.
TEST(CaseRerunTest, CarriageReturnsKeepTheLatestRunsOffset) {
  const std::string first = "[==========] Running 3 tests from 1 test suite.\r\n[ RUN      ] S.A\r\n";
  const std::string rerun = "[==========] Running 2 tests from 1 test suite.\r\n[ RUN      ] S.B\r\n";
  std::string why;
  const auto next = NextCaseRun(
      {.output = first + rerun, .last_run_at = first.size(), .argv = {"./unit"}, .ran_before = {"S.A"}}, &why);
  ASSERT_TRUE(next) << why;
  EXPECT_EQ(next->argv.back(), "--gtest_filter=*-S.A:S.B");
  EXPECT_NE(why.find("stopped in S.B"), std::string::npos) << why;
}

// A rerun that ran no new case (a wrapper script that drops the filter) ends the reruns.
TEST(CaseRerunTest, ARerunThatRanNoNewCaseIsTheLast) {
  const std::string first = kStoppedInSecond;
  const std::string output = first + first;  // the same cases again, stopped in the same
  std::string why;
  EXPECT_FALSE(NextCaseRun({.output = output,
                            .last_run_at = first.size(),
                            .argv = {"sh", "-c", "./unit"},
                            .ran_before = {"PoolTest.Grows", "PoolTest.Shrinks"}},
                           &why));
  EXPECT_EQ(why, "no case ran that had not run before");
}

// The XML the command asks for would hold the rerun's cases only: a rerun writes its own.
TEST(CaseRerunTest, RerunWritesItsOwnXmlReport) {
  std::string why;
  auto next = NextCaseRun(
      {.output = kStoppedInSecond, .argv = {"./unit", "--gtest_output=xml:report.xml"}, .private_output = "/l/p.xml"},
      &why);
  ASSERT_TRUE(next) << why;
  EXPECT_EQ(next->argv, (std::vector<std::string>{"./unit", "--gtest_filter=*-PoolTest.Grows:PoolTest.Shrinks",
                                                  "--gtest_output=xml:/l/p.xml"}));
  next = NextCaseRun({.output = kStoppedInSecond, .argv = {"./unit"}, .env_output = true, .private_output = "/l/p.xml"},
                     &why);
  ASSERT_TRUE(next) << why;
  EXPECT_EQ(next->argv.back(), "--gtest_output=xml:/l/p.xml");
}

// What Catch2 2.13's XML reporter had flushed when ASan ended the program in its second
// case (the first passed).
constexpr const char* kCatch2Progress =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<Catch name=\"t\">\n"
    "  <Group name=\"t\">\n"
    "    <TestCase name=\"grows, then shrinks\" filename=\"t.cc\" line=\"5\">\n"
    "      <OverallResult success=\"true\"/>\n"
    "    </TestCase>\n"
    "    <TestCase name=\"a [x] &quot;q&quot; case*\" filename=\"t.cc\" line=\"6\">\n";

TEST(CaseRerunTest, Catch2RunsAgainWithItsReporterThenLeavesOutWhatRan) {
  XmlCaseRunInput input{.framework = CaseFramework::kCatch2,
                        .argv = {"./t"},
                        .first_output = "some output of the test\n",
                        .progress_path = "/logs/t.asan.cases.xml"};
  std::string why;
  auto next = NextXmlCaseRun(input, &why);
  ASSERT_TRUE(next) << why;
  EXPECT_EQ(next->argv, (std::vector<std::string>{"./t", "-r", "xml", "-o", "/logs/t.asan.cases.xml"}));
  EXPECT_TRUE(next->ran.empty());

  input.progress = kCatch2Progress;
  next = NextXmlCaseRun(input, &why);
  ASSERT_TRUE(next) << why;
  // Every case that ran, escaped as Catch2's test specs want; hidden cases stay out.
  EXPECT_EQ(next->argv,
            (std::vector<std::string>{"./t", "~[.]", "~\"grows\\, then shrinks\"", "~\"a \\[x\\] \\\"q\\\" case\\*\"",
                                      "-r", "xml", "-o", "/logs/t.asan.cases.xml"}));
  EXPECT_EQ(next->ran, (std::vector<std::string>{"grows, then shrinks", "a [x] \"q\" case*"}));
  EXPECT_NE(why.find("stopped in 'a [x] \"q\" case*' after 2 case(s)"), std::string::npos) << why;

  // The command's own spec and options stay, its reporter goes (Catch2 refuses a second
  // one), hidden cases stay out unless the command selects them by tag.
  input.argv = {"./t", "[pool]", "--use-colour", "no", "-r", "junit", "-o", "report.xml"};
  input.ran_before = {"earlier"};
  next = NextXmlCaseRun(input, &why);
  ASSERT_TRUE(next) << why;
  EXPECT_EQ(next->argv, (std::vector<std::string>{"./t", "[pool]", "--use-colour", "no", "~[.]", "~\"earlier\"",
                                                  "~\"grows\\, then shrinks\"", "~\"a \\[x\\] \\\"q\\\" case\\*\"",
                                                  "-r", "xml", "-o", "/logs/t.asan.cases.xml"}));
  EXPECT_EQ(next->ran.size(), 3u);
  input.argv = {"./t", "[.integration]"};
  next = NextXmlCaseRun(input, &why);
  ASSERT_TRUE(next) << why;
  EXPECT_EQ(std::count(next->argv.begin(), next->argv.end(), "~[.]"), 0);

  // Alternatives in a spec ("A,B"): exclusions would narrow only the last one.
  input.argv = {"./t", "A,B"};
  EXPECT_FALSE(NextXmlCaseRun(input, &why));
  EXPECT_NE(why.find("alternatives"), std::string::npos) << why;
  // The same cases started again (an exclusion that did not take): no more reruns.
  input.argv = {"./t"};
  input.ran_before = {"grows, then shrinks", "a [x] \"q\" case*"};
  EXPECT_FALSE(NextXmlCaseRun(input, &why));
  EXPECT_EQ(why, "no case ran that had not run before");
}

TEST(CaseRerunTest, DoctestLeavesOutWhatRanAndWhatItsFiltersSkipped) {
  const std::string progress =
      "<doctest binary=\"./d\" version=\"2.4.9\">\n"
      "  <TestSuite>\n"
      "    <TestCase name=\"first, with a comma\" filename=\"d.cc\" line=\"5\" skipped=\"true\"/>\n"
      "    <TestCase name=\"second\" filename=\"d.cc\" line=\"6\">\n";
  XmlCaseRunInput input{.framework = CaseFramework::kDoctest,
                        .argv = {"./d", "-tc=*", "-tce=Broken*"},
                        .progress = progress,
                        .ran_before = {"first, with a comma"},
                        .progress_path = "p.xml"};
  std::string why;
  const auto next = NextXmlCaseRun(input, &why);
  ASSERT_TRUE(next) << why;
  // doctest takes the last of an option given twice: the command's exclusions join.
  EXPECT_EQ(next->argv,
            (std::vector<std::string>{"./d", "-tc=*", "--test-case-exclude=Broken*,first? with a comma,second",
                                      "--reporters=xml", "--out=p.xml"}));
}

TEST(CaseRerunTest, XmlFrameworksStopWhenEverythingRan) {
  std::string why;
  // The whole run printed its summary (a leak at exit comes after it).
  for (const char* summary : {"[doctest] Status: FAILURE!\n", "All tests passed (3 assertions in 2 test cases)\n",
                              "test cases: 3 | 2 passed | 1 failed\n"}) {
    EXPECT_FALSE(NextXmlCaseRun({.framework = CaseFramework::kCatch2, .argv = {"./t"}, .first_output = summary}, &why))
        << summary;
    EXPECT_EQ(why, "every case ran");
  }
  // The latest rerun ended every case it started, or started none.
  const std::string ended = std::string(kCatch2Progress) + "    </TestCase>\n";
  EXPECT_FALSE(NextXmlCaseRun({.framework = CaseFramework::kCatch2, .argv = {"./t"}, .progress = ended}, &why));
  EXPECT_EQ(why, "the run did not stop inside a case");
  EXPECT_FALSE(
      NextXmlCaseRun({.framework = CaseFramework::kCatch2, .argv = {"./t"}, .progress = "<Catch name=\"t\">\n"}, &why));
  EXPECT_EQ(why, "every case ran");
  EXPECT_FALSE(NextXmlCaseRun({.framework = CaseFramework::kNone, .argv = {"./plain"}}, &why));
}

TEST(CaseRerunTest, FrameworkComesFromTheProgramsStrings) {
  EXPECT_EQ(FrameworkOfProgram(std::string("\x7f"
                                           "ELF...dt-test-case-exclude=\0...")),
            CaseFramework::kDoctest);
  EXPECT_EQ(FrameworkOfProgram("...A Catch2 test executable\0..."), CaseFramework::kCatch2);
  EXPECT_EQ(FrameworkOfProgram("\x7f"
                               "ELF plain main"),
            CaseFramework::kNone);
}

}  // namespace
}  // namespace memsafe::tools
