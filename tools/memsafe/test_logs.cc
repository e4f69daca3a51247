// A test run's logs and captured output, cut to what the test output shows
// (test_verdict.h: RunLogs, DefuseSkipMarkers, CutSanitizerLog, StreamOutput).
#include "test_verdict.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <utility>

#include "common/text.h"
#include "loaded_objects.h"
#include "report/report.h"
#include "report/report_output.h"
#include "suppressions/options_lint.h"

namespace memsafe::tools {

namespace fs = std::filesystem;

namespace {

// A report's lines shown at most (a deep stack, a long list of shadow bytes).
constexpr int kMaxLinesPerReport = 40;

void ReplaceAll(std::string* text, std::string_view from, std::string_view to) {
  for (size_t at = text->find(from); at != std::string::npos; at = text->find(from, at + to.size())) {
    text->replace(at, from.size(), to);
  }
}

// A TSan location line that describes an address of the "[stack]" mapping as a global
// (see CutSanitizerLog).
bool IsStackMappingGlobal(std::string_view line) {
  line = Trim(line);
  return line.starts_with("Location is global '") && line.ends_with(")") &&
         line.find(" ([stack]+0x") != std::string_view::npos;
}

}  // namespace

std::vector<std::string> RunLogs(const std::string& prefix) {
  const fs::path base(prefix);
  const std::string stem = base.filename().string() + ".";
  std::vector<std::string> logs;
  std::error_code error;
  for (fs::directory_iterator it(base.parent_path(), error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with(stem)) continue;
    std::string_view rest = std::string_view(name).substr(stem.size());
    if (rest.size() > 4 && rest.substr(rest.size() - 4) == ".xml") rest.remove_suffix(4);
    if (!rest.empty() && std::all_of(rest.begin(), rest.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      logs.push_back(it->path().string());
    }
  }
  std::sort(logs.begin(), logs.end());
  return logs;
}

std::string DefuseSkipMarkers(std::string_view text) {
  std::string out(text);
  ReplaceAll(&out, "memsafe: SKIPPED:", "memsafe: (test output) SKIPPED:");
  ReplaceAll(&out, "[  SKIPPED ]", "[  Skipped ]");
  return out;
}

std::string CutSanitizerLog(std::string_view log, const std::string& path, int max_reports, int* stack_globals) {
  std::string shown;
  int reports = 0;
  int lines_shown = 0;
  int hidden = 0;
  bool dropped = false;  // the line before was a stack-mapping global, left out with its blank line
  for (std::string_view line : SplitLines(log)) {
    if (IsStackMappingGlobal(line)) {
      if (stack_globals != nullptr) ++*stack_globals;
      dropped = true;
      continue;
    }
    if (std::exchange(dropped, false) && Trim(line).empty()) continue;
    std::string_view body = line;
    if (body.starts_with("==")) {
      const size_t end = body.find("==", 2);
      if (end != std::string_view::npos) body.remove_prefix(end + 2);
    }
    const bool headline = ((body.starts_with("ERROR: ") || body.starts_with("WARNING: ")) &&
                           body.find("Sanitizer", 7) != std::string_view::npos && body.find("Sanitizer") < 30) ||
                          line.find(": runtime error: ") != std::string_view::npos;
    if (headline) ++reports;
    if (reports <= max_reports && lines_shown < kMaxLinesPerReport * max_reports) {
      shown.append(line).push_back('\n');
      ++lines_shown;
    } else {
      ++hidden;
    }
  }
  if (hidden > 0) {
    shown += "... " + std::to_string(hidden) + " more lines (" + std::to_string(reports) + " reports in all): see " +
             path + "\n";
  }
  return shown;
}

bool StreamOutput(const std::string& path, std::ostream* out, bool* skipped, bool* passed_case, std::string* why,
                  bool* timed_out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *why = "cannot open it";
    return false;
  }
  // Markers are looked for in a window of what was read last and what comes next, so
  // one split between two blocks is still found; the window's tail is held back.
  constexpr std::string_view kLineMarkers[] = {"\n[  SKIPPED ] ", "\n[       OK ] ", "\ntimeout: sending signal"};
  constexpr size_t kHeld = 32;  // longer than any marker, defused or found
  std::string window = "\n";    // the file's first line starts a line too
  std::vector<char> block(1 << 20);
  bool first = true;
  while (in.read(block.data(), static_cast<std::streamsize>(block.size())) || in.gcount() > 0) {
    window.append(block.data(), static_cast<size_t>(in.gcount()));
    *skipped = *skipped || window.find(kLineMarkers[0]) != std::string::npos;
    *passed_case = *passed_case || window.find(kLineMarkers[1]) != std::string::npos;
    if (timed_out != nullptr) *timed_out = *timed_out || window.find(kLineMarkers[2]) != std::string::npos;
    std::string shown = DefuseSkipMarkers(window);
    const size_t keep = std::min(kHeld, shown.size());
    if (out != nullptr)
      out->write(shown.data() + (first ? 1 : 0), static_cast<std::streamsize>(shown.size() - keep - (first ? 1 : 0)));
    first = false;
    window = shown.substr(shown.size() - keep);
  }
  if (in.bad()) {
    *why = "a read failed";
    return false;
  }
  if (out != nullptr)
    out->write(window.data() + (first ? 1 : 0), static_cast<std::streamsize>(window.size() - (first ? 1 : 0)));
  return true;
}

}  // namespace memsafe::tools
