#include "suppressions/suppression_drafts.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <regex>

#include "common/text.h"
#include "suppressions/suppressions.h"

namespace memsafe::tools {
namespace {

using json = nlohmann::json;

constexpr const char* kIdentifierChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";

// Frames that allocate or free for the code that called them: a suppression names
// the caller, not the allocator every report shares.
bool IsAllocator(std::string function) {
  for (const char* prefix : {"___interceptor_", "__interceptor_"}) {
    if (function.rfind(prefix, 0) == 0) function.erase(0, std::string_view(prefix).size());
  }
  for (const char* name : {"malloc", "calloc", "realloc", "free", "aligned_alloc", "posix_memalign", "memalign",
                           "valloc", "pvalloc", "strdup", "strndup", "reallocarray"}) {
    if (function == name) return true;
  }
  return function.rfind("operator new", 0) == 0 || function.rfind("operator delete", 0) == 0;
}

// The function a suppression names: the report's first frame in the project's own
// code, else the first frame that is not an allocator; "" when the report has none.
std::string FunctionOf(const json& finding) {
  if (finding.contains("location") && finding["location"].is_object()) {
    const std::string function = finding["location"].value("function", "");
    if (!function.empty() && function != "?") return function;
  }
  const json::json_pointer frames_at("/stacks/0/frames");
  if (!finding.contains(frames_at) || !finding.at(frames_at).is_array()) return {};
  for (const json& frame : finding.at(frames_at)) {
    const std::string function = frame.value("function", "");
    if (!function.empty() && function != "?" && !IsAllocator(function)) return function;
  }
  return {};
}

// "int ns::Type::Method<T>(int) const" -> "ns::Type::Method<T>": sanitizer suppressions
// match a part of the symbolized name, and return types, parameter lists and the
// "(anonymous namespace)::" prefix differ between compilers.
std::string WithoutParameters(std::string function) {
  const std::string anonymous = "(anonymous namespace)::";
  for (std::size_t at; (at = function.find(anonymous)) != std::string::npos;) function.erase(at, anonymous.size());
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < function.size(); ++i) {
    const char c = function[i];
    if (c == '<') ++depth;
    if (c == '>' && depth > 0) --depth;
    if (depth > 0) continue;
    if (c == ' ') start = i + 1;  // what came before was the return type
    if (c == '(' && i > start) return function.substr(start, i - start);
  }
  return function.substr(start);
}

// The report's place in the project is a C file (its functions are not mangled).
bool FromCSource(const json& finding) {
  if (!finding.contains("location") || !finding["location"].is_object()) return false;
  const std::string file = finding["location"].value("file", "");
  return file.size() > 2 && file.compare(file.size() - 2, 2, ".c") == 0;
}

// Valgrind matches `fun:` against the mangled name. A C function's is its own name;
// a C++ one holds each part of the qualified name in order ("_ZN4shelf3addEv"), so the
// parts joined by wildcards match it, and only it.
std::string ValgrindFunction(const std::string& function, bool c_source) {
  const std::string name = WithoutParameters(function);
  if (c_source && name.find_first_not_of(kIdentifierChars) == std::string::npos) {
    return name;
  }
  std::string pattern = "*";
  int depth = 0;
  for (char c : name) {
    if (c == '<') ++depth;
    if (c == '>' && depth > 0) --depth;
    if (depth > 0 || c == '>') continue;  // template arguments are mangled differently
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      pattern += c;
    } else if (pattern.back() != '*') {
      pattern += '*';
    }
  }
  if (pattern.back() != '*') pattern += '*';
  return pattern;
}

// The frame line of a Valgrind draft: the report's place in the project when it is
// known ("src:file.c:26": that line and no other), its function otherwise. A function
// alone can match far too much: "fun:main" under "..." matches every error of every
// program.
std::string ValgrindFrame(const json& finding, const std::string& function) {
  if (finding.contains("location") && finding["location"].is_object()) {
    const std::string file = finding["location"].value("file", "");
    const int line = finding["location"].value("line", 0);
    if (!file.empty() && line > 0) return "src:" + file.substr(file.rfind('/') + 1) + ":" + std::to_string(line);
  }
  return "fun:" + ValgrindFunction(function, FromCSource(finding));
}

