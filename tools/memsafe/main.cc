// memsafe: the command-line side of the toolkit.
//
//   memsafe suppressions lint   [--dir DIR] [FILE...]   syntax and metadata of suppression
//                                                        files, and the runtime options list
//   memsafe suppressions review [--dir DIR] [--today YYYY-MM-DD] [--within DAYS] [FILE...]
//                                                        entries due for review; exit 1 if overdue
//   memsafe suppressions unused [--dir DIR] LOGDIR...    entries no run matched; exit 1 if any
//   memsafe baseline run|check|update [--file F] [--scenarios BINARY] [--only NAME]...
//                                                        peak heap and RSS of the memory scenarios;
//                                                        check exits 1 beyond the threshold
//   memsafe report [--root DIR] [--markdown F] [--junit F] [--sarif F] [--json F]
//                  [--github-annotations] [--include-canaries] LOGDIR...
//                                                        deduplicated findings of the memory checks
//
// Exit status: 0 clean, 1 problems found (or entries overdue), 2 usage or input error.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "baseline.h"
#include "options_lint.h"
#include "report.h"
#include "report_output.h"
#include "suppression_usage.h"
#include "suppressions.h"

namespace {

namespace fs = std::filesystem;
using memsafe::tools::Problem;

constexpr int kClean = 0;
constexpr int kFindings = 1;
constexpr int kUsage = 2;

bool IsOptionsFile(const std::string& path) {
  return fs::path(path).filename().string().rfind("options", 0) == 0;
}

// The files a project keeps under its sanitizers/ directory.
std::vector<std::string> DefaultFiles(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code error;
  for (const auto& item : fs::directory_iterator(dir, error)) {
    const std::string name = item.path().filename().string();
    if (item.is_regular_file() &&
        (item.path().extension() == ".supp" || name.find("ignorelist") != std::string::npos ||
         name == "options.txt")) {
      files.push_back(item.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Each suppression file of `files` (the options list aside), parsed; false after
// saying which file cannot be read.
bool ParseSuppressionFiles(const std::vector<std::string>& files, std::vector<memsafe::tools::ParsedFile>* parsed) {
  for (const std::string& path : files) {
    if (IsOptionsFile(path)) continue;
    std::string content;
    if (!memsafe::tools::ReadWholeFile(path, &content)) {
      std::cerr << path << ": cannot read the file\n";
      return false;
    }
    parsed->push_back(memsafe::tools::ParseSuppressions(path, content));
  }
  return true;
}

int Today() {
  return static_cast<int>(
      std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()).time_since_epoch().count());
}

int Lint(const std::vector<std::string>& files, const std::vector<std::string>& scanned) {
  int problems = 0;
  int entries = 0;
  // Option strings set elsewhere: scripts, workflows, presets.
  for (const std::string& path : scanned) {
    std::string content;
    if (!memsafe::tools::ReadWholeFile(path, &content)) {
      std::cerr << path << ": cannot read the file\n";
      return kUsage;
    }
    for (const Problem& problem : memsafe::tools::LintOptionStrings(content)) {
      std::cout << path << ":" << problem.line << ": " << problem.message << "\n";
      ++problems;
    }
  }
  for (const std::string& path : files) {
    std::string content;
    if (!memsafe::tools::ReadWholeFile(path, &content)) {
      std::cerr << path << ": cannot read the file\n";
      return kUsage;
    }
    std::vector<Problem> found;
    if (IsOptionsFile(path)) {
      found = memsafe::tools::LintOptions(content);
    } else {
      memsafe::tools::ParsedFile parsed = memsafe::tools::ParseSuppressions(path, content);
      entries += static_cast<int>(parsed.entries.size());
      found = std::move(parsed.problems);
    }
    for (const Problem& problem : found) std::cout << path << ":" << problem.line << ": " << problem.message << "\n";
    problems += static_cast<int>(found.size());
  }
  std::cout << "memsafe suppressions lint: " << files.size() << " files, " << entries << " entries, "
            << scanned.size() << " files scanned for option strings, " << problems << " problem(s)\n";
  return problems == 0 ? kClean : kFindings;
}

int Review(const std::vector<std::string>& files, int today, int within) {
  int overdue = 0;
  int due = 0;
  std::vector<memsafe::tools::ParsedFile> parsed;
  if (!ParseSuppressionFiles(files, &parsed)) return kUsage;
  for (const memsafe::tools::ParsedFile& file : parsed) {
    const std::string& path = file.path;
    for (const auto& entry : file.entries) {
      if (!entry.review_by) {
        std::cout << path << ":" << entry.line << ": " << entry.text
                  << ": no valid review-by date (run `memsafe suppressions lint`)\n";
        ++overdue;
        continue;
      }
      if (*entry.review_by > today + within) continue;
      const bool late = *entry.review_by < today;
      (late ? overdue : due) += 1;
      std::cout << path << ":" << entry.line << ": " << (late ? "OVERDUE since " : "due ")
                << memsafe::tools::FormatDate(*entry.review_by) << ": " << entry.text << "\n"
                << "    reason:  " << entry.reason << "\n"
                << "    tracker: " << entry.tracker << "\n";
    }
  }
  std::cout << "memsafe suppressions review (" << memsafe::tools::FormatDate(today) << ", window " << within
            << " days): " << overdue << " overdue, " << due << " due soon\n";
  return overdue == 0 ? kClean : kFindings;
}

void PrintErrors(const std::vector<memsafe::tools::InputError>& errors) {
  for (const auto& error : errors) {
    std::cerr << error.file << (error.line > 0 ? ":" + std::to_string(error.line) : "") << ": error: "
              << error.message << "\n";
  }
}

bool WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) std::cerr << "memsafe: cannot write '" << path << "'\n";
  return static_cast<bool>(out);
}

std::string DirectoryWithSlash(const std::string& dir) {
  std::error_code error;
  std::string path = fs::weakly_canonical(fs::absolute(dir), error).string();
  if (path.empty() || path.back() != '/') path += '/';
  return path;
}

struct ReportOptions {
  std::vector<std::string> dirs;
  std::string root = ".";
  std::vector<std::string> exclude;
  std::string markdown, junit, sarif, json;
  bool annotations = false;
  bool include_canaries = false;
};

int Report(const ReportOptions& options) {
  using namespace memsafe::tools;
  ReportContext context;
  context.root = DirectoryWithSlash(options.root);
  context.exclude.push_back(context.root + "build/");
  for (const std::string& dir : options.exclude) context.exclude.push_back(DirectoryWithSlash(dir));

  ReportSummary summary;
  const LogSet logs = CollectLogs(options.dirs, &summary.errors);
  summary.logs = static_cast<int>(logs.files.size());
  std::vector<Finding> findings;
  for (Finding& finding : ReadLogs(logs, context, &summary.errors)) {
    if (finding.expected && !options.include_canaries) {
      ++summary.canary_findings;
    } else {
      findings.push_back(std::move(finding));
    }
  }
  const std::vector<Group> groups = Deduplicate(findings);
  std::cout << FormatTable(groups, summary);
  if (options.annotations) std::cout << FormatAnnotations(groups);
  bool written = true;
  if (!options.markdown.empty()) written &= WriteText(options.markdown, FormatMarkdown(groups, summary));
  if (!options.junit.empty()) written &= WriteText(options.junit, FormatJunit(groups));
  if (!options.sarif.empty()) written &= WriteText(options.sarif, FormatSarif(groups, context));
  if (!options.json.empty()) written &= WriteText(options.json, FormatJson(groups, summary));
  PrintErrors(summary.errors);
  if (!summary.errors.empty() || !written) return kUsage;
  return groups.empty() ? kClean : kFindings;
}

int Unused(const std::vector<std::string>& files, const std::vector<std::string>& log_dirs) {
  using namespace memsafe::tools;
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
  std::string presets;
  for (const auto& [preset, tools] : logs.tools_by_preset) presets += (presets.empty() ? "" : ", ") + preset;
  std::cout << "memsafe suppressions unused: " << verdicts.unused.size() << " unused, " << verdicts.used.size()
            << " used, " << verdicts.unjudged.size() << " not judged; runs read: " << logs.files.size()
            << " logs from " << (presets.empty() ? "no presets" : presets) << "\n";
  PrintErrors(errors);
  if (!errors.empty()) return kUsage;
  return verdicts.unused.empty() ? kClean : kFindings;
}

// The first line a command prints on stdout, or "" when it cannot run.
std::string FirstLineOf(const std::string& command) {
  std::string line;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[512];
    if (std::fgets(buffer, sizeof buffer, pipe) != nullptr) line = buffer;
    // The status adds nothing: an empty line already says the command failed.
    (void)pclose(pipe);
  }
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return line;
}

std::string Quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

struct BaselineOptions {
  std::string file = "sanitizers/memory-baseline.json";
  std::string scenarios = "build/dev/bench/memsafe_memory_scenarios";
  std::string valgrind = "valgrind";
  std::vector<std::string> only;
};

int Baseline(const std::string& action, const BaselineOptions& options) {
  using namespace memsafe::tools;
  std::vector<std::string> names = options.only;
  if (names.empty()) {
    FILE* pipe = popen((Quote(options.scenarios) + " --list 2>/dev/null").c_str(), "r");
    char buffer[512];
    while (pipe != nullptr && std::fgets(buffer, sizeof buffer, pipe) != nullptr) {
      std::string line = buffer;
      names.push_back(line.substr(0, line.find('\t')));
    }
    const int status = pipe == nullptr ? -1 : pclose(pipe);
    if (status != 0 || names.empty()) {
      std::cerr << "memsafe baseline: cannot list the scenarios of '" << options.scenarios
                << "' (build it: cmake --build --preset dev --target memsafe_memory_scenarios)\n";
      return kUsage;
    }
  }
  BaselineFile baseline;
  std::string text;
  const bool have_file = ReadWholeFile(options.file, &text);
  std::string error;
  if (have_file && !ReadBaseline(text, &baseline, &error)) {
    std::cerr << options.file << ": " << error << "\n";
    return kUsage;
  }
  if (action == "check" && !have_file) {
    std::cerr << "memsafe baseline: no baseline file '" << options.file << "' (create it with update)\n";
    return kUsage;
  }
  std::vector<Measurement> measured;
  std::printf("%-26s %16s %16s %9s %12s\n", "SCENARIO", "PEAK HEAP (B)", "AT 2X (B)", "GROWTH", "PEAK RSS KiB");
  for (const std::string& name : names) {
    Measurement m;
    if (!MeasureScenario(options.scenarios, options.valgrind, name, &m, &error)) {
      std::cerr << "memsafe baseline: " << error << "\n";
      return kUsage;
    }
    const double growth = m.peak_heap_bytes == 0 ? 0.0
        : (static_cast<double>(m.peak_heap_bytes_2x) - static_cast<double>(m.peak_heap_bytes)) * 100.0 /
              static_cast<double>(m.peak_heap_bytes);
    std::printf("%-26s %16llu %16llu %8.1f%% %12llu\n", name.c_str(),
                static_cast<unsigned long long>(m.peak_heap_bytes),
                static_cast<unsigned long long>(m.peak_heap_bytes_2x), growth,
                static_cast<unsigned long long>(m.peak_rss_kib));
    std::fflush(stdout);
    measured.push_back(m);
  }
  if (action == "run") return kClean;
  if (action == "update") {
    if (baseline.rationale.empty()) {
      baseline.rationale =
          "Peak heap from Valgrind massif (deterministic for these single-threaded scenarios) and peak RSS of a "
          "native run, for the dev build. A check fails when either grows by more than threshold_percent, or "
          "when running a scenario twice as long raises its peak (memory that grows over time). Regenerate "
          "with `memsafe baseline update` only for a change that is meant to use more memory, and say why in "
          "the commit.";
    }
    baseline.environment["date"] = memsafe::tools::FormatDate(Today());
    baseline.environment["valgrind"] = FirstLineOf(Quote(options.valgrind) + " --version");
    baseline.environment["compiler"] = FirstLineOf(Quote(options.scenarios) + " --compiler");
    baseline.environment["build"] = "dev preset (Debug, -O0)";
    for (const Measurement& m : measured) baseline.scenarios[m.scenario] = m;
    if (!WriteText(options.file, WriteBaseline(baseline))) return kUsage;
    std::cout << "memsafe baseline: wrote " << measured.size() << " scenario(s) to " << options.file << "\n";
    return kClean;
  }
  int failures = 0;
  std::printf("\n%-26s %-24s %14s %14s %9s\n", "SCENARIO", "MEASURE", "BASELINE", "NOW", "DELTA");
  for (const Verdict& v : Compare(baseline, measured)) {
    failures += v.failed ? 1 : 0;
    std::printf("%-26s %-24s %14.0f %14.0f %+8.1f%%%s\n", v.scenario.c_str(), v.what.c_str(), v.baseline,
                v.measured, v.delta_percent, v.failed ? "  FAIL" : "");
  }
  std::printf("memsafe baseline check: %d regression(s) beyond %.1f%% (baseline %s, %s)\n", failures,
              baseline.threshold_percent, options.file.c_str(),
              baseline.environment.count("date") ? baseline.environment.at("date").c_str() : "undated");
  return failures == 0 ? kClean : kFindings;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"memsafe: memory-safety reports and suppression lifecycle", "memsafe"};
  app.require_subcommand(1);
  CLI::App* suppressions = app.add_subcommand("suppressions", "Check and review suppression files");
  suppressions->require_subcommand(1);

