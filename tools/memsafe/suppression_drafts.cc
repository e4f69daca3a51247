#include "suppression_drafts.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <regex>

#include "suppressions.h"
#include "text.h"

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
      if (function.empty()) {
        not_drafted->push_back(tool + ": " + described + ": the report names no function");
        continue;
      }
      Draft draft;
      // A sanitizer matches the pattern anywhere in a frame's function name: a C
      // function is anchored ("^main$", or every main thread's stack would match).
      std::string name = WithoutParameters(function);
      if (FromCSource(finding) && name.find_first_not_of(kIdentifierChars) == std::string::npos)
        name = "^" + name + "$";
      if (tool == "lsan") {
        draft.file = "lsan.supp";
        draft.entry = "leak:" + name;
      } else if (tool == "tsan") {
        draft.file = "tsan.supp";
        const std::string type = kind == "lock-order-inversion" ? "deadlock"
                                 : kind == "thread-leak"        ? "thread"
                                                                : "race";
        draft.entry = type + ":" + name;
      } else if (tool == "valgrind") {
        std::string extra;
        std::string message = finding.value("message", "");
        if (finding.contains("messages") && finding["messages"].is_object()) {
          message = finding["messages"].value(tool, message);
        }
        const std::string memcheck = MemcheckKind(kind, message, &extra);
        if (memcheck.empty()) {
          not_drafted->push_back(tool + ": " + described + ": no Memcheck kind for '" + message + "'");
          continue;
        }
        draft.file = "valgrind.supp";
        draft.entry = "{\n   draft-" + finding.value("signature", std::string("finding")) +
                      "\n   Memcheck:" + memcheck + "\n" + (extra.empty() ? "" : "   " + extra + "\n") + "   ...\n   " +
                      ValgrindFrame(finding, function) + "\n}";
      } else if (tool == "ubsan" && !UbsanCheck(kind).empty()) {
        draft.file = "ubsan_ignorelist.txt";
        draft.entry = "[" + UbsanCheck(kind) + "]\nfun:" + name;
      } else {
        not_drafted->push_back(tool + ": " + described + ": " +
                               (tool == "ubsan" ? "no ignore-list check for this kind"
                                                : "this tool has no run-time suppression for it; fix it, or keep the "
                                                  "code out of the instrumented build"));
        continue;
      }
      draft.text = reason + metadata_tail + draft.entry + "\n";
      drafts->push_back(std::move(draft));
    }
  }
  return true;
}

}  // namespace memsafe::tools
