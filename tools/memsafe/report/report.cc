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

namespace memsafe::tools {
namespace {

namespace fs = std::filesystem;

bool StartsWith(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }
bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}
bool AllDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}
int ToInt(std::string_view digits) {
  int value = 0;
  for (char c : digits) {
    if (value > 100000000) return value;  // a line number this large is garbage; stop before overflow
    value = value * 10 + (c - '0');
  }
  return value;
}
std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "data race (pid=12)" -> "data-race"; "alloc-dealloc-mismatch (operator new vs free)" ->
// "alloc-dealloc-mismatch".
std::string KindFromWords(std::string_view words) {
  const auto paren = words.find(" (");
  std::string kind = Lower(Trim(words.substr(0, paren)));
  for (char& c : kind) {
    if (c == ' ' || c == '_') c = '-';
  }
  return kind.empty() ? "unknown" : kind;
}

std::string AsanKind(std::string_view after_tool) {
  // "heap-use-after-free on address 0x..." / "attempting double-free on 0x..." /
  // "SEGV on unknown address ..." / "requested allocation size ... exceeds ..."
  if (StartsWith(after_tool, "attempting double-free")) return "double-free";
  if (StartsWith(after_tool, "attempting free on address which was not malloc")) return "bad-free";
  if (StartsWith(after_tool, "requested allocation size")) return "allocation-size-too-big";
  const auto end = after_tool.find_first_of(" :");
  return KindFromWords(after_tool.substr(0, end));
}

// UBSan's message, not its summary: GCC's runtime says only "undefined-behavior" there.
std::string UbsanKind(std::string_view message) {
  static const std::pair<const char*, const char*> kPatterns[] = {
      {"signed integer overflow", "signed-integer-overflow"},
      {"negation of", "signed-integer-overflow"},
      {"unsigned integer overflow", "unsigned-integer-overflow"},
      {"misaligned address", "misaligned-pointer-use"},
      {"null pointer", "null-pointer-use"},
      {"shift exponent", "shift-out-of-bounds"},
      {"left shift of", "shift-out-of-bounds"},
      {"out of bounds for type", "array-index-out-of-bounds"},
      {"division by zero", "integer-divide-by-zero"},
      {"not a valid value for type", "invalid-value-load"},
      {"pointer overflow", "pointer-overflow"},
      {"applying non-zero offset", "pointer-overflow"},
      {"applying zero offset to null", "pointer-overflow"},
      {"of unsigned offset", "pointer-overflow"},  // "addition of unsigned offset to 0x.. overflowed"
      {"pointer index expression", "pointer-overflow"},
      {"unreachable program point", "unreachable"},
      {"end of a value-returning function", "missing-return"},
      {"outside the range of representable values", "float-cast-overflow"},
      {"implicit conversion", "implicit-conversion"},
      {"does not point to an object of type", "vptr-check"},
      {"insufficient space for an object", "object-size"},
      {"variable length array bound", "vla-bound-not-positive"},
      {"passed as argument", "nonnull-attribute"},
      {"control flow integrity", "cfi"},
  };
  for (const auto& [pattern, kind] : kPatterns) {
    if (message.find(pattern) != std::string_view::npos) return kind;
  }
  return "undefined-behavior";
}

}  // namespace