// Memcheck's suppression kind for a finding, from its kind and Valgrind's headline;
// "" when it cannot be told.
std::string MemcheckKind(const std::string& kind, const std::string& message, std::string* extra) {
  if (kind == "memory-leak") return *extra = "match-leak-kinds: definite", "Leak";
  if (kind == "indirect-leak") return *extra = "match-leak-kinds: indirect", "Leak";
  if (kind == "possible-leak") return *extra = "match-leak-kinds: possible", "Leak";
  std::smatch match;
  if (std::regex_search(message, match, std::regex("Invalid (read|write) of size ([0-9]+)")))
    return "Addr" + match.str(2);
  if (std::regex_search(message, match, std::regex("Use of uninitialised value of size ([0-9]+)"))) {
    return "Value" + match.str(1);
  }
  if (message.find("Conditional jump or move depends on uninitialised") != std::string::npos) return "Cond";
  if (message.find("Invalid free") != std::string::npos || message.find("Mismatched free") != std::string::npos) {
    return "Free";
  }
  if (message.find("overlap") != std::string::npos) return "Overlap";
  if (std::regex_search(message, match, std::regex("Syscall param (\\S+) "))) return *extra = match.str(1), "Param";
  return {};
}

// The UBSan check that reports a kind, as Clang's ignore list names it.
std::string UbsanCheck(const std::string& kind) {
  if (kind == "signed-integer-overflow" || kind == "integer-divide-by-zero") return kind;
  if (kind == "misaligned-pointer-use") return "alignment";
  if (kind == "null-pointer-use") return "null";
  if (kind == "shift-out-of-bounds") return "shift";
  return {};
}

std::string Describe(const json& finding) {
  std::string where = "(no frame in the project)";
  if (finding.contains("location") && finding["location"].is_object()) {
    where = finding["location"].value("file", "?") + ":" + std::to_string(finding["location"].value("line", 0));
  }
  std::string tests;
  if (finding.contains("tests") && finding["tests"].is_array()) {
    for (const json& test : finding["tests"]) {
      if (!test.is_string()) continue;
      if (!tests.empty()) tests += ", ";
      tests += test.get<std::string>();
    }
  }
  return finding.value("kind", "?") + " at " + where + (tests.empty() ? "" : " in " + tests);
}

