// `memsafe check`: the whole memory-check run of a CMake project that uses memsafe's
// presets, as one command.
//
//   memsafe check                       the fast presets (runBy "check"): configure, build, test
//   memsafe check --memory-checks       every memory preset (runBy "memory-checks"): lint the
//                                       suppressions, configure, build, run every test and canary
//                                       under its tool, summary, findings report, unused entries
//
// It reads the presets from <source>/CMakePresets.json (see presets.h), runs cmake and
// ctest as child processes, reads CTest's results as data (ctest_results.h), judges each
// preset (check_summary.h) and reads the tools' logs with the report (report.h). The
// reports go to <source>/build/memsafe-report/ (findings.{md,junit.xml,sarif,json}).
//
// Example:
//   CheckOptions options;
//   options.source = "/src/project";
//   options.memory_checks = true;
//   return RunCheck(options);  // 0 clean, 1 a finding or failure, 2 bad usage
//
// The quick memory-check run (without --slow or --no-cache) keeps a result cache per
// preset (result_cache.h, <build>/memsafe-result-cache.json): a test that passed is not
// run again while nothing it depends on changed; canaries always run.
//
// Thread-safety: runs child processes and writes to stdout; one call at a time.
// Failure: every problem (missing program, failed build, failed or skipped-over test,
// uncaught canary, finding, unreadable log) is printed and makes the status non-zero;
// nothing is skipped silently.
#ifndef MEMSAFE_TOOLS_CHECK_H_
#define MEMSAFE_TOOLS_CHECK_H_

#include <string>
#include <vector>

namespace memsafe::tools {

struct CheckOptions {
  std::string source = ".";  // the project: its CMakePresets.json and sanitizers/
  bool memory_checks = false;
  std::string presets;             // --preset NAME[,NAME...]; empty: the run's default set
  std::string shard;               // --shard I/N
  std::vector<std::string> tests;  // --test NAME: only these tests (and every canary)
  bool slow = false;               // the thorough run: memsafe-slow tests and valgrind-slow options
  bool no_cache = false;           // run every test, even those the result cache could answer
  int jobs = 0;                    // tests run at once; 0: as the test preset says
  bool list = false;
  bool matrix = false;
  bool dry_run = false;              // say what would run, run nothing
  std::string sanitizers_dir;        // default <source>/sanitizers
  std::string report_dir;            // default <source>/build/memsafe-report
  std::vector<std::string> exclude;  // directories whose code is not the project's own
  // --detection-table FILE: on a --slow run of every test (no --shard, no --test), the
  // table of FILE must agree with what this run's presets caught of the corpus
  // (detection_table.h); another run says it did not compare them.
  std::string detection_table;
  std::string detection_corpus;  // default <source>/tests/detection/corpus.txt
};

int RunCheck(const CheckOptions& options);

// memsafe's default suppression files (the tools' own false positives), installed with
// its CMake package in share/memsafe/sanitizers/defaults, or those of the source tree the
// tool was built from; empty when neither is found.
std::vector<std::string> MemsafeDefaultSuppressionFiles();

// The Debian package that provides a program memsafe check needs ("" when unknown).
std::string PackageForProgram(const std::string& program);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_CHECK_H_