std::string ValgrindKind(std::string_view kind, const std::vector<std::string>& auxwhat) {
  // Valgrind's block description says what the address is: "Address 0x.. is 8 bytes
  // inside a block of size 32 free'd", "... is 0 bytes after a block of size 32
  // alloc'd", "Address 0x0 is not stack'd, malloc'd or (recently) free'd". Only the
  // first of those is about freed memory, though the last one also says "free'd".
  static const std::regex freed_block("bytes (inside|after|before) a block of size [0-9,]+ free'd");
  static const std::regex beside_block("bytes (after|before) a block of size [0-9,]+ alloc'd");
  static const std::regex unmapped("Address 0x([0-9a-fA-F]+) is not stack'd, malloc'd or \\(recently\\) free'd");
  bool freed = false, beside = false, null_page = false;
  for (const std::string& text : auxwhat) {
    std::smatch match;
    freed = freed || std::regex_search(text, freed_block);
    beside = beside || std::regex_search(text, beside_block);
    // The first page is never mapped: an access there is a null pointer (plus an offset).
    if (std::regex_search(text, match, unmapped) && match.str(1).size() <= 16 &&
        std::stoull(match.str(1), nullptr, 16) < 4096) {
      null_page = true;
    }
  }
  if (kind == "InvalidRead" || kind == "InvalidWrite") {
    if (freed) return "heap-use-after-free";
    if (beside) return "heap-buffer-overflow";
    if (null_page) return "null-pointer-use";
    return kind == "InvalidRead" ? "invalid-read" : "invalid-write";
  }
  if (kind == "InvalidFree") return freed ? "double-free" : "bad-free";
  if (kind == "MismatchedFree") return "alloc-dealloc-mismatch";
  if (kind == "Leak_DefinitelyLost") return "memory-leak";
  if (kind == "Leak_IndirectlyLost") return "indirect-leak";
  if (kind == "Leak_PossiblyLost") return "possible-leak";
  if (kind == "Leak_StillReachable") return "still-reachable";
  if (kind == "UninitCondition" || kind == "UninitValue") return "uninitialised-value";
  if (kind == "SyscallParam") return "uninitialised-syscall-param";
  if (kind == "Overlap") return "memcpy-param-overlap";
  // Anything else: CamelCase to kebab-case, so new kinds still read sensibly.
  std::string out;
  for (char c : kind) {
    if (std::isupper(static_cast<unsigned char>(c)) && !out.empty()) out += '-';
    out += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out.empty() ? "unknown" : out;
}

namespace {

// "file:line" or "file:line:col" at the end of a token; nullopt if it is not one.
std::optional<Frame> FileLine(std::string_view token) {
  Frame frame;
  auto colon = token.rfind(':');
  if (colon == std::string_view::npos || !AllDigits(token.substr(colon + 1))) return std::nullopt;
  int last = ToInt(token.substr(colon + 1));
  std::string_view rest = token.substr(0, colon);
  auto colon2 = rest.rfind(':');
  if (colon2 != std::string_view::npos && AllDigits(rest.substr(colon2 + 1))) {
    frame.line = ToInt(rest.substr(colon2 + 1));
    frame.column = last;
    rest = rest.substr(0, colon2);
  } else {
    frame.line = last;
  }
  if (rest.empty() || rest.find_first_of("/.") == std::string_view::npos) return std::nullopt;
  frame.file = std::string(rest);
  return frame;
}

constexpr std::string_view kRuntimeError = ": runtime error: ";

// "file:line:col: runtime error: ..." -> the position, or nullopt for other lines.
std::optional<Frame> UbsanSite(std::string_view line) {
  const auto at = line.find(kRuntimeError);
  if (at == std::string_view::npos) return std::nullopt;
  std::optional<Frame> site = FileLine(line.substr(0, at));
  if (!site || site->column == 0) return std::nullopt;
  return site;
}

// A function's bare name, comparable across compilers and tools: GCC's sanitizer
// symbolizer prints "Increment" or "operator()" where llvm-symbolizer and Valgrind print
// "(anonymous namespace)::Increment()" or "main::$_0::operator()() const". So drop the
// qualifiers, the parameter list, template arguments and the enclosing scopes.
std::string ShortName(std::string_view name) {
  std::string text(Trim(name));
  for (const char* suffix : {" const", " volatile", " &&", " &"}) {
    if (EndsWith(text, suffix)) text.erase(text.size() - std::string_view(suffix).size());
  }
  // Removes the balanced group that ends the text: "f(int)" -> "f", "g<int>" -> "g".
  const auto strip_group = [&text](char open, char close) {
    if (text.empty() || text.back() != close) return;
    int depth = 0;
    for (size_t i = text.size(); i-- > 0;) {
      if (text[i] == close) ++depth;
      if (text[i] == open && --depth == 0) {
        text.erase(i);
        return;
      }
    }
  };
  strip_group('(', ')');
  if (EndsWith(text, "operator")) text += "()";
  strip_group('<', '>');
  // The last scope at nesting depth zero.
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    const char c = text[i];
    if (c == '(' || c == '<') ++depth;
    if ((c == ')' || c == '>') && depth > 0) --depth;
    if (depth == 0 && c == ':' && text[i + 1] == ':') start = i + 2;
  }
  std::string out;
  for (char c : std::string_view(text).substr(std::min(start, text.size()))) {
    if (c != ' ') out += c;
  }
  return out;
}

std::string FrameKey(const Frame& frame) {
  const std::string file = fs::path(frame.file).filename().string();
  if (!frame.function.empty()) return ShortName(frame.function) + (file.empty() ? "" : "@" + file);
  if (!file.empty()) return file;
  return fs::path(frame.object).filename().string();
}

std::vector<std::string> TopFrames(const Stack& stack, size_t count) {
  std::vector<std::string> keys;
  for (const Frame& frame : stack.frames) {
    if (keys.size() == count) break;
    if (!IsRuntimeFrame(frame)) keys.push_back(FrameKey(frame));
  }
  return keys;
}

// The hash seed findings' signatures have always used (not FNV's standard offset basis):
// kept, because a new seed would renumber every finding's fingerprint in SARIF and so
// in code scanning's history.
constexpr uint64_t kSignatureSeed = 1469598103934665603ULL;

// The first project frame of the first stack that has frames: that stack locates the
// bug; the others say where the memory came from.
void Locate(Finding& finding, const ReportContext& context) {
  const auto stack =
      std::find_if(finding.stacks.begin(), finding.stacks.end(), [](const Stack& s) { return !s.frames.empty(); });
  if (stack == finding.stacks.end()) return;
  finding.unsymbolized = std::all_of(stack->frames.begin(), stack->frames.end(),
                                     [](const Frame& f) { return f.function.empty() && f.file.empty(); });
  // Only the binary is known then; the location keeps it for the report's wording.
  if (finding.unsymbolized) finding.location.object = stack->frames.front().object;
  for (const Frame& frame : stack->frames) {
    if (frame.file.empty()) continue;
    bool inside = false;
    std::string relative = RelativeToRoot(frame.file, context, &inside);
    // The access: the first frame under the root, excluded code included (a vendored
    // library, a test helper). System headers above it are the standard library's.
    if (const std::string normal = fs::path(frame.file).lexically_normal().string();
        !finding.has_access && !context.root.empty() && StartsWith(normal, context.root) && !IsRuntimeFrame(frame)) {
      finding.access = frame;
      finding.access.file = normal.substr(context.root.size());
      finding.has_access = true;
    }
    if (!inside) continue;
    finding.location = frame;
    finding.location.file = std::move(relative);
    finding.has_location = true;
    return;
  }
}

void Finish(Finding& finding, const ReportContext& context) {
  Locate(finding, context);
  finding.signature = Signature(finding, context);
}

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

// Line numbers of byte offsets in one text, for many offsets: the newlines are found
// once, each lookup is a binary search (counting from the start for every error made
// reading a log of thousands of errors quadratic).
class LineIndex {
 public:
  explicit LineIndex(std::string_view content) {
    for (size_t at = content.find('\n'); at != std::string_view::npos; at = content.find('\n', at + 1)) {
      newlines_.push_back(at);
    }
  }
  int LineOf(ptrdiff_t offset) const {
    if (offset < 0) return 0;
    const auto before = std::lower_bound(newlines_.begin(), newlines_.end(), static_cast<size_t>(offset));
    return 1 + static_cast<int>(before - newlines_.begin());
  }

 private:
  std::vector<size_t> newlines_;
};

Frame ValgrindFrame(const pugi::xml_node& node) {
  Frame frame;
  frame.function = node.child_value("fn");
  frame.object = node.child_value("obj");
  const std::string dir = node.child_value("dir");
  const std::string file = node.child_value("file");
  if (!file.empty()) frame.file = dir.empty() ? file : dir + "/" + file;
  const std::string_view line = node.child_value("line");
  if (AllDigits(line)) frame.line = ToInt(line);
  return frame;
}

// <test>.<tool>.<pid>[.xml] | <test>.<tool>.stderr | <test>.<tool>.rerun-stderr (the
// cases a finding kept from running, run again: memsafe next-cases) |
// <test>.<tool>.expected
bool ParseLogName(const std::string& name, LogFile* log, std::string* suffix) {
  std::string_view rest = name;
  if (EndsWith(rest, ".xml")) {
    log->xml = true;
    rest.remove_suffix(4);
  }
  const auto dot = rest.rfind('.');
  if (dot == std::string_view::npos) return false;
  *suffix = std::string(rest.substr(dot + 1));
  if (!AllDigits(*suffix) && *suffix != "stderr" && *suffix != "rerun-stderr" && *suffix != "expected") return false;
  rest = rest.substr(0, dot);
  const auto dot2 = rest.rfind('.');
  if (dot2 == std::string_view::npos || dot2 == 0) return false;
  log->tool = std::string(rest.substr(dot2 + 1));
  if (log->tool != "asan" && log->tool != "tsan" && log->tool != "ubsan" && log->tool != "valgrind") return false;
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
  std::set<std::string> expected;  // "<test>.<tool>" of canaries
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
    found.push_back(std::move(log));
  }
  std::sort(found.begin(), found.end(), [](const LogFile& a, const LogFile& b) { return a.path < b.path; });
  std::set<std::string> tools;
  for (LogFile& log : found) {
    log.expected = expected.count(log.test + "." + log.tool) > 0;
    tools.insert(log.tool);
    set->files.push_back(std::move(log));
  }
  for (const std::string& key : expected) tools.insert(key.substr(key.rfind('.') + 1));
  auto& list = set->tools_by_preset[preset];
  for (const std::string& tool : tools) {
    if (std::find(list.begin(), list.end(), tool) == list.end()) list.push_back(tool);
  }
}

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