// Why a name from a report cannot stand in an entry as it is: a newline would start
// another entry, '*' and '?' are wildcards, '#' starts a comment, braces and blanks break
// a Valgrind block or a sanitizer line, and a name that is not UTF-8 or longer than 1 KiB
// is no symbol a compiler wrote. "" when it can.
std::string UnsafeName(std::string_view name) {
  if (name.size() > 1024) return "longer than 1 KiB";
  for (std::size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (c < 0x20 || c == 0x7f) return "holds a control character";
    if (c == '*' || c == '?' || c == '#' || c == '{' || c == '}' || c == '^' || c == '$') {
      return std::string("holds '") + static_cast<char>(c) + "'";
    }
    if (c < 0x80) continue;
    // UTF-8: a lead byte and as many continuation bytes as it announces.
    const int more = (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : -1;
    if (more < 0) return "is not UTF-8";
    for (int k = 1; k <= more; ++k) {
      if (i + k >= name.size() || (static_cast<unsigned char>(name[i + k]) & 0xc0) != 0x80) return "is not UTF-8";
    }
    i += static_cast<std::size_t>(more);
  }
  return {};
}

// Valgrind's entry is a block of its own: named by the finding's signature, of the
// Memcheck kind of the finding, with the frame that places it. Fills draft->file and
// draft->entry; returns why no block can be drafted ("" when one was).
std::string DraftValgrindEntry(const json& finding, const std::string& kind, const std::string& function,
                               Draft* draft) {
  std::string extra;
  std::string message = finding.value("message", "");
  if (finding.contains("messages") && finding["messages"].is_object()) {
    message = finding["messages"].value("valgrind", message);
  }
  const std::string memcheck = MemcheckKind(kind, message, &extra);
  if (memcheck.empty()) return "no Memcheck kind for '" + message + "'";
  draft->file = "valgrind.supp";
  // The block's name is the finding's signature when it is one (hex digits): a name
  // from the report file could close the block or start another.
  std::string signature = finding.value("signature", std::string());
  if (signature.empty() || signature.size() > 64 ||
      signature.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
    signature = "finding";
  }
  const std::string frame = ValgrindFrame(finding, function);
  if (const std::string unsafe = UnsafeName(frame.substr(frame.find(':') + 1));
      frame.starts_with("src:") && !unsafe.empty()) {
    return "to fix: its file name " + unsafe + ", which no entry can name safely";
  }
  draft->entry = "{\n   draft-" + signature + "\n   Memcheck:" + memcheck + "\n" +
                 (extra.empty() ? "" : "   " + extra + "\n") + "   ...\n   " + frame + "\n}";
  return {};
}

// The entry for one tool's report of a finding, in that tool's file and terms. Fills
// draft->file and draft->entry; returns why none can be drafted ("" when one was), as
// listed after "<tool>: <finding>: ".
std::string DraftEntry(const json& finding, const std::string& tool, const std::string& kind,
                       const std::string& function, Draft* draft) {
  if (function.empty()) return "the report names no function";
  if (const std::string unsafe = UnsafeName(function); !unsafe.empty()) {
    return "to fix: its function name " + unsafe + ", which no entry can name safely";
  }
  // A sanitizer matches the pattern anywhere in a frame's function name: a C
  // function is anchored, so "^parse$" does not also match "parse_all"; a C++ name
  // ends at its parameter list, as the symbolizers print it ("Shelf::add(int)"), so
  // "Shelf::add(" does not also match "Shelf::address()". (Its start stays open: a
  // function template's name follows its return type.)
  std::string name = WithoutParameters(function);
  const bool c_name = FromCSource(finding) && name.find_first_not_of(kIdentifierChars) == std::string::npos;
  if (c_name) name = "^" + name + "$";
  // LSan and TSan match an entry against every frame of the stack: an entry for a
  // function every stack has ("main") or a name of two letters would hide every other
  // finding of its kind. Such a finding is to fix, not to suppress.
  const std::string stack_pattern = c_name || function.find('(') == std::string::npos ? name : name + "(";
  if (const std::optional<std::string> broad = TooBroadPattern(name); broad && (tool == "lsan" || tool == "tsan")) {
    return "to fix: the only frame to name is '" + name + "' (" + *broad +
           "), so no entry would be narrower than every finding of its kind";
  }
  if (tool == "lsan") {
    draft->file = "lsan.supp";
    draft->entry = "leak:" + stack_pattern;
  } else if (tool == "tsan") {
    draft->file = "tsan.supp";
    const std::string type = kind == "lock-order-inversion" ? "deadlock" : kind == "thread-leak" ? "thread" : "race";
    draft->entry = type + ":" + stack_pattern;
  } else if (tool == "valgrind") {
    return DraftValgrindEntry(finding, kind, function, draft);
  } else if (tool == "ubsan" && !UbsanCheck(kind).empty()) {
    draft->file = "ubsan_ignorelist.txt";
    draft->entry = "[" + UbsanCheck(kind) + "]\nfun:" + name;
  } else {
    return tool == "ubsan" ? "no ignore-list check for this kind"
                           : "this tool has no run-time suppression for it; fix it, or keep the "
                             "code out of the instrumented build";
  }
  return {};
}

// The draft as the lint will read it: anything it would refuse is not written. Returns
// why the lint refuses it ("" when it passes).
std::string LintRefusal(const Draft& draft) {
  const ParsedFile linted = ParseSuppressions(draft.file, draft.text);
  if (!linted.problems.empty() || linted.entries.size() != 1) {
    return "to fix: the drafted entry would not pass the lint (" +
           (linted.problems.empty() ? std::string("not one entry") : linted.problems[0].message) + ")";
  }
  return {};
}

}  // namespace

bool DraftSuppressions(std::string_view report_json, int today, std::vector<Draft>* drafts,
                       std::vector<std::string>* not_drafted, std::string* error) {
  json report;
  try {
    report = json::parse(report_json);
  } catch (const json::exception& e) {
    *error = std::string("not JSON: ") + e.what();
    return false;
  }
  if (!report.is_object() || !report.contains("findings") || !report["findings"].is_array()) {
    *error = "no \"findings\" array: give the findings JSON of memsafe report (build/memsafe-report/findings.json)";
    return false;
  }
  const std::string metadata_tail = "# tracker: " + std::string(kDraftTracker) + "\n# added: " + FormatDate(today) +
                                    "\n# review-by: " + FormatDate(today + kMaxReviewDays) + "\n";
  for (const json& finding : report["findings"]) {
    if (!finding.is_object() || !finding.contains("tools") || !finding["tools"].is_array()) continue;
    const std::string kind = finding.value("kind", "");
    const std::string function = FunctionOf(finding);
    const std::string described = Describe(finding);
    const std::string reason = "# reason: " + std::string(kDraftReason) + " " + described +
                               "; replace with why this is not a bug to fix here\n";
    for (const json& tool_json : finding["tools"]) {
      if (!tool_json.is_string()) continue;
      const std::string tool = tool_json.get<std::string>();
      Draft draft;
      std::string why_not = DraftEntry(finding, tool, kind, function, &draft);
      if (why_not.empty()) {
        draft.text = reason + metadata_tail + draft.entry + "\n";
        why_not = LintRefusal(draft);
      }
      if (!why_not.empty()) {
        not_drafted->push_back(tool + ": " + described + ": " + why_not);
        continue;
      }
      drafts->push_back(std::move(draft));
    }
  }
  return true;
}

}  // namespace memsafe::tools
