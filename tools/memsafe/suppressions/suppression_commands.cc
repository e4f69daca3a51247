#include "suppressions/suppression_commands.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "common/text.h"
#include "suppressions/options_lint.h"
#include "suppressions/suppression_drafts.h"
#include "suppressions/suppression_usage.h"
#include "suppressions/suppressions.h"

namespace memsafe::tools {

namespace fs = std::filesystem;

namespace {

bool IsOptionsFile(const std::string& path) { return fs::path(path).filename().string().rfind("options", 0) == 0; }

// Each suppression file of `files` (the options list aside), parsed; false after
// saying which file cannot be read.
bool ParseSuppressionFiles(const std::vector<std::string>& files, std::vector<ParsedFile>* parsed) {
  for (const std::string& path : files) {
    if (IsOptionsFile(path)) continue;
    std::string content;
    if (std::string why; !ReadWholeFile(path, &content, &why)) {
      std::cerr << path << ": " << why << "\n";
      return false;
    }
    parsed->push_back(ParseSuppressions(path, content));
  }
  return true;
}

}  // namespace

std::vector<std::string> DefaultSuppressionFiles(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code error;
  for (const auto& item : fs::directory_iterator(dir, error)) {
    const std::string name = item.path().filename().string();
    std::error_code type_error;  // a dangling or looping link is no suppression file
    if (item.is_regular_file(type_error) &&
        (item.path().extension() == ".supp" || name.find("ignorelist") != std::string::npos || name == "options.txt")) {
      files.push_back(item.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

int LintCommand(const std::vector<std::string>& files, const std::vector<std::string>& scanned) {
  int problems = 0;
  int entries = 0;
  int drafts = 0;
  // Option strings set elsewhere: scripts, workflows, presets.
  for (const std::string& path : scanned) {
    std::string content;
    if (std::string why; !ReadWholeFile(path, &content, &why)) {
      std::cerr << path << ": " << why << "\n";
      return kUsage;
    }
    // memsafe's module and its settings, wherever they live (installed, vendored).
    const std::string name = std::filesystem::path(path).filename().string();
    const bool memsafe_module =
        (name == "MemorySafety.cmake" && content.find("memsafe_adopt_project") != std::string::npos) ||
        (name == "memsafe_settings.cmake" && content.find("_memsafe_instrumentation_flags") != std::string::npos);
    const bool cmake_file = !memsafe_module && (name == "CMakeLists.txt" || name.ends_with(".cmake"));
    for (const Problem& problem : LintOptionStrings(content, memsafe_module, cmake_file)) {
      std::cout << path << ":" << problem.line << ": " << (problem.note ? "note: " : "") << problem.message << "\n";
      if (!problem.note) ++problems;
    }
  }
  for (const std::string& path : files) {
    std::string content;
    if (std::string why; !ReadWholeFile(path, &content, &why)) {
      std::cerr << path << ": " << why << "\n";
      return kUsage;
    }
    std::vector<Problem> found;
    if (IsOptionsFile(path)) {
      found = LintOptions(content);
    } else {
      ParsedFile parsed = ParseSuppressions(path, content);
      entries += static_cast<int>(parsed.entries.size());
      found = std::move(parsed.problems);
      for (const Problem& draft : parsed.drafts)
        std::cout << path << ":" << draft.line << ": draft: " << draft.message << "\n";
      drafts += static_cast<int>(parsed.drafts.size());
    }
    for (const Problem& problem : found) std::cout << path << ":" << problem.line << ": " << problem.message << "\n";
    problems += static_cast<int>(found.size());
  }
  std::cout << "memsafe suppressions lint: " << files.size() << " files, " << entries << " entries, " << scanned.size()
            << " files scanned for option strings, " << problems << " problem(s)";
  if (drafts > 0) std::cout << ", " << drafts << " draft(s) still to explain";
  std::cout << "\n";
  return problems == 0 ? kClean : kFindings;
}

bool FindDraftEntries(const std::vector<std::string>& files, std::vector<DueEntry>* drafts) {
  std::vector<ParsedFile> parsed;
  if (!ParseSuppressionFiles(files, &parsed)) return false;
  for (const ParsedFile& file : parsed) {
    for (const Entry& entry : file.entries) {
      if (entry.draft) drafts->push_back({file.path, entry.line, entry.text, entry.reason, entry.tracker});
    }
  }
  return true;
}

bool FindDueEntries(const std::vector<std::string>& files, int today, long long within, std::vector<DueEntry>* due) {
  std::vector<ParsedFile> parsed;
  if (!ParseSuppressionFiles(files, &parsed)) return false;
  // In 64 bits: a window of any int size must not wrap around and hide an entry.
  const long long horizon = static_cast<long long>(today) + within;
  for (const ParsedFile& file : parsed) {
    for (const Entry& entry : file.entries) {
      if (entry.review_by && *entry.review_by > horizon) continue;
      due->push_back({file.path, entry.line, entry.text, entry.reason, entry.tracker,
                      !entry.review_by || *entry.review_by < today, entry.review_by.value_or(0)});
    }
  }
  return true;
}

int ReviewCommand(const std::vector<std::string>& files, int today, long long within) {
  std::vector<DueEntry> due;
  if (!FindDueEntries(files, today, within, &due)) return kUsage;
  int overdue = 0;
  for (const DueEntry& entry : due) {
    overdue += entry.overdue ? 1 : 0;
    if (entry.review_by == 0) {
      std::cout << entry.path << ":" << entry.line << ": " << entry.text
                << ": no valid review-by date (run `memsafe suppressions lint`)\n";
      continue;
    }
    std::cout << entry.path << ":" << entry.line << ": " << (entry.overdue ? "OVERDUE since " : "due ")
              << FormatDate(entry.review_by) << ": " << entry.text << "\n"
              << "    reason:  " << entry.reason << "\n"
              << "    tracker: " << entry.tracker << "\n";
  }
  std::cout << "memsafe suppressions review (" << FormatDate(today) << ", window " << within << " days): " << overdue
            << " overdue, " << due.size() - static_cast<size_t>(overdue) << " due soon\n";
  return overdue == 0 ? kClean : kFindings;
}

int UnusedCommand(const std::vector<std::string>& files, const std::vector<std::string>& log_dirs,
                  std::vector<EntryUsage>* used) {
  std::vector<InputError> errors;
  std::vector<ParsedFile> parsed;
  if (!ParseSuppressionFiles(files, &parsed)) return kUsage;
  const LogSet logs = CollectLogs(log_dirs, &errors);
  const UsageVerdicts verdicts = JudgeUsage(parsed, logs, &errors);
  for (const EntryUsage& usage : verdicts.unused) {
    std::cout << usage.path << ":" << usage.entry.line << ": unused: " << usage.entry.text << " (no "
              << RunToolFor(usage.entry.tool) << " run matched it; tracker " << usage.entry.tracker << ")\n";
  }
  for (const EntryUsage& usage : verdicts.unjudged) {
    std::cout << usage.path << ":" << usage.entry.line << ": not judged: " << usage.entry.text << " (" << usage.why
              << ")\n";
  }
  for (const EntryUsage& usage : verdicts.used) {
    std::cout << usage.path << ":" << usage.entry.line << ": used " << usage.matches << "x: " << usage.entry.text
              << "\n";
  }
  if (used != nullptr) used->insert(used->end(), verdicts.used.begin(), verdicts.used.end());
  std::string presets;
  for (const auto& [preset, tools] : logs.tools_by_preset) presets += (presets.empty() ? "" : ", ") + preset;
  std::cout << "memsafe suppressions unused: " << verdicts.unused.size() << " unused, " << verdicts.used.size()
            << " used, " << verdicts.unjudged.size() << " not judged; runs read: " << logs.files.size() << " logs from "
            << (presets.empty() ? "no presets" : presets) << "\n";
  PrintErrors(errors);
  if (!errors.empty()) return kUsage;
  return verdicts.unused.empty() ? kClean : kFindings;
}

int AddDraftsCommand(const std::string& report, const std::string& dir, int today, bool dry_run) {
  std::string text, why;
  if (!ReadWholeFile(report, &text, &why)) {
    std::cerr << "memsafe suppressions add: " << report << ": " << why << "\n";
    return kUsage;
  }
  std::vector<Draft> drafts;
  std::vector<std::string> not_drafted;
  std::string error;
  if (!DraftSuppressions(text, today, &drafts, &not_drafted, &error)) {
    std::cerr << "memsafe suppressions add: " << report << ": " << error << "\n";
    return kUsage;
  }
  // Each file read once, the drafts it lacks appended in report order.
  std::map<std::string, std::string> contents;
  std::map<std::string, int> added;
  for (const Draft& draft : drafts) {
    const std::string path = (std::filesystem::path(dir) / draft.file).string();
    if (!contents.count(path)) {
      std::string content;
      std::error_code ignored;  // a missing file is created
      if (std::filesystem::exists(path, ignored) && !ReadWholeFile(path, &content, &why)) {
        std::cerr << "memsafe suppressions add: " << path << ": " << why << "\n";
        return kUsage;
      }
      contents[path] = content;
    }
    std::string& content = contents[path];
    // An entry the file already has, to the letter: a Valgrind block by its name, an
    // ignore-list entry by its line (its [section] is not an entry), others whole.
    const std::string wanted = draft.entry.find('\n') == std::string::npos ? draft.entry
                               : draft.entry.front() == '{' ? std::string(Trim(SplitLines(draft.entry).at(1)))
                                                            : draft.entry.substr(draft.entry.rfind('\n') + 1);
    const ParsedFile existing = ParseSuppressions(path, content);
    if (std::any_of(existing.entries.begin(), existing.entries.end(),
                    [&wanted](const Entry& entry) { return entry.text == wanted; })) {
      std::cout << path << ": already has " << draft.entry.substr(0, draft.entry.find('\n')) << "\n";
      continue;
    }
    if (!content.empty() && content.back() != '\n') content += '\n';
    content += "\n" + draft.text;
    ++added[path];
    std::cout << (dry_run ? "would add to " : "add to ") << path << ":\n" << draft.text;
  }
  // Each file as it would be written passes the lint, or nothing is written: a draft
  // must never be what breaks (or widens) a suppression file.
  for (const auto& [path, count] : added) {
    std::string before;
    (void)ReadWholeFile(path, &before);  // a missing file has no problems to keep
    const std::size_t had = ParseSuppressions(path, before).problems.size();
    const ParsedFile after = ParseSuppressions(path, contents[path]);
    if (after.problems.size() > had) {
      std::cerr << "memsafe suppressions add: " << path << " would not pass the lint with the drafts ("
                << after.problems.front().message << "); nothing written\n";
      return kFindings;
    }
  }
  for (const auto& [path, count] : added) {
    if (!dry_run && !WriteText(path, contents[path])) return kUsage;
  }
  for (const std::string& line : not_drafted) std::cout << "not drafted: " << line << "\n";
  int total = 0;
  for (const auto& [path, count] : added) total += count;
  std::cout << "memsafe suppressions add: " << total << " draft entr" << (total == 1 ? "y" : "ies")
            << (dry_run ? " would be added" : " added") << ", " << not_drafted.size()
            << " finding(s) not drafted; each draft is listed by the lint until its reason and tracker are written\n";
  return not_drafted.empty() ? kClean : kFindings;
}

}  // namespace memsafe::tools