Frame ParseFrameLine(std::string_view text) {
  Frame frame;
  std::string_view s = Trim(text);
  if (!s.empty() && s[0] == '#') s.remove_prefix(1);
  while (!s.empty() && std::isdigit(static_cast<unsigned char>(s[0]))) s.remove_prefix(1);
  s = Trim(s);
  if (StartsWith(s, "0x")) {
    s.remove_prefix(2);
    while (!s.empty() && std::isxdigit(static_cast<unsigned char>(s[0]))) s.remove_prefix(1);
    s = Trim(s);
  }
  if (StartsWith(s, "in ")) s = Trim(s.substr(3));
  if (const auto build_id = s.find(" (BuildId: "); build_id != std::string_view::npos) s = Trim(s.substr(0, build_id));
  if (StartsWith(s, "(BuildId: ")) s = {};
  // "(object+0x1234)" at the end names the binary.
  if (const auto open = s.rfind('('); EndsWith(s, ")") && open != std::string_view::npos) {
    const std::string_view group = s.substr(open + 1, s.size() - open - 2);
    const auto plus = group.rfind("+0x");
    if (plus != std::string_view::npos && (open == 0 || s[open - 1] == ' ')) {
      frame.object = std::string(group.substr(0, plus));
      s = Trim(s.substr(0, open));
    }
  }
  // The last token may be file:line[:col] or TSan's "<null>".
  const auto space = s.rfind(' ');
  const std::string_view last = space == std::string_view::npos ? s : s.substr(space + 1);
  const std::string_view before = space == std::string_view::npos ? std::string_view{} : Trim(s.substr(0, space));
  if (last == "<null>") {
    s = before;
  } else if (space != std::string_view::npos) {
    if (std::optional<Frame> where = FileLine(last)) {
      frame.file = where->file;
      frame.line = where->line;
      frame.column = where->column;
      s = before;
    } else if (StartsWith(last, "/") && last.find('.') != std::string_view::npos) {
      // A file without a line (Clang's TSan at -O1 has some accesses at line 0, and the
      // runtime then prints the file alone): the file still places the frame.
      frame.file = std::string(last);
      s = before;
    }
  }
  if (s != "<null>") frame.function = std::string(s);
  return frame;
}