  std::string dir = "sanitizers";
  std::vector<std::string> files;
  CLI::App* lint = suppressions->add_subcommand("lint", "Syntax and metadata of every entry; the options list");
  lint->add_option("--dir", dir, "Directory with the suppression files (default: sanitizers)");
  lint->add_option("files", files, "Files to check instead of the directory's");
  std::vector<std::string> scanned;
  lint->add_option("--scan", scanned,
                   "Also check every *SAN_OPTIONS string in these files (scripts, workflows, presets)");

  std::string today_text;
  int within = 0;
  CLI::App* review = suppressions->add_subcommand("review", "Entries whose review-by date has passed or is near");
  review->add_option("--dir", dir, "Directory with the suppression files (default: sanitizers)");
  review->add_option("--today", today_text, "Take this date as today (YYYY-MM-DD)");
  review->add_option("--within", within, "Also list entries due within this many days")->check(CLI::NonNegativeNumber);
  review->add_option("files", files, "Files to review instead of the directory's");

  std::vector<std::string> log_dirs;
  CLI::App* unused = suppressions->add_subcommand("unused", "Entries that no run in the logs matched");
  unused->add_option("--dir", dir, "Directory with the suppression files (default: sanitizers)");
  unused->add_option("--file", files, "A suppression file to judge instead of the directory's");
  unused->add_option("logdirs", log_dirs, "build/<preset>/memcheck directories, build/<preset>, or build")
      ->required();

