// The verdict on one test run under a memory tool, and the check that a test's program
// was built for the tools its preset expects.
//
// The test launcher (cmake/memsafe-run.sh) only runs things: it sets the tools'
// options, runs the test under `timeout` with its output in <prefix>.stdout and
// <prefix>.stderr, and hands the rest to `memsafe test-verdict`, which judges the run
// with the same parser `memsafe report` uses (report.h): one classifier decides what a
// finding is, for a test's verdict and for the report alike.
//
// Example (what `memsafe test-verdict` does):
//   memsafe::tools::TestRun run{.name = "vec.Grows", .tool = "asan",
//                               .prefix = "build/asan/memcheck/vec.Grows.asan", .status = 0};
//   memsafe::tools::TestVerdict verdict = memsafe::tools::JudgeTestRun(run);
//   std::cout << verdict.out; std::cerr << verdict.err; return verdict.exit_status;
//
// Thread-safety: JudgeTestRun reads and removes files of its own prefix only; calls for
// different prefixes may run concurrently (CTest runs tests in parallel).
// Failure: an unreadable log is a finding's worth of failure (the test fails, naming
// the file), never a silent pass.
#ifndef MEMSAFE_TOOLS_TEST_VERDICT_H_
#define MEMSAFE_TOOLS_TEST_VERDICT_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace memsafe::tools {

struct TestRun {
  std::string name;    // the test, for messages
  std::string tool;    // none, asan, tsan, ubsan, valgrind
  std::string prefix;  // <log-dir>/<id>.<tool>: the run's files are <prefix>.*
  std::string root;    // the project's source root: findings are located in its code
  int status = 0;      // the exit status of the test (of `timeout`, which ran it)
  int timeout_s = 0;
  std::vector<std::string> expect;  // a canary: every extended regex must match a report
  std::string expect_suppressed;    // a suppressed canary: this entry must be listed as used
  // NAME=value of each *_OPTIONS the test was given from outside options.txt: one that
  // weakens a tool fails the test (LintOptionStrings).
  std::vector<std::string> given_options;
  // The sanitizers the test preset expects (MEMSAFE_EXPECT: "address,undefined,leak"),
  // and the build tree: a program of the build tree a process of the test ran
  // (ReadLoadedObjects) must carry them too, or the test fails NOT INSTRUMENTED.
  std::string expect_instrumented;
  std::string build_dir;
  // The test's interpreter itself ran under the tool, because it loaded the project's
  // libraries (the launcher's rerun under Valgrind): a report with no frame in the
  // project's code is the interpreter's own, listed apart and not counted.
  bool interpreter_run = false;
};

// A test's standard output or error up to this size is held and returned in
// TestVerdict::out / err; a larger one is streamed from its file (bounded memory for
// any size).
inline constexpr std::uintmax_t kInlineOutputBytes = 8u << 20;

struct TestVerdict {
  int exit_status = 0;
  // When the test's standard output was larger than kInlineOutputBytes: its file, which
  // the caller streams with StreamOutput and then removes; `out` is empty then.
  std::string out_file;
  // The same for standard error (shown before `err`); the caller removes it after
  // streaming unless `err_file_is_log` (a tool reported there: memsafe report reads it).
  std::string err_file;
  bool err_file_is_log = false;
  // What memsafe concluded, whatever CTest later makes of the exit status (WILL_FAIL,
  // PASS_REGULAR_EXPRESSION): "clean" (no report, exit status 0), "skipped" (skipped
  // itself, no report), "finding" (a tool reported), "timeout", "refused" (memsafe
  // failed it: a weakened tool, an uninstrumented program), "canary" (a canary judged),
  // "failed" (anything else: the program's own nonzero exit, which WILL_FAIL may
  // expect). The launcher keeps it in <prefix>.verdict: the result cache remembers only
  // "clean" and "skipped", and memsafe check counts a test whose verdict is "finding",
  // "timeout" or "refused" as failed whatever CTest's properties made of it.
  std::string word = "failed";
  std::string out;  // the test's own standard output, skip markers defused
  std::string err;  // its standard error, the tool's reports and the launcher's verdict
};

// The launcher's own headline lines of a verdict's `err` ("memsafe: FAILED: ...",
// "memsafe: NOT INSTRUMENTED: ...", "memsafe: TIMEOUT: ..."), at most `limit` of them,
// each ending in a newline; "" when there are none.
std::string VerdictReasons(std::string_view err, int limit = 3);

// The file-name id the launcher gives a test's logs: the name with every character but
// [A-Za-z0-9._-] replaced by '_', and when anything was replaced, "~" and a djb2 hash of
// the name in 8 hex digits, so names that sanitize alike ("c a", "c_a") never share log
// files (memsafe report strips the suffix).
std::string LogId(std::string_view name);

// Judges a finished run. A finding fails the test whatever its status; a canary passes
// only when its reports match; a run `timeout` stopped is a TIMEOUT; a GoogleTest run
// whose every case skipped itself, with no finding, prints the one skip marker
// memsafe_add_test's tests match. Removes <prefix>.stdout, and <prefix>.stderr when it
// holds no report (a report on stderr stays, for `memsafe report`).
TestVerdict JudgeTestRun(const TestRun& run);

// The test's own output with the markers that would make CTest call the test skipped
// defused: only the launcher may say a test skipped, and only when no tool reported.
std::string DefuseSkipMarkers(std::string_view text);

// A test's output file read in blocks of 1 MiB: written to `out` (may be null) with its
// skip markers defused, and whether a line starts with GoogleTest's "[  SKIPPED ] " or
// "[       OK ] " (and, when `timed_out` is given, `timeout`'s "timeout: sending
// signal"). Memory stays bounded whatever the size. False with a reason when the file
// cannot be read.
bool StreamOutput(const std::string& path, std::ostream* out, bool* skipped, bool* passed_case, std::string* why,
                  bool* timed_out = nullptr);

// A sanitizer log as shown in the test output: its first `max_reports` reports (at
// most 40 lines each), then a count of what was left out and where to read it.
//
// TSan (Clang 14 and GCC 12 runtimes alike) describes a race on the main thread's stack
// twice: "Location is stack of main thread." and then, because the address also lies in
// the process's "[stack]" mapping, as a global of that mapping ("Location is global '??'
// at 0x... ([stack]+0x...)", '<null>' with GCC), after asking llvm-symbolizer to open a
// file named "[stack]". That second description is never a real global: it is left out,
// and counted in *stack_globals (may be null).
std::string CutSanitizerLog(std::string_view log, const std::string& path, int max_reports,
                            int* stack_globals = nullptr);

// Which of the tools in `wanted` (as in MEMSAFE_EXPECT: address, thread; others have no
// marker and are not judged) `program` lacks. Empty for a program that is not an ELF
// file (a script: it is not compiled code; `elf` says which). False when the file cannot
// be read.
bool MissingInstrumentation(const std::string& program, const std::vector<std::string>& wanted,
                            std::vector<std::string>* missing, bool* elf, std::string* why);

// The log files of one test run: <prefix>.<pid> (a sanitizer's log_path) and
// <prefix>.<pid>.xml (Valgrind), sorted; nothing of another test whose name merely
// starts alike.
std::vector<std::string> RunLogs(const std::string& prefix);

// `program` as the shell would run it: a path as given, a bare name searched on PATH.
std::string ResolveProgram(const std::string& program);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_TEST_VERDICT_H_
