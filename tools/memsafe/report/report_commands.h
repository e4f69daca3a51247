// `memsafe report` and `memsafe detection-table` as functions: the CLI and `memsafe
// check` call the same ones.
//
// Example:
//   ReportOptions options;
//   options.inputs = {"build/asan/memcheck"};
//   options.files["sarif"] = "findings.sarif";
//   const int status = ReportCommand(options);  // kFindings when anything was found
//
// Each prints what a user reads to stdout (errors to stderr) and returns the exit
// status of common/commands.h.
// Thread-safety: not for concurrent use (they write to std::cout).
#ifndef MEMSAFE_TOOLS_REPORT_REPORT_COMMANDS_H_
#define MEMSAFE_TOOLS_REPORT_REPORT_COMMANDS_H_

#include <map>
#include <string>
#include <vector>

#include "common/commands.h"

namespace memsafe::tools {

struct ReportOptions {
  std::vector<std::string> inputs;  // log directories, log files, or "-" for standard input
  std::string root = ".";
  std::vector<std::string> exclude;
  // The files to write: a format's flag (ReportFormats) -> its path; none: print only.
  std::map<std::string, std::string> files;
  bool annotations = false;
  bool include_canaries = false;
  bool print = true;  // false: the files only (the exit status still says what was found)
};
int ReportCommand(const ReportOptions& options);

// `memsafe detection-table`: the corpus's cases against the latest CTest run and the
// logs of each build directory given (build/<preset>). Prints the Markdown table; with
// `update`, rewrites the document's section; with `check`, compares the document's
// table with the run for the presets that ran. Exit 1 on a problem of the run (a failed
// detection test, a bug split over report rows, a finding in a clean case) or a
// difference with the document, 2 on unreadable input.
struct DetectionTableOptions {
  std::string corpus = "tests/detection/corpus.txt";
  std::string root = ".";
  std::vector<std::string> build_dirs;
  std::string update;  // document whose section is rewritten
  std::string check;   // document whose section must agree with the run
};
int DetectionTableCommand(const DetectionTableOptions& options);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_REPORT_REPORT_COMMANDS_H_
