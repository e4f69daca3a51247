// memsafe: the command-line side of the toolkit.
//
//   memsafe suppressions lint   [--dir DIR] [FILE...]   syntax and metadata of suppression
//                                                        files, and the runtime options list
//   memsafe suppressions review [--dir DIR] [--today YYYY-MM-DD] [--within DAYS] [FILE...]
//                                                        entries due for review; exit 1 if overdue
//
// Exit status: 0 clean, 1 problems found (or entries overdue), 2 usage or input error.
#include <CLI/CLI.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "options_lint.h"
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

bool Read(const std::string& path, std::string* content) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  *content = text.str();
  return true;
}

int Today() {
  return static_cast<int>(
      std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()).time_since_epoch().count());
}

int Lint(const std::vector<std::string>& files) {
  int problems = 0;
  int entries = 0;
  for (const std::string& path : files) {
    std::string content;
    if (!Read(path, &content)) {
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
            << problems << " problem(s)\n";
  return problems == 0 ? kClean : kFindings;
}

int Review(const std::vector<std::string>& files, int today, int within) {
  int overdue = 0;
  int due = 0;
  for (const std::string& path : files) {
    if (IsOptionsFile(path)) continue;
    std::string content;
    if (!Read(path, &content)) {
      std::cerr << path << ": cannot read the file\n";
      return kUsage;
    }
    for (const auto& entry : memsafe::tools::ParseSuppressions(path, content).entries) {
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

  std::string today_text;
  int within = 0;
  CLI::App* review = suppressions->add_subcommand("review", "Entries whose review-by date has passed or is near");
  review->add_option("--dir", dir, "Directory with the suppression files (default: sanitizers)");
  review->add_option("--today", today_text, "Take this date as today (YYYY-MM-DD)");
  review->add_option("--within", within, "Also list entries due within this many days")->check(CLI::NonNegativeNumber);
  review->add_option("files", files, "Files to review instead of the directory's");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? kClean : kUsage;
  }
  if (files.empty()) files = DefaultFiles(dir);
  if (files.empty()) {
    std::cerr << "memsafe: no suppression files in '" << dir << "'\n";
    return kUsage;
  }
  if (lint->parsed()) return Lint(files);
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
