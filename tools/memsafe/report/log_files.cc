// Finding the tools' logs: the launcher's names, plain log directories, and what a log is by its content.
#include "report/report.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "common/memory_tools.h"
#include "common/text.h"
#include "report/report_internal.h"

namespace memsafe::tools {
namespace {

namespace fs = std::filesystem;

// <test>.<tool>.<pid>[.xml] | <test>.<tool>.stderr | <test>.<tool>.rerun-stderr (the
// cases a finding kept from running, run again: memsafe next-cases) |
// <test>.<tool>.expected | <test>.<tool>.interpreter (markers, not logs)
bool ParseLogName(const std::string& name, LogFile* log, std::string* suffix) {
  std::string_view rest = name;
  if (EndsWith(rest, ".xml")) {
    log->xml = true;
    rest.remove_suffix(4);
  }
  const auto dot = rest.rfind('.');
  if (dot == std::string_view::npos) return false;
  *suffix = std::string(rest.substr(dot + 1));
  if (!AllDigits(*suffix) && *suffix != "stderr" && *suffix != "rerun-stderr" && *suffix != "expected" &&
      *suffix != "interpreter")
    return false;
  rest = rest.substr(0, dot);
  const auto dot2 = rest.rfind('.');
  if (dot2 == std::string_view::npos || dot2 == 0) return false;
  log->tool = std::string(rest.substr(dot2 + 1));
  if (const MemoryTool* tool = FindMemoryTool(log->tool); tool == nullptr || !tool->launcher_tool) return false;
  log->test = std::string(rest.substr(0, dot2));
  // The launcher tells apart names that sanitize alike ("c a", "c_a") by a hash suffix,
  // "~" and 8 hex digits, which is no part of the test's name.
  if (const size_t tilde = log->test.rfind('~');
      tilde != std::string::npos && log->test.size() - tilde == 9 &&
      log->test.find_first_not_of("0123456789abcdef", tilde + 1) == std::string::npos) {
    log->test.erase(tilde);
  }
  return true;
}

void ScanLogDir(const fs::path& dir, const std::string& preset, LogSet* set, std::vector<InputError>* errors) {
  std::vector<LogFile> found;
  std::set<std::string> expected;                  // "<test>.<tool>" of canaries
  std::map<std::string, std::string> interpreter;  // "<test>.<tool>" of interpreter runs: their build tree
  std::error_code error;
  fs::directory_iterator items(dir, error);
  if (error) {
    errors->push_back({dir.string(), 0, "cannot list the directory: " + error.message()});
    return;
  }
  for (const auto& item : items) {
    std::error_code type_error;
    if (!item.is_regular_file(type_error)) {
      // Named, never passed over in silence: a FIFO, a device, a directory, or a link
      // that leads nowhere or loops may be where a tool's report should have been.
      errors->push_back({item.path().string(), 0,
                         "skipped: not a regular file (a directory, FIFO, device, socket, or a link that leads "
                         "nowhere or loops)"});
      continue;
    }
    LogFile log;
    std::string suffix;
    if (!ParseLogName(item.path().filename().string(), &log, &suffix)) continue;
    log.path = item.path().string();
    log.preset = preset;
    if (suffix == "expected") {
      expected.insert(log.test + "." + log.tool);
      continue;
    }
    if (suffix == "interpreter") {
      // The marker holds the build tree; unreadable, the root alone places frames.
      std::string build_dir, why;
      if (ReadWholeFile(log.path, &build_dir, &why)) build_dir = std::string(Trim(build_dir));
      interpreter[log.test + "." + log.tool] = build_dir;
      continue;
    }
    found.push_back(std::move(log));
  }
  std::sort(found.begin(), found.end(), [](const LogFile& a, const LogFile& b) { return a.path < b.path; });
  std::set<std::string> tools;
  for (LogFile& log : found) {
    log.expected = expected.count(log.test + "." + log.tool) > 0;
    if (const auto marked = interpreter.find(log.test + "." + log.tool); marked != interpreter.end()) {
      log.interpreter = true;
      log.interpreter_build_dir = marked->second;
    }
    tools.insert(log.tool);
    set->files.push_back(std::move(log));
  }
  for (const std::string& key : expected) tools.insert(key.substr(key.rfind('.') + 1));
  auto& list = set->tools_by_preset[preset];
  for (const std::string& tool : tools) {
    if (std::find(list.begin(), list.end(), tool) == list.end()) list.push_back(tool);
  }
}

// A log given by name, in the launcher's naming scheme or not (a user's own
// ASAN_OPTIONS=log_path=... logs): the tool is told from the content when reading.
LogFile PlainLog(const fs::path& path) {
  LogFile log;
  std::string suffix;
  if (!ParseLogName(path.filename().string(), &log, &suffix) || suffix == "expected") {
    log = LogFile();
    log.test = path.filename().string();
  }
  log.path = path.string();
  log.xml = false;  // decided from the content
  log.preset = "-";
  return log;
}

// Every regular file below `dir` (links not followed), as plain logs.
void ScanPlainDir(const fs::path& dir, LogSet* set, std::vector<InputError>* errors) {
  std::error_code error;
  fs::recursive_directory_iterator it(dir, fs::directory_options::none, error);
  if (error) {
    errors->push_back({dir.string(), 0, "cannot list the directory: " + error.message()});
    return;
  }
  std::vector<fs::path> files;
  for (const fs::recursive_directory_iterator end; it != end; it.increment(error)) {
    if (error) {
      errors->push_back({it->path().string(), 0, "cannot list the directory: " + error.message()});
      break;
    }
    std::error_code type_error;
    if (it->is_symlink(type_error)) continue;
    if (it->is_regular_file(type_error)) files.push_back(it->path());
    if (it.depth() > 32) it.disable_recursion_pending();
  }
  if (error) return;
  std::sort(files.begin(), files.end());
  if (files.empty()) errors->push_back({dir.string(), 0, "no log files here"});
  for (const fs::path& file : files) set->files.push_back(PlainLog(file));
}

}  // namespace

// The tool a log came from, told from its content: Valgrind XML, or the sanitizer
// whose headline appears first.
std::string ToolOfContent(std::string_view content) {
  if (content.find("<valgrindoutput") != std::string_view::npos) return "valgrind";
  size_t best = std::string_view::npos;
  std::string tool = "asan";
  for (const auto& [marker, name] :
       {std::pair{"AddressSanitizer", "asan"}, std::pair{"LeakSanitizer", "asan"}, std::pair{"ThreadSanitizer", "tsan"},
        std::pair{"MemorySanitizer", "msan"}, std::pair{"runtime error:", "ubsan"},
        std::pair{"UndefinedBehaviorSanitizer", "ubsan"}}) {
    const size_t at = content.find(marker);
    if (at < best) {
      best = at;
      tool = name;
    }
  }
  return tool;
}

const std::vector<std::string>& DefaultExcludedNames() {
  static const std::vector<std::string> names = {"third_party", "third-party", "thirdparty", "3rdparty", "vendor",
                                                 "vendored",    "external",    "extern",     "_deps"};
  return names;
}

ReportContext ProjectReportContext(const std::string& root, const std::vector<std::string>& extra,
                                   std::vector<InputError>* errors) {
  // Through links, as the compilers wrote the paths into the debug info.
  const auto with_slash = [](const fs::path& dir) {
    std::error_code error;
    std::string text = fs::weakly_canonical(fs::absolute(dir), error).lexically_normal().string();
    if (text.empty() || text.back() != '/') text += '/';
    return text;
  };
  ReportContext context;
  context.root = with_slash(root.empty() ? fs::path(".") : fs::path(root));
  context.exclude.push_back(context.root + "build/");
  for (const std::string& dir : extra) context.exclude.push_back(with_slash(dir));
  context.excluded_names = DefaultExcludedNames();

  const std::string file = context.root + "sanitizers/exclude.txt";
  std::error_code missing;
  if (!fs::exists(file, missing)) return context;
  std::string content;
  std::string why;
  if (!ReadWholeFile(file, &content, &why)) {
    errors->push_back({file, 0, why});
    return context;
  }
  int number = 0;
  for (std::string_view raw : SplitLines(content)) {
    ++number;
    std::string_view line = Trim(raw.substr(0, raw.find('#')));
    if (line.empty()) continue;
    if (StartsWith(line, "!")) {
      const std::string_view name = Trim(line.substr(1));
      auto& names = context.excluded_names;
      const auto found = std::find(names.begin(), names.end(), name);
      if (found == names.end()) {
        errors->push_back({file, number, "'" + std::string(name) + "' is not a default excluded directory name"});
      } else {
        names.erase(found);
      }
      continue;
    }
    if (StartsWith(line, "/") || line.find("..") != std::string_view::npos) {
      errors->push_back({file, number, "'" + std::string(line) + "' must be a directory below the project root"});
      continue;
    }
    std::string dir = (fs::path(context.root) / std::string(line)).lexically_normal().string();
    if (dir.back() != '/') dir += '/';
    context.exclude.push_back(dir);
  }
  return context;
}

LogSet CollectLogs(const std::vector<std::string>& inputs, std::vector<InputError>* errors) {
  LogSet set;
  for (const std::string& input : inputs) {
    if (input == "-") {
      LogFile log;
      log.path = "-";
      log.test = "stdin";
      log.preset = "-";
      set.files.push_back(std::move(log));
      continue;
    }
    std::error_code error;
    const fs::path path(input);
    const fs::file_status status = fs::status(path, error);
    if (error) {
      errors->push_back({input, 0, "cannot be read: " + error.message()});
      continue;
    }
    if (fs::is_regular_file(status)) {
      set.files.push_back(PlainLog(path));
      continue;
    }
    if (!fs::is_directory(status)) {
      errors->push_back({input, 0, "is not a log file or a directory (a FIFO, socket or device?)"});
      continue;
    }
    const fs::path canonical = fs::weakly_canonical(path, error);
    if (error) {
      errors->push_back({input, 0, "cannot be resolved: " + error.message()});
      continue;
    }
    std::error_code sub_error;
    if (canonical.filename() == "memcheck") {
      ScanLogDir(canonical, canonical.parent_path().filename().string(), &set, errors);
    } else if (fs::is_directory(canonical / "memcheck", sub_error)) {
      ScanLogDir(canonical / "memcheck", canonical.filename().string(), &set, errors);
    } else {
      std::vector<fs::path> presets;
      fs::directory_iterator items(canonical, error);
      if (error) {
        errors->push_back({input, 0, "cannot list the directory: " + error.message()});
        continue;
      }
      for (const auto& item : items) {
        std::error_code type_error;
        if (item.is_directory(type_error) && fs::is_directory(item.path() / "memcheck", type_error)) {
          presets.push_back(item.path());
        }
      }
      std::sort(presets.begin(), presets.end());
      // No harness layout: a directory of logs written some other way.
      if (presets.empty()) ScanPlainDir(canonical, &set, errors);
      for (const fs::path& preset : presets) {
        ScanLogDir(preset / "memcheck", preset.filename().string(), &set, errors);
      }
    }
  }
  return set;
}

bool ReadLogContent(const std::string& path, std::string* content, std::string* why) {
  if (path != "-") return ReadWholeFile(path, content, why);
  content->clear();
  char buffer[1 << 16];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, stdin)) > 0) {
    content->append(buffer, n);
    if (static_cast<long long>(content->size()) > kMaxInputBytes) {
      *why = "standard input is larger than " + std::to_string(kMaxInputBytes >> 20) + " MiB";
      return false;
    }
  }
  if (std::ferror(stdin)) {
    *why = "cannot read standard input";
    return false;
  }
  return true;
}

}  // namespace memsafe::tools
