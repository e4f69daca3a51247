// Reading what CTest says about each test of a run, as data.
//
// `memsafe check` runs `ctest -T Test`, which writes Testing/<tag>/Test.xml in the build
// tree: per test its status, CTest's name for how it ended ("Failed", "Timeout",
// "SEGFAULT", "Subprocess killed", a skip reason), the exit value, the time, the labels
// and the output. CTest's JUnit file cannot tell a crash or a timeout from a failure,
// so this file is what the summary is built from.
//
// Example:
//   std::string error;
//   std::optional<std::vector<TestResult>> results = ParseCtestTestXml(text, &error);
//   ResultCounts counts = CountResults(*results);
//
// Thread-safety: pure functions over values.
// Failure: XML that is not a CTest Test.xml gives nullopt and a message; nothing throws.
#ifndef MEMSAFE_TOOLS_CTEST_RESULTS_H_
#define MEMSAFE_TOOLS_CTEST_RESULTS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace memsafe::tools {

enum class TestOutcome {
  kPassed,
  kFailed,    // a non-zero exit status, or a finding the launcher reported
  kTimeout,   // stopped by CTest's limit or by the launcher's own (memsafe: TIMEOUT)
  kCrashed,   // ended by a signal CTest names (SEGFAULT, Subprocess killed, ...)
  kSkipped,   // SKIP_RETURN_CODE or SKIP_REGULAR_EXPRESSION
  kDisabled,  // the DISABLED property
  kNotRun,    // CTest could not start it (missing executable or required file)
};

std::string_view OutcomeName(TestOutcome outcome);

struct TestResult {
  std::string name;
  TestOutcome outcome = TestOutcome::kPassed;
  std::string detail;  // CTest's word for the end ("SEGFAULT", "SKIP_RETURN_CODE=77", ...)
  int exit_value = 0;
  double seconds = 0;
  std::vector<std::string> labels;
  std::string command;  // the full command line CTest ran
  bool canary = false;  // label "canary", or a name starting with "canary."
};

std::optional<std::vector<TestResult>> ParseCtestTestXml(std::string_view content, std::string* error);

struct ResultCounts {
  int run = 0;      // tests that started (passed, failed, timed out or crashed)
  int failed = 0;   // failed + timed out + crashed + could not be started
  int skipped = 0;  // skipped + disabled
  int not_run = 0;
  int timeouts = 0;
  int crashes = 0;
  int canaries = 0;                       // canaries that started
  int caught = 0;                         // canaries that passed: their tool reported the planted bug
  std::vector<std::string> failed_names;  // "name (timeout)", "name (SEGFAULT)", ...
  std::vector<std::string> skipped_names;
};

ResultCounts CountResults(const std::vector<TestResult>& results);

// The words of CTest's FullCommandLine: the program as it is, each argument after it in
// double quotes ("/usr/bin/bash \"/x/memsafe-run.sh\" \"--tool\" \"asan\"").
std::vector<std::string> CommandWords(const std::string& full_command_line);

// The results of the latest `ctest -T Test` in a build tree (Testing/TAG names it), or
// nullopt and why.
std::optional<std::vector<TestResult>> LatestCtestResults(const std::string& binary_dir, std::string* error);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_CTEST_RESULTS_H_
