// The sanitizers' text reports (ASan, LSan, UBSan, TSan, and the headlines of the others) read into findings.
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

#include "common/text.h"
#include "report/report_internal.h"

namespace memsafe::tools {
namespace {

namespace fs = std::filesystem;

// The tool and kind of a headline of the sanitizers without a parser branch of their
// own: "ERROR: ThreadSanitizer: SEGV on unknown address ...", "ERROR:
// UndefinedBehaviorSanitizer: SEGV ...", "WARNING: MemorySanitizer:
// use-of-uninitialized-value", "ERROR: HWAddressSanitizer: tag-mismatch ...".
std::optional<std::pair<std::string, std::string>> OtherSanitizerHeadline(std::string_view body) {
  for (const auto& [prefix, tool] : {std::pair{std::string_view("ERROR: ThreadSanitizer: "), "tsan"},
                                     std::pair{std::string_view("ERROR: UndefinedBehaviorSanitizer: "), "ubsan"},
                                     std::pair{std::string_view("ERROR: MemorySanitizer: "), "msan"},
                                     std::pair{std::string_view("WARNING: MemorySanitizer: "), "msan"},
                                     std::pair{std::string_view("ERROR: HWAddressSanitizer: "), "hwasan"}}) {
    if (!StartsWith(body, prefix)) continue;
    const std::string_view words = body.substr(prefix.size());
    return std::pair{std::string(tool), KindFromWords(words.substr(0, words.find_first_of(" :")))};
  }
  return std::nullopt;
}

// TSan's report of an access: its first stack's title ("Write of size 1 at 0x7b04..18 by
// main thread:") and "Location is heap block of size 8 at 0x7b04..10 allocated by ...":
// true when the access starts outside that block.
bool OutsideItsBlock(const Finding& finding) {
  static const std::regex access(" of size [0-9]+ at 0x([0-9a-fA-F]{1,16})");
  static const std::regex block("^Location is heap block of size ([0-9]{1,19}) at 0x([0-9a-fA-F]{1,16})");
  if (finding.stacks.empty()) return false;
  std::smatch at;
  if (!std::regex_search(finding.stacks.front().title, at, access)) return false;
  const unsigned long long address = std::stoull(at.str(1), nullptr, 16);
  for (const Stack& stack : finding.stacks) {
    std::smatch where;
    if (!std::regex_search(stack.title, where, block)) continue;
    const unsigned long long start = std::stoull(where.str(2), nullptr, 16);
    const unsigned long long size = std::stoull(where.str(1));
    return address < start || address - start >= size;
  }
  return false;
}

class SanitizerLogParser {
 public:
  SanitizerLogParser(const LogFile& log, const ReportContext& context, std::vector<InputError>* errors)
      : log_(log), context_(context), errors_(errors) {}

  std::vector<Finding> Parse(std::string_view content) {
    const std::vector<std::string_view> lines = SplitLines(content);
    for (size_t i = 0; i < lines.size(); ++i) Line(lines[i], static_cast<int>(i) + 1);
    return Findings();
  }
  // The same, a line at a time (a log read in blocks), then Findings().
  void Feed(std::string_view line, int number) { Line(line, number); }
  std::vector<Finding> Findings() {
    CloseAll(/*complete=*/false);
    return std::move(findings_);
  }

 private:
  static constexpr size_t kNone = static_cast<size_t>(-1);

