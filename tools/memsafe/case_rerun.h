// The rest of a test program's cases after a finding stopped it.
//
// A sanitizer stops a program at its first report, so a GoogleTest executable whose
// third case has a use after free never runs its fourth, and a bug there stays hidden
// until the first is fixed. The test launcher (memsafe-run.sh) asks NextCaseRun, after a
// run that ended in the middle of a case, for the command line that runs the cases not
// yet run; the findings of every run land in the test's logs, so the verdict and the
// report have them all. The test keeps the first run's exit status: a rerun that passes
// never makes the test pass.
//
// Example:
//   std::string why;
//   CaseRunInput input{.output = stdout_text, .argv = {"./unit", "--gtest_filter=Pool*"}};
//   if (auto next = NextCaseRun(input, &why))
//     // *next is {"./unit", "--gtest_filter=Pool*-PoolTest.Grows:PoolTest.Shrinks"}
//
// Only GoogleTest prints each case's name as it starts ("[ RUN      ] Suite.Case"), which
// is what tells where the run stopped; Catch2 and doctest print nothing per case by
// default, so their programs are not rerun (`why` says so).
//
// Thread-safety: pure functions.
// Failure: nullopt with the reason in `why` when there is nothing to rerun or no safe way
// to: every case ran, the run did not stop inside a case, the output is not GoogleTest's,
// or the command repeats or shards its cases.
#ifndef MEMSAFE_TOOLS_CASE_RERUN_H_
#define MEMSAFE_TOOLS_CASE_RERUN_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace memsafe::tools {

struct CaseRunInput {
  std::string_view output;           // stdout of every run of the test so far, in order
  size_t last_run_at = 0;            // where the latest run's output starts in `output`
  std::vector<std::string> argv;     // the test's command as given, program first
  const char* env_filter = nullptr;  // GTEST_FILTER
  bool sharded = false;              // GTEST_TOTAL_SHARDS is set
};

std::optional<std::vector<std::string>> NextCaseRun(const CaseRunInput& input, std::string* why);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_CASE_RERUN_H_
