// `memsafe suppressions lint | review | unused | add` as functions: the CLI and `memsafe
// check` call the same ones.
//
// Example:
//   const std::vector<std::string> files = DefaultSuppressionFiles("sanitizers");
//   if (LintCommand(files, {}) != kClean) return;  // each problem printed as file:line
//   std::vector<DueEntry> due;
//   if (FindDueEntries(files, Today(), 14, &due)) ...
//
// Each command prints what a user reads to stdout (errors to stderr) and returns the
// exit status of common/commands.h.
// Thread-safety: not for concurrent use (they write to std::cout).
#ifndef MEMSAFE_TOOLS_SUPPRESSIONS_SUPPRESSION_COMMANDS_H_
#define MEMSAFE_TOOLS_SUPPRESSIONS_SUPPRESSION_COMMANDS_H_

#include <string>
#include <vector>

#include "common/commands.h"
#include "suppressions/suppression_usage.h"

namespace memsafe::tools {

// The suppression files, ignore list and options.txt kept under a sanitizers/ directory.
std::vector<std::string> DefaultSuppressionFiles(const std::string& dir);

// Every entry's syntax and metadata, the options list, and the option strings of the
// `scanned` files (scripts, workflows, presets).
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

// Prints the entries of `files` no run of `log_dirs` matched; the entries that matched go
// to `used` as well when it is given (memsafe check keeps them with the run).
int UnusedCommand(const std::vector<std::string>& files, const std::vector<std::string>& log_dirs,
                  std::vector<EntryUsage>* used = nullptr);

// `memsafe suppressions add --from-report`: appends a draft entry (suppression_drafts.h)
// for each finding of the report to the right file under `dir`, unless the file already
// has that entry. Exit 0 when every finding got its entry, 1 when some cannot be
// suppressed (each said), 2 when the report or a file cannot be read or written.
int AddDraftsCommand(const std::string& report, const std::string& dir, int today, bool dry_run);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_SUPPRESSIONS_SUPPRESSION_COMMANDS_H_
