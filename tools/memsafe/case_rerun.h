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
// GoogleTest prints each case's name as it starts ("[ RUN      ] Suite.Case"), which
// tells where the run stopped; for Catch2 and doctest, see NextXmlCaseRun.
//
// Thread-safety: pure functions.
// Failure: nullopt with the reason in `why` when there is nothing to rerun or no safe way
// to: every case ran, the run did not stop inside a case, the output is not the
// framework's, or the command repeats or shards its cases.
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

// Catch2 and doctest print no case as it starts, and nothing at all when a sanitizer
// ends the program (their output is buffered): a run stopped there runs again with the
// framework's XML reporter writing to a file, which says which case started last and
// never ended; the runs after it leave out every case that ran.
enum class CaseFramework { kNone, kCatch2, kDoctest };

// The framework a test program was built with, from its bytes (the strings each
// framework compiles into every program).
CaseFramework FrameworkOfProgram(std::string_view program_bytes);

struct XmlCaseRunInput {
  CaseFramework framework = CaseFramework::kNone;
  std::vector<std::string> argv;       // the test's command as given, program first
  std::string_view first_output;       // stdout of the test's own run
  std::optional<std::string> progress;  // the latest rerun's XML; nullopt: no rerun yet
  std::vector<std::string> ran_before;  // the cases earlier reruns ran
  std::string progress_path;           // where the next run's reporter writes
};

struct XmlCaseRun {
  std::vector<std::string> argv;
  std::vector<std::string> ran;  // every case run so far (ran_before and the latest run's)
};

std::optional<XmlCaseRun> NextXmlCaseRun(const XmlCaseRunInput& input, std::string* why);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_CASE_RERUN_H_