  void Line(std::string_view raw, int number) {
    const std::string_view line = Trim(raw);
    // A sanitizer headline may carry the "==pid==" prefix.
    std::string_view body = line;
    if (StartsWith(body, "==")) {
      const auto end = body.find("==", 2);
      if (end != std::string_view::npos) body = body.substr(end + 2);
    }
    if (StartsWith(body, "ERROR: AddressSanitizer: ")) {
      CloseAll(false);
      Open("asan", AsanKind(body.substr(25)), std::string(body), number);
    } else if (StartsWith(body, "ERROR: LeakSanitizer:")) {
      CloseAll(false);
      in_leaks_ = true;
      leak_start_ = number;
    } else if (in_leaks_ && (StartsWith(line, "Direct leak of ") || StartsWith(line, "Indirect leak of "))) {
      Open("lsan", StartsWith(line, "Direct") ? "memory-leak" : "indirect-leak", std::string(line), number);
      stack_ = &findings_[current_].stacks.emplace_back();
      stack_->title = std::string(line);
      leak_findings_.push_back(current_);
    } else if (StartsWith(body, "WARNING: ThreadSanitizer: ")) {
      CloseAll(false);
      std::string_view words = body.substr(26);
      Open("tsan", KindFromWords(words), std::string(body.substr(0, body.find(" (pid="))), number);
    } else if (std::optional<std::pair<std::string, std::string>> other = OtherSanitizerHeadline(body)) {
      CloseAll(false);
      Open(other->first, other->second, std::string(body), number);
    } else if (current_ != kNone && findings_[current_].kind == "segv" &&
               body.find("Hint: address points to the zero page") != std::string_view::npos) {
      // A SEGV at address 0 plus a small offset: the kind Valgrind's rows give it too.
      findings_[current_].kind = "null-pointer-use";
    } else if (StartsWith(line, "SUMMARY: ")) {
      Summary(line);
    } else if (std::optional<Frame> site = UbsanSite(line)) {
      CloseAll(false);
      Open("ubsan", UbsanKind(line.substr(line.find(kRuntimeError) + kRuntimeError.size())), std::string(line), number);
      ubsan_site_ = *site;
    } else if (current_ != kNone && StartsWith(line, "#") && line.size() > 1 &&
               std::isdigit(static_cast<unsigned char>(line[1]))) {
      if (stack_ == nullptr) stack_ = &findings_[current_].stacks.emplace_back();
      stack_->frames.push_back(ParseFrameLine(line));
    } else if (current_ != kNone && line.empty()) {
      stack_ = nullptr;
    } else if (current_ != kNone && EndsWith(line, ":") && !StartsWith(line, "Shadow")) {
      // A stack's title: "freed by thread T0 here:", "Previous write of size 4 ... by thread T1:".
      stack_ = &findings_[current_].stacks.emplace_back();
      stack_->title = std::string(line);
    } else if (current_ != kNone && !line.empty() && findings_[current_].stacks.empty() &&
               findings_[current_].tool == "asan") {
      // ASan's access line ("READ of size 1 at ... thread T0") heads the first stack.
      stack_ = &findings_[current_].stacks.emplace_back();
      stack_->title = std::string(line);
    } else {
      stack_ = nullptr;
    }
  }

  void Open(std::string tool, std::string kind, std::string message, int number) {
    Finding finding;
    finding.tool = std::move(tool);
    finding.kind = std::move(kind);
    finding.message = std::move(message);
    finding.test = log_.test;
    finding.preset = log_.preset;
    finding.log = log_.path;
    finding.log_line = number;
    findings_.push_back(std::move(finding));
    current_ = findings_.size() - 1;
    stack_ = nullptr;
  }

  void Summary(std::string_view line) {
    // "SUMMARY: AddressSanitizer: heap-use-after-free /x.cc:10:10 in main"
    // "SUMMARY: AddressSanitizer: 112 byte(s) leaked in 2 allocation(s)."
    if (in_leaks_) {
      for (size_t index : leak_findings_) Close(index, true);
      leak_findings_.clear();
      in_leaks_ = false;
      current_ = kNone;
      stack_ = nullptr;
      return;
    }
    if (current_ == kNone) return;
    Finding& finding = findings_[current_];
    const auto colon = line.find(": ", 9);
    if (colon != std::string_view::npos && finding.kind != "null-pointer-use") {
      std::string_view rest = line.substr(colon + 2);
      const std::string_view word = rest.substr(0, rest.find(' '));
      // ASan's summary names the kind ("SUMMARY: AddressSanitizer: heap-use-after-free
      // ..."); the other runtimes do where it is one hyphenated word
      // (allocation-size-too-big, calloc-overflow, out-of-memory, heap-use-after-free),
      // while their headline may start with a function's name ("calloc parameters
      // overflow", "requested allocation size ..."). "data race", "thread leak" and
      // "SEGV" keep the headline's kind.
      // (A headline kind that already starts with the word, signal-unsafe-call-inside-of-
      // a-signal, says more than it.)
      // UBSan's summary word (Clang's report_error_type=1: out-of-bounds-index,
      // invalid-shift-exponent) is its own check's name, not the kind every other tool
      // and GCC's runtime, which prints no summary, give that bug: its message decides,
      // but where the message says less (float-divide-by-zero's is "division by zero",
      // as the integer one's; a message the table does not know).
      const bool ubsan_word =
          finding.tool == "ubsan" && (word == "float-divide-by-zero" || finding.kind == "undefined-behavior");
      const bool kind_word = finding.tool == "asan" || ubsan_word ||
                             (finding.tool != "ubsan" && word.find('-') != std::string_view::npos &&
                              !StartsWith(finding.kind, std::string(word)));
      if (kind_word && !word.empty() && !std::isdigit(static_cast<unsigned char>(word[0]))) {
        finding.kind = KindFromWords(word);
      }
    }
    if (finding.tool == "tsan" && finding.kind == "heap-use-after-free" && OutsideItsBlock(finding)) {
      // TSan calls any access to a heap byte it once saw freed a use after free, also one
      // just past a live block whose bytes beyond were freed before: by the block it
      // names, that is an overflow, the row ASan and Valgrind make of it.
      finding.kind = "heap-buffer-overflow";
    }
    Close(current_, true);
    current_ = kNone;
    stack_ = nullptr;
  }