bool IsRuntimeFrame(const Frame& frame) {
  const std::string_view fn = frame.function;
  for (const char* prefix :
       {"__interceptor_", "___interceptor_", "__asan", "__tsan", "__lsan", "__ubsan", "__sanitizer",
        "__interception::", "operator new", "operator delete", "__libc_", "__GI_", "_start"}) {
    if (StartsWith(fn, prefix)) return true;
  }
  for (const char* name : {"malloc", "calloc",  "realloc",      "free",   "posix_memalign", "aligned_alloc", "memalign",
                           "valloc", "pvalloc", "reallocarray", "strdup", "strndup",        "memcpy",        "memmove",
                           "memset", "memcmp",  "strlen",       "strcpy", "strncpy",        "pthread_create"}) {
    if (fn == name) return true;
  }
  const std::string file = fs::path(frame.file).filename().string();
  if (StartsWith(file, "vg_replace_") || frame.file.find("libsanitizer/") != std::string::npos ||
      frame.file.find("compiler-rt/") != std::string::npos) {
    return true;
  }
  const std::string object = fs::path(frame.object).filename().string();
  for (const char* runtime : {"vgpreload", "libasan", "libtsan", "liblsan", "libubsan", "libclang_rt"}) {
    if (object.find(runtime) != std::string::npos) return true;
  }
  return false;
}

