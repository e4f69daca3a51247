// The verdict and summary of a `memsafe check` run: one row per preset, built from
// CTest's results, judged by the rules of the harness, and printed as a table (terminal)
// or Markdown (the GitHub step summary).
//
// The rules: any failed, timed-out, crashed or unstartable test fails the preset; a
// preset that runs a memory tool must run at least one canary and every canary must be
// caught (otherwise nothing shows the tool was on); a missing tool or a failed
// configure or build fails it. Skipped and disabled tests are counted and shown.
//
// Example:
//   PresetRun run{.label = "asan", .tools = "address,undefined,leak"};
//   run.counts = CountResults(results);
//   run.tested = true;
//   JudgeRun(&run);
//   std::cout << FormatSummary({run});
//
// Thread-safety: pure functions over values.
#ifndef MEMSAFE_TOOLS_CHECK_SUMMARY_H_
#define MEMSAFE_TOOLS_CHECK_SUMMARY_H_

#include <optional>
#include <string>
#include <vector>

#include "check/ctest_results.h"

namespace memsafe::tools {

struct PresetRun {
  std::string label;                 // "asan", or "valgrind shard 1/2"
  std::string tools;                 // MEMSAFE_EXPECT; "" for a preset without a memory tool
  std::vector<std::string> missing;  // programs the preset needs that are not installed
  bool configured = false, built = false, tested = false;
  ResultCounts counts;
  int build_seconds = 0, test_seconds = 0, wall_seconds = 0;
  std::optional<double> overhead;  // test time over the fast preset's, same tests
  int cached = 0;                  // of counts.run, passes taken from the result cache
  int cached_skips = 0;            // of counts.skipped, skips taken from the result cache
  // Of counts.run, the tests of the valgrind preset that Valgrind did not run: a script
  // or interpreter that started no program and loaded no library of the build tree (one
  // that loaded a library runs again under Valgrind), so none of the project's code.
  int native = 0;
  // Programs of the tests that were relinked, replaced or removed while the tests ran.
  std::vector<std::string> changed_during_run;
  // Why the run's verdicts cannot be trusted although every test may have passed (two
  // tests of one name, a preset that repeats failed tests until they pass, inputs of
  // cached tests changed while the others ran): each fails the preset.
  std::vector<std::string> unsound;
  bool sharded = false;           // one shard of the tests: it may hold none of the project's
  std::string shard;              // "I/N" when sharded
  bool named_tests_only = false;  // --test: some of the project's tests, not all
  // The project's test switches (FindTestSwitches), named when no project test ran.
  std::vector<std::string> test_switches;
  std::vector<std::string> problems;  // filled by JudgeRun: why the preset failed
};

// Counts the tests the result cache left out of the run as what they were when they last
// ran: passes as run, skips as skipped (named, marked "(cached)").
void AddCachedResults(const std::vector<std::string>& passed, const std::vector<std::string>& skipped, PresetRun* run);

// Fills run->problems from what happened; true when the preset passed.
bool JudgeRun(PresetRun* run);

// "ok", or a short word for the first kind of problem.
std::string Verdict(const PresetRun& run);

std::string FormatSummary(const std::vector<PresetRun>& runs);
std::string FormatSummaryMarkdown(const std::vector<PresetRun>& runs);
// {"presets": [{preset, tools, result, tests, project_tests (tests less canaries),
// native_tests (of project_tests, run outside the tool), failures, skipped, cached, canaries, canaries_caught,
// build_seconds, test_seconds, wall_seconds, overhead (null: unknown), problems, and for one shard of a preset shard
// ("I/N") and shard_of (the preset)}]}: what the summary table says, for scripts that compare runs.
std::string FormatSummaryJson(const std::vector<PresetRun>& runs);

// "1m05s".
std::string FormatSeconds(int seconds);

// How much slower a preset's tests ran than the same tests of the fast (uninstrumented)
// preset: the summed time of the tests both ran. Tests are matched by name; a test
// "<executable>" that ran all of an executable's cases in one process (the Valgrind
// batch) is compared with the fast run's cases of that executable, less the cases the
// preset ran as tests of their own ("<executable>.<Suite.Case>"). nullopt when nothing
// matches.
std::optional<double> ToolOverhead(const std::vector<TestResult>& fast, const std::vector<TestResult>& preset);

// The executable's file name and the --gtest_filter of a CTest command line, or "" each.
void GtestCaseOfCommand(const std::string& command, std::string* executable, std::string* filter);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_CHECK_SUMMARY_H_
