// What the report's files share and nothing outside report/ uses: the helpers of its
// parsers, kind names, frames and signatures (report.h is the interface).
//
// Thread-safety: pure functions over values.
#ifndef MEMSAFE_TOOLS_REPORT_REPORT_INTERNAL_H_
#define MEMSAFE_TOOLS_REPORT_REPORT_INTERNAL_H_

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "report/report.h"

namespace memsafe::tools {

inline bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}
inline bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}
inline bool AllDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}
inline int ToInt(std::string_view digits) {
  int value = 0;
  for (char c : digits) {
    if (value > 100000000) return value;  // a line number this large is garbage; stop before overflow
    value = value * 10 + (c - '0');
  }
  return value;
}
inline std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Kinds (kinds.cc): "data race (pid=12)" -> "data-race"; ASan's and UBSan's headlines.
std::string KindFromWords(std::string_view words);
std::string AsanKind(std::string_view after_tool);
std::string UbsanKind(std::string_view message);

// Frames (frames.cc).
inline constexpr std::string_view kRuntimeError = ": runtime error: ";
// "file:line" or "file:line:col" at the end of a token; nullopt if it is not one.
std::optional<Frame> FileLine(std::string_view token);
// "file:line:col: runtime error: ..." -> the position, or nullopt for other lines.
std::optional<Frame> UbsanSite(std::string_view line);
// A function's bare name, comparable across compilers and tools.
std::string ShortName(std::string_view name);
std::string FrameKey(const Frame& frame);
std::vector<std::string> TopFrames(const Stack& stack, size_t count);

// Locations and signatures (signature.cc): the finding's location, then its signature.
void Locate(Finding& finding, const ReportContext& context);
void Finish(Finding& finding, const ReportContext& context);

// Logs (log_files.cc): the tool whose report a log without a launcher's name holds.
std::string ToolOfContent(std::string_view content);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_REPORT_REPORT_INTERNAL_H_