namespace {

// Kinds that tools name differently for one bug: an access out of bounds is UBSan's
// array-index-out-of-bounds when its bounds check fires first, and ASan's
// heap/stack/global-buffer-overflow otherwise. A read of memory that holds no value of
// the program (a returned function's frame, a vector's spare capacity) is ASan's
// stack-use-after-return or container-overflow, and Valgrind's uninitialised value where
// the bytes are used (measured on tests/detection: the same line in both compilers'
// builds).
std::string KindClass(const std::string& kind) {
  for (const char* out_of_bounds :
       {"heap-buffer-overflow", "stack-buffer-overflow", "global-buffer-overflow", "array-index-out-of-bounds"}) {
    if (kind == out_of_bounds) return "out-of-bounds";
  }
  for (const char* no_value :
       {"stack-use-after-return", "stack-use-after-scope", "container-overflow", "uninitialised-value"}) {
    if (kind == no_value) return "read-without-a-value";
  }
  return kind;
}

// Where a stack enters the project: its first frame under the root, as "file:line" (a
// frame whose line is unknown, as Clang's TSan gives some, adds its function); "" when
// the stack never passes through the project.
std::string ProjectPlace(const Stack& stack, const ReportContext& context) {
  for (const Frame& frame : stack.frames) {
    if (frame.file.empty()) continue;
    bool inside = false;
    const std::string relative = RelativeToRoot(frame.file, context, &inside);
    if (!inside) continue;
    return relative + ":" + std::to_string(frame.line) + (frame.line > 0 ? "" : " " + ShortName(frame.function));
  }
  return {};
}

}  // namespace

std::string Signature(const Finding& finding, const ReportContext& context) {
  std::string key = KindClass(finding.kind);
  // A bug is where it enters the project's own code: the same place whatever libraries
  // lie above it (two programs' uninitialised values first used inside printf stay two
  // bugs), whichever compiler inlined what, and however deep the stack (one bug seen by
  // ASan, TSan and Valgrind, built by Clang and by GCC, is one).
  std::vector<std::string> places;
  for (const Stack& stack : finding.stacks) {
    if (stack.frames.empty()) continue;
    places.push_back(ProjectPlace(stack, context));
    // A race reads the same whichever of its two threads came first; for other kinds
    // only the first stack (the access, or the leaked allocation) locates the bug.
    if (finding.kind != "data-race" || places.size() == 2) break;
  }
  std::sort(places.begin(), places.end());
  if (!places.empty() && std::none_of(places.begin(), places.end(), [](const std::string& p) { return p.empty(); })) {
    for (const std::string& place : places) key += "\n" + place;
    return Hex64(Fnv1a(key, kSignatureSeed));
  }
  // No way into the project (a bug inside a library, a stack without files): the top
  // frames that are not the runtime's, without line numbers.
  std::vector<std::vector<std::string>> parts;
  if (!finding.stacks.empty()) parts.push_back(TopFrames(finding.stacks[0], 3));
  if (finding.kind == "data-race" && finding.stacks.size() > 1) {
    parts.push_back(TopFrames(finding.stacks[1], 3));
    std::sort(parts.begin(), parts.end());
  }
  key += "\n(outside the project)";
  for (const auto& frames : parts) {
    for (const std::string& frame : frames) key += "\n" + frame;
    key += "\n--";
  }
  return Hex64(Fnv1a(key, kSignatureSeed));
}

