// The rest of a test program's cases after a finding stopped it.
//
// A sanitizer stops a program at its first report, so a GoogleTest executable whose
// third case has a use after free never runs its fourth, and a bug there stays hidden
// until the first is fixed. After a run that a tool's report ended, the test launcher
// (memsafe-run.sh, through `memsafe next-cases`) asks for the command line that runs the
// cases not run yet, runs it, and asks again. Every run's reports land in the test's
// logs, so the verdict and the report have them all; the reruns' output goes to files
// CTest never sees, and the test keeps the first run's exit status: a rerun that passes
// never makes the test pass.
//
// GoogleTest prints each case as it starts ("[ RUN      ] Suite.Case"), which tells
// where a run stopped. Catch2 and doctest print nothing per case, and nothing at all
// when a sanitizer ends the program (their output is buffered): such a program runs
// again with the framework's XML reporter writing to a file, which names the case that
// started last and never ended; the runs after it leave out every case that ran.
//
// Example:
//   CaseRunInput input{.output = stdout_text, .argv = {"./unit", "--gtest_filter=Pool*"}};
//   std::string why;
//   if (std::optional<CaseRun> next = NextCaseRun(input, &why))
//     // next->argv is {"./unit", "--gtest_filter=Pool*-PoolTest.Grows:PoolTest.Shrinks"}
//
// Thread-safety: pure functions.
// Failure: nullopt with the reason in `why` when there is nothing to rerun or no safe way
// to: every case ran, the run did not stop inside a case, the output is not the
// framework's, no case ran that had not run before (a wrapper that drops the filter), or
// the command repeats, shards or combines its cases in a way a filter cannot narrow.
#ifndef MEMSAFE_TOOLS_CASE_RERUN_H_
#define MEMSAFE_TOOLS_CASE_RERUN_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace memsafe::tools {

struct CaseRun {
  std::vector<std::string> argv{};
  std::vector<std::string> ran{};  // every case run so far, the latest run's included
};

struct CaseRunInput {
  std::string_view output{};              // stdout of every run of the test so far, in order
  size_t last_run_at = 0;                 // where the latest run's output starts in `output`
  std::vector<std::string> argv{};        // the test's command as given, program first
  std::vector<std::string> ran_before{};  // what the previous call returned as `ran`
  const char* env_filter = nullptr;       // GTEST_FILTER
  bool env_output = false;                // GTEST_OUTPUT is set
  bool sharded = false;                   // GTEST_TOTAL_SHARDS is set
  std::string private_output{};           // where a rerun writes the XML the command asked for
};

// GoogleTest: from the "[ RUN      ]" lines of `output`.
std::optional<CaseRun> NextCaseRun(const CaseRunInput& input, std::string* why);

enum class CaseFramework { kNone, kCatch2, kDoctest };

// The framework a test program was built with, from its bytes (the strings each
// framework compiles into every program).
CaseFramework FrameworkOfProgram(std::string_view program_bytes);

struct XmlCaseRunInput {
  CaseFramework framework = CaseFramework::kNone;
  std::vector<std::string> argv{};        // the test's command as given, program first
  std::string_view first_output{};        // stdout of the test's own run
  std::optional<std::string> progress{};  // the latest rerun's XML; nullopt: no rerun yet
  std::vector<std::string> ran_before{};  // the cases earlier reruns ran
  std::string progress_path{};            // where the next run's reporter writes
};

// Catch2 and doctest: from their XML reporter's file.
std::optional<CaseRun> NextXmlCaseRun(const XmlCaseRunInput& input, std::string* why);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_CASE_RERUN_H_
