// The memsafe tool's commands as functions, so that `memsafe check` runs the same
// lint, report and unused-suppression passes in-process that the CLI offers on their own.
//
// Each prints what a user reads to stdout (errors to stderr) and returns the exit
// status: kClean, kFindings (problems found) or kUsage (bad input).
//
// Thread-safety: not for concurrent use (they write to std::cout).
#ifndef MEMSAFE_TOOLS_COMMANDS_H_
#define MEMSAFE_TOOLS_COMMANDS_H_

#include <map>
#include <string>
#include <vector>

#include "report/report.h"
#include "suppressions/suppression_usage.h"

namespace memsafe::tools {

inline constexpr int kClean = 0;
inline constexpr int kFindings = 1;
inline constexpr int kUsage = 2;

// The suppression files, ignore list and options.txt kept under a sanitizers/ directory.
std::vector<std::string> DefaultSuppressionFiles(const std::string& dir);

// Days since 1970-01-01, today (UTC).
int Today();

// Writes `text` to `path`; false (after saying so on stderr) when it cannot.
bool WriteText(const std::string& path, const std::string& text);

int LintCommand(const std::vector<std::string>& files, const std::vector<std::string>& scanned);

// Entries whose review-by date lies before `today + within` days.
struct DueEntry {
  std::string path;
  int line = 0;
  std::string text, reason, tracker;
  bool overdue = false;  // the date has passed (or is missing or malformed)
  int review_by = 0;     // days since epoch; 0 when missing
};
// False when a file cannot be read (said on stderr).
bool FindDueEntries(const std::vector<std::string>& files, int today, long long within, std::vector<DueEntry>* due);
int ReviewCommand(const std::vector<std::string>& files, int today, long long within);
// Entries drafted by `suppressions add` and not yet explained (Entry::draft).
bool FindDraftEntries(const std::vector<std::string>& files, std::vector<DueEntry>* drafts);

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

// Prints the entries of `files` no run of `log_dirs` matched; the entries that matched go
// to `used` as well when it is given (memsafe check keeps them with the run).
int UnusedCommand(const std::vector<std::string>& files, const std::vector<std::string>& log_dirs,
                  std::vector<EntryUsage>* used = nullptr);

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

// `memsafe suppressions add --from-report`: appends a draft entry (suppression_drafts.h)
// for each finding of the report to the right file under `dir`, unless the file already
// has that entry. Exit 0 when every finding got its entry, 1 when some cannot be
// suppressed (each said), 2 when the report or a file cannot be read or written.
int AddDraftsCommand(const std::string& report, const std::string& dir, int today, bool dry_run);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_COMMANDS_H_