std::string RelativeToRoot(const std::string& file, const ReportContext& context, bool* inside) {
  *inside = false;
  const std::string normal = fs::path(file).lexically_normal().string();
  if (context.root.empty() || !StartsWith(normal, context.root)) return normal;
  for (const std::string& excluded : context.exclude) {
    if (StartsWith(normal, excluded)) return normal;
  }
  const std::string relative = normal.substr(context.root.size());
  // Every directory between the root and the file, not the file's own name.
  for (size_t start = 0, slash; (slash = relative.find('/', start)) != std::string::npos; start = slash + 1) {
    const std::string_view name = std::string_view(relative).substr(start, slash - start);
    for (const std::string& excluded : context.excluded_names) {
      if (name == excluded) return normal;
    }
  }
  *inside = true;
  return relative;
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

namespace {

// A Valgrind row that is not an <error>: one stack (the element's), located as the
// others are.
Finding ValgrindStackRow(const std::string& kind, const std::string& message, const pugi::xml_node& element,
                         const LogFile& log, const ReportContext& context) {
  Finding finding;
  finding.tool = "valgrind";
  finding.kind = kind;
  finding.preset = log.preset;
  finding.log = log.path;
  finding.message = message;
  Stack stack;
  stack.title = message;
  for (const pugi::xml_node& frame : element.child("stack").children("frame"))
    stack.frames.push_back(ValgrindFrame(frame));
  finding.stacks.push_back(std::move(stack));
  Finish(finding, context);
  return finding;
}

// A process Valgrind saw die of a signal that points at a memory bug (SIGSEGV, SIGBUS,
// SIGFPE, SIGILL): a row of its own, named as the sanitizers name it (segv, bus, fpe,
// ill; a SIGSEGV in the first page is a null-pointer-use), located by its stack. Not
// when an error of the same log already stands at that place (an invalid write Valgrind
// reported just before the process died of it). Other signals (SIGABRT of a failed
// assertion, SIGTERM) fail the test without being a memory finding.
std::optional<Finding> ValgrindFatalSignal(const pugi::xml_node& signal, const LogFile& log,
                                           const ReportContext& context, const std::vector<Finding>& before) {
  static const std::map<std::string, std::string> kKinds = {
      {"SIGSEGV", "segv"}, {"SIGBUS", "bus"}, {"SIGFPE", "fpe"}, {"SIGILL", "ill"}};
  const std::string name = signal.child_value("signame");
  const auto kind = kKinds.find(name);
  if (kind == kKinds.end()) return std::nullopt;
  const std::string event = signal.child_value("event");
  const std::string address = signal.child_value("siaddr");
  const bool null_page = name == "SIGSEGV" && address.size() > 2 && address.size() <= 18 &&
                         address.rfind("0x", 0) == 0 && std::stoull(address.substr(2), nullptr, 16) < 4096;
  Finding finding = ValgrindStackRow(null_page ? "null-pointer-use" : kind->second,
                                     "Process terminating with " + name + (event.empty() ? "" : " (" + event + ")"),
                                     signal, log, context);
  for (const Finding& other : before) {
    if (other.log == finding.log && other.has_location && finding.has_location &&
        other.location.file == finding.location.file && other.location.line == finding.location.line) {
      return std::nullopt;
    }
  }
  return finding;
}

// A `new` that failed and should have thrown std::bad_alloc, which Valgrind cannot throw:
// the process aborts after two client messages, the second with the stack ("new/new[]
// failed and should throw an exception, but Valgrind" / "cannot throw exceptions and so
// is aborting instead"). A row of kind out-of-memory, as ASan and TSan name the same
// event; without it the test fails with no reason in the report.
std::optional<Finding> ValgrindFailedNew(const pugi::xml_node& message, const LogFile& log,
                                         const ReportContext& context) {
  const std::string_view text = message.child_value("text");
  if (text.find("cannot throw exceptions") == std::string_view::npos || !message.child("stack")) return std::nullopt;
  return ValgrindStackRow("out-of-memory",
                          "new failed and should have thrown std::bad_alloc; Valgrind cannot throw it and aborted",
                          message, log, context);
}

// One Valgrind <error> element as a finding of test `test`, starting at `log_line`.
Finding ValgrindErrorFinding(const pugi::xml_node& error, const LogFile& log, const std::string& test, int log_line,
                             const ReportContext& context, std::vector<InputError>* errors) {
  Finding finding;
  finding.tool = "valgrind";
  finding.test = test;
  finding.preset = log.preset;
  finding.log = log.path;
  finding.log_line = log_line;
  const pugi::xml_node xwhat = error.child("xwhat");
  finding.message = error.child("what") ? error.child_value("what") : xwhat.child_value("text");
  std::vector<std::string> auxwhat;
  std::string title = finding.message;
  for (const pugi::xml_node& child : error.children()) {
    const std::string_view name = child.name();
    if (name == "auxwhat") {
      auxwhat.emplace_back(child.child_value());
      title = child.child_value();
    } else if (name == "xauxwhat") {
      auxwhat.emplace_back(child.child_value("text"));
      title = child.child_value("text");
    } else if (name == "stack") {
      Stack stack;
      stack.title = title;
      for (const pugi::xml_node& frame : child.children("frame")) stack.frames.push_back(ValgrindFrame(frame));
      finding.stacks.push_back(std::move(stack));
    }
  }
  const std::string kind = error.child_value("kind");
  if (kind.empty()) {
    errors->push_back({log.path, finding.log_line, "Valgrind <error> without a <kind>"});
  }
  finding.kind = ValgrindKind(kind, auxwhat);
  Finish(finding, context);
  return finding;
}

}  // namespace

std::vector<Finding> ParseValgrindXml(std::string_view content, const LogFile& log, const ReportContext& context,
                                      std::vector<InputError>* errors) {
  std::vector<Finding> findings;
  const LineIndex lines(content);
  const size_t root_at = content.find("<valgrindoutput");
  if (root_at == std::string_view::npos) {
    errors->push_back({log.path, 1,
                       Trim(content).empty() ? "malformed Valgrind XML: the file is empty"
                                             : "not a Valgrind XML file (no <valgrindoutput> element)"});
    return findings;
  }
  // One top-level element at a time (Valgrind escapes '<' in text, so a tag is a tag):
  // memory stays bounded by the largest element, not the whole log, and what comes
  // before a cut or a malformed element is still read.
  //
  // A batched run (one process for all the cases of an executable, see
  // memsafe_add_test) marks each case in the log; findings between the marks belong to
  // that case. The leak check at exit repeats the leaks the per-case checks already
  // reported, so those repeats are dropped.
  constexpr std::string_view kCaseBegin = "memsafe-case-begin ";
  constexpr std::string_view kCaseEnd = "memsafe-case-end ";
  std::string current_case;
  bool after_cases = false;
  std::set<std::string> leaks_in_cases;
  size_t position = root_at;
  // The next of each tag at or after `position`, searched again only once passed:
  // searching both from every element would rescan the rest of the log for the rarer
  // one each time.
  size_t error_at = content.find("<error>", position);
  size_t message_at = content.find("<clientmsg>", position);
  size_t signal_at = content.find("<fatal_signal>", position);
  for (;;) {
    if (error_at != std::string_view::npos && error_at < position) error_at = content.find("<error>", position);
    if (message_at != std::string_view::npos && message_at < position)
      message_at = content.find("<clientmsg>", position);
    if (signal_at != std::string_view::npos && signal_at < position)
      signal_at = content.find("<fatal_signal>", position);
    const size_t start = std::min({error_at, message_at, signal_at});
    if (start == std::string_view::npos) break;
    const bool is_error = start == error_at;
    const bool is_signal = start == signal_at;
    const std::string_view tag = is_error ? "error" : is_signal ? "fatal_signal" : "clientmsg";
    const std::string close = "</" + std::string(tag) + ">";
    const size_t close_at = content.find(close, start);
    if (close_at == std::string_view::npos) {
      errors->push_back({log.path, lines.LineOf(static_cast<ptrdiff_t>(content.size())),
                         "malformed Valgrind XML: <" + std::string(tag) + "> opened on line " +
                             std::to_string(lines.LineOf(static_cast<ptrdiff_t>(start))) +
                             " is not closed before the end of the file"});
      return findings;
    }
    const size_t end = close_at + close.size();
    position = end;
    pugi::xml_document document;
    const pugi::xml_parse_result parsed =
        document.load_buffer(content.data() + start, end - start, pugi::parse_default, pugi::encoding_utf8);
    if (!parsed) {
      errors->push_back({log.path, lines.LineOf(static_cast<ptrdiff_t>(start) + parsed.offset),
                         std::string("malformed Valgrind XML: ") + parsed.description()});
      continue;
    }
    const pugi::xml_node element = document.first_child();
    const std::string test = current_case.empty() ? log.test : log.test + "." + current_case;
    const int log_line = lines.LineOf(static_cast<ptrdiff_t>(start));
    // A fatal signal, or a client message that is a finding (a failed new): a row of its own.
    std::optional<Finding> row = is_signal  ? ValgrindFatalSignal(element, log, context, findings)
                                 : is_error ? std::nullopt
                                            : ValgrindFailedNew(element, log, context);
    if (row) {
      row->test = test;
      row->log_line = log_line;
      findings.push_back(std::move(*row));
      continue;
    }
    if (is_signal) continue;  // a signal that points at no memory bug (SIGABRT, SIGTERM)
    if (!is_error) {
      std::string_view text = Trim(element.child_value("text"));
      if (text.starts_with(kCaseBegin)) {
        current_case = std::string(Trim(text.substr(kCaseBegin.size())));
        after_cases = false;
      } else if (text.starts_with(kCaseEnd)) {
        current_case.clear();
        after_cases = true;
      }
      continue;
    }
    Finding finding = ValgrindErrorFinding(element, log, test, log_line, context, errors);
    const bool leak = finding.kind == "memory-leak" || finding.kind == "indirect-leak";
    if (leak && !current_case.empty()) leaks_in_cases.insert(finding.signature);
    if (leak && after_cases && leaks_in_cases.count(finding.signature) > 0) continue;
    findings.push_back(std::move(finding));
  }
  if (content.find("</valgrindoutput>", position) == std::string_view::npos) {
    errors->push_back({log.path, lines.LineOf(static_cast<ptrdiff_t>(content.size())),
                       "malformed Valgrind XML: the file ends before </valgrindoutput> (the run was cut short)"});
  }
  return findings;
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
      all.push_back(std::move(finding));
    }
  }
  return all;
}

std::vector<Group> Deduplicate(const std::vector<Finding>& findings) {
  std::map<std::string, Group> by_signature;
  std::vector<std::string> order;
  const auto add_unique = [](std::vector<std::string>& list, const std::string& value) {
    if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
  };
  for (const Finding& finding : findings) {
    auto [it, inserted] = by_signature.try_emplace(finding.signature);
    Group& group = it->second;
    if (inserted) {
      group.first = finding;
      order.push_back(finding.signature);
    }
    add_unique(group.tools, finding.tool);
    group.message_by_tool.try_emplace(finding.tool, finding.message);
    add_unique(group.presets, finding.preset);
    add_unique(group.tests, finding.test);
    ++group.occurrences;
  }
  std::vector<Group> groups;
  for (const std::string& signature : order) {
    Group group = std::move(by_signature[signature]);
    std::sort(group.tools.begin(), group.tools.end());
    std::sort(group.presets.begin(), group.presets.end());
    std::sort(group.tests.begin(), group.tests.end());
    groups.push_back(std::move(group));
  }
  std::stable_sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) {
    return std::tie(a.first.kind, a.first.location.file, a.first.location.line) <
           std::tie(b.first.kind, b.first.location.file, b.first.location.line);
  });
  return groups;
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