  void Close(size_t index, bool complete) {
    Finding& finding = findings_[index];
    // GCC's UBSan runtime prints no SUMMARY line, so a UBSan report ends where the next
    // one or the file does.
    finding.complete = complete || finding.tool == "ubsan";
    if (finding.tool == "ubsan" && (finding.stacks.empty() || finding.stacks.front().frames.empty())) {
      // Without print_stacktrace the headline's position is all there is.
      finding.stacks.insert(finding.stacks.begin(), Stack{"runtime error", {ubsan_site_}});
    }
    if (!finding.complete) {
      errors_->push_back({log_.path, finding.log_line,
                          finding.tool + " report '" + finding.message.substr(0, 80) +
                              "' ends before its SUMMARY line: the log was cut short"});
    }
    Finish(finding, context_);
  }

  void CloseAll(bool complete) {
    if (in_leaks_ && leak_findings_.empty()) {
      errors_->push_back({log_.path, leak_start_, "LeakSanitizer report without any leak: the log was cut short"});
    }
    // In a leak report the current finding is the last leak: closed with the others.
    if (!leak_findings_.empty()) current_ = kNone;
    for (size_t index : leak_findings_) Close(index, complete);
    leak_findings_.clear();
    in_leaks_ = false;
    if (current_ != kNone) Close(current_, complete);
    current_ = kNone;
    stack_ = nullptr;
  }

  const LogFile& log_;
  const ReportContext& context_;
  std::vector<InputError>* errors_;
  std::vector<Finding> findings_;
  size_t current_ = kNone;
  Stack* stack_ = nullptr;
  bool in_leaks_ = false;
  int leak_start_ = 0;
  std::vector<size_t> leak_findings_;
  Frame ubsan_site_;
};

}  // namespace

std::vector<Finding> ParseSanitizerLog(std::string_view content, const LogFile& log, const ReportContext& context,
                                       std::vector<InputError>* errors) {
  return SanitizerLogParser(log, context, errors).Parse(content);
}

std::vector<Finding> ParseSanitizerLogFile(const LogFile& log, const ReportContext& context,
                                           std::vector<InputError>* errors) {
  std::ifstream in(log.path, std::ios::binary);
  if (!in) {
    errors->push_back({log.path, 0, "cannot open it"});
    return {};
  }
  SanitizerLogParser parser(log, context, errors);
  // Whole lines to the parser; the part after a block's last newline waits for the next.
  std::vector<char> block(1 << 20);
  std::string pending;
  int number = 0;
  while (in.read(block.data(), static_cast<std::streamsize>(block.size())) || in.gcount() > 0) {
    pending.append(block.data(), static_cast<size_t>(in.gcount()));
    size_t start = 0;
    for (size_t end = pending.find('\n'); end != std::string::npos; end = pending.find('\n', start)) {
      std::string_view line(pending.data() + start, end - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      parser.Feed(line, ++number);
      start = end + 1;
    }
    pending.erase(0, start);
    // One line longer than a block is held only up to a bound: what a report needs of a
    // line is its start.
    if (pending.size() > (4u << 20)) pending.resize(1u << 20);
  }
  if (in.bad()) errors->push_back({log.path, number, "a read failed"});
  if (!pending.empty()) parser.Feed(pending, ++number);
  return parser.Findings();
}

}  // namespace memsafe::tools