  ReportOptions report_options;
  CLI::App* report = app.add_subcommand("report", "Deduplicated findings from the memory checks' logs");
  report->add_option("logdirs", report_options.dirs, "build/<preset>/memcheck directories, build/<preset>, or build")
      ->required();
  report->add_option("--root", report_options.root, "The project's source root (default: .)");
  report->add_option("--exclude", report_options.exclude, "Code under this directory is not the project's own");
  report->add_option("--markdown", report_options.markdown, "Write a Markdown summary");
  report->add_option("--junit", report_options.junit, "Write JUnit XML, one failing test case per finding");
  report->add_option("--sarif", report_options.sarif, "Write SARIF 2.1.0 for code scanning");
  report->add_option("--json", report_options.json, "Write the findings as JSON");
  report->add_flag("--github-annotations", report_options.annotations, "Print ::error annotations for GitHub");
  report->add_flag("--include-canaries", report_options.include_canaries,
                   "Count the canaries' expected findings too");

  BaselineOptions baseline_options;
  CLI::App* baseline = app.add_subcommand("baseline", "Peak memory of the memory scenarios against the baseline");
  baseline->require_subcommand(1);
  for (const char* action : {"run", "check", "update"}) {
    CLI::App* sub = baseline->add_subcommand(action, std::string(action) == "run" ? "Measure and print"
                                                     : std::string(action) == "check" ? "Measure and compare; exit 1 on a regression"
                                                                                      : "Measure and rewrite the baseline file");
    sub->add_option("--file", baseline_options.file, "The baseline (default: sanitizers/memory-baseline.json)");
    sub->add_option("--scenarios", baseline_options.scenarios,
                    "The scenarios program (default: build/dev/bench/memsafe_memory_scenarios)");
    sub->add_option("--valgrind", baseline_options.valgrind, "Valgrind to run massif with");
    sub->add_option("--only", baseline_options.only, "Only this scenario (repeatable)");
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? kClean : kUsage;
  }
  if (report->parsed()) return Report(report_options);
  if (baseline->parsed()) {
    for (const char* action : {"run", "check", "update"}) {
      if (baseline->got_subcommand(action)) return Baseline(action, baseline_options);
    }
  }
  if (files.empty()) files = DefaultFiles(dir);
  if (files.empty()) {
    std::cerr << "memsafe: no suppression files in '" << dir << "'\n";
    return kUsage;
  }
  if (lint->parsed()) return Lint(files, scanned);
  if (unused->parsed()) return Unused(files, log_dirs);
  int today = Today();
  if (!today_text.empty()) {
    std::optional<int> parsed = memsafe::tools::ParseDate(today_text);
    if (!parsed) {
      std::cerr << "memsafe: --today wants YYYY-MM-DD, got '" << today_text << "'\n";
      return kUsage;
    }
    today = *parsed;
  }
  return Review(files, today, within);
}
