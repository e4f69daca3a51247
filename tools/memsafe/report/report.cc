#include "report/report.h"

#include <pugixml.hpp>

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

#include "suppressions/suppressions.h"

#include "report/report_internal.h"

namespace memsafe::tools {

namespace fs = std::filesystem;

namespace {

// A path inside one of `dirs` (each given as written and resolved, ending in '/'), as
// written or resolved through symbolic links.
bool Inside(const std::string& path, const std::vector<std::string>& dirs) {
  const std::string normal = fs::path(path).lexically_normal().string();
  std::error_code error;
  const std::string resolved = fs::weakly_canonical(path, error).string();
  for (const std::string& dir : dirs) {
    if (normal.starts_with(dir) || (!error && resolved.starts_with(dir))) return true;
  }
  return false;
}

// Whether the finding may be the project's: a frame of any of its stacks (the access, the
// allocation, the free) whose binary lies under the root or the build tree, or whose
// file does (absolute: a relative one, as -ffile-prefix-map and Debian's glibc leave
// them, says nothing), or that names no binary and no absolute file outside them. Only a
// finding every frame of which is placed in other binaries (the interpreter's, the
// system's) is not. Without a root nothing can be told apart.
bool MayBeTheProjects(const Finding& finding, const ReportContext& context, const std::string& build_dir) {
  if (context.root.empty()) return true;
  std::vector<std::string> dirs;
  for (const std::string& dir : {context.root, build_dir}) {
    if (dir.empty()) continue;
    dirs.push_back((fs::path(dir).lexically_normal() / "").string());
    std::error_code error;
    if (const fs::path resolved = fs::weakly_canonical(dir, error); !error) dirs.push_back((resolved / "").string());
  }
  bool any_frame = false;
  for (const Stack& stack : finding.stacks) {
    for (const Frame& frame : stack.frames) {
      any_frame = true;
      const bool absolute_file = !frame.file.empty() && fs::path(frame.file).is_absolute();
      if (absolute_file && Inside(frame.file, dirs)) return true;
      if (frame.object.empty() ? !absolute_file : Inside(frame.object, dirs)) return true;
    }
  }
  return !any_frame;
}

}  // namespace

std::vector<Finding> ReadLogs(const LogSet& logs, const ReportContext& context, std::vector<InputError>* errors) {
  std::vector<Finding> all;
  for (const LogFile& given : logs.files) {
    std::string content;
    std::string why;
    std::error_code size_error;
    // A large text log of a known tool (a test's standard error that also carries a
    // report) is read in blocks: memory stays bounded whatever its size.
    const bool stream = !given.xml && given.preset != "-" && given.path != "-" &&
                        fs::is_regular_file(given.path, size_error) &&
                        fs::file_size(given.path, size_error) > kStreamedLogBytes && !size_error;
    std::vector<Finding> found;
    if (stream) {
      found = ParseSanitizerLogFile(given, context, errors);
    } else if (!ReadLogContent(given.path, &content, &why)) {
      errors->push_back({given.path, 0, why});
      continue;
    } else {
      LogFile log = given;
      if (log.preset == "-") {  // a log not named by the launcher: what it is shows in its content
        log.tool = ToolOfContent(content);
        log.xml = log.tool == "valgrind";
      }
      found =
          log.xml ? ParseValgrindXml(content, log, context, errors) : ParseSanitizerLog(content, log, context, errors);
    }
    // Blocks reachable only from a leaked block go away with it: in a run that has a
    // direct leak they are its consequence, not a bug of their own.
    const auto direct =
        std::find_if(found.begin(), found.end(), [](const Finding& f) { return f.kind == "memory-leak"; });
    if (direct != found.end()) {
      const auto indirect =
          std::count_if(found.begin(), found.end(), [](const Finding& f) { return f.kind == "indirect-leak"; });
      if (indirect > 0) direct->message += " (and " + std::to_string(indirect) + " indirect leak(s) it holds)";
      found.erase(
          std::remove_if(found.begin(), found.end(), [](const Finding& f) { return f.kind == "indirect-leak"; }),
          found.end());
    }
    for (Finding& finding : found) {
      finding.expected = given.expected;
      finding.interpreters_own = given.interpreter && !finding.unsymbolized &&
                                 !MayBeTheProjects(finding, context, given.interpreter_build_dir);
      all.push_back(std::move(finding));
    }
  }
  return all;
}

std::vector<SuppressionUse> ParseSuppressionsUsed(std::string_view content, const LogFile& log) {
  std::vector<SuppressionUse> uses;
  if (log.xml) {
    pugi::xml_document document;
    if (!document.load_buffer(content.data(), content.size())) return uses;
    for (const pugi::xml_node& pair : document.child("valgrindoutput").child("suppcounts").children("pair")) {
      const std::string_view count = pair.child_value("count");
      uses.push_back({"valgrind", pair.child_value("name"), AllDigits(count) ? ToInt(count) : 0});
    }
    return uses;
  }
  enum class Section { kNone, kLsan, kTsan } section = Section::kNone;
  // Splits off a leading run of digits: "12   rest" -> 12, "rest".
  const auto number = [](std::string_view& text, long* value) {
    size_t digits = 0;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
    if (digits == 0 || digits == text.size() || text[digits] != ' ') return false;
    *value = ToInt(text.substr(0, digits));
    text = Trim(text.substr(digits));
    return true;
  };
  for (std::string_view raw : SplitLines(content)) {
    std::string_view line = Trim(raw);
    long count = 0;
    long bytes = 0;
    if (line == "Suppressions used:") {
      section = Section::kLsan;
    } else if (line.find("ThreadSanitizer: Matched ") != std::string_view::npos) {
      section = Section::kTsan;
    } else if (section == Section::kLsan && number(line, &count) && number(line, &bytes) && !line.empty()) {
      // LSan prints the pattern without its "leak:" type.
      uses.push_back({"lsan", "leak:" + std::string(line), count});
    } else if (section == Section::kTsan && number(line, &count) && line.find(':') != std::string_view::npos) {
      uses.push_back({"tsan", std::string(line), count});
    } else if (!StartsWith(line, "count")) {
      section = Section::kNone;
    }
  }
  return uses;
}

}  // namespace memsafe::tools
